"""With instrumentation on, `AgentloopPlugin` adds Temporal's `TracingInterceptor`:
the spans of an agent's activities join the trace of the workflow that ran them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from temporal_agents import AGENTS, WORKFLOWS, TripPlanner
from temporalio.client import Client
from temporalio.worker import Worker

import agentloop
from agentloop.temporal import AgentloopPlugin, AgentWorkflow
from temporal.conftest import tag

pytestmark = pytest.mark.anyio


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    agentloop.instrument(tracer_provider=provider)
    try:
        yield exporter
    finally:
        agentloop.instrument(enabled=False)
        provider.shutdown()


async def test_activity_spans_join_the_workflow_trace(
    exporter: InMemorySpanExporter, client: Client, queue: str
) -> None:
    # `exporter` comes first: instrumentation is on when `client`'s plugin is built.
    run = tag()
    worker = Worker(
        client,
        task_queue=queue,
        workflows=[*WORKFLOWS, AgentWorkflow],
        plugins=[AgentloopPlugin(agents=AGENTS)],
    )
    async with worker:
        text = await client.execute_workflow(
            TripPlanner.run, f"weather {run}", id=f"trip-{run}", task_queue=queue
        )
    assert text.startswith("answer: ")
    spans = list(exporter.get_finished_spans())
    (started,) = [span for span in spans if span.name == "StartWorkflow:TripPlanner"]
    activities = [span for span in spans if span.name.startswith("RunActivity:agentloop.")]
    assert {span.name for span in activities} == {
        "RunActivity:agentloop.create",
        "RunActivity:agentloop.tool",
    }
    assert {span.context.trace_id for span in activities} == {started.context.trace_id}
    scheduled = {span.context.span_id for span in spans if span.name.startswith("StartActivity:")}
    assert all(span.parent is not None and span.parent.span_id in scheduled for span in activities)
    # Inside them, agentloop's own spans: a model call per create, a tool span per call.
    by_id = {span.context.span_id: span for span in activities}
    model_calls = [span for span in spans if span.name.startswith("generate_content ")]
    tool_calls = [span for span in spans if span.name.startswith("execute_tool ")]
    assert model_calls
    assert tool_calls
    for span in model_calls:
        assert span.parent is not None
        assert by_id[span.parent.span_id].name == "RunActivity:agentloop.create"
        assert span.attributes is not None
        assert span.attributes["gen_ai.operation.name"] == "generate_content"
        assert span.attributes["gen_ai.response.id"]
    for span in tool_calls:
        assert span.parent is not None
        assert by_id[span.parent.span_id].name == "RunActivity:agentloop.tool"
        assert span.attributes is not None
        assert span.attributes["gen_ai.tool.call.id"]
    assert {span.context.trace_id for span in model_calls + tool_calls} == {
        started.context.trace_id
    }
