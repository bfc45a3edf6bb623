"""HTTP shape of the resources beyond /interactions: method, path, body, headers, pages."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from agentloop import AsyncClient, Client, NotFoundError, ResponseValidationError, UserError
from agentloop.types import (
    ChoiceAnswer,
    Credential,
    Decision,
    EnvironmentFile,
    EnvironmentResource,
    ManagedAgent,
    NoulAnswer,
    ScoreAnswer,
    Trigger,
    TriggerExecution,
    UnknownAnswer,
    Webhook,
    WebhookSecret,
)

pytestmark = pytest.mark.anyio

API_KEY = "test-key-resources"
ROOT = "https://generativelanguage.googleapis.com"
V = f"{ROOT}/v1beta"
TRIGGER = {"id": "t1", "schedule": "0 * * * *", "time_zone": "UTC", "interaction": {"agent": "a"}}
WEBHOOK = {
    "id": "w1",
    "uri": "https://example.test/h",
    "subscribed_events": ["interaction.completed"],
}

Call = Callable[[AsyncClient], Awaitable[Any]]

# (name, call, method, url, sent body or None, answer, expected result type)
CASES: list[tuple[str, Call, str, str, Any, Any, Any]] = [
    (
        "agents.create",
        lambda c: c.agents.create(
            id="support",
            base_agent="antigravity-preview-09-2026",
            system_instruction="Be kind.",
            tools=[{"type": "function", "name": "lookup_order"}],
        ),
        "POST",
        f"{V}/agents",
        {
            "id": "support",
            "base_agent": "antigravity-preview-09-2026",
            "system_instruction": "Be kind.",
            "tools": [{"type": "function", "name": "lookup_order"}],
        },
        {"id": "support", "base_agent": "antigravity-preview-09-2026"},
        ManagedAgent,
    ),
    (
        "agents.get",
        lambda c: c.agents.get("agents/support"),
        "GET",
        f"{V}/agents/support",
        None,
        {"id": "support"},
        ManagedAgent,
    ),
    (
        "agents.delete",
        lambda c: c.agents.delete("support"),
        "DELETE",
        f"{V}/agents/support",
        None,
        {},
        type(None),
    ),
    (
        "environments.create",
        lambda c: c.environments.create(
            sources=[{"type": "inline", "target": "AGENTS.md", "content": "# rules"}],
            network={"allowlist": [{"domain": "api.example.com"}]},
        ),
        "POST",
        f"{V}/environments",
        {
            "sources": [{"type": "inline", "target": "AGENTS.md", "content": "# rules"}],
            "network": {"allowlist": [{"domain": "api.example.com"}]},
        },
        {"id": "env1", "status": "active"},
        EnvironmentResource,
    ),
    (
        "environments.get",
        lambda c: c.environments.get("env1"),
        "GET",
        f"{V}/environments/env1",
        None,
        {"id": "env1"},
        EnvironmentResource,
    ),
    (
        "environments.delete",
        lambda c: c.environments.delete("environments/env1"),
        "DELETE",
        f"{V}/environments/env1",
        None,
        {},
        type(None),
    ),
    (
        "environments.files.download",
        lambda c: c.environments.files.download("env1", "src/a b.txt"),
        "GET",
        f"{V}/environments/env1/files/src/a%20b.txt?alt=media",
        None,
        b"data",
        bytes,
    ),
    (
        "credentials.create",
        lambda c: c.credentials.create(id="gh", type="bearer_token", token="s3cret"),
        "POST",
        f"{V}/credentials",
        {"id": "gh", "type": "bearer_token", "token": "s3cret"},
        {"id": "gh", "type": "bearer_token", "status": "active"},
        Credential,
    ),
    (
        "credentials.get",
        lambda c: c.credentials.get("gh"),
        "GET",
        f"{V}/credentials/gh",
        None,
        {"id": "gh"},
        Credential,
    ),
    (
        "credentials.update",
        lambda c: c.credentials.update("gh", token="n3w"),
        "PATCH",
        f"{V}/credentials/gh",
        {"token": "n3w"},
        {"id": "gh"},
        Credential,
    ),
    (
        "credentials.delete",
        lambda c: c.credentials.delete("gh"),
        "DELETE",
        f"{V}/credentials/gh",
        None,
        {},
        type(None),
    ),
    (
        "triggers.create",
        lambda c: c.triggers.create(
            schedule="0 9 * * 1-5",
            interaction={"agent": "agents/reporter", "input": "Report."},
            display_name="daily",
        ),
        "POST",
        f"{V}/triggers",
        {
            "schedule": "0 9 * * 1-5",
            "time_zone": "UTC",
            "interaction": {"agent": "agents/reporter", "input": "Report."},
            "display_name": "daily",
        },
        TRIGGER,
        Trigger,
    ),
    (
        "triggers.get",
        lambda c: c.triggers.get("t1"),
        "GET",
        f"{V}/triggers/t1",
        None,
        TRIGGER,
        Trigger,
    ),
    (
        "triggers.update",
        lambda c: c.triggers.update("t1", status="paused"),
        "PATCH",
        f"{V}/triggers/t1",
        {"status": "paused"},
        TRIGGER,
        Trigger,
    ),
    (
        "triggers.delete",
        lambda c: c.triggers.delete("t1"),
        "DELETE",
        f"{V}/triggers/t1",
        None,
        {},
        type(None),
    ),
    (
        "triggers.run",
        lambda c: c.triggers.run("t1"),
        "POST",
        f"{V}/triggers/t1/executions",
        None,
        {"id": "x1", "trigger_id": "t1", "status": "in_progress"},
        TriggerExecution,
    ),
    (
        "webhooks.create",
        lambda c: c.webhooks.create(
            uri="https://example.test/h", subscribed_events=["interaction.completed"], name="n"
        ),
        "POST",
        f"{V}/webhooks",
        {
            "uri": "https://example.test/h",
            "subscribed_events": ["interaction.completed"],
            "name": "n",
        },
        {**WEBHOOK, "new_signing_secret": "whsec_abc"},
        Webhook,
    ),
    (
        "webhooks.get",
        lambda c: c.webhooks.get("w1"),
        "GET",
        f"{V}/webhooks/w1",
        None,
        WEBHOOK,
        Webhook,
    ),
    (
        "webhooks.update",
        lambda c: c.webhooks.update("w1", state="disabled"),
        "PATCH",
        f"{V}/webhooks/w1",
        {"state": "disabled"},
        WEBHOOK,
        Webhook,
    ),
    (
        "webhooks.delete",
        lambda c: c.webhooks.delete("w1"),
        "DELETE",
        f"{V}/webhooks/w1",
        None,
        {},
        type(None),
    ),
    (
        "webhooks.ping",
        lambda c: c.webhooks.ping("w1"),
        "POST",
        f"{V}/webhooks/w1:ping",
        None,
        {},
        type(None),
    ),
    (
        "webhooks.rotate_secret",
        lambda c: c.webhooks.rotate_secret("w1"),
        "POST",
        f"{V}/webhooks/w1:rotateSigningSecret",
        {},
        {"secret": "whsec_new"},
        WebhookSecret,
    ),
    (
        "decisions.create",
        lambda c: c.decisions.create(
            model="gemini-3-flash-preview",
            input="Buy cheap pills now!!!",
            questions={"spam": {"type": "noul", "instructions": "Is this spam?"}},
        ),
        "POST",
        f"{V}/decisions",
        {
            "model": "gemini-3-flash-preview",
            "input": "Buy cheap pills now!!!",
            "questions": {"spam": {"type": "noul", "instructions": "Is this spam?"}},
        },
        {"answers": {"spam": {"type": "noul", "noul": 0.97, "confidence": 0.9}}},
        Decision,
    ),
]


@pytest.mark.parametrize(
    ("call", "method", "url", "sent", "answer", "result_type"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
async def test_resource_method_sends_and_parses(
    call: Call, method: str, url: str, sent: Any, answer: Any, result_type: Any
) -> None:
    with respx.mock(using="httpx", assert_all_called=True) as api:
        if isinstance(answer, bytes):
            route = api.route(method=method, url=url).respond(content=answer)
        else:
            route = api.route(method=method, url=url).respond(json=answer)
        result = await call(AsyncClient(api_key=API_KEY))
    request = route.calls.last.request
    assert request.headers["x-goog-api-key"] == API_KEY
    assert request.headers["api-revision"]
    if sent is None:
        assert request.content == b""
    else:
        assert request.headers["content-type"] == "application/json"
        assert json.loads(request.content) == sent
    assert isinstance(result, result_type)


LISTS: list[tuple[str, Callable[[AsyncClient], Any], str, str, dict[str, Any], Any]] = [
    (
        "agents",
        lambda c: c.agents.list(page_size=2),
        f"{V}/agents",
        "agents",
        {"id": "a"},
        ManagedAgent,
    ),
    (
        "environments",
        lambda c: c.environments.list(page_size=2),
        f"{V}/environments",
        "environments",
        {"id": "e"},
        EnvironmentResource,
    ),
    (
        "files",
        lambda c: c.environments.files.list("env1", "src", recursive=True, page_size=2),
        f"{V}/environments/env1/files/src",
        "files",
        {"path": "src/a.py"},
        EnvironmentFile,
    ),
    (
        "credentials",
        lambda c: c.credentials.list(page_size=2),
        f"{V}/credentials",
        "credentials",
        {"id": "c"},
        Credential,
    ),
    (
        "triggers",
        lambda c: c.triggers.list(page_size=2),
        f"{V}/triggers",
        "triggers",
        TRIGGER,
        Trigger,
    ),
    (
        "executions",
        lambda c: c.triggers.executions.list("t1", page_size=2),
        f"{V}/triggers/t1/executions",
        "trigger_executions",
        {"id": "x", "trigger_id": "t1"},
        TriggerExecution,
    ),
    (
        "webhooks",
        lambda c: c.webhooks.list(page_size=2),
        f"{V}/webhooks",
        "webhooks",
        WEBHOOK,
        Webhook,
    ),
]


@pytest.mark.parametrize(
    ("make", "url", "key", "item", "item_type"),
    [case[1:] for case in LISTS],
    ids=[case[0] for case in LISTS],
)
async def test_list_walks_every_page(
    make: Callable[[AsyncClient], Any], url: str, key: str, item: dict[str, Any], item_type: Any
) -> None:
    pages = [
        {key: [item, item], "next_page_token": "p2"},
        {key: [item], "next_page_token": ""},
    ]
    with respx.mock(using="httpx") as api:
        route = api.get(url__startswith=url).mock(
            side_effect=[httpx.Response(200, json=page) for page in pages]
        )
        items = [entry async for entry in make(AsyncClient(api_key=API_KEY))]
    assert len(items) == 3
    assert all(isinstance(entry, item_type) for entry in items)
    first, second = (call.request.url for call in route.calls)
    assert first.params.get("page_size") == "2"
    assert "page_token" not in first.params
    assert second.params["page_token"] == "p2"
    assert str(first).split("?")[0] == url


def test_blocking_client_lists_and_calls() -> None:
    with respx.mock(using="httpx") as api:
        api.get(f"{V}/agents").mock(
            side_effect=[
                httpx.Response(200, json={"agents": [{"id": "a"}], "next_page_token": "n"}),
                httpx.Response(200, json={"agents": [{"id": "b"}]}),
            ]
        )
        api.post(f"{V}/webhooks/w1:rotateSigningSecret").respond(json={"secret": "whsec_x"})
        client = Client(api_key=API_KEY)
        assert [agent.id for agent in client.agents.list()] == ["a", "b"]
        assert client.webhooks.rotate_secret("w1").secret == "whsec_x"


async def test_decision_answers_are_typed_and_open() -> None:
    answers = {
        "topic": {
            "type": "choice",
            "choice": "billing",
            "confidence": 0.8,
            "probabilities": {"billing": 0.8, "tech": 0.2},
        },
        "urgency": {
            "type": "score",
            "score": 4,
            "confidence": 0.7,
            "probabilities": {},
            "legend": {"1": "low", "5": "high"},
        },
        "spam": {"type": "noul", "noul": 0.1, "confidence": 0.95},
        "future": {"type": "ranking", "ranks": ["a", "b"]},
    }
    with respx.mock(using="httpx") as api:
        api.post(f"{V}/decisions").respond(json={"answers": answers, "usage": {"total_tokens": 9}})
        decision = await AsyncClient(api_key=API_KEY).decisions.create(
            model="m", input="text", questions={"topic": {"type": "choice", "instructions": "?"}}
        )
    assert isinstance(decision.answers["topic"], ChoiceAnswer)
    assert decision.answers["topic"].choice == "billing"
    assert isinstance(decision.answers["urgency"], ScoreAnswer)
    assert isinstance(decision.answers["spam"], NoulAnswer)
    unknown = decision.answers["future"]
    assert isinstance(unknown, UnknownAnswer)
    assert unknown.is_unknown
    assert unknown.to_dict() == answers["future"]


async def test_environment_upload_streams_from_disk(tmp_path: Path) -> None:
    local = tmp_path / "notes.md"
    local.write_bytes(b"0123456789")
    session = f"{ROOT}/upload/v1beta/environments/env1/files/session-1"
    with respx.mock(using="httpx") as api:
        start = api.put(f"{ROOT}/upload/v1beta/environments/env1/files/docs/notes.md").respond(
            headers={"x-goog-upload-url": session, "x-goog-upload-chunk-granularity": "4"}
        )
        chunks = api.post(session).respond(
            json={"path": "docs/notes.md", "size_bytes": 10, "type": "file"},
            headers={"x-goog-upload-status": "final"},
        )
        uploaded = await AsyncClient(api_key=API_KEY).environments.files.upload(
            "env1", "docs/notes.md", local, overwrite=True, chunk_size=4
        )
    started = start.calls.last.request
    assert started.url.params["overwrite"] == "true"
    assert started.headers["x-goog-upload-protocol"] == "resumable"
    assert started.headers["x-goog-upload-command"] == "start"
    assert started.headers["x-goog-upload-header-content-length"] == "10"
    assert started.headers["x-goog-upload-header-content-type"] == "text/markdown"
    sent = [
        (
            c.request.headers["x-goog-upload-command"],
            c.request.headers["x-goog-upload-offset"],
            c.request.content,
        )
        for c in chunks.calls
    ]
    assert sent == [
        ("upload", "0", b"0123"),
        ("upload", "4", b"4567"),
        ("upload, finalize", "8", b"89"),
    ]
    assert uploaded == EnvironmentFile(path="docs/notes.md", size_bytes=10, type="file")


async def test_environment_download_streams_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    with respx.mock(using="httpx") as api:
        api.get(f"{V}/environments/env1/files/out.bin?alt=media").respond(content=b"x" * 5000)
        result = await AsyncClient(api_key=API_KEY).environments.files.download(
            "env1", "out.bin", to=target
        )
    assert result is None
    assert target.read_bytes() == b"x" * 5000


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.agents.get("a/b"),
        lambda c: c.environments.files.download("env1", "../etc/passwd"),
        lambda c: c.webhooks.create(uri="u", subscribed_events="interaction.completed"),
        lambda c: c.decisions.create(model="m", input="x", questions={}),
        lambda c: c.decisions.create(model="m", input="x", questions={"q": {"instructions": "?"}}),
        lambda c: c.triggers.update("t1"),
        lambda c: c.environments.files.upload("env1", "", b"x"),
    ],
    ids=[
        "bad-id",
        "dotdot",
        "events-str",
        "no-questions",
        "untyped-question",
        "empty-update",
        "no-path",
    ],
)
async def test_bad_input_is_refused_before_sending(call: Call) -> None:
    with respx.mock(using="httpx", assert_all_mocked=True), pytest.raises(UserError):
        await call(AsyncClient(api_key=API_KEY))


async def test_errors_go_through_the_tree() -> None:
    body = {"error": {"code": 404, "message": "Agent 'x' was not found.", "status": "NOT_FOUND"}}
    with respx.mock(using="httpx") as api:
        api.get(f"{V}/agents/x").respond(404, json=body)
        api.get(f"{V}/triggers/t1").respond(json={"id": "t1"})
        client = AsyncClient(api_key=API_KEY)
        with pytest.raises(NotFoundError, match="was not found"):
            await client.agents.get("x")
        with pytest.raises(ResponseValidationError, match="Trigger"):
            await client.triggers.get("t1")


@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_pages_on_both_backends(anyio_backend: str) -> None:
    with respx.mock(using="httpx") as api:
        api.get(f"{V}/webhooks").respond(json={"webhooks": [WEBHOOK]})
        hooks = [hook async for hook in AsyncClient(api_key=API_KEY).webhooks.list()]
    assert [hook.id for hook in hooks] == ["w1"]
