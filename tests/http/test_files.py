"""The Files API: resumable upload protocol, get/list/delete, wait until active."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import httpx
import pytest
import respx
from conftest import API_KEY, BASE, SleepRecorder

from agentloop import APIError, AsyncClient, Client, UserError
from agentloop.types import File

pytestmark = pytest.mark.anyio

ROOT = "https://generativelanguage.googleapis.com"
UPLOAD_URL = f"{ROOT}/upload/v1beta/files/session-abc?upload_protocol=resumable"
FILE = {
    "name": "files/abc123",
    "displayName": "cats.jpg",
    "mimeType": "image/jpeg",
    "sizeBytes": "10",
    "uri": f"{ROOT}/v1beta/files/abc123",
    "state": "PROCESSING",
}


async def test_resumable_upload_protocol(tmp_path: Path) -> None:
    path = tmp_path / "cats.jpg"
    path.write_bytes(b"0123456789")
    with respx.mock(using="httpx") as api:
        start = api.post(f"{ROOT}/upload/v1beta/files").respond(
            headers={"x-goog-upload-url": UPLOAD_URL, "x-goog-upload-chunk-granularity": "4"}
        )
        chunks = api.post(UPLOAD_URL).respond(json={"file": FILE})
        uploaded = await AsyncClient(api_key=API_KEY).files.upload(path, chunk_size=4)
    started = start.calls.last.request
    assert started.headers["x-goog-upload-protocol"] == "resumable"
    assert started.headers["x-goog-upload-command"] == "start"
    assert started.headers["x-goog-upload-header-content-length"] == "10"
    assert started.headers["x-goog-upload-header-content-type"] == "image/jpeg"
    assert json.loads(started.content) == {"file": {"display_name": "cats.jpg"}}
    sent = [
        (
            c.request.headers["x-goog-upload-command"],
            c.request.headers["x-goog-upload-offset"],
            c.request.content,
        )
        for c in chunks.calls
    ]
    assert sent == [
        ("upload", "0", b"0123"),
        ("upload", "4", b"4567"),
        ("upload, finalize", "8", b"89"),
    ]
    assert uploaded.name == "files/abc123"
    assert uploaded.mime_type == "image/jpeg"
    assert uploaded.size_bytes == 10
    assert uploaded.uri == FILE["uri"]


async def test_a_failed_chunk_is_retried() -> None:
    with respx.mock(using="httpx") as api:
        api.post(f"{ROOT}/upload/v1beta/files").respond(headers={"x-goog-upload-url": UPLOAD_URL})
        chunk = api.post(UPLOAD_URL).mock(
            side_effect=[httpx.Response(503), httpx.Response(200, json={"file": FILE})]
        )
        client = AsyncClient(api_key=API_KEY, _sleep=SleepRecorder())
        uploaded = await client.files.upload(b"hello", mime_type="text/plain")
    assert uploaded.name == "files/abc123"
    assert [c.request.headers["x-goog-upload-offset"] for c in chunk.calls] == ["0", "0"]


async def test_large_upload_streams_from_disk(tmp_path: Path) -> None:
    size = 50 * 1024 * 1024
    path = tmp_path / "big.mp4"
    with path.open("wb") as f:
        f.truncate(size)
    received = 0
    offsets: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal received
        if request.headers.get("x-goog-upload-command") == "start":
            return httpx.Response(200, headers={"x-goog-upload-url": UPLOAD_URL})
        offsets.append(int(request.headers["x-goog-upload-offset"]))
        received += len(request.content)
        return httpx.Response(200, json={"file": {**FILE, "sizeBytes": str(size)}})

    client = AsyncClient(api_key=API_KEY, transport=httpx.MockTransport(handler))
    tracemalloc.start()
    try:
        await client.files.upload(path, chunk_size=4 * 1024 * 1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert received == size
    assert offsets == [n * 4 * 1024 * 1024 for n in range(13)]
    assert peak < 16 * 1024 * 1024  # a few chunks at most, never the whole 50 MB


async def test_get_list_delete() -> None:
    with respx.mock(using="httpx", base_url=BASE) as api:
        api.get("/files/abc123").respond(json={**FILE, "state": "ACTIVE"})
        listing = api.get("/files").mock(
            side_effect=[
                httpx.Response(200, json={"files": [FILE], "nextPageToken": "p2"}),
                httpx.Response(200, json={"files": [{**FILE, "name": "files/xyz"}]}),
            ]
        )
        deleted = api.delete("/files/abc123").respond(json={})
        client = AsyncClient(api_key=API_KEY)
        assert (await client.files.get("abc123")).state == "ACTIVE"
        names = [f.name for f in await client.files.list(page_size=1)]
        await client.files.delete(File.model_validate(FILE))
    assert names == ["files/abc123", "files/xyz"]
    assert listing.calls[1].request.url.params["pageToken"] == "p2"
    assert deleted.called


async def test_wait_until_active() -> None:
    with respx.mock(using="httpx", base_url=BASE) as api:
        api.get("/files/abc123").mock(
            side_effect=[
                httpx.Response(200, json=FILE),
                httpx.Response(200, json={**FILE, "state": "ACTIVE"}),
            ]
        )
        api.get("/files/bad").respond(json={**FILE, "name": "files/bad", "state": "FAILED"})
        client = AsyncClient(api_key=API_KEY)
        active = await client.files.wait_until_active("files/abc123", poll_interval=0)
        assert active.state == "ACTIVE"
        with pytest.raises(APIError, match="failed"):
            await client.files.wait_until_active("bad", poll_interval=0)


async def test_wait_until_active_times_out() -> None:
    with respx.mock(using="httpx", base_url=BASE) as api:
        api.get("/files/abc123").respond(json=FILE)
        with pytest.raises(TimeoutError, match="PROCESSING"):
            await AsyncClient(api_key=API_KEY).files.wait_until_active(
                "abc123", timeout=0.02, poll_interval=0.01
            )


async def test_upload_input_errors(tmp_path: Path) -> None:
    client = AsyncClient(api_key=API_KEY)
    with pytest.raises(UserError, match="no such file"):
        await client.files.upload(tmp_path / "missing.png")
    with pytest.raises(UserError, match="mime_type"):
        await client.files.upload(b"data")
    odd = tmp_path / "blob.unknownext"
    odd.write_bytes(b"x")
    with pytest.raises(UserError, match="mime_type"):
        await client.files.upload(odd)


def test_sync_files_face() -> None:
    with respx.mock(using="httpx", base_url=BASE) as api:
        api.get("/files/abc123").respond(json={**FILE, "state": "ACTIVE"})
        with Client(api_key=API_KEY) as client:
            assert client.files.wait_until_active("abc123").uri == FILE["uri"]
