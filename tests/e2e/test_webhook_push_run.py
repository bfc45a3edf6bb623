"""Push-driven run, end to end on loopback: the local server POSTs signed events to a
`WebhookApp` under uvicorn, which runs the tools and sends results; nobody polls."""

from __future__ import annotations

import anyio
import httpx
import pytest

from agentloop import Agent, AsyncClient, tool
from agentloop.testing import InteractionsServer, ScriptedModel, serve_in_thread
from agentloop.webhooks import WebhookApp

pytestmark = pytest.mark.anyio

CALLS = [
    {"type": "function_call", "id": "c1", "name": "lookup_order", "arguments": {"order": "A1"}},
    {"type": "function_call", "id": "c2", "name": "lookup_order", "arguments": {"order": "B2"}},
]
DONE = [{"type": "model_output", "content": [{"type": "text", "text": "Both shipped."}]}]


async def test_webhook_delivery_completes_a_background_tool_round() -> None:
    looked_up: list[str] = []

    @tool
    def lookup_order(order: str) -> str:
        """Look an order up."""
        looked_up.append(order)
        return f"{order}: shipped"

    model = ScriptedModel([CALLS, DONE])
    server = InteractionsServer(model, api_key="k", background_step_delay=0.02)
    with serve_in_thread(server) as api_url:
        client = AsyncClient(api_key="k", base_url=api_url)
        agent = Agent("gemini-2.5-flash", tools=[lookup_order], client=client)
        # The receiver runs on its own loop (uvicorn's thread), as it would in its own
        # process: it gets its own agent and client (without keep-alive, so that no
        # connection outlives that loop).
        receiver = Agent(
            "gemini-2.5-flash",
            tools=[lookup_order],
            client=AsyncClient(
                api_key="k",
                base_url=api_url,
                transport=httpx.AsyncHTTPTransport(
                    limits=httpx.Limits(max_keepalive_connections=0)
                ),
            ),
        )
        # The secret exists only once the webhook is registered, and the endpoint's URL
        # only once it serves: the app reads its secret from this list.
        secrets: list[str] = []
        app = WebhookApp(secret=secrets, agent=receiver)
        with serve_in_thread(app) as hook_url:
            hook = await client.webhooks.create(
                uri=f"{hook_url}/hooks/gemini",
                subscribed_events=["interaction.requires_action", "interaction.completed"],
            )
            secrets.append(hook.new_signing_secret or "")
            gets_before = server.requests
            run = await agent.astart("Where are orders A1 and B2?")
            for _ in range(500):
                if app.outcome(run.id) is not None:
                    break
                await anyio.sleep(0.02)
        server.resources.close()
        await client.aclose()
    outcome = app.outcome(run.id)
    assert outcome is not None, "the run never finished through webhooks"
    assert outcome["text"] == "Both shipped."
    assert outcome["status"] == "completed"
    assert sorted(looked_up) == ["A1", "B2"]
    # The client made: create, then per event one GET (requires_action, completed) and
    # one create (the tool results): 4 requests, however long the run took.
    assert server.requests - gets_before == 4
    second = model.requests[1]
    assert {r["call_id"] for r in second.function_results} == {"c1", "c2"}
    deliveries = server.resources.webhooks.deliveries
    assert [(d.event_type, d.status) for d in deliveries] == [
        ("interaction.requires_action", 200),
        ("interaction.completed", 200),
    ]
