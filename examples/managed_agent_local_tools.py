"""A managed agent that calls your local function tools, in a sandbox reused across
a conversation.

The agent is saved once (`client.agents.create`) and run by name; its function tools
come back to this process as `requires_action`, and agentloop runs them (two calls
in one step run in parallel). The `Environment` is sent with the first request; the
chat sends the sandbox's id on every later turn.

    agentloop serve --port 8765 &
    AGENTLOOP_BASE_URL=http://127.0.0.1:8765 python examples/managed_agent_local_tools.py
"""

from agentloop import Agent, Client, Environment, NotFoundError, tool

ORDERS = {"A1": "UPS", "B2": "DHL"}


@tool
def lookup_order(order: str) -> str:
    """Find which carrier ships an order.

    Args:
        order: the order number, e.g. A1.
    """
    return f"order {order} ships with {ORDERS.get(order, 'no carrier yet')}"


@tool
def carrier_status(carrier: str) -> str:
    """Whether a carrier's network is on time today.

    Args:
        carrier: the carrier's name, e.g. UPS.
    """
    return f"{carrier} is on time"


def main() -> None:
    client = Client()
    try:
        client.agents.get("support")
    except NotFoundError:
        client.agents.create(
            id="support",
            base_agent="antigravity-preview-09-2026",
            system_instruction="Answer questions about orders with the tools you have.",
            tools=[lookup_order.to_wire(), carrier_status.to_wire()],
        )

    agent = Agent(agent="agents/support", tools=[lookup_order, carrier_status], client=client)
    result = agent.run("Which carrier has order A1, and is UPS on time?")
    print("tools called:", ", ".join(call.name for call in result.tool_calls))
    print(result.text)

    coder = Agent(
        agent="antigravity-preview-09-2026",
        environment=Environment(
            sources=[Environment.inline("AGENTS.md", "# Rules\nWrite tests first.")],
            network="disabled",
        ),
        client=client,
    )
    chat = coder.chat()
    chat.run("Create a package called fizz.")
    chat.run("Now add a test for it.")
    print("sandbox reused across turns:", chat.environment_id)


if __name__ == "__main__":
    main()
