"""MCP servers the MCP bridge tests run as subprocesses (stdio, or HTTP on loopback)."""
