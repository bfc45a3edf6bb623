"""`DemoModel` behind the local server, driven by real `Agent`s: tools, results,
structured output, memory, background research and summaries.

`Agent.run` refuses to run inside an event loop, so these are plain sync tests.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

import jsonschema
import pytest
from pydantic import BaseModel

from agentloop import Agent, BackgroundProgress, tool
from agentloop.testing import DemoModel, InteractionsServer, ModelRequest

MODEL = "gemini-2.5-flash"
RESEARCH = "deep-research-pro-preview-12-2025"
TOPIC = "Research the history of the Google TPUs with a focus on 2025 and 2026."
TEMPERATURES = {"Paris": 18, "Tokyo": 24}


@pytest.fixture
def server() -> InteractionsServer:
    return InteractionsServer(DemoModel(), background_step_delay=0.02)


def make_agent(server: InteractionsServer, **options: Any) -> Agent:
    if "agent" not in options:
        options["model"] = MODEL
    return Agent(client=server.client(), **options)


@tool
def get_weather(city: str, unit: Literal["celsius", "fahrenheit"] = "celsius") -> dict[str, Any]:
    """Get the current weather in a city.

    Args:
        city: The city, e.g. Paris.
        unit: The temperature unit.
    """
    return {"city": city, "temperature": TEMPERATURES.get(city, 20), "conditions": "sunny"}


@tool
def get_forecast(city: str, days: int, unit: Literal["celsius", "fahrenheit"]) -> str:
    """Forecast the weather of a city for some days."""
    return f"{days} days of sun in {city} ({unit})"


@tool
def get_stock_price(ticker: str) -> float:
    """Look up the latest stock price of a company."""
    return 123.5


@tool
def lookup_person(name: str) -> str:
    """Look up a biography."""
    return f"{name} was a mathematician."


def request(text: str, **body: Any) -> ModelRequest:
    step = {"type": "user_input", "content": [{"type": "text", "text": text}]}
    return ModelRequest(body={"model": MODEL, **body}, history=[], input=[step])


# ---- tools ---------------------------------------------------------------------------


def test_tools_one_parallel_call_per_city(server: InteractionsServer) -> None:
    result = make_agent(server, tools=[get_weather]).run("What's the weather in Paris and Tokyo?")

    assert [(c.name, c.arguments) for c in result.tool_calls] == [
        ("get_weather", {"city": "Paris"}),
        ("get_weather", {"city": "Tokyo"}),
    ]
    assert [c.call_id for c in result.tool_calls] == ["call_1", "call_2"]
    first = result.interactions[0]
    assert len({c.interaction_id for c in result.tool_calls}) == 1  # one turn, in parallel
    kinds = [step.type for step in first.output_steps]
    assert kinds == ["thought", "function_call", "function_call"]
    assert first.output_steps[0].to_dict()["signature"]


def test_tools_answer_names_each_tool_and_result(server: InteractionsServer) -> None:
    result = make_agent(server, tools=[get_weather]).run("What's the weather in Paris and Tokyo?")

    assert result.status == "completed"
    lines = result.text.splitlines()
    assert "get_weather (Paris): city=Paris, temperature=18, conditions=sunny" in lines[1]
    assert "get_weather (Tokyo): city=Tokyo, temperature=24, conditions=sunny" in lines[2]


def test_tools_arguments_from_numbers_and_enums(server: InteractionsServer) -> None:
    agent = make_agent(server, tools=[get_forecast])

    result = agent.run("Give me a 3 day forecast for Rome in fahrenheit.")

    assert result.tool_calls[0].arguments == {"city": "Rome", "days": 3, "unit": "fahrenheit"}
    assert "3 days of sun in Rome (fahrenheit)" in result.text


def test_tools_chosen_by_name_and_description(server: InteractionsServer) -> None:
    agent = make_agent(server, tools=[get_weather, get_stock_price])

    result = agent.run("What is the stock price of Alphabet?")

    assert [(c.name, c.arguments) for c in result.tool_calls] == [
        ("get_stock_price", {"ticker": "Alphabet"})
    ]


def test_tools_fallback_calls_what_the_text_can_fill(server: InteractionsServer) -> None:
    result = make_agent(server, tools=[lookup_person]).run("Tell me about Ada Lovelace.")

    assert [c.arguments for c in result.tool_calls] == [{"name": "Ada Lovelace"}]


def test_tools_not_called_when_nothing_fits(server: InteractionsServer) -> None:
    result = make_agent(server, tools=[get_weather]).run("hello there")

    assert result.tool_calls == []
    assert result.text.startswith("Hello!")


def test_tools_call_ids_stay_unique_across_a_conversation(server: InteractionsServer) -> None:
    chat = make_agent(server, tools=[get_weather]).chat()

    chat.run("Weather in Paris and Tokyo?")
    second = chat.run("And in Rome?")

    assert [c.arguments for c in second.tool_calls] == [{"city": "Rome"}]
    ids = [c.call_id for r in chat.results for c in r.tool_calls]
    assert ids == ["call_1", "call_2", "call_3"]


def test_tools_work_in_the_legacy_dialect() -> None:
    server = InteractionsServer(DemoModel(), dialect="legacy")

    result = make_agent(server, tools=[get_weather]).run("Weather in Paris?")

    assert [c.arguments for c in result.tool_calls] == [{"city": "Paris"}]
    assert "temperature=18" in result.text


def test_same_request_same_answer() -> None:
    model = DemoModel()
    tools = [get_weather.to_wire()]

    first = model.respond(request("Weather in Paris and Tokyo?", tools=tools))
    again = model.respond(request("Weather in Paris and Tokyo?", tools=tools))

    assert first == again
    assert first[0]["type"] == "thought"
    assert "summary" not in first[0]  # only with thinking_summaries: "auto", as the API


# ---- structured output ---------------------------------------------------------------


class Meeting(BaseModel):
    title: str
    city: str
    attendees: list[str]
    duration_minutes: int
    priority: Literal["low", "normal", "high"]


class CityWeather(BaseModel):
    city: str
    temperature: float
    conditions: Literal["sunny", "cloudy", "rainy"]


class Forecast(BaseModel):
    cities: list[CityWeather]
    summary: str


def test_structured_output_filled_from_the_text(server: InteractionsServer) -> None:
    agent = make_agent(server, response_format=Meeting)

    result = agent.run(
        "Set up a high priority 45 minute planning meeting in Lisbon with Alice, Bob and Chen."
    )

    assert result.output == Meeting(
        title="High priority 45 minute planning meeting",
        city="Lisbon",
        attendees=["Alice", "Bob", "Chen"],
        duration_minutes=45,
        priority="high",
    )


def test_structured_output_with_tools_uses_their_results(server: InteractionsServer) -> None:
    agent = make_agent(server, tools=[get_weather], response_format=Forecast)

    result = agent.run("What's the weather in Paris and Tokyo?")

    assert len(result.tool_calls) == 2
    assert [(c.city, c.temperature, c.conditions) for c in result.output.cities] == [
        ("Paris", 18, "sunny"),
        ("Tokyo", 24, "sunny"),
    ]


NODE = {
    "type": "object",
    "properties": {
        "label": {"type": "string"},
        "children": {"$ref": "#/$defs/Node/properties/kids"},
    },
}
SCHEMAS: dict[str, tuple[str, dict[str, Any]]] = {
    "nested-enum-array": (
        "Plan a trip to Kyoto and Osaka for 2 people, budget category cheap.",
        {
            "type": "object",
            "properties": {
                "destinations": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "properties": {
                            "city": {"type": "string"},
                            "nights": {"type": "integer", "minimum": 1, "maximum": 14},
                        },
                        "required": ["city", "nights"],
                        "additionalProperties": False,
                    },
                },
                "travellers": {"type": "integer"},
                "budget": {"type": "string", "enum": ["luxury", "standard", "cheap"]},
                "contact": {"type": "object", "properties": {"email": {"type": "string"}}},
            },
            "required": ["destinations", "travellers", "budget", "contact"],
        },
    ),
    "anyof-moderation": (
        "Moderate: 'You won a free cruise! Click here to claim: www.definitely-a-scam.com'",
        {
            "type": "object",
            "properties": {
                "decision": {
                    "anyOf": [
                        {
                            "type": "object",
                            "properties": {
                                "reason": {"type": "string"},
                                "spam_type": {
                                    "type": "string",
                                    "enum": ["phishing", "scam", "unsolicited promotion"],
                                },
                            },
                            "required": ["reason", "spam_type"],
                        },
                        {
                            "type": "object",
                            "properties": {
                                "summary": {"type": "string"},
                                "is_safe": {"type": "boolean"},
                            },
                            "required": ["summary", "is_safe"],
                        },
                    ]
                }
            },
            "required": ["decision"],
        },
    ),
    "refs-bounds-consts": (
        "Rate the Louvre between 1 and 5.",
        {
            "$defs": {
                "Node": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "kids": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
                    },
                    "required": ["name", "kids"],
                }
            },
            "type": "object",
            "properties": {
                "rating": {"type": "number", "minimum": 1, "exclusiveMaximum": 5},
                "code": {"type": "string", "minLength": 6, "maxLength": 8},
                "kind": {"const": "review"},
                "note": {"type": ["string", "null"]},
                "when": {"type": "string", "format": "date-time"},
                "tree": {"$ref": "#/$defs/Node"},
                "pair": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]},
                "scores": {
                    "type": "array",
                    "items": {"type": "integer"},
                    "minItems": 3,
                    "uniqueItems": True,
                },
                "both": {
                    "allOf": [
                        {
                            "type": "object",
                            "properties": {"a": {"type": "integer"}},
                            "required": ["a"],
                        },
                        {"properties": {"b": {"type": "boolean"}}, "required": ["b"]},
                    ]
                },
            },
            "required": [
                "rating",
                "code",
                "kind",
                "note",
                "when",
                "tree",
                "pair",
                "scores",
                "both",
            ],
        },
    ),
    "top-level-array": (
        "Name three colours",
        {"type": "array", "items": {"type": "string", "enum": ["red", "green"]}, "minItems": 2},
    ),
}


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_structured_output_validates_against_the_schema(
    server: InteractionsServer, name: str
) -> None:
    text, schema = SCHEMAS[name]

    result = make_agent(server, response_format=schema).run(text)

    jsonschema.validate(result.output, schema)
    assert json.loads(result.text) == result.output


def test_structured_output_takes_values_the_user_said(server: InteractionsServer) -> None:
    text, schema = SCHEMAS["nested-enum-array"]

    output = make_agent(server, response_format=schema).run(text).output

    assert [d["city"] for d in output["destinations"]] == ["Kyoto", "Osaka"]
    assert output["travellers"] == 2
    assert output["budget"] == "cheap"
    assert output["contact"] == {"email": "demo@example.com"}


def test_structured_output_picks_the_union_member_the_text_fits(
    server: InteractionsServer,
) -> None:
    text, schema = SCHEMAS["anyof-moderation"]

    output = make_agent(server, response_format=schema).run(text).output

    assert output["decision"]["spam_type"] == "scam"


def test_structured_output_accepts_a_list_of_formats() -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    formats = [{"type": "text", "mime_type": "application/json", "schema": schema}]

    steps = DemoModel().respond(request("I'm flying to Berlin.", response_format=formats))

    assert json.loads(steps[-1]["content"][0]["text"]) == {"city": "Berlin"}


# ---- memory --------------------------------------------------------------------------


@pytest.mark.parametrize("store", [True, False], ids=["stateful", "stateless"])
def test_follow_up_recalls_what_the_user_said(server: InteractionsServer, store: bool) -> None:
    chat = make_agent(server, store=store).chat()

    chat.run("Hi! My name is Phil and my favourite city is Lisbon.")
    answer = chat.run("What is my name, and what is my favourite city?")

    assert answer.text == "Your name is Phil. Your favourite city is Lisbon."


def test_follow_up_recalls_an_earlier_question(server: InteractionsServer) -> None:
    agent = make_agent(server)
    first = agent.run("How tall is the Eiffel Tower?")

    again = agent.run("What did I ask?", previous_interaction_id=first.interaction_id)

    assert again.text == "Your last message was: “How tall is the Eiffel Tower?”"


def test_follow_up_summarises_history_and_tool_results(server: InteractionsServer) -> None:
    chat = make_agent(server, tools=[get_weather]).chat()
    chat.run("My name is Phil. What's the weather in Paris?")

    answer = chat.run("thanks, anything else?")

    assert "your name is Phil" in answer.text
    assert "get_weather returned city=Paris, temperature=18" in answer.text


def test_plain_answer_is_short_and_echoes_the_question(server: InteractionsServer) -> None:
    result = make_agent(server).run("What is the capital of France?")

    assert result.text.startswith("You asked: “What is the capital of France”.")
    assert "capital, france" in result.text


# ---- research and summaries ----------------------------------------------------------


def research_agent(server: InteractionsServer) -> Agent:
    return make_agent(
        server, agent=RESEARCH, background=True, poll_interval=0.01, poll_max_interval=0.02
    )


def test_research_in_background_shows_progress_then_completes(
    server: InteractionsServer,
) -> None:
    seen: list[BackgroundProgress] = []
    run = research_agent(server).start(TOPIC)
    assert run.status == "in_progress"

    result = run.wait(timeout=20, on_progress=seen.append)

    counts = [len(p.thoughts) for p in seen if p.status == "in_progress"]
    assert len(set(counts)) >= 3  # the thoughts appeared over several polls
    assert counts == sorted(counts)
    assert seen[-1].status == "completed"
    assert seen[-1].thoughts[0].startswith("Planning:")
    steps = [s.type for s in result.interaction.output_steps] if result.interaction else []
    assert steps.count("google_search_call") == steps.count("google_search_result") == 2
    assert result.text.startswith("# The history of the Google TPUs: research report")
    findings = [line for line in result.text.splitlines() if re.match(r"\d\. \*\*", line)]
    assert len(findings) == 5


def test_research_stream_replays_the_steps_as_they_appear(server: InteractionsServer) -> None:
    run = research_agent(server).start(TOPIC)

    events = list(run.stream())

    kinds = [e.event_type for e in events]
    assert kinds[0] == "interaction.created"
    assert kinds[-1] == "interaction.completed"
    started = [e.step.type for e in events if e.event_type == "step.start"]
    assert started[:3] == ["thought", "thought", "google_search_call"]
    assert started[-1] == "model_output"


@pytest.mark.parametrize("count", [3, 5, 7])
def test_summarizer_gives_exactly_the_bullets_asked(server: InteractionsServer, count: int) -> None:
    research = research_agent(server).run(TOPIC)

    summary = make_agent(server).run(
        f"Summarize the report in {count} bullets", previous_interaction_id=research.interaction_id
    )

    bullets = summary.text.splitlines()
    assert len(bullets) == count
    assert all(line.startswith("- ") for line in bullets)
    assert bullets[0].startswith("- Origins: Google TPUs began")


def test_summarizer_in_a_pipeline(server: InteractionsServer) -> None:
    pipeline = research_agent(server).then(
        make_agent(server), input="Summarize the report in five bullets"
    )

    result = pipeline.run(TOPIC)

    assert len(result.steps) == 2
    assert len(result.text.splitlines()) == 5
