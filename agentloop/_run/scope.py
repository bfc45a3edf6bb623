"""`RunScope`: what composition adds to one run, called by the driver at fixed points.

    before_request   usage limits (requests), history compaction, input guardrails
    create           the first request, concurrently with `parallel=True` input guardrails
    after_response   usage limits (tokens), when the run goes on
    before_tools     usage limits (tool calls), tool guardrails: before any call runs

The scope also links a tool round to the calls running in it (`ParentLink`, a
context variable set only while the round's calls run): a sub-agent run as a tool
reads it to count against its parent's limits, add its usage, pause the parent, and
call the parent's hooks (after its own) for its run too;
a handoff's transfer tool reads it to ask for the transfer.
"""

from __future__ import annotations

import contextvars
import inspect
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import anyio

from .._errors import GuardrailTripped, UsageLimitExceeded
from .._obs.hooks import HookError, HookSet
from .compaction import HistoryLimit, Summarize, compact
from .guardrails import Guardrail, GuardrailContext, Stage, check_all
from .limits import Spent, UsageLimits
from .state import RunState, ToolRound
from .steps import Finish

if TYPE_CHECKING:
    from .._http.client import AsyncClient

__all__ = ["Composition", "ParentLink", "RunScope", "current_link", "reads_link"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class Composition:
    """An agent's composition options (immutable; shared by its runs)."""

    usage_limits: UsageLimits | None = None
    input_guardrails: tuple[Guardrail, ...] = ()
    output_guardrails: tuple[Guardrail, ...] = ()
    tool_guardrails: tuple[Guardrail, ...] = ()
    history_limit: HistoryLimit | None = None
    handoffs: tuple[Any, ...] = ()
    """`Handoff`s, by target."""


@dataclass(slots=True, kw_only=True)
class Ancestor:
    """Limits above this run's own: a run above it (this run is one of its tool
    calls), or the chat this run is a turn of."""

    limits: UsageLimits
    spent: Spent
    """What was spent before the run above (or this turn) started."""
    state: RunState | None
    """The run above, whose spending so far counts too; None for a chat's limits at
    its turn's own run (the turn itself is the run being checked)."""
    chat: bool = False
    """A chat's limits (`agent.chat(usage_limits=...)`)."""

    def counted(self) -> Spent:
        return self.spent if self.state is None else self.spent.plus(self.state)


class RunScope:
    """One run's composition hooks (see the module docstring)."""

    def __init__(
        self,
        composition: Composition,
        *,
        client: AsyncClient,
        agent_name: str | None,
        deps: Any,
        parent: ParentLink | None = None,
        summarize: Summarize | None = None,
        check_input: bool = False,
        hooks: HookSet | None = None,
        above: Sequence[Ancestor] = (),
    ) -> None:
        self.composition = composition
        self.hooks = hooks
        self.client = client
        self.agent_name = agent_name
        self.deps = deps
        self.summarize = summarize
        self.ancestors: list[Ancestor] = [*above, *(parent.scope.chain() if parent else ())]
        self._input_pending = check_input
        self._parallel: tuple[Guardrail, ...] = ()  # input guardrails for `create`
        self._input_value: Any = None

    def chain(self) -> list[Ancestor]:
        """The limits a run inside one of this run's tool calls must respect too."""
        return self.ancestors

    def link(self, state: RunState, round: ToolRound) -> ParentLink:
        """The link a round's calls see; its scope passes this run's limits down."""
        own = self.composition.usage_limits
        # A chat's limits count this run's spending so far for the runs below it.
        chain = [
            a
            if a.state is not None
            else Ancestor(limits=a.limits, spent=a.spent, state=state, chat=a.chat)
            for a in self.ancestors
        ]
        if own is not None:
            chain.append(Ancestor(limits=own, spent=Spent(), state=state))
        return ParentLink(state=state, round=round, scope=_Chained(chain), hooks=self.hooks)

    def switch(self, composition: Composition, agent_name: str | None) -> None:
        """After a handoff: the target's guardrails and history limit (the run's
        usage limits stay those of the agent it started with)."""
        self.composition = Composition(
            usage_limits=self.composition.usage_limits,
            input_guardrails=(),
            output_guardrails=composition.output_guardrails,
            tool_guardrails=composition.tool_guardrails,
            history_limit=composition.history_limit,
            handoffs=composition.handoffs,
        )
        self.agent_name = agent_name

    def _limits(self, state: RunState) -> list[tuple[UsageLimits, Spent, bool]]:
        """Every limit on this run: (limits, spent before it, a chat's?)."""
        if not self.ancestors and self.composition.usage_limits is None:
            return []  # no limits (the common case): no comprehension to run
        limits = [(a.limits, a.counted(), a.chat) for a in self.ancestors]
        if self.composition.usage_limits is not None:
            limits.append((self.composition.usage_limits, Spent(), False))
        return limits

    def _context(self, stage: Stage) -> GuardrailContext:
        return GuardrailContext(
            stage=stage, agent_name=self.agent_name, client=self.client, deps=self.deps
        )

    async def before_request(self, state: RunState) -> None:
        for limits, spent, chat in self._limits(state):
            limits.check_request(spent, state, chat=chat)
            if chat:  # a conversation past its token budget sends nothing more
                limits.check_tokens(spent, state, chat=True)
        limit = self.composition.history_limit
        if limit is not None:
            await compact(limit, state, self.summarize)
        if self._input_pending and not self.composition.input_guardrails:
            self._input_pending = False  # nothing to check: no context to build
        if self._input_pending:
            guards = self.composition.input_guardrails
            now = tuple(g for g in guards if not g.parallel)
            self._parallel = tuple(g for g in guards if g.parallel)
            self._input_value = state.pending_input
            self._input_pending = False
            await check_all(now, state.pending_input, self._context("input"), state)

    @property
    def guards_create(self) -> bool:
        """Whether `create` runs input guardrails beside the request (else: await it)."""
        return bool(self._parallel)

    async def create(self, state: RunState, send: Awaitable[T]) -> T:
        """`await send` (a create call: its interaction, or its opened stream) with the
        parallel input guardrails beside it; a trip cancels the request, or closes
        the stream before anything of it is read."""
        guards = self._parallel
        if not guards:
            return await send
        self._parallel = ()
        outcome: dict[str, Any] = {}

        async with anyio.create_task_group() as group:

            async def guard() -> None:
                try:
                    await check_all(guards, self._input_value, self._context("input"), state)
                except GuardrailTripped as exc:
                    outcome["tripped"] = exc
                    group.cancel_scope.cancel()  # the request too: its answer is not wanted

            async def request() -> None:
                try:
                    outcome["reply"] = await send
                except Exception as exc:
                    outcome["error"] = exc
                    group.cancel_scope.cancel()

            group.start_soon(guard)
            group.start_soon(request)
        if inspect.iscoroutine(send) and "reply" not in outcome:
            send.close()  # tripped before the request even started: never sent
        if "tripped" in outcome:
            # A stream that opened before the check tripped: closed unread.
            aclose = getattr(outcome.get("reply"), "aclose", None)
            if aclose is not None:
                await aclose()
            raise outcome["tripped"]
        if "error" in outcome:
            raise outcome["error"]
        reply: T = outcome["reply"]
        return reply

    def after_response(self, state: RunState, decision: object) -> None:
        if isinstance(decision, Finish):
            return  # the answer is in: nothing more will be spent
        for limits, spent, chat in self._limits(state):
            limits.check_tokens(spent, state, chat=chat)

    async def before_tools(self, state: RunState) -> None:
        round = state.round
        if round is None:
            return
        for limits, spent, chat in self._limits(state):
            limits.check_tools(spent, state, chat=chat)
        guards = self.composition.tool_guardrails
        if guards:
            for call in round.unanswered:
                if call.id not in round.children:
                    await check_all(guards, call, self._context("tool"), state)

    async def check_input(self, state: RunState) -> None:
        """Every input guardrail, now (a background run checks before it starts)."""
        guards = self.composition.input_guardrails
        await check_all(guards, state.pending_input, self._context("input"), state)

    async def check_output(self, state: RunState, output: Any) -> None:
        guards = self.composition.output_guardrails
        if guards:  # the context only when a guardrail reads it
            await check_all(guards, output, self._context("output"), state)


@dataclass(slots=True)
class _Chained:
    """The limits a run started inside a tool call inherits."""

    ancestors: list[Ancestor]

    def chain(self) -> list[Ancestor]:
        return self.ancestors


@dataclass(slots=True, kw_only=True)
class ParentLink:
    """What the calls of one tool round may see of the run they serve."""

    state: RunState
    round: ToolRound
    scope: _Chained
    paused: dict[str, RunState] = field(default_factory=dict[str, RunState])
    """Sub-agent runs that paused for approval, by call id."""
    stopped: dict[str, UsageLimitExceeded] = field(default_factory=dict[str, UsageLimitExceeded])
    """Sub-agent runs stopped by a usage limit, by call id."""
    failed: dict[str, HookError] = field(default_factory=dict[str, HookError])
    """Sub-agent runs a hook stopped, by call id (the parent stops too)."""
    hooks: HookSet | None = None
    """The run's hooks (its own, then those it inherited): a sub-agent's run calls
    them too, after its own."""


_LINK: contextvars.ContextVar[ParentLink | None] = contextvars.ContextVar(
    "agentloop_parent_link", default=None
)


def reads_link(tool: object) -> bool:
    """Whether `tool`'s calls read the link of the round they run in (a tool class
    that does says so with `reads_link = True`: a sub-agent's, a handoff's)."""
    return getattr(tool, "reads_link", False) is True


def current_link() -> ParentLink | None:
    """The round whose calls are running in this task, if any."""
    return _LINK.get()


async def with_link(link: ParentLink, run: Awaitable[T]) -> T:
    """Await the coroutine `run` with `link` visible to the calls it starts (a
    coroutine reads context variables when it runs, not when it is made)."""
    token = _LINK.set(link)
    try:
        return await run
    finally:
        _LINK.reset(token)
