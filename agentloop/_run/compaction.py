"""History compaction for `store=False`: keep a client-side history within a budget.

The budget is counted from the server's `usage` (the last response's input plus
output tokens: what the next request will at least resend), never guessed from
characters. Past it, the history is cut at a turn boundary (a `user_input` step
before which every `function_call` has its `function_result`), keeping the last
`keep_last_turns` turns; the older ones become a summary (by a given agent) or are
dropped. A turn keeps its thought signatures and call/result pairs whole, so a
dangling call is never sent. No I/O here: the runner calls the summarizer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from .._errors import UserError
from .._wire.base import JsonObject
from .._wire.interaction import Usage
from .state import RunState

__all__ = ["HistoryLimit", "compact", "cut_points", "history_tokens", "transcript"]

SUMMARY_PREFIX = "Summary of the earlier conversation:\n"

Summarize = Callable[[Any, str], Awaitable[tuple[str, Usage]]]
"""`(summarizer agent, transcript of the older turns) -> (summary, its usage)`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryLimit:
    """When and how a `store=False` history is compacted.

    ```python
    from agentloop import Agent, HistoryLimit

    limit = HistoryLimit(max_tokens=100_000, keep_last_turns=6)
    chat = Agent("gemini-2.5-flash", store=False, history_limit=limit).chat()
    print(chat.run("Hello").text)
    ```
    """

    max_tokens: int
    """Compact once the last response's input + output tokens pass this."""
    keep_last_turns: int = 6
    """User turns kept as they are (at least 1: the current one)."""
    summarizer: Any = None
    """An `Agent` that summarises the older turns; None drops them."""

    def __post_init__(self) -> None:
        if isinstance(self.max_tokens, bool) or not isinstance(cast(object, self.max_tokens), int):
            raise UserError(f"HistoryLimit(max_tokens=...) must be an int, not {self.max_tokens!r}")
        if self.max_tokens <= 0 or self.keep_last_turns < 1:
            raise UserError("HistoryLimit needs max_tokens > 0 and keep_last_turns >= 1")
        if self.summarizer is not None and not hasattr(self.summarizer, "runner"):
            raise UserError(
                f"HistoryLimit(summarizer=...) must be an Agent, not {self.summarizer!r}"
            )


def history_tokens(state: RunState) -> int | None:
    """The history's size as the last response counted it, if known."""
    if not state.interactions:
        return state.history_tokens
    usage = state.interactions[-1].usage
    if usage is None or usage.total_input_tokens is None:
        return None
    return usage.total_input_tokens + (usage.total_output_tokens or 0)


def cut_points(history: Sequence[Any]) -> list[int]:
    """Where the history may be cut: indexes of `user_input` steps before which
    every function call has its result."""
    points: list[int] = []
    open_calls: set[str] = set()
    for index, step in enumerate(history):
        kind = cast(JsonObject, step).get("type") if isinstance(step, dict) else None
        if kind == "user_input" and not open_calls and index > 0:
            points.append(index)
        elif kind == "function_call":
            open_calls.add(str(cast(JsonObject, step).get("id")))
        elif kind == "function_result":
            open_calls.discard(str(cast(JsonObject, step).get("call_id")))
    return points


def transcript(steps: Sequence[Any]) -> str:
    """A readable transcript of `steps` for a summarizer."""
    lines: list[str] = []
    for item in steps:
        if not isinstance(item, dict):
            continue
        step = cast(JsonObject, item)
        kind = step.get("type")
        blocks = cast(list[object], step.get("content") or [])
        texts = [
            str(cast(JsonObject, block).get("text", ""))
            for block in blocks
            if isinstance(block, dict) and cast(JsonObject, block).get("type") == "text"
        ]
        if kind == "user_input":
            lines.append("User: " + " ".join(texts))
        elif kind == "model_output":
            lines.append("Assistant: " + " ".join(texts))
        elif kind == "function_call":
            lines.append(f"Tool call {step.get('name')}({step.get('arguments')})")
        elif kind == "function_result":
            lines.append(f"Tool result {step.get('name')}: {step.get('result')}")
    return "\n".join(line for line in lines if line.strip())


async def compact(limit: HistoryLimit, state: RunState, summarize: Summarize | None) -> bool:
    """Compact `state.history` if it passed the budget; True if it did."""
    size = history_tokens(state)
    if state.store or size is None or size <= limit.max_tokens:
        return False
    points = cut_points(state.history)
    if len(points) < limit.keep_last_turns:
        return False  # not enough whole turns to drop any
    cut = points[-limit.keep_last_turns]
    older, kept = state.history[:cut], state.history[cut:]
    if _only_summary(older):
        return False  # the kept turns alone pass the budget: nothing left to fold
    if summarize is not None and limit.summarizer is not None:
        summary, usage = await summarize(limit.summarizer, transcript(older))
        # Spent on this run's behalf: counted in its usage (and so in its limits), as
        # a sub-agent's is.
        state.usage = state.usage + usage
        text = SUMMARY_PREFIX + summary
        note = {"type": "user_input", "content": [{"type": "text", "text": text}]}
        ack = {"type": "model_output", "content": [{"type": "text", "text": "Noted."}]}
        kept = [note, ack, *kept]
    state.history = list(kept)
    state.history_tokens = None  # unknown until the next response counts it
    state.compactions += 1
    return True


def _only_summary(steps: Sequence[Any]) -> bool:
    if len(steps) != 2 or not isinstance(steps[0], dict):
        return False
    content = cast(list[JsonObject], cast(JsonObject, steps[0]).get("content") or [{}])
    return str(content[0].get("text", "")).startswith(SUMMARY_PREFIX)
