"""Agents, tools and workflows of the Temporal tests: importable by worker subprocesses
(`agentloop worker temporal_agents:weather ...` with this folder on PYTHONPATH).

Every tool execution appends its call id to the file named by AGENTLOOP_TEST_LEDGER,
so tests count executions per call id across processes.
"""

from __future__ import annotations

import os
from datetime import timedelta

import anyio
from pydantic import BaseModel
from temporalio import workflow

from agentloop import Agent, ToolContext, tool
from agentloop.temporal import AgentWorkflow, AgentWorkflowInput, TemporalAgent


def _record(ctx: ToolContext) -> None:
    ledger = os.environ.get("AGENTLOOP_TEST_LEDGER")
    if ledger:
        with open(ledger, "a") as file:
            file.write(ctx.call_id + "\n")


@tool
async def get_weather(city: str, ctx: ToolContext, slow: bool = False) -> str:
    """The weather in a city.

    Args:
        city: the city.
        slow: take a few seconds (the tests kill a worker meanwhile).
    """
    _record(ctx)
    if slow:
        await anyio.sleep(3)
    return f"{city}: sunny"


@tool
def get_time(city: str, ctx: ToolContext) -> str:
    """The local time in a city.

    Args:
        city: the city.
    """
    _record(ctx)
    return f"{city}: 12:00"


@tool
def big_report(ctx: ToolContext) -> str:
    """A report far larger than a Temporal payload may be."""
    _record(ctx)
    return "x" * 3000


@tool(requires_approval=True)
def refund(order_id: str, amount: float, ctx: ToolContext) -> str:
    """Refund an order.

    Args:
        order_id: the order.
        amount: how much.
    """
    _record(ctx)
    return f"refunded {amount:g} on {order_id}"


class Forecast(BaseModel):
    city: str
    temperature: int


FAST_RETRY = {"maximum_attempts": 3}
# Short timeouts, so a killed worker's activities are retried within seconds.
MODEL_CONFIG: workflow.ActivityConfig = {"start_to_close_timeout": timedelta(seconds=6)}
TOOL_CONFIG: workflow.ActivityConfig = {
    "start_to_close_timeout": timedelta(seconds=20),
    "heartbeat_timeout": timedelta(seconds=2),
}

weather = TemporalAgent(
    Agent("gemini-2.5-flash", tools=[get_weather, get_time, big_report], name="weather"),
    activity_config=MODEL_CONFIG,
    tool_config=TOOL_CONFIG,
    payload_limit=1000,
)
approver = TemporalAgent(
    Agent("gemini-2.5-flash", tools=[refund, get_weather], name="approver"),
    activity_config=MODEL_CONFIG,
    tool_config=TOOL_CONFIG,
)
forecaster = TemporalAgent(
    Agent("gemini-2.5-flash", response_format=Forecast, name="forecaster"),
    activity_config=MODEL_CONFIG,
)
research = TemporalAgent(
    Agent(
        agent="deep-research-pro-preview-12-2025",
        background=True,
        poll_interval=0.3,
        poll_max_interval=0.5,
        name="research",
    ),
    activity_config=MODEL_CONFIG,
)
summarizer = TemporalAgent(
    Agent("gemini-2.5-flash", name="summarizer"), activity_config=MODEL_CONFIG
)
AGENTS = [weather, approver, forecaster, research, summarizer]


@workflow.defn
class TripPlanner:
    """A user's own workflow running a TemporalAgent."""

    @workflow.run
    async def run(self, prompt: str) -> str:
        result = await weather.arun(prompt)
        return result.text


@workflow.defn
class ForecastWorkflow:
    """Structured output in a user's workflow."""

    @workflow.run
    async def run(self, prompt: str) -> Forecast:
        result = await forecaster.arun(prompt)
        return result.output


@workflow.defn
class ResearchThenSummarize:
    """A pipeline in a workflow: background Deep Research, then a summarizer."""

    @workflow.run
    async def run(self, topic: str) -> list[str]:
        report = await research.arun(topic)
        summary = await summarizer.arun(
            "Summarize the report.", previous_interaction_id=report.interaction_id
        )
        return [report.text, summary.text]


@workflow.defn
class EventsWorkflow:
    """`TemporalAgent.astream` in a user's workflow: the event types, in order."""

    @workflow.run
    async def run(self, prompt: str) -> list[str]:
        return [event.type async for event in weather.astream(prompt)]


@workflow.defn
class LongRunParent:
    """A long run in a user's workflow: an AgentWorkflow child that continues as new."""

    @workflow.run
    async def run(self, prompt: str) -> str:
        result = await workflow.execute_child_workflow(
            AgentWorkflow.run,
            AgentWorkflowInput(agent="weather", input=prompt, rounds_per_run=1),
        )
        return str(result["text"])


@workflow.defn
class RefundDesk:
    """Approvals in a user's workflow: `arun` pauses, a signal decides, `aresume` goes on."""

    def __init__(self) -> None:
        self._pending: list[str] = []
        self._approved: list[str] | None = None

    @workflow.run
    async def run(self, prompt: str) -> str:
        result = await approver.arun(prompt)
        while result.status == "awaiting_approval":
            assert result.state is not None
            self._pending = [p.call_id for p in result.pending_approvals]
            await workflow.wait_condition(lambda: self._approved is not None)
            approved, self._approved = self._approved or [], None
            result = await approver.aresume(result.state, approve=approved)
        self._pending = []
        return result.text

    @workflow.signal
    def approve(self, call_ids: list[str]) -> None:
        self._approved = call_ids

    @workflow.query
    def pending(self) -> list[str]:
        return self._pending


WORKFLOWS = [
    RefundDesk,
    TripPlanner,
    ForecastWorkflow,
    ResearchThenSummarize,
    EventsWorkflow,
    LongRunParent,
]
