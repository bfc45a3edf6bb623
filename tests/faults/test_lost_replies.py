"""A request the server carried out but whose reply was lost: nothing runs twice, a
function result is posted twice only in the documented ambiguous case, and every
run ends in a result or a typed error that carries the run's state.

The server counts what it carried out and every `function_result` per `call_id`.
"""

from __future__ import annotations

import pytest

from agentloop import (
    Agent,
    CallAlreadyAnsweredError,
    ReplyLostError,
    RunFinishedEvent,
    RunResult,
)

from .conftest import Counting, make_agent
from .hostile import Fault, HostileServer, Request

pytestmark = pytest.mark.anyio

LOST = {
    "reset_after": Fault("reset_after"),
    # On a JSON create: half the body. On a streaming one: the headers, no event,
    # so the interaction's id never arrives (cut later, a stream resumes instead).
    "cut_body": Fault("close_mid_body"),
    "503_after": Fault("status_after", status=503),
}
CUT_BEFORE_FIRST_EVENT = Fault("cut_sse", offset=0)


def lost(name: str, *, stream: bool) -> Fault:
    return CUT_BEFORE_FIRST_EVENT if stream and name == "cut_body" else LOST[name]


def fault_once(server: HostileServer, fault: Fault, *, answering: bool) -> None:
    """`fault` on the first create that does (or does not) post function results."""
    used = False

    def plan(request: Request) -> Fault | None:
        nonlocal used
        if used or not request.kind.startswith("create"):
            return None
        if bool(request.call_ids) != answering:
            return None
        used = True
        return fault

    server.plan = plan


async def run(agent: Agent[None, str], *, stream: bool) -> RunResult[str]:
    if not stream:
        return await agent.arun("add")
    final = None
    async for event in agent.astream("add"):
        final = event
    assert isinstance(final, RunFinishedEvent)
    return final.result


def assert_each_call_ran_once(server: HostileServer, counting: Counting) -> None:
    calls = [c for c in server.stored.values() if c["_pending"] is not None]
    call_ids = {
        step["id"]
        for interaction in calls
        for step in interaction["steps"]
        if step.get("type") == "function_call"
    }
    assert set(counting.executions) <= call_ids
    assert all(count == 1 for count in counting.executions.values()), counting.executions


@pytest.mark.parametrize("fault", list(LOST), ids=list(LOST))
@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
async def test_lost_reply_to_results_is_reported_with_the_state(
    server: HostileServer, fault: str, stream: bool
) -> None:
    counting = Counting()
    agent, client = make_agent(server, counting)
    fault_once(server, lost(fault, stream=stream), answering=True)
    async with client:
        with pytest.raises(CallAlreadyAnsweredError) as caught:
            await run(agent, stream=stream)

    error = caught.value
    first = server.processed[0]
    answered = sorted(f"{first}_call_{n}" for n in range(2))
    assert sorted(error.call_ids) == answered
    # The state is the run's, as it stood before the ambiguous request.
    assert error.state.previous_interaction_id == first
    assert [r["call_id"] for r in error.state.pending_input] == answered
    assert [c.call_id for c in error.result.tool_calls] == answered
    assert dict(counting.executions) == dict.fromkeys(answered, 1)
    # The documented ambiguous case: posted twice, accepted once.
    assert dict(server.result_posts) == dict.fromkeys(answered, 2)
    assert dict(server.accepted) == dict.fromkeys(answered, 1)


@pytest.mark.parametrize("fault", ["reset_after", "cut_body"])
@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
async def test_lost_reply_is_not_repeated_when_told(
    server: HostileServer, fault: str, stream: bool
) -> None:
    counting = Counting()
    agent, client = make_agent(server, counting, retry_ambiguous=False)
    fault_once(server, lost(fault, stream=stream), answering=True)
    async with client:
        with pytest.raises(ReplyLostError) as caught:
            await run(agent, stream=stream)

    first = server.processed[0]
    answered = sorted(f"{first}_call_{n}" for n in range(2))
    assert caught.value.state.previous_interaction_id == first
    assert len(caught.value.result.tool_calls) == 2
    assert dict(server.result_posts) == dict.fromkeys(answered, 1)
    assert dict(counting.executions) == dict.fromkeys(answered, 1)


async def test_a_run_resumed_after_a_lost_reply_runs_no_tool_again(
    server: HostileServer,
) -> None:
    # What docs/reliability.md shows: resume from the error's state. The results are
    # sent once more (the server may refuse them: the first attempt went through);
    # the tools never run again.
    counting = Counting()
    agent, client = make_agent(server, counting, retry_ambiguous=False)
    fault_once(server, LOST["reset_after"], answering=True)
    async with client:
        with pytest.raises(ReplyLostError) as caught:
            await agent.arun("add")
        with pytest.raises(CallAlreadyAnsweredError) as refused:
            await agent.aresume(caught.value.state)

    first = server.processed[0]
    answered = sorted(f"{first}_call_{n}" for n in range(2))
    assert dict(counting.executions) == dict.fromkeys(answered, 1)
    assert dict(server.accepted) == dict.fromkeys(answered, 1)
    assert sorted(refused.value.call_ids) == answered
    assert refused.value.state is not None


async def test_a_503_is_retried_even_when_told_not_to_repeat(server: HostileServer) -> None:
    # A status says the request was not carried out; a server that lies about it
    # still cannot make the run die of a bare BadRequestError.
    counting = Counting()
    agent, client = make_agent(server, counting, retry_ambiguous=False)
    fault_once(server, LOST["503_after"], answering=True)
    async with client:
        with pytest.raises(CallAlreadyAnsweredError) as caught:
            await agent.arun("add")
    assert caught.value.state is not None
    assert all(count == 2 for count in server.result_posts.values())


@pytest.mark.parametrize("fault", list(LOST), ids=list(LOST))
@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
async def test_lost_reply_to_the_first_create_is_repeated(
    server: HostileServer, fault: str, stream: bool
) -> None:
    counting = Counting()
    agent, client = make_agent(server, counting)
    fault_once(server, lost(fault, stream=stream), answering=False)
    async with client:
        result = await run(agent, stream=stream)

    assert result.text == "sum=2"
    # The first attempt's interaction is an orphan: carried out, never answered.
    assert len(server.processed) == 3
    assert all(count == 1 for count in server.result_posts.values())
    assert sum(counting.executions.values()) == 2
    assert_each_call_ran_once(server, counting)


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
async def test_lost_reply_to_the_first_create_is_reported_when_told(
    server: HostileServer, stream: bool
) -> None:
    counting = Counting()
    agent, client = make_agent(server, counting, retry_ambiguous=False)
    fault_once(server, Fault("reset_after"), answering=False)
    async with client:
        with pytest.raises(ReplyLostError) as caught:
            await run(agent, stream=stream)
    assert caught.value.state.pending_input == "add"
    assert not counting.executions
    assert len(server.processed) == 1


@pytest.mark.parametrize("answering", [False, True])
async def test_stream_cut_after_its_id_resumes_instead_of_posting_again(
    server: HostileServer, answering: bool
) -> None:
    counting = Counting()
    agent, client = make_agent(server, counting)
    # 400 bytes: past `interaction.created` (the id), before the end.
    fault_once(server, Fault("cut_sse", offset=400), answering=answering)
    async with client:
        result = await run(agent, stream=True)
    assert result.text == "sum=2"
    assert len(server.processed) == 2
    assert all(count == 1 for count in server.result_posts.values())
    assert_each_call_ran_once(server, counting)
    kinds = [request.kind for request in server.requests]
    assert kinds.count("get_stream") == 1


@pytest.mark.parametrize("fault", ["reset_before", "stall"])
async def test_resets_before_processing_and_stalls_duplicate_nothing(
    server: HostileServer, fault: str
) -> None:
    counting = Counting()
    agent, client = make_agent(server, counting)
    for _ in range(2):  # the question's create and the results' create
        server.queue(Fault(fault, delay=0.05), kind="create")
    async with client:
        result = await agent.arun("add")
    assert result.text == "sum=2"
    assert all(count == 1 for count in server.result_posts.values())
    assert_each_call_ran_once(server, counting)


async def test_stream_cut_inside_its_first_event_after_the_id_follows_it_from_the_start(
    server: HostileServer,
) -> None:
    counting = Counting()
    agent, client = make_agent(server, counting)
    head = 'event: interaction.created\ndata: {"event_type": "interaction.created", '
    head += '"interaction": {"id": "int_1", "sta'
    fault_once(server, Fault("cut_sse", offset=len(head.encode())), answering=False)
    async with client:
        result = await run(agent, stream=True)
    assert result.text == "sum=2"
    assert len(server.processed) == 2  # not created again
    streamed = [r for r in server.requests if r.kind == "get_stream"]
    assert [(r.path, r.query.get("last_event_id")) for r in streamed] == [
        ("/v1beta/interactions/int_1", None)
    ]
    assert_each_call_ran_once(server, counting)
