"""Managed agents with local function tools, and their sandboxes across a chat."""

from __future__ import annotations

import pytest

from agentloop import Agent, Environment, UserError, tool
from agentloop.testing import InteractionsServer, ModelRequest, ScriptedModel

pytestmark = pytest.mark.anyio

CALLS = [
    {"type": "function_call", "id": "c1", "name": "lookup_order", "arguments": {"order": "A1"}},
    {"type": "function_call", "id": "c2", "name": "carrier_status", "arguments": {"code": "UPS"}},
]


def answer(text: str) -> list[dict[str, object]]:
    return [{"type": "model_output", "content": [{"type": "text", "text": text}]}]


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@tool
def lookup_order(order: str) -> str:
    """Find an order's carrier."""
    return f"{order} ships with UPS"


@tool
async def carrier_status(code: str) -> str:
    """A carrier's network status."""
    return f"{code}: on time"


async def test_managed_agent_calls_two_local_tools_in_parallel() -> None:
    model = ScriptedModel([CALLS, answer("A1 is on time.")])
    server = InteractionsServer(model)
    client = server.client()
    await client.agents.create(
        id="support",
        base_agent="antigravity-preview-09-2026",
        system_instruction="Answer order questions.",
        tools=[lookup_order.to_wire(), carrier_status.to_wire()],
    )
    agent = Agent(agent="agents/support", tools=[lookup_order, carrier_status], client=client)
    result = await agent.arun("Where is A1?")
    assert result.text == "A1 is on time."
    assert sorted(call.name for call in result.tool_calls) == ["carrier_status", "lookup_order"]
    first, second = model.requests
    assert first.body["agent"] == "agents/support"
    assert first.body["system_instruction"] == "Answer order questions."
    results = {r["call_id"]: r["result"] for r in second.function_results}
    assert results == {"c1": "A1 ships with UPS", "c2": "UPS: on time"}


async def test_environment_is_created_once_and_reused_across_chat_turns() -> None:
    def turn(request: ModelRequest) -> list[dict[str, object]]:
        return answer(f"turn in {request.body['environment']}")

    model = ScriptedModel([turn, turn])
    server = InteractionsServer(model)
    agent = Agent(
        agent="antigravity-preview-09-2026",
        environment=Environment(
            sources=[Environment.inline("AGENTS.md", "# Be brief")], network="disabled"
        ),
        tools=[lookup_order],
        client=server.client(),
    )
    chat = agent.chat()
    first = await chat.arun("Set up the project.")
    second = await chat.arun("Now run the tests.")
    (environment_id,) = server.resources.environments
    assert chat.environment_id == environment_id
    assert first.text == second.text == f"turn in {environment_id}"
    sent = model.requests[1].body["environment"]
    assert sent == environment_id
    assert server.resources.workspaces.read(environment_id, "AGENTS.md") == b"# Be brief"


def test_environment_option_is_checked() -> None:
    with pytest.raises(UserError, match="managed agents"):
        Agent("gemini-2.5-flash", environment="env_1")
    with pytest.raises(UserError, match="Environment or an id"):
        Agent(agent="a", environment={"type": "remote"})  # type: ignore[arg-type]
    with pytest.raises(UserError, match="'type'"):
        Environment(sources=[{"target": "x"}])
    assert Environment(id="env_1").to_wire() == "env_1"
    assert Environment(id="env_1", mode="on_demand").to_wire() == {
        "type": "remote",
        "environment_id": "env_1",
        "mode": "on_demand",
    }
