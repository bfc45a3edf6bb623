"""An MCP server (official SDK, stdio) that notes each start in the file named by
MCP_STARTS, so tests count how many connections a worker process opened."""

import os

try:
    from mcp.server.mcpserver import MCPServer as FastMCP  # mcp 2.x
except ImportError:
    from mcp.server.fastmcp import FastMCP  # type: ignore[no-redef]  # mcp 1.x

server = FastMCP("shop", log_level="ERROR")


@server.tool()
def price(item: str) -> float:
    """The price of one item, in euros."""
    return {"apple": 0.5, "pear": 0.8}[item]


if __name__ == "__main__":
    with open(os.environ["MCP_STARTS"], "a") as starts:
        starts.write(f"{os.getpid()}\n")
    server.run("stdio")
