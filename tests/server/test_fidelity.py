"""The local server behaves as the API does where the guide's code depends on it.

History input without `previous_interaction_id` (whatever `store` says), the wire
dialect chosen by the caller's SDK, strict model and agent names, errors that name
their cause, a clock tests can move, and key hygiene. Raw HTTP goes through
`httpx.ASGITransport` in-process, on asyncio and trio.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from agentloop import Agent, AsyncClient, NotFoundError, tool
from agentloop.testing import DemoModel, InteractionsServer, ScriptedModel

pytestmark = pytest.mark.anyio

MODEL = "gemini-2.5-flash"
CALL = {"type": "function_call", "id": "call_1", "name": "get_weather", "arguments": {}}
RESULT = {"type": "function_result", "call_id": "call_1", "name": "get_weather", "result": "Sun"}
ASK = {"type": "user_input", "content": [{"type": "text", "text": "Weather in Paris?"}]}
GENAI_155 = "google-genai-sdk/1.55.0 gl-python/3.11.7"
GENAI_361 = "google-genai-sdk/3.6.1 gl-python/3.11.7"


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class Clock:
    """A clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


async def _http(server: InteractionsServer) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=server)
    async with httpx.AsyncClient(transport=transport, base_url="http://local") as http:
        yield http


@pytest.fixture
async def demo() -> AsyncIterator[httpx.AsyncClient]:
    async for http in _http(InteractionsServer(DemoModel(), lenient=False)):
        yield http


def error_of(response: httpx.Response) -> dict[str, Any]:
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == response.status_code
    return error


# ---- history without previous_interaction_id ----------------------------------------


@pytest.mark.parametrize("store", [None, True, False])
async def test_history_input_is_the_conversation_whatever_store_says(
    store: bool | None,
) -> None:
    model = ScriptedModel(["It is sunny."])
    body: dict[str, Any] = {"model": MODEL, "input": [ASK, CALL, RESULT]}
    if store is not None:
        body["store"] = store
    async for http in _http(InteractionsServer(model)):
        response = await http.post("/v1beta/interactions", json=body)
        assert response.status_code == 200, response.text
        assert response.json()["steps"][-1]["content"][0]["text"] == "It is sunny."
    assert model.requests[0].history == [ASK, CALL]
    assert model.requests[0].input == [RESULT]


async def test_a_stored_stateless_turn_can_be_continued_by_id() -> None:
    model = ScriptedModel(["It is sunny.", "You asked about Paris."])
    async for http in _http(InteractionsServer(model)):
        first = await http.post(
            "/v1beta/interactions", json={"model": MODEL, "input": [ASK, CALL, RESULT]}
        )
        follow = {
            "model": MODEL,
            "input": "What did I ask?",
            "previous_interaction_id": first.json()["id"],
        }
        assert (await http.post("/v1beta/interactions", json=follow)).status_code == 200
        fetched = (await http.get(f"/v1beta/interactions/{first.json()['id']}")).json()
    assert [s["type"] for s in model.requests[1].history] == [
        "user_input",
        "function_call",
        "function_result",
        "model_output",
    ]
    # GET shows everything the interaction was sent, then its answer.
    assert [s["type"] for s in fetched["steps"]] == [
        "user_input",
        "function_call",
        "function_result",
        "model_output",
    ]


async def test_a_result_answering_no_call_of_the_history_is_refused() -> None:
    stray = {**RESULT, "call_id": "call_9"}
    async for http in _http(InteractionsServer(ScriptedModel([]))):
        response = await http.post(
            "/v1beta/interactions", json={"model": MODEL, "input": [ASK, CALL, stray]}
        )
    assert response.status_code == 400
    assert "call_9" in error_of(response)["message"]


async def test_the_guides_stateless_function_loop_runs_through_an_agent() -> None:
    @tool
    def get_weather(city: str) -> str:
        """The weather in a city."""
        return f"Sunny in {city}."

    server = InteractionsServer(DemoModel(), lenient=False)
    async with server.client() as client:
        agent = Agent(MODEL, tools=[get_weather], store=False, client=client)
        result = await agent.arun("What is the weather in Paris?")
    assert "Sunny in Paris." in result.text


# ---- the dialect is the caller's ----------------------------------------------------


@pytest.mark.parametrize(
    ("header", "dialect", "expected"),
    [
        (GENAI_155, None, "legacy"),
        (GENAI_361, None, "steps"),
        ("agentloop/0.1 gl-python/3.11", None, "steps"),
        (None, None, "steps"),
        (GENAI_361, "legacy", "legacy"),
        (GENAI_155, "steps", "steps"),
    ],
)
async def test_each_caller_gets_its_sdks_dialect_unless_one_is_fixed(
    header: str | None, dialect: str | None, expected: str
) -> None:
    headers = {"x-goog-api-client": header} if header else {}
    server = InteractionsServer(ScriptedModel(["Hi!", "Hi!"]), dialect=dialect)
    async for http in _http(server):
        created = await http.post(
            "/v1beta/interactions", json={"model": MODEL, "input": "Hello"}, headers=headers
        )
        streamed = await http.post(
            "/v1beta/interactions",
            json={"model": MODEL, "input": "Hello", "stream": True},
            headers=headers,
        )
    body = created.json()
    if expected == "legacy":
        assert body["outputs"] == [{"type": "text", "text": "Hi!"}]
        assert "steps" not in body
        assert "event: interaction.start" in streamed.text
    else:
        assert body["steps"][-1]["content"] == [{"type": "text", "text": "Hi!"}]
        assert "outputs" not in body
        assert "event: interaction.created" in streamed.text


def test_a_dialect_that_does_not_exist_is_refused() -> None:
    with pytest.raises(ValueError, match="dialect"):
        InteractionsServer(DemoModel(), dialect="outputs")


# ---- names the API would refuse -----------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"model": "gpt-4o"}, 404),
        ({"model": "gemini-foo"}, 404),
        ({"model": "gemini-2.5-flsh"}, 404),
        ({"model": ""}, 400),
        ({"model": 3}, 400),
        ({"agent": "my-agent"}, 404),
        ({"agent": ""}, 400),
    ],
)
async def test_unknown_models_and_agents_are_refused_like_the_api(
    demo: httpx.AsyncClient, body: dict[str, Any], status: int
) -> None:
    response = await demo.post("/v1beta/interactions", json={**body, "input": "Hi"})
    assert response.status_code == status
    message = error_of(response)["message"]
    assert "model" in message.lower() or "agent" in message.lower()


@pytest.mark.parametrize(
    "body",
    [
        {"model": "gemini-2.5-flash"},
        {"model": "models/gemini-3-pro-preview"},
        {"model": "gemini-3.1-pro-preview-customtools"},
        {"model": "gemini-2.5-flash-lite"},
        {"model": "gemini-3-pro-image-preview"},
        {"agent": "deep-research-pro-preview-12-2025", "background": True},
    ],
)
async def test_the_apis_names_are_served(demo: httpx.AsyncClient, body: dict[str, Any]) -> None:
    response = await demo.post("/v1beta/interactions", json={**body, "input": "Hi"})
    assert response.status_code == 200, response.text


async def test_a_lenient_server_accepts_any_name() -> None:
    async for http in _http(InteractionsServer(DemoModel(), lenient=True)):
        response = await http.post("/v1beta/interactions", json={"model": "gpt-4o", "input": "Hi"})
    assert response.status_code == 200


# ---- errors name their cause ----------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "fits"),
    [
        ("POST", "/upload/v1beta/unknown", ""),
        ("GET", "/v2/interactions", ""),
        ("PUT", "/v1beta/interactions/int_1", "DELETE or GET"),
    ],
)
async def test_an_unknown_endpoint_is_named_as_such(
    demo: httpx.AsyncClient, method: str, path: str, fits: str
) -> None:
    response = await demo.request(method, path)
    assert response.status_code == 404
    message = error_of(response)["message"]
    assert message.startswith(f"No such endpoint: {method} {path}")
    assert fits in message
    assert "expire" not in message


async def test_the_clients_hint_for_a_missing_endpoint_is_not_about_expired_ids() -> None:
    server = InteractionsServer(DemoModel())
    async with server.client() as client:
        with pytest.raises(NotFoundError) as missing_id:
            await client.interactions.get("int_gone")
        with pytest.raises(NotFoundError) as missing_file:
            await client.files.get("files/gone")
    assert "interactions expire" in str(missing_id.value)
    assert "files expire" in str(missing_file.value)


async def test_a_handler_bug_is_a_google_shaped_500(caplog: pytest.LogCaptureFixture) -> None:
    server = InteractionsServer(DemoModel())

    async def broken(request: Any) -> None:
        raise KeyError("oops")

    server.router.add("GET", "/{version}/broken", broken)
    with caplog.at_level(logging.ERROR, logger="agentloop.server"):
        async for http in _http(server):
            response = await http.get("/v1beta/broken")
    assert response.status_code == 500
    assert error_of(response)["status"] == "INTERNAL"
    assert "KeyError" in caplog.text


# ---- an injectable clock ---------------------------------------------------------------


async def test_background_work_follows_the_servers_clock_without_sleeping() -> None:
    clock = Clock()
    server = InteractionsServer(DemoModel(), background_step_delay=10, clock=clock)
    async for http in _http(server):
        body = {"agent": "deep-research-pro-preview-12-2025", "input": "TPUs", "background": True}
        id = (await http.post("/v1beta/interactions", json=body)).json()["id"]
        before = (await http.get(f"/v1beta/interactions/{id}")).json()
        clock.now += 25
        during = (await http.get(f"/v1beta/interactions/{id}")).json()
        clock.now += 10_000
        after = (await http.get(f"/v1beta/interactions/{id}")).json()
    assert before["status"] == "in_progress"
    assert len(before["steps"]) == 1  # only the input
    assert during["status"] == "in_progress"
    assert len(during["steps"]) == 1 + 2
    assert after["status"] == "completed"
    assert after["steps"][-1]["type"] == "model_output"
    assert after["created"] == "2027-01-15T08:00:00Z"


# ---- key hygiene ----------------------------------------------------------------------


@pytest.fixture
async def keyed() -> AsyncIterator[httpx.AsyncClient]:
    async for http in _http(InteractionsServer(DemoModel(), api_key="s3cret")):
        yield http


@pytest.mark.parametrize(
    "headers",
    [
        [("x-goog-api-key", b"caf\xc3\xa9")],
        [("x-goog-api-key", b"\xff\xfe")],
        [("x-goog-api-key", b"wrong")],
    ],
)
async def test_a_wrong_or_undecodable_key_is_refused_not_a_crash(
    keyed: httpx.AsyncClient, headers: list[tuple[str, bytes]]
) -> None:
    response = await keyed.post(
        "/v1beta/interactions", json={"model": MODEL, "input": "Hi"}, headers=headers
    )
    assert response.status_code == 400
    assert "API key not valid" in error_of(response)["message"]


async def test_a_non_utf8_key_in_the_query_is_refused_not_a_crash(
    keyed: httpx.AsyncClient,
) -> None:
    response = await keyed.get("/v1beta/interactions/x?key=%ff%fe")
    assert response.status_code == 400


async def test_a_missing_key_is_401_and_the_right_one_passes(keyed: httpx.AsyncClient) -> None:
    body = {"model": MODEL, "input": "Hi"}
    assert (await keyed.post("/v1beta/interactions", json=body)).status_code == 401
    ok = await keyed.post("/v1beta/interactions?key=s3cret", json=body)
    assert ok.status_code == 200


@pytest.mark.parametrize("key", ["", "clé", "with space\n"])
def test_a_key_no_client_could_send_is_refused_at_construction(key: str) -> None:
    with pytest.raises(ValueError, match="api_key"):
        InteractionsServer(DemoModel(), api_key=key)


async def test_the_agentloop_client_talks_to_a_keyed_server() -> None:
    server = InteractionsServer(DemoModel(), api_key="s3cret")
    async with AsyncClient(api_key="s3cret", transport=httpx.ASGITransport(app=server)) as client:
        interaction = await client.interactions.create(model=MODEL, input="Hello")
    assert interaction.status == "completed"
