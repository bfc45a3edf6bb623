"""The guide's remote MCP example ("weather_service"), as an Agent with `MCPServer`.

The API connects to the MCP server and calls its tools itself. `MCPServer` picks
that route (`mode="auto"`) because the guide's model, gemini-2.5-flash, serves remote
MCP and the server is the agent's only tool; on a Gemini 3 model, or next to other
tools, it would bridge the server from this process instead. `agent.mcp_routes`
says which route was taken.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at an Interactions server):

    python examples/mcp_remote_weather.py
"""

from agentloop import Agent, MCPServer

weather_service = MCPServer(
    name="weather_service",
    url="https://gemini-api-demos.uc.r.appspot.com/mcp",
)
agent = Agent("gemini-2.5-flash", tools=[weather_service])


def main() -> None:
    print(f"route: {agent.mcp_routes['weather_service']}")
    result = agent.run("What is the weather like in New York today?")
    print(result.text)


if __name__ == "__main__":
    main()
