"""Every `examples/*.py` runs as a user runs it: a subprocess, pointed at agentloop's
local server over loopback with `AGENTLOOP_BASE_URL`, its output checked line by line.

The server is the one `agentloop serve` runs (the demo model, strict names, the
caller's dialect), with a key required, so an example that forgot the key fails.
The examples run a few at a time (the polling ones wait as the guide does, 10 s).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from agentloop.testing import DemoModel, InteractionsServer, serve_in_thread

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "examples"
KEY = "local-example-key"
REPORT = r"# The history of the Google TPUs: research report"
OFFLINE_TOOLS = [r"cannot run code \(code_execution\)", r"cannot fetch pages \(url_context\)"]

# What each example must print (regexes, in order). Every script in examples/ is
# here, except the MCP server the stdio example starts.
EXPECTED: dict[str, list[str]] = {
    "agent_background_handle": [
        r"Started int_\w+ \(in_progress\)",
        r"Re-attached to int_\w+",
        r"completed",
        REPORT,
    ],
    "agent_basic": [r"Because light attracts bugs\."],
    "agent_builtin_tools": [r"searched for “Who won the last Super Bowl”", *OFFLINE_TOOLS],
    "agent_conversation_stateful": [
        r"Model: Nice to meet you, Phil!",
        r"Model: Your name is Phil\.",
    ],
    "agent_conversation_stateless": [
        r"Model: .*three largest cities in Spain",
        r"you mentioned Spain",
    ],
    "agent_deep_research": [
        r"Research started\. Interaction ID: int_\w+",
        r"Status: completed",
        REPORT,
    ],
    "agent_files_upload": [
        r"Uploaded car\.png as files/\w+ \(ACTIVE\)",
        r"files/\w+ is ACTIVE: http://127\.0\.0\.1:\d+/v1beta/files/\w+",
        r"I received 1 attachment\(s\) \(image\)",
        r"Deleted files/\w+",
    ],
    "agent_function_calling": [
        r"Tool Call: get_weather\(\{'location': 'Paris'\}\) -> 'The weather in Paris is sunny\.'",
        r"- get_weather \(Paris\): The weather in Paris is sunny\.",
    ],
    "agent_function_calling_stateless": [
        r"Function call: schedule_meeting with arguments \{'attendees': \['Peter', 'Amir'\]",
        r"Function result: Meeting on 'the Next Gen API' scheduled for 2025-11-01",
        r"Final response: .*\n- schedule_meeting \(2025-11-01, 10 am",
    ],
    "agent_generation_config": [r"a story about a brave knight"],
    "agent_image_generation": [
        r"Generated image with mime_type: image/png, saved to generated_city\.png"
    ],
    "agent_multimodal": [r"--- car\.png \(image/png\)", r"I received 1 attachment\(s\) \(image\)"],
    "agent_remote_mcp": [r"remote MCP server weather_service"],
    "agent_research_then_summarize": [
        r"Research: int_\w+ \(\d+ characters of report\)",
        r"Summary: int_\w+, continuing int_\w+",
        r"- Origins: ",
    ],
    "agent_streaming": [
        r"-> get_weather\(\{'city': 'Paris'\}\)",
        r"<- get_weather: \{'city': 'Paris', 'sky': 'sunny', 'temp_c': 21\}",
        r"--- Stream Finished ---",
        r"Total Tokens: \d+",
    ],
    "agent_structured_output": [r"decision=(SpamDetails|NotSpamDetails)\("],
    "agent_structured_output_with_tools": [r"decision=(SpamDetails|NotSpamDetails)\("],
    "client_basic": [r"Because light attracts bugs\."],
    "client_builtin_tools": [r"searched for “Who won the last Super Bowl”", *OFFLINE_TOOLS],
    "client_conversation_stateful": [
        r"Model: Nice to meet you, Phil!",
        r"Model: Your name is Phil\.",
    ],
    "client_conversation_stateless": [
        r"Model: .*three largest cities in Spain",
        r"you mentioned Spain",
    ],
    "client_deep_research_polling": [
        r"Research started\. Interaction ID: int_\w+",
        r"Status: completed",
        REPORT,
    ],
    "client_function_calling": [
        r"Tool Call: get_weather\(\{'location': 'Paris'\}\)",
        r"- get_weather \(Paris\): The weather in Paris is sunny\.",
    ],
    "client_function_calling_stateless": [
        r"Function call: schedule_meeting with arguments",
        r"- schedule_meeting \(2025-11-01, 10 am, the Next Gen API\): "
        r"Meeting scheduled successfully\.",
    ],
    "client_generation_config": [r"a story about a brave knight"],
    "client_image_generation": [r"^Generated image with mime_type: image/png$"],
    "client_multimodal_input": [r"I received 1 attachment\(s\) \(image\)"],
    "client_remote_files": [r"I received 1 attachment\(s\) \(image\)"],
    "client_remote_mcp": [r"remote MCP server weather_service"],
    "client_retrieve": [r"id='int_\w+' status='completed' model='gemini-2\.5-flash'"],
    "client_streaming": [r"quantum entanglement", r"--- Stream Finished ---", r"Total Tokens: \d+"],
    "client_structured_output": [r"decision=(SpamDetails|NotSpamDetails)\("],
    "client_structured_output_with_tools": [r"decision=(SpamDetails|NotSpamDetails)\("],
    "mcp_local_stdio": [
        r"\[approved\] shop_price\(\{'item': 'apple'\}\)",
        r"- shop_price \(apple\): 0\.5",
        r"\[approved\] shop_price\(\{'item': 'pear'\}\)",
        r"- shop_price \(pear\): 0\.8",
    ],
    "mcp_remote_weather": [r"route: remote", r"remote MCP server weather_service"],
    "testing_local_server": [
        r"Refused as the API would: models/gemini-2\.5-flsh is not found",
        r"Uploaded dot\.png as files/\w+ \(ACTIVE\)",
        r"The model: I received 1 attachment\(s\) \(image\)",
        r"Research: in_progress",
        r"An hour later: completed",
    ],
}
NOT_RUN = {"mcp_shop_server": "the MCP server mcp_local_stdio starts"}
# Examples that need a server set up their own way; each of these tests runs the
# example against the local server over loopback and checks what it prints.
CHECKED_ELSEWHERE = {
    "approval": "tests/durable/test_durable_examples.py (pause, then resume in a new process)",
    "crash_resume": "tests/durable/test_durable_examples.py (a killed process, then resume)",
    "tracing": "tests/obs/test_example.py (an in-memory span exporter)",
    "managed_agent_local_tools": "tests/examples/test_resource_examples.py (saved agents)",
    "resources_tour": "tests/examples/test_resource_examples.py (the resources' server)",
    "tool_search_catalogue": "tests/examples/test_resource_examples.py",
    "webhooks_push_run": "tests/examples/test_resource_examples.py (webhook deliveries)",
    "reliability_lost_replies": "tests/faults/test_docs_and_example.py (a hostile server)",
    "typed_agent": "tests/examples/test_typed_example.py (and mypy and pyright in CI)",
    "fast_service": "tests/examples/test_fast_service_example.py",
    "temporal_worker": "tests/temporal/test_temporal_examples.py (a Temporal dev server)",
    "temporal_start": "tests/temporal/test_temporal_examples.py (a Temporal dev server)",
    "composition_agent_as_tool": "tests/composition/test_composition_examples.py",
    "composition_compaction": "tests/composition/test_composition_examples.py",
    "composition_handoffs": "tests/composition/test_composition_examples.py",
    "composition_limits_guardrails": "tests/composition/test_composition_examples.py",
    "composition_parallel": "tests/composition/test_composition_examples.py",
    "composition_sessions": "tests/composition/test_composition_examples.py",
}
FILES_WRITTEN = {
    "agent_image_generation": "generated_city.png",
    "client_image_generation": "generated_city.png",
}


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str
    directory: Path


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Ran]]:
    """Every example, run once against one server (four at a time)."""
    server = InteractionsServer(DemoModel(), api_key=KEY, lenient=False, background_step_delay=0.01)
    with serve_in_thread(server) as url:
        env = {
            **os.environ,
            "AGENTLOOP_BASE_URL": url,
            "GEMINI_API_KEY": KEY,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }

        base = tmp_path_factory.mktemp("examples")

        def run(name: str) -> tuple[str, Ran]:
            directory = base / name
            directory.mkdir()
            done = subprocess.run(
                [sys.executable, str(EXAMPLES / f"{name}.py")],
                cwd=directory,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            return name, Ran(done.returncode, done.stdout, done.stderr, directory)

        with ThreadPoolExecutor(4) as pool:
            yield dict(pool.map(run, EXPECTED))


def test_every_example_is_checked_here() -> None:
    scripts = {path.stem for path in EXAMPLES.glob("*.py")}
    assert scripts == set(EXPECTED) | set(NOT_RUN) | set(CHECKED_ELSEWHERE)
    assert not set(EXPECTED) & set(CHECKED_ELSEWHERE)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_prints_what_it_promises(name: str, runs: dict[str, Ran]) -> None:
    ran = runs[name]
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert "Traceback" not in ran.stderr
    position = 0
    for pattern in EXPECTED[name]:
        found = re.compile(pattern, re.MULTILINE).search(ran.stdout, position)
        assert found, f"{pattern!r} not found in order in:\n{ran.stdout[-3000:]}"
        position = found.end()
    if written := FILES_WRITTEN.get(name):
        assert (ran.directory / written).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_says_it_needs_a_key_and_how_to_run_offline(name: str) -> None:
    doc = (EXAMPLES / f"{name}.py").read_text()
    assert "GEMINI_API_KEY" in doc
    assert "AGENTLOOP_BASE_URL" in doc
