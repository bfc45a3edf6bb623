"""RunHooks: called in order, with the right arguments, on every way of running."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import anyio.lowlevel
import pytest

from agentloop import (
    Agent,
    AsyncBackgroundRun,
    HookContext,
    HookError,
    RunHooks,
    RunResult,
    ToolCallRecord,
    UserError,
)
from agentloop.testing import Faults, InteractionsServer, ScriptedModel

from .helpers import ANSWER, MODEL, PARALLEL_CALLS, get_weather, lookup, no_sleep

pytestmark = pytest.mark.anyio


class Recorder(RunHooks):
    """Async and sync hook methods alike, recording what they saw."""

    def __init__(self, log: list[tuple[Any, ...]], tag: str = "") -> None:
        self.log = log
        self.tag = tag

    async def on_run_start(self, ctx: HookContext, input: Any) -> None:
        self.log.append((f"{self.tag}run_start", input))

    def on_request(self, ctx: HookContext, body: dict[str, Any]) -> None:
        self.log.append(
            (f"{self.tag}request", "input" in body or "previous_interaction_id" in body)
        )

    async def on_interaction(self, ctx: HookContext, interaction: Any) -> None:
        self.log.append((f"{self.tag}interaction", interaction.status))

    def on_tool_start(self, ctx: HookContext, call: Any) -> None:
        self.log.append((f"{self.tag}tool_start", call.name))

    async def on_tool_end(self, ctx: HookContext, call: Any, record: ToolCallRecord) -> None:
        assert record.call_id == call.id
        self.log.append((f"{self.tag}tool_end", call.name, record.is_error, ctx.turn))

    async def on_run_end(self, ctx: HookContext, result_or_error: Any) -> None:
        outcome = (
            result_or_error.text if isinstance(result_or_error, RunResult) else result_or_error
        )
        self.log.append((f"{self.tag}run_end", outcome))


TWO_ROUNDS = [
    ("run_start", "Weather?"),
    ("request", True),
    ("interaction", "requires_action"),
    ("tool_start", "get_weather"),
    ("tool_start", "lookup"),
    ("tool_end", "get_weather", False, 1),
    ("tool_end", "lookup", True, 1),
    ("request", True),
    ("interaction", "completed"),
    ("run_end", "Sunny in Paris."),
]


def make_agent(log: list[tuple[Any, ...]], script: list[Any], **options: Any) -> Agent:
    server = InteractionsServer(ScriptedModel(script), background_step_delay=0.01)
    return Agent(
        MODEL,
        tools=[get_weather, lookup],
        hooks=[Recorder(log)],
        client=server.client(),
        **options,
    )


async def _arun(agent: Agent) -> None:
    await agent.arun("Weather?")


async def _astream(agent: Agent) -> None:
    async for _ in agent.astream("Weather?"):
        pass


async def _chat(agent: Agent) -> None:
    await agent.chat().arun("Weather?")


async def _chat_stream(agent: Agent) -> None:
    async for _ in agent.chat().astream("Weather?"):
        pass


@pytest.mark.parametrize(
    "entry", [_arun, _astream, _chat, _chat_stream], ids=["arun", "astream", "chat", "chat_stream"]
)
async def test_hooks_run_in_order_on_every_async_entry_point(
    entry: Callable[[Agent], Awaitable[None]],
) -> None:
    log: list[tuple[Any, ...]] = []
    await entry(make_agent(log, [PARALLEL_CALLS, ANSWER]))
    assert log == TWO_ROUNDS


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
def test_hooks_run_in_order_on_the_blocking_faces(anyio_backend: str) -> None:
    for face in ("run", "stream"):
        log: list[tuple[Any, ...]] = []
        agent = make_agent(log, [PARALLEL_CALLS, ANSWER])
        if face == "run":
            agent.run("Weather?")
        else:
            with agent.stream("Weather?") as events:  # type: ignore[attr-defined]
                list(events)
        assert log == TWO_ROUNDS, face


async def test_a_background_run_calls_start_hooks_at_start_and_the_rest_at_wait() -> None:
    log: list[tuple[Any, ...]] = []
    agent = make_agent(log, ["Done."], poll_interval=0.01, poll_max_interval=0.01)
    handle = await agent.astart("Research")
    assert log == [("run_start", "Research"), ("request", True)]
    result = await handle.wait()
    assert result.text == "Done."
    assert log[2:] == [("interaction", "completed"), ("run_end", "Done.")]


async def test_a_reattached_background_run_calls_hooks_from_the_wait() -> None:
    log: list[tuple[Any, ...]] = []
    agent = make_agent(log, ["Done."], poll_interval=0.01, poll_max_interval=0.01)
    started = await agent.astart("Research")
    log.clear()
    attached = await AsyncBackgroundRun.attach(started.id, agent=agent)
    await attached.wait()
    assert log == [("interaction", "completed"), ("run_end", "Done.")]


@pytest.mark.parametrize("streamed", [False, True], ids=["arun", "astream"])
async def test_every_pipeline_step_calls_its_agents_hooks(streamed: bool) -> None:
    log: list[tuple[Any, ...]] = []
    server = InteractionsServer(ScriptedModel(["Report.", "Summary."]))
    first = Agent(MODEL, hooks=[Recorder(log, "a.")], client=server.client())
    second = Agent(MODEL, hooks=[Recorder(log, "b.")], client=server.client())
    pipeline = first.then(second, input="Summarize")
    if streamed:
        async for _ in pipeline.astream("Go"):
            pass
    else:
        await pipeline.arun("Go")
    assert log == [
        ("a.run_start", "Go"),
        ("a.request", True),
        ("a.interaction", "completed"),
        ("a.run_end", "Report."),
        ("b.run_start", "Summarize"),
        ("b.request", True),
        ("b.interaction", "completed"),
        ("b.run_end", "Summary."),
    ]


async def test_several_hooks_are_called_in_the_order_given() -> None:
    log: list[tuple[Any, ...]] = []
    server = InteractionsServer(ScriptedModel(["Hi."]))
    agent = Agent(MODEL, hooks=[Recorder(log, "1."), Recorder(log, "2.")], client=server.client())
    await agent.arun("Hello")
    assert [entry[0] for entry in log] == [
        "1.run_start",
        "2.run_start",
        "1.request",
        "2.request",
        "1.interaction",
        "2.interaction",
        "1.run_end",
        "2.run_end",
    ]


async def test_the_context_carries_the_run_so_far() -> None:
    seen: list[tuple[str, str | None, Any, int, int | None]] = []

    class Context(RunHooks):
        async def on_interaction(self, ctx: HookContext, interaction: Any) -> None:
            seen.append(
                (ctx.run_id, ctx.agent_name, ctx.deps, ctx.turn, ctx.usage.total_input_tokens)
            )

    server = InteractionsServer(ScriptedModel([PARALLEL_CALLS, ANSWER]))
    agent = Agent(
        MODEL, name="w", tools=[get_weather, lookup], hooks=[Context()], client=server.client()
    )
    await agent.arun("Weather?", deps={"user": 7})
    (run_id, *_), second = seen
    assert seen[0][1:] == ("w", {"user": 7}, 0, 10)
    assert second[1:] == ("w", {"user": 7}, 1, 40)
    assert second[0] == run_id
    assert len(run_id) == 32


async def test_a_raising_hook_fails_the_run_naming_the_hook() -> None:
    ends: list[Any] = []

    class Broken(RunHooks):
        def on_tool_start(self, ctx: HookContext, call: Any) -> None:
            raise RuntimeError("audit store is down")

        async def on_run_end(self, ctx: HookContext, result_or_error: Any) -> None:
            ends.append(result_or_error)

    server = InteractionsServer(ScriptedModel([PARALLEL_CALLS]))
    agent = Agent(MODEL, tools=[get_weather, lookup], hooks=[Broken()], client=server.client())
    with pytest.raises(HookError, match=r"Broken\.on_tool_start raised RuntimeError") as caught:
        await agent.arun("Weather?")
    assert caught.value.hook == "Broken.on_tool_start"
    assert isinstance(caught.value.__cause__, RuntimeError)
    assert ends == [caught.value]


async def test_a_raising_run_end_hook_fails_an_otherwise_good_run() -> None:
    class Broken(RunHooks):
        async def on_run_end(self, ctx: HookContext, result_or_error: Any) -> None:
            raise ValueError("nope")

    server = InteractionsServer(ScriptedModel(["Hi."]))
    agent = Agent(MODEL, hooks=[Broken()], client=server.client())
    with pytest.raises(HookError, match=r"Broken\.on_run_end"):
        await agent.arun("Hello")


def test_hooks_must_be_a_list_of_hook_objects() -> None:
    with pytest.raises(UserError, match="list of RunHooks"):
        Agent(MODEL, hooks=Recorder([]))  # type: ignore[arg-type]
    with pytest.raises(UserError, match="none of the hook methods"):
        Agent(MODEL, hooks=[object()])  # type: ignore[list-item]


async def test_hooks_see_a_failed_run_through_on_run_end() -> None:
    log: list[tuple[Any, ...]] = []
    agent = make_agent(log, [PARALLEL_CALLS], max_turns=0)
    with pytest.raises(Exception, match="max_turns") as caught:
        await agent.arun("Weather?")
    assert log[-1] == ("run_end", caught.value)
    await anyio.lowlevel.checkpoint()


async def test_a_resumed_stream_calls_each_hook_once() -> None:
    log: list[tuple[Any, ...]] = []
    server = InteractionsServer(ScriptedModel(["Sunny."]), faults=Faults(cut_stream_after=2))
    agent = Agent(MODEL, hooks=[Recorder(log)], client=server.client(_sleep=no_sleep))
    async for _ in agent.astream("Weather?"):
        pass
    assert log == [
        ("run_start", "Weather?"),
        ("request", True),
        ("interaction", "completed"),
        ("run_end", "Sunny."),
    ]
