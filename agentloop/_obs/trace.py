"""`RunTrace`: a run's timeline (requests, HTTP attempts, retries, polls, tools), and
its waterfall picture.

An instrumented run records one `TraceSpan` per OpenTelemetry span it emits, with
OpenTelemetry or without it, so `result.print_trace()` works everywhere.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import IO, Literal

__all__ = ["Recorder", "RunTrace", "TraceEvent", "TraceSpan"]

SpanKind = Literal["run", "model", "http", "tool"]


@dataclass(frozen=True, slots=True)
class TraceEvent:
    """A moment inside a span: a retry, with the wait before the next attempt."""

    name: str
    """`"retry"`."""
    at: float
    """Seconds since the run started."""
    wait: float = 0.0
    """Seconds waited after it (the backoff of a retry)."""
    detail: str = ""
    """Why (e.g. `status 503`)."""


@dataclass(slots=True)
class TraceSpan:
    """One step of a run on its time axis (times in seconds since the run started)."""

    name: str
    """The span's name (`execute_tool get_weather`, `POST interactions`, ...)."""
    kind: SpanKind
    """`run`, `model` (one interaction), `http` (one request, polls and resumes
    included) or `tool`."""
    start: float
    end: float | None = None
    """None while the span is open."""
    parent: int | None = None
    """The index of the parent span in `RunTrace.spans`."""
    error: str | None = None
    """The error it ended with, if any."""
    detail: str = ""
    """A short note: the status, the HTTP status code, the interaction id."""
    events: list[TraceEvent] = field(default_factory=list[TraceEvent])

    @property
    def duration(self) -> float:
        """Seconds from start to end (0 while open)."""
        return 0.0 if self.end is None else self.end - self.start


@dataclass(slots=True)
class RunTrace:
    """The timeline of one instrumented run; `print()` draws it as a waterfall."""

    spans: list[TraceSpan] = field(default_factory=list[TraceSpan])
    """Every span, parents before their children, in start order."""

    @property
    def duration(self) -> float:
        """The run's length in seconds."""
        return max((span.end or span.start for span in self.spans), default=0.0)

    def open(self, name: str, kind: SpanKind, start: float, parent: int | None) -> int:
        """Record a span starting now; returns its index."""
        self.spans.append(TraceSpan(name=name, kind=kind, start=start, parent=parent))
        return len(self.spans) - 1

    def render(self, width: int = 100) -> str:
        """The waterfall as plain text, `width` characters wide."""
        return "\n".join(text for text, _ in self._lines(width))

    def print(self, file: IO[str] | None = None, *, width: int | None = None) -> None:
        """Draw the waterfall on `file` (stdout), in colour with rich when installed."""
        out = file if file is not None else sys.stdout
        try:
            from rich.console import Console
            from rich.text import Text
        except ImportError:
            out.write(self.render(width or 100) + "\n")
            return
        console = Console(file=out, width=width, highlight=False, soft_wrap=True)
        if width is None and not console.is_terminal:
            console.width = 100
        for text, style in self._lines(console.width):
            console.print(Text(text, style=style or ""))

    def __str__(self) -> str:
        return self.render()

    def _depth(self, index: int) -> int:
        depth, parent = 0, self.spans[index].parent
        while parent is not None:
            depth, parent = depth + 1, self.spans[parent].parent
        return depth

    def _lines(self, width: int) -> list[tuple[str, str | None]]:
        total = self.duration or 1e-9
        rows: list[tuple[str, float, float, str, str | None]] = []
        for index, span in enumerate(self.spans):
            indent = "  " * self._depth(index)
            label = f"{indent}{span.name}"
            note = span.detail
            if span.error:
                note = f"✗ {span.error}"
            end = span.end if span.end is not None else total
            rows.append((label, span.start, end, note, "bold red" if span.error else None))
            for event in span.events:
                label = f"{indent}  ↻ {event.name}: {event.detail}"
                rows.append((label, event.at, event.at + event.wait, "", "yellow"))
        label_width = min(36, max((len(row[0]) for row in rows), default=10))
        note_width = min(24, max((len(row[3]) for row in rows), default=0))
        bar_width = max(10, width - label_width - note_width - 12)
        lines: list[tuple[str, str | None]] = [
            (f"{'':<{label_width}} 0{_seconds(total):>{bar_width - 1}}", "dim")
        ]
        for label, start, end, note, style in rows:
            first = min(bar_width - 1, int(start / total * bar_width))
            last = max(first + 1, min(bar_width, round(end / total * bar_width)))
            fill = "░" if style == "yellow" else "█"
            bar = " " * first + fill * (last - first) + " " * (bar_width - last)
            text = f"{_clip(label, label_width):<{label_width}} {bar} {_seconds(end - start):>8}"
            lines.append((f"{text}  {_clip(note, note_width)}".rstrip(), style))
        return lines


class Recorder:
    """Records a run's `RunTrace` (or nothing, when `trace` is None) on its clock."""

    __slots__ = ("_t0", "trace")

    def __init__(self, trace: RunTrace | None) -> None:
        self.trace = trace
        self._t0 = time.perf_counter()

    def now(self) -> float:
        """Seconds since the run started."""
        return time.perf_counter() - self._t0

    def open(self, name: str, kind: SpanKind, parent: int | None) -> int | None:
        """A span starting now; its index, or None when not recording."""
        return self.trace.open(name, kind, self.now(), parent) if self.trace else None

    def close(self, index: int | None, *, error: str | None = None, detail: str = "") -> None:
        """End span `index` now."""
        if self.trace is not None and index is not None:
            span = self.trace.spans[index]
            span.end, span.error, span.detail = self.now(), error, detail or span.detail

    def event(self, index: int | None, event: TraceEvent) -> None:
        """Add `event` to span `index`."""
        if self.trace is not None and index is not None:
            self.trace.spans[index].events.append(event)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def _seconds(value: float) -> str:
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s"
