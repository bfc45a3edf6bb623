"""Handoffs: triage passes the conversation to billing, which answers with its own
model, instructions and tools, continuing through `previous_interaction_id`
(store=True) or the history (store=False)."""

from __future__ import annotations

from typing import Any

import pytest
from compose_helpers import Agents, call, text
from pydantic import BaseModel

from agentloop import (
    Agent,
    Handoff,
    HandoffEvent,
    HandoffRecord,
    MaxTurnsExceeded,
    RunState,
    UserError,
    tool,
)
from agentloop.testing import InteractionsServer, ModelRequest

pytestmark = pytest.mark.anyio


@tool
def refund(order_id: str) -> str:
    """Refund an order.

    Args:
        order_id: the order.
    """
    return f"refunded {order_id}"


@tool
def reset_password(user: str) -> str:
    """Reset a password.

    Args:
        user: who.
    """
    return f"reset {user}"


def build(agents: Agents, *, store: bool = True, **triage_options: Any) -> Agent[Any, Any]:
    client = InteractionsServer(agents.model).client()
    billing = Agent(
        "gemini-2.5-pro",
        instructions="billing",
        name="billing",
        description="Refunds and charges",
        tools=[refund],
        store=store,
        client=client,
    )
    support = Agent(
        "gemini-2.5-flash",
        instructions="support",
        name="support",
        tools=[reset_password],
        store=store,
        client=client,
    )
    options: dict[str, Any] = {"handoffs": [billing, support], **triage_options}
    return Agent(
        "gemini-2.5-flash",
        instructions="triage",
        name="triage",
        store=store,
        client=client,
        **options,
    )


def billing_answers(request: ModelRequest) -> Any:
    return text(f"Billing here: {request.function_results[0]['result']}")


@pytest.mark.parametrize("store", [True, False])
async def test_triage_hands_off_to_billing(store: bool) -> None:
    agents = Agents(
        {
            "triage": [[call("t1", "transfer_to_billing")]],
            "billing": [[call("b1", "refund", order_id="42")], billing_answers],
            "support": [],
        }
    )
    triage = build(agents, store=store)
    result = await triage.arun("I was charged twice")

    assert result.text == "Billing here: refunded 42"
    assert result.agent_name == "billing"
    assert result.handoffs == [
        HandoffRecord(from_agent="triage", to_agent="billing", call_id="t1", payload=None)
    ]
    first_triage = agents.requests["triage"][0]
    assert [t["name"] for t in first_triage.function_tools] == [
        "transfer_to_billing",
        "transfer_to_support",
    ]
    assert first_triage.function_tools[0]["description"] == "Refunds and charges"
    handed = agents.requests["billing"][0]
    assert handed.body["model"] == "gemini-2.5-pro"
    assert handed.body["system_instruction"] == "billing"
    assert [t["name"] for t in handed.function_tools] == ["refund"]
    assert handed.function_results[0]["call_id"] == "t1"
    if store:
        assert handed.body["previous_interaction_id"] == result.interactions[0].id
        assert "store" not in handed.body
    else:
        assert "previous_interaction_id" not in handed.body
        assert handed.body["store"] is False
        sent = handed.body["input"]
        assert [s["type"] for s in sent] == ["user_input", "function_call", "function_result"]
    # The conversation reached billing whole, either way.
    assert [s["type"] for s in handed.all_steps][:3] == [
        "user_input",
        "function_call",
        "function_result",
    ]
    assert agents.order == ["triage", "billing", "billing"]


async def test_the_stream_reports_the_handoff() -> None:
    agents = Agents(
        {
            "triage": [[call("t1", "transfer_to_support")]],
            "billing": [],
            "support": [lambda r: text("Support here")],
        }
    )
    triage = build(agents)
    events = [event async for event in triage.astream("I forgot my password")]
    handoffs = [e for e in events if isinstance(e, HandoffEvent)]
    assert handoffs == [HandoffEvent(from_agent="triage", to_agent="support", call_id="t1")]
    assert events[-1].type == "run_finished"
    assert events[-1].result.agent_name == "support"


async def test_handing_back_and_forth_is_bounded_by_max_turns() -> None:
    agents = Agents(
        {
            "triage": [[call(f"t{i}", "transfer_to_billing")] for i in range(2)],
            "billing": [[call(f"c{i}", "transfer_to_triage")] for i in range(2)],
        }
    )
    client = InteractionsServer(agents.model).client()
    # Agents are found by name from the one the run started with, so billing's
    # "triage" is triage_back, and the two hand the conversation back and forth.
    triage = Agent("gemini-2.5-flash", instructions="triage", name="triage", client=client)
    billing = Agent(
        "gemini-2.5-flash",
        instructions="billing",
        name="billing",
        handoffs=[triage],
        client=client,
        max_turns=3,
    )
    triage_back = Agent(
        "gemini-2.5-flash",
        instructions="triage",
        name="triage",
        handoffs=[billing],
        client=client,
        max_turns=3,
    )
    with pytest.raises(MaxTurnsExceeded) as caught:
        await triage_back.arun("loop")
    assert agents.order == ["triage", "billing", "triage", "billing"]
    assert caught.value.state is not None
    assert len(caught.value.state.handoffs) == 3


async def test_a_typed_payload_is_validated_and_recorded() -> None:
    class Escalation(BaseModel):
        reason: str
        priority: int

    agents = Agents(
        {
            "triage": [[call("t1", "escalate", reason="double charge", priority=1)]],
            "billing": [lambda r: text("on it")],
            "support": [],
        }
    )
    client = InteractionsServer(agents.model).client()
    billing = Agent("gemini-2.5-flash", instructions="billing", name="billing", client=client)
    triage = Agent(
        "gemini-2.5-flash",
        instructions="triage",
        name="triage",
        handoffs=[Handoff(billing, tool_name="escalate", input_type=Escalation)],
        client=client,
    )
    result = await triage.arun("charged twice")
    assert result.handoffs[0].payload == {"reason": "double charge", "priority": 1}
    declared = agents.requests["triage"][0].function_tools[0]
    assert declared["parameters"]["required"] == ["reason", "priority"]


async def test_input_filter_trims_what_the_target_sees() -> None:
    agents = Agents(
        {
            "triage": [text("Let me see."), [call("t1", "transfer_to_billing")]],
            "billing": [lambda r: text(f"saw {len(r.all_steps)} steps")],
            "support": [],
        }
    )
    client = InteractionsServer(agents.model).client()
    billing = Agent(
        "gemini-2.5-flash", instructions="billing", name="billing", store=False, client=client
    )
    triage = Agent(
        "gemini-2.5-flash",
        instructions="triage",
        name="triage",
        store=False,
        handoffs=[Handoff(billing, input_filter=lambda history: history[-2:])],
        client=client,
    )
    chat = triage.chat()
    await chat.arun("hello")
    result = await chat.arun("charged twice")
    # The last user turn and the transfer call, then its result.
    assert result.text == "saw 3 steps"


async def test_a_run_paused_after_a_handoff_resumes_with_the_target() -> None:
    @tool(requires_approval=True)
    def big_refund(order_id: str) -> str:
        """Refund a large order.

        Args:
            order_id: the order.
        """
        return f"refunded {order_id}"

    agents = Agents(
        {
            "triage": [[call("t1", "transfer_to_billing")]],
            "billing": [[call("b1", "big_refund", order_id="7")], billing_answers],
        }
    )
    client = InteractionsServer(agents.model).client()
    billing = Agent(
        "gemini-2.5-flash",
        instructions="billing",
        name="billing",
        tools=[big_refund],
        client=client,
    )
    triage = Agent(
        "gemini-2.5-flash", instructions="triage", name="triage", handoffs=[billing], client=client
    )
    paused = await triage.arun("refund 7")
    assert paused.status == "awaiting_approval"
    assert paused.agent_name == "billing"
    assert paused.state is not None
    result = await triage.aresume(RunState.from_json(paused.state.to_json()), approve=["b1"])
    assert result.text == "Billing here: refunded 7"


def test_handoff_targets_need_a_name_and_the_same_store() -> None:
    with pytest.raises(UserError, match="name="):
        Agent("gemini-2.5-flash", handoffs=[Agent("gemini-2.5-flash")])
    other = Agent("gemini-2.5-flash", name="other", store=False)
    with pytest.raises(UserError, match="share store=True"):
        Agent("gemini-2.5-flash", handoffs=[other])
    with pytest.raises(UserError, match="input_filter needs store=False"):
        Agent(
            "gemini-2.5-flash",
            handoffs=[Handoff(Agent("m", name="x"), input_filter=lambda h: h)],
        )
