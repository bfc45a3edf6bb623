"""The Interaction resource, its Usage, and the accessors users know from the guide.

Both dialects parse here: a legacy body with a flat `outputs[]` is rewritten into
`steps[]` before validation, so the rest of agentloop only ever sees steps.
"""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, cast

from pydantic import Field, TypeAdapter

from .base import JsonObject, WireModel
from .content import Content, ImageContent, TextContent
from .steps import (
    FunctionCallStep,
    FunctionResultStep,
    ModelOutputStep,
    Step,
    ThoughtStep,
    UserInputStep,
    outputs_to_steps,
)

__all__ = [
    "TERMINAL_STATUSES",
    "GeneratedImage",
    "Interaction",
    "InteractionError",
    "InteractionStatus",
    "ModalityTokens",
    "Output",
    "Usage",
]

InteractionStatus = Literal[
    "in_progress",
    "requires_action",
    "completed",
    "failed",
    "cancelled",
    "incomplete",
    "budget_exceeded",
    "queued",
    "idle",
    "requires_continuation",
]
"""The statuses known today. `Interaction.status` is a plain `str`: new ones may appear."""

TERMINAL_STATUSES = frozenset(
    {
        "completed",
        "failed",
        "cancelled",
        "incomplete",
        "budget_exceeded",
        # Terminal for this hop: the client must act (run tools / continue) to go on.
        "requires_action",
        "requires_continuation",
    }
)
"""Statuses after which the server does no more work on an interaction by itself.

Anything else, including a status this version does not know, means "poll again".
"""

KNOWN_STATUSES = TERMINAL_STATUSES | {"in_progress", "queued", "idle"}


class ModalityTokens(WireModel):
    """Tokens counted for one modality."""

    modality: str | None = None
    tokens: int | None = None


class GroundingToolCount(WireModel):
    """How often a grounding tool ran."""

    type: str | None = None
    count: int | None = None


_BY_MODALITY = (
    "input_tokens_by_modality",
    "output_tokens_by_modality",
    "cached_tokens_by_modality",
    "tool_use_tokens_by_modality",
)
_LISTS = (*_BY_MODALITY, "grounding_tool_count")
_TOTALS = (
    "total_input_tokens",
    "total_output_tokens",
    "total_thought_tokens",
    "total_cached_tokens",
    "total_tool_use_tokens",
    "total_tokens",
    "initial_input_tokens",
)


class Usage(WireModel):
    """Token usage. Every field is optional; `usage_a + usage_b` sums two of them."""

    total_input_tokens: int | None = None
    total_output_tokens: int | None = None
    total_thought_tokens: int | None = None
    total_cached_tokens: int | None = None
    total_tool_use_tokens: int | None = None
    total_tokens: int | None = None
    initial_input_tokens: int | None = None
    input_tokens_by_modality: list[ModalityTokens] | None = None
    output_tokens_by_modality: list[ModalityTokens] | None = None
    cached_tokens_by_modality: list[ModalityTokens] | None = None
    tool_use_tokens_by_modality: list[ModalityTokens] | None = None
    grounding_tool_count: list[GroundingToolCount] | None = None

    def __add__(self, other: Usage) -> Usage:
        mine, theirs = self.__dict__, other.__dict__
        summed: dict[str, Any] = {}
        for name in _TOTALS:
            a, b = mine[name], theirs[name]
            if a is not None or b is not None:
                summed[name] = (a or 0) + (b or 0)
        if self.model_extra or any(
            mine[name] is not None or theirs[name] is not None for name in _LISTS
        ):
            return self._add_lists(other, summed)
        # Only integer totals (what a run adds once per request): nothing to validate,
        # and every field left out is None on both sides. Filled in as
        # `model_construct` fills a model, without its per-field work: ~1.5 us against
        # ~3.5 us for `model_copy(update=...)` and ~6 us for `model_construct`.
        fields = dict(mine)
        fields.update(summed)
        total = Usage.__new__(Usage)
        _set = object.__setattr__
        _set(total, "__dict__", fields)
        _set(total, "__pydantic_fields_set__", self.model_fields_set | other.model_fields_set)
        _set(total, "__pydantic_extra__", {})
        _set(total, "__pydantic_private__", None)
        return total

    def _add_lists(self, other: Usage, summed: dict[str, Any]) -> Usage:
        for name in _BY_MODALITY:
            merged = _sum_by(getattr(self, name), getattr(other, name), "modality", "tokens")
            if merged is not None:
                summed[name] = merged
        counts = _sum_by(self.grounding_tool_count, other.grounding_tool_count, "type", "count")
        if counts is not None:
            summed["grounding_tool_count"] = counts
        if counts is not None or any(name in summed for name in _BY_MODALITY):
            return Usage.model_validate(summed)
        return Usage.model_construct(**summed)  # fields we don't know are not summed


def _sum_by(
    mine: list[Any] | None, theirs: list[Any] | None, key: str, value: str
) -> list[JsonObject] | None:
    if mine is None and theirs is None:
        return None
    totals: dict[Any, int] = {}
    for entry in (mine or []) + (theirs or []):
        label = getattr(entry, key)
        totals[label] = totals.get(label, 0) + (getattr(entry, value) or 0)
    return [{key: label, value: count} for label, count in totals.items()]


class InteractionError(WireModel):
    """A platform error recorded on a failed interaction."""

    code: int | str | None = None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class GeneratedImage:
    """An image the model produced, decoded."""

    data: bytes
    """The image bytes."""
    mime_type: str | None
    """The image's MIME type, e.g. `image/png`."""

    def save(self, path: str | Path) -> Path:
        """Write the image to `path` and return the path."""
        target = Path(path)
        target.write_bytes(self.data)
        return target


Output = Content | Step
"""An entry of `Interaction.outputs`: a content block, or a non-content step."""

_INPUT_STEPS = (UserInputStep, FunctionResultStep)


@functools.cache
def _steps_adapter() -> TypeAdapter[list[Step]]:
    return TypeAdapter(list[Step])


class Interaction(WireModel):
    """An interaction: one turn (or one background task) and everything it produced.

    `steps` is the timeline as the API sends it. The read-only accessors (`text`,
    `outputs`, `function_calls`, `images`, `is_terminal`) look at *this turn's*
    output: the steps after the last input step (`user_input` / `function_result`),
    since a GET returns the whole timeline including the inputs.
    """

    id: str
    status: str = "in_progress"
    model: str | None = None
    agent: str | None = None
    agent_config: JsonObject | None = None
    steps: list[Step] = Field(default_factory=list[Step])
    usage: Usage | None = None
    created: datetime | None = None
    updated: datetime | None = None
    previous_interaction_id: str | None = None
    continuation_token: str | None = None
    errors: list[InteractionError] | None = None
    environment_id: str | None = None
    system_instruction: str | None = None
    tools: list[JsonObject] | None = None
    generation_config: JsonObject | None = None
    response_format: Any = None
    response_modalities: list[str] | None = None
    service_tier: str | None = None
    labels: dict[str, str] | None = None

    def model_post_init(self, context: Any, /) -> None:
        # Legacy dialect: `outputs[]` (flat content) instead of `steps[]`; it arrives
        # as an extra field. Rewrite it into steps; the legacy-only `object`/`role`
        # fields stay as extras. Here rather than in a "before" validator: one of
        # those makes pydantic turn every reply into Python objects before validating
        # it, ~3 us per reply for the few legacy ones (docs/performance.md).
        extra = self.__pydantic_extra__
        if extra and "outputs" in extra and "steps" not in self.__pydantic_fields_set__:
            outputs: object = extra.pop("outputs")
            steps = (
                outputs_to_steps(cast(list[object], outputs)) if isinstance(outputs, list) else []
            )
            self.steps = _steps_adapter().validate_python(steps, context=context)

    @property
    def is_terminal(self) -> bool:
        """True once the server will do no more work on this interaction by itself."""
        return self.status in TERMINAL_STATUSES

    @property
    def is_known_status(self) -> bool:
        """False for a status this version of agentloop does not know."""
        return self.status in KNOWN_STATUSES

    @property
    def output_steps(self) -> list[Step]:
        """This turn's steps: those after the last input step (`user_input` or
        `function_result`); all of them when the timeline holds no input."""
        steps: list[Any] = self.steps
        for position in range(len(steps) - 1, -1, -1):
            if isinstance(steps[position], _INPUT_STEPS):
                return steps[position + 1 :]
        return steps

    @property
    def outputs(self) -> list[Output]:
        """This turn's output as one flat list, like the legacy `outputs[]`.

        `model_output` steps contribute their content blocks; other steps (thoughts,
        function calls, search calls and results, ...) appear as themselves. So the
        guide's `interaction.outputs[-1].text` and
        `[o for o in interaction.outputs if o.type == "function_call"]` both work.
        """
        flat: list[Output] = []
        for step in self.output_steps:
            if isinstance(step, ModelOutputStep):
                flat.extend(step.content)
            else:
                flat.append(step)
        return flat

    @property
    def text(self) -> str:
        """The text of the trailing model output of this turn, skipping thoughts.

        Empty when the turn ended in something else (e.g. function calls).
        """
        parts: list[str] = []
        for step in reversed(self.output_steps):
            if isinstance(step, ThoughtStep) or step.is_unknown:
                continue  # a step type added after this release does not hide the text
            if not isinstance(step, ModelOutputStep):
                break
            texts = [block.text for block in step.content if isinstance(block, TextContent)]
            parts.append("".join(texts))
        return "".join(reversed(parts))

    @property
    def function_calls(self) -> list[FunctionCallStep]:
        """This turn's calls of client-side function tools, in order."""
        return [step for step in self.output_steps if isinstance(step, FunctionCallStep)]

    @property
    def images(self) -> list[GeneratedImage]:
        """The inline images this turn produced, decoded."""
        return [
            GeneratedImage(data=base64.b64decode(block.data), mime_type=block.mime_type)
            for block in self.outputs
            if isinstance(block, ImageContent) and block.data is not None
        ]
