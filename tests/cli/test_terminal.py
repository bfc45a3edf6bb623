"""The command line in a real terminal (a pty): the tool spinner and the chat REPL.

Each test starts `agentloop` as a process whose stdin, stdout and stderr are a
pseudo-terminal, against a local server on a loopback port, then reads what a
person would see and types what a person would type. Only the order of what
appears is checked, never how long it took.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentloop.testing import DemoModel, InteractionsServer, serve_in_thread

ROOT = Path(__file__).parents[2]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]|\r")
SLOW_TOOLS = '''
import time


def get_weather(city: str) -> str:
    """Get the weather of a city."""
    time.sleep(2)
    return f"Sunny in {city}"
'''


class Terminal:
    """A process on a pseudo-terminal: what it printed so far, and a keyboard."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        main, child = pty.openpty()
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.process = subprocess.Popen(
            argv, stdin=child, stdout=child, stderr=child, env=env, cwd=cwd, start_new_session=True
        )
        os.close(child)
        self.fd = main
        self.raw = ""

    @property
    def screen(self) -> str:
        """Everything printed, without colours and cursor moves."""
        return ANSI.sub("", self.raw)

    def wait_for(self, pattern: str, after: int = 0, timeout: float = 20) -> int:
        """Read until `pattern` (a regex) shows after position `after`; its end position."""
        deadline = time.monotonic() + timeout
        while True:
            found = re.compile(pattern).search(self.screen, after)
            if found:
                return found.end()
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{pattern!r} never showed; the screen:\n{self.screen}")
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.5))
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:  # the process ended and closed the terminal
                    chunk = b""
                if not chunk and self.process.poll() is not None:
                    raise AssertionError(f"exited before {pattern!r}; the screen:\n{self.screen}")
                self.raw += chunk.decode(errors="replace")

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def close(self) -> int:
        try:
            return self.process.wait(timeout=30)
        finally:
            os.close(self.fd)


@pytest.fixture
def terminal_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    (tmp_path / "slow_tools.py").write_text(SLOW_TOOLS)
    with serve_in_thread(InteractionsServer(DemoModel(), lenient=False)) as url:
        yield {
            **os.environ,
            "AGENTLOOP_BASE_URL": url,
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path)]),
            "XDG_STATE_HOME": str(tmp_path / "state"),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "TERM": "xterm-256color",
            "PROMPT_TOOLKIT_NO_CPR": "1",
            "COLUMNS": "120",
        }


def agentloop(*args: str) -> list[str]:
    return [sys.executable, "-m", "agentloop", *args]


def test_a_running_tool_shows_its_line_at_once_then_a_spinner_with_elapsed_time(
    terminal_env: dict[str, str], tmp_path: Path
) -> None:
    terminal = Terminal(
        agentloop("run", "What is the weather in Paris?", "--tool", "slow_tools:get_weather"),
        terminal_env,
        tmp_path,
    )
    started = terminal.wait_for(r"→ get_weather\(city='Paris'\)")
    spinning = terminal.wait_for(r"running get_weather\s+\d:\d\d:\d\d", after=started)
    finished = terminal.wait_for(r"✓ get_weather → Sunny in Paris", after=spinning)
    terminal.wait_for(r"get_weather \(Paris\): Sunny in Paris", after=finished)
    assert terminal.close() == 0


def test_chat_remembers_resets_takes_multiline_input_and_exits(
    terminal_env: dict[str, str], tmp_path: Path
) -> None:
    terminal = Terminal(
        agentloop("chat", "--tool", "slow_tools:get_weather"), terminal_env, tmp_path
    )
    at = terminal.wait_for(r"agentloop chat with gemini-2\.5-flash")
    at = terminal.wait_for(r">", after=at)

    def say(keys: str, *expected: str) -> None:
        """Type at the prompt, see each expected line in order, then the next prompt."""
        nonlocal at
        terminal.type(keys)
        for pattern in expected:
            at = terminal.wait_for(pattern, after=at)
        at = terminal.wait_for(r">", after=at)

    say("Hi, I'm Ada.\r", r"Nice to meet you, Ada!")
    say("What is my name?\r", r"Your name is Ada\.")
    say(
        "What is the weather in Paris?\r",
        r"→ get_weather\(city='Paris'\)",
        r"get_weather \(Paris\): Sunny in Paris",
    )
    say("/reset\r", r"\(a new conversation\)")
    say("What is my name?\r", r"You asked: “What is my name”")
    say("First line\x1b\rsecond line\r", r"“First line second line”")  # Esc Enter: 2 lines
    say("/nope\r", r"error: unknown command /nope; /help lists them")
    terminal.type("/exit\r")
    assert terminal.close() == 0
    history = (tmp_path / "state" / "agentloop" / "chat_history").read_text()
    assert "Hi, I'm Ada." in history


def test_chat_reads_one_message_per_line_from_a_pipe(
    terminal_env: dict[str, str], tmp_path: Path
) -> None:
    ran = subprocess.run(
        agentloop("chat"),
        input="Hi, I'm Ada.\nWhat is my name?\n",
        env=terminal_env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "Nice to meet you, Ada! I'll remember that.\nYour name is Ada.\n"
    assert ran.stderr.startswith("agentloop chat with gemini-2.5-flash")


def test_ctrl_c_stops_an_answer_and_the_chat_goes_on(
    terminal_env: dict[str, str], tmp_path: Path
) -> None:
    terminal = Terminal(
        agentloop("chat", "--tool", "slow_tools:get_weather"), terminal_env, tmp_path
    )
    at = terminal.wait_for(r">")
    terminal.type("Hi, I'm Ada.\r")
    at = terminal.wait_for(r"Nice to meet you, Ada!", after=at)
    at = terminal.wait_for(r">", after=at)
    terminal.type("What is the weather in Paris?\r")
    at = terminal.wait_for(r"→ get_weather\(city='Paris'\)", after=at)
    terminal.process.send_signal(signal.SIGINT)  # what Ctrl+C sends
    at = terminal.wait_for(r"\(stopped\)", after=at)
    at = terminal.wait_for(r">", after=at)
    terminal.type("What is my name?\r")
    at = terminal.wait_for(r"Your name is Ada\.", after=at)
    terminal.wait_for(r">", after=at)
    terminal.type("/exit\r")
    assert terminal.close() == 0
