"""OpenTelemetry span helpers: failures, the HTTP spans of a model call, pipelines.

Everything here takes the `Telemetry` (the lazily imported OpenTelemetry objects)
as an argument: nothing imports OpenTelemetry at module level.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx  # annotations only: requests reach the observer built by httpx already

from .._http.observe import SendAttempts
from .config import Telemetry, is_instrumented, telemetry
from .trace import Recorder, TraceEvent

__all__ = [
    "PROVIDER",
    "HTTPWatch",
    "end_workflow",
    "fail_span",
    "link_to",
    "span_context_of",
    "start_workflow",
]

PROVIDER = "gcp.gemini"
"""`gen_ai.provider.name` of the Gemini API."""
_DEFAULT_PORTS = {"https": 443, "http": 80}


def fail_span(
    tele: Telemetry, span: Any, exc: BaseException, error_type: str, retries: int = 0
) -> None:
    """End `span` as failed with `exc` (recorded as an `exception` event)."""
    span.set_attribute("error.type", error_type)
    if retries:
        span.set_attribute("http.request.resend_count", retries)
    span.record_exception(exc)
    span.set_status(tele.trace.Status(tele.trace.StatusCode.ERROR, str(exc)[:500]))
    span.end()


def span_context_of(span: Any) -> dict[str, str] | None:
    """`span`'s `{"trace_id", "span_id"}` as hex strings (kept in a `RunState`), or
    None when it is not recorded (an invalid context: no SDK, not sampled)."""
    context = span.get_span_context()
    if not context.is_valid:
        return None
    return {"trace_id": f"{context.trace_id:032x}", "span_id": f"{context.span_id:016x}"}


def link_to(tele: Telemetry, saved: dict[str, str] | None) -> list[Any] | None:
    """The links of a resumed run's span: to the paused (or failed) run's span
    `saved` by `span_context_of`; None when there is none or it is unreadable."""
    if saved is None:
        return None
    try:
        trace_id, span_id = int(saved["trace_id"], 16), int(saved["span_id"], 16)
    except (KeyError, ValueError):
        return None
    trace = tele.trace
    context = trace.SpanContext(
        trace_id=trace_id,
        span_id=span_id,
        is_remote=True,
        trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED),
    )
    if not context.is_valid:
        return None
    return [trace.Link(context, {"agentloop.link.kind": "resume"})]


def _masked_url(url: httpx.URL) -> str:
    return str(url.copy_set_param("key", "***") if "key" in url.params else url)


class HTTPWatch:
    """The `HTTPObserver` of one model call: its HTTP requests as child spans (the
    create, polls, stream resumes), retries as span events."""

    __slots__ = ("_index", "_recorder", "_span", "_tele")

    def __init__(
        self, recorder: Recorder, tele: Telemetry | None, span: Any, index: int | None
    ) -> None:
        self._recorder, self._tele, self._span, self._index = recorder, tele, span, index

    async def observe(self, request: httpx.Request, send: SendAttempts) -> httpx.Response:
        recorder, tele = self._recorder, self._tele
        path = request.url.path.split("/", 2)[-1]
        index = recorder.open(f"{request.method} {path}", "http", self._index)
        span = None
        if tele is not None:
            url = request.url
            span = tele.tracer.start_span(
                request.method,
                context=tele.trace.set_span_in_context(self._span) if self._span else None,
                kind=tele.trace.SpanKind.CLIENT,
                attributes={
                    "http.request.method": request.method,
                    "url.full": _masked_url(url),
                    "server.address": url.host,
                    "server.port": url.port or _DEFAULT_PORTS.get(url.scheme, 80),
                },
            )
        retries = 0

        def on_retry(attempt: int, delay: float, reason: str) -> None:
            nonlocal retries
            retries = attempt
            recorder.event(index, TraceEvent("retry", recorder.now(), delay, reason))
            if span is not None:
                span.add_event(
                    "retry",
                    {
                        "http.request.resend_count": attempt,
                        "agentloop.retry.wait": delay,
                        "agentloop.retry.reason": reason,
                    },
                )

        try:
            response = await send(on_retry)
        except BaseException as exc:
            status = getattr(exc, "status_code", None)
            recorder.close(index, error=f"{status or type(exc).__name__}")
            if span is not None and tele is not None:
                if status is not None:
                    span.set_attribute("http.response.status_code", status)
                fail_span(tele, span, exc, str(status or type(exc).__qualname__), retries)
            raise
        detail = str(response.status_code)
        recorder.close(index, detail=f"{detail} after {retries} retries" if retries else detail)
        if span is not None:
            span.set_attribute("http.response.status_code", response.status_code)
            if retries:
                span.set_attribute("http.request.resend_count", retries)
            span.end()
        return response


def start_workflow(name: str, flags: Sequence[bool | None]) -> Any:
    """The span over a pipeline's steps (`invoke_workflow {name}`), or None when no
    step is instrumented or OpenTelemetry is missing. The caller passes it as the
    `parent` of each step's run and ends it with `end_workflow`."""
    if not any(is_instrumented(flag) for flag in flags):
        return None
    tele = telemetry()
    if tele is None:
        return None
    attrs = tele.attrs
    return tele.tracer.start_span(
        f"invoke_workflow {name}",
        kind=tele.trace.SpanKind.INTERNAL,
        attributes={
            attrs.GEN_AI_OPERATION_NAME: "invoke_workflow",
            attrs.GEN_AI_PROVIDER_NAME: PROVIDER,
            attrs.GEN_AI_WORKFLOW_NAME: name,
        },
    )


def end_workflow(span: Any, error: BaseException | None) -> None:
    """End a pipeline's span, with `error` if the pipeline failed."""
    if span is None:
        return
    tele = telemetry()
    if error is not None and tele is not None:
        fail_span(tele, span, error, type(error).__qualname__)
    else:
        span.end()
