"""Settings for perfkit's own test suite: the demo site plus PostgreSQL and MariaDB aliases."""

import os
import tempfile

import pymysql

from perfkit.demo.settings import *  # noqa: F403

pymysql.install_as_MySQLdb()

#: Test databases are named test_perfkit<suffix>: two suites on one server need two suffixes.
db_suffix = os.environ.get("PERFKIT_TEST_DB_SUFFIX", "")

DEBUG = False
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": ":memory:",
    },
    "postgresql": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": os.environ.get("PERFKIT_TEST_PG_HOST", "127.0.0.1"),
        "PORT": os.environ.get("PERFKIT_TEST_PG_PORT", "5432"),
        "USER": os.environ.get("PERFKIT_TEST_PG_USER", "postgres"),
        "NAME": "test",
        "TEST": {"NAME": f"test_perfkit{db_suffix}"},
    },
    "mysql": {
        "ENGINE": "django.db.backends.mysql",
        "HOST": os.environ.get("PERFKIT_TEST_MYSQL_HOST", "127.0.0.1"),
        "PORT": os.environ.get("PERFKIT_TEST_MYSQL_PORT", "3306"),
        "USER": "root",
        "PASSWORD": "",
        "NAME": "test",
        "TEST": {"NAME": f"test_perfkit{db_suffix}", "CHARSET": "utf8mb4"},
    },
}
DATABASE_ROUTERS = ["tests.routers.SelectedDatabaseRouter"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PERFKIT = {
    # perfkit's own suite tests the writing itself; a project's tests would leave this off.
    "STORE_IN_TESTS": True,
    "STORE": "jsonl://" + os.path.join(tempfile.gettempdir(), f"perfkit-tests-{os.getpid()}.jsonl"),
}
