"""Event streams are read from the transport's stream directly (so that closing one
early leaves no generator behind); compressed streams still decode."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator

import pytest
import respx
from conftest import API_KEY, BASE, load_bytes

from agentloop import AsyncClient

pytestmark = pytest.mark.anyio


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(using="httpx", base_url=BASE, assert_all_called=False) as router:
        yield router


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("identity", lambda data: data),
    ],
)
async def test_compressed_stream_decodes(
    api: respx.MockRouter, encoding: str, compress: object
) -> None:
    transcript = load_bytes("sse_text_stream.txt")
    api.post("/interactions").respond(
        headers={"content-type": "text/event-stream", "content-encoding": encoding},
        content=compress(transcript),  # type: ignore[operator]
    )
    async with AsyncClient(api_key=API_KEY) as client:
        stream = await client.interactions.create(model="m", input="x", stream=True)
        final = await stream.get_final_interaction()
    assert final.text == "Paris is the capital of France."
