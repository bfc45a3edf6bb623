"""The guide's "Protocollo di contesto del modello (MCP) remoto" (remote MCP) example,
as an Agent.

`MCPServer` declares an MCP server that the API calls itself. Where the API cannot
(Gemini 3 models, or other tools on the same agent) the default `mode="auto"` bridges
it from this process instead, and `mode="remote"` refuses the setup before sending
anything; `agent.mcp_routes` says which way it went.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at an Interactions server):

    python examples/agent_remote_mcp.py
"""

from agentloop import Agent, MCPServer

weather_service = MCPServer(
    name="weather_service",
    url="https://gemini-api-demos.uc.r.appspot.com/mcp",
)
agent = Agent("gemini-2.5-flash", tools=[weather_service])


def main() -> None:
    result = agent.run("What is the weather like in New York today?")
    print(result.text)


if __name__ == "__main__":
    main()
