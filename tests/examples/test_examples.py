"""Every script in examples/ runs offline against respx: what it sends, what it prints.

Each test loads an example from its file, mocks the Interactions endpoints with
`respx.mock(using="httpx")` (which sees agentloop's aiohttp-backed transport too),
calls `main()`, then checks the request bodies on the wire and the printed output.
"""

from __future__ import annotations

import base64
import functools
import json
import runpy
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import respx
from conftest import load_bytes, load_json, sse_headers
from helpers.examples import BUILTIN_REPLIES, EXAMPLES, answer, interaction, load_example, text

from agentloop import Client, RetryPolicy

EXAMPLE_NAMES = (
    "client_basic",
    "client_builtin_tools",
    "client_conversation_stateful",
    "client_conversation_stateless",
    "client_deep_research_polling",
    "client_function_calling",
    "client_function_calling_stateless",
    "client_generation_config",
    "client_image_generation",
    "client_multimodal_input",
    "client_remote_files",
    "client_remote_mcp",
    "client_retrieve",
    "client_streaming",
    "client_structured_output",
    "client_structured_output_with_tools",
)
JOKE = "Tell me a short joke about programming."


def run_example(name: str, *argv: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setattr(sys, "argv", [f"{name}.py", *argv])
    module = load_example(name)
    module.main()
    return module


def sent(route: respx.Route, call: int = -1) -> Any:
    """The JSON body of one request a route received."""
    return json.loads(route.calls[call].request.content)


def sent_all(route: respx.Route) -> list[Any]:
    return [json.loads(call.request.content) for call in route.calls]


def user_input(*content: dict[str, Any]) -> dict[str, Any]:
    return {"type": "user_input", "content": list(content)}


def replies(*bodies: dict[str, Any]) -> list[httpx.Response]:
    """Responses for a route's `side_effect`, one per call, in order."""
    return [httpx.Response(200, json=body) for body in bodies]


# ---- the set of examples ------------------------------------------------------


def test_every_example_is_listed_here() -> None:
    assert sorted(path.stem for path in EXAMPLES.glob("client_*.py")) == list(EXAMPLE_NAMES)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_is_a_runnable_script_that_names_its_guide_section(name: str) -> None:
    module = load_example(name)
    source = (EXAMPLES / f"{name}.py").read_text()
    doc = module.__doc__ or ""
    assert "guide's" in doc
    assert "GEMINI_API_KEY" in doc
    assert "AGENTLOOP_BASE_URL" in doc
    assert "from agentloop import Client\n" in source
    assert "from google" not in source
    assert source.endswith('\n\nif __name__ == "__main__":\n    main()\n')


# ---- basic interactions and conversations ------------------------------------


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("response_completed_text.json", "Paris is the capital of France."),
        # The legacy dialect (flat `outputs[]`) reads the same way.
        ("legacy_response_text.json", "Because light attracts bugs."),
    ],
)
def test_basic_sends_the_prompt_and_prints_the_last_output(
    api: respx.MockRouter,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fixture: str,
    expected: str,
) -> None:
    route = api.post("/interactions").respond(json=load_json(fixture))
    monkeypatch.setattr(sys, "argv", ["client_basic.py"])

    runpy.run_path(str(EXAMPLES / "client_basic.py"), run_name="__main__")

    assert sent(route) == {"model": "gemini-2.5-flash", "input": JOKE}
    assert route.calls.last.request.headers["x-goog-api-key"] == "test-key"
    assert capsys.readouterr().out == f"{expected}\n"


def test_basic_runs_keyless_against_a_local_server_from_agentloop_base_url(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AGENTLOOP_BASE_URL", "http://127.0.0.1:8765")
    with respx.mock(using="httpx", base_url="http://127.0.0.1:8765/v1beta") as local:
        route = local.post("/interactions").respond(json=interaction("int_local", answer("Hi")))
        run_example("client_basic", monkeypatch=monkeypatch)

    assert "x-goog-api-key" not in route.calls.last.request.headers
    assert capsys.readouterr().out == "Hi\n"


def test_stateful_conversation_continues_with_previous_interaction_id(
    api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    route = api.post("/interactions").mock(
        side_effect=replies(
            interaction("int_turn1", answer("Nice to meet you, Phil!")),
            interaction("int_turn2", answer("Your name is Phil.")),
        )
    )

    run_example("client_conversation_stateful", monkeypatch=monkeypatch)

    first, second = sent_all(route)
    assert first == {"model": "gemini-2.5-flash", "input": "Hi, my name is Phil."}
    assert second == {
        "model": "gemini-2.5-flash",
        "input": "What is my name?",
        "previous_interaction_id": "int_turn1",
    }
    assert capsys.readouterr().out == "Model: Nice to meet you, Phil!\nModel: Your name is Phil.\n"


def test_retrieve_gets_the_interaction_named_on_the_command_line(
    api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    route = api.get("/interactions/int_7f3c2a9e01").respond(
        json=load_json("response_completed_text.json")
    )

    run_example("client_retrieve", "int_7f3c2a9e01", monkeypatch=monkeypatch)

    assert route.calls.last.request.url.params["stream"] == "false"
    out = capsys.readouterr().out
    assert out.startswith("id='int_7f3c2a9e01' status='completed'")
    assert "Paris is the capital of France." in out


def test_retrieve_without_an_id_creates_an_interaction_then_gets_it(
    api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    created = api.post("/interactions").respond(json=interaction("int_new", answer("Ha!")))
    fetched = api.get("/interactions/int_new").respond(
        json=interaction("int_new", user_input(text(JOKE)), answer("Ha!"))
    )

    run_example("client_retrieve", monkeypatch=monkeypatch)

    assert created.call_count == 1
    assert fetched.call_count == 1
    assert sent(created)["input"] == JOKE
    assert capsys.readouterr().out.startswith("id='int_new' status='completed'")


def test_stateless_conversation_sends_the_history_as_steps(
    api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    thought = {"type": "thought", "signature": "c2lnLTE="}
    route = api.post("/interactions").mock(
        side_effect=replies(
            interaction("int_a", thought, answer("Madrid, Barcelona and Valencia.")),
            interaction("int_b", answer("The Sagrada Familia.")),
        )
    )

    run_example("client_conversation_stateless", monkeypatch=monkeypatch)

    first, second = sent_all(route)
    question1 = user_input(text("What are the three largest cities in Spain?"))
    question2 = user_input(text("What is the most famous landmark in the second one?"))
    assert first["input"] == [question1]
    # The model turn is `interaction1.outputs`, replayed with its thought signature.
    assert second["input"] == [
        question1,
        thought,
        answer("Madrid, Barcelona and Valencia."),
        question2,
    ]
    assert "previous_interaction_id" not in second
    assert capsys.readouterr().out == (
        "Model: Madrid, Barcelona and Valencia.\nModel: The Sagrada Familia.\n"
    )


# ---- streaming ----------------------------------------------------------------

STREAMED_TEXT = (
    "Recalling basic geography.Paris is the capital of France.\n\n"
    "--- Stream Finished ---\nTotal Tokens: 81\n"
)


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("sse_text_stream.txt", STREAMED_TEXT),
        (
            "legacy_sse_text_stream.txt",
            "Thinking about entanglement.Two particles share one state.\n\n"
            "--- Stream Finished ---\nTotal Tokens: 42\n",
        ),
    ],
)
def test_streaming_loop_from_the_guide_prints_thoughts_text_and_usage(
    api: respx.MockRouter,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fixture: str,
    expected: str,
) -> None:
    route = api.post("/interactions").respond(content=load_bytes(fixture), headers=sse_headers())

    run_example("client_streaming", monkeypatch=monkeypatch)

    assert sent(route) == {
        "model": "gemini-2.5-flash",
        "input": "Explain quantum entanglement in simple terms.",
        "stream": True,
    }
    assert route.calls.last.request.headers["accept"] == "text/event-stream"
    assert capsys.readouterr().out == expected


def test_streaming_resumes_a_cut_stream_after_the_last_event(
    api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocks = load_bytes("sse_text_stream.txt").split(b"\n\n")
    cut = next(i for i, block in enumerate(blocks) if b'"evt_0008"' in block) + 1
    api.post("/interactions").respond(
        content=b"\n\n".join(blocks[:cut]) + b"\n\n", headers=sse_headers()
    )
    resume = api.get("/interactions/int_s1a2b3").respond(
        content=b"\n\n".join(blocks[cut:]), headers=sse_headers()
    )
    module = load_example("client_streaming")
    # No backoff before the resume, so the test does not sleep.
    no_wait = RetryPolicy(initial_delay=0, jitter=0)
    monkeypatch.setattr(module, "Client", functools.partial(Client, retry_policy=no_wait))

    module.main()

    # The first GET resumes the stream; after a resume, the stored interaction is fetched.
    params = resume.calls[0].request.url.params
    assert (params["stream"], params["last_event_id"]) == ("true", "evt_0008")
    assert capsys.readouterr().out == STREAMED_TEXT


# ---- function calling ---------------------------------------------------------


@pytest.mark.parametrize(
    "first_reply",
    [
        interaction(
            "int_fc1",
            {"type": "thought", "signature": "c2ln"},
            {
                "type": "function_call",
                "id": "fc_1",
                "name": "get_weather",
                "arguments": {"location": "Paris"},
            },
            status="requires_action",
        ),
        # The same turn in the legacy dialect.
        load_json("legacy_response_function_call.json"),
    ],
    ids=["steps", "legacy"],
)
def test_function_calling_sends_the_result_for_the_call_id(
    api: respx.MockRouter,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    first_reply: dict[str, Any],
) -> None:
    route = api.post("/interactions").mock(
        side_effect=replies(first_reply, interaction("int_fc2", answer("It's sunny in Paris.")))
    )

    module = run_example("client_function_calling", monkeypatch=monkeypatch)

    first, second = sent_all(route)
    assert first["tools"] == [module.weather_tool]
    assert second == {
        "model": "gemini-2.5-flash",
        "previous_interaction_id": first_reply["id"],
        "input": [
            {
                "type": "function_result",
                "name": "get_weather",
                "call_id": "fc_1",
                "result": "The weather in Paris is sunny.",
            }
        ],
    }
    assert capsys.readouterr().out == (
        "Tool Call: get_weather({'location': 'Paris'})\nResponse: It's sunny in Paris.\n"
    )


def test_stateless_function_calling_replays_the_call_then_its_result(
    api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    thought = {"type": "thought", "signature": "bWVldGluZw=="}
    call = {
        "type": "function_call",
        "id": "call_sm1",
        "name": "schedule_meeting",
        "arguments": {
            "attendees": ["Peter", "Amir"],
            "date": "2025-11-01",
            "time": "10:00",
            "topic": "Next Gen API",
        },
    }
    route = api.post("/interactions").mock(
        side_effect=replies(
            interaction("int_m1", thought, call, status="requires_action"),
            interaction("int_m2", answer("Your meeting is booked.")),
        )
    )

    module = run_example("client_function_calling_stateless", monkeypatch=monkeypatch)

    first, second = sent_all(route)
    request = user_input(
        text(
            "Schedule a meeting for 2025-11-01 at 10 am with Peter and Amir about the Next Gen API."
        )
    )
    assert first["input"] == [request]
    assert first["tools"] == module.functions
    result = {
        "type": "function_result",
        "name": "schedule_meeting",
        "call_id": "call_sm1",
        "result": "Meeting scheduled successfully.",
    }
    assert second["input"] == [request, thought, call, result]
    assert "tools" not in second  # as in the guide
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Output: type='thought'")
    assert lines[1:] == [
        f"Function call: schedule_meeting with arguments {call['arguments']}",
        "Final response: Your meeting is booked.",
    ]


# ---- tools and structured output ----------------------------------------------


def test_builtin_tools_each_send_their_tool_and_print_the_text(
    api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def reply(request: httpx.Request) -> httpx.Response:
        (tool,) = json.loads(request.content)["tools"]
        return httpx.Response(200, json=BUILTIN_REPLIES[tool["type"]])

    route = api.post("/interactions").mock(side_effect=reply)

    run_example("client_builtin_tools", monkeypatch=monkeypatch)

    assert [body["tools"] for body in sent_all(route)] == [
        [{"type": "google_search"}],
        [{"type": "code_execution"}],
        [{"type": "url_context"}],
    ]
    assert capsys.readouterr().out.splitlines() == [
        "Spain won Euro 2024, beating England 2-1 in the final.",
        "The 50th Fibonacci number is 12586269025.",
        "Wikipedia is a free online encyclopedia.",
    ]


def test_remote_mcp_sends_the_server_as_a_tool(
    api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    route = api.post("/interactions").respond(
        json=interaction(
            "int_mcp",
            {
                "type": "mcp_server_tool_call",
                "id": "mcp_1",
                "name": "get_forecast",
                "server_name": "weather_service",
                "arguments": {"city": "New York"},
            },
            {"type": "mcp_server_tool_result", "call_id": "mcp_1", "result": "Clear, 21 C"},
            answer("It is clear and 21 degrees in New York."),
        )
    )

    run_example("client_remote_mcp", monkeypatch=monkeypatch)

    assert sent(route)["tools"] == [
        {
            "type": "mcp_server",
            "name": "weather_service",
            "url": "https://gemini-api-demos.uc.r.appspot.com/mcp",
        }
    ]
    assert capsys.readouterr().out == "It is clear and 21 degrees in New York.\n"


@pytest.mark.parametrize(
    ("name", "model", "tools"),
    [
        ("client_structured_output", "gemini-2.5-flash", None),
        ("client_structured_output_with_tools", "gemini-3-pro-preview", [{"type": "url_context"}]),
    ],
)
def test_structured_output_sends_the_schema_as_a_json_text_format(
    api: respx.MockRouter,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    model: str,
    tools: list[dict[str, str]] | None,
) -> None:
    verdict = {"decision": {"reason": "Unsolicited prize with a link.", "spam_type": "scam"}}
    route = api.post("/interactions").respond(
        json=interaction("int_so", answer(json.dumps(verdict)))
    )

    module = run_example(name, monkeypatch=monkeypatch)

    body = sent(route)
    assert body["model"] == model
    assert body.get("tools") == tools
    assert body["response_format"] == {
        "type": "text",
        "mime_type": "application/json",
        "schema": module.ModerationResult.model_json_schema(),
    }
    assert "response_mime_type" not in body
    assert capsys.readouterr().out == (
        "decision=SpamDetails(reason='Unsolicited prize with a link.', spam_type='scam')\n"
    )


def test_generation_config_is_sent_as_given(
    api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    route = api.post("/interactions").respond(
        json=interaction("int_gc", answer("Once upon a time..."))
    )

    run_example("client_generation_config", monkeypatch=monkeypatch)

    assert sent(route)["generation_config"] == {
        "temperature": 0.7,
        "max_output_tokens": 500,
        "thinking_level": "low",
    }
    assert capsys.readouterr().out == "Once upon a time...\n"


# ---- multimodal input and output ------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "block_type", "mime_type", "prompt", "preamble"),
    [
        ("car.png", "image", "image/png", "Describe the image.", ""),
        ("speech.wav", "audio", "audio/wav", "What does this audio say?", ""),
        (
            "video.mp4",
            "video",
            "video/mp4",
            "What is happening in this video? Provide a timestamped summary.",
            "Analyzing video...\n",
        ),
        ("sample.pdf", "document", "application/pdf", "What is this document about?", ""),
    ],
)
def test_multimodal_input_sends_the_file_inline_as_base64(
    api: respx.MockRouter,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    filename: str,
    block_type: str,
    mime_type: str,
    prompt: str,
    preamble: str,
) -> None:
    media = tmp_path / filename
    media.write_bytes(b"\x00\x01 not really " + filename.encode())
    route = api.post("/interactions").respond(json=interaction("int_mm", answer("Understood.")))

    run_example("client_multimodal_input", str(media), monkeypatch=monkeypatch)

    block = {
        "type": block_type,
        "data": base64.b64encode(media.read_bytes()).decode(),
        "mime_type": mime_type,
    }
    assert sent(route)["input"] == [user_input(text(prompt), block)]
    assert capsys.readouterr().out == f"{preamble}Understood.\n"


def test_multimodal_input_defaults_to_the_bundled_car_image(
    api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    route = api.post("/interactions").respond(json=interaction("int_car", answer("A red car.")))

    run_example("client_multimodal_input", monkeypatch=monkeypatch)

    (step,) = sent(route)["input"]
    image = step["content"][1]
    assert base64.b64decode(image["data"]) == (EXAMPLES / "car.png").read_bytes()
    assert capsys.readouterr().out == "A red car.\n"


def test_multimodal_input_rejects_an_unknown_file_type_before_any_request(
    api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(SystemExit, match=r"unsupported file type: notes\.txt"):
        run_example("client_multimodal_input", "notes.txt", monkeypatch=monkeypatch)

    assert not api.calls


def test_remote_files_send_the_image_by_uri(
    api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    route = api.post("/interactions").respond(
        json=interaction(
            "int_uri",
            {"type": "thought", "signature": "c2ln"},
            answer("Two cats and a dog on a sofa."),
        )
    )

    module = run_example("client_remote_files", monkeypatch=monkeypatch)

    assert sent(route)["input"] == [
        user_input({"type": "image", "uri": module.IMAGE_URL}, text("Describe what you see."))
    ]
    assert capsys.readouterr().out == "Two cats and a dog on a sofa.\n"


def test_image_generation_asks_for_an_image_and_saves_it(
    api: respx.MockRouter,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    png = (EXAMPLES / "car.png").read_bytes()
    route = api.post("/interactions").respond(
        json=interaction(
            "int_img",
            {
                "type": "model_output",
                "content": [
                    text("Here is your city."),
                    {
                        "type": "image",
                        "mime_type": "image/png",
                        "data": base64.b64encode(png).decode(),
                    },
                ],
            },
        )
    )
    monkeypatch.chdir(tmp_path)

    run_example("client_image_generation", monkeypatch=monkeypatch)

    body = sent(route)
    assert body["response_format"] == {"type": "image"}
    assert "response_modalities" not in body
    assert (tmp_path / "generated_city.png").read_bytes() == png
    assert capsys.readouterr().out == "Generated image with mime_type: image/png\n"


# ---- agents -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("final", "last_lines"),
    [
        (
            load_json("response_background_deep_research_completed.json"),
            [
                "Status: completed",
                "",
                "Final Report:",
                " # TPU milestones",
                "",
                "1. 2016: TPU v1 announced ...",
            ],
        ),
        (
            {"id": "int_dr_5e6f7a8b9c", "status": "failed", "errors": [{"code": "internal"}]},
            ["Status: failed", "Failed with status: failed"],
        ),
    ],
    ids=["completed", "failed"],
)
def test_deep_research_starts_in_background_and_polls_until_final(
    api: respx.MockRouter,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    final: dict[str, Any],
    last_lines: list[str],
) -> None:
    in_progress = load_json("response_background_deep_research_in_progress.json")
    started = api.post("/interactions").respond(json=in_progress)
    polled = api.get("/interactions/int_dr_5e6f7a8b9c").mock(
        side_effect=replies(in_progress, final)
    )
    module = load_example("client_deep_research_polling")
    monkeypatch.setattr(module, "POLL_INTERVAL_SECONDS", 0)

    module.main()

    assert sent(started) == {
        "input": "Research the history of the Google TPUs with a focus on 2025 and 2026.",
        "agent": "deep-research-pro-preview-12-2025",
        "background": True,
    }
    assert polled.call_count == 2
    assert capsys.readouterr().out.splitlines() == [
        "Research started. Interaction ID: int_dr_5e6f7a8b9c",
        "Status: in_progress",
        *last_lines,
    ]
