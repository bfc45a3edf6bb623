"""The Python blocks of docs/observability.md run as written (offline)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import agentloop

PAGE = Path(__file__).parents[2] / "docs" / "observability.md"
BLOCKS = re.findall(r"```python\n(.*?)```", PAGE.read_text(), flags=re.DOTALL)


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{n}" for n in range(len(BLOCKS))])
def test_the_observability_page_code_runs(code: str, capsys: pytest.CaptureFixture[str]) -> None:
    try:
        exec(compile(code, str(PAGE), "exec"), {"__name__": "docs"})
    finally:
        agentloop.instrument(enabled=False)
    out = capsys.readouterr().out
    if "print" in code:
        assert out


def test_the_page_has_its_blocks() -> None:
    assert len(BLOCKS) == 3
