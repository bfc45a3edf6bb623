"""The run's configuration (from its Agent) and its state (plain, versioned, persistable).

`RunState` holds everything a run needs to go on between steps, so a run can pause
for days (approvals), be checkpointed after every step, and be resumed in another
process: `RunState.from_json(state.to_json())` is the same run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, cast

from pydantic_core import to_jsonable_python

from .._durable.checkpoints import Checkpoints
from .._errors import UserError
from .._obs.hooks import HookSet
from .._wire.base import JsonObject
from .._wire.interaction import Interaction, Usage
from .._wire.steps import FunctionCallStep
from .output import OutputSpec
from .tool_search import ToolSearch
from .toolset import Toolset

if TYPE_CHECKING:
    from .._tools.dispatch import ToolErrorMode

__all__ = [
    "STATE_VERSION",
    "OnMaxTurns",
    "PendingApproval",
    "RunConfig",
    "RunState",
    "RunStatus",
    "ToolCallRecord",
    "ToolRound",
    "merged_text",
]

OnMaxTurns = Literal["raise", "final_answer"]
RunStatus = Literal["running", "awaiting_approval", "finished"]

STATE_VERSION = 1
"""The version of `RunState.to_dict()`'s schema; other versions are refused."""


# Factories of the state's empty containers: `dict[str, float]` as a factory calls a
# generic alias, which also tries (and fails) to set `__orig_class__` on the result:
# ~0.22 us against ~0.03 us, eight times per tool round. The casts keep the
# containers' declared types for the type checkers.
_new_dict = cast("Callable[[], dict[str, Any]]", dict)
_new_list = cast("Callable[[], list[Any]]", list)


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
    extra: JsonObject = field(default_factory=JsonObject)
    checkpoints: Checkpoints | None = None
    """The `Checkpoints` store runs are saved to after every step, if any."""
    environment: JsonObject | str | None = None
    """The managed agent's sandbox, as sent until the API names it (`environment_id`)."""
    tool_search: ToolSearch | None = None
    """Deferred tools are found through this search instead of declared up front."""
    hooks: HookSet | None = None
    """The agent's run hooks (None: none)."""
    instrument: bool | None = None
    """Trace and measure runs: True/False, or None to follow `agentloop.instrument()`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolCallRecord:
    """One tool call of a run: what the model asked and what it got back."""

    call_id: str
    """The id of the `function_call`."""
    name: str
    """The tool the model called."""
    arguments: JsonObject
    """The arguments as the model sent them."""
    result: Any
    """The `result` sent back (an error message when `is_error`)."""
    is_error: bool = False
    """True when the call failed (unknown tool, bad arguments, exception, timeout)
    or was rejected."""
    duration: float = 0.0
    """Seconds spent in the handler."""
    interaction_id: str | None = None
    """The interaction that asked for the call."""
    child_interactions: list[str] = field(default_factory=_new_list)
    """For a sub-agent run as a tool (`agent.as_tool`): the ids of the interactions
    its run made, its own sub-agents' after its own, to look them up
    (`client.interactions.get(id)`); usage limits count them as requests."""
    exception: BaseException | None = field(default=None, repr=False, compare=False)
    """Why the call failed: the handler's own exception when it raised (e.g. a
    `KeyError`), else the `ToolError` (unknown tool, bad arguments, timeout). Kept in
    memory only: not part of `to_dict()` or a persisted run state."""

    def to_dict(self) -> JsonObject:
        """The record as JSON-ready data (without `exception`)."""
        return {
            "call_id": self.call_id,
            "name": self.name,
            "arguments": to_jsonable_python(self.arguments),
            "result": to_jsonable_python(self.result),
            "is_error": self.is_error,
            "duration": self.duration,
            "interaction_id": self.interaction_id,
            **({"child_interactions": self.child_interactions} if self.child_interactions else {}),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingApproval:
    """A tool call waiting for a person's decision (`agent.resume(approve=/reject=)`)."""

    call_id: str
    """The id of the `function_call`: what `approve=[...]` and `reject={...}` name."""
    name: str
    """The tool the model called."""
    arguments: JsonObject
    """The arguments as the model sent them."""


@dataclass(slots=True, kw_only=True)
class ToolRound:
    """One round of function calls, from the model's request until its results are sent.

    Results of finished calls are kept here (and checkpointed) until every call of
    the round has one; only then is the round posted, in call order.
    """

    interaction_id: str
    """The interaction whose function calls these are."""
    _calls: list[JsonObject] | None = field(default=None, repr=False, compare=False)
    final: bool = False
    """The last round allowed (`on_max_turns="final_answer"`): answer without tools next."""
    results: dict[str, JsonObject] = field(default_factory=_new_dict)
    """The `function_result` of each finished (or rejected) call, by call id."""
    durations: dict[str, float] = field(default_factory=_new_dict)
    """Seconds each finished call took, by call id."""
    approved: list[str] = field(default_factory=_new_list)
    """Calls a person approved that have not run yet."""
    pending: list[str] = field(default_factory=_new_list)
    """Calls waiting for approval at the last pause."""
    children: dict[str, JsonObject] = field(default_factory=_new_dict)
    """Paused sub-agent runs (`agent.as_tool`) by the parent's call id: their
    `RunState.to_dict()`; their pending calls are this run's pending approvals."""
    child_decisions: dict[str, JsonObject] = field(default_factory=_new_dict)
    """Decisions on a paused sub-agent's calls (`{"approve": [...], "reject": {...}}`),
    by the parent's call id, applied when the sub-agent resumes."""
    child_interactions: dict[str, list[str]] = field(default_factory=_new_dict)
    """The interactions each sub-agent call made, by the parent's call id."""
    exceptions: dict[str, BaseException] = field(
        default_factory=_new_dict, repr=False, compare=False
    )
    """Why each failed call failed, by call id (in memory only, never persisted)."""
    _steps: list[FunctionCallStep] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, interaction_id: str, calls: Sequence[FunctionCallStep], final: bool) -> ToolRound:
        # The wire form (`calls`) is made only when the round is saved (~0.6 us a
        # call): a round that is never checkpointed or paused never needs it.
        return cls(interaction_id=interaction_id, final=final, _steps=list(calls))

    @property
    def calls(self) -> list[JsonObject]:
        """The `function_call` steps, in wire form and call order."""
        if self._calls is None:
            self._calls = [_call_wire(call) for call in self.steps]
        return self._calls

    @property
    def steps(self) -> list[FunctionCallStep]:
        """The calls as `FunctionCallStep`s."""
        if self._steps is None:
            assert self._calls is not None  # a round has one form or the other
            self._steps = [FunctionCallStep.model_validate(call) for call in self._calls]
        return self._steps

    @property
    def unanswered(self) -> list[FunctionCallStep]:
        """The calls without a result yet."""
        return [call for call in self.steps if call.id not in self.results]

    def to_dict(self) -> JsonObject:
        return {
            "interaction_id": self.interaction_id,
            "calls": self.calls,
            "final": self.final,
            "results": self.results,
            "durations": self.durations,
            "approved": self.approved,
            "pending": self.pending,
            # Composition fields only when used: a plain round keeps its old shape.
            **{
                key: value
                for key, value in (
                    ("children", self.children),
                    ("child_decisions", self.child_decisions),
                    ("child_interactions", self.child_interactions),
                )
                if value
            },
        }


def _call_wire(call: FunctionCallStep) -> JsonObject:
    """`call.to_dict()` plus its `arguments_error`, without a pydantic dump (~2.5 us
    each, twice per round): a function call's fields are plain JSON already."""
    wire: JsonObject = {"type": call.type, "id": call.id, "name": call.name}
    if "arguments" in call.model_fields_set:
        wire["arguments"] = call.arguments
    if call.model_extra:
        wire.update(call.model_extra)
    wire["arguments_error"] = call.arguments_error
    return wire


@dataclass(slots=True, kw_only=True)
class RunState:
    """Everything a run needs to go on: plain, versioned data, safe to keep for days.

    Get it from `result.state` (a paused or finished run) or `error.state` (a run
    that failed), save it with `to_json()`, and continue the run later, in any
    process, with `agent.resume(RunState.from_json(saved))`. The schema is
    documented in docs/durability.md; its `version` is checked on load.
    """

    pending_input: Any
    """The input of the next request (user input, function results, a correction)."""
    run_id: str | None = None
    """The run's id: its checkpoint key, and `ToolContext.run_id`."""
    status: RunStatus = "running"
    """`running`, `awaiting_approval` (paused on a tool round), or `finished`."""
    store: bool = True
    """The agent's `store=` when the run started (a resume must use the same)."""
    previous_interaction_id: str | None = None
    """Server-side state: the interaction the next request continues."""
    current_interaction_id: str | None = None
    """An interaction created and not finished yet (a background one being polled):
    resuming waits for it rather than sending its request again."""
    delivery_unknown: bool = False
    """The last request carrying `pending_input` may have reached the server (its
    reply was lost): sending it again may be refused as already answered."""
    history: list[Any] = field(default_factory=_new_list)
    """Client-side state (`store=False`): every step so far, in wire form."""
    hop_steps: list[Any] = field(default_factory=_new_list)
    """Client-side state: steps of continuation hops not yet folded into `history`."""
    continuation_token: str | None = None
    round: ToolRound | None = None
    """The tool round in progress: its calls, finished results, approvals."""
    turns: int = 0
    """Tool rounds done."""
    output_retries_left: int = 0
    final_answer_requested: bool = False
    interactions: list[Interaction] = field(default_factory=_new_list)
    tool_calls: list[ToolCallRecord] = field(default_factory=_new_list)
    usage: Usage = field(default_factory=Usage)
    agent_name: str | None = None
    """The agent answering now (another one after a handoff)."""
    handoffs: list[JsonObject] = field(default_factory=_new_list)
    """Every handoff so far: `{"from", "to", "call_id", "payload"}`."""
    transfer_to: str | None = None
    """A handoff asked for in the current tool round, done once the round is posted."""
    history_tokens: int | None = None
    """Client-side state: the history's size in tokens as the last response counted
    it (carried between a chat's runs, for `history_limit=`)."""
    compactions: int = 0
    """How many times the history was compacted (`history_limit=`)."""
    environment_id: str | None = None
    """The sandbox the API gave this run; later requests (and chat turns) reuse it."""
    trace_context: dict[str, str] | None = None
    """The OpenTelemetry span of the run's last part, set when it paused or failed
    (`{"trace_id", "span_id"}`, hex): the resumed run's span links to it."""
    _checkpoint: str | None = field(default=None, init=False, repr=False, compare=False)
    # The checkpoint text this state was loaded from (by run id), never saved: once
    # the run is claimed, a different checkpoint means another process ran it since.

    @property
    def pending_approvals(self) -> list[PendingApproval]:
        """The calls waiting for a decision (empty unless the run is paused); a paused
        sub-agent's (`agent.as_tool`) calls are listed in place of the call running it."""
        if self.round is None:
            return []
        calls = {call.id: call for call in self.round.steps}
        pending: list[PendingApproval] = []
        for i in self.round.pending:
            child = self.round.children.get(i)
            if child is not None:
                pending.extend(RunState.from_dict(child).pending_approvals)
            else:
                pending.append(
                    PendingApproval(call_id=i, name=calls[i].name, arguments=calls[i].arguments)
                )
        return pending

    def to_dict(self) -> JsonObject:
        """The state as JSON-ready data, with its schema `version` (see `from_dict`)."""
        data: JsonObject = {
            "version": STATE_VERSION,
            "run_id": self.run_id,
            "status": self.status,
            "store": self.store,
            "pending_input": _jsonable(self.pending_input),
            "previous_interaction_id": self.previous_interaction_id,
            "current_interaction_id": self.current_interaction_id,
            "delivery_unknown": self.delivery_unknown,
            "history": _jsonable(self.history),
            "hop_steps": _jsonable(self.hop_steps),
            "continuation_token": self.continuation_token,
            "round": None if self.round is None else self.round.to_dict(),
            "turns": self.turns,
            "output_retries_left": self.output_retries_left,
            "final_answer_requested": self.final_answer_requested,
            "interactions": [interaction.to_dict() for interaction in self.interactions],
            "tool_calls": [call.to_dict() for call in self.tool_calls],
            "usage": self.usage.to_dict(),
            "agent_name": self.agent_name,
            "handoffs": _jsonable(self.handoffs),
            "transfer_to": self.transfer_to,
            "history_tokens": self.history_tokens,
            "compactions": self.compactions,
            "environment_id": self.environment_id,
        }
        if self.trace_context is not None:
            data["trace_context"] = dict(self.trace_context)
        return data

    @classmethod
    def from_dict(cls, data: JsonObject) -> RunState:
        """A state saved with `to_dict`.

        Raises:
            UserError: the data is not a run state, or has another schema version.
        """
        # Saved data may be anything (JSON from a store).
        if not isinstance(data, dict) or "pending_input" not in data:  # pyright: ignore[reportUnnecessaryIsInstance]
            raise UserError("not a saved RunState (expected the dict of RunState.to_dict())")
        version = data.get("version")
        if version != STATE_VERSION:
            raise UserError(
                f"this RunState has schema version {version!r}; this agentloop reads "
                f"version {STATE_VERSION}. Resume it with the agentloop that saved it."
            )
        if data.get("status") not in ("running", "awaiting_approval", "finished"):
            raise UserError(f"a RunState with an unknown status: {data.get('status')!r}")
        round_data = data.get("round")
        try:
            return cls(
                pending_input=data.get("pending_input"),
                run_id=data.get("run_id"),
                status=data["status"],
                store=bool(data.get("store", True)),
                previous_interaction_id=data.get("previous_interaction_id"),
                current_interaction_id=data.get("current_interaction_id"),
                delivery_unknown=bool(data.get("delivery_unknown", False)),
                history=list(data.get("history") or []),
                hop_steps=list(data.get("hop_steps") or []),
                continuation_token=data.get("continuation_token"),
                round=None if round_data is None else _round(round_data),
                turns=int(data.get("turns", 0)),
                output_retries_left=int(data.get("output_retries_left", 0)),
                final_answer_requested=bool(data.get("final_answer_requested", False)),
                interactions=[Interaction.model_validate(i) for i in data.get("interactions", [])],
                tool_calls=[ToolCallRecord(**call) for call in data.get("tool_calls", [])],
                usage=Usage.model_validate(data.get("usage") or {}),
                agent_name=data.get("agent_name"),
                handoffs=list(data.get("handoffs") or []),
                transfer_to=data.get("transfer_to"),
                history_tokens=data.get("history_tokens"),
                compactions=int(data.get("compactions", 0)),
                environment_id=data.get("environment_id"),
                trace_context=_trace_context(data.get("trace_context")),
            )
        except (TypeError, ValueError) as exc:
            raise UserError(f"a corrupt saved RunState: {exc}") from exc

    def to_json(self) -> str:
        """The state as versioned JSON text, safe to keep for days (see `from_json`)."""
        return json.dumps(self.to_dict(), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> RunState:
        """A state saved with `to_json`.

        Raises:
            UserError: not JSON, not a run state, or another schema version.
        """
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise UserError(f"a saved RunState must be JSON: {exc}") from exc
        return cls.from_dict(data)

    def copy(self) -> RunState:
        """An independent copy (resuming never changes the state it was given)."""
        return RunState.from_dict(self.to_dict())

    def __repr__(self) -> str:
        return (
            f"RunState(run_id={self.run_id!r}, status={self.status!r}, turns={self.turns}, "
            f"pending_approvals={[p.call_id for p in self.pending_approvals]!r})"
        )


def _trace_context(data: Any) -> dict[str, str] | None:
    if data is None:
        return None
    found = cast(dict[str, Any], data) if isinstance(data, dict) else {}
    trace_id, span_id = found.get("trace_id"), found.get("span_id")
    if not isinstance(trace_id, str) or not isinstance(span_id, str):
        raise ValueError(f"trace_context must be {{'trace_id', 'span_id'}} strings: {data!r}")
    return {"trace_id": trace_id, "span_id": span_id}


def _round(data: JsonObject) -> ToolRound:
    fields = (
        "interaction_id",
        "calls",
        "final",
        "results",
        "durations",
        "approved",
        "pending",
        "children",
        "child_decisions",
        "child_interactions",
    )
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise TypeError(f"unknown round fields {unknown}")
    if not isinstance(data.get("calls"), list):
        raise TypeError("a round needs its list of calls")
    saved = dict(data)
    return ToolRound(_calls=saved.pop("calls"), **saved)


def _jsonable(value: Any) -> Any:
    # Inputs may hold content helpers or pydantic objects; persist their wire form.
    from .._http.encoding import encode_json  # lazy: not needed to build an Agent (orjson)

    return json.loads(encode_json(value)) if value is not None else None


def merged_text(interactions: Sequence[Interaction]) -> str:
    """The last interaction's text, after the text of the continuation hops before it."""
    if not interactions:
        return ""
    parts = [interactions[-1].text]
    for earlier in reversed(interactions[:-1]):
        if earlier.status != "requires_continuation":
            break
        parts.append(earlier.text)
    return "".join(reversed(parts))
