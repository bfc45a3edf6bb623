"""agentloop under test, through its public API only: `Agent.arun`, `astream`, `run`.

One `AsyncClient` (default transport, default retries) and one `Agent` per scenario,
reused across runs as a service would. The tool is a decorated `async def` unless
`tool_kind="sync"` (a plain `def`, placed by agentloop's default policy: worker threads
until it has proven quick, then the loop's thread), `"inline"` (a plain `def` marked
`@tool(inline=True)`, run on the loop's thread) or `"thread"` (`@tool(inline=False)`:
always a worker thread, the hop's cost).
"""

from __future__ import annotations

import time
from typing import Any

from .scenario import API_KEY, FINAL_TEXT, PROMPT, Scenario, make_async_tool, make_sync_tool

__all__ = ["AgentloopClient"]

MODES = ("arun", "astream", "run")


class AgentloopClient:
    """Runs the scenario with `Agent.<mode>`; `run_blocking` is the sync face."""

    def __init__(
        self, base_url: str, *, mode: str, tool_ms: int, tool_kind: str, instrument: bool = False
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        import agentloop

        if instrument:
            _instrument(agentloop)

        self._agentloop = agentloop
        self.mode = mode
        # The blocking face gets the blocking client, as a script would use it.
        client_type = agentloop.Client if mode == "run" else agentloop.AsyncClient
        self._client: Any = client_type(api_key=API_KEY, base_url=base_url)
        if tool_kind == "inline":  # a plain `def` the user marked as returning at once
            self._tool = agentloop.tool(inline=True)(make_sync_tool(tool_ms))
        elif tool_kind == "thread":  # a plain `def` pinned to worker threads
            self._tool = agentloop.tool(inline=False)(make_sync_tool(tool_ms))
        else:
            make = make_sync_tool if tool_kind == "sync" else make_async_tool
            self._tool = agentloop.tool(make(tool_ms))
        self._agents: dict[str, Any] = {}

    def _agent(self, scenario: Scenario) -> Any:
        agent = self._agents.get(scenario.model)
        if agent is None:
            agent = self._agentloop.Agent(scenario.model, tools=[self._tool], client=self._client)
            self._agents[scenario.model] = agent
        return agent

    async def __aenter__(self) -> AgentloopClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._client.aclose()

    async def run(self, scenario: Scenario) -> float | None:
        """One run; returns seconds to the first text event when streaming."""
        agent = self._agent(scenario)
        if self.mode == "arun":
            _check((await agent.arun(PROMPT)).text)
            return None
        start = time.perf_counter()
        first_text: float | None = None
        result = None
        async for event in agent.astream(PROMPT):
            if first_text is None and event.type == "text_delta":
                first_text = time.perf_counter() - start
            elif event.type == "run_finished":
                result = event.result
        _check(result.text if result is not None else None)
        return first_text

    def run_blocking(self, scenario: Scenario) -> None:
        """One run through the blocking `Agent.run`."""
        _check(self._agent(scenario).run(PROMPT).text)

    def close_blocking(self) -> None:
        self._client.close()


def _instrument(agentloop: Any) -> None:
    """Instrumentation as a service would run it: the OpenTelemetry SDK with a batch
    processor (its exporter drops the spans) and a metric reader."""
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

    class Drop(SpanExporter):
        def export(self, spans: Any) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(BatchSpanProcessor(Drop()))
    meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
    agentloop.instrument(tracer_provider=tracer_provider, meter_provider=meter_provider)


def _check(text: str | None) -> None:
    if text != FINAL_TEXT:
        raise RuntimeError(f"unexpected final text: {text!r:.200}")
