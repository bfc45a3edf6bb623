"""What the `agentloop` commands print: answers on stdout, everything else on stderr.

Stdout carries only the answer (or one JSON object with `--json`), so it pipes
cleanly; tool-call lines, thought summaries and the background spinner go to stderr
through rich. Built only on the public API; imported by the CLI alone.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from collections.abc import Generator, Iterable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, cast

from pydantic_core import to_jsonable_python
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.text import Text

from agentloop import Agent, BackgroundProgress, BackgroundRun, Chat, Interaction, RunResult

from .input import CommandError

__all__ = [
    "ToolProgress",
    "print_interaction",
    "print_output",
    "print_steps",
    "print_tool_calls",
    "stream_run",
    "wait_in_background",
]

_WIDTH = 120
"""Longest tool argument or result shown on one line."""


def _short(value: Any, width: int = _WIDTH) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _call(name: str, arguments: dict[str, Any] | None) -> str:
    shown = ", ".join(f"{key}={value!r}" for key, value in (arguments or {}).items())
    return _short(f"{name}({shown})")


def _content(blocks: Iterable[Any]) -> str:
    """Content blocks (wire dicts) as one line: text, and `[image image/png]` for media."""
    parts: list[str] = []
    for item in blocks:
        if not isinstance(item, dict):
            continue
        block = cast(dict[str, Any], item)
        if block.get("type") == "text":
            parts.append(str(block.get("text", "")))
        else:
            parts.append(
                f"[{block.get('type')} {block.get('mime_type') or block.get('uri') or ''}]"
            )
    return " ".join(part.strip() for part in parts if part.strip())


def step_line(step: dict[str, Any]) -> Text | None:
    """A server-run tool step (search, code, URL, MCP, ...) as one readable line;
    None for steps that are not tool calls."""
    kind = str(step.get("type", ""))
    arguments: dict[str, Any] = step.get("arguments") or {}
    if kind == "google_search_call":
        detail = ", ".join(str(q) for q in arguments.get("queries", []))
        return Text.assemble(("⌕ google_search ", "cyan"), _short(detail))
    if kind == "url_context_call":
        detail = ", ".join(str(u) for u in arguments.get("urls", []))
        return Text.assemble(("⌕ url_context ", "cyan"), _short(detail))
    if kind == "code_execution_call":
        code = str(arguments.get("code", "")).strip().splitlines()
        return Text.assemble(("⚙ code_execution ", "cyan"), _short(code[0] if code else ""))
    if kind == "code_execution_result":
        return Text.assemble(("  ↳ ", "cyan"), _short(step.get("result", "")))
    if kind == "mcp_server_tool_call":
        name = f"{step.get('server_name') or 'mcp'}.{step.get('name')}"
        return Text.assemble(("→ ", "cyan"), _call(name, arguments))
    if kind == "mcp_server_tool_result":
        name = f"{step.get('server_name') or 'mcp'}.{step.get('name')}"
        return Text.assemble(("← ", "cyan"), f"{name}: {_short(step.get('result'))}")
    if kind.endswith("_call") and kind != "function_call":
        return Text.assemble((f"⚙ {kind.removesuffix('_call')} ", "cyan"), _short(arguments))
    return None


def print_steps(console: Console, interactions: Iterable[Interaction]) -> None:
    """The server-run tool calls of each interaction's turn, one line each."""
    for interaction in interactions:
        for step in interaction.output_steps:
            line = step_line(step.to_dict())
            if line is not None:
                console.print(line)


def _finished(name: str, result: Any, is_error: bool, duration: float) -> Text:
    if is_error:
        return Text.assemble(("✗ ", "red"), f"{name} failed: {_short(result)}")
    return Text.assemble(
        ("✓ ", "green"), f"{name} → {_short(result)} ", (f"({duration:.2f} s)", "dim")
    )


def print_tool_calls(console: Console, result: RunResult) -> None:
    """Every function call of a finished run: what was asked and what came back."""
    for call in result.tool_calls:
        console.print(Text.assemble(("→ ", "cyan"), _call(call.name, call.arguments)))
        console.print(_finished(call.name, call.result, call.is_error, call.duration))


def print_output(result: RunResult, *, structured: bool) -> None:
    """The answer on stdout: the parsed output as JSON for a schema, else the text."""
    if structured:
        sys.stdout.write(json.dumps(to_jsonable_python(result.output), indent=2) + "\n")
    else:
        sys.stdout.write(result.text + "\n")
    sys.stdout.flush()


class ToolProgress:
    """A spinner with the elapsed time while function tools run (on a terminal only:
    a log or a pipe gets just the lines)."""

    def __init__(self, console: Console) -> None:
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        self._progress = Progress(
            *columns, console=console, transient=True, disable=not console.is_terminal
        )
        self._running: list[str] = []
        self._task: TaskID | None = None

    def started(self, name: str) -> None:
        self._running.append(name)
        if self._task is None:
            self._task = self._progress.add_task(f"running {name}")
            self._progress.start()
        self._show()

    def finished(self, name: str) -> None:
        if name in self._running:
            self._running.remove(name)
        if self._running:
            self._show()
        else:
            self.stop()

    def _show(self) -> None:
        if self._task is not None:
            names = ", ".join(dict.fromkeys(self._running))
            self._progress.update(self._task, description=f"running {names}")

    def stop(self) -> None:
        if self._task is not None:
            self._progress.remove_task(self._task)
            self._progress.stop()
            self._task = None
        self._running.clear()


class _Interrupts:
    """Ctrl+C during a streamed run, raised only while the main thread waits for the
    next event. Anywhere else (inside rich, halfway through starting the tool spinner's
    live display, say) a `KeyboardInterrupt` could leave the display half set up, and
    stopping it then could hang: there it is held until the wait for the next event."""

    def __init__(self) -> None:
        self.waiting = False
        self.pending = False

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if self.waiting:
            raise KeyboardInterrupt
        self.pending = True

    def next_event(self, events: Iterator[Any]) -> Any:
        """The next event (StopIteration at the end); Ctrl+C, now or held, raises here."""
        self.waiting = True
        try:
            if self.pending:
                raise KeyboardInterrupt
            return next(events)
        finally:
            self.waiting = False


@contextmanager
def _held_interrupts() -> Generator[_Interrupts]:
    interrupts = _Interrupts()
    # Only where Python's own handler is in place, on the main thread (the only one a
    # handler can be set from): a program's own SIGINT handling is left alone.
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield interrupts  # Python's handler raises wherever it lands, as before
        return
    signal.signal(signal.SIGINT, interrupts.handle)
    try:
        yield interrupts
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if interrupts.pending:
        raise KeyboardInterrupt  # pressed after the last event: the run is over anyway


def stream_run(
    agent: Agent | Chat[Any, Any],
    input: Any,
    console: Console,
    *,
    echo_text: bool,
    previous_interaction_id: str | None = None,
) -> RunResult:
    """Run `agent` (or the next turn of a chat), writing text deltas to stdout as they
    come (when `echo_text`) and a line on stderr for each thought summary and each tool
    call as it starts (then a spinner while it runs) and as it ends."""
    result: RunResult | None = None
    streamed = False
    open_line = False  # stdout is in the middle of a line
    thought: list[str] = []
    tools = ToolProgress(console)

    def show(line: Text) -> None:
        nonlocal open_line
        if open_line:  # a stderr line starts below the text so far, not after it
            sys.stdout.write("\n")
            sys.stdout.flush()
            open_line = False
        console.print(line)

    if isinstance(agent, Chat):
        events = agent.stream(input)
    else:
        events = agent.stream(input, previous_interaction_id=previous_interaction_id)
    with _held_interrupts() as interrupts:
        try:
            iterator = iter(events)
            while True:
                try:
                    event = interrupts.next_event(iterator)
                except StopIteration:
                    break
                if event.type == "thought_delta":
                    thought.append(event.text)
                    continue
                if thought:  # summaries arrive in pieces: show each one whole
                    show(Text("".join(thought).strip(), style="dim italic"))
                    thought.clear()
                if event.type == "text_delta":
                    if echo_text and event.text:
                        sys.stdout.write(event.text)
                        sys.stdout.flush()
                        streamed = True
                        open_line = not event.text.endswith("\n")
                elif event.type == "tool_call_started":
                    show(Text.assemble(("→ ", "cyan"), _call(event.name, event.arguments)))
                    tools.started(event.name)
                elif event.type == "tool_call_finished":
                    tools.finished(event.name)
                    show(_finished(event.name, event.result, event.is_error, event.duration))
                elif event.type == "interaction_finished":
                    for step in event.interaction.output_steps:
                        if (line := step_line(step.to_dict())) is not None:
                            show(line)
                elif event.type == "run_finished":
                    result = event.result
        finally:
            tools.stop()
    if result is None:  # pragma: no cover - a stream always ends with run_finished
        raise CommandError("the run ended without a result", 1)
    if echo_text and (open_line or not streamed):
        sys.stdout.write(("" if streamed else result.text) + "\n")
        sys.stdout.flush()
    return result


def wait_in_background(
    agent: Agent,
    input: Any,
    console: Console,
    *,
    label: str,
    timeout: float | None = None,
    handle: BackgroundRun | None = None,
) -> RunResult:
    """Start `agent` in the background (or take `handle`, a run started earlier) and
    wait for it under a spinner with the elapsed time, printing thought summaries and
    tool calls as the polls reveal them."""
    attached = handle is not None
    handle = handle if handle is not None else agent.start(input)
    started = time.monotonic()
    verb = "attached to" if attached else "started:"
    console.print(Text.assemble((f"{label} {verb} ", "dim"), (handle.id, "bold")))
    shown = 0
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    # The spinner only where it can animate; a log or a pipe gets the plain lines.
    live = console.is_terminal
    with Progress(*columns, console=console, transient=True, disable=not live) as progress:
        task = progress.add_task(f"{label}: {handle.status}")

        def report(update: BackgroundProgress) -> None:
            nonlocal shown
            steps = update.interaction.output_steps
            for step in steps[shown:]:
                line = _progress_line(step.to_dict(), update.elapsed)
                if line is not None:
                    progress.console.print(line)
            shown = len(steps)
            progress.update(task, description=f"{label}: {update.status}")

        try:
            result = handle.wait(timeout, on_progress=report)
        except TimeoutError:
            raise CommandError(
                f"{label} {handle.id} is still running after {timeout:g} s; it goes on on "
                f"the server: `agentloop get {handle.id}` to look later, "
                f"`agentloop cancel {handle.id}` to stop it",
                1,
            ) from None
        except KeyboardInterrupt:
            again = (
                f"`agentloop research attach {handle.id}` to wait again"
                if label == "research"
                else f"`agentloop get {handle.id}` to look later"
            )
            raise CommandError(
                f"interrupted; {label} {handle.id} goes on on the server: {again}, "
                f"`agentloop cancel {handle.id}` to stop it",
                130,
            ) from None
    elapsed = time.monotonic() - started
    console.print(
        Text.assemble(("✓ ", "green"), f"{label} {result.status} in {elapsed:.1f} s ({handle.id})")
    )
    return result


def _progress_line(step: dict[str, Any], elapsed: float) -> Text | None:
    stamp = (f"{elapsed:6.1f}s  ", "dim")
    if step.get("type") == "thought":
        summary = _content(step.get("summary") or [])
        return Text.assemble(stamp, (summary, "italic")) if summary else None
    line = step_line(step)
    return Text.assemble(stamp, line) if line is not None else None


def print_interaction(console: Console, interaction: Interaction) -> None:
    """An interaction for a reader: its header, then its timeline step by step."""
    wire = interaction.to_dict()
    who = f"agent {interaction.agent}" if interaction.agent else f"model {interaction.model}"
    header = Text.assemble((interaction.id, "bold"), "  ", (interaction.status, "bold"), f"  {who}")
    console.print(header)
    facts: list[str] = []
    if interaction.created is not None:
        facts.append(f"created {interaction.created:%Y-%m-%d %H:%M:%S}")
    if interaction.usage is not None and interaction.usage.total_tokens is not None:
        facts.append(f"{interaction.usage.total_tokens} tokens")
    if interaction.previous_interaction_id:
        facts.append(f"after {interaction.previous_interaction_id}")
    if facts:
        console.print(Text("  ".join(facts), style="dim"))
    for error in interaction.errors or []:
        console.print(Text(f"error {error.code}: {error.message}", style="red"))
    for step in wire.get("steps", []):
        kind = step.get("type")
        if kind == "user_input":
            console.print(Text.assemble(("\nuser  ", "bold"), _content(step.get("content") or [])))
        elif kind == "model_output":
            console.print(Text("\nmodel", style="bold"))
            console.print(Text(_content(step.get("content") or [])))
        elif kind == "thought":
            summary = _content(step.get("summary") or [])
            if summary:
                console.print(Text(f"thought  {summary}", style="dim italic"))
        elif kind == "function_call":
            name = str(step.get("name"))
            console.print(Text.assemble(("→ ", "cyan"), _call(name, step.get("arguments"))))
        elif kind == "function_result":
            name = str(step.get("name") or step.get("call_id"))
            mark = ("✗ ", "red") if step.get("is_error") else ("← ", "cyan")
            console.print(Text.assemble(mark, f"{name}: {_short(step.get('result'))}"))
        elif (line := step_line(step)) is not None:
            console.print(line)
