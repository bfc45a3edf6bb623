"""Which failures a request is sent again after: statuses and failures before
sending always; a lost reply to a create only under `retry_ambiguous=True`."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import respx
from conftest import API_KEY, BASE, SleepRecorder, load_json

from agentloop import APIConnectionError, AsyncClient, ReplyLostError

pytestmark = pytest.mark.anyio

COMPLETED = load_json("response_completed_text.json")


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(using="httpx", base_url=BASE, assert_all_called=False) as router:
        yield router


def client(sleeps: SleepRecorder, **options: object) -> AsyncClient:
    return AsyncClient(api_key=API_KEY, _sleep=sleeps, **options)  # type: ignore[arg-type]


NOT_SENT = [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), httpx.PoolTimeout("")]
LOST = [httpx.ReadError("reset"), httpx.RemoteProtocolError("cut"), httpx.ReadTimeout("slow")]


@pytest.mark.parametrize("failure", NOT_SENT, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("retry_ambiguous", [True, False])
async def test_a_create_that_never_left_is_retried(
    api: respx.MockRouter, sleeps: SleepRecorder, failure: Exception, retry_ambiguous: bool
) -> None:
    route = api.post("/interactions").mock(
        side_effect=[failure, httpx.Response(200, json=COMPLETED)]
    )
    async with client(sleeps, retry_ambiguous=retry_ambiguous) as async_client:
        created = await async_client.interactions.create(model="m", input="x")
    assert created.id == COMPLETED["id"]
    assert route.call_count == 2


@pytest.mark.parametrize("failure", LOST, ids=lambda e: type(e).__name__)
async def test_a_create_whose_reply_was_lost_is_repeated_by_default(
    api: respx.MockRouter, sleeps: SleepRecorder, failure: Exception
) -> None:
    route = api.post("/interactions").mock(
        side_effect=[failure, httpx.Response(200, json=COMPLETED)]
    )
    async with client(sleeps) as async_client:
        await async_client.interactions.create(model="m", input="x")
    assert route.call_count == 2


@pytest.mark.parametrize("failure", LOST, ids=lambda e: type(e).__name__)
async def test_a_create_whose_reply_was_lost_is_not_repeated_when_told(
    api: respx.MockRouter, sleeps: SleepRecorder, failure: Exception
) -> None:
    route = api.post("/interactions").mock(
        side_effect=[failure, httpx.Response(200, json=COMPLETED)]
    )
    async with client(sleeps, retry_ambiguous=False) as async_client:
        with pytest.raises(ReplyLostError, match="retry_ambiguous=False") as caught:
            await async_client.interactions.create(model="m", input="x")
    assert route.call_count == 1
    assert isinstance(caught.value, APIConnectionError)
    assert caught.value.state is None


async def test_a_create_whose_every_reply_was_lost_is_a_reply_lost_error(
    api: respx.MockRouter, sleeps: SleepRecorder
) -> None:
    api.post("/interactions").mock(side_effect=httpx.ReadError("reset"))
    async with client(sleeps, max_retries=2) as async_client:
        with pytest.raises(ReplyLostError, match="2 repeats"):
            await async_client.interactions.create(model="m", input="x")


@pytest.mark.parametrize("failure", LOST, ids=lambda e: type(e).__name__)
async def test_idempotent_requests_are_retried_after_a_lost_reply(
    api: respx.MockRouter, sleeps: SleepRecorder, failure: Exception
) -> None:
    get = api.get(f"/interactions/{COMPLETED['id']}").mock(
        side_effect=[failure, httpx.Response(200, json=COMPLETED)]
    )
    cancel = api.post(f"/interactions/{COMPLETED['id']}/cancel").mock(
        side_effect=[failure, httpx.Response(200, json=COMPLETED)]
    )
    async with client(sleeps, retry_ambiguous=False) as async_client:
        await async_client.interactions.get(COMPLETED["id"])
        await async_client.interactions.cancel(COMPLETED["id"])
    assert (get.call_count, cancel.call_count) == (2, 2)
