"""The guide's "Conversazione con stato" (stateful conversation) example, as an Agent.

A `Chat` keeps the conversation on the server: each run continues the previous
interaction through `previous_interaction_id`, so only the new message is sent.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at an Interactions server):

    python examples/agent_conversation_stateful.py
"""

from agentloop import Agent

agent = Agent("gemini-2.5-flash")


def main() -> None:
    chat = agent.chat()

    first = chat.run("Hi, my name is Phil.")
    print(f"Model: {first.text}")

    second = chat.run("What is my name?")
    print(f"Model: {second.text}")


if __name__ == "__main__":
    main()
