"""scripts/check_types.py: the verifytypes threshold CI enforces (pyright faked here)."""

from __future__ import annotations

import importlib.util
import os
import stat
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check_types.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_types", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fake_pyright(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: str) -> None:
    """A `pyright` on PATH that prints `output` and exits 1, as verifytypes does."""
    executable = tmp_path / "pyright"
    executable.write_text(f"#!/bin/sh\ncat <<'EOF'\n{output}\nEOF\nexit 1\n")
    executable.chmod(executable.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")


@pytest.mark.parametrize(
    ("score", "minimum", "code"),
    [("97.6", "95", 0), ("100", "100", 0), ("94.9", "95", 1), ("42.4", "95", 1)],
)
def test_check_types_compares_the_score_with_the_minimum(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    score: str,
    minimum: str,
    code: int,
) -> None:
    fake_pyright(tmp_path, monkeypatch, f"Symbols exported: 164\nType completeness score: {score}%")
    assert load_script().main(["--min", minimum]) == code
    verdict = capsys.readouterr().out.splitlines()[-1 if code == 0 else -2]
    assert verdict.startswith("ok:" if code == 0 else "FAIL:")
    assert f"{float(score):.1f}%" in verdict


def test_check_types_fails_without_a_score(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_pyright(tmp_path, monkeypatch, 'error: no package "agentloop" found')
    with pytest.raises(SystemExit, match="no completeness score"):
        load_script().main([])
