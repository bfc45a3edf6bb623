"""The local server's resources beyond /interactions, through agentloop's own client."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio
import pytest

from agentloop import BadRequestError, ConflictError, NotFoundError
from agentloop.testing import InteractionsServer, ManualClock, Resources, ScriptedModel
from agentloop.types import ChoiceAnswer, NoulAnswer, ScoreAnswer

pytestmark = pytest.mark.anyio

DONE = [{"type": "model_output", "content": [{"type": "text", "text": "done"}]}]


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_agents_lifecycle_and_unknown_agent_refused() -> None:
    server = InteractionsServer(ScriptedModel([DONE]))
    client = server.client()
    created = await client.agents.create(
        id="support",
        base_agent="antigravity-preview-09-2026",
        system_instruction="Help customers.",
        tools=[{"type": "function", "name": "lookup_order", "parameters": {"type": "object"}}],
    )
    assert created.id == "support"
    assert (await client.agents.get("agents/support")).system_instruction == "Help customers."
    assert [agent.id async for agent in client.agents.list()] == ["support"]
    with pytest.raises(ConflictError, match="already exists"):
        await client.agents.create(id="support", base_agent="x")
    with pytest.raises(NotFoundError, match="agents/nobody"):
        await client.interactions.create(agent="agents/nobody", input="hi")
    await client.agents.delete("support")
    with pytest.raises(NotFoundError):
        await client.agents.get("support")


async def test_lenient_switch_accepts_unknown_agents() -> None:
    server = InteractionsServer(ScriptedModel([DONE]), resources=Resources(lenient=True))
    interaction = await server.client().interactions.create(agent="agents/anything", input="hi")
    assert interaction.status == "completed"


async def test_saved_agent_lends_its_tools_to_the_model() -> None:
    seen: list[list[str]] = []

    def respond(request: object) -> list[dict[str, object]]:
        seen.append([tool["name"] for tool in request.function_tools])  # type: ignore[attr-defined]
        return DONE

    from agentloop.testing import FunctionModel

    server = InteractionsServer(FunctionModel(respond))
    client = server.client()
    await client.agents.create(
        id="ops",
        base_agent="antigravity-preview-09-2026",
        tools=[{"type": "function", "name": "f"}],
    )
    await client.interactions.create(agent="agents/ops", input="go")
    assert seen == [["f"]]


@pytest.mark.parametrize("on_disk", [False, True], ids=["memory", "disk"])
async def test_environment_files_upload_list_download(tmp_path: Path, on_disk: bool) -> None:
    resources = Resources(data_dir=tmp_path / "data" if on_disk else None)
    server = InteractionsServer(ScriptedModel([]), resources=resources)
    client = server.client()
    env = await client.environments.create(
        sources=[{"type": "inline", "target": "AGENTS.md", "content": "# Rules\nBe brief."}],
        network="disabled",
    )
    assert env.status == "active"
    assert env.file_count == 1
    local = tmp_path / "big.bin"
    local.write_bytes(bytes(range(256)) * 40)
    uploaded = await client.environments.files.upload(env, "data/big.bin", local, chunk_size=1000)
    assert uploaded.path == "data/big.bin"
    assert uploaded.size_bytes == 10240
    await client.environments.files.upload(env.id, "data/deep/x.txt", b"x")
    top = [(f.path, f.type) async for f in client.environments.files.list(env.id)]
    assert top == [("AGENTS.md", "file"), ("data", "directory")]
    deep = [f.path async for f in client.environments.files.list(env.id, "data", recursive=True)]
    assert deep == ["data/big.bin", "data/deep/x.txt"]
    assert await client.environments.files.download(env.id, "AGENTS.md") == b"# Rules\nBe brief."
    assert await client.environments.files.download(env.id, "data/big.bin") == local.read_bytes()
    if on_disk:
        assert (tmp_path / "data" / "environments" / env.id / "data" / "big.bin").is_file()
    assert (await client.environments.get(env.id)).file_count == 3
    with pytest.raises(NotFoundError):
        await client.environments.files.download(env.id, "missing.txt")
    await client.environments.delete(env.id)
    with pytest.raises(NotFoundError):
        await client.environments.get(env.id)


async def test_interaction_with_unknown_environment_is_refused() -> None:
    client = InteractionsServer(ScriptedModel([])).client()
    with pytest.raises(NotFoundError, match="env_missing"):
        await client.interactions.create(
            agent="antigravity-preview-09-2026", input="hi", environment="env_missing"
        )


async def test_credentials_never_echo_their_secret() -> None:
    server = InteractionsServer(ScriptedModel([]))
    client = server.client()
    created = await client.credentials.create(id="gh", type="bearer_token", token="s3cret-token")
    updated = await client.credentials.update("gh", token="n3w-token")
    listed = [c async for c in client.credentials.list()]
    for shown in (created, updated, await client.credentials.get("gh"), *listed):
        assert "s3cret" not in str(shown.to_dict())
        assert "n3w" not in str(shown.to_dict())
        assert shown.type == "bearer_token"
    assert server.resources.credentials["gh"]["token"] == "n3w-token"
    with pytest.raises(BadRequestError, match="needs its secret"):
        await client.credentials.create(id="empty", type="bearer_token")
    await client.credentials.delete("gh")
    assert [c async for c in client.credentials.list()] == []


async def test_trigger_fires_on_the_manual_clock_and_lists_its_execution() -> None:
    clock = ManualClock(datetime(2026, 11, 30, 8, 59, 30, tzinfo=UTC))
    server = InteractionsServer(
        ScriptedModel([DONE]), resources=Resources(clock=clock), background_step_delay=0
    )
    client = server.client()
    trigger = await client.triggers.create(
        schedule="0 9 * * 1-5",
        interaction={"agent": "antigravity-preview-09-2026", "input": "Morning report."},
        display_name="daily",
    )
    assert trigger.next_run_time == "2026-11-30T09:00:00Z"
    assert [x async for x in client.triggers.executions.list(trigger.id)] == []
    clock.advance(60)
    executions = [x async for x in client.triggers.executions.list(trigger.id)]
    assert len(executions) == 1
    assert executions[0].status == "completed"
    assert executions[0].scheduled_time == "2026-11-30T09:00:00Z"
    interaction = await client.interactions.get(executions[0].interaction_id or "")
    assert interaction.text == "done"
    assert (await client.triggers.get(trigger.id)).next_run_time == "2026-12-01T09:00:00Z"


async def test_a_served_app_fires_due_triggers_without_a_request() -> None:
    # Under an ASGI server with lifespan events (as `agentloop serve` runs it), a
    # ticker starts due triggers on time; no request has to arrive first.
    clock = ManualClock(datetime(2026, 11, 30, 8, 59, 30, tzinfo=UTC))
    server = InteractionsServer(
        ScriptedModel([DONE]),
        resources=Resources(clock=clock),
        background_step_delay=0,
        trigger_interval=0.01,
    )
    trigger = await server.client().triggers.create(
        schedule="0 9 * * 1-5",
        interaction={"agent": "antigravity-preview-09-2026", "input": "Morning report."},
    )
    to_app, from_server = anyio.create_memory_object_stream[dict[str, Any]](4)
    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        sent.append(dict(message))

    requests = server.requests
    async with to_app, from_server, anyio.create_task_group() as group:
        group.start_soon(server, {"type": "lifespan"}, from_server.receive, send)
        await to_app.send({"type": "lifespan.startup"})
        clock.advance(60)
        with anyio.fail_after(10):  # the ticker's first pass after the clock moved
            for _ in range(100_000):
                if server.resources.triggers.executions[trigger.id]:
                    break
                await anyio.sleep(0.01)
        await to_app.send({"type": "lifespan.shutdown"})
    assert server.requests == requests  # fired by the ticker, not by a request
    (execution,) = server.resources.triggers.executions[trigger.id]
    assert execution["scheduled_time"] == "2026-11-30T09:00:00Z"
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


def test_trigger_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="trigger_interval"):
        InteractionsServer(ScriptedModel([DONE]), trigger_interval=0)


async def test_trigger_pause_run_now_and_bad_schedule() -> None:
    clock = ManualClock(datetime(2026, 11, 30, 12, 0, tzinfo=UTC))
    server = InteractionsServer(
        ScriptedModel([DONE]), resources=Resources(clock=clock, lenient=True)
    )
    client = server.client()
    trigger = await client.triggers.create(
        schedule="*/15 * * * *", interaction={"agent": "agents/x", "input": "tick"}
    )
    paused = await client.triggers.update(trigger.id, status="paused")
    assert paused.status == "paused"
    clock.advance(3600)
    assert [x async for x in client.triggers.executions.list(trigger.id)] == []
    execution = await client.triggers.run(trigger.id)
    assert execution.trigger_id == trigger.id
    assert execution.interaction_id
    with pytest.raises(BadRequestError, match="minute"):
        await client.triggers.create(schedule="61 * * * *", interaction={"agent": "a"})
    with pytest.raises(BadRequestError, match="time_zone"):
        await client.triggers.create(
            schedule="0 * * * *", time_zone="Mars/Olympus", interaction={"agent": "a"}
        )


async def test_decisions_answer_deterministically() -> None:
    client = InteractionsServer(ScriptedModel([])).client()
    questions = {
        "topic": {
            "type": "choice",
            "instructions": "What is the ticket about?",
            "criteria": {"billing": "invoice, refund, charge", "technical": "error, crash, bug"},
        },
        "urgency": {
            "type": "score",
            "instructions": "How urgent?",
            "criteria": ["whenever", "soon", "urgent now"],
        },
        "refund": {"type": "noul", "instructions": "Does the customer ask for a refund?"},
    }
    text = "I was charged twice on my invoice, please refund me now, this is urgent"
    first = await client.decisions.create(
        model="gemini-3-flash-preview", input=text, questions=questions
    )
    again = await client.decisions.create(
        model="gemini-3-flash-preview", input=text, questions=questions
    )
    assert first == again
    topic, urgency, refund = (first.answers[name] for name in ("topic", "urgency", "refund"))
    assert isinstance(topic, ChoiceAnswer)
    assert topic.choice == "billing"
    assert sum(topic.probabilities.values()) == pytest.approx(1.0, abs=1e-3)
    assert isinstance(urgency, ScoreAnswer)
    assert urgency.score == 3
    assert urgency.legend["3"] == "urgent now"
    assert isinstance(refund, NoulAnswer)
    assert refund.noul > 0.5
    with pytest.raises(BadRequestError, match="ranking"):
        await client.decisions.create(
            model="m", input="x", questions={"q": {"type": "ranking", "instructions": "?"}}
        )
