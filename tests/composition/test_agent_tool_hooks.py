"""Hooks flow into a sub-agent: the parent's hooks see the child's run too."""

from __future__ import annotations

from typing import Any

import pytest
from compose_helpers import Agents, call, text

from agentloop import Agent, HookContext, HookError, RunHooks, tool
from agentloop.testing import InteractionsServer

pytestmark = pytest.mark.anyio


class Recorder(RunHooks):
    """Records (hook, agent name, detail) for every call, in order."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.seen: list[tuple[str, str, str | None, str]] = []

    def on_run_start(self, ctx: HookContext, input: Any) -> None:
        self.seen.append((self.label, "run_start", ctx.agent_name, ""))

    def on_request(self, ctx: HookContext, body: dict[str, Any]) -> None:
        self.seen.append((self.label, "request", ctx.agent_name, ""))

    def on_interaction(self, ctx: HookContext, interaction: Any) -> None:
        self.seen.append((self.label, "interaction", ctx.agent_name, ""))

    def on_tool_start(self, ctx: HookContext, call: Any) -> None:
        self.seen.append((self.label, "tool_start", ctx.agent_name, call.name))

    def on_tool_end(self, ctx: HookContext, call: Any, record: Any) -> None:
        self.seen.append((self.label, "tool_end", ctx.agent_name, call.name))

    def on_run_end(self, ctx: HookContext, result_or_error: Any) -> None:
        self.seen.append((self.label, "run_end", ctx.agent_name, ""))


@tool
def lookup(topic: str) -> str:
    """Look a topic up."""
    return f"facts about {topic}"


def _agents(
    parent_hooks: list[RunHooks], child_hooks: list[RunHooks]
) -> tuple[Agents, Agent[Any, Any]]:
    agents = Agents(
        {
            "writer": [[call("w1", "researcher", input="tides")], text("done")],
            "researcher": [[call("r1", "lookup", topic="tides")], text("report")],
        }
    )
    client = InteractionsServer(agents.model).client()
    researcher = Agent(
        "gemini-2.5-flash",
        instructions="researcher",
        name="researcher",
        tools=[lookup],
        hooks=child_hooks,
        client=client,
    )
    writer = Agent(
        "gemini-2.5-flash",
        instructions="writer",
        name="writer",
        tools=[researcher.as_tool(description="Research")],
        hooks=parent_hooks,
        client=client,
    )
    return agents, writer


async def test_the_parent_hooks_see_the_child_run_nested_in_the_tool_call() -> None:
    parent = Recorder("parent")
    _, writer = _agents([parent], [])
    result = await writer.arun("go")
    assert result.text == "done"
    seen = [(hook, agent, detail) for _, hook, agent, detail in parent.seen]
    assert seen == [
        ("run_start", "writer", ""),
        ("request", "writer", ""),
        ("interaction", "writer", ""),
        ("tool_start", "writer", "researcher"),
        ("run_start", "researcher", ""),
        ("request", "researcher", ""),
        ("interaction", "researcher", ""),
        ("tool_start", "researcher", "lookup"),
        ("tool_end", "researcher", "lookup"),
        ("request", "researcher", ""),
        ("interaction", "researcher", ""),
        ("run_end", "researcher", ""),
        ("tool_end", "writer", "researcher"),
        ("request", "writer", ""),
        ("interaction", "writer", ""),
        ("run_end", "writer", ""),
    ]


async def test_the_child_hooks_run_first_then_the_parent_hooks() -> None:
    log: list[tuple[str, str, str | None, str]] = []
    parent, child = Recorder("parent"), Recorder("child")
    parent.seen = child.seen = log
    _, writer = _agents([parent], [child])
    await writer.arun("go")
    researcher_calls = [(label, hook) for label, hook, agent, _ in log if agent == "researcher"]
    assert researcher_calls[:2] == [("child", "run_start"), ("parent", "run_start")]
    assert researcher_calls[-2:] == [("child", "run_end"), ("parent", "run_end")]
    assert len(researcher_calls) == 2 * 8
    assert all(label == "parent" for label, _, agent, _ in log if agent == "writer")


async def test_the_child_run_ids_differ_from_the_parent_run_id() -> None:
    ids: dict[str | None, set[str]] = {}

    class Ids(RunHooks):
        def on_request(self, ctx: HookContext, body: dict[str, Any]) -> None:
            ids.setdefault(ctx.agent_name, set()).add(ctx.run_id)

    _, writer = _agents([Ids()], [])
    await writer.arun("go")
    assert len(ids["writer"]) == 1
    assert len(ids["researcher"]) == 1
    assert ids["writer"] != ids["researcher"]


async def test_a_parent_hook_raising_in_the_child_run_fails_the_run() -> None:
    class Broken(RunHooks):
        def on_tool_start(self, ctx: HookContext, call: Any) -> None:
            if ctx.agent_name == "researcher":
                raise RuntimeError("audit store down")

    agents, writer = _agents([Broken()], [])
    with pytest.raises(HookError, match=r"Broken\.on_tool_start raised RuntimeError") as caught:
        await writer.arun("go")
    assert caught.value.hook == "Broken.on_tool_start"
    assert isinstance(caught.value.__cause__, RuntimeError)
    assert agents.requests["researcher"]  # the child ran up to its tool call
    assert len(agents.requests["writer"]) == 1  # the parent never went on
