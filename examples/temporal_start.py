"""Submit durable agent runs to the worker of `examples/temporal_worker.py`: once through
your own workflow (`TripPlanner`), once through the ready-made `AgentWorkflow`,
following its events with a query while it runs.

    TEMPORAL_ADDRESS=127.0.0.1:7233 python examples/temporal_start.py
"""

import asyncio
import os
import sys
import uuid

from temporal_worker import ADDRESS, TASK_QUEUE, TripPlanner
from temporalio.client import Client

from agentloop.temporal import AgentloopPlugin, AgentWorkflow, AgentWorkflowInput


async def submit() -> None:
    client = await Client.connect(ADDRESS, plugins=[AgentloopPlugin()])

    text = await client.execute_workflow(
        TripPlanner.run,
        "What is the weather in Paris?",
        id=f"trip-{uuid.uuid4().hex[:8]}",
        task_queue=TASK_QUEUE,
    )
    print(f"TripPlanner: {text}")

    handle = await client.start_workflow(
        AgentWorkflow.run,
        AgentWorkflowInput(agent="weather", input="What is the weather in Rome?"),
        id=f"run-{uuid.uuid4().hex[:8]}",
        task_queue=TASK_QUEUE,
    )
    result = await handle.result()  # the RunResult as JSON-ready data
    for event in await handle.query(AgentWorkflow.events, 0):
        if event["type"] == "tool_call_finished":
            print(f"  tool {event['name']}({event['call_id']}): {event['result']}")
    status = await handle.query(AgentWorkflow.status)
    print(f"AgentWorkflow ({status['status']}): {result['text']}")


def main() -> None:
    asyncio.run(submit())


if __name__ == "__main__":
    main()
    # Leave without interpreter teardown: the Temporal SDK's runtime threads can abort a
    # short-lived process there (temporalio/sdk-python#300). Everything is done by now.
    sys.stdout.flush()
    os._exit(0)
