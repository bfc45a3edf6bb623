"""Parallel fan-out: three researchers at once, then a summarizer that gets their
labelled answers; one failing branch is reported and the others are kept."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from compose_helpers import Agents, call, text

from agentloop import (
    Agent,
    Parallel,
    ParallelResult,
    Pipeline,
    PipelineEvent,
    ServerError,
    UserError,
    tool,
)
from agentloop.testing import InteractionsServer, ModelRequest, Reply

pytestmark = pytest.mark.anyio


def fails(request: ModelRequest) -> Any:
    return Reply(status="failed", errors=[{"code": "internal", "message": "source offline"}])


def echo_input(request: ModelRequest) -> Any:
    return text(f"SUMMARY OF: {request.user_text}")


def three_researchers(agents: Agents) -> tuple[list[Agent[Any, Any]], Agent[Any, Any]]:
    client = InteractionsServer(agents.model).client(max_retries=0)
    researchers = [
        Agent("gemini-2.5-flash", instructions=name, name=name, client=client)
        for name in ("oceans", "moon", "winds")
    ]
    summarizer = Agent("gemini-2.5-flash", instructions="summarizer", client=client)
    return researchers, summarizer


async def test_three_branches_then_a_summarizer_with_one_failing() -> None:
    agents = Agents(
        {
            "oceans": [text("Oceans cover 71%.")],
            "moon": [fails],
            "winds": [text("Winds move water.")],
            "summarizer": [echo_input],
        }
    )
    researchers, summarizer = three_researchers(agents)
    pipeline = Parallel(researchers).then(summarizer, input="Merge the reports")
    result = await pipeline.arun("How do tides work?")

    fan = result.steps[0]
    assert isinstance(fan, ParallelResult)
    assert fan.status == "partial"
    assert sorted(fan.results) == ["oceans", "winds"]
    assert "source offline" in str(fan.errors["moon"])
    assert fan.output == {"oceans": "Oceans cover 71%.", "winds": "Winds move water."}
    for name in ("oceans", "moon", "winds"):
        assert agents.requests[name][0].user_text == "How do tides work?"
    assert result.text == (
        "SUMMARY OF: Merge the reports\n\n## oceans\nOceans cover 71%.\n\n"
        "## moon (failed)\n" + str(fan.errors["moon"]) + "\n\n## winds\nWinds move water."
    )
    assert "previous_interaction_id" not in agents.requests["summarizer"][0].body
    assert agents.left() == {}


async def test_branches_run_concurrently_within_the_bound() -> None:
    running = 0
    peak = 0

    async def slow(request: ModelRequest) -> Any:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await anyio.sleep(0.05)
        running -= 1
        return text(str(request.body["system_instruction"]))

    agents = Agents({"oceans": [slow], "moon": [slow], "winds": [slow], "summarizer": []})
    researchers, _ = three_researchers(agents)
    everything = await Parallel(researchers).arun("go")
    assert peak == 3
    assert everything.status == "completed"
    peak = 0
    agents.scripts.update({"oceans": [slow], "moon": [slow], "winds": [slow]})
    bounded = await Parallel(researchers, max_concurrency=1).arun("go")
    assert peak == 1
    assert bounded.labels == ["oceans", "moon", "winds"]


async def test_parallel_inside_a_pipeline_after_a_step_and_streamed() -> None:
    agents = Agents(
        {
            "planner": [text("Plan: tides")],
            "oceans": [lambda r: text(f"oceans saw {r.user_text}")],
            "moon": [lambda r: text("moon ok")],
            "winds": [lambda r: text("winds ok")],
            "summarizer": [echo_input],
        }
    )
    researchers, summarizer = three_researchers(agents)
    client = summarizer.client
    planner = Agent("gemini-2.5-flash", instructions="planner", name="planner", client=client)
    pipeline = Pipeline([planner, Parallel(researchers), summarizer])
    events = [event async for event in pipeline.astream("Plan research on tides")]
    finished = [
        (e.step, e.agent_name)
        for e in events
        if isinstance(e, PipelineEvent) and e.event.type == "run_finished"
    ]
    assert finished == [(0, "planner"), (1, "oceans"), (1, "moon"), (1, "winds"), (2, None)]
    oceans_request = agents.requests["oceans"][0]
    assert oceans_request.user_text == "Plan: tides"
    assert oceans_request.body["previous_interaction_id"]  # continues the planner
    assert agents.requests["summarizer"][0].user_text.startswith("## oceans\noceans saw Plan")


async def test_a_paused_branch_pauses_the_pipeline_and_resumes() -> None:
    @tool(requires_approval=True)
    def fetch(url: str) -> str:
        """Fetch a page.

        Args:
            url: the page.
        """
        return f"page {url}"

    agents = Agents(
        {
            "oceans": [text("Oceans.")],
            "moon": [
                [call("m1", "fetch", url="nasa")],
                lambda r: text("Moon: " + r.function_results[0]["result"]),
            ],
            "summarizer": [echo_input],
        }
    )
    client = InteractionsServer(agents.model).client()
    oceans = Agent("gemini-2.5-flash", instructions="oceans", name="oceans", client=client)
    moon = Agent("gemini-2.5-flash", instructions="moon", name="moon", tools=[fetch], client=client)
    summarizer = Agent("gemini-2.5-flash", instructions="summarizer", client=client)
    pipeline = Parallel([oceans, moon]).then(summarizer)
    paused = await pipeline.arun("Tides?")
    assert paused.status == "awaiting_approval"
    assert [p.call_id for p in paused.pending_approvals] == ["m1"]
    with pytest.raises(UserError, match="not awaiting approval"):
        await pipeline.aresume(paused, approve=["nope"])
    done = await pipeline.aresume(paused, approve=["m1"])
    assert done.text == "SUMMARY OF: ## oceans\nOceans.\n\n## moon\nMoon: page nasa"
    assert agents.left() == {}


async def test_an_error_outside_the_runs_is_not_swallowed() -> None:
    agents = Agents({"oceans": [], "moon": [], "winds": [], "summarizer": []})
    researchers, _ = three_researchers(agents)
    result = await Parallel(researchers).arun("go")  # every branch fails: no script
    assert result.status == "failed"
    assert all(isinstance(e, ServerError) for e in result.errors.values())


def test_parallel_needs_agents() -> None:
    with pytest.raises(UserError, match="at least one agent"):
        Parallel([])
    with pytest.raises(UserError, match="takes agents"):
        Parallel(["researcher"])  # type: ignore[list-item]
    with pytest.raises(UserError, match="max_concurrency"):
        Parallel([Agent("m", name="a")], max_concurrency=0)
    assert Parallel([Agent("m", name="a"), Agent("m", name="a")]).labels == ["a", "a_2"]
