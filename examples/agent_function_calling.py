"""The guide's "Chiamata di funzione" (function calling) example, as an Agent.

The agent declares `get_weather` from its signature and docstring, runs it when the
model asks, and sends the result back (continuing with `previous_interaction_id`)
until the model answers. `result.tool_calls` records each call.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at an Interactions server):

    python examples/agent_function_calling.py
"""

from agentloop import Agent, tool


@tool
def get_weather(location: str) -> str:
    """Gets the weather for a given location.

    Args:
        location: The city and state, e.g. San Francisco, CA.
    """
    return f"The weather in {location} is sunny."


agent = Agent("gemini-2.5-flash", tools=[get_weather])


def main() -> None:
    result = agent.run("What is the weather in Paris?")

    for call in result.tool_calls:
        print(f"Tool Call: {call.name}({call.arguments}) -> {call.result!r}")
    print(f"Response: {result.text}")


if __name__ == "__main__":
    main()
