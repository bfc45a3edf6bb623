"""The agent loop's decisions: pure functions over the run state.

    build_request(config, state)            -> the next create body
    after_interaction(config, state, it)    -> Finish | RunTools | Send
    start_round(config, state)              -> the round may run (max_turns checked)
    after_tools(state)                      -> the round's results: the next input

No I/O here: the driver (`driver.py`) sends requests and runs tools between these
steps, and a durable engine may run each of them in a different process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._errors import (
    InteractionFailedError,
    MaxTurnsExceeded,
    OutputValidationError,
    ResponseValidationError,
    RunCancelledError,
)
from .._wire.base import JsonObject
from .._wire.interaction import Interaction
from .._wire.requests import normalize_input
from .result import RunResult, result_of
from .state import RunConfig, RunState, ToolCallRecord, ToolRound, merged_text

__all__ = [
    "Finish",
    "RunTools",
    "Send",
    "after_interaction",
    "after_tools",
    "build_request",
    "start_round",
]

FINAL_ANSWER_PROMPT = (
    "You have used every tool round you are allowed. Do not call tools. Answer now "
    "with the information you already have."
)


@dataclass(frozen=True, slots=True)
class Finish:
    result: RunResult[Any]


class RunTools:
    """The state holds a tool round (`state.round`): run it."""


class Send:
    """The state holds the next request's input: send it."""


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
    if state.environment_id is not None:
        body["environment"] = state.environment_id
    elif config.environment is not None:
        body["environment"] = config.environment
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


def _output_steps(interaction: Interaction) -> list[Any]:
    return [step.to_dict() for step in interaction.output_steps]


def after_interaction(
    config: RunConfig, state: RunState, interaction: Interaction
) -> Finish | RunTools | Send:
    """Record a terminal interaction and decide what the run does next."""
    state.interactions.append(interaction)
    state.current_interaction_id = None
    if interaction.environment_id is not None:
        state.environment_id = interaction.environment_id
    if interaction.usage is not None:
        state.usage = state.usage + interaction.usage
    status = interaction.status
    # A failed or cancelled interaction leaves the run where it was before the request,
    # so `agent.resume(error.state)` sends that request again.
    if status == "failed":
        errors = [e.to_dict() for e in interaction.errors or []]
        detail = "; ".join(str(e.get("message") or e) for e in errors) or "no details given"
        raise InteractionFailedError(
            f"interaction {interaction.id} failed: {detail}",
            result=result_of(state),
            state=state,
            errors=errors,
        )
    if status == "cancelled":
        raise RunCancelledError(
            f"interaction {interaction.id} was cancelled", result=result_of(state), state=state
        )
    if status == "requires_continuation":
        if not interaction.continuation_token:
            raise InteractionFailedError(
                f"interaction {interaction.id} needs a continuation but sent no token",
                result=result_of(state),
                state=state,
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
                result=result_of(state),
                state=state,
            )
        if any(not call.id for call in calls):
            raise ResponseValidationError(
                f"interaction {interaction.id} holds a function_call without an id; a "
                "result cannot be matched to it, so the run cannot go on."
            )
        state.round = ToolRound.of(interaction.id, calls, final=False)
        return RunTools()
    return _finish(config, state, interaction)


def start_round(config: RunConfig, state: RunState) -> None:
    """Check `max_turns` before a new round's first call runs (a round already under
    way, paused or half-done, goes on). Marks the round `final` when the agent asks
    for a final answer instead of raising."""
    round = state.round
    assert round is not None
    if round.final or round.results or round.approved or round.pending:
        return
    if state.final_answer_requested or state.turns >= config.max_turns:
        if config.on_max_turns == "final_answer" and not state.final_answer_requested:
            round.final = True
            return
        raise MaxTurnsExceeded(
            f"the model still called tools after {state.turns} tool rounds "
            f"(max_turns={config.max_turns}); raise max_turns (then resume from "
            "error.state), or pass on_max_turns='final_answer' to ask for an answer "
            "without tools",
            result=result_of(state),
            state=state,
        )


def finished_output(config: RunConfig, state: RunState) -> Any:
    """The answer of a finished run, from its last interaction's text."""
    text = merged_text(state.interactions)
    if config.output is None or not config.output.expects_json:
        return text
    try:
        return config.output.parse(text)
    except ValueError:
        return None  # incomplete / budget_exceeded: partial text, which need not parse


def _finish(config: RunConfig, state: RunState, interaction: Interaction) -> Finish | Send:
    text = merged_text(state.interactions)
    output: Any = text
    if config.output is not None and config.output.expects_json:
        try:
            output = config.output.parse(text)
        except ValueError as exc:
            if interaction.status != "completed":
                output = None  # incomplete / budget_exceeded: partial text, need not parse
            else:
                # Sent on a retry, or on `resume` after OutputValidationError.
                state.pending_input = (
                    f"Your answer did not match the required JSON schema: {exc}. "
                    "Reply again with only the corrected JSON."
                )
                if state.output_retries_left > 0:
                    state.output_retries_left -= 1
                    return Send()
                raise OutputValidationError(
                    f"the answer does not match response_format: {exc}",
                    result=result_of(state),
                    state=state,
                    raw_text=text,
                ) from exc
    state.status = "finished"
    return Finish(result_of(state, output=output, text=text))  # the text once per run


def after_tools(state: RunState) -> None:
    """Make the finished round's results, in call order, the next request's input."""
    round = state.round
    assert round is not None
    assert not round.unanswered
    state.turns += 1
    results: list[Any] = []
    posted: set[str] = set()
    for call in round.steps:
        if call.id in posted:
            continue  # calls sharing a call_id get one (error) result
        posted.add(call.id)
        result = round.results[call.id]
        results.append(result)
        state.tool_calls.append(
            ToolCallRecord(
                call_id=call.id,
                name=call.name,
                arguments=call.arguments,
                result=result["result"],
                is_error=bool(result.get("is_error")),
                duration=round.durations.get(call.id, 0.0),
                interaction_id=round.interaction_id,
                child_interactions=list(round.child_interactions.get(call.id, ())),
                exception=round.exceptions.get(call.id),
            )
        )
    if round.final:
        state.final_answer_requested = True
        results.append(
            {"type": "user_input", "content": [{"type": "text", "text": FINAL_ANSWER_PROMPT}]}
        )
    state.pending_input = results
    state.round = None
    state.status = "running"
