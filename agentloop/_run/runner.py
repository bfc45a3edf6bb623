"""`Runner`: the internal handle every way of running an agent goes through.

An `Agent` is configuration; its `Runner` owns what a run needs besides the state:
the client, the tool session (MCP servers connected per run, or once for an
`async with agent:` block) and the entry points onto the one driver. `Chat`,
pipelines and background handles use it instead of the Agent's internals, so none
of them imports `agent.py` and `agent.py` may import all of them.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any, Protocol, cast

from .._errors import UserError
from .._http.client import AsyncClient
from .._wire.base import JsonObject
from .._wire.interaction import Interaction
from .._wire.requests import CreateInteractionBody
from .driver import ProgressCallback, drive
from .events import RunEvent, RunFinishedEvent
from .result import RunResult
from .state import RunConfig, RunState
from .steps import build_request
from .toolset import ToolSession

__all__ = ["Runnable", "Runner"]


class Runner:
    """Runs one agent's configuration: states, tool sessions, the driver."""

    def __init__(self, config: RunConfig, client: AsyncClient | None) -> None:
        self.config = config
        self._client = client
        self._held: ToolSession | None = None  # open across runs inside `async with agent:`

    @property
    def client(self) -> AsyncClient:
        """The client requests go through (a default one, created on first use)."""
        if self._client is None:
            self._client = AsyncClient()
        return self._client

    def new_state(
        self,
        input: Any,
        previous_interaction_id: str | None = None,
        history: list[Any] | None = None,
    ) -> RunState:
        """The state of a new run of `input`."""
        if previous_interaction_id is not None and not self.config.store:
            raise UserError(
                "previous_interaction_id needs store=True; with store=False the history "
                "is sent in full (use agent.chat() to keep it)"
            )
        return RunState(
            pending_input=input,
            previous_interaction_id=previous_interaction_id,
            history=list(history or []),
            output_retries_left=self.config.output_retries,
        )

    async def hold_tools(self) -> None:
        """Connect tool sources once for every run until `release_tools()`."""
        if self._held is None:
            self._held = await self.config.toolset.open()

    async def release_tools(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            await held.aclose()

    @contextlib.asynccontextmanager
    async def tool_session(self) -> AsyncGenerator[ToolSession]:
        """The run's tools: the held session, or sources connected for this run only."""
        if self._held is not None:
            yield self._held
            return
        if not self.config.toolset.sources:
            yield self.config.toolset.static_session()
            return
        session = await self.config.toolset.open()
        try:
            yield session
        finally:
            await session.aclose()

    async def events(
        self,
        state: RunState,
        *,
        deps: Any = None,
        emit: bool = True,
        stream: bool = True,
        first: Interaction | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> AsyncGenerator[RunEvent[Any], None]:
        """The run's events, tools connected for as long as it goes on."""
        async with self.tool_session() as session:
            events = drive(
                self.config,
                self.client.interactions,
                state,
                session,
                deps=deps,
                emit=emit,
                stream=stream,
                first=first,
                on_progress=on_progress,
            )
            async with aclosing(events):
                async for event in events:
                    yield event

    async def run(
        self,
        state: RunState,
        *,
        deps: Any = None,
        first: Interaction | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> RunResult[Any]:
        """Drive `state` to its end and return the result (no events built)."""
        events = self.events(
            state, deps=deps, emit=False, stream=False, first=first, on_progress=on_progress
        )
        async with aclosing(events):
            async for event in events:
                if isinstance(event, RunFinishedEvent):
                    return event.result
        raise AssertionError("the driver ended without a run_finished event")  # pragma: no cover

    async def start(self, state: RunState) -> Interaction:
        """Create the run's first interaction in the background; return it at once.

        Sources (MCP servers) are connected just long enough to declare their tools,
        so a background run declares the same tools as any other run.
        """
        if not self.config.store:
            raise UserError("a background run must be stored: use store=True")
        async with self.tool_session() as session:
            body: JsonObject = build_request(self.config, state, session.wire)
        body["background"] = True
        return await self.client.interactions.create(**cast(CreateInteractionBody, body))


class Runnable(Protocol):
    """What composition needs of an agent: its name and its run handle."""

    @property
    def name(self) -> str | None: ...

    @property
    def runner(self) -> Runner: ...
