"""Shared by the tests of the guide's example twins: loading scripts, reply builders."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from conftest import load_json

EXAMPLES = Path(__file__).parents[2] / "examples"
MEDIA_RESEARCH_EXAMPLES = (
    "agent_background_handle",
    "agent_files_upload",
    "agent_image_generation",
    "agent_multimodal",
    "agent_research_then_summarize",
)
"""The agent examples that run against the local server
(tests/examples/test_agent_media_research_examples.py)."""


def load_example(name: str) -> ModuleType:
    """Import examples/<name>.py as a fresh module (not `__main__`: nothing runs yet)."""
    spec = importlib.util.spec_from_file_location(f"_example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def interaction(id: str, *steps: dict[str, Any], status: str = "completed", **fields: Any) -> Any:
    """A steps-dialect Interaction body."""
    return {"id": id, "status": status, "steps": list(steps), **fields}


def text(value: str) -> dict[str, str]:
    return {"type": "text", "text": value}


def answer(value: str) -> dict[str, Any]:
    """A `model_output` step holding `value`."""
    return {"type": "model_output", "content": [text(value)]}


BUILTIN_REPLIES = {
    "google_search": load_json("response_google_search.json"),
    "code_execution": interaction(
        "int_code",
        {
            "type": "code_execution_call",
            "id": "ce_1",
            "arguments": {"code": "print(fib(50))", "language": "python"},
        },
        {"type": "code_execution_result", "call_id": "ce_1", "result": "12586269025\n"},
        answer("The 50th Fibonacci number is 12586269025."),
    ),
    "url_context": interaction(
        "int_url",
        {
            "type": "url_context_call",
            "id": "uc_1",
            "arguments": {"urls": ["https://www.wikipedia.org/"]},
        },
        {
            "type": "url_context_result",
            "call_id": "uc_1",
            "result": [{"url": "https://www.wikipedia.org/", "status": "success"}],
        },
        answer("Wikipedia is a free online encyclopedia."),
    ),
}
"""The guide's three built-in tool examples, answered."""


def run_script(base_url: str, name: str, *args: str) -> list[str]:
    """Run examples/<name>.py as a script in its own process against `base_url`
    (`AGENTLOOP_BASE_URL`); its stdout lines, once it exited with 0."""
    env = {**os.environ, "AGENTLOOP_BASE_URL": base_url, "PYTHONPATH": str(EXAMPLES.parent)}
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / f"{name}.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()
