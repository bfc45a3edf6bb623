"""Handles on background runs: start now, wait (or stream, or cancel) later, from anywhere.

`await agent.astart(input)` creates the interaction with `background: true` and
returns at once. The handle can be re-attached by id from another process
(`AsyncBackgroundRun.attach(id, agent=...)`), because everything it needs is on
the server. With `checkpoints=` on the agent, the run's state is kept under that
id too, so a re-attached handle continues where the run is (tool rounds already
answered are not answered again) instead of from the first interaction.
"""

from __future__ import annotations

import functools
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic

import anyio

from .._durable.checkpoints import CheckpointWriter
from .._sync import SyncIterator, run_sync
from .._wire.interaction import Interaction
from .._wire.steps import ThoughtStep
from .result import OutputT, RunResult, result_of
from .runner import Runnable
from .state import RunState
from .steps import finished_output

if TYPE_CHECKING:
    from .._wire.events import StreamEvent  # the stream models load with the HTTP layer

__all__ = ["AsyncBackgroundRun", "BackgroundProgress", "BackgroundRun"]


@dataclass(frozen=True, slots=True, kw_only=True)
class BackgroundProgress:
    """Where a background run stands, reported after every poll."""

    id: str
    status: str
    elapsed: float
    """Seconds since the handle started waiting."""
    thoughts: list[str]
    """The thought summaries the server has shown so far."""
    interaction: Interaction


def _thoughts(interaction: Interaction) -> list[str]:
    texts: list[str] = []
    for step in interaction.steps:
        if isinstance(step, ThoughtStep):
            texts.extend(getattr(block, "text", "") for block in step.summary or [])
    return [text for text in texts if text]


OnProgress = Callable[[BackgroundProgress], Awaitable[None] | None]


class AsyncBackgroundRun(Generic[OutputT]):
    """A background run of an agent, by interaction id.

    Attributes:
        id: the interaction's id (save it to re-attach later).
        interaction: the interaction as last seen.
    """

    def __init__(
        self,
        agent: Runnable,
        interaction: Interaction,
        state: RunState | None = None,
        *,
        from_checkpoint: bool = False,
    ) -> None:
        self.agent: Runnable = agent
        """The agent whose run this is."""
        self.interaction: Interaction = interaction
        """The interaction as last seen."""
        self._runner = agent.runner
        self._state = state or self._runner.new_state(None, run_id=interaction.id)
        # A checkpointed state knows where the run is; a fresh one starts at `interaction`.
        self._first = None if from_checkpoint else interaction

    @classmethod
    async def attach(cls, id: str, *, agent: Runnable) -> AsyncBackgroundRun[Any]:
        """Re-attach to a background run started elsewhere (same agent configuration).

        With `checkpoints=` on the agent, the run continues from its checkpoint:
        calls already answered are not answered (nor run) again, and a finished
        run's result comes back without a request.
        """
        runner = agent.runner
        store = runner.config.checkpoints
        if store is not None and await CheckpointWriter(store, id).load() is not None:
            state = await runner.load(id)
            latest = state.current_interaction_id or state.previous_interaction_id or id
            interaction = await runner.client.interactions.get(latest)
            return cls(agent, interaction, state, from_checkpoint=True)
        return cls(agent, await runner.client.interactions.get(id))

    @property
    def id(self) -> str:
        return self.interaction.id

    @property
    def status(self) -> str:
        """The status as last seen (`refresh()` to update)."""
        return self.interaction.status

    async def refresh(self) -> Interaction:
        """Fetch the interaction's current state."""
        self.interaction = await self._runner.client.interactions.get(self.id)
        return self.interaction

    async def cancel(self) -> Interaction:
        """Ask the server to stop the run; returns the interaction (status `cancelled`)."""
        self.interaction = await self._runner.client.interactions.cancel(self.id)
        return self.interaction

    async def wait(
        self, timeout: float | None = None, *, on_progress: OnProgress | None = None
    ) -> RunResult[OutputT]:
        """Poll until the run ends (then finish the agent loop) and return its result.

        Args:
            timeout: give up waiting after this many seconds (`TimeoutError`); the run
                goes on on the server, and `wait` can be called again.
            on_progress: called with a `BackgroundProgress` after every poll.

        Raises:
            TimeoutError: `timeout` passed before the run ended.
            RunError: `InteractionFailedError`, `RunCancelledError` or
                `MaxTurnsExceeded`, as `agent.run` raises them.
        """
        started = time.monotonic()

        async def report(interaction: Interaction) -> None:
            self.interaction = interaction
            if on_progress is None:
                return
            outcome = on_progress(
                BackgroundProgress(
                    id=interaction.id,
                    status=interaction.status,
                    elapsed=time.monotonic() - started,
                    thoughts=_thoughts(interaction),
                    interaction=interaction,
                )
            )
            if outcome is not None:
                await outcome

        if self._state.status == "finished":
            return result_of(self._state, finished_output(self._runner.config, self._state))
        self._state.status = "running"
        with anyio.fail_after(timeout):
            first, self._first = self._first, None
            return await self._runner.run(
                self._state, first=first, on_progress=report, new_run=False
            )

    async def stream(self, last_event_id: str | None = None) -> AsyncGenerator[StreamEvent, None]:
        """The run's server events as they happen (resuming after `last_event_id`)."""
        events = await self._runner.client.interactions.get(
            self.id, stream=True, last_event_id=last_event_id
        )
        async with events:
            async for event in events:
                yield event

    def __repr__(self) -> str:
        return f"AsyncBackgroundRun(id={self.id!r}, status={self.status!r})"


class BackgroundRun(Generic[OutputT]):
    """The blocking twin of `AsyncBackgroundRun`."""

    def __init__(self, run: AsyncBackgroundRun[OutputT]) -> None:
        self._run = run

    @classmethod
    def attach(cls, id: str, *, agent: Runnable) -> BackgroundRun[Any]:
        """Re-attach to a background run started elsewhere."""
        return cls(run_sync(functools.partial(AsyncBackgroundRun.attach, id, agent=agent)))

    @property
    def id(self) -> str:
        return self._run.id

    @property
    def status(self) -> str:
        return self._run.status

    @property
    def interaction(self) -> Interaction:
        return self._run.interaction

    def refresh(self) -> Interaction:
        return run_sync(self._run.refresh)

    def cancel(self) -> Interaction:
        return run_sync(self._run.cancel)

    def wait(
        self, timeout: float | None = None, *, on_progress: OnProgress | None = None
    ) -> RunResult[OutputT]:
        return run_sync(functools.partial(self._run.wait, timeout, on_progress=on_progress))

    def stream(self, last_event_id: str | None = None) -> Iterator[StreamEvent]:
        generator = self._run.stream(last_event_id)
        return SyncIterator(generator)

    def __repr__(self) -> str:
        return f"BackgroundRun(id={self.id!r}, status={self.status!r})"
