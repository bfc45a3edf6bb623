"""The run layer: agents and the one loop that drives them.

Owns the run state (versioned, resumable) and the pure run steps, tool rounds and
their approvals, the single driver that runs them (events built only when someone
consumes them), results and run events, structured output, the per-run toolset,
`Agent`, `Chat`, background handles and pipelines, and composition: agents as
tools, handoffs, parallel fan-out, usage limits, guardrails, history compaction
(`scope.py` is where the driver calls them).

May import every lower layer (`_durable`, `_mcp`, `_tools`, `_http`, `_wire`,
`_errors`, `_sync`). Must never import `_server` or `_cli`.
"""
