"""A resumed run's span links to the span of the run that paused (or failed)."""

from __future__ import annotations

import json

import pytest

from agentloop import Agent, MemoryCheckpoints, RunState, UserError, tool
from agentloop.testing import InteractionsServer, Reply, ScriptedModel

from .helpers import ANSWER, KEY, MODEL, call, no_sleep, one

pytestmark = pytest.mark.anyio


@tool(requires_approval=True)
def refund(order: str) -> str:
    """Refund an order."""
    return f"refunded {order}"


async def test_the_resumed_run_links_to_the_paused_one(otel) -> None:
    server = InteractionsServer(
        ScriptedModel([Reply(steps=[call("c1", "refund", order="A-7")]), ANSWER])
    )
    agent = Agent(
        MODEL, tools=[refund], name="refunds", client=server.client(api_key=KEY, _sleep=no_sleep)
    )
    paused = await agent.arun("Refund A-7")
    assert paused.status == "awaiting_approval"
    saved = paused.state.to_json()
    first = one(otel.spans(), "invoke_agent refunds")
    context = first.get_span_context()
    assert context is not None
    assert json.loads(saved)["trace_context"] == {
        "trace_id": f"{context.trace_id:032x}",
        "span_id": f"{context.span_id:016x}",
    }

    result = await agent.aresume(RunState.from_json(saved), approve=["c1"])
    assert result.text == "Sunny in Paris."
    roots = [span for span in otel.named("invoke_agent refunds") if span is not first]
    assert len(roots) == 1
    (link,) = roots[0].links
    assert (link.context.trace_id, link.context.span_id) == (context.trace_id, context.span_id)
    assert link.attributes == {"agentloop.link.kind": "resume"}


async def test_a_run_resumed_by_run_id_links_to_the_paused_one(otel) -> None:
    server = InteractionsServer(
        ScriptedModel([Reply(steps=[call("c1", "refund", order="A-7")]), ANSWER])
    )
    agent = Agent(
        MODEL,
        tools=[refund],
        name="refunds",
        checkpoints=MemoryCheckpoints(),
        client=server.client(api_key=KEY, _sleep=no_sleep),
    )
    paused = await agent.arun("Refund A-7", run_id="order-7")
    assert paused.status == "awaiting_approval"
    first = one(otel.spans(), "invoke_agent refunds")
    context = first.get_span_context()
    assert context is not None

    result = await agent.aresume("order-7", approve=["c1"])
    assert result.text == "Sunny in Paris."
    roots = [span for span in otel.named("invoke_agent refunds") if span is not first]
    (link,) = roots[0].links
    assert (link.context.trace_id, link.context.span_id) == (context.trace_id, context.span_id)


async def test_a_new_run_has_no_link_and_no_saved_context_without_a_span(otel) -> None:
    server = InteractionsServer(ScriptedModel([ANSWER]))
    agent = Agent(MODEL, name="plain", client=server.client(api_key=KEY, _sleep=no_sleep))
    result = await agent.arun("Hi")
    assert result.status == "completed"
    assert one(otel.spans(), "invoke_agent plain").links == ()
    assert "trace_context" not in result.state.to_dict()


def test_a_corrupt_trace_context_is_refused() -> None:
    data = RunState(pending_input="x").to_dict()
    assert "trace_context" not in data
    data["trace_context"] = {"trace_id": 7}
    with pytest.raises(UserError, match="trace_context"):
        RunState.from_dict(data)
