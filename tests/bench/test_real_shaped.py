"""``perfkit bench`` on ``projects/shelf``, a fixture project with what real projects have.

Each feature here once crashed or misled bench on an open-source project: a signal that
makes a row per user, unique pairs, a ``save()`` that refuses values, an unmanaged table,
django-taggit, a generic relation, a context processor reading ``CACHES`` keys, compressor,
a page calling an outside API. The run must finish, say what it skipped and why, report the
failing pages as failures, and still find the N+1 list.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.bench.conftest import perfkit

SHELF = Path(__file__).parent / "projects" / "shelf"
REPEAT = 3
SIZES = ("5", "30")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], str]:
    root = tmp_path_factory.mktemp("shelf") / "shelf"
    shutil.copytree(SHELF, root, ignore=shutil.ignore_patterns("__pycache__"))
    args = ("--sizes", ",".join(SIZES), "--repeat", str(REPEAT), "--request-timeout", "5")
    args += ("--json", "report.json")
    result = perfkit(root, "bench", "--settings", "shelf.settings", *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return root, json.loads((root / "report.json").read_text()), result.stdout


def line_of(path: str, text: str) -> int:
    """The number of the fixture's line holding ``text``."""
    lines = (SHELF / path).read_text().splitlines()
    return next(number for number, line in enumerate(lines, start=1) if text in line)


def view(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(v for v in report["views"] if v["view"] == name)


def test_the_run_finishes_with_a_report(run) -> None:
    root, _, stdout = run
    assert "Traceback" not in stdout
    assert (root / "perfkit-report" / "bench.json").exists()
    assert (root / "perfkit-report" / "recordings.jsonl").stat().st_size > 0
    assert not (root / "shelf.db").exists(), "the project's own database was touched"


def test_a_model_whose_save_refuses_some_rows_is_a_skip_with_the_reason(run) -> None:
    _, report, _ = run
    models = {s["model"]: s["reason"] for s in report["skipped"] if "model" in s}
    assert set(models) == {"catalog.Loan"}
    made = re.fullmatch(
        r"made (\d+) of (\d+) rows: ValueError: loans run for an even number of days",
        models["catalog.Loan"],
    )
    assert made and 0 < int(made[1]) < int(made[2]) and made[2] in SIZES


def test_signal_made_rows_unique_pairs_images_and_generic_relations_are_filled(run) -> None:
    _, report, _ = run
    # Each admin change page needs a row of its model: those with rows were requested.
    for model in ("profile", "membership", "shelf", "book", "ebook", "comment", "loan"):
        pages = [v["view"] for v in report["views"] if v["view"].endswith(f"_{model}_change")]
        if model in ("membership", "ebook", "comment"):
            continue  # not registered in the admin
        assert pages, model
    detail = view(report, "book_detail")
    assert {s["statuses"]["200"] for s in detail["sizes"]} == {REPEAT}
    # Author.__eq__ assumes an Author: linking clubs to patrons must not compare across models.
    assert not [s for s in report["skipped"] if "not linked" in s.get("reason", "")]


def test_drf_router_routes_are_requested_and_their_n_plus_one_names_the_serializer(run) -> None:
    _, report, _ = run
    for name in ("book-list", "book-detail", "book-similar", "author-detail"):
        assert all(set(s["statuses"]) == {"200"} for s in view(report, name)["sizes"]), name
    books = view(report, "book-list")
    assert books["flags"][:2] == ["o_n_queries", "n_plus_one"]
    serializers = "api/serializers.py"
    assert {(g["callsite"], g["fix"]) for g in books["n_plus_one"]} == {
        (
            f"{serializers}:{line_of(serializers, 'author = ')} in BookSerializer.author",
            'select_related("author") on BookViewSet.queryset',
        ),
        (
            f"{serializers}:{line_of(serializers, 'a query per book')} in get_tags",
            'prefetch_related("tags") on BookViewSet.queryset',
        ),
    }
    similar = view(report, "book-similar")  # an @action builds its own list
    assert {g["fix"] for g in similar["n_plus_one"]} == {
        'select_related("author")',
        'prefetch_related("tags")',
    }
    suffixed = [s for s in report["skipped"] if "format" in s.get("url", "")]
    assert suffixed and all("format-suffix copy" in s["reason"] for s in suffixed)


def test_pages_that_fail_are_failures_with_the_exception_and_the_project_line(run) -> None:
    _, report, _ = run
    failed = {f["view"]: f for f in report["failed"]}
    assert failed["stats"]["verdict"] == (
        "answered 500: OperationalError: no such table: legacy_stat at catalog/views.py:"
        f"{line_of('catalog/views.py', 'LegacyStat.objects.all()')}"
    )
    assert failed["stats"]["failed"] == failed["stats"]["requests"] == REPEAT * len(SIZES)
    assert failed["go"]["verdict"] == "only redirects (302)"
    analysed = {v["view"] for v in report["views"]}
    assert not analysed & {"stats", "go"}
    assert not any(c["view"] in ("stats", "go") for c in report["caching_candidates"])


def test_the_project_runs_as_itself(run) -> None:
    _, report, _ = run
    # The context processor reads CACHES["default"]["TIMEOUT"] and ["KEY_PREFIX"]; compressor
    # runs as DEBUG = True has it: every page renders.
    for name in ("book_list", "tag_cloud", "weather"):
        assert all(set(s["statuses"]) == {"200"} for s in view(report, name)["sizes"]), name
    assert not any(c.startswith("DEBUG") for c in report["changes"])
    assert (
        "CACHES['default']: django.core.cache.backends.redis.RedisCache -> a local-memory cache "
        "(its other keys kept)"
    ) in report["changes"]


def test_an_outside_api_is_refused_and_reported_on_its_view(run) -> None:
    _, report, stdout = run
    weather_site = f"catalog/views.py:{line_of('catalog/views.py', 'api.weather.example')}"
    covers_site = f"catalog/views.py:{line_of('catalog/views.py', '# per book')}"
    assert report["refused_calls"] == [
        {
            "view": "covers",
            "method": "GET",
            "host": "covers.example",
            "paths": ["/api/books/#/cover"],
            "callsite": f"{covers_site} in covers",
        },
        {
            "view": "weather",
            "method": "GET",
            "host": "api.weather.example",
            "paths": ["/v#/today"],
            "callsite": f"{weather_site} in weather",
        },
    ]
    assert "weather  calls api.weather.example on GET" in stdout


def test_an_api_called_per_row_is_an_n_plus_one_api_call_though_refused(run) -> None:
    _, report, stdout = run
    covers = view(report, "covers")
    assert "n_plus_one_api" in covers["flags"]
    (call,) = covers["n_plus_one_calls"]
    line = line_of("catalog/views.py", "# per book")
    assert (call["method"], call["host"], call["path_pattern"]) == (
        "GET",
        "covers.example",
        "/api/books/#/cover",
    )
    assert call["count"] == int(SIZES[-1]) and call["failed"] == call["count"]
    assert call["callsite"] == f"catalog/views.py:{line} in covers"
    assert call["counts_by_size"] == [[size, int(size)] for size in SIZES]
    assert call["follows_table"] == "catalog_book"  # SQLite's driver counts no rows
    assert "batch endpoint" in call["fix"]
    assert f"{SIZES[-1]}× GET covers.example/api/books/#/cover" in stdout


def test_the_taggit_n_plus_one_is_found_with_its_fixes_and_template_line(run) -> None:
    _, report, _ = run
    books = view(report, "book_list")
    assert books["flags"][:2] == ["o_n_queries", "n_plus_one"]
    fixes = {g["fix"] for g in books["n_plus_one"]}
    assert fixes == {'select_related("author")', 'prefetch_related("tags")'}
    assert all(
        g["callsite"].startswith("catalog/templates/catalog/book_list.html:2 via catalog/views.py")
        for g in books["n_plus_one"]
    )


def test_a_per_row_count_behind_a_page_cache_is_found_on_the_cold_request(run) -> None:
    _, report, _ = run
    authors = view(report, "author_list")
    assert authors["flags"][:2] == ["o_n_queries", "n_plus_one"]
    (group,) = authors["n_plus_one"]
    assert group["cold_only"] is True
    assert group["callsite"].startswith(
        "catalog/templates/catalog/authors.html:2 via catalog/views.py"
    )
    for size in authors["sizes"]:
        assert size["cold_queries"] > size["warm_queries_mean"]
        assert size["page_cache_hits"] == REPEAT - 1


def test_a_fixed_loop_of_lookups_is_a_repeated_lookup_not_growth(run) -> None:
    _, report, _ = run
    genres = view(report, "genres")
    assert "repeated_lookup" in genres["flags"] and "o_n_queries" not in genres["flags"]
    assert genres["fit"]["verdict"] == "O(1)"
    (lookup,) = genres["repeated_lookups"]
    assert lookup["count"] == 6 and "not one per row" in lookup["fix"]
    assert lookup["callsite"] == (
        f"catalog/views.py:{line_of('catalog/views.py', 'one lookup per genre')} in genres"
    )


def test_a_login_only_page_is_requested_logged_in(run) -> None:
    _, report, _ = run
    loans = view(report, "my_loans")
    assert all(set(s["statuses"]) == {"200"} for s in loans["sizes"])
    assert loans["persona"] == "user"
    # Its session and user lookups are on every logged-in page: one query of its own is too
    # little to cache (healthchecks' forms were all "candidates" for their login lookups).
    assert loans["flags"] == []
    assert loans["view"] not in {c["view"] for c in report["caching_candidates"]}


def n_plus_one_of(found: dict[str, Any]) -> list[tuple[str, str, int]]:
    return [(g["callsite"], g["fix"], g["count"]) for g in found["n_plus_one"]]


def test_a_tag_page_lists_half_the_books_and_its_n_plus_one_shows(run) -> None:
    # The first tag is on every book (django-taggit's TaggedItem, a generic through model).
    _, report, _ = run
    tag = view(report, "tag_detail")
    assert tag["flags"][:2] == ["o_n_queries", "n_plus_one"]
    assert n_plus_one_of(tag) == [
        (
            "catalog/templates/catalog/tag_detail.html:2 via catalog/views.py:"
            f"{line_of('catalog/views.py', 'catalog/tag_detail.html')} in tag_detail",
            'select_related("author")',
            int(SIZES[-1]),
        )
    ]


def test_every_status_value_is_in_the_data_so_the_on_loan_list_has_rows(run) -> None:
    _, report, _ = run
    loaned = view(report, "on_loan")
    assert loaned["flags"][:2] == ["o_n_queries", "n_plus_one"]
    ((callsite, fix, count),) = n_plus_one_of(loaned)
    assert callsite.startswith("catalog/templates/catalog/on_loan.html:2 via catalog/views.py")
    assert fix == 'select_related("author")' and count == int(SIZES[-1]) // 2


def test_a_search_page_is_requested_with_a_term_and_its_n_plus_one_shows(run) -> None:
    _, report, _ = run
    found = view(report, "search")
    assert found["flags"][:2] == ["o_n_queries", "n_plus_one"]
    ((callsite, fix, _count),) = n_plus_one_of(found)
    assert callsite.startswith("catalog/templates/catalog/on_loan.html:2 via catalog/views.py")
    assert fix == 'select_related("author")'


def test_a_per_user_list_is_found_as_the_user_who_owns_the_rows(run) -> None:
    _, report, _ = run
    clubs = view(report, "my_clubs")
    assert clubs["persona"] == "user"
    assert clubs["flags"][:2] == ["o_n_queries", "n_plus_one"]
    ((callsite, fix, count),) = n_plus_one_of(clubs)
    assert callsite == (
        "catalog/templates/catalog/clubs.html:2 via catalog/views.py:"
        f"{line_of('catalog/views.py', 'catalog/clubs.html')} in my_clubs"
    )
    assert (fix, count) == ('select_related("club")', int(SIZES[-1]))
    # Staff and the superuser belong to no club: the same queries, so requested as one.
    assert [(p["persona"], p["verdict"]) for p in clubs["personas"]] == [
        ("user", "O(n)"),
        ("staff", "O(1)"),
    ]


def test_a_public_page_that_logged_in_users_see_alike_is_requested_once(run) -> None:
    _, report, _ = run
    assert [p["persona"] for p in view(report, "book_list")["personas"]] == ["anonymous"]
    api = view(report, "book-list")  # DRF reads the session: anonymous and a user differ
    assert api["persona"] == "anonymous"
    assert [p["persona"] for p in api["personas"]] == ["anonymous", "user"]


def test_a_page_that_never_finishes_is_stopped_and_reported(run) -> None:
    _, report, _ = run
    assert {"url": "/yearly/", "reason": "stopped: the request took longer than 5 s"} in (
        report["skipped"]
    )
    assert not any(v["view"] == "yearly_report" for v in report["views"])


def unused_loads(report: dict[str, Any], name: str) -> dict[str, dict[str, Any]]:
    """A view's unused eager loads by the lookup as the code asked for it."""
    return {u["lookup"]: u for u in view(report, name).get("unused_eager_loads", [])}


def test_a_select_related_the_template_never_reads_is_reported_with_its_line(run) -> None:
    _, report, _ = run
    desk = view(report, "loan_desk")
    assert "unused_eager_load" in desk["flags"]
    line = line_of("catalog/views.py", 'select_related("book__author"')
    site = f"catalog/views.py:{line}"
    found = unused_loads(report, "loan_desk")
    assert set(found) == {"member", "book__author"}
    member = found["member"]
    assert (member["kind"], member["model"], member["unused"], member["keep"]) == (
        "select_related",
        "catalog.Loan",
        "member",
        None,
    )
    assert member["callsite"] == f"{site} in loan_desk"
    assert member["fix"].startswith(f'remove "member" from select_related at {site}')
    assert member["rows"] > 0 and member["requests"] > 0


def test_a_nested_select_related_read_halfway_keeps_the_half_that_is_read(run) -> None:
    _, report, _ = run
    nested = unused_loads(report, "loan_desk")["book__author"]
    assert (nested["unused"], nested["keep"]) == ("book__author", "book")
    assert nested["fix"].startswith('ask for "book" instead of "book__author" in select_related')


def test_prefetches_never_iterated_are_reported_the_to_attr_one_too(run) -> None:
    _, report, _ = run
    line = line_of("catalog/views.py", 'prefetch_related("books", newest)')
    site = f"catalog/views.py:{line}"
    found = unused_loads(report, "author_index")
    to_attr = 'Prefetch("books", queryset=…, to_attr="newest_books")'
    assert set(found) == {"books", to_attr}
    assert {u["callsite"] for u in found.values()} == {f"{site} in author_index"}
    assert {u["kind"] for u in found.values()} == {"prefetch_related"}
    assert found[to_attr]["fix"].startswith(f"remove {to_attr} from prefetch_related at {site}")
    # At the larger size every one of the 30 books hangs off some author.
    assert found["books"]["rows"] == int(SIZES[-1])


def test_a_viewset_prefetch_its_serializer_never_reads_is_named_by_the_class_line(run) -> None:
    _, report, _ = run
    line = line_of("api/views.py", 'prefetch_related("tags", "comments")')
    site = f"api/views.py:{line}"
    for name in ("catalogue-list", "catalogue-detail"):
        found = unused_loads(report, name)
        assert set(found) == {"comments"}, name  # the author and tags are serialized
        assert found["comments"]["callsite"] == f"{site} in CatalogueViewSet"


def test_eager_loads_that_are_read_are_never_reported(run) -> None:
    _, report, _ = run
    # Many-to-many, generic foreign key, reverse one-to-one and a plain foreign key.
    for name in ("club_list", "comment_feed", "member_bios", "my_loans"):
        assert not unused_loads(report, name), name
        assert "unused_eager_load" not in view(report, name)["flags"], name


def test_an_n_plus_one_fix_names_the_relation_the_loop_loaded(run) -> None:
    _, report, _ = run
    clubs = view(report, "my_clubs")
    assert {g["fix"] for g in clubs["n_plus_one"]} == {'select_related("club")'}
