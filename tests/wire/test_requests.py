"""Guide-shaped request input is rewritten into today's steps dialect.

A unit test of pure private request building (`normalize_input`, `build_create_body`,
which `client.interactions.create` runs before sending), hence the private imports.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from agentloop import Interaction, UserError
from agentloop._wire.requests import build_create_body, normalize_input
from agentloop.types import TextContent


def test_string_input_stays_a_string() -> None:
    assert normalize_input("hi") == "hi"


def test_content_list_is_wrapped_in_a_user_input_step() -> None:
    blocks = [
        {"type": "text", "text": "Describe the image."},
        {"type": "image", "data": "aGk=", "mime_type": "image/png"},
    ]
    assert normalize_input(blocks) == [{"type": "user_input", "content": blocks}]


def test_single_block_and_untyped_text() -> None:
    assert normalize_input({"text": "hi"}) == [
        {"type": "user_input", "content": [{"type": "text", "text": "hi"}]}
    ]


def test_steps_pass_through() -> None:
    results = [{"type": "function_result", "call_id": "c1", "name": "f", "result": "ok"}]
    assert normalize_input(results) == results


def test_client_side_function_calling_history() -> None:
    outputs = Interaction.model_validate(
        {
            "id": "i",
            "status": "requires_action",
            "steps": [
                {"type": "thought", "signature": "sig"},
                {"type": "function_call", "id": "c1", "name": "schedule", "arguments": {"a": 1}},
            ],
        }
    ).outputs
    history: list[Any] = [
        {"role": "user", "content": [{"type": "text", "text": "Schedule it."}]},
        {"role": "model", "content": outputs},
        {
            "role": "user",
            "content": [
                {"type": "function_result", "name": "schedule", "call_id": "c1", "result": "ok"}
            ],
        },
    ]
    assert normalize_input(history) == [
        {"type": "user_input", "content": [{"type": "text", "text": "Schedule it."}]},
        {"type": "thought", "signature": "sig"},
        {"type": "function_call", "id": "c1", "name": "schedule", "arguments": {"a": 1}},
        {"type": "function_result", "name": "schedule", "call_id": "c1", "result": "ok"},
    ]


def test_model_turn_with_text_and_pydantic_blocks() -> None:
    assert normalize_input([{"role": "model", "content": [TextContent(text="a"), "b"]}]) == [
        {
            "type": "model_output",
            "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}],
        }
    ]


def test_bad_role_and_bad_input_type() -> None:
    with pytest.raises(UserError, match="role"):
        normalize_input([{"role": "system", "content": "x"}])
    with pytest.raises(UserError, match="input must be"):
        normalize_input(42)


class Moderation(BaseModel):
    decision: str


def test_raw_schema_response_format_is_modernised() -> None:
    body = build_create_body({"model": "m", "response_format": Moderation.model_json_schema()})
    assert body["response_format"] == {
        "type": "text",
        "mime_type": "application/json",
        "schema": Moderation.model_json_schema(),
    }


def test_pydantic_class_response_format() -> None:
    body = build_create_body({"model": "m", "response_format": Moderation})
    assert body["response_format"]["schema"]["properties"]["decision"]["type"] == "string"


def test_current_response_format_is_untouched() -> None:
    entry = {"type": "text", "mime_type": "application/json", "schema": {"type": "object"}}
    assert build_create_body({"model": "m", "response_format": entry})["response_format"] == entry


def test_legacy_modalities_mime_type_and_image_config() -> None:
    config = {"temperature": 1.0, "image_config": {"aspect_ratio": "16:9"}}
    body = build_create_body(
        {"model": "m", "response_modalities": ["IMAGE"], "generation_config": config}
    )
    assert body["response_format"] == {"type": "image", "aspect_ratio": "16:9"}
    assert body["generation_config"] == {"temperature": 1.0}
    assert "image_config" in config  # the caller's dict is not mutated
    assert "response_modalities" not in body
    body = build_create_body(
        {
            "model": "m",
            "response_mime_type": "application/json",
            "response_format": {"type": "object"},
        }
    )
    assert body["response_format"]["mime_type"] == "application/json"
    assert "response_mime_type" not in body


def test_tools_with_to_wire_are_serialised() -> None:
    class Tool:
        def to_wire(self) -> dict[str, str]:
            return {"type": "google_search"}

    assert build_create_body({"model": "m", "tools": [Tool()]})["tools"] == [
        {"type": "google_search"}
    ]


def test_normalize_input_passes_a_list_of_steps_through_as_a_new_list() -> None:
    results = [
        {"type": "function_result", "call_id": "c1", "name": "f", "result": {"t": 21}},
        {"type": "function_result", "call_id": "c2", "name": "f", "result": "x"},
    ]
    normalized = normalize_input(results)
    assert normalized == results
    assert normalized is not results
    # One content block among them still starts a user_input step; a turn is a turn.
    mixed = normalize_input([{"type": "text", "text": "hi"}, results[0]])
    assert mixed == [
        {"type": "user_input", "content": [{"type": "text", "text": "hi"}]},
        results[0],
    ]
    turn = normalize_input([{"type": "x", "role": "user", "content": "hi"}])
    assert turn == [{"type": "user_input", "content": [{"type": "text", "text": "hi"}]}]
