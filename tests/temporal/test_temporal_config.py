"""Misuse of the Temporal integration gets a clear error, before any server is involved."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import Any, cast

import pytest

from agentloop import Agent, UserError, tool
from agentloop.temporal import AgentloopPlugin, TemporalAgent


@tool
def ping() -> str:
    """Ping."""
    return "pong"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: TemporalAgent(Agent("m")), "a TemporalAgent needs a name"),
        (lambda: TemporalAgent(cast(Any, "m")), "TemporalAgent wraps an Agent, not str"),
        (lambda: TemporalAgent(Agent("m", name="a"), rounds_per_run=0), "rounds_per_run"),
        (
            lambda: TemporalAgent(Agent("m", tools=[ping], name="a"), tool_configs={"pong": {}}),
            "tool_configs names tools the agent does not have: ['pong']",
        ),
        (
            lambda: AgentloopPlugin(agents=[cast(Any, Agent("m", name="a"))]),
            "wrap it, TemporalAgent(agent)",
        ),
        (
            lambda: AgentloopPlugin(
                agents=[TemporalAgent(Agent("m", name="a")), TemporalAgent(Agent("n", name="a"))]
            ),
            "two agents are named ['a']",
        ),
    ],
)
def test_misuse_is_refused(make: Any, message: str) -> None:
    with pytest.raises(UserError, match=re.escape(message)):
        make()


@pytest.mark.anyio
async def test_arun_outside_a_workflow_says_where_it_runs() -> None:
    durable = TemporalAgent(Agent("m", name="a"))
    with pytest.raises(UserError, match="runs inside a Temporal workflow"):
        await durable.arun("hi")


def test_tool_options_merge_per_tool() -> None:
    from datetime import timedelta

    durable = TemporalAgent(
        Agent("m", tools=[ping], name="a"),
        tool_config={"start_to_close_timeout": timedelta(seconds=5)},
        tool_configs={"ping": {"task_queue": "gpu"}},
    )
    config = durable.tool_config("ping")
    assert config.get("start_to_close_timeout") == timedelta(seconds=5)
    assert config.get("task_queue") == "gpu"
    policy = config.get("retry_policy")
    assert policy is not None
    assert policy.maximum_attempts == 3


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["worker", "no_such_module:agent"], "cannot import 'no_such_module'"),
        (["worker", "json:dumps"], "json:dumps is a function, not an Agent or TemporalAgent"),
        (["run", "hi", "--task-queue", "q"], "--temporal needs --task-queue and --agent-ref"),
    ],
)
def test_the_commands_refuse_bad_input(arguments: list[str], message: str) -> None:
    if arguments[0] == "run":
        arguments = [*arguments[:2], "--temporal", "127.0.0.1:1", *arguments[2:]]
    else:
        arguments = [*arguments, "--temporal", "127.0.0.1:1", "--task-queue", "q"]
    done = subprocess.run(
        [sys.executable, "-m", "agentloop", *arguments],
        capture_output=True, text=True, timeout=60, env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert done.returncode == 2
    assert message in done.stderr
