"""MCP tools take `requires_approval=` as function tools do: the run pauses on them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from agentloop import Agent, MCPStdio, UserError
from agentloop.testing import InteractionsServer, ModelRequest, ScriptedModel

pytestmark = pytest.mark.anyio

DEMO = Path(__file__).parent.parent / "mcp" / "servers" / "demo.py"


def answer(request: ModelRequest) -> str:
    return "; ".join(f"{r['call_id']}={r['result']}" for r in request.function_results)


def add_call(call_id: str, a: int, b: int) -> dict[str, Any]:
    return {"type": "function_call", "id": call_id, "name": "add", "arguments": {"a": a, "b": b}}


async def test_an_mcp_tool_needing_approval_pauses_the_run() -> None:
    model = ScriptedModel([[add_call("small", 2, 3), add_call("large", 200, 300)], answer])
    server = MCPStdio(
        sys.executable,
        [str(DEMO), "stdio"],
        requires_approval=lambda ctx, arguments: arguments["a"] > 100,
    )
    agent = Agent("gemini-2.5-flash", tools=[server], client=InteractionsServer(model).client())
    paused = await agent.arun("Add")
    assert [p.call_id for p in paused.pending_approvals] == ["large"]
    assert paused.state is not None
    result = await agent.aresume(paused.state, reject={"large": "too big"})
    assert result.text.startswith("small={'result': 5}; large=The user rejected this call")
    model.verify()


def test_mcp_requires_approval_is_checked() -> None:
    with pytest.raises(UserError, match="requires_approval"):
        MCPStdio(sys.executable, [str(DEMO), "stdio"], requires_approval="always")  # type: ignore[arg-type]
