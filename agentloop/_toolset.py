"""`Toolset`: the tools of one agent, by name, and their wire declarations."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ._builtin import BuiltinTool, check_tool_limits
from ._errors import UserError
from ._tools import FunctionTool
from ._wire import JsonObject

__all__ = ["ToolLike", "Toolset"]

ToolLike = FunctionTool[..., Any] | BuiltinTool | Mapping[str, Any] | Callable[..., Any]
"""What `tools=[...]` accepts: `@tool` functions, plain typed functions, built-in tool
objects, and raw tool dicts as the API spells them."""


class Toolset:
    """The tools of one agent: local function tools by name, plus declarations.

    Plain functions are wrapped with `@tool`. Two tools with the same name are an
    error, whatever their kind.
    """

    def __init__(self, tools: Iterable[ToolLike] = ()) -> None:
        self.functions: dict[str, FunctionTool[..., Any]] = {}
        """Function tools with a local handler, by name."""
        self._wire: list[JsonObject] = []
        names: set[str] = set()
        for item in tools:
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
        """The `tools` list of a create request."""
        return list(self._wire)

    def check_limits(self, model: str | None) -> None:
        """Raise `UserError` if this mix of tools is one the API cannot serve for `model`."""
        check_tool_limits(model, self._wire)

    def __len__(self) -> int:
        return len(self._wire)

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
