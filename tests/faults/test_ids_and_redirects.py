"""Ids are one path segment, and the API key never leaves the configured origin."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from agentloop import APIStatusError, AsyncClient, NotFoundError, UserError

from .conftest import KEY, fast_client
from .hostile import Fault, HostileServer

pytestmark = pytest.mark.anyio

ODD_IDS = ["a/b", "a#b", "a?b=c", "%2F", "%00", "..a", "a b", "é", "a;b", "int_1/../x"]
BAD_IDS = ["", ".", "..", "a\nb", "a\x00b", "\x7f", "a\rb"]


@pytest.mark.parametrize("odd_id", ODD_IDS)
async def test_an_id_is_sent_as_one_segment(server: HostileServer, odd_id: str) -> None:
    async with fast_client(server) as client:
        with pytest.raises(NotFoundError):
            await client.interactions.get(odd_id)
        await client.interactions.delete(odd_id)
    segment = quote(odd_id, safe="")
    assert [request.path for request in server.requests] == [
        f"/v1beta/interactions/{segment}",
        f"/v1beta/interactions/{segment}",
    ]


@pytest.mark.parametrize("bad_id", BAD_IDS)
async def test_an_id_that_cannot_name_an_interaction_is_refused_before_sending(
    server: HostileServer, bad_id: str
) -> None:
    async with fast_client(server) as client:
        for call in (
            client.interactions.get(bad_id),
            client.interactions.get(bad_id, stream=True),
            client.interactions.delete(bad_id),
            client.interactions.cancel(bad_id),
            client.files.get(bad_id),
        ):
            with pytest.raises(UserError, match="not a valid"):
                await call
    assert server.requests == []


async def test_a_file_name_is_one_segment(server: HostileServer) -> None:
    async with fast_client(server) as client:
        with pytest.raises(NotFoundError):
            await client.files.get("files/a/b#c")
    assert server.requests[0].path == "/v1beta/files/a%2Fb%23c"


@pytest.fixture
def other() -> object:
    with HostileServer() as running:
        yield running


@pytest.mark.parametrize("injected", [False, True], ids=["own_client", "user_client"])
@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_a_redirect_to_another_origin_never_gets_the_key(
    server: HostileServer, other: HostileServer, injected: bool, status: int
) -> None:
    target = f"{other.base_url}/v1beta/interactions"
    server.plan = lambda request: Fault("status", status=status, headers={"location": target})
    user_client = httpx.AsyncClient(follow_redirects=True) if injected else None
    try:
        async with fast_client(server, http_client=user_client) as client:
            with pytest.raises(APIStatusError, match="not followed") as caught:
                await client.interactions.create(model="m", input="text:3")
            with pytest.raises(APIStatusError):
                await client.interactions.get("int_1")
    finally:
        if user_client is not None:
            await user_client.aclose()
    assert caught.value.status_code == status
    assert other.requests == []
    assert KEY not in str(caught.value)


async def test_an_upload_url_on_another_origin_is_sent_without_the_key(
    server: HostileServer, other: HostileServer
) -> None:
    # The upload session URL comes from the server's reply: on another origin, it
    # gets the bytes but never the key.
    server.upload_url = f"{other.base_url}/upload/session/1"
    async with AsyncClient(api_key=KEY, base_url=server.base_url) as client:
        with pytest.raises(NotFoundError):
            await client.files.upload(b"hello", mime_type="text/plain")
    assert server.requests[0].headers["x-goog-api-key"] == KEY
    assert other.requests[0].path == "/upload/session/1"
    assert "x-goog-api-key" not in other.requests[0].headers
