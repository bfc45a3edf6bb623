"""The demo model searches the client's deferred tools, then calls what it found."""

from __future__ import annotations

from agentloop import Agent, FunctionTool, tool
from agentloop.testing import DemoModel, InteractionsServer


def test_demo_model_uses_client_tool_search() -> None:
    @tool(defer_loading=True)
    def weather_forecast(city: str) -> str:
        """Get the weather forecast for a city."""
        return f"{city}: sunny, 21 C"

    def record(id: str) -> str:
        return id

    others = [
        FunctionTool(record, name=f"get_{noun}", description=f"Get a {noun}.", defer_loading=True)
        for noun in ("invoice", "customer", "ticket", "payroll", "flight")
    ]
    server = InteractionsServer(DemoModel())
    agent = Agent(
        "gemini-2.5-flash",
        tools=[weather_forecast, *others],
        tool_search=True,
        client=server.sync_client(),
    )
    result = agent.run("What is the weather forecast in Paris?")
    assert [call.name for call in result.tool_calls] == ["tool_search", "weather_forecast"]
    assert "Paris: sunny, 21 C" in result.text


def test_demo_model_without_tool_search_is_unchanged() -> None:
    @tool
    def weather_forecast(city: str) -> str:
        """Get the weather forecast for a city."""
        return f"{city}: sunny"

    server = InteractionsServer(DemoModel())
    agent = Agent("gemini-2.5-flash", tools=[weather_forecast], client=server.sync_client())
    result = agent.run("What is the weather forecast in Paris?")
    assert [call.name for call in result.tool_calls] == ["weather_forecast"]
