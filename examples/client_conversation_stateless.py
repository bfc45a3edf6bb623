"""The guide's "Conversazione stateless" (stateless conversation) example, on agentloop.

The client keeps the whole history as role/content turns and sends it every time.
agentloop sends those turns as `user_input` / `model_output` steps, the form the
API expects today; `interaction.outputs` can go straight back into the history.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at a local server):

    python examples/client_conversation_stateless.py
"""

from agentloop import Client


def main() -> None:
    client = Client()

    conversation_history = [
        {
            "role": "user",
            "content": "What are the three largest cities in Spain?",
        }
    ]

    interaction1 = client.interactions.create(
        model="gemini-2.5-flash",
        input=conversation_history,
    )

    print(f"Model: {interaction1.outputs[-1].text}")

    conversation_history.append({"role": "model", "content": interaction1.outputs})
    conversation_history.append(
        {
            "role": "user",
            "content": "What is the most famous landmark in the second one?",
        }
    )

    interaction2 = client.interactions.create(
        model="gemini-2.5-flash",
        input=conversation_history,
    )

    print(f"Model: {interaction2.outputs[-1].text}")


if __name__ == "__main__":
    main()
