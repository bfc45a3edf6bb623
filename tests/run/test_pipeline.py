"""Pipelines: each step continues the previous step's last interaction."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from agentloop import Agent, Pipeline, PipelineStep, UserError
from agentloop.testing import FunctionModel, InteractionsServer, ModelRequest, ScriptedModel

pytestmark = pytest.mark.anyio


class Summary(BaseModel):
    bullets: list[str]


def test_research_then_summarizer_links_by_previous_interaction_id() -> None:
    model = ScriptedModel(
        [
            [{"type": "model_output", "content": [{"type": "text", "text": "Long report."}]}],
            '{"bullets": ["a", "b"]}',
        ]
    )
    server = InteractionsServer(model, background_step_delay=0.01)
    research = Agent(
        agent="deep-research-pro-preview-12-2025",
        background=True,
        poll_interval=0.01,
        client=server.client(),
        name="research",
    )
    summarizer = Agent("gemini-2.5-flash", response_format=Summary, client=server.client())
    pipeline = research.then(summarizer, input="Summarize the report in 2 bullets")
    result = pipeline.run("Research TPUs")
    first, second = model.requests
    assert "agent" in first.body
    assert first.body["background"] is True
    assert second.body["model"] == "gemini-2.5-flash"
    assert second.body["previous_interaction_id"] == result.steps[0].interaction_id
    assert second.user_text == "Summarize the report in 2 bullets"
    assert [step["type"] for step in second.history][-1] == "model_output"
    assert result.output == Summary(bullets=["a", "b"])
    assert result.interaction_id == result.steps[1].interaction_id
    model.verify()


async def test_steps_without_input_pass_the_previous_text_on() -> None:
    model = FunctionModel(lambda request: f"echo: {request.user_text}")
    server = InteractionsServer(model)
    first = Agent("m1", client=server.client())
    second = Agent("m2", client=server.client())
    result = await Pipeline([first, PipelineStep(second)]).arun("hello")
    assert result.text == "echo: echo: hello"
    assert len(result.steps) == 2


async def test_streaming_labels_events_with_their_step() -> None:
    server = InteractionsServer(FunctionModel(lambda request: "ok"))
    a = Agent("m1", client=server.client(), name="a")
    b = Agent("m2", client=server.client(), name="b")
    events = [e async for e in a.then(b, input="next").astream("go")]
    finished = [(e.step, e.agent_name) for e in events if e.event.type == "run_finished"]
    assert finished == [(0, "a"), (1, "b")]
    assert {e.event.type for e in events} >= {"text_delta", "interaction_finished"}


def test_store_false_steps_cannot_be_linked() -> None:
    a = Agent("m1")
    with pytest.raises(UserError, match="store=True"):
        Pipeline([a, Agent("m2", store=False)])
    with pytest.raises(UserError, match="at least one"):
        Pipeline([])


def test_tools_work_in_a_model_step() -> None:
    def add(a: int, b: int) -> int:
        """Adds."""
        return a + b

    def respond(request: ModelRequest) -> object:
        if request.function_results:
            return f"sum={request.function_results[0]['result']['result']}"
        if request.function_tools:
            return [
                {"type": "function_call", "id": "c", "name": "add", "arguments": {"a": 2, "b": 3}}
            ]
        return "first step"

    server = InteractionsServer(FunctionModel(respond))  # type: ignore[arg-type]
    plain = Agent("m1", client=server.client())
    calc = Agent("m2", tools=[add], client=server.client())
    assert plain.then(calc, input="add").run("start").text == "sum=5"
