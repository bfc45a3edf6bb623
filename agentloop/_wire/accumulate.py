"""Fold stream events into the final Interaction. Pure: no I/O, unit-tested from transcripts.

The rules (the server's `interaction.completed` carries no steps, so the client rebuilds
them): `step.start` stores a copy of the step at its index; `step.delta` merges into
it by delta type; `step.stop` finalises it (parses joined `arguments_delta` fragments);
`interaction.completed` supplies id, status and usage, and the steps come from the
map, ordered by index.
"""

from __future__ import annotations

from typing import Any

from .content import (
    AudioContent,
    DocumentContent,
    ImageContent,
    TextContent,
    VideoContent,
)
from .events import (
    ArgumentsDelta,
    ErrorEvent,
    InteractionCompletedEvent,
    InteractionCreatedEvent,
    InteractionStatusUpdateEvent,
    LegacyFunctionCallDelta,
    StepDeltaEvent,
    StepStartEvent,
    StepStopEvent,
    StreamEvent,
    TextAnnotationDelta,
    TextDelta,
    ThoughtSignatureDelta,
    ThoughtSummaryDelta,
    ToolDelta,
)
from .interaction import Interaction
from .limits import arguments_problem, parse_arguments
from .steps import FunctionCallStep, ModelOutputStep, ThoughtStep, UnknownStep

__all__ = ["InteractionAccumulator"]

_MEDIA = (ImageContent, AudioContent, VideoContent, DocumentContent)


class InteractionAccumulator:
    """Builds the final `Interaction` from a stream's events, one `feed` at a time."""

    def __init__(self) -> None:
        self._interaction: Interaction | None = None
        self._steps: dict[int, Any] = {}
        self._arguments: dict[int, list[str]] = {}
        # Steps still shared with their `step.start` event (the consumer's object):
        # copied only when first changed. Copying at `step.start` (~5 us) and adding
        # the first text block (~5 us) delayed the first text the consumer sees.
        self._borrowed: set[int] = set()
        # Text fragments for the last text block of step `_text_index`, joined when
        # anything else happens (another event, a snapshot). Appending each fragment
        # to the block's `text` copied the whole text so far and went through
        # pydantic's `__setattr__` per delta: ~1 us a delta, growing with the answer.
        self._text_index = -1
        self._text_pieces: list[str] = []
        self.completed = False
        """True once an `interaction.completed` event arrived."""
        self.error: ErrorEvent | None = None
        """The in-stream error event, if the stream carried one."""

    @property
    def interaction_id(self) -> str | None:
        """The interaction's id, once an event has revealed it."""
        return self._interaction.id if self._interaction is not None else None

    def feed(self, event: StreamEvent) -> None:
        """Apply one event."""
        if isinstance(event, StepDeltaEvent):
            self._apply_delta(event)
            return
        if self._text_pieces:
            self._flush_text()
        if isinstance(event, StepStartEvent):
            self._steps[event.index] = event.step
            self._borrowed.add(event.index)
        elif isinstance(event, StepStopEvent):
            self._finish_step(event.index)
        elif isinstance(event, InteractionCreatedEvent):
            self._merge_interaction(event.interaction)
        elif isinstance(event, InteractionStatusUpdateEvent):
            self._apply_status(event)
        elif isinstance(event, InteractionCompletedEvent):
            for index in list(self._arguments):
                self._finish_step(index)
            self._merge_interaction(event.interaction)
            self.completed = True
        elif isinstance(event, ErrorEvent):
            self.error = event
        # Unknown events carry nothing we know how to fold; the consumer still sees them.

    def snapshot(self) -> Interaction:
        """The interaction as reassembled so far (the final one after completion)."""
        if self._text_pieces:
            self._flush_text()
        base = self._interaction or Interaction(id="")
        if base.steps and not self._steps:
            return base  # the server sent full steps itself; nothing to rebuild
        steps = [self._own(index) for index in sorted(self._steps)]
        return base.model_copy(update={"steps": steps})

    def _merge_interaction(self, partial: Interaction) -> None:
        if self._interaction is None:
            self._interaction = partial
            return
        update = {name: getattr(partial, name) for name in partial.model_fields_set}
        update.update(partial.model_extra or {})
        merged = self._interaction.model_copy(update=update)
        merged.__pydantic_fields_set__.update(partial.model_fields_set)
        self._interaction = merged

    def _apply_status(self, event: InteractionStatusUpdateEvent) -> None:
        update: dict[str, Any] = {}
        for name in ("status", "usage", "continuation_token"):
            value = getattr(event, name)
            if value is not None:
                update[name] = value
        if self._interaction is None:
            self._interaction = Interaction(id=event.interaction_id or "", **update)
        elif update:
            self._merge_interaction(Interaction(id=self._interaction.id, **update))

    def _own(self, index: int) -> Any:
        """The step at `index`, copied first if it is still the `step.start` event's."""
        step = self._steps[index]
        if index in self._borrowed:
            self._borrowed.discard(index)
            step = self._steps[index] = step.model_copy(deep=True)
        return step

    def _step_at(self, index: int, delta_type: str) -> Any:
        step = self._own(index) if index in self._steps else None
        if step is None:
            # A delta without its step.start (e.g. after a resume that skipped it):
            # create the step the delta implies rather than drop data.
            if delta_type in ("thought_summary", "thought_signature"):
                step = ThoughtStep()
            elif delta_type in ("arguments_delta", "function_call"):
                step = FunctionCallStep(id="", name="")
            elif delta_type in ("text", "text_annotation_delta", "image", "audio", "video"):
                step = ModelOutputStep()
            else:
                step = UnknownStep(type=delta_type)
            self._steps[index] = step
        return step

    def _flush_text(self) -> None:
        block = _last_text(self._step_at(self._text_index, "text"))
        block.text = "".join([block.text, *self._text_pieces])
        self._text_index, self._text_pieces = -1, []

    def _apply_delta(self, event: StepDeltaEvent) -> None:
        delta, index = event.delta, event.index
        if isinstance(delta, TextDelta) and not delta.annotations:
            if index != self._text_index:
                if self._text_pieces:
                    self._flush_text()
                self._text_index = index
            self._text_pieces.append(delta.text)
            return
        if self._text_pieces:
            self._flush_text()
        step = self._step_at(index, str(delta.type))
        if isinstance(delta, TextDelta):  # with annotations
            block = _last_text(step)
            block.text += delta.text
            block.annotations = [*(block.annotations or []), *(delta.annotations or [])]
        elif isinstance(delta, ArgumentsDelta):
            self._arguments.setdefault(index, []).append(delta.arguments)
        elif isinstance(delta, ThoughtSummaryDelta):
            if delta.content is not None:
                step.summary = [*(getattr(step, "summary", None) or []), delta.content]
        elif isinstance(delta, ThoughtSignatureDelta):
            step.signature = delta.signature
        elif isinstance(delta, _MEDIA):
            _content_of(step).append(delta.model_copy())
        elif isinstance(delta, TextAnnotationDelta):
            block = _last_text(step)
            block.annotations = [*(block.annotations or []), *delta.annotations]
        elif isinstance(delta, LegacyFunctionCallDelta | ToolDelta):
            for name in delta.model_fields_set - {"type"}:
                value = getattr(delta, name)
                if name == "arguments" and isinstance(step, FunctionCallStep):
                    problem = arguments_problem(value)
                    if problem is not None:
                        step.arguments_error = problem
                        continue
                setattr(step, name, value)
        # An unknown delta type has no merge rule; it reaches the consumer as an event.

    def _finish_step(self, index: int) -> None:
        fragments = self._arguments.pop(index, None)
        if fragments is None or not isinstance(self._steps.get(index), FunctionCallStep):
            return
        step = self._own(index)
        arguments, problem = parse_arguments("".join(fragments))
        if arguments is not None:
            step.arguments = arguments
        else:
            step.arguments_error = problem


def _content_of(step: Any) -> list[Any]:
    content: list[Any] | None = getattr(step, "content", None)
    if content is None:
        content = []
    # Assign even an existing list: pydantic then counts the field as set, so the
    # step's wire form (`to_dict()`, replayed history) includes what we append.
    step.content = content
    return content


def _last_text(step: Any) -> TextContent:
    content = _content_of(step)
    if content and isinstance(content[-1], TextContent):
        return content[-1]
    block = TextContent(text="")
    content.append(block)
    return block
