"""The guide's own Python snippets, unchanged, run with google-genai against the local server.

`guide/` holds every Python snippet of the Interactions API guide, verbatim (the
one 3-line fragment that is not a program left out). They are written for
google-genai 1.55 (the `outputs[]` dialect), so they run with that SDK from its own
virtualenv (`.ci/genai155.sh` makes it; `AGENTLOOP_GENAI155_PYTHON` names its
python), against one default `agentloop serve`-like server that picks each caller's
dialect. `guide_361/` holds their google-genai 3.6.1 equivalents (the SDK installed
here), run against the same kind of server.

Each snippet runs as a subprocess pointed at the server by `GOOGLE_GEMINI_BASE_URL`,
with every other HTTP destination sent to a dead proxy, so nothing leaves the
machine. The one snippet that downloads its picture from GitHub gets a `requests`
stand-in that returns `examples/car.png`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import wave
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from agentloop.testing import DemoModel, InteractionsServer, serve_in_thread

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
KEY = "local-guide-key"
GENAI155_DEFAULT = Path("/work/venv-genai155/bin/python")
REPORT = r"# The history of the Google TPUs: research report"
REQUESTS_STANDIN = """\
from pathlib import Path


class Response:
    status_code = 200

    def __init__(self, content: bytes) -> None:
        self.content = content


def get(url, *args, **kwargs):
    return Response((Path(__file__).parent / "car.png").read_bytes())
"""

# What each snippet prints (regexes, in order), with either SDK.
EXPECTED: dict[str, list[str]] = {
    "g00_intro": [r"Because light attracts bugs\."],
    "g01_basic": [r"Because light attracts bugs\."],
    "g02_stateful": [r"Model: Nice to meet you, Phil!", r"Model: Your name is Phil\."],
    "g04_stateless": [r"Model: .*three largest cities in Spain", r"Model: .*you mentioned Spain"],
    "g05_image_understanding": [r"I received 1 attachment\(s\) \(image\)"],
    "g06_audio_understanding": [r"I received 1 attachment\(s\) \(audio\)"],
    "g07_video_understanding": [r"I received 1 attachment\(s\) \(video\)"],
    "g08_pdf_understanding": [r"I received 1 attachment\(s\) \(document\)"],
    "g09_image_generation": [r"^Generated image with mime_type: image/png$"],
    "g10_deep_research": [
        r"Research started\. Interaction ID: int_\w+",
        r"Status: completed",
        REPORT,
    ],
    "g11_function_calling": [
        r"Tool Call: get_weather\(\{'location': 'Paris'\}\)",
        r"- get_weather \(Paris\): The weather in Paris is sunny\.",
    ],
    "g12_function_calling_stateless": [
        r"Function call: schedule_meeting with arguments \{'attendees': \['Peter', 'Amir'\]",
        r"- schedule_meeting \(2025-11-01, 10 am, the Next Gen API\): Meeting scheduled",
    ],
    "g13_google_search": [r"searched for “Who won the last Super Bowl”"],
    "g14_code_execution": [r"cannot run code \(code_execution\)"],
    "g15_url_context": [r"cannot fetch pages \(url_context\)"],
    "g16_remote_mcp": [r"remote MCP server weather_service"],
    "g17_structured_output": [r"decision=(SpamDetails|NotSpamDetails)\("],
    "g18_structured_output_with_tools": [r"decision=(SpamDetails|NotSpamDetails)\("],
    "g19_streaming": [r"quantum entanglement", r"--- Stream Finished ---", r"Total Tokens: \d+"],
    "g20_generation_config": [r"a story about a brave knight"],
    "g21_remote_files": [r"I received 1 attachment\(s\) \(image\)"],
    "g22_files_upload": [r"I received 1 attachment\(s\) \(image\)"],
}


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str
    directory: Path


def _media(directory: Path) -> None:
    """The files the snippets read, next to them."""
    shutil.copy(ROOT / "examples" / "car.png", directory / "car.png")
    with wave.open(str(directory / "speech.wav"), "wb") as speech:
        speech.setnchannels(1)
        speech.setsampwidth(2)
        speech.setframerate(8000)
        speech.writeframes(bytes(8000))
    (directory / "video.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(16))
    (directory / "sample.pdf").write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    (directory / "requests.py").write_text(REQUESTS_STANDIN)


def run_snippets(python: Path, folder: Path, tmp: pytest.TempPathFactory) -> dict[str, Ran]:
    """Every snippet of `folder`, run by `python` against one local server."""
    server = InteractionsServer(DemoModel(), api_key=KEY, lenient=False, background_step_delay=0.01)
    with serve_in_thread(server) as url:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("GOOGLE_", "GEMINI_"))},
            "GOOGLE_GEMINI_BASE_URL": url,
            "GEMINI_API_KEY": KEY,
            # Anything but the local server goes to a closed port.
            "HTTP_PROXY": "http://127.0.0.1:9",
            "HTTPS_PROXY": "http://127.0.0.1:9",
            "NO_PROXY": "127.0.0.1,localhost",
            "PYTHONWARNINGS": "ignore::UserWarning",
        }

        base = tmp.mktemp(folder.name)

        def run(name: str) -> tuple[str, Ran]:
            directory = base / name
            directory.mkdir()
            _media(directory)
            shutil.copy(folder / f"{name}.py", directory / f"{name}.py")
            done = subprocess.run(
                [str(python), f"{name}.py"],
                cwd=directory,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            return name, Ran(done.returncode, done.stdout, done.stderr, directory)

        with ThreadPoolExecutor(4) as pool:
            return dict(pool.map(run, EXPECTED))


def check(ran: Ran, name: str) -> None:
    assert ran.returncode == 0, ran.stderr[-3000:]
    position = 0
    for pattern in EXPECTED[name]:
        found = re.compile(pattern, re.MULTILINE).search(ran.stdout, position)
        assert found, f"{pattern!r} not found in order in:\n{ran.stdout[-3000:]}"
        position = found.end()
    if name == "g09_image_generation":
        assert (ran.directory / "generated_city.png").read_bytes().startswith(b"\x89PNG")


def _genai155() -> Path | None:
    given = os.environ.get("AGENTLOOP_GENAI155_PYTHON")
    python = Path(given) if given else GENAI155_DEFAULT
    return python if python.exists() else None


@pytest.fixture(scope="module")
def runs_155(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Ran]:
    python = _genai155()
    if python is None:
        pytest.skip("no google-genai 1.55 virtualenv: run .ci/genai155.sh first")
    return run_snippets(python, HERE / "guide", tmp_path_factory)


@pytest.fixture(scope="module")
def runs_361(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Ran]:
    pytest.importorskip("google.genai")
    return run_snippets(Path(sys.executable), HERE / "guide_361", tmp_path_factory)


def test_every_guide_snippet_is_checked_with_both_sdks() -> None:
    assert {p.stem for p in (HERE / "guide").glob("*.py")} == set(EXPECTED)
    assert {p.stem for p in (HERE / "guide_361").glob("*.py")} == set(EXPECTED)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_guides_snippet_runs_unchanged_with_google_genai_155(
    name: str, runs_155: dict[str, Ran]
) -> None:
    check(runs_155[name], name)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_its_google_genai_361_equivalent_runs_too(name: str, runs_361: dict[str, Ran]) -> None:
    check(runs_361[name], name)
