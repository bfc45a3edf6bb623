"""`result.trace` and `result.print_trace()`: the run as a waterfall; no cost when off."""

from __future__ import annotations

import ast
import io
import os
import subprocess
import sys
import textwrap

import pytest

from agentloop import Agent, MaxTurnsExceeded, RunTrace, TraceSpan, UserError
from agentloop.testing import Faults, InteractionsServer, ScriptedModel

from .helpers import ANSWER, MODEL, PARALLEL_CALLS, get_weather, lookup, no_sleep

pytestmark = pytest.mark.anyio


async def traced_run() -> tuple[RunTrace, str]:
    server = InteractionsServer(
        ScriptedModel([PARALLEL_CALLS, ANSWER]), faults=Faults(status_on={2: 503})
    )
    agent = Agent(
        MODEL,
        tools=[get_weather, lookup],
        name="weather",
        instrument=True,
        client=server.client(_sleep=no_sleep),
    )
    result = await agent.arun("Weather?")
    assert result.trace is not None
    out = io.StringIO()
    result.print_trace(out, width=100)
    return result.trace, out.getvalue()


async def test_the_trace_holds_every_request_attempt_retry_and_tool() -> None:
    trace, _ = await traced_run()
    rows = [(span.kind, span.name, span.parent) for span in trace.spans]
    assert rows[0] == ("run", "invoke_agent weather", None)
    kinds = [kind for kind, _, _ in rows]
    assert kinds == ["run", "model", "http", "tool", "tool", "model", "http"]
    failed = next(span for span in trace.spans if span.name == "execute_tool lookup")
    assert failed.error == "KeyError"
    retried: TraceSpan = trace.spans[-1]
    assert retried.parent == 5
    (retry,) = retried.events
    assert retry.name == "retry"
    assert retry.detail == "status 503"
    assert retry.wait > 0
    assert all(span.end is not None and span.end >= span.start for span in trace.spans)
    assert trace.duration == pytest.approx(trace.spans[0].end)


async def test_print_trace_draws_a_waterfall() -> None:
    _, text = await traced_run()
    lines = text.splitlines()
    assert lines[0].strip().startswith("0")
    assert lines[1].startswith("invoke_agent weather ")
    assert lines[2].startswith(f"  generate_content {MODEL} ")
    assert lines[3].startswith("    POST interactions ")
    assert any("execute_tool lookup" in line and "✗ KeyError" in line for line in lines)
    assert any("↻ retry: status 503" in line for line in lines)
    assert all(len(line) <= 100 for line in lines)
    assert "█" in lines[1]


async def test_an_uninstrumented_run_has_no_trace() -> None:
    server = InteractionsServer(ScriptedModel(["Hi."]))
    result = await Agent(MODEL, client=server.client()).arun("Hi")
    assert result.trace is None
    with pytest.raises(UserError, match="instrument=True"):
        result.print_trace()


def test_without_instrumentation_opentelemetry_is_never_imported() -> None:
    script = textwrap.dedent(
        """
        import sys
        from agentloop import Agent, tool
        from agentloop.testing import InteractionsServer, ScriptedModel, Reply

        @tool
        def ping() -> str:
            "Ping."
            return "pong"

        server = InteractionsServer(ScriptedModel([
            Reply(steps=[{"type": "function_call", "id": "c", "name": "ping", "arguments": {}}]),
            "done",
        ]))
        result = Agent("m", tools=[ping], client=server.client()).run("go")
        assert result.text == "done" and result.trace is None
        print(sorted(m for m in sys.modules if m.startswith("opentelemetry")))
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert ast.literal_eval(done.stdout) == []


def test_without_opentelemetry_an_instrumented_run_still_records_its_trace() -> None:
    script = textwrap.dedent(
        """
        import sys
        sys.modules["opentelemetry"] = None  # as if agentloop[otel] were not installed
        import agentloop
        from agentloop import Agent
        from agentloop.testing import InteractionsServer, ScriptedModel

        agentloop.instrument()
        server = InteractionsServer(ScriptedModel(["done"]))
        result = Agent("m", name="quiet", client=server.client()).run("go")
        print([span.name for span in result.trace.spans])
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert ast.literal_eval(done.stdout) == [
        "invoke_agent quiet",
        "generate_content m",
        "POST interactions",
    ]


async def test_a_failed_runs_partial_result_carries_the_trace() -> None:
    server = InteractionsServer(ScriptedModel([PARALLEL_CALLS]))
    agent = Agent(
        MODEL, tools=[get_weather, lookup], max_turns=0, instrument=True, client=server.client()
    )
    with pytest.raises(MaxTurnsExceeded) as caught:
        await agent.arun("Weather?")
    trace = caught.value.result.trace
    assert trace is not None
    assert trace.spans[0].error == "MaxTurnsExceeded"
    out = io.StringIO()
    caught.value.result.print_trace(out)
    assert "✗ MaxTurnsExceeded" in out.getvalue()
