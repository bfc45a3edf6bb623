"""`Runner`: the internal handle every way of running an agent goes through.

An `Agent` is configuration; its `Runner` owns what a run needs besides the state:
the client, the tool session (MCP servers connected per run, or once for an
`async with agent:` block) and the entry points onto the one driver. `Chat`,
pipelines and background handles use it instead of the Agent's internals, so none
of them imports `agent.py` and `agent.py` may import all of them.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from contextlib import aclosing
from typing import TYPE_CHECKING, Any, Protocol, cast

from .._durable.checkpoints import CheckpointWriter
from .._errors import AgentloopError, UserError
from .._obs.hooks import HookSet
from .._obs.observer import RunObserver, observer_for
from .._wire.base import JsonObject
from .._wire.interaction import Interaction, Usage
from .._wire.requests import CreateInteractionBody
from .checkpointing import claimed, failed
from .events import HandoffEvent, RunEvent, RunFinishedEvent
from .observed import observed_events
from .result import RunResult, result_of
from .scope import Ancestor, Composition, ParentLink, RunScope
from .state import RunConfig, RunState
from .steps import build_request, finished_output
from .tool_search import ToolSearch, with_tool_search
from .toolset import ToolSession

if TYPE_CHECKING:
    from .._http.client import AsyncClient
    from .driver import ProgressCallback

__all__ = ["Runnable", "Runner"]


class Runner:
    """Runs one agent's configuration: states, tool sessions, the driver."""

    def __init__(
        self,
        config: RunConfig,
        client: AsyncClient | None,
        composition: Composition | None = None,
    ) -> None:
        self.config = config
        self.composition: Composition = composition or Composition()
        self._client = client
        self._held: ToolSession | None = None  # open across runs inside `async with agent:`

    def find(self, name: str | None) -> Runner:
        """The runner of `name`: this one, or one reachable through handoffs.

        Raises:
            UserError: no agent of that name is reachable.
        """
        if name is None or name == self.config.name:
            return self
        seen: set[int] = {id(self)}
        queue: list[Runner] = [self]
        while queue:
            for handoff in queue.pop(0).composition.handoffs:
                runner: Runner = handoff.agent.runner
                if runner.config.name == name:
                    return runner
                if id(runner) not in seen:
                    seen.add(id(runner))
                    queue.append(runner)
        raise UserError(
            f"this run is answered by agent {name!r}, which is not reachable through "
            f"the handoffs of agent {self.config.name!r}"
        )

    @staticmethod
    async def summarize(summarizer: Runnable, transcript: str) -> tuple[str, Usage]:
        """A summary of `transcript` by a `history_limit` summarizer agent, and the
        summarizer run's usage."""
        runner = summarizer.runner
        prompt = (
            "Summarise this conversation so it can continue without it. Keep facts, "
            "decisions, names and numbers; drop pleasantries.\n\n" + transcript
        )
        result = await runner.run(runner.new_state(prompt))
        return result.text, result.usage

    @property
    def client(self) -> AsyncClient:
        """The client requests go through (a default one, created on first use)."""
        if self._client is None:
            from .._http.client import AsyncClient  # lazy: httpx loads with the first client

            self._client = AsyncClient()
        return self._client

    def new_state(
        self,
        input: Any,
        previous_interaction_id: str | None = None,
        history: list[Any] | None = None,
        run_id: str | None = None,
    ) -> RunState:
        """The state of a new run of `input` (a checkpointed run gets a run id)."""
        if previous_interaction_id is not None and not self.config.store:
            raise UserError(
                "previous_interaction_id needs store=True; with store=False the history "
                "is sent in full (use agent.chat() to keep it)"
            )
        # Callers without a type checker may pass anything.
        if run_id is not None and (not isinstance(cast(object, run_id), str) or not run_id):
            raise UserError(f"run_id must be a non-empty string, not {run_id!r}")
        if run_id is None and self.config.checkpoints is not None:
            run_id = uuid.uuid4().hex
        return RunState(
            pending_input=input,
            run_id=run_id,
            store=self.config.store,
            previous_interaction_id=previous_interaction_id,
            history=list(history or []),
            output_retries_left=self.config.output_retries,
            agent_name=self.config.name,
        )

    def _writer(self, state: RunState) -> CheckpointWriter | None:
        if self.config.checkpoints is None or state.run_id is None:
            return None
        return CheckpointWriter(self.config.checkpoints, state.run_id)

    async def load(self, state_or_run_id: RunState | str) -> RunState:
        """A copy of the state to resume: the one given, or the run id's checkpoint.

        Raises:
            UserError: no such checkpoint, or a state this agent cannot continue.
        """
        if isinstance(state_or_run_id, str):
            if self.config.checkpoints is None:
                raise UserError(
                    "resuming by run id needs checkpoints= on the agent "
                    "(e.g. SQLiteCheckpoints('runs.db')); or pass the RunState itself"
                )
            text = await CheckpointWriter(self.config.checkpoints, state_or_run_id).load()
            if text is None:
                raise UserError(f"no checkpoint for run {state_or_run_id!r}")
            state = RunState.from_json(text)
            state._checkpoint = text  # pyright: ignore[reportPrivateUsage]
        # Callers without a type checker may pass anything.
        elif isinstance(state_or_run_id, RunState):  # pyright: ignore[reportUnnecessaryIsInstance]
            state = state_or_run_id.copy()
        else:
            raise UserError(
                f"resume() takes a RunState or a run id, not {type(state_or_run_id).__name__}"
            )
        if state.store != self.config.store:
            raise UserError(
                f"this state comes from a run with store={state.store}; resume it with an "
                f"agent that has store={state.store}"
            )
        from .rounds import check_tools  # lazy: tool rounds (and their models) load with a run

        check_tools(self.find(state.agent_name).config, state)
        if state.run_id is None and self.config.checkpoints is not None:
            state.run_id = uuid.uuid4().hex  # checkpointed from here on
        return state

    async def resume_events(
        self,
        state_or_run_id: RunState | str,
        *,
        approve: Sequence[str] = (),
        reject: Mapping[str, str] | None = None,
        deps: Any = None,
        emit: bool = True,
        stream: bool = True,
        link: ParentLink | None = None,
        above: Sequence[Ancestor] = (),
    ) -> AsyncGenerator[RunEvent[Any], None]:
        """The events of a resumed run, after recording `approve` / `reject`
        (`above`: a chat's limits, for a run that is one of its turns)."""
        state = await self.load(state_or_run_id)
        if state.status == "finished":
            if approve or reject:
                raise UserError(f"run {state.run_id!r} is finished: nothing to approve")
            yield RunFinishedEvent(result=result_of(state, finished_output(self.config, state)))
            return
        from .rounds import decide  # lazy, as in `load`

        decide(state, approve, reject)
        state.status = "running"
        events = self.events(
            state, deps=deps, emit=emit, stream=stream, new_run=False, link=link, above=above
        )
        async with aclosing(events):
            async for event in events:
                yield event

    async def hold_tools(self) -> None:
        """Connect tool sources once for every run until `release_tools()`."""
        if self._held is None:
            self._held = await self.config.toolset.open()

    async def release_tools(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            await held.aclose()

    def tool_session(self) -> contextlib.AbstractAsyncContextManager[ToolSession]:
        """The run's tools: the held session, or sources connected for this run only
        (deferred ones behind the tool search, with `tool_search=`)."""
        search, held = self.config.tool_search, self._held
        if held is None and self.config.toolset.sources:
            return self._connected(search)
        # Nothing to connect: a plain context, not two generator-based ones kept
        # alive for the whole run.
        session = held if held is not None else self.config.toolset.static_session()
        return contextlib.nullcontext(
            session if search is None else with_tool_search(session, search)
        )

    @contextlib.asynccontextmanager
    async def _connected(self, search: ToolSearch | None) -> AsyncGenerator[ToolSession, None]:
        session = await self.config.toolset.open()
        try:
            yield session if search is None else with_tool_search(session, search)
        finally:
            await session.aclose()

    def observer(
        self,
        state: RunState,
        deps: Any = None,
        parent: Any = None,
        inherited: HookSet | None = None,
        *,
        resumed: bool = False,
    ) -> RunObserver | None:
        """The observer of a run of `state` (None when nothing watches: no cost).
        `inherited`: the hooks of the run this one is a tool call of, called after
        the agent's own; a `resumed` run's span links to the span its state kept
        (`trace_context`)."""
        config = self.config
        hooks = config.hooks.then(inherited) if config.hooks is not None else inherited
        return observer_for(
            name=config.name,
            model=config.model,
            agent=config.agent,
            instrument=config.instrument,
            hooks=hooks,
            progress=state,
            deps=deps,
            previous_interaction_id=state.previous_interaction_id,
            parent=parent,
            resumes=state.trace_context if resumed else None,
        )

    def _observer(
        self, state: RunState, deps: Any, parent: Any, link: ParentLink | None, new_run: bool
    ) -> RunObserver | None:
        hooks = link.hooks if link is not None else None
        return self.observer(state, deps, parent, hooks, resumed=not new_run)

    def events(
        self,
        state: RunState,
        *,
        deps: Any = None,
        emit: bool = True,
        stream: bool = True,
        first: Interaction | None = None,
        on_progress: ProgressCallback | None = None,
        new_run: bool = True,
        parent: Any = None,
        link: ParentLink | None = None,
        above: Sequence[Ancestor] = (),
    ) -> AsyncGenerator[RunEvent[Any], None]:
        """The run's events, tools connected for as long as it goes on.

        A `new_run` with checkpoints refuses a run id that already has one (and
        runs the input guardrails). `parent`: the OpenTelemetry span the run's span
        goes under (a pipeline's). `link`: the parent round of a sub-agent's run
        (`agent.as_tool`). `above`: limits on more than this run (a chat's). After a
        handoff the run goes on with the target's runner.
        """
        observer = None  # made when the events start, by `_events`
        return self._events(
            state, observer, parent, deps, emit, stream, first, on_progress, new_run, link, above
        )

    async def _events(
        self,
        state: RunState,
        observer: RunObserver | None,
        parent: Any,
        deps: Any,
        emit: bool,
        stream: bool,
        first: Interaction | None,
        on_progress: ProgressCallback | None,
        new_run: bool,
        link: ParentLink | None,
        above: Sequence[Ancestor] = (),
    ) -> AsyncGenerator[RunEvent[Any], None]:
        if observer is None:  # `run` passes the one it made; `events` makes it here
            observer = self._observer(state, deps, parent, link, new_run)
        checkpoint, scope = await self._begin(
            state,
            deps,
            link,
            observer,
            new_run=new_run,
            check_input=new_run and first is None,
            above=above,
        )
        try:
            events = self._handed_on(
                state,
                scope,
                deps=deps,
                emit=emit,
                stream=stream,
                first=first,
                on_progress=on_progress,
                checkpoint=checkpoint,
                observer=observer,
            )
            async with aclosing(events):
                if observer is None:
                    async for event in events:
                        yield event
                    return
                async with aclosing(observed_events(observer, events, state, first)) as observed:
                    async for event in observed:
                        if (
                            checkpoint is not None
                            and isinstance(event, RunFinishedEvent)
                            and event.result.status == "awaiting_approval"
                        ):
                            # Again, now with the paused span's context: a resume by
                            # run id links to it too.
                            await checkpoint.save(state.to_json)
                        yield event
        except AgentloopError as exc:
            await failed(exc, state, checkpoint)
            raise
        finally:
            if checkpoint is not None:
                await checkpoint.release()

    async def _begin(
        self,
        state: RunState,
        deps: Any,
        link: ParentLink | None,
        observer: RunObserver | None,
        *,
        new_run: bool,
        check_input: bool,
        above: Sequence[Ancestor] = (),
    ) -> tuple[CheckpointWriter | None, RunScope]:
        """The run's checkpoint writer, holding the run's claim (a new run may not
        reuse a checkpointed run id), and its scope."""
        checkpoint = self._writer(state)
        if checkpoint is not None:
            await claimed(checkpoint, state, new_run)
        scope = RunScope(
            self.composition,
            client=self.client,
            agent_name=self.config.name,
            deps=deps,
            parent=link,
            summarize=Runner.summarize,
            check_input=check_input,
            hooks=observer.hooks if observer is not None else None,
            above=above,
        )
        answering = self.find(state.agent_name)
        if answering is not self:  # a resumed run, after a handoff: the limits stay ours
            scope.switch(answering.composition, answering.config.name)
        return checkpoint, scope

    async def _handed_on(
        self,
        state: RunState,
        scope: RunScope,
        *,
        deps: Any,
        emit: bool,
        stream: bool,
        first: Interaction | None,
        on_progress: ProgressCallback | None,
        checkpoint: CheckpointWriter | None,
        observer: RunObserver | None,
    ) -> AsyncGenerator[RunEvent, None]:
        """Drive the run with the agent answering it, then with each handoff target
        in turn; output guardrails check the final answer. (`run` inlines this loop
        without events for an unobserved run: a change here belongs there too.)"""
        runner = self.find(state.agent_name)
        while True:
            if state.transfer_to is not None and state.round is None:
                runner, handed = _hand_over(state, scope, runner, self)
                if emit:
                    yield handed
            finished: RunFinishedEvent | None = None
            async with runner.tool_session() as session:
                events = _drive()(
                    runner.config,
                    runner.client.interactions,
                    state,
                    session,
                    deps=deps,
                    emit=emit,
                    stream=stream,
                    first=first,
                    on_progress=on_progress,
                    checkpoint=checkpoint,
                    observer=observer,
                    scope=scope,
                )
                first = None
                async with aclosing(events):
                    async for event in events:
                        if isinstance(event, RunFinishedEvent):
                            finished = event
                        else:
                            yield event
            if finished is not None:
                if finished.result.status != "awaiting_approval":
                    await scope.check_output(state, finished.result.output)
                yield finished
                return

    async def run(
        self,
        state: RunState,
        *,
        deps: Any = None,
        first: Interaction | None = None,
        on_progress: ProgressCallback | None = None,
        new_run: bool = True,
        parent: Any = None,
        link: ParentLink | None = None,
        above: Sequence[Ancestor] = (),
    ) -> RunResult[Any]:
        """Drive `state` to its end (or pause) and return the result (no events built)."""
        observer = self._observer(state, deps, parent, link, new_run)
        if observer is not None:  # hooks and spans follow the run's events
            return await self.last(
                self._events(
                    state,
                    observer,
                    parent,
                    deps,
                    False,
                    False,
                    first,
                    on_progress,
                    new_run,
                    link,
                    above,
                )
            )
        # Unobserved, the run is `_handed_on` without its events, inlined here: the
        # driver's generator is the only one left under this coroutine (not three,
        # each with its `aclosing`, re-yielding the result and kept alive per run).
        checkpoint, scope = await self._begin(
            state,
            deps,
            link,
            None,
            new_run=new_run,
            check_input=new_run and first is None,
            above=above,
        )
        try:
            runner = self.find(state.agent_name)
            while True:
                if state.transfer_to is not None and state.round is None:
                    runner, _ = _hand_over(state, scope, runner, self)
                finished: RunFinishedEvent | None = None
                async with runner.tool_session() as session:
                    events = _drive()(
                        runner.config,
                        runner.client.interactions,
                        state,
                        session,
                        deps=deps,
                        first=first,
                        on_progress=on_progress,
                        checkpoint=checkpoint,
                        scope=scope,
                    )
                    first = None
                    # No `aclosing`: unemitting, the driver yields only its last event
                    # and returns, and this loop runs it to its end; an exception or a
                    # cancellation reaches this frame only through the driver's,
                    # which it ends too. So the generator is always finished here.
                    async for event in events:
                        assert isinstance(event, RunFinishedEvent)
                        finished = event
                if finished is not None:
                    if finished.result.status != "awaiting_approval":
                        await scope.check_output(state, finished.result.output)
                    return finished.result
        except AgentloopError as exc:
            await failed(exc, state, checkpoint)
            raise
        finally:
            if checkpoint is not None:
                await checkpoint.release()

    async def resume(
        self,
        state_or_run_id: RunState | str,
        *,
        approve: Sequence[str] = (),
        reject: Mapping[str, str] | None = None,
        deps: Any = None,
        link: ParentLink | None = None,
        above: Sequence[Ancestor] = (),
    ) -> RunResult[Any]:
        """Resume a paused, crashed or failed run and return its result."""
        events = self.resume_events(
            state_or_run_id,
            approve=approve,
            reject=reject,
            deps=deps,
            emit=False,
            stream=False,
            link=link,
            above=above,
        )
        return await self.last(events)

    @staticmethod
    async def last(events: AsyncGenerator[RunEvent[Any], None]) -> RunResult[Any]:
        """The result of the run `events` drive (the events themselves are dropped)."""
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
        if self.composition.input_guardrails:
            scope = RunScope(self.composition, client=self.client, agent_name=None, deps=None)
            await scope.check_input(state)
        async with self.tool_session() as session:
            body: JsonObject = build_request(self.config, state, session.wire)
        body["background"] = True
        observer = self.observer(state)
        if observer is None:
            interaction = await self.client.interactions.create(**cast(CreateInteractionBody, body))
        else:
            # Observed as a run of its own that ends once the interaction exists; the
            # run that waits for it (`wait()`) is another (linked by interaction id).
            await observer.run_started(state.pending_input)
            try:
                await observer.request(body)
                created = self.client.interactions.create(**cast(CreateInteractionBody, body))
                interaction = await observer.http(created)
            except BaseException as exc:
                observer.fail(exc if isinstance(exc, Exception) else None)
                raise
            observer.started_in_background(interaction)
        if self.config.checkpoints is not None:
            # Keyed by the interaction id, so `attach(id)` finds the run in any process.
            state.run_id = interaction.id
            state.current_interaction_id = interaction.id
            writer = self._writer(state)
            assert writer is not None
            await writer.save(state.to_json)
        return interaction


_driver: Callable[..., AsyncGenerator[RunEvent[Any], None]] | None = None


def _drive() -> Callable[..., AsyncGenerator[RunEvent[Any], None]]:
    """`driver.drive`, imported with the first run (it loads the HTTP layer); kept
    here, as an import statement in a function costs ~1 us per run."""
    global _driver
    if _driver is None:
        from .driver import drive

        _driver = drive
    return _driver


def _hand_over(
    state: RunState, scope: RunScope, source: Runner, origin: Runner
) -> tuple[Runner, HandoffEvent]:
    """Make the target of the handoff `state` asks for (its transfer call posted) the
    agent answering the run: its runner, and the event."""
    # By name, from the agent the run started with: what a resumed state can name,
    # and what lets two agents hand back and forth.
    target = origin.find(state.transfer_to)
    for handoff in source.composition.handoffs:
        if handoff.agent.runner is target and handoff.input_filter is not None:
            state.history = list(handoff.input_filter(list(state.history)))
    record = state.handoffs[-1] if state.handoffs else {}
    state.agent_name = target.config.name
    state.transfer_to = None
    scope.switch(target.composition, target.config.name)
    event = HandoffEvent(
        from_agent=source.config.name,
        to_agent=str(target.config.name),
        call_id=str(record.get("call_id", "")),
    )
    return target, event


class Runnable(Protocol):
    """What composition needs of an agent: its name and its run handle."""

    @property
    def name(self) -> str | None: ...

    @property
    def runner(self) -> Runner: ...
