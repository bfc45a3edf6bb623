"""`Chat`: a conversation with an agent, each run continuing the previous one."""

from __future__ import annotations

import functools
from collections.abc import AsyncGenerator, Iterator
from typing import Any, Generic

from .._sync import SyncIterator, refuse_inside_event_loop, run_sync
from .._tools.context import DepsT
from .events import RunEvent, RunFinishedEvent
from .result import OutputT, RunResult
from .runner import Runner
from .state import RunState

__all__ = ["Chat"]


class Chat(Generic[DepsT, OutputT]):
    """A conversation with an agent: every run continues where the last one ended.

    With `store=True` it chains `previous_interaction_id`; with `store=False` it keeps
    the full history (thought signatures included) and sends it each turn. Get one
    with `agent.chat()`.
    """

    def __init__(self, runner: Runner) -> None:
        self._runner = runner
        self.previous_interaction_id: str | None = None
        """The last interaction of the conversation (server-side state)."""
        self.history: list[Any] = []
        """Every step of the conversation (client-side state, `store=False`)."""
        self.results: list[RunResult[OutputT]] = []
        """The result of every run, in order."""

    def _state(self, input: Any) -> RunState:
        previous = self.previous_interaction_id if self._runner.config.store else None
        return self._runner.new_state(input, previous, self.history)

    def _record(self, state: RunState, result: RunResult[Any]) -> RunResult[OutputT]:
        self.previous_interaction_id = result.interaction_id
        self.history = state.history
        self.results.append(result)
        return result

    async def arun(self, input: Any, *, deps: DepsT = None) -> RunResult[OutputT]:  # type: ignore[assignment]
        """Send the next message and run until the agent answers."""
        state = self._state(input)
        return self._record(state, await self._runner.run(state, deps=deps))

    def run(self, input: Any, *, deps: DepsT = None) -> RunResult[OutputT]:  # type: ignore[assignment]
        """The blocking form of `arun`."""
        refuse_inside_event_loop("chat.run()", "await chat.arun(...)")
        return run_sync(functools.partial(self.arun, input, deps=deps))

    async def astream(
        self,
        input: Any,
        *,
        deps: DepsT = None,  # type: ignore[assignment]
    ) -> AsyncGenerator[RunEvent[OutputT], None]:
        """Send the next message, yielding the run's events."""
        state = self._state(input)
        async for event in self._runner.events(state, deps=deps):
            if isinstance(event, RunFinishedEvent):
                self._record(state, event.result)
            yield event

    def stream(self, input: Any, *, deps: DepsT = None) -> Iterator[RunEvent[OutputT]]:  # type: ignore[assignment]
        """The blocking form of `astream`."""
        refuse_inside_event_loop("chat.stream()", "chat.astream(...)")
        return SyncIterator(self.astream(input, deps=deps))
