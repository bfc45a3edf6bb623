"""Environment workspaces: the files a sandbox holds, on disk or in memory.

With a data directory, an environment's files live under `<data_dir>/environments/<id>/`
(paths are checked to stay inside it); without one, in a dict. Uploads follow the
resumable protocol: a session URL, chunks at increasing offsets, `finalize` on the last.
"""

from __future__ import annotations

import mimetypes
import posixpath
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from .._wire.base import JsonObject
from .engine import ApiError
from .http import new_id, timestamp

__all__ = ["UploadSession", "Workspaces"]


def clean_path(path: str) -> str:
    """A workspace-relative path, or 400 if it tries to leave the workspace."""
    normal = posixpath.normpath("/" + path.strip("/")).lstrip("/")
    if normal in ("", ".") and path.strip("/"):
        raise ApiError(400, "INVALID_ARGUMENT", f"Invalid file path '{path}'.")
    if normal.startswith("..") or any(part == ".." for part in path.split("/")):
        raise ApiError(400, "INVALID_ARGUMENT", f"File path '{path}' leaves the workspace.")
    return "" if normal == "." else normal


@dataclass(slots=True, kw_only=True)
class UploadSession:
    """A started upload: where it goes and what has arrived."""

    environment: str
    path: str
    size: int
    mime_type: str
    overwrite: bool
    received: bytearray = field(default_factory=bytearray)


class Workspaces:
    """Every environment's files."""

    def __init__(self, data_dir: str | Path | None = None) -> None:
        self.root = Path(data_dir) / "environments" if data_dir is not None else None
        self._memory: dict[str, dict[str, tuple[bytes, float]]] = {}
        self.sessions: dict[str, UploadSession] = {}

    def _dir(self, environment: str) -> Path:
        assert self.root is not None
        return self.root / environment

    def create(self, environment: str) -> None:
        if self.root is None:
            self._memory.setdefault(environment, {})
        else:
            self._dir(environment).mkdir(parents=True, exist_ok=True)

    def delete(self, environment: str) -> None:
        if self.root is None:
            self._memory.pop(environment, None)
        else:
            shutil.rmtree(self._dir(environment), ignore_errors=True)

    def write(self, environment: str, path: str, data: bytes, *, overwrite: bool = True) -> None:
        path = clean_path(path)
        if not path:
            raise ApiError(400, "INVALID_ARGUMENT", "A file path is required.")
        if not overwrite and self.read(environment, path) is not None:
            raise ApiError(409, "ALREADY_EXISTS", f"File '{path}' already exists.")
        if self.root is None:
            self._memory.setdefault(environment, {})[path] = (data, time.time())
            return
        target = self._dir(environment) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def read(self, environment: str, path: str) -> bytes | None:
        path = clean_path(path)
        if self.root is None:
            entry = self._memory.get(environment, {}).get(path)
            return entry[0] if entry else None
        target = self._dir(environment) / path
        return target.read_bytes() if path and target.is_file() else None

    def _all(self, environment: str) -> dict[str, tuple[int, float]]:
        """Every file: path -> (size, modified)."""
        if self.root is None:
            return {
                path: (len(data), modified)
                for path, (data, modified) in self._memory.get(environment, {}).items()
            }
        base = self._dir(environment)
        return {
            file.relative_to(base).as_posix(): (file.stat().st_size, file.stat().st_mtime)
            for file in sorted(base.rglob("*"))
            if file.is_file()
        }

    def stats(self, environment: str) -> tuple[int, int]:
        """(file count, total bytes)."""
        files = self._all(environment)
        return len(files), sum(size for size, _ in files.values())

    def entry(self, path: str, size: int | None, modified: float | None) -> JsonObject:
        """A file (size given) or directory, as the API describes it."""
        item: JsonObject = {"path": path, "name": posixpath.basename(path) or "/"}
        if size is None:
            item["type"] = "directory"
        else:
            item.update(
                type="file",
                size_bytes=size,
                mime_type=mimetypes.guess_type(path)[0] or "application/octet-stream",
            )
        if modified is not None:
            item["modified"] = timestamp(modified)
        return item

    def list(self, environment: str, path: str, *, recursive: bool) -> list[JsonObject]:
        """The entries under `path` (a file's own entry if `path` is a file); 404 if none."""
        path = clean_path(path)
        files = self._all(environment)
        if path in files:
            size, modified = files[path]
            return [self.entry(path, size, modified)]
        prefix = f"{path}/" if path else ""
        entries: dict[str, JsonObject] = {}
        for name, (size, modified) in files.items():
            if not name.startswith(prefix):
                continue
            rest = name[len(prefix) :]
            if recursive or "/" not in rest:
                entries[name] = self.entry(name, size, modified)
            else:
                directory = prefix + rest.split("/", 1)[0]
                entries.setdefault(directory, self.entry(directory, None, None))
        if path and not entries:
            raise ApiError(404, "NOT_FOUND", f"No file or directory '{path}' in this environment.")
        return [entries[name] for name in sorted(entries)]

    # ---- uploads ---------------------------------------------------------------

    def start_upload(
        self, environment: str, path: str, *, size: int, mime_type: str, overwrite: bool
    ) -> str:
        path = clean_path(path)
        if not path:
            raise ApiError(400, "INVALID_ARGUMENT", "A destination file path is required.")
        if not overwrite and self.read(environment, path) is not None:
            raise ApiError(409, "ALREADY_EXISTS", f"File '{path}' already exists.")
        session = new_id("upload")
        self.sessions[session] = UploadSession(
            environment=environment, path=path, size=size, mime_type=mime_type, overwrite=overwrite
        )
        return session

    def receive(
        self, session_id: str, offset: int, data: bytes, *, finalize: bool
    ) -> JsonObject | None:
        """Take one chunk; on `finalize`, store the file and return its entry."""
        session = self.sessions.get(session_id)
        if session is None:
            raise ApiError(404, "NOT_FOUND", "Unknown or finished upload session.")
        if offset != len(session.received):
            raise ApiError(
                400,
                "INVALID_ARGUMENT",
                f"Upload offset {offset} does not follow the {len(session.received)} bytes "
                "received so far.",
            )
        session.received.extend(data)
        if len(session.received) > session.size:
            del self.sessions[session_id]
            raise ApiError(400, "INVALID_ARGUMENT", "More bytes than the announced length.")
        if not finalize:
            return None
        del self.sessions[session_id]
        if len(session.received) != session.size:
            raise ApiError(
                400,
                "INVALID_ARGUMENT",
                f"Upload finalized after {len(session.received)} of {session.size} bytes.",
            )
        self.write(session.environment, session.path, bytes(session.received))
        entry = self.entry(session.path, session.size, time.time())
        entry["mime_type"] = session.mime_type
        return entry
