"""`AgentloopPlugin`: what a Temporal client, worker or replayer needs for agentloop.

On a client: the pydantic data converter (RunState, tool arguments and results are
pydantic/JSON data). On a worker or replayer, besides: the agents it serves, the
activities, `AgentWorkflow`, a sandbox passing `agentloop` through (it is
deterministic library code; the user's workflow modules stay sandboxed), and run
errors (`AgentloopError`) failing the workflow instead of retrying its task forever.
With instrumentation on (`agentloop.instrument()` before the plugin is built) and
OpenTelemetry installed, Temporal's `TracingInterceptor` too: activity spans, on any
worker, join the trace of the workflow that scheduled them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncGenerator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any, cast

from temporalio.contrib.pydantic import PydanticPayloadConverter
from temporalio.converter import DataConverter, DefaultPayloadConverter
from temporalio.plugin import SimplePlugin
from temporalio.worker import ReplayerConfig, WorkerConfig, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from .._errors import AgentloopError, UserError
from .._obs.config import is_instrumented, telemetry
from ._agent import TemporalAgent
from ._worker import ACTIVITIES, close_sessions, register
from ._workflow import AgentWorkflow

__all__ = ["AgentloopPlugin"]

PASSTHROUGH = ("agentloop",)
"""Modules workflow sandboxes import from outside (deterministic library code)."""
_TRACING: dict[int, Any] = {}
"""One `TracingInterceptor` per tracer: a client's plugin and its worker's share it
(Temporal adds a worker interceptor once when the client already has it)."""


def _tracing() -> list[Any]:
    """Temporal's `TracingInterceptor` on agentloop's tracer when instrumentation is
    on and OpenTelemetry is installed (activity spans join the workflow's trace)."""
    if not is_instrumented(None):
        return []
    tele = telemetry()
    if tele is None:
        return []
    try:
        from temporalio.contrib.opentelemetry import TracingInterceptor
    except ImportError:  # pragma: no cover - temporalio ships it; opentelemetry is here
        return []
    key = id(tele.tracer)
    if key not in _TRACING:
        _TRACING.clear()
        _TRACING[key] = TracingInterceptor(tele.tracer)
    return [_TRACING[key]]


def _converter(existing: DataConverter | None) -> DataConverter:
    if existing is None:
        existing = DataConverter.default
    if existing.payload_converter_class is DefaultPayloadConverter:
        return dataclasses.replace(existing, payload_converter_class=PydanticPayloadConverter)
    return existing  # a converter of the user's own: theirs to keep pydantic-aware


def _runner(*modules: str) -> Callable[[WorkflowRunner | None], WorkflowRunner]:
    def runner(existing: WorkflowRunner | None) -> WorkflowRunner:
        if existing is None:
            return SandboxedWorkflowRunner(
                restrictions=SandboxRestrictions.default.with_passthrough_modules(*modules)
            )
        if isinstance(existing, SandboxedWorkflowRunner):
            restrictions = existing.restrictions.with_passthrough_modules(*modules)
            return dataclasses.replace(existing, restrictions=restrictions)
        return existing  # unsandboxed: nothing to pass through

    return runner


def _adding(items: Sequence[Any]) -> Callable[[Sequence[Any] | None], Sequence[Any]]:
    """Append what is not there yet (a client's plugin is applied to its workers too)."""

    def add(existing: Sequence[Any] | None) -> Sequence[Any]:
        present = list(existing or [])
        return [*present, *(item for item in items if item not in present)]

    return add


@asynccontextmanager
async def _worker_lifetime() -> AsyncGenerator[None, None]:
    try:
        yield
    finally:
        await close_sessions()  # MCP connections this worker process opened


class AgentloopPlugin(SimplePlugin):
    """The Temporal plugin for agentloop: pass it to `Client.connect`, `Worker` and
    `Replayer` (`plugins=[AgentloopPlugin(...)]`).

    Args:
        agents: the `TemporalAgent`s this worker (or replayer) serves; each is found
            by its name, by `AgentWorkflow` and by the activities. A client needs none.
    """

    def __new__(cls, agents: Iterable[TemporalAgent[Any, Any]] = ()) -> AgentloopPlugin:
        # Temporal warns when a worker gets a plugin of the same type as its client's;
        # this one is idempotent, and the serving one gets its own type to say so.
        chosen: type[AgentloopPlugin] = cls
        if cls is AgentloopPlugin and agents:
            chosen = _ServingPlugin
        return object.__new__(chosen)

    def __init__(self, agents: Iterable[TemporalAgent[Any, Any]] = ()) -> None:
        chosen = list(agents)
        for agent in chosen:
            if not isinstance(cast(object, agent), TemporalAgent):
                raise UserError(
                    f"AgentloopPlugin(agents=...) takes TemporalAgent objects, not "
                    f"{type(agent).__name__}: wrap it, TemporalAgent(agent)"
                )
        names = [agent.name for agent in chosen]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise UserError(f"two agents are named {twice}: give each a distinct name")
        self.agents = chosen
        """The agents served (registered when a worker or replayer is configured)."""
        tracing = _tracing()
        passthrough = (*PASSTHROUGH, "opentelemetry") if tracing else PASSTHROUGH
        # temporalio types `activities` as a bare `Sequence[Callable]` (unknown return type)
        super().__init__(  # pyright: ignore[reportUnknownMemberType]
            "agentloop.AgentloopPlugin",
            data_converter=_converter,
            activities=_adding(ACTIVITIES),
            workflows=_adding([AgentWorkflow]),
            interceptors=tracing or None,
            workflow_runner=_runner(*passthrough),
            workflow_failure_exception_types=_adding([AgentloopError]),
            run_context=_worker_lifetime,
        )

    def configure_worker(self, config: WorkerConfig) -> WorkerConfig:
        """Register the agents in this process, then add activities and workflows."""
        for agent in self.agents:
            register(agent)
        return super().configure_worker(config)

    def configure_replayer(self, config: ReplayerConfig) -> ReplayerConfig:
        """Register the agents in this process, then configure the replayer."""
        for agent in self.agents:
            register(agent)
        return super().configure_replayer(config)


class _ServingPlugin(AgentloopPlugin):
    """An `AgentloopPlugin` with agents to serve (a worker's or a replayer's)."""
