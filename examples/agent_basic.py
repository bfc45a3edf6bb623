"""The guide's "Interazioni di base" (basic interactions) example, as an Agent.

One prompt in, one answer out. `client_basic.py` is the same call on the client.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at an Interactions server):

    python examples/agent_basic.py
"""

from agentloop import Agent

agent = Agent("gemini-2.5-flash")


def main() -> None:
    result = agent.run("Tell me a short joke about programming.")
    print(result.text)


if __name__ == "__main__":
    main()
