"""Reassembly of SSE transcripts into the final interaction, without HTTP.

The accumulator and `parse_event` are private pure pieces (users get them through
`InteractionStream`); unit-testing them from recorded transcripts needs their private paths.
"""

from __future__ import annotations

import pytest
from conftest import FIXTURES

from agentloop import Interaction
from agentloop._wire.accumulate import InteractionAccumulator
from agentloop._wire.events import parse_event
from agentloop.types import FunctionCallStep, ModelOutputStep, StreamEvent, ThoughtStep


def events_of(name: str) -> list[StreamEvent]:
    lines = (FIXTURES / name).read_text().splitlines()
    return [parse_event(line[5:].strip()) for line in lines if line.startswith("data:")]


def reassemble(events: list[StreamEvent]) -> Interaction:
    accumulator = InteractionAccumulator()
    for event in events:
        accumulator.feed(event)
    assert accumulator.completed
    return accumulator.snapshot()


def test_text_stream_reassembles() -> None:
    interaction = reassemble(events_of("sse_text_stream.txt"))
    assert interaction.id == "int_s1a2b3"
    assert interaction.status == "completed"
    assert interaction.text == "Paris is the capital of France."
    thought = interaction.steps[0]
    assert isinstance(thought, ThoughtStep)
    assert thought.signature == "CtQBAdHtim9exampleOpaqueSignature=="
    assert thought.summary is not None
    assert thought.summary[0].text == "Recalling basic geography."  # type: ignore[union-attr]
    assert interaction.usage is not None
    assert interaction.usage.total_tokens == 81
    assert interaction.updated is not None


def test_function_call_stream_joins_argument_fragments() -> None:
    interaction = reassemble(events_of("sse_function_call_stream.txt"))
    assert interaction.status == "requires_action"
    assert [(c.id, c.arguments) for c in interaction.function_calls] == [
        ("call_01", {"city": "Paris", "unit": "c"}),
        ("call_02", {"city": "Tokyo", "unit": "c"}),
    ]
    assert all(c.arguments_error is None for c in interaction.function_calls)


def test_stream_and_unary_give_the_same_steps() -> None:
    from conftest import load_json

    streamed = reassemble(events_of("sse_function_call_stream.txt"))
    unary = Interaction.model_validate(load_json("response_requires_action_parallel_calls.json"))
    assert [s.to_dict() for s in streamed.steps] == [s.to_dict() for s in unary.steps]


def test_background_agent_stream_reassembles() -> None:
    interaction = reassemble(events_of("sse_background_agent_stream.txt"))
    assert [step.type for step in interaction.steps] == [
        "thought",
        "google_search_call",
        "google_search_result",
        "model_output",
    ]
    assert interaction.text.startswith("# TPU milestones")
    assert interaction.agent == "deep-research-preview-04-2026"


def test_legacy_stream_reassembles_into_steps() -> None:
    interaction = reassemble(events_of("legacy_sse_text_stream.txt"))
    assert interaction.status == "requires_action"
    assert isinstance(interaction.steps[1], ModelOutputStep)
    assert [o.type for o in interaction.outputs] == ["thought", "text", "function_call"]
    assert interaction.outputs[1].text == "Two particles share one state."  # type: ignore[union-attr]
    [call] = interaction.function_calls
    assert (call.id, call.arguments) == ("fc_9", {"topic": "bell"})
    assert interaction.usage is not None
    assert interaction.usage.total_tokens == 42


@pytest.mark.parametrize(
    ("fragments", "error"),
    [(['{"a": '], "not valid JSON"), (["[1, 2]"], "not a JSON object")],
)
def test_bad_streamed_arguments_are_reported_not_raised(fragments: list[str], error: str) -> None:
    events = [
        parse_event('{"event_type":"interaction.created","interaction":{"id":"i"}}'),
        parse_event(
            '{"event_type":"step.start","index":0,'
            '"step":{"type":"function_call","id":"c","name":"f","arguments":{}}}'
        ),
        *[StepDelta(index=0, fragment=fragment) for fragment in fragments],
        parse_event('{"event_type":"step.stop","index":0}'),
        parse_event(
            '{"event_type":"interaction.completed","interaction":{"id":"i","status":"requires_action"}}'
        ),
    ]
    [call] = reassemble(events).function_calls
    assert isinstance(call, FunctionCallStep)
    assert call.arguments == {}
    assert call.arguments_error is not None
    assert error in call.arguments_error
    assert "arguments_error" not in call.to_dict()


def StepDelta(*, index: int, fragment: str) -> StreamEvent:
    import json

    return parse_event(
        json.dumps(
            {
                "event_type": "step.delta",
                "index": index,
                "delta": {"type": "arguments_delta", "arguments": fragment},
            }
        )
    )


def test_status_update_and_deltas_without_start_are_not_lost() -> None:
    events = [
        parse_event(
            '{"event_type":"interaction.status_update","interaction_id":"i7","status":"in_progress"}'
        ),
        parse_event('{"event_type":"step.delta","index":0,"delta":{"type":"text","text":"late "}}'),
        parse_event('{"event_type":"step.delta","index":0,"delta":{"type":"text","text":"join"}}'),
        parse_event(
            '{"event_type":"interaction.completed","interaction":{"id":"i7","status":"completed"}}'
        ),
    ]
    interaction = reassemble(events)
    assert interaction.id == "i7"
    assert interaction.text == "late join"


def test_media_and_tool_deltas_merge_into_their_steps() -> None:
    events = [
        parse_event('{"event_type":"interaction.created","interaction":{"id":"m"}}'),
        parse_event('{"event_type":"step.start","index":0,"step":{"type":"model_output"}}'),
        parse_event(
            '{"event_type":"step.delta","index":0,'
            '"delta":{"type":"image","data":"aGk=","mime_type":"image/png"}}'
        ),
        parse_event(
            '{"event_type":"step.start","index":1,'
            '"step":{"type":"code_execution_result","call_id":"x"}}'
        ),
        parse_event(
            '{"event_type":"step.delta","index":1,'
            '"delta":{"type":"code_execution_result","result":"42\\n","is_error":false}}'
        ),
        parse_event(
            '{"event_type":"interaction.completed","interaction":{"id":"m","status":"completed"}}'
        ),
    ]
    interaction = reassemble(events)
    assert interaction.images[0].data == b"hi"
    result = interaction.steps[1]
    assert (result.result, result.is_error) == ("42\n", False)  # type: ignore[union-attr]


def test_reassembled_steps_replay_with_their_content() -> None:
    # Streamed text is appended in place; the step's wire form must still carry it,
    # or replaying `final.steps` as history would drop the model's reply.
    interaction = reassemble(events_of("sse_text_stream.txt"))
    assert [step.to_dict() for step in interaction.steps] == [
        {
            "type": "thought",
            "summary": [{"type": "text", "text": "Recalling basic geography."}],
            "signature": "CtQBAdHtim9exampleOpaqueSignature==",
        },
        {
            "type": "model_output",
            "content": [{"type": "text", "text": "Paris is the capital of France."}],
        },
    ]
