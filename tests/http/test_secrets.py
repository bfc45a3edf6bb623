"""The API key never shows: not in exceptions, reprs, or any log line.

Besides the public clients, the private pieces that hold or print the key
(`HTTPCore`, `describe_request`) are checked directly: a leak there would reach
tracebacks and logs without going through any public repr.
"""

from __future__ import annotations

import logging

import httpx
import pytest
import respx
from conftest import BASE, SleepRecorder

from agentloop import APIError, AsyncClient, Client
from agentloop._errors import describe_request
from agentloop._http.core import HTTPCore

SECRET = "AIzaSy-very-secret-key-0000"

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(401, json={"error": {"code": 401, "message": "API key not valid."}}),
        httpx.Response(500, text="internal"),
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
    ],
)
async def test_key_is_absent_from_errors_and_logs(
    failure: httpx.Response | Exception, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with respx.mock(using="httpx", base_url=BASE) as api:
        if isinstance(failure, Exception):
            api.post("/interactions").mock(side_effect=failure)
        else:
            api.post("/interactions").mock(return_value=failure)
        client = AsyncClient(api_key=SECRET, _sleep=SleepRecorder())
        with pytest.raises(APIError) as caught:
            await client.interactions.create(model="m", input="x")
    error = caught.value
    texts = [str(error), repr(error), error.message, repr(error.request), repr(error.body)]
    texts += [str(error.__cause__), repr(error.__cause__)]
    texts += [record.getMessage() for record in caplog.records]
    assert all(SECRET not in text for text in texts)
    assert caplog.records, "expected a request log line, so the check above means something"


def test_key_is_absent_from_client_reprs() -> None:
    client = Client(api_key=SECRET)
    core = client._async._core
    texts = [repr(client), str(client), repr(client._async), repr(core), str(vars(core))]
    assert all(SECRET not in text for text in texts)
    assert "***" in repr(core._api_key)


def test_key_given_in_a_url_is_masked_in_messages() -> None:
    request = httpx.Request("GET", f"{BASE}/interactions/x?key={SECRET}")
    assert SECRET not in describe_request(request)


def test_core_holds_the_key_only_behind_secret() -> None:
    core = HTTPCore(api_key=SECRET)
    assert core.has_api_key
    assert SECRET not in repr(core.__dict__)
