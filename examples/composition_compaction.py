"""History compaction: a long store=False chat kept within a token budget.

With store=False the whole history is sent each turn. `HistoryLimit` keeps it in
bounds: once the last response counted more than `max_tokens` (from the server's
usage), the older turns are summarised by a small agent (or dropped), keeping the
last `keep_last_turns` turns and every tool call with its result.

Needs GEMINI_API_KEY, or AGENTLOOP_BASE_URL pointing at an Interactions server:

    python examples/composition_compaction.py
"""

from agentloop import Agent, HistoryLimit

small = Agent("gemini-2.5-flash-lite", instructions="Summarise conversations tersely.")
agent = Agent(
    "gemini-2.5-flash",
    store=False,
    history_limit=HistoryLimit(max_tokens=400, keep_last_turns=2, summarizer=small),
)


def main() -> None:
    chat = agent.chat()
    for turn in range(1, 9):
        chat.run(f"Note number {turn}: tides rise twice a day.")
        print(f"Turn {turn}: {len(chat.history())} steps kept")
    first = chat.history()[0]["content"][0]["text"]
    print(f"The history starts with: {first.splitlines()[0]}")


if __name__ == "__main__":
    main()
