"""`Chat`: a conversation with an agent, each run continuing the previous one."""

from __future__ import annotations

import functools
from collections.abc import AsyncGenerator, Iterator, Mapping, Sequence
from typing import Any, Generic

from .._errors import UserError
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
    with `agent.chat()`. A run that pauses for approval pauses the chat: continue it
    with `chat.resume(approve=[...], reject={...})` before the next message.
    """

    def __init__(self, runner: Runner) -> None:
        self._runner = runner
        self.previous_interaction_id: str | None = None
        """The last interaction of the conversation (server-side state)."""
        self.history: list[Any] = []
        """Every step of the conversation (client-side state, `store=False`)."""
        self.results: list[RunResult[OutputT]] = []
        """The result of every run, in order."""
        self.paused: RunState | None = None
        """The state of the run waiting for approval, if the chat is paused."""
        self.environment_id: str | None = None
        """The managed agent's sandbox, once the API has named it (reused every turn)."""

    def _state(self, input: Any) -> RunState:
        if self.paused is not None:
            raise UserError(
                "the chat is paused on tool calls awaiting approval "
                f"({[p.call_id for p in self.paused.pending_approvals]}): "
                "call chat.resume(approve=[...], reject={...}) first"
            )
        previous = self.previous_interaction_id if self._runner.config.store else None
        state = self._runner.new_state(input, previous, self.history)
        state.environment_id = self.environment_id
        return state

    def _record(self, result: RunResult[Any]) -> RunResult[OutputT]:
        state = result.state
        assert state is not None
        self.previous_interaction_id = result.interaction_id
        self.history = state.history
        self.paused = state if result.status == "awaiting_approval" else None
        self.environment_id = state.environment_id
        self.results.append(result)
        return result

    def _paused_state(self) -> RunState:
        if self.paused is None:
            raise UserError("the chat is not paused: there is nothing to approve")
        return self.paused

    async def aresume(
        self,
        *,
        approve: Sequence[str] = (),
        reject: Mapping[str, str] | None = None,
        deps: DepsT = None,  # type: ignore[assignment]
    ) -> RunResult[OutputT]:
        """Continue the paused run with these decisions (see `Agent.aresume`)."""
        state = self._paused_state()
        result = await self._runner.resume(state, approve=approve, reject=reject, deps=deps)
        return self._record(result)

    def resume(
        self,
        *,
        approve: Sequence[str] = (),
        reject: Mapping[str, str] | None = None,
        deps: DepsT = None,  # type: ignore[assignment]
    ) -> RunResult[OutputT]:
        """The blocking form of `aresume`."""
        refuse_inside_event_loop("chat.resume()", "await chat.aresume(...)")
        return run_sync(functools.partial(self.aresume, approve=approve, reject=reject, deps=deps))

    async def arun(self, input: Any, *, deps: DepsT = None) -> RunResult[OutputT]:  # type: ignore[assignment]
        """Send the next message and run until the agent answers."""
        state = self._state(input)
        return self._record(await self._runner.run(state, deps=deps))

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
                self._record(event.result)
            yield event

    def stream(self, input: Any, *, deps: DepsT = None) -> Iterator[RunEvent[OutputT]]:  # type: ignore[assignment]
        """The blocking form of `astream`."""
        refuse_inside_event_loop("chat.stream()", "chat.astream(...)")
        return SyncIterator(self.astream(input, deps=deps))
