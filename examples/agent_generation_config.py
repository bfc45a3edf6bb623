"""The guide's "Configurazione" (generation_config) example, as an Agent.

`generation_config` is part of the agent, sent as given with every request of
every run.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at an Interactions server):

    python examples/agent_generation_config.py
"""

from agentloop import Agent

storyteller = Agent(
    "gemini-2.5-flash",
    generation_config={
        "temperature": 0.7,
        "max_output_tokens": 500,
        "thinking_level": "low",
    },
)


def main() -> None:
    result = storyteller.run("Tell me a story about a brave knight.")
    print(result.text)


if __name__ == "__main__":
    main()
