"""Lazy public names (PEP 562) read from the package's own `TYPE_CHECKING` imports.

`agentloop/__init__.py` writes each public name once, as `from .x import Name as Name`
under `TYPE_CHECKING`: type checkers and documentation tools see plain re-exports,
and this module parses those lines (once, on the first public name asked for) to
learn where each name lives. Importing the implementation eagerly instead would make
`import agentloop` pay for pydantic, httpx and aiohttp before a script uses any of them.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

__all__ = ["LazyExports"]


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
            with open(self._init_file, encoding="utf-8") as file:
                self._where = _type_checking_imports(file.read())
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


# One public name per line, `from .module import Name as Name`, in the block under
# `if TYPE_CHECKING:`. Read with a regular expression, not `ast`: `import agentloop`
# then costs neither `ast` nor `pathlib` (~8 ms of its ~14 ms, python -X importtime).
_BLOCK = re.compile(r"^if TYPE_CHECKING:\n((?:(?:[ \t]+.*)?\n)*)", re.MULTILINE)
_LINE = re.compile(r"from (\.+[\w.]*) import (\w+) as (\w+)")


def _type_checking_imports(source: str) -> dict[str, tuple[str, str]]:
    where: dict[str, tuple[str, str]] = {}
    for block in _BLOCK.finditer(source):
        for line in block.group(1).splitlines():
            statement = line.strip()
            if not statement or statement.startswith("#"):
                continue
            match = _LINE.fullmatch(statement)
            if match is None:
                raise ImportError(
                    f"{statement!r} under the package's `if TYPE_CHECKING:` is not "
                    "`from .module import Name as Name` (one public name per line)"
                )
            module, attribute, name = match.groups()
            where[name] = (module, attribute)
    return where
