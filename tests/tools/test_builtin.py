"""Built-in tools serialise to exactly the wire form; the API's limits are one table.

`Toolset` (private, `agentloop._run.toolset`) is the pure piece that turns an agent's
`tools=[...]` into declarations and checks the API's limits before MCP routing; its
tests import it directly so routing does not hide what it refuses.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import load_json

from agentloop import (
    CodeExecution,
    FileSearch,
    GoogleMaps,
    GoogleSearch,
    MCPServer,
    UrlContext,
    UserError,
    tool,
)
from agentloop._run.toolset import Toolset


@pytest.mark.parametrize(
    ("declared", "wire"),
    [
        (GoogleSearch(), {"type": "google_search"}),
        (
            GoogleSearch(search_types=["image_search"]),
            {"type": "google_search", "search_types": ["image_search"]},
        ),
        (CodeExecution(), {"type": "code_execution"}),
        (UrlContext(), {"type": "url_context"}),
        (
            GoogleMaps(latitude=48.8, longitude=2.3),
            {"type": "google_maps", "latitude": 48.8, "longitude": 2.3},
        ),
        (
            FileSearch(file_search_store_names=["fileSearchStores/a"], top_k=3),
            {"type": "file_search", "file_search_store_names": ["fileSearchStores/a"], "top_k": 3},
        ),
        (
            MCPServer(name="weather_service", url="https://gemini-api-demos.uc.r.appspot.com/mcp"),
            {
                "type": "mcp_server",
                "name": "weather_service",
                "url": "https://gemini-api-demos.uc.r.appspot.com/mcp",
            },
        ),
    ],
)
def test_builtin_wire_forms(declared: Any, wire: dict[str, Any]) -> None:
    assert declared.to_wire() == wire


def test_mcp_server_matches_the_fixture() -> None:
    fixture = load_json("create_request_with_tools.json")["tools"][5]
    server = MCPServer(
        name="calendar",
        url="https://mcp.example.com/mcp",
        headers={"Authorization": "Bearer <token>"},
        allowed_tools=["list_events"],
    )
    assert server.to_wire() == fixture


def test_function_tools_match_the_fixture() -> None:
    @tool
    def get_weather(city: str, unit: str | None = None) -> str:
        """Current weather for a city."""
        return city

    wire = get_weather.to_wire()
    assert wire["type"] == "function"
    assert wire["name"] == "get_weather"
    assert wire["description"] == "Current weather for a city."
    assert wire["parameters"]["required"] == ["city"]


def test_guides_weather_tool_from_a_decorated_function() -> None:
    @tool
    def get_weather(location: str) -> str:
        """Gets the weather for a given location.

        Args:
            location: The city and state, e.g. San Francisco, CA
        """
        return f"The weather in {location} is sunny."

    assert get_weather.to_wire() == {
        "type": "function",
        "name": "get_weather",
        "description": "Gets the weather for a given location.",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {
                    "type": "string",
                    "description": "The city and state, e.g. San Francisco, CA",
                }
            },
            "required": ["location"],
        },
    }
    assert get_weather("Paris") == "The weather in Paris is sunny."


def test_toolset_mixes_functions_builtins_and_raw_dicts() -> None:
    def plain(x: int) -> int:
        """Doubles."""
        return 2 * x

    raw = {"type": "code_execution"}
    toolset = Toolset([plain, GoogleSearch(), raw])
    assert [d["type"] for d in toolset.to_wire()] == ["function", "google_search", "code_execution"]
    assert set(toolset.functions) == {"plain"}
    assert toolset.functions["plain"](3) == 6


def test_a_bare_function_declaration_is_refused() -> None:
    raw = {"type": "function", "name": "declared_only", "parameters": {"type": "object"}}
    with pytest.raises(UserError, match="bare declaration"):
        Toolset([raw])


def test_duplicate_tool_names_are_rejected() -> None:
    @tool(name="lookup")
    def first(q: str) -> str:
        """One."""
        return q

    @tool(name="lookup")
    def second(q: str) -> str:
        """Two."""
        return q

    with pytest.raises(UserError, match="two tools are named 'lookup'"):
        Toolset([first, second])


def test_not_a_tool_is_rejected() -> None:
    with pytest.raises(UserError, match="not a tool"):
        Toolset([42])  # type: ignore[list-item]
    with pytest.raises(UserError, match="needs a 'type'"):
        Toolset([{"name": "x"}])


@pytest.mark.parametrize(
    ("model", "tools", "message"),
    [
        ("gemini-3-pro-preview", [MCPServer(name="a", url="https://x")], "Gemini 3"),
        ("gemini-2.5-flash", [MCPServer(name="a", url="https://x"), GoogleSearch()], "combined"),
    ],
)
def test_api_limits_are_checked_with_a_hint(model: str, tools: list[Any], message: str) -> None:
    with pytest.raises(UserError, match=message) as caught:
        Toolset(tools).check_limits(model)
    assert "client-side" in str(caught.value)


@pytest.mark.parametrize(
    ("model", "tools"),
    [
        ("gemini-2.5-flash", [MCPServer(name="a", url="https://x")]),
        ("gemini-3-pro-preview", [GoogleSearch(), UrlContext(), CodeExecution()]),
    ],
)
def test_allowed_tool_mixes_pass(model: str, tools: list[Any]) -> None:
    Toolset(tools).check_limits(model)
