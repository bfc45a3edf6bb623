"""Bad model output is a result the model can read, on the JSON and the stream path:
arguments that are not an object, not JSON, too deep or too large, and call ids
used twice become `is_error` results; a call without an id, which no result can
answer, is a typed `ResponseValidationError`. `RecursionError` never escapes."""

from __future__ import annotations

from typing import Any

import pytest

from agentloop import ResponseValidationError, RunFinishedEvent, RunResult

from .conftest import Counting, make_agent
from .hostile import HostileServer, Raw

pytestmark = pytest.mark.anyio

DEEP = Raw('{"a":' * 10_000 + "1" + "}" * 10_000)
BAD_ARGUMENTS: dict[str, tuple[Any, str]] = {
    "list": ([1, 2], "not a JSON object"),
    "string": ("1 + 2", "not a JSON object"),
    "number": (3, "not a JSON object"),
    "deep_10000": (DEEP, "nested too deeply"),
    "deep_100": (Raw('{"a":' * 100 + "1" + "}" * 100), "nested too deeply"),
    "large": ({"a": "x" * 1_100_000}, "too large"),
}


async def run(server: HostileServer, counting: Counting, *, stream: bool) -> RunResult[str]:
    agent, client = make_agent(server, counting)
    async with client:
        if not stream:
            return await agent.arun("add")
        events = [event async for event in agent.astream("add")]
    final = events[-1]
    assert isinstance(final, RunFinishedEvent)
    return final.result


def posted_results(server: HostileServer) -> list[dict[str, Any]]:
    return [
        step
        for request in server.requests
        if request.call_ids
        for step in request.body["input"]
        if step.get("type") == "function_result"
    ]


def call(call_id: str, arguments: Any) -> dict[str, Any]:
    return {"type": "function_call", "id": call_id, "name": "add", "arguments": arguments}


@pytest.mark.parametrize("case", list(BAD_ARGUMENTS))
@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
async def test_bad_arguments_are_an_error_result(
    server: HostileServer, case: str, stream: bool
) -> None:
    arguments, message = BAD_ARGUMENTS[case]
    server.chunk = 4096  # fewer, larger deltas for the big cases
    server.turns.append([call("bad", arguments), call("good", {"a": 1, "b": 2})])
    counting = Counting()
    result = await run(server, counting, stream=stream)

    assert result.text == "sum=3"
    assert dict(counting.executions) == {"good": 1}
    bad, good = posted_results(server)
    assert bad["call_id"] == "bad"
    assert bad["is_error"] is True
    assert message in bad["result"]
    assert len(bad["result"]) < 2000
    assert (good["call_id"], good["result"], good.get("is_error")) == ("good", {"result": 3}, None)


@pytest.mark.parametrize("raw", ["{not json", '{"a": 1', "", "nul"])
async def test_streamed_arguments_that_are_not_json_are_an_error_result(
    server: HostileServer, raw: str
) -> None:
    server.turns.append([call("bad", Raw(raw))])
    counting = Counting()
    # The JSON path cannot carry such arguments; only the stream's deltas can.
    result = await run(server, counting, stream=True)
    (bad,) = posted_results(server)
    if raw == "":
        # No arguments at all are `{}`: the tool's own validation answers.
        assert "Invalid arguments" in bad["result"]
    else:
        assert "not valid JSON" in bad["result"]
    assert bad["is_error"] is True
    assert not counting.executions
    assert result.text == "sum=0"


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
async def test_a_call_id_used_twice_is_answered_once_with_an_error(
    server: HostileServer, stream: bool
) -> None:
    server.turns.append(
        [call("twin", {"a": 1, "b": 1}), call("twin", {"a": 2, "b": 2}), call("solo", {"a": 0})]
    )
    counting = Counting()
    result = await run(server, counting, stream=stream)

    twin, solo = posted_results(server)
    assert twin["call_id"] == "twin"
    assert twin["is_error"] is True
    assert "share the call_id" in twin["result"]
    assert solo["call_id"] == "solo"
    assert "twin" not in counting.executions
    assert result.text == "sum=0"


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
async def test_a_call_without_an_id_is_a_bounded_validation_error(
    server: HostileServer, stream: bool
) -> None:
    server.turns.append([{"type": "function_call", "name": "add", "arguments": {"a": 1}}])
    counting = Counting()
    with pytest.raises(ResponseValidationError) as caught:
        await run(server, counting, stream=stream)
    assert len(str(caught.value)) < 4000
    assert not counting.executions
