"""Models for the local server: what answers a create request.

A model gets a `ModelRequest` (the create body, the stored history and this turn's
input, all in wire form) and returns the steps of its answer, or a `Reply` when it
wants to set the status, usage or errors itself. The server does everything else:
ids, statuses, storage, events, streaming, background progress.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, cast, runtime_checkable

from .._wire.base import JsonObject

__all__ = ["FunctionModel", "Model", "ModelRequest", "Reply", "ScriptedModel", "UnexpectedRequest"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelRequest:
    """What a model sees of one create request."""

    body: JsonObject
    """The create request as sent (model/agent, tools, response_format, ...)."""
    history: list[JsonObject]
    """Every earlier step of the conversation (from `previous_interaction_id`, or the
    replayed history of a `store=false` request), oldest first."""
    input: list[JsonObject]
    """This turn's input as steps (`user_input`, `function_result`, ...)."""

    @property
    def tools(self) -> list[JsonObject]:
        """The declared tools."""
        tools: object = self.body.get("tools")
        return list(cast(list[JsonObject], tools)) if isinstance(tools, list) else []

    @property
    def function_tools(self) -> list[JsonObject]:
        """The declared function tools."""
        return [t for t in self.tools if t.get("type") == "function"]

    @property
    def function_results(self) -> list[JsonObject]:
        """The function results this turn sends back."""
        return [s for s in self.input if s.get("type") == "function_result"]

    @property
    def user_text(self) -> str:
        """The text of this turn's user input."""
        return _text_of(s for s in self.input if s.get("type") == "user_input")

    @property
    def all_steps(self) -> list[JsonObject]:
        """History followed by this turn's input."""
        return [*self.history, *self.input]


def _text_of(steps: Any) -> str:
    parts: list[str] = []
    for step in steps:
        blocks: list[object] = step.get("content") or []
        for block in blocks:
            if isinstance(block, dict) and cast(JsonObject, block).get("type") == "text":
                parts.append(str(cast(JsonObject, block).get("text", "")))
    return " ".join(parts)


@dataclass(frozen=True, slots=True, kw_only=True)
class Reply:
    """A model's answer when the steps alone do not say everything.

    `status` defaults to `requires_action` when the steps hold a `function_call`
    and `completed` otherwise.
    """

    steps: Sequence[JsonObject] = ()
    status: str | None = None
    usage: JsonObject | None = None
    errors: list[JsonObject] | None = None
    continuation_token: str | None = None


ModelOutput = Reply | Sequence[JsonObject] | str
"""What a model returns: a `Reply`, a list of steps, or plain text."""


@runtime_checkable
class Model(Protocol):
    """Anything with `respond(request)` returning a `Reply`, steps or text (or awaitable)."""

    def respond(self, request: ModelRequest) -> ModelOutput | Awaitable[ModelOutput]: ...


def as_reply(output: ModelOutput) -> Reply:
    """Normalise what a model returned."""
    if isinstance(output, Reply):
        return output
    if isinstance(output, str):
        return Reply(
            steps=[{"type": "model_output", "content": [{"type": "text", "text": output}]}]
        )
    return Reply(steps=list(output))


async def respond(model: Model, request: ModelRequest) -> Reply:
    """Call `model` (sync or async) and normalise its answer."""
    output = model.respond(request)
    if inspect.isawaitable(output):
        output = await output
    return as_reply(output)


class UnexpectedRequest(AssertionError):
    """A scripted model got a request its script did not expect."""


class ScriptedModel:
    """Answers requests from a script, in order, and fails loudly when it runs out.

    Each entry is a `Reply`, a list of steps, plain text, or a function of the
    request returning one of those. A request beyond the script makes the server
    answer 500 and is recorded; `verify()` (called on `with` exit) raises if any
    unexpected request came or entries were left unconsumed.
    """

    def __init__(
        self, script: Sequence[ModelOutput | Callable[[ModelRequest], ModelOutput]]
    ) -> None:
        self._script = list(script)
        self._lock = threading.Lock()
        self.requests: list[ModelRequest] = []
        """Every request the model got, in order."""
        self.unexpected: list[ModelRequest] = []

    def respond(self, request: ModelRequest) -> ModelOutput:
        with self._lock:
            self.requests.append(request)
            if not self._script:
                self.unexpected.append(request)
                raise UnexpectedRequest(
                    f"ScriptedModel: unexpected request #{len(self.requests)} "
                    f"(input: {request.input!r:.300})"
                )
            entry = self._script.pop(0)
        return entry(request) if callable(entry) else entry

    @property
    def remaining(self) -> int:
        """Entries not consumed yet."""
        return len(self._script)

    def verify(self) -> None:
        """Raise `UnexpectedRequest` on extra requests or unconsumed entries."""
        if self.unexpected:
            raise UnexpectedRequest(
                f"ScriptedModel got {len(self.unexpected)} request(s) beyond its script"
            )
        if self._script:
            raise UnexpectedRequest(f"ScriptedModel: {len(self._script)} entries never used")

    def __enter__(self) -> ScriptedModel:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.verify()


@dataclass
class FunctionModel:
    """A model written as a Python function of the request (sync or async)."""

    function: Callable[[ModelRequest], ModelOutput | Awaitable[ModelOutput]]
    requests: list[ModelRequest] = field(default_factory=list[ModelRequest])

    def respond(self, request: ModelRequest) -> ModelOutput | Awaitable[ModelOutput]:
        self.requests.append(request)
        return self.function(request)
