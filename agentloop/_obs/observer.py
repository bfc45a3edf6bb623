"""`RunObserver`: one per observed run; the run layer calls it at a few points.

    run_started -> (request -> http(create) | waiting) -> http(poll)*
                -> interaction_ended -> interaction
                -> tools_starting -> around(call)* -> tools_finished -> ...
                -> run_finished | run_failed | abandon

It emits the OpenTelemetry spans and metrics (when OpenTelemetry is installed and
instrumentation is on), records the `RunTrace`, calls the `RunHooks` and writes the
DEBUG lines of `agentloop.run`. Spans are never made current across a `yield` of
the run's event generator (the caller's context would leak into it); parents are
passed explicitly, and only a tool's span is current while its handler runs, so
spans the handler opens nest under it.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from .._http.observe import current_http_observer
from .._wire.base import JsonObject
from .._wire.interaction import Interaction
from .._wire.steps import FunctionCallStep
from .config import Telemetry, is_instrumented, settings, telemetry
from .hooks import HookContext, HookSet, RunProgress
from .spans import PROVIDER, HTTPWatch, fail_span, link_to, span_context_of
from .trace import Recorder, RunTrace, SpanKind

if TYPE_CHECKING:
    from .._tools.dispatch import ToolCallOutcome

__all__ = ["RunObserver", "observer_for", "run_logger"]

run_logger = logging.getLogger("agentloop.run")
T = TypeVar("T")


def observer_for(
    *,
    name: str | None,
    model: str | None,
    agent: str | None,
    instrument: bool | None,
    hooks: HookSet | None,
    progress: RunProgress,
    deps: Any,
    previous_interaction_id: str | None,
    parent: Any = None,
    resumes: dict[str, str] | None = None,
) -> RunObserver | None:
    """The observer of a run, or None when nothing watches it (the common, cheap case)."""
    instrumented = is_instrumented(instrument)
    if not instrumented and not hooks and not run_logger.isEnabledFor(logging.DEBUG):
        return None
    return RunObserver(
        name=name,
        model=model,
        agent=agent,
        hooks=hooks,
        tele=telemetry() if instrumented else None,
        record=instrumented,
        capture=settings().capture_content,
        progress=progress,
        deps=deps,
        conversation_id=previous_interaction_id,
        parent=parent,
        resumes=resumes,
    )


def _json(value: Any) -> str:
    from .._http.encoding import encode_json  # lazy: loaded with a run, not the Agent

    try:
        return encode_json(value).decode()
    except (TypeError, ValueError):
        return json.dumps(repr(value))


class RunObserver:
    """Watches one run: spans, metrics, trace, hooks and logs."""

    def __init__(
        self,
        *,
        name: str | None,
        model: str | None,
        agent: str | None,
        hooks: HookSet | None,
        tele: Telemetry | None,
        record: bool,
        capture: bool,
        progress: RunProgress,
        deps: Any,
        conversation_id: str | None,
        parent: Any = None,
        resumes: dict[str, str] | None = None,
    ) -> None:
        self.run_id: str = uuid.uuid4().hex
        self.ctx: HookContext = HookContext(self.run_id, name, deps, progress)
        self.tele = tele
        self.recorder: Recorder = Recorder(RunTrace() if record else None)
        self.trace: RunTrace | None = self.recorder.trace
        self.hooks = hooks
        self._name, self._model, self._agent = name, model, agent
        self._capture = capture and tele is not None
        self._conversation = conversation_id
        self._parent = parent
        self._resumes = resumes
        self._run_span: Any = None
        self.span_context: dict[str, str] | None = None
        """The run span's `{"trace_id", "span_id"}` (hex) once started, for a resume's link."""
        self._run_index: int | None = None
        self._operation = "generate_content" if agent is None else "invoke_agent"
        self._model_span: Any = None
        self._model_index: int | None = None
        self._model_started = 0.0
        self._round_time = 0.0
        self._watch: HTTPWatch | None = None
        self._rounds = 0

    # -- the trace ---------------------------------------------------------------
    def now(self) -> float:
        return self.recorder.now()

    def open(self, name: str, kind: SpanKind, parent: int | None) -> int | None:
        return self.recorder.open(name, kind, parent)

    def close(self, index: int | None, *, error: str | None = None, detail: str = "") -> None:
        self.recorder.close(index, error=error, detail=detail)

    def fail_span(self, span: Any, exc: BaseException, error_type: str) -> None:
        assert self.tele is not None
        fail_span(self.tele, span, exc, error_type)

    def _common(self) -> dict[str, Any]:
        assert self.tele is not None
        attrs = self.tele.attrs
        common: dict[str, Any] = {attrs.GEN_AI_PROVIDER_NAME: PROVIDER}
        if self.tele.legacy_names:
            common[attrs.GEN_AI_SYSTEM] = PROVIDER
        if self._model is not None:
            common[attrs.GEN_AI_REQUEST_MODEL] = self._model
        return common

    # -- the run -----------------------------------------------------------------
    async def run_started(self, input: Any, *, call_hooks: bool = True) -> None:
        """The run begins (spans, log, and `on_run_start` unless `call_hooks` is False:
        a wait on a background run whose `start()` called it already)."""
        # The span is named after the agent (the conventions' `invoke_agent {name}`);
        # the waterfall falls back to the model for an unnamed one.
        label = f"invoke_agent {self._name or ''}".rstrip()
        shown = f"invoke_agent {self._name or self._model or self._agent or ''}".rstrip()
        self._run_index = self.open(shown, "run", None)
        tele = self.tele
        if tele is not None:
            attrs = tele.attrs
            attributes = {
                attrs.GEN_AI_OPERATION_NAME: "invoke_agent",
                "agentloop.run.id": self.run_id,
                **self._common(),
            }
            if self._name:
                attributes[attrs.GEN_AI_AGENT_NAME] = self._name
            if self._conversation:
                attributes[attrs.GEN_AI_CONVERSATION_ID] = self._conversation
            if self._capture and input is not None:
                attributes[attrs.GEN_AI_INPUT_MESSAGES] = _json(input)
            context = tele.trace.set_span_in_context(self._parent) if self._parent else None
            links = link_to(tele, self._resumes)
            self._run_span = tele.tracer.start_span(
                label,
                context=context,
                kind=tele.trace.SpanKind.INTERNAL,
                attributes=attributes,
                links=links,
            )
            self.span_context = span_context_of(self._run_span)
        run_logger.debug("run %s started (agent %s)", self.run_id, self._name or self._model)
        if self.hooks is not None and call_hooks:
            try:
                await self.hooks.call("on_run_start", self.ctx, input)
            except BaseException as exc:
                self._end_run(exc)
                raise

    async def run_finished(self, result: Any) -> None:
        """The run ended with `result` (a `RunResult`)."""
        if self.hooks is not None:
            try:
                await self.hooks.call("on_run_end", self.ctx, result)
            except BaseException as exc:
                self._end_run(exc)
                raise
        self._end_model(None)
        span = self._run_span
        if span is not None and self.tele is not None:
            attrs = self.tele.attrs
            usage = result.usage
            if self._conversation:
                span.set_attribute(attrs.GEN_AI_CONVERSATION_ID, self._conversation)
            if result.interaction_id:
                span.set_attribute(attrs.GEN_AI_RESPONSE_ID, result.interaction_id)
            if usage.total_input_tokens is not None:
                span.set_attribute(attrs.GEN_AI_USAGE_INPUT_TOKENS, usage.total_input_tokens)
            if usage.total_output_tokens is not None:
                span.set_attribute(attrs.GEN_AI_USAGE_OUTPUT_TOKENS, usage.total_output_tokens)
            if self._capture:
                span.set_attribute(attrs.GEN_AI_OUTPUT_MESSAGES, _json(result.text))
            span.end()
            self._run_span = None
        self.close(self._run_index, detail=result.status)
        run_logger.debug(
            "run %s finished in %.3fs: %s, %d interactions, %d tool calls",
            self.run_id,
            self.now(),
            result.status,
            len(result.interactions),
            len(result.tool_calls),
        )

    async def run_failed(self, error: BaseException) -> None:
        """The run ends with `error` (raised after this returns)."""
        try:
            if self.hooks is not None:
                await self.hooks.call("on_run_end", self.ctx, error)
        finally:
            self._end_run(error)

    def abandon(self) -> None:
        """The run stopped without result or error (closed early, cancelled)."""
        self._end_run(None, cancelled=True)

    def fail(self, error: Exception | None) -> None:
        """End the spans with `error` (None: cancelled), calling no hook."""
        self._end_run(error, cancelled=error is None)

    def started_in_background(self, interaction: Interaction) -> None:
        """`start()` created a background interaction: this observed part is over."""
        self._end_model(None, interaction)
        span, self._run_span = self._run_span, None
        if span is not None and self.tele is not None:
            span.set_attribute("agentloop.run.background", True)
            span.set_attribute(self.tele.attrs.GEN_AI_RESPONSE_ID, interaction.id)
            span.end()
        self.close(self._run_index, detail=f"background {interaction.id}")

    def _end_run(self, error: BaseException | None, *, cancelled: bool = False) -> None:
        self._end_model(error, cancelled=cancelled)
        span, self._run_span = self._run_span, None
        if span is not None:
            if error is not None:
                self.fail_span(span, error, type(error).__qualname__)
            else:
                span.set_attribute("agentloop.run.cancelled", cancelled)
                span.end()
        index = self._run_index
        if self.trace is not None and index is not None and self.trace.spans[index].end is None:
            self.close(
                self._run_index,
                error=type(error).__name__ if error else None,
                detail="cancelled" if cancelled else "",
            )
        if error is not None:
            run_logger.debug("run %s failed after %.3fs: %r", self.run_id, self.now(), error)

    # -- model calls -------------------------------------------------------------
    async def request(self, body: JsonObject) -> None:
        """A create request is about to go out: hooks, then its model-call span."""
        if self.hooks is not None:
            await self.hooks.call("on_request", self.ctx, body)
        self._start_model(body)

    def waiting(self, interaction: Interaction) -> None:
        """The run waits on an interaction it did not create (a background run)."""
        self._start_model(None)

    def _start_model(self, body: JsonObject | None) -> None:
        operation = self._operation
        label = f"{operation} {self._model or self._agent}"
        self._model_index = self.open(label, "model", self._run_index)
        self._model_started = time.perf_counter()
        tele = self.tele
        if tele is not None:
            attrs = tele.attrs
            attributes = {attrs.GEN_AI_OPERATION_NAME: operation, **self._common()}
            if self._agent is not None:
                attributes[attrs.GEN_AI_AGENT_ID] = self._agent
            if self._conversation:
                attributes[attrs.GEN_AI_CONVERSATION_ID] = self._conversation
            if self._capture and body is not None:
                if "input" in body:
                    attributes[attrs.GEN_AI_INPUT_MESSAGES] = _json(body["input"])
                if "system_instruction" in body:
                    attributes[attrs.GEN_AI_SYSTEM_INSTRUCTIONS] = _json(body["system_instruction"])
            self._model_span = tele.tracer.start_span(
                label,
                context=tele.trace.set_span_in_context(self._run_span) if self._run_span else None,
                kind=tele.trace.SpanKind.CLIENT,
                attributes=attributes,
            )
        if self.tele is not None or self.trace is not None:
            self._watch = HTTPWatch(self.recorder, tele, self._model_span, self._model_index)

    async def http(self, sending: Awaitable[T]) -> T:
        """Await `sending` (a create or a poll) with its requests observed."""
        if self._watch is None:
            return await sending
        token = current_http_observer.set(self._watch)
        try:
            return await sending
        finally:
            current_http_observer.reset(token)

    def interaction_ended(self, interaction: Interaction) -> None:
        """An interaction reached a terminal status: end its span."""
        self._rounds += 1
        if self._conversation is None:
            self._conversation = interaction.id
        self._round_time = time.perf_counter() - self._model_started
        self._end_model(None, interaction)

    async def interaction(self, interaction: Interaction) -> None:
        """The run took in a terminal interaction (not a failed one): log, hooks."""
        if run_logger.isEnabledFor(logging.DEBUG):
            run_logger.debug(
                "run %s round %d: interaction %s %s in %.3fs",
                self.run_id,
                self._rounds,
                interaction.id,
                interaction.status,
                self._round_time,
            )
        if self.hooks is not None:
            await self.hooks.call("on_interaction", self.ctx, interaction)

    def _end_model(
        self,
        error: BaseException | None,
        interaction: Interaction | None = None,
        *,
        cancelled: bool = False,
    ) -> None:
        self._watch = None
        index, self._model_index = self._model_index, None
        if index is not None and self.trace is not None and self.trace.spans[index].end is None:
            detail = interaction.status if interaction else ""
            self.close(index, error=type(error).__name__ if error else None, detail=detail)
        span, self._model_span = self._model_span, None
        tele = self.tele
        if span is None or tele is None:
            return
        attrs = tele.attrs
        metric: dict[str, Any] = {attrs.GEN_AI_OPERATION_NAME: self._operation}
        metric.update(self._common())
        if interaction is not None:
            self._describe(span, interaction)
            if interaction.model:
                metric[attrs.GEN_AI_RESPONSE_MODEL] = interaction.model
            usage = interaction.usage
            for kind, count in (
                ("input", usage.total_input_tokens if usage else None),
                ("output", usage.total_output_tokens if usage else None),
            ):
                if count is not None:
                    tele.token_usage.record(count, {**metric, attrs.GEN_AI_TOKEN_TYPE: kind})
        if error is not None:
            metric["error.type"] = type(error).__qualname__
            self.fail_span(span, error, type(error).__qualname__)
        elif interaction is not None and interaction.status == "failed":
            metric["error.type"] = "failed"
            span.set_attribute("error.type", "failed")
            span.set_status(tele.trace.Status(tele.trace.StatusCode.ERROR, "interaction failed"))
            span.end()
        else:
            if cancelled:
                span.set_attribute("agentloop.run.cancelled", True)
            span.end()
        tele.operation_duration.record(time.perf_counter() - self._model_started, metric)

    def _describe(self, span: Any, interaction: Interaction) -> None:
        assert self.tele is not None
        attrs = self.tele.attrs
        span.set_attribute(attrs.GEN_AI_RESPONSE_ID, interaction.id)
        span.set_attribute(attrs.GEN_AI_CONVERSATION_ID, self._conversation or interaction.id)
        span.set_attribute(attrs.GEN_AI_RESPONSE_FINISH_REASONS, [interaction.status])
        if interaction.model:
            span.set_attribute(attrs.GEN_AI_RESPONSE_MODEL, interaction.model)
        usage = interaction.usage
        if usage is not None:
            for name, value in (
                (attrs.GEN_AI_USAGE_INPUT_TOKENS, usage.total_input_tokens),
                (attrs.GEN_AI_USAGE_OUTPUT_TOKENS, usage.total_output_tokens),
                (attrs.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, usage.total_thought_tokens),
                (attrs.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, usage.total_cached_tokens),
            ):
                if value is not None:
                    span.set_attribute(name, value)
        if self._capture:
            span.set_attribute(attrs.GEN_AI_OUTPUT_MESSAGES, _json(interaction.text))

    # -- tools -------------------------------------------------------------------
    async def tools_starting(self, calls: Sequence[FunctionCallStep]) -> None:
        """A tool round is about to run: `on_tool_start` for each call, in order."""
        if self.hooks is not None and self.hooks.wants("on_tool_start"):
            for call in calls:
                await self.hooks.call("on_tool_start", self.ctx, call)

    async def tools_finished(
        self, calls: Sequence[FunctionCallStep], records: Sequence[Any]
    ) -> None:
        """A tool round ended: `on_tool_end` for each call with its `ToolCallRecord`."""
        if self.hooks is not None and self.hooks.wants("on_tool_end"):
            for call, record in zip(calls, records, strict=True):
                await self.hooks.call("on_tool_end", self.ctx, call, record)

    @property
    def around(
        self,
    ) -> (
        Callable[
            [FunctionCallStep, Callable[[], Awaitable[ToolCallOutcome]]], Awaitable[ToolCallOutcome]
        ]
        | None
    ):
        """The wrapper of each tool call's run, or None when nothing is recorded."""
        return self._around if self.tele is not None or self.trace is not None else None

    async def _around(
        self, call: FunctionCallStep, run: Callable[[], Awaitable[ToolCallOutcome]]
    ) -> ToolCallOutcome:
        label = f"execute_tool {call.name}"
        index = self.open(label, "tool", self._run_index)
        tele = self.tele
        if tele is None:
            outcome = await run()
            self._close_tool(index, outcome)
            return outcome
        attrs = tele.attrs
        attributes = {
            attrs.GEN_AI_OPERATION_NAME: "execute_tool",
            attrs.GEN_AI_PROVIDER_NAME: PROVIDER,
            attrs.GEN_AI_TOOL_NAME: call.name,
            attrs.GEN_AI_TOOL_CALL_ID: call.id,
            attrs.GEN_AI_TOOL_TYPE: "function",
        }
        if self._capture:
            attributes[attrs.GEN_AI_TOOL_CALL_ARGUMENTS] = _json(call.arguments)
        context = tele.trace.set_span_in_context(self._run_span) if self._run_span else None
        span = tele.tracer.start_span(
            label, context=context, kind=tele.trace.SpanKind.INTERNAL, attributes=attributes
        )
        token = tele.context.attach(tele.trace.set_span_in_context(span))
        try:
            outcome = await run()
        except BaseException as exc:
            self.fail_span(span, exc, type(exc).__qualname__)
            self.close(index, error=type(exc).__name__)
            raise
        finally:
            tele.context.detach(token)
        self._close_tool(index, outcome)
        metric: dict[str, Any] = {attrs.GEN_AI_TOOL_NAME: call.name}
        exception = outcome.exception
        if self._capture:
            span.set_attribute(attrs.GEN_AI_TOOL_CALL_RESULT, _json(outcome.result.get("result")))
        if exception is not None:
            metric["error.type"] = type(exception).__qualname__
            self.fail_span(span, exception, type(exception).__qualname__)
        else:
            span.end()
        tele.tool_duration.record(outcome.duration, metric)
        return outcome

    def _close_tool(self, index: int | None, outcome: ToolCallOutcome) -> None:
        exception = outcome.exception
        self.close(index, error=f"{type(exception).__name__}" if exception else None)
