"""Dispatch: concurrent, ordered, validated, time-bounded; every failure is a result.

A unit test of the private `dispatch_calls` (the agent runs it once per turn), hence
its private import; everything else comes from `agentloop` and `agentloop.types`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from agentloop import (
    FunctionTool,
    ToolContext,
    ToolExecutionError,
    ToolRetry,
    UnknownToolError,
    tool,
)
from agentloop._tools.dispatch import ToolCallOutcome, dispatch_calls
from agentloop.types import FunctionCallStep

pytestmark = pytest.mark.anyio


def call(name: str, call_id: str = "c1", **arguments: Any) -> FunctionCallStep:
    return FunctionCallStep(id=call_id, name=name, arguments=arguments)


def context_for(step: FunctionCallStep) -> ToolContext[Any]:
    return ToolContext(call_id=step.id, tool_name=step.name, interaction_id="int_1", deps={"db": 1})


async def run(
    calls: list[FunctionCallStep], *tools: FunctionTool[..., Any], **options: Any
) -> list[ToolCallOutcome]:
    return await dispatch_calls(
        calls, {t.name: t for t in tools}, make_context=context_for, **options
    )


@tool
def get_weather(city: str, unit: Literal["c", "f"] = "c") -> dict[str, Any]:
    """Current weather for a city.

    Args:
        city: The city name.
        unit: Temperature unit.
    """
    return {"city": city, "temp": 18 if unit == "c" else 64}


async def test_results_come_back_in_call_order_with_call_ids() -> None:
    outcomes = await run(
        [call("get_weather", "a", city="Paris"), call("get_weather", "b", city="Tokyo", unit="f")],
        get_weather,
    )
    assert [o.result for o in outcomes] == [
        {
            "type": "function_result",
            "call_id": "a",
            "name": "get_weather",
            "result": {"city": "Paris", "temp": 18},
        },
        {
            "type": "function_result",
            "call_id": "b",
            "name": "get_weather",
            "result": {"city": "Tokyo", "temp": 64},
        },
    ]
    assert not any(o.is_error for o in outcomes)


@pytest.mark.parametrize("kind", ["async", "sync"])
async def test_calls_run_concurrently(kind: str) -> None:
    spans: list[tuple[float, float]] = []

    if kind == "async":

        @tool
        async def slow(n: int) -> int:
            """Sleep, then echo."""
            start = time.perf_counter()
            await anyio.sleep(0.2)
            spans.append((start, time.perf_counter()))
            return n

    else:

        @tool
        def slow(n: int) -> int:
            """Sleep in a thread, then echo."""
            start = time.perf_counter()
            time.sleep(0.2)
            spans.append((start, time.perf_counter()))
            return n

    started = time.perf_counter()
    outcomes = await run([call("slow", f"c{i}", n=i) for i in range(4)], slow)
    elapsed = time.perf_counter() - started
    assert [o.result["result"] for o in outcomes] == [{"result": i} for i in range(4)]
    # every call started before any finished: they overlapped
    assert max(start for start, _ in spans) < min(end for _, end in spans)
    assert elapsed < 0.8


async def test_concurrency_limit_is_respected() -> None:
    running = 0
    peak = 0

    @tool
    async def busy() -> str:
        """Track concurrency."""
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await anyio.sleep(0.02)
        running -= 1
        return "ok"

    await run([call("busy", f"c{i}") for i in range(6)], busy, max_concurrency=2)
    assert peak == 2


async def test_unknown_tool_lists_the_available_ones() -> None:
    [outcome] = await run([call("get_wether", city="Paris")], get_weather)
    assert outcome.result["is_error"] is True
    assert "Unknown tool 'get_wether'" in outcome.result["result"]
    assert "get_weather" in outcome.result["result"]
    assert isinstance(outcome.error, UnknownToolError)


async def test_invalid_arguments_are_explained_field_by_field() -> None:
    calls = 0

    @tool
    def strict(city: str, unit: Literal["c", "f"]) -> str:
        """Needs both."""
        nonlocal calls
        calls += 1
        return "never"

    [outcome] = await run([call("strict", unit="kelvin")], strict)
    message = outcome.result["result"]
    assert outcome.result["is_error"] is True
    assert "city" in message
    assert "unit" in message
    assert calls == 0


async def test_streamed_arguments_that_were_not_json_are_reported() -> None:
    step = FunctionCallStep(id="c", name="get_weather", arguments={}, arguments_error="bad json")
    [outcome] = await run([step], get_weather)
    assert "bad json" in outcome.result["result"]
    assert outcome.is_error


async def test_handler_exception_becomes_an_error_result() -> None:
    @tool
    def broken(city: str) -> str:
        """Always fails."""
        raise ValueError(f"no data for {city}")

    [outcome] = await run([call("broken", city="Oz")], broken)
    assert outcome.result["result"] == "Tool 'broken' failed: ValueError: no data for Oz"
    assert isinstance(outcome.error, ToolExecutionError)
    assert isinstance(outcome.error.__cause__, ValueError)


async def test_tool_retry_sends_its_message_as_is() -> None:
    @tool
    async def picky(city: str) -> str:
        """Wants a name."""
        raise ToolRetry("Use a city name, not a postcode.")

    [outcome] = await run([call("picky", city="75001")], picky)
    assert outcome.result["result"] == "Use a city name, not a postcode."
    assert outcome.result["is_error"] is True


async def test_raise_mode_raises_the_first_failure_after_all_calls_finish() -> None:
    finished: list[str] = []

    @tool
    async def flaky(n: int) -> int:
        """Fails for odd n."""
        await anyio.sleep(0.01 * (3 - n))
        finished.append(str(n))
        if n % 2:
            raise RuntimeError(f"odd {n}")
        return n

    with pytest.raises(ToolExecutionError, match="odd 1") as caught:
        await run([call("flaky", f"c{i}", n=i) for i in range(3)], flaky, tool_errors="raise")
    assert sorted(finished) == ["0", "1", "2"]
    assert caught.value.call_id == "c1"


@pytest.mark.parametrize("kind", ["async", "sync"])
async def test_timeouts_become_error_results(kind: str) -> None:
    if kind == "async":

        @tool(timeout=0.05)
        async def hang() -> str:
            """Never returns in time."""
            await anyio.sleep(10)
            return "late"

    else:

        @tool(timeout=0.05)
        def hang() -> str:
            """Blocks a worker thread for a while."""
            time.sleep(0.3)
            return "late"

    started = time.perf_counter()
    [outcome] = await run([call("hang")], hang)
    assert time.perf_counter() - started < 0.3
    assert outcome.result["result"] == "Tool 'hang' timed out after 0.05 s and was stopped."
    assert outcome.is_error


async def test_agent_level_timeout_applies_to_tools_without_their_own() -> None:
    @tool
    async def hang() -> str:
        """Never returns in time."""
        await anyio.sleep(10)
        return "late"

    [outcome] = await run([call("hang")], hang, timeout=0.02)
    assert "timed out after 0.02 s" in outcome.result["result"]


async def test_cancellation_propagates_and_stops_the_tools() -> None:
    cancelled = anyio.Event()

    @tool
    async def forever() -> str:
        """Runs until cancelled."""
        try:
            await anyio.sleep(10)
        finally:
            cancelled.set()
        return "never"

    with anyio.move_on_after(0.05) as scope:
        await run([call("forever", "a"), call("forever", "b")], forever)
    assert scope.cancelled_caught
    assert cancelled.is_set()


async def test_context_is_injected_and_hidden_from_the_model() -> None:
    @tool
    def whoami(city: str, ctx: ToolContext[dict[str, int]]) -> str:
        """Reports its context."""
        return f"{ctx.call_id}/{ctx.interaction_id}/{ctx.deps['db']}/{city}"

    assert "ctx" not in whoami.parameters["properties"]
    [outcome] = await run([call("whoami", "c9", city="Rome")], whoami)
    assert outcome.result["result"] == "c9/int_1/1/Rome"


class Report(BaseModel):
    title: str
    score: float


@dataclass
class Point:
    x: int
    y: int


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain", "plain"),
        (None, ""),
        (Report(title="t", score=0.5), {"title": "t", "score": 0.5}),
        (Point(1, 2), {"x": 1, "y": 2}),
        ({"a": [1, 2]}, {"a": [1, 2]}),
        ([1, 2], {"result": [1, 2]}),
        (42, {"result": 42}),
        (True, {"result": True}),
        (
            b"\x89PNG\r\n\x1a\n",
            [{"type": "image", "data": "iVBORw0KGgo=", "mime_type": "image/png"}],
        ),
        (
            ["caption", b"%PDF-1.7"],
            [
                {"type": "text", "text": "caption"},
                {"type": "document", "data": "JVBERi0xLjc=", "mime_type": "application/pdf"},
            ],
        ),
    ],
)
async def test_return_values_become_result_json(value: Any, expected: Any) -> None:
    @tool
    def give() -> Any:
        """Returns the value under test."""
        return value

    [outcome] = await run([call("give")], give)
    assert outcome.result["result"] == expected
    assert not outcome.is_error


@pytest.mark.parametrize("value", [object(), b"\x00\x01unknown"])
async def test_unsendable_return_values_are_errors(value: Any) -> None:
    @tool
    def give() -> Any:
        """Returns the value under test."""
        return value

    [outcome] = await run([call("give")], give)
    assert outcome.is_error
    assert "cannot be sent" in outcome.result["result"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.text(max_size=8),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(st.text(max_size=5), inner, max_size=3)
            ),
            max_leaves=8,
        ),
        max_size=5,
    )
)
def test_random_arguments_never_crash_dispatch(arguments: dict[str, Any]) -> None:
    async def main() -> ToolCallOutcome:
        step = FunctionCallStep(id="c1", name="get_weather", arguments=arguments)
        [outcome] = await run([step], get_weather)
        return outcome

    outcome = anyio.run(main)
    assert outcome.result["call_id"] == "c1"
    assert isinstance(outcome.result["result"], dict | str)


async def test_a_list_of_content_dicts_is_sent_as_content() -> None:
    blocks = [
        {"type": "text", "text": "a chart:"},
        {"type": "image", "uri": "files/x", "mime_type": "image/png"},
    ]

    @tool
    def chart() -> list[dict[str, str]]:
        """Returns content blocks."""
        return blocks

    [outcome] = await run([call("chart")], chart)
    assert outcome.result["result"] == blocks
