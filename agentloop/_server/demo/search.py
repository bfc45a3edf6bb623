"""Client-side tool search for `DemoModel`: ask the client's search, call what it found.

With a `{"type": "tool_search", "execution": "client"}` tool declared and no declared
function fitting the user's words, the demo model calls the search with those words;
when the search's result (a list of function declarations) comes back, it calls the
best one as it would a declared tool.
"""

from __future__ import annotations

from collections.abc import Callable

from ..._wire.base import JsonObject
from ..models import ModelRequest

__all__ = ["search_steps"]

Planner = Callable[[ModelRequest, str], list[JsonObject]]


def _search_tool(request: ModelRequest) -> JsonObject | None:
    for tool in request.tools:
        if tool.get("type") == "tool_search" and tool.get("execution") == "client":
            return tool
    return None


def search_steps(request: ModelRequest, latest: str, plan: Planner) -> list[JsonObject]:
    """The steps of a tool-search turn, or [] when the search has no part in it.

    `plan(request, latest)` plans calls of `request`'s function tools (the model's own
    planner), so found tools are called the way declared ones are.
    """
    search = _search_tool(request)
    if search is None or not latest:
        return []
    name = str(search.get("name") or "tool_search")
    results = request.function_results
    if results:
        found = [
            item
            for result in results
            if result.get("name") == name and isinstance(result.get("result"), list)
            for item in result["result"]
            if isinstance(item, dict) and item.get("type") == "function"
        ]
        if not found:
            return []
        user = {"type": "user_input", "content": [{"type": "text", "text": latest}]}
        narrowed = ModelRequest(
            body={**request.body, "tools": found[:1]}, history=request.history, input=[user]
        )
        return plan(narrowed, latest)
    if not any(s.get("type") == "user_input" for s in request.input) or plan(request, latest):
        return []
    calls = sum(1 for s in request.all_steps if s.get("type") == "function_call")
    return [
        {
            "type": "function_call",
            "id": f"call_{calls + 1}",
            "name": name,
            "arguments": {"query": latest},
        }
    ]
