"""The guide's "Agenti" (agents) example, on agentloop: start the Deep Research agent
in the background, then poll until the interaction reaches a final status.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at a local server). A real
research run takes minutes:

    python examples/client_deep_research_polling.py
"""

import time

from agentloop import Client

POLL_INTERVAL_SECONDS = 10
"""How long to wait between two polls (the guide's `time.sleep(10)`)."""


def main() -> None:
    client = Client()

    # 1. Start the Deep Research Agent
    initial_interaction = client.interactions.create(
        input="Research the history of the Google TPUs with a focus on 2025 and 2026.",
        agent="deep-research-pro-preview-12-2025",
        background=True,
    )

    print(f"Research started. Interaction ID: {initial_interaction.id}")

    # 2. Poll for results
    while True:
        interaction = client.interactions.get(initial_interaction.id)
        print(f"Status: {interaction.status}")

        if interaction.status == "completed":
            print("\nFinal Report:\n", interaction.outputs[-1].text)
            break
        # As in the guide, only these statuses end the loop. Deep Research can also stop
        # as "incomplete" or "budget_exceeded"; `interaction.is_terminal` covers them all.
        elif interaction.status in ["failed", "cancelled"]:
            print(f"Failed with status: {interaction.status}")
            break

        time.sleep(POLL_INTERVAL_SECONDS)


if __name__ == "__main__":
    main()
