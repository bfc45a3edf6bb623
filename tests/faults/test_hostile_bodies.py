"""Broken, hostile and odd replies: every one ends in a typed error with a bounded
message (the whole body on `exc.body`, the key masked), or is recovered from."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from agentloop import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    BadRequestError,
    ReplyLostError,
    ResponseValidationError,
    ServerError,
)

from .conftest import KEY, Counting, fast_client, make_agent
from .hostile import Fault, HostileServer, Request

pytestmark = pytest.mark.anyio

MESSAGE_LIMIT = 4000
"""`str(exc)` quotes a few KB of a body at most."""


def always(server: HostileServer, fault: Fault, kind: str | None = None) -> None:
    def plan(request: Request) -> Fault | None:
        return fault if kind is None or request.kind == kind else None

    server.plan = plan


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"", "application/json"),
        (b"\x00\xff garbage \xfe", "application/json"),
        (b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html"),
        (b'{"id": 42, "steps": "no"}', "application/json"),
        (b"[" * 5_000_000, "application/json"),
    ],
    ids=["empty", "garbage", "html", "wrong_shape", "huge"],
)
async def test_unusable_success_body_is_a_bounded_validation_error(
    server: HostileServer, body: bytes, content_type: str
) -> None:
    always(server, Fault("body", body=body, content_type=content_type))
    async with fast_client(server) as client:
        with pytest.raises(ResponseValidationError) as caught:
            await client.interactions.get("int_1")
    assert len(str(caught.value)) < MESSAGE_LIMIT


async def test_huge_error_body_is_bounded_in_the_message_and_whole_on_the_exception(
    server: HostileServer,
) -> None:
    detail = "x" * 5_000_000
    body = json.dumps({"error": {"code": 400, "message": detail}}).encode()
    always(server, Fault("body", body=body, body_status=400))
    async with fast_client(server) as client:
        with pytest.raises(BadRequestError) as caught:
            await client.interactions.get("int_1")
    assert len(str(caught.value)) < MESSAGE_LIMIT
    assert caught.value.detail == detail
    assert caught.value.body == {"error": {"code": 400, "message": detail}}


async def test_html_error_page_is_bounded(server: HostileServer) -> None:
    page = b"<html>" + b"<p>oops</p>" * 100_000 + b"</html>"
    always(server, Fault("body", body=page, body_status=502, content_type="text/html"))
    async with fast_client(server, max_retries=0) as client:
        with pytest.raises(ServerError) as caught:
            await client.interactions.get("int_1")
    assert len(str(caught.value)) < MESSAGE_LIMIT
    assert caught.value.body == page.decode()


async def test_an_echoed_key_is_masked_in_message_body_and_headers(server: HostileServer) -> None:
    echo = {"error": {"code": 400, "message": f"bad request; headers: x-goog-api-key={KEY}"}}
    always(
        server,
        Fault(
            "body",
            body=json.dumps(echo).encode(),
            body_status=400,
            headers={"x-echo": f"key={KEY}"},
        ),
    )
    async with fast_client(server) as client:
        with pytest.raises(BadRequestError) as caught:
            await client.interactions.get("int_1")
    error = caught.value
    assert KEY not in str(error)
    assert KEY not in repr(error)
    assert KEY not in json.dumps(error.body)
    assert KEY not in str(error.detail)
    assert KEY not in error.response.headers["x-echo"]
    assert "***" in str(error)


@pytest.mark.parametrize(
    "retry_after", ["soon", "Mon, 99 Foo 2026 99:99:99 GMT", "nan", "-5", "", "1e400"]
)
async def test_garbage_retry_after_is_ignored(server: HostileServer, retry_after: str) -> None:
    server.queue(Fault("status", status=503, headers={"retry-after": retry_after}))
    sleeps = Sleeps()
    created: Any
    async with fast_client(server, _sleep=sleeps) as client:
        created = await client.interactions.create(model="m", input="text:3")
    assert created.text == "abc"
    assert len(sleeps.delays) == 1
    assert 0 < sleeps.delays[0] <= 60


async def test_truncated_body_of_a_get_is_retried(server: HostileServer) -> None:
    async with fast_client(server) as client:
        created = await client.interactions.create(model="m", input="text:30")
        server.queue(Fault("truncate"), kind="get")
        fetched = await client.interactions.get(created.id)
    assert fetched.id == created.id


async def test_body_cut_on_every_attempt_is_a_connection_error(server: HostileServer) -> None:
    always(server, Fault("close_mid_body"), kind="get")
    async with fast_client(server, max_retries=2) as client:
        with pytest.raises(APIConnectionError):
            await client.interactions.get("int_1")
    assert len(server.requests) == 3


async def test_stall_longer_than_the_read_timeout_is_a_timeout(server: HostileServer) -> None:
    always(server, Fault("stall", delay=3.0), kind="get")
    async with fast_client(server, max_retries=0, timeout=0.3) as client:
        with pytest.raises(APITimeoutError):
            await client.interactions.get("int_1")


async def test_stalled_create_is_not_repeated_when_told(server: HostileServer) -> None:
    server.queue(Fault("stall", delay=3.0), kind="create")
    async with fast_client(server, timeout=0.3, retry_ambiguous=False) as client:
        with pytest.raises(ReplyLostError):
            await client.interactions.create(model="m", input="text:3")
    assert len([r for r in server.requests if r.kind == "create"]) == 1


async def test_trickled_reply_within_the_read_timeout_arrives(server: HostileServer) -> None:
    server.queue(Fault("trickle", delay=0.002), kind="create")
    async with fast_client(server, timeout=2.0) as client:
        created = await client.interactions.create(model="m", input="text:10")
    assert created.text == "abcdefghij"


async def test_trickled_stream_arrives_whole(server: HostileServer) -> None:
    server.queue(Fault("trickle", delay=0.0005), kind="create_stream")
    async with fast_client(server, timeout=2.0) as client:
        stream = await client.interactions.create(model="m", input="text:20", stream=True)
        final = await stream.get_final_interaction()
    assert final.text == "abcdefghijklmnopqrst"


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
async def test_unknown_step_types_after_the_answer_keep_the_text(
    server: HostileServer, stream: bool
) -> None:
    server.extra_steps = [{"type": "hologram", "frames": [1, 2, 3]}]
    counting = Counting()
    agent, client = make_agent(server, counting)
    async with client:
        if stream:
            events = [event async for event in agent.astream("add")]
            result = events[-1].result  # type: ignore[union-attr]
        else:
            result = await agent.arun("add")
    assert result.text == "sum=2"
    assert result.interactions[-1].steps[-1].is_unknown


async def test_a_non_json_success_on_a_stream_request_is_typed(server: HostileServer) -> None:
    server.queue(Fault("body", body=b"<html>hi</html>", content_type="text/html"))
    async with fast_client(server) as client:
        stream = await client.interactions.create(model="m", input="x", stream=True)
        with pytest.raises(ResponseValidationError, match="event stream"):
            await stream.get_final_interaction()


async def test_status_errors_are_typed_by_meaning(server: HostileServer) -> None:
    always(server, Fault("status", status=418))
    async with fast_client(server) as client:
        with pytest.raises(APIStatusError) as caught:
            await client.interactions.get("int_1")
    assert caught.value.status_code == 418
    assert isinstance(caught.value.response, httpx.Response)


async def test_unknown_event_types_are_yielded_and_change_nothing(server: HostileServer) -> None:
    server.extra_events = [
        {"event_type": "interaction.hologram", "frames": [1, 2]},
        {"event_type": "step.delta", "index": 0, "delta": {"type": "smell", "notes": "rose"}},
    ]
    async with fast_client(server) as client:
        stream = await client.interactions.create(model="m", input="text:12", stream=True)
        events = [event async for event in stream]
        final = await stream.get_final_interaction()
    assert final.text == "abcdefghijkl"
    assert sum(1 for event in events if event.is_unknown) >= 1
