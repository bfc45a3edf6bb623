"""`agentloop serve` as a process: where its key comes from, what its logs never show,
which names and dialects it serves, and what its banner says."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from agentloop._cli.serve import RedactKeys

KEY = "s3cret-Key_42"


@contextmanager
def serving(*args: str, env: dict[str, str] | None = None) -> Iterator[tuple[str, list[str]]]:
    """`agentloop serve --port 0 ...`; yields its URL and (after exit) all it printed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "agentloop", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
    )
    assert process.stdout is not None
    lines: list[str] = []
    url = ""
    try:
        for line in process.stdout:
            lines.append(line)
            if match := re.search(r"export AGENTLOOP_BASE_URL=(\S+)", line):
                url = match.group(1)
            if "Application startup complete" in line:
                break
        assert url, "".join(lines)
        yield url, lines
    finally:
        process.terminate()
        rest, _ = process.communicate(timeout=20)
        lines.append(rest)


def create(url: str, **options: object) -> httpx.Response:
    body = {"model": "gemini-2.5-flash", "input": "Hello"}
    return httpx.post(f"{url}/v1beta/interactions", json=body, timeout=10, **options)  # type: ignore[arg-type]


def test_the_key_from_the_environment_is_required_and_never_logged() -> None:
    with serving(env={"AGENTLOOP_API_KEY": KEY}) as (url, lines):
        assert create(url).status_code == 401
        assert create(url, params={"key": KEY}).status_code == 200
        assert create(url, headers={"x-goog-api-key": KEY}).status_code == 200
        assert create(url, headers={"x-goog-api-key": "café".encode()}).status_code == 400
    printed = "".join(lines)
    assert "POST /v1beta/interactions?key=*** HTTP/1.1" in printed
    assert KEY not in printed
    assert "Traceback" not in printed


def test_the_key_can_come_from_a_file(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text(KEY + "\n")
    with serving("--api-key-file", str(key_file)) as (url, lines):
        assert create(url, headers={"x-goog-api-key": KEY}).status_code == 200
        assert create(url, headers={"x-goog-api-key": "nope"}).status_code == 400
    assert KEY not in "".join(lines)


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--api-key-file", "/no/such/file"], {}, "cannot read --api-key-file"),
        ([], {"AGENTLOOP_API_KEY": "clé"}, "printable ASCII"),
        (["--dialect", "outputs"], {}, "--dialect must be auto, steps or legacy"),
    ],
)
def test_a_bad_key_or_option_is_one_error_line(
    args: list[str], env: dict[str, str], message: str
) -> None:
    ran = subprocess.run(
        [sys.executable, "-m", "agentloop", "serve", "--port", "0", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=30,
    )
    assert ran.returncode == 2
    assert ran.stderr.startswith("error: ")
    assert message in ran.stderr
    assert "Traceback" not in ran.stderr


def test_names_are_the_apis_unless_lenient() -> None:
    body = {"model": "gpt-4o", "input": "Hi"}
    with serving() as (url, lines):
        assert httpx.post(f"{url}/v1beta/interactions", json=body).status_code == 404
    assert "accepts Gemini model and agent names only" in "".join(lines)
    with serving("--lenient") as (url, lines):
        assert httpx.post(f"{url}/v1beta/interactions", json=body).status_code == 200
    assert "accepts any model or agent name" in "".join(lines)


def test_the_banner_says_how_the_dialect_is_chosen() -> None:
    with serving() as (url, lines):
        legacy = create(url, headers={"x-goog-api-client": "google-genai-sdk/1.55.0"}).json()
        steps = create(url).json()
    assert "outputs" in legacy
    assert "steps" in steps
    assert "dialect: per caller (google-genai 1.x: legacy outputs[]" in "".join(lines)


def test_the_log_filter_masks_keys_in_messages_and_arguments() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:1", "GET", "/v1beta/interactions/x?alt=sse&key=abc&x=1", "1.1", 200),
        None,
    )
    assert RedactKeys().filter(record)
    assert "key=***&x=1" in record.getMessage()
    assert "abc" not in record.getMessage()
