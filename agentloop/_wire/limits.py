"""Bounds on what a model's output may hold, and parsing that respects them.

A model (or a hostile server) can send function-call arguments nested ten thousand
levels deep, megabytes long, not an object, or not JSON at all. None of that may
crash a run: `parse_arguments` and `arguments_problem` turn it into a message the
run sends back to the model as an error result, and `trim_deep_json` lets a body
nested deeper than pydantic's parser allows still parse, its too-deep parts replaced
by a marker that `arguments_problem` reports. Pure functions, no I/O.
"""

from __future__ import annotations

import json
import re
from typing import Any, cast

from pydantic import ValidationError

from .._errors import bounded

__all__ = [
    "MAX_ARGUMENTS_CHARS",
    "MAX_ARGUMENTS_DEPTH",
    "TOO_DEEP",
    "arguments_problem",
    "is_too_deep",
    "parse_arguments",
    "trim_deep_json",
    "validation_summary",
]

MAX_ARGUMENTS_DEPTH = 64
"""Nesting levels a function call's arguments may have (objects and arrays)."""
MAX_ARGUMENTS_CHARS = 1_000_000
"""Characters of JSON a function call's arguments may take."""
TOO_DEEP = "\x00agentloop: nested too deeply\x00"
"""What `trim_deep_json` puts in place of a value nested too deeply to parse."""

# A JSON string (escapes included) or a bracket: enough to count nesting in C speed.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_TRIM_DEPTH = 100
"""Depth at which `trim_deep_json` cuts: well under pydantic's parser limit (200)."""


def _depth_exceeds(text: str, limit: int) -> bool:
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return True
        elif token in "]}":
            depth -= 1
    return False


def parse_arguments(raw: str) -> tuple[dict[str, Any] | None, str | None]:
    """Streamed `arguments` text as `(object, None)`, or `(None, what is wrong)`."""
    if len(raw) > MAX_ARGUMENTS_CHARS:
        size = len(raw)
        return None, f"arguments are too large ({size} characters; at most {MAX_ARGUMENTS_CHARS})"
    if not raw.strip():
        return {}, None
    if _depth_exceeds(raw, MAX_ARGUMENTS_DEPTH):
        return None, f"arguments are nested too deeply (more than {MAX_ARGUMENTS_DEPTH} levels)"
    try:
        value: object = json.loads(raw)
    except json.JSONDecodeError as exc:
        return None, f"arguments are not valid JSON ({exc.msg}): {raw[:200]!r}"
    except RecursionError:  # defensive: the depth check above should have caught it
        return None, "arguments are nested too deeply"
    if not isinstance(value, dict):
        return None, f"arguments are not a JSON object: {raw[:200]!r}"
    return cast(dict[str, Any], value), None


def arguments_problem(value: Any) -> str | None:
    """What is wrong with parsed `arguments`, or None if they are a usable object."""
    if not isinstance(value, dict):
        shown = repr(value)
        return f"arguments are not a JSON object: {shown[:200]}"
    mapping = cast(dict[object, object], value)
    if len(mapping) <= _FLAT_KEYS and _flat_and_small(mapping):
        return None
    # Walk with explicit stacks (no recursion), within the size and depth budgets.
    budget = MAX_ARGUMENTS_CHARS
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_ARGUMENTS_DEPTH:
            return f"arguments are nested too deeply (more than {MAX_ARGUMENTS_DEPTH} levels)"
        if isinstance(node, dict):
            mapping = cast(dict[object, object], node)
            budget -= 2 + len(mapping)
            for key, item in mapping.items():
                budget -= len(key) if isinstance(key, str) else 1
                stack.append((item, depth + 1))
        elif isinstance(node, list):
            items = cast(list[object], node)
            budget -= 2 + len(items)
            stack.extend((item, depth + 1) for item in items)
        elif isinstance(node, str):
            if node == TOO_DEEP:
                return "arguments are nested too deeply"
            budget -= len(node) + 2
        else:
            budget -= 4
        if budget < 0:
            return f"arguments are too large (more than {MAX_ARGUMENTS_CHARS} characters)"
    return None


_FLAT_KEYS = 32
_SCALARS = (int, float, bool, type(None))


def _flat_and_small(mapping: dict[object, object]) -> bool:
    """True for an object of a few scalar members: what most tools take, usable as it
    is. Checked every call of every reply: ~0.3 us against ~1 us for the walk."""
    for key, item in mapping.items():
        if type(key) is not str:
            return False
        if type(item) is str:
            # A long string may count against the size budget; the walk decides.
            if len(item) > 4096 or item == TOO_DEEP:
                return False
        elif type(item) not in _SCALARS:
            return False
    return True


def is_too_deep(exc: ValidationError) -> bool:
    """True if pydantic refused a JSON body for nesting beyond its parser's limit."""
    return any(
        error["type"] == "json_invalid" and "recursion" in error["msg"]
        for error in exc.errors(include_url=False, include_input=False)
    )


def trim_deep_json(raw: str | bytes) -> str | None:
    """`raw` with every value nested deeper than the parser allows replaced by
    `TOO_DEEP`; None if nothing is that deep (the body is broken some other way)."""
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    pieces: list[str] = []
    position = 0
    depth = 0
    cut_from: int | None = None
    trimmed = False
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth == _TRIM_DEPTH and cut_from is None:
                cut_from = match.start()
        elif token in "]}":
            if depth == _TRIM_DEPTH and cut_from is not None:
                pieces.append(text[position:cut_from])
                pieces.append(json.dumps(TOO_DEEP))
                position = match.end()
                cut_from = None
                trimmed = True
            depth -= 1
    if cut_from is not None:  # unbalanced: cut to the end
        pieces.append(text[position:cut_from])
        pieces.append(json.dumps(TOO_DEEP))
        position = len(text)
        trimmed = True
    if not trimmed:
        return None
    pieces.append(text[position:])
    return "".join(pieces)


def validation_summary(exc: ValidationError) -> str:
    """The first few problems pydantic found, without the (possibly huge) input."""
    errors = exc.errors(include_url=False, include_input=False)[:3]
    return bounded(str([{k: v for k, v in e.items() if k != "ctx"} for e in errors]), 1000)
