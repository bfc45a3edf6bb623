"""The durability layer: where run states are kept between steps and processes.

Owns the `Checkpoints` protocol (save / load / delete a run's state by run id) and the
stores agentloop ships (`MemoryCheckpoints`, `SQLiteCheckpoints`), and the chat
session stores (`Sessions`, `SQLiteSessions`, `MemorySessions`: versioned, so
concurrent writers are refused). A store keeps opaque JSON text; what it means is
the run layer's business (`RunState`, `Chat`).

May import `_errors` and the standard library (plus anyio, to keep blocking stores
off the event loop). Must never import `_run`, `_mcp`, `_tools`, `_http` or `_wire`:
the run layer uses this one, not the other way round.
"""
