"""The guide's "Streaming" example, on agentloop.

The loop is the guide's, unchanged: agentloop's event types compare equal to the
legacy names the guide tests (`"content.delta"`, `"interaction.complete"`, delta
type `"thought"`) as well as to today's (`"step.delta"`, `"interaction.completed"`,
`"thought_summary"`).

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at a local server):

    python examples/client_streaming.py
"""

from agentloop import Client


def main() -> None:
    client = Client()

    stream = client.interactions.create(
        model="gemini-2.5-flash",
        input="Explain quantum entanglement in simple terms.",
        stream=True,
    )

    for chunk in stream:
        if chunk.event_type == "content.delta":
            if chunk.delta.type == "text":
                print(chunk.delta.text, end="", flush=True)
            elif chunk.delta.type == "thought":
                print(chunk.delta.thought, end="", flush=True)
        elif chunk.event_type == "interaction.complete":
            print("\n\n--- Stream Finished ---")
            print(f"Total Tokens: {chunk.interaction.usage.total_tokens}")


if __name__ == "__main__":
    main()
