"""`Agent`: configuration, and the run / arun / stream / astream / start faces.

The Agent holds what does not change between runs. Running it goes through its
`Runner` (`runner.py`) onto the one driver; per-run state is a `RunState`. Blocking
faces bridge through `_sync.py` and nowhere else.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, cast, overload

from .._durable.checkpoints import Checkpoints, check_store
from .._durable.sessions import Sessions
from .._errors import UserError
from .._obs.hooks import HookSet, RunHooks
from .._sync import SyncIterator, refuse_inside_event_loop, run_sync
from .._tools.context import DepsT
from .._wire.base import JsonObject
from .agent_tool import AgentTool
from .background import AsyncBackgroundRun, BackgroundRun
from .chat import Chat
from .compaction import HistoryLimit
from .environment import Environment, environment_wire
from .events import RunEvent
from .guardrails import GuardrailLike, as_guardrails
from .handoffs import HandoffLike, TransferTool, as_handoffs
from .limits import UsageLimits
from .output import output_spec
from .pipeline import Pipeline, PipelineStep
from .result import OutputT, RunResult
from .runner import Runnable, Runner
from .scope import Composition
from .state import OnMaxTurns, RunConfig, RunState
from .tool_search import ToolSearch, tool_search_for
from .toolset import ToolLike, Toolset

if TYPE_CHECKING:  # the HTTP layer (httpx) loads with the first request, not the Agent
    from .._http.client import AsyncClient, Client
    from .._tools.dispatch import ToolErrorMode

__all__ = ["Agent"]

_D = TypeVar("_D")  # an overload's own deps type (pyright wants no class TypeVar in `self`)

_RESERVED_BODY_FIELDS = frozenset({"input", "stream", "previous_interaction_id"})


class Agent(Generic[DepsT, OutputT]):
    """An agent: a model (or a server-side agent) with instructions, tools and limits.

    Args:
        model: the model id, e.g. `"gemini-2.5-flash"`. Exactly one of `model`/`agent`.
        agent: a server-side agent id, e.g. `"deep-research-pro-preview-12-2025"`.
        instructions: the system instruction.
        tools: `@tool` functions, plain typed functions, built-in tools
            (`GoogleSearch()`, ...) and raw tool dicts.
        response_format: a pydantic model (or other typed value, or a JSON schema
            dict); the answer is parsed into it (`result.output`).
        generation_config: sampling and thinking options, as the API spells them.
        response_modalities: what the answer may hold, e.g. `["IMAGE"]` for an image model.
        store: True keeps state on the server (`previous_interaction_id`); False
            keeps the whole history client-side and sends it every turn.
        max_turns: tool rounds allowed; a run makes at most `max_turns + 1` requests
            (plus continuation hops, output retries and the optional final answer).
        on_max_turns: `"raise"` (MaxTurnsExceeded) or `"final_answer"` (one more
            request, tools disabled, asking for an answer).
        output_retries: extra requests allowed when the answer does not parse.
        tool_timeout: seconds per tool call for tools without their own timeout.
        max_concurrency: at most this many tool calls at once (None: no limit).
        tool_errors: `"return"` sends tool failures to the model as error results;
            `"raise"` raises them.
        agent_config: the server-side agent's config (e.g. `{"type": "deep-research"}`).
        environment: a managed agent's sandbox: an `Environment(...)` or an environment
            id; a chat reuses the sandbox the API created across turns.
        tool_search: declare `@tool(defer_loading=True)` tools (and MCP servers' tools)
            only when the model's tool search finds them; `True`, or a `ToolSearch`
            with a limit or a ranker of your own.
        background: run the interaction in the background and poll it to the end.
        poll_interval: first wait between polls, in seconds (grows to `poll_max_interval`).
        poll_max_interval: longest wait between polls.
        name: a name for logs and `ToolContext.agent_name`.
        client: the `AsyncClient` (or `Client`) to use; a default one otherwise.
        deps_type: the type of `deps=` the agent's runs take (checked by type checkers,
            carried to tools as `ToolContext[DepsT].deps`).
        extra_body: other create fields passed as is (`service_tier`,
            `safety_settings`, fields the API adds before agentloop does).
        checkpoints: a store (`SQLiteCheckpoints("runs.db")`, `MemoryCheckpoints()`,
            or anything with save/load/delete) the run's state is saved to after
            every step, so `agent.resume(run_id)` continues it after a crash.
        hooks: `RunHooks` objects called at each point of every run, in order.
        instrument: trace and measure this agent's runs (OpenTelemetry spans and
            metrics, `result.trace`); None follows `agentloop.instrument()`.
        description: what the agent does, for other agents: the default description
            of its handoff tool.
        handoffs: agents (or `Handoff`s) this one may pass the conversation to; one
            `transfer_to_<name>` tool each. `result.agent_name` says who answered.
        usage_limits: caps on requests, tool calls and tokens per run
            (`UsageLimitExceeded`, resumable).
        input_guardrails: checks on the run's input, before the first request (or
            in parallel with it: `Guardrail(..., parallel=True)`).
        output_guardrails: checks on the final output.
        tool_guardrails: checks on each tool call's arguments, before any call runs.
        history_limit: `store=False` only: compact the history past a token budget.
    """

    # The overloads only choose the type arguments: a `response_format` type gives
    # OutputT, a JSON schema dict gives Any, nothing gives str (and no `deps_type`,
    # None). Their options must match the implementation's (a test checks).
    @overload
    def __init__(
        self,
        model: str | None = None,
        *,
        agent: str | None = None,
        instructions: str | None = None,
        tools: Iterable[ToolLike] = (),
        response_format: type[OutputT] | None = None,
        generation_config: JsonObject | None = None,
        response_modalities: Sequence[str] | None = None,
        store: bool = True,
        max_turns: int = 10,
        on_max_turns: OnMaxTurns = "raise",
        output_retries: int = 1,
        tool_timeout: float | None = None,
        max_concurrency: int | None = None,
        tool_errors: ToolErrorMode = "return",
        agent_config: JsonObject | None = None,
        environment: Environment | str | None = None,
        tool_search: bool | ToolSearch = False,
        background: bool = False,
        poll_interval: float = 2.0,
        poll_max_interval: float = 30.0,
        name: str | None = None,
        client: AsyncClient | Client | None = None,
        deps_type: type[DepsT] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        checkpoints: Checkpoints | None = None,
        hooks: Sequence[RunHooks] = (),
        instrument: bool | None = None,
        description: str | None = None,
        handoffs: Sequence[HandoffLike] = (),
        usage_limits: UsageLimits | None = None,
        input_guardrails: Sequence[GuardrailLike] = (),
        output_guardrails: Sequence[GuardrailLike] = (),
        tool_guardrails: Sequence[GuardrailLike] = (),
        history_limit: HistoryLimit | None = None,
    ) -> None: ...

    @overload
    def __init__(
        self: Agent[None, Any],
        model: str | None = None,
        *,
        agent: str | None = None,
        instructions: str | None = None,
        tools: Iterable[ToolLike] = (),
        response_format: JsonObject | list[JsonObject],
        generation_config: JsonObject | None = None,
        response_modalities: Sequence[str] | None = None,
        store: bool = True,
        max_turns: int = 10,
        on_max_turns: OnMaxTurns = "raise",
        output_retries: int = 1,
        tool_timeout: float | None = None,
        max_concurrency: int | None = None,
        tool_errors: ToolErrorMode = "return",
        agent_config: JsonObject | None = None,
        environment: Environment | str | None = None,
        tool_search: bool | ToolSearch = False,
        background: bool = False,
        poll_interval: float = 2.0,
        poll_max_interval: float = 30.0,
        name: str | None = None,
        client: AsyncClient | Client | None = None,
        deps_type: None = None,
        extra_body: Mapping[str, Any] | None = None,
        checkpoints: Checkpoints | None = None,
        hooks: Sequence[RunHooks] = (),
        instrument: bool | None = None,
        description: str | None = None,
        handoffs: Sequence[HandoffLike] = (),
        usage_limits: UsageLimits | None = None,
        input_guardrails: Sequence[GuardrailLike] = (),
        output_guardrails: Sequence[GuardrailLike] = (),
        tool_guardrails: Sequence[GuardrailLike] = (),
        history_limit: HistoryLimit | None = None,
    ) -> None: ...

    @overload
    def __init__(
        self: Agent[_D, Any],
        model: str | None = None,
        *,
        agent: str | None = None,
        instructions: str | None = None,
        tools: Iterable[ToolLike] = (),
        response_format: JsonObject | list[JsonObject],
        generation_config: JsonObject | None = None,
        response_modalities: Sequence[str] | None = None,
        store: bool = True,
        max_turns: int = 10,
        on_max_turns: OnMaxTurns = "raise",
        output_retries: int = 1,
        tool_timeout: float | None = None,
        max_concurrency: int | None = None,
        tool_errors: ToolErrorMode = "return",
        agent_config: JsonObject | None = None,
        environment: Environment | str | None = None,
        tool_search: bool | ToolSearch = False,
        background: bool = False,
        poll_interval: float = 2.0,
        poll_max_interval: float = 30.0,
        name: str | None = None,
        client: AsyncClient | Client | None = None,
        deps_type: type[_D],
        extra_body: Mapping[str, Any] | None = None,
        checkpoints: Checkpoints | None = None,
        hooks: Sequence[RunHooks] = (),
        instrument: bool | None = None,
        description: str | None = None,
        handoffs: Sequence[HandoffLike] = (),
        usage_limits: UsageLimits | None = None,
        input_guardrails: Sequence[GuardrailLike] = (),
        output_guardrails: Sequence[GuardrailLike] = (),
        tool_guardrails: Sequence[GuardrailLike] = (),
        history_limit: HistoryLimit | None = None,
    ) -> None: ...

    def __init__(
        self,
        model: str | None = None,
        *,
        agent: str | None = None,
        instructions: str | None = None,
        tools: Iterable[ToolLike] = (),
        response_format: type[OutputT] | JsonObject | list[JsonObject] | None = None,
        generation_config: JsonObject | None = None,
        response_modalities: Sequence[str] | None = None,
        store: bool = True,
        max_turns: int = 10,
        on_max_turns: OnMaxTurns = "raise",
        output_retries: int = 1,
        tool_timeout: float | None = None,
        max_concurrency: int | None = None,
        tool_errors: ToolErrorMode = "return",
        agent_config: JsonObject | None = None,
        environment: Environment | str | None = None,
        tool_search: bool | ToolSearch = False,
        background: bool = False,
        poll_interval: float = 2.0,
        poll_max_interval: float = 30.0,
        name: str | None = None,
        client: AsyncClient | Client | None = None,
        deps_type: type[Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        checkpoints: Checkpoints | None = None,
        hooks: Sequence[RunHooks] = (),
        instrument: bool | None = None,
        description: str | None = None,
        handoffs: Sequence[HandoffLike] = (),
        usage_limits: UsageLimits | None = None,
        input_guardrails: Sequence[GuardrailLike] = (),
        output_guardrails: Sequence[GuardrailLike] = (),
        tool_guardrails: Sequence[GuardrailLike] = (),
        history_limit: HistoryLimit | None = None,
    ) -> None:
        if (model is None) == (agent is None):
            raise UserError("pass exactly one of model= (e.g. 'gemini-2.5-flash') or agent=")
        if agent is not None and generation_config is not None:
            raise UserError("generation_config applies to models; agents take agent_config=")
        if not store and background:
            raise UserError(
                "store=False cannot be combined with background=True: a background "
                "interaction must be stored on the server to be polled."
            )
        if max_turns < 0 or output_retries < 0:
            raise UserError("max_turns and output_retries must be >= 0")
        if on_max_turns not in ("raise", "final_answer"):
            raise UserError(f"on_max_turns must be 'raise' or 'final_answer', not {on_max_turns!r}")
        if tool_errors not in ("return", "raise"):
            raise UserError(f"tool_errors must be 'return' or 'raise', not {tool_errors!r}")
        reserved = _RESERVED_BODY_FIELDS.intersection(extra_body or {})
        if reserved:
            raise UserError(
                f"extra_body cannot set {sorted(reserved)}: input and streaming are chosen "
                "per run (agent.run(input), agent.stream(input))"
            )
        if instrument not in (None, True, False):
            raise UserError(f"instrument must be True, False or None, not {instrument!r}")
        hook_set = HookSet(hooks)
        if usage_limits is not None and not isinstance(cast(object, usage_limits), UsageLimits):
            raise UserError(f"usage_limits= takes UsageLimits(...), not {usage_limits!r}")
        if history_limit is not None and (
            store or not isinstance(cast(object, history_limit), HistoryLimit)
        ):
            raise UserError(
                "history_limit= takes HistoryLimit(...) and needs store=False (with "
                "store=True the server keeps the history)"
            )
        targets = as_handoffs(handoffs, store)
        toolset = Toolset([*tools, *(TransferTool(handoff) for handoff in targets)])
        toolset.route(model)
        toolset.check_limits(model)
        modalities: JsonObject = (
            {}
            if response_modalities is None
            else {"response_modalities": list(response_modalities)}
        )
        self.config: RunConfig = RunConfig(
            model=model,
            agent=agent,
            instructions=instructions,
            toolset=toolset,
            output=output_spec(response_format),
            generation_config=generation_config,
            agent_config=agent_config,
            environment=environment_wire(environment, agent),
            tool_search=tool_search_for(tool_search, toolset),
            store=store,
            background=background,
            max_turns=max_turns,
            output_retries=output_retries,
            on_max_turns=on_max_turns,
            tool_timeout=tool_timeout,
            max_concurrency=max_concurrency,
            tool_errors=tool_errors,
            poll_interval=poll_interval,
            poll_max_interval=poll_max_interval,
            name=name,
            extra={**(extra_body or {}), **modalities},
            checkpoints=None if checkpoints is None else check_store(checkpoints),
            hooks=hook_set if hook_set else None,
            instrument=instrument,
        )
        """The run configuration (immutable)."""
        self.response_format = response_format
        """The `response_format` the agent was built with."""
        self.deps_type: type[DepsT] | None = deps_type
        """The `deps_type` the agent was built with (for documentation; not checked at run time)."""
        self.description = description
        """What the agent does (`description=`)."""
        composition = Composition(
            usage_limits=usage_limits,
            input_guardrails=as_guardrails(input_guardrails, "input_guardrails"),
            output_guardrails=as_guardrails(output_guardrails, "output_guardrails"),
            tool_guardrails=as_guardrails(tool_guardrails, "tool_guardrails"),
            history_limit=history_limit,
            handoffs=targets,
        )
        self.runner: Runner = Runner(
            config=self.config, client=_async_client(client), composition=composition
        )
        """The run handle `Chat`, pipelines and background runs use (not for application code)."""

    @property
    def client(self) -> AsyncClient:
        """The client this agent sends requests with (created on first use)."""
        return self.runner.client

    @property
    def name(self) -> str | None:
        """The agent's name (`name=`), for logs, events and `ToolContext.agent_name`."""
        return self.config.name

    @property
    def mcp_routes(self) -> dict[str, Literal["remote", "local"]]:
        """Where each `MCPServer` runs, by name: `"remote"` (the API calls it) or
        `"local"` (this process bridges it); `mode="auto"` is decided at construction."""
        return dict(self.config.toolset.mcp_routes)

    async def __aenter__(self) -> Agent[DepsT, OutputT]:
        """Connect tool sources (MCP servers) once for every run in the block."""
        await self.runner.hold_tools()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.runner.release_tools()

    async def arun(
        self,
        input: Any,
        *,
        previous_interaction_id: str | None = None,
        deps: DepsT = None,  # type: ignore[assignment]
        run_id: str | None = None,
    ) -> RunResult[OutputT]:
        """Run the agent on `input` until it answers, or pauses for approval.

        Args:
            input: a string, content blocks, role/content turns, or steps.
            previous_interaction_id: continue from this stored interaction.
            deps: anything tools should see as `ToolContext.deps`.
            run_id: the run's id (its checkpoint key; `ToolContext.run_id`). With
                `checkpoints=`, one is made up when not given (`result.state.run_id`).

        Returns:
            The result; `status == "awaiting_approval"` when tool calls wait for a
            decision (`result.pending_approvals`; continue with `resume`).

        Raises:
            RunError: `MaxTurnsExceeded`, `InteractionFailedError`,
                `OutputValidationError` or `RunCancelledError`, each with `.result`,
                the run so far, and `.state`, to resume once the cause is fixed.
                Other errors mid-run carry `.state` too.
        """
        state = self.runner.new_state(input, previous_interaction_id, run_id=run_id)
        return await self.runner.run(state, deps=deps)

    def run(
        self,
        input: Any,
        *,
        previous_interaction_id: str | None = None,
        deps: DepsT = None,  # type: ignore[assignment]
        run_id: str | None = None,
    ) -> RunResult[OutputT]:
        """The blocking form of `arun`. Inside a running event loop, use `arun`."""
        refuse_inside_event_loop("agent.run()", "await agent.arun(...)")
        return run_sync(
            functools.partial(
                self.arun,
                input,
                previous_interaction_id=previous_interaction_id,
                deps=deps,
                run_id=run_id,
            )
        )

    async def aresume(
        self,
        state_or_run_id: RunState | str,
        *,
        approve: Sequence[str] = (),
        reject: Mapping[str, str] | None = None,
        deps: DepsT = None,  # type: ignore[assignment]
    ) -> RunResult[OutputT]:
        """Continue a paused, crashed or failed run until it answers (or pauses again).

        Calls that already ran are never run again; results finished but not yet
        sent are sent from the state.

        Args:
            state_or_run_id: a `RunState` (`result.state`, `error.state`,
                `RunState.from_json(saved)`), or a run id to load from `checkpoints=`.
            approve: ids of paused calls to run.
            reject: ids of paused calls to refuse, with the reason the model is told.
                Calls left undecided keep the run paused.
            deps: anything tools should see as `ToolContext.deps`.

        Raises:
            UserError: no such checkpoint; a call id that is not pending; a state from
                an agent with other tools or another `store=`.
        """
        return await self.runner.resume(state_or_run_id, approve=approve, reject=reject, deps=deps)

    def resume(
        self,
        state_or_run_id: RunState | str,
        *,
        approve: Sequence[str] = (),
        reject: Mapping[str, str] | None = None,
        deps: DepsT = None,  # type: ignore[assignment]
    ) -> RunResult[OutputT]:
        """The blocking form of `aresume`."""
        refuse_inside_event_loop("agent.resume()", "await agent.aresume(...)")
        return run_sync(
            functools.partial(
                self.aresume, state_or_run_id, approve=approve, reject=reject, deps=deps
            )
        )

    def astream_resume(
        self,
        state_or_run_id: RunState | str,
        *,
        approve: Sequence[str] = (),
        reject: Mapping[str, str] | None = None,
        deps: DepsT = None,  # type: ignore[assignment]
    ) -> AsyncIterator[RunEvent[OutputT]]:
        """`aresume`, yielding the run's events as `astream` does."""
        return self.runner.resume_events(state_or_run_id, approve=approve, reject=reject, deps=deps)

    def stream_resume(
        self,
        state_or_run_id: RunState | str,
        *,
        approve: Sequence[str] = (),
        reject: Mapping[str, str] | None = None,
        deps: DepsT = None,  # type: ignore[assignment]
    ) -> Iterator[RunEvent[OutputT]]:
        """The blocking form of `astream_resume`."""
        refuse_inside_event_loop("agent.stream_resume()", "agent.astream_resume(...)")
        return SyncIterator(
            self.runner.resume_events(state_or_run_id, approve=approve, reject=reject, deps=deps)
        )

    def astream(
        self,
        input: Any,
        *,
        previous_interaction_id: str | None = None,
        deps: DepsT = None,  # type: ignore[assignment]
        run_id: str | None = None,
    ) -> AsyncIterator[RunEvent[OutputT]]:
        """Run the agent, yielding its events: text and thought deltas, tool calls
        started and finished, each interaction finished, and finally `run_finished`.

        Close it early (`aclose()`, or leave an `async with aclosing(...)`) to cancel
        the run. A pause for approval yields `approval_requested` events, then a
        `run_finished` whose result has `status == "awaiting_approval"`.
        """
        state = self.runner.new_state(input, previous_interaction_id, run_id=run_id)
        return self.runner.events(state, deps=deps)

    def stream(
        self,
        input: Any,
        *,
        previous_interaction_id: str | None = None,
        deps: DepsT = None,  # type: ignore[assignment]
        run_id: str | None = None,
    ) -> Iterator[RunEvent[OutputT]]:
        """The blocking form of `astream`; use it as a context manager to stop early."""
        refuse_inside_event_loop("agent.stream()", "agent.astream(...)")
        state = self.runner.new_state(input, previous_interaction_id, run_id=run_id)
        return SyncIterator(self.runner.events(state, deps=deps))

    async def astart(
        self, input: Any, *, previous_interaction_id: str | None = None
    ) -> AsyncBackgroundRun[OutputT]:
        """Start the run in the background and return a handle at once.

        The interaction is created with `background: true`; `await handle.wait()`
        polls it to the end (and finishes any tool rounds), `handle.cancel()` stops
        it, and `AsyncBackgroundRun.attach(handle.id, agent=...)` finds it again.
        """
        state = self.runner.new_state(input, previous_interaction_id)
        interaction = await self.runner.start(state)
        return AsyncBackgroundRun(self, interaction, state)

    def start(
        self, input: Any, *, previous_interaction_id: str | None = None
    ) -> BackgroundRun[OutputT]:
        """The blocking form of `astart`; returns a `BackgroundRun`."""
        refuse_inside_event_loop("agent.start()", "await agent.astart(...)")
        run = run_sync(
            functools.partial(self.astart, input, previous_interaction_id=previous_interaction_id)
        )
        return BackgroundRun(run)

    def then(self, agent: Runnable, *, input: Any = None) -> Pipeline:
        """A pipeline: this agent, then `agent` continuing from its last interaction."""
        return Pipeline([self, PipelineStep(agent, input=input)])

    def chat(
        self,
        *,
        session_id: str | None = None,
        sessions: Sessions | None = None,
        usage_limits: UsageLimits | None = None,
    ) -> Chat[DepsT, OutputT]:
        """A conversation: each run continues the previous one.

        With `session_id` and a `sessions=` store (`SQLiteSessions("chats.db")`,
        `MemorySessions()`), the conversation is saved after every turn and picked
        up again by any chat opened with the same id, in any process.
        `usage_limits` caps the whole conversation (saved with the session).
        """
        return Chat(
            self.runner, session_id=session_id, sessions=sessions, usage_limits=usage_limits
        )

    def as_tool(
        self,
        *,
        name: str | None = None,
        description: str | None = None,
        input_schema: type[Any] | JsonObject | None = None,
    ) -> AgentTool:
        """This agent as a function tool another agent's model can call.

        A call runs this agent to its end with the caller's deps, under the
        caller's usage limits; its usage is added to the caller's, and a pause for
        approval pauses the caller (see docs/composition.md).

        Args:
            name: the tool's name (default: the agent's `name=`).
            description: what the model is told (default: `description=`).
            input_schema: a pydantic model (or JSON schema) of the arguments; the
                agent gets them as JSON. Default: one `input` string.
        """
        return AgentTool(
            self,
            name=name,
            description=description or self.description or "",
            input_schema=input_schema,
        )

    def __repr__(self) -> str:
        target = (
            f"model={self.config.model!r}" if self.config.model else f"agent={self.config.agent!r}"
        )
        return f"Agent({target}, tools={len(self.config.toolset)})"


def _async_client(client: AsyncClient | Client | None) -> AsyncClient | None:
    if client is None:
        return None
    from .._http.client import Client

    return client._async if isinstance(client, Client) else client  # pyright: ignore[reportPrivateUsage]
