"""Crash-resume: a run goes on after its process was killed, and charges a card once.

A worker process runs an agent with `SQLiteCheckpoints`. Its `charge_card` tool is
killed (SIGKILL, as a power cut would) on its first attempt, after the charge went
through and before the tool returned. This process then resumes the run by its id,
from the checkpoint: the interrupted call runs again (a tool cut off mid-execution is
run at least once), and the call's idempotency key (`ctx.run_id` and `ctx.call_id`,
the same on every attempt) lets the second attempt find the first charge instead of
charging again. A call that had finished would not have run again at all.

Needs a POSIX system (SIGKILL), and GEMINI_API_KEY or AGENTLOOP_BASE_URL pointing at
an Interactions server (`agentloop serve`, then
`export AGENTLOOP_BASE_URL=http://127.0.0.1:8765`):

    python examples/crash_resume.py
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from agentloop import Agent, SQLiteCheckpoints, ToolContext, tool

RUN_ID = "order-7-payment"


def charges_file(folder: Path) -> Path:
    return folder / "charges.json"


def make_agent(folder: Path) -> Agent:
    @tool
    def charge_card(order: int, amount: float, ctx: ToolContext) -> str:
        """Charge the customer's card for an order.

        Args:
            order: the order number.
            amount: how much to charge, in euros.
        """
        ledger = charges_file(folder)
        charges = json.loads(ledger.read_text()) if ledger.exists() else {}
        key = f"{ctx.run_id}:{ctx.call_id}"  # the same on every attempt of this call
        if key not in charges:
            charges[key] = f"receipt #{len(charges) + 1}: {amount:g} euros for order {order}"
            ledger.write_text(json.dumps(charges))
        if "--worker" in sys.argv:
            os.kill(os.getpid(), signal.SIGKILL)  # the power goes out before we return
        return charges[key]

    return Agent(
        "gemini-2.5-flash",
        tools=[charge_card],
        checkpoints=SQLiteCheckpoints(folder / "runs.db"),
    )


def worker(folder: Path) -> None:
    make_agent(folder).run("Charge an amount of 25 euros for order 7", run_id=RUN_ID)


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        crashed = subprocess.run([sys.executable, __file__, "--worker", name], check=False)
        print(f"The worker died (signal {-crashed.returncode}) while charging the card")

        result = make_agent(folder).resume(RUN_ID)
        print(f"Resumed {RUN_ID}: {result.status}")
        print(result.text)
        charges = json.loads(charges_file(folder).read_text())
        print(f"Charges made: {len(charges)}")


if __name__ == "__main__":
    if "--worker" in sys.argv:
        worker(Path(sys.argv[sys.argv.index("--worker") + 1]))
    else:
        main()
