"""Where MCP calls go: to the API (the remote route), or over a connection this
process holds to the server (the local route).

`MCPServer(mode="auto")` asks the one limits table, `TOOL_LIMITS`: remote unless a rule
there says the API cannot serve that model and tool mix; local (an `MCPHttp` source)
otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Literal

from .._tools.builtin import TOOL_LIMITS, MCPServer

__all__ = ["MCPRoute", "auto_route", "log_route"]

logger = logging.getLogger("agentloop.mcp")

MCPRoute = Literal["remote", "local"]
"""Where an `MCPServer` ended up: called by the API, or bridged by this process."""


def auto_route(model: str | None, other_types: Iterable[str]) -> tuple[MCPRoute, str]:
    """The route of `"auto"` servers next to tools of `other_types`, and why."""
    types = frozenset({*other_types, "mcp_server"})
    for limit in TOOL_LIMITS:
        if limit.applies(model, types):
            return "local", limit.message
    return "remote", "the API serves remote MCP for this model and tool mix"


def log_route(server: MCPServer, route: MCPRoute, reason: str) -> None:
    """Say where `server` runs, and why (the route is also on `Agent.mcp_routes`)."""
    logger.info("MCP server %r runs %s (mode=%r): %s", server.name, route, server.mode, reason)
