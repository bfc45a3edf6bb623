"""`agentloop chat`: a conversation in the terminal, on `Chat`.

On a terminal, prompt_toolkit edits the line: arrows and Ctrl+R search the input
history (kept in the state directory), Enter sends, Esc then Enter (or Alt+Enter)
starts a new line. Ctrl+C drops the line (or stops the answer), Ctrl+D or `/exit`
leaves. Off a terminal (a pipe, a file), each input line is one message. Answers
stream to stdout; tool calls show on stderr as they start, with a spinner while
they run.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from agentloop import Agent, AgentloopError

from .errors import describe, error_line
from .output import stream_run

__all__ = ["COMMANDS", "run_chat"]

COMMANDS = {
    "/exit": "leave (Ctrl+D too)",
    "/reset": "start a new conversation",
    "/help": "show these commands",
}


def _terminal_lines(history_file: Path) -> Iterator[str]:
    """Messages typed at a prompt_toolkit prompt, until Ctrl+D."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory
    from prompt_toolkit.key_binding import KeyBindings

    def send(event: Any) -> None:
        event.current_buffer.validate_and_handle()

    def new_line(event: Any) -> None:
        event.current_buffer.insert_text("\n")

    bindings = KeyBindings()
    bindings.add("enter")(send)
    bindings.add("escape", "enter")(new_line)  # Esc then Enter, or Alt+Enter

    try:
        history_file.parent.mkdir(parents=True, exist_ok=True)
        history: Any = FileHistory(str(history_file))
    except OSError:
        history = None
    session: PromptSession[str] = PromptSession(
        history=history,
        multiline=True,
        key_bindings=bindings,
        prompt_continuation=lambda width, line, soft: "." * (width - 1) + " ",
    )
    while True:
        try:
            yield session.prompt("> ")
        except KeyboardInterrupt:
            continue  # Ctrl+C drops the line being typed
        except EOFError:
            return


def _piped_lines() -> Iterator[str]:
    for line in sys.stdin:
        yield line.rstrip("\n")


def run_chat(
    agent: Agent,
    console: Console,
    *,
    title: str,
    history_file: Path,
    previous_interaction_id: str | None = None,
    remember: Callable[[str | None], None] = lambda id: None,
    interactive: bool | None = None,
) -> int:
    """The REPL; returns the exit status (0, or 1 when the last message failed)."""
    chat = agent.chat()
    chat.previous_interaction_id = previous_interaction_id
    interactive = sys.stdin.isatty() if interactive is None else interactive
    console.print(
        Text.assemble(
            (f"agentloop chat with {title}", "bold"),
            ("  /exit to leave, /reset to start over, /help", "dim"),
            ("; Esc Enter for a new line" if interactive else "", "dim"),
        )
    )
    status = 0
    for line in _terminal_lines(history_file) if interactive else _piped_lines():
        message = line.strip()
        if not message:
            continue
        command = message.split()[0].lower()
        if command in ("/exit", "/quit"):
            break
        if command == "/reset":
            chat = agent.chat()
            console.print(Text("(a new conversation)", style="dim"))
            continue
        if command == "/help":
            for name, meaning in COMMANDS.items():
                console.print(Text.assemble((f"{name:8}", "bold"), meaning))
            continue
        if command.startswith("/"):
            console.print(
                Text(error_line(f"unknown command {command}", "/help lists them"), style="red")
            )
            continue
        try:
            stream_run(chat, line, console, echo_text=True)
            status = 0
        except AgentloopError as exc:
            status = 1
            console.print(Text(error_line(*describe(exc)), style="red"))
        except KeyboardInterrupt:
            console.print(Text("(stopped)", style="dim"))
            continue
        remember(chat.previous_interaction_id)
    return status
