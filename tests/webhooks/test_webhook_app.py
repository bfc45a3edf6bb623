"""`WebhookApp` in-process: tool rounds on requires_action, outcomes, each delivery once."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from standardwebhooks.webhooks import Webhook as StandardWebhook

from agentloop import Agent, tool
from agentloop.testing import InteractionsServer, Reply, ScriptedModel
from agentloop.webhooks import MemoryWebhookStore, SQLiteWebhookStore, WebhookApp, WebhookStore

pytestmark = pytest.mark.anyio

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
CALLS = [
    {"type": "function_call", "id": "c1", "name": "lookup_order", "arguments": {"order": "A1"}},
    {"type": "function_call", "id": "c2", "name": "lookup_order", "arguments": {"order": "B2"}},
]
DONE = [{"type": "model_output", "content": [{"type": "text", "text": "Both shipped."}]}]


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def delivery(event_type: str, interaction_id: str, msg_id: str) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"type": event_type, "version": "v1", "data": {"id": interaction_id}})
    now = time.time()
    signature = StandardWebhook(SECRET).sign(msg_id, datetime.fromtimestamp(now, UTC), body)
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now)),
        "webhook-signature": signature,
    }
    return body.encode(), headers


def make(store: WebhookStore) -> tuple[WebhookApp, Agent, list[str], InteractionsServer]:
    looked_up: list[str] = []

    @tool
    def lookup_order(order: str) -> str:
        """Look an order up."""
        looked_up.append(order)
        return f"{order}: shipped"

    server = InteractionsServer(ScriptedModel([CALLS, DONE]), background_step_delay=0)
    agent = Agent("gemini-2.5-flash", tools=[lookup_order], client=server.client())
    return WebhookApp(secret=SECRET, agent=agent, checkpoints=store), agent, looked_up, server


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
async def test_tool_round_then_outcome_each_delivery_once(tmp_path: Path, kind: str) -> None:
    store = MemoryWebhookStore() if kind == "memory" else SQLiteWebhookStore(tmp_path / "w.db")
    app, agent, looked_up, _ = make(store)
    run = await agent.astart("Where are orders A1 and B2?")
    body, headers = delivery("interaction.requires_action", run.id, "msg_1")
    status, answer = await app.handle(body, headers)
    assert (status, answer["status"], answer["tool_calls"]) == (200, "continued", 2)
    assert sorted(looked_up) == ["A1", "B2"]
    assert await app.handle(body, headers) == (200, {"status": "duplicate"})
    assert sorted(looked_up) == ["A1", "B2"]
    assert app.outcome(run.id) is None
    body, headers = delivery("interaction.completed", answer["interaction_id"], "msg_2")
    status, recorded = await app.handle(body, headers)
    assert (status, recorded["status"]) == (200, "recorded")
    outcome = app.outcome(run.id)
    assert outcome is not None
    assert outcome["text"] == "Both shipped."
    assert outcome["status"] == "completed"
    assert outcome["tool_calls"] == ["lookup_order", "lookup_order"]


async def test_forged_delivery_is_refused_and_does_nothing() -> None:
    app, agent, looked_up, _ = make(MemoryWebhookStore())
    run = await agent.astart("Where is A1?")
    body, headers = delivery("interaction.requires_action", run.id, "msg_1")
    forged = body.replace(b"requires_action", b"completed")
    status, answer = await app.handle(forged, headers)
    assert status == 401
    assert "signature" in answer["error"]
    assert looked_up == []
    # The genuine delivery with that id is still processed: a forgery claims nothing.
    assert (await app.handle(body, headers))[1]["status"] == "continued"


async def test_failed_processing_releases_the_claim_for_the_retry() -> None:
    app, _, _, _ = make(MemoryWebhookStore())
    body, headers = delivery("interaction.requires_action", "int_missing", "msg_9")
    status, answer = await app.handle(body, headers)
    assert status == 500
    assert "NotFoundError" in answer["error"]
    assert app.store.claim("msg_9")  # released: a retry would be processed


async def test_failed_run_outcome_and_ignored_events() -> None:
    store = MemoryWebhookStore()
    server = InteractionsServer(
        ScriptedModel([Reply(steps=[], status="failed", errors=[{"message": "boom"}])])
    )
    agent = Agent("m", client=server.client())
    app = WebhookApp(secret=SECRET, agent=agent, checkpoints=store)
    failed = await server.client().interactions.create(model="m", input="x")
    body, headers = delivery("interaction.failed", failed.id, "msg_f")
    status, answer = await app.handle(body, headers)
    assert status == 200
    assert answer["outcome"]["status"] == "failed"
    assert "InteractionFailedError" in answer["outcome"]["error"]
    body, headers = delivery("webhook.ping", "webhook_1", "msg_p")
    assert (await app.handle(body, headers))[1] == {"status": "ignored", "type": "webhook.ping"}


async def test_asgi_answers_post_only() -> None:
    app, _, _, _ = make(MemoryWebhookStore())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hooks.local") as client:
        assert (await client.get("/")).status_code == 405
        response = await client.post("/", content=b"{}", headers={"webhook-id": "x"})
    assert response.status_code == 401
    assert "missing" in response.json()["error"]


def test_stores_satisfy_the_protocol(tmp_path: Path) -> None:
    for store in (MemoryWebhookStore(), SQLiteWebhookStore(tmp_path / "s.db")):
        assert isinstance(store, WebhookStore)
        assert store.claim("a")
        assert not store.claim("a")
        store.release("a")
        assert store.claim("a")
        store.save_run("i2", "i1", {"turns": 1})
        assert store.load_run("i2") == ("i1", {"turns": 1})
        assert store.load_run("nope") is None
        store.save_outcome("i1", {"status": "completed"})
        assert store.outcome("i1") == {"status": "completed"}


async def test_no_secret_yet_is_a_server_error_not_a_crash() -> None:
    app, _, looked_up, _ = make(MemoryWebhookStore())
    app.secret = []
    body, headers = delivery("interaction.requires_action", "int_1", "msg_1")
    status, answer = await app.handle(body, headers)
    assert status == 500
    assert "secret" in answer["error"]
    assert looked_up == []


async def test_cancelled_run_outcome() -> None:
    server = InteractionsServer(ScriptedModel([DONE]), background_step_delay=5)
    agent = Agent("m", client=server.client())
    app = WebhookApp(secret=SECRET, agent=agent)
    run = await agent.astart("x")
    await run.cancel()
    body, headers = delivery("interaction.cancelled", run.id, "msg_c")
    status, answer = await app.handle(body, headers)
    assert status == 200
    assert answer["outcome"]["status"] == "cancelled"
    assert "RunCancelledError" in answer["outcome"]["error"]
    assert app.outcome(run.id) == answer["outcome"]
