"""When and how long to wait before sending a request again.

The policy is data (`RetryPolicy`); `send_with_retries` applies it around one HTTP
send. It sits directly above `httpx.AsyncClient.send` rather than in an httpx
transport wrapper, so it also covers a user's injected client and survives
`respx.mock(using="httpx")`, which swaps the transport out from under any wrapper.

The loop is written out rather than built with tenacity, which we used at first:
a tenacity retrying object per request cost ~27 µs of CPU against ~0.6 µs for this
loop (measured on the CI machine), and left each request in reference cycles for
the cyclic GC; on the hot path of every tool round, that is overhead for nothing.
"""

from __future__ import annotations

import email.utils
import logging
import random
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import cast

import anyio
import httpx

from .._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    CallAlreadyAnsweredError,
    ReplyLostError,
    describe_request,
)
from .._wire.base import JsonObject
from .extensions import Buffered

__all__ = [
    "already_answered",
    "RETRYABLE_STATUSES",
    "Attempts",
    "LostReply",
    "RetryPolicy",
    "reached_server",
    "retry_after_seconds",
    "send_failure",
    "send_with_retries",
    "unresolvable",
]

RETRYABLE_STATUSES = frozenset({408, 409, 429})
"""Retried besides every 5xx. Any other 4xx fails at once: sending it again cannot help."""

Sleep = Callable[[float], Awaitable[None]]

logger = logging.getLogger("agentloop.http")


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """Exponential backoff with jitter, bounded in attempts and in total time.

    `Retry-After` (seconds or an HTTP date) and `retry-after-ms` replace the computed
    delay when the server sends them, capped at `max_retry_after`.
    """

    max_retries: int = 4
    """Retries after the first attempt; 0 disables retrying."""
    initial_delay: float = 0.5
    """The first backoff, doubled on every retry."""
    max_delay: float = 8.0
    """The cap of the computed backoff."""
    jitter: float = 0.25
    """Each computed delay is shortened by a random fraction up to this."""
    max_retry_after: float = 60.0
    """The cap of a server-requested delay."""
    total_timeout: float | None = 120.0
    """No retry starts after this many seconds since the first attempt; None: no bound."""

    def backoff(self, retry_number: int) -> float:
        """The computed delay before retry `retry_number` (1-based), jittered."""
        nominal = min(self.max_delay, self.initial_delay * 2.0 ** (retry_number - 1))
        return nominal * (1 - self.jitter * random.random())

    def delay(self, retry_number: int, response: httpx.Response | None) -> float:
        """The delay before retry `retry_number`, honouring the server's request."""
        requested = retry_after_seconds(response) if response is not None else None
        if requested is not None:
            return min(requested, self.max_retry_after)
        return self.backoff(retry_number)


@dataclass(slots=True)
class Attempts:
    """What `send_with_retries` did, for the caller's error messages."""

    count: int = 0
    """Attempts made."""
    lost_reply: BaseException | None = None
    """The failure of an attempt that may have been carried out, if one was repeated."""


class LostReply(Exception):
    """A request that is not safe to repeat was sent whole, and its reply was lost."""

    def __init__(self, cause: httpx.TransportError) -> None:
        super().__init__(str(cause))
        self.cause = cause


# Failures that happen before the server can have read the whole request: the
# connection was never made, or the request could not be written out.
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.WriteError,
    httpx.WriteTimeout,
    httpx.UnsupportedProtocol,
    httpx.ProxyError,
)


def reached_server(exc: httpx.TransportError) -> bool:
    """True if the request may have reached the server whole before `exc`.

    A reset, a read timeout or a body cut short all happen after the request was
    written out: the server may have carried it out and only the reply was lost.
    """
    return not isinstance(exc, _NOT_SENT)


def is_retryable_status(status_code: int) -> bool:
    """True for statuses worth sending again: 408, 409, 429 and every 5xx."""
    return status_code in RETRYABLE_STATUSES or status_code >= 500


def retry_after_seconds(response: httpx.Response) -> float | None:
    """The delay the server asked for, in seconds, or None if it asked for none."""
    milliseconds = response.headers.get("retry-after-ms")
    if milliseconds is not None:
        try:
            value = float(milliseconds) / 1000
        except ValueError:
            value = -1
        if value > 0:
            return value
    header = response.headers.get("retry-after")
    if header is None:
        return None
    try:
        seconds = float(header)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(header)
        except (ValueError, TypeError, IndexError, OverflowError):
            return None  # `Retry-After: soon` and the like: use the computed backoff
        seconds = parsed.timestamp() - time.time()
    # NaN fails the comparison, so it is ignored like any other nonsense.
    return seconds if seconds > 0 else None


async def send_with_retries(
    send: Callable[[], Awaitable[httpx.Response | Buffered]],
    policy: RetryPolicy,
    *,
    sleep: Sleep = anyio.sleep,
    describe: Callable[[], str] = lambda: "request",
    on_retry: Callable[[int, float, str], None] | None = None,
    idempotent: bool = True,
    repeat_lost_replies: bool = True,
    attempts: Attempts | None = None,
    first: httpx.Response | httpx.TransportError | None = None,
    started: float | None = None,
) -> httpx.Response | Buffered:
    """Call `send` until it returns a non-retryable response or the policy gives up.

    Returns the last response (which may be an error status: the caller maps it to an
    exception). Raises the last `httpx.TransportError` if every attempt failed to
    connect or read. A retried error response is closed before the next attempt.
    `on_retry(attempt, delay, reason)` is told of each retry before its wait.

    A request that is not `idempotent` and may have reached the server whole (its
    reply was lost) is repeated only if `repeat_lost_replies`; otherwise `LostReply`
    is raised. `attempts`, if given, records what happened. `first`: the outcome of a
    first attempt the caller made itself, at `started` (a `time.monotonic()`).
    """
    record = attempts if attempts is not None else Attempts()
    started = time.monotonic() if started is None else started
    attempt = 0
    while True:
        attempt += 1
        record.count = attempt
        response: httpx.Response | None = None
        try:
            if first is not None:
                made, first = first, None
                if isinstance(made, httpx.TransportError):
                    raise made
                reply: httpx.Response | Buffered = made
            else:
                reply = await send()
            if type(reply) is Buffered:  # a 2xx read whole: nothing to retry
                return reply
            response = cast(httpx.Response, reply)
        except httpx.TransportError as exc:
            if not idempotent and reached_server(exc):
                if not repeat_lost_replies:
                    raise LostReply(exc) from exc
                if _may_retry(policy, attempt, started):
                    record.lost_reply = exc
            if unresolvable(exc) or not _may_retry(policy, attempt, started):
                raise
            reason = f"{type(exc).__name__}: {exc}"
        else:
            if (
                not is_retryable_status(response.status_code)
                or _already_exists(response)
                or not _may_retry(policy, attempt, started)
            ):
                return response
            reason = f"status {response.status_code}"
            await response.aclose()
        delay = policy.delay(attempt, response)
        logger.info(
            "retrying %s in %.2fs (attempt %d failed: %s)", describe(), delay, attempt, reason
        )
        if on_retry is not None:
            on_retry(attempt, delay, reason)
        await sleep(delay)


def send_failure(
    exc: LostReply | httpx.TransportError,
    request: httpx.Request,
    *,
    idempotent: bool,
    attempts: int,
    max_retries: int,
) -> APIConnectionError:
    """The typed error for a request that `send_with_retries` gave up on: its reply
    lost (`ReplyLostError`), a timeout (`APITimeoutError`), or no connection
    (`APIConnectionError`), each saying what was tried."""
    what = describe_request(request)
    if isinstance(exc, LostReply):
        return ReplyLostError(
            f"{what} reached the server, but its reply was lost "
            f"({type(exc.cause).__name__}: {exc.cause}). It may have been carried "
            "out, so it was not sent again (retry_ambiguous=False).",
            request=request,
        )
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"{what} timed out ({type(exc).__name__}). "
            "Raise timeout= on the client or the call if the work is expected to be slow.",
            request=request,
        )
    if not idempotent and reached_server(exc):
        return ReplyLostError(
            f"{what} reached the server, but its reply was lost ({type(exc).__name__}: "
            f"{exc}), and so were the replies of its {attempts - 1} repeats. It may have "
            "been carried out.",
            request=request,
        )
    retried = (
        "the host name does not resolve, so it was not retried"
        if unresolvable(exc)
        else f"the request was retried {max_retries} times"
    )
    return APIConnectionError(
        f"{what} failed: {type(exc).__name__}: {exc}. Check the network and base_url; {retried}.",
        request=request,
    )


def _already_exists(response: httpx.Response) -> bool:
    """A 409 for a duplicate (creating an id twice) stays a conflict however often it
    is sent; only 409 ABORTED (a concurrency clash) is worth retrying."""
    if response.status_code != 409:
        return False
    try:
        return b"ALREADY_EXISTS" in response.content
    except httpx.ResponseNotRead:
        return False


def unresolvable(exc: BaseException) -> bool:
    """A host name that did not resolve (a typo, no network): retrying cannot help."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, socket.gaierror):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _may_retry(policy: RetryPolicy, attempt: int, started: float) -> bool:
    if attempt > policy.max_retries:
        return False
    return policy.total_timeout is None or time.monotonic() - started < policy.total_timeout


def already_answered(error: APIStatusError, body: object) -> CallAlreadyAnsweredError | None:
    """A refusal of a repeated create that answers function calls: the first attempt
    (whose reply was lost) already answered them."""
    if error.status_code not in (400, 409) or not isinstance(body, dict):
        return None
    inputs = cast(JsonObject, body).get("input")
    steps = cast(list[object], inputs) if isinstance(inputs, list) else []
    call_ids = [
        str(step.get("call_id"))
        for step in (cast(JsonObject, item) for item in steps if isinstance(item, dict))
        if step.get("type") == "function_result"
    ]
    if not call_ids:
        return None
    message = (
        f"{error.message} This create was sent again after its reply was lost, and the "
        "first attempt most likely answered the function calls already; the tools were "
        "not run again. The run's state is on `.state` (retry_ambiguous=False raises "
        "ReplyLostError instead of sending again)."
    )
    return CallAlreadyAnsweredError(
        message,
        response=error.response,
        body=error.body,
        call_ids=call_ids,
        code=error.code,
        status=error.status,
        detail=error.detail,
    )
