"""Usage limits and guardrails: hard caps on a run, and checks on what goes in and out.

`UsageLimits(requests=1)` stops the run before its second request with
`UsageLimitExceeded`; its `.state` resumes the run under a higher limit, nothing
done twice. A chat's `usage_limits=` caps the whole conversation instead: every
turn counts. A guardrail is a function that returns a reason to stop the run (or
None); an input guardrail runs before the first request, so a tripped one costs
nothing.

Needs GEMINI_API_KEY, or AGENTLOOP_BASE_URL pointing at an Interactions server:

    python examples/composition_limits_guardrails.py
"""

from agentloop import Agent, GuardrailTripped, UsageLimitExceeded, UsageLimits, tool


@tool
def get_weather(city: str) -> str:
    """Get the weather of a city.

    Args:
        city: the city.
    """
    return f"sunny in {city}"


def no_email(text: object) -> str | None:
    """Refuse input that holds an email address."""
    return "the message holds an email address" if "@" in str(text) else None


def agent_with(limits: UsageLimits) -> Agent:
    return Agent(
        "gemini-2.5-flash",
        tools=[get_weather],
        usage_limits=limits,
        input_guardrails=[no_email],
    )


def main() -> None:
    try:
        agent_with(UsageLimits(requests=1)).run("What is the weather in Paris?")
    except UsageLimitExceeded as error:
        print(f"Stopped: {error.limit} limit {error.maximum} reached")
        result = agent_with(UsageLimits(requests=5)).resume(error.state)
        print(f"Resumed: {result.status}: {result.text}")
    chat = agent_with(UsageLimits()).chat(usage_limits=UsageLimits(requests=4))
    try:
        for question in ("Weather in Paris?", "And in Rome?", "And in Oslo?"):
            chat.run(question)  # two requests each: a tool round, then the answer
    except UsageLimitExceeded as error:
        print(f"Chat budget spent after {chat.requests} requests: {error.limit}")
    try:
        agent_with(UsageLimits()).run("Mail the forecast to ada@example.com")
    except GuardrailTripped as error:
        print(f"Guardrail {error.guardrail} tripped: {error.reason}")


if __name__ == "__main__":
    main()
