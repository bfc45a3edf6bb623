"""Child processes seen through /proc: is one alive, kill one, and a guard that no test
leaves one behind (the MCP tests start real MCP servers as subprocesses).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path


def stat(pid: int | str) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name ([] if it is gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def children() -> set[int]:
    """Our child processes (zombies included: they were not waited for)."""
    found = (int(e) for e in os.listdir("/proc") if e.isdigit())
    return {pid for pid in found if stat(pid)[1:2] == [str(os.getpid())]}


def alive(pid: int) -> bool:
    return stat(pid)[:1] not in ([], ["Z"])


def kill(pid: int) -> None:
    """SIGKILL `pid` and wait until it is dead (a zombie: only its parent reaps it)."""
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.01)


@contextlib.contextmanager
def no_leaked_processes(message: str) -> Iterator[None]:
    """Fail with `message` if the block leaves a child process behind."""
    before = children()
    yield
    assert children() - before == set(), message
