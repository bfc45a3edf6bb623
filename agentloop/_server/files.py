"""The Files API on the local server: resumable upload, get, list, delete.

Routes (under `/v1beta` and `/v1`, as Google's):
    POST   /upload/{version}/files        start a resumable upload (x-goog-upload-command: start)
    POST   /upload/{version}/files?upload_id=ID   send bytes ("upload", "upload, finalize")
    GET    /{version}/files               list (pageSize, pageToken)
    GET    /{version}/files/{id}          get
    DELETE /{version}/files/{id}          delete

A finished upload is `ACTIVE` at once (the demo model reads nothing from the bytes).
Files live in memory, for the life of the server; they expire after 48 hours of the
engine's clock, like the API's.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import cast

from .._wire.base import JsonObject
from .asgi import Request, Router
from .engine import ApiError

__all__ = ["FileService"]

EXPIRY_SECONDS = 48 * 3600
CHUNK_GRANULARITY = 8 * 1024 * 1024
MAX_FILE_BYTES = 2 * 1024**3
"""The API's limit per file (2 GB)."""


def _uris(value: object, depth: int = 0) -> list[str]:
    """Every `uri` of the content blocks in a request's input (nested steps included)."""
    if depth > 8:
        return []
    if isinstance(value, dict):
        block = cast(JsonObject, value)
        found: list[str] = [block["uri"]] if isinstance(block.get("uri"), str) else []
        return found + [u for v in block.values() for u in _uris(v, depth + 1)]
    if isinstance(value, list):
        return [u for item in cast(list[object], value) for u in _uris(item, depth + 1)]
    return []


def _timestamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class _Upload:
    size: int
    mime_type: str
    display_name: str | None
    data: bytearray = field(default_factory=bytearray)


@dataclass
class _File:
    id: str
    mime_type: str
    display_name: str | None
    data: bytes
    created: float

    def resource(self, base_url: str, version: str) -> JsonObject:
        body: JsonObject = {
            "name": f"files/{self.id}",
            "mimeType": self.mime_type,
            "sizeBytes": str(len(self.data)),
            "createTime": _timestamp(self.created),
            "updateTime": _timestamp(self.created),
            "expirationTime": _timestamp(self.created + EXPIRY_SECONDS),
            "sha256Hash": base64.b64encode(hashlib.sha256(self.data).digest()).decode(),
            "uri": f"{base_url}/{version}/files/{self.id}",
            "state": "ACTIVE",
            "source": "UPLOADED",
        }
        if self.display_name:
            body["displayName"] = self.display_name
        return body


class FileService:
    """Uploaded files, and the routes that serve them."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._uploads: dict[str, _Upload] = {}
        self._files: dict[str, _File] = {}

    def install(self, router: Router) -> None:
        """Add the Files API routes to `router`."""
        router.add("POST", "/upload/{version}/files", self._upload)
        router.add("GET", "/{version}/files", self._list)
        router.add("GET", "/{version}/files/{id}", self._get)
        router.add("DELETE", "/{version}/files/{id}", self._delete)

    def is_upload_session(self, request: Request) -> bool:
        """Whether `request` sends bytes to an upload session this server started."""
        return (
            request.path.startswith("/upload/")
            and request.query.get("upload_id", "") in self._uploads
        )

    def check_uris(self, value: object, base_url: str) -> None:
        """Refuse (403, as the API) content that points at a file of this server that is
        not there (never uploaded, deleted or expired)."""
        for uri in _uris(value):
            for version in ("v1beta", "v1"):
                prefix = f"{base_url}/{version}/files/"
                if uri.startswith(prefix):
                    id = uri.removeprefix(prefix)
                    self._expire()
                    if id not in self._files:
                        raise ApiError(
                            403,
                            "PERMISSION_DENIED",
                            f"You do not have permission to access the File {id} or it may "
                            "not exist.",
                        )

    def __len__(self) -> int:
        self._expire()
        return len(self._files)

    def _expire(self) -> None:
        now = self._clock()
        for id in [i for i, f in self._files.items() if f.created + EXPIRY_SECONDS <= now]:
            del self._files[id]

    def _find(self, id: str) -> _File:
        self._expire()
        found = self._files.get(id.removeprefix("files/"))
        if found is None:
            raise ApiError(
                404, "NOT_FOUND", f"File files/{id} does not exist (never uploaded, or deleted)."
            )
        return found

    async def _upload(self, request: Request) -> None:
        upload_id = request.query.get("upload_id")
        if upload_id is None:
            await self._start(request)
        else:
            await self._send_bytes(request, upload_id)

    async def _start(self, request: Request) -> None:
        if (request.header("x-goog-upload-protocol") or "").lower() != "resumable":
            raise ApiError(
                400,
                "INVALID_ARGUMENT",
                "Only resumable uploads are served: send x-goog-upload-protocol: resumable.",
            )
        if (request.header("x-goog-upload-command") or "").lower() != "start":
            raise ApiError(
                400, "INVALID_ARGUMENT", "Start the upload with x-goog-upload-command: start."
            )
        length = request.header("x-goog-upload-header-content-length")
        mime_type = request.header("x-goog-upload-header-content-type")
        if length is None or not length.isdigit():
            raise ApiError(
                400,
                "INVALID_ARGUMENT",
                "x-goog-upload-header-content-length must give the file's size in bytes.",
            )
        if int(length) > MAX_FILE_BYTES:
            raise ApiError(400, "INVALID_ARGUMENT", "Files are limited to 2 GB.")
        if not mime_type:
            raise ApiError(
                400,
                "INVALID_ARGUMENT",
                "x-goog-upload-header-content-type must give the file's MIME type.",
            )
        body = await request.json()
        given = body.get("file")
        file: JsonObject = cast(JsonObject, given) if isinstance(given, dict) else {}
        display_name = file.get("display_name") or file.get("displayName")
        upload_id = secrets.token_urlsafe(16)
        self._uploads[upload_id] = _Upload(int(length), mime_type, display_name)
        url = f"{request.base_url}/upload/{request.params['version']}/files?upload_id={upload_id}"
        await request.reply(
            200,
            {},
            [
                (b"x-goog-upload-url", url.encode()),
                (b"x-goog-upload-status", b"active"),
                (b"x-goog-upload-chunk-granularity", str(CHUNK_GRANULARITY).encode()),
            ],
        )

    async def _send_bytes(self, request: Request, upload_id: str) -> None:
        upload = self._uploads.get(upload_id)
        if upload is None:
            raise ApiError(404, "NOT_FOUND", "No upload session with this upload_id.")
        commands = {
            c.strip() for c in (request.header("x-goog-upload-command") or "").lower().split(",")
        }
        if not commands & {"upload", "finalize", "query"}:
            raise ApiError(
                400,
                "INVALID_ARGUMENT",
                "x-goog-upload-command must be upload, 'upload, finalize' or query.",
            )
        data = await request.body()
        if "upload" in commands:
            offset = request.header("x-goog-upload-offset")
            if offset is None or not offset.isdigit() or int(offset) != len(upload.data):
                raise ApiError(
                    400,
                    "INVALID_ARGUMENT",
                    f"x-goog-upload-offset must be {len(upload.data)} (the bytes received).",
                )
            upload.data += data
            if len(upload.data) > upload.size:
                del self._uploads[upload_id]
                raise ApiError(
                    400, "INVALID_ARGUMENT", "More bytes than the announced content length."
                )
        received = str(len(upload.data)).encode()
        if "finalize" not in commands:
            await request.reply(
                200,
                {},
                [(b"x-goog-upload-status", b"active"), (b"x-goog-upload-size-received", received)],
            )
            return
        if len(upload.data) != upload.size:
            raise ApiError(
                400,
                "INVALID_ARGUMENT",
                f"Finalized after {len(upload.data)} of {upload.size} announced bytes.",
            )
        del self._uploads[upload_id]
        id = secrets.token_hex(6)
        stored = _File(id, upload.mime_type, upload.display_name, bytes(upload.data), self._clock())
        self._files[id] = stored
        resource = stored.resource(request.base_url, request.params["version"])
        await request.reply(200, {"file": resource}, [(b"x-goog-upload-status", b"final")])

    async def _get(self, request: Request) -> None:
        found = self._find(request.params["id"])
        await request.reply(200, found.resource(request.base_url, request.params["version"]))

    async def _list(self, request: Request) -> None:
        self._expire()
        query = request.query
        size_text = query.get("pageSize", "100")
        if not size_text.isdigit() or not 1 <= int(size_text) <= 100:
            raise ApiError(400, "INVALID_ARGUMENT", "pageSize must be between 1 and 100.")
        ordered = sorted(self._files.values(), key=lambda f: (-f.created, f.id))
        start = 0
        if token := query.get("pageToken"):
            ids = [f.id for f in ordered]
            if token not in ids:
                raise ApiError(400, "INVALID_ARGUMENT", "Invalid pageToken.")
            start = ids.index(token)
        page = ordered[start : start + int(size_text)]
        body: JsonObject = {
            "files": [f.resource(request.base_url, request.params["version"]) for f in page]
        }
        if start + len(page) < len(ordered):
            body["nextPageToken"] = ordered[start + len(page)].id
        await request.reply(200, body)

    async def _delete(self, request: Request) -> None:
        found = self._find(request.params["id"])
        del self._files[found.id]
        await request.reply(200, {})
