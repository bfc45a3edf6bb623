"""`WebhookApp`: an ASGI app that drives background runs from the API's webhook events.

    interaction.requires_action  -> run the agent's tools, send the results (background)
    interaction.completed/failed/cancelled -> record the run's outcome in the store
    anything else (webhook.ping) -> acknowledged, ignored

Every delivery is verified first (401 if forged or stale) and processed once per
`webhook-id` (a retried or replayed delivery gets 200 "duplicate" and does nothing).
If processing fails, the claim is released and the answer is 500, so the sender's
retry processes it. No polling anywhere: the server's next event continues the run.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from typing import Any

from .._errors import AgentloopError, RunCancelledError, UserError
from .._run.push import Advanced, Ended, advance
from .._run.result import RunResult
from .._run.runner import Runnable
from .._wire.base import JsonObject
from .._wire.resources import WebhookEvent
from .store import MemoryWebhookStore, WebhookStore
from .verify import DEFAULT_TOLERANCE, WebhookVerificationError, verify

__all__ = ["WebhookApp"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

_ENDINGS = ("interaction.completed", "interaction.failed", "interaction.cancelled")


def _status(step: Ended) -> str:
    if step.error is None:
        return step.result.status
    return "cancelled" if isinstance(step.error, RunCancelledError) else "failed"


def _outcome(root: str, interaction_id: str, step: Ended) -> JsonObject:
    result: RunResult = step.result
    outcome: JsonObject = {
        "root_id": root,
        "interaction_id": interaction_id,
        "status": _status(step),
        "text": result.text,
        "tool_calls": [call.name for call in result.tool_calls],
    }
    if step.error is not None:
        outcome["error"] = f"{type(step.error).__name__}: {step.error.message}"
    output = result.output
    if output is not None and not isinstance(output, str):
        dump = getattr(output, "model_dump", None)
        outcome["output"] = dump(mode="json") if callable(dump) else output
    return outcome


class WebhookApp:
    """Receive the API's webhook events and drive `agent`'s background runs with them.

    Args:
        secret: the webhook's signing secret (from `client.webhooks.create`), or
            several during a rotation.
        agent: the agent whose tools answer `requires_action` (the same configuration
            that started the runs: `agent.astart(...)`).
        checkpoints: where claims, run states and outcomes live
            (`MemoryWebhookStore()` by default; `SQLiteWebhookStore(path)` to survive
            restarts).
        deps: passed to tools as `ToolContext.deps`.
        tolerance: seconds a delivery's timestamp may be off.
        on_outcome: called with each finished run's outcome (after it is stored).

    Serve it with any ASGI server (`uvicorn module:app`), or call `handle(body,
    headers)` from another framework's route.
    """

    def __init__(
        self,
        *,
        secret: str | Sequence[str],
        agent: Runnable,
        checkpoints: WebhookStore | None = None,
        deps: Any = None,
        tolerance: float = DEFAULT_TOLERANCE,
        on_outcome: Callable[[JsonObject], Awaitable[None] | None] | None = None,
    ) -> None:
        self.secret = secret
        self.agent = agent
        self.store: WebhookStore = checkpoints if checkpoints is not None else MemoryWebhookStore()
        """Claims, run states and outcomes."""
        self.deps = deps
        self.tolerance = tolerance
        self.on_outcome = on_outcome

    def outcome(self, run_id: str) -> JsonObject | None:
        """How the run whose first interaction is `run_id` ended (None while it goes on)."""
        return self.store.outcome(run_id)

    async def handle(self, body: bytes, headers: Mapping[str, str]) -> tuple[int, JsonObject]:
        """Process one delivery; returns the HTTP status and JSON body to answer with."""
        try:
            event = verify(body, headers, self.secret, tolerance=self.tolerance)
        except WebhookVerificationError as exc:
            return 401, {"error": str(exc)}
        except UserError as exc:  # no usable secret configured: the sender should retry
            return 500, {"error": str(exc)}
        lowered = {name.lower(): value for name, value in headers.items()}
        webhook_id = lowered["webhook-id"]
        if not self.store.claim(webhook_id):
            return 200, {"status": "duplicate"}
        try:
            return 200, await self._process(event)
        except AgentloopError as exc:
            self.store.release(webhook_id)
            return 500, {"error": f"{type(exc).__name__}: {exc}"}
        except BaseException:
            self.store.release(webhook_id)
            raise

    async def _process(self, event: WebhookEvent) -> JsonObject:
        if event.type != "interaction.requires_action" and event.type not in _ENDINGS:
            return {"status": "ignored", "type": event.type}
        interaction_id = event.data.get("id")
        if not isinstance(interaction_id, str) or not interaction_id:
            return {"status": "ignored", "reason": "the event names no interaction"}
        runner = self.agent.runner
        interaction = await runner.client.interactions.get(interaction_id)
        saved = self.store.load_run(interaction_id)
        if saved is not None:
            root, data = saved
            state = type(runner.new_state(None)).from_dict(data)
        else:
            root, state = interaction_id, runner.new_state(None)
        step = await advance(runner, state, interaction, deps=self.deps)
        if isinstance(step, Advanced):
            self.store.save_run(step.interaction.id, root, state.to_dict())
            return {
                "status": "continued",
                "interaction_id": step.interaction.id,
                "tool_calls": step.tool_calls,
            }
        assert isinstance(step, Ended)
        outcome = _outcome(root, interaction_id, step)
        self.store.save_outcome(root, outcome)
        if self.on_outcome is not None:
            pending = self.on_outcome(outcome)
            if pending is not None:
                await pending
        return {"status": "recorded", "outcome": outcome}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        if scope["method"] != "POST":
            status, answer = 405, {"error": "webhooks are delivered with POST"}
        else:
            headers = {
                name.decode("latin-1"): value.decode("latin-1")
                for name, value in scope.get("headers") or []
            }
            status, answer = await self.handle(b"".join(chunks), headers)
        payload = json.dumps(answer).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})
