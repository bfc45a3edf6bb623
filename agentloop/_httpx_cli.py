"""Keep httpx from importing its command-line client when agentloop imports httpx.

`httpx/__init__` tries `from ._main import main`, which imports click, rich and
pygments when they are installed (~45 ms of `from agentloop import Agent` with the
`cli` extra, measured in docs/performance.md). agentloop never uses httpx's CLI.
"""

from __future__ import annotations

import sys

__all__ = ["skip_httpx_cli"]


class _HttpxCliSkipper:
    """A one-shot import hook: `httpx/__init__` tries `from ._main import main`, which
    imports click, rich and pygments (~45 ms of `from agentloop import Agent` when the
    `cli` extra or anything else installed them). agentloop never uses httpx's command
    line client, so that one import fails as if they were missing, and httpx falls
    back to its stub `httpx.main` (which says to install `httpx[cli]`). Only while
    httpx itself is initialising: a later `import httpx._main` works as usual.
    """

    @classmethod
    def find_spec(cls, name: str, path: object = None, target: object = None) -> None:
        if name == "httpx._main":
            httpx = sys.modules.get("httpx")
            if httpx is not None and not hasattr(httpx, "main"):  # httpx is initialising
                _remove_hook()
                raise ModuleNotFoundError("agentloop does not load httpx's CLI", name=name)
        return None


def _remove_hook() -> None:
    if _HttpxCliSkipper in sys.meta_path:
        sys.meta_path.remove(_HttpxCliSkipper)


def skip_httpx_cli() -> None:
    """Install `_HttpxCliSkipper` unless httpx is imported already (then it is too late)."""
    if "httpx" not in sys.modules and _HttpxCliSkipper not in sys.meta_path:
        sys.meta_path.insert(0, _HttpxCliSkipper)
