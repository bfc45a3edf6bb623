"""`verify`: check a webhook delivery's Standard Webhooks signature and timestamp.

The HMAC is computed by the `standardwebhooks` library; this module adds what its
`verify` lacks: a configurable timestamp tolerance, several secrets (a rotation in
progress), an injectable clock for tests, and a typed event.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from .._errors import AgentloopError, UserError
from .._wire.resources import WebhookEvent

__all__ = ["DEFAULT_TOLERANCE", "WebhookVerificationError", "verify"]

DEFAULT_TOLERANCE = 300.0
"""Seconds a delivery's timestamp may differ from now (Standard Webhooks' five minutes)."""


class WebhookVerificationError(AgentloopError):
    """A delivery is not authentic or not fresh: a missing header, a bad signature, a
    timestamp outside the tolerance, or a body that is not an event. Answer it 400/401
    and do not act on it."""


def _signer(secret: str) -> Any:
    try:
        from standardwebhooks.webhooks import Webhook
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise UserError(
            "webhook verification needs standardwebhooks: pip install 'agentloop[webhooks]'"
        ) from exc
    try:
        return Webhook(secret)
    except Exception as exc:  # the library raises bare errors for bad base64
        raise UserError(f"not a webhook signing secret (expected 'whsec_...'): {exc}") from exc


def verify(
    body: bytes | str,
    headers: Mapping[str, str],
    secret: str | Sequence[str],
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> WebhookEvent:
    """Verify a delivery and return its event.

    Args:
        body: the request body exactly as received (bytes or text).
        headers: the request headers (any case); `webhook-id`, `webhook-timestamp` and
            `webhook-signature` are required.
        secret: the webhook's signing secret, or several (old and new, mid-rotation):
            any one matching signature is enough.
        tolerance: seconds the timestamp may be off from `now` (replays of an old
            delivery fail here).
        now: the current time (seconds since the epoch); the clock by default.

    Raises:
        WebhookVerificationError: forged, altered, stale or malformed deliveries.
    """
    secrets_ = [secret] if isinstance(secret, str) else list(secret)
    if not secrets_ or not all(secrets_):
        raise UserError("verify: pass the webhook's signing secret (or a list of them)")
    lowered = {name.lower(): value for name, value in headers.items()}
    msg_id = lowered.get("webhook-id")
    stamp = lowered.get("webhook-timestamp")
    signatures = lowered.get("webhook-signature")
    if not (msg_id and stamp and signatures):
        raise WebhookVerificationError(
            "missing webhook-id, webhook-timestamp or webhook-signature header"
        )
    try:
        sent_at = int(stamp)
    except ValueError:
        raise WebhookVerificationError(f"webhook-timestamp {stamp!r} is not a number") from None
    current = time.time() if now is None else now
    if abs(current - sent_at) > tolerance:
        raise WebhookVerificationError(
            f"webhook-timestamp is {current - sent_at:+.0f} s from now (tolerance {tolerance} s): "
            "a stale or replayed delivery"
        )
    text = body.decode() if isinstance(body, bytes) else body
    moment = datetime.fromtimestamp(sent_at, UTC)
    expected: list[bytes] = []
    for key in secrets_:
        signed: str = _signer(key).sign(msg_id, moment, text)
        expected.append(base64.b64decode(signed.split(",", 1)[1]))
    matched = False
    for entry in signatures.split():
        version, _, value = entry.partition(",")
        if version != "v1":
            continue
        try:
            given = base64.b64decode(value, validate=True)
        except binascii.Error:
            continue
        matched = matched or any(hmac.compare_digest(given, want) for want in expected)
    if not matched:
        raise WebhookVerificationError("no webhook-signature matches the secret(s)")
    try:
        payload = json.loads(text)
        event = WebhookEvent.model_validate(payload)
    except (json.JSONDecodeError, ValidationError) as exc:
        raise WebhookVerificationError(f"the signed body is not a webhook event: {exc}") from exc
    return event
