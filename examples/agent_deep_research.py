"""The guide's "Agenti" (agents) example, as an Agent: the Deep Research agent in the
background.

`agent.start()` creates the interaction and returns at once; `wait()` polls it until
it ends, reporting each poll. Keep `run.id` to re-attach later from another process
with `BackgroundRun.attach(run.id, agent=agent)`.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at an Interactions server). A
real research run takes minutes:

    python examples/agent_deep_research.py
"""

from agentloop import Agent, BackgroundProgress, RunError

POLL_INTERVAL = 10.0
"""Seconds before the first poll; the wait grows from there to 30 s."""


def report(progress: BackgroundProgress) -> None:
    print(f"Status: {progress.status}")


def main() -> None:
    researcher = Agent(
        agent="deep-research-pro-preview-12-2025",
        background=True,
        poll_interval=POLL_INTERVAL,
    )

    run = researcher.start("Research the history of the Google TPUs with a focus on 2025 and 2026.")
    print(f"Research started. Interaction ID: {run.id}")

    try:
        result = run.wait(on_progress=report)
    except RunError as exc:  # failed or cancelled; exc.result holds the run so far
        print(f"Failed with status: {exc.result.status}")
        return
    print("\nFinal Report:\n", result.text)


if __name__ == "__main__":
    main()
