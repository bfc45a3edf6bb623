"""The MCP examples run offline against respx: the remote weather server (declared to
the API) and the local stdio shop server (bridged by agentloop, approval hook included).

Every test checks that it leaves no child process behind (`_no_leaked_processes`).
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from helpers.processes import no_leaked_processes

import agentloop

WEATHER = {
    "type": "mcp_server",
    "name": "weather_service",
    "url": "https://gemini-api-demos.uc.r.appspot.com/mcp",
}


@pytest.fixture(autouse=True)
def _no_leaked_processes() -> Iterator[None]:
    with no_leaked_processes("an MCP server process outlived its example"):
        yield


EXAMPLES = Path(__file__).parents[2] / "examples"


def run_example(name: str) -> None:
    spec = importlib.util.spec_from_file_location(f"_example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main()


def replies(router: respx.MockRouter, *bodies: dict[str, Any]) -> Callable[[], list[Any]]:
    """Answer POST /interactions with `bodies`, in order; returns `sent()`: the bodies sent."""
    route = router.post("/interactions")
    route.side_effect = [httpx.Response(200, json=body) for body in bodies]
    return lambda: [json.loads(call.request.content) for call in route.calls]


def answer(id: str, text: str) -> dict[str, Any]:
    step = {"type": "model_output", "content": [{"type": "text", "text": text}]}
    return {"id": id, "status": "completed", "steps": [step]}


def asks(id: str, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    call = {"type": "function_call", "id": f"c_{id}", "name": name, "arguments": arguments}
    return {"id": id, "status": "requires_action", "steps": [call]}


def test_the_remote_weather_example(
    api: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    sent = replies(api, answer("i1", "Sunny and 21 C in New York."))
    run_example("mcp_remote_weather")
    assert sent() == [
        {
            "model": "gemini-2.5-flash",
            "tools": [WEATHER],
            "input": "What is the weather like in New York today?",
        }
    ]
    assert capsys.readouterr().out == "route: remote\nSunny and 21 C in New York.\n"


@pytest.mark.skipif(
    not hasattr(agentloop, "MCPStdio"), reason="MCPStdio is not exported from agentloop yet"
)
def test_the_local_stdio_example(api: respx.MockRouter, capsys: pytest.CaptureFixture[str]) -> None:
    sent = replies(
        api,
        asks("i1", "shop_price", {"item": "apple"}),
        answer("i2", "An apple costs 0.50 euros."),
        asks("i3", "shop_price", {"item": "pear"}),
        answer("i4", "Three pears cost 2.40 euros."),
    )
    run_example("mcp_local_stdio")
    first, second, _, fourth = sent()
    assert [tool["name"] for tool in first["tools"]] == ["shop_price", "shop_stock"]
    assert second["previous_interaction_id"] == "i1"
    [result] = second["input"]
    assert (result["call_id"], result["result"]) == ("c_i1", {"result": 0.5})
    assert fourth["input"][0]["result"] == {"result": 0.8}
    assert capsys.readouterr().out == (
        "[approved] shop_price({'item': 'apple'})\n"
        "An apple costs 0.50 euros.\n"
        "[approved] shop_price({'item': 'pear'})\n"
        "Three pears cost 2.40 euros.\n"
    )
