"""The HTTP layer: every byte agentloop sends or receives over the network.

Owns the async HTTP core (configuration, headers, the aiohttp transport), retries,
event streams with resume, the `interactions` and Files resources, and the two client
faces (`AsyncClient`, `Client`).

May import `_wire`, `_errors`, `_sync`. Must never import the tools, MCP or run layers:
a client knows nothing of agents.
"""
