"""Child processes: starting them, bounding them in time, and never leaving one behind.

Every child gets a stdin pipe that the runner holds open; a child exits as soon as it
reads EOF there (`exit_when_stdin_closes`), so even a runner killed with SIGKILL
leaves nothing running. The runner also stops its children explicitly: `close` then
`terminate` then `kill`, each with a timeout.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

__all__ = [
    "CLIENT_CPUS",
    "SERVER_CPUS",
    "ServerProcess",
    "affinity_note",
    "WorkerOutcome",
    "child_env",
    "exit_when_stdin_closes",
    "raise_fd_limit",
    "run_worker",
    "stop",
]

ROOT = Path(__file__).resolve().parent.parent
_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY")


def exit_when_stdin_closes(code: int = 0) -> None:
    """Die with the parent: it holds our stdin open for as long as it wants us."""

    def watch() -> None:
        try:
            while os.read(0, 4096):
                pass
        finally:
            os._exit(code)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def raise_fd_limit() -> None:
    """A thousand concurrent runs need a thousand sockets on each side."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def child_env() -> dict[str, str]:
    """The environment for children: loopback only, so no proxy may be configured."""
    env = {k: v for k, v in os.environ.items() if k not in _PROXY_VARIABLES}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def _cpu_split() -> tuple[set[int] | None, set[int] | None]:
    """The server on the first CPU this process may use, the clients on the rest, so
    the two never compete for one core (None, None: one CPU, or no affinity API)."""
    getter = getattr(os, "sched_getaffinity", None)
    if getter is None or not hasattr(os, "sched_setaffinity"):
        return None, None
    cpus = sorted(getter(0))
    if len(cpus) < 2:
        return None, None
    return {cpus[0]}, set(cpus[1:])


SERVER_CPUS, CLIENT_CPUS = _cpu_split()


def affinity_note() -> str:
    """How the processes are pinned, for the report."""
    if SERVER_CPUS is None or CLIENT_CPUS is None:
        return "no CPU pinning (one CPU, or no sched_setaffinity)"
    clients = ",".join(map(str, sorted(CLIENT_CPUS)))
    return f"server pinned to CPU {min(SERVER_CPUS)}, clients to CPU {clients}"


def _spawn(
    args: list[str],
    stdout: Any = subprocess.PIPE,
    stderr: Any = subprocess.PIPE,
    cpus: set[int] | None = None,
) -> Any:
    process = subprocess.Popen(
        [sys.executable, *args],
        stdin=subprocess.PIPE,
        stdout=stdout,
        stderr=stderr,
        env=child_env(),
        cwd=ROOT,
    )
    if cpus is not None:
        # Pinned from outside right after the start: the interpreter's start-up is all
        # that may run elsewhere, and the measurements come much later.
        with contextlib.suppress(OSError):
            os.sched_setaffinity(process.pid, cpus)
    return process


def stop(process: subprocess.Popen[bytes], grace: float = 3.0) -> None:
    """Stop a child for sure: EOF on its stdin, then SIGTERM, then SIGKILL."""
    if process.poll() is None and process.stdin is not None:
        with contextlib.suppress(OSError):
            process.stdin.close()
    for escalate in (process.terminate, process.kill, None):
        try:
            process.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            if escalate is None:
                raise
            escalate()
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()


class ServerProcess:
    """The mock server in its own process; a context manager that always stops it."""

    def __init__(self) -> None:
        self.process = _spawn(["-m", "benchmarks.server"], cpus=SERVER_CPUS)
        try:
            assert self.process.stdout is not None
            line = self.process.stdout.readline().strip()
            if not line.isdigit():
                raise RuntimeError(f"the benchmark server did not start: {self._stderr()}")
            self.port = int(line)
        except BaseException:
            stop(self.process)
            raise
        self.base_url = f"http://127.0.0.1:{self.port}"

    def _stderr(self) -> str:
        stop(self.process)
        return self.process.stderr.read().decode() if self.process.stderr else ""

    def stats(self) -> dict[str, Any]:
        """The server's counters and its own CPU time (`GET /_bench/stats`)."""
        connection = HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", "/_bench/stats")
            return json.loads(connection.getresponse().read())  # type: ignore[no-any-return]
        finally:
            connection.close()

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        stop(self.process)


class WorkerOutcome:
    """A worker's result JSON, or why there is none."""

    def __init__(self, result: dict[str, Any] | None, error: str | None, wall_s: float) -> None:
        self.result = result
        self.error = error
        self.wall_s = wall_s


def run_worker(spec: dict[str, Any], timeout: float) -> WorkerOutcome:
    """Run one measurement in a fresh process; kill it past `timeout` seconds."""
    start = time.perf_counter()
    # Output goes to files, not pipes: nothing to drain while we wait, and the stdin
    # pipe stays open (closing it is the child's signal to exit).
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        process = _spawn(
            ["-m", "benchmarks.worker", json.dumps(spec)], stdout, stderr, cpus=CLIENT_CPUS
        )
        try:
            process.wait(timeout=timeout)
            killed = False
        except subprocess.TimeoutExpired:
            killed = True
        finally:
            stop(process)
        stdout.seek(0)
        stderr.seek(0)
        out, err = stdout.read().decode(), stderr.read().decode()
    wall = time.perf_counter() - start
    if killed:
        return WorkerOutcome(None, f"killed after {timeout:.0f} s", wall)
    try:
        result = json.loads(out.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return WorkerOutcome(None, f"no result (exit {process.returncode}): {err[-2000:]}", wall)
    if "error" in result:
        return WorkerOutcome(None, str(result["error"]), wall)
    return WorkerOutcome(result, None, wall)
