"""The Gemini Files API: upload (resumable protocol), get, list, delete, wait until active.

Uploads stream from disk in chunks (only one chunk in memory at a time); each chunk
is retried like any request. Use the returned `File.uri` in content:
`Image.from_uri(file.uri)` or `{"type": "image", "uri": file.uri}`.
"""

from __future__ import annotations

import builtins
import functools
import gc
import mimetypes
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import cast

import anyio
import httpx

from .._errors import APIError, UserError
from .._sync import run_sync
from .._wire.file import File
from .core import HTTPCore, path_segment

__all__ = ["AsyncFiles", "Files", "upload_resumable"]

DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024
"""Bytes per upload request: large enough to be fast, small enough to keep memory flat."""


def _file_name(file: str | File) -> str:
    name = file.name if isinstance(file, File) else file
    # Callers without a type checker may pass anything.
    if not isinstance(cast(object, name), str):
        raise UserError(f"not a file name: {name!r}")
    return f"files/{path_segment(name.removeprefix('files/'), 'file name')}"


async def file_chunks(path: anyio.Path, size: int) -> AsyncIterator[bytes]:
    async with await anyio.open_file(path, "rb") as stream:
        while chunk := await stream.read(size):
            yield chunk


async def bytes_chunks(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, max(len(data), 1), size):
        yield data[start : start + size]


async def upload_resumable(
    core: HTTPCore,
    method: str,
    url: str,
    data: bytes | str | os.PathLike[str],
    *,
    size: int,
    mime_type: str,
    chunk_size: int,
    body: object | None = None,
    params: dict[str, str] | None = None,
) -> httpx.Response:
    """Google's resumable upload: open a session at `url`, then send `data` (bytes, or
    a local file streamed from disk) in chunks; the final chunk's response."""
    start = await core.request(
        method,
        "",
        url=url,
        body=body,
        params=params,
        idempotent=True,  # opening another upload session leaves nothing behind
        headers={
            "x-goog-upload-protocol": "resumable",
            "x-goog-upload-command": "start",
            "x-goog-upload-header-content-length": str(size),
            "x-goog-upload-header-content-type": mime_type,
        },
    )
    upload_url = start.headers.get("x-goog-upload-url")
    if not upload_url:
        raise APIError("the upload session did not return an x-goog-upload-url header")
    granularity = int(start.headers.get("x-goog-upload-chunk-granularity") or 1)
    chunk_size = max(granularity, chunk_size // granularity * granularity)
    chunks = (
        bytes_chunks(data, chunk_size)
        if isinstance(data, bytes)
        else file_chunks(anyio.Path(data), chunk_size)
    )
    return await send_chunks(core, upload_url, chunks, size)


async def send_chunks(
    core: HTTPCore, upload_url: str, chunks: AsyncIterator[bytes], size: int
) -> httpx.Response:
    """Send a resumable upload's bytes, chunk by chunk; the last one finalizes."""
    # Look one chunk ahead: the last chunk carries "upload, finalize".
    offset = 0
    pending = await anext(chunks, b"")
    while True:
        following = await anext(chunks, None)
        last = following is None or offset + len(pending) >= size
        response = await core.request(
            "POST",
            "",
            url=upload_url,
            content=pending,
            idempotent=True,  # a chunk names its offset: sending it again is safe
            headers={
                "x-goog-upload-command": "upload, finalize" if last else "upload",
                "x-goog-upload-offset": str(offset),
                "content-length": str(len(pending)),
            },
        )
        offset += len(pending)
        if last or following is None:
            return response
        pending = following
        # httpx responses sit in a reference cycle (response <-> its stream), so
        # the chunk its request carries lives until the cyclic GC runs. Collect
        # the young generation now: memory stays at a few chunks, not the file.
        del response
        gc.collect(0)


class AsyncFiles:
    """`client.files` of an `AsyncClient`."""

    def __init__(self, core: HTTPCore) -> None:
        self._core = core

    async def upload(
        self,
        file: str | Path | bytes,
        *,
        mime_type: str | None = None,
        display_name: str | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> File:
        """Upload a file (a path, streamed from disk, or bytes) and return it.

        The mime type is guessed from the file name when not given.
        """
        if isinstance(file, bytes):
            size = len(file)
            if mime_type is None:
                raise UserError("files.upload(bytes): pass mime_type=")
        else:
            path = anyio.Path(file)
            if not await path.is_file():
                raise UserError(f"files.upload: no such file: {path}")
            size = (await path.stat()).st_size
            mime_type = mime_type or mimetypes.guess_type(path.name)[0]
            if mime_type is None:
                raise UserError(
                    f"files.upload: cannot tell the type of {path.name}; pass mime_type="
                )
            display_name = display_name or path.name
        metadata: dict[str, object] = {}
        if display_name:
            metadata["display_name"] = display_name
        core = self._core
        response = await upload_resumable(
            core,
            "POST",
            f"{core.base_url}/upload/{core.api_version}/files",
            file,
            size=size,
            mime_type=mime_type,
            chunk_size=chunk_size,
            body={"file": metadata},
        )
        body = response.json()
        return File.model_validate(body.get("file", body))

    async def get(self, name: str | File) -> File:
        """The file's current metadata (`state` tells whether it is ready)."""
        response = await self._core.request("GET", _file_name(name))
        return File.model_validate_json(response.content)

    async def delete(self, name: str | File) -> None:
        """Delete the file."""
        await self._core.request("DELETE", _file_name(name))

    async def list(self, *, page_size: int = 100) -> builtins.list[File]:
        """Every file of the project (all pages)."""
        files: builtins.list[File] = []
        token: str | None = None
        while True:
            params = {"pageSize": str(page_size)}
            if token:
                params["pageToken"] = token
            body = (await self._core.request("GET", "files", params=params)).json()
            files.extend(File.model_validate(item) for item in body.get("files", []))
            token = body.get("nextPageToken") or body.get("next_page_token")
            if not token:
                return files

    async def wait_until_active(
        self, file: str | File, *, timeout: float = 300.0, poll_interval: float = 1.0
    ) -> File:
        """Poll until the file is `ACTIVE`; raise `APIError` if processing failed,
        `TimeoutError` after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        current = file if isinstance(file, File) and file.state else await self.get(file)
        while current.state != "ACTIVE":
            if current.state == "FAILED":
                raise APIError(f"processing of {current.name} failed: {current.error}")
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{current.name} is still {current.state} after {timeout} s")
            await anyio.sleep(poll_interval)
            current = await self.get(current)
        return current


class Files:
    """`client.files` of a blocking `Client`; see `AsyncFiles`."""

    def __init__(self, files: AsyncFiles) -> None:
        self._async = files

    def upload(
        self,
        file: str | Path | bytes,
        *,
        mime_type: str | None = None,
        display_name: str | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> File:
        return run_sync(
            functools.partial(
                self._async.upload,
                file,
                mime_type=mime_type,
                display_name=display_name,
                chunk_size=chunk_size,
            )
        )

    def get(self, name: str | File) -> File:
        return run_sync(functools.partial(self._async.get, name))

    def delete(self, name: str | File) -> None:
        run_sync(functools.partial(self._async.delete, name))

    def list(self, *, page_size: int = 100) -> builtins.list[File]:
        return run_sync(functools.partial(self._async.list, page_size=page_size))

    def wait_until_active(
        self, file: str | File, *, timeout: float = 300.0, poll_interval: float = 1.0
    ) -> File:
        return run_sync(
            functools.partial(
                self._async.wait_until_active, file, timeout=timeout, poll_interval=poll_interval
            )
        )
