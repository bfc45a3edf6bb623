"""A small MCP server for the bridge tests, written with the official `mcp` SDK.

python demo.py stdio          serve on stdin/stdout
python demo.py http           serve streamable HTTP on 127.0.0.1, on a free port;
                              the first line on stdout is "PORT <number>"
"""

from __future__ import annotations

import base64
import os
import socket
import sys
from typing import Any

import anyio
from pydantic import BaseModel

try:  # mcp 2.x renamed FastMCP
    from mcp.server.mcpserver import Context, Image
    from mcp.server.mcpserver import MCPServer as FastMCP
    from mcp.server.mcpserver.exceptions import ToolError
except ImportError:  # mcp 1.x
    from mcp.server.fastmcp import Context, FastMCP, Image  # type: ignore[no-redef]
    from mcp.server.fastmcp.exceptions import ToolError  # type: ignore[no-redef]

from mcp.types import EmbeddedResource

# A 1x1 transparent PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)

server = FastMCP("demo", log_level="CRITICAL")


class Forecast(BaseModel):
    city: str
    temperature_c: float
    conditions: str


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@server.tool()
def get_forecast(city: str) -> Forecast:
    """Today's forecast for a city."""
    return Forecast(city=city, temperature_c=21.5, conditions="sunny")


@server.tool(structured_output=False)
def echo(text: str) -> str:
    """Repeat the text back."""
    return text


@server.tool()
def render_chart() -> Image:
    """Draw a chart (a PNG image)."""
    return Image(data=PNG, format="png")


@server.tool(structured_output=False)
def read_note() -> list[Any]:
    """An embedded text resource and a link."""
    return [
        EmbeddedResource.model_validate(
            {
                "type": "resource",
                "resource": {"uri": "note://today", "mimeType": "text/plain", "text": "Buy milk"},
            }
        )
    ]


@server.tool()
def fail() -> str:
    """Always fails."""
    raise ToolError("the forecast service is down")


@server.tool()
def header(name: str, ctx: Context) -> str:  # type: ignore[type-arg]
    """The value of an HTTP request header ("" on stdio)."""
    request = ctx.request_context.request
    headers = getattr(request, "headers", None) or {}
    return str(headers.get(name, ""))


@server.tool()
async def slow(seconds: float) -> str:
    """Sleep, then answer."""
    await anyio.sleep(seconds)
    return f"slept {seconds}"


_waiting: list[anyio.Event] = []


@server.tool()
async def rendezvous(who: str) -> str:
    """Answer once a second call is waiting here too (calls must arrive in parallel)."""
    if len(_waiting) % 2 == 0:
        _waiting.append(anyio.Event())
        with anyio.fail_after(10):
            await _waiting[-1].wait()
    else:
        _waiting[-1].set()
    return f"{who} met"


@server.tool()
def pid() -> int:
    """The server's process id."""
    return os.getpid()


@server.tool()
def crash() -> str:
    """Exit the server process at once (no answer is ever sent)."""
    os._exit(3)


@server.tool()
async def add_tool(ctx: Context) -> str:  # type: ignore[type-arg]
    """Register a new tool, `shout`, and tell the client the tool list changed."""

    def shout(text: str) -> str:
        """Upper-case the text."""
        return text.upper()

    server.add_tool(shout)
    await ctx.session.send_tool_list_changed()
    return "added shout"


def serve_http() -> None:
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)  # connections wait in the backlog until uvicorn accepts them
    port = sock.getsockname()[1]
    config = uvicorn.Config(server.streamable_http_app(), log_level="warning", lifespan="on")
    uvicorn_server = uvicorn.Server(config)
    print(f"PORT {port}", flush=True)
    uvicorn_server.run(sockets=[sock])


if __name__ == "__main__":
    if sys.argv[1:] == ["http"]:
        serve_http()
    else:
        server.run("stdio")
