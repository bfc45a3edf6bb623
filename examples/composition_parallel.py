"""Parallel fan-out: three agents research at once, then one summarizer merges them.

`Parallel([...])` is a pipeline step: its agents run concurrently, and the next
step's input lists their answers, labelled by agent name. A branch that fails is
reported in the step's `errors`; the others' results are kept.

Needs GEMINI_API_KEY, or AGENTLOOP_BASE_URL pointing at an Interactions server:

    python examples/composition_parallel.py
"""

from agentloop import Agent, Parallel

oceans = Agent("gemini-2.5-flash", name="oceans", instructions="You study the oceans.")
moon = Agent("gemini-2.5-flash", name="moon", instructions="You study the moon.")
winds = Agent("gemini-2.5-flash", name="winds", instructions="You study the winds.")
summarizer = Agent("gemini-2.5-flash", name="summarizer", instructions="Merge notes.")

pipeline = Parallel([oceans, moon, winds]).then(summarizer, input="Summarize these notes")


def main() -> None:
    result = pipeline.run("How do tides work?")
    fan = result.steps[0]
    print(f"Fan-out: {fan.status}")
    print(f"Branches: {', '.join(fan.labels)}")
    print(f"Summary ({result.steps[-1].status}):")
    print(result.text)


if __name__ == "__main__":
    main()
