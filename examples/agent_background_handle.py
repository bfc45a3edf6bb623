"""The guide's "Agenti" (agents) example, as an Agent handle: start the Deep Research
agent in the background, watch its progress, re-attach to it by id, and cancel it.

`agent.start()` returns a `BackgroundRun` at once; its `id` is all another process
needs to pick the run up again with `BackgroundRun.attach(id, agent=...)`.
`wait(timeout, on_progress=...)` polls with a growing interval (from `poll_interval`
up to `poll_max_interval`) and reports every poll; when the timeout passes the run
goes on on the server, and here the example decides to `cancel()` it.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at an Interactions server). A
real research run takes minutes; this one gives up after WAIT_SECONDS:

    python examples/agent_background_handle.py
"""

from agentloop import Agent, BackgroundProgress, BackgroundRun

POLL_INTERVAL = 10.0
"""Seconds before the first poll; each wait is 1.5 times longer, up to 30 s."""
WAIT_SECONDS = 300.0
"""How long to wait for the report before cancelling the run."""


def report(progress: BackgroundProgress) -> None:
    latest = progress.thoughts[-1] if progress.thoughts else "(no thoughts yet)"
    print(f"{progress.elapsed:7.1f} s  {progress.status}  {latest}")


def main() -> None:
    researcher = Agent(
        agent="deep-research-pro-preview-12-2025",
        background=True,
        poll_interval=POLL_INTERVAL,
        poll_max_interval=30.0,
    )

    run = researcher.start("Research the history of the Google TPUs with a focus on 2025 and 2026.")
    print(f"Started {run.id} ({run.status})")

    # Any process that knows the id can pick the run up again.
    attached = BackgroundRun.attach(run.id, agent=researcher)
    print(f"Re-attached to {attached.id} ({attached.refresh().status})")

    try:
        result = attached.wait(timeout=WAIT_SECONDS, on_progress=report)
    except TimeoutError:
        cancelled = attached.cancel()
        print(f"Not done after {WAIT_SECONDS:g} s; cancelled: {cancelled.status}")
        return
    print("\nFinal Report:\n", result.text)


if __name__ == "__main__":
    main()
