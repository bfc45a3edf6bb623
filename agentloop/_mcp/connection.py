"""A connection this process holds to an MCP server (the local route).

The SDK's transports and `ClientSession` hold task groups, so they must
be entered and left by one task, while a source's `connect()` and `aclose()` may run
in different tasks (a run is an async generator; the blocking faces step it through
a portal). So each connection is served by a host task of its own, started outside
any task group: it enters the contexts, waits to be told to close, restart or re-list
the tools, and leaves them. Calls use the live session directly from the tasks that
make them (the SDK multiplexes requests). The official `mcp` SDK (the optional extra
`agentloop[mcp]`) is imported on first use only, and typed loosely: its 1.x and 2.x
APIs differ.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import logging
import math
from collections.abc import Callable, Coroutine
from contextlib import AsyncExitStack
from functools import cache
from types import SimpleNamespace
from typing import Any, Protocol, cast

import anyio
import sniffio

from .._errors import AgentloopError, ToolRetry
from .._version import __version__
from .._wire.base import JsonObject

__all__ = [
    "Connection",
    "Endpoint",
    "MCPConnectionError",
    "SDKObject",
    "describe",
    "dump",
    "require_sdk",
    "sdk",
]

logger = logging.getLogger("agentloop.mcp")


class Endpoint(Protocol):
    """What a connection needs of its source (`MCPStdio`, `MCPHttp`)."""

    label: str
    hint: str
    max_restarts: int
    connect_timeout: float
    refresh_tools: bool

    async def open_transport(self, stack: AsyncExitStack) -> tuple[Any, Any]:
        """Enter the SDK transport on `stack`; return its (read, write) streams."""
        ...


SDKObject = Any
"""An object of the `mcp` SDK: typed loosely, as its 1.x and 2.x APIs differ."""

_EXTRA = "MCP servers need the optional extra: pip install 'agentloop[mcp]'"
_CONNECTION_CLOSED = -32000  # the JSON-RPC code the SDK gives requests of a lost connection
_CLOSE_TIMEOUT = 10.0


class MCPConnectionError(AgentloopError):
    """An MCP server could not be started or reached when a run (or `async with agent:`)
    began. A server that fails later is reported to the model as error results instead."""


def require_sdk() -> None:
    if importlib.util.find_spec("mcp") is None:
        raise ModuleNotFoundError(_EXTRA, name="mcp")


@cache
def sdk() -> SDKObject:
    try:
        mcp = importlib.import_module("mcp")
        exceptions = importlib.import_module("mcp.shared.exceptions")
        http = importlib.import_module("mcp.client.streamable_http")
        http_utils = importlib.import_module("mcp.shared._httpx_utils")
    except ImportError as exc:
        raise ModuleNotFoundError(_EXTRA, name="mcp") from exc
    return SimpleNamespace(
        ClientSession=mcp.ClientSession,
        StdioServerParameters=mcp.StdioServerParameters,
        stdio_client=mcp.stdio_client,
        types=mcp.types,
        # mcp 2.x (and late 1.x) take a ready HTTP client; earlier 1.x take headers/auth.
        streamable_http_client=getattr(http, "streamable_http_client", None),
        streamablehttp_client=getattr(http, "streamablehttp_client", None),
        create_http_client=http_utils.create_mcp_http_client,
        MCPError=getattr(exceptions, "MCPError", None) or exceptions.McpError,
    )


def _spawn(function: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Start `function()` as a task of its own, outside any task group or cancel scope.

    anyio has no such primitive on purpose; a connection host needs one, because it
    outlives the call that starts it and must not be cancelled with that call's scope.
    The host ends itself when told to (`Connection.close`) and never raises.
    """
    if sniffio.current_async_library() == "trio":
        import trio

        trio.lowlevel.spawn_system_task(function)
        return
    import asyncio

    task = asyncio.get_running_loop().create_task(function())
    _HOSTS.add(task)
    task.add_done_callback(_HOSTS.discard)


_HOSTS: set[Any] = set()  # strong references: the event loop keeps only weak ones


def describe(exc: BaseException) -> str:
    inner = _only_member(exc)
    while inner is not None:
        exc, inner = inner, _only_member(inner)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _only_member(exc: BaseException) -> BaseException | None:
    """The one exception of a one-member group (else None)."""
    if not isinstance(exc, BaseExceptionGroup):
        return None
    members = cast("BaseExceptionGroup[BaseException]", exc).exceptions
    return members[0] if len(members) == 1 else None


def dump(model: SDKObject) -> JsonObject:
    dumped: JsonObject = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    return dumped


def _is_connection_lost(exc: BaseException) -> bool:
    if isinstance(exc, anyio.ClosedResourceError | anyio.BrokenResourceError | anyio.EndOfStream):
        return True
    error = getattr(exc, "error", None)
    return isinstance(exc, sdk().MCPError) and getattr(error, "code", None) == _CONNECTION_CLOSED


async def _list_tools(session: SDKObject) -> list[JsonObject]:
    """Every tool definition the server lists (all pages), in wire form."""
    definitions: list[JsonObject] = []
    cursor: str | None = None
    seen: set[str] = set()
    while True:
        if cursor is None:
            page = await session.list_tools()
        elif "params" in inspect.signature(session.list_tools).parameters:
            params = sdk().types.PaginatedRequestParams(cursor=cursor)
            page = await session.list_tools(params=params)
        else:  # mcp 1.x
            page = await session.list_tools(cursor=cursor)
        body = dump(page)
        definitions.extend(body.get("tools") or [])
        cursor = body.get("nextCursor")
        if not cursor or cursor in seen:
            return definitions
        seen.add(cursor)


class Connection:
    """One live MCP connection, served by its own host task (see the module docstring)."""

    def __init__(self, source: Endpoint) -> None:
        self.source = source
        self.users = 0
        """Sessions (runs, `async with agent:` blocks) using the connection."""
        self.session: SDKObject | None = None
        """The SDK's `ClientSession` while the connection is up."""
        self.generation = 0
        """How many times the connection came up (1 + restarts)."""
        self.tools: list[JsonObject] = []
        self.finished = False
        """The host task is over: closed, or down for good."""
        self.failure: str | None = None
        """Why the connection is down for good."""
        self.watchers: list[Callable[[list[JsonObject]], None]] = []
        self._restarts = 0
        self._lost: str | None = None
        self._closing = self._recycle = self._refresh = False
        self._refreshed: anyio.Event | None = None  # set once a requested re-list is done
        self._wake = anyio.Event()
        self._changed = anyio.Event()
        self._down = anyio.Event()  # set when the current session goes away
        self._done = anyio.Event()
        self._scope: anyio.CancelScope | None = None

    # ---- caller side ----------------------------------------------------------------

    async def wait_started(self) -> None:
        while self.generation == 0 and not self.finished:
            await self._changed.wait()
        if self.generation == 0:
            raise MCPConnectionError(
                f"could not connect to MCP server {self.source.label!r}: {self.failure}. "
                f"{self.source.hint}"
            )

    async def call(self, remote_name: str, arguments: JsonObject, shown_name: str) -> JsonObject:
        """Call a tool; connection trouble and protocol errors raise `ToolRetry`."""
        label = self.source.label
        while self.session is None:
            if self.finished:
                raise ToolRetry(
                    f"MCP server {label!r} is not available ({self.failure}); its tools "
                    "cannot be used in this session."
                )
            await self._changed.wait()
        session, generation = self.session, self.generation
        try:
            result = await self._call_while_up(session, remote_name, arguments)
        except Exception as exc:
            if _is_connection_lost(exc):
                restarted = await self._recover(generation, describe(exc))
                outcome = (
                    "It was restarted; the call may not have finished, so check before "
                    "repeating it."
                    if restarted
                    else f"It is down for good ({self.failure}); its tools cannot be used "
                    "in this session."
                )
                raise ToolRetry(
                    f"MCP server {label!r} stopped during the call to {shown_name!r} "
                    f"({describe(exc)}). {outcome}"
                ) from exc
            if isinstance(exc, sdk().MCPError):
                raise ToolRetry(
                    f"MCP server {label!r} rejected the call to {shown_name!r}: {exc} "
                    f"(error {cast(Any, exc).error.code})."
                ) from exc
            raise
        refreshed = self._refreshed
        if refreshed is not None:
            # The call changed the server's tools: return once the new list is in, so
            # the next request already declares it.
            with anyio.move_on_after(self.source.connect_timeout):
                await refreshed.wait()
        return dump(result)

    async def _call_while_up(self, session: SDKObject, name: str, arguments: JsonObject) -> Any:
        """`session.call_tool`, given up if the connection goes down meanwhile: not every
        SDK version fails the requests of a connection it tears down."""
        down = self._down
        outcome: list[Any] = []
        async with anyio.create_task_group() as group:

            async def give_up() -> None:
                await down.wait()
                group.cancel_scope.cancel()

            group.start_soon(give_up)
            try:
                outcome.append(await session.call_tool(name, arguments))
            except Exception as exc:
                outcome.append(exc)
            finally:
                group.cancel_scope.cancel()
        if not outcome:
            raise anyio.ClosedResourceError("the connection went down during the call")
        if isinstance(outcome[0], Exception):
            raise outcome[0]
        return outcome[0]

    async def _recover(self, generation: int, reason: str) -> bool:
        """After a lost connection: make the host restart it (once); True if it is back."""
        if self.generation == generation and self.session is not None:
            self._lost = reason
            self._recycle = True
            self._wake.set()
        while self.generation == generation and not self.finished:
            await self._changed.wait()
        return not self.finished

    async def close(self) -> None:
        """Tell the host to leave the connection, and wait (shielded) until it has."""
        self._closing = True
        self._wake.set()
        if self.session is None and self._scope is not None:
            self._scope.cancel()  # still starting: stop waiting for the server
        with anyio.CancelScope(shield=True):
            with anyio.move_on_after(_CLOSE_TIMEOUT):
                await self._done.wait()
                return
            if self._scope is not None:
                self._scope.cancel()
            with anyio.move_on_after(_CLOSE_TIMEOUT):
                await self._done.wait()
                return
        logger.error("MCP server %r did not shut down in time", self.source.label)

    # ---- host side ------------------------------------------------------------------

    def start(self) -> None:
        _spawn(self._host)

    def _notify(self) -> None:
        self._changed.set()
        self._changed = anyio.Event()

    async def _host(self) -> None:
        try:
            while not self._closing:
                error = await self._serve_once()
                if self._closing:
                    return
                reason = error or self._lost or "the connection ended"
                if self.generation == 0:
                    self.failure = reason
                    return
                if self._restarts >= self.source.max_restarts:
                    self.failure = f"{reason}; no restarts left"
                    logger.error("MCP server %r stopped: %s", self.source.label, reason)
                    return
                self._restarts += 1
                logger.warning(
                    "MCP server %r stopped (%s); restarting it (%d of %d)",
                    self.source.label,
                    reason,
                    self._restarts,
                    self.source.max_restarts,
                )
        except Exception as exc:  # pragma: no cover - a bug here must not crash the loop
            self.failure = describe(exc)
            logger.exception("MCP server %r: connection host failed", self.source.label)
        finally:
            self.session = None
            self.finished = True
            if self._refreshed is not None:
                self._refreshed.set()
            self._notify()
            self._done.set()

    async def _serve_once(self) -> str | None:
        """Open the connection, serve it until told otherwise; why it ended, if it broke."""
        timeout = self.source.connect_timeout
        scope = self._scope = anyio.CancelScope(deadline=anyio.current_time() + timeout)
        up = False
        try:
            with scope:
                async with AsyncExitStack() as stack:
                    session = await self._open(stack)
                    tools = await _list_tools(session)
                    scope.deadline = math.inf
                    up = True
                    self._up(session, tools)
                    await self._serve(session)
        except Exception as exc:
            return describe(exc)
        finally:
            self.session = None
            self._down.set()
        if scope.cancelled_caught and not up and not self._closing:
            return f"no answer within {timeout:g} s"
        return None

    async def _open(self, stack: AsyncExitStack) -> SDKObject:
        mcp = sdk()
        read, write = await self.source.open_transport(stack)
        session = await stack.enter_async_context(
            mcp.ClientSession(
                read,
                write,
                message_handler=self._on_message,
                client_info=mcp.types.Implementation(name="agentloop", version=__version__),
            )
        )
        await session.initialize()
        return session

    def _up(self, session: SDKObject, tools: list[JsonObject]) -> None:
        changed = self.generation > 0 and tools != self.tools
        self.session, self.tools, self._down = session, tools, anyio.Event()
        self.generation += 1
        self._lost = None
        if changed:
            self._tell_watchers()
        self._notify()

    async def _serve(self, session: SDKObject) -> None:
        while True:
            await self._wake.wait()
            self._wake = anyio.Event()
            if self._closing or self._recycle:
                self._recycle = False
                return
            if self._refresh:
                self._refresh = False
                self.tools = await _list_tools(session)
                self._tell_watchers()
                if not self._refresh and self._refreshed is not None:
                    self._refreshed.set()  # (another change came meanwhile: not yet)
                    self._refreshed = None

    def _tell_watchers(self) -> None:
        for watcher in list(self.watchers):
            try:
                watcher(self.tools)
            except Exception:
                logger.exception("MCP server %r: updating its tools failed", self.source.label)

    async def _on_message(self, message: Any) -> None:
        if isinstance(message, Exception):
            logger.debug("MCP server %r: transport error: %r", self.source.label, message)
            return
        method = getattr(getattr(message, "root", message), "method", None)
        if method == "notifications/tools/list_changed" and self.source.refresh_tools:
            self._refresh = True
            if self._refreshed is None:
                self._refreshed = anyio.Event()
            self._wake.set()
