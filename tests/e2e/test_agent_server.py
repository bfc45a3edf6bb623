"""Agents end to end against the local server: parallel tool calls, `store=False`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from helpers.server import (
    CALLS,
    MODEL,
    THOUGHT,
    text,
    user,
)

from agentloop import (
    Agent,
    NotFoundError,
    tool,
)
from agentloop.testing import (
    InteractionsServer,
    ModelRequest,
    ScriptedModel,
)

pytestmark = pytest.mark.anyio


# ---- agents end to end -------------------------------------------------------------


@tool
async def get_weather(city: str) -> dict[str, Any]:
    """The weather in a city.

    Args:
        city: the city's name.
    """
    return {"city": city, "celsius": {"Paris": 21, "Tokyo": 25}[city]}


async def test_agent_runs_parallel_tool_calls_against_the_server() -> None:
    def summary(request: ModelRequest) -> str:
        readings = [json.dumps(r["result"], sort_keys=True) for r in request.function_results]
        return " | ".join(readings)

    model = ScriptedModel([CALLS, summary])
    with model:
        agent = Agent(MODEL, tools=[get_weather], client=InteractionsServer(model).client())
        async with agent.client:
            run = await agent.arun("Weather in Paris and Tokyo?")

    assert [call.name for call in run.tool_calls] == ["get_weather", "get_weather"]
    assert [call.arguments for call in run.tool_calls] == [{"city": "Paris"}, {"city": "Tokyo"}]
    assert "21" in run.text
    assert "25" in run.text
    second = model.requests[1]
    assert second.body["previous_interaction_id"] == run.interactions[0].id
    assert [r["call_id"] for r in second.function_results] == ["call_1", "call_2"]
    assert second.function_tools[0]["name"] == "get_weather"
    assert run.usage.total_tokens == sum(i.usage.total_tokens for i in run.interactions)


async def test_agent_with_store_false_sends_its_history_and_keeps_nothing() -> None:
    model = ScriptedModel([[THOUGHT, text("Hello!")], "Still here."])
    with model:
        agent = Agent(MODEL, store=False, client=InteractionsServer(model).client())
        chat = agent.chat()
        async with agent.client:
            await chat.arun("Hi")
            second = await chat.arun("Are you there?")
            with pytest.raises(NotFoundError):
                await agent.client.interactions.get(second.interaction_id or "")
    assert second.text == "Still here."
    assert model.requests[1].body["store"] is False
    assert "previous_interaction_id" not in model.requests[1].body
    assert model.requests[1].history == [user("Hi"), THOUGHT, text("Hello!")]
    assert model.requests[1].input == [user("Are you there?")]
