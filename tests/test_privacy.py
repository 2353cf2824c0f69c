"""Privacy by construction: no generated secret survives into a Recording's stored form.

Secrets (e-mail addresses, API tokens, mixed-case alphanumerics, prose, base64, JWTs, long
digit runs) go through every path that stores text: cache key patterns, SQL fingerprints,
outbound HTTP calls (path, query string, headers, body), and the request's method, view,
route, call sites and cache calls in ``Recording.to_dict()``.
"""

from __future__ import annotations

import base64
import http.client
import json
import re
import string
from typing import Any
from urllib.parse import quote

import pytest
from django.core.cache import caches
from django.db import connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfkit.capture import http_calls
from perfkit.fingerprint import fingerprint, key_pattern
from perfkit.recording import Recording, current_recording
from tests.outbound_api import api_server

ALNUM = string.ascii_letters + string.digits


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _has_upper_lower_digit(text: str) -> bool:
    return (
        any(c.isupper() for c in text)
        and any(c.islower() for c in text)
        and any(c.isdigit() for c in text)
    )


mixed_alnum = st.text(ALNUM, min_size=8, max_size=40).filter(_has_upper_lower_digit)
tokens = st.builds(
    "".join, st.tuples(st.sampled_from(["sk_live_", "ghp_", "xoxb-", "AKIA", ""]), mixed_alnum)
)
prose = st.lists(st.text(string.ascii_lowercase, min_size=1, max_size=10), min_size=2).map(" ".join)
base64_text = st.binary(min_size=12, max_size=64).map(lambda b: base64.b64encode(b).decode())
jwts = st.builds(
    lambda claims, signature: ".".join(
        [_b64(b'{"alg":"HS256","typ":"JWT"}'), _b64(json.dumps(claims).encode()), _b64(signature)]
    ),
    st.dictionaries(st.sampled_from(["sub", "name", "email"]), mixed_alnum, min_size=1),
    st.binary(min_size=16, max_size=64),
)
digit_runs = st.integers(min_value=10**6, max_value=10**40).map(str)
secrets = st.one_of(st.emails(), tokens, mixed_alnum, prose, base64_text, jwts, digit_runs)

CODE_PARTS = st.sampled_from(["user", "profile", "views.decorators.cache", "api_v2", "sess"])
#: A pattern made only of placeholders and separators: nothing of the value is left.
PLACEHOLDERS_ONLY = re.compile(r"(?:<str>|<hex>|<uuid>|#|[:.|])+")


def _recorded(work: Any) -> dict[str, Any]:
    """``work()`` run inside a Recording; that Recording's stored form."""
    recording = Recording("r", 0.0, "GET")
    token = current_recording.set(recording)
    try:
        work()
    finally:
        current_recording.reset(token)
    return recording.to_dict()


def _stored_text(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)


@given(secrets, CODE_PARTS, CODE_PARTS, st.sampled_from([":", "|", "."]))
def test_a_key_pattern_keeps_nothing_of_a_secret(
    secret: str, prefix: str, suffix: str, separator: str
) -> None:
    pattern = key_pattern(f"{prefix}{separator}{secret}{separator}{suffix}")
    head, tail = key_pattern(prefix) + separator, separator + key_pattern(suffix)
    # Prose and addresses take their whole colon-separated field: maybe the code around them.
    middle = pattern.removeprefix(head).removesuffix(tail)
    assert PLACEHOLDERS_ONLY.fullmatch(middle), pattern


@pytest.mark.filterwarnings("ignore::django.core.cache.backends.base.CacheKeyWarning")
@given(secrets)
def test_a_cache_call_stores_nothing_of_its_key_or_value(secret: str) -> None:
    cache = caches["default"]

    def work() -> None:
        cache.set(f"user:{secret}:profile", secret)
        cache.get_many([f"token:{secret}", "plain"])
        cache.delete(secret)

    stored = _stored_text(_recorded(work))
    assert secret not in stored
    first = json.loads(stored)["cache_ops"][0][2]
    assert PLACEHOLDERS_ONLY.fullmatch(first.removeprefix("user:").removesuffix(":profile"))


def _string_literal(secret: str, vendor: str, quote_char: str = "'") -> str:
    if vendor == "mysql":
        escaped = secret.replace("\\", "\\\\").replace(quote_char, "\\" + quote_char)
    else:
        escaped = secret.replace("'", "''")
    return quote_char + escaped + quote_char


@given(st.text(), st.integers(), st.sampled_from(["sqlite", "postgresql", "mysql"]))
def test_a_fingerprint_keeps_no_literal(secret: str, number: int, vendor: str) -> None:
    quote = "`" if vendor == "mysql" else '"'
    column = f"{quote}t{quote}.{quote}b{quote}"
    sql = f"SELECT {column} FROM {quote}t{quote} WHERE {column} = %s AND {column} IN (%s, %s)"
    literal = _string_literal(secret, vendor)
    expected = fingerprint(sql % ("%s", "%s", "%s"), vendor)
    assert fingerprint(sql % (literal, abs(number), abs(number) + 0.5), vendor) == expected


@given(st.text(string.printable))
def test_a_double_quoted_value_is_dropped_on_mysql(secret: str) -> None:
    literal = _string_literal(secret, "mysql", '"')
    assert fingerprint(f"SELECT `a` FROM `t` WHERE `b` = {literal}", "mysql")[1] == (
        "SELECT `a` FROM `t` WHERE `b` = #"
    )


@pytest.mark.django_db(databases=["default", "postgresql", "mysql"])
@settings(
    max_examples=25,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(secret=secrets)
def test_mariadb_queries_with_a_literal_store_none_of_it(secret: str) -> None:
    def work() -> None:
        with connections["mysql"].cursor() as cursor:
            cursor.execute("SELECT " + _string_literal(secret, "mysql", '"'))
            assert cursor.fetchone() == (secret,)

    assert secret not in _stored_text(_recorded(work))


def _request_paths(value: str) -> list[str]:
    quoted = quote(value, safe="")
    return [
        f"/stories/?q={quoted}",
        f"/cached/?token={quoted}",
        f"/no-such-page/{quoted}/",
        f"/stories/1000000000/?email={quoted}",
    ]


def _client(value: str) -> Client:
    client = Client(HTTP_X_API_KEY=value, HTTP_AUTHORIZATION=f"Bearer {value}")
    client.cookies["sessionid"] = value
    return client


def _text_fields(data: dict[str, Any]) -> str:
    """Every stored field that holds text (not ids, times, sizes or parameter hashes)."""
    names = ("method", "view", "url_name", "route", "view_path", "profile", "labels")
    fields = [data[name] for name in names]
    fields += [data["statements"], [op[:3] for op in data["cache_ops"]]]
    return json.dumps(fields, ensure_ascii=False)


def _get(client: Client, path: str) -> str:
    caches["default"].clear()  # the same cache calls (misses) whatever ran before
    return _text_fields(client.get(path).wsgi_request.perfkit_recording.to_dict())


@pytest.mark.django_db
@settings(
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(secret=secrets, method=mixed_alnum.map(str.upper))
def test_a_request_stores_none_of_its_url_method_headers_or_cookies(
    secret: str, method: str
) -> None:
    # A harmless value of the same length: a session key of that length is as (in)valid.
    harmless = "a" * len(secret)
    for path, plain_path in zip(_request_paths(secret), _request_paths(harmless), strict=True):
        stored = _get(_client(secret), path)
        # The same text as with a harmless value: none of what is stored came from the secret.
        assert stored == _get(_client(harmless), plain_path)
        assert secret not in stored
        assert quote(secret, safe="") not in stored
    custom = _client(secret).generic(method, "/stories/").wsgi_request.perfkit_recording
    assert custom.method == "OTHER"
    assert method not in _stored_text(custom.to_dict())


#: A path pattern made only of placeholders and separators, path separators included.
PATH_PLACEHOLDERS_ONLY = re.compile(r"(?:<str>|<hex>|<uuid>|#|[:.|/])+")


@pytest.fixture(scope="module")
def api() -> Any:
    http_calls.install()  # what the middleware does at start-up
    with api_server() as base:
        yield base.removeprefix("http://")


def _through_http_client(api: str, target: str, body: bytes, headers: dict[str, str]) -> None:
    connection = http.client.HTTPConnection(api, timeout=10)
    try:
        connection.request("POST", target, body=body, headers=headers)
        connection.getresponse().read()
    finally:
        connection.close()


def _through_httpx(api: str, target: str, body: bytes, headers: dict[str, str]) -> None:
    import httpx

    with httpx.Client(timeout=10) as client:
        client.post(f"http://{api}{target}", content=body, headers=headers)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    secret=secrets, prefix=CODE_PARTS, send=st.sampled_from([_through_http_client, _through_httpx])
)
def test_an_outbound_call_stores_none_of_its_url_query_headers_or_body(
    api: str, secret: str, prefix: str, send: Any
) -> None:
    segment = quote(secret, safe="")
    target = f"/{prefix}/{segment}/items?token={segment}&q={segment}#{segment}"
    headers = {"Authorization": f"Bearer {segment}", "X-Api-Key": segment}

    data = _recorded(lambda: send(api, target, secret.encode(), headers))
    stored = _stored_text(data)
    assert secret not in stored and segment not in stored
    ((method, host, pattern, status, _duration, _site, _queries),) = data["http_calls"]
    assert (method, host, status) == ("POST", api, 200)
    middle = pattern.removeprefix(f"/{key_pattern(prefix)}/").removesuffix("/items")
    assert PATH_PLACEHOLDERS_ONLY.fullmatch(middle), pattern
