"""Settings validation, at startup and through Django's system checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import override_settings

from perfkit import conf
from perfkit.middleware import PerfkitMiddleware
from perfkit.store import writer


def test_defaults_apply_when_unset() -> None:
    with override_settings(PERFKIT={}):
        config = conf.get_config()
    # Under pytest, with the plugin loaded, requests are not written to the store.
    derived = {"IGNORE_PATHS": tuple(conf.DEFAULTS["IGNORE_PATHS"]), "PERSIST": False}
    assert config == {**conf.DEFAULTS, **derived}
    assert config["STORE"] == "sqlite:///perfkit.sqlite3"
    assert config["SAMPLE_RATE"] == 1.0


def test_test_requests_reach_the_store_only_when_asked(client, recordings, tmp_path) -> None:
    store = tmp_path / "store.jsonl"
    with override_settings(PERFKIT={"STORE": f"jsonl://{store}"}):
        client.get("/ping/")
        writer.flush()
        assert not store.exists()
        with override_settings(PERFKIT={"STORE": f"jsonl://{store}", "STORE_IN_TESTS": True}):
            client.get("/ping/")
            writer.flush()
    assert len(recordings) == 2  # the plugin's in-memory recordings have both
    assert [json.loads(line)["view"] for line in store.read_text().splitlines()] == ["demo:ping"]


@pytest.mark.parametrize(
    ("store", "anchored"),
    [
        ("sqlite:///perfkit.sqlite3", "sqlite:////srv/site/perfkit.sqlite3"),
        ("jsonl://data/r.jsonl", "jsonl:///srv/site/data/r.jsonl"),
        ("jsonl:///var/lib/r.jsonl", "jsonl:///var/lib/r.jsonl"),
        ("sqlite:////var/lib/perfkit.sqlite3", "sqlite:////var/lib/perfkit.sqlite3"),
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
    ],
)
def test_relative_store_paths_resolve_against_base_dir(store: str, anchored: str) -> None:
    with override_settings(PERFKIT={"STORE": store}, BASE_DIR=Path("/srv/site")):
        assert conf.get_config()["STORE"] == anchored


def test_user_values_override_defaults() -> None:
    with override_settings(PERFKIT={"SAMPLE_RATE": 0.25}):
        assert conf.get_config()["SAMPLE_RATE"] == 0.25
    assert conf.get_config()["SAMPLE_RATE"] == 1.0


@pytest.mark.parametrize(
    ("user", "message"),
    [
        (
            {"SAMPLE_RATE": 1.5},
            "PERFKIT['SAMPLE_RATE'] = 1.5 is not accepted; use a number from 0.0 to 1.0",
        ),
        (
            {"STORE": "mongodb://x"},
            "PERFKIT['STORE'] = 'mongodb://x' is not accepted; "
            "use a URL starting sqlite://, postgresql://, redis:// or jsonl://",
        ),
        (
            {"SERVER_TIMING": "yes"},
            "PERFKIT['SERVER_TIMING'] = 'yes' is not accepted; use \"auto\", True or False",
        ),
        (
            {"QUEUE_SIZE": 0},
            "PERFKIT['QUEUE_SIZE'] = 0 is not accepted; use a whole number above 0",
        ),
        (
            {"SAMPLE": 1},
            "PERFKIT['SAMPLE'] is not a perfkit setting; accepted: BATCH_SIZE, BENCH_REPORT, "
            "CALLSITES, CALLSITE_IGNORE, EAGER_LOADS, ENABLED, IGNORE_PATHS, PROFILE_DIR, "
            "QUEUE_SIZE, RECORD_PARAMS, SAMPLE_RATE, SERVER_TIMING, STORE, STORE_IN_TESTS, "
            "WRITER_PROCESS",
        ),
        ([], "PERFKIT must be a dict, not list"),
    ],
)
def test_a_wrong_value_names_the_setting_and_what_is_accepted(user, message: str) -> None:
    assert conf.problems(user) == [message]


def test_system_check_reports_each_problem() -> None:
    with override_settings(PERFKIT={"SAMPLE_RATE": -1, "BATCH_SIZE": "many"}):
        errors = [m for m in run_checks() if m.id == "perfkit.E001"]
    assert len(errors) == 2
    assert {e.msg.split(" =")[0] for e in errors} == {
        "PERFKIT['SAMPLE_RATE']",
        "PERFKIT['BATCH_SIZE']",
    }
    assert all("default" in e.hint for e in errors)


def test_valid_settings_pass_the_checks() -> None:
    assert [m for m in run_checks() if m.id.startswith("perfkit.")] == []


def test_middleware_refuses_to_start_with_a_bad_setting() -> None:
    with (
        override_settings(PERFKIT={"SAMPLE_RATE": 2}),
        pytest.raises(ImproperlyConfigured, match=r"PERFKIT\['SAMPLE_RATE'\] = 2"),
    ):
        PerfkitMiddleware(lambda request: HttpResponse())
