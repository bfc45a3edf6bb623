"""Background runs: start, poll with progress, survive a 503, cancel, fail, re-attach."""

from __future__ import annotations

import httpx
import pytest
import respx
from conftest import API_KEY, BASE, load_json

from agentloop import (
    Agent,
    AsyncBackgroundRun,
    AsyncClient,
    BackgroundProgress,
    BackgroundRun,
    InteractionFailedError,
    RunCancelledError,
    UserError,
)
from agentloop.testing import InteractionsServer, Reply, ScriptedModel

pytestmark = pytest.mark.anyio

RESEARCH = [
    {"type": "thought", "summary": [{"type": "text", "text": "Planning the research."}]},
    {"type": "google_search_call", "id": "gs1", "arguments": {"queries": ["TPU history"]}},
    {"type": "google_search_result", "call_id": "gs1", "result": [{"search_suggestions": "<p/>"}]},
    {"type": "model_output", "content": [{"type": "text", "text": "# Report\n1. TPU v1 in 2016."}]},
]


def research_agent(server: InteractionsServer) -> Agent:
    return Agent(
        agent="deep-research-pro-preview-12-2025",
        background=True,
        poll_interval=0.01,
        poll_max_interval=0.02,
        client=server.client(),
    )


async def test_start_then_wait_with_progress() -> None:
    server = InteractionsServer(ScriptedModel([RESEARCH]), background_step_delay=0.03)
    run = await research_agent(server).astart("Research TPUs")
    assert run.status == "in_progress"
    seen: list[BackgroundProgress] = []
    result = await run.wait(timeout=10, on_progress=seen.append)
    assert result.text == "# Report\n1. TPU v1 in 2016."
    assert result.status == "completed"
    statuses = [p.status for p in seen]
    assert statuses[0] == "in_progress"
    assert statuses[-1] == "completed"
    assert any(p.thoughts == ["Planning the research."] for p in seen)
    assert seen[-1].elapsed >= seen[0].elapsed


async def test_polling_survives_a_transient_503() -> None:
    with respx.mock(using="httpx", base_url=BASE) as api:
        api.post("/interactions").respond(
            json=load_json("response_background_deep_research_in_progress.json")
        )
        polls = api.get("/interactions/int_dr_5e6f7a8b9c").mock(
            side_effect=[
                httpx.Response(
                    200, json=load_json("response_background_deep_research_in_progress.json")
                ),
                httpx.Response(503, json=load_json("error_503.json")),
                httpx.Response(
                    200, json=load_json("response_background_deep_research_in_progress.json")
                ),
                httpx.Response(
                    200, json=load_json("response_background_deep_research_completed.json")
                ),
            ]
        )

        async def no_sleep(_: float) -> None:
            return None

        agent = Agent(
            agent="deep-research-pro-preview-12-2025",
            background=True,
            poll_interval=0.001,
            client=AsyncClient(api_key=API_KEY, _sleep=no_sleep),
        )
        run = await agent.astart("Research")
        result = await run.wait()
    assert result.text.startswith("# TPU milestones")
    assert polls.call_count == 4


async def test_cancel_stops_the_run() -> None:
    server = InteractionsServer(ScriptedModel([RESEARCH]), background_step_delay=5)
    run = await research_agent(server).astart("Research TPUs")
    cancelled = await run.cancel()
    assert cancelled.status == "cancelled"
    with pytest.raises(RunCancelledError):
        await run.wait(timeout=5)


async def test_a_failed_run_raises() -> None:
    failing = Reply(steps=RESEARCH[:1], status="failed", errors=[{"code": "x", "message": "boom"}])
    server = InteractionsServer(ScriptedModel([failing]), background_step_delay=0.01)
    run = await research_agent(server).astart("Research TPUs")
    with pytest.raises(InteractionFailedError, match="boom"):
        await run.wait(timeout=5)


async def test_reattach_by_id_and_stream_with_resume() -> None:
    server = InteractionsServer(ScriptedModel([RESEARCH]), background_step_delay=0.01)
    agent = research_agent(server)
    started = await agent.astart("Research TPUs")
    again = await AsyncBackgroundRun.attach(started.id, agent=agent)
    events = [event async for event in again.stream()]
    ids = [event.event_id for event in events]
    assert events[-1].event_type == "interaction.completed"
    resumed = [event.event_id async for event in again.stream(last_event_id=ids[2])]
    assert resumed == ids[3:]
    assert (await again.wait(timeout=5)).text.startswith("# Report")


async def test_wait_timeout_leaves_the_run_going() -> None:
    server = InteractionsServer(ScriptedModel([RESEARCH]), background_step_delay=10)
    run = await research_agent(server).astart("Research TPUs")
    with pytest.raises(TimeoutError):
        await run.wait(timeout=0.05)
    assert (await run.refresh()).status == "in_progress"


def test_blocking_handle() -> None:
    server = InteractionsServer(ScriptedModel([RESEARCH]), background_step_delay=0.01)
    agent = research_agent(server)
    run = agent.start("Research TPUs")
    assert isinstance(run, BackgroundRun)
    again = BackgroundRun.attach(run.id, agent=agent)
    assert again.wait(timeout=5).text.startswith("# Report")
    assert run.refresh().status == "completed"


async def test_background_with_store_false_is_refused_before_any_request() -> None:
    with pytest.raises(UserError, match="store=False"):
        Agent(agent="deep-research-pro-preview-12-2025", background=True, store=False)
    server = InteractionsServer(ScriptedModel([]))
    agent = Agent("gemini-2.5-flash", store=False, client=server.client())
    with pytest.raises(UserError, match="stored"):
        await agent.astart("x")
    assert server.requests == 0


async def test_background_model_run_finishes_its_tool_rounds() -> None:
    def lookup(city: str) -> str:
        """Looks up a city."""
        return f"{city}: sunny"

    model = ScriptedModel(
        [
            [
                {
                    "type": "function_call",
                    "id": "c1",
                    "name": "lookup",
                    "arguments": {"city": "Oslo"},
                }
            ],
            "Oslo is sunny.",
        ]
    )
    server = InteractionsServer(model, background_step_delay=0.01)
    agent = Agent(
        "gemini-2.5-flash",
        tools=[lookup],
        background=True,
        poll_interval=0.01,
        client=server.client(),
    )
    result = await (await agent.astart("Weather in Oslo?")).wait(timeout=5)
    assert result.text == "Oslo is sunny."
    assert [c.result for c in result.tool_calls] == ["Oslo: sunny"]
    model.verify()
