"""The guide's "Chiamata di funzione con stato lato client" (function calling with
client-side state) example, as an Agent.

With `store=False` the agent keeps the history itself. After running the tool it
sends everything again: the request, the model's thought and function call, and
the function result.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at an Interactions server):

    python examples/agent_function_calling_stateless.py
"""

from agentloop import Agent, tool


@tool
def schedule_meeting(attendees: list[str], date: str, time: str, topic: str) -> str:
    """Schedules a meeting with specified attendees at a given time and date.

    Args:
        attendees: The people to invite.
        date: Date of the meeting (e.g., 2024-07-29).
        time: Time of the meeting (e.g., 15:00).
        topic: The subject of the meeting.
    """
    return f"Meeting on {topic!r} scheduled for {date} at {time} with {', '.join(attendees)}."


agent = Agent("gemini-2.5-flash", tools=[schedule_meeting], store=False)


def main() -> None:
    result = agent.run(
        "Schedule a meeting for 2025-11-01 at 10 am with Peter and Amir about the Next Gen API."
    )

    for call in result.tool_calls:
        print(f"Function call: {call.name} with arguments {call.arguments}")
        print(f"Function result: {call.result}")
    print(f"Final response: {result.text}")


if __name__ == "__main__":
    main()
