"""Every ```python block of docs/, README.md and agentloop's docstrings runs, so the
docs cannot rot.

Each block is one test, named `file:line`, and runs as a script:

- in a scratch directory holding the repository's `examples/` and the small media
  files the pages open (`SAMPLE_FILES`);
- against the local Interactions server (`DemoModel`, on a loopback port, through
  `AGENTLOOP_BASE_URL`), or, when the block uses respx, as is: respx is the API there;
- with its `test_*` functions called, given the `monkeypatch` and `tmp_path` they ask for;
- with `time.sleep` capped at `MAX_SLEEP` seconds: a polling loop written for Deep
  Research's pace (`time.sleep(10)`) needs no such pace against the local server.

Two HTML comments, right before a fence, change how a block runs:

- `<!-- docs: continue -->` runs the block in the namespace the block before it left
  (running that one first, with its own predecessors, unless it has just run), for
  pages that build an example up.
- `<!-- docs: skip (reason) -->` does not run it; for fragments such as a signature.
  The reason is required.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from agentloop.testing import DemoModel, InteractionsServer, serve_in_thread

ROOT = Path(__file__).resolve().parents[2]
PAGES = [
    *sorted((ROOT / "docs").rglob("*.md")),
    ROOT / "README.md",
    *sorted((ROOT / "agentloop").rglob("*.py")),  # docstrings render in the API reference
]

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<lang>[\w+-]*)")
_DIRECTIVE = re.compile(r"^\s*<!--\s*docs:\s*(?P<verb>skip|continue)\b\s*(?P<rest>.*?)\s*-->\s*$")
_SKIP_REASON = re.compile(r"^\((?P<reason>.+)\)$")
MAX_SLEEP = 0.05
_WAV = b"RIFF" + (36).to_bytes(4, "little") + b"WAVEfmt " + bytes(24) + b"data" + bytes(4)
SAMPLE_FILES = {
    "car.png": (ROOT / "examples" / "car.png").read_bytes(),
    "receipt.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(16) + b"\xff\xd9",
    "invoice.pdf": b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n",
    "speech.wav": _WAV,
    "clip.mp4": bytes([0, 0, 0, 24]) + b"ftypmp42" + bytes(12),
    "match.mp4": bytes([0, 0, 0, 24]) + b"ftypmp42" + bytes(12),
}
"""The files the pages' examples open, as a reader would have them at hand."""


@dataclass(frozen=True)
class Block:
    """One python code block of a page."""

    page: Path
    line: int
    """The line of the opening fence, 1-based."""
    source: str
    directive: str | None
    skip_reason: str | None

    @property
    def id(self) -> str:
        return f"{self.page.relative_to(ROOT).as_posix()}:{self.line}"


def parse_blocks(page: Path) -> list[Block]:
    """The python blocks of `page`, in order, with the directive written before each."""
    lines = page.read_text("utf-8").splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        body: list[str] = []
        end = index + 1
        while end < len(lines):
            closing = _FENCE.match(lines[end])
            if closing and closing["fence"].startswith(fence) and not closing["lang"]:
                break
            body.append(lines[end][indent:] if lines[end][:indent].isspace() else lines[end])
            end += 1
        if opening["lang"] in ("python", "py"):
            directive, reason = _directive_before(lines, index, page)
            source = "\n".join(body) + "\n"
            blocks.append(Block(page, index + 1, source, directive, reason))
        index = end + 1
    return blocks


def _directive_before(lines: list[str], fence: int, page: Path) -> tuple[str | None, str | None]:
    previous = fence - 1
    while previous >= 0 and not lines[previous].strip():
        previous -= 1
    match = _DIRECTIVE.match(lines[previous]) if previous >= 0 else None
    if match is None:
        return None, None
    if match["verb"] == "continue":
        return "continue", None
    reason = _SKIP_REASON.match(match["rest"])
    if reason is None:
        raise ValueError(f"{page}:{previous + 1}: write `<!-- docs: skip (why) -->`")
    return "skip", reason["reason"]


def _all_blocks() -> list[Block]:
    return [block for page in PAGES for block in parse_blocks(page)]


BLOCKS = _all_blocks()


def chain_of(block: Block) -> list[Block]:
    """`block` and the blocks it continues, first one first."""
    siblings = [other for other in BLOCKS if other.page == block.page]
    position = siblings.index(block)
    start = position
    while siblings[start].directive == "continue":
        if start == 0:
            raise ValueError(f"{block.id}: `docs: continue` on the first block of the page")
        start -= 1
    return siblings[start : position + 1]


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    server = InteractionsServer(DemoModel(), background_step_delay=0.01)
    with serve_in_thread(server) as url:
        yield url


@pytest.fixture(scope="module")
def namespaces() -> dict[str, dict[str, Any]]:
    """The namespace each block left, by block id, for the blocks that continue it."""
    return {}


def _run_source(block: Block, namespace: dict[str, Any]) -> None:
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    code = compile(block.source, block.id, "exec", flags=flags)
    if code.co_flags & inspect.CO_COROUTINE:
        asyncio.run(eval(code, namespace))
    else:
        exec(code, namespace)


def _call_tests(defined: dict[str, Any], tmp_path: Path) -> int:
    called = 0
    for name, function in defined.items():
        if not (name.startswith("test_") and inspect.isfunction(function)):
            continue
        with pytest.MonkeyPatch.context() as monkeypatch:
            fixtures = {"monkeypatch": monkeypatch, "tmp_path": tmp_path}
            parameters = inspect.signature(function).parameters
            unknown = set(parameters) - set(fixtures)
            assert not unknown, f"{name} asks for fixtures the snippet runner lacks: {unknown}"
            outcome = function(**{p: fixtures[p] for p in parameters})
            if inspect.iscoroutine(outcome):
                asyncio.run(outcome)
        called += 1
    return called


@pytest.mark.timeout(30)
@pytest.mark.parametrize("block", [pytest.param(b, id=b.id) for b in BLOCKS])
def test_snippet_runs(
    block: Block,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    namespaces: dict[str, dict[str, Any]],
) -> None:
    if block.skip_reason is not None:
        pytest.skip(block.skip_reason)
    chain = chain_of(block)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").symlink_to(ROOT / "examples")  # blocks run from the repo root
    for name, data in SAMPLE_FILES.items():
        (tmp_path / name).write_bytes(data)
    real_sleep = time.sleep
    monkeypatch.setattr(time, "sleep", lambda seconds: real_sleep(min(seconds, MAX_SLEEP)))
    monkeypatch.setenv("GEMINI_API_KEY", "docs-test-key")
    if not any("respx" in link.source for link in chain):
        monkeypatch.setenv("AGENTLOOP_BASE_URL", request.getfixturevalue("server_url"))
    namespace, todo = _resume(chain, namespaces)
    for link in todo:
        before = dict(namespace)
        _run_source(link, namespace)
        defined = {k: v for k, v in namespace.items() if before.get(k) is not v}
        _call_tests(defined, tmp_path)
    namespaces[block.id] = namespace


def _resume(
    chain: list[Block], namespaces: dict[str, dict[str, Any]]
) -> tuple[dict[str, Any], list[Block]]:
    """Where to start: after the latest block of the chain that already ran (tests run in
    page order, so usually the one before), or from the chain's first block."""
    for done in range(len(chain) - 2, -1, -1):
        if chain[done].id in namespaces:
            return dict(namespaces[chain[done].id]), chain[done + 1 :]
    return {"__name__": "__main__"}, chain


def test_snippets_are_found() -> None:
    assert len(BLOCKS) > 50
    assert {block.page.name for block in BLOCKS} >= {"README.md", "index.md", "agents.md"}


def test_skips_are_few_and_give_a_reason() -> None:
    skipped = [block for block in BLOCKS if block.directive == "skip"]
    assert all(block.skip_reason for block in skipped)
    assert len(skipped) <= len(BLOCKS) // 10
    for block in BLOCKS:
        if block.directive == "continue":
            assert chain_of(block)[-2].directive != "skip", f"{block.id} continues a skipped block"


def test_parse_blocks_reads_directives_and_indented_fences(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n\n"
        "```python\nx = 1\n```\n\n"
        "<!-- docs: continue -->\n\n"
        "```python\ny = x\n```\n\n"
        "- a list item:\n\n"
        "    <!-- docs: skip (a signature) -->\n"
        "    ```python\n    def f(a, b): ...\n    ```\n\n"
        "````markdown\n```python\nnot = python\n```\n````\n\n"
        "```bash\nls\n```\n",
        "utf-8",
    )
    blocks = parse_blocks(page)
    assert [(b.line, b.source, b.directive, b.skip_reason) for b in blocks] == [
        (3, "x = 1\n", None, None),
        (9, "y = x\n", "continue", None),
        (16, "def f(a, b): ...\n", "skip", "a signature"),
    ]


def test_parse_blocks_wants_a_reason_to_skip(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("<!-- docs: skip -->\n```python\nx = 1\n```\n", "utf-8")
    with pytest.raises(ValueError, match="docs: skip"):
        parse_blocks(page)
