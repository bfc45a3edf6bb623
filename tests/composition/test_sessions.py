"""Persistent sessions: a chat saved under a session id survives a process restart
(store=True keeps the chain of interaction ids, store=False the history); two
writers of one session are serialised, and a stale one is refused clearly."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import agentloop
from agentloop import (
    Agent,
    AsyncClient,
    Client,
    MemorySessions,
    SessionConflictError,
    SQLiteSessions,
    UserError,
    tool,
)
from agentloop.testing import FunctionModel, InteractionsServer, ModelRequest, serve_in_thread

ROOT = Path(agentloop.__file__).parent.parent
CHILD = Path(__file__).parent / "session_child.py"


def recall(request: ModelRequest) -> str:
    """An answer listing every user message the model has seen, in order."""
    said = [
        " ".join(b.get("text", "") for b in step.get("content") or [])
        for step in request.all_steps
        if step.get("type") == "user_input"
    ]
    return "I have heard: " + " | ".join(said)


@pytest.fixture
def served() -> Iterator[tuple[FunctionModel, str]]:
    model = FunctionModel(recall)
    with serve_in_thread(InteractionsServer(model)) as url:
        yield model, url


def turn(url: str, db: Path, store: str, message: str, *extra: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(CHILD), url, str(db), "user-42", store, message, *extra],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@pytest.mark.parametrize("store", ["stored", "unstored"])
def test_a_session_survives_a_process_restart(
    served: tuple[FunctionModel, str], tmp_path: Path, store: str
) -> None:
    model, url = served
    db = tmp_path / "chats.db"
    first = turn(url, db, store, "My name is Ada")
    second = turn(url, db, store, "What is my name?")  # a new process
    assert second["text"] == "I have heard: My name is Ada | What is my name?"
    request = model.requests[1]
    if store == "stored":
        assert request.body["previous_interaction_id"] == first["interaction_id"]
        assert request.user_text == "What is my name?"  # only the new turn is sent
    else:
        assert "previous_interaction_id" not in request.body
        assert [s["type"] for s in request.body["input"]] == [
            "user_input",
            "model_output",
            "user_input",
        ]


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # one socket server, one backend
async def test_history_is_rebuilt_from_the_server_when_stored(
    served: tuple[FunctionModel, str], tmp_path: Path, anyio_backend: str
) -> None:
    _, url = served
    db = tmp_path / "chats.db"
    turn(url, db, "stored", "one")
    turn(url, db, "stored", "two")
    async with AsyncClient(api_key="local-test-key", base_url=url, max_retries=0) as client:
        agent = Agent("gemini-2.5-flash", instructions="chat", client=client)
        chat = agent.chat(session_id="user-42", sessions=SQLiteSessions(db))
        steps = await chat.ahistory()
    assert [s["type"] for s in steps] == ["user_input", "model_output"] * 2
    assert steps[-1]["content"][0]["text"] == "I have heard: one | two"
    assert len(chat.interaction_ids) == 2


def test_two_processes_writing_one_session_are_serialised(
    served: tuple[FunctionModel, str], tmp_path: Path
) -> None:
    _model, url = served
    db = tmp_path / "chats.db"
    SQLiteSessions(db)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    script = (
        "import subprocess, sys\n"
        "for n in range(3):\n"
        "    subprocess.run([sys.executable, *sys.argv[1:6], f'{sys.argv[6]}-{n}', 'retry'],"
        " check=True, capture_output=True)\n"
    )
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(CHILD), url, str(db), "user-42", "stored", who],
            env=env,
        )
        for who in ("a", "b")
    ]
    for writer in writers:
        assert writer.wait(timeout=300) == 0
    saved = SQLiteSessions(db).load("user-42")
    assert saved is not None
    version, data = saved
    ids = json.loads(data)["interaction_ids"]
    assert len(ids) == 6 == version  # every turn saved once, none lost
    # Each saved turn continues the one saved before it: one chain, no fork.
    with Client(api_key="local-test-key", base_url=url, max_retries=0) as client:
        chain = [client.interactions.get(i) for i in ids]
    assert chain[0].previous_interaction_id is None
    for earlier, later in itertools.pairwise(chain):
        assert later.previous_interaction_id == earlier.id
    said = [i.text.removeprefix("I have heard: ").split(" | ")[-1] for i in chain]
    assert sorted(said) == ["a-0", "a-1", "a-2", "b-0", "b-1", "b-2"]
    assert chain[-1].text == "I have heard: " + " | ".join(said)  # the whole conversation


@pytest.mark.anyio
async def test_a_turn_saved_by_another_writer_meanwhile_is_refused() -> None:
    calls = iter(
        [[{"type": "function_call", "id": "c1", "name": "ask_colleague", "arguments": {}}]]
    )

    def model(request: ModelRequest) -> Any:
        if request.body.get("system_instruction") == "chat":
            return recall(request)
        return next(calls, None) or "done"

    server = InteractionsServer(FunctionModel(model))
    sessions = MemorySessions()
    client = server.client()
    other = Agent("gemini-2.5-flash", instructions="chat", client=client)

    @tool
    async def ask_colleague() -> str:
        """Ask a colleague, who writes to the same session meanwhile."""
        await other.chat(session_id="s", sessions=sessions).arun("colleague was here")
        return "asked"

    agent = Agent("gemini-2.5-flash", instructions="main", tools=[ask_colleague], client=client)
    chat = agent.chat(session_id="s", sessions=sessions)
    with pytest.raises(SessionConflictError, match="saved by another writer") as caught:
        await chat.arun("hello")
    assert caught.value.state is not None  # the turn's work is not lost
    version, data = sessions.load("s") or (0, "")
    assert version == 1
    assert len(json.loads(data)["interaction_ids"]) == 1  # the colleague's turn only


def test_session_options_are_checked(tmp_path: Path) -> None:
    agent = Agent("gemini-2.5-flash")
    with pytest.raises(UserError, match="both session_id= and sessions="):
        agent.chat(session_id="x")
    with pytest.raises(UserError, match="load/save"):
        agent.chat(session_id="x", sessions=object())  # type: ignore[arg-type]
    with pytest.raises(UserError, match="non-empty"):
        agent.chat(session_id="", sessions=MemorySessions())


def test_sqlite_sessions_refuse_a_stale_version(tmp_path: Path) -> None:
    store = SQLiteSessions(tmp_path / "s.db")
    assert store.load("a") is None
    assert store.save("a", "one", 0) == 1
    with pytest.raises(SessionConflictError, match="version 1"):
        store.save("a", "two", 0)
    assert store.load("a") == (1, "one")
    store.delete("a")
    assert store.load("a") is None
