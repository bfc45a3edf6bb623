"""`Agent`: configuration plus the run / arun / stream / astream faces, and `Chat`.

The Agent holds what does not change between runs; the loop itself lives in
`_runner.py`, and per-run state in its `RunState`. Blocking faces bridge through
`_sync.py` and nowhere else.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Iterator
from contextlib import aclosing
from typing import Any, Literal

from ._background import AsyncBackgroundRun, BackgroundRun
from ._client import AsyncClient, Client
from ._dispatch import ToolErrorMode
from ._errors import UserError
from ._interaction import Interaction
from ._output import output_spec
from ._pipeline import Pipeline, Step
from ._result import RunResult
from ._run_events import RunEvent, RunFinishedEvent
from ._runner import (
    OnMaxTurns,
    ProgressCallback,
    RunConfig,
    RunState,
    build_request,
    run_events,
    run_to_end,
)
from ._sync import SyncIterator, refuse_inside_event_loop, run_sync
from ._toolset import ToolLike, ToolSession, Toolset
from ._wire import JsonObject

__all__ = ["Agent", "Chat"]


class Agent:
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
        background: run the interaction in the background and poll it to the end.
        poll_interval: first wait between polls, in seconds (grows to `poll_max_interval`).
        poll_max_interval: longest wait between polls.
        name: a name for logs and `ToolContext.agent_name`.
        client: the `AsyncClient` (or `Client`) to use; a default one otherwise.
        options: other create fields passed as is (`service_tier`, `safety_settings`, ...).
    """

    def __init__(
        self,
        model: str | None = None,
        *,
        agent: str | None = None,
        instructions: str | None = None,
        tools: Iterable[ToolLike] = (),
        response_format: Any = None,
        generation_config: JsonObject | None = None,
        store: bool = True,
        max_turns: int = 10,
        on_max_turns: OnMaxTurns = "raise",
        output_retries: int = 1,
        tool_timeout: float | None = None,
        max_concurrency: int | None = None,
        tool_errors: ToolErrorMode = "return",
        agent_config: JsonObject | None = None,
        background: bool = False,
        poll_interval: float = 2.0,
        poll_max_interval: float = 30.0,
        name: str | None = None,
        client: AsyncClient | Client | None = None,
        **options: Any,
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
        if "stream" in options or "input" in options:
            raise UserError("input and streaming are chosen per run: agent.run(input) / stream()")
        toolset = Toolset(tools)
        toolset.route(model)
        toolset.check_limits(model)
        self.config = RunConfig(
            model=model,
            agent=agent,
            instructions=instructions,
            toolset=toolset,
            output=output_spec(response_format),
            generation_config=generation_config,
            agent_config=agent_config,
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
            extra=dict(options),
        )
        """The run configuration (immutable)."""
        self.response_format = response_format
        self._client = client._async if isinstance(client, Client) else client
        self._session: ToolSession | None = None

    @property
    def client(self) -> AsyncClient:
        """The client this agent sends requests with (created on first use)."""
        if self._client is None:
            self._client = AsyncClient()
        return self._client

    @property
    def name(self) -> str | None:
        return self.config.name

    @property
    def mcp_routes(self) -> dict[str, Literal["remote", "local"]]:
        """Where each `MCPServer` runs, by name: `"remote"` (the API calls it) or
        `"local"` (this process bridges it); `mode="auto"` is decided at construction."""
        return dict(self.config.toolset.mcp_routes)

    def _new_state(
        self, input: Any, previous_interaction_id: str | None, history: list[Any] | None
    ) -> RunState:
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

    @contextlib.asynccontextmanager
    async def _tool_session(self) -> AsyncIterator[ToolSession | None]:
        # Tool sources (MCP servers) connect once per run, unless an `async with
        # agent:` block holds a session open across runs. None: the static tools.
        if self._session is not None or not self.config.toolset.sources:
            yield self._session
            return
        session = await self.config.toolset.open()
        try:
            yield session
        finally:
            await session.aclose()

    async def _events(
        self,
        state: RunState,
        *,
        stream: bool,
        deps: Any,
        first: Interaction | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> AsyncGenerator[RunEvent, None]:
        async with self._tool_session() as session:
            events = run_events(
                self.config,
                self.client.interactions,
                state,
                stream=stream,
                deps=deps,
                first=first,
                on_progress=on_progress,
                tools=session,
            )
            async with aclosing(events):
                async for event in events:
                    yield event

    async def __aenter__(self) -> Agent:
        """Connect tool sources (MCP servers) once for every run in the block."""
        if self._session is None:
            self._session = await self.config.toolset.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.aclose()

    async def _arun_state(self, state: RunState, deps: Any) -> RunResult:
        async with self._tool_session() as session:
            return await run_to_end(
                self.config, self.client.interactions, state, deps=deps, tools=session
            )

    async def arun(
        self, input: Any, *, previous_interaction_id: str | None = None, deps: Any = None
    ) -> RunResult:
        """Run the agent on `input` until it answers.

        Args:
            input: a string, content blocks, role/content turns, or steps.
            previous_interaction_id: continue from this stored interaction.
            deps: anything tools should see as `ToolContext.deps`.

        Raises:
            MaxTurnsExceeded, InteractionFailedError, OutputValidationError,
            RunCancelledError: each with `.result`, the run so far.
        """
        return await self._arun_state(self._new_state(input, previous_interaction_id, None), deps)

    def run(
        self, input: Any, *, previous_interaction_id: str | None = None, deps: Any = None
    ) -> RunResult:
        """The blocking form of `arun`. Inside a running event loop, use `arun`."""
        refuse_inside_event_loop("agent.run()", "await agent.arun(...)")
        return run_sync(
            functools.partial(
                self.arun, input, previous_interaction_id=previous_interaction_id, deps=deps
            )
        )

    def astream(
        self, input: Any, *, previous_interaction_id: str | None = None, deps: Any = None
    ) -> AsyncIterator[RunEvent]:
        """Run the agent, yielding its events: text and thought deltas, tool calls
        started and finished, each interaction finished, and finally `run_finished`.

        Close it early (`aclose()`, or leave an `async with aclosing(...)`) to cancel
        the run.
        """
        state = self._new_state(input, previous_interaction_id, None)
        return self._events(state, stream=True, deps=deps)

    def stream(
        self, input: Any, *, previous_interaction_id: str | None = None, deps: Any = None
    ) -> Iterator[RunEvent]:
        """The blocking form of `astream`; use it as a context manager to stop early."""
        refuse_inside_event_loop("agent.stream()", "agent.astream(...)")
        state = self._new_state(input, previous_interaction_id, None)
        return SyncIterator(self._events(state, stream=True, deps=deps))

    async def astart(
        self, input: Any, *, previous_interaction_id: str | None = None
    ) -> AsyncBackgroundRun:
        """Start the run in the background and return a handle at once.

        The interaction is created with `background: true`; `await handle.wait()`
        polls it to the end (and finishes any tool rounds), `handle.cancel()` stops
        it, and `AsyncBackgroundRun.attach(handle.id, agent=...)` finds it again.
        """
        if not self.config.store:
            raise UserError("a background run must be stored: use store=True")
        state = self._new_state(input, previous_interaction_id, None)
        session = self._session or self.config.toolset.static_session()
        body = build_request(self.config, state, session.wire)
        body["background"] = True
        interaction = await self.client.interactions.create(**body)
        return AsyncBackgroundRun(self, interaction, state)

    def start(self, input: Any, *, previous_interaction_id: str | None = None) -> BackgroundRun:
        """The blocking form of `astart`; returns a `BackgroundRun`."""
        refuse_inside_event_loop("agent.start()", "await agent.astart(...)")
        run = run_sync(
            functools.partial(self.astart, input, previous_interaction_id=previous_interaction_id)
        )
        return BackgroundRun(run)

    def then(self, agent: Agent, *, input: Any = None) -> Pipeline:
        """A pipeline: this agent, then `agent` continuing from its last interaction."""
        return Pipeline([self, Step(agent, input=input)])

    def chat(self) -> Chat:
        """A conversation: each run continues the previous one."""
        return Chat(self)

    def __repr__(self) -> str:
        target = (
            f"model={self.config.model!r}" if self.config.model else f"agent={self.config.agent!r}"
        )
        return f"Agent({target}, tools={len(self.config.toolset)})"


class Chat:
    """A conversation with an agent: every run continues where the last one ended.

    With `store=True` it chains `previous_interaction_id`; with `store=False` it keeps
    the full history (thought signatures included) and sends it each turn.
    """

    def __init__(self, agent: Agent) -> None:
        self.agent = agent
        self.previous_interaction_id: str | None = None
        """The last interaction of the conversation (server-side state)."""
        self.history: list[Any] = []
        """Every step of the conversation (client-side state, `store=False`)."""
        self.results: list[RunResult] = []
        """The result of every run, in order."""

    def _state(self, input: Any) -> RunState:
        previous = self.previous_interaction_id if self.agent.config.store else None
        return self.agent._new_state(input, previous, self.history)

    def _record(self, state: RunState, result: RunResult) -> RunResult:
        self.previous_interaction_id = result.interaction_id
        self.history = state.history
        self.results.append(result)
        return result

    async def arun(self, input: Any, *, deps: Any = None) -> RunResult:
        """Send the next message and run until the agent answers."""
        state = self._state(input)
        return self._record(state, await self.agent._arun_state(state, deps))

    def run(self, input: Any, *, deps: Any = None) -> RunResult:
        """The blocking form of `arun`."""
        refuse_inside_event_loop("chat.run()", "await chat.arun(...)")
        return run_sync(functools.partial(self.arun, input, deps=deps))

    async def astream(self, input: Any, *, deps: Any = None) -> AsyncGenerator[RunEvent, None]:
        """Send the next message, yielding the run's events."""
        state = self._state(input)
        async for event in self.agent._events(state, stream=True, deps=deps):
            if isinstance(event, RunFinishedEvent):
                self._record(state, event.result)
            yield event

    def stream(self, input: Any, *, deps: Any = None) -> Iterator[RunEvent]:
        """The blocking form of `astream`."""
        refuse_inside_event_loop("chat.stream()", "chat.astream(...)")
        return SyncIterator(self.astream(input, deps=deps))
