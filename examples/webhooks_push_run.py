"""A push-driven background run: the API's webhooks drive the tool rounds, nobody polls.

A `WebhookApp` listens on a loopback port (uvicorn, in this program's event loop);
the webhook registered with the API points at it. `agent.astart(...)` creates the run
in the background and returns; when the interaction needs the tools, the API POSTs
`interaction.requires_action`, the app runs the tools and sends the results; on
`interaction.completed` it records the outcome.

    agentloop serve --port 8765 &
    AGENTLOOP_BASE_URL=http://127.0.0.1:8765 python examples/webhooks_push_run.py

In production the app is its own service: `uvicorn module:app`.
"""

import asyncio
import socket

import uvicorn

from agentloop import Agent, AsyncClient, tool
from agentloop.webhooks import WebhookApp

WAIT_SECONDS = 30.0


@tool
def lookup_order(order: str) -> str:
    """Find where an order is.

    Args:
        order: the order number, e.g. A1.
    """
    return f"order {order} left the warehouse on Monday"


async def wait_for_outcome(app: WebhookApp, run_id: str) -> dict | None:
    """Wait for our own receiver to record the run's end (no request to the API)."""
    for _ in range(int(WAIT_SECONDS / 0.05)):
        if (outcome := app.outcome(run_id)) is not None:
            return outcome
        await asyncio.sleep(0.05)
    return None


async def run() -> None:
    async with AsyncClient() as client:
        agent = Agent("gemini-2.5-flash", tools=[lookup_order], client=client)
        secrets: list[str] = []  # filled once the webhook exists; read per delivery
        app = WebhookApp(secret=secrets, agent=agent)

        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        serving = asyncio.create_task(server.serve(sockets=[listener]))
        for _ in range(500):  # until uvicorn listens
            if server.started:
                break
            await asyncio.sleep(0.01)

        hook = await client.webhooks.create(
            uri=f"http://127.0.0.1:{port}/webhooks",
            subscribed_events=[
                "interaction.requires_action",
                "interaction.completed",
                "interaction.failed",
            ],
        )
        secrets.append(hook.new_signing_secret or "")
        try:
            started = await agent.astart("Where is order A1?")
            print(f"started {started.id}; the webhooks will finish it")
            outcome = await wait_for_outcome(app, started.id)
        finally:
            await client.webhooks.delete(hook.id or "")
            server.should_exit = True
            await serving
    if outcome is None:
        print(f"no outcome after {WAIT_SECONDS:g} s")
        return
    print(f"{outcome['status']}: tools {outcome['tool_calls']}")
    print(outcome["text"])


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
