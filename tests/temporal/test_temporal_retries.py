"""agentloop's HTTP retries and Temporal's activity retries do not multiply into storms:
each activity attempt makes at most `1 + max_retries` requests (the client's policy),
and the activity has a bounded number of attempts, so a server that keeps failing
sees exactly their product; an error that cannot succeed (a 400) is not retried."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from temporalio.client import Client, WorkflowFailureError
from temporalio.common import RetryPolicy as TemporalRetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.worker import Worker

from agentloop import Agent, AsyncClient, RetryPolicy
from agentloop.temporal import AgentloopPlugin, AgentWorkflow, AgentWorkflowInput, TemporalAgent
from agentloop.testing import serve_in_thread
from temporal.conftest import tag

pytestmark = pytest.mark.anyio


class Failing:
    """An ASGI app answering every request with one status, counting them."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.count = 0
        self.lock = threading.Lock()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        with self.lock:
            self.count += 1
        body = b'{"error": {"code": %d, "message": "no"}}' % self.status
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


@pytest.mark.parametrize(("status", "requests"), [(503, 2 * 3), (400, 1)])
async def test_http_retries_times_activity_attempts(
    client: Client, queue: str, status: int, requests: int
) -> None:
    app = Failing(status)
    with serve_in_thread(app) as url:
        http = AsyncClient(
            base_url=url,
            api_key="test",
            retry_policy=RetryPolicy(max_retries=1, initial_delay=0.01, jitter=0.0),
        )
        durable = TemporalAgent(
            Agent("gemini-2.5-flash", name=f"failing-{status}", client=http),
            activity_config={
                "retry_policy": TemporalRetryPolicy(
                    initial_interval=timedelta(milliseconds=50), maximum_attempts=3
                )
            },
        )
        worker = Worker(client, task_queue=queue, plugins=[AgentloopPlugin(agents=[durable])])
        async with worker:
            with pytest.raises(WorkflowFailureError) as failed:
                await client.execute_workflow(
                    AgentWorkflow.run,
                    AgentWorkflowInput(agent=durable.name, input="hi"),
                    id=f"retry-{tag()}",
                    task_queue=queue,
                )
        await http.aclose()
    assert app.count == requests  # (1 + max_retries) x maximum_attempts, or 1 for a 400
    cause = failed.value.cause
    assert isinstance(cause, ActivityError)
    assert isinstance(cause.cause, ApplicationError)
    assert cause.cause.type == ("ServerError" if status == 503 else "BadRequestError")
