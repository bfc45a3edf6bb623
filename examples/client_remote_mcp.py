"""The guide's "Protocollo di contesto del modello (MCP) remoto" (remote MCP) example,
on agentloop. The server calls the MCP server's tools itself.

Per the guide, Gemini 3 models do not support remote MCP yet; this uses
gemini-2.5-flash, as the guide does.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at a local server):

    python examples/client_remote_mcp.py
"""

from agentloop import Client


def main() -> None:
    client = Client()

    mcp_server = {
        "type": "mcp_server",
        "name": "weather_service",
        "url": "https://gemini-api-demos.uc.r.appspot.com/mcp",
    }

    interaction = client.interactions.create(
        model="gemini-2.5-flash",
        input="What is the weather like in New York today?",
        tools=[mcp_server],
    )

    print(interaction.outputs[-1].text)


if __name__ == "__main__":
    main()
