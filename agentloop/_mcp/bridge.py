"""Client-side MCP servers as tool sources: `MCPStdio` (a subprocess) and `MCPHttp`.

Their tools reach the model as ordinary function tools, and their results come back
as function results; MCP errors become error results the model reads. Each source
holds one connection per event loop, shared by the sessions (runs, `async with
agent:` blocks) that use it and served by a host task (see `_mcp_routing`).
`bridge()` turns an `MCPServer` into the `MCPHttp` of its local route.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, TextIO, cast

import anyio.to_thread
from anyio.lowlevel import RunVar

from .._errors import ToolRetry, UserError
from .._tools.approval import ApprovalPolicy, check_policy
from .._tools.builtin import MCPServer
from .._tools.context import ToolContext

# Package-internal helpers shared with the function-tool schemas (one cleaning rule).
from .._tools.schema import (
    _clean_schema,  # pyright: ignore[reportPrivateUsage]
    _is_async,  # pyright: ignore[reportPrivateUsage]
    function_declaration,
)
from .._wire.base import JsonObject
from .connection import Connection, MCPConnectionError, logger, require_sdk, sdk

__all__ = ["Approval", "MCPConnectionError", "MCPHttp", "MCPStdio", "bridge", "result_value"]

Approval = Callable[[str, dict[str, Any]], bool | Awaitable[bool]]
"""`approve(tool_name, arguments)`, sync or async: a false answer refuses the call."""


class _MCPTool:
    """One tool of an MCP server, offered to the model as a function tool."""

    __slots__ = ("connection", "description", "name", "parameters", "remote_name", "source")

    def __init__(self, source: _MCPSource, connection: Connection, definition: JsonObject) -> None:
        self.source = source
        self.connection = connection
        self.remote_name: str = definition["name"]
        self.name: str = source._prefixed(self.remote_name)  # pyright: ignore[reportPrivateUsage]
        self.description: str = definition.get("description") or definition.get("title") or ""
        schema = definition.get("inputSchema")
        self.parameters = _clean_schema(
            cast(JsonObject, schema) if isinstance(schema, dict) else {}
        )

    @property
    def timeout(self) -> float | None:
        return self.source.timeout

    @property
    def requires_approval(self) -> ApprovalPolicy:
        return self.source.requires_approval

    def to_wire(self) -> JsonObject:
        return function_declaration(self.name, self.description, self.parameters)

    async def invoke(self, arguments: Mapping[str, Any], context: ToolContext[Any]) -> Any:
        approve = self.source.approve
        if approve is not None:
            if self.source.approve_is_async:
                verdict = await cast(Awaitable[bool], approve(self.name, dict(arguments)))
            else:  # it may block (a prompt, say): keep it off the event loop
                verdict = await anyio.to_thread.run_sync(
                    cast(Callable[[str, dict[str, Any]], bool], approve),
                    self.name,
                    dict(arguments),
                    abandon_on_cancel=True,
                )
            if not verdict:
                raise ToolRetry(
                    f"The call to {self.name!r} was refused by the user's approval hook "
                    "and did not run."
                )
        result = await self.connection.call(self.remote_name, dict(arguments), self.name)
        return result_value(result, self.name)

    def __repr__(self) -> str:
        return f"MCPTool({self.name!r}, server={self.source.label!r})"


class _MCPSource:
    """What `MCPStdio` and `MCPHttp` share: options, tools, the per-loop connection."""

    hint = ""

    def __init__(
        self,
        label: str,
        *,
        prefix: str | None,
        allowed_tools: Iterable[str] | None,
        denied_tools: Iterable[str],
        timeout: float | None,
        approve: Approval | None,
        requires_approval: ApprovalPolicy,
        max_restarts: int,
        connect_timeout: float,
        refresh_tools: bool,
    ) -> None:
        require_sdk()
        if timeout is not None and timeout <= 0:
            raise UserError(f"MCP server {label!r}: timeout must be > 0")
        if max_restarts < 0 or connect_timeout <= 0:
            raise UserError(
                f"MCP server {label!r}: max_restarts must be >= 0 and connect_timeout > 0"
            )
        self.label = label
        self.prefix = prefix
        self.allowed_tools: frozenset[str] | None = (
            None if allowed_tools is None else frozenset(allowed_tools)
        )
        self.denied_tools: frozenset[str] = frozenset(denied_tools)
        self.timeout = timeout
        self.approve = approve
        self.approve_is_async: bool = approve is not None and _is_async(approve)
        self.requires_approval: ApprovalPolicy = check_policy(
            requires_approval, f"MCP server {label!r}"
        )
        self.max_restarts = max_restarts
        self.connect_timeout = connect_timeout
        self.refresh_tools = refresh_tools
        self._live: RunVar[Connection | None] = RunVar("agentloop.mcp", default=None)

    async def open_transport(self, stack: AsyncExitStack) -> tuple[Any, Any]:
        raise NotImplementedError  # pragma: no cover

    def _prefixed(self, name: str) -> str:
        return f"{self.prefix}_{name}" if self.prefix else name

    async def connect(self) -> Sequence[_MCPTool]:
        """Connect (or join this event loop's live connection) and return the tools.

        Raises:
            MCPConnectionError: the server could not be started or reached.
        """
        connection = self._live.get()
        if connection is None:
            connection = Connection(self)
            self._live.set(connection)
            connection.start()
        connection.users += 1
        try:
            await connection.wait_started()
        except BaseException:
            await self._release(connection)
            raise
        return self._tools(connection, connection.tools)

    async def aclose(self) -> None:
        """Leave the connection; the last user closes it (and stops a stdio server)."""
        connection = self._live.get()
        if connection is not None:
            await self._release(connection)

    async def _release(self, connection: Connection) -> None:
        connection.users -= 1
        if connection.users <= 0:
            if self._live.get() is connection:
                self._live.set(None)
            await connection.close()

    def watch_tools(self, callback: Callable[[Sequence[_MCPTool]], None]) -> Callable[[], None]:
        """Call `callback` with the new tools when the server's tool list changes
        (with `refresh_tools=True`); returns a function that stops watching."""
        connection = self._live.get()
        if connection is None:
            return lambda: None
        live = connection

        def changed(definitions: list[JsonObject]) -> None:
            callback(self._tools(live, definitions))

        def stop() -> None:
            if changed in live.watchers:
                live.watchers.remove(changed)

        live.watchers.append(changed)
        return stop

    def _tools(self, connection: Connection, definitions: list[JsonObject]) -> list[_MCPTool]:
        names = {d.get("name") for d in definitions}
        if self.allowed_tools is not None and self.allowed_tools - names:
            logger.warning(
                "MCP server %r has no tool named %s",
                self.label,
                ", ".join(sorted(self.allowed_tools - names)),
            )
        return [
            _MCPTool(self, connection, definition)
            for definition in definitions
            if isinstance(definition.get("name"), str)
            and (self.allowed_tools is None or definition["name"] in self.allowed_tools)
            and definition["name"] not in self.denied_tools
        ]


class MCPStdio(_MCPSource):
    """An MCP server run as a subprocess, spoken to over stdin/stdout.

    The process starts when a run (or an `async with agent:` block) starts, serves
    every turn, and is stopped at the end, also on error and cancellation. If it
    dies, the call that noticed gets an error result and it is restarted, at most
    `max_restarts` times per connection; after that its tools answer with errors.

    Args:
        command: the executable, e.g. `"npx"` or `sys.executable`.
        args: its arguments.
        env: environment variables, on top of the SDK's safe defaults (`PATH`,
            `HOME`, ...); the rest of this process's environment is not passed.
        cwd: the working directory.
        stderr: where the server's stderr goes (default: this process's stderr).
        name: a label for logs and error messages (default: the command).
        prefix: prefix tool names as `<prefix>_<name>`, to avoid clashes.
        allowed_tools: offer only these tools (server names, before the prefix).
        denied_tools: never offer these tools.
        timeout: seconds per call (default: the agent's `tool_timeout`).
        approve: `approve(tool_name, arguments)`, called before each call with the
            name the model used (a sync one in a worker thread, so it may prompt);
            a false answer refuses the call and the model is told so.
        requires_approval: True, or `(ctx, arguments) -> bool`: instead of asking on
            the spot, pause the run (`status == "awaiting_approval"`) until
            `agent.resume(state, approve=[...], reject={...})`, as `@tool` does.
        max_restarts: restarts allowed per connection after the server dies.
        connect_timeout: seconds to start the server and list its tools.
        refresh_tools: re-list the tools when the server says they changed.
    """

    hint = "Check the command, and that it starts an MCP server on stdio (see its stderr)."

    def __init__(
        self,
        command: str,
        args: Sequence[str] = (),
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | Path | None = None,
        stderr: TextIO | None = None,
        name: str | None = None,
        prefix: str | None = None,
        allowed_tools: Iterable[str] | None = None,
        denied_tools: Iterable[str] = (),
        timeout: float | None = None,
        approve: Approval | None = None,
        requires_approval: ApprovalPolicy = False,
        max_restarts: int = 1,
        connect_timeout: float = 60.0,
        refresh_tools: bool = False,
    ) -> None:
        if isinstance(args, str):
            raise UserError("MCPStdio args must be a list of strings, e.g. ['server.py']")
        self.command = command
        self.args: list[str] = list(args)
        self.env: dict[str, str] | None = None if env is None else dict(env)
        self.cwd = cwd
        self.stderr = stderr
        super().__init__(
            name or " ".join([Path(command).name, *self.args[:1]]),
            prefix=prefix,
            allowed_tools=allowed_tools,
            denied_tools=denied_tools,
            timeout=timeout,
            approve=approve,
            requires_approval=requires_approval,
            max_restarts=max_restarts,
            connect_timeout=connect_timeout,
            refresh_tools=refresh_tools,
        )

    async def open_transport(self, stack: AsyncExitStack) -> tuple[Any, Any]:
        mcp = sdk()
        parameters = mcp.StdioServerParameters(
            command=self.command, args=self.args, env=self.env, cwd=self.cwd
        )
        errlog = self.stderr or _real_stderr()
        streams = await stack.enter_async_context(mcp.stdio_client(parameters, errlog=errlog))
        return streams[0], streams[1]

    def __repr__(self) -> str:
        return f"MCPStdio({self.command!r}, {self.args!r})"


def _real_stderr() -> Any:
    """A stderr a subprocess can inherit: `sys.stderr` may have no file descriptor
    (Jupyter, pytest's capsys), and then its original, or nothing."""
    for stream in (sys.stderr, sys.__stderr__):
        try:
            if stream is not None:
                stream.fileno()
                return stream
        except (AttributeError, OSError, ValueError):
            continue
    return subprocess.DEVNULL


class MCPHttp(_MCPSource):
    """An MCP server reached over streamable HTTP, bridged by this process.

    Connects when a run (or an `async with agent:` block) starts and disconnects at
    its end. A lost connection is re-opened once (see `max_restarts`).

    Args:
        url: the server's endpoint, e.g. `"http://127.0.0.1:8000/mcp"`.
        headers: sent with every request, e.g. `Authorization`.
        auth: an `httpx.Auth` for the SDK's HTTP client (e.g. the SDK's
            `OAuthClientProvider`); with mcp 2.x, an `httpx2.Auth`.
        name: a label for logs and error messages (default: the URL).

    The other options are `MCPStdio`'s.
    """

    hint = "Check the URL, the headers, and that the server is running."

    def __init__(
        self,
        url: str,
        headers: Mapping[str, str] | None = None,
        *,
        auth: Any = None,
        name: str | None = None,
        prefix: str | None = None,
        allowed_tools: Iterable[str] | None = None,
        denied_tools: Iterable[str] = (),
        timeout: float | None = None,
        approve: Approval | None = None,
        requires_approval: ApprovalPolicy = False,
        max_restarts: int = 1,
        connect_timeout: float = 60.0,
        refresh_tools: bool = False,
    ) -> None:
        self.url = url
        self.headers: dict[str, str] | None = None if headers is None else dict(headers)
        self.auth = auth
        super().__init__(
            name or url.split("?", 1)[0],
            prefix=prefix,
            allowed_tools=allowed_tools,
            denied_tools=denied_tools,
            timeout=timeout,
            approve=approve,
            requires_approval=requires_approval,
            max_restarts=max_restarts,
            connect_timeout=connect_timeout,
            refresh_tools=refresh_tools,
        )

    async def open_transport(self, stack: AsyncExitStack) -> tuple[Any, Any]:
        mcp = sdk()
        if mcp.streamable_http_client is not None:
            client = mcp.create_http_client(headers=self.headers, auth=self.auth)
            await stack.enter_async_context(client)
            transport = mcp.streamable_http_client(self.url, http_client=client)
        else:  # mcp 1.x before `streamable_http_client`
            transport = mcp.streamablehttp_client(self.url, headers=self.headers, auth=self.auth)
        streams = await stack.enter_async_context(transport)
        return streams[0], streams[1]

    def __repr__(self) -> str:
        return f"MCPHttp({self.label!r})"


# ---- results ----------------------------------------------------------------------------


def result_value(result: JsonObject, tool_name: str) -> Any:
    """A `CallToolResult` (wire form) as a function result; `isError` raises `ToolRetry`.

    Structured content is sent as a JSON object (its text rendering is dropped); text,
    images, audio and embedded resources become content blocks; a lone text is a string.
    """
    raw_content = cast(list[object], result.get("content") or [])
    content = [cast(JsonObject, item) for item in raw_content if isinstance(item, dict)]
    blocks = [_block(item) for item in content]
    if result.get("isError"):
        text = "\n".join(b["text"] for b in blocks if b["type"] == "text")
        raise ToolRetry(text or f"MCP tool {tool_name!r} reported an error without details.")
    structured = result.get("structuredContent")
    if isinstance(structured, dict) and all(b["type"] == "text" for b in blocks):
        return cast(JsonObject, structured)
    if structured is not None:
        blocks.append({"type": "text", "text": json.dumps(structured)})
    if len(blocks) == 1 and blocks[0]["type"] == "text":
        return blocks[0]["text"]
    return blocks or ""


_MEDIA = {"image": "image", "audio": "audio", "video": "video"}


def _media(data: str, mime_type: str | None) -> JsonObject | None:
    kind = (mime_type or "").split("/", 1)[0]
    block_type = _MEDIA.get(kind) or ("document" if mime_type == "application/pdf" else None)
    if block_type is None:
        return None
    return {"type": block_type, "data": data, "mime_type": mime_type}


def _block(item: JsonObject) -> JsonObject:
    kind = item.get("type")
    if kind == "text":
        return {"type": "text", "text": str(item.get("text", ""))}
    if kind in ("image", "audio"):
        block = _media(str(item.get("data", "")), item.get("mimeType"))
        if block is not None:
            return block
    if kind == "resource":
        resource = cast(JsonObject, item.get("resource") or {})
        uri, mime_type = resource.get("uri"), resource.get("mimeType")
        if "text" in resource:
            return {"type": "text", "text": f"[{uri}]\n{resource['text']}"}
        block = _media(str(resource.get("blob", "")), mime_type)
        if block is not None:
            return block
        return {"type": "text", "text": f"[{uri}: {mime_type or 'binary'} content not shown]"}
    if kind == "resource_link":
        return {"type": "text", "text": f"[resource {item.get('name', '')}: {item.get('uri')}]"}
    return {"type": "text", "text": json.dumps(item)}


def bridge(server: MCPServer) -> MCPHttp:
    """`server` as a client-side source: same URL, headers and allowed tools."""
    return MCPHttp(
        server.url,
        server.headers,
        name=server.name,
        allowed_tools=_tool_names(server.allowed_tools),
    )


def _tool_names(allowed: Sequence[str] | Sequence[Mapping[str, Any]] | None) -> list[str] | None:
    """Tool names from `allowed_tools`, in either of its forms (None: all tools)."""
    if allowed is None:
        return None
    names: list[str] = []
    for entry in allowed:
        if isinstance(entry, str):
            names.append(entry)
        else:
            names.extend(str(name) for name in cast(list[object], entry.get("tools") or []))
    return names
