"""Bounds on model output, as pure functions: no I/O, no RecursionError."""

from __future__ import annotations

import json

import pytest

from agentloop._wire.events import parse_event
from agentloop._wire.limits import (
    MAX_ARGUMENTS_DEPTH,
    TOO_DEEP,
    arguments_problem,
    parse_arguments,
    trim_deep_json,
)
from agentloop._wire.sse import SSEDecoder
from agentloop.types import FunctionCallStep, Interaction, StepStartEvent


def nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ('{"a": 1}', None),
        ("", None),
        ("[1, 2]", "not a JSON object"),
        ('"text"', "not a JSON object"),
        ("{broken", "not valid JSON"),
        (nested(MAX_ARGUMENTS_DEPTH), None),
        (nested(MAX_ARGUMENTS_DEPTH + 1), "nested too deeply"),
        (nested(100_000), "nested too deeply"),
        ("[" * 100_000, "nested too deeply"),
        (json.dumps({"a": "x" * 1_000_001}), "too large"),
        ('{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', None),
    ],
)
def test_parse_arguments(raw: str, problem: str | None) -> None:
    value, found = parse_arguments(raw)
    if problem is None:
        assert found is None
        assert isinstance(value, dict)
    else:
        assert value is None
        assert found is not None
        assert problem in found
        assert len(found) < 400


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"a": [1, {"b": 2}]}, None),
        ([1], "not a JSON object"),
        ("x", "not a JSON object"),
        ({"a": TOO_DEEP}, "nested too deeply"),
        ({"a": "x" * 1_000_001}, "too large"),
        ({"k": list(range(600_000))}, "too large"),
        # flat objects of scalars take a shorter check; its edges go to the walk
        ({"q": "weather", "n": 3, "f": 1.5, "b": True, "z": None}, None),
        ({f"k{i}": "v" * 40_000 for i in range(26)}, "too large"),
        ({f"k{i}": i for i in range(40)}, None),
        ({1: "x"}, None),
    ],
)
def test_arguments_problem(value: object, problem: str | None) -> None:
    found = arguments_problem(value)
    assert (found is None) if problem is None else (problem in (found or ""))


def test_arguments_problem_of_a_deep_object_does_not_recurse() -> None:
    value: dict[str, object] = {}
    node = value
    for _ in range(50_000):
        node["a"] = {}
        node = node["a"]  # type: ignore[assignment]
    assert "nested too deeply" in (arguments_problem(value) or "")


def test_trim_deep_json_marks_only_what_is_too_deep() -> None:
    assert trim_deep_json('{"a": [1, 2]}') is None
    trimmed = trim_deep_json('{"x": 1, "deep": ' + nested(1000) + ', "y": 2}')
    assert trimmed is not None
    parsed = json.loads(trimmed)
    assert (parsed["x"], parsed["y"]) == (1, 2)
    assert "nested too deeply" in (arguments_problem(parsed["deep"]) or "")


def test_function_call_step_keeps_bad_arguments_as_an_error() -> None:
    step = FunctionCallStep.model_validate({"id": "c", "name": "f", "arguments": [1, 2]})
    assert step.arguments == {}
    assert "not a JSON object" in (step.arguments_error or "")
    assert "arguments_error" not in step.to_dict()


@pytest.mark.parametrize("arguments", ["null", '"{\\"a\\": 1}"', "[1]", "7"])
def test_function_call_step_from_json_keeps_unusable_arguments_as_an_error(
    arguments: str,
) -> None:
    raw = '{"type": "function_call", "id": "c", "name": "f", "arguments": ' + arguments + "}"
    step = FunctionCallStep.model_validate_json(raw)
    assert step.arguments == {}
    assert "not a JSON object" in (step.arguments_error or "")
    assert step.to_dict() == {"type": "function_call", "id": "c", "name": "f", "arguments": {}}


def test_function_call_step_copies_a_callers_arguments() -> None:
    given = {"city": "Paris"}
    step = FunctionCallStep.model_validate({"id": "c", "name": "f", "arguments": given})
    given["city"] = "Rome"
    assert step.arguments == {"city": "Paris"}
    assert step.arguments_error is None


def test_legacy_outputs_body_becomes_steps_and_keeps_its_extras() -> None:
    interaction = Interaction.model_validate_json(
        '{"id": "i", "object": "interaction", "role": "model", "outputs": ['
        '{"type": "text", "text": "a"}, {"type": "text", "text": "b"},'
        '{"type": "function_call", "id": "c", "name": "f", "arguments": {}}]}'
    )
    assert [step.type for step in interaction.steps] == ["model_output", "function_call"]
    assert interaction.text == ""
    assert interaction.function_calls[0].id == "c"
    dumped = interaction.to_dict()
    assert "outputs" not in dumped
    assert dumped["object"] == "interaction"
    assert Interaction.model_validate(dumped) == interaction


def test_interaction_nested_beyond_the_parser_still_parses() -> None:
    body = (
        '{"id": "int_1", "status": "requires_action", "steps": [{"type": "function_call",'
        ' "id": "c", "name": "f", "arguments": ' + nested(10_000) + "}]}"
    )
    with pytest.raises(ValueError, match="recursion"):
        Interaction.model_validate_json(body)
    trimmed = trim_deep_json(body)
    assert trimmed is not None
    (call,) = Interaction.model_validate_json(trimmed).function_calls
    assert "nested too deeply" in (call.arguments_error or "")


def test_deep_event_parses_with_the_deep_part_marked() -> None:
    data = (
        '{"event_type": "step.start", "index": 0, "step": {"type": "function_call",'
        ' "id": "c", "name": "f", "arguments": ' + nested(5_000) + "}}"
    )
    event = parse_event(data)
    assert isinstance(event, StepStartEvent)
    assert isinstance(event.step, FunctionCallStep)
    assert "nested too deeply" in (event.step.arguments_error or "")


@pytest.mark.parametrize(
    ("chunk", "pending"),
    [
        (b'event: x\ndata: {"a":\ndata: 1', '{"a":\n1'),
        (b"data:no space", "no space"),
        (b"data: done\n\n", ""),
        (b": comment\n", ""),
    ],
)
def test_sse_decoder_pending_data(chunk: bytes, pending: str) -> None:
    decoder = SSEDecoder()
    decoder.feed(chunk)
    assert decoder.pending_data == pending
