"""The guide's "Best practice" on mixing interactions, as Agents: the Deep Research
agent gathers the material, then a Gemini model summarizes it.

`research.then(summarizer, input=...)` builds a `Pipeline`. It runs the research
agent in the background until its report is done, then runs the summarizer with
`previous_interaction_id` set to the research interaction: the model reads the
report from the server's state, so it is not sent again (and the cached history
makes the follow-up cheaper). Any mix of agent and model steps works the same way,
and `Pipeline([step, ...])` takes more than two.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at an Interactions server). A
real research run takes minutes:

    python examples/agent_research_then_summarize.py
"""

from agentloop import Agent, RunError

POLL_INTERVAL = 10.0
"""Seconds before the first poll of the research; the wait grows from there to 30 s."""


def main() -> None:
    research = Agent(
        agent="deep-research-pro-preview-12-2025",
        background=True,
        poll_interval=POLL_INTERVAL,
    )
    summarizer = Agent("gemini-2.5-flash")
    pipeline = research.then(summarizer, input="Summarize the report in 5 bullets.")

    try:
        result = pipeline.run(
            "Research the history of the Google TPUs with a focus on 2025 and 2026."
        )
    except RunError as exc:  # failed or cancelled; exc.result holds that step's run
        print(f"Stopped with status: {exc.result.status}")
        return

    report, summary = result.steps
    print(f"Research: {report.interaction_id} ({len(report.text)} characters of report)")
    print(f"Summary: {summary.interaction_id}, continuing {report.interaction_id}\n")
    print(result.text)


if __name__ == "__main__":
    main()
