"""MCP tools on Temporal: the connection lives in the worker (opened lazily, once per
worker process, closed when it stops); each tool call is an activity."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client
from temporalio.worker import Worker

from agentloop import Agent, MCPStdio
from agentloop.temporal import AgentloopPlugin, AgentWorkflow, AgentWorkflowInput, TemporalAgent
from temporal.conftest import HERE, World, tag

pytestmark = pytest.mark.anyio


async def test_mcp_tools_run_in_the_worker_one_connection(
    client: Client, queue: str, world: World, tmp_path: Path
) -> None:
    starts = tmp_path / "starts.txt"
    shop = MCPStdio(
        sys.executable,
        [str(HERE / "mcp_counter_server.py")],
        prefix="shop",
        env={"MCP_STARTS": str(starts)},
        timeout=20,
    )
    shopper = TemporalAgent(Agent("gemini-2.5-flash", tools=[shop], name="shopper"))
    results: list[dict[str, Any]] = []
    async with Worker(client, task_queue=queue, plugins=[AgentloopPlugin(agents=[shopper])]):
        for item in ("apple", "pear"):
            results.append(
                await client.execute_workflow(
                    AgentWorkflow.run,
                    AgentWorkflowInput(agent="shopper", input=f"shop {tag()} {item}"),
                    id=f"shop-{tag()}",
                    task_queue=queue,
                )
            )
    assert [r["text"] for r in results] == ["answer: {'result': 0.5}", "answer: {'result': 0.8}"]
    assert [c["name"] for r in results for c in r["tool_calls"]] == ["shop_price", "shop_price"]
    assert len(starts.read_text().split()) == 1  # one connection for both runs
