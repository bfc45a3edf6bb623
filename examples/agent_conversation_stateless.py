"""The guide's "Conversazione stateless" (stateless conversation) example, as an Agent.

With `store=False` nothing is kept on the server. The `Chat` holds the history
(the model's thought signatures included) and sends all of it with every message.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at an Interactions server):

    python examples/agent_conversation_stateless.py
"""

from agentloop import Agent

agent = Agent("gemini-2.5-flash", store=False)


def main() -> None:
    chat = agent.chat()

    first = chat.run("What are the three largest cities in Spain?")
    print(f"Model: {first.text}")

    second = chat.run("What is the most famous landmark in the second one?")
    print(f"Model: {second.text}")


if __name__ == "__main__":
    main()
