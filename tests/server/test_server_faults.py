"""Fault injection on the local server (error statuses, dropped connections, cut
streams, latency) and regressions it once had, in-process and over loopback.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import httpx
import pytest
from conftest import SleepRecorder
from helpers.server import (
    ANSWER,
    LOCAL,
    MODEL,
    RESEARCH,
    THOUGHT,
    Recorder,
    assert_google_error,
    dicts,
    loopback,
    loopback_client,
    raw,
)

from agentloop import (
    APIConnectionError,
    APITimeoutError,
    AsyncClient,
)
from agentloop.testing import (
    Faults,
    FunctionModel,
    InteractionsServer,
    LocalTransport,
    ModelRequest,
    ScriptedModel,
    SQLiteStore,
)

pytestmark = pytest.mark.anyio


# ---- fault injection ---------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_an_injected_error_status_is_retried(status: str) -> None:
    server = InteractionsServer(ScriptedModel(["ok"]), faults=Faults(status_on={1: status}))
    sleeps = SleepRecorder()
    async with server.client(_sleep=sleeps) as client:
        created = await client.interactions.create(model=MODEL, input="x")
    assert created.text == "ok"
    assert server.requests == 2
    assert len(sleeps.delays) == 1
    assert 0.3 < sleeps.delays[0] <= 0.5


async def test_an_injected_503_carries_retry_after_and_a_google_body() -> None:
    faults = Faults(status_on={1: 503}, retry_after=2.5)
    server = InteractionsServer(ScriptedModel(["ok"]), faults=faults)
    async with raw(server) as http:
        response = await http.post("/interactions", json={"model": MODEL, "input": "x"})
    assert_google_error(response, 503, "UNAVAILABLE")
    assert response.headers["retry-after"] == "2.5"

    sleeps = SleepRecorder()
    server = InteractionsServer(ScriptedModel(["ok"]), faults=Faults(**vars(faults)))
    async with server.client(_sleep=sleeps) as client:
        assert (await client.interactions.create(model=MODEL, input="x")).text == "ok"
    assert sleeps.delays == [2.5]


@pytest.mark.parametrize("where", ["in-process", "loopback"])
async def test_a_dropped_connection_is_retried(where: str) -> None:
    server = InteractionsServer(ScriptedModel(["ok"]), faults=Faults(drop_on={2}))
    sleeps = SleepRecorder()
    with contextlib.ExitStack() as stack:
        if where == "loopback":
            client = loopback_client(stack.enter_context(loopback(server)), _sleep=sleeps)
        else:
            client = server.client(_sleep=sleeps)
        async with client:
            created = await client.interactions.create(model=MODEL, input="x")
            got = await client.interactions.get(created.id)  # request 2 is dropped
            assert got.text == "ok"
            async with server.client(max_retries=0) as no_retries:
                server.faults.drop_on.add(server.requests + 1)
                with pytest.raises(APIConnectionError):
                    await no_retries.interactions.get(created.id)
    assert len(sleeps.delays) == 1


async def test_drop_on_also_drops_streams() -> None:
    server = InteractionsServer(ScriptedModel(["ok"]), faults=Faults(drop_on={1}))
    async with raw(server) as http:
        with pytest.raises(httpx.TransportError):
            await http.post("/interactions", json={"model": MODEL, "input": "x", "stream": True})


@pytest.mark.parametrize("where", ["in-process", "loopback"])
async def test_a_cut_stream_resumes_after_the_last_event(where: str) -> None:
    server = InteractionsServer(
        ScriptedModel([[THOUGHT, ANSWER]]), faults=Faults(cut_stream_after=3)
    )
    recorder = Recorder(server)
    sleeps = SleepRecorder()
    with contextlib.ExitStack() as stack:
        if where == "loopback":
            client = loopback_client(stack.enter_context(loopback(recorder)), _sleep=sleeps)
        else:
            client = AsyncClient(
                api_key="k", base_url=LOCAL, transport=LocalTransport(recorder), _sleep=sleeps
            )
        async with client:
            stream = await client.interactions.create(model=MODEL, input="x", stream=True)
            ids = [event.event_id async for event in stream]
            final = await stream.get_final_interaction()
            stored = await client.interactions.get(final.id)

    assert ids == [f"evt_{n:05d}" for n in range(1, len(ids) + 1)]
    assert dicts(final.steps) == dicts(stored.output_steps) == [THOUGHT, ANSWER]
    method, path, query = recorder.seen[1]
    assert (method, path) == ("GET", f"/v1beta/interactions/{final.id}")
    assert "stream=true" in query
    assert "last_event_id=evt_00003" in query
    assert len(sleeps.delays) == 1


async def test_latency_delays_every_answer() -> None:
    server = InteractionsServer(ScriptedModel(["ok"]), faults=Faults(latency=0.2))
    async with server.client() as client:
        started = time.monotonic()
        await client.interactions.create(model=MODEL, input="x")
    assert time.monotonic() - started >= 0.2


async def test_latency_beyond_the_client_timeout_is_a_timeout_error() -> None:
    server = InteractionsServer(ScriptedModel(["ok"]), faults=Faults(latency=0.5))
    with loopback(server) as url:
        async with loopback_client(url, timeout=0.1, max_retries=0) as client:
            with pytest.raises(APITimeoutError):
                await client.interactions.get("int_any")


# ---- regressions: server bugs these tests found, since fixed ---------------------------


async def test_a_failing_model_is_a_google_shaped_500() -> None:
    def broken(request: ModelRequest) -> str:
        raise ValueError("model crashed")

    server = InteractionsServer(FunctionModel(broken))
    with loopback(server) as url:
        async with httpx.AsyncClient(base_url=url) as http:
            response = await http.post("/v1beta/interactions", json={"model": MODEL, "input": "x"})
    assert_google_error(response, 500, "INTERNAL")


async def test_an_input_of_the_wrong_type_is_400() -> None:
    server = InteractionsServer(ScriptedModel([]))
    with loopback(server) as url:
        async with httpx.AsyncClient(base_url=url) as http:
            response = await http.post("/v1beta/interactions", json={"model": MODEL, "input": 42})
    assert_google_error(response, 400, "INVALID_ARGUMENT")


async def test_deleting_during_a_live_stream_ends_the_stream_cleanly() -> None:
    server = InteractionsServer(ScriptedModel([RESEARCH]), background_step_delay=0.15)
    with loopback(server) as url:
        async with httpx.AsyncClient(base_url=f"{url}/v1beta") as http:
            body = {"model": MODEL, "input": "x", "background": True}
            created = (await http.post("/interactions", json=body)).json()
            path = f"/interactions/{created['id']}"
            deleted = False
            async with http.stream("GET", path, params={"stream": "true"}) as response:
                # The stream must go on to a clean end (an error event at most).
                async for line in response.aiter_lines():
                    if not deleted and '"step.stop"' in line:
                        assert (await http.delete(path)).status_code == 200
                        deleted = True
    assert deleted


async def test_cancel_reaches_a_create_stream_with_sqlite(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "db.sqlite")
    server = InteractionsServer(ScriptedModel([RESEARCH]), store=store, background_step_delay=0.15)
    try:
        with loopback(server) as url:
            async with loopback_client(url) as client:
                stream = await client.interactions.create(
                    model=MODEL, input="R", background=True, stream=True
                )
                async for event in stream:
                    if event.event_type == "step.stop":
                        assert stream.interaction_id is not None
                        await client.interactions.cancel(stream.interaction_id)
                final = await stream.get_final_interaction()
                stored = await client.interactions.get(final.id)
    finally:
        store.close()
    assert stored.status == "cancelled"
    assert final.status == "cancelled"
