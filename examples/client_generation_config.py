"""The guide's "Configurazione" (generation_config) example, on agentloop.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at a local server):

    python examples/client_generation_config.py
"""

from agentloop import Client


def main() -> None:
    client = Client()

    interaction = client.interactions.create(
        model="gemini-2.5-flash",
        input="Tell me a story about a brave knight.",
        generation_config={
            "temperature": 0.7,
            "max_output_tokens": 500,
            "thinking_level": "low",
        },
    )

    print(interaction.outputs[-1].text)


if __name__ == "__main__":
    main()
