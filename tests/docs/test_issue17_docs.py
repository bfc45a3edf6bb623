"""The Python blocks of the managed-agents, webhooks and tool-search pages run offline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).parents[2] / "docs"
PAGES = ("managed-agents.md", "webhooks.md", "tool-search.md")
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def blocks() -> list[tuple[str, int, str]]:
    found = []
    for page in PAGES:
        for number, code in enumerate(BLOCK.findall((DOCS / page).read_text()), start=1):
            found.append((page, number, code))
    return found


@pytest.mark.parametrize(
    ("page", "number", "code"), blocks(), ids=[f"{p}#{n}" for p, n, _ in blocks()]
)
def test_doc_block_runs(
    page: str,
    number: int,
    code: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # a block may create files (an SQLite store)
    namespace: dict[str, object] = {"__name__": f"docs_{page}_{number}"}
    exec(compile(code, f"{page}#{number}", "exec"), namespace)
    store = namespace.get("app")
    checkpoints = getattr(store, "store", None)
    if checkpoints is not None and hasattr(checkpoints, "close"):
        checkpoints.close()
    printed = capsys.readouterr().out
    expected = {
        ("managed-agents.md", 1): "A1 left on Monday.",
        ("managed-agents.md", 4): "billing",
        ("webhooks.md", 3): "rejected:",
        ("tool-search.md", 1): "INV-7 is refunded.",
        ("tool-search.md", 2): "['customer_lookup', 'send_email']",
    }.get((page, number))
    if expected is not None:
        assert expected in printed
