"""The agent loop over respx: multi-turn scenarios built from the wire fixtures.

Two pure private pieces are tested here directly: the sync bridge (`run_sync`, behind
`Agent.run`) for its loop-thread and Ctrl-C rules, and the run state with the pure
steps that durable runners will persist between (no public path yet).
"""

from __future__ import annotations

import json
import signal
import threading
import time
from typing import Any

import anyio
import httpx
import pytest
import respx
from conftest import API_KEY, BASE, load_bytes, load_json, sse_headers
from pydantic import BaseModel

from agentloop import (
    Agent,
    AsyncClient,
    GoogleSearch,
    Interaction,
    InteractionFailedError,
    MaxTurnsExceeded,
    OutputValidationError,
    RunCancelledError,
    ToolContext,
    ToolExecutionError,
    UserError,
    tool,
)
from agentloop._run.state import RunState
from agentloop._run.steps import after_interaction, after_tools, build_request
from agentloop._sync import run_sync
from agentloop._tools.dispatch import dispatch_calls

pytestmark = pytest.mark.anyio


def interaction(
    id: str,
    status: str = "completed",
    *,
    steps: list[Any] | None = None,
    text: str | None = None,
    usage: dict[str, int] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    steps = list(steps or [])
    if text is not None:
        steps.append({"type": "model_output", "content": [{"type": "text", "text": text}]})
    body = {"id": id, "status": status, "steps": steps, **fields}
    if usage is not None:
        body["usage"] = usage
    return body


def calls(*items: tuple[str, str, dict[str, Any]], signature: str = "sig") -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = [{"type": "thought", "signature": signature}]
    for call_id, name, arguments in items:
        steps.append({"type": "function_call", "id": call_id, "name": name, "arguments": arguments})
    return steps


def as_sse(body: dict[str, Any]) -> bytes:
    """An interaction as the event stream a server would send for it."""
    head = {k: v for k, v in body.items() if k not in ("steps", "usage")}
    events: list[dict[str, Any]] = [
        {"event_type": "interaction.created", "interaction": {**head, "status": "in_progress"}}
    ]
    for index, step in enumerate(body.get("steps", [])):
        events.append({"event_type": "step.start", "index": index, "step": step})
        events.append({"event_type": "step.stop", "index": index})
    events.append(
        {
            "event_type": "interaction.completed",
            "interaction": {**head, "usage": body.get("usage", {})},
        }
    )
    return b"".join(
        f"data: {json.dumps({**event, 'event_id': f'e{n}'})}\n\n".encode()
        for n, event in enumerate(events)
    )


class Script:
    """Answers each POST /interactions with the next scripted body; records what was sent."""

    def __init__(self, router: respx.MockRouter, *replies: dict[str, Any] | bytes) -> None:
        self.replies = list(replies)
        self.route = router.post("/interactions").mock(side_effect=self._reply)
        self.bodies: list[dict[str, Any]] = []

    def _reply(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(request.content))
        assert self.replies, f"unexpected extra request: {self.bodies[-1]}"
        reply = self.replies.pop(0)
        if isinstance(reply, dict) and self.bodies[-1].get("stream"):
            reply = as_sse(reply)
        if isinstance(reply, bytes):
            return httpx.Response(200, headers=sse_headers(), content=reply)
        return httpx.Response(200, json=reply)

    def done(self) -> None:
        assert not self.replies, "scripted replies left unconsumed"


@pytest.fixture
def api() -> respx.MockRouter:
    with respx.mock(using="httpx", base_url=BASE, assert_all_called=False) as router:
        yield router


def make_agent(**options: Any) -> Agent:
    options.setdefault("model", "gemini-3-flash-preview")
    return Agent(client=AsyncClient(api_key=API_KEY), **options)


@tool
def get_weather(city: str, unit: str = "c") -> dict[str, Any]:
    """Current weather for a city.

    Args:
        city: The city.
        unit: c or f.
    """
    return {"city": city, "temp_c": 18 if city == "Paris" else 27}


# ---- basic runs ----------------------------------------------------------------------


async def test_single_text_answer(api: respx.MockRouter) -> None:
    script = Script(api, load_json("response_completed_text.json"))
    result = await make_agent(instructions="You are terse.").arun("Capital of France?")
    assert result.output == result.text == "Paris is the capital of France."
    assert result.status == "completed"
    assert result.interaction_id == "int_7f3c2a9e01"
    assert result.usage.total_tokens == 81
    assert script.bodies == [
        {
            "model": "gemini-3-flash-preview",
            "system_instruction": "You are terse.",
            "input": "Capital of France?",
        }
    ]
    script.done()


async def test_parallel_calls_in_one_round(api: respx.MockRouter) -> None:
    script = Script(
        api,
        load_json("response_requires_action_parallel_calls.json"),
        load_json("response_completed_text.json"),
    )
    result = await make_agent(tools=[get_weather]).arun("Weather in Paris and Tokyo?")
    followup = script.bodies[1]
    assert followup["previous_interaction_id"] == "int_a1b2c3d4e5"
    assert followup["model"] == "gemini-3-flash-preview"
    assert followup["tools"] == [get_weather.to_wire()]
    assert followup["input"] == [
        {
            "type": "function_result",
            "call_id": "call_01",
            "name": "get_weather",
            "result": {"city": "Paris", "temp_c": 18},
        },
        {
            "type": "function_result",
            "call_id": "call_02",
            "name": "get_weather",
            "result": {"city": "Tokyo", "temp_c": 27},
        },
    ]
    assert [(c.call_id, c.is_error) for c in result.tool_calls] == [
        ("call_01", False),
        ("call_02", False),
    ]
    assert result.usage.total_tokens == 570 + 81
    assert len(result.interactions) == 2
    script.done()


async def test_three_chained_rounds(api: respx.MockRouter) -> None:
    script = Script(
        api,
        interaction("i1", "requires_action", steps=calls(("a", "get_weather", {"city": "Paris"}))),
        interaction("i2", "requires_action", steps=calls(("b", "get_weather", {"city": "Rome"}))),
        interaction("i3", "requires_action", steps=calls(("c", "get_weather", {"city": "Oslo"}))),
        interaction("i4", text="All done."),
    )
    result = await make_agent(tools=[get_weather]).arun("Tour")
    assert [b.get("previous_interaction_id") for b in script.bodies] == [None, "i1", "i2", "i3"]
    assert [c.arguments["city"] for c in result.tool_calls] == ["Paris", "Rome", "Oslo"]
    assert result.text == "All done."
    script.done()


async def test_tool_errors_reach_the_model(api: respx.MockRouter) -> None:
    script = Script(
        api,
        interaction(
            "i1", "requires_action", steps=calls(("a", "nope", {}), ("b", "get_weather", {}))
        ),
        interaction("i2", text="Sorry."),
    )
    result = await make_agent(tools=[get_weather]).arun("x")
    sent = script.bodies[1]["input"]
    assert sent[0]["is_error"] is True
    assert "Unknown tool 'nope'" in sent[0]["result"]
    assert "city: Field required" in sent[1]["result"]
    assert all(call.is_error for call in result.tool_calls)


async def test_tool_errors_raise_when_asked(api: respx.MockRouter) -> None:
    @tool
    def boom() -> str:
        """Fails."""
        raise RuntimeError("kaput")

    Script(api, interaction("i1", "requires_action", steps=calls(("a", "boom", {}))))
    with pytest.raises(ToolExecutionError, match="kaput"):
        await make_agent(tools=[boom], tool_errors="raise").arun("x")


async def test_deps_and_context_reach_the_tool(api: respx.MockRouter) -> None:
    seen: list[tuple[str, str | None, str | None, Any]] = []

    @tool
    def lookup(key: str, ctx: ToolContext[dict[str, str]]) -> str:
        """Looks up a key."""
        seen.append((ctx.call_id, ctx.interaction_id, ctx.agent_name, ctx.deps[key]))
        return ctx.deps[key]

    Script(
        api,
        interaction(
            "i1",
            "requires_action",
            steps=calls(("a", "lookup", {"key": "k"})),
            usage={"total_tokens": 5},
        ),
        interaction("i2", text="v"),
    )
    await make_agent(tools=[lookup], name="librarian").arun("x", deps={"k": "v"})
    assert seen == [("a", "i1", "librarian", "v")]


# ---- client-side state -------------------------------------------------------------


async def test_store_false_sends_the_full_history_with_thought_signatures(
    api: respx.MockRouter,
) -> None:
    script = Script(
        api,
        interaction(
            "i1",
            "requires_action",
            steps=calls(("a", "get_weather", {"city": "Paris"}), signature="SIG1"),
        ),
        interaction("i2", steps=[{"type": "thought", "signature": "SIG2"}], text="18 degrees."),
    )
    result = await make_agent(tools=[get_weather], store=False).arun("Weather in Paris?")
    first, second = script.bodies
    user = {"type": "user_input", "content": [{"type": "text", "text": "Weather in Paris?"}]}
    assert first["store"] is False
    assert first["input"] == [user]
    assert "previous_interaction_id" not in second
    assert second["input"] == [
        user,
        {"type": "thought", "signature": "SIG1"},
        {"type": "function_call", "id": "a", "name": "get_weather", "arguments": {"city": "Paris"}},
        {
            "type": "function_result",
            "call_id": "a",
            "name": "get_weather",
            "result": {"city": "Paris", "temp_c": 18},
        },
    ]
    assert result.text == "18 degrees."


async def test_chat_store_false_carries_history(api: respx.MockRouter) -> None:
    script = Script(api, interaction("i1", text="Hi Phil."), interaction("i2", text="Phil."))
    chat = make_agent(store=False).chat()
    await chat.arun("Hi, my name is Phil.")
    result = await chat.arun("What is my name?")
    assert script.bodies[1]["input"] == [
        {"type": "user_input", "content": [{"type": "text", "text": "Hi, my name is Phil."}]},
        {"type": "model_output", "content": [{"type": "text", "text": "Hi Phil."}]},
        {"type": "user_input", "content": [{"type": "text", "text": "What is my name?"}]},
    ]
    assert result.text == "Phil."
    assert len(chat.results) == 2


async def test_chat_store_true_chains_previous_interaction_id(api: respx.MockRouter) -> None:
    script = Script(api, interaction("i1", text="Hi Phil."), interaction("i2", text="Phil."))
    chat = make_agent().chat()
    await chat.arun("Hi, my name is Phil.")
    await chat.arun("What is my name?")
    assert script.bodies[1] == {
        "model": "gemini-3-flash-preview",
        "previous_interaction_id": "i1",
        "input": "What is my name?",
    }
    assert chat.previous_interaction_id == "i2"


# ---- structured output ---------------------------------------------------------------


class Place(BaseModel):
    city: str
    country: str


async def test_structured_output_is_parsed(api: respx.MockRouter) -> None:
    script = Script(api, load_json("response_structured_output.json"))
    result = await make_agent(response_format=Place).arun("Lyon?")
    assert result.output == Place(city="Lyon", country="France")
    assert (
        script.bodies[0]["response_format"]
        == load_json("request_structured_output.json")["response_format"]
    )


async def test_structured_output_with_tools_and_builtins(api: respx.MockRouter) -> None:
    script = Script(
        api, interaction("i1", text='```json\n{"city": "Rome", "country": "Italy"}\n```')
    )
    result = await make_agent(response_format=Place, tools=[get_weather, GoogleSearch()]).arun("x")
    assert result.output == Place(city="Rome", country="Italy")
    assert [t["type"] for t in script.bodies[0]["tools"]] == ["function", "google_search"]


async def test_invalid_structured_output_is_retried_once_with_the_errors(
    api: respx.MockRouter,
) -> None:
    script = Script(
        api,
        interaction("i1", text='{"city": "Lyon"}'),
        interaction("i2", text='{"city": "Lyon", "country": "France"}'),
    )
    result = await make_agent(response_format=Place).arun("x")
    assert result.output == Place(city="Lyon", country="France")
    retry = script.bodies[1]
    assert retry["previous_interaction_id"] == "i1"
    assert "country: Field required" in retry["input"]


async def test_still_invalid_structured_output_raises_with_the_raw_text(
    api: respx.MockRouter,
) -> None:
    Script(api, interaction("i1", text="not json"), interaction("i2", text="{}"))
    with pytest.raises(OutputValidationError) as caught:
        await make_agent(response_format=Place).arun("x")
    assert caught.value.raw_text == "{}"
    assert len(caught.value.result.interactions) == 2


# ---- terminal statuses ----------------------------------------------------------------


async def test_failed_raises_with_the_servers_errors_and_the_partial_run(
    api: respx.MockRouter,
) -> None:
    Script(
        api,
        interaction("i1", "requires_action", steps=calls(("a", "get_weather", {"city": "Paris"}))),
        interaction("i2", "failed", errors=[{"code": "internal", "message": "model crashed"}]),
    )
    with pytest.raises(InteractionFailedError, match="model crashed") as caught:
        await make_agent(tools=[get_weather]).arun("x")
    assert caught.value.errors == [{"code": "internal", "message": "model crashed"}]
    assert len(caught.value.result.tool_calls) == 1


async def test_cancelled_raises(api: respx.MockRouter) -> None:
    Script(api, interaction("i1", "cancelled"))
    with pytest.raises(RunCancelledError):
        await make_agent().arun("x")


@pytest.mark.parametrize("status", ["incomplete", "budget_exceeded"])
async def test_incomplete_returns_a_result_that_says_so(api: respx.MockRouter, status: str) -> None:
    Script(api, interaction("i1", status, text="Once upon a"))
    result = await make_agent().arun("story")
    assert (result.status, result.text) == (status, "Once upon a")


async def test_max_turns_raises_with_the_partial_run(api: respx.MockRouter) -> None:
    script = Script(
        api,
        interaction("i1", "requires_action", steps=calls(("a", "get_weather", {"city": "Paris"}))),
        interaction("i2", "requires_action", steps=calls(("b", "get_weather", {"city": "Rome"}))),
    )
    with pytest.raises(MaxTurnsExceeded, match="max_turns=1") as caught:
        await make_agent(tools=[get_weather], max_turns=1).arun("x")
    assert len(script.bodies) == 2  # at most max_turns + 1 requests
    assert [c.call_id for c in caught.value.result.tool_calls] == ["a"]


async def test_max_turns_final_answer(api: respx.MockRouter) -> None:
    script = Script(
        api,
        interaction("i1", "requires_action", steps=calls(("a", "get_weather", {"city": "Paris"}))),
        interaction("i2", text="It is 18 degrees."),
    )
    result = await make_agent(tools=[get_weather], max_turns=0, on_max_turns="final_answer").arun(
        "x"
    )
    final = script.bodies[1]
    assert final["generation_config"] == {"tool_choice": "none"}
    assert final["input"][0]["type"] == "function_result"
    assert final["input"][-1]["type"] == "user_input"
    assert result.text == "It is 18 degrees."


async def test_continuation_hops_are_merged(api: respx.MockRouter) -> None:
    script = Script(
        api,
        interaction(
            "h1",
            "requires_continuation",
            text="First half, ",
            continuation_token="tok1",
            usage={"total_tokens": 10},
        ),
        interaction("h2", text="second half.", usage={"total_tokens": 7}),
    )
    result = await make_agent().arun("long")
    assert script.bodies[1] == {
        "model": "gemini-3-flash-preview",
        "previous_interaction_id": "h1",
        "continuation_token": "tok1",
    }
    assert result.text == "First half, second half."
    assert result.usage.total_tokens == 17


async def test_continuation_without_store_resends_the_body(api: respx.MockRouter) -> None:
    script = Script(
        api,
        interaction("h1", "requires_continuation", text="A", continuation_token="tok"),
        interaction("h2", text="B"),
        interaction("h3", text="C"),
    )
    chat = make_agent(store=False).chat()
    first = await chat.arun("go")
    assert first.text == "AB"
    assert script.bodies[1]["input"] == script.bodies[0]["input"]
    assert script.bodies[1]["continuation_token"] == "tok"
    await chat.arun("more")
    history = script.bodies[2]["input"]
    assert [step["type"] for step in history] == [
        "user_input",
        "model_output",
        "model_output",
        "user_input",
    ]


async def test_unknown_steps_mid_run_are_carried_along(api: respx.MockRouter) -> None:
    steps = [
        {"type": "hologram_call", "id": "h", "x": 1},
        *calls(("a", "get_weather", {"city": "Oslo"})),
    ]
    script = Script(
        api,
        interaction("i1", "requires_action", steps=steps),
        interaction("i2", text="Cold."),
    )
    result = await make_agent(tools=[get_weather], store=False).arun("x")
    assert {"type": "hologram_call", "id": "h", "x": 1} in script.bodies[1]["input"]
    assert result.text == "Cold."


async def test_requires_action_without_calls_is_a_failure(api: respx.MockRouter) -> None:
    Script(api, interaction("i1", "requires_action"))
    with pytest.raises(InteractionFailedError, match="no function call"):
        await make_agent().arun("x")


async def test_background_interactions_are_polled_to_the_end(api: respx.MockRouter) -> None:
    Script(api, load_json("response_background_deep_research_in_progress.json"))
    polls = api.get("/interactions/int_dr_5e6f7a8b9c").mock(
        side_effect=[
            httpx.Response(
                200, json=load_json("response_background_deep_research_in_progress.json")
            ),
            httpx.Response(200, json=load_json("response_background_deep_research_completed.json")),
        ]
    )
    agent = Agent(
        agent="deep-research-pro-preview-12-2025",
        background=True,
        poll_interval=0.001,
        client=AsyncClient(api_key=API_KEY),
    )
    result = await agent.arun("Research TPUs")
    assert result.text.startswith("# TPU milestones")
    assert polls.call_count == 2


# ---- streaming ------------------------------------------------------------------------


async def test_streaming_with_tools_event_order(api: respx.MockRouter) -> None:
    Script(api, load_bytes("sse_function_call_stream.txt"), load_bytes("sse_text_stream.txt"))
    events = [e async for e in make_agent(tools=[get_weather]).astream("Weather?")]
    kinds = [e.type for e in events]
    assert kinds == [
        "interaction_finished",
        "tool_call_started",
        "tool_call_started",
        "tool_call_finished",
        "tool_call_finished",
        "thought_delta",
        "text_delta",
        "text_delta",
        "interaction_finished",
        "run_finished",
    ]
    assert (
        "".join(e.text for e in events if e.type == "text_delta")
        == "Paris is the capital of France."
    )
    assert events[-1].result.tool_calls[0].arguments == {"city": "Paris", "unit": "c"}


async def test_closing_the_stream_early_stops_the_run(api: respx.MockRouter) -> None:
    ran = []

    @tool
    def record() -> str:
        """Records that it ran."""
        ran.append(1)
        return "ran"

    script = Script(api, interaction("i1", "requires_action", steps=calls(("a", "record", {}))))
    stream = make_agent(tools=[record]).astream("x")
    async for event in stream:
        if event.type == "tool_call_started":
            break
    await stream.aclose()  # type: ignore[attr-defined]
    assert ran == []
    assert len(script.bodies) == 1


async def test_cancelling_a_run_cancels_its_running_tools(api: respx.MockRouter) -> None:
    started = anyio.Event()
    cancelled = anyio.Event()

    @tool
    async def slow() -> str:
        """Takes a while."""
        started.set()
        try:
            await anyio.sleep(10)
        finally:
            cancelled.set()
        return "late"

    Script(api, interaction("i1", "requires_action", steps=calls(("a", "slow", {}))))
    with anyio.move_on_after(0.2) as scope:
        await make_agent(tools=[slow]).arun("x")
    assert scope.cancelled_caught
    assert started.is_set()
    assert cancelled.is_set()


def test_sync_stream_and_run(api: respx.MockRouter) -> None:
    Script(api, load_bytes("sse_text_stream.txt"), load_json("response_completed_text.json"))
    agent = make_agent()
    with agent.stream("x") as events:  # type: ignore[attr-defined]
        texts = [e.text for e in events if e.type == "text_delta"]
    assert texts == ["Paris is the capital ", "of France."]
    assert agent.run("x").text == "Paris is the capital of France."


# ---- sync bridging and config ---------------------------------------------------------


async def test_run_inside_an_event_loop_points_to_arun() -> None:
    with pytest.raises(UserError, match=r"await agent\.arun"):
        make_agent().run("x")


def test_run_from_a_thread_while_another_loop_runs(api: respx.MockRouter) -> None:
    Script(api, load_json("response_completed_text.json"))
    results: list[str] = []

    async def main() -> None:
        def worker() -> None:
            results.append(make_agent().run("x").text)

        thread = threading.Thread(target=worker)
        thread.start()
        await anyio.to_thread.run_sync(thread.join)

    anyio.run(main)
    assert results == ["Paris is the capital of France."]


def test_a_blocking_call_on_the_loop_thread_is_refused() -> None:
    async def inner() -> int:
        return 1

    async def outer() -> int:
        return run_sync(inner)  # would wait for itself forever

    with pytest.raises(UserError, match="loop thread"):
        run_sync(outer)


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs POSIX signals")
def test_interrupting_a_blocking_call_cancels_its_work() -> None:
    started, cancelled = threading.Event(), threading.Event()

    async def slow() -> None:
        started.set()
        try:
            await anyio.sleep(30)
        except anyio.get_cancelled_exc_class():
            cancelled.set()
            raise

    def interrupt_once_started() -> None:
        started.wait(5)
        time.sleep(0.05)  # let the main thread get from scheduling the work to waiting on it
        # What Ctrl-C does: a real SIGINT to the main thread, blocked in the wait.
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)

    threading.Thread(target=interrupt_once_started).start()
    with pytest.raises(KeyboardInterrupt):
        run_sync(slow)
    assert cancelled.wait(5)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"model": None}, "exactly one"),
        ({"agent": "deep-research"}, "exactly one"),
        ({"store": False, "background": True}, "background"),
        ({"max_turns": -1}, "max_turns"),
        ({"on_max_turns": "ignore"}, "on_max_turns"),
        (
            {"tools": [GoogleSearch(), {"type": "mcp_server", "name": "m", "url": "https://x"}]},
            "MCP",
        ),
    ],
)
def test_bad_agent_config_is_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(UserError, match=message):
        make_agent(**options)


async def test_previous_interaction_id_needs_store() -> None:
    with pytest.raises(UserError, match="store=True"):
        await make_agent(store=False).arun("x", previous_interaction_id="i0")


async def test_run_state_survives_a_json_round_trip(api: respx.MockRouter) -> None:
    # A durable runner persists the state between steps; nothing may be lost.
    agent = make_agent(tools=[get_weather], store=False)
    state = agent.runner.new_state("Weather in Paris?")
    first = interaction(
        "i1", "requires_action", steps=calls(("a", "get_weather", {"city": "Paris"}))
    )
    after_interaction(agent.config, state, Interaction.model_validate(first))
    assert state.round is not None
    outcomes = await dispatch_calls(
        state.round.unanswered,
        agent.config.toolset.functions,
        make_context=lambda call: ToolContext(call_id=call.id, tool_name=call.name),
    )
    state.round.results.update({outcome.call.id: outcome.result for outcome in outcomes})
    after_tools(state)
    restored = RunState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert restored.to_dict() == state.to_dict()
    assert build_request(agent.config, restored) == build_request(agent.config, state)
    assert restored.tool_calls[0].result == {"city": "Paris", "temp_c": 18}
