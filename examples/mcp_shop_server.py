"""A small MCP server, written with the official `mcp` SDK: the shop that
`mcp_local_stdio.py` bridges to its agent. It speaks MCP on stdin/stdout.

Needs the extra (pip install 'agentloop[mcp]'); run it on its own to try it with
an MCP client such as the SDK's inspector:

    python examples/mcp_shop_server.py
"""

try:
    from mcp.server.mcpserver import MCPServer as FastMCP  # mcp 2.x
except ImportError:
    from mcp.server.fastmcp import FastMCP  # mcp 1.x

PRICES = {"apple": 0.5, "pear": 0.8, "melon": 2.5}

server = FastMCP("shop", log_level="ERROR")


@server.tool()
def price(item: str) -> float:
    """The price of one item, in euros."""
    return PRICES[item]


@server.tool()
def stock() -> list[str]:
    """The items for sale."""
    return sorted(PRICES)


def main() -> None:
    server.run("stdio")


if __name__ == "__main__":
    main()
