"""Metrics, logs, the key kept out of both, and `ToolCallRecord.exception`."""

from __future__ import annotations

import logging

import pytest
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai

from agentloop import Agent
from agentloop.testing import Faults, InteractionsServer, ScriptedModel

from .helpers import ANSWER, KEY, MODEL, PARALLEL_CALLS, get_weather, lookup, no_sleep

pytestmark = pytest.mark.anyio


def weather_agent(server: InteractionsServer) -> Agent:
    return Agent(
        MODEL,
        tools=[get_weather, lookup],
        name="weather",
        client=server.client(api_key=KEY, _sleep=no_sleep),
    )


async def test_operation_duration_token_usage_and_tool_duration_are_recorded(otel) -> None:
    server = InteractionsServer(ScriptedModel([PARALLEL_CALLS, ANSWER]))
    await weather_agent(server).arun("Weather?")
    metrics = otel.metrics()

    durations = metrics["gen_ai.client.operation.duration"]
    (point,) = durations
    assert point.count == 2
    assert point.attributes[gen_ai.GEN_AI_OPERATION_NAME] == "generate_content"
    assert point.attributes[gen_ai.GEN_AI_PROVIDER_NAME] == "gcp.gemini"
    assert point.attributes[gen_ai.GEN_AI_REQUEST_MODEL] == MODEL

    tokens = {
        p.attributes[gen_ai.GEN_AI_TOKEN_TYPE]: p for p in metrics["gen_ai.client.token.usage"]
    }
    assert tokens["input"].sum == 40
    assert tokens["input"].count == 2
    assert tokens["output"].sum == 12

    tools = {
        (p.attributes[gen_ai.GEN_AI_TOOL_NAME], p.attributes.get("error.type")): p.count
        for p in metrics["agentloop.tool.duration"]
    }
    assert tools == {("get_weather", None): 1, ("lookup", "KeyError"): 1}


async def test_a_tool_exception_is_kept_on_its_record_and_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="agentloop")
    server = InteractionsServer(ScriptedModel([PARALLEL_CALLS, ANSWER]))
    result = await weather_agent(server).arun("Weather?")

    ok, failed = result.tool_calls
    assert ok.exception is None
    assert isinstance(failed.exception, KeyError)
    assert failed.exception.args == ("db connection lost",)
    assert "exception" not in failed.to_dict()
    assert "exception" not in result.to_dict()["tool_calls"][1]

    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    (warning,) = warnings
    assert warning.name == "agentloop.tools"
    assert "lookup" in warning.getMessage()
    assert warning.exc_info is not None
    assert warning.exc_info[1] is failed.exception


async def test_run_start_rounds_and_end_are_logged_at_debug_without_content_or_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="agentloop")
    server = InteractionsServer(
        ScriptedModel([PARALLEL_CALLS, ANSWER]), faults=Faults(status_on={2: 503})
    )
    result = await weather_agent(server).arun("Weather in Paris?")
    run_lines = [r.getMessage() for r in caplog.records if r.name == "agentloop.run"]
    assert run_lines[0].startswith("run ")
    assert "started" in run_lines[0]
    assert any(result.interactions[0].id in line for line in run_lines)
    assert "finished" in run_lines[-1]
    assert "2 interactions, 2 tool calls" in run_lines[-1]
    http_lines = [r.getMessage() for r in caplog.records if r.name == "agentloop.http"]
    assert any(line.startswith("retrying POST") for line in http_lines)
    everything = "\n".join(caplog.text.splitlines() + run_lines + http_lines)
    assert KEY not in everything
    assert "Paris" not in everything


async def test_the_key_is_in_no_span_and_no_log(otel, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    server = InteractionsServer(
        ScriptedModel([PARALLEL_CALLS, ANSWER]), api_key=KEY, faults=Faults(status_on={1: 503})
    )
    await weather_agent(server).arun("Weather?")
    spans = otel.spans()
    assert len(spans) == 7
    dumped = "".join(span.to_json() for span in spans)
    assert KEY not in dumped
    assert KEY not in caplog.text
    assert all(KEY not in record.getMessage() for record in caplog.records)
