"""Webhooks for the local server: the registry, and deliveries that are really POSTed.

Each delivery is signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`,
`webhook-signature: v1,<base64 HMAC-SHA256>`, one signature per live secret, so a
receiver mid-rotation verifies with either), sent from a daemon thread, and retried
with backoff until a 2xx or the attempts run out. The `webhook-id` stays the same
across retries: receivers deduplicate on it. Only loopback endpoints are accepted:
the local server never reaches the network.
"""

from __future__ import annotations

import base64
import heapq
import ipaddress
import json
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from .._wire.base import JsonObject
from .engine import ApiError
from .http import new_id, timestamp

__all__ = ["Delivery", "WebhookRegistry", "new_secret"]

DAY = 24 * 3600.0


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` + base64 of 24 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def _is_loopback(uri: str) -> bool:
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def sign(secret: str, msg_id: str, sent_at: float, payload: str) -> str:
    """One `v1,<signature>` entry, computed by the standardwebhooks library."""
    from standardwebhooks.webhooks import Webhook as Signer  # the `server` extra

    return Signer(secret).sign(msg_id, datetime.fromtimestamp(sent_at, UTC), payload)


@dataclass(slots=True, kw_only=True)
class Delivery:
    """One attempt to deliver one event (kept in `WebhookRegistry.deliveries`)."""

    webhook_id: str
    msg_id: str
    event_type: str
    uri: str
    attempt: int
    status: int | None
    """The endpoint's HTTP status; None when it could not be reached."""
    error: str | None = None


@dataclass(order=True, slots=True)
class _Job:
    due: float
    seq: int
    webhook_id: str = field(compare=False)
    msg_id: str = field(compare=False)
    event_type: str = field(compare=False)
    data: Callable[[], JsonObject | None] = field(compare=False)
    attempt: int = field(compare=False, default=1)
    payload: str | None = field(compare=False, default=None)


class WebhookRegistry:
    """Registered webhooks, their secrets, and the delivery thread."""

    def __init__(
        self,
        *,
        retry_delays: Sequence[float] = (0.2, 0.5, 1.0, 2.0),
        timeout: float = 5.0,
    ) -> None:
        self.hooks: dict[str, JsonObject] = {}
        self._secrets: dict[str, list[tuple[str, float | None]]] = {}
        self.retry_delays = tuple(retry_delays)
        """Seconds before each retry; one more attempt than delays in all."""
        self.timeout = timeout
        self.deliveries: list[Delivery] = []
        """Every attempt so far, oldest first."""
        self._jobs: list[_Job] = []
        self._seq = 0
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False

    # ---- the resource ------------------------------------------------------------

    def _shown(self, hook: JsonObject) -> JsonObject:
        now = time.time()
        shown = dict(hook)
        shown["signing_secrets"] = [
            {
                "truncated_secret": f"{secret[:10]}…",
                **({"expire_time": timestamp(expiry)} if expiry else {}),
            }
            for secret, expiry in self._live(hook["id"], now)
        ]
        return shown

    def _live(self, id: str, now: float) -> list[tuple[str, float | None]]:
        return [(s, e) for s, e in self._secrets.get(id, []) if e is None or e > now]

    def get(self, id: str) -> JsonObject:
        hook = self.hooks.get(id)
        if hook is None:
            raise ApiError(404, "NOT_FOUND", f"Webhook '{id}' was not found.")
        return self._shown(hook)

    def list(self) -> list[JsonObject]:
        return [self._shown(hook) for hook in self.hooks.values()]

    @staticmethod
    def _check(body: JsonObject, *, partial: bool) -> None:
        uri = body.get("uri")
        if uri is not None or not partial:
            if not isinstance(uri, str) or not uri:
                raise ApiError(400, "INVALID_ARGUMENT", "'uri' is required.")
            if not _is_loopback(uri):
                raise ApiError(
                    400,
                    "INVALID_ARGUMENT",
                    f"The local server delivers webhooks to loopback addresses only, not {uri!r}.",
                )
        events = body.get("subscribed_events")
        if (events is not None or not partial) and (
            not isinstance(events, list)
            or not events
            or not all(isinstance(e, str) and e for e in events)
        ):
            raise ApiError(
                400, "INVALID_ARGUMENT", "'subscribed_events' must be a non-empty list of names."
            )

    def create(self, body: JsonObject) -> JsonObject:
        self._check(body, partial=False)
        now = time.time()
        id = new_id("webhook")
        hook: JsonObject = {
            "id": id,
            "uri": body["uri"],
            "subscribed_events": list(body["subscribed_events"]),
            "state": "enabled",
            "create_time": timestamp(now),
            "update_time": timestamp(now),
        }
        if isinstance(body.get("name"), str):
            hook["name"] = body["name"]
        secret = new_secret()
        self.hooks[id] = hook
        self._secrets[id] = [(secret, None)]
        return {**self._shown(hook), "new_signing_secret": secret}

    def update(self, id: str, body: JsonObject) -> JsonObject:
        hook = self.hooks.get(id)
        if hook is None:
            raise ApiError(404, "NOT_FOUND", f"Webhook '{id}' was not found.")
        self._check(body, partial=True)
        for key in ("uri", "subscribed_events", "name", "state"):
            if key in body:
                hook[key] = body[key]
        hook["update_time"] = timestamp()
        return self._shown(hook)

    def delete(self, id: str) -> None:
        if self.hooks.pop(id, None) is None:
            raise ApiError(404, "NOT_FOUND", f"Webhook '{id}' was not found.")
        self._secrets.pop(id, None)

    def rotate(self, id: str, behavior: str | None) -> JsonObject:
        self.get(id)
        now = time.time()
        if behavior not in (
            None,
            "revoke_previous_secrets_after_h24",
            "revoke_previous_secrets_immediately",
        ):
            raise ApiError(400, "INVALID_ARGUMENT", f"Unknown revocation_behavior {behavior!r}.")
        expiry = now if behavior == "revoke_previous_secrets_immediately" else now + DAY
        kept = [(s, min(e, expiry) if e else expiry) for s, e in self._live(id, now)]
        secret = new_secret()
        self._secrets[id] = [(secret, None), *[(s, e) for s, e in kept if e > now]]
        self.hooks[id]["update_time"] = timestamp(now)
        return {"secret": secret}

    # ---- deliveries --------------------------------------------------------------

    def emit(
        self,
        event_type: str,
        data: Callable[[], JsonObject | None],
        *,
        at: float | None = None,
        only: str | None = None,
    ) -> int:
        """Queue `event_type` for every enabled webhook subscribed to it (or just `only`).

        `data` runs at delivery time and may return None to cancel (e.g. the
        interaction was cancelled meanwhile). Returns how many deliveries were queued.
        """
        due = time.time() if at is None else at
        queued = 0
        with self._wake:
            for id, hook in self.hooks.items():
                if only is not None and id != only:
                    continue
                if only is None and (
                    hook.get("state") != "enabled" or event_type not in hook["subscribed_events"]
                ):
                    continue
                self._seq += 1
                heapq.heappush(
                    self._jobs, _Job(due, self._seq, id, new_id("msg"), event_type, data)
                )
                queued += 1
            if queued:
                self._ensure_thread()
                self._wake.notify()
        return queued

    def pending(self) -> int:
        """Deliveries queued or waiting for a retry."""
        with self._wake:
            return len(self._jobs)

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._closed = False
            self._thread = threading.Thread(
                target=self._run, name="agentloop-webhooks", daemon=True
            )
            self._thread.start()

    def close(self) -> None:
        """Stop the delivery thread (queued deliveries are dropped)."""
        with self._wake:
            self._closed = True
            self._jobs.clear()
            self._wake.notify()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout, trust_env=False) as client:
            while True:
                with self._wake:
                    while not self._closed and (not self._jobs or self._jobs[0].due > time.time()):
                        wait = self._jobs[0].due - time.time() if self._jobs else None
                        self._wake.wait(timeout=wait)
                    if self._closed:
                        return
                    job = heapq.heappop(self._jobs)
                self._deliver(client, job)

    def _deliver(self, client: httpx.Client, job: _Job) -> None:
        hook = self.hooks.get(job.webhook_id)
        if hook is None:
            return
        if job.payload is None:
            data = job.data()
            if data is None:
                return
            job.payload = json.dumps(
                {
                    "type": job.event_type,
                    "version": "v1",
                    "timestamp": timestamp(),
                    "data": data,
                },
                separators=(",", ":"),
            )
        sent_at = time.time()
        signatures = " ".join(
            sign(secret, job.msg_id, sent_at, job.payload)
            for secret, _ in self._live(job.webhook_id, sent_at)
        )
        status: int | None = None
        error: str | None = None
        try:
            response = client.post(
                hook["uri"],
                content=job.payload.encode(),
                headers={
                    "content-type": "application/json",
                    "webhook-id": job.msg_id,
                    "webhook-timestamp": str(int(sent_at)),
                    "webhook-signature": signatures,
                    "user-agent": "agentloop-local-server",
                },
            )
            status = response.status_code
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        self.deliveries.append(
            Delivery(
                webhook_id=job.webhook_id,
                msg_id=job.msg_id,
                event_type=job.event_type,
                uri=hook["uri"],
                attempt=job.attempt,
                status=status,
                error=error,
            )
        )
        if status is not None and 200 <= status < 300:
            return
        if job.attempt > len(self.retry_delays):
            return
        job.due = time.time() + self.retry_delays[job.attempt - 1]
        job.attempt += 1
        with self._wake:
            if not self._closed:
                heapq.heappush(self._jobs, job)
                self._wake.notify()


def event_data(**fields: Any) -> JsonObject:
    """An event's `data` object, leaving out fields not given."""
    return {name: value for name, value in fields.items() if value is not None}
