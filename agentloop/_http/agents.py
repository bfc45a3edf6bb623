"""Managed agents (`/agents`) and their sandboxes (`/environments`, with workspace files).

Async implementations; the blocking faces (`Agents`, `Environments`, ...) wrap them
method by method. Uploads use the resumable protocol and stream from disk, as the
Files API does (`files.py`).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

import anyio
import httpx

from .._errors import UserError
from .._wire.base import JsonObject
from .._wire.resources import EnvironmentFile, EnvironmentResource, ManagedAgent
from .core import HTTPCore
from .files import DEFAULT_CHUNK_SIZE, upload_resumable
from .paging import AsyncPager, blocking, blocking_list, drop_none, parse, segment

__all__ = [
    "Agents",
    "AsyncAgents",
    "AsyncEnvironmentFiles",
    "AsyncEnvironments",
    "EnvironmentFiles",
    "Environments",
]

Timeout = float | httpx.Timeout | None


class AsyncAgents:
    """`client.agents` of an `AsyncClient`: saved managed agents."""

    def __init__(self, core: HTTPCore) -> None:
        self._core = core

    async def create(
        self,
        *,
        id: str | None = None,
        base_agent: str | None = None,
        description: str | None = None,
        system_instruction: str | None = None,
        base_environment: JsonObject | str | None = None,
        agent_config: JsonObject | None = None,
        tools: Sequence[JsonObject | Any] | None = None,
        extra_body: JsonObject | None = None,
        timeout: Timeout = None,
    ) -> ManagedAgent:
        """Save a managed agent (`POST /agents`).

        Args:
            id: the agent's id (the server picks one when omitted).
            base_agent: the agent it extends, e.g. `antigravity-preview-09-2026`.
            base_environment: an environment id, or `{"type": "remote", "sources": ...}`.
            tools: tool declarations (dicts, or objects with `to_dict()`); `function`
                tools come back to the client as `requires_action`.
            extra_body: extra fields merged into the body as given.
        """
        body = drop_none(
            id=id,
            base_agent=base_agent,
            description=description,
            system_instruction=system_instruction,
            base_environment=base_environment,
            agent_config=agent_config,
            tools=list(tools) if tools is not None else None,
        )
        body.update(extra_body or {})
        response = await self._core.request("POST", "agents", body=body, timeout=timeout)
        return parse(ManagedAgent, response)

    async def get(self, id: str, *, timeout: Timeout = None) -> ManagedAgent:
        """A saved agent (`GET /agents/{id}`); `agents/<id>` is accepted too."""
        path = f"agents/{segment(id, 'agent', prefix='agents')}"
        return parse(ManagedAgent, await self._core.request("GET", path, timeout=timeout))

    def list(
        self, *, page_size: int | None = None, page_token: str | None = None
    ) -> AsyncPager[ManagedAgent]:
        """Every saved agent, page by page (`GET /agents`)."""
        return AsyncPager(
            self._core,
            "agents",
            key="agents",
            model=ManagedAgent,
            page_size=page_size,
            page_token=page_token,
        )

    async def delete(self, id: str, *, timeout: Timeout = None) -> None:
        """Delete a saved agent (`DELETE /agents/{id}`)."""
        path = f"agents/{segment(id, 'agent', prefix='agents')}"
        await self._core.request("DELETE", path, timeout=timeout)


def _env_id(environment: str | EnvironmentResource) -> str:
    value = environment.id if isinstance(environment, EnvironmentResource) else environment
    return segment(value, "environment", prefix="environments")


def _file_path(path: str) -> str:
    clean = path.strip("/")
    if any(part in ("..", ".") for part in clean.split("/")):
        raise UserError(f"environment file paths are relative to the workspace root: {path!r}")
    return quote(clean, safe="/-_.~")


class AsyncEnvironmentFiles:
    """`client.environments.files`: list, upload and download workspace files."""

    def __init__(self, core: HTTPCore) -> None:
        self._core = core

    def list(
        self,
        environment: str | EnvironmentResource,
        path: str = "",
        *,
        recursive: bool | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> AsyncPager[EnvironmentFile]:
        """The files under `path` (the workspace root by default), page by page."""
        params = {"recursive": "true"} if recursive else None
        return AsyncPager(
            self._core,
            f"environments/{_env_id(environment)}/files/{_file_path(path)}",
            key="files",
            model=EnvironmentFile,
            params=params,
            page_size=page_size,
            page_token=page_token,
        )

    async def upload(
        self,
        environment: str | EnvironmentResource,
        path: str,
        data: str | Path | bytes,
        *,
        mime_type: str | None = None,
        overwrite: bool | None = None,
        extract: bool | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> EnvironmentFile:
        """Put `data` (bytes, or a local file streamed from disk) at `path` in the
        workspace. With `extract=True` a tar archive is unpacked into `path`."""
        if not path.strip("/"):
            raise UserError("environments.files.upload: pass the destination path")
        if isinstance(data, bytes):
            size = len(data)
        else:
            local = anyio.Path(data)
            if not await local.is_file():
                raise UserError(f"environments.files.upload: no such file: {local}")
            size = (await local.stat()).st_size
            mime_type = mime_type or mimetypes.guess_type(local.name)[0]
        mime_type = mime_type or mimetypes.guess_type(path)[0] or "application/octet-stream"
        params: dict[str, str] = {}
        if overwrite is not None:
            params["overwrite"] = "true" if overwrite else "false"
        if extract is not None:
            params["extract"] = "true" if extract else "false"
        core = self._core
        response = await upload_resumable(
            core,
            "PUT",
            f"{core.base_url}/upload/{core.api_version}/environments/"
            f"{_env_id(environment)}/files/{_file_path(path)}",
            data,
            size=size,
            mime_type=mime_type,
            chunk_size=chunk_size,
            params=params or None,
        )
        body: Any = response.json() if response.content.strip() else {}
        if isinstance(body, dict):
            found = cast(JsonObject, body)
            if isinstance(found.get("files"), list) and found["files"]:
                body = found["files"][0]
            elif isinstance(found.get("file"), dict):
                body = found["file"]
        if not isinstance(body, dict) or not body:
            body = {"path": path.strip("/"), "size_bytes": size, "mime_type": mime_type}
        return EnvironmentFile.model_validate(body)

    async def download(
        self,
        environment: str | EnvironmentResource,
        path: str,
        *,
        to: str | Path | None = None,
        timeout: Timeout = None,
    ) -> bytes | None:
        """A workspace file's bytes (`?alt=media`); with `to=`, streamed into that local
        file instead (and None is returned)."""
        target = f"environments/{_env_id(environment)}/files/{_file_path(path)}"
        if to is None:
            response = await self._core.request(
                "GET", target, params={"alt": "media"}, timeout=timeout
            )
            return response.content
        response = await self._core.request(
            "GET", target, params={"alt": "media"}, stream=True, timeout=timeout
        )
        try:
            async with await anyio.open_file(to, "wb") as sink:
                async for chunk in response.aiter_bytes():
                    await sink.write(chunk)
        finally:
            await response.aclose()
        return None


class AsyncEnvironments:
    """`client.environments` of an `AsyncClient`: sandboxes for managed agents."""

    def __init__(self, core: HTTPCore) -> None:
        self._core = core
        self.files: AsyncEnvironmentFiles = AsyncEnvironmentFiles(core)
        """List, upload and download files in an environment's workspace."""

    async def create(
        self,
        *,
        sources: Sequence[JsonObject] | None = None,
        network: JsonObject | str | None = None,
        mode: str | None = None,
        custom_config: JsonObject | None = None,
        system_instruction: str | None = None,
        from_environment: str | None = None,
        extra_body: JsonObject | None = None,
        timeout: Timeout = None,
    ) -> EnvironmentResource:
        """Create an environment (`POST /environments`).

        Args:
            sources: what to mount: `{"type": "inline", "target": "AGENTS.md",
                "content": "..."}`, or `gcs` / `repository` / `skill_registry` sources.
            network: `"disabled"`, or `{"allowlist": [{"domain": "api.example.com"}]}`.
            mode: `on_demand` (default) or `self_hosted`.
            from_environment: copy another environment's workspace.
        """
        body = drop_none(
            sources=list(sources) if sources is not None else None,
            network=network,
            mode=mode,
            custom_config=custom_config,
            system_instruction=system_instruction,
            from_environment=from_environment,
        )
        body.update(extra_body or {})
        response = await self._core.request("POST", "environments", body=body, timeout=timeout)
        return parse(EnvironmentResource, response)

    async def get(
        self, id: str | EnvironmentResource, *, timeout: Timeout = None
    ) -> EnvironmentResource:
        """An environment (`GET /environments/{id}`)."""
        response = await self._core.request("GET", f"environments/{_env_id(id)}", timeout=timeout)
        return parse(EnvironmentResource, response)

    def list(
        self, *, page_size: int | None = None, page_token: str | None = None
    ) -> AsyncPager[EnvironmentResource]:
        """Every environment, page by page (`GET /environments`)."""
        return AsyncPager(
            self._core,
            "environments",
            key="environments",
            model=EnvironmentResource,
            page_size=page_size,
            page_token=page_token,
        )

    async def delete(self, id: str | EnvironmentResource, *, timeout: Timeout = None) -> None:
        """Delete an environment and its workspace (`DELETE /environments/{id}`)."""
        await self._core.request("DELETE", f"environments/{_env_id(id)}", timeout=timeout)


class Agents:
    """`client.agents` of a blocking `Client`; see `AsyncAgents`."""

    def __init__(self, agents: AsyncAgents) -> None:
        self.create = blocking(agents.create)
        self.get = blocking(agents.get)
        self.list = blocking_list(agents.list)
        self.delete = blocking(agents.delete)


class EnvironmentFiles:
    """`client.environments.files` of a blocking `Client`; see `AsyncEnvironmentFiles`."""

    def __init__(self, files: AsyncEnvironmentFiles) -> None:
        self.list = blocking_list(files.list)
        self.upload = blocking(files.upload)
        self.download = blocking(files.download)


class Environments:
    """`client.environments` of a blocking `Client`; see `AsyncEnvironments`."""

    def __init__(self, environments: AsyncEnvironments) -> None:
        self.create = blocking(environments.create)
        self.get = blocking(environments.get)
        self.list = blocking_list(environments.list)
        self.delete = blocking(environments.delete)
        self.files: EnvironmentFiles = EnvironmentFiles(environments.files)
        """List, upload and download files in an environment's workspace."""
