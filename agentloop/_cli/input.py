"""What `agentloop run` is asked for, turned into an Agent's tools, format and input.

`--tool module:function`, `--schema module:Model`, `--mcp name=url` and `--file path`
are resolved here, before any request: a bad one raises `CommandError` (exit status
2) saying what to fix, never a traceback. Built only on the public API; imported by
the CLI alone.
"""

from __future__ import annotations

import importlib
import mimetypes
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import pydantic

from agentloop import (
    Audio,
    CodeExecution,
    Document,
    FunctionTool,
    GoogleSearch,
    Image,
    MCPServer,
    UrlContext,
    UserError,
    Video,
    tool,
)

__all__ = ["CommandError", "attachments", "load_object", "load_schema", "load_tools", "mcp_servers"]

USAGE = 2
"""Exit status of a command-line mistake (as click's own usage errors)."""


class CommandError(Exception):
    """A command cannot go on; `code` is its exit status (2: usage, 1: run/API)."""

    def __init__(self, message: str, code: int = USAGE) -> None:
        super().__init__(message)
        self.code = code


def load_object(spec: str, option: str) -> Any:
    """The object a `module:name` reference names, imported as `python -m` would
    (the current directory is on the path)."""
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise CommandError(f"{option} takes module:name (e.g. tools:get_weather), not {spec!r}")
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise CommandError(
            f"{option} {spec}: cannot import {module_name!r} ({exc}); run from the "
            "directory that holds it, or install it"
        ) from exc
    except Exception as exc:  # the user's module failed while importing: say how
        raise CommandError(
            f"{option} {spec}: importing {module_name!r} failed: {type(exc).__name__}: {exc}"
        ) from exc
    value: Any = module
    for part in attribute.split("."):
        try:
            value = getattr(value, part)
        except AttributeError:
            raise CommandError(f"{option} {spec}: {module_name!r} has no {attribute!r}") from None
    return value


def load_tools(specs: Sequence[str]) -> list[FunctionTool[..., Any]]:
    """Each `module:function` as a function tool (its schema checked now)."""
    tools: list[FunctionTool[..., Any]] = []
    for spec in specs:
        value = load_object(spec, "--tool")
        if isinstance(value, FunctionTool):
            tools.append(cast(FunctionTool[..., Any], value))
            continue
        if not callable(value) or isinstance(value, type):
            raise CommandError(f"--tool {spec} is {type(value).__name__!r}, not a function")
        try:
            tools.append(tool(value))
        except UserError as exc:
            raise CommandError(f"--tool {spec}: {exc}") from exc
    return tools


def load_schema(spec: str) -> Any:
    """The `response_format` a `module:Model` reference names: a class (pydantic model,
    dataclass, TypedDict) or a JSON schema dict."""
    value = load_object(spec, "--schema")
    if not isinstance(value, type | dict):
        raise CommandError(
            f"--schema {spec} is {type(value).__name__!r}, not a schema: name a pydantic "
            "model, a dataclass, a TypedDict or a JSON schema dict"
        )
    if isinstance(value, type):
        try:
            pydantic.TypeAdapter(value).json_schema()
        except (pydantic.PydanticSchemaGenerationError, pydantic.PydanticUserError) as exc:
            raise CommandError(
                f"--schema {spec}: {value.__name__} has no JSON schema; name a pydantic "
                "model, a dataclass or a TypedDict"
            ) from exc
    return cast(Any, value)


def mcp_servers(specs: Sequence[str]) -> list[MCPServer]:
    """Each `name=url` as a remote MCP server (the API calls it)."""
    servers: list[MCPServer] = []
    for spec in specs:
        name, sep, url = spec.partition("=")
        if not sep or not name or not url.startswith(("http://", "https://")):
            raise CommandError(
                f"--mcp takes name=url (e.g. docs=https://example.com/mcp), not {spec!r}"
            )
        servers.append(MCPServer(name=name, url=url, mode="remote"))
    return servers


def builtin_tools(*, search: bool, code_execution: bool, url_context: bool) -> list[Any]:
    """The server-run tools the flags ask for."""
    chosen: list[Any] = []
    if search:
        chosen.append(GoogleSearch())
    if code_execution:
        chosen.append(CodeExecution())
    if url_context:
        chosen.append(UrlContext())
    return chosen


_HELPERS: dict[str, type[Image | Audio | Video]] = {"image": Image, "audio": Audio, "video": Video}


def attachments(paths: Sequence[Path]) -> list[Image | Audio | Video | Document]:
    """Each file as inline content, its kind and mime type told by its name."""
    media: list[Image | Audio | Video | Document] = []
    for path in paths:
        mime_type = mimetypes.guess_type(path.name)[0]
        if mime_type in (None, "application/octet-stream"):
            raise CommandError(
                f"--file {path}: cannot tell the type from the name; use a usual suffix "
                "(.png, .jpg, .wav, .mp3, .mp4, .pdf, .txt, ...)"
            )
        helper = _HELPERS.get(mime_type.split("/", 1)[0], Document)
        try:
            media.append(helper.from_path(path, mime_type))
        except UserError as exc:
            raise CommandError(f"--file {path}: {exc}") from exc
    return media
