"""Every `examples/agent_*.py` runs offline against respx: what it sends, what it prints.

Each test imports an example from its file, answers POST /interactions with scripted
bodies (JSON, or an event stream when the request asks for one), calls `main()`, then
checks the exact request bodies and the printed output. The examples use the blocking
`Agent.run` / `stream` / `start`, which refuse to run inside an event loop, so these
tests are plain sync functions.
"""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import httpx
import pytest
import respx
from conftest import load_json, sse_headers
from helpers.examples import (
    BUILTIN_REPLIES,
    EXAMPLES,
    MEDIA_RESEARCH_EXAMPLES,
    answer,
    interaction,
    load_example,
    text,
)

AGENT_EXAMPLES = (
    "agent_basic",
    "agent_builtin_tools",
    "agent_conversation_stateful",
    "agent_conversation_stateless",
    "agent_deep_research",
    "agent_function_calling",
    "agent_function_calling_stateless",
    "agent_generation_config",
    "agent_remote_mcp",
    "agent_streaming",
    "agent_structured_output",
    "agent_structured_output_with_tools",
)
MODERATE = (
    "Moderate the following content: 'Congratulations! You've won a free cruise. "
    "Click here to claim your prize: www.definitely-not-a-scam.com'"
)
MODERATION_SCHEMA = {
    "type": "object",
    "properties": {
        "decision": {
            "anyOf": [
                {
                    "type": "object",
                    "properties": {
                        "reason": {
                            "type": "string",
                            "description": "The reason why the content is considered spam.",
                        },
                        "spam_type": {
                            "type": "string",
                            "enum": ["phishing", "scam", "unsolicited promotion", "other"],
                        },
                    },
                    "required": ["reason", "spam_type"],
                },
                {
                    "type": "object",
                    "properties": {
                        "summary": {
                            "type": "string",
                            "description": "A brief summary of the content.",
                        },
                        "is_safe": {
                            "type": "boolean",
                            "description": "Whether the content is safe for all audiences.",
                        },
                    },
                    "required": ["summary", "is_safe"],
                },
            ]
        }
    },
    "required": ["decision"],
}
JSON_FORMAT = {"type": "text", "mime_type": "application/json", "schema": MODERATION_SCHEMA}


# ---- helpers -------------------------------------------------------------------------


def run_example(name: str) -> ModuleType:
    module = load_example(name)
    module.main()
    return module


def user_input(value: str) -> dict[str, Any]:
    return {"type": "user_input", "content": [text(value)]}


def thought(signature: str) -> dict[str, str]:
    return {"type": "thought", "signature": signature}


def function_call(id: str, name: str, **arguments: Any) -> dict[str, Any]:
    return {"type": "function_call", "id": id, "name": name, "arguments": arguments}


def sse(*events: dict[str, Any]) -> bytes:
    """An event-stream body; event ids are numbered in order."""
    return b"".join(
        f"data: {json.dumps({**event, 'event_id': f'evt_{n:02d}'})}\n\n".encode()
        for n, event in enumerate(events, 1)
    )


def streamed(
    id: str,
    *steps: tuple[dict[str, Any], list[dict[str, Any]]],
    status: str = "completed",
    total_tokens: int = 0,
) -> bytes:
    """An interaction as the event stream a server sends: each step is `(step, deltas)`."""
    events: list[dict[str, Any]] = [
        {"event_type": "interaction.created", "interaction": {"id": id, "status": "in_progress"}}
    ]
    for index, (step, deltas) in enumerate(steps):
        events.append({"event_type": "step.start", "index": index, "step": step})
        events.extend({"event_type": "step.delta", "index": index, "delta": d} for d in deltas)
        events.append({"event_type": "step.stop", "index": index})
    final = {"id": id, "status": status, "usage": {"total_tokens": total_tokens}}
    events.append({"event_type": "interaction.completed", "interaction": final})
    return sse(*events)


def arguments_delta(fragment: str) -> dict[str, str]:
    return {"type": "arguments_delta", "arguments": fragment}


class Script:
    """Answers each POST /interactions with the next reply, in order; records the bodies."""

    def __init__(self, router: respx.MockRouter, *replies: dict[str, Any] | bytes) -> None:
        self.replies = list(replies)
        self.bodies: list[Any] = []
        self.route = router.post("/interactions").mock(side_effect=self._reply)

    def _reply(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(request.content))
        assert self.replies, f"unexpected extra request: {self.bodies[-1]}"
        reply = self.replies.pop(0)
        if isinstance(reply, bytes):
            assert request.headers["accept"] == "text/event-stream"
            return httpx.Response(200, headers=sse_headers(), content=reply)
        return httpx.Response(200, json=reply)

    def done(self) -> list[Any]:
        """The bodies sent, once every reply was used."""
        assert not self.replies, f"{len(self.replies)} scripted replies left unused"
        return self.bodies


# ---- the set of examples -------------------------------------------------------------


def test_every_agent_example_is_listed_here() -> None:
    # The media and research examples (background, files, multimodal, ...) have their
    # own tests: test_agent_media_research_examples.py.
    found = {path.stem for path in EXAMPLES.glob("agent_*.py")}
    assert found - set(MEDIA_RESEARCH_EXAMPLES) == set(AGENT_EXAMPLES)


@pytest.mark.parametrize("name", AGENT_EXAMPLES)
def test_agent_example_is_a_runnable_script_that_names_its_guide_section(name: str) -> None:
    module = load_example(name)
    source = (EXAMPLES / f"{name}.py").read_text()
    doc = module.__doc__ or ""
    assert doc.startswith("The guide's \"")
    assert "Agent" in doc.split("\n\n")[0]  # "... as an Agent", "... as Agents"
    assert "GEMINI_API_KEY" in doc
    assert "AGENTLOOP_BASE_URL" in doc
    assert f"python examples/{name}.py" in doc
    assert "from agentloop import " in source
    assert "Client" not in source
    assert "from google" not in source
    assert source.endswith('\n\nif __name__ == "__main__":\n    main()\n')


# ---- basic interactions and conversations --------------------------------------------


def test_basic_sends_the_prompt_and_prints_the_answer(
    api: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    script = Script(api, load_json("response_completed_text.json"))

    run_example("agent_basic")

    assert script.done() == [
        {"model": "gemini-2.5-flash", "input": "Tell me a short joke about programming."}
    ]
    assert script.route.calls.last.request.headers["x-goog-api-key"] == "test-key"
    assert capsys.readouterr().out == "Paris is the capital of France.\n"


def test_basic_runs_keyless_against_a_local_server_from_agentloop_base_url(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AGENTLOOP_BASE_URL", "http://127.0.0.1:8765")
    with respx.mock(using="httpx", base_url="http://127.0.0.1:8765/v1beta") as local:
        script = Script(local, interaction("int_local", answer("Hi")))
        run_example("agent_basic")

    assert "x-goog-api-key" not in script.route.calls.last.request.headers
    assert capsys.readouterr().out == "Hi\n"


def test_stateful_conversation_continues_with_previous_interaction_id(
    api: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    script = Script(
        api,
        interaction("int_turn1", thought("c2lnLTE="), answer("Nice to meet you, Phil!")),
        interaction("int_turn2", answer("Your name is Phil.")),
    )

    run_example("agent_conversation_stateful")

    assert script.done() == [
        {"model": "gemini-2.5-flash", "input": "Hi, my name is Phil."},
        {
            "model": "gemini-2.5-flash",
            "previous_interaction_id": "int_turn1",
            "input": "What is my name?",
        },
    ]
    assert capsys.readouterr().out == "Model: Nice to meet you, Phil!\nModel: Your name is Phil.\n"


def test_stateless_conversation_sends_the_whole_history_with_thoughts(
    api: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    script = Script(
        api,
        interaction("int_a", thought("c2lnLTE="), answer("Madrid, Barcelona and Valencia.")),
        interaction("int_b", answer("The Sagrada Familia.")),
    )

    run_example("agent_conversation_stateless")

    question1 = user_input("What are the three largest cities in Spain?")
    question2 = user_input("What is the most famous landmark in the second one?")
    assert script.done() == [
        {"model": "gemini-2.5-flash", "store": False, "input": [question1]},
        {
            "model": "gemini-2.5-flash",
            "store": False,
            "input": [
                question1,
                thought("c2lnLTE="),
                answer("Madrid, Barcelona and Valencia."),
                question2,
            ],
        },
    ]
    assert capsys.readouterr().out == (
        "Model: Madrid, Barcelona and Valencia.\nModel: The Sagrada Familia.\n"
    )


# ---- function calling ----------------------------------------------------------------

GET_WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Gets the weather for a given location.",
    "parameters": {
        "type": "object",
        "properties": {
            "location": {
                "type": "string",
                "description": "The city and state, e.g. San Francisco, CA.",
            }
        },
        "required": ["location"],
    },
}
SCHEDULE_MEETING = {
    "type": "function",
    "name": "schedule_meeting",
    "description": "Schedules a meeting with specified attendees at a given time and date.",
    "parameters": {
        "type": "object",
        "properties": {
            "attendees": {
                "type": "array",
                "items": {"type": "string"},
                "description": "The people to invite.",
            },
            "date": {"type": "string", "description": "Date of the meeting (e.g., 2024-07-29)."},
            "time": {"type": "string", "description": "Time of the meeting (e.g., 15:00)."},
            "topic": {"type": "string", "description": "The subject of the meeting."},
        },
        "required": ["attendees", "date", "time", "topic"],
    },
}


def test_function_calling_runs_the_tool_and_continues_on_the_server(
    api: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    script = Script(
        api,
        interaction(
            "int_fc1",
            thought("c2ln"),
            function_call("fc_1", "get_weather", location="Paris"),
            status="requires_action",
        ),
        interaction("int_fc2", answer("It is sunny in Paris.")),
    )

    run_example("agent_function_calling")

    first, second = script.done()
    assert first == {
        "model": "gemini-2.5-flash",
        "tools": [GET_WEATHER],
        "input": "What is the weather in Paris?",
    }
    # Only the result goes back; the server holds the rest. Tools are declared again,
    # since they do not carry over from the previous interaction.
    assert second == {
        "model": "gemini-2.5-flash",
        "tools": [GET_WEATHER],
        "previous_interaction_id": "int_fc1",
        "input": [
            {
                "type": "function_result",
                "call_id": "fc_1",
                "name": "get_weather",
                "result": "The weather in Paris is sunny.",
            }
        ],
    }
    assert capsys.readouterr().out == (
        "Tool Call: get_weather({'location': 'Paris'}) -> 'The weather in Paris is sunny.'\n"
        "Response: It is sunny in Paris.\n"
    )


def test_function_calling_tells_the_model_when_its_arguments_are_wrong(
    api: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    script = Script(
        api,
        interaction(
            "int_bad", function_call("fc_1", "get_weather", city="Paris"), status="requires_action"
        ),
        interaction(
            "int_retry",
            function_call("fc_2", "get_weather", location="Paris"),
            status="requires_action",
        ),
        interaction("int_ok", answer("Sunny.")),
    )

    run_example("agent_function_calling")

    error_result = script.done()[1]["input"][0]
    assert error_result["call_id"] == "fc_1"
    assert error_result["is_error"] is True
    assert error_result["result"].startswith("Invalid arguments for 'get_weather': location: ")
    assert capsys.readouterr().out.splitlines()[1:] == [
        "Tool Call: get_weather({'location': 'Paris'}) -> 'The weather in Paris is sunny.'",
        "Response: Sunny.",
    ]


def test_function_calling_stateless_resends_the_history_with_the_result(
    api: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    call = function_call(
        "call_sm1",
        "schedule_meeting",
        attendees=["Peter", "Amir"],
        date="2025-11-01",
        time="10:00",
        topic="Next Gen API",
    )
    script = Script(
        api,
        interaction("int_m1", thought("bWVldGluZw=="), call, status="requires_action"),
        interaction("int_m2", thought("ZG9uZQ=="), answer("Your meeting is booked.")),
    )

    run_example("agent_function_calling_stateless")

    request = user_input(
        "Schedule a meeting for 2025-11-01 at 10 am with Peter and Amir about the Next Gen API."
    )
    scheduled = "Meeting on 'Next Gen API' scheduled for 2025-11-01 at 10:00 with Peter, Amir."
    first, second = script.done()
    assert first == {
        "model": "gemini-2.5-flash",
        "tools": [SCHEDULE_MEETING],
        "store": False,
        "input": [request],
    }
    assert second == {
        "model": "gemini-2.5-flash",
        "tools": [SCHEDULE_MEETING],
        "store": False,
        "input": [
            request,
            thought("bWVldGluZw=="),
            call,
            {
                "type": "function_result",
                "call_id": "call_sm1",
                "name": "schedule_meeting",
                "result": scheduled,
            },
        ],
    }
    assert capsys.readouterr().out.splitlines() == [
        f"Function call: schedule_meeting with arguments {call['arguments']}",
        f"Function result: {scheduled}",
        "Final response: Your meeting is booked.",
    ]


# ---- built-in tools and MCP ----------------------------------------------------------


def test_builtin_tools_are_declared_and_only_the_answer_is_printed(
    api: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    script = Script(api, *BUILTIN_REPLIES.values())

    run_example("agent_builtin_tools")

    assert script.done() == [
        {
            "model": "gemini-2.5-flash",
            "tools": [{"type": "google_search"}],
            "input": "Who won the last Super Bowl?",
        },
        {
            "model": "gemini-2.5-flash",
            "tools": [{"type": "code_execution"}],
            "input": "Calculate the 50th Fibonacci number.",
        },
        {
            "model": "gemini-2.5-flash",
            "tools": [{"type": "url_context"}],
            "input": "Summarize the content of https://www.wikipedia.org/",
        },
    ]
    assert capsys.readouterr().out.splitlines() == [
        "Spain won Euro 2024, beating England 2-1 in the final.",
        "The 50th Fibonacci number is 12586269025.",
        "Wikipedia is a free online encyclopedia.",
    ]


def test_remote_mcp_declares_the_server_as_a_tool(
    api: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    script = Script(
        api,
        interaction(
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
        ),
    )

    run_example("agent_remote_mcp")

    assert script.done() == [
        {
            "model": "gemini-2.5-flash",
            "tools": [
                {
                    "type": "mcp_server",
                    "name": "weather_service",
                    "url": "https://gemini-api-demos.uc.r.appspot.com/mcp",
                }
            ],
            "input": "What is the weather like in New York today?",
        }
    ]
    assert capsys.readouterr().out == "It is clear and 21 degrees in New York.\n"


# ---- structured output ---------------------------------------------------------------

SPAM = {"decision": {"reason": "Unsolicited prize with a link.", "spam_type": "scam"}}
SPAM_PRINTED = "decision=SpamDetails(reason='Unsolicited prize with a link.', spam_type='scam')\n"


@pytest.mark.parametrize(
    ("name", "head"),
    [
        ("agent_structured_output", {"model": "gemini-2.5-flash"}),
        (
            "agent_structured_output_with_tools",
            {"model": "gemini-3-pro-preview", "tools": [{"type": "url_context"}]},
        ),
    ],
)
def test_structured_output_sends_the_schema_and_parses_the_answer(
    api: respx.MockRouter, capsys: pytest.CaptureFixture[str], name: str, head: dict[str, Any]
) -> None:
    script = Script(api, interaction("int_so", answer(json.dumps(SPAM))))

    module = run_example(name)

    assert script.done() == [{**head, "response_format": JSON_FORMAT, "input": MODERATE}]
    assert capsys.readouterr().out == SPAM_PRINTED
    assert module.ModerationResult.model_validate(SPAM).decision.spam_type == "scam"


def test_structured_output_sends_an_invalid_answer_back_once_with_the_errors(
    api: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    script = Script(
        api,
        interaction("int_bad", answer('{"decision": {"spam_type": "scam"}}')),
        interaction("int_good", answer(json.dumps(SPAM))),
    )

    run_example("agent_structured_output")

    retry = script.done()[1]
    assert retry["previous_interaction_id"] == "int_bad"
    assert retry["response_format"] == JSON_FORMAT
    assert retry["input"].startswith("Your answer did not match the required JSON schema: ")
    assert "decision.SpamDetails.reason: Field required" in retry["input"]
    assert capsys.readouterr().out == SPAM_PRINTED


# ---- streaming -----------------------------------------------------------------------


def test_streaming_prints_tool_events_then_thoughts_and_text_in_order(
    api: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    tool_round = streamed(
        "int_st1",
        (thought("c2ln"), []),
        (
            {"type": "function_call", "id": "call_w1", "name": "get_weather", "arguments": {}},
            [arguments_delta('{"city": '), arguments_delta('"Paris"}')],
        ),
        status="requires_action",
        total_tokens=60,
    )
    answer_round = streamed(
        "int_st2",
        (
            {"type": "thought"},
            [{"type": "thought_summary", "content": text("Reading the forecast. ")}],
        ),
        ({"type": "model_output"}, [text("It is sunny "), text("and 21 °C in Paris.")]),
        total_tokens=40,
    )
    script = Script(api, tool_round, answer_round)

    run_example("agent_streaming")

    declaration = {
        "type": "function",
        "name": "get_weather",
        "description": "Gets the current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "The city's name, e.g. Paris."}
            },
            "required": ["city"],
        },
    }
    common = {
        "model": "gemini-2.5-flash",
        "tools": [declaration],
        "generation_config": {"thinking_summaries": "auto"},
        "stream": True,
    }
    assert script.done() == [
        {**common, "input": "What's the weather like in Paris? Answer in one sentence."},
        {
            **common,
            "previous_interaction_id": "int_st1",
            "input": [
                {
                    "type": "function_result",
                    "call_id": "call_w1",
                    "name": "get_weather",
                    "result": {"city": "Paris", "sky": "sunny", "temp_c": 21},
                }
            ],
        },
    ]
    assert capsys.readouterr().out == (
        "-> get_weather({'city': 'Paris'})\n"
        "<- get_weather: {'city': 'Paris', 'sky': 'sunny', 'temp_c': 21}\n"
        "Reading the forecast. It is sunny and 21 °C in Paris.\n\n"
        "--- Stream Finished ---\n"
        "Total Tokens: 100\n"
    )


# ---- configuration -------------------------------------------------------------------


def test_generation_config_is_sent_as_given(
    api: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    script = Script(api, interaction("int_gc", answer("Once upon a time...")))

    run_example("agent_generation_config")

    assert script.done() == [
        {
            "model": "gemini-2.5-flash",
            "generation_config": {
                "temperature": 0.7,
                "max_output_tokens": 500,
                "thinking_level": "low",
            },
            "input": "Tell me a story about a brave knight.",
        }
    ]
    assert capsys.readouterr().out == "Once upon a time...\n"


# ---- Deep Research in the background -------------------------------------------------

RESEARCH = "Research the history of the Google TPUs with a focus on 2025 and 2026."


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
            interaction(
                "int_dr_5e6f7a8b9c",
                status="failed",
                errors=[{"code": "internal", "message": "research failed"}],
            ),
            ["Status: failed", "Failed with status: failed"],
        ),
        (
            interaction("int_dr_5e6f7a8b9c", status="cancelled"),
            ["Status: cancelled", "Failed with status: cancelled"],
        ),
    ],
    ids=["completed", "failed", "cancelled"],
)
def test_deep_research_starts_in_the_background_and_polls_until_it_ends(
    api: respx.MockRouter,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    final: dict[str, Any],
    last_lines: list[str],
) -> None:
    in_progress = load_json("response_background_deep_research_in_progress.json")
    script = Script(api, in_progress)
    polled = api.get("/interactions/int_dr_5e6f7a8b9c").mock(
        side_effect=[httpx.Response(200, json=in_progress), httpx.Response(200, json=final)]
    )
    module = load_example("agent_deep_research")
    monkeypatch.setattr(module, "POLL_INTERVAL", 0.0)

    module.main()

    assert script.done() == [
        {"agent": "deep-research-pro-preview-12-2025", "background": True, "input": RESEARCH}
    ]
    assert polled.call_count == 2
    assert capsys.readouterr().out.splitlines() == [
        "Research started. Interaction ID: int_dr_5e6f7a8b9c",
        "Status: in_progress",
        *last_lines,
    ]
