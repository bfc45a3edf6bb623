"""The local server really POSTs signed webhook events, and retries failed deliveries."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from standardwebhooks.webhooks import Webhook as StandardWebhook

from agentloop.testing import InteractionsServer, ScriptedModel, serve_in_thread

pytestmark = pytest.mark.anyio

DONE = [{"type": "model_output", "content": [{"type": "text", "text": "done"}]}]
CALL = [{"type": "function_call", "id": "c1", "name": "lookup", "arguments": {}}]


class Receiver:
    """A loopback endpoint that records deliveries and answers with scripted statuses."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.lock = threading.Lock()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        with self.lock:
            self.received.append((headers, body))
            status = self.statuses.pop(0) if self.statuses else 204
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    endpoint = Receiver([500])
    with serve_in_thread(endpoint) as url:
        yield endpoint, url


async def _until(condition: Any, what: str) -> None:
    """Wait (up to ~10 s) for deliveries made by the server's delivery thread."""
    for _ in range(500):
        if condition():
            return
        await anyio.sleep(0.02)
    raise AssertionError(f"gave up waiting for {what}")


async def test_background_completion_is_delivered_signed_and_retried(
    receiver: tuple[Receiver, str],
) -> None:
    endpoint, url = receiver
    server = InteractionsServer(ScriptedModel([DONE]), background_step_delay=0.01)
    server.resources.webhooks.retry_delays = (0.05,)
    client = server.client()
    hook = await client.webhooks.create(
        uri=f"{url}/hook", subscribed_events=["interaction.completed"]
    )
    try:
        interaction = await client.interactions.create(
            model="gemini-2.5-flash", input="hi", background=True
        )
        await _until(lambda: len(endpoint.received) >= 2, "a delivery and its retry")
    finally:
        server.resources.close()
    (first_headers, first_body), (headers, body) = endpoint.received[:2]
    assert first_headers["webhook-id"] == headers["webhook-id"]
    assert first_body == body
    event = StandardWebhook(hook.new_signing_secret or "").verify(body, headers)
    assert event["type"] == "interaction.completed"
    assert event["data"]["id"] == interaction.id
    assert event["data"]["status"] == "completed"
    attempts = [(d.attempt, d.status) for d in server.resources.webhooks.deliveries]
    assert attempts == [(1, 500), (2, 204)]


async def test_requires_action_event_and_unsubscribed_events(
    receiver: tuple[Receiver, str],
) -> None:
    endpoint, url = receiver
    endpoint.statuses.clear()
    server = InteractionsServer(ScriptedModel([CALL, DONE]), background_step_delay=0)
    client = server.client()
    await client.webhooks.create(
        uri=f"{url}/hook", subscribed_events=["interaction.requires_action"]
    )
    try:
        first = await client.interactions.create(model="m", input="hi", background=True)
        await _until(lambda: len(endpoint.received) >= 1, "the requires_action event")
        await client.interactions.create(
            model="m",
            previous_interaction_id=first.id,
            input=[{"type": "function_result", "call_id": "c1", "name": "lookup", "result": "ok"}],
        )
        await anyio.sleep(0.2)  # a completed event would have been sent by now; none may be
    finally:
        server.resources.close()
    assert [json.loads(body)["type"] for _, body in endpoint.received] == [
        "interaction.requires_action"
    ]


async def test_rotation_signs_with_both_secrets(receiver: tuple[Receiver, str]) -> None:
    endpoint, url = receiver
    endpoint.statuses.clear()
    server = InteractionsServer(ScriptedModel([]))
    client = server.client()
    hook = await client.webhooks.create(uri=f"{url}/h", subscribed_events=["interaction.failed"])
    rotated = await client.webhooks.rotate_secret(hook.id or "")
    try:
        await client.webhooks.ping(hook.id or "")
        await _until(lambda: len(endpoint.received) >= 1, "the ping")
    finally:
        server.resources.close()
    headers, body = endpoint.received[0]
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (hook.new_signing_secret, rotated.secret):
        assert StandardWebhook(secret or "").verify(body, headers)["type"] == "webhook.ping"


async def test_cancelling_a_background_interaction_is_delivered(
    receiver: tuple[Receiver, str],
) -> None:
    endpoint, url = receiver
    endpoint.statuses.clear()
    server = InteractionsServer(ScriptedModel([DONE]), background_step_delay=5)
    client = server.client()
    await client.webhooks.create(
        uri=f"{url}/hook", subscribed_events=["interaction.cancelled", "interaction.completed"]
    )
    try:
        started = await client.interactions.create(model="m", input="hi", background=True)
        await client.interactions.cancel(started.id)
        await _until(lambda: len(endpoint.received) >= 1, "the cancelled event")
    finally:
        server.resources.close()
    (_, body), *_ = endpoint.received
    event = json.loads(body)
    assert event["type"] == "interaction.cancelled"
    assert event["data"] == {"id": started.id, "status": "cancelled"}
