"""Usage limits: each trips at its moment (requests before the request, tool calls
before the round, tokens after the response), with a state that resumes under a
higher limit without redoing anything; a sub-agent counts against its parent's."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from compose_helpers import Agents, call, text

from agentloop import (
    Agent,
    InteractionFailedError,
    MemorySessions,
    RunState,
    ToolContext,
    UsageLimitExceeded,
    UsageLimits,
    UserError,
    tool,
)
from agentloop.testing import InteractionsServer, ModelRequest, Reply

pytestmark = pytest.mark.anyio


class Counted:
    def __init__(self) -> None:
        self.runs: Counter[str] = Counter()

        @tool
        def lookup(key: str, ctx: ToolContext) -> str:
            """Look a key up.

            Args:
                key: the key.
            """
            self.runs[ctx.call_id] += 1
            return f"value of {key}"

        self.lookup = lookup


def results(request: ModelRequest) -> Any:
    return text("done: " + ", ".join(str(r["result"]) for r in request.function_results))


def usage(total_in: int, total_out: int) -> dict[str, int]:
    return {
        "total_input_tokens": total_in,
        "total_output_tokens": total_out,
        "total_tokens": total_in + total_out,
    }


def make(agents: Agents, tools: Counted, limits: UsageLimits, client: Any) -> Agent[Any, Any]:
    return Agent(
        "gemini-2.5-flash",
        instructions="main",
        tools=[tools.lookup],
        usage_limits=limits,
        client=client,
    )


async def test_requests_limit_trips_before_the_request_and_resumes() -> None:
    agents = Agents(
        {"main": [[call("c1", "lookup", key="a")], [call("c2", "lookup", key="b")], results]}
    )
    tools = Counted()
    client = InteractionsServer(agents.model).client()
    agent = make(agents, tools, UsageLimits(requests=2), client)
    with pytest.raises(UsageLimitExceeded) as caught:
        await agent.arun("go")
    error = caught.value
    assert (error.limit, error.value, error.maximum) == ("requests", 3, 2)
    assert len(agents.order) == 2  # the third request was never sent
    assert tools.runs == {"c1": 1, "c2": 1}
    assert len(error.result.interactions) == 2
    assert error.state is not None

    roomier = make(agents, tools, UsageLimits(requests=5), client)
    result = await roomier.aresume(RunState.from_json(error.state.to_json()))
    assert result.text == "done: value of b"
    assert tools.runs == {"c1": 1, "c2": 1}  # nothing ran twice
    assert agents.left() == {}


async def test_tool_calls_limit_trips_before_the_round_runs() -> None:
    round_of_two = [call("c1", "lookup", key="a"), call("c2", "lookup", key="b")]
    agents = Agents({"main": [round_of_two, results]})
    tools = Counted()
    client = InteractionsServer(agents.model).client()
    with pytest.raises(UsageLimitExceeded) as caught:
        await make(agents, tools, UsageLimits(tool_calls=1), client).arun("go")
    assert caught.value.limit == "tool_calls"
    assert tools.runs == {}
    assert caught.value.state is not None
    result = await make(agents, tools, UsageLimits(tool_calls=2), client).aresume(
        caught.value.state
    )
    assert result.text == "done: value of a, value of b"
    assert tools.runs == {"c1": 1, "c2": 1}


@pytest.mark.parametrize(
    ("limit", "options"),
    [
        ("input_tokens", {"input_tokens": 100}),
        ("output_tokens", {"output_tokens": 40}),
        ("total_tokens", {"total_tokens": 150}),
    ],
)
async def test_token_limits_trip_after_the_response_that_passed_them(
    limit: str, options: dict[str, int]
) -> None:
    agents = Agents(
        {
            "main": [
                Reply(steps=[call("c1", "lookup", key="a")], usage=usage(120, 50)),
                Reply(steps=text("final"), usage=usage(300, 80)),
            ]
        }
    )
    tools = Counted()
    client = InteractionsServer(agents.model).client()
    with pytest.raises(UsageLimitExceeded) as caught:
        await make(agents, tools, UsageLimits(**options), client).arun("go")
    assert caught.value.limit == limit
    assert tools.runs == {}  # the response's tools did not run
    assert caught.value.result.usage.total_tokens == 170
    assert caught.value.state is not None
    result = await make(agents, tools, UsageLimits(), client).aresume(caught.value.state)
    assert result.text == "final"
    assert tools.runs == {"c1": 1}


async def test_a_final_answer_past_a_token_limit_is_returned() -> None:
    agents = Agents({"main": [Reply(steps=text("all of it"), usage=usage(500, 500))]})
    client = InteractionsServer(agents.model).client()
    result = await make(agents, Counted(), UsageLimits(total_tokens=10), client).arun("go")
    assert result.text == "all of it"  # spent already; nothing more will be


async def test_a_sub_agent_counts_against_its_parent_and_resumes_with_it() -> None:
    agents = Agents(
        {
            "writer": [
                [call("w1", "helper", input="look up a")],
                lambda r: text("writer: " + r.function_results[0]["result"]),
            ],
            "helper": [[call("h1", "lookup", key="a")], results],
        }
    )
    tools = Counted()
    client = InteractionsServer(agents.model).client()
    helper = Agent(
        "gemini-2.5-flash",
        instructions="helper",
        name="helper",
        tools=[tools.lookup],
        client=client,
    )

    def writer(limit: int) -> Agent[Any, Any]:
        return Agent(
            "gemini-2.5-flash",
            instructions="writer",
            tools=[helper.as_tool(description="Helps")],
            usage_limits=UsageLimits(requests=limit),
            client=client,
        )

    with pytest.raises(UsageLimitExceeded) as caught:
        await writer(2).arun("go")
    # writer 1 request + helper 1 request: the helper's second would be the third.
    assert agents.order == ["writer", "helper"]
    assert tools.runs == {"h1": 1}
    assert caught.value.state is not None
    result = await writer(10).aresume(RunState.from_json(caught.value.state.to_json()))
    assert result.text == "writer: done: value of a"
    assert agents.order == ["writer", "helper", "helper", "writer"]
    assert tools.runs == {"h1": 1}  # the helper resumed; it did not start over


def test_limits_must_be_counts() -> None:
    with pytest.raises(UserError, match="requests"):
        UsageLimits(requests=-1)
    with pytest.raises(UserError, match="total_tokens"):
        UsageLimits(total_tokens=1.5)  # type: ignore[arg-type]
    with pytest.raises(UserError, match="UsageLimits"):
        Agent("gemini-2.5-flash", usage_limits={"requests": 3})  # type: ignore[arg-type]


async def test_a_chat_limit_caps_the_whole_conversation() -> None:
    agents = Agents({"main": [[call("c1", "lookup", key="a")], results, text("second answer")]})
    tools = Counted()
    agent = Agent(
        "gemini-2.5-flash",
        instructions="main",
        tools=[tools.lookup],
        client=InteractionsServer(agents.model).client(),
    )
    chat = agent.chat(usage_limits=UsageLimits(requests=3))
    assert (await chat.arun("look a up")).text == "done: value of a"  # two requests
    assert (await chat.arun("and then?")).text == "second answer"  # the third
    assert (chat.requests, chat.tool_calls) == (3, 1)
    with pytest.raises(UsageLimitExceeded, match="the chat's usage limit requests=3") as caught:
        await chat.arun("one more?")
    assert (caught.value.limit, caught.value.value, caught.value.maximum) == ("requests", 4, 3)
    assert len(agents.order) == 3  # never sent


async def test_a_chat_token_budget_holds_across_a_restart_and_counts_failed_turns() -> None:
    agents = Agents(
        {
            "main": [
                Reply(steps=text("hello"), usage=usage(30, 10)),
                Reply(steps=[call("c1", "lookup", key="a")], usage=usage(20, 5)),
                Reply(
                    status="failed",
                    steps=[],
                    usage=usage(10, 0),
                    errors=[{"message": "the model gave up"}],
                ),
            ]
        }
    )
    tools = Counted()
    client = InteractionsServer(agents.model).client()
    agent = Agent("gemini-2.5-flash", instructions="main", tools=[tools.lookup], client=client)
    sessions = MemorySessions()
    budget = UsageLimits(total_tokens=70)
    chat = agent.chat(session_id="s1", sessions=sessions, usage_limits=budget)
    assert (await chat.arun("hi")).text == "hello"
    assert chat.usage.total_tokens == 40
    with pytest.raises(InteractionFailedError):
        await chat.arun("look a up")  # a tool round, then the model fails
    assert (chat.requests, chat.tool_calls, chat.usage.total_tokens) == (3, 1, 75)

    reopened = agent.chat(session_id="s1", sessions=sessions, usage_limits=budget)
    with pytest.raises(UsageLimitExceeded, match="the chat's usage limit total_tokens=70"):
        await reopened.arun("anything else?")  # over budget: not sent
    assert len(agents.order) == 3
    assert agents.left() == {}


async def test_a_chat_limit_counts_a_paused_turn_once() -> None:
    agents = Agents({"main": [[call("c1", "guarded", key="a")], results, text("next")]})

    @tool(requires_approval=True)
    def guarded(key: str) -> str:
        """Needs a person's yes.

        Args:
            key: the key.
        """
        return f"guarded {key}"

    agent = Agent(
        "gemini-2.5-flash",
        instructions="main",
        tools=[guarded],
        client=InteractionsServer(agents.model).client(),
    )
    chat = agent.chat(usage_limits=UsageLimits(requests=3))
    assert (await chat.arun("go")).status == "awaiting_approval"
    assert chat.requests == 0  # a paused turn counts when it ends
    assert (await chat.aresume(approve=["c1"])).text == "done: guarded a"
    assert chat.requests == 2
    assert (await chat.arun("and?")).text == "next"
    assert chat.requests == 3


async def test_a_sub_agents_spending_counts_against_the_chat() -> None:
    agents = Agents(
        {
            "writer": [[call("w1", "helper", input="look up a")], text("never asked")],
            "helper": [[call("h1", "lookup", key="a")], results],
        }
    )
    tools = Counted()
    client = InteractionsServer(agents.model).client()
    helper = Agent(
        "gemini-2.5-flash",
        instructions="helper",
        name="helper",
        tools=[tools.lookup],
        client=client,
    )
    writer = Agent(
        "gemini-2.5-flash",
        instructions="writer",
        tools=[helper.as_tool(description="Helps")],
        client=client,
    )
    chat = writer.chat(usage_limits=UsageLimits(requests=3))
    with pytest.raises(UsageLimitExceeded, match="the chat's usage limit requests=3"):
        await chat.arun("write")
    # The writer's first request and the helper's two: the writer's second is refused.
    assert agents.order == ["writer", "helper", "helper"]
    assert chat.requests == 3
