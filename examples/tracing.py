"""Tracing an agent: OpenTelemetry spans, run hooks, and the run drawn as a waterfall.

The spans go to the console here (swap in an OTLP exporter to send them to Jaeger,
Grafana Tempo or Cloud Trace). Needs the extras (pip install 'agentloop[otel]'
opentelemetry-sdk), and GEMINI_API_KEY or AGENTLOOP_BASE_URL pointing at an
Interactions server (offline: `agentloop serve`, then
AGENTLOOP_BASE_URL=http://127.0.0.1:8765):

    python examples/tracing.py
"""

from typing import Any

from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult

import agentloop
from agentloop import Agent, HookContext, RunHooks, ToolCallRecord, tool


class PrintSpans(SpanExporter):
    """A one-line-per-span exporter, so the example's output stays readable."""

    def export(self, spans: Any) -> SpanExportResult:
        for span in spans:
            assert isinstance(span, ReadableSpan)
            print(f"[span] {span.name} ({span.kind.name.lower()})")
        return SpanExportResult.SUCCESS


class Audit(RunHooks):
    """Run hooks: each method is optional, and may be sync or async."""

    async def on_run_start(self, ctx: HookContext, input: Any) -> None:
        print(f"[hook] run started ({ctx.agent_name})")

    def on_tool_end(self, ctx: HookContext, call: Any, record: ToolCallRecord) -> None:
        outcome = "failed" if record.is_error else "ok"
        print(f"[hook] {call.name} {outcome}")

    async def on_run_end(self, ctx: HookContext, result_or_error: Any) -> None:
        print(f"[hook] run ended after {ctx.turn} tool round(s)")


@tool
def get_weather(city: str) -> str:
    """Get the current weather of a city."""
    return f"Sunny and 22°C in {city}"


def main() -> None:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(PrintSpans()))
    agentloop.instrument(tracer_provider=provider)  # every agent of the process

    agent = Agent("gemini-2.5-flash", tools=[get_weather], name="weather", hooks=[Audit()])
    result = agent.run("What is the weather in Paris?")
    print(result.text)
    result.print_trace(width=90)  # the run as a waterfall (rich colours in a terminal)
    provider.shutdown()


if __name__ == "__main__":
    main()
