"""An agent run that survives a flaky network, and reports the one case it cannot
settle on its own.

Lost connections, 429s and 5xx are retried by the client. A create whose reply was
lost after the server received it is sent again with `retry_ambiguous=True` (the
default); with `False` it raises `ReplyLostError`. If a repeated create is refused
because its first attempt had already answered the tool calls, the run raises
`CallAlreadyAnsweredError`. Both errors carry the run's state, so nothing is lost,
and no tool ever runs twice. See docs/reliability.md.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at an Interactions server):

    python examples/reliability_lost_replies.py
"""

import json

from agentloop import Agent, CallAlreadyAnsweredError, Client, ReplyLostError, RetryPolicy, tool


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


client = Client(
    retry_ambiguous=True,  # repeat a create whose reply was lost (the default)
    retry_policy=RetryPolicy(max_retries=4, total_timeout=120.0),
    timeout=600.0,
)
agent = Agent("gemini-3-flash-preview", tools=[add], client=client)


def main() -> None:
    try:
        result = agent.run("What is 2 + 3? Use the add tool.")
    except (CallAlreadyAnsweredError, ReplyLostError) as exc:
        # The server may hold work this run never heard back about. Keep the state:
        # it records every tool call made (each ran once) and what was being sent.
        saved = json.dumps(exc.state.to_dict())  # persist it with the rest of your data
        print(f"{type(exc).__name__}: {exc.message}")
        print(
            f"saved {len(saved)} bytes of state: continuing "
            f"{exc.state.previous_interaction_id}, {len(exc.result.tool_calls)} tool calls made"
        )
        return
    print(result.text)
    for call in result.tool_calls:
        print(f"  {call.name}({call.arguments}) -> {call.result}")


if __name__ == "__main__":
    main()
