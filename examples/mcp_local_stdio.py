"""A local MCP server, bridged: its tools become the agent's function tools.

`MCPStdio` starts the shop server (`mcp_shop_server.py`, next to this file) as a
subprocess when the `async with agent:` block opens, keeps it for every run of the
conversation, and stops it when the block ends. Tool names get the prefix `shop_`,
and every call goes through an approval hook first. Gemini 3 models cannot use
remote MCP servers, but bridged ones are ordinary function tools.

Needs the extra (pip install 'agentloop[mcp]'), and GEMINI_API_KEY (or
AGENTLOOP_BASE_URL pointing at an Interactions server):

    python examples/mcp_local_stdio.py
"""

import sys
from pathlib import Path
from typing import Any

import anyio

from agentloop import Agent, MCPStdio

SERVER = Path(__file__).with_name("mcp_shop_server.py")


def approve(tool_name: str, arguments: dict[str, Any]) -> bool:
    print(f"[approved] {tool_name}({arguments})")
    return True


shop = MCPStdio(sys.executable, [str(SERVER)], prefix="shop", approve=approve, timeout=10)
agent = Agent("gemini-3-flash-preview", tools=[shop])


async def converse() -> None:
    async with agent:  # one server process for the whole conversation
        chat = agent.chat()
        print((await chat.arun("What does an apple cost?")).text)
        print((await chat.arun("And three pears?")).text)


def main() -> None:
    anyio.run(converse)


if __name__ == "__main__":
    main()
