"""Event streams are read in bounded pieces (issue 20): the first events of a burst
are handed on before the rest of it is gathered, and nothing is lost or reordered.

`AiohttpTransport` has no public path (users get it as `AsyncClient`'s default), so
this module imports it from `agentloop._http`; the stream is read through the public
client. asyncio only: the transport is aiohttp's.
"""

from __future__ import annotations

import json

import httpx
import pytest
from aiohttp import web
from helpers.loopback import TIMEOUT, web_server

from agentloop import AsyncClient
from agentloop._http.transport import AiohttpTransport

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def frames(count: int) -> bytes:
    events = [
        {"event_type": "interaction.created", "interaction": {"id": "i1", "status": "in_progress"}},
        {"event_type": "step.start", "index": 0, "step": {"type": "model_output"}},
        *(
            {"event_type": "step.delta", "index": 0, "delta": {"type": "text", "text": f"{n} "}}
            for n in range(count)
        ),
        {"event_type": "step.stop", "index": 0},
        {"event_type": "interaction.completed", "interaction": {"id": "i1", "status": "completed"}},
    ]
    return b"".join(
        b"event: %s\ndata: %s\n\n" % (e["event_type"].encode(), json.dumps(e).encode())
        for e in events
    )


async def test_slices_are_bounded_and_add_up_to_the_body() -> None:
    body = frames(300)  # ~20 KB, one HTTP chunk per event

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"content-type": "text/event-stream"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for frame in body.split(b"\n\n")[:-1]:
            await response.write(frame + b"\n\n")
        await response.write_eof()
        return response

    transport = AiohttpTransport()
    async with web_server(handler) as (url, _):
        request = httpx.Request("GET", url, extensions={"timeout": TIMEOUT.as_dict()})
        response = await transport.handle_async_request(request)
        slices = [piece async for piece in response.stream.aiter_slices(2048)]  # type: ignore[attr-defined]
        await response.aclose()
        await transport.aclose()
    assert b"".join(slices) == body
    assert len(slices) > 1
    assert all(0 < len(piece) <= 2048 for piece in slices)


@pytest.mark.parametrize("count", [0, 60, 2000])
async def test_a_burst_of_events_arrives_whole_and_in_order(count: int) -> None:
    body = frames(count)

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"content-type": "text/event-stream"})
        await response.prepare(request)
        await response.write(body)  # the whole answer in one write
        await response.write_eof()
        return response

    async with web_server(handler) as (url, _), AsyncClient(api_key="k", base_url=url) as client:
        stream = await client.interactions.create(model="m", input="hi", stream=True)
        texts = [
            event.delta.text  # type: ignore[union-attr]
            async for event in stream
            if event.event_type == "step.delta"
        ]
        final = await stream.get_final_interaction()
    assert texts == [f"{n} " for n in range(count)]
    assert final.text == "".join(texts)
    assert final.status == "completed"
