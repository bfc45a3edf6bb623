"""`agentloop demo`: the core features end to end, offline, in a few seconds.

Everything runs against agentloop's local Interactions server, in-process, answered
by the deterministic `DemoModel`: no port, no network, no API key. It is built only
on the public API (`agentloop`, `agentloop.testing`), so each part reads as the
code a user would write. Imported only by the CLI (it needs rich).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel
from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel

from agentloop import Agent, AsyncClient, BackgroundProgress, tool
from agentloop.testing import DemoModel

from .wire import WireRecorder, print_exchange

__all__ = ["DemoFailed", "run_demo"]

RESEARCH_AGENT = "deep-research-pro-preview-12-2025"
MODEL = "gemini-2.5-flash"
TOOL_SECONDS = 0.3
"""How long each weather lookup takes: two of them in parallel take this, not twice."""

_WEATHER: dict[str, dict[str, Any]] = {
    "Paris": {"temperature_c": 18, "conditions": "cloudy"},
    "Tokyo": {"temperature_c": 24, "conditions": "sunny"},
}


class DemoFailed(Exception):
    """A demo step did not show what it should (the message says which)."""


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise DemoFailed(message)


@tool
def get_weather(city: str, unit: Literal["celsius", "fahrenheit"] = "celsius") -> dict[str, Any]:
    """Get the current weather in a city.

    Args:
        city: The city, e.g. Paris.
        unit: The temperature unit.
    """
    time.sleep(TOOL_SECONDS)  # a slow API: the two calls overlap
    return {"city": city, **_WEATHER.get(city, {"temperature_c": 20, "conditions": "clear"})}


class Meeting(BaseModel):
    """A meeting, as structured output."""

    title: str
    city: str
    attendees: list[str]
    duration_minutes: int
    priority: Literal["low", "normal", "high"]


def _heading(console: Console, number: str, title: str) -> None:
    console.print()
    console.rule(f"[bold]{number}. {title}", align="left")


def _weather(console: Console, client: AsyncClient, wire: WireRecorder | None = None) -> None:
    _heading(console, "a", "Tools: one question, two parallel tool calls")
    agent = Agent(MODEL, tools=[get_weather], client=client)
    question = "What's the weather like in Paris and Tokyo?"
    console.print(f"[dim]agent.stream({question!r})[/]")
    started: float | None = None
    finished = 0
    calls = 0
    for event in agent.stream(question):
        if event.type == "tool_call_started":
            calls += 1
            started = started or time.monotonic()
            arguments = ", ".join(f"{k}={v!r}" for k, v in event.arguments.items())
            console.print(f"  [cyan]→ {event.name}({arguments})[/] running…")
        elif event.type == "tool_call_finished":
            finished += 1
            mark = "[red]✗[/]" if event.is_error else "[green]✓[/]"
            shown = ", ".join(f"{k}={v}" for k, v in event.result.items())
            console.print(f"  {mark} {event.name} → {shown}  [dim]{event.duration:.2f} s[/]")
        elif event.type == "text_delta":
            console.print(event.text, end="", markup=False, highlight=False)
        elif event.type == "run_finished":
            console.print()
    _check(calls == 2 and finished == 2, f"expected 2 tool calls, saw {calls}")
    took = time.monotonic() - (started or time.monotonic())
    _check(took < 2 * TOOL_SECONDS, f"the tool calls did not overlap ({took:.2f} s)")
    console.print(
        f"[dim]2 calls of {TOOL_SECONDS:.1f} s each finished in {took:.2f} s: parallel.[/]"
    )
    if wire is not None:
        console.print("[bold]On the wire[/] [dim](what agent.stream did for you)[/]")
        print_exchange(console, wire.exchanges)
        answered = [e for e in wire.exchanges if e.status == "requires_action"]
        _check(bool(answered), "the wire view saw no requires_action interaction")
        console.print(
            "[dim]The model asked for two calls (requires_action); agentloop ran them, "
            "sent each result back by call_id,\nand continued with "
            "previous_interaction_id until the interaction completed.[/]"
        )


def _structured(console: Console, client: AsyncClient) -> None:
    _heading(console, "b", "Structured output: the answer parsed into a pydantic model")
    agent = Agent(MODEL, response_format=Meeting, client=client)
    request = (
        "Set up a high priority 45 minute planning meeting in Lisbon with Alice, Bob and Chen."
    )
    console.print(f"[dim]Agent(..., response_format=Meeting).run({request!r})[/]")
    result = agent.run(request)
    # The type already says Meeting; the tour shows it holds at run time too.
    is_meeting = isinstance(result.output, Meeting)  # pyright: ignore[reportUnnecessaryIsInstance]
    _check(is_meeting, f"expected a Meeting, got {result.output!r}")
    console.print(result.output)


def _follow_up(console: Console, client: AsyncClient) -> None:
    _heading(console, "c", "State: a follow-up that uses the earlier turn")
    chat = Agent(MODEL, client=client).chat()
    for message in (
        "Hi! My name is Phil and my favourite city is Lisbon.",
        "What is my name, and what is my favourite city?",
    ):
        result = chat.run(message)
        console.print(f"  [bold]you:[/] {message}")
        console.print(f"  [bold]model:[/] {result.text}")
    interaction = chat.results[-1].interaction
    previous = interaction.previous_interaction_id if interaction else None
    _check(previous == chat.results[0].interaction_id, "the follow-up was not chained")
    _check("Phil" in chat.results[-1].text, "the follow-up forgot the name")
    console.print(f"[dim]turn 2 continued {previous} (previous_interaction_id)[/]")


def _progress_printer(console: Console) -> Callable[[BackgroundProgress], None]:
    shown = 0

    def report(progress: BackgroundProgress) -> None:
        nonlocal shown
        steps = progress.interaction.output_steps
        for step in steps[shown:]:
            data = step.to_dict()
            if data["type"] == "thought":
                summary: list[dict[str, Any]] = data.get("summary") or []
                for block in summary:
                    console.print(f"  [magenta]thinking[/]  {block.get('text', '')}")
            elif data["type"] == "google_search_call":
                queries = ", ".join(data.get("arguments", {}).get("queries", []))
                console.print(f"  [blue]searching[/] {queries}")
            elif data["type"] == "url_context_call":
                urls = data.get("arguments", {}).get("urls", [])
                console.print(f"  [blue]reading[/]   {len(urls)} pages")
            elif data["type"] == "model_output":
                console.print("  [green]report written[/]")
        shown = len(steps)
        console.print(f"  [dim]poll at {progress.elapsed:.2f} s: {progress.status}[/]")

    return report


def _research(console: Console, client: AsyncClient) -> None:
    _heading(console, "d", "Background research agent, then a summarizer that continues it")
    researcher = Agent(
        agent=RESEARCH_AGENT,
        background=True,
        poll_interval=0.05,
        poll_max_interval=0.15,
        client=client,
    )
    topic = "Research the history of the Google TPUs with a focus on 2025 and 2026."
    run = researcher.start(topic)
    console.print(f"started {run.id} in the background (status: {run.status})")
    research = run.wait(timeout=30, on_progress=_progress_printer(console))
    _check(research.status == "completed", f"research ended {research.status}")
    console.print(Panel(Markdown(research.text), title="report", expand=False))

    summarizer = Agent(MODEL, client=client)
    summary = summarizer.run(
        "Summarize the report in 5 bullets", previous_interaction_id=research.interaction_id
    )
    bullets = [line for line in summary.text.splitlines() if line.startswith("- ")]
    _check(len(bullets) == 5, f"expected 5 bullets, got {len(bullets)}")
    console.print(
        f"[dim]summarizer.run(..., previous_interaction_id={research.interaction_id!r})[/]"
    )
    console.print(summary.text, markup=False, highlight=False)


def run_demo(console: Console, *, step_delay: float = 0.04, wire: bool = False) -> None:
    """Run every part of the demo, printing as it goes; with `wire`, part (a) also
    shows the requests and answers of the tool loop.

    Raises:
        DemoFailed: a part did not behave as it should.
    """
    server = WireRecorder(DemoModel(), background_step_delay=step_delay, lenient=False)
    client = server.client()
    console.print(
        Panel(
            "This demo runs against [bold]agentloop's local Interactions server[/], "
            "in-process,\nanswered by its deterministic demo model: no network, no API key.",
            title="agentloop demo",
            expand=False,
        )
    )
    started = time.monotonic()
    _weather(console, client, server if wire else None)
    _structured(console, client)
    _follow_up(console, client)
    _research(console, client)
    console.print()
    console.print(
        Panel(
            f"All four parts passed in {time.monotonic() - started:.1f} s.\n\n"
            "To run the same code against Gemini: set GEMINI_API_KEY and drop the local\n"
            "client (the `client=server.client()` argument); agents then use Client().\n"
            "To try your own code offline: run `agentloop serve` and\n"
            "`export AGENTLOOP_BASE_URL=http://127.0.0.1:8765`.",
            title="done",
            expand=False,
        )
    )
