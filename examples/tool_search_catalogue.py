"""Client-side tool search over a catalogue of 300 tools: one declaration per request.

The tools are declared with `defer_loading=True` and the agent with `tool_search=True`:
each request carries a single `tool_search` tool; when the model searches, agentloop
ranks the catalogue by name and description and sends back the best matches, which
the model then calls.

    agentloop serve --port 8765 &
    AGENTLOOP_BASE_URL=http://127.0.0.1:8765 python examples/tool_search_catalogue.py
"""

import itertools

from agentloop import Agent, FunctionTool, tool

AREAS = ["billing", "support", "logistics", "finance", "sales", "travel"]
VERBS = ["get", "list", "create", "delete", "archive"]
THINGS = [
    "invoice",
    "customer",
    "ticket",
    "shipment",
    "contract",
    "budget",
    "flight",
    "hotel",
    "policy",
    "device",
]


def catalogue() -> list[FunctionTool]:
    tools = []
    for area, verb, thing in itertools.product(AREAS, VERBS, THINGS):

        def handler(id: str) -> str:
            return "done"

        tools.append(
            FunctionTool(
                handler,
                name=f"{area}_{verb}_{thing}",
                description=f"{verb.title()} a {thing} in the {area} system.",
                defer_loading=True,
            )
        )
    return tools


@tool(defer_loading=True)
def weather_forecast(city: str) -> str:
    """Get the weather forecast for a city.

    Args:
        city: the city, e.g. Paris.
    """
    return f"{city}: sunny, 21 C"


def main() -> None:
    tools = [*catalogue(), weather_forecast]
    agent = Agent("gemini-2.5-flash", tools=tools, tool_search=True)
    result = agent.run("What is the weather forecast in Paris?")
    print(
        f"{len(tools)} tools in the catalogue; calls made:",
        ", ".join(call.name for call in result.tool_calls),
    )
    print(result.text)


if __name__ == "__main__":
    main()
