"""The default HTTP stack (aiohttp under asyncio, httpx under trio) over real loopback.

respx swaps the transport out, so these tests are the ones that prove the stack a
user gets by default: real sockets, real chunked SSE, a real dropped connection.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import anyio
import pytest
from anyio.abc import SocketStream
from conftest import SleepRecorder, load_bytes, load_json

from agentloop import APIConnectionError, AsyncClient, Client, RateLimitError

pytestmark = pytest.mark.anyio


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    drop_after: int | None = None
    """Close the socket after this many body bytes, without finishing the response."""


@dataclass
class Seen:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


async def _read_request(stream: SocketStream) -> Seen | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = await stream.receive()
        if not chunk:
            return None
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        rest += await stream.receive()
    return Seen(method, target, headers, rest)


async def _send(stream: SocketStream, reply: Reply) -> None:
    extra = "".join(f"{k}: {v}\r\n" for k, v in reply.headers.items())
    head = (
        f"HTTP/1.1 {reply.status} X\r\ncontent-type: {reply.content_type}\r\n"
        f"content-length: {len(reply.body)}\r\n{extra}\r\n"
    ).encode()
    if reply.drop_after is None:
        await stream.send(head + reply.body)
        return
    await stream.send(head + reply.body[: reply.drop_after])
    await stream.aclose()


@asynccontextmanager
async def serve(script: Callable[[Seen], Reply]) -> AsyncIterator[tuple[str, list[Seen]]]:
    seen: list[Seen] = []

    async def handle(stream: SocketStream) -> None:
        async with stream:
            try:
                while (request := await _read_request(stream)) is not None:
                    seen.append(request)
                    reply = script(request)
                    await _send(stream, reply)
                    if reply.drop_after is not None:
                        return
            except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError):
                return

    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    async with listener, anyio.create_task_group() as group:
        group.start_soon(listener.serve, handle)
        try:
            yield f"http://127.0.0.1:{port}", seen
        finally:
            group.cancel_scope.cancel()


@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_create_and_stream_with_resume_over_loopback(anyio_backend: str) -> None:
    transcript = load_bytes("sse_text_stream.txt")
    blocks = transcript.split(b"\n\n")
    head = b"\n\n".join(blocks[:4]) + b"\n\n"
    rest = b"\n\n".join(blocks[4:])

    def script(request: Seen) -> Reply:
        if request.method == "POST" and json.loads(request.body).get("stream"):
            # Promise the whole transcript, send a part, then drop the connection.
            return Reply(body=transcript, content_type="text/event-stream", drop_after=len(head))
        if request.method == "POST":
            return Reply(body=json.dumps(load_json("response_completed_text.json")).encode())
        return Reply(body=rest, content_type="text/event-stream")

    async with (
        serve(script) as (url, seen),
        AsyncClient(api_key="k", base_url=url, _sleep=SleepRecorder()) as client,
    ):
        unary = await client.interactions.create(model="m", input="hi")
        stream = await client.interactions.create(model="m", input="hi", stream=True)
        ids = [event.event_id async for event in stream]
        final = await stream.get_final_interaction()
    assert unary.text == "Paris is the capital of France."
    assert ids == [f"evt_{n:04d}" for n in range(1, 12)]
    assert final.text == "Paris is the capital of France."
    # The stream resumes after the last event; then the stored interaction is fetched.
    assert [request.method for request in seen[-2:]] == ["GET", "GET"]
    assert seen[-2].target == "/v1beta/interactions/int_s1a2b3?stream=true&last_event_id=evt_0004"
    assert seen[0].headers["x-goog-api-key"] == "k"


async def test_rate_limit_retry_over_loopback() -> None:
    replies = iter(
        [
            Reply(status=429, body=load_bytes("error_429.json"), headers={"retry-after": "2"}),
            Reply(body=json.dumps({"id": "a", "status": "completed"}).encode()),
        ]
    )
    sleeps = SleepRecorder()
    async with serve(lambda _: next(replies)) as (url, seen):
        client = AsyncClient(api_key="k", base_url=url, _sleep=sleeps)
        assert (await client.interactions.get("a")).status == "completed"
        await client.aclose()
    assert sleeps.delays == [2.0]
    assert len(seen) == 2


async def test_error_after_retries_over_loopback() -> None:
    def script(_: Seen) -> Reply:
        return Reply(status=429, body=load_bytes("error_429.json"))

    async with serve(script) as (url, seen):
        client = AsyncClient(api_key="k", base_url=url, max_retries=1, _sleep=SleepRecorder())
        with pytest.raises(RateLimitError, match="RESOURCE_EXHAUSTED"):
            await client.interactions.get("a")
        await client.aclose()
    assert len(seen) == 2


async def test_refused_connection_is_a_connection_error() -> None:
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    await listener.aclose()  # nothing listens there now
    client = AsyncClient(
        api_key="k", base_url=f"http://127.0.0.1:{port}", max_retries=1, _sleep=SleepRecorder()
    )
    with pytest.raises(APIConnectionError):
        await client.interactions.get("a")
    await client.aclose()


def test_sync_client_over_loopback() -> None:
    async def main() -> None:
        def script(_: Seen) -> Reply:
            return Reply(body=json.dumps({"id": "s", "status": "completed"}).encode())

        async with serve(script) as (url, _):
            # The blocking client runs on agentloop's own loop thread.
            def call() -> str:
                with Client(api_key="k", base_url=url) as client:
                    return client.interactions.get("s").id

            assert await anyio.to_thread.run_sync(call) == "s"

    anyio.run(main)
