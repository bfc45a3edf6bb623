"""Where the `agentloop` command finds its defaults and remembers the last conversation.

    model       -m/--model, else AGENTLOOP_MODEL, else `model = "..."` in the config
                file, else gemini-2.5-flash
    config      $AGENTLOOP_CONFIG, else $XDG_CONFIG_HOME/agentloop/config.toml
                (~/.config/agentloop/config.toml)
    state       $XDG_STATE_HOME/agentloop/ (~/.local/state/agentloop/): the last
                interaction per server (for -c/--continue) and the chat's input history

The config file is TOML with two optional keys: `model` and `base_url`.
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any, cast

from .input import CommandError

__all__ = [
    "DEFAULT_MODEL",
    "config_path",
    "default_model",
    "last_interaction",
    "remember_interaction",
    "state_dir",
]

DEFAULT_MODEL = "gemini-2.5-flash"
GEMINI = "https://generativelanguage.googleapis.com"


def config_path() -> Path:
    """The config file's location (it need not exist)."""
    given = os.environ.get("AGENTLOOP_CONFIG")
    if given:
        return Path(given)
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "agentloop" / "config.toml"


def state_dir() -> Path:
    """Where the command keeps what it remembers between runs."""
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "agentloop"


def _config() -> dict[str, Any]:
    path = config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise CommandError(f"cannot read the config file {path}: {exc.strerror}") from None
    try:
        loaded = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CommandError(f"the config file {path} is not valid TOML: {exc}") from None
    unknown = sorted(set(loaded) - {"model", "base_url"})
    if unknown:
        raise CommandError(
            f"the config file {path} has unknown keys: {', '.join(unknown)} "
            "(known: model, base_url)"
        )
    for key, value in loaded.items():
        if not isinstance(value, str) or not value:
            raise CommandError(f"the config file {path}: {key} must be a non-empty string")
    return loaded


def default_model(given: str | None) -> str:
    """The model to use: the option, else AGENTLOOP_MODEL, else the config file."""
    return given or os.environ.get("AGENTLOOP_MODEL") or _config().get("model") or DEFAULT_MODEL


def default_base_url() -> str | None:
    """AGENTLOOP_BASE_URL, else the config file's base_url (None: Gemini)."""
    return os.environ.get("AGENTLOOP_BASE_URL") or _config().get("base_url")


def _last_file() -> Path:
    return state_dir() / "last.json"


def remember_interaction(base_url: str | None, interaction_id: str | None) -> None:
    """Record the last interaction with a server, for `--continue` (best effort)."""
    if not interaction_id:
        return
    path = _last_file()
    try:
        known: Any = json.loads(path.read_text()) if path.exists() else {}
        if not isinstance(known, dict):
            known = {}
        known[base_url or GEMINI] = interaction_id
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(known, indent=1))
    except (OSError, ValueError):
        pass  # remembering is a convenience: never fail a run over it


def last_interaction(base_url: str | None) -> str:
    """The last interaction with this server; CommandError when there is none."""
    where = base_url or GEMINI
    try:
        known = json.loads(_last_file().read_text())
    except (OSError, ValueError):
        known = {}
    found = cast("dict[str, Any]", known).get(where) if isinstance(known, dict) else None
    if not isinstance(found, str):
        raise CommandError(
            f"no earlier conversation with {where} to continue; run without -c first, "
            "or pass --previous ID"
        )
    return found
