"""Observability: OpenTelemetry spans and metrics, run hooks, run logs, the waterfall.

Owns `instrument()`, `RunHooks`, `HookContext`, `HookError`, `RunTrace` and the
per-run `RunObserver` the run layer calls at a handful of points (run start and end,
each request, each terminal interaction, each tool round).

Sits between `_run` (which calls it) and `_mcp`/`_tools`/`_http`. It must not import
`_run`: what it needs of a run (its state, results, records) it takes as arguments.
`_http` and `_tools` must not import it either; they offer seams instead
(`_http.observe.current_http_observer`, `dispatch_calls(around=...)`) that this layer
plugs into, so a run that is not observed pays nothing for them. OpenTelemetry
(`agentloop[otel]`) is imported only when instrumentation is turned on.
"""
