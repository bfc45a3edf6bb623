"""The worker side: which agents this process serves, and the activities that do the I/O.

    agentloop.create   one create request (the body built by the workflow)
    agentloop.get      one poll of an interaction
    agentloop.tools    the wire declarations of an agent's tools, sources connected
    agentloop.tool     one tool call (its activity id is the call id)

Agents are registered per process by `AgentloopPlugin(agents=[...])`. Tool sources
(MCP servers) are connected once per worker process, on the first activity that needs
them, and closed when the worker stops. HTTP goes through each agent's own client, with
that client's retries; Temporal's retries come on top only when those are exhausted.

With instrumentation on, a create is a model-call span and a tool call an
`execute_tool` span, as in a run in one process, each under its activity's span
(Temporal's `TracingInterceptor`, which `AgentloopPlugin` adds); no hooks run here.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

import anyio
from temporalio import activity
from temporalio.exceptions import ApplicationError

from .._errors import APIStatusError, UserError
from .._obs.observer import RunObserver, observer_for
from .._run.state import RunState
from .._tools.context import ToolContext
from .._tools.dispatch import dispatch_calls
from .._wire.base import JsonObject
from .._wire.interaction import Usage
from .._wire.requests import CreateInteractionBody
from .._wire.steps import FunctionCallStep

if TYPE_CHECKING:
    from .._run.agent import Agent
    from .._run.toolset import ToolSession

__all__ = [
    "ACTIVITIES",
    "CreateRequest",
    "GetRequest",
    "ToolRequest",
    "close_sessions",
    "register",
    "registered",
]

DEFAULT_PAYLOAD_LIMIT = 2 * 1024 * 1024
"""Temporal's default limit on one payload (2 MiB, the server's `BlobSizeLimitError`)."""

# Statuses worth another activity attempt once the client's own retries gave up.
_RETRYABLE_STATUS = frozenset({408, 409, 429})


class Served(Protocol):
    """What the activities need of a `TemporalAgent`."""

    @property
    def name(self) -> str: ...

    @property
    def agent(self) -> Agent[Any, Any]: ...

    @property
    def deps(self) -> Any: ...

    async def release_client(self) -> None: ...


_agents: dict[str, Served] = {}
_sessions: dict[str, ToolSession] = {}
_session_lock: anyio.Lock | None = None


def register(agent: Served) -> None:
    """Serve `agent` (by its name) in this process: its activities and `AgentWorkflow`."""
    _agents[agent.name] = agent


def registered(name: str) -> Served:
    """The agent registered as `name`.

    Raises:
        UserError: no agent of that name is registered in this process.
    """
    try:
        return _agents[name]
    except KeyError:
        known = ", ".join(sorted(_agents)) or "none"
        raise UserError(
            f"no agent named {name!r} is registered with this worker (registered: {known}); "
            "pass it to the worker: AgentloopPlugin(agents=[TemporalAgent(agent)])"
        ) from None


async def _session(agent: Served) -> ToolSession:
    """The agent's tools in this process: sources connected once, on first use."""
    config = agent.agent.config
    if not config.toolset.sources:
        return config.toolset.static_session()
    global _session_lock
    if _session_lock is None:
        _session_lock = anyio.Lock()
    async with _session_lock:
        session = _sessions.get(agent.name)
        if session is None:
            session = _sessions[agent.name] = await config.toolset.open()
        return session


async def close_sessions() -> None:
    """At worker shutdown: close the tool sources this process connected, and the
    default clients activities created (they belong to the worker's event loop)."""
    sessions = list(_sessions.values())
    _sessions.clear()
    for session in sessions:
        await session.aclose()
    for agent in _agents.values():
        await agent.release_client()


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateRequest:
    """The input of `agentloop.create`."""

    agent: str
    body: JsonObject


@dataclass(frozen=True, slots=True, kw_only=True)
class GetRequest:
    """The input of `agentloop.get`."""

    agent: str
    interaction_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolRequest:
    """The input of `agentloop.tool`: one call, and what its `ToolContext` says."""

    agent: str
    call: JsonObject
    interaction_id: str
    run_id: str | None = None
    payload_limit: int = DEFAULT_PAYLOAD_LIMIT


@asynccontextmanager
async def _attempt() -> AsyncGenerator[None, None]:
    """Errors that fail the same way on every attempt end the activity's retries: a
    4xx (bad request, auth, not found) and misuse (no API key, unknown agent)."""
    try:
        yield
    except APIStatusError as exc:
        if exc.status_code < 500 and exc.status_code not in _RETRYABLE_STATUS:
            raise _permanent(exc) from exc
        raise
    except UserError as exc:
        raise _permanent(exc) from exc


def _permanent(exc: Exception) -> ApplicationError:
    return ApplicationError(
        f"{type(exc).__name__}: {exc}", type=type(exc).__name__, non_retryable=True
    )


def _observer(served: Served, body: JsonObject | None = None) -> RunObserver | None:
    """The spans of one activity's model call or tool call (None when nothing is
    recorded): under the activity's span, with no run span of their own and no hooks."""
    config = served.agent.config
    return observer_for(
        name=config.name,
        model=config.model,
        agent=config.agent,
        instrument=config.instrument,
        hooks=None,
        progress=RunState(pending_input=None),
        deps=None,
        previous_interaction_id=(body or {}).get("previous_interaction_id"),
    )


@activity.defn(name="agentloop.create")
async def create_interaction(request: CreateRequest) -> JsonObject:
    """Send one create request; the interaction as JSON-ready data."""
    async with _attempt():
        agent = registered(request.agent)
        body = cast(CreateInteractionBody, request.body)  # a non-streaming create body
        interactions = agent.agent.client.interactions
        observer = _observer(agent, request.body)
        if observer is None:
            interaction = await interactions.create(**body)
        else:
            await observer.request(request.body)
            try:
                interaction = await observer.http(interactions.create(**body))
            except BaseException as exc:
                observer.fail(exc if isinstance(exc, Exception) else None)
                raise
            observer.interaction_ended(interaction)
    return interaction.to_dict()


@activity.defn(name="agentloop.get")
async def get_interaction(request: GetRequest) -> JsonObject:
    """Poll one interaction; it as JSON-ready data."""
    async with _attempt():
        agent = registered(request.agent)
        interaction = await agent.agent.client.interactions.get(request.interaction_id)
    return interaction.to_dict()


@activity.defn(name="agentloop.tools")
async def list_tools(agent_name: str) -> list[JsonObject]:
    """The `tools` list of the agent's requests, its sources connected in this worker."""
    async with _attempt():
        session = await _session(registered(agent_name))
    return list(session.wire)


@asynccontextmanager
async def _heartbeats() -> AsyncGenerator[None, None]:
    """Heartbeat while a tool runs, when the activity has a heartbeat timeout (so a
    dead worker is noticed after that timeout, not after `start_to_close_timeout`)."""
    timeout = activity.info().heartbeat_timeout
    if not timeout:
        yield
        return
    every = max(timeout.total_seconds() / 3, 0.05)
    async with anyio.create_task_group() as group:

        async def beat() -> None:
            while True:
                activity.heartbeat()
                await anyio.sleep(every)

        group.start_soon(beat)
        try:
            yield
        finally:
            group.cancel_scope.cancel()


@activity.defn(name="agentloop.tool")
async def run_tool(request: ToolRequest) -> JsonObject:
    """Run one tool call: `{"result": <function_result>, "duration": seconds}`.

    Failures the model can read (unknown tool, bad arguments, exceptions, timeouts)
    are results, as in-process; a result past the payload limit becomes an error
    result saying so, since Temporal could not carry it.
    """
    agent = registered(request.agent)
    session = await _session(agent)
    config = agent.agent.config
    call = FunctionCallStep.model_validate(request.call)
    context: ToolContext[Any] = ToolContext(
        call_id=call.id,
        tool_name=call.name,
        interaction_id=request.interaction_id,
        agent_name=config.name,
        run_id=request.run_id,
        deps=agent.deps,
        usage=Usage(),
    )
    observer = _observer(agent)
    async with _heartbeats():
        outcomes = await dispatch_calls(
            [call],
            session.handlers,
            make_context=lambda _: context,
            timeout=config.tool_timeout,
            around=None if observer is None else observer.around,
        )
    outcome = outcomes[0]
    result = outcome.result
    size = len(json.dumps(result, default=str).encode())
    if size > request.payload_limit:
        result = {
            "type": "function_result",
            "call_id": call.id,
            "name": call.name,
            "result": (
                f"Tool {call.name!r} returned {size} bytes, past Temporal's payload limit "
                f"of {request.payload_limit} bytes: a durable run cannot carry it. Return "
                "a smaller result (a summary, or a reference to where the data is stored)."
            ),
            "is_error": True,
        }
    return {"result": result, "duration": outcome.duration}


ACTIVITIES = (create_interaction, get_interaction, list_tools, run_tool)
"""Every activity a worker serving agentloop runs needs."""
