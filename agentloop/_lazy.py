"""Lazy public names (PEP 562) read from the package's own `TYPE_CHECKING` imports.

`agentloop/__init__.py` writes each public name once, as `from .x import Name as Name`
under `TYPE_CHECKING`: type checkers and documentation tools see plain re-exports,
and this module parses those lines (once, on the first public name asked for) to
learn where each name lives. Importing the implementation eagerly instead would make
`import agentloop` pay for pydantic, httpx and aiohttp before a script uses any of them.
"""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path
from typing import Any

__all__ = ["LazyExports", "skip_httpx_cli"]


class LazyExports:
    """The public names of one package, loaded from their modules on first use."""

    def __init__(self, package: str, init_file: str) -> None:
        self._package = package
        self._init_file = init_file
        self._where: dict[str, tuple[str, str]] | None = None

    @property
    def where(self) -> dict[str, tuple[str, str]]:
        """Public name -> (relative module, attribute), in the order they are written."""
        if self._where is None:
            self._where = _type_checking_imports(Path(self._init_file).read_text("utf-8"))
        return self._where

    @property
    def names(self) -> tuple[str, ...]:
        """The public names (the package's `__all__`), sorted."""
        return tuple(sorted(self.where))

    def load(self, name: str, namespace: dict[str, Any]) -> Any:
        """Import `name` into `namespace` (the package's globals) and return it."""
        if name == "__all__":
            namespace["__all__"] = self.names
            return namespace["__all__"]
        try:
            module_name, attribute = self.where[name]
        except KeyError:
            raise AttributeError(f"module {self._package!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(module_name, self._package), attribute)
        # Show short, public paths in reprs and docs (agentloop.Agent, not agentloop._run.agent).
        if isinstance(value, type) and value.__module__.startswith(f"{self._package}._"):
            value.__module__ = self._package
        namespace[name] = value
        return value


def _type_checking_imports(source: str) -> dict[str, tuple[str, str]]:
    where: dict[str, tuple[str, str]] = {}
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"):
            continue
        for statement in node.body:
            if isinstance(statement, ast.ImportFrom):
                module = "." * statement.level + (statement.module or "")
                for alias in statement.names:
                    where[alias.asname or alias.name] = (module, alias.name)
    return where


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
