"""Resuming: every run error carries `.state`; checkpoints by run id; finished runs;
background handles re-attached without answering a round twice."""

from __future__ import annotations

from typing import Any

import pytest
from durable_helpers import MIXED_ROUND, Shop, call, result_ids, summary

from agentloop import (
    Agent,
    AsyncBackgroundRun,
    BadRequestError,
    InteractionFailedError,
    MaxTurnsExceeded,
    MemoryCheckpoints,
    OutputValidationError,
    RunState,
    SQLiteCheckpoints,
    UserError,
)
from agentloop.testing import Faults, InteractionsServer, Reply, ScriptedModel

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def server_agent(
    script: list[Any], shop: Shop, faults: Faults | None = None, **options: Any
) -> tuple[Agent, ScriptedModel]:
    model = ScriptedModel(script)
    server = InteractionsServer(model, faults=faults)
    client = server.client(max_retries=0)
    return Agent("gemini-2.5-flash", tools=shop.tools, client=client, **options), model


async def test_max_turns_error_carries_a_state_that_resumes_with_more_turns() -> None:
    shop = Shop()
    script: list[Any] = [[call("c1", "lookup_order", order_id="1")], summary]
    agent, model = server_agent(script, shop, max_turns=0)
    with pytest.raises(MaxTurnsExceeded) as caught:
        await agent.arun("Look it up")
    state = caught.value.state
    assert isinstance(state, RunState)
    assert shop.executions == {}
    with pytest.raises(MaxTurnsExceeded):  # the same limit: refused again, nothing sent
        await agent.aresume(state)
    wider = Agent("gemini-2.5-flash", tools=shop.tools, client=agent.client, max_turns=3)
    result = await wider.aresume(RunState.from_json(state.to_json()))
    assert result.text == "results: c1=order 1: 2 mugs"
    assert shop.executions == {"c1": 1}
    model.verify()


async def test_an_api_error_after_the_tools_ran_resumes_without_running_them() -> None:
    shop = Shop()
    script: list[Any] = [[call("c1", "lookup_order", order_id="1")], summary]
    agent, model = server_agent(script, shop, faults=Faults(status_on={2: 400}))
    with pytest.raises(BadRequestError) as caught:
        await agent.arun("Look it up")
    state = caught.value.state
    assert isinstance(state, RunState)
    assert shop.executions == {"c1": 1}
    result = await agent.aresume(state)
    assert result.text == "results: c1=order 1: 2 mugs"
    assert shop.executions == {"c1": 1}
    assert [result_ids(r) for r in model.requests] == [[], ["c1"]]


async def test_a_failed_interaction_resumes_by_sending_its_request_again() -> None:
    shop = Shop()
    script: list[Any] = [Reply(status="failed", errors=[{"message": "overloaded"}]), "Hello."]
    agent, model = server_agent(script, shop)
    with pytest.raises(InteractionFailedError) as caught:
        await agent.arun("Hi")
    result = await agent.aresume(caught.value.state)
    assert result.text == "Hello."
    assert model.requests[1].user_text == "Hi"
    assert "previous_interaction_id" not in model.requests[1].body


async def test_output_validation_error_resumes_with_the_correction() -> None:
    shop = Shop()
    agent, model = server_agent(["not json", '{"n": 1}'], shop, output_retries=0)
    typed = Agent(
        "gemini-2.5-flash",
        client=agent.client,
        output_retries=0,
        response_format={"type": "object", "properties": {"n": {"type": "integer"}}},
    )
    with pytest.raises(OutputValidationError) as caught:
        await typed.arun("Count")
    result = await typed.aresume(caught.value.state)
    assert result.output == {"n": 1}
    assert "did not match" in model.requests[1].user_text


async def test_checkpoints_resume_by_run_id_in_a_fresh_agent(tmp_path: Any) -> None:
    shop = Shop()
    store = SQLiteCheckpoints(tmp_path / "runs.db")
    agent, model = server_agent([MIXED_ROUND, summary], shop, checkpoints=store)
    paused = await agent.arun("Refund order 42", run_id="order-42")
    assert paused.status == "awaiting_approval"
    assert store.run_ids() == ["order-42"]
    saved = RunState.from_json(store.load("order-42") or "")
    assert saved.status == "awaiting_approval"
    assert saved.round is not None
    assert set(saved.round.results) == {"call_2"}

    later = Agent("gemini-2.5-flash", tools=shop.tools, client=agent.client, checkpoints=store)
    result = await later.aresume("order-42", approve=["call_1"])
    assert result.status == "completed"
    assert shop.executions == {"call_1": 1, "call_2": 1}
    assert shop.run_ids == ["order-42"]  # ToolContext.run_id
    assert RunState.from_json(store.load("order-42") or "").status == "finished"

    again = await later.aresume("order-42")  # finished: the result, no request
    assert again.text == result.text
    assert len(model.requests) == 2
    with pytest.raises(UserError, match="already has a checkpoint"):
        await later.arun("Refund order 42", run_id="order-42")
    with pytest.raises(UserError, match="no checkpoint"):
        await later.aresume("order-43")
    with pytest.raises(UserError, match="finished"):
        await later.aresume("order-42", approve=["call_1"])


async def test_a_run_without_run_id_gets_one_and_checkpoints_every_step() -> None:
    saves: list[RunState] = []

    class Recording:
        """An async store, recording each save."""

        def __init__(self) -> None:
            self.inner = MemoryCheckpoints()

        async def save(self, run_id: str, state: str) -> None:
            saves.append(RunState.from_json(state))
            self.inner.save(run_id, state)

        async def load(self, run_id: str) -> str | None:
            return self.inner.load(run_id)

        async def delete(self, run_id: str) -> None:
            self.inner.delete(run_id)

    shop = Shop()
    script: list[Any] = [
        [call("c1", "lookup_order", order_id="1"), call("c2", "lookup_order", order_id="2")],
        summary,
    ]
    agent, _ = server_agent(script, shop, checkpoints=Recording())
    result = await agent.arun("Look both up")
    assert result.state is not None
    assert result.state.run_id
    assert {s.run_id for s in saves} == {result.state.run_id}
    # The round's results are saved as each call finishes, then once complete,
    # before they are posted: a crash anywhere never loses a finished call.
    with_round = [s for s in saves if s.round is not None]
    counts = [len(s.round.results) for s in with_round if s.round]
    assert counts[0] == 0
    assert counts[-1] == 2
    assert counts == sorted(counts)
    assert len(counts) == 3  # the round begun, then each call as it finished
    ready = [s for s in saves if s.round is None and isinstance(s.pending_input, list)]
    assert [r["call_id"] for r in ready[0].pending_input] == ["c1", "c2"]
    assert saves[-1].status == "finished"


def test_checkpoints_must_have_the_protocol() -> None:
    with pytest.raises(UserError, match="save/load/delete"):
        Agent("gemini-2.5-flash", checkpoints=object())  # type: ignore[arg-type]


def test_run_state_refuses_other_versions_and_garbage() -> None:
    state = RunState(pending_input="hi", run_id="r")
    data = state.to_dict()
    assert data["version"] == 1
    assert RunState.from_dict(data).to_dict() == data
    with pytest.raises(UserError, match="schema version 99"):
        RunState.from_dict({**data, "version": 99})
    with pytest.raises(UserError, match="must be JSON"):
        RunState.from_json("{not json")
    with pytest.raises(UserError, match="not a saved RunState"):
        RunState.from_dict({"hello": 1})
    with pytest.raises(UserError, match="resume\\(\\) takes"):
        Agent("gemini-2.5-flash").resume(42)  # type: ignore[arg-type]


def test_memory_and_sqlite_stores_save_load_delete(tmp_path: Any) -> None:
    for store in (MemoryCheckpoints(), SQLiteCheckpoints(tmp_path / "c.db")):
        assert store.load("a") is None
        store.save("a", "1")
        store.save("a", "2")
        store.save("b", "3")
        assert store.load("a") == "2"
        assert store.run_ids() == ["a", "b"]
        store.delete("a")
        store.delete("a")
        assert store.load("a") is None
    reopened = SQLiteCheckpoints(tmp_path / "c.db")
    assert reopened.load("b") == "3"
    with pytest.raises(UserError, match="timeout"):
        SQLiteCheckpoints(tmp_path / "d.db", timeout=0)


async def test_background_attach_continues_without_answering_a_round_twice() -> None:
    shop = Shop()
    store = MemoryCheckpoints()
    model = ScriptedModel([[call("c1", "lookup_order", order_id="1")], summary])
    server = InteractionsServer(model, background_step_delay=0.0)
    agent = Agent(
        "gemini-2.5-flash",
        tools=shop.tools,
        background=True,
        poll_interval=0.01,
        poll_max_interval=0.02,
        client=server.client(),
        checkpoints=store,
    )
    run = await agent.astart("Look it up")
    result = await run.wait(timeout=10)
    assert result.text == "results: c1=order 1: 2 mugs"

    other = await AsyncBackgroundRun.attach(run.id, agent=agent)  # another process, say
    again = await other.wait(timeout=10)
    assert again.text == result.text
    assert shop.executions == {"c1": 1}
    assert len(model.requests) == 2
    model.verify()


async def test_background_attach_mid_round_runs_only_unanswered_calls() -> None:
    shop = Shop()
    store = MemoryCheckpoints()
    model = ScriptedModel([MIXED_ROUND, summary])
    server = InteractionsServer(model, background_step_delay=0.0)
    options: dict[str, Any] = {"poll_interval": 0.01, "poll_max_interval": 0.02}
    agent = Agent(
        "gemini-2.5-flash",
        tools=shop.tools,
        background=True,
        client=server.client(),
        checkpoints=store,
        **options,
    )
    run = await agent.astart("Refund order 42")
    paused = await run.wait(timeout=10)
    assert paused.status == "awaiting_approval"
    assert shop.executions == {"call_2": 1}
    attached = await AsyncBackgroundRun.attach(run.id, agent=agent)
    still = await attached.wait(timeout=10)  # nothing decided: paused again, nothing re-run
    assert still.status == "awaiting_approval"
    assert shop.executions == {"call_2": 1}
    done = await agent.aresume(run.id, approve=["call_1"])
    assert done.text.startswith("results: call_1=refunded 30")
    assert shop.executions == {"call_1": 1, "call_2": 1}


class Crash(BaseException):
    """Stands for the process dying: nothing after it runs."""


async def test_a_background_run_that_died_while_polling_polls_again_rather_than_resend() -> None:
    class DiesWhilePolling(MemoryCheckpoints):
        """Dies right after saving the id of the interaction the results created."""

        def save(self, run_id: str, state: str) -> None:
            super().save(run_id, state)
            saved = RunState.from_json(state)
            if saved.current_interaction_id and saved.turns == 1:
                raise Crash

    shop = Shop()
    store = DiesWhilePolling()
    model = ScriptedModel([[call("c1", "lookup_order", order_id="1")], summary])
    server = InteractionsServer(model, background_step_delay=0.3)  # in_progress a while
    options: dict[str, Any] = {"background": True, "poll_interval": 0.01, "poll_max_interval": 0.02}
    agent = Agent(
        "gemini-2.5-flash", tools=shop.tools, client=server.client(), checkpoints=store, **options
    )
    with pytest.raises(Crash):
        await agent.arun("Look it up", run_id="bg")
    later = Agent(
        "gemini-2.5-flash",
        tools=shop.tools,
        client=agent.client,
        checkpoints=MemoryCheckpoints(),
        **options,
    )
    assert later.config.checkpoints is not None
    later.config.checkpoints.save("bg", store.load("bg") or "")
    result = await later.aresume("bg")
    assert result.text == "results: c1=order 1: 2 mugs"
    assert shop.executions == {"c1": 1}
    assert [result_ids(r) for r in model.requests] == [[], ["c1"]]  # the results: posted once
    model.verify()


async def test_resuming_a_state_without_run_id_on_a_checkpointed_agent_names_it() -> None:
    shop = Shop()
    agent, _ = server_agent([MIXED_ROUND, summary], shop)
    paused = await agent.arun("Refund order 42")
    assert paused.state is not None
    assert paused.state.run_id is None
    store = MemoryCheckpoints()
    durable = Agent("gemini-2.5-flash", tools=shop.tools, client=agent.client, checkpoints=store)
    result = await durable.aresume(paused.state, approve=["call_1"])
    assert result.state is not None
    assert result.state.run_id is not None
    assert store.run_ids() == [result.state.run_id]


async def test_waiting_again_after_a_timeout_polls_the_same_interaction() -> None:
    shop = Shop()
    model = ScriptedModel(["The answer."])
    server = InteractionsServer(model, background_step_delay=0.5)
    agent = Agent(
        "gemini-2.5-flash",
        tools=shop.tools,
        background=True,
        poll_interval=0.01,
        poll_max_interval=0.02,
        client=server.client(),
    )
    run = await agent.astart("Hi")
    with pytest.raises(TimeoutError):
        await run.wait(timeout=0.01)
    result = await run.wait(timeout=30)
    assert result.text == "The answer."
    assert len(model.requests) == 1  # polled, never sent again
    assert result.interaction_id == run.id


def test_run_state_round_trips_a_paused_round() -> None:
    data = RunState(pending_input=None, run_id="r", status="awaiting_approval").to_dict()
    data["round"] = {
        "interaction_id": "int_1",
        "calls": [
            {"type": "function_call", "id": "c0", "name": "lookup_order", "arguments": {}},
            {"type": "function_call", "id": "c1", "name": "refund", "arguments": {"amount": 3}},
        ],
        "final": False,
        "results": {"c0": {"type": "function_result", "call_id": "c0", "result": 1}},
        "durations": {"c0": 0.5},
        "approved": [],
        "pending": ["c1"],
    }
    state = RunState.from_dict(data)
    restored = RunState.from_json(state.to_json())
    assert restored.to_dict() == data
    assert [p.call_id for p in restored.pending_approvals] == ["c1"]
    assert restored.pending_approvals[0].arguments == {"amount": 3}
    assert "pending_approvals=['c1']" in repr(restored)
    with pytest.raises(UserError, match="corrupt"):
        RunState.from_dict({**data, "round": {**data["round"], "extra": 1}})
