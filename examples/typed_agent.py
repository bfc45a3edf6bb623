"""Typed agents: `Agent[Deps, Output]`, checked by mypy and pyright.

`deps_type=Deps` and `response_format=Forecast` make this an `Agent[Deps, Forecast]`:
`agent.run(..., deps=...)` takes a `Deps`, the tool's `ToolContext[Deps]` holds it,
and `result.output` is a `Forecast`, for your type checker as at run time.

Needs GEMINI_API_KEY, or runs offline against the local server:

    agentloop serve --port 8765 &
    AGENTLOOP_BASE_URL=http://127.0.0.1:8765 python examples/typed_agent.py
"""

from dataclasses import dataclass

from pydantic import BaseModel

from agentloop import Agent, ToolContext, tool


@dataclass
class Deps:
    units: str


class Forecast(BaseModel):
    city: str
    summary: str


@tool
def get_weather(context: ToolContext[Deps], city: str) -> str:
    """The current weather in a city.

    Args:
        city: the city's name, e.g. "Rome".
    """
    degrees = "21 °C" if context.deps.units == "metric" else "70 °F"
    return f"sunny, {degrees} in {city}"


agent = Agent(
    "gemini-2.5-flash",
    tools=[get_weather],
    deps_type=Deps,
    response_format=Forecast,
)


def main() -> None:
    result = agent.run("What is the weather in Rome?", deps=Deps(units="metric"))
    forecast: Forecast = result.output
    print(f"{forecast.city}: {forecast.summary}")
    print(f"tools called: {[call.name for call in result.tool_calls]}")


if __name__ == "__main__":
    main()
