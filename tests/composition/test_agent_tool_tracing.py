"""Tracing flows into a sub-agent: its run span sits under the parent's tool span."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from compose_helpers import Agents, call, text
from obs.conftest import Telemetry, _instrument

from agentloop import Agent
from agentloop.testing import InteractionsServer

pytestmark = pytest.mark.anyio


@pytest.fixture
def otel() -> Iterator[Telemetry]:
    yield from _instrument(capture_content=False)


async def test_the_sub_agent_run_span_is_a_child_of_the_tool_span(otel: Telemetry) -> None:
    agents = Agents(
        {
            "writer": [[call("w1", "researcher", input="tides")], text("done")],
            "researcher": [text("report")],
        }
    )
    client = InteractionsServer(agents.model).client()
    researcher = Agent(
        "gemini-2.5-flash", instructions="researcher", name="researcher", client=client
    )
    writer = Agent(
        "gemini-2.5-flash",
        instructions="writer",
        name="writer",
        tools=[researcher.as_tool(description="Research")],
        client=client,
    )
    await writer.arun("go")
    spans = {span.name: span for span in otel.spans()}
    tool_span = spans["execute_tool researcher"]
    child_run = spans["invoke_agent researcher"]
    assert child_run.parent is not None
    assert tool_span.context is not None
    assert child_run.parent.span_id == tool_span.context.span_id
    assert child_run.context is not None
    assert spans["invoke_agent writer"].context.trace_id == child_run.context.trace_id  # type: ignore[union-attr]
