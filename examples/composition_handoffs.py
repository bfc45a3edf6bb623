"""Handoffs: a triage agent passes the conversation to the specialist who answers.

`handoffs=[billing, support]` gives triage the tools `transfer_to_billing` and
`transfer_to_support`; when its model calls one, the run goes on with that agent's
model, instructions and tools, continuing the same conversation (by
`previous_interaction_id`). `result.agent_name` says who answered.

Needs GEMINI_API_KEY, or AGENTLOOP_BASE_URL pointing at an Interactions server:

    python examples/composition_handoffs.py
"""

from agentloop import Agent, tool


@tool
def refund(order: int) -> str:
    """Refund an order.

    Args:
        order: the order number.
    """
    return f"refunded order {order}"


billing = Agent(
    "gemini-2.5-flash",
    name="billing",
    description="Handles a refund or a double charge.",
    instructions="You are the billing desk. Refund when asked.",
    tools=[refund],
)
support = Agent(
    "gemini-2.5-flash",
    name="support",
    description="Handles passwords and logins.",
    instructions="You are technical support.",
)
triage = Agent(
    "gemini-2.5-flash",
    name="triage",
    instructions="Send the customer to the right desk.",
    handoffs=[billing, support],
)


def main() -> None:
    result = triage.run("I was charged twice, please refund me")
    for handoff in result.handoffs:
        print(f"Handed off: {handoff.from_agent} -> {handoff.to_agent}")
    print(f"Answered by: {result.agent_name}")
    print(result.text)


if __name__ == "__main__":
    main()
