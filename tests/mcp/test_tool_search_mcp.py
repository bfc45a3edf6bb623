"""Tool search over a real MCP server's tools (stdio): deferred, found, then called."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from agentloop import Agent, MCPStdio
from agentloop.testing import InteractionsServer, ModelRequest, ScriptedModel

pytestmark = pytest.mark.anyio

DEMO = Path(__file__).parent / "servers" / "demo.py"


async def test_mcp_tools_are_deferred_behind_the_search() -> None:
    def call_found(request: ModelRequest) -> list[dict[str, Any]]:
        found = request.function_results[0]["result"]
        return [
            {
                "type": "function_call",
                "id": "c1",
                "name": found[0]["name"],
                "arguments": {"city": "Lisbon"},
            }
        ]

    model = ScriptedModel(
        [
            [
                {
                    "type": "function_call",
                    "id": "s1",
                    "name": "tool_search",
                    "arguments": {"query": "weather forecast"},
                }
            ],
            call_found,
            [{"type": "model_output", "content": [{"type": "text", "text": "Sunny."}]}],
        ]
    )
    server = InteractionsServer(model)
    agent = Agent(
        "gemini-2.5-flash",
        tools=[MCPStdio(sys.executable, [str(DEMO), "stdio"])],
        tool_search=True,
        client=server.client(),
    )
    result = await agent.arun("Forecast for Lisbon?")
    assert result.text == "Sunny."
    assert [t["type"] for t in model.requests[0].tools] == ["tool_search"]
    assert model.requests[1].function_results[0]["result"][0]["name"] == "get_forecast"
    forecast = model.requests[2].function_results[0]
    assert forecast["name"] == "get_forecast"
    assert "Lisbon" in str(forecast["result"])
