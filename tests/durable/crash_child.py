"""A process the crash tests start, kill and start again (not a test module).

    python crash_child.py BASE_URL DB LEDGER MODE [ARG]

MODE: `run` (scenario in ARG: `a`, `b` or `c`), `resume`, `approve-run` (prints the
paused state's JSON) or `approve-resume` (reads that JSON on stdin, approves ARG).
Every tool execution appends its call id to LEDGER (flushed and fsynced), so the
parent counts executions on disk whatever becomes of this process.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time

from agentloop import Agent, AsyncClient, RunState, SQLiteCheckpoints, ToolContext, tool

BASE_URL, DB, LEDGER, MODE = sys.argv[1:5]
ARG = sys.argv[5] if len(sys.argv) > 5 else ""
RUN_ID = "crash-run"


def executed(call_id: str) -> None:
    with open(LEDGER, "a") as ledger:
        ledger.write(call_id + "\n")
        ledger.flush()
        os.fsync(ledger.fileno())


@tool
def record(item: str, slow: bool, ctx: ToolContext) -> str:
    """Record an item.

    Args:
        item: what to record.
        slow: whether recording it takes long.
    """
    executed(ctx.call_id)
    if slow and MODE == "run" and ARG == "a":
        time.sleep(3600)  # killed here, mid-execution
    return f"recorded {item}"


@tool(requires_approval=True)
def refund(order_id: str, ctx: ToolContext) -> str:
    """Refund an order.

    Args:
        order_id: the order.
    """
    executed(ctx.call_id)
    return f"refunded {order_id}"


class KillAfterToolsStore(SQLiteCheckpoints):
    """Dies right after the checkpoint that holds a finished round's results, before
    they are posted (scenario b): a user-level store, no agentloop internals."""

    def save(self, run_id: str, state: str) -> None:
        super().save(run_id, state)
        data = json.loads(state)
        pending = data["pending_input"]
        if data["round"] is None and isinstance(pending, list) and pending:
            os.kill(os.getpid(), signal.SIGKILL)


def main() -> None:
    client = AsyncClient(api_key="local-test-key", base_url=BASE_URL, max_retries=0)
    store_type = KillAfterToolsStore if (MODE, ARG) == ("run", "b") else SQLiteCheckpoints
    agent = Agent(
        "gemini-2.5-flash", tools=[record, refund], client=client, checkpoints=store_type(DB)
    )
    if MODE == "run":
        result = agent.run("Record the mug and the plate", run_id=RUN_ID)
    elif MODE == "resume":
        result = agent.resume(RUN_ID)
    elif MODE == "approve-run":
        paused = agent.run("Refund order 42")
        assert paused.state is not None
        print(paused.state.to_json())
        return
    elif MODE == "approve-resume":
        result = agent.resume(RunState.from_json(sys.stdin.read()), approve=[ARG])
    else:
        raise SystemExit(f"unknown mode {MODE!r}")
    print(json.dumps({"status": result.status, "text": result.text}))


if __name__ == "__main__":
    main()
