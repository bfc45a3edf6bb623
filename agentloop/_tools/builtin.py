"""Declarative tools the server runs itself, and the API's known limits on mixing tools.

Each class serialises to exactly its wire form, inventing no defaults:
`GoogleSearch()` is `{"type": "google_search"}`. The limits the public guide lists
live in one table (`TOOL_LIMITS`) so they are easy to drop when Google lifts them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from .._errors import UserError
from .._wire.base import JsonObject

__all__ = [
    "TOOL_LIMITS",
    "BuiltinTool",
    "CodeExecution",
    "FileSearch",
    "GoogleMaps",
    "GoogleSearch",
    "MCPMode",
    "MCPServer",
    "ToolLimit",
    "UrlContext",
    "check_tool_limits",
]


class BuiltinTool(ABC):
    """Base of the declarative tools: `to_wire()` gives the API's tool dict."""

    __slots__ = ()
    type: ClassVar[str]

    @abstractmethod
    def to_wire(self) -> JsonObject:
        """The tool as the API takes it."""


SearchType = Literal["web_search", "image_search", "enterprise_web_search"]


def _fields(obj: object, names: Sequence[str]) -> JsonObject:
    return {name: getattr(obj, name) for name in names if getattr(obj, name) is not None}


@dataclass(frozen=True, slots=True)
class GoogleSearch(BuiltinTool):
    """Grounding with Google Search, run by the server."""

    search_types: Sequence[SearchType] | None = None
    type: ClassVar[str] = "google_search"

    def to_wire(self) -> JsonObject:
        wire: JsonObject = {"type": self.type}
        if self.search_types is not None:
            wire["search_types"] = list(self.search_types)
        return wire


@dataclass(frozen=True, slots=True)
class CodeExecution(BuiltinTool):
    """Python/bash code execution in the server's sandbox."""

    type: ClassVar[str] = "code_execution"

    def to_wire(self) -> JsonObject:
        return {"type": self.type}


@dataclass(frozen=True, slots=True)
class UrlContext(BuiltinTool):
    """Lets the model fetch and read URLs named in the prompt."""

    type: ClassVar[str] = "url_context"

    def to_wire(self) -> JsonObject:
        return {"type": self.type}


@dataclass(frozen=True, slots=True, kw_only=True)
class GoogleMaps(BuiltinTool):
    """Grounding with Google Maps, optionally near a location."""

    latitude: float | None = None
    longitude: float | None = None
    enable_widget: bool | None = None
    type: ClassVar[str] = "google_maps"

    def to_wire(self) -> JsonObject:
        return {"type": self.type, **_fields(self, ["latitude", "longitude", "enable_widget"])}


@dataclass(frozen=True, slots=True, kw_only=True)
class FileSearch(BuiltinTool):
    """Retrieval over File Search stores."""

    file_search_store_names: Sequence[str]
    metadata_filter: str | None = None
    top_k: int | None = None
    type: ClassVar[str] = "file_search"

    def to_wire(self) -> JsonObject:
        return {
            "type": self.type,
            "file_search_store_names": list(self.file_search_store_names),
            **_fields(self, ["metadata_filter", "top_k"]),
        }


MCPMode = Literal["auto", "remote", "local"]
"""Where an `MCPServer` runs: `"remote"` (the API calls it), `"local"` (this process
bridges it, see `MCPHttp`), or `"auto"` (remote when the model and tool mix allow it)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MCPServer(BuiltinTool):
    """An MCP server (streamable HTTP): called by the API itself, or bridged locally.

    Args:
        name: a label for the server (tool calls carry it as `server_name`).
        url: the server's endpoint.
        headers: sent with every call to the server, e.g. `Authorization`.
        allowed_tools: tool names the model may use (all when None), or the API's
            own `[{"mode": ..., "tools": [...]}]` form.
        mode: `"remote"` sends it as the API's `mcp_server` tool (an agent whose model
            or tool mix the API cannot serve that way is refused at once); `"local"`
            connects to it from this process and offers its tools as function tools;
            `"auto"` picks remote when `TOOL_LIMITS` allow it, local otherwise.
    """

    name: str
    url: str
    headers: Mapping[str, str] | None = None
    allowed_tools: Sequence[str] | Sequence[Mapping[str, Any]] | None = None
    mode: MCPMode = "auto"
    type: ClassVar[str] = "mcp_server"

    def __post_init__(self) -> None:
        if self.mode not in ("auto", "remote", "local"):
            raise UserError(
                f"MCPServer {self.name!r}: mode must be 'auto', 'remote' or 'local', "
                f"not {self.mode!r}"
            )

    def to_wire(self) -> JsonObject:
        wire: JsonObject = {"type": self.type, "name": self.name, "url": self.url}
        if self.headers is not None:
            wire["headers"] = dict(self.headers)
        if self.allowed_tools is not None:
            names = [entry for entry in self.allowed_tools if isinstance(entry, str)]
            forms = [dict(entry) for entry in self.allowed_tools if isinstance(entry, Mapping)]
            if names and forms:
                raise UserError(
                    f"MCPServer {self.name!r}: allowed_tools takes tool names or the API's "
                    "[{'mode': ..., 'tools': [...]}] form, not both"
                )
            wire["allowed_tools"] = [{"mode": "auto", "tools": names}] if names else forms
        return wire


# ---- limits -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolLimit:
    """One rule of what the API cannot serve yet."""

    name: str
    """A short label for the rule."""
    applies: Callable[[str | None, frozenset[str]], bool]
    """`applies(model, tool_types)`: True when the request would break the rule."""
    message: str
    """What the API does not support."""
    hint: str
    """What to do instead."""


def _is_gemini_3(model: str | None) -> bool:
    return model is not None and model.removeprefix("models/").startswith("gemini-3")


TOOL_LIMITS: tuple[ToolLimit, ...] = (
    ToolLimit(
        name="remote MCP on Gemini 3",
        applies=lambda model, types: "mcp_server" in types and _is_gemini_3(model),
        message="Gemini 3 models do not support remote MCP servers yet.",
        hint="Use a Gemini 2.5 model for this agent, or run the MCP server client-side.",
    ),
    ToolLimit(
        name="MCP mixed with other tools",
        applies=lambda model, types: "mcp_server" in types and len(types) > 1,
        message=("Remote MCP cannot yet be combined with function calling or built-in tools."),
        hint="Give the MCP server an agent of its own, or run it client-side.",
    ),
)
"""The API's current limits on tool mixes, from the public guide's "Limitations"."""


def check_tool_limits(model: str | None, tools: Sequence[Mapping[str, Any]]) -> None:
    """Raise `UserError` if `tools` (wire dicts) break a rule in `TOOL_LIMITS` for `model`."""
    types = frozenset(str(entry.get("type")) for entry in tools)
    for limit in TOOL_LIMITS:
        if limit.applies(model, types):
            raise UserError(f"{limit.message} (model={model!r}) {limit.hint}")
