"""The `agentloop` command's one error style: `error: what went wrong; what to do`.

One line on stderr, `error:` in red, then a hint worded for the command line (an
option or an environment variable, never a Python argument), and an exit status:

    0    done
    1    the run or the API failed (the server refused, a tool raised, no connection)
    2    a usage error (a bad option, a missing argument, a file that is not there)
    130  interrupted (Ctrl+C)

URLs in messages show the host only: never a path's query string (`?key=...`).
"""

from __future__ import annotations

from collections.abc import Generator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from agentloop import (
    AgentloopError,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)

from .input import CommandError

if TYPE_CHECKING:
    import typer

    from agentloop import Client

__all__ = ["OK", "FAILED", "INTERRUPTED", "USAGE", "describe", "fail", "reporting"]

OK, FAILED, USAGE, INTERRUPTED = 0, 1, 2, 130

_HINTS: dict[type[APIStatusError], str] = {
    AuthenticationError: "set GEMINI_API_KEY or pass --api-key",
    PermissionDeniedError: "the key is not allowed to do this; check its project's access",
    NotFoundError: "check the id or name (interactions expire, deleted ones are gone)",
    BadRequestError: "check the options and the prompt; the same request fails again",
    RateLimitError: "quota exhausted; wait a little and run again",
    ServerError: "the service failed; try again later",
}


def error_line(message: str, hint: str | None = None) -> str:
    """`error: message; hint` as plain text (the caller colours it)."""
    message = " ".join(message.split())
    if hint:
        return f"error: {message.rstrip('.')}; {hint}"
    return f"error: {message}"


def fail(message: str, code: int = FAILED, hint: str | None = None) -> typer.Exit:
    """Print the error line and return the `typer.Exit` to raise."""
    import typer

    typer.secho(error_line(message, hint), fg="red", err=True)
    return typer.Exit(code)


def _host(error: AgentloopError) -> str:
    request = getattr(error, "request", None)
    if request is None:
        return "the server"
    url = request.url
    return f"{url.host}:{url.port}" if url.port else str(url.host)


def describe(error: AgentloopError) -> tuple[str, str | None]:
    """A library error as the command line says it: (message, hint)."""
    if isinstance(error, APIStatusError):
        label = f"{error.status_code}" + (f" {error.status}" if error.status else "")
        detail = error.detail or "no details"
        hint = next((h for cls, h in _HINTS.items() if isinstance(error, cls)), None)
        return f"{_host(error)} answered {label}: {detail}", hint
    if isinstance(error, APITimeoutError):
        return f"{_host(error)} did not answer in time", "try again; the server may be busy"
    if isinstance(error, APIConnectionError):
        cause = error.__cause__
        reason = str(cause).split(" [")[-1].rstrip("]") if cause is not None else "no connection"
        return (
            f"cannot reach {_host(error)} ({reason})",
            "check AGENTLOOP_BASE_URL (or --base-url) and the network",
        )
    return f"{type(error).__name__}: {error}", None


@contextmanager
def reporting(client: Client | None = None) -> Generator[None]:
    """A command's failure as one error line and its exit status, never a traceback;
    the client (if any) is closed either way."""
    try:
        yield
    except CommandError as exc:
        raise fail(str(exc), exc.code) from None
    except AgentloopError as exc:
        message, hint = describe(exc)
        raise fail(message, FAILED, hint) from None
    except KeyboardInterrupt:
        raise fail("interrupted", INTERRUPTED) from None
    finally:
        if client is not None:
            client.close()
