"""What the run layer needs of a tool, and of a provider of tools.

`CallableTool` is met by `FunctionTool` and by MCP tools alike, so dispatch runs both
the same way; `ToolSource` is met by MCP servers (tools known only once connected).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from .._wire.base import JsonObject
from .context import ToolContext

__all__ = ["CallableTool", "ToolSource", "WatchableToolSource"]


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
    once per `ToolSession`. If it raises, it leaves nothing open; once it has
    returned, `aclose()` is called once, when the session closes.
    """

    async def connect(self) -> Sequence[CallableTool]: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class WatchableToolSource(ToolSource, Protocol):
    """A tool source whose tools can change while connected (an MCP server that
    sends `tools/list_changed`)."""

    def watch_tools(self, callback: Callable[[Sequence[CallableTool]], None]) -> Callable[[], None]:
        """Call `callback` with the new tools on each change; returns `unwatch()`."""
        ...
