"""Worker processes (`agentloop worker`) on a real Temporal dev server: killed mid-tool
and mid-request, restarted while a run waits for approval, a second worker finishing
every run; executions per call id counted on disk; recorded histories replayed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

import pytest
from temporal_agents import AGENTS, WORKFLOWS
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.worker import Replayer

from agentloop.temporal import AgentloopPlugin, AgentWorkflow, AgentWorkflowInput
from temporal.conftest import HERE, ROOT, WAIT, World, tag, wait_until

# Each test starts and kills worker processes: generous bounds on a loaded machine.
pytestmark = [pytest.mark.anyio, pytest.mark.timeout(150)]


async def start(client: Client, queue: str, agent: str, prompt: str) -> WorkflowHandle[Any, Any]:
    return await client.start_workflow(
        AgentWorkflow.run,
        AgentWorkflowInput(agent=agent, input=prompt),
        id=f"{agent}-{tag()}",
        task_queue=queue,
    )


async def completed_activities(handle: WorkflowHandle[Any, Any]) -> int:
    history = await handle.fetch_history()
    return sum(e.HasField("activity_task_completed_event_attributes") for e in history.events)


async def replay(client: Client, *handles: WorkflowHandle[Any, Any]) -> None:
    """Replay the recorded histories: a non-determinism error fails the test."""
    replayer = Replayer(
        workflows=[*WORKFLOWS, AgentWorkflow], plugins=[AgentloopPlugin(agents=AGENTS)]
    )
    for handle in handles:
        await replayer.replay_workflow(await handle.fetch_history())


async def test_worker_killed_while_a_tool_runs(
    client: Client, queue: str, world: World, workers: Any
) -> None:
    first = workers()
    run = tag()
    handle = await start(client, queue, "weather", f"slow {run}")

    async def paris_done_rome_running() -> bool:
        running = world.executions()[f"{run}-rome"] == 1
        return running and await completed_activities(handle) >= 2  # create + paris

    await wait_until(paris_done_rome_running, "paris finished and rome running")
    first.kill()
    workers()
    result = await handle.result()
    assert result["text"] == "answer: Paris: sunny; Rome: sunny; Paris: 12:00"
    executions = world.executions()
    # Finished once, never again; the call killed mid-run ran again (at-least-once).
    assert executions[f"{run}-paris"] == 1
    assert executions[f"{run}-rome"] == 2
    assert executions[f"{run}-time"] == 1
    await replay(client, handle)


async def test_worker_killed_after_the_tools_before_the_post(
    client: Client, queue: str, world: World, workers: Any
) -> None:
    world.release.clear()
    world.held.clear()
    first = workers()
    run = world.hold_tag = tag()
    handle = await start(client, queue, "weather", f"weather {run}")
    # The round's tools ran; the request posting their results is held at the gate.
    await wait_until(_async(world.held.is_set), "the request posting the round's results")
    first.kill()
    world.release.set()
    workers()
    result = await handle.result()
    assert result["text"] == "answer: Paris: sunny; Rome: sunny; Paris: 12:00"
    executions = world.executions()
    assert [executions[f"{run}-{c}"] for c in ("paris", "rome", "time")] == [1, 1, 1]
    # The next worker posted the results (once: the first request never arrived).
    assert world.posts[f"{run}-paris"] == 1
    await replay(client, handle)


async def test_approval_across_a_worker_restart(
    client: Client, queue: str, world: World, workers: Any
) -> None:
    first = workers()
    run = tag()
    handle = await start(client, queue, "approver", f"refund {run}")

    async def paused() -> bool:
        status = await handle.query(AgentWorkflow.status)
        return bool(status["status"] == "awaiting_approval")

    await wait_until(paused, "the run to pause for approval")
    status = await handle.query(AgentWorkflow.status)
    assert status["pending_approvals"] == [
        {
            "call_id": f"{run}-refund",
            "name": "refund",
            "arguments": {"order_id": "42", "amount": 30.0},
        }
    ]
    assert first.stop() == 0  # Ctrl-C: a clean exit
    workers()
    after = await handle.execute_update(AgentWorkflow.decide, {"approve": [f"{run}-refund"]})
    assert after["pending_approvals"] == []
    result = await handle.result()
    assert result["text"] == "done: refunded 30 on 42; Paris: sunny"
    executions = world.executions()
    assert executions[f"{run}-refund"] == 1
    assert executions[f"{run}-look"] == 1
    await replay(client, handle)


async def test_decide_refuses_a_call_that_is_not_pending(
    client: Client, queue: str, world: World, workers: Any
) -> None:
    workers()
    run = tag()
    handle = await start(client, queue, "approver", f"refund {run}")

    async def paused() -> bool:
        return bool((await handle.query(AgentWorkflow.status))["status"] == "awaiting_approval")

    await wait_until(paused, "the run to pause for approval")
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(AgentWorkflow.decide, {"approve": ["call_nope"]})
    assert "['call_nope'] are not awaiting approval" in str(refused.value.cause)
    await handle.execute_update(AgentWorkflow.decide, {"reject": {f"{run}-refund": "too much"}})
    result = await handle.result()
    assert "The user rejected this call" in result["text"]
    assert world.executions()[f"{run}-refund"] == 0


def test_cli_run_follows_a_durable_run(
    temporal_address: str, queue: str, world: World, workers: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = workers()
    run = tag()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)])}
    command = [sys.executable, "-m", "agentloop", "run", f"weather {run}"]
    command += ["--temporal", temporal_address, "--task-queue", queue]
    command += ["--agent-ref", "temporal_agents:weather"]
    done = subprocess.run(command, cwd=HERE, env=env, capture_output=True, text=True, timeout=WAIT)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "answer: Paris: sunny; Rome: sunny; Paris: 12:00\n"
    assert "tool get_weather: Paris: sunny" in done.stderr
    assert "Fatal" not in done.stderr
    worker.process.send_signal(signal.SIGINT)
    assert worker.process.wait(WAIT) == 0
    assert "Fatal" not in worker.output()


def _async(check: Any) -> Any:
    async def condition() -> bool:
        return bool(check())

    return condition
