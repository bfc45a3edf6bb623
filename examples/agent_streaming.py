"""The guide's "Streaming" example, as an Agent that also calls a tool.

`agent.stream()` yields typed run events: text (and thought) pieces as they arrive,
each tool call as it starts and finishes, and `RunFinishedEvent` with the result.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at an Interactions server):

    python examples/agent_streaming.py
"""

from agentloop import (
    Agent,
    RunFinishedEvent,
    TextDeltaEvent,
    ThoughtDeltaEvent,
    ToolCallFinishedEvent,
    ToolCallStartedEvent,
    tool,
)


@tool
def get_weather(city: str) -> dict[str, str | int]:
    """Gets the current weather in a city.

    Args:
        city: The city's name, e.g. Paris.
    """
    return {"city": city, "sky": "sunny", "temp_c": 21}


agent = Agent(
    "gemini-2.5-flash",
    tools=[get_weather],
    generation_config={"thinking_summaries": "auto"},
)


def main() -> None:
    for event in agent.stream("What's the weather like in Paris? Answer in one sentence."):
        match event:
            case TextDeltaEvent() | ThoughtDeltaEvent():
                print(event.text, end="", flush=True)
            case ToolCallStartedEvent():
                print(f"-> {event.name}({event.arguments})")
            case ToolCallFinishedEvent():
                print(f"<- {event.name}: {event.result}")
            case RunFinishedEvent():
                print("\n\n--- Stream Finished ---")
                print(f"Total Tokens: {event.result.usage.total_tokens}")


if __name__ == "__main__":
    main()
