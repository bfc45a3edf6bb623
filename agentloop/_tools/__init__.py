"""The tools layer: Python functions as function tools, and running the calls.

Owns `@tool` and its JSON schema, built-in tool declarations and the API's limits on
mixing them, `ToolContext`, converting handler results to wire values, the protocols
every callable tool and tool source meets, and dispatching one round of calls.

May import `_wire`, `_errors`. Must never import `_http` or `_mcp`: a tool runs the
same whether a client, a durable engine or a test calls it.
"""
