"""`Toolset`: the tools of one agent, by name, and their wire declarations.

Besides static tools it holds *tool sources* (e.g. MCP servers): providers whose
tools are only known once connected. `await toolset.open()` connects them and gives
a `ToolSession` (the wire list and handlers for a run); closing it closes them.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from .._errors import UserError
from .._mcp.routing import MCPRoute, auto_route, log_route
from .._tools.builtin import BuiltinTool, MCPServer, check_tool_limits
from .._tools.function import FunctionTool
from .._tools.sources import CallableTool, ToolSource, WatchableToolSource
from .._wire.base import JsonObject

__all__ = [
    "CallableTool",
    "ToolLike",
    "ToolSession",
    "ToolSource",
    "Toolset",
    "WatchableToolSource",
]

logger = logging.getLogger("agentloop")


ToolLike = (
    FunctionTool[..., Any]
    | CallableTool
    | BuiltinTool
    | ToolSource
    | Mapping[str, Any]
    | Callable[..., Any]
)
"""What `tools=[...]` accepts: `@tool` functions, plain typed functions, built-in tool
objects, tool sources (MCP servers), and raw tool dicts as the API spells them."""


# Empty containers for a session (one per run): a generic alias as a factory
# (`list[ToolSource]`) costs ~0.2 us a call against ~0.03 us (it also tries to set
# `__orig_class__` on the result); the casts keep the declared types.
_new_dict = cast("Callable[[], dict[Any, Any]]", dict)
_new_list = cast("Callable[[], list[Any]]", list)


@dataclass(slots=True)
class ToolSession:
    """The tools of one run (or one `async with agent:` block), sources connected."""

    wire: list[JsonObject]
    """The `tools` list of every create request."""
    handlers: dict[str, CallableTool]
    """Local handlers by name."""
    sources: list[ToolSource] = field(default_factory=_new_list)
    """Connected sources, closed with the session."""
    owned: dict[int, list[str]] = field(default_factory=_new_dict)
    """The names of each source's tools, by `id(source)`."""
    unwatch: list[Callable[[], None]] = field(default_factory=_new_list)

    def add_tools(self, source: ToolSource, tools: Sequence[CallableTool]) -> None:
        """Offer `tools` as `source`'s tools, replacing those it offered before.

        Raises `UserError` (changing nothing) if one clashes with another tool's name.
        """
        old = set(self.owned.get(id(source), ()))
        handlers = {name: t for name, t in self.handlers.items() if name not in old}
        wire = [d for d in self.wire if not (d.get("type") == "function" and d.get("name") in old)]
        for found in tools:
            if found.name in handlers or any(d.get("name") == found.name for d in wire):
                raise UserError(
                    f"two tools are named {found.name!r} (one from {source!r}); "
                    "give the source a prefix= to tell them apart"
                )
            handlers[found.name] = found
            wire.append(found.to_wire())
        # New objects, not edits: a request being built keeps the list it was given.
        self.handlers, self.wire = handlers, wire
        self.owned[id(source)] = [found.name for found in tools]

    def _tools_changed(self, source: ToolSource, tools: Sequence[CallableTool]) -> None:
        try:
            self.add_tools(source, tools)
        except UserError as exc:
            logger.warning("kept the old tools of %r: %s", source, exc)

    async def aclose(self) -> None:
        """Close every connected source (even if one fails to close)."""
        for unwatch in self.unwatch:
            unwatch()
        self.unwatch = []
        errors: list[BaseException] = []
        for source in reversed(self.sources):
            try:
                await source.aclose()
            except Exception as exc:  # keep closing the others
                errors.append(exc)
        self.sources = []
        if errors:
            raise errors[0]


class Toolset:
    """The tools of one agent: local function tools by name, plus declarations.

    Plain functions are wrapped with `@tool`. Two tools with the same name are an
    error, whatever their kind.
    """

    def __init__(self, tools: Iterable[ToolLike] = ()) -> None:
        self.functions: dict[str, FunctionTool[..., Any]] = {}
        """Function tools with a local handler, by name."""
        self.callables: dict[str, CallableTool] = {}
        """Other local tools by name: agents as tools, handoff transfers."""
        self.sources: list[ToolSource] = []
        """Tool sources, connected per session."""
        self.mcp_routes: dict[str, MCPRoute] = {}
        """Where each `MCPServer` runs; `"auto"` ones are added by `route(model)`."""
        self._wire: list[JsonObject] = []
        self._auto: list[tuple[MCPServer, JsonObject, int]] = []
        self._static: ToolSession | None = None
        names: set[str] = set()
        for item in tools:
            if isinstance(item, ToolSource) and not isinstance(item, FunctionTool):
                self.sources.append(item)
                continue
            if isinstance(item, MCPServer) and item.mode == "local":
                from .._mcp.bridge import bridge  # lazy: only MCP servers need the bridge

                self.sources.append(bridge(item))
                self.mcp_routes[item.name] = "local"
                continue
            if isinstance(item, MCPServer):
                self.mcp_routes[item.name] = "remote"
                if item.mode == "auto":  # declared as written until `route(model)`
                    self._auto.append((item, item.to_wire(), len(self.sources)))
                    self._wire.append(self._auto[-1][1])
                    continue
            declaration, handler = _declare(item)
            name = declaration.get("name")
            if declaration.get("type") == "function" and isinstance(name, str):
                if name in names:
                    raise UserError(
                        f"two tools are named {name!r}; rename one with @tool(name=...)"
                    )
                names.add(name)
                if isinstance(handler, FunctionTool):
                    self.functions[name] = handler
                elif handler is not None:
                    self.callables[name] = handler
            self._wire.append(declaration)

    def to_wire(self) -> list[JsonObject]:
        """The `tools` list of a create request (static tools only)."""
        return list(self._wire)

    def static_session(self) -> ToolSession:
        """A session of the static tools alone (no source to connect).

        One, shared by every run: only a session with sources changes (`open()`
        builds its own), and a run without sources then keeps no session, list and
        dicts of its own alive (five objects) nor builds them (~0.5 us per run).
        """
        if self._static is None:
            self._static = ToolSession(wire=self.to_wire(), handlers=self.handlers)
        return self._static

    @property
    def handlers(self) -> dict[str, CallableTool]:
        """Every static tool with a local handler, by name."""
        return {**self.functions, **self.callables}

    async def open(self) -> ToolSession:
        """Connect every source and return the run's tools.

        Raises `UserError` if a source's tool clashes with another tool's name.
        """
        session = ToolSession(wire=self.to_wire(), handlers=self.handlers)
        try:
            for source in self.sources:
                found = await source.connect()
                session.sources.append(source)  # connected: closed with the session
                session.add_tools(source, found)
                if isinstance(source, WatchableToolSource):
                    # ToolSession is this module's own helper; its hook stays off its API.
                    callback = functools.partial(session._tools_changed, source)  # pyright: ignore[reportPrivateUsage]
                    session.unwatch.append(source.watch_tools(callback))
        except BaseException:
            await session.aclose()
            raise
        return session

    def route(self, model: str | None) -> dict[str, MCPRoute]:
        """Decide where `mode="auto"` MCP servers run for `model`, and return every
        `MCPServer`'s route: remote unless `TOOL_LIMITS` forbid it, local otherwise."""
        if self._auto:
            servers = {id(declaration) for _, declaration, _ in self._auto}
            others = {str(d.get("type")) for d in self._wire if id(d) not in servers}
            if self.sources:
                others.add("function")  # a source's tools are function tools
            route, reason = auto_route(model, others)
            for added, (server, declaration, position) in enumerate(self._auto):
                self.mcp_routes[server.name] = route
                log_route(server, route, reason)
                if route == "local":  # a source where it was listed, for the tools' order
                    self._wire = [d for d in self._wire if d is not declaration]
                    from .._mcp.bridge import bridge  # lazy, as above

                    self.sources.insert(position + added, bridge(server))
            self._auto = []
            self._static = None  # the declarations changed
        return dict(self.mcp_routes)

    def check_limits(self, model: str | None) -> None:
        """Raise `UserError` if this mix of tools is one the API cannot serve for `model`."""
        check_tool_limits(model, self._wire)

    def __len__(self) -> int:
        return len(self._wire) + len(self.sources)

    def __repr__(self) -> str:
        return f"Toolset({[d.get('name', d.get('type')) for d in self._wire]!r})"


def _declare(item: ToolLike) -> tuple[JsonObject, CallableTool | None]:
    if isinstance(item, FunctionTool):
        function_tool = cast(FunctionTool[..., Any], item)
        return function_tool.to_wire(), function_tool
    if isinstance(item, CallableTool) and not isinstance(item, BuiltinTool):
        return item.to_wire(), item  # an agent as a tool, a handoff transfer
    if isinstance(item, BuiltinTool):
        return item.to_wire(), None
    if isinstance(item, Mapping):
        raw = cast(Mapping[str, object], item)
        if not isinstance(raw.get("type"), str):
            raise UserError(f"a tool dict needs a 'type' (e.g. 'function'); got {dict(raw)!r}")
        if raw["type"] == "function":
            raise UserError(
                f"the function tool {raw.get('name')!r} is a bare declaration: the agent "
                "could not run it when the model calls it. Pass the Python function "
                "itself (typed and documented, or decorated with @tool)."
            )
        return dict(raw), None
    if callable(item):
        wrapped: FunctionTool[..., Any] = FunctionTool(item)
        return wrapped.to_wire(), wrapped
    raise UserError(
        f"not a tool: {item!r}. Pass @tool functions, built-in tools (GoogleSearch(), ...) "
        "or tool dicts."
    )
