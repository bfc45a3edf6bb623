"""The guide's "Chiamata di funzione" (function calling) example, on agentloop.

The model asks for `get_weather`; the script runs it and sends the result back as a
`function_result` whose `call_id` is the call's `id`, continuing the conversation
with `previous_interaction_id`.

Like the guide, the follow-up request does not repeat `tools=`: the model can
answer, but could not call the tool again in that turn.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at a local server):

    python examples/client_function_calling.py
"""

from agentloop import Client


# 1. Define the tool
def get_weather(location: str):
    """Gets the weather for a given location."""
    return f"The weather in {location} is sunny."


weather_tool = {
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


def main() -> None:
    client = Client()

    # 2. Send the request with tools
    interaction = client.interactions.create(
        model="gemini-2.5-flash",
        input="What is the weather in Paris?",
        tools=[weather_tool],
    )

    # 3. Handle the tool call
    # As in the guide, each result goes back in its own request. That suits one call;
    # when a turn makes several, the API expects all their results in one request
    # (see `interaction.function_calls` and docs/client.md).
    for output in interaction.outputs:
        if output.type == "function_call":
            print(f"Tool Call: {output.name}({output.arguments})")
            # Execute tool
            result = get_weather(**output.arguments)

            # Send result back
            interaction = client.interactions.create(
                model="gemini-2.5-flash",
                previous_interaction_id=interaction.id,
                input=[
                    {
                        "type": "function_result",
                        "name": output.name,
                        "call_id": output.id,
                        "result": result,
                    }
                ],
            )
            print(f"Response: {interaction.outputs[-1].text}")


if __name__ == "__main__":
    main()
