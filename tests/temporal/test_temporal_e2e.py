"""End to end on a real Temporal dev server and the local Interactions server: a
TemporalAgent in a user's workflow and the ready-made AgentWorkflow, two tool rounds
with parallel calls, structured output, Deep Research in the background then a
summarizer, events and status queries, continue-as-new, payload limits."""

from __future__ import annotations

from typing import Any

import pytest
from temporal_agents import (
    AGENTS,
    WORKFLOWS,
    EventsWorkflow,
    Forecast,
    ForecastWorkflow,
    LongRunParent,
    RefundDesk,
    ResearchThenSummarize,
    TripPlanner,
)
from temporalio.client import Client, WorkflowFailureError
from temporalio.worker import Replayer, Worker

from agentloop.temporal import AgentloopPlugin, AgentWorkflow, AgentWorkflowInput
from temporal.conftest import World, tag, wait_until

pytestmark = pytest.mark.anyio


def worker(client: Client, queue: str) -> Worker:
    return Worker(
        client,
        task_queue=queue,
        workflows=[*WORKFLOWS, AgentWorkflow],
        plugins=[AgentloopPlugin(agents=AGENTS)],
    )


async def test_temporal_agent_in_a_user_workflow(client: Client, queue: str, world: World) -> None:
    run = tag()
    async with worker(client, queue):
        text = await client.execute_workflow(
            TripPlanner.run, f"weather {run}", id=f"trip-{run}", task_queue=queue
        )
    assert text == "answer: Paris: sunny; Rome: sunny; Paris: 12:00"
    executions = world.executions()
    assert [executions[f"{run}-{c}"] for c in ("paris", "rome", "time")] == [1, 1, 1]


async def test_agent_workflow_two_rounds_events_and_status(
    client: Client, queue: str, world: World
) -> None:
    run = tag()
    async with worker(client, queue):
        handle = await client.start_workflow(
            AgentWorkflow.run,
            AgentWorkflowInput(agent="weather", input=f"weather {run}"),
            id=f"aw-{run}",
            task_queue=queue,
        )
        result = await handle.result()
        status = await handle.query(AgentWorkflow.status)
        events = await handle.query(AgentWorkflow.events, 0)
        later = await handle.query(AgentWorkflow.events, 3)
    assert result["text"] == "answer: Paris: sunny; Rome: sunny; Paris: 12:00"
    assert [c["call_id"] for c in result["tool_calls"]] == [
        f"{run}-paris",
        f"{run}-rome",
        f"{run}-time",
    ]
    assert status == {"status": "done", "pending_approvals": [], "turns": 2, "run_id": f"aw-{run}"}
    types = [e["type"] for e in events]
    assert types[0] == "interaction_finished"
    assert types[-1] == "run_finished"
    assert types.count("tool_call_finished") == 3
    assert types.count("interaction_finished") == 3
    assert [e["index"] for e in events] == list(range(len(events)))
    assert later == events[3:]
    assert events[-2]["text"] == result["text"]


async def test_structured_output_in_a_workflow(client: Client, queue: str, world: World) -> None:
    async with worker(client, queue):
        forecast = await client.execute_workflow(
            ForecastWorkflow.run,
            f"forecast {tag()}",
            id=f"fc-{tag()}",
            task_queue=queue,
        )
    assert forecast == Forecast(city="Paris", temperature=21)


async def test_research_in_the_background_then_a_summary(
    client: Client, queue: str, world: World
) -> None:
    async with worker(client, queue):
        handle = await client.start_workflow(
            ResearchThenSummarize.run, "TPUs history", id=f"rs-{tag()}", task_queue=queue
        )
        report, summary = await handle.result()
        history = await handle.fetch_history()
    assert report.startswith("Report on TPUs history")
    assert summary == "Summary: faster TPUs."
    # The waits between polls are durable timers, not sleeps holding a worker slot.
    assert any(e.HasField("timer_started_event_attributes") for e in history.events)


async def test_continue_as_new_carries_the_state(client: Client, queue: str, world: World) -> None:
    run = tag()
    async with worker(client, queue):
        handle = await client.start_workflow(
            AgentWorkflow.run,
            AgentWorkflowInput(agent="weather", input=f"weather {run}", rounds_per_run=1),
            id=f"can-{run}",
            task_queue=queue,
        )
        result = await handle.result()
        events = await handle.query(AgentWorkflow.events, 0)
        first_run = client.get_workflow_handle(handle.id, run_id=handle.first_execution_run_id)
        description = await first_run.describe()
    assert result["text"] == "answer: Paris: sunny; Rome: sunny; Paris: 12:00"
    assert description.status is not None
    assert description.status.name == "CONTINUED_AS_NEW"
    # Events of earlier executions are gone; indices go on where they stopped.
    assert events[0]["index"] > 0
    assert events[-1]["type"] == "run_finished"
    assert world.executions()[f"{run}-time"] == 1


async def test_a_long_run_as_a_child_workflow(client: Client, queue: str, world: World) -> None:
    async with worker(client, queue):
        text = await client.execute_workflow(
            LongRunParent.run, f"weather {tag()}", id=f"parent-{tag()}", task_queue=queue
        )
    assert text == "answer: Paris: sunny; Rome: sunny; Paris: 12:00"


async def test_a_result_past_the_payload_limit_is_an_error_the_model_reads(
    client: Client, queue: str, world: World
) -> None:
    async with worker(client, queue):
        result: dict[str, Any] = await client.execute_workflow(
            AgentWorkflow.run,
            AgentWorkflowInput(agent="weather", input=f"big {tag()}"),
            id=f"big-{tag()}",
            task_queue=queue,
        )
    (call,) = result["tool_calls"]
    assert call["is_error"] is True
    assert "past Temporal's payload limit of 1000 bytes" in call["result"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (AgentWorkflowInput(agent="nobody", input="hi"), "no agent named 'nobody'"),
        (
            AgentWorkflowInput(agent="weather", input="hi", rounds_per_run=0),
            "rounds_per_run must be >= 1, not 0",
        ),
    ],
)
async def test_bad_input_fails_the_workflow(
    client: Client, queue: str, params: AgentWorkflowInput, message: str
) -> None:
    async with worker(client, queue):
        with pytest.raises(WorkflowFailureError) as caught:
            await client.execute_workflow(
                AgentWorkflow.run, params, id=f"bad-{tag()}", task_queue=queue
            )
    assert message in str(caught.value.cause)


async def test_astream_in_a_user_workflow(client: Client, queue: str, world: World) -> None:
    async with worker(client, queue):
        types = await client.execute_workflow(
            EventsWorkflow.run, f"weather {tag()}", id=f"ev-{tag()}", task_queue=queue
        )
    started, finished = "tool_call_started", "tool_call_finished"
    assert types == [
        "interaction_finished", started, started, finished, finished,
        "interaction_finished", started, finished,
        "interaction_finished", "run_finished",
    ]  # fmt: skip


async def test_the_replayer_replays_recorded_histories(
    client: Client, queue: str, world: World
) -> None:
    """Workflow code is deterministic: replaying each kind of run raises nothing."""
    async with worker(client, queue):
        handles = [
            await client.start_workflow(
                TripPlanner.run, f"weather {tag()}", id=f"rp-{tag()}", task_queue=queue
            ),
            await client.start_workflow(
                ResearchThenSummarize.run, "TPUs", id=f"rp-{tag()}", task_queue=queue
            ),
            await client.start_workflow(
                AgentWorkflow.run,
                AgentWorkflowInput(agent="weather", input=f"weather {tag()}", rounds_per_run=1),
                id=f"rp-{tag()}",
                task_queue=queue,
            ),
        ]
        for handle in handles:
            await handle.result()
    replayer = Replayer(
        workflows=[*WORKFLOWS, AgentWorkflow], plugins=[AgentloopPlugin(agents=AGENTS)]
    )
    for handle in handles:
        await replayer.replay_workflow(await handle.fetch_history())
    first = client.get_workflow_handle(handles[2].id, run_id=handles[2].first_execution_run_id)
    await replayer.replay_workflow(await first.fetch_history())  # the one continued as new


async def test_approval_in_a_user_workflow(client: Client, queue: str, world: World) -> None:
    run = tag()
    async with worker(client, queue):
        handle = await client.start_workflow(
            RefundDesk.run, f"refund {run}", id=f"desk-{run}", task_queue=queue
        )

        async def paused() -> bool:
            return bool(await handle.query(RefundDesk.pending))

        await wait_until(paused, "the run to pause for approval")
        assert await handle.query(RefundDesk.pending) == [f"{run}-refund"]
        assert world.executions()[f"{run}-refund"] == 0
        await handle.signal(RefundDesk.approve, [f"{run}-refund"])
        text = await handle.result()
    assert text == "done: refunded 30 on 42; Paris: sunny"
    assert world.executions()[f"{run}-refund"] == 1
