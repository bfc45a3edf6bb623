"""Conformance: google-genai 3.6.1's own resource calls, unmodified, against the local
server on a loopback port (agents, environments + files, credentials, triggers,
webhooks, decisions)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

genai = pytest.importorskip("google.genai")

from agentloop.testing import (  # noqa: E402
    InteractionsServer,
    ManualClock,
    Resources,
    ScriptedModel,
    serve_in_thread,
)

API_KEY = "sdk-key"
DONE = [{"type": "model_output", "content": [{"type": "text", "text": "done"}]}]


@pytest.fixture
def setup() -> Iterator[tuple[Any, InteractionsServer, ManualClock]]:
    clock = ManualClock(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    server = InteractionsServer(
        ScriptedModel([DONE] * 5),
        api_key=API_KEY,
        resources=Resources(clock=clock),
        background_step_delay=0,
    )
    with serve_in_thread(server) as url, warnings.catch_warnings():
        # The SDK marks these resources experimental with a UserWarning per call.
        warnings.simplefilter("ignore", UserWarning)
        client = genai.Client(api_key=API_KEY, http_options={"base_url": url})
        yield client, server, clock
        client.close()
    server.resources.close()


def test_sdk_agents(setup: tuple[Any, InteractionsServer, ManualClock]) -> None:
    client, _, _ = setup
    created = client.agents.create(
        id="support",
        base_agent="antigravity-preview-09-2026",
        system_instruction="Help.",
        tools=[{"type": "function", "name": "lookup_order"}],
    )
    assert created.id == "support"
    assert client.agents.get("support").system_instruction == "Help."
    listed = client.agents.list(page_size=10)
    assert [agent.id for agent in listed.agents] == ["support"]
    client.agents.delete("support")
    assert not client.agents.list().agents


def test_sdk_environments_and_files(setup: tuple[Any, InteractionsServer, ManualClock]) -> None:
    client, _, _ = setup
    env = client.environments.create(
        sources=[{"type": "inline", "target": "AGENTS.md", "content": "rules"}],
        network="disabled",
    )
    assert env.status == "active"
    assert client.environments.get(env.id).file_count == 1
    assert [e.id for e in client.environments.list().environments] == [env.id]
    uploaded = client.environments.files.upload(
        environment=env.id, path="src/main.py", file=b"print('hi')\n"
    )
    assert uploaded.files[0].path == "src/main.py"
    listing = client.environments.files.list(environment=env.id, path="src", recursive=True)
    assert [f.path for f in listing.files] == ["src/main.py"]
    data = client.environments.files.download(environment=env.id, path="src/main.py")
    assert data == b"print('hi')\n"
    client.environments.delete(env.id)


def test_sdk_credentials(setup: tuple[Any, InteractionsServer, ManualClock]) -> None:
    client, _, _ = setup
    created = client.credentials.create(type="bearer_token", id="gh", token="s3cret")
    assert created.id == "gh"
    assert created.type == "bearer_token"
    assert client.credentials.update("gh", type="bearer_token", token="n3w").status == "active"
    assert [c.id for c in client.credentials.list().credentials] == ["gh"]
    assert "s3cret" not in client.credentials.get("gh").model_dump_json()
    client.credentials.delete("gh")


def test_sdk_triggers(setup: tuple[Any, InteractionsServer, ManualClock]) -> None:
    client, _, clock = setup
    trigger = client.triggers.create(
        schedule="30 8 * * *",
        time_zone="UTC",
        interaction={"agent": "antigravity-preview-09-2026", "input": "report"},
    )
    assert trigger.status == "active"
    assert trigger.next_run_time == datetime(2026, 11, 30, 8, 30, tzinfo=UTC)
    clock.advance(31 * 60)
    executions = client.triggers.list_executions(trigger.id).trigger_executions
    assert [e.status for e in executions] == ["completed"]
    run = client.triggers.run(trigger.id)
    assert run.trigger_id == trigger.id
    assert client.triggers.update(trigger.id, status="paused").status == "paused"
    assert [t.id for t in client.triggers.list().triggers] == [trigger.id]
    client.triggers.delete(trigger.id)


def test_sdk_webhooks(setup: tuple[Any, InteractionsServer, ManualClock]) -> None:
    client, _, _ = setup
    hook = client.webhooks.create(
        uri="http://127.0.0.1:9/hook", subscribed_events=["interaction.completed"], name="local"
    )
    assert hook.new_signing_secret.startswith("whsec_")
    fetched = client.webhooks.get(hook.id)
    assert fetched.new_signing_secret is None
    assert fetched.signing_secrets[0].truncated_secret.startswith("whsec_")
    assert client.webhooks.update(hook.id, name="renamed").name == "renamed"
    client.webhooks.ping(hook.id)
    rotated = client.webhooks.rotate_signing_secret(hook.id)
    assert rotated.secret.startswith("whsec_")
    assert rotated.secret != hook.new_signing_secret
    assert len(client.webhooks.get(hook.id).signing_secrets) == 2
    assert [w.id for w in client.webhooks.list().webhooks] == [hook.id]
    client.webhooks.delete(hook.id)


def test_sdk_decisions(setup: tuple[Any, InteractionsServer, ManualClock]) -> None:
    client, _, _ = setup
    decision = client.decisions.create(
        model="gemini-3-flash-preview",
        input="Win a free prize, click now",
        questions={
            "spam": {"type": "noul", "instructions": "Is this spam offering a free prize?"},
            "tone": {
                "type": "choice",
                "instructions": "Tone?",
                "criteria": {"pushy": "click now, free", "calm": "please, thanks"},
            },
        },
    )
    assert decision.answers["spam"].noul > 0.5
    assert decision.answers["tone"].choice == "pushy"


def test_sdk_errors_map_to_its_exceptions(
    setup: tuple[Any, InteractionsServer, ManualClock],
) -> None:
    client, _, _ = setup
    from google.genai._interactions import NotFoundError as SDKNotFoundError

    with pytest.raises(SDKNotFoundError, match="nobody"):
        client.agents.get("nobody")
