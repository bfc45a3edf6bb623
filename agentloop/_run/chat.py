"""`Chat`: a conversation with an agent, each run continuing the previous one.

With a session store (`agent.chat(session_id=..., sessions=SQLiteSessions(path))`)
the conversation is loaded before every turn and saved after it: with store=True
as the chain of interaction ids (the server keeps the transcript), with
store=False as the history. A turn saved by another writer after this chat loaded
the session is refused (`SessionConflictError`), never merged silently.

`usage_limits=` caps the whole conversation: what every turn spent (a failed one
too) is counted, and saved with the session, so the cap holds across restarts.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import AsyncGenerator, Iterator, Mapping, Sequence
from typing import Any, Generic, cast

from .._durable.sessions import Sessions, check_sessions
from .._durable.sessions import load as load_session
from .._durable.sessions import save as save_session
from .._errors import AgentloopError, SessionConflictError, UserError
from .._sync import SyncIterator, refuse_inside_event_loop, run_sync
from .._tools.context import DepsT
from .._wire.base import JsonObject
from .._wire.interaction import Usage
from .events import RunEvent, RunFinishedEvent
from .limits import Spent, UsageLimits
from .result import OutputT, RunResult
from .runner import Runner
from .scope import Ancestor
from .state import RunState

__all__ = ["Chat"]


class Chat(Generic[DepsT, OutputT]):
    """A conversation with an agent: every run continues where the last one ended.

    With `store=True` it chains `previous_interaction_id`; with `store=False` it keeps
    the full history (thought signatures included) and sends it each turn. Get one
    with `agent.chat()`. A run that pauses for approval pauses the chat: continue it
    with `chat.resume(approve=[...], reject={...})` before the next message.
    """

    def __init__(
        self,
        runner: Runner,
        *,
        session_id: str | None = None,
        sessions: Sessions | None = None,
        usage_limits: UsageLimits | None = None,
    ) -> None:
        if (session_id is None) != (sessions is None):
            raise UserError(
                "a saved chat needs both session_id= and sessions= "
                "(e.g. agent.chat(session_id='user-42', sessions=SQLiteSessions('chats.db')))"
            )
        if session_id is not None and (
            not isinstance(cast(object, session_id), str) or not session_id
        ):
            raise UserError(f"session_id must be a non-empty string, not {session_id!r}")
        self._runner = runner
        self.session_id = session_id
        """The session this chat is saved under, if any."""
        self._sessions = None if sessions is None else check_sessions(sessions)
        self._version = 0
        self.previous_interaction_id: str | None = None
        """The last interaction of the conversation (server-side state)."""
        self.interaction_ids: list[str] = []
        """Every interaction of the conversation, in order (store=True)."""
        self._history: list[Any] = []
        self._history_tokens: int | None = None
        self.results: list[RunResult[OutputT]] = []
        """The result of every run, in order."""
        self.paused: RunState | None = None
        """The state of the run waiting for approval, if the chat is paused."""
        self.environment_id: str | None = None
        """The managed agent's sandbox, once the API has named it (reused every turn)."""
        self.usage_limits = usage_limits
        """Caps on the whole conversation (every turn's runs together), if any."""
        self._spent = Spent()  # by the turns that ended (a paused one counts when it ends)

    @property
    def requests(self) -> int:
        """Create requests the conversation's ended turns made."""
        return self._spent.requests

    @property
    def tool_calls(self) -> int:
        """Tool calls the conversation's ended turns ran."""
        return self._spent.tool_calls

    @property
    def usage(self) -> Usage:
        """Tokens the conversation's ended turns spent (`total_input_tokens`,
        `total_output_tokens`, `total_tokens`)."""
        return self._spent.usage

    def _above(self) -> tuple[Ancestor, ...]:
        """The chat's limits, for its turn's run to respect."""
        if self.usage_limits is None:
            return ()
        return (Ancestor(limits=self.usage_limits, spent=self._spent, state=None, chat=True),)

    async def _failed(self, error: AgentloopError, since: RunState | None) -> None:
        """Count what a failed turn spent (after `since`, the paused state it resumed:
        that part counts when the turn ends), and save it with the session."""
        if not isinstance(error.state, RunState):
            return
        self._spent = self._spent.plus(error.state, since)
        # Another writer's turn may have come first: the run's own error is the news.
        with contextlib.suppress(SessionConflictError):
            await self._save()

    def _state(self, input: Any) -> RunState:
        if self.paused is not None:
            raise UserError(
                "the chat is paused on tool calls awaiting approval "
                f"({[p.call_id for p in self.paused.pending_approvals]}): "
                "call chat.resume(approve=[...], reject={...}) first"
            )
        previous = self.previous_interaction_id if self._runner.config.store else None
        state = self._runner.new_state(input, previous, self._history)
        state.history_tokens = self._history_tokens
        state.environment_id = self.environment_id
        return state

    async def _load(self) -> None:
        """Pick up the session as saved (another process may have added turns)."""
        if self._sessions is None or self.session_id is None:
            return
        found = await load_session(self._sessions, self.session_id)
        if found is None:
            return
        self._version, text = found
        data = json.loads(text)
        if bool(data.get("store")) != self._runner.config.store:
            raise UserError(
                f"session {self.session_id!r} was saved by an agent with "
                f"store={data.get('store')}; open it with the same store="
            )
        self.interaction_ids = list(data.get("interaction_ids") or [])
        self.previous_interaction_id = self.interaction_ids[-1] if self.interaction_ids else None
        self._history = list(data.get("history") or [])
        self._history_tokens = data.get("history_tokens")
        spent: dict[str, Any] = data.get("spent") or {}
        self._spent = Spent(
            requests=int(spent.get("requests", 0)),
            tool_calls=int(spent.get("tool_calls", 0)),
            usage=Usage.model_validate(spent.get("usage") or {}),
        )
        paused = data.get("paused")
        self.paused = None if paused is None else RunState.from_dict(paused)

    async def _save(self) -> None:
        if self._sessions is None or self.session_id is None:
            return
        data = {
            "store": self._runner.config.store,
            "interaction_ids": self.interaction_ids,
            "history": self._history,
            "history_tokens": self._history_tokens,
            "paused": None if self.paused is None else self.paused.to_dict(),
            "spent": {
                "requests": self._spent.requests,
                "tool_calls": self._spent.tool_calls,
                "usage": self._spent.usage.to_dict(),
            },
        }
        self._version = await save_session(
            self._sessions, self.session_id, json.dumps(data), self._version
        )

    async def _record(self, result: RunResult[Any]) -> RunResult[OutputT]:
        state = result.state
        assert state is not None
        known = set(self.interaction_ids)
        self.interaction_ids.extend(i.id for i in result.interactions if i.id not in known)
        self.previous_interaction_id = result.interaction_id or self.previous_interaction_id
        self._history = state.history
        self._history_tokens = state.history_tokens
        if state.interactions and state.interactions[-1].usage is not None:
            usage = state.interactions[-1].usage
            if usage.total_input_tokens is not None:
                self._history_tokens = usage.total_input_tokens + (usage.total_output_tokens or 0)
        self.paused = state if result.status == "awaiting_approval" else None
        if self.paused is None:  # the turn ended: all it spent counts now
            self._spent = self._spent.plus(state)
        self.environment_id = state.environment_id
        self.results.append(result)
        try:
            await self._save()
        except SessionConflictError as exc:
            exc.state = state
            raise
        return result

    async def ahistory(self) -> list[JsonObject]:
        """Every step of the conversation, oldest first: the client-side history
        (store=False), or rebuilt from the server's interactions (store=True)."""
        await self._load()
        if not self._runner.config.store:
            return list(self._history)
        steps: list[JsonObject] = []
        for interaction_id in self.interaction_ids:
            interaction = await self._runner.client.interactions.get(interaction_id)
            steps.extend(step.to_dict() for step in interaction.steps)
        return steps

    def history(self) -> list[JsonObject]:
        """The blocking form of `ahistory`."""
        refuse_inside_event_loop("chat.history()", "await chat.ahistory()")
        return run_sync(self.ahistory)

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
        await self._load()
        state = self._paused_state()
        try:
            result = await self._runner.resume(
                state, approve=approve, reject=reject, deps=deps, above=self._above()
            )
        except AgentloopError as exc:
            await self._failed(exc, since=state)
            raise
        return await self._record(result)

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
        await self._load()
        state = self._state(input)
        try:
            result = await self._runner.run(state, deps=deps, above=self._above())
        except AgentloopError as exc:
            await self._failed(exc, since=None)
            raise
        return await self._record(result)

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
        await self._load()
        state = self._state(input)
        try:
            async for event in self._runner.events(state, deps=deps, above=self._above()):
                if isinstance(event, RunFinishedEvent):
                    await self._record(event.result)
                yield event
        except AgentloopError as exc:
            await self._failed(exc, since=None)
            raise

    def stream(self, input: Any, *, deps: DepsT = None) -> Iterator[RunEvent[OutputT]]:  # type: ignore[assignment]
        """The blocking form of `astream`."""
        refuse_inside_event_loop("chat.stream()", "chat.astream(...)")
        return SyncIterator(self.astream(input, deps=deps))
