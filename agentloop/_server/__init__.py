"""The local Interactions API server (ASGI): app, engine, stores, timeline, demo model.

Public names are re-exported from `agentloop.testing`. The server shares only the wire
layer with the client (`_wire`, `_errors`): it must never import `_http`, `_tools`,
`_mcp` or `_run`, so the library is tested against an implementation of the API rather
than against itself.
"""
