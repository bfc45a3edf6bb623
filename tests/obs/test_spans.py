"""Spans: the GenAI span tree of a run, checked against the semantic-convention names."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai
from opentelemetry.trace import StatusCode

import agentloop
from agentloop import Agent, MCPStdio, tool
from agentloop.testing import Faults, InteractionsServer, Reply, ScriptedModel

from .helpers import (
    ANSWER,
    KEY,
    MODEL,
    PARALLEL_CALLS,
    call,
    get_weather,
    lookup,
    no_sleep,
    one,
    tree,
)

pytestmark = pytest.mark.anyio


def weather_agent(server: InteractionsServer, **options: object) -> Agent:
    return Agent(
        MODEL,
        tools=[get_weather, lookup],
        name="weather",
        client=server.client(api_key=KEY, _sleep=no_sleep),
        **options,  # type: ignore[arg-type]
    )


async def test_two_rounds_with_parallel_tools_a_failure_and_a_retry(otel) -> None:
    # Request 1: the first create; request 2 (the second create) answers 503 once.
    server = InteractionsServer(
        ScriptedModel([PARALLEL_CALLS, ANSWER]), faults=Faults(status_on={2: 503})
    )
    result = await weather_agent(server).arun("Weather in Paris?")
    assert result.text == "Sunny in Paris."

    spans = otel.spans()
    assert tree(spans) == [
        (0, "invoke_agent weather", "INTERNAL"),
        (1, f"generate_content {MODEL}", "CLIENT"),
        (2, "POST", "CLIENT"),
        (1, "execute_tool get_weather", "INTERNAL"),
        (1, "execute_tool lookup", "INTERNAL"),
        (1, f"generate_content {MODEL}", "CLIENT"),
        (2, "POST", "CLIENT"),
    ]
    run = one(spans, "invoke_agent weather")
    assert run.parent is None
    assert run.attributes is not None
    assert run.attributes[gen_ai.GEN_AI_OPERATION_NAME] == "invoke_agent"
    assert run.attributes[gen_ai.GEN_AI_PROVIDER_NAME] == "gcp.gemini"
    assert run.attributes[gen_ai.GEN_AI_AGENT_NAME] == "weather"
    assert run.attributes[gen_ai.GEN_AI_REQUEST_MODEL] == MODEL
    assert run.attributes[gen_ai.GEN_AI_USAGE_INPUT_TOKENS] == 40
    assert run.attributes[gen_ai.GEN_AI_USAGE_OUTPUT_TOKENS] == 12
    assert run.attributes[gen_ai.GEN_AI_RESPONSE_ID] == result.interaction_id

    first, second = sorted(otel.named("generate_content"), key=lambda s: s.start_time or 0)
    for span, interaction in zip((first, second), result.interactions, strict=True):
        assert span.attributes is not None
        assert span.attributes[gen_ai.GEN_AI_OPERATION_NAME] == "generate_content"
        assert span.attributes[gen_ai.GEN_AI_RESPONSE_ID] == interaction.id
        assert span.attributes[gen_ai.GEN_AI_CONVERSATION_ID] == result.interactions[0].id
    assert first.attributes is not None
    assert second.attributes is not None
    assert first.attributes[gen_ai.GEN_AI_RESPONSE_FINISH_REASONS] == ("requires_action",)
    assert first.attributes[gen_ai.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] == 3
    assert second.attributes[gen_ai.GEN_AI_RESPONSE_FINISH_REASONS] == ("completed",)
    assert second.attributes[gen_ai.GEN_AI_USAGE_INPUT_TOKENS] == 30

    weather = one(spans, "execute_tool get_weather")
    failed = one(spans, "execute_tool lookup")
    assert weather.attributes is not None
    assert failed.attributes is not None
    assert weather.attributes[gen_ai.GEN_AI_TOOL_NAME] == "get_weather"
    assert weather.attributes[gen_ai.GEN_AI_TOOL_CALL_ID] == "c1"
    assert weather.attributes[gen_ai.GEN_AI_TOOL_TYPE] == "function"
    assert weather.status.status_code == StatusCode.UNSET
    assert failed.status.status_code == StatusCode.ERROR
    assert failed.attributes["error.type"] == "KeyError"
    (exception,) = failed.events
    assert exception.name == "exception"
    assert exception.attributes is not None
    assert exception.attributes["exception.type"] == "KeyError"

    retried = [
        s for s in otel.named("POST") if s.parent and s.parent.span_id == second.context.span_id
    ]
    (post,) = retried
    assert post.attributes is not None
    assert post.attributes["http.response.status_code"] == 200
    assert post.attributes["http.request.resend_count"] == 1
    (retry,) = post.events
    assert retry.name == "retry"
    assert retry.attributes is not None
    assert retry.attributes["agentloop.retry.reason"] == "status 503"
    assert float(retry.attributes["agentloop.retry.wait"]) > 0  # type: ignore[arg-type]


async def test_a_run_is_a_child_of_the_callers_span(otel) -> None:
    server = InteractionsServer(ScriptedModel(["Hi."]))
    tracer = otel.tracer_provider.get_tracer("app")
    with tracer.start_as_current_span("request handler") as outer:
        await weather_agent(server).arun("Hi")
    run = one(otel.spans(), "invoke_agent weather")
    assert run.parent is not None
    assert run.parent.span_id == outer.get_span_context().span_id


async def test_background_polls_are_http_spans_under_the_model_call(otel) -> None:
    server = InteractionsServer(ScriptedModel(["Done."]), background_step_delay=0.02)
    agent = weather_agent(server, background=True, poll_interval=0.01, poll_max_interval=0.02)
    result = await agent.arun("Research")
    assert result.text == "Done."

    spans = otel.spans()
    rows = tree(spans)
    assert rows[:3] == [
        (0, "invoke_agent weather", "INTERNAL"),
        (1, f"generate_content {MODEL}", "CLIENT"),
        (2, "POST", "CLIENT"),
    ]
    assert len(rows) > 3
    assert set(rows[3:]) == {(2, "GET", "CLIENT")}  # one per poll
    model = one(spans, f"generate_content {MODEL}")
    polls = [s for s in spans if s.name == "GET"]
    for poll in polls:
        assert poll.attributes is not None
        assert poll.attributes["url.full"].endswith(
            f"interactions/{result.interaction_id}?stream=false"
        )  # type: ignore[union-attr]
    assert model.attributes is not None
    assert model.attributes[gen_ai.GEN_AI_RESPONSE_FINISH_REASONS] == ("completed",)


async def test_a_stream_resume_is_an_http_span_under_the_model_call(otel) -> None:
    server = InteractionsServer(
        ScriptedModel(["Sunny in Paris."]), faults=Faults(cut_stream_after=2)
    )
    events = [event async for event in weather_agent(server).astream("Weather?")]
    result = events[-1].result  # type: ignore[attr-defined]
    assert result.text == "Sunny in Paris."

    spans = otel.spans()
    assert tree(spans) == [
        (0, "invoke_agent weather", "INTERNAL"),
        (1, f"generate_content {MODEL}", "CLIENT"),
        (2, "POST", "CLIENT"),
        (2, "GET", "CLIENT"),
    ]
    model = one(spans, f"generate_content {MODEL}")
    children = [s for s in spans if s.parent and s.parent.span_id == model.context.span_id]
    resume = max(children, key=lambda s: s.start_time or 0)
    assert resume.attributes is not None
    assert "last_event_id=" in str(resume.attributes["url.full"])
    assert "stream=true" in str(resume.attributes["url.full"])


async def test_a_failed_request_ends_every_span_with_the_error(otel) -> None:
    server = InteractionsServer(ScriptedModel([]), faults=Faults(status_on={1: 400}))
    with pytest.raises(agentloop.BadRequestError):
        await weather_agent(server).arun("Hi")
    spans = otel.spans()
    assert tree(spans) == [
        (0, "invoke_agent weather", "INTERNAL"),
        (1, f"generate_content {MODEL}", "CLIENT"),
        (2, "POST", "CLIENT"),
    ]
    for span in spans:
        assert span.status.status_code == StatusCode.ERROR
        assert span.attributes is not None
    assert one(spans, "POST").attributes["http.response.status_code"] == 400  # type: ignore[index]
    assert one(spans, "invoke_agent weather").attributes["error.type"] == "BadRequestError"  # type: ignore[index]


async def test_a_pipeline_is_one_span_over_its_steps(otel) -> None:
    server = InteractionsServer(ScriptedModel(["Report.", "Summary."]))
    client = server.client(api_key=KEY)
    research = Agent(MODEL, name="research", client=client)
    summary = Agent(MODEL, name="summary", client=client)
    result = await research.then(summary).arun("Go")
    assert result.text == "Summary."
    spans = otel.spans()
    workflow = one(spans, "invoke_workflow pipeline research > summary")
    assert workflow.attributes is not None
    assert workflow.attributes[gen_ai.GEN_AI_OPERATION_NAME] == "invoke_workflow"
    for name in ("invoke_agent research", "invoke_agent summary"):
        run = one(spans, name)
        assert run.parent is not None
        assert run.parent.span_id == workflow.context.span_id


async def test_content_is_captured_only_when_asked(otel_content) -> None:
    server = InteractionsServer(ScriptedModel([PARALLEL_CALLS, ANSWER]))
    await weather_agent(server).arun("Weather in Paris?")
    spans = otel_content.spans()
    weather = one(spans, "execute_tool get_weather")
    assert weather.attributes is not None
    assert json.loads(str(weather.attributes[gen_ai.GEN_AI_TOOL_CALL_ARGUMENTS])) == {
        "city": "Paris"
    }
    assert json.loads(str(weather.attributes[gen_ai.GEN_AI_TOOL_CALL_RESULT])) == "sunny in Paris"
    run = one(spans, "invoke_agent weather")
    assert run.attributes is not None
    assert json.loads(str(run.attributes[gen_ai.GEN_AI_INPUT_MESSAGES])) == "Weather in Paris?"
    assert json.loads(str(run.attributes[gen_ai.GEN_AI_OUTPUT_MESSAGES])) == "Sunny in Paris."


async def test_no_content_by_default(otel) -> None:
    server = InteractionsServer(ScriptedModel([PARALLEL_CALLS, ANSWER]))
    await weather_agent(server).arun("Weather in Paris?")
    content_keys = {
        gen_ai.GEN_AI_INPUT_MESSAGES,
        gen_ai.GEN_AI_OUTPUT_MESSAGES,
        gen_ai.GEN_AI_SYSTEM_INSTRUCTIONS,
        gen_ai.GEN_AI_TOOL_CALL_ARGUMENTS,
        gen_ai.GEN_AI_TOOL_CALL_RESULT,
    }
    dumped = ""
    for span in otel.spans():
        assert content_keys.isdisjoint(span.attributes or {}), span.name
        dumped += span.to_json()
    assert "Paris" not in dumped
    assert "sunny" not in dumped.lower()


async def test_per_agent_instrumentation_overrides_the_global_switch(otel) -> None:
    server = InteractionsServer(ScriptedModel(["a", "b"]))
    quiet = weather_agent(server, instrument=False)
    result = await quiet.arun("Hi")
    assert otel.spans() == []
    assert result.trace is None

    agentloop.instrument(tracer_provider=otel.tracer_provider, enabled=False)
    loud = weather_agent(server, instrument=True)
    result = await loud.arun("Hi")
    assert [s.name for s in otel.spans()] == [
        "POST",
        f"generate_content {MODEL}",
        "invoke_agent weather",
    ]
    assert result.trace is not None


@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # the bridge's trio run: tests/test_mcp.py
async def test_client_side_mcp_tool_calls_are_tool_spans(otel, anyio_backend: str) -> None:
    demo = Path(__file__).parents[1] / "mcp" / "servers" / "demo.py"
    script = ScriptedModel(
        [
            Reply(steps=[call("c1", "add", a=2, b=3), call("c2", "fail")]),
            "5.",
        ]
    )
    server = InteractionsServer(script)
    agent = Agent(
        MODEL,
        name="calc",
        tools=[MCPStdio(sys.executable, [str(demo), "stdio"], timeout=20)],
        client=server.client(),
    )
    result = await agent.arun("Add 2 and 3")
    assert result.text == "5."
    spans = otel.spans()
    assert tree(spans) == [
        (0, "invoke_agent calc", "INTERNAL"),
        (1, f"generate_content {MODEL}", "CLIENT"),
        (2, "POST", "CLIENT"),
        (1, "execute_tool add", "INTERNAL"),
        (1, "execute_tool fail", "INTERNAL"),
        (1, f"generate_content {MODEL}", "CLIENT"),
        (2, "POST", "CLIENT"),
    ]
    assert one(spans, "execute_tool add").status.status_code == StatusCode.UNSET
    assert one(spans, "execute_tool fail").status.status_code == StatusCode.ERROR


@pytest.mark.parametrize("opt_in", [None, "gen_ai_latest_experimental"])
async def test_the_renamed_system_attribute_is_set_unless_the_latest_names_are_asked(
    otel, monkeypatch: pytest.MonkeyPatch, opt_in: str | None
) -> None:
    if opt_in is not None:
        monkeypatch.setenv("OTEL_SEMCONV_STABILITY_OPT_IN", opt_in)
    else:
        monkeypatch.delenv("OTEL_SEMCONV_STABILITY_OPT_IN", raising=False)
    agentloop.instrument(tracer_provider=otel.tracer_provider)  # read the variable again
    server = InteractionsServer(ScriptedModel(["Hi."]))
    await weather_agent(server).arun("Hi")
    run = one(otel.spans(), "invoke_agent weather")
    assert run.attributes is not None
    assert run.attributes[gen_ai.GEN_AI_PROVIDER_NAME] == "gcp.gemini"
    if opt_in is None:
        assert run.attributes[gen_ai.GEN_AI_SYSTEM] == "gcp.gemini"
    else:
        assert gen_ai.GEN_AI_SYSTEM not in run.attributes


@pytest.mark.parametrize("kind", ["async", "sync"])
async def test_spans_a_tool_opens_nest_under_its_execute_tool_span(otel, kind: str) -> None:
    tracer = otel.tracer_provider.get_tracer("app")

    async def query_async(sql: str) -> str:
        """Run a query."""
        with tracer.start_as_current_span("db.query"):
            return "1 row"

    def query_sync(sql: str) -> str:
        """Run a query."""
        with tracer.start_as_current_span("db.query"):
            return "1 row"

    handler = tool(name="query")(query_async if kind == "async" else query_sync)
    server = InteractionsServer(ScriptedModel([Reply(steps=[call("c1", "query", sql="x")]), "ok"]))
    agent = Agent(MODEL, tools=[handler], name="db", client=server.client())
    await agent.arun("Count")
    spans = otel.spans()
    inner = one(spans, "db.query")
    outer = one(spans, "execute_tool query")
    assert inner.parent is not None
    assert inner.parent.span_id == outer.context.span_id
