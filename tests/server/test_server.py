"""The local Interactions server, seen through agentloop's own client.

Most tests run in-process (`server.client()`, no socket). Those where a real socket
matters (live streams, cancelling mid-stream) serve the app with uvicorn on a loopback
port in a background thread. Fault injection is in test_server_faults.py; agents
against the server in tests/e2e.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from conftest import SleepRecorder
from helpers.server import (
    ANSWER,
    CALLS,
    LOCAL,
    MODEL,
    PARIS,
    RESEARCH,
    SEARCH,
    THOUGHT,
    WEATHER_TOOL,
    assert_google_error,
    dicts,
    loopback,
    loopback_client,
    raw,
    result,
    sse,
    text,
    user,
)

from agentloop import (
    AuthenticationError,
    BadRequestError,
    Interaction,
    NotFoundError,
    ServerError,
)
from agentloop.testing import (
    FunctionModel,
    InteractionsServer,
    LocalTransport,
    Reply,
    ScriptedModel,
    SQLiteStore,
    UnexpectedRequest,
)
from agentloop.types import EventType

pytestmark = pytest.mark.anyio


# ---- create, get, stream, cancel, delete -----------------------------------------


@pytest.mark.parametrize("api_version", ["v1beta", "v1"])
async def test_create_returns_outputs_and_get_returns_the_whole_timeline(api_version: str) -> None:
    server = InteractionsServer(ScriptedModel([[THOUGHT, ANSWER]]))
    async with server.client(api_version=api_version) as client:
        created = await client.interactions.create(model=MODEL, input="Capital of France?")
        got = await client.interactions.get(created.id)

    assert created.status == got.status == "completed"
    assert dicts(created.steps) == [THOUGHT, ANSWER]
    assert dicts(got.steps) == [user("Capital of France?"), THOUGHT, ANSWER]
    assert created.text == got.text == PARIS
    assert created.model == MODEL
    assert created.id.startswith("int_")
    assert created.created is not None
    assert created.updated is not None
    assert got.to_dict() == {**created.to_dict(), "steps": dicts(got.steps)}


async def test_both_api_versions_reach_the_same_store() -> None:
    server = InteractionsServer(ScriptedModel(["Hi."]))
    async with server.client(api_version="v1") as v1, server.client() as v1beta:
        created = await v1.interactions.create(model=MODEL, input="Hello")
        assert (await v1beta.interactions.get(created.id)).text == "Hi."


@pytest.mark.parametrize(
    ("steps", "status"),
    [([THOUGHT, *SEARCH, ANSWER], "completed"), (CALLS, "requires_action")],
    ids=["text", "parallel-calls"],
)
async def test_stream_events_come_in_the_documented_order(
    steps: list[dict[str, Any]], status: str
) -> None:
    server = InteractionsServer(ScriptedModel([steps]))
    async with raw(server) as http:
        response = await http.post(
            "/interactions", json={"model": MODEL, "input": "hi", "stream": True}
        )
    assert response.headers["content-type"] == "text/event-stream"
    frames = sse(response.text)
    kinds = [data["event_type"] for _, data in frames]

    assert all(event == data["event_type"] for event, data in frames)
    shorthand = {
        "interaction.created": "C",
        "step.start": "S",
        "step.delta": "D",
        "step.stop": "P",
        "interaction.status_update": "U",
        "interaction.completed": "F",
    }
    assert re.fullmatch(r"C(SD*P)+U?F", "".join(shorthand[kind] for kind in kinds))
    ids = [data["event_id"] for _, data in frames]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    # Step indexes count up from 0, and deltas and stops belong to the open step.
    open_index = -1
    for _, data in frames:
        if data["event_type"] == "step.start":
            assert data["index"] == open_index + 1
            open_index = data["index"]
        elif data["event_type"] in ("step.delta", "step.stop"):
            assert data["index"] == open_index
    assert open_index == len(steps) - 1
    created, completed = frames[0][1]["interaction"], frames[-1][1]["interaction"]
    assert created["status"] == "in_progress"
    assert completed["status"] == status
    assert completed["id"] == created["id"]
    assert "steps" not in completed or completed["steps"] == []
    assert completed["usage"]["total_tokens"] > 0


@pytest.mark.parametrize(
    "steps", [[THOUGHT, *SEARCH, ANSWER], CALLS], ids=["text", "parallel-calls"]
)
async def test_a_reassembled_stream_equals_the_stored_interaction(
    steps: list[dict[str, Any]],
) -> None:
    server = InteractionsServer(ScriptedModel([steps]))
    async with server.client() as client:
        stream = await client.interactions.create(model=MODEL, input="hi", stream=True)
        final = await stream.get_final_interaction()
        stored = await client.interactions.get(final.id)

    assert dicts(final.steps) == dicts(stored.output_steps) == steps
    assert (final.id, final.status, final.usage) == (stored.id, stored.status, stored.usage)


async def test_get_stream_replays_only_events_after_last_event_id() -> None:
    server = InteractionsServer(ScriptedModel([[THOUGHT, ANSWER]]))
    async with server.client() as client:
        created = await client.interactions.create(model=MODEL, input="hi")
        everything = [
            event async for event in await client.interactions.get(created.id, stream=True)
        ]
        ids = [event.event_id for event in everything]
        for cut in (0, 3, len(ids) - 2):
            resumed = await client.interactions.get(created.id, stream=True, last_event_id=ids[cut])
            assert [event.event_id async for event in resumed] == ids[cut + 1 :]

    assert ids[0] is not None
    assert everything[0].event_type == "interaction.created"
    assert everything[-1].event_type == "interaction.completed"


async def test_resuming_after_the_final_event_sends_no_events() -> None:
    server = InteractionsServer(ScriptedModel(["Hi."]))
    async with raw(server) as http:
        created = (await http.post("/interactions", json={"model": MODEL, "input": "x"})).json()
        path = f"/interactions/{created['id']}"
        last = sse((await http.get(path, params={"stream": "true"})).text)[-1][1]["event_id"]
        after = await http.get(path, params={"stream": "true", "last_event_id": last})
    assert after.status_code == 200
    assert after.text == ""


async def test_client_resuming_after_the_final_event_yields_nothing() -> None:
    server = InteractionsServer(ScriptedModel(["Hi."]))
    async with server.client(_sleep=SleepRecorder()) as client:
        created = await client.interactions.create(model=MODEL, input="x")
        ids = [
            event.event_id async for event in await client.interactions.get(created.id, stream=True)
        ]
        resumed = await client.interactions.get(created.id, stream=True, last_event_id=ids[-1])
        assert [event.event_id async for event in resumed] == []


async def test_last_event_id_without_stream_is_400() -> None:
    server = InteractionsServer(ScriptedModel(["Hi."]))
    async with raw(server) as http:
        created = (await http.post("/interactions", json={"model": MODEL, "input": "x"})).json()
        response = await http.get(f"/interactions/{created['id']}?last_event_id=evt_00001")
    assert_google_error(response, 400, "INVALID_ARGUMENT")


async def test_delete_then_get_is_404() -> None:
    server = InteractionsServer(ScriptedModel(["Hi."]))
    async with server.client() as client:
        created = await client.interactions.create(model=MODEL, input="Hello")
        assert await client.interactions.delete(created.id) is None
        with pytest.raises(NotFoundError):
            await client.interactions.get(created.id)
        with pytest.raises(NotFoundError):
            await client.interactions.get(created.id, stream=True)
        with pytest.raises(NotFoundError):
            await client.interactions.delete(created.id)


async def test_cancel_of_a_finished_interaction_changes_nothing() -> None:
    server = InteractionsServer(ScriptedModel(["Hi."]))
    async with server.client() as client:
        created = await client.interactions.create(model=MODEL, input="Hello")
        cancelled = await client.interactions.cancel(created.id)
        with pytest.raises(NotFoundError):
            await client.interactions.cancel("int_missing")
    assert cancelled.status == "completed"
    assert cancelled.text == "Hi."


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1beta/models"),
        ("GET", "/v2/interactions/x"),
        ("PUT", "/v1beta/interactions/x"),
        ("POST", "/v1beta/interactions/x/archive"),
    ],
)
async def test_unknown_routes_are_google_shaped_404s(method: str, path: str) -> None:
    async with raw(InteractionsServer(ScriptedModel([]))) as http:
        response = await http.request(method, f"{LOCAL}{path}")
    assert_google_error(response, 404, "NOT_FOUND")


async def test_a_body_that_is_not_a_json_object_is_400() -> None:
    async with raw(InteractionsServer(ScriptedModel([]))) as http:
        for content in (b"{not json", b"[1, 2]"):
            response = await http.post("/interactions", content=content)
            assert_google_error(response, 400, "INVALID_ARGUMENT")


# ---- semantics ---------------------------------------------------------------------


async def test_previous_interaction_id_chains_the_history() -> None:
    model = FunctionModel(lambda request: f"answer {len(request.history) // 2 + 1}")
    server = InteractionsServer(model)
    async with server.client() as client:
        first = await client.interactions.create(model=MODEL, input="one")
        second = await client.interactions.create(
            model=MODEL, input="two", previous_interaction_id=first.id
        )
        third = await client.interactions.create(
            model=MODEL, input="three", previous_interaction_id=second.id
        )

    assert [r.history for r in model.requests[:2]] == [[], [user("one"), text("answer 1")]]
    assert model.requests[2].history == [
        user("one"),
        text("answer 1"),
        user("two"),
        text("answer 2"),
    ]
    assert model.requests[2].input == [user("three")]
    assert third.text == "answer 3"
    assert third.previous_interaction_id == second.id


async def test_a_missing_previous_interaction_is_404() -> None:
    model = ScriptedModel([])
    async with InteractionsServer(model).client() as client:
        with pytest.raises(NotFoundError) as caught:
            await client.interactions.create(
                model=MODEL, input="hi", previous_interaction_id="int_nope"
            )
    assert caught.value.status == "NOT_FOUND"
    assert model.requests == []


async def test_store_false_keeps_nothing_and_takes_the_history_as_input() -> None:
    model = ScriptedModel([[THOUGHT, text("Hello!")], "Still here."])
    async with InteractionsServer(model).client() as client:
        first = await client.interactions.create(model=MODEL, input="Hi", store=False)
        with pytest.raises(NotFoundError):
            await client.interactions.get(first.id)
        history = [user("Hi"), *first.steps, user("Are you there?")]
        second = await client.interactions.create(model=MODEL, input=history, store=False)

    assert second.text == "Still here."
    assert model.requests[1].history == [user("Hi"), THOUGHT, text("Hello!")]
    assert model.requests[1].input == [user("Are you there?")]


@pytest.mark.parametrize(
    "extra",
    [{"background": True}, {"previous_interaction_id": "int_any"}],
    ids=["background", "previous_interaction_id"],
)
async def test_store_false_is_refused_with(extra: dict[str, Any]) -> None:
    model = ScriptedModel([])
    async with raw(InteractionsServer(model)) as http:
        body = {"model": MODEL, "input": "hi", "store": False, **extra}
        response = await http.post("/interactions", json=body)
    assert_google_error(response, 400, "INVALID_ARGUMENT")
    assert model.requests == []


@pytest.mark.parametrize(
    "body",
    [{"model": MODEL, "agent": "deep-research-pro-preview-12-2025"}, {}],
    ids=["both", "neither"],
)
async def test_exactly_one_of_model_and_agent(body: dict[str, Any]) -> None:
    async with raw(InteractionsServer(ScriptedModel([]))) as http:
        response = await http.post("/interactions", json={**body, "input": "hi"})
    assert_google_error(response, 400, "INVALID_ARGUMENT")


async def test_function_results_must_answer_pending_calls() -> None:
    model = ScriptedModel([CALLS, "Both answered.", "Hi again."])
    async with InteractionsServer(model).client() as client:
        asked = await client.interactions.create(
            model=MODEL, input="Weather?", tools=[WEATHER_TOOL]
        )
        assert asked.status == "requires_action"
        assert [call.id for call in asked.function_calls] == ["call_1", "call_2"]
        with pytest.raises(BadRequestError) as caught:
            await client.interactions.create(
                model=MODEL, previous_interaction_id=asked.id, input=[result("call_9")]
            )
        assert "call_9" in str(caught.value.detail)
        answered = await client.interactions.create(
            model=MODEL,
            previous_interaction_id=asked.id,
            input=[result("call_1", {"c": 21}), result("call_2", {"c": 25})],
        )
        assert answered.text == "Both answered."
        with pytest.raises(BadRequestError):  # already answered
            await client.interactions.create(
                model=MODEL, previous_interaction_id=answered.id, input=[result("call_1")]
            )
        with pytest.raises(BadRequestError):  # no chain: nothing is pending
            await client.interactions.create(model=MODEL, input=[result("call_1")])
    assert model.requests[1].function_results == [
        result("call_1", {"c": 21}),
        result("call_2", {"c": 25}),
    ]
    assert model.remaining == 1


async def test_two_results_for_one_call_are_refused() -> None:
    model = ScriptedModel([CALLS, "Answered twice?"])
    async with InteractionsServer(model).client() as client:
        asked = await client.interactions.create(model=MODEL, input="Weather?")
        with pytest.raises(BadRequestError):
            await client.interactions.create(
                model=MODEL,
                previous_interaction_id=asked.id,
                input=[result("call_1"), result("call_1"), result("call_2")],
            )


async def test_usage_is_counted_and_grows_with_the_history() -> None:
    own_usage = {"total_input_tokens": 7, "total_output_tokens": 3, "total_tokens": 10}
    model = ScriptedModel(["One.", "Two.", Reply(steps=[text("Three.")], usage=own_usage)])
    async with InteractionsServer(model).client() as client:
        first = await client.interactions.create(model=MODEL, input="a")
        second = await client.interactions.create(
            model=MODEL, input="b", previous_interaction_id=first.id
        )
        third = await client.interactions.create(model=MODEL, input="c")

    for usage in (first.usage, second.usage):
        assert usage is not None
        assert usage.total_input_tokens
        assert usage.total_output_tokens
        assert usage.total_tokens == usage.total_input_tokens + usage.total_output_tokens
    assert second.usage.total_input_tokens > first.usage.total_input_tokens
    assert third.usage is not None
    assert third.usage.to_dict() == own_usage


@pytest.mark.parametrize("status", ["failed", "incomplete", "budget_exceeded"])
async def test_reply_sets_status_and_errors(status: str) -> None:
    errors = [{"code": "internal", "message": "the model fell over"}]
    model = ScriptedModel([Reply(steps=[text("Partial")], status=status, errors=errors)])
    async with InteractionsServer(model).client() as client:
        stream = await client.interactions.create(model=MODEL, input="x", stream=True)
        final = await stream.get_final_interaction()
        got = await client.interactions.get(final.id)
    assert final.status == got.status == status
    assert got.errors is not None
    assert [e.to_dict() for e in got.errors] == errors


async def test_the_create_body_is_echoed_and_seen_by_the_model() -> None:
    model = ScriptedModel(["ok"])
    config = {"thinking_level": "low"}
    async with InteractionsServer(model).client() as client:
        created = await client.interactions.create(
            model=MODEL,
            input="x",
            system_instruction="Be brief.",
            tools=[WEATHER_TOOL],
            generation_config=config,
        )
    assert created.system_instruction == "Be brief."
    assert created.tools == [WEATHER_TOOL]
    assert created.generation_config == config
    request = model.requests[0]
    assert request.function_tools == [WEATHER_TOOL]
    assert request.body["system_instruction"] == "Be brief."
    assert request.user_text == "x"


# ---- background --------------------------------------------------------------------


async def test_background_steps_appear_over_time_then_the_final_status() -> None:
    server = InteractionsServer(ScriptedModel([RESEARCH]), background_step_delay=0.05)
    async with server.client() as client:
        created = await client.interactions.create(model=MODEL, input="Research", background=True)
        seen: list[tuple[str, int]] = []
        with anyio.fail_after(10):
            while True:
                got = await client.interactions.get(created.id)
                seen.append((got.status, len(got.output_steps)))
                if got.is_terminal:
                    break
                assert got.usage is None  # usage arrives with the final status
                await anyio.sleep(0.01)

    assert created.status == "in_progress"
    assert created.steps == []
    counts = [count for _, count in seen]
    assert counts == sorted(counts)
    assert {1, 2, 3} & set(counts[:-1])
    assert all(status == "in_progress" for status, _ in seen[:-1])
    assert seen[-1] == ("completed", len(RESEARCH))
    assert dicts(got.output_steps) == RESEARCH
    assert got.usage is not None


async def test_cancel_during_progress_stops_the_steps() -> None:
    server = InteractionsServer(ScriptedModel([RESEARCH]), background_step_delay=0.1)
    async with server.client() as client:
        created = await client.interactions.create(model=MODEL, input="Research", background=True)
        with anyio.fail_after(5):  # wait for the first step
            while True:
                if (await client.interactions.get(created.id)).output_steps:
                    break
                await anyio.sleep(0.01)
        cancelled = await client.interactions.cancel(created.id)
        await anyio.sleep(0.35)
        later = await client.interactions.get(created.id)
        events = [event async for event in await client.interactions.get(created.id, stream=True)]

    assert cancelled.status == later.status == "cancelled"
    assert 1 <= len(cancelled.output_steps) < len(RESEARCH)
    assert dicts(later.output_steps) == dicts(cancelled.output_steps)
    assert events[-1].event_type == "interaction.completed"
    assert events[-1].interaction.status == "cancelled"


async def test_streaming_a_background_interaction_delivers_every_event_once() -> None:
    server = InteractionsServer(ScriptedModel([RESEARCH]), background_step_delay=0.05)
    with loopback(server) as url:
        async with loopback_client(url) as client:
            created = await client.interactions.create(model=MODEL, input="R", background=True)
            stream = await client.interactions.get(created.id, stream=True)
            arrivals: list[tuple[float, str | None]] = []
            async for event in stream:
                arrivals.append((time.monotonic(), event.event_id))
            final = await stream.get_final_interaction()

    ids = [event_id for _, event_id in arrivals]
    assert ids == [f"evt_{n:05d}" for n in range(1, len(ids) + 1)]
    assert final.status == "completed"
    assert dicts(final.steps) == RESEARCH
    # Live: the events arrived over the background work, not in one burst.
    assert arrivals[-1][0] - arrivals[0][0] >= 0.1


async def test_cancelling_ends_a_live_stream_as_cancelled() -> None:
    server = InteractionsServer(ScriptedModel([RESEARCH]), background_step_delay=0.15)
    with loopback(server) as url:
        async with loopback_client(url) as client:
            created = await client.interactions.create(model=MODEL, input="R", background=True)
            stream = await client.interactions.get(created.id, stream=True)
            async for event in stream:
                if event.event_type == "step.stop":
                    await client.interactions.cancel(created.id)
            final = await stream.get_final_interaction()
    assert final.status == "cancelled"
    assert len(final.steps) < len(RESEARCH)


@pytest.mark.xfail(
    strict=True,
    reason="testing.LocalTransport wraps httpx.ASGITransport, which runs the app to the "
    "end before returning: in-process streams arrive in one burst",
)
# asyncio only: under trio, closing a stream early also leaves httpx's inner body
# generators (`Response.aiter_raw` under `aiter_bytes`) to the garbage collector,
# which trio reports; an httpx limitation (encode/httpx#3593, #3777), unrelated to
# the gap this test documents.
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_in_process_streams_are_live() -> None:
    server = InteractionsServer(ScriptedModel([RESEARCH]), background_step_delay=0.05)
    async with server.client() as client:
        created = await client.interactions.create(model=MODEL, input="R", background=True)
        started = time.monotonic()
        stream = await client.interactions.get(created.id, stream=True)
        async with stream:
            await stream.__anext__()
            first_event_after = time.monotonic() - started
    assert first_event_after < 0.1


# ---- ScriptedModel -----------------------------------------------------------------


async def test_a_request_beyond_the_script_is_a_500_and_fails_verify() -> None:
    model = ScriptedModel(["Only one."])
    async with InteractionsServer(model).client(max_retries=0) as client:
        await client.interactions.create(model=MODEL, input="one")
        with pytest.raises(ServerError) as caught:
            await client.interactions.create(model=MODEL, input="two")
    assert caught.value.status_code == 500
    assert "unexpected request" in str(caught.value.detail)
    assert len(model.unexpected) == 1
    with pytest.raises(UnexpectedRequest, match="beyond its script"):
        model.verify()


async def test_leftover_script_entries_fail_verify() -> None:
    model = ScriptedModel(["One.", "Two."])
    async with InteractionsServer(model).client() as client:
        await client.interactions.create(model=MODEL, input="one")
    assert model.remaining == 1
    with pytest.raises(UnexpectedRequest, match="never used"):
        model.verify()


async def test_scripted_model_verifies_on_exit() -> None:
    with ScriptedModel(["One.", lambda request: f"You said {request.user_text}."]) as model:
        async with InteractionsServer(model).client() as client:
            await client.interactions.create(model=MODEL, input="one")
            second = await client.interactions.create(model=MODEL, input="two")
    assert second.text == "You said two."
    assert len(model.requests) == 2

    with pytest.raises(UnexpectedRequest), ScriptedModel(["never asked"]):
        pass


# ---- auth --------------------------------------------------------------------------


async def test_api_key_is_checked() -> None:
    server = InteractionsServer(ScriptedModel(["a", "b"]), api_key="secret-key")
    async with server.client(api_key=None) as anonymous:
        with pytest.raises(AuthenticationError) as missing:
            await anonymous.interactions.create(model=MODEL, input="x")
    async with server.client(api_key="wrong-key") as wrong:
        with pytest.raises(BadRequestError) as invalid:
            await wrong.interactions.create(model=MODEL, input="x")
    async with server.client() as right:  # server.client() brings the server's key
        assert (await right.interactions.create(model=MODEL, input="x")).text == "a"
    async with httpx.AsyncClient(transport=LocalTransport(server), base_url=LOCAL) as http:
        response = await http.post(
            "/v1beta/interactions?key=secret-key", json={"model": MODEL, "input": "x"}
        )
    assert response.status_code == 200
    assert (missing.value.status_code, missing.value.status) == (401, "UNAUTHENTICATED")
    assert (invalid.value.status_code, invalid.value.status) == (400, "INVALID_ARGUMENT")


# ---- storage -----------------------------------------------------------------------


async def test_sqlite_store_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    first_store = SQLiteStore(path)
    before = InteractionsServer(
        ScriptedModel([CALLS, RESEARCH]), store=first_store, background_step_delay=0.02
    )
    async with before.client() as client:
        asked = await client.interactions.create(model=MODEL, input="Weather?")
        research = await client.interactions.create(model=MODEL, input="Research", background=True)
        stream = await client.interactions.get(asked.id, stream=True)
        ids = [event.event_id async for event in stream]
    first_store.close()
    await anyio.sleep(0.2)  # the background work finishes while no server runs

    second_store = SQLiteStore(path)
    try:
        model = ScriptedModel(["Sunny in both."])
        after = InteractionsServer(model, store=second_store)
        async with after.client() as client:
            again = await client.interactions.get(asked.id)
            answered = await client.interactions.create(
                model=MODEL,
                previous_interaction_id=asked.id,
                input=[result("call_1"), result("call_2")],
            )
            research_now = await client.interactions.get(research.id)
            resumed = await client.interactions.get(asked.id, stream=True, last_event_id=ids[2])
            resumed_ids = [event.event_id async for event in resumed]
    finally:
        second_store.close()

    assert again.to_dict() == {**asked.to_dict(), "steps": [user("Weather?"), *CALLS]}
    assert answered.text == "Sunny in both."
    assert model.requests[0].history == [user("Weather?"), *CALLS]
    assert research_now.status == "completed"
    assert dicts(research_now.output_steps) == RESEARCH
    assert resumed_ids == ids[3:]  # event ids are stable across a restart


# ---- legacy dialect ----------------------------------------------------------------


async def test_legacy_json_has_outputs_and_parses_like_steps() -> None:
    parsed: dict[str, list[Interaction]] = {}
    for dialect in ("steps", "legacy"):
        server = InteractionsServer(ScriptedModel([[THOUGHT, ANSWER], CALLS]), dialect=dialect)
        async with raw(server) as http:
            body = (await http.post("/interactions", json={"model": MODEL, "input": "x"})).json()
            stored = (await http.get(f"/interactions/{body['id']}")).json()
            calls = (await http.post("/interactions", json={"model": MODEL, "input": "y"})).json()
        if dialect == "legacy":
            assert "steps" not in body
            assert body["object"] == "interaction"
            assert [block["type"] for block in body["outputs"]] == ["thought", "text"]
            assert stored["outputs"] == body["outputs"]
            assert [block["type"] for block in calls["outputs"]] == [
                "thought",
                "function_call",
                "function_call",
            ]
        else:
            assert "outputs" not in body
            assert [step["type"] for step in body["steps"]] == ["thought", "model_output"]
        parsed[dialect] = [Interaction.model_validate(item) for item in (body, calls)]

    for steps_form, legacy_form in zip(parsed["steps"], parsed["legacy"], strict=True):
        assert legacy_form.text == steps_form.text
        assert dicts(legacy_form.outputs) == dicts(steps_form.outputs)
        assert dicts(legacy_form.function_calls) == dicts(steps_form.function_calls)
        assert legacy_form.status == steps_form.status


async def test_legacy_streams_use_legacy_events_and_parse_the_same() -> None:
    server = InteractionsServer(ScriptedModel([[ANSWER], [ANSWER]]), dialect="legacy")
    async with raw(server) as http:
        response = await http.post(
            "/interactions", json={"model": MODEL, "input": "x", "stream": True}
        )
    kinds = [data["event_type"] for _, data in sse(response.text)]
    assert kinds[0] == "interaction.start"
    assert kinds[-1] == "interaction.complete"
    assert set(kinds[1:-1]) == {"content.start", "content.delta", "content.stop"}

    async with server.client() as client:
        stream = await client.interactions.create(model=MODEL, input="x", stream=True)
        events = [event async for event in stream]
        final = await stream.get_final_interaction()
    assert events[0].event_type == "interaction.created"
    assert events[1].event_type == EventType("step.start") == "content.start"
    assert final.text == PARIS
    assert final.status == "completed"
