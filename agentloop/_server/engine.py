"""The Interactions API's semantics, without HTTP: validate, answer, store, show.

What it enforces, as the real API does: exactly one of `model`/`agent`, naming a
model or agent the API knows (unless lenient); `store: false` refused with
`background` or `previous_interaction_id`; a missing previous interaction is 404;
every `function_result.call_id` must answer a pending call. Without
`previous_interaction_id` the input is the whole conversation (stateless use, with
`store` true or false): this turn is what follows its last model step.

Background interactions progress from `in_progress` to their final status as time
passes on the engine's `clock` (one step every `step_delay` seconds), so polling and
streaming clients see real progress without the server running tasks of its own, and
a test can move a fake clock instead of sleeping.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from .._errors import UserError
from .._wire.base import JsonObject
from .._wire.requests import normalize_input
from .models import Model, ModelRequest, Reply, UnexpectedRequest, respond
from .store import MemoryStore, Record, Store
from .timeline import interaction_events, legacy_events, legacy_interaction

__all__ = ["ApiError", "Engine"]

_ECHOED = (
    "system_instruction",
    "tools",
    "generation_config",
    "response_format",
    "agent_config",
    "service_tier",
    "labels",
)


@dataclass
class ApiError(Exception):
    """An error the server answers with a Google-shaped body."""

    status_code: int
    status: str
    message: str

    def body(self) -> JsonObject:
        return {"error": {"code": self.status_code, "message": self.message, "status": self.status}}


def _timestamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _tokens(steps: list[JsonObject]) -> int:
    # A rough, deterministic count (about four characters a token).
    return sum(len(str(step)) for step in steps) // 4 + 1


def _input_steps(value: Any) -> list[JsonObject]:
    try:
        normalized = normalize_input(value)
    except UserError as exc:
        raise ApiError(400, "INVALID_ARGUMENT", f"Invalid 'input': {exc}") from exc
    if normalized is None:
        return []
    if isinstance(normalized, str):
        return [{"type": "user_input", "content": [{"type": "text", "text": normalized}]}]
    for item in normalized:
        if not isinstance(item, dict) or not isinstance(cast(JsonObject, item).get("type"), str):
            raise ApiError(
                400, "INVALID_ARGUMENT", f"Invalid 'input' item {item!r}: expected a typed object."
            )
    return list(normalized)


# Names the API serves (its model enum is open: any Gemini version of a known family
# passes, whatever its suffixes; a misspelt family, "gemini-2.5-flsh", does not).
_MODEL_NAME = re.compile(
    r"^(?:models/)?gemini-\d+(?:\.\d+)?-(?:flash|pro|ultra|nano)(?:-[a-z0-9.]+)*$"
)
_AGENT_NAME = re.compile(r"^(?:deep-research|antigravity)(?:-[a-z0-9.]+)*$")

DIALECTS = ("steps", "legacy")
"""The wire dialects: today's `steps`, and the guide-era `outputs[]` (`legacy`)."""


def _check_name(kind: str, name: Any, known: Callable[[str], bool], *, lenient: bool) -> None:
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "INVALID_ARGUMENT", f"'{kind}' must be a non-empty string.")
    if lenient or known(name):
        return
    if kind == "model":
        raise ApiError(
            404,
            "NOT_FOUND",
            f"models/{name.removeprefix('models/')} is not found for this API version, or is "
            "not supported for interactions. Use a Gemini model such as gemini-2.5-flash.",
        )
    raise ApiError(
        404,
        "NOT_FOUND",
        f"Agent '{name}' is not found. Use a Deep Research agent such as "
        "deep-research-pro-preview-12-2025.",
    )


def _pending_calls(steps: list[JsonObject]) -> set[str]:
    pending: set[str] = set()
    for step in steps:
        if step.get("type") == "function_call" and isinstance(step.get("id"), str):
            pending.add(step["id"])
        elif step.get("type") == "function_result":
            pending.discard(str(step.get("call_id")))
    return pending


class Engine:
    """The local Interactions server's behaviour, driven by a `Model`."""

    def __init__(
        self,
        model: Model,
        *,
        store: Store | None = None,
        dialect: str | None = None,
        background_step_delay: float = 0.5,
        lenient: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if dialect is not None and dialect not in DIALECTS:
            raise ValueError(f"dialect must be 'steps', 'legacy' or None, not {dialect!r}")
        self.model = model
        self.store: Store = store or MemoryStore()
        self.dialect = dialect
        """The dialect of every answer; None: the caller's (see `InteractionsApp`)."""
        self.background_step_delay = background_step_delay
        self.lenient = lenient
        """Accept any model or agent name (True), or only the API's (False)."""
        self.clock = clock
        """Seconds since the epoch; background progress follows it."""
        self.agent_names: set[str] = set()
        """Agent ids known beyond the built-in ones (saved agents of this server)."""

    def _dialect(self, requested: str | None) -> str:
        return self.dialect or requested or "steps"

    def known_agent(self, name: str) -> bool:
        """Whether `name` is an agent the API (or this server) has."""
        return name in self.agent_names or _AGENT_NAME.match(name) is not None

    # ---- create ----------------------------------------------------------------

    def _validate(self, body: JsonObject) -> Record | None:
        # `create` is public (tests drive the engine directly): check what the type promises.
        if not isinstance(body, dict):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ApiError(400, "INVALID_ARGUMENT", "The request body must be a JSON object.")
        has_model, has_agent = "model" in body, "agent" in body
        if has_model == has_agent:
            raise ApiError(
                400, "INVALID_ARGUMENT", "Exactly one of 'model' or 'agent' is required."
            )
        if has_model:
            known = _MODEL_NAME.match
            _check_name(
                "model", body["model"], lambda n: known(n) is not None, lenient=self.lenient
            )
        else:
            _check_name("agent", body["agent"], self.known_agent, lenient=self.lenient)
        store = body.get("store", True)
        previous_id = body.get("previous_interaction_id")
        if store is False and body.get("background"):
            raise ApiError(
                400, "INVALID_ARGUMENT", "'store: false' is not compatible with 'background: true'."
            )
        if store is False and previous_id is not None:
            raise ApiError(
                400,
                "INVALID_ARGUMENT",
                "'previous_interaction_id' requires a stored interaction; with 'store: false' "
                "send the whole history as input.",
            )
        if previous_id is None:
            return None
        previous = self.store.get(str(previous_id))
        if previous is None:
            raise ApiError(404, "NOT_FOUND", f"Interaction '{previous_id}' was not found.")
        return previous

    def history_of(self, record: Record) -> list[JsonObject]:
        """Every step before `record`'s input, following `previous_interaction_id`."""
        chain: list[Record] = []
        previous_id = record.previous_interaction_id
        while previous_id is not None:
            earlier = self.store.get(previous_id)
            if earlier is None:
                break
            chain.append(earlier)
            previous_id = earlier.previous_interaction_id
        steps: list[JsonObject] = []
        for earlier in reversed(chain):
            steps.extend(earlier.history)
            steps.extend(earlier.input_steps)
            steps.extend(self.visible_steps(earlier))
        return steps

    async def create(self, body: JsonObject) -> Record:
        """Validate, ask the model, and store (unless `store: false`) a new interaction."""
        previous = self._validate(body)
        store = body.get("store", True) is not False
        raw_input = _input_steps(body.get("input"))
        if previous is not None:
            history = self.history_of(previous) + self._timeline(previous)
            input_steps, client_history = raw_input, []
        else:
            # No previous interaction: the input is the whole conversation (the API's
            # stateless use, whatever `store` says); this turn is what follows the
            # last model step.
            split = max(
                (
                    i + 1
                    for i, s in enumerate(raw_input)
                    if s.get("type") not in ("user_input", "function_result")
                ),
                default=0,
            )
            history, input_steps = raw_input[:split], raw_input[split:]
            client_history = history
        results = [s for s in input_steps if s.get("type") == "function_result"]
        if results:
            pending = _pending_calls(history)
            for result in results:
                call_id = result.get("call_id")
                if call_id not in pending:
                    raise ApiError(
                        400,
                        "INVALID_ARGUMENT",
                        f"function_result.call_id '{call_id}' does not answer a pending "
                        "function_call of the previous interaction (unknown or already answered).",
                    )
                pending.discard(str(call_id))
        request = ModelRequest(body=body, history=history, input=input_steps)
        try:
            reply = await respond(self.model, request)
        except UnexpectedRequest as exc:
            raise ApiError(500, "INTERNAL", str(exc)) from exc
        except Exception as exc:  # a model's bug is the server's 500, never a crash
            raise ApiError(
                500, "INTERNAL", f"The model failed: {type(exc).__name__}: {exc}"
            ) from exc
        return self._record(body, previous, reply, input_steps, client_history, history, store)

    def _timeline(self, record: Record) -> list[JsonObject]:
        return [*record.history, *record.input_steps, *self.visible_steps(record)]

    def _record(
        self,
        body: JsonObject,
        previous: Record | None,
        reply: Reply,
        input_steps: list[JsonObject],
        client_history: list[JsonObject],
        history: list[JsonObject],
        store: bool,
    ) -> Record:
        steps = [dict(step) for step in reply.steps]
        status = reply.status or (
            "requires_action"
            if any(s.get("type") == "function_call" for s in steps)
            else "completed"
        )
        now = self.clock()
        input_tokens = _tokens(history + input_steps)
        output_tokens = _tokens(steps)
        head: JsonObject = {
            "id": f"int_{secrets.token_hex(8)}",
            "status": status,
            "created": _timestamp(now),
            "updated": _timestamp(now),
            "usage": reply.usage
            or {
                "total_input_tokens": input_tokens,
                "total_output_tokens": output_tokens,
                "total_tokens": input_tokens + output_tokens,
            },
        }
        for key in ("model", "agent"):
            if key in body:
                head[key] = body[key]
        if previous is not None:
            head["previous_interaction_id"] = previous.id
        for key in _ECHOED:
            if key in body:
                head[key] = body[key]
        if reply.errors:
            head["errors"] = reply.errors
        if reply.continuation_token:
            head["continuation_token"] = reply.continuation_token
        background = bool(body.get("background"))
        record = Record(
            id=head["id"],
            head=head,
            input_steps=input_steps,
            output_steps=steps,
            previous_interaction_id=previous.id if previous else None,
            history=client_history,
            background=background,
            started_at=now,
            step_delay=self.background_step_delay if background else 0.0,
            final_status=status,
        )
        if store:
            self.store.put(record)
        return record

    # ---- reading -----------------------------------------------------------------

    def get(self, id: str) -> Record:
        record = self.store.get(id)
        if record is None:
            raise ApiError(404, "NOT_FOUND", f"Interaction '{id}' was not found.")
        return record

    def _visible_count(self, record: Record) -> int:
        if not record.background or record.step_delay <= 0:
            return len(record.output_steps)
        until = record.cancelled_at if record.cancelled_at is not None else self.clock()
        return min(len(record.output_steps), int((until - record.started_at) / record.step_delay))

    def visible_steps(self, record: Record) -> list[JsonObject]:
        """The output steps a client can see now (all, unless background work is ongoing)."""
        return record.output_steps[: self._visible_count(record)]

    def status_of(self, record: Record) -> str:
        if record.cancelled_at is not None:
            return "cancelled"
        if self._visible_count(record) < len(record.output_steps):
            return "in_progress"
        if record.background and self.clock() < record.started_at + record.step_delay * (
            len(record.output_steps) + 1
        ):
            return "in_progress"  # the last step is visible; the work finishes a beat later
        return record.final_status

    def interaction(
        self, record: Record, *, with_input: bool, dialect: str | None = None
    ) -> JsonObject:
        """The interaction as the API returns it (POST: outputs; GET: the whole timeline),
        in the engine's dialect, else `dialect` (the caller's), else steps."""
        status = self.status_of(record)
        steps = self.visible_steps(record)
        body = {
            **record.head,
            "status": status,
            "steps": [*record.history, *record.input_steps, *steps] if with_input else steps,
        }
        if status == "in_progress":
            body.pop("usage", None)
        if self._dialect(dialect) == "legacy":
            return legacy_interaction(body)
        return body

    def events(self, record: Record, dialect: str | None = None) -> tuple[list[JsonObject], bool]:
        """The events visible now, with ids, and whether the stream is finished."""
        status = self.status_of(record)
        finished = status != "in_progress"
        head = {**record.head, "status": status}
        if not finished:
            head.pop("usage", None)
        build = legacy_events if self._dialect(dialect) == "legacy" else interaction_events
        events = build(head, self.visible_steps(record), finished=finished)
        for number, event in enumerate(events, start=1):
            event["event_id"] = f"evt_{number:05d}"
        return events, finished

    # ---- changing ----------------------------------------------------------------

    def cancel(self, id: str) -> Record:
        record = self.get(id)
        if self.status_of(record) == "in_progress":
            record.cancelled_at = self.clock()
            record.head["updated"] = _timestamp(record.cancelled_at)
            self.store.put(record)
        return record

    def delete(self, id: str) -> None:
        if not self.store.delete(id):
            raise ApiError(404, "NOT_FOUND", f"Interaction '{id}' was not found.")
