"""Guardrails: input checks before the first request (or alongside it), output
checks on the answer, tool checks before any call of the round runs; a trip raises
`GuardrailTripped` and nothing after it is executed."""

from __future__ import annotations

from collections import Counter
from typing import Any

import anyio
import pytest
from compose_helpers import Agents, call, text

from agentloop import (
    Agent,
    AsyncClient,
    Guardrail,
    GuardrailContext,
    GuardrailTripped,
    ToolContext,
    UserError,
    tool,
)
from agentloop.testing import InteractionsServer, LocalTransport, ModelRequest
from agentloop.types import FunctionCallStep

pytestmark = pytest.mark.anyio

runs: Counter[str] = Counter()


@tool
def delete_file(path: str, ctx: ToolContext) -> str:
    """Delete a file.

    Args:
        path: the file.
    """
    runs[ctx.call_id] += 1
    return f"deleted {path}"


@pytest.fixture(autouse=True)
def _fresh_counts() -> None:
    runs.clear()


def no_pii(value: Any) -> str | None:
    return "it holds an email address" if "@" in str(value) else None


def build(agents: Agents, **options: Any) -> Agent[Any, Any]:
    client = InteractionsServer(agents.model).client()
    return Agent(
        "gemini-2.5-flash", instructions="main", tools=[delete_file], client=client, **options
    )


async def test_an_input_guardrail_trips_before_any_request() -> None:
    agents = Agents({"main": []})
    agent = build(agents, input_guardrails=[no_pii])
    with pytest.raises(GuardrailTripped) as caught:
        await agent.arun("mail me at ada@example.com")
    assert (caught.value.guardrail, caught.value.stage) == ("no_pii", "input")
    assert caught.value.reason == "it holds an email address"
    assert agents.order == []


async def test_a_parallel_input_guardrail_stops_the_run_before_its_tools() -> None:
    agents = Agents({"main": [[call("c1", "delete_file", path="/etc")]]})

    async def slow_check(value: Any) -> str | None:
        await anyio.sleep(0.05)  # the request answers first
        return "destructive request"

    agent = build(agents, input_guardrails=[Guardrail(slow_check, parallel=True)])
    with pytest.raises(GuardrailTripped, match="destructive request"):
        await agent.arun("wipe the disk")
    assert runs == {}  # the model asked for the tool; it never ran


async def test_a_passing_parallel_guardrail_lets_the_run_go_on() -> None:
    agents = Agents({"main": [text("hello")]})
    agent = build(agents, input_guardrails=[Guardrail(lambda v: None, parallel=True)])
    assert (await agent.arun("hi")).text == "hello"


async def request_seen(agents: Agents) -> None:
    """Returns once the model has the request: a parallel guardrail that waits for it
    can only finish if it runs beside the request, not before it."""
    with anyio.fail_after(10):
        # The model answers inside the server, which may run on another thread: poll.
        while not agents.order:  # noqa: ASYNC110
            await anyio.sleep(0.002)


async def test_a_streamed_run_checks_a_parallel_guardrail_beside_the_request() -> None:
    agents = Agents({"main": [text("hello there")]})

    async def passes_after_the_request(value: Any) -> str | None:
        await request_seen(agents)
        return None

    agent = build(agents, input_guardrails=[Guardrail(passes_after_the_request, parallel=True)])
    deltas = [event.text async for event in agent.astream("hi") if event.type == "text_delta"]
    assert "".join(deltas) == "hello there"
    assert agents.order == ["main"]


async def test_a_streamed_run_tripped_by_a_parallel_guardrail_reads_nothing() -> None:
    agents = Agents({"main": [[call("c1", "delete_file", path="/etc")]]})

    async def trips_after_the_request(value: Any) -> str | None:
        await request_seen(agents)
        return "destructive request"

    agent = build(agents, input_guardrails=[Guardrail(trips_after_the_request, parallel=True)])
    events: list[str] = []

    async def stream() -> None:
        async for event in agent.astream("wipe the disk"):
            events.append(event.type)

    with pytest.raises(GuardrailTripped, match="destructive request"):
        await stream()
    assert agents.order == ["main"]  # the request went out beside the check
    assert events == []  # nothing of the stream was read
    assert runs == {}  # the model asked for the tool; it never ran


async def test_an_output_guardrail_trips_on_the_answer() -> None:
    agents = Agents({"main": [text("write to bob@example.com")]})
    agent = build(agents, output_guardrails=[no_pii])
    with pytest.raises(GuardrailTripped) as caught:
        await agent.arun("who to contact?")
    assert caught.value.stage == "output"
    assert caught.value.result.text == "write to bob@example.com"


async def test_a_tool_guardrail_trips_before_any_call_of_the_round_runs() -> None:
    agents = Agents(
        {
            "main": [
                [call("c1", "delete_file", path="/tmp/x"), call("c2", "delete_file", path="/etc")]
            ]
        }
    )

    def no_system_paths(call_step: FunctionCallStep, ctx: GuardrailContext) -> str | None:
        assert ctx.stage == "tool"
        if str(call_step.arguments.get("path", "")).startswith("/etc"):
            return f"{call_step.name} may not touch /etc"
        return None

    agent = build(agents, tool_guardrails=[no_system_paths])
    with pytest.raises(GuardrailTripped, match="may not touch /etc"):
        await agent.arun("clean up")
    assert runs == {}


async def test_an_async_guardrail_with_context_sees_deps() -> None:
    agents = Agents({"main": []})
    seen: list[Any] = []

    async def banned_user(value: Any, ctx: GuardrailContext) -> bool:
        seen.append((ctx.stage, ctx.deps))
        return ctx.deps != "mallory"

    agent = build(agents, input_guardrails=[banned_user])
    with pytest.raises(GuardrailTripped, match="refused"):
        await agent.arun("hi", deps="mallory")
    assert seen == [("input", "mallory")]


async def test_decision_guardrail_asks_the_model_when_the_client_has_no_decisions() -> None:
    def judge(request: ModelRequest) -> Any:
        assert "Is this answer safe?" in request.user_text
        return text("No, it is not.")

    agents = Agents({"main": [text("mix bleach and ammonia")], "": [judge]})
    server = InteractionsServer(agents.model)
    client = ClientWithoutDecisions(
        api_key="k", base_url="http://agentloop.local", transport=LocalTransport(server)
    )
    agent = Agent(
        "gemini-2.5-flash",
        instructions="main",
        output_guardrails=[Guardrail.decision("Is this answer safe?", model="judge-1")],
        client=client,
    )
    with pytest.raises(GuardrailTripped) as caught:
        await agent.arun("cleaning tips?")
    assert caught.value.reason == "Is this answer safe? -> no"
    assert agents.requests[""][0].body["model"] == "judge-1"


class Choice:
    def __init__(self, choice: str) -> None:
        self.choice = choice


class Decisions:
    def __init__(self, choice: str) -> None:
        self.choice = choice
        self.calls: list[dict[str, Any]] = []

    async def create(self, **body: Any) -> Any:
        self.calls.append(body)
        return type("Decision", (), {"answers": {"check": Choice(self.choice)}})()


class ClientWithoutDecisions(AsyncClient):
    """A client of an API without `/decisions` (an older server)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.decisions = None  # type: ignore[assignment]


async def test_decision_guardrail_asks_the_local_decisions_endpoint() -> None:
    agents = Agents({"main": []})
    guard = Guardrail.decision("Does it hold personal data?", model="judge", trip_on="yes")
    agent = build(agents, input_guardrails=[guard])
    with pytest.raises(GuardrailTripped, match="-> yes"):
        await agent.arun("yes: my passport number is X123")
    assert agents.order == []


class ClientWithDecisions(AsyncClient):
    """A client whose `decisions` resource answers as told."""

    def __init__(self, choice: str, **options: Any) -> None:
        super().__init__(**options)
        self.decisions = Decisions(choice)


@pytest.mark.parametrize(("choice", "trips"), [("yes", True), ("no", False)])
async def test_decision_guardrail_uses_client_decisions_when_present(
    choice: str, trips: bool
) -> None:
    agents = Agents({"main": [text("hi")]})
    server = InteractionsServer(agents.model)
    client = ClientWithDecisions(
        choice, api_key="k", base_url="http://agentloop.local", transport=LocalTransport(server)
    )
    guard = Guardrail.decision("Does it contain personal data?", model="judge", trip_on="yes")
    agent = Agent("gemini-2.5-flash", instructions="main", input_guardrails=[guard], client=client)
    if trips:
        with pytest.raises(GuardrailTripped):
            await agent.arun("my SSN is 123")
        assert agents.order == []
    else:
        assert (await agent.arun("hello")).text == "hi"
    (sent,) = client.decisions.calls
    assert sent["model"] == "judge"
    assert sent["questions"]["check"]["instructions"] == "Does it contain personal data?"


def test_bad_guardrails_are_refused() -> None:
    with pytest.raises(UserError, match="must be a function"):
        Guardrail("nope")  # type: ignore[arg-type]
    with pytest.raises(UserError, match="list of guardrails"):
        Agent("gemini-2.5-flash", input_guardrails=no_pii)  # type: ignore[arg-type]
    with pytest.raises(UserError, match="trip_on"):
        Guardrail.decision("ok?", model="m", trip_on="maybe")  # type: ignore[arg-type]


async def test_a_guardrail_returning_something_else_is_a_user_error() -> None:
    agents = Agents({"main": []})
    agent = build(agents, input_guardrails=[lambda value: 42])
    with pytest.raises(UserError, match="return None/True to pass"):
        await agent.arun("hi")


async def test_a_background_run_checks_its_input_once_before_it_starts() -> None:
    checked: list[Any] = []

    def record(value: Any) -> str | None:
        checked.append(value)
        return no_pii(value)

    agents = Agents(
        {
            "main": [
                [call("c1", "delete_file", path="/tmp/x")],
                lambda r: text(str(r.function_results[0]["result"])),
            ]
        }
    )
    agent = build(
        agents,
        input_guardrails=[record],
        background=True,
        poll_interval=0.01,
        poll_max_interval=0.02,
    )
    with pytest.raises(GuardrailTripped):
        await agent.astart("ada@example.com")
    assert agents.order == []
    run = await agent.astart("tidy up")
    result = await run.wait()
    assert result.text == "deleted /tmp/x"
    assert checked == ["ada@example.com", "tidy up"]  # not the function results
