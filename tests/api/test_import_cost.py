"""What importing agentloop costs: which modules a fresh interpreter loads.

`import agentloop` loads no dependency at all; `from agentloop import Agent, tool`
(and building an agent with a tool) loads pydantic and anyio but not the HTTP stack
(httpx, aiohttp, ssl, asyncio), the stream models, the driver, SQLite, MCP,
OpenTelemetry, the CLI's packages or the local server: those load when a client is
created or a run starts. Module lists, not timings: the figures are in
docs/performance.md (`python -m benchmarks`), measured on a machine that may be busy.
"""

from __future__ import annotations

import ast
import importlib
import json

import pytest
from helpers.fresh import ROOT, run_fresh

import agentloop

# Dependencies and agentloop modules a user's first import must not pay for.
HEAVY = (
    "httpx",
    "aiohttp",
    "ssl",
    "asyncio",
    "concurrent.futures",
    "urllib.request",
    "http.client",
    "sqlite3",
    "mcp",
    "opentelemetry",
    "temporalio",
    "rich",
    "typer",
    "click",
    "pygments",
    "prompt_toolkit",
    "uvicorn",
    "orjson",
    "agentloop._http.client",
    "agentloop._http.core",
    "agentloop._wire.events",
    "agentloop._run.driver",
    "agentloop._tools.dispatch",
    "agentloop._mcp.bridge",
    "agentloop._server",
    "agentloop._cli",
)

_PROBE = """
import json, sys
stages = {}
def seen(stage):
    stages[stage] = sorted(m for m in sys.modules if m in HEAVY or m.split(".")[0] in HEAVY)
import agentloop
stages["import agentloop"] = sorted(
    m for m in sys.modules if m.split(".")[0] in ("pydantic", "anyio", "httpx", "sniffio")
    or (m.startswith("agentloop.") and m not in ("agentloop._lazy", "agentloop._httpx_cli"))
)
from agentloop import Agent, tool
seen("from agentloop import Agent, tool")
@tool
def add(a: int, b: int) -> int:
    "Add two numbers."
    return a + b
Agent("gemini-2.5-flash", tools=[add], instructions="Add.")
seen("Agent(..., tools=[@tool])")
from agentloop import AsyncClient
seen("from agentloop import AsyncClient")
print(json.dumps(stages))
"""


@pytest.fixture(scope="module")
def stages() -> dict[str, list[str]]:
    """The heavy modules loaded after each stage, in one fresh interpreter."""
    loaded: dict[str, list[str]] = json.loads(run_fresh(f"HEAVY = {HEAVY!r}\n{_PROBE}"))
    return loaded


def test_import_agentloop_loads_no_dependency(stages: dict[str, list[str]]) -> None:
    assert stages["import agentloop"] == []


def test_agent_and_tool_load_no_http_stack(stages: dict[str, list[str]]) -> None:
    assert stages["from agentloop import Agent, tool"] == []
    # Building an agent (its toolset, schemas and runner) needs no client either.
    assert stages["Agent(..., tools=[@tool])"] == []


def test_the_client_loads_httpx_but_not_its_cli_nor_the_server(
    stages: dict[str, list[str]],
) -> None:
    loaded = set(stages["from agentloop import AsyncClient"])
    assert {"httpx", "agentloop._http.client", "agentloop._wire.events"} <= loaded
    assert not loaded & {"aiohttp", "rich", "click", "pygments", "mcp", "agentloop._server"}


def test_the_lazy_loader_reads_every_public_import() -> None:
    """`agentloop/__init__.py`'s TYPE_CHECKING imports, read the way type checkers read
    them (ast), are exactly the public names, each loading the object named there."""
    tree = ast.parse((ROOT / "agentloop" / "__init__.py").read_text("utf-8"))
    expected: dict[str, tuple[str, str]] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom), ast.unparse(statement)
                for alias in statement.names:
                    module = "." * statement.level + (statement.module or "")
                    expected[alias.asname or alias.name] = (module, alias.name)
    assert sorted(expected) == list(agentloop.__all__)
    for name, (module, attribute) in expected.items():
        source = importlib.import_module(module, "agentloop")
        assert getattr(agentloop, name) is getattr(source, attribute), name
