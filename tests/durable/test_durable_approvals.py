"""Approvals: a round with calls that need a person's decision pauses the run; resume
runs the approved calls, sends rejections as error results, and posts the whole
round once, in call order. Calls that already ran never run again."""

from __future__ import annotations

from typing import Any

import pytest
from durable_helpers import MIXED_ROUND, Shop, call, result_ids, shop_agent, summary

from agentloop import (
    Agent,
    ApprovalRequestedEvent,
    PendingApproval,
    RunFinishedEvent,
    RunState,
    ToolCallFinishedEvent,
    ToolContext,
    UserError,
    tool,
)
from agentloop.testing import InteractionsServer, ScriptedModel

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_mixed_round_runs_plain_calls_and_pauses_on_approval() -> None:
    shop = Shop()
    agent, model = shop_agent([MIXED_ROUND, summary], shop)
    result = await agent.arun("Refund order 42")
    assert result.status == "awaiting_approval"
    assert result.pending_approvals == [
        PendingApproval(call_id="call_1", name="refund", arguments={"order_id": "42", "amount": 30})
    ]
    assert shop.executions == {"call_2": 1}  # the plain call ran; nothing was posted
    assert len(model.requests) == 1
    assert result.state is not None
    assert result.state.status == "awaiting_approval"

    resumed = await agent.aresume(RunState.from_json(result.state.to_json()), approve=["call_1"])
    assert resumed.status == "completed"
    assert resumed.text == "results: call_1=refunded 30 on 42; call_2=order 42: 2 mugs"
    assert shop.executions == {"call_1": 1, "call_2": 1}
    assert result_ids(model.requests[1]) == ["call_1", "call_2"]  # call order, one post
    assert [c.call_id for c in resumed.tool_calls] == ["call_1", "call_2"]
    model.verify()


async def test_reject_all_sends_error_results_with_the_reason() -> None:
    shop = Shop()
    round_ = [call("call_1", "refund", order_id="1", amount=5.0)]
    round_.append(call("call_2", "refund", order_id="2", amount=900.0))
    agent, model = shop_agent([round_, summary], shop)
    paused = await agent.arun("Refund both")
    assert [p.call_id for p in paused.pending_approvals] == ["call_1", "call_2"]
    assert paused.state is not None
    result = await agent.aresume(
        paused.state, reject={"call_1": "duplicate", "call_2": "over the limit"}
    )
    assert shop.executions == {}
    sent = model.requests[1].function_results
    assert [r["is_error"] for r in sent] == [True, True]
    assert "over the limit" in sent[1]["result"]
    assert result.tool_calls[0].is_error
    model.verify()


async def test_partial_decisions_pause_again_without_a_request() -> None:
    shop = Shop()
    round_ = [
        call("call_1", "refund", order_id="1", amount=5.0),
        call("call_2", "refund", order_id="2", amount=7.0),
    ]
    agent, model = shop_agent([round_, summary], shop)
    paused = await agent.arun("Refund both")
    assert paused.state is not None
    again = await agent.aresume(paused.state, approve=["call_1"])
    assert again.status == "awaiting_approval"
    assert [p.call_id for p in again.pending_approvals] == ["call_2"]
    assert shop.executions == {"call_1": 1}
    assert len(model.requests) == 1  # nothing posted while a call is undecided
    assert again.state is not None
    done = await agent.aresume(again.state, reject={"call_2": "no"})
    assert done.text == "results: call_1=refunded 5 on 1; call_2=" + (
        model.requests[1].function_results[1]["result"] + " (error)"
    )
    assert shop.executions == {"call_1": 1}
    model.verify()


async def test_a_run_pauses_twice() -> None:
    shop = Shop()
    script: list[Any] = [
        [call("call_1", "refund", order_id="1", amount=5.0)],
        [call("call_2", "refund", order_id="2", amount=6.0)],
        summary,
    ]
    agent, model = shop_agent(script, shop)
    first = await agent.arun("Refund 1 then 2")
    assert first.state is not None
    second = await agent.aresume(first.state, approve=["call_1"])
    assert second.status == "awaiting_approval"
    assert [p.call_id for p in second.pending_approvals] == ["call_2"]
    assert second.state is not None
    done = await agent.aresume(RunState.from_json(second.state.to_json()), approve=["call_2"])
    assert done.text == "results: call_2=refunded 6 on 2"
    assert shop.executions == {"call_1": 1, "call_2": 1}
    assert done.state is not None
    assert done.state.turns == 2
    model.verify()


@pytest.mark.parametrize("is_async", [False, True])
async def test_a_policy_function_decides_per_call(is_async: bool) -> None:
    seen: list[tuple[str, dict[str, Any]]] = []

    def big(ctx: ToolContext, arguments: dict[str, Any]) -> bool:
        seen.append((ctx.call_id, arguments))
        return float(arguments["amount"]) > 100

    async def abig(ctx: ToolContext, arguments: dict[str, Any]) -> bool:
        return big(ctx, arguments)

    @tool(requires_approval=abig if is_async else big)
    def pay(amount: float) -> str:
        """Pay.

        Args:
            amount: how much.
        """
        return f"paid {amount:g}"

    model = ScriptedModel(
        [[call("small", "pay", amount=5.0), call("large", "pay", amount=500.0)], summary]
    )
    agent = Agent("gemini-2.5-flash", tools=[pay], client=InteractionsServer(model).client())
    paused = await agent.arun("Pay")
    assert [p.call_id for p in paused.pending_approvals] == ["large"]
    assert [call_id for call_id, _ in seen] == ["small", "large"]
    assert paused.state is not None
    done = await agent.aresume(paused.state, approve=["large"])
    assert done.text == "results: small=paid 5; large=paid 500"


async def test_store_false_keeps_the_history_in_the_state() -> None:
    shop = Shop()
    agent, model = shop_agent([MIXED_ROUND, summary], shop, store=False)
    paused = await agent.arun("Refund order 42")
    assert paused.state is not None
    saved = paused.state.to_json()
    resumed = await agent.aresume(RunState.from_json(saved), approve=["call_1"])
    assert resumed.text.startswith("results: call_1=refunded 30")
    second = model.requests[1]
    assert second.body["store"] is False
    assert [s["type"] for s in second.history] == ["user_input", "function_call", "function_call"]
    assert result_ids(second) == ["call_1", "call_2"]


async def test_stream_reports_the_pause_and_the_resumed_round() -> None:
    shop = Shop()
    agent, _ = shop_agent([MIXED_ROUND, summary], shop)
    events = [event async for event in agent.astream("Refund order 42")]
    asked = [e for e in events if isinstance(e, ApprovalRequestedEvent)]
    assert [(e.call_id, e.name) for e in asked] == [("call_1", "refund")]
    finished = [e.call_id for e in events if isinstance(e, ToolCallFinishedEvent)]
    assert finished == ["call_2"]
    last = events[-1]
    assert isinstance(last, RunFinishedEvent)
    assert last.result.status == "awaiting_approval"
    assert last.result.state is not None

    resumed = [e async for e in agent.astream_resume(last.result.state, approve=["call_1"])]
    assert [e.call_id for e in resumed if isinstance(e, ToolCallFinishedEvent)] == ["call_1"]
    end = resumed[-1]
    assert isinstance(end, RunFinishedEvent)
    assert end.result.status == "completed"


def test_blocking_faces_pause_and_resume() -> None:
    shop = Shop()
    agent, _ = shop_agent([MIXED_ROUND, summary, MIXED_ROUND, summary], shop)
    paused = agent.run("Refund order 42")
    assert paused.state is not None
    assert agent.resume(paused.state, approve=["call_1"]).status == "completed"
    with agent.stream("again") as events:  # type: ignore[attr-defined]
        last = list(events)[-1]
    assert isinstance(last, RunFinishedEvent)
    assert last.result.state is not None
    resumed = list(agent.stream_resume(last.result.state, reject={"call_1": "no"}))
    assert isinstance(resumed[-1], RunFinishedEvent)
    assert resumed[-1].result.status == "completed"


async def test_chat_pauses_until_resumed() -> None:
    shop = Shop()
    agent, model = shop_agent([MIXED_ROUND, summary, "You're welcome."], shop)
    chat = agent.chat()
    paused = await chat.arun("Refund order 42")
    assert paused.status == "awaiting_approval"
    with pytest.raises(UserError, match=r"chat\.resume"):
        await chat.arun("Thanks")
    done = await chat.aresume(approve=["call_1"])
    assert done.status == "completed"
    assert chat.paused is None
    await chat.arun("Thanks")
    assert model.requests[2].body["previous_interaction_id"] == done.interaction_id
    with pytest.raises(UserError, match="not paused"):
        await chat.aresume(approve=["call_1"])
    model.verify()


async def test_a_paused_step_pauses_the_pipeline() -> None:
    shop = Shop()
    agent, model = shop_agent([MIXED_ROUND, summary, "Dear customer, refunded."], shop)
    writer = Agent("gemini-2.5-flash", client=agent.client)
    pipeline = agent.then(writer)
    paused = await pipeline.arun("Refund order 42")
    assert paused.status == "awaiting_approval"
    assert [p.call_id for p in paused.pending_approvals] == ["call_1"]
    assert len(paused.steps) == 1
    done = await pipeline.aresume(paused, approve=["call_1"])
    assert done.text == "Dear customer, refunded."
    assert [step.status for step in done.steps] == ["completed", "completed"]
    assert model.requests[2].user_text.startswith("results: call_1=refunded")
    with pytest.raises(UserError, match="not paused"):
        await pipeline.aresume(done)


async def test_decisions_on_calls_that_are_not_pending_are_refused() -> None:
    shop = Shop()
    agent, _ = shop_agent([MIXED_ROUND], shop)
    paused = await agent.arun("Refund order 42")
    assert paused.state is not None
    with pytest.raises(UserError, match="not awaiting approval"):
        await agent.aresume(paused.state, approve=["call_2"])
    with pytest.raises(UserError, match="list of call ids"):
        await agent.aresume(paused.state, approve="call_1")
    with pytest.raises(UserError, match="both approved and rejected"):
        await agent.aresume(paused.state, approve=["call_1"], reject={"call_1": "no"})


async def test_a_state_for_other_tools_or_store_is_refused() -> None:
    shop = Shop()
    agent, _ = shop_agent([MIXED_ROUND], shop)
    paused = await agent.arun("Refund order 42")
    assert paused.state is not None
    other = Agent("gemini-2.5-flash", tools=[shop.lookup_order], client=agent.client)
    with pytest.raises(UserError, match=r"does not have"):
        await other.aresume(paused.state, approve=["call_1"])
    stateless = Agent("gemini-2.5-flash", tools=shop.tools, store=False, client=agent.client)
    with pytest.raises(UserError, match="store=True"):
        await stateless.aresume(paused.state, approve=["call_1"])


def test_bad_requires_approval_is_refused() -> None:
    with pytest.raises(UserError, match="requires_approval"):

        @tool(requires_approval="yes")  # type: ignore[call-overload]
        def f() -> None:
            """F."""
