"""docs/reliability.md's code and examples/reliability_lost_replies.py run offline, against
the hostile server: once as they are, once with a lost reply to reach their
`except` branch."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from agentloop import BadRequestError

from .hostile import Fault, HostileServer, Request

ROOT = Path(__file__).parents[2]
PAGE = ROOT / "docs" / "reliability.md"
EXAMPLE = ROOT / "examples" / "reliability_lost_replies.py"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", PAGE.read_text(), re.DOTALL)


def lose_reply_to_results(server: HostileServer, how: str = "reset_after") -> None:
    lost: list[Request] = []

    def plan(request: Request) -> Fault | None:
        if request.call_ids and not lost:
            lost.append(request)
            return Fault(how)  # type: ignore[arg-type]
        return None

    server.plan = plan


@pytest.fixture
def offline(server: HostileServer, monkeypatch: pytest.MonkeyPatch) -> HostileServer:
    monkeypatch.setenv("AGENTLOOP_BASE_URL", server.base_url)
    monkeypatch.setenv("GEMINI_API_KEY", "docs-key")
    return server


@pytest.mark.parametrize(
    ("block", "fault", "printed"),
    [
        (0, None, "sum=2"),
        (0, "reset_after", "CallAlreadyAnsweredError: 2 tool calls so far"),
        (1, None, "sum=2"),
        # Lost before the server carried it out: sending it again goes on.
        (1, "reset_before", "sum=2"),
    ],
)
def test_page_code_runs(
    offline: HostileServer,
    capsys: pytest.CaptureFixture[str],
    block: int,
    fault: str | None,
    printed: str,
) -> None:
    blocks = python_blocks()
    assert len(blocks) == 2
    if fault is not None:
        lose_reply_to_results(offline, fault)
    exec(compile(blocks[block], str(PAGE), "exec"), {"__name__": "docs"})
    assert capsys.readouterr().out.strip() == printed


def test_continuing_after_a_lost_reply_the_server_had_carried_out_is_refused(
    offline: HostileServer,
) -> None:
    lose_reply_to_results(offline, "reset_after")
    with pytest.raises(BadRequestError, match="already answered"):
        exec(compile(python_blocks()[1], str(PAGE), "exec"), {"__name__": "docs"})


@pytest.mark.parametrize("lost", [False, True], ids=["clean", "lost_reply"])
def test_example_runs(
    offline: HostileServer, capsys: pytest.CaptureFixture[str], lost: bool
) -> None:
    if lost:
        lose_reply_to_results(offline)
    spec = importlib.util.spec_from_file_location("reliability_lost_replies", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    try:
        module.main()
    finally:
        module.client.close()
    out = capsys.readouterr().out
    if lost:
        assert out.startswith("CallAlreadyAnsweredError: ")
        assert out.rstrip().endswith("continuing int_1, 2 tool calls made")
    else:
        assert out.splitlines()[0] == "sum=2"
        assert "add({'a': 0, 'b': 0}) -> {'result': 0}" in out
