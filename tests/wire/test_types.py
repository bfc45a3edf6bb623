"""Wire types: every fixture parses, round-trips, and both dialects meet in one model.

Stream events are parsed with the private pure `parse_event` (the public path is a
stream, which would need HTTP); every model comes from `agentloop.types`.
"""

from __future__ import annotations

import base64
import json

import pytest
from conftest import FIXTURES, load_json

from agentloop import Interaction, Usage
from agentloop._wire.events import parse_event
from agentloop.types import (
    FunctionCallStep,
    GoogleSearchCallStep,
    ImageContent,
    ModelOutputStep,
    TextContent,
    ThoughtStep,
    UnknownContent,
    UnknownStep,
    UrlCitation,
)

RESPONSES = sorted(p.name for p in FIXTURES.glob("*response*.json"))


@pytest.mark.parametrize("name", RESPONSES)
def test_interaction_fixture_round_trips(name: str) -> None:
    parsed = Interaction.model_validate(load_json(name))
    assert Interaction.model_validate(parsed.to_dict()) == parsed
    assert Interaction.model_validate_json(parsed.model_dump_json()) == parsed


@pytest.mark.parametrize("name", [n for n in RESPONSES if not n.startswith("legacy")])
def test_interaction_dump_is_the_wire_json(name: str) -> None:
    raw = load_json(name)
    assert Interaction.model_validate(raw).to_dict() == raw


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("response_completed_text.json", "Paris is the capital of France."),
        ("response_google_search.json", "Spain won Euro 2024, beating England 2-1 in the final."),
        ("response_structured_output.json", '{"city": "Lyon", "country": "France"}'),
        ("response_requires_action_parallel_calls.json", ""),
        (
            "legacy_response_text.json",
            "Why do programmers prefer dark mode? Because light attracts bugs.",
        ),
    ],
)
def test_interaction_text_is_trailing_model_output(name: str, text: str) -> None:
    assert Interaction.model_validate(load_json(name)).text == text


def test_outputs_flattens_model_output_and_keeps_other_steps() -> None:
    interaction = Interaction.model_validate(load_json("response_google_search.json"))
    kinds = [output.type for output in interaction.outputs]
    assert kinds == ["google_search_call", "google_search_result", "text"]
    assert interaction.outputs[-1].text.startswith("Spain won")  # type: ignore[union-attr]
    citation = interaction.outputs[-1].annotations[0]  # type: ignore[union-attr]
    assert isinstance(citation, UrlCitation)
    assert citation.end_index == 52


def test_outputs_skip_the_echoed_user_input_of_a_get() -> None:
    interaction = Interaction.model_validate(
        load_json("response_background_deep_research_completed.json")
    )
    assert interaction.steps[0].type == "user_input"
    assert all(output.type != "user_input" for output in interaction.outputs)
    assert interaction.outputs[-1].text.startswith("# TPU milestones")  # type: ignore[union-attr]


def test_function_calls_accessor() -> None:
    interaction = Interaction.model_validate(
        load_json("response_requires_action_parallel_calls.json")
    )
    calls = interaction.function_calls
    assert [(c.id, c.name, c.arguments["city"]) for c in calls] == [
        ("call_01", "get_weather", "Paris"),
        ("call_02", "get_weather", "Tokyo"),
    ]
    assert interaction.is_terminal


def test_accessors_look_at_the_turn_after_the_last_input() -> None:
    interaction = Interaction.model_validate(
        {
            "id": "int_1",
            "status": "completed",
            "steps": [
                {"type": "user_input", "content": [{"type": "text", "text": "hi"}]},
                {"type": "function_call", "id": "c1", "name": "f", "arguments": {}},
                {"type": "function_result", "call_id": "c1", "result": "ok"},
                {"type": "model_output", "content": [{"type": "text", "text": "done"}]},
            ],
        }
    )
    assert interaction.function_calls == []
    assert interaction.text == "done"


def test_text_skips_thoughts_between_outputs() -> None:
    interaction = Interaction.model_validate(
        {
            "id": "int_2",
            "status": "completed",
            "steps": [
                {"type": "model_output", "content": [{"type": "text", "text": "a"}]},
                {"type": "thought", "signature": "s"},
                {"type": "model_output", "content": [{"type": "text", "text": "b"}]},
            ],
        }
    )
    assert interaction.text == "ab"


def test_images_are_decoded_and_saved(tmp_path: pytest.TempPathFactory) -> None:
    png = b"\x89PNG\r\n\x1a\nfake"
    interaction = Interaction.model_validate(
        {
            "id": "int_img",
            "status": "completed",
            "steps": [
                {
                    "type": "model_output",
                    "content": [
                        {"type": "text", "text": "Here it is"},
                        {
                            "type": "image",
                            "mime_type": "image/png",
                            "data": base64.b64encode(png).decode(),
                        },
                        {"type": "image", "uri": "files/abc"},
                    ],
                }
            ],
        }
    )
    [image] = interaction.images
    assert (image.data, image.mime_type) == (png, "image/png")
    target = image.save(tmp_path / "out.png")  # type: ignore[operator]
    assert target.read_bytes() == png
    uri_only = interaction.outputs[-1]
    assert isinstance(uri_only, ImageContent)
    with pytest.raises(ValueError, match="no inline data"):
        uri_only.as_bytes()


@pytest.mark.parametrize(
    ("status", "terminal"),
    [
        ("completed", True),
        ("failed", True),
        ("cancelled", True),
        ("incomplete", True),
        ("budget_exceeded", True),
        ("requires_action", True),
        ("requires_continuation", True),
        ("in_progress", False),
        ("queued", False),
        ("some_future_status", False),
    ],
)
def test_is_terminal(status: str, terminal: bool) -> None:
    interaction = Interaction(id="i", status=status)
    assert interaction.is_terminal is terminal
    assert interaction.is_known_status is (status != "some_future_status")


def test_unknown_step_content_and_fields_are_kept() -> None:
    raw = {
        "id": "int_new",
        "status": "completed",
        "brand_new_field": {"x": 1},
        "steps": [
            {"type": "hologram_call", "id": "h1", "payload": [1, 2]},
            {
                "type": "model_output",
                "content": [{"type": "smell", "intensity": 3}, {"type": "text", "text": "ok"}],
            },
        ],
    }
    interaction = Interaction.model_validate(raw)
    unknown_step = interaction.steps[0]
    assert isinstance(unknown_step, UnknownStep)
    assert unknown_step.is_unknown
    step = interaction.steps[1]
    assert isinstance(step, ModelOutputStep)
    assert isinstance(step.content[0], UnknownContent)
    assert interaction.text == "ok"
    assert interaction.to_dict() == raw


def test_legacy_outputs_become_steps() -> None:
    interaction = Interaction.model_validate(load_json("legacy_response_text.json"))
    assert [type(step) for step in interaction.steps] == [ThoughtStep, ModelOutputStep]
    assert len(interaction.steps[1].content) == 2  # type: ignore[union-attr]
    assert interaction.outputs[-1].text == "Because light attracts bugs."  # type: ignore[union-attr]
    # legacy-only fields are kept, nothing is dropped
    assert interaction.model_extra == {"object": "interaction", "role": "model"}


def test_legacy_function_call_outputs() -> None:
    interaction = Interaction.model_validate(load_json("legacy_response_function_call.json"))
    [call] = interaction.function_calls
    assert isinstance(call, FunctionCallStep)
    assert call.arguments == {"location": "Paris"}
    output = next(o for o in interaction.outputs if o.type == "function_call")
    assert output is call


def test_server_tool_steps_are_typed() -> None:
    interaction = Interaction.model_validate(load_json("response_google_search.json"))
    call = interaction.steps[0]
    assert isinstance(call, GoogleSearchCallStep)
    assert call.arguments == {"queries": ["Euro 2024 winner"]}
    assert call.search_type == "web_search"


def test_constructed_content_dumps_its_type() -> None:
    assert TextContent(text="hi").to_dict() == {"type": "text", "text": "hi"}


def test_usage_adds() -> None:
    first = Usage.model_validate(
        {
            "total_tokens": 10,
            "total_input_tokens": 4,
            "input_tokens_by_modality": [{"modality": "text", "tokens": 4}],
        }
    )
    second = Usage.model_validate(
        {
            "total_tokens": 5,
            "total_output_tokens": 2,
            "input_tokens_by_modality": [
                {"modality": "text", "tokens": 1},
                {"modality": "image", "tokens": 3},
            ],
        }
    )
    total = first + second
    assert (total.total_tokens, total.total_input_tokens, total.total_output_tokens) == (15, 4, 2)
    assert total.total_thought_tokens is None
    by_modality = {m.modality: m.tokens for m in total.input_tokens_by_modality or []}
    assert by_modality == {"text": 5, "image": 3}


def test_usage_sum_of_totals_is_a_plain_usage() -> None:
    first = Usage.model_validate({"total_tokens": 10, "total_input_tokens": 4})
    second = Usage.model_validate({"total_tokens": 5, "total_output_tokens": 2})
    total = first + second
    assert total == Usage(total_tokens=15, total_input_tokens=4, total_output_tokens=2)
    assert total.model_fields_set == {"total_tokens", "total_input_tokens", "total_output_tokens"}
    assert total.to_dict() == {
        "total_tokens": 15,
        "total_input_tokens": 4,
        "total_output_tokens": 2,
    }
    assert (first.total_tokens, second.total_tokens) == (10, 5)  # the operands are unchanged
    assert Usage.model_validate_json(total.model_dump_json()) == total


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*sse*.txt")))
def test_every_sse_event_parses_and_round_trips(name: str) -> None:
    for line in (FIXTURES / name).read_text().splitlines():
        if line.startswith("data:"):
            event = parse_event(line[5:].strip())
            assert not event.is_unknown
            assert parse_event(json.dumps(event.to_dict())) == event


def test_event_types_equal_their_legacy_alias() -> None:
    event = parse_event('{"event_type":"step.delta","index":0,"delta":{"type":"text","text":"x"}}')
    assert event.event_type == "step.delta"
    assert event.event_type == "content.delta"
    assert event.event_type != "step.start"
    assert event.event_type in {"step.delta"}
    legacy = parse_event('{"event_type":"interaction.complete","interaction":{"id":"i"}}')
    assert legacy.event_type == "interaction.completed"
    assert legacy.event_type == "interaction.complete"


def test_thought_summary_delta_answers_the_guides_thought_check() -> None:
    event = parse_event(
        '{"event_type":"step.delta","index":0,'
        '"delta":{"type":"thought_summary","content":{"type":"text","text":"hmm"}}}'
    )
    assert event.delta.type == "thought"  # type: ignore[union-attr]
    assert event.delta.thought == "hmm"  # type: ignore[union-attr]


def test_unknown_event_and_delta_are_kept() -> None:
    event = parse_event('{"event_type":"interaction.teleported","where":"mars","event_id":"e9"}')
    assert event.is_unknown
    assert event.event_id == "e9"
    assert event.to_dict()["where"] == "mars"
    delta_event = parse_event(
        '{"event_type":"step.delta","index":2,"delta":{"type":"smell","x":1}}'
    )
    assert delta_event.delta.is_unknown  # type: ignore[union-attr]


def test_error_event_with_string_or_int_code() -> None:
    for code in ('"resource_exhausted"', "429"):
        event = parse_event(f'{{"event_type":"error","error":{{"code":{code},"message":"quota"}}}}')
        assert event.error.message == "quota"  # type: ignore[union-attr]
