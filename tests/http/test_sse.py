"""SSE framing: BOM, CRLF, comments, multi-line data, ids, and any chunk boundary.

A unit test of the private SSE decoder loop (`aiter_sse`, `is_event_stream` in
`agentloop._http.stream`) on canned httpx responses, hence the private imports.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import httpx
from conftest import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st

from agentloop._http.stream import aiter_sse, is_event_stream


class Chunks(httpx.AsyncByteStream):
    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk


def parse(
    chunks: list[bytes], content_type: str = "text/event-stream"
) -> list[tuple[str, str, str]]:
    response = httpx.Response(200, headers={"content-type": content_type}, stream=Chunks(chunks))

    async def collect() -> list[tuple[str, str, str]]:
        return [(e.event, e.data, e.id) async for e in aiter_sse(response)]

    return anyio.run(collect)


def split_at(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    pieces, start = [], 0
    for point in points:
        pieces.append(data[start:point])
        start = point
    pieces.append(data[start:])
    return [p for p in pieces if p]


TRICKY = (
    "\ufeff"
    ": keep-alive comment\r\n"
    "retry: 3000\r\n"
    "\r\n"
    "event: step.delta\r\n"
    "id: e1\r\n"
    'data: {"text": "caf\u00e9 \u2615",\r\n'
    'data:  "more": 1}\r\n'
    "\r\n"
    "data: second\rid: e2\r\r"
    "data: third\n\n"
).encode()
EXPECTED = [
    ("step.delta", '{"text": "caf\u00e9 \u2615",\n "more": 1}', "e1"),
    ("message", "second", "e2"),
    ("message", "third", "e2"),
]


def test_tricky_stream_in_one_chunk() -> None:
    assert parse([TRICKY]) == EXPECTED


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(TRICKY)), max_size=12))
def test_any_chunk_boundaries_give_the_same_events(cuts: list[int]) -> None:
    assert parse(split_at(TRICKY, cuts)) == EXPECTED


@settings(max_examples=50, deadline=None)
@given(
    st.sampled_from(sorted(p.name for p in FIXTURES.glob("*sse*.txt"))),
    st.lists(st.integers(min_value=0), max_size=30),
    st.booleans(),
)
def test_fixture_transcripts_under_random_chunking_and_crlf(
    name: str, cuts: list[int], crlf: bool
) -> None:
    data = (FIXTURES / name).read_bytes()
    reference = parse([data])
    if crlf:
        data = data.replace(b"\n", b"\r\n")
    assert parse(split_at(data, cuts)) == reference
    assert len(reference) == data.count(b"data:")


def test_done_sentinel_ends_the_stream() -> None:
    assert parse([b"data: one\n\ndata: [DONE]\n\ndata: never\n\n"]) == [("message", "one", "")]


def test_blocks_without_data_are_skipped() -> None:
    assert parse([b"id: 7\n\nretry: 10\n\ndata: x\n\n"]) == [("message", "x", "7")]


def test_an_unterminated_last_event_is_not_invented() -> None:
    # A cut mid-event must not yield a half event; the stream resume replays it.
    assert parse([b'data: whole\n\ndata: {"half']) == [("message", "whole", "")]


def test_event_stream_content_type_check() -> None:
    assert is_event_stream(
        httpx.Response(200, headers={"content-type": "text/event-stream; charset=utf-8"})
    )
    assert not is_event_stream(httpx.Response(200, json={}))
