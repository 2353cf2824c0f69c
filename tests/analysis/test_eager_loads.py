"""Unused eager loads: a view's tracked requests judged together, level by level."""

from __future__ import annotations

from perfkit.analysis.eager_loads import unused
from perfkit.recording import EagerLoad, EagerUse

SITE = "shop/views.py:42 in loans"


def level(lookup: str, path: str, *, rows: int = 10, read: bool = False, **fields) -> EagerLoad:
    values = {
        "kind": "select_related",
        "lookup": lookup,
        "path": path,
        "model": "shop.Loan",
        "callsite": SITE,
        "holders": 10,
        "rows": rows,
        "read": read,
        **fields,
    }
    return EagerLoad(**values)


def use(*loads: EagerLoad) -> EagerUse:
    return EagerUse(loads)


def test_a_lookup_no_request_read_is_unused_with_the_fix_naming_its_line() -> None:
    (found,) = unused([use(level("member", "member")), use(level("member", "member", rows=25))])
    assert (found.kind, found.lookup, found.unused, found.keep, found.model) == (
        "select_related",
        "member",
        "member",
        None,
        "shop.Loan",
    )
    assert (found.callsite, found.rows, found.requests) == (SITE, 25, 2)
    assert found.call() == 'select_related("member")'
    assert found.fix == (
        f'remove "member" from select_related at {SITE}: the view never reads the member it loads'
    )


def test_one_request_that_reads_it_is_enough() -> None:
    uses = [use(level("member", "member")), use(level("member", "member", read=True))]
    assert unused(uses) == []


def test_a_nested_lookup_read_halfway_keeps_the_half_that_is_read() -> None:
    (found,) = unused(
        [use(level("book__author", "book", read=True), level("book__author", "book__author"))]
    )
    assert (found.unused, found.keep) == ("book__author", "book")
    assert found.fix.startswith('ask for "book" instead of "book__author" in select_related at ')


def test_a_lookup_that_loaded_no_rows_is_no_evidence() -> None:
    assert unused([use(level("member", "member", rows=0)), use()]) == []
    half = [level("book__author", "book", read=True), level("book__author", "book__author", rows=0)]
    assert unused([use(*half)]) == []


def test_the_same_lookup_from_two_lines_is_judged_line_by_line() -> None:
    other = "shop/views.py:60 in desk"
    found = unused(
        [
            use(level("member", "member", read=True)),
            use(level("member", "member", callsite=other)),
        ]
    )
    assert [f.callsite for f in found] == [other]


def test_a_prefetch_object_is_named_as_the_code_wrote_it() -> None:
    label = 'Prefetch("books", to_attr="newest")'
    (found,) = unused([use(level(label, "books", kind="prefetch_related"))])
    assert found.call() == f"prefetch_related({label})"
    assert found.fix.startswith(f"remove {label} from prefetch_related at {SITE}")


def test_a_bare_select_related_is_judged_relation_by_relation() -> None:
    found = unused([use(level("", "book", read=True), level("", "member"))])
    assert [(f.lookup, f.unused, f.call()) for f in found] == [("", "member", "select_related()")]
    assert found[0].fix.startswith('select_related() also joins "member"')
