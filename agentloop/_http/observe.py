"""The seam through which an observer (tracing, `agentloop._obs`) sees HTTP requests.

The HTTP layer sits below the observability layer and must not import it, so it
defines what it offers instead: an `HTTPObserver` read from a context variable.
The run layer sets the variable around the awaits that send a run's requests (never
across a `yield`), so only the requests of an instrumented run are observed, each
under the model call that sent it. With no observer set, a request costs one
`ContextVar.get()` more than before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    # Annotations only: the run layer imports this seam before any client exists.
    import httpx

__all__ = ["HTTPObserver", "OnRetry", "SendAttempts", "current_http_observer"]

OnRetry = Callable[[int, float, str], None]
"""Called before each retry with the failed attempt's number, the wait (s) and why."""

SendAttempts = Callable[[OnRetry | None], Awaitable["httpx.Response"]]
"""Sends the request (with retries) and returns the final response or raises."""


class HTTPObserver(Protocol):
    """Watches one request from its first attempt to its final response or error."""

    def observe(
        self, request: httpx.Request, send: SendAttempts
    ) -> Coroutine[Any, Any, httpx.Response]:
        """Call `send` (passing a retry callback) and return what it returns."""
        ...


current_http_observer: ContextVar[HTTPObserver | None] = ContextVar(
    "agentloop_http_observer", default=None
)
"""The observer of requests sent in this context, if any."""
