"""What every `agentloop` command shares: the root options, the client, the prompt,
the memory of the last conversation and the user's own Agent."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

from .errors import FAILED, fail, reporting

if TYPE_CHECKING:
    from rich.console import Console

    from agentloop import Agent, Client

__all__ = [
    "SETTINGS",
    "call",
    "client",
    "previous",
    "read_prompt",
    "remember",
    "stderr",
    "user_agent",
]

T = TypeVar("T")


@dataclass
class Settings:
    """The root options, for every command's client."""

    api_key: str | None = None
    base_url: str | None = None


SETTINGS = Settings()


def client() -> Client:
    """The client every command uses: --api-key/--base-url, else the environment
    (`GEMINI_API_KEY`, `AGENTLOOP_BASE_URL`) and the config file, as `Client()`."""
    from agentloop import Client

    from .config import default_base_url
    from .input import CommandError

    base_url = SETTINGS.base_url or default_base_url()
    has_key = (
        SETTINGS.api_key or os.environ.get("GEMINI_API_KEY") or os.environ.get("GOOGLE_API_KEY")
    )
    if not has_key and not base_url:
        raise CommandError(
            "no API key: set GEMINI_API_KEY or pass --api-key; or point AGENTLOOP_BASE_URL "
            "at a local server (agentloop serve)",
            FAILED,
        )
    return Client(api_key=SETTINGS.api_key, base_url=base_url)


def read_prompt(prompt: str | None) -> str:
    """The prompt: the argument, or stdin for `-` or when stdin is a pipe."""
    from .input import CommandError

    if prompt is not None and prompt != "-":
        return prompt
    if prompt is None and sys.stdin.isatty():
        raise CommandError("missing PROMPT: pass it, or pipe it in (echo hi | agentloop run)")
    text = sys.stdin.read().strip()
    if not text:
        raise CommandError("stdin held no prompt")
    return text


def previous(continue_: bool, given: str | None) -> str | None:
    """The interaction to continue after: --previous, or the last one (-c)."""
    from .config import default_base_url, last_interaction
    from .input import CommandError

    if continue_ and given:
        raise CommandError("pass -c/--continue or --previous ID, not both")
    if continue_:
        return last_interaction(SETTINGS.base_url or default_base_url())
    return given


def remember(interaction_id: str | None) -> None:
    """Remember the conversation's last interaction for -c/--continue."""
    from .config import default_base_url, remember_interaction

    remember_interaction(SETTINGS.base_url or default_base_url(), interaction_id)


def user_agent(spec: str) -> Agent[Any, Any]:
    """The user's own `Agent` named by `module:object` (an Agent, or a function making
    one), with its own client (configured from the environment, as in its code)."""
    from agentloop import Agent

    from .input import CommandError, load_object

    value = load_object(spec, "--agent-ref")
    if callable(value) and not isinstance(value, Agent):
        value = value()
    if not isinstance(value, Agent):
        raise CommandError(
            f"--agent-ref {spec} is {type(value).__name__!r}, not an agentloop Agent "
            "(or a function returning one)"
        )
    # isinstance narrows to Agent[Any, Any] for mypy but Agent[Unknown, Unknown] for pyright.
    return cast("Agent[Any, Any]", value)  # type: ignore[redundant-cast]


def stderr() -> Console:
    """Where progress, tool calls and thoughts go (stdout keeps only the answer)."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def call(request: Callable[[Client], T]) -> T:
    """One request with a fresh client: an API error exits 1 with its message."""
    from .input import CommandError

    try:
        made = client()
    except CommandError as exc:
        raise fail(str(exc), exc.code) from None
    with reporting(made):
        return request(made)
    raise AssertionError("unreachable")  # pragma: no cover - reporting re-raises
