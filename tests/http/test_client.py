"""The client over respx: requests on the wire, error mapping, retries, stream resume."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
import respx
from conftest import API_KEY, BASE, SleepRecorder, load_bytes, load_json, sse_headers

import agentloop
from agentloop import (
    APIConnectionError,
    APITimeoutError,
    AsyncClient,
    AuthenticationError,
    BadRequestError,
    Client,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    ServerError,
    StreamError,
    UserError,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
def api() -> respx.MockRouter:
    with respx.mock(using="httpx", base_url=BASE, assert_all_called=False) as router:
        yield router


def client(sleeps: SleepRecorder | None = None, **options: object) -> AsyncClient:
    return AsyncClient(api_key=API_KEY, _sleep=sleeps, **options)  # type: ignore[arg-type]


def body_of(route: respx.Route, call: int = -1) -> object:
    return json.loads(route.calls[call].request.content)


# ---- requests on the wire ---------------------------------------------------------


async def test_create_sends_the_body_headers_and_path(api: respx.MockRouter) -> None:
    route = api.post("/interactions").respond(json=load_json("response_completed_text.json"))
    interaction = await client().interactions.create(
        model="gemini-2.5-flash", input="Tell me a short joke about programming."
    )
    assert interaction.outputs[-1].text == "Paris is the capital of France."  # type: ignore[union-attr]
    request = route.calls.last.request
    assert request.method == "POST"
    assert request.url == f"{BASE}/interactions"
    assert request.headers["x-goog-api-key"] == API_KEY
    assert request.headers["content-type"] == "application/json"
    assert request.headers["accept"] == "application/json"
    assert request.headers["api-revision"] == "2026-05-20"
    assert body_of(route) == {
        "model": "gemini-2.5-flash",
        "input": "Tell me a short joke about programming.",
    }


async def test_each_header_is_sent_once_and_default_headers_win(api: respx.MockRouter) -> None:
    route = api.post("/interactions").respond(json=load_json("response_completed_text.json"))
    custom = {"User-Agent": "my-app/2", "X-Team": "search"}
    await client(default_headers=custom).interactions.create(model="m", input="x")
    headers = route.calls.last.request.headers
    names = [name.lower() for name, _ in headers.multi_items()]
    assert sorted(names) == sorted(set(names))
    assert headers["user-agent"] == "my-app/2"
    assert headers["x-team"] == "search"
    assert headers["x-goog-api-client"].startswith("agentloop/")


async def test_create_with_the_fixture_request_sends_it_unchanged(api: respx.MockRouter) -> None:
    route = api.post("/interactions").respond(json=load_json("response_completed_text.json"))
    request = load_json("create_request_with_tools.json")
    await client().interactions.create(**request)
    # `stream: false` is the default, so it is not sent
    assert body_of(route) == {key: value for key, value in request.items() if key != "stream"}


async def test_followup_with_function_results(api: respx.MockRouter) -> None:
    route = api.post("/interactions").respond(json=load_json("response_completed_text.json"))
    followup = load_json("followup_request_function_results.json")
    await client().interactions.create(**followup)
    assert body_of(route) == followup


async def test_get_cancel_delete(api: respx.MockRouter) -> None:
    done = load_json("response_background_deep_research_completed.json")
    get = api.get("/interactions/int_dr_5e6f7a8b9c").respond(json=done)
    cancel = api.post("/interactions/int_dr_5e6f7a8b9c/cancel").respond(
        json={**done, "status": "cancelled"}
    )
    delete = api.delete("/interactions/int_dr_5e6f7a8b9c").respond(json={})
    async with client() as c:
        fetched = await c.interactions.get("int_dr_5e6f7a8b9c")
        cancelled = await c.interactions.cancel("int_dr_5e6f7a8b9c")
        assert await c.interactions.delete("int_dr_5e6f7a8b9c") is None
    assert fetched.status == "completed"
    assert get.calls.last.request.url.params["stream"] == "false"
    assert cancelled.status == "cancelled"
    assert cancel.calls.last.request.content == b""
    assert delete.called


async def test_api_version_and_base_url_from_the_environment(
    api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENTLOOP_BASE_URL", "http://127.0.0.1:8765/")
    monkeypatch.setenv("GEMINI_API_KEY", "env-key")
    with respx.mock(using="httpx") as local:
        route = local.get("http://127.0.0.1:8765/v1/interactions/abc").respond(
            json={"id": "abc", "status": "completed"}
        )
        await AsyncClient(api_version="v1").interactions.get("abc")
    assert route.calls.last.request.headers["x-goog-api-key"] == "env-key"


async def test_google_api_key_is_the_fallback(
    api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOOGLE_API_KEY", "google-key")
    route = api.get("/interactions/x").respond(json={"id": "x", "status": "completed"})
    await AsyncClient().interactions.get("x")
    assert route.calls.last.request.headers["x-goog-api-key"] == "google-key"


async def test_missing_key_for_google_is_a_clear_user_error(api: respx.MockRouter) -> None:
    with pytest.raises(UserError, match="GEMINI_API_KEY"):
        await AsyncClient().interactions.get("x")


async def test_legacy_guide_input_forms_are_sent_as_steps(api: respx.MockRouter) -> None:
    route = api.post("/interactions").respond(json=load_json("response_completed_text.json"))
    first = await client().interactions.create(
        model="m",
        input=[{"role": "user", "content": "What are the three largest cities in Spain?"}],
    )
    history = [
        {"role": "user", "content": "What are the three largest cities in Spain?"},
        {"role": "model", "content": first.outputs},
        {"role": "user", "content": "What is the most famous landmark in the second one?"},
    ]
    await client().interactions.create(model="m", input=history)
    assert body_of(route)["input"] == [  # type: ignore[index]
        {"type": "user_input", "content": [{"type": "text", "text": history[0]["content"]}]},
        {"type": "thought", "signature": "CtQBAdHtim9exampleOpaqueSignature=="},
        {
            "type": "model_output",
            "content": [{"type": "text", "text": "Paris is the capital of France."}],
        },
        {"type": "user_input", "content": [{"type": "text", "text": history[2]["content"]}]},
    ]


async def test_per_call_timeout_and_extra_body(api: respx.MockRouter) -> None:
    route = api.post("/interactions").respond(json=load_json("response_completed_text.json"))
    await client().interactions.create(
        model="m", input="x", timeout=3.0, extra_body={"labels": {"team": "a"}}
    )
    request = route.calls.last.request
    assert request.extensions["timeout"]["read"] == 3.0
    assert body_of(route)["labels"] == {"team": "a"}  # type: ignore[index]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"model": "m", "agent": "a"}, "not both"),
        ({}, "pass model="),
        ({"agent": "a", "generation_config": {}}, "agent_config"),
        ({"model": "m", "store": False, "background": True}, "background"),
        ({"model": "m", "store": False, "previous_interaction_id": "p"}, "whole history"),
    ],
)
async def test_invalid_combinations_fail_before_any_request(
    api: respx.MockRouter, params: dict[str, object], message: str
) -> None:
    route = api.post("/interactions")
    with pytest.raises(UserError, match=message):
        await client().interactions.create(input="x", **params)
    assert not route.called


@pytest.mark.parametrize("bad_id", ["", ".", "..", "a\nb", "a\x00b"])
async def test_bad_interaction_id_is_refused(api: respx.MockRouter, bad_id: str) -> None:
    with pytest.raises(UserError, match="not a valid interaction id"):
        await client().interactions.get(bad_id)


# ---- errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "exception"),
    [
        (400, load_json("error_400.json"), BadRequestError),
        (401, {"error": {"code": 401, "message": "API key not valid."}}, AuthenticationError),
        (403, {"error": {"code": 403, "message": "denied"}}, PermissionDeniedError),
        (404, {"error": {"code": "not_found", "message": "no such interaction"}}, NotFoundError),
        (409, load_json("error_429.json"), ConflictError),
        (429, load_json("error_429.json"), RateLimitError),
        (503, load_json("error_503.json"), ServerError),
        (500, "<html>oops</html>", ServerError),
        (418, {"error": {"message": "teapot"}}, agentloop.APIStatusError),
    ],
)
async def test_status_errors_map_by_meaning(
    api: respx.MockRouter, sleeps: SleepRecorder, status: int, body: object, exception: type
) -> None:
    kwargs = {"json": body} if isinstance(body, dict) else {"text": body}
    api.post("/interactions").respond(status, headers={"x-request-id": "req-1"}, **kwargs)
    with pytest.raises(exception) as caught:
        await client(sleeps, max_retries=0).interactions.create(model="m", input="x")
    error = caught.value
    assert error.status_code == status
    assert error.request_id == "req-1"
    assert error.body == body
    if isinstance(body, dict) and "code" in body["error"]:
        assert error.code == body["error"]["code"]
    assert str(status) in str(error)


async def test_error_message_says_what_to_do(api: respx.MockRouter) -> None:
    api.post("/interactions").respond(400, json=load_json("error_400.json"))
    with pytest.raises(BadRequestError) as caught:
        await client().interactions.create(model="m", input="x")
    message = str(caught.value)
    assert "INVALID_ARGUMENT" in message
    assert "tools[0].parameters" in message
    assert caught.value.status == "INVALID_ARGUMENT"
    assert caught.value.detail == load_json("error_400.json")["error"]["message"]
    assert caught.value.code == 400


async def test_invalid_success_body_is_a_validation_error(api: respx.MockRouter) -> None:
    api.get("/interactions/x").respond(json={"status": "completed"})
    with pytest.raises(ResponseValidationError, match="not a valid Interaction"):
        await client().interactions.get("x")


async def test_connection_errors_are_retried_then_raised(
    api: respx.MockRouter, sleeps: SleepRecorder
) -> None:
    route = api.get("/interactions/x").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(APIConnectionError, match="refused") as caught:
        await client(sleeps).interactions.get("x")
    assert not isinstance(caught.value, APITimeoutError)
    assert route.call_count == 5
    assert len(sleeps.delays) == 4


async def test_timeouts_raise_api_timeout_error(
    api: respx.MockRouter, sleeps: SleepRecorder
) -> None:
    api.get("/interactions/x").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(APITimeoutError, match="timeout="):
        await client(sleeps, max_retries=1).interactions.get("x")


# ---- retries ----------------------------------------------------------------------


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
async def test_retryable_statuses_are_retried(
    api: respx.MockRouter, sleeps: SleepRecorder, status: int
) -> None:
    route = api.post("/interactions").mock(
        side_effect=[
            httpx.Response(status, json={"error": {"code": status, "message": "again"}}),
            httpx.Response(200, json=load_json("response_completed_text.json")),
        ]
    )
    interaction = await client(sleeps).interactions.create(model="m", input="x")
    assert interaction.status == "completed"
    assert route.call_count == 2
    assert len(sleeps.delays) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
async def test_other_client_errors_are_never_retried(
    api: respx.MockRouter, sleeps: SleepRecorder, status: int
) -> None:
    route = api.post("/interactions").respond(status, json={"error": {"message": "no"}})
    with pytest.raises(agentloop.APIStatusError):
        await client(sleeps).interactions.create(model="m", input="x")
    assert route.call_count == 1
    assert sleeps.delays == []


async def test_backoff_doubles_with_jitter_up_to_the_cap(
    api: respx.MockRouter, sleeps: SleepRecorder
) -> None:
    route = api.get("/interactions/x").respond(503, json=load_json("error_503.json"))
    policy = agentloop.RetryPolicy(max_retries=6)
    with pytest.raises(ServerError):
        await client(sleeps, retry_policy=policy).interactions.get("x")
    assert route.call_count == 7
    nominal = [0.5, 1, 2, 4, 8, 8]
    for delay, expected in zip(sleeps.delays, nominal, strict=True):
        assert expected * 0.75 <= delay <= expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "7"}, 7.0),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after": "3600"}, 60.0),
        ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),
    ],
)
async def test_retry_after_is_honoured(
    api: respx.MockRouter, sleeps: SleepRecorder, headers: dict[str, str], expected: float
) -> None:
    api.get("/interactions/x").mock(
        side_effect=[
            httpx.Response(429, headers=headers, json=load_json("error_429.json")),
            httpx.Response(200, json={"id": "x", "status": "completed"}),
        ]
    )
    await client(sleeps).interactions.get("x")
    assert sleeps.delays == [expected]


async def test_retry_after_as_http_date(api: respx.MockRouter, sleeps: SleepRecorder) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    api.get("/interactions/x").mock(
        side_effect=[
            httpx.Response(503, headers={"retry-after": when}),
            httpx.Response(200, json={"id": "x", "status": "completed"}),
        ]
    )
    await client(sleeps).interactions.get("x")
    [delay] = sleeps.delays
    assert 25 <= delay <= 30


async def test_max_retries_zero_disables_retrying(
    api: respx.MockRouter, sleeps: SleepRecorder
) -> None:
    route = api.get("/interactions/x").respond(429, json=load_json("error_429.json"))
    with pytest.raises(RateLimitError):
        await client(sleeps, max_retries=0).interactions.get("x")
    assert route.call_count == 1


async def test_total_retry_time_is_bounded(api: respx.MockRouter) -> None:
    route = api.get("/interactions/x").respond(503)
    policy = agentloop.RetryPolicy(max_retries=100, initial_delay=0.001, total_timeout=0.05)
    with pytest.raises(ServerError):
        await client(retry_policy=policy).interactions.get("x")
    assert 1 < route.call_count < 100


# ---- streaming ----------------------------------------------------------------------


async def test_stream_yields_typed_events_and_the_final_interaction(api: respx.MockRouter) -> None:
    route = api.post("/interactions").respond(
        headers=sse_headers(), content=load_bytes("sse_text_stream.txt")
    )
    stream = await client().interactions.create(model="m", input="x", stream=True)
    async with stream:
        texts = [
            event.delta.text  # type: ignore[union-attr]
            async for event in stream
            if event.event_type == "step.delta" and event.delta.type == "text"  # type: ignore[union-attr]
        ]
    assert texts == ["Paris is the capital ", "of France."]
    final = await stream.get_final_interaction()
    assert final.text == "Paris is the capital of France."
    request = route.calls.last.request
    assert request.headers["accept"] == "text/event-stream"
    assert body_of(route) == {"model": "m", "input": "x", "stream": True}


async def test_get_final_interaction_without_iterating(api: respx.MockRouter) -> None:
    api.post("/interactions").respond(
        headers=sse_headers(), content=load_bytes("sse_function_call_stream.txt")
    )
    stream = await client().interactions.create(model="m", input="x", stream=True)
    final = await stream.get_final_interaction()
    assert [call.arguments["city"] for call in final.function_calls] == ["Paris", "Tokyo"]


def cut_after(transcript: bytes, events: int) -> bytes:
    blocks = transcript.split(b"\n\n")
    return b"\n\n".join(blocks[:events]) + b"\n\n"


def rest_after(transcript: bytes, events: int) -> bytes:
    blocks = transcript.split(b"\n\n")
    return b"\n\n".join(blocks[events:])


class BreakingStream(httpx.AsyncByteStream):
    """Sends `data`, then fails like a dropped connection."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._data
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message")


@pytest.mark.parametrize("how", ["ends_early", "connection_drops"])
async def test_cut_stream_resumes_with_last_event_id_and_no_duplicates(
    api: respx.MockRouter, sleeps: SleepRecorder, how: str
) -> None:
    transcript = load_bytes("sse_text_stream.txt")
    head = cut_after(transcript, 5)
    first = (
        httpx.Response(200, headers=sse_headers(), content=head)
        if how == "ends_early"
        else httpx.Response(200, headers=sse_headers(), stream=BreakingStream(head))
    )
    api.post("/interactions").mock(return_value=first)
    # The server replays from the given id; include one duplicate to prove dedup.
    replay = cut_after(transcript, 5).split(b"\n\n")[4] + b"\n\n" + rest_after(transcript, 5)
    resume = api.get("/interactions/int_s1a2b3").respond(headers=sse_headers(), content=replay)

    stream = await client(sleeps).interactions.create(model="m", input="x", stream=True)
    ids = [event.event_id async for event in stream]

    assert ids == [f"evt_{n:04d}" for n in range(1, 12)]
    streamed = [c for c in resume.calls if c.request.url.params["stream"] == "true"]
    params = streamed[-1].request.url.params
    assert (params["stream"], params["last_event_id"]) == ("true", "evt_0005")
    assert len(streamed) == 1
    assert len(sleeps.delays) == 1
    assert (await stream.get_final_interaction()).text == "Paris is the capital of France."


async def test_stream_cut_before_the_id_is_known_is_created_again_then_fails(
    api: respx.MockRouter, sleeps: SleepRecorder
) -> None:
    route = api.post("/interactions").respond(headers=sse_headers(), content=b": keep-alive\n\n")
    stream = await client(sleeps, max_retries=2).interactions.create(
        model="m", input="x", stream=True
    )
    with pytest.raises(StreamError, match="before the interaction's id was known"):
        async for _ in stream:
            pass
    assert route.call_count == 3


async def test_stream_cut_before_the_id_is_known_is_not_repeated_when_told(
    api: respx.MockRouter,
) -> None:
    route = api.post("/interactions").respond(headers=sse_headers(), content=b": keep-alive\n\n")
    stream = await client(retry_ambiguous=False).interactions.create(
        model="m", input="x", stream=True
    )
    with pytest.raises(agentloop.ReplyLostError, match="retry_ambiguous=False"):
        async for _ in stream:
            pass
    assert route.call_count == 1


async def test_stream_gives_up_after_resumes_without_progress(
    api: respx.MockRouter, sleeps: SleepRecorder
) -> None:
    transcript = load_bytes("sse_text_stream.txt")
    api.post("/interactions").respond(headers=sse_headers(), content=cut_after(transcript, 3))
    resume = api.get("/interactions/int_s1a2b3").respond(headers=sse_headers(), content=b"")
    stream = await client(sleeps, max_retries=2).interactions.create(
        model="m", input="x", stream=True
    )
    with pytest.raises(StreamError, match="last_event_id='evt_0003'") as caught:
        async for _ in stream:
            pass
    streamed = [c for c in resume.calls if c.request.url.params.get("stream") == "true"]
    assert len(streamed) == 2  # the other GETs checked whether it had already finished
    assert caught.value.event_id == "evt_0003"


async def test_error_event_is_yielded_then_raised(api: respx.MockRouter) -> None:
    body = (
        b'data: {"event_type":"interaction.created","interaction":{"id":"i1"},"event_id":"a"}\n\n'
        b'data: {"event_type":"error","error":{"code":"resource_exhausted","message":"quota"},'
        b'"event_id":"b"}\n\n'
    )
    api.post("/interactions").respond(headers=sse_headers(), content=body)
    stream = await client().interactions.create(model="m", input="x", stream=True)
    seen: list[str] = []

    async def consume() -> None:
        async for event in stream:
            seen.append(event.event_type)

    with pytest.raises(StreamError, match="quota") as caught:
        await consume()
    assert seen == ["interaction.created", "error"]
    assert caught.value.code == "resource_exhausted"


async def test_get_stream_replays_after_last_event_id(api: respx.MockRouter) -> None:
    route = api.get("/interactions/int_dr_5e6f7a8b9c").respond(
        headers=sse_headers(), content=load_bytes("sse_background_agent_stream.txt")
    )
    stream = await client().interactions.get(
        "int_dr_5e6f7a8b9c", stream=True, last_event_id="evt_0200"
    )
    final = await stream.get_final_interaction()
    assert final.status == "completed"
    assert route.calls.last.request.url.params["last_event_id"] == "evt_0200"


async def test_closing_early_then_asking_for_the_final_interaction(api: respx.MockRouter) -> None:
    api.post("/interactions").respond(
        headers=sse_headers(), content=load_bytes("sse_text_stream.txt")
    )
    stream = await client().interactions.create(model="m", input="x", stream=True)
    async with stream:
        async for _ in stream:
            break
    with pytest.raises(StreamError, match="closed before"):
        await stream.get_final_interaction()


async def test_non_sse_answer_to_a_stream_request(api: respx.MockRouter) -> None:
    api.post("/interactions").respond(json={"id": "x"})
    stream = await client().interactions.create(model="m", input="x", stream=True)
    with pytest.raises(ResponseValidationError, match="event stream"):
        async for _ in stream:
            pass


# ---- the blocking face --------------------------------------------------------------


def test_sync_client_create_and_stream(api: respx.MockRouter) -> None:
    api.post("/interactions").mock(
        side_effect=[
            httpx.Response(200, json=load_json("response_completed_text.json")),
            httpx.Response(200, headers=sse_headers(), content=load_bytes("sse_text_stream.txt")),
        ]
    )
    with Client(api_key=API_KEY) as sync_client:
        assert sync_client.interactions.create(model="m", input="x").text.startswith("Paris")
        with sync_client.interactions.create(model="m", input="x", stream=True) as stream:
            kinds = [event.event_type for event in stream]
            assert stream.interaction_id == "int_s1a2b3"
            assert stream.last_event_id == "evt_0011"
        assert kinds[0] == "interaction.created"
        assert kinds[-1] == "interaction.complete"
        assert stream.get_final_interaction().usage.total_tokens == 81  # type: ignore[union-attr]


def test_sync_client_get_cancel_delete_and_errors(api: respx.MockRouter) -> None:
    api.get("/interactions/a").respond(json={"id": "a", "status": "in_progress"})
    api.post("/interactions/a/cancel").respond(json={"id": "a", "status": "cancelled"})
    api.delete("/interactions/a").respond(json={})
    api.get("/interactions/gone").respond(404, json={"error": {"code": 404, "message": "gone"}})
    sync_client = Client(api_key=API_KEY)
    assert sync_client.interactions.get("a").status == "in_progress"
    assert sync_client.interactions.cancel("a").status == "cancelled"
    sync_client.interactions.delete("a")
    with pytest.raises(NotFoundError):
        sync_client.interactions.get("gone")
    sync_client.close()


async def test_sync_client_works_inside_a_running_event_loop(api: respx.MockRouter) -> None:
    api.get("/interactions/a").respond(json={"id": "a", "status": "completed"})
    assert Client(api_key=API_KEY).interactions.get("a").status == "completed"


@pytest.mark.parametrize("anyio_backend", ["trio"])
async def test_async_client_under_trio(api: respx.MockRouter, sleeps: SleepRecorder) -> None:
    api.post("/interactions").mock(
        side_effect=[
            httpx.Response(503),
            httpx.Response(200, headers=sse_headers(), content=load_bytes("sse_text_stream.txt")),
        ]
    )
    stream = await client(sleeps).interactions.create(model="m", input="x", stream=True)
    assert (await stream.get_final_interaction()).text == "Paris is the capital of France."


async def test_injected_http_client_is_used_and_left_open(api: respx.MockRouter) -> None:
    route = api.get("/interactions/a").respond(json={"id": "a", "status": "completed"})
    async with httpx.AsyncClient(headers={"x-custom": "1"}) as http_client:
        async with AsyncClient(api_key=API_KEY, http_client=http_client) as c:
            await c.interactions.get("a")
        assert not http_client.is_closed
    assert route.calls.last.request.headers["x-custom"] == "1"


async def test_injected_transport_without_respx() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": "t", "status": "completed"})

    c = AsyncClient(api_key=API_KEY, transport=httpx.MockTransport(handler))
    assert (await c.interactions.get("t")).id == "t"
    assert seen[0].url.path == "/v1beta/interactions/t"


async def test_last_event_id_without_stream_is_refused(api: respx.MockRouter) -> None:
    with pytest.raises(UserError, match="stream=True"):
        await client().interactions.get("x", last_event_id="e1")
