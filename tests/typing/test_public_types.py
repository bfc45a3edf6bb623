"""The public API's types, as a user's type checker sees them.

CI runs this file through BOTH mypy and pyright (strict, with unused ignores
reported), so every `assert_type` here is checked twice, and every line that must
NOT type-check carries `# type: ignore[code]  # pyright: ignore[rule]`: an ignore
that stops being needed (the error went away) fails CI.

pytest runs the file too: construction-only checks execute for real; checks that
would send a request live in functions that are type-checked but never called.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any, assert_type

import pytest
from pydantic import BaseModel

from agentloop import (
    Agent,
    AsyncBackgroundRun,
    AsyncClient,
    AsyncInteractionStream,
    Chat,
    Client,
    Environment,
    Interaction,
    InteractionStream,
    MemoryCheckpoints,
    PendingApproval,
    RunEvent,
    RunFinishedEvent,
    RunHooks,
    RunResult,
    RunState,
    RunTrace,
    ToolContext,
    tool,
)
from agentloop.types import Decision, ManagedAgent, StreamEvent, Trigger


class Weather(BaseModel):
    city: str
    celsius: float


@dataclass
class Deps:
    units: str


# --- Agent[DepsT, OutputT]: construction (runs under pytest too) ---------------


def check_agent_types() -> None:
    assert_type(Agent("m"), Agent[None, str])
    assert_type(Agent("m", response_format=Weather), Agent[None, Weather])
    assert_type(Agent("m", response_format=list[int]), Agent[None, list[int]])
    assert_type(Agent("m", deps_type=Deps), Agent[Deps, str])
    assert_type(Agent("m", deps_type=Deps, response_format=Weather), Agent[Deps, Weather])
    # A JSON schema dict says nothing a checker can read: the output is Any, not str.
    schema = {"type": "object", "properties": {"city": {"type": "string"}}}
    assert_type(Agent("m", response_format=schema), Agent[None, Any])
    assert_type(Agent(agent="deep-research-pro-preview-12-2025"), Agent[None, str])
    # Every option keeps the type arguments: durability, observability, environments.
    durable = Agent(
        "m",
        response_format=Weather,
        deps_type=Deps,
        checkpoints=MemoryCheckpoints(),
        hooks=[RunHooks()],
        instrument=False,
        tool_search=True,
    )
    assert_type(durable, Agent[Deps, Weather])
    assert_type(
        Agent(agent="a", environment=Environment(sources=[]), response_format=schema),
        Agent[None, Any],
    )


def check_agent_rejects_bad_options() -> None:
    Agent("m", max_turn=3)  # type: ignore[call-overload]  # pyright: ignore[reportCallIssue]
    Agent("m", max_turns="3")  # type: ignore[call-overload]  # pyright: ignore[reportArgumentType]
    Agent("m", tool_errors="ignore")  # type: ignore[call-overload]  # pyright: ignore[reportArgumentType]
    Agent("m", "instructions")  # type: ignore[call-overload]  # pyright: ignore[reportCallIssue]


def test_agent_types_hold_at_run_time() -> None:
    check_agent_types()


def test_agent_unknown_keyword_is_a_type_error() -> None:
    options: dict[str, Any] = {"max_turn": 3}
    with pytest.raises(TypeError, match="max_turn"):
        Agent("m", **options)


def test_agent_overloads_list_the_implementation_options() -> None:
    # A new Agent option must be added to every overload, or typed users cannot pass it.
    implementation = list(inspect.signature(Agent.__init__).parameters)
    overloads = typing.get_overloads(Agent.__init__)
    assert len(overloads) == 3
    for overload in overloads:
        assert list(inspect.signature(overload).parameters) == implementation


# --- runs: results, streams, chats, background ------------------------------------


def check_run_types(agent: Agent[None, Weather], plain: Agent) -> None:
    assert_type(Agent("m", response_format=Weather).run("x").output, Weather)
    assert_type(agent.run("x"), RunResult[Weather])
    assert_type(plain.run("x").output, str)
    assert_type(plain.run("x").text, str)
    assert_type(plain.run("x").interaction_id, str | None)
    assert_type(plain.run("x").interaction, Interaction | None)
    assert_type(agent.stream("x"), Iterator[RunEvent[Weather]])
    for event in agent.stream("x"):
        if isinstance(event, RunFinishedEvent):
            assert_type(event.result.output, Weather)
        elif event.type == "text_delta":
            assert_type(event.text, str)
    assert_type(agent.chat(), Chat[None, Weather])
    assert_type(agent.chat().run("x").output, Weather)
    assert_type(agent.start("x").wait().output, Weather)


async def check_async_run_types(agent: Agent[None, Weather]) -> None:
    assert_type(await agent.arun("x"), RunResult[Weather])
    assert_type(agent.astream("x"), AsyncIterator[RunEvent[Weather]])
    async for event in agent.astream("x"):
        if event.type == "run_finished":
            assert_type(event.result, RunResult[Weather])
    handle = await agent.astart("x")
    assert_type(handle, AsyncBackgroundRun[Weather])
    assert_type((await handle.wait()).output, Weather)
    assert_type((await agent.chat().arun("x")).output, Weather)


def check_durable_run_types(agent: Agent[None, Weather], state: RunState) -> None:
    paused = agent.run("x", run_id="order-7")
    assert_type(paused.pending_approvals, list[PendingApproval])
    assert_type(paused.state, RunState | None)
    assert_type(paused.trace, RunTrace | None)
    assert_type(agent.resume("order-7", approve=["c1"]).output, Weather)
    assert_type(agent.resume(state, reject={"c2": "not today"}), RunResult[Weather])
    assert_type(agent.stream_resume("order-7"), Iterator[RunEvent[Weather]])
    agent.resume("order-7", reject=["c2"])  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


async def check_async_durable_run_types(agent: Agent[None, Weather]) -> None:
    assert_type(await agent.aresume("order-7", approve=["c1"]), RunResult[Weather])
    assert_type(agent.astream_resume("order-7"), AsyncIterator[RunEvent[Weather]])


def check_deps_types(agent: Agent[Deps, str]) -> None:
    agent.run("x", deps=Deps(units="metric"))
    agent.run("x", deps="metric")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    agent.chat().run("x", deps=Deps(units="metric"))


# --- tools: ToolContext[DepsT] ----------------------------------------------------


@tool
def forecast(context: ToolContext[Deps], city: str) -> str:
    """The forecast for a city.

    Args:
        city: the city's name.
    """
    assert_type(context.deps, Deps)
    assert_type(context.call_id, str)
    assert_type(context.interaction_id, str | None)
    return f"sunny in {city} ({context.deps.units})"


def check_tool_types() -> None:
    assert_type(forecast.name, str)
    assert_type(forecast.parameters, dict[str, Any])
    assert_type(
        forecast(ToolContext(call_id="c1", tool_name="forecast", deps=Deps("si")), "Oslo"), str
    )
    Agent("m", tools=[forecast], deps_type=Deps)


def test_tool_context_carries_typed_deps() -> None:
    context = ToolContext(call_id="c1", tool_name="forecast", deps=Deps(units="metric"))
    assert forecast(context, "Oslo") == "sunny in Oslo (metric)"


# --- the HTTP clients: create(**body) ----------------------------------------------


def check_sync_client_types(client: Client) -> None:
    assert_type(client.interactions.create(model="m", input="hi"), Interaction)
    assert_type(client.interactions.create(model="m", input="hi", stream=False), Interaction)
    stream = client.interactions.create(model="m", input="hi", stream=True)
    for event in stream:
        assert_type(event, StreamEvent)
    assert_type(stream.get_final_interaction(), Interaction)
    assert_type(client.interactions.get("id"), Interaction)
    resumed = client.interactions.get("id", stream=True, last_event_id="e7", timeout=30)
    assert_type(resumed, InteractionStream)
    assert_type(client.interactions.cancel("id", timeout=5), Interaction)
    # last_event_id resumes a stream: without stream=True it is a type error.
    client.interactions.get("id", last_event_id="e7")  # type: ignore[call-overload]  # pyright: ignore[reportCallIssue]


async def check_async_client_types(client: AsyncClient) -> None:
    created = await client.interactions.create(
        model="m",
        input="hi",
        system_instruction="be brief",
        generation_config={"temperature": 0.2, "thinking_level": "low"},
        store=False,
        timeout=30,
        extra_body={"service_tier": "flex"},
    )
    assert_type(created, Interaction)
    stream = await client.interactions.create(model="m", input="hi", stream=True)
    async for event in stream:
        assert_type(event, StreamEvent)
    assert_type(await stream.get_final_interaction(), Interaction)
    resumed = await client.interactions.get("id", stream=True, last_event_id="e7")
    assert_type(resumed, AsyncInteractionStream)


def check_sync_resource_types(client: Client) -> None:
    # The blocking resources are the async methods' twins: same parameters, plain results.
    assert_type(client.agents.get("a1"), ManagedAgent)
    assert_type(list(client.agents.list(page_size=10)), list[ManagedAgent])
    assert_type(client.triggers.run("t1").trigger_id, str)
    client.agents.get("a1", timout=3)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


async def check_async_resource_types(client: AsyncClient) -> None:
    assert_type(await client.agents.get("a1"), ManagedAgent)
    trigger = await client.triggers.create(schedule="0 9 * * *", interaction={"agent": "a1"})
    assert_type(trigger, Trigger)
    decision = await client.decisions.create(
        model="m", input="hi", questions={"tone": {"type": "noul", "instructions": "polite?"}}
    )
    assert_type(decision, Decision)


async def check_create_rejects_unknown_fields(client: AsyncClient) -> None:
    await client.interactions.create(model="m", input="hi", max_turns=3)  # type: ignore[call-overload]  # pyright: ignore[reportCallIssue]
    await client.interactions.create(model="m", input="hi", store="no")  # type: ignore[call-overload]  # pyright: ignore[reportArgumentType]
