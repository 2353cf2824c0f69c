"""Streaming responses are recorded when their stream ends, with what the stream queried."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient, override_settings

from perfkit.demo.data import populate

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.urls_streaming")]

STORIES = 6


def test_a_sync_stream_records_every_query_it_made_and_its_size(client, recordings) -> None:
    populate(STORIES)
    response = client.get("/export.csv")
    assert recordings == []  # nothing is closed before the stream has been read
    body = b"".join(response.streaming_content)
    response.close()
    (recording,) = recordings
    assert recording.view == "export"
    assert len(recording.queries) == 1 + STORIES
    assert recording.response_bytes == len(body)
    assert recording.status == 200
    assert recording.cpu_ms > 0


def test_an_async_stream_records_every_query_it_made(recordings) -> None:
    populate(STORIES)

    async def read() -> bytes:
        response: Any = await AsyncClient().get("/export-async.csv")
        chunks = [chunk async for chunk in response.streaming_content]
        return b"".join(chunks)

    body = async_to_sync(read)()
    (recording,) = recordings
    assert recording.view == "export_async"
    assert len(recording.queries) == 1 + STORIES
    assert recording.response_bytes == len(body)


def test_a_stream_closed_unread_is_still_recorded_once(client, recordings) -> None:
    populate(STORIES)
    response = client.get("/export.csv")
    response.close()
    response.close()
    (recording,) = recordings
    assert recording.view == "export"
    assert recording.queries == []


@override_settings(PERFKIT={"SERVER_TIMING": True})
def test_a_stream_gets_no_server_timing_its_headers_went_first(client, recordings) -> None:
    populate(STORIES)
    response = client.get("/export.csv")
    b"".join(response.streaming_content)
    assert not response.has_header("Server-Timing")
    assert len(recordings) == 1


def test_bench_reads_a_stream_so_its_queries_are_measured(recordings) -> None:
    from perfkit.bench.runner import Target, client_for, request

    populate(STORIES)
    response = request(client_for(None), Target("export", "/export.csv"), 0)
    assert response.status_code == 200
    (recording,) = recordings
    assert len(recording.queries) == 1 + STORIES
