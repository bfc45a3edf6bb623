"""History compaction for store=False: past the token budget (from `usage`), older
turns are summarised or dropped at turn boundaries, so over a long conversation no
request ever carries a function call without its result (or the reverse), and a
thought stays with the call it signed."""

from __future__ import annotations

from typing import Any

import pytest

from agentloop import Agent, HistoryLimit, UserError, tool
from agentloop.testing import FunctionModel, InteractionsServer, ModelRequest, Reply

pytestmark = pytest.mark.anyio

TURNS = 50


@tool
def lookup(n: int) -> str:
    """Look a number up.

    Args:
        n: the number.
    """
    return f"fact {n}"


def tokens(request: ModelRequest) -> dict[str, int]:
    """Usage as the server would count it: 10 tokens a step."""
    sent = 10 * len(request.all_steps)
    return {"total_input_tokens": sent, "total_output_tokens": 20, "total_tokens": sent + 20}


SUMMARY_USAGE = {"total_input_tokens": 1000, "total_output_tokens": 7, "total_tokens": 1007}
"""What each summary costs: distinct numbers, to find them in the run's usage."""


def assistant(request: ModelRequest) -> Any:
    if request.body.get("system_instruction") == "summarizer":
        summary = _text(f"summary of {request.user_text.count('User:')} turns")
        return Reply(steps=[summary], usage=SUMMARY_USAGE)
    if request.function_results:
        result = request.function_results[0]["result"]
        return Reply(steps=[_text(f"noted {result}")], usage=tokens(request))
    n = len(request.body.get("input") or [])
    call_id = f"call_{n}_{request.user_text}"
    return Reply(
        steps=[
            {"type": "thought", "signature": f"sig-{call_id}"},
            {"type": "function_call", "id": call_id, "name": "lookup", "arguments": {"n": n}},
        ],
        usage=tokens(request),
    )


def _text(value: str) -> dict[str, Any]:
    return {"type": "model_output", "content": [{"type": "text", "text": value}]}


def check_consistent(steps: list[dict[str, Any]]) -> None:
    """Every call answered after it, every result after its call, every signed
    thought right before the call it belongs to."""
    called: set[str] = set()
    answered: set[str] = set()
    for position, step in enumerate(steps):
        if step["type"] == "function_call":
            called.add(step["id"])
            before = steps[position - 1]
            assert before["type"] == "thought", "a call lost its thought"
            assert before["signature"] == f"sig-{step['id']}"
        elif step["type"] == "function_result":
            assert step["call_id"] in called, f"a result without its call: {step['call_id']}"
            answered.add(step["call_id"])
    assert called == answered, f"dangling calls: {called - answered}"


@pytest.mark.parametrize("summarize", [False, True])
async def test_fifty_turns_keep_call_result_pairs_intact(summarize: bool) -> None:
    model = FunctionModel(assistant)
    client = InteractionsServer(model).client()
    summarizer = Agent("gemini-2.5-flash", instructions="summarizer", client=client)
    limit = HistoryLimit(
        max_tokens=300, keep_last_turns=3, summarizer=summarizer if summarize else None
    )
    agent = Agent(
        "gemini-2.5-flash",
        instructions="assistant",
        tools=[lookup],
        store=False,
        history_limit=limit,
        client=client,
    )
    chat = agent.chat()
    summaries = 0
    for turn in range(TURNS):
        result = await chat.arun(f"t{turn}")
        assert result.text.startswith("noted fact")
        # A turn's usage: its own responses, plus the summaries made for it (each 7).
        own = sum(i.usage.total_output_tokens or 0 for i in result.interactions if i.usage)
        made = result.state.compactions if summarize else 0
        assert result.usage.total_output_tokens == own + 7 * made
        summaries += made
    assert (summaries > 0) is summarize

    sent = [r for r in model.requests if r.body.get("system_instruction") == "assistant"]
    assert len(sent) == 2 * TURNS
    for request in sent:
        check_consistent(request.body["input"])
        assert len(request.body["input"]) <= 40  # bounded (~300 tokens), not 50 turns
    last = sent[-1].body["input"]
    users = [s for s in last if s["type"] == "user_input"]
    if summarize:
        assert users[0]["content"][0]["text"].startswith("Summary of the earlier conversation:")
        assert "summary of" in users[0]["content"][0]["text"]
        summaries = [r for r in model.requests if r.body.get("system_instruction") == "summarizer"]
        assert summaries  # the summarizer ran, through the same server
    else:
        assert [u["content"][0]["text"] for u in users][-1] == f"t{TURNS - 1}"
        assert users[0]["content"][0]["text"] != "t0"  # old turns were dropped
    assert (await chat.ahistory())[-1]["type"] == "model_output"


async def test_no_compaction_under_the_budget() -> None:
    model = FunctionModel(assistant)
    client = InteractionsServer(model).client()
    agent = Agent(
        "gemini-2.5-flash",
        instructions="assistant",
        tools=[lookup],
        store=False,
        history_limit=HistoryLimit(max_tokens=100_000),
        client=client,
    )
    chat = agent.chat()
    for turn in range(4):
        await chat.arun(f"t{turn}")
    assert len(model.requests[-1].body["input"]) == 4 * 5 - 1


def test_history_limit_needs_store_false_and_sane_numbers() -> None:
    with pytest.raises(UserError, match="store=False"):
        Agent("gemini-2.5-flash", history_limit=HistoryLimit(max_tokens=10))
    with pytest.raises(UserError, match="keep_last_turns"):
        HistoryLimit(max_tokens=10, keep_last_turns=0)
    with pytest.raises(UserError, match="must be an Agent"):
        HistoryLimit(max_tokens=10, summarizer="small")
