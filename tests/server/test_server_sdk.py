"""Fidelity: Google's own `google-genai` SDK against our local server on a loopback port.

If the official client cannot tell our server from the API, code written for the
API can be tested against it. The SDK is pointed at the server with
`http_options={"base_url": "http://127.0.0.1:PORT"}`; with an `api_key` it needs no
Google credentials, and every socket it opens is checked to stay on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

genai = pytest.importorskip("google.genai")

from google.genai import interactions as gi  # noqa: E402
from google.genai._interactions import (  # noqa: E402
    BadRequestError as SDKBadRequestError,
)
from google.genai._interactions import (  # noqa: E402
    NotFoundError as SDKNotFoundError,
)
from pydantic import BaseModel  # noqa: E402

from agentloop.testing import (  # noqa: E402
    Faults,
    InteractionsServer,
    ModelRequest,
    Reply,
    ScriptedModel,
    serve_in_thread,
)

MODEL = "gemini-2.5-flash"
API_KEY = "test-key"

THOUGHT = {
    "type": "thought",
    "signature": "c2lnbmF0dXJlLTE=",
    "summary": [{"type": "text", "text": "Two cities, two calls."}],
}
CALLS = [
    THOUGHT,
    {
        "type": "function_call",
        "id": "call_1",
        "name": "get_weather",
        "arguments": {"city": "Paris"},
    },
    {
        "type": "function_call",
        "id": "call_2",
        "name": "get_weather",
        "arguments": {"city": "Tokyo"},
    },
]
WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city.",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}
RESEARCH = [
    THOUGHT,
    {"type": "google_search_call", "id": "gs1", "arguments": {"queries": ["TPU history"]}},
    {"type": "google_search_result", "call_id": "gs1", "result": [{"search_suggestions": "<p/>"}]},
    {"type": "model_output", "content": [{"type": "text", "text": "# Report\nTPU v1: 2016."}]},
]
# Anything that could send the SDK elsewhere, or make it look for Google credentials.
SDK_ENVIRONMENT = (
    "GOOGLE_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_GENAI_API_KEY",
    "GOOGLE_GENAI_ACCESS_TOKEN",
    "GOOGLE_GENAI_DEFAULT_HEADERS",
    "GOOGLE_GENAI_USE_VERTEXAI",
    "GOOGLE_GENAI_USE_ENTERPRISE",
    "GOOGLE_GENAI_API_VERSION",
    "GOOGLE_GENAI_CLIENT_MODE",
    "GOOGLE_GENAI_REPLAYS_DIRECTORY",
    "GOOGLE_GEMINI_BASE_URL",
    "GOOGLE_VERTEX_BASE_URL",
    "GOOGLE_CLOUD_PROJECT",
    "GOOGLE_CLOUD_LOCATION",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "GOOGLE_API_USE_CLIENT_CERTIFICATE",
    "GOOGLE_API_USE_MTLS_ENDPOINT",
)


@pytest.fixture(autouse=True)
def _sdk_stays_local(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """No SDK configuration from the environment, and no name lookups but loopback.

    conftest already refuses non-loopback `connect`s; refusing `getaddrinfo` too
    catches a credential or metadata lookup before it could leave the machine.
    """
    for name in SDK_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    real_getaddrinfo = socket.getaddrinfo
    looked_up: list[str] = []

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        looked_up.append(name)
        if name not in ("127.0.0.1", "localhost", "::1"):
            raise RuntimeError(f"the SDK tried to resolve {name!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield looked_up
    assert set(looked_up) <= {"127.0.0.1"}


@dataclass
class Seen:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: Any


@dataclass
class Recorder:
    """ASGI middleware that records every request (with its JSON body)."""

    app: Any
    seen: list[Seen] = field(default_factory=list)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        raw = b"".join(chunks)
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        body = json.loads(raw) if raw else None
        path, query = scope["path"], scope["query_string"].decode()
        self.seen.append(Seen(scope["method"], path, query, headers, body))
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": raw, "more_body": False}

        await self.app(scope, replay, send)


@contextlib.contextmanager
def loopback(app: Any) -> Iterator[int]:
    """Serve `app` on a free 127.0.0.1 port (in a thread); yields the port."""
    with serve_in_thread(app) as url:
        yield int(url.rsplit(":", 1)[1])


@dataclass
class Local:
    """An InteractionsServer on a port, with the SDK client pointed at it."""

    server: InteractionsServer
    recorder: Recorder
    client: Any
    base_url: str


@contextlib.contextmanager
def local_api(model: Any, **server_options: Any) -> Iterator[Local]:
    server = InteractionsServer(model, **server_options)
    recorder = Recorder(server)
    with loopback(recorder) as port:
        base_url = f"http://127.0.0.1:{port}"
        http_options = {
            "base_url": base_url,
            "timeout": 10_000,  # milliseconds: no SDK call may hang the suite
            "retry_options": {"attempts": 3, "initial_delay": 0.01, "max_delay": 0.05},
        }
        with genai.Client(api_key=API_KEY, http_options=http_options) as client:
            yield Local(server, recorder, client, base_url)


def unknown_parts(value: Any, where: str = "") -> list[str]:
    """Every place where the SDK fell back to an unknown variant or kept extra fields."""
    found: list[str] = []
    if isinstance(value, BaseModel):
        if getattr(value, "is_unknown", False):
            found.append(f"{where or type(value).__name__}: unknown {type(value).__name__}")
        extra = value.__pydantic_extra__ or {}
        if extra:
            found.append(f"{where or type(value).__name__}: extra fields {sorted(extra)}")
        for name in type(value).model_fields:
            # Read the stored value: getattr on a deprecated field warns.
            found += unknown_parts(value.__dict__.get(name), f"{where}.{name}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found += unknown_parts(item, f"{where}[{index}]")
    return found


def text_step(value: str) -> dict[str, Any]:
    return {"type": "model_output", "content": [{"type": "text", "text": value}]}


# ---- create --------------------------------------------------------------------------


def test_create_gives_output_text() -> None:
    with local_api(ScriptedModel([[THOUGHT, text_step("Paris.")]])) as api:
        interaction = api.client.interactions.create(model=MODEL, input="Capital of France?")

    assert isinstance(interaction, gi.Interaction)
    assert interaction.output_text == "Paris."
    assert interaction.status == "completed"
    assert [step.type for step in interaction.steps] == ["thought", "model_output"]
    assert interaction.usage.total_tokens > 0
    assert unknown_parts(interaction) == []
    (request,) = api.recorder.seen
    assert (request.method, request.path) == ("POST", "/v1/interactions")
    assert request.headers["x-goog-api-key"] == API_KEY
    assert request.body["model"] == MODEL


def test_the_sdk_can_use_v1beta_too() -> None:
    with local_api(ScriptedModel(["Hi."])) as api:
        options = {"base_url": api.base_url, "api_version": "v1beta", "timeout": 10_000}
        with genai.Client(api_key=API_KEY, http_options=options) as beta:
            assert beta.interactions.create(model=MODEL, input="x").output_text == "Hi."
    assert api.recorder.seen[0].path == "/v1beta/interactions"


@pytest.mark.parametrize(
    "given",
    ["Hi there", {"type": "text", "text": "Hi there"}, [{"type": "text", "text": "Hi there"}]],
    ids=["string", "content", "content-list"],
)
def test_every_sdk_input_form_reaches_the_model_as_user_input(given: Any) -> None:
    model = ScriptedModel(["Hello."])
    with local_api(model) as api:
        assert api.client.interactions.create(model=MODEL, input=given).output_text == "Hello."
    (request,) = model.requests
    assert request.input == [
        {"type": "user_input", "content": [{"type": "text", "text": "Hi there"}]}
    ]


def test_streaming_create_gives_typed_events() -> None:
    answer = "Paris is the capital of France, on the Seine, with a long history."
    with local_api(ScriptedModel([[THOUGHT, text_step(answer)]])) as api:
        events = list(api.client.interactions.create(model=MODEL, input="x", stream=True))

    assert api.recorder.seen[0].headers["accept"] == "text/event-stream"
    assert isinstance(events[0], gi.InteractionCreatedEvent)
    assert isinstance(events[-1], gi.InteractionCompletedEvent)
    assert {type(event) for event in events[1:-1]} <= {
        gi.StepStart,
        gi.StepDelta,
        gi.StepStop,
        gi.InteractionStatusUpdate,
    }
    assert [e.index for e in events if isinstance(e, gi.StepStart)] == [0, 1]
    deltas = [e.delta for e in events if isinstance(e, gi.StepDelta) and e.index == 1]
    assert "".join(delta.text for delta in deltas) == answer
    assert events[-1].interaction.status == "completed"
    assert events[-1].interaction.id == events[0].interaction.id
    ids = [event.event_id for event in events]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert unknown_parts(events) == []


def test_function_call_round_trip_with_previous_interaction_id() -> None:
    def answer(request: ModelRequest) -> str:
        cities = [r["result"]["city"] for r in request.function_results]
        return "Sunny in " + " and ".join(cities) + "."

    model = ScriptedModel([CALLS, answer])
    with local_api(model) as api:
        asked = api.client.interactions.create(
            model=MODEL, input="Weather in Paris and Tokyo?", tools=[WEATHER_TOOL]
        )
        calls = [step for step in asked.steps if step.type == "function_call"]
        results = [
            {
                "type": "function_result",
                "call_id": call.id,
                "name": call.name,
                "result": {"city": call.arguments["city"], "sky": "sunny"},
            }
            for call in calls
        ]
        answered = api.client.interactions.create(
            model=MODEL,
            previous_interaction_id=asked.id,
            input=results,
            tools=[WEATHER_TOOL],
        )
        stored = api.client.interactions.get(answered.id)

    assert asked.status == "requires_action"
    assert [(c.id, c.arguments) for c in calls] == [
        ("call_1", {"city": "Paris"}),
        ("call_2", {"city": "Tokyo"}),
    ]
    assert answered.status == "completed"
    assert answered.output_text == "Sunny in Paris and Tokyo."
    assert [step.type for step in stored.steps] == [
        "function_result",
        "function_result",
        "model_output",
    ]
    assert stored.output_text == "Sunny in Paris and Tokyo."
    assert unknown_parts([asked, answered]) == []
    history = model.requests[1].history
    assert [step["type"] for step in history] == ["user_input", *[s["type"] for s in CALLS]]
    get = api.recorder.seen[-1]
    assert (get.method, get.path, get.query) == (
        "GET",
        f"/v1/interactions/{answered.id}",
        "stream=false",
    )


def test_streamed_function_call_arguments_reassemble() -> None:
    with local_api(ScriptedModel([CALLS])) as api:
        events = list(
            api.client.interactions.create(
                model=MODEL, input="x", tools=[WEATHER_TOOL], stream=True
            )
        )
    fragments: dict[int, str] = {}
    for event in events:
        if isinstance(event, gi.StepDelta) and event.delta.type == "arguments_delta":
            fragments[event.index] = fragments.get(event.index, "") + event.delta.arguments
    assert {i: json.loads(text) for i, text in fragments.items()} == {
        1: {"city": "Paris"},
        2: {"city": "Tokyo"},
    }
    assert events[-1].interaction.status == "requires_action"
    # The final event is checked on its own, below.
    assert unknown_parts(events[:-1]) == []


def test_stream_interactions_carry_only_fields_the_sdk_models() -> None:
    with local_api(ScriptedModel(["ok"])) as api:
        events = list(
            api.client.interactions.create(
                model=MODEL,
                input="x",
                tools=[WEATHER_TOOL],
                system_instruction="Be brief.",
                stream=True,
            )
        )
    assert unknown_parts(events) == []


def test_automatic_continuation_merges_the_hops() -> None:
    model = ScriptedModel(
        [
            Reply(
                steps=[text_step("The first half, ")],
                status="requires_continuation",
                continuation_token="tok-1",
            ),
            [text_step("and the second.")],
        ]
    )
    with local_api(model) as api:
        interaction = api.client.interactions.create(model=MODEL, input="Write at length")

    assert interaction.status == "completed"
    assert interaction.output_text == "The first half, and the second."
    first, second = (seen.body for seen in api.recorder.seen)
    assert second["continuation_token"] == "tok-1"
    assert second["previous_interaction_id"] == interaction.continuation_ids[0]
    assert "input" not in second
    assert model.requests[1].history[-1] == text_step("The first half, ")
    assert first["input"] == "Write at length"


# ---- get, cancel, delete -----------------------------------------------------------


def test_get_stream_resumes_after_last_event_id() -> None:
    with local_api(ScriptedModel([[THOUGHT, text_step("Paris.")]])) as api:
        created = api.client.interactions.create(model=MODEL, input="x")
        everything = list(api.client.interactions.get(created.id, stream=True))
        ids = [event.event_id for event in everything]
        later = list(api.client.interactions.get(created.id, stream=True, last_event_id=ids[2]))
    assert [event.event_id for event in later] == ids[3:]
    assert isinstance(everything[0], gi.InteractionCreatedEvent)
    resume = api.recorder.seen[-1]
    assert "stream=true" in resume.query
    assert f"last_event_id={ids[2]}" in resume.query


def test_cancel_a_background_interaction() -> None:
    with local_api(ScriptedModel([RESEARCH]), background_step_delay=5) as api:
        created = api.client.interactions.create(
            agent="deep-research-pro-preview-12-2025", input="TPUs", background=True
        )
        cancelled = api.client.interactions.cancel(created.id)
        stored = api.client.interactions.get(created.id)
    assert created.status == "in_progress"
    assert cancelled.status == stored.status == "cancelled"
    assert unknown_parts([created, cancelled, stored]) == []
    assert api.recorder.seen[1].path == f"/v1/interactions/{created.id}/cancel"


def test_streaming_a_background_interaction_delivers_every_event_once() -> None:
    with local_api(ScriptedModel([RESEARCH]), background_step_delay=0.03) as api:
        created = api.client.interactions.create(
            agent="deep-research-pro-preview-12-2025", input="TPUs", background=True
        )
        events = list(api.client.interactions.get(created.id, stream=True))
    ids = [event.event_id for event in events]
    assert len(set(ids)) == len(ids)
    assert [e.index for e in events if isinstance(e, gi.StepStart)] == [0, 1, 2, 3]
    assert events[-1].interaction.status == "completed"
    assert unknown_parts(events) == []


def test_a_background_create_can_stream_too() -> None:
    with local_api(ScriptedModel([RESEARCH]), background_step_delay=0.02) as api:
        events = list(
            api.client.interactions.create(
                agent="deep-research-pro-preview-12-2025",
                input="TPUs",
                background=True,
                stream=True,
            )
        )
        stored = api.client.interactions.get(events[0].interaction.id)
    assert events[-1].interaction.status == stored.status == "completed"
    assert stored.output_text == "# Report\nTPU v1: 2016."
    assert unknown_parts(events) == []


def test_delete_then_get_is_not_found() -> None:
    with local_api(ScriptedModel(["Hi."])) as api:
        created = api.client.interactions.create(model=MODEL, input="x")
        api.client.interactions.delete(created.id)
        with pytest.raises(SDKNotFoundError) as caught:
            api.client.interactions.get(created.id)
    assert caught.value.status_code == 404
    assert api.recorder.seen[1].method == "DELETE"


# ---- errors and retries ------------------------------------------------------------


def test_server_errors_map_to_the_sdk_classes() -> None:
    with local_api(ScriptedModel([])) as api:
        with pytest.raises(SDKNotFoundError):
            api.client.interactions.create(
                model=MODEL, input="x", previous_interaction_id="int_missing"
            )
        with pytest.raises(SDKBadRequestError) as caught:
            api.client.interactions.create(model=MODEL, input="x", store=False, background=True)
    assert caught.value.status_code == 400
    assert caught.value.body["error"]["status"] == "INVALID_ARGUMENT"


def test_a_wrong_api_key_is_a_bad_request() -> None:
    with (
        local_api(ScriptedModel([]), api_key="another-key") as api,
        pytest.raises(SDKBadRequestError) as caught,
    ):
        api.client.interactions.create(model=MODEL, input="x")
    assert "API key not valid" in str(caught.value)


def test_the_sdk_retries_an_injected_503() -> None:
    with local_api(ScriptedModel(["ok"]), faults=Faults(status_on={1: 503})) as api:
        assert api.client.interactions.create(model=MODEL, input="x").output_text == "ok"
    assert api.server.requests == 2


# ---- the async client --------------------------------------------------------------


@pytest.mark.anyio
# google-genai's async client is asyncio-only (it calls `asyncio.to_thread`).
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_the_async_client_creates_and_streams() -> None:
    with local_api(ScriptedModel(["Hello.", "Streamed hello."])) as api:
        aio = api.client.aio
        try:
            created = await aio.interactions.create(model=MODEL, input="x")
            stream = await aio.interactions.create(model=MODEL, input="x", stream=True)
            events = [event async for event in stream]
        finally:
            await aio.aclose()
    assert created.output_text == "Hello."
    deltas = [e.delta.text for e in events if isinstance(e, gi.StepDelta)]
    assert "".join(deltas) == "Streamed hello."
    assert isinstance(events[-1], gi.InteractionCompletedEvent)
