"""Client-side tool search: deferred tools found by the model's search, then called."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import pytest

from agentloop import Agent, FunctionTool, ToolSearch, UserError, rank_tools, tool
from agentloop.testing import InteractionsServer, ModelRequest, ScriptedModel

pytestmark = pytest.mark.anyio

VERBS = ["get", "list", "create", "delete", "update", "archive", "export", "sync", "audit", "rank"]
NOUNS = [
    "invoice",
    "customer",
    "ticket",
    "shipment",
    "repository",
    "calendar",
    "payroll",
    "lead",
    "contract",
    "budget",
    "server",
    "backup",
    "playlist",
    "recipe",
    "flight",
    "hotel",
    "policy",
    "license",
    "asset",
    "campaign",
    "survey",
    "vendor",
    "report",
    "device",
    "alert",
]
AREAS = ["billing", "support", "logistics", "engineering", "finance", "sales", "travel", "it"]


class Catalogue:
    """A tool source (as an MCP server is) offering 500 tools."""

    def __init__(self, target: FunctionTool[..., Any]) -> None:
        self.tools: list[FunctionTool[..., Any]] = []
        for verb, noun, area in itertools.islice(itertools.product(VERBS, NOUNS, AREAS), 499):

            def handler(id: str) -> str:
                return "unused"

            self.tools.append(
                FunctionTool(
                    handler,
                    name=f"{area}_{verb}_{noun}",
                    description=f"{verb.title()} a {noun} record in the {area} system.",
                )
            )
        self.tools.insert(317, target)

    async def connect(self) -> Sequence[FunctionTool[..., Any]]:
        return self.tools

    async def aclose(self) -> None:
        return None


def search_call(query: str) -> list[dict[str, Any]]:
    return [
        {"type": "function_call", "id": "s1", "name": "tool_search", "arguments": {"query": query}}
    ]


def done(text: str) -> list[dict[str, Any]]:
    return [{"type": "model_output", "content": [{"type": "text", "text": text}]}]


async def test_tool_search_picks_the_right_tool_out_of_500() -> None:
    forecasts: list[str] = []

    @tool
    def weather_forecast(city: str) -> str:
        """Get the weather forecast for a city: temperature and rain for the next days."""
        forecasts.append(city)
        return f"{city}: sunny"

    catalogue = Catalogue(weather_forecast)
    assert len(catalogue.tools) == 500

    def call_what_was_found(request: ModelRequest) -> list[dict[str, Any]]:
        (result,) = request.function_results
        best = result["result"][0]
        return [
            {
                "type": "function_call",
                "id": "c1",
                "name": best["name"],
                "arguments": {"city": "Oslo"},
            }
        ]

    model = ScriptedModel(
        [search_call("weather forecast for a city"), call_what_was_found, done("Oslo: sunny")]
    )
    server = InteractionsServer(model)
    agent = Agent("gemini-2.5-flash", tools=[catalogue], tool_search=True, client=server.client())
    result = await agent.arun("Will it rain in Oslo?")
    assert result.text == "Oslo: sunny"
    assert forecasts == ["Oslo"]
    for request in model.requests:
        assert [t["type"] for t in request.tools] == ["tool_search"]
    found = model.requests[1].function_results[0]["result"]
    assert found[0]["name"] == "weather_forecast"
    assert found[0]["type"] == "function"
    assert [declaration["name"] for declaration in found] == ["weather_forecast"]
    assert all("defer_loading" not in declaration for declaration in found)


async def test_defer_loading_tools_and_plain_tools_side_by_side() -> None:
    @tool(defer_loading=True)
    def refund_invoice(invoice: str) -> str:
        """Refund a paid invoice."""
        return f"{invoice} refunded"

    @tool
    def whoami() -> str:
        """The current user."""
        return "ada"

    assert refund_invoice.to_wire()["defer_loading"] is True
    model = ScriptedModel([search_call("refund an invoice"), done("ok")])
    server = InteractionsServer(model)
    agent = Agent("m", tools=[refund_invoice, whoami], tool_search=True, client=server.client())
    await agent.arun("Refund INV-1")
    tools = model.requests[0].tools
    assert [t.get("name") for t in tools] == ["whoami", "tool_search"]
    assert tools[1]["execution"] == "client"
    assert model.requests[1].function_results[0]["result"][0]["name"] == "refund_invoice"


async def test_pluggable_ranker_and_loading_by_name() -> None:
    seen: list[tuple[str, int]] = []

    def last_first(query: str, declarations: Sequence[dict[str, Any]], limit: int) -> list[Any]:
        seen.append((query, len(declarations)))
        return list(reversed(declarations))[:limit]

    tools = [
        FunctionTool(lambda: "a", name="alpha", description="A.", defer_loading=True),
        FunctionTool(lambda: "b", name="beta", description="B.", defer_loading=True),
    ]
    by_name = [
        {
            "type": "function_call",
            "id": "s2",
            "name": "find_tools",
            "arguments": {"function_names": ["alpha"]},
        }
    ]
    model = ScriptedModel([search_call("anything"), by_name, done("ok")])
    model_requests = model.requests
    server = InteractionsServer(model)
    search = ToolSearch(limit=1, ranker=last_first, name="find_tools")
    agent = Agent("m", tools=tools, tool_search=search, client=server.client())
    # The script calls "tool_search" first: not this agent's search name.
    await agent.arun("go")
    assert seen == []
    assert "Unknown tool" in str(model_requests[1].function_results[0]["result"])
    assert model_requests[2].function_results[0]["result"][0]["name"] == "alpha"

    model = ScriptedModel([[{**search_call("x")[0], "name": "find_tools"}], done("ok")])
    server = InteractionsServer(model)
    agent = Agent("m", tools=tools, tool_search=search, client=server.client())
    await agent.arun("go")
    assert seen == [("x", 2)]
    assert [d["name"] for d in model.requests[1].function_results[0]["result"]] == ["beta"]


def test_rank_tools_scores_names_above_descriptions() -> None:
    declarations = [
        {"name": "send_email", "description": "Send a message to a customer."},
        {"name": "customer_lookup", "description": "Find a customer by email."},
        {"name": "ship_parcel", "description": "Ship a parcel."},
    ]
    assert [d["name"] for d in rank_tools("look up a customer", declarations, 5)] == [
        "customer_lookup",
        "send_email",
    ]
    assert rank_tools("emails", declarations, 1)[0]["name"] == "send_email"
    assert rank_tools("zebra", declarations, 5) == []
    assert rank_tools("", declarations, 5) == []


def test_deferred_tools_need_tool_search() -> None:
    @tool(defer_loading=True)
    def hidden() -> str:
        """Hidden."""
        return ""

    with pytest.raises(UserError, match="tool_search=True"):
        Agent("m", tools=[hidden])
    with pytest.raises(UserError, match="limit"):
        ToolSearch(limit=0)
