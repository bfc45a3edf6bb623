"""The agent loop as explicit steps over a small, serialisable run state.

    build_request(config, state)            -> the next create body        (pure)
    send                                    -> an Interaction              (I/O: one request)
    after_interaction(config, state, it)    -> Finish | RunTools | Send    (pure)
    dispatch_calls(...)                     -> outcomes                    (I/O: the tools)
    after_tools(config, state, outcomes)    -> state ready for the next request (pure)

`run_events` drives them and yields run events. Keeping the decisions pure and the
state plain data is what lets a durable runner (each request and each tool call an
activity) resume a crashed run without re-running finished tools.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import json
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import anyio

from ._context import ToolContext
from ._dispatch import ToolCallOutcome, ToolErrorMode, dispatch_calls
from ._errors import (
    InteractionFailedError,
    MaxTurnsExceeded,
    OutputValidationError,
    RunCancelledError,
)
from ._events import StepDeltaEvent, TextDelta, ThoughtSummaryDelta
from ._http import encode_json
from ._interaction import Interaction, Usage
from ._output import OutputSpec
from ._requests import normalize_input
from ._resources import AsyncInteractions
from ._result import RunResult, ToolCallRecord
from ._run_events import (
    InteractionFinishedEvent,
    RunEvent,
    RunFinishedEvent,
    TextDeltaEvent,
    ThoughtDeltaEvent,
    ToolCallFinishedEvent,
    ToolCallStartedEvent,
)
from ._steps import FunctionCallStep
from ._toolset import ToolSession, Toolset
from ._wire import JsonObject

__all__ = ["RunConfig", "RunState", "run_events", "run_to_end"]

OnMaxTurns = Literal["raise", "final_answer"]

FINAL_ANSWER_PROMPT = (
    "You have used every tool round you are allowed. Do not call tools. Answer now "
    "with the information you already have."
)


@dataclass(frozen=True, slots=True, kw_only=True)
class RunConfig:
    """What an Agent contributes to a run (immutable; shared by its runs)."""

    model: str | None
    agent: str | None
    instructions: str | None
    toolset: Toolset
    output: OutputSpec | None
    generation_config: JsonObject | None
    agent_config: JsonObject | None
    store: bool
    background: bool
    max_turns: int
    output_retries: int
    on_max_turns: OnMaxTurns
    tool_timeout: float | None
    max_concurrency: int | None
    tool_errors: ToolErrorMode
    poll_interval: float
    poll_max_interval: float
    name: str | None
    extra: JsonObject = field(default_factory=dict)


@dataclass(slots=True, kw_only=True)
class RunState:
    """Everything a run needs to go on; plain data, so it can be persisted between steps."""

    pending_input: Any
    """The input of the next request (user input, function results, a correction)."""
    previous_interaction_id: str | None = None
    """Server-side state: the interaction the next request continues."""
    history: list[Any] = field(default_factory=list)
    """Client-side state (`store=False`): every step so far, in wire form."""
    hop_steps: list[Any] = field(default_factory=list)
    """Client-side state: steps of continuation hops not yet folded into `history`."""
    continuation_token: str | None = None
    turns: int = 0
    """Tool rounds done."""
    output_retries_left: int = 0
    final_answer_requested: bool = False
    interactions: list[Interaction] = field(default_factory=list)
    tool_calls: list[ToolCallRecord] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)

    def to_dict(self) -> JsonObject:
        """The state as JSON-ready data, to persist between steps (see `from_dict`)."""
        return {
            "pending_input": _jsonable(self.pending_input),
            "previous_interaction_id": self.previous_interaction_id,
            "history": _jsonable(self.history),
            "hop_steps": _jsonable(self.hop_steps),
            "continuation_token": self.continuation_token,
            "turns": self.turns,
            "output_retries_left": self.output_retries_left,
            "final_answer_requested": self.final_answer_requested,
            "interactions": [interaction.to_dict() for interaction in self.interactions],
            "tool_calls": [dataclasses.asdict(call) for call in self.tool_calls],
            "usage": self.usage.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: JsonObject) -> RunState:
        """A state saved with `to_dict`."""
        return cls(
            pending_input=data.get("pending_input"),
            previous_interaction_id=data.get("previous_interaction_id"),
            history=list(data.get("history") or []),
            hop_steps=list(data.get("hop_steps") or []),
            continuation_token=data.get("continuation_token"),
            turns=int(data.get("turns", 0)),
            output_retries_left=int(data.get("output_retries_left", 0)),
            final_answer_requested=bool(data.get("final_answer_requested", False)),
            interactions=[Interaction.model_validate(i) for i in data.get("interactions", [])],
            tool_calls=[ToolCallRecord(**call) for call in data.get("tool_calls", [])],
            usage=Usage.model_validate(data.get("usage") or {}),
        )

    def partial_result(self, output: Any = None) -> RunResult:
        """The run so far, as a result (for errors that must not lose work)."""
        last = self.interactions[-1] if self.interactions else None
        return RunResult(
            output=output,
            text=_merged_text(self.interactions),
            status=last.status if last is not None else "in_progress",
            interactions=list(self.interactions),
            tool_calls=list(self.tool_calls),
            usage=self.usage,
        )


@dataclass(frozen=True, slots=True)
class Finish:
    result: RunResult


@dataclass(frozen=True, slots=True)
class RunTools:
    calls: list[FunctionCallStep]
    interaction_id: str
    final: bool = False


class Send:
    """The state holds the next request's input: send it."""


def _jsonable(value: Any) -> Any:
    # Inputs may hold content helpers or pydantic objects; persist their wire form.
    return json.loads(encode_json(value)) if value is not None else None


def _input_steps(value: Any) -> list[Any]:
    normalized = normalize_input(value)
    if normalized is None:
        return []
    if isinstance(normalized, str):
        return [{"type": "user_input", "content": [{"type": "text", "text": normalized}]}]
    return list(normalized)


def build_request(
    config: RunConfig, state: RunState, tools: list[JsonObject] | None = None
) -> JsonObject:
    """The body of the next create call (`tools`: the session's, else the static ones)."""
    body: JsonObject = dict(config.extra)
    if config.model is not None:
        body["model"] = config.model
    if config.agent is not None:
        body["agent"] = config.agent
    if config.agent_config is not None:
        body["agent_config"] = config.agent_config
    if config.instructions is not None:
        body["system_instruction"] = config.instructions
    wire_tools = tools if tools is not None else config.toolset.to_wire()
    if wire_tools:
        body["tools"] = wire_tools
    generation_config = dict(config.generation_config or {})
    if state.final_answer_requested:
        generation_config["tool_choice"] = "none"
    if generation_config:
        body["generation_config"] = generation_config
    if config.output is not None:
        body["response_format"] = config.output.wire
    if config.background:
        body["background"] = True
    if config.store:
        if state.previous_interaction_id is not None:
            body["previous_interaction_id"] = state.previous_interaction_id
        if state.pending_input is not None:
            body["input"] = state.pending_input
    else:
        body["store"] = False
        body["input"] = [*state.history, *_input_steps(state.pending_input)]
    if state.continuation_token is not None:
        body["continuation_token"] = state.continuation_token
    return body


def _merged_text(interactions: Sequence[Interaction]) -> str:
    """The last interaction's text, after the text of the continuation hops before it."""
    if not interactions:
        return ""
    parts = [interactions[-1].text]
    for earlier in reversed(interactions[:-1]):
        if earlier.status != "requires_continuation":
            break
        parts.append(earlier.text)
    return "".join(reversed(parts))


def _output_steps(interaction: Interaction) -> list[Any]:
    return [step.to_dict() for step in interaction.output_steps]


def after_interaction(
    config: RunConfig, state: RunState, interaction: Interaction
) -> Finish | RunTools | Send:
    """Record a terminal interaction and decide what the run does next."""
    state.interactions.append(interaction)
    if interaction.usage is not None:
        state.usage = state.usage + interaction.usage
    status = interaction.status
    if status == "requires_continuation":
        if not interaction.continuation_token:
            raise InteractionFailedError(
                f"interaction {interaction.id} needs a continuation but sent no token",
                result=state.partial_result(),
            )
        state.continuation_token = interaction.continuation_token
        if config.store:
            state.previous_interaction_id = interaction.id
            state.pending_input = None
        else:
            state.hop_steps.extend(_output_steps(interaction))
        return Send()
    state.continuation_token = None
    if config.store:
        state.previous_interaction_id = interaction.id
    else:
        state.history.extend(_input_steps(state.pending_input))
        state.history.extend(state.hop_steps)
        state.history.extend(_output_steps(interaction))
        state.hop_steps = []
    state.pending_input = None

    if status == "requires_action":
        calls = interaction.function_calls
        if not calls:
            raise InteractionFailedError(
                f"interaction {interaction.id} requires action but holds no function call",
                result=state.partial_result(),
            )
        if state.final_answer_requested or state.turns >= config.max_turns:
            if config.on_max_turns == "final_answer" and not state.final_answer_requested:
                return RunTools(calls, interaction.id, final=True)
            raise MaxTurnsExceeded(
                f"the model still called tools after {state.turns} tool rounds "
                f"(max_turns={config.max_turns}); raise max_turns, or pass "
                "on_max_turns='final_answer' to ask for an answer without tools",
                result=state.partial_result(),
            )
        return RunTools(calls, interaction.id)
    if status == "failed":
        errors = [e.to_dict() for e in interaction.errors or []]
        detail = "; ".join(str(e.get("message") or e) for e in errors) or "no details given"
        raise InteractionFailedError(
            f"interaction {interaction.id} failed: {detail}",
            result=state.partial_result(),
            errors=errors,
        )
    if status == "cancelled":
        raise RunCancelledError(
            f"interaction {interaction.id} was cancelled", result=state.partial_result()
        )
    return _finish(config, state, interaction)


def _finish(config: RunConfig, state: RunState, interaction: Interaction) -> Finish | Send:
    text = _merged_text(state.interactions)
    if config.output is None or not config.output.expects_json:
        return Finish(state.partial_result(output=text))
    try:
        output = config.output.parse(text)
    except ValueError as exc:
        if interaction.status != "completed":
            # incomplete / budget_exceeded: partial text, which need not parse
            return Finish(state.partial_result(output=None))
        if state.output_retries_left > 0:
            state.output_retries_left -= 1
            state.pending_input = (
                f"Your answer did not match the required JSON schema: {exc}. "
                "Reply again with only the corrected JSON."
            )
            return Send()
        raise OutputValidationError(
            f"the answer does not match response_format: {exc}",
            result=state.partial_result(),
            raw_text=text,
        ) from exc
    return Finish(state.partial_result(output=output))


def after_tools(state: RunState, decision: RunTools, outcomes: list[ToolCallOutcome]) -> None:
    """Record one tool round and make its results the next request's input."""
    state.turns += 1
    for outcome in outcomes:
        state.tool_calls.append(
            ToolCallRecord(
                call_id=outcome.call.id,
                name=outcome.call.name,
                arguments=outcome.call.arguments,
                result=outcome.result["result"],
                is_error=outcome.is_error,
                duration=outcome.duration,
                interaction_id=decision.interaction_id,
            )
        )
    results: list[Any] = [outcome.result for outcome in outcomes]
    if decision.final:
        state.final_answer_requested = True
        results.append(
            {"type": "user_input", "content": [{"type": "text", "text": FINAL_ANSWER_PROMPT}]}
        )
    state.pending_input = results


ProgressCallback = Callable[[Interaction], Awaitable[None] | None]
"""Called with the interaction after every poll of a background run."""


async def wait_until_terminal(
    interactions: AsyncInteractions,
    config: RunConfig,
    interaction: Interaction,
    on_progress: ProgressCallback | None = None,
) -> Interaction:
    """Poll a background (or queued) interaction until it is terminal.

    The wait starts at `poll_interval` and grows by half each poll up to
    `poll_max_interval`; each GET has the client's retry policy, so a transient
    503 or a dropped connection does not end the wait.
    """
    delay = config.poll_interval
    while not interaction.is_terminal:
        await anyio.sleep(delay)
        delay = min(delay * 1.5, config.poll_max_interval)
        interaction = await interactions.get(interaction.id)
        if on_progress is not None:
            outcome = on_progress(interaction)
            if inspect.isawaitable(outcome):
                await outcome
    return interaction


async def _send(
    interactions: AsyncInteractions, body: JsonObject, stream: bool
) -> AsyncGenerator[RunEvent | Interaction, None]:
    if not stream:
        yield await interactions.create(**body)
        return
    events = await interactions.create(**body, stream=True)
    async with events:
        async for event in events:
            if isinstance(event, StepDeltaEvent):
                delta = event.delta
                if isinstance(delta, TextDelta) and delta.text:
                    yield TextDeltaEvent(text=delta.text, interaction_id=events.interaction_id)
                elif isinstance(delta, ThoughtSummaryDelta) and delta.thought:
                    yield ThoughtDeltaEvent(
                        text=delta.thought, interaction_id=events.interaction_id
                    )
    yield await events.get_final_interaction()


def _tool_context(
    config: RunConfig, state: RunState, deps: Any, interaction_id: str, call: FunctionCallStep
) -> ToolContext[Any]:
    return ToolContext(
        call_id=call.id,
        tool_name=call.name,
        interaction_id=interaction_id,
        agent_name=config.name,
        deps=deps,
        usage=state.usage,
    )


async def _run_tools(
    config: RunConfig, state: RunState, session: ToolSession, deps: Any, decision: RunTools
) -> list[ToolCallOutcome]:
    return await dispatch_calls(
        decision.calls,
        session.handlers,
        make_context=functools.partial(_tool_context, config, state, deps, decision.interaction_id),
        timeout=config.tool_timeout,
        max_concurrency=config.max_concurrency,
        tool_errors=config.tool_errors,
    )


async def run_to_end(
    config: RunConfig,
    interactions: AsyncInteractions,
    state: RunState,
    *,
    deps: Any = None,
    tools: ToolSession | None = None,
) -> RunResult:
    """Drive a run to its end without events (what `Agent.arun` needs).

    The same steps as `run_events`, minus the events nobody reads: `arun` is the hot
    path of a service running many agents, and building, yielding and dropping a
    dozen event objects per round is a measurable share of its CPU.
    """
    session = tools if tools is not None else config.toolset.static_session()
    while True:
        interaction = await interactions.create(**build_request(config, state, session.wire))
        interaction = await wait_until_terminal(interactions, config, interaction)
        decision = after_interaction(config, state, interaction)
        if isinstance(decision, Finish):
            return decision.result
        if isinstance(decision, RunTools):
            after_tools(state, decision, await _run_tools(config, state, session, deps, decision))


async def run_events(
    config: RunConfig,
    interactions: AsyncInteractions,
    state: RunState,
    *,
    stream: bool = False,
    deps: Any = None,
    first: Interaction | None = None,
    on_progress: ProgressCallback | None = None,
    tools: ToolSession | None = None,
) -> AsyncGenerator[RunEvent, None]:
    """Drive a run to its end, yielding its events; the last is `RunFinishedEvent`.

    `first` resumes a run whose first interaction was already created (a
    background run started earlier, perhaps by another process). `tools` is the
    run's tool session (connected sources); the static tools otherwise.
    """
    session = tools if tools is not None else config.toolset.static_session()
    while True:
        interaction: Interaction | None = first
        first = None
        if interaction is None:
            body = build_request(config, state, session.wire)
            async for item in _send(interactions, body, stream):
                if isinstance(item, Interaction):
                    interaction = item
                else:
                    yield item
        assert interaction is not None
        interaction = await wait_until_terminal(interactions, config, interaction, on_progress)
        yield InteractionFinishedEvent(
            interaction_id=interaction.id,
            status=interaction.status,
            usage=interaction.usage,
            interaction=interaction,
        )
        decision = after_interaction(config, state, interaction)
        if isinstance(decision, Finish):
            yield RunFinishedEvent(result=decision.result)
            return
        if isinstance(decision, Send):
            continue
        for call in decision.calls:
            yield ToolCallStartedEvent(call_id=call.id, name=call.name, arguments=call.arguments)
        outcomes = await _run_tools(config, state, session, deps, decision)
        # Reported in the order the calls finished, each with its own duration.
        for outcome in sorted(outcomes, key=lambda o: o.finished_at):
            yield ToolCallFinishedEvent(
                call_id=outcome.call.id,
                name=outcome.call.name,
                result=outcome.result["result"],
                is_error=outcome.is_error,
                duration=outcome.duration,
            )
        after_tools(state, decision, outcomes)
