"""Human approval: a tool that waits for a person, for as long as it takes.

`refund` needs a person's approval; `lookup_order` does not. The run looks the order
up, then stops with status `awaiting_approval` and the refund it wants to make. The
paused run's state is saved as JSON (a file here; a ticket or a database row does as
well), and the decision comes later: in this script's second half, which could as
well be another process, days later. `approve` runs the refund; `reject` sends the
model the reason instead, and the refund never runs.

Needs GEMINI_API_KEY, or AGENTLOOP_BASE_URL pointing at an Interactions server (the
local one: `agentloop serve`, then `export AGENTLOOP_BASE_URL=http://127.0.0.1:8765`):

    python examples/approval.py [approve|reject]
"""

import sys
import tempfile
from pathlib import Path

from agentloop import Agent, RunState, tool


@tool(requires_approval=True)
def refund(order: int, amount: float) -> str:
    """Refund money on an order.

    Args:
        order: the order number.
        amount: how much to refund, in euros.
    """
    return f"refunded {amount:g} euros on order {order}"


@tool
def lookup_order(order: int) -> dict[str, object]:
    """Look up an order.

    Args:
        order: the order number.
    """
    return {"order": order, "total": 30.0, "items": ["mug"]}


def main() -> None:
    decision = sys.argv[1] if len(sys.argv) > 1 else "approve"
    if decision not in ("approve", "reject"):
        raise SystemExit("usage: python examples/approval.py [approve|reject]")
    agent = Agent("gemini-2.5-flash", tools=[refund, lookup_order])

    result = agent.run("Look up order 42 and refund amount 30 on it")
    print(f"Status: {result.status}")
    for pending in result.pending_approvals:
        print(f"Waiting for a decision on {pending.name}({pending.arguments}) [{pending.call_id}]")
    assert result.state is not None

    with tempfile.TemporaryDirectory() as folder:
        saved = Path(folder) / "paused-run.json"
        saved.write_text(result.state.to_json())
        print(f"Saved the paused run ({saved.stat().st_size} bytes of JSON)")

        # Later, perhaps in another process, once someone has decided:
        state = RunState.from_json(saved.read_text())
    calls = [pending.call_id for pending in state.pending_approvals]
    if decision == "approve":
        result = agent.resume(state, approve=calls)
    else:
        result = agent.resume(state, reject={c: "refunds need a manager's approval" for c in calls})
    print(f"Status: {result.status}")
    for call in result.tool_calls:
        print(f"  {call.name}: {call.result}{' (rejected)' if call.is_error else ''}")
    print(result.text)


if __name__ == "__main__":
    main()
