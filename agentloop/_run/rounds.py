"""One tool round: approvals, running the calls that may run, pausing or completing it.

The driver hands a round here once the model asked for function calls (or when a
resumed state holds one). Calls that need approval and have none wait; the others
run, each result kept in the state (and checkpointed) as soon as it exists. The
round is posted only once every call has a result, in call order, so nothing is
sent twice and a finished call never runs again.

    decide(state, approve, reject)   record a person's decisions (pure)
    run_round(...)                   run what may run; complete the round or pause
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from .._errors import UsageLimitExceeded, UserError
from .._obs.observer import RunObserver
from .._tools.approval import needs_approval
from .._tools.context import ToolContext
from .._tools.dispatch import ToolCallOutcome, dispatch_calls
from .._wire.steps import FunctionCallStep
from .events import ApprovalRequestedEvent, ToolCallFinishedEvent, ToolCallStartedEvent
from .result import result_of
from .scope import ParentLink, RunScope, reads_link, with_link
from .state import RunConfig, RunState, ToolCallRecord, ToolRound
from .steps import after_tools, start_round
from .toolset import ToolSession

__all__ = ["RoundRun", "Save", "approval_events", "decide", "rejection", "run_round"]

Save = Callable[[], Awaitable[None]]
"""Checkpoint the run's state as it is now."""


def rejection(call: FunctionCallStep, reason: str) -> dict[str, Any]:
    """The error result a rejected call sends the model."""
    return {
        "type": "function_result",
        "call_id": call.id,
        "name": call.name,
        "result": f"The user rejected this call; it did not run. Reason: {reason}",
        "is_error": True,
    }


def decide(
    state: RunState, approve: Sequence[str] = (), reject: Mapping[str, str] | None = None
) -> None:
    """Record decisions on the paused round's calls.

    Raises:
        UserError: a call id that is not awaiting approval, or decided both ways.
    """
    reject = dict(reject or {})
    if isinstance(approve, str):
        raise UserError("approve= takes a list of call ids, e.g. approve=['call_1']")
    if not approve and not reject:
        return
    round = state.round
    if round is not None and round.children:
        approve, reject = _decide_children(round, list(approve), reject)
        if not approve and not reject:
            return
    pending = set(round.pending if round is not None else ())
    unknown = sorted((set(approve) | set(reject)) - pending)
    if unknown:
        raise UserError(
            f"calls {unknown} are not awaiting approval; pending: {sorted(pending) or 'none'}"
        )
    both = sorted(set(approve) & set(reject))
    if both:
        raise UserError(f"calls {both} are both approved and rejected")
    assert round is not None
    calls = {call.id: call for call in round.steps}
    for call_id in approve:
        if call_id not in round.approved:
            round.approved.append(call_id)
    for call_id, reason in reject.items():
        round.results[call_id] = rejection(calls[call_id], str(reason))
    round.pending = [i for i in round.pending if i not in approve and i not in reject]


def _decide_children(
    round: ToolRound, approve: list[str], reject: dict[str, str]
) -> tuple[list[str], dict[str, str]]:
    """Route decisions on paused sub-agents' calls to them; return the others.

    A sub-agent with a decision is approved to run again (it resumes with them)."""
    owner: dict[str, str] = {}
    for parent_call, child in round.children.items():
        for pending in RunState.from_dict(child).pending_approvals:
            owner[pending.call_id] = parent_call
    for call_id in [*approve, *reject]:
        if call_id not in owner:
            continue
        parent_call = owner[call_id]
        decisions = round.child_decisions.setdefault(parent_call, {"approve": [], "reject": {}})
        if call_id in reject:
            decisions["reject"][call_id] = str(reject[call_id])
        else:
            decisions["approve"].append(call_id)
        if parent_call in round.pending:
            round.pending.remove(parent_call)
            round.approved.append(parent_call)
    return (
        [i for i in approve if i not in owner],
        {i: reason for i, reason in reject.items() if i not in owner},
    )


def check_tools(config: RunConfig, state: RunState) -> None:
    """Refuse a resumed state whose unanswered calls name tools this agent lacks."""
    if state.round is None or config.toolset.sources:
        return  # a source's tools are known only once connected
    missing = sorted(
        {c.name for c in state.round.unanswered if c.name not in config.toolset.handlers}
    )
    if missing:
        raise UserError(
            f"this state is waiting on tools {missing}, which this agent does not have; "
            "resume it with an agent that has the same tools"
        )


def _context(
    config: RunConfig, state: RunState, deps: Any, interaction_id: str, call: FunctionCallStep
) -> ToolContext[Any]:
    return ToolContext(
        call_id=call.id,
        tool_name=call.name,
        interaction_id=interaction_id,
        agent_name=config.name,
        run_id=state.run_id,
        deps=deps,
        usage=state.usage,
    )


async def _plan(
    round: ToolRound, session: ToolSession, make_context: Callable[..., ToolContext[Any]]
) -> tuple[list[FunctionCallStep], list[FunctionCallStep]]:
    """The unanswered calls that may run now, and those that wait for approval."""
    runnable: list[FunctionCallStep] = []
    waiting: list[FunctionCallStep] = []
    for call in round.unanswered:
        tool = session.handlers.get(call.name)
        if call.id in round.approved or tool is None or call.arguments_error is not None:
            runnable.append(call)  # unknown tools and bad arguments fail without running
        elif getattr(tool, "requires_approval", False) is False:
            # The common case, decided without building a context and a coroutine per call.
            runnable.append(call)
        elif await needs_approval(tool, make_context(call), call.arguments):
            waiting.append(call)
        else:
            runnable.append(call)
    return runnable, waiting


class RoundRun:
    """One tool round under way, in the steps the driver takes between its events:

        await start()   max_turns checked; the calls that may run, those that wait
        await run()     run the calls that may run (`started` / `outcomes` around it)
        settle()        post-ready (`state.round` is None) or paused
                        (`state.status == "awaiting_approval"`)
        await report()  hooks told of the finished calls; the state checkpointed

    Not an async generator: the driver yields the round's events itself when it
    emits, so an `arun` round costs no generator, `aclosing` or re-yield of its own
    (and keeps none alive while the next request is out).

    A sub-agent (`agent.as_tool`) that pauses pauses this round with it; one stopped
    by a usage limit stops this run (its state kept in the round, to resume).
    """

    __slots__ = (
        "config",
        "deps",
        "link",
        "make_context",
        "observer",
        "outcomes",
        "round",
        "runnable",
        "save",
        "scope",
        "session",
        "state",
        "waiting",
    )

    def __init__(
        self,
        config: RunConfig,
        state: RunState,
        session: ToolSession,
        *,
        deps: Any,
        save: Save | None,
        observer: RunObserver | None = None,
        scope: RunScope | None = None,
    ) -> None:
        self.config = config
        self.state = state
        self.session = session
        self.deps = deps
        self.save = save
        self.observer = observer
        self.scope = scope
        self.runnable: list[FunctionCallStep] = []
        self.waiting: list[FunctionCallStep] = []
        self.outcomes: list[ToolCallOutcome] = []
        """The outcomes of the calls that finished (a paused sub-agent's excluded)."""
        self.link: ParentLink | None = None

    async def start(self) -> None:
        """Check `max_turns`; sort the unanswered calls into those that may run now
        and those that wait for approval."""
        config, state = self.config, self.state
        start_round(config, state)
        round = state.round
        assert round is not None
        self.round = round
        self.make_context = functools.partial(
            _context, config, state, self.deps, round.interaction_id
        )
        self.runnable, self.waiting = await _plan(round, self.session, self.make_context)
        # Only a round with a call that reads the link gets one: building it and setting
        # the context variable around the calls costs ~4 us per round, for nothing when
        # every call is a plain function (see `scope.reads_link`).
        handlers = self.session.handlers
        if self.scope is not None and any(reads_link(handlers.get(c.name)) for c in self.runnable):
            self.link = self.scope.link(state, round)

    def started(self) -> list[ToolCallStartedEvent]:
        """The events of the calls about to run."""
        return [
            ToolCallStartedEvent(call_id=call.id, name=call.name, arguments=call.arguments)
            for call in self.runnable
        ]

    async def run(self) -> None:
        """Run the calls that may run, each result kept in the round as it comes."""
        runnable, link, config = self.runnable, self.link, self.config
        if not runnable:
            return
        observer = self.observer
        if observer is not None:
            await observer.tools_starting(runnable)
        calls = dispatch_calls(
            runnable,
            self.session.handlers,
            make_context=self.make_context,
            timeout=config.tool_timeout,
            max_concurrency=config.max_concurrency,
            tool_errors=config.tool_errors,
            on_outcome=self._record,
            around=None if observer is None else observer.around,
        )
        outcomes = await (calls if link is None else with_link(link, calls))
        if link is not None:
            if link.failed:
                raise next(iter(link.failed.values()))
            if link.stopped:
                raise _stopped(self.state, link)
            self.waiting.extend(c for c in runnable if c.id in link.paused)
            outcomes = [o for o in outcomes if o.call.id not in link.paused]
        self.outcomes = outcomes

    def finished(self) -> list[ToolCallFinishedEvent]:
        """The events of the finished calls, in the order they finished, each with
        its own duration."""
        return [
            ToolCallFinishedEvent(
                call_id=outcome.call.id,
                name=outcome.call.name,
                result=outcome.result["result"],
                is_error=outcome.is_error,
                duration=outcome.duration,
            )
            for outcome in sorted(self.outcomes, key=lambda o: o.finished_at)
        ]

    def settle(self) -> None:
        """Pause the run on the calls that wait, or make the results the next input."""
        self.round.pending = [call.id for call in self.waiting]
        if self.waiting:
            self.state.status = "awaiting_approval"
        else:
            after_tools(self.state)

    async def report(self) -> None:
        """Tell the hooks of the finished calls, and checkpoint the state."""
        observer, outcomes = self.observer, self.outcomes
        if observer is not None and outcomes:
            # After the round is recorded, so hooks see its turn counted.
            records = [record_of(outcome, self.round.interaction_id) for outcome in outcomes]
            await observer.tools_finished([outcome.call for outcome in outcomes], records)
        if self.save is not None:
            # After the tools ran and before their results are posted: a crash from here
            # on resumes by posting them, never by running the tools again.
            await self.save()

    async def _record(self, outcome: ToolCallOutcome) -> None:
        round, call_id = self.round, outcome.call.id
        child = _child_state(self.link, call_id)
        if child is not None:  # a paused or stopped sub-agent: no result yet
            round.children[call_id] = child.to_dict()
            round.child_decisions.pop(call_id, None)
            if call_id in round.approved:
                round.approved.remove(call_id)
            if self.save is not None:
                await self.save()
            return
        round.children.pop(call_id, None)
        round.child_decisions.pop(call_id, None)
        round.results[call_id] = outcome.result
        round.durations[call_id] = outcome.duration
        if outcome.exception is not None:
            round.exceptions[call_id] = outcome.exception
        if call_id in round.approved:
            round.approved.remove(call_id)
        if self.save is not None:
            await self.save()


def approval_events(state: RunState) -> list[ApprovalRequestedEvent]:
    """The events of a paused run's calls waiting for a decision."""
    return [
        ApprovalRequestedEvent(call_id=p.call_id, name=p.name, arguments=p.arguments)
        for p in state.pending_approvals
    ]


async def run_round(
    config: RunConfig,
    state: RunState,
    session: ToolSession,
    *,
    deps: Any,
    save: Save | None,
    observer: RunObserver | None = None,
    scope: RunScope | None = None,
) -> None:
    """Run the round's calls that may run, without events (see `RoundRun`)."""
    rnd = RoundRun(config, state, session, deps=deps, save=save, observer=observer, scope=scope)
    await rnd.start()
    await rnd.run()
    rnd.settle()
    await rnd.report()


def _child_state(link: ParentLink | None, call_id: str) -> RunState | None:
    if link is None:
        return None
    if call_id in link.paused:
        return link.paused[call_id]
    stopped = link.stopped.get(call_id)
    return None if stopped is None else stopped.state


def _stopped(state: RunState, link: ParentLink) -> UsageLimitExceeded:
    """This run's error for a sub-agent stopped by a (shared) usage limit."""
    call_id, child = next(iter(link.stopped.items()))
    return UsageLimitExceeded(
        f"the sub-agent of call {call_id!r} stopped: {child.message}",
        result=result_of(state),
        state=state,
        limit=child.limit,
        value=child.value,
        maximum=child.maximum,
    )


def record_of(outcome: ToolCallOutcome, interaction_id: str) -> ToolCallRecord:
    """The record of one finished call (what `on_tool_end` hooks receive)."""
    return ToolCallRecord(
        call_id=outcome.call.id,
        name=outcome.call.name,
        arguments=outcome.call.arguments,
        result=outcome.result["result"],
        is_error=outcome.is_error,
        duration=outcome.duration,
        interaction_id=interaction_id,
        exception=outcome.exception,
    )
