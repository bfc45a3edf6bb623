"""`Toolset`: the tools of one agent, by name, and their wire declarations.

Besides static tools it holds *tool sources* (e.g. MCP servers): providers whose
tools are only known once connected. `await toolset.open()` connects them and gives
a `ToolSession` (the wire list and handlers for a run); closing it closes them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from ._builtin import BuiltinTool, check_tool_limits
from ._context import ToolContext
from ._errors import UserError
from ._tools import FunctionTool
from ._wire import JsonObject

__all__ = ["CallableTool", "ToolLike", "ToolSession", "ToolSource", "Toolset"]


@runtime_checkable
class CallableTool(Protocol):
    """What dispatch needs of a tool: a name, a timeout, a declaration and `invoke`."""

    @property
    def name(self) -> str: ...

    @property
    def timeout(self) -> float | None: ...

    def to_wire(self) -> JsonObject: ...

    async def invoke(self, arguments: Mapping[str, Any], context: ToolContext[Any]) -> Any: ...


@runtime_checkable
class ToolSource(Protocol):
    """A provider of tools known only once connected (an MCP server, say).

    `connect()` opens the connection if needed and returns the tools; it is called
    once per `ToolSession`. `aclose()` closes the connection.
    """

    async def connect(self) -> Sequence[CallableTool]: ...

    async def aclose(self) -> None: ...


ToolLike = (
    FunctionTool[..., Any] | BuiltinTool | ToolSource | Mapping[str, Any] | Callable[..., Any]
)
"""What `tools=[...]` accepts: `@tool` functions, plain typed functions, built-in tool
objects, tool sources (MCP servers), and raw tool dicts as the API spells them."""


@dataclass(slots=True)
class ToolSession:
    """The tools of one run (or one `async with agent:` block), sources connected."""

    wire: list[JsonObject]
    """The `tools` list of every create request."""
    handlers: dict[str, CallableTool]
    """Local handlers by name."""
    sources: list[ToolSource] = field(default_factory=list)

    async def aclose(self) -> None:
        """Close every connected source (even if one fails to close)."""
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
        self.sources: list[ToolSource] = []
        """Tool sources, connected per session."""
        self._wire: list[JsonObject] = []
        names: set[str] = set()
        for item in tools:
            if isinstance(item, ToolSource) and not isinstance(item, FunctionTool):
                self.sources.append(item)
                continue
            declaration, handler = _declare(item)
            name = declaration.get("name")
            if declaration.get("type") == "function" and isinstance(name, str):
                if name in names:
                    raise UserError(
                        f"two tools are named {name!r}; rename one with @tool(name=...)"
                    )
                names.add(name)
                if handler is not None:
                    self.functions[name] = handler
            self._wire.append(declaration)

    def to_wire(self) -> list[JsonObject]:
        """The `tools` list of a create request (static tools only)."""
        return list(self._wire)

    def static_session(self) -> ToolSession:
        """A session of the static tools alone (no source to connect)."""
        return ToolSession(wire=self.to_wire(), handlers=dict(self.functions))

    async def open(self) -> ToolSession:
        """Connect every source and return the run's tools.

        Raises `UserError` if a source's tool clashes with another tool's name.
        """
        session = self.static_session()
        try:
            for source in self.sources:
                session.sources.append(source)
                for found in await source.connect():
                    if found.name in session.handlers or any(
                        d.get("name") == found.name for d in session.wire
                    ):
                        raise UserError(
                            f"two tools are named {found.name!r} (one from {source!r}); "
                            "give the source a prefix= to tell them apart"
                        )
                    session.handlers[found.name] = found
                    session.wire.append(found.to_wire())
        except BaseException:
            await session.aclose()
            raise
        return session

    def check_limits(self, model: str | None) -> None:
        """Raise `UserError` if this mix of tools is one the API cannot serve for `model`."""
        check_tool_limits(model, self._wire)

    def __len__(self) -> int:
        return len(self._wire) + len(self.sources)

    def __repr__(self) -> str:
        return f"Toolset({[d.get('name', d.get('type')) for d in self._wire]!r})"


def _declare(item: ToolLike) -> tuple[JsonObject, FunctionTool[..., Any] | None]:
    if isinstance(item, FunctionTool):
        return item.to_wire(), item
    if isinstance(item, BuiltinTool):
        return item.to_wire(), None
    if isinstance(item, Mapping):
        if not isinstance(item.get("type"), str):
            raise UserError(f"a tool dict needs a 'type' (e.g. 'function'); got {dict(item)!r}")
        return dict(item), None
    if callable(item):
        wrapped: FunctionTool[..., Any] = FunctionTool(item)
        return wrapped.to_wire(), wrapped
    raise UserError(
        f"not a tool: {item!r}. Pass @tool functions, built-in tools (GoogleSearch(), ...) "
        "or tool dicts."
    )
