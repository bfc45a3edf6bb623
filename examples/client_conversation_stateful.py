"""The guide's "Conversazione con stato" (stateful conversation) example, on agentloop.

The second turn names the first by `previous_interaction_id`; the server keeps the
history, so only the new message is sent.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at a local server):

    python examples/client_conversation_stateful.py
"""

from agentloop import Client


def main() -> None:
    client = Client()

    # 1. First turn
    interaction1 = client.interactions.create(
        model="gemini-2.5-flash",
        input="Hi, my name is Phil.",
    )
    print(f"Model: {interaction1.outputs[-1].text}")

    # 2. Second turn (passing previous_interaction_id)
    interaction2 = client.interactions.create(
        model="gemini-2.5-flash",
        input="What is my name?",
        previous_interaction_id=interaction1.id,
    )
    print(f"Model: {interaction2.outputs[-1].text}")


if __name__ == "__main__":
    main()
