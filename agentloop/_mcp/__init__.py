"""The MCP layer: client-side MCP servers as tool sources.

Owns the bridge (`MCPStdio`, `MCPHttp`, MCP tools as callable tools), the connection
lifecycle over the `mcp` SDK (imported lazily: it is an extra), and the routing
decision between the API's remote MCP and a local bridge.

May import `_tools`, `_wire`, `_errors`. Must never import `_http` or `_run`.
"""
