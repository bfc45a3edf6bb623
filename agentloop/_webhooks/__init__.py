"""Webhook receivers: Standard Webhooks verification, the dedup/state store, and
`WebhookApp`, the ASGI app that drives background runs from the API's events.

Public names are re-exported from `agentloop.webhooks`. May import `_run` (to take a
run's next step), `_wire`, `_errors`, `_sync`; must never import the local server or
the CLI. The signing scheme itself is the `standardwebhooks` library's, never ours.
"""
