"""The MCP bridge: real MCP servers (tests/mcp/servers/demo.py) over stdio and HTTP,
driven by agents against the local Interactions server; and MCPServer routing.

Every test checks that it leaves no child process behind (`_no_leaked_processes`).
The connection state machine (`Connection`, `sdk`) and the MCP-result conversion
(`result_value`) are private pure pieces, unit-tested through their private paths.
"""

from __future__ import annotations

import gc
import importlib.util
import os
import select
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from helpers.processes import alive, kill, no_leaked_processes

from agentloop import (
    Agent,
    GoogleSearch,
    InteractionFailedError,
    MCPConnectionError,
    MCPHttp,
    MCPServer,
    MCPStdio,
    ToolRetry,
    UserError,
    tool,
)
from agentloop._mcp.bridge import result_value
from agentloop._mcp.connection import Connection, sdk
from agentloop.testing import (
    FunctionModel,
    InteractionsServer,
    ModelRequest,
    Reply,
    ScriptedModel,
)

pytestmark = pytest.mark.anyio

# The mcp SDK's streamable-HTTP client leaves its body generators (httpx2) to the
# garbage collector, which trio reports as ResourceWarnings (pydantic/httpx2#1212):
# the HTTP tests run on asyncio.
# (The stdio tests run on both backends.)
sdk_http_asyncio_only = pytest.mark.parametrize("anyio_backend", ["asyncio"])

DEMO = Path(__file__).parent / "servers" / "demo.py"
WEATHER = {
    "type": "mcp_server",
    "name": "weather_service",
    "url": "https://gemini-api-demos.uc.r.appspot.com/mcp",
}
DEMO_TOOLS = ["add", "get_forecast", "echo", "render_chart", "read_note", "fail", "header"]
DEMO_TOOLS += ["slow", "rendezvous", "pid", "crash", "add_tool"]
ADD = {
    "type": "function",
    "name": "add",
    "description": "Add two integers.",
    "parameters": {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
        "required": ["a", "b"],
    },
}
PNG_B64 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChw"
    "GA60e6kgAAAABJRU5ErkJggg=="
)


# ---- helpers ----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_leaked_processes() -> Iterator[None]:
    with no_leaked_processes("an MCP server process outlived its run"):
        yield


def start_http_server() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, str(DEMO), "http"], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], 30)
    line = process.stdout.readline() if ready else ""
    process.stdout.close()
    if not line.startswith("PORT "):
        stop(process)
        raise RuntimeError(f"the MCP test server did not start: {line!r}")
    return process, f"http://127.0.0.1:{int(line.split()[1])}/mcp"


def stop(process: subprocess.Popen[str]) -> None:
    process.kill()
    process.wait(10)


@pytest.fixture(scope="module")
def http_url() -> Iterator[str]:
    process, url = start_http_server()
    try:
        yield url
    finally:
        stop(process)


def stdio(**options: Any) -> MCPStdio:
    return MCPStdio(sys.executable, [str(DEMO), "stdio"], **options)


def calls(*items: tuple[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"type": "function_call", "id": f"call_{n}", "name": name, "arguments": arguments}
        for n, (name, arguments) in enumerate(items)
    ]


def results(request: ModelRequest) -> dict[str, Any]:
    """The function results a request sends back, by tool name."""
    return {r["name"]: r for r in request.function_results}


_scripts: list[ScriptedModel] = []


@pytest.fixture(autouse=True)
def _scripts_fully_used() -> Iterator[None]:
    _scripts.clear()
    yield
    for script in _scripts:
        script.verify()


def make_agent(script: list[Any], *tools: Any, model: str = "gemini-2.5-flash") -> Agent:
    """An agent whose model follows `script` (checked to be used up when the test ends)."""
    _scripts.append(ScriptedModel(script))
    return Agent(model, tools=list(tools), client=InteractionsServer(_scripts[-1]).client())


# ---- stdio: declarations, calls, results ------------------------------------------------


async def test_stdio_tools_are_declared_and_called_in_parallel() -> None:
    seen: list[ModelRequest] = []

    def first(request: ModelRequest) -> Any:
        seen.append(request)
        return calls(("add", {"a": 2, "b": 3}), ("get_forecast", {"city": "Paris"}))

    def second(request: ModelRequest) -> str:
        seen.append(request)
        return "5, and sunny in Paris."

    agent = make_agent([first, second], stdio())
    result = await agent.arun("Add 2 and 3, and the weather in Paris?")

    declared = seen[0].function_tools
    assert [d["name"] for d in declared] == DEMO_TOOLS
    assert declared[0] == ADD
    assert results(seen[1]) == {
        "add": {
            "type": "function_result",
            "call_id": "call_0",
            "name": "add",
            "result": {"result": 5},
        },
        "get_forecast": {
            "type": "function_result",
            "call_id": "call_1",
            "name": "get_forecast",
            "result": {"city": "Paris", "temperature_c": 21.5, "conditions": "sunny"},
        },
    }
    assert result.text == "5, and sunny in Paris."


async def test_calls_of_one_turn_reach_the_server_concurrently() -> None:
    # `rendezvous` returns only once two calls wait in it at the same time.
    seen: list[ModelRequest] = []
    script = [
        calls(("rendezvous", {"who": "a"}), ("rendezvous", {"who": "b"})),
        lambda r: seen.append(r) or "met",
    ]
    await make_agent(script, stdio()).arun("x")
    assert [r["result"] for r in seen[0].function_results] == [
        {"result": "a met"},
        {"result": "b met"},
    ]


async def test_results_carry_text_images_resources_and_errors() -> None:
    seen: list[ModelRequest] = []
    script = [
        calls(
            ("echo", {"text": "hello"}),
            ("render_chart", {}),
            ("read_note", {}),
            ("fail", {}),
            ("add", {"a": "two", "b": 3}),
        ),
        lambda request: seen.append(request) or "done",
    ]
    agent = make_agent(script, stdio())
    await agent.arun("x")
    sent = results(seen[0])
    assert sent["echo"]["result"] == "hello"
    assert sent["render_chart"]["result"] == [
        {"type": "image", "data": PNG_B64, "mime_type": "image/png"}
    ]
    assert sent["read_note"]["result"] == "[note://today]\nBuy milk"
    assert sent["fail"]["is_error"] is True
    assert "the forecast service is down" in sent["fail"]["result"]
    assert sent["add"]["is_error"] is True
    assert "validation error" in sent["add"]["result"]
    assert not any("is_error" in sent[name] for name in ("echo", "render_chart", "read_note"))


def blob(uri: str, mime_type: str, data: str) -> dict[str, Any]:
    return {"type": "resource", "resource": {"uri": uri, "mimeType": mime_type, "blob": data}}


TEXTS = [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]
PNG = {"type": "image", "data": "iV", "mimeType": "image/png"}


@pytest.mark.parametrize(
    ("result", "value"),
    [
        ({"content": []}, ""),
        ({"content": TEXTS}, TEXTS),
        (
            {"content": [{"type": "audio", "data": "AAA", "mimeType": "audio/wav"}]},
            [{"type": "audio", "data": "AAA", "mime_type": "audio/wav"}],
        ),
        (
            {"content": [blob("f://a.pdf", "application/pdf", "JV")]},
            [{"type": "document", "data": "JV", "mime_type": "application/pdf"}],
        ),
        ({"content": [blob("f://x", "a/b", "A")]}, "[f://x: a/b content not shown]"),
        (
            {"content": [{"type": "resource_link", "uri": "f://y", "name": "y"}]},
            "[resource y: f://y]",
        ),
        (
            {"content": [PNG], "structuredContent": {"n": 1}},
            [
                {"type": "image", "data": "iV", "mime_type": "image/png"},
                {"type": "text", "text": '{"n": 1}'},
            ],
        ),
    ],
)
def test_mcp_results_become_function_results(result: dict[str, Any], value: Any) -> None:
    assert result_value(result, "t") == value


def test_an_error_result_without_text_still_says_so() -> None:
    with pytest.raises(ToolRetry, match="'t' reported an error without details"):
        result_value({"content": [], "isError": True}, "t")


async def test_a_protocol_error_is_an_error_result() -> None:
    mcp = sdk()
    try:  # mcp 1.x: McpError(ErrorData)
        error = mcp.MCPError(mcp.types.ErrorData(code=-32602, message="no such tool: nope"))
    except TypeError:  # mcp 2.x: MCPError(code, message)
        error = mcp.MCPError(-32602, "no such tool: nope")

    class Session:
        async def call_tool(self, name: str, arguments: dict[str, Any]) -> Any:
            raise error

    connection = Connection(stdio(name="demo"))
    connection.session, connection.generation = Session(), 1
    with pytest.raises(ToolRetry) as caught:
        await connection.call("nope", {}, "nope")
    assert caught.value.message == (
        "MCP server 'demo' rejected the call to 'nope': no such tool: nope (error -32602)."
    )


# ---- stdio: lifecycle -------------------------------------------------------------------


def pid_of(request: ModelRequest) -> int:
    return int(results(request)["pid"]["result"]["result"])


async def test_a_server_that_dies_is_restarted_once_then_reported() -> None:
    seen: list[ModelRequest] = []

    def step(reply: Any) -> Callable[[ModelRequest], Any]:
        return lambda request: seen.append(request) or reply

    script = [
        calls(("pid", {})),
        step(calls(("crash", {}))),  # first death: restarted
        step(calls(("pid", {}))),
        step(calls(("crash", {}))),  # second death: down for good
        step(calls(("add", {"a": 1, "b": 1}))),
        step("Sorry, the server is down."),
    ]
    agent = make_agent(script, stdio())
    result = await agent.arun("x")

    pids = [pid_of(seen[0]), pid_of(seen[2])]
    first_crash, second_crash, after = (results(seen[i]) for i in (1, 3, 4))
    assert first_crash["crash"]["is_error"] is True
    assert "stopped during the call to 'crash'" in first_crash["crash"]["result"]
    assert "It was restarted" in first_crash["crash"]["result"]
    assert len(set(pids)) == 2  # a new process after the restart
    assert second_crash["crash"]["is_error"] is True
    assert "down for good" in second_crash["crash"]["result"]
    assert after["add"]["is_error"] is True
    assert "is not available" in after["add"]["result"]
    assert result.text == "Sorry, the server is down."
    assert not any(alive(pid) for pid in pids)


async def test_one_server_per_run_stopped_at_its_end() -> None:
    pids: list[int] = []
    script = [calls(("pid", {})), lambda r: pids.append(pid_of(r)) or "a"] * 2
    agent = make_agent(script, stdio())
    await agent.arun("x")
    assert not alive(pids[0])
    await agent.arun("y")
    assert pids[0] != pids[1]
    assert not alive(pids[1])


@pytest.mark.parametrize("anyio_backend", ["trio"])
async def test_the_bridge_runs_on_trio_too() -> None:
    pids: list[int] = []
    agent = make_agent([calls(("pid", {})), lambda r: pids.append(pid_of(r)) or "a"], stdio())
    await agent.arun("x")
    assert not alive(pids[0])


async def test_an_agent_block_keeps_one_server_across_runs_of_a_chat() -> None:
    pids: list[int] = []
    script = [calls(("pid", {})), lambda r: pids.append(pid_of(r)) or "a"] * 2
    agent = make_agent(script, stdio())
    async with agent:
        chat = agent.chat()
        await chat.arun("x")
        await chat.arun("y")
        assert pids[0] == pids[1]
        assert alive(pids[0])
    assert not alive(pids[0])


async def test_concurrent_runs_of_one_agent_share_one_server() -> None:
    pids: list[int] = []

    def respond(request: ModelRequest) -> Any:
        if not request.function_results:
            return calls(("rendezvous", {"who": request.user_text}), ("pid", {}))
        pids.append(pid_of(request))
        return "done"

    server = InteractionsServer(FunctionModel(respond))
    agent = Agent("gemini-2.5-flash", tools=[stdio()], client=server.client())
    async with anyio.create_task_group() as group:  # each run waits in `rendezvous` for the other
        group.start_soon(agent.arun, "a")
        group.start_soon(agent.arun, "b")
    assert len(pids) == 2
    assert pids[0] == pids[1]
    assert not alive(pids[0])


async def test_a_server_killed_between_runs_is_restarted() -> None:
    pids: list[int] = []
    seen: list[ModelRequest] = []
    script: list[Any] = [calls(("pid", {})), lambda r: pids.append(pid_of(r)) or "a"]
    script += [calls(("add", {"a": 1, "b": 2})), lambda r: seen.append(r) or "b"]
    script += [calls(("pid", {})), lambda r: pids.append(pid_of(r)) or "c"]
    agent = make_agent(script, stdio())
    async with agent:
        await agent.arun("x")
        kill(pids[0])
        await agent.arun("y")
        await agent.arun("z")
    lost = results(seen[0])["add"]
    assert lost["is_error"] is True
    assert "It was restarted" in lost["result"]
    assert pids[1] != pids[0]
    assert not alive(pids[1])


async def test_a_failed_run_stops_the_server() -> None:
    pids: list[int] = []

    def fail(request: ModelRequest) -> Reply:
        pids.append(pid_of(request))
        return Reply(status="failed", errors=[{"code": "internal", "message": "boom"}])

    agent = make_agent([calls(("pid", {})), fail], stdio())
    with pytest.raises(InteractionFailedError, match="boom"):
        await agent.arun("x")
    assert not alive(pids[0])


async def test_cancelling_a_run_mid_call_stops_the_server() -> None:
    calling = anyio.Event()

    async def approve(name: str, arguments: dict[str, Any]) -> bool:
        calling.set()
        return True

    agent = make_agent([calls(("slow", {"seconds": 30}))], stdio(approve=approve))
    with anyio.fail_after(20):
        async with anyio.create_task_group() as group:
            group.start_soon(agent.arun, "x")
            await calling.wait()
            await anyio.sleep(0.1)
            group.cancel_scope.cancel()
    # `_no_leaked_processes` checks that the server is gone.


def test_the_blocking_stream_face_closes_the_server() -> None:
    # Each step of the blocking iterator runs in a task of its own on agentloop's loop
    # thread: the connection is entered by one task and left by another.
    agent = make_agent([calls(("add", {"a": 1, "b": 2})), "3"], stdio())
    with agent.stream("x") as events:
        names = [event.type for event in events]
    assert names[-1] == "run_finished"


async def test_a_server_that_cannot_start_fails_the_run_before_any_request() -> None:
    agent = make_agent([], MCPStdio(sys.executable, ["-c", "pass"], name="broken"))
    with pytest.raises(MCPConnectionError, match="could not connect to MCP server 'broken'"):
        await agent.arun("x")
    agent = make_agent([], MCPStdio("no-such-mcp-command-for-agentloop"))
    with pytest.raises(MCPConnectionError, match="no-such-mcp-command"):
        await agent.arun("x")


# ---- control: filters, prefix, clashes, approval, timeouts, refresh ---------------------


async def test_allow_deny_and_prefix_shape_the_declared_tools() -> None:
    seen: list[ModelRequest] = []
    source = stdio(
        prefix="demo", allowed_tools=["add", "get_forecast", "fail"], denied_tools=["fail"]
    )
    script = [
        lambda r: seen.append(r) or calls(("demo_add", {"a": 1, "b": 2})),
        lambda r: seen.append(r) or "3",
    ]
    await make_agent(script, source).arun("x")
    assert [d["name"] for d in seen[0].function_tools] == ["demo_add", "demo_get_forecast"]
    assert results(seen[1])["demo_add"]["result"] == {"result": 3}


async def test_a_name_clash_is_a_user_error_and_closes_the_server() -> None:
    @tool
    def add(a: int, b: int) -> int:
        """Add."""
        return a + b

    with pytest.raises(UserError, match=r"two tools are named 'add'.*prefix="):
        await make_agent([], add, stdio()).arun("x")


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_the_approval_hook_can_refuse_a_call(kind: str) -> None:
    asked: list[tuple[str, dict[str, Any]]] = []

    def decide(name: str, arguments: dict[str, Any]) -> bool:
        asked.append((name, arguments))
        return name != "add"

    async def decide_async(name: str, arguments: dict[str, Any]) -> bool:
        return decide(name, arguments)

    approve = decide if kind == "sync" else decide_async

    seen: list[ModelRequest] = []
    script = [
        calls(("add", {"a": 1, "b": 2}), ("echo", {"text": "hi"})),
        lambda r: seen.append(r) or "done",
    ]
    await make_agent(script, stdio(approve=approve)).arun("x")
    sent = results(seen[0])
    assert sent["add"] == {
        "type": "function_result",
        "call_id": "call_0",
        "name": "add",
        "result": "The call to 'add' was refused by the user's approval hook and did not run.",
        "is_error": True,
    }
    assert sent["echo"]["result"] == "hi"
    assert sorted(asked) == [("add", {"a": 1, "b": 2}), ("echo", {"text": "hi"})]


async def test_a_slow_call_times_out_and_the_server_keeps_serving() -> None:
    seen: list[ModelRequest] = []
    script = [
        calls(("slow", {"seconds": 0.8})),
        lambda r: seen.append(r) or calls(("add", {"a": 1, "b": 2})),
        lambda r: seen.append(r) or "done",
    ]
    await make_agent(script, stdio(timeout=0.2)).arun("x")
    timed_out = results(seen[0])["slow"]
    assert timed_out["is_error"] is True
    assert "timed out after 0.2 s" in timed_out["result"]
    assert results(seen[1])["add"]["result"] == {"result": 3}


async def test_refresh_tools_declares_tools_the_server_adds() -> None:
    seen: list[ModelRequest] = []
    script = [
        calls(("add_tool", {})),
        lambda r: seen.append(r) or calls(("shout", {"text": "hi"})),
        lambda r: seen.append(r) or "HI",
    ]
    await make_agent(script, stdio(refresh_tools=True)).arun("x")
    assert "shout" in [d["name"] for d in seen[0].function_tools]
    assert results(seen[1])["shout"]["result"] == {"result": "HI"}


# ---- streamable HTTP --------------------------------------------------------------------


@sdk_http_asyncio_only
async def test_http_tools_and_headers(http_url: str) -> None:
    seen: list[ModelRequest] = []
    source = MCPHttp(http_url, {"X-Agent": "agentloop-test"}, allowed_tools=["add", "header"])
    script = [
        lambda r: (
            seen.append(r) or calls(("add", {"a": 4, "b": 5}), ("header", {"name": "x-agent"}))
        ),
        lambda r: seen.append(r) or "9",
    ]
    await make_agent(script, source).arun("x")
    assert [d["name"] for d in seen[0].function_tools] == ["add", "header"]
    sent = results(seen[1])
    assert sent["add"]["result"] == {"result": 9}
    assert sent["header"]["result"] == {"result": "agentloop-test"}


@sdk_http_asyncio_only
async def test_http_connections_are_closed_after_the_block(http_url: str) -> None:
    def open_fds() -> int:
        gc.collect()
        return len(os.listdir("/proc/self/fd"))

    agent = make_agent([calls(("add", {"a": 1, "b": 1})), "2"], MCPHttp(http_url))
    await agent.arun("warm up")  # the first run imports the SDK and starts its pools
    agent = make_agent([calls(("add", {"a": 1, "b": 1})), "2"] * 2, MCPHttp(http_url))
    before = open_fds()
    async with agent:
        await agent.arun("x")
        await agent.arun("y")
    assert open_fds() == before


@sdk_http_asyncio_only
async def test_a_dead_http_server_is_an_error_result() -> None:
    process, url = start_http_server()
    seen: list[ModelRequest] = []

    def kill(request: ModelRequest) -> Any:
        stop(process)
        return calls(("add", {"a": 1, "b": 1}))

    script = [calls(("add", {"a": 1, "b": 1})), kill, lambda r: seen.append(r) or "down"]
    try:
        await make_agent(script, MCPHttp(url, name="demo-http")).arun("x")
    finally:
        stop(process)
    lost = results(seen[0])["add"]
    assert lost["is_error"] is True
    assert "MCP server 'demo-http' stopped during the call" in lost["result"]
    assert "down for good" in lost["result"]


# ---- routing ----------------------------------------------------------------------------


@tool
def lookup(key: str) -> str:
    """Look a key up."""
    return key


def server(name: str = "weather_service", **options: Any) -> MCPServer:
    return MCPServer(name=name, url=WEATHER["url"], **options)


@pytest.mark.parametrize(
    ("model", "tools", "routes"),
    [
        ("gemini-2.5-flash", [server()], {"weather_service": "remote"}),
        ("gemini-2.5-flash", [server("a"), server("b")], {"a": "remote", "b": "remote"}),
        ("gemini-3-pro-preview", [server()], {"weather_service": "local"}),
        ("models/gemini-3-flash-preview", [server()], {"weather_service": "local"}),
        ("gemini-2.5-flash", [server(), GoogleSearch()], {"weather_service": "local"}),
        ("gemini-2.5-flash", [server(), lookup], {"weather_service": "local"}),
        ("gemini-2.5-flash", [server(), stdio()], {"weather_service": "local"}),
        ("gemini-2.5-flash", [server(mode="local")], {"weather_service": "local"}),
        ("gemini-2.5-flash", [server(mode="remote")], {"weather_service": "remote"}),
        (
            "gemini-3-pro-preview",
            [server("a"), server("b", mode="local")],
            {"a": "local", "b": "local"},
        ),
    ],
)
def test_auto_routes_by_model_and_tool_mix(
    model: str, tools: list[Any], routes: dict[str, str]
) -> None:
    agent = Agent(model, tools=tools)
    assert agent.mcp_routes == routes
    wire = agent.config.toolset.to_wire()
    remote = [d for d in wire if d["type"] == "mcp_server"]
    assert [d["name"] for d in remote] == [n for n, r in routes.items() if r == "remote"]
    local = [s for s in agent.config.toolset.sources if isinstance(s, MCPHttp)]
    assert [s.label for s in local] == [n for n, r in routes.items() if r == "local"]


async def test_the_remote_form_is_the_guides_example_on_the_wire() -> None:
    model = ScriptedModel(["It is sunny in New York."])
    agent = Agent(
        "gemini-2.5-flash",
        tools=[MCPServer(name="weather_service", url=WEATHER["url"])],
        client=InteractionsServer(model).client(),
    )
    await agent.arun("What is the weather like in New York today?")
    assert model.requests[0].body["tools"] == [WEATHER]


@pytest.mark.parametrize(
    ("model", "tools", "message"),
    [
        ("gemini-3-pro-preview", [server(mode="remote")], "Gemini 3"),
        ("gemini-2.5-flash", [server(mode="remote"), lookup], "combined"),
    ],
)
def test_a_forced_remote_route_the_api_cannot_serve_is_refused(
    model: str, tools: list[Any], message: str
) -> None:
    model_ = ScriptedModel([])
    with pytest.raises(UserError, match=message):
        Agent(model, tools=tools, client=InteractionsServer(model_).client())
    assert model_.requests == []


def test_a_bad_mode_is_refused() -> None:
    with pytest.raises(UserError, match="mode must be"):
        server(mode="sideways")


def test_the_local_route_keeps_url_headers_and_allowed_tools() -> None:
    agent = Agent(
        "gemini-3-pro-preview",
        tools=[
            server(
                headers={"Authorization": "Bearer t"},
                allowed_tools=[{"mode": "auto", "tools": ["get_forecast"]}],
            )
        ],
    )
    [source] = agent.config.toolset.sources
    assert isinstance(source, MCPHttp)
    assert (source.url, source.headers, source.allowed_tools) == (
        WEATHER["url"],
        {"Authorization": "Bearer t"},
        frozenset({"get_forecast"}),
    )
    assert "Bearer" not in repr(source)


@sdk_http_asyncio_only
async def test_auto_on_gemini_3_bridges_the_server_locally(http_url: str) -> None:
    seen: list[ModelRequest] = []
    script = [
        lambda r: seen.append(r) or calls(("add", {"a": 20, "b": 22})),
        lambda r: seen.append(r) or "42",
    ]
    agent = make_agent(
        script,
        MCPServer(name="demo", url=http_url, allowed_tools=["add"]),
        model="gemini-3-pro-preview",
    )
    assert agent.mcp_routes == {"demo": "local"}
    await agent.arun("x")
    assert seen[0].body["tools"] == [ADD]
    assert results(seen[1])["add"]["result"] == {"result": 42}


def test_without_the_extra_the_error_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "mcp" else real(name, *a)
    )
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'agentloop\[mcp\]'"):
        stdio()
    with pytest.raises(ModuleNotFoundError, match=r"agentloop\[mcp\]"):
        Agent("gemini-3-pro-preview", tools=[server()])
