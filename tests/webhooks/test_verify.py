"""`agentloop.webhooks.verify`: Standard Webhooks signatures, tolerance, rotation."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook as StandardWebhook

from agentloop import UserError
from agentloop.webhooks import WebhookEvent, WebhookVerificationError, verify

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OTHER = "whsec_c2VjcmV0LW51bWJlci10d28tZm9yLXRlc3Rz"
NOW = 1_800_000_000
BODY = json.dumps(
    {"type": "interaction.completed", "version": "v1", "data": {"id": "int_1"}}
).encode()


def signed(
    body: bytes = BODY, *, secret: str = SECRET, at: float = NOW, msg_id: str = "msg_1"
) -> dict[str, str]:
    signature = StandardWebhook(secret).sign(msg_id, datetime.fromtimestamp(at, UTC), body.decode())
    return {
        "Webhook-Id": msg_id,
        "Webhook-Timestamp": str(int(at)),
        "Webhook-Signature": signature,
    }


def test_verify_returns_the_typed_event() -> None:
    event = verify(BODY, signed(), SECRET, now=NOW + 10)
    assert isinstance(event, WebhookEvent)
    assert event.type == "interaction.completed"
    assert event.data == {"id": "int_1"}
    assert verify(BODY.decode(), signed(), SECRET, now=NOW).version == "v1"


@pytest.mark.parametrize(
    ("body", "headers", "match"),
    [
        (BODY, signed(secret=OTHER), "no webhook-signature matches"),
        (BODY.replace(b"int_1", b"int_2"), signed(), "no webhook-signature matches"),
        (BODY, {**signed(), "Webhook-Id": "msg_2"}, "no webhook-signature matches"),
        (BODY, {**signed(), "Webhook-Timestamp": str(NOW + 1)}, "no webhook-signature matches"),
        (BODY, {**signed(), "Webhook-Signature": "v1,bm90LWEtc2lnbmF0dXJl"}, "no webhook"),
        (BODY, {**signed(), "Webhook-Signature": "v2,abc v1,%%%"}, "no webhook-signature"),
        (BODY, {"webhook-id": "m", "webhook-timestamp": str(NOW)}, "missing"),
        (BODY, {**signed(), "Webhook-Timestamp": "soon"}, "not a number"),
    ],
    ids=[
        "wrong-secret",
        "altered-body",
        "other-id",
        "refreshed-timestamp",
        "garbage",
        "bad-base64",
        "no-signature",
        "bad-timestamp",
    ],
)
def test_forged_or_altered_deliveries_are_rejected(
    body: bytes, headers: dict[str, str], match: str
) -> None:
    with pytest.raises(WebhookVerificationError, match=match):
        verify(body, headers, SECRET, now=NOW)


@pytest.mark.parametrize("offset", [-301, 301, -3600])
def test_stale_and_future_timestamps_are_rejected(offset: int) -> None:
    with pytest.raises(WebhookVerificationError, match="tolerance"):
        verify(BODY, signed(), SECRET, now=NOW - offset)


def test_tolerance_is_configurable() -> None:
    headers = signed(at=NOW - 3600)
    assert verify(BODY, headers, SECRET, now=NOW, tolerance=7200).type == "interaction.completed"


def test_rotation_accepts_any_listed_secret() -> None:
    headers = signed(secret=OTHER)
    assert verify(BODY, headers, [SECRET, OTHER], now=NOW).data["id"] == "int_1"
    both = signed()["Webhook-Signature"] + " " + headers["Webhook-Signature"]
    assert verify(BODY, {**headers, "Webhook-Signature": both}, SECRET, now=NOW)


def test_a_signed_body_that_is_not_an_event_is_rejected() -> None:
    body = b'{"hello": "world"}'
    with pytest.raises(WebhookVerificationError, match="not a webhook event"):
        verify(body, signed(body), SECRET, now=NOW)


@pytest.mark.parametrize("secret", ["", [], "whsec_%%%"])
def test_bad_secret_is_a_user_error(secret: str | list[str]) -> None:
    with pytest.raises(UserError):
        verify(BODY, signed(), secret, now=NOW)


def test_default_clock_is_the_wall_clock() -> None:
    now = time.time()
    assert verify(BODY, signed(at=now), SECRET).type == "interaction.completed"
    with pytest.raises(WebhookVerificationError):
        verify(BODY, signed(), SECRET)
