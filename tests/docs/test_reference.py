"""The API reference lists every public name of `agentloop`, `agentloop.types` and
`agentloop.testing`, each under its public path, and the pages are in the nav.

The pages are written by hand (grouped by what a reader looks for), and mkdocstrings
renders each `::: module.Name` entry; `mkdocs build --strict` fails on an entry that
does not resolve. This test catches the other way round: a public name nobody listed.
"""

from __future__ import annotations
import __future__

import re
import types
from pathlib import Path

import pytest

import agentloop
import agentloop.temporal
import agentloop.testing
import agentloop.types

_FUTURE_FEATURE = type(__future__.annotations)  # `from __future__ import annotations`
ROOT = Path(__file__).resolve().parents[2]
PAGES = {
    "agentloop": ROOT / "docs" / "api" / "agentloop.md",
    "agentloop.types": ROOT / "docs" / "api" / "types.md",
    "agentloop.testing": ROOT / "docs" / "api" / "testing.md",
    "agentloop.temporal": ROOT / "docs" / "api" / "temporal.md",
}


def public_names(module: types.ModuleType) -> set[str]:
    """`__all__` where the module has one; otherwise its public, non-module globals."""
    declared = getattr(module, "__all__", None)
    if declared is not None:
        return set(declared)
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType | _FUTURE_FEATURE)
    }


def listed(module_name: str) -> list[str]:
    """The names a reference page renders with `::: module.Name`, in page order."""
    entry = re.compile(rf"^::: {re.escape(module_name)}\.(\w+)\s*$", re.MULTILINE)
    return entry.findall(PAGES[module_name].read_text("utf-8"))


MODULES = [agentloop, agentloop.types, agentloop.testing, agentloop.temporal]


@pytest.mark.parametrize("module", MODULES)
def test_reference_lists_every_public_name(module: types.ModuleType) -> None:
    missing = public_names(module) - set(listed(module.__name__))
    assert not missing, f"add `::: {module.__name__}.<name>` to the reference for {missing}"


@pytest.mark.parametrize("module", MODULES)
def test_reference_lists_only_public_names_once(module: types.ModuleType) -> None:
    names = listed(module.__name__)
    assert len(names) == len(set(names)), "a name is listed twice"
    assert set(names) <= public_names(module), "the reference lists a name that is not public"


def test_types_holds_the_wire_models_that_left_the_top_level() -> None:
    assert public_names(agentloop.types) >= {"Step", "FunctionCallStep", "TextDelta", "File"}
    assert public_names(agentloop).isdisjoint({"Step", "InteractionStep", "FunctionCallStep"})


def test_reference_pages_are_in_the_nav() -> None:
    nav = (ROOT / "mkdocs.yml").read_text("utf-8")
    for page in PAGES.values():
        assert f" {page.relative_to(ROOT / 'docs').as_posix()}\n" in nav
