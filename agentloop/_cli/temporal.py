"""The `agentloop worker` command, and `agentloop run --temporal`.

    agentloop worker myapp.agents:weather [more] --temporal HOST:PORT --task-queue Q
    agentloop run --temporal HOST:PORT --task-queue Q --agent-ref myapp.agents:weather "prompt"

The worker serves the named agents (an `Agent` is wrapped in a `TemporalAgent`),
`AgentWorkflow` and any `--workflow module:Class`, until Ctrl-C or SIGTERM, then
shuts down gracefully. `run` starts an `AgentWorkflow`, follows its events, and
prints the answer. Both drop their Temporal client and its runtime before the
interpreter finalises (see `_finish`), and exit 0 on success. `temporalio` comes with
the `agentloop[temporal]` extra and is imported only when these commands run.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import signal
import sys
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

import typer

from .input import CommandError, load_object

__all__ = ["register", "run_temporal"]

FOLLOW_INTERVAL = 0.3
"""Seconds between queries of a followed run's events."""


def _need_temporal() -> None:
    try:
        import temporalio  # noqa: F401  # pyright: ignore[reportUnusedImport]  (only checks it is installed)
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the environment
        raise CommandError(
            "this command needs temporalio: pip install 'agentloop[temporal]'"
        ) from exc


def _agents(refs: Sequence[str]) -> list[Any]:
    from agentloop import Agent
    from agentloop.temporal import TemporalAgent

    agents: list[Any] = []
    for ref in refs:
        value = load_object(ref, "worker")
        if isinstance(value, Agent):
            value = TemporalAgent(cast("Agent[object, object]", value))
        if not isinstance(value, TemporalAgent):
            raise CommandError(f"{ref} is a {type(value).__name__}, not an Agent or TemporalAgent")
        agents.append(value)
    return agents


def _finish(code: int) -> None:
    """Leave once the worker and client are done, skipping interpreter teardown.

    The SDK's Rust runtime keeps threads that may still touch Python while the
    interpreter finalises, which can abort a short-lived process with
    `Fatal Python error: PyGILState_Release` (temporalio/sdk-python#300). Our work is
    finished and flushed by now, so the `agentloop` process exits at once, as the
    known workaround does; called in-process (tests, embedding), it raises `Exit`.
    """
    gc.collect()
    sys.stdout.flush()
    sys.stderr.flush()
    if _is_command_process():
        os._exit(code)
    raise typer.Exit(code)


def _is_command_process() -> bool:
    """This process is the `agentloop` command (console script or `python -m agentloop`)."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    return Path(sys.argv[0]).name == "agentloop" or getattr(spec, "name", "") in (
        "agentloop",
        "agentloop.__main__",
    )


async def _serve(
    address: str, namespace: str, task_queue: str, agents: list[Any], workflows: list[Any]
) -> None:
    from temporalio.client import Client
    from temporalio.worker import Worker

    from agentloop.temporal import AgentloopPlugin, AgentWorkflow

    client = await Client.connect(address, namespace=namespace, plugins=[AgentloopPlugin()])
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    worker = Worker(
        client,
        task_queue=task_queue,
        workflows=[AgentWorkflow, *workflows],
        plugins=[AgentloopPlugin(agents=agents)],
    )
    async with worker:
        names = ", ".join(agent.name for agent in agents)
        typer.echo(f"worker ready: {names} on {task_queue} at {address}", err=True)
        await stop.wait()
        typer.echo("worker stopping (finishing the tasks it holds)", err=True)
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.remove_signal_handler(signum)


def register(app: typer.Typer, fail: Callable[[str, int], typer.Exit]) -> None:
    """Add the `worker` command to the app."""

    @app.command()
    def worker(
        agents: list[str] = typer.Argument(  # noqa: B008
            ..., metavar="MODULE:AGENT...", help="Agents (or TemporalAgents) to serve."
        ),
        temporal: str = typer.Option(..., "--temporal", metavar="HOST:PORT", help="Temporal."),
        task_queue: str = typer.Option(..., "--task-queue", help="The task queue to poll."),
        namespace: str = typer.Option("default", help="The Temporal namespace."),
        workflows: list[str] | None = typer.Option(  # noqa: B008
            None, "--workflow", metavar="MODULE:CLASS", help="Your own workflow to serve too."
        ),
    ) -> None:
        """Serve agents on a Temporal task queue until Ctrl-C."""
        try:
            _need_temporal()
            served = _agents(agents)
            extra = [load_object(ref, "--workflow") for ref in workflows or []]
        except CommandError as exc:
            raise fail(str(exc), exc.code) from None
        try:
            asyncio.run(_serve(temporal, namespace, task_queue, served, extra))
        except (RuntimeError, OSError) as exc:  # cannot connect, say
            raise fail(f"{type(exc).__name__}: {exc}", 1) from None
        del served, extra
        _finish(0)


def run_temporal(
    prompt: str,
    *,
    address: str,
    task_queue: str | None,
    agent_ref: str | None,
    as_json: bool,
    fail: Callable[[str, int], typer.Exit],
) -> None:
    """`agentloop run --temporal`: start an `AgentWorkflow`, follow it, print the answer."""
    if not task_queue or not agent_ref:
        raise fail("--temporal needs --task-queue and --agent-ref MODULE:AGENT", 2)
    try:
        _need_temporal()
        (agent,) = _agents([agent_ref])
    except CommandError as exc:
        raise fail(str(exc), exc.code) from None
    try:
        result = asyncio.run(_follow(address, task_queue, agent.name, prompt))
    except Exception as exc:  # the workflow failed, or no server: one line, no traceback
        cause = getattr(exc, "cause", None) or exc
        raise fail(f"{type(cause).__name__}: {cause}", 1) from None
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
    else:
        typer.echo(result.get("text", ""))
    del agent, result
    _finish(0)


async def _follow(address: str, task_queue: str, agent: str, prompt: str) -> dict[str, Any]:
    from temporalio.client import Client

    from agentloop.temporal import AgentloopPlugin, AgentWorkflow, AgentWorkflowInput

    client = await Client.connect(address, plugins=[AgentloopPlugin()])
    handle = await client.start_workflow(
        AgentWorkflow.run,
        AgentWorkflowInput(agent=agent, input=prompt),
        id=f"agentloop-run-{uuid.uuid4().hex[:12]}",
        task_queue=task_queue,
    )
    typer.echo(f"started {handle.id}", err=True)
    result_task = asyncio.ensure_future(handle.result())
    seen = 0
    while not result_task.done():
        await asyncio.wait({result_task}, timeout=FOLLOW_INTERVAL)
        try:
            events = await handle.query(AgentWorkflow.events, seen)
        except Exception:  # not queryable yet (no worker has picked it up)
            continue
        for event in events:
            seen = event["index"] + 1
            if event["type"] == "tool_call_finished":
                typer.echo(f"  tool {event['name']}: {event['result']}", err=True)
            elif event["type"] == "approval_requested":
                typer.echo(
                    f"  awaiting approval: {event['name']} ({event['call_id']}); decide with "
                    f"the AgentWorkflow.decide update on {handle.id}",
                    err=True,
                )
    result: dict[str, Any] = result_task.result()
    return result
