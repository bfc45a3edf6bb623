"""The guide's "Interazioni di base" (basic interactions) example, on agentloop.

One text prompt in, the model's last output printed. The guide's very first example
is the same code with `model="gemini-3-pro-preview"`.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at a local server):

    python examples/client_basic.py
"""

from agentloop import Client


def main() -> None:
    client = Client()

    interaction = client.interactions.create(
        model="gemini-2.5-flash",
        input="Tell me a short joke about programming.",
    )

    print(interaction.outputs[-1].text)


if __name__ == "__main__":
    main()
