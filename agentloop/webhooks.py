"""Receive the Interactions API's webhooks: verify them, and drive runs with them.

```python
from agentloop import Agent
from agentloop.webhooks import WebhookApp, WebhookEvent, verify

agent = Agent("gemini-2.5-flash")
app = WebhookApp(secret="whsec_...", agent=agent)  # ASGI: `uvicorn module:app`


def receive(body: bytes, headers: dict[str, str]) -> WebhookEvent:
    return verify(body, headers, "whsec_...")  # raises WebhookVerificationError
```

`WebhookApp` answers `interaction.requires_action` by running the agent's tools and
sending their results (in the background), and records each run's outcome on
`interaction.completed` / `interaction.failed`: push-driven runs, no polling. Each
delivery is processed once, however often it is sent. Needs `agentloop[webhooks]`.
"""

from __future__ import annotations

from ._webhooks.app import WebhookApp
from ._webhooks.store import MemoryWebhookStore, SQLiteWebhookStore, WebhookStore
from ._webhooks.verify import DEFAULT_TOLERANCE, WebhookVerificationError, verify
from ._wire.resources import WebhookEvent

__all__ = [
    "DEFAULT_TOLERANCE",
    "MemoryWebhookStore",
    "SQLiteWebhookStore",
    "WebhookApp",
    "WebhookEvent",
    "WebhookStore",
    "WebhookVerificationError",
    "verify",
]
