"""agentloop's benchmark suite: `python -m benchmarks` (see docs/performance.md).

Everything runs on loopback: a scripted mock Interactions server in its own process,
and every client (hand-written floors and agentloop) in a process of its own, so that
CPU time and peak RSS are the client's alone. This package imports nothing heavy:
each worker imports only the HTTP stack it measures.
"""
