"""Agents as tools: a writer calls a background researcher; the child's usage and
interactions are linked to the parent; a child's pause for approval pauses the parent
and one resume continues both."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from compose_helpers import Agents, call, text
from pydantic import BaseModel

from agentloop import (
    Agent,
    ApprovalRequestedEvent,
    PendingApproval,
    RunFinishedEvent,
    RunState,
    ToolContext,
    UserError,
    tool,
)
from agentloop.testing import InteractionsServer, ModelRequest

pytestmark = pytest.mark.anyio

FAST_POLL: dict[str, Any] = {"poll_interval": 0.01, "poll_max_interval": 0.02}


def writes_from_result(request: ModelRequest) -> Any:
    (result,) = request.function_results
    return text(f"Article: {result['result']}")


async def test_writer_calls_a_background_researcher_as_a_tool() -> None:
    agents = Agents(
        {
            "writer": [[call("w1", "researcher", input="tides")], writes_from_result],
            "researcher": [lambda r: text(f"report on {r.user_text}")],
        }
    )
    server = InteractionsServer(agents.model, background_step_delay=0.01)
    client = server.client()
    researcher = Agent(
        agent="deep-research-pro-preview-12-2025",
        instructions="researcher",
        background=True,
        name="researcher",
        client=client,
        **FAST_POLL,
    )
    writer = Agent(
        "gemini-2.5-flash",
        instructions="writer",
        name="writer",
        tools=[researcher.as_tool(description="Research a topic in depth")],
        client=client,
    )
    result = await writer.arun("Write about tides")

    assert result.text == "Article: report on tides"
    declared = agents.requests["writer"][0].function_tools
    assert declared == [
        {
            "type": "function",
            "name": "researcher",
            "description": "Research a topic in depth",
            "parameters": {
                "type": "object",
                "properties": {
                    "input": {"type": "string", "description": "What to ask the agent."}
                },
                "required": ["input"],
            },
        }
    ]
    assert agents.requests["researcher"][0].body["background"] is True
    (record,) = result.tool_calls
    assert record.name == "researcher"
    assert len(record.child_interactions) == 1
    child = await client.interactions.get(record.child_interactions[0])
    assert child.text == "report on tides"
    child_tokens = (child.usage.total_tokens or 0) if child.usage else 0
    own = sum((i.usage.total_tokens or 0) for i in result.interactions if i.usage)
    assert result.usage.total_tokens == own + child_tokens
    assert agents.left() == {}


async def test_structured_output_passes_through_as_json() -> None:
    class Finding(BaseModel):
        claim: str
        confidence: float

    agents = Agents(
        {
            "writer": [
                [call("w1", "analyst", input="x")],
                lambda r: text(f"got {r.function_results[0]['result']}"),
            ],
            "analyst": ['{"claim": "tides follow the moon", "confidence": 0.9}'],
        }
    )
    client = InteractionsServer(agents.model).client()
    analyst = Agent(
        "gemini-2.5-flash",
        instructions="analyst",
        name="analyst",
        response_format=Finding,
        client=client,
    )
    writer = Agent(
        "gemini-2.5-flash",
        instructions="writer",
        tools=[analyst.as_tool(description="Analyse")],
        client=client,
    )
    result = await writer.arun("go")
    assert result.text == "got {'claim': 'tides follow the moon', 'confidence': 0.9}"
    assert agents.requests["writer"][1].function_results[0]["result"] == {
        "claim": "tides follow the moon",
        "confidence": 0.9,
    }


async def test_parent_deps_reach_the_child_tools() -> None:
    seen: list[Any] = []

    @tool
    def whoami(ctx: ToolContext[dict[str, str]]) -> str:
        """Who is asking."""
        seen.append(ctx.deps)
        return ctx.deps["user"]

    agents = Agents(
        {
            "writer": [[call("w1", "helper", input="who?")], writes_from_result],
            "helper": [[call("h1", "whoami")], lambda r: text(r.function_results[0]["result"])],
        }
    )
    client = InteractionsServer(agents.model).client()
    helper = Agent(
        "gemini-2.5-flash", instructions="helper", name="helper", tools=[whoami], client=client
    )
    writer = Agent(
        "gemini-2.5-flash",
        instructions="writer",
        tools=[helper.as_tool(description="Helps")],
        client=client,
        deps_type=dict[str, str],
    )
    result = await writer.arun("go", deps={"user": "ada"})
    assert result.text == "Article: ada"
    assert seen == [{"user": "ada"}]


def nested_setup() -> tuple[Agents, Agent[Any, Any], list[str]]:
    published: list[str] = []

    @tool(requires_approval=True)
    def publish(title: str, ctx: ToolContext) -> str:
        """Publish a report.

        Args:
            title: the report's title.
        """
        published.append(ctx.call_id)
        return f"published {title}"

    agents = Agents(
        {
            "writer": [[call("w1", "researcher", input="tides")], writes_from_result],
            "researcher": [
                [call("r1", "publish", title="Tides")],
                lambda r: text(f"researched ({r.function_results[0]['result']})"),
            ],
        }
    )
    client = InteractionsServer(agents.model).client()
    researcher = Agent(
        "gemini-2.5-flash",
        instructions="researcher",
        name="researcher",
        tools=[publish],
        client=client,
    )
    writer = Agent(
        "gemini-2.5-flash",
        instructions="writer",
        name="writer",
        tools=[researcher.as_tool(description="Research")],
        client=client,
    )
    return agents, writer, published


async def test_a_child_paused_for_approval_pauses_the_parent_and_resumes_with_it() -> None:
    agents, writer, published = nested_setup()
    paused = await writer.arun("Write about tides")

    assert paused.status == "awaiting_approval"
    assert paused.pending_approvals == [
        PendingApproval(call_id="r1", name="publish", arguments={"title": "Tides"})
    ]
    assert published == []
    assert len(agents.requests["writer"]) == 1  # the parent's round was not posted
    assert paused.state is not None

    saved = RunState.from_json(paused.state.to_json())  # e.g. kept for days
    result = await writer.aresume(saved, approve=["r1"])
    assert result.status == "completed"
    assert result.text == "Article: researched (published Tides)"
    assert published == ["r1"]
    assert agents.left() == {}
    (record,) = result.tool_calls
    assert len(record.child_interactions) == 2


async def test_rejecting_a_child_call_tells_the_child_model() -> None:
    agents, writer, published = nested_setup()
    paused = await writer.arun("Write about tides")
    assert paused.state is not None
    result = await writer.aresume(paused.state, reject={"r1": "not yet"})
    assert published == []
    assert "The user rejected this call" in result.text
    assert agents.left() == {}


async def test_streaming_a_paused_child_reports_its_calls() -> None:
    _, writer, _ = nested_setup()
    events = [event async for event in writer.astream("Write")]
    requested = [e for e in events if isinstance(e, ApprovalRequestedEvent)]
    assert [(e.call_id, e.name) for e in requested] == [("r1", "publish")]
    assert isinstance(events[-1], RunFinishedEvent)
    assert events[-1].result.status == "awaiting_approval"


async def test_a_typed_input_schema_is_sent_as_json() -> None:
    class Query(BaseModel):
        topic: str
        depth: int

    agents = Agents(
        {
            "writer": [[call("w1", "researcher", topic="tides", depth=2)], writes_from_result],
            "researcher": [lambda r: text(f"asked {r.user_text}")],
        }
    )
    client = InteractionsServer(agents.model).client()
    researcher = Agent("gemini-2.5-flash", instructions="researcher", client=client)
    writer = Agent(
        "gemini-2.5-flash",
        instructions="writer",
        tools=[researcher.as_tool(name="researcher", description="R", input_schema=Query)],
        client=client,
    )
    result = await writer.arun("go")
    assert result.text == 'Article: asked {"topic": "tides", "depth": 2}'
    assert agents.requests["writer"][0].function_tools[0]["parameters"]["required"] == [
        "topic",
        "depth",
    ]


def test_as_tool_needs_a_name_and_a_description() -> None:
    with pytest.raises(UserError, match="needs a name"):
        Agent("gemini-2.5-flash").as_tool(description="x")
    with pytest.raises(UserError, match="needs a description"):
        Agent("gemini-2.5-flash", name="a").as_tool()


async def test_cancelling_the_parent_cancels_the_sub_agent_tools() -> None:
    started = anyio.Event()
    outcome: list[str] = []

    @tool
    async def slow_lookup() -> str:
        """Look something up, slowly."""
        started.set()
        try:
            await anyio.sleep(30)
        except anyio.get_cancelled_exc_class():
            outcome.append("cancelled")
            raise
        return "never"

    agents = Agents(
        {
            "writer": [[call("w1", "helper", input="x")]],
            "helper": [[call("h1", "slow_lookup")]],
        }
    )
    client = InteractionsServer(agents.model).client()
    helper = Agent(
        "gemini-2.5-flash", instructions="helper", name="helper", tools=[slow_lookup], client=client
    )
    writer = Agent(
        "gemini-2.5-flash",
        instructions="writer",
        tools=[helper.as_tool(description="Helps")],
        client=client,
    )
    async with anyio.create_task_group() as group:
        group.start_soon(writer.arun, "go")
        await started.wait()
        group.cancel_scope.cancel()
    assert outcome == ["cancelled"]
