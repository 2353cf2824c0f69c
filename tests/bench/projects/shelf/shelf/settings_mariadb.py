"""The shelf project on MariaDB (through PyMySQL), as its staging settings override the
database."""

import os

import pymysql

from shelf.settings import *  # noqa: F403

pymysql.install_as_MySQLdb()

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.mysql",
        "HOST": "127.0.0.1",
        "USER": "root",
        "PASSWORD": "",
        "NAME": "test",
        "TEST": {
            "NAME": "test_shelf" + os.environ.get("PERFKIT_TEST_DB_SUFFIX", ""),
            "CHARSET": "utf8mb4",
        },
    }
}
