"""The shelf project on PostgreSQL, as its production settings override the database."""

import os

from shelf.settings import *  # noqa: F403

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": "127.0.0.1",
        "USER": "postgres",
        "NAME": "test",
        "TEST": {"NAME": "test_shelf" + os.environ.get("PERFKIT_TEST_DB_SUFFIX", "")},
    }
}
