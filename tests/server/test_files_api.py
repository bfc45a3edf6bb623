"""The Files API on the local server: agentloop's `client.files` and raw resumable uploads."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator

import httpx
import pytest

from agentloop import AsyncClient, BadRequestError, Image, NotFoundError, PermissionDeniedError
from agentloop.testing import DemoModel, InteractionsServer

pytestmark = pytest.mark.anyio

DATA = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def server() -> InteractionsServer:
    return InteractionsServer(DemoModel(), lenient=False)


@pytest.fixture
async def client(server: InteractionsServer) -> AsyncIterator[AsyncClient]:
    async with server.client() as client:
        yield client


async def test_an_upload_is_active_and_described_like_the_apis(client: AsyncClient) -> None:
    file = await client.files.upload(DATA, mime_type="image/png", display_name="dots.png")
    assert file.name.startswith("files/")
    assert file.state == "ACTIVE"
    assert file.mime_type == "image/png"
    assert file.size_bytes == len(DATA)
    assert file.display_name == "dots.png"
    assert file.sha256_hash == base64.b64encode(hashlib.sha256(DATA).digest()).decode()
    assert file.uri == f"http://agentloop.local/v1beta/{file.name}"
    assert (await client.files.wait_until_active(file)).state == "ACTIVE"
    assert await client.files.get(file.name) == file


async def test_a_chunked_upload_reassembles_the_bytes(
    client: AsyncClient, server: InteractionsServer
) -> None:
    big = DATA * 1700  # about 17 MB: three chunks of the server's 8 MiB granularity
    file = await client.files.upload(big, mime_type="application/octet-stream")
    assert file.size_bytes == len(big)
    assert file.sha256_hash == base64.b64encode(hashlib.sha256(big).digest()).decode()
    assert len(server.files) == 1


async def test_list_pages_through_every_file_and_delete_removes_one(client: AsyncClient) -> None:
    names = [(await client.files.upload(DATA, mime_type="image/png")).name for _ in range(5)]
    listed = await client.files.list(page_size=2)
    assert sorted(f.name for f in listed) == sorted(names)
    await client.files.delete(names[0])
    with pytest.raises(NotFoundError, match="files expire"):
        await client.files.get(names[0])
    with pytest.raises(NotFoundError):
        await client.files.delete(names[0])
    assert len(await client.files.list()) == 4


async def test_an_uploaded_file_can_be_used_in_an_interaction(client: AsyncClient) -> None:
    file = await client.files.upload(DATA, mime_type="image/png")
    interaction = await client.interactions.create(
        model="gemini-2.5-flash",
        input=[Image.from_uri(str(file.uri), "image/png"), "Describe it."],
    )
    assert "1 attachment(s) (image)" in interaction.text


async def test_files_expire_after_48_hours_of_the_servers_clock() -> None:
    now = [1_800_000_000.0]
    server = InteractionsServer(DemoModel(), clock=lambda: now[0])
    async with server.client() as client:
        file = await client.files.upload(DATA, mime_type="image/png")
        now[0] += 48 * 3600
        with pytest.raises(NotFoundError):
            await client.files.get(file)
    assert file.expiration_time == "2027-01-17T08:00:00.000000Z"


# ---- the resumable protocol, raw ------------------------------------------------------


@pytest.fixture
async def http(server: InteractionsServer) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=server)
    async with httpx.AsyncClient(transport=transport, base_url="http://local") as http:
        yield http


def _start_headers(**overrides: str) -> dict[str, str]:
    headers = {
        "x-goog-upload-protocol": "resumable",
        "x-goog-upload-command": "start",
        "x-goog-upload-header-content-length": "4",
        "x-goog-upload-header-content-type": "text/plain",
    }
    headers.update(overrides)
    return {k: v for k, v in headers.items() if v}


@pytest.mark.parametrize(
    ("overrides", "cause"),
    [
        ({"x-goog-upload-protocol": "multipart"}, "resumable"),
        ({"x-goog-upload-command": "upload"}, "start"),
        ({"x-goog-upload-header-content-length": "four"}, "size"),
        ({"x-goog-upload-header-content-type": ""}, "MIME type"),
    ],
)
async def test_a_bad_start_says_which_header_is_wrong(
    http: httpx.AsyncClient, overrides: dict[str, str], cause: str
) -> None:
    response = await http.post("/upload/v1beta/files", headers=_start_headers(**overrides))
    assert response.status_code == 400
    assert cause in response.json()["error"]["message"]


async def test_bytes_at_the_wrong_offset_or_short_of_the_length_are_refused(
    http: httpx.AsyncClient,
) -> None:
    start = await http.post("/upload/v1beta/files", headers=_start_headers(), json={})
    url = start.headers["x-goog-upload-url"]
    assert start.headers["x-goog-upload-status"] == "active"
    wrong = await http.post(
        url, content=b"ab", headers={"x-goog-upload-command": "upload", "x-goog-upload-offset": "2"}
    )
    assert wrong.status_code == 400
    assert "must be 0" in wrong.json()["error"]["message"]
    short = await http.post(
        url,
        content=b"ab",
        headers={"x-goog-upload-command": "upload, finalize", "x-goog-upload-offset": "0"},
    )
    assert short.status_code == 400
    assert "2 of 4" in short.json()["error"]["message"]


async def test_an_unknown_upload_session_is_404(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/upload/v1beta/files?upload_id=nope", headers={"x-goog-upload-command": "upload"}
    )
    assert response.status_code == 404


async def test_a_bad_page_size_is_refused(client: AsyncClient) -> None:
    with pytest.raises(BadRequestError, match="pageSize"):
        await client.files.list(page_size=500)


async def test_content_pointing_at_a_deleted_file_is_refused_like_the_api(
    client: AsyncClient,
) -> None:
    file = await client.files.upload(DATA, mime_type="image/png")
    await client.files.delete(file)
    with pytest.raises(PermissionDeniedError, match="or it may not exist"):
        await client.interactions.create(
            model="gemini-2.5-flash", input=[Image.from_uri(str(file.uri), "image/png"), "Hi"]
        )


async def test_content_pointing_elsewhere_is_not_checked(client: AsyncClient) -> None:
    interaction = await client.interactions.create(
        model="gemini-2.5-flash",
        input=[Image.from_uri("https://example.org/files/cat.png", "image/png"), "Hi"],
    )
    assert interaction.status == "completed"
