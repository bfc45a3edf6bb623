"""Client-side tool search: deferred tools stay out of requests until the model asks.

With `Agent(tool_search=True)`, every request declares one `{"type": "tool_search",
"execution": "client"}` tool instead of the deferred ones (`@tool(defer_loading=True)`,
and every tool of a tool source such as an MCP server). When the model calls it with
a query, agentloop ranks the deferred declarations by name and description and answers
with the best few; the model then calls the one it needs, which runs locally like any
tool. A catalogue of hundreds of tools costs one declaration per request.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from .._errors import UserError
from .._tools.context import ToolContext
from .._wire.base import JsonObject
from .toolset import ToolSession, Toolset

__all__ = ["Ranker", "ToolSearch", "rank_tools", "tool_search_for", "with_tool_search"]

Ranker = Callable[[str, Sequence[JsonObject], int], Sequence[JsonObject]]
"""`ranker(query, declarations, limit)`: the best matching declarations, best first."""

_SPLIT = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "to",
        "for",
        "of",
        "in",
        "on",
        "by",
        "and",
        "or",
        "with",
        "is",
        "it",
        "its",
        "my",
        "me",
        "i",
        "what",
        "how",
        "up",
        "this",
        "that",
    ]
)


def _stem(word: str) -> str:
    for suffix in ("ing", "ies", "es", "ed", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def _tokens(text: str) -> list[str]:
    words = (word.lower() for word in _SPLIT.findall(text))
    return [_stem(word) for word in words if word not in _STOP]


def rank_tools(query: str, declarations: Sequence[JsonObject], limit: int) -> list[JsonObject]:
    """The default ranker: words of the query found in a tool's name (weighted 3) and
    description (weighted 1), each weighted by how rare it is in the catalogue (idf).
    Tools matching nothing are left out."""
    words = set(_tokens(query))
    if not words or limit < 1:
        return []
    documents = [
        (Counter(_tokens(str(d.get("name", "")))), Counter(_tokens(str(d.get("description", "")))))
        for d in declarations
    ]
    frequency: Counter[str] = Counter()
    for name_words, description_words in documents:
        frequency.update(set(name_words) | set(description_words))
    total = len(declarations)
    scored: list[tuple[float, int]] = []
    for position, (name_words, description_words) in enumerate(documents):
        score = 0.0
        for word in words:
            weight = 3.0 * (word in name_words) + 1.0 * (word in description_words)
            if weight:
                score += weight * math.log(1 + total / frequency[word])
        if score > 0:
            scored.append((-score, position))
    return [declarations[position] for _, position in sorted(scored)[:limit]]


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolSearch:
    """How an agent searches its deferred tools (`Agent(tool_search=ToolSearch(...))`).

    Args:
        limit: declarations returned per search.
        ranker: `ranker(query, declarations, limit)`; `rank_tools` by default. Plug in
            embeddings or a search index for catalogues where words are not enough.
        name: the search tool's name, as the model sees it.
        defer_sources: defer every tool of a tool source (an MCP server) too.
    """

    limit: int = 5
    ranker: Ranker | None = None
    name: str = "tool_search"
    defer_sources: bool = True

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise UserError(f"ToolSearch(limit=...) must be >= 1, got {self.limit}")


_DESCRIPTION = (
    "Search the catalogue of available tools by what they do. Returns the declarations "
    "of the best matching tools, which can then be called."
)


class _SearchTool:
    """The search, as a tool dispatch can run (`CallableTool`)."""

    timeout: float | None = None

    def __init__(self, search: ToolSearch, deferred: list[JsonObject]) -> None:
        self._search = search
        self._deferred = deferred

    @property
    def name(self) -> str:
        return self._search.name

    def to_wire(self) -> JsonObject:
        return {
            "type": "tool_search",
            "execution": "client",
            "name": self._search.name,
            "description": _DESCRIPTION,
            "parameters": {
                "type": "object",
                "properties": {
                    "query": {"type": "string", "description": "What the tool should do."}
                },
                "required": ["query"],
            },
        }

    async def invoke(self, arguments: Mapping[str, Any], context: ToolContext[Any]) -> Any:
        query = arguments.get("query")
        names = arguments.get("function_names")
        if isinstance(names, list):  # the API's own form: load these by name
            wanted = {str(name) for name in cast(list[object], names)}
            found: Sequence[JsonObject] = [d for d in self._deferred if d.get("name") in wanted]
        elif isinstance(query, str):
            ranker = self._search.ranker or rank_tools
            found = ranker(query, self._deferred, self._search.limit)
        else:
            raise UserError(f"{self.name} takes a 'query' string")
        return [
            {key: value for key, value in d.items() if key != "defer_loading"} for d in found
        ] or "No tool matches; try other words."


def with_tool_search(session: ToolSession, search: ToolSearch) -> ToolSession:
    """The run's tools with deferred declarations replaced by the search tool."""
    from_sources = {name for names in session.owned.values() for name in names}
    deferred: list[JsonObject] = []
    kept: list[JsonObject] = []
    for declaration in session.wire:
        is_function = declaration.get("type") == "function"
        if is_function and (
            declaration.get("defer_loading")
            or (search.defer_sources and declaration.get("name") in from_sources)
        ):
            deferred.append(declaration)
        else:
            kept.append(declaration)
    if search.name in session.handlers:
        raise UserError(f"a tool is named {search.name!r}: give ToolSearch(name=...) another")
    tool = _SearchTool(search, deferred)
    return ToolSession(
        wire=[*kept, tool.to_wire()],
        handlers={**session.handlers, tool.name: tool},
    )


def tool_search_for(tool_search: bool | ToolSearch, toolset: Toolset) -> ToolSearch | None:
    """`Agent(tool_search=...)` as a search (None: off; deferred tools then refused)."""
    if isinstance(tool_search, ToolSearch):
        return tool_search
    if tool_search:
        return ToolSearch()
    deferred = [name for name, tool in toolset.functions.items() if tool.defer_loading]
    if deferred:
        raise UserError(
            f"{deferred[:3]} are defer_loading tools: the model can only find them with "
            "Agent(tool_search=True)"
        )
    return None
