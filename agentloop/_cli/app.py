"""The `agentloop` command.

    agentloop demo                      every core feature, offline, in a few seconds
    agentloop chat [options]            a conversation in the terminal (tools shown live)
    agentloop serve [--port 8765]       a local Interactions API (demo model) on loopback
    agentloop run "prompt" [options]    one agent run (tools, schema, files, stream, ...)
    agentloop research "topic"          Deep Research in the background, then a summary
    agentloop research attach ID        wait for a research run again (after Ctrl+C)
    agentloop get|cancel|delete ID      look at, stop or remove an interaction
    agentloop webhooks listen ...       drive your agent's background runs from webhooks
    agentloop worker module:agent ...   serve agents on Temporal (`agentloop[temporal]`)

Commands talk to --base-url / AGENTLOOP_BASE_URL when set, else to Gemini
(--api-key / GEMINI_API_KEY). Defaults and state: `config.py`; the error style and
exit statuses: `errors.py`. Built only on the public API. typer, rich and
prompt_toolkit come with the `cli` extra and are imported when the command runs,
never by `import agentloop`; option parsing lives in `input.py`, printing in
`output.py`.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import context
from .errors import INTERRUPTED, USAGE, error_line, fail, reporting

if TYPE_CHECKING:
    import typer
    from rich.console import Console


__all__ = ["build_app", "main"]


def build_app() -> typer.Typer:
    """The typer application (imports typer and rich)."""
    import typer

    from .style import Command

    app = typer.Typer(
        name="agentloop",
        help="agentloop: agents on Gemini's Interactions API.\n\n"
        "Exit status: 0 done, 1 the run or the API failed, 2 a usage error, 130 interrupted.",
        no_args_is_help=True,
        add_completion=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    def show_version(value: bool) -> None:
        if value:
            from agentloop import __version__

            typer.echo(f"agentloop {__version__}")
            raise typer.Exit()

    @app.callback()
    def root(
        version: bool = typer.Option(
            False, "--version", callback=show_version, is_eager=True, help="Print the version."
        ),
        verbose: int = typer.Option(
            0,
            "-v",
            "--verbose",
            count=True,
            show_default=False,
            help="Log to stderr: -v requests and retries, -vv everything.",
        ),
        api_key: str | None = typer.Option(
            None,
            "--api-key",
            metavar="KEY",
            help="The Gemini API key (default: GEMINI_API_KEY).",
        ),
        base_url: str | None = typer.Option(
            None,
            "--base-url",
            metavar="URL",
            help="Talk to this server (default: AGENTLOOP_BASE_URL, the config file, Gemini).",
        ),
    ) -> None:
        """agentloop: agents on Gemini's Interactions API.

        Examples:

            agentloop demo

            agentloop chat -m gemini-2.5-flash

            echo "Summarize this" | agentloop run -
        """
        context.SETTINGS.api_key, context.SETTINGS.base_url = api_key, base_url
        _log_to_stderr(logging.DEBUG if verbose > 1 else logging.INFO if verbose else None)

    @app.command(cls=Command, short_help="Tour every core feature offline (no key, no network).")
    def demo(
        wire: bool = typer.Option(
            False,
            "--wire",
            help="Also show the wire: the requires_action interaction, the "
            "function_results by call_id, the follow-up.",
        ),
    ) -> None:
        """Run the tour: tools, structured output, state and background research,
        against agentloop's local server (no network, no API key).

        Examples:

            agentloop demo

            agentloop demo --wire
        """
        from rich.console import Console

        from .demo import run_demo

        # Off a terminal (a pipe, a log) long lines are not broken mid-sentence.
        console = Console()
        console.soft_wrap = not console.is_terminal
        try:
            run_demo(console, wire=wire)
        except Exception as exc:  # any failure: say which part, exit non-zero
            console.print(f"[red]✗ demo failed:[/] {type(exc).__name__}: {exc}")
            raise typer.Exit(1) from exc

    # Options as defaults is typer's idiom (B008 minds only the list-typed, repeatable ones).
    @app.command(cls=Command, short_help="Run an agent once (tools, schema, files, stream).")
    def run(
        prompt: str | None = typer.Argument(
            None,
            metavar="PROMPT",
            help="What to ask; - (or nothing, with a pipe) reads it from stdin.",
        ),
        model: str | None = typer.Option(
            None,
            "-m",
            "--model",
            metavar="MODEL",
            help="Model id (default: AGENTLOOP_MODEL, the config file, gemini-2.5-flash).",
        ),
        agent: str | None = typer.Option(
            None, "--agent", metavar="AGENT_ID", help="A server-side agent id instead."
        ),
        agent_ref: str | None = typer.Option(
            None,
            "--agent-ref",
            metavar="MODULE:OBJECT",
            help="Run your own agentloop Agent (its tools, schema and all).",
        ),
        instructions: str | None = typer.Option(
            None, "--instructions", metavar="TEXT", help="The system instruction."
        ),
        tools: list[str] | None = typer.Option(  # noqa: B008
            None, "--tool", metavar="MODULE:FUNCTION", help="A Python function as a tool."
        ),
        search: bool = typer.Option(False, "--search", help="Ground with Google Search."),
        code_execution: bool = typer.Option(
            False, "--code-execution", help="Let the model run code in the API's sandbox."
        ),
        url_context: bool = typer.Option(
            False, "--url-context", help="Let the model read the URLs in the prompt."
        ),
        mcp: list[str] | None = typer.Option(  # noqa: B008
            None, "--mcp", metavar="NAME=URL", help="A remote MCP server the API calls."
        ),
        schema: str | None = typer.Option(
            None, "--schema", metavar="MODULE:MODEL", help="Answer as this model (JSON)."
        ),
        files: list[Path] | None = typer.Option(  # noqa: B008
            None,
            "--file",
            exists=True,
            dir_okay=False,
            metavar="PATH",
            help="Attach a file: image, audio, video or document.",
        ),
        continue_: bool = typer.Option(
            False, "-c", "--continue", help="Continue the last conversation with this server."
        ),
        previous: str | None = typer.Option(
            None, "--previous", metavar="ID", help="Continue after this interaction."
        ),
        stream: bool = typer.Option(False, "--stream", help="Print the answer as it comes."),
        background: bool = typer.Option(
            False, "--background", help="Run in the background and poll."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
        temporal: str | None = typer.Option(
            None,
            "--temporal",
            metavar="HOST:PORT",
            help="Run durably on Temporal workers (with --task-queue and --agent-ref).",
        ),
        task_queue: str | None = typer.Option(
            None, "--task-queue", metavar="QUEUE", help="With --temporal: the workers' queue."
        ),
        trace: bool = typer.Option(
            False, "--trace", help="Draw the run as a waterfall on stderr when it ends."
        ),
    ) -> None:
        """Run an agent once: against AGENTLOOP_BASE_URL if set, else Gemini.

        Tool calls show as they start, with a spinner while they run; the answer
        goes to stdout, everything else to stderr.

        Examples:

            agentloop run "What is the weather in Paris?" --tool tools:get_weather

            git diff | agentloop run - --instructions "Review this change."

            agentloop run -c "And in Tokyo?"

            agentloop run --agent-ref myapp.agents:support "Where is my order?"
        """
        from agentloop import Agent, UserError

        if temporal is not None:
            from .input import CommandError
            from .temporal import run_temporal

            try:
                text = context.read_prompt(prompt)
            except CommandError as exc:
                raise fail(str(exc), exc.code) from None
            run_temporal(
                text,
                address=temporal,
                task_queue=task_queue,
                agent_ref=agent_ref,
                as_json=as_json,
                fail=fail,
            )
            return

        from .input import (
            CommandError,
            attachments,
            builtin_tools,
            load_schema,
            load_tools,
            mcp_servers,
        )
        from .output import print_output, print_tool_calls, stream_run, wait_in_background

        if model is not None and agent is not None:
            raise fail("pass --model or --agent, not both", USAGE)
        if agent_ref is not None and (
            model or agent or instructions or tools or search or code_execution
        ):
            raise fail(
                "--agent-ref runs your Agent as you configured it",
                USAGE,
                "drop --model, --agent, --instructions, --tool and the tool flags",
            )
        if agent_ref is not None and (url_context or mcp or schema):
            raise fail("--agent-ref runs your Agent as you configured it", USAGE)
        if stream and (as_json or background):
            raise fail(
                "--stream is for a foreground run read by a person: drop --json or --background",
                USAGE,
            )
        try:
            text = context.read_prompt(prompt)
            chosen = [
                *load_tools(tools or []),
                *builtin_tools(
                    search=search, code_execution=code_execution, url_context=url_context
                ),
                *mcp_servers(mcp or []),
            ]
            response_format = load_schema(schema) if schema else None
            media = attachments(files or [])
            previous_id = context.previous(continue_, previous)
            client = None if agent_ref else context.client()
        except CommandError as exc:
            raise fail(str(exc), exc.code) from None
        input: Any = [text, *media] if media else text
        console = context.stderr()
        if trace and agent_ref is not None:
            import agentloop

            agentloop.instrument()  # the user's Agent: trace it through the global switch
        with reporting(client):
            if agent_ref is not None:
                runner = context.user_agent(agent_ref)
            else:
                from .config import default_model

                try:
                    runner = Agent(
                        None if agent else default_model(model),
                        agent=agent,
                        instructions=instructions,
                        tools=chosen,
                        response_format=response_format,
                        background=background,
                        poll_interval=0.5,
                        poll_max_interval=5.0,
                        client=client,
                        instrument=True if trace else None,
                    )
                except UserError as exc:  # a bad schema, a tool mix the API cannot serve
                    raise fail(str(exc), USAGE) from None
            structured = runner.response_format is not None
            if as_json:
                result = runner.run(input, previous_interaction_id=previous_id)
                context.remember(result.interaction_id)
                typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))
                _print_trace(console, result, trace)
                return
            if background:  # progress lines show the server's tool calls as they come
                if previous_id:
                    raise fail("--background starts a new run: drop -c/--previous", USAGE)
                result = wait_in_background(runner, input, console, label="run")
                print_tool_calls(console, result)
            else:  # live: each tool call shows as it starts, a spinner while it runs
                result = stream_run(
                    runner,
                    input,
                    console,
                    echo_text=stream and not structured,
                    previous_interaction_id=previous_id,
                )
            context.remember(result.interaction_id)
            if not (stream and not structured):
                print_output(result, structured=structured)
            _print_trace(console, result, trace)

    @app.command(cls=Command, short_help="Talk with a model or your own Agent in the terminal.")
    def chat(
        model: str | None = typer.Option(
            None,
            "-m",
            "--model",
            metavar="MODEL",
            help="Model id (default: AGENTLOOP_MODEL, the config file, gemini-2.5-flash).",
        ),
        agent_ref: str | None = typer.Option(
            None,
            "--agent-ref",
            metavar="MODULE:OBJECT",
            help="Chat with your own agentloop Agent (its tools, schema and all).",
        ),
        instructions: str | None = typer.Option(
            None, "--instructions", metavar="TEXT", help="The system instruction."
        ),
        tools: list[str] | None = typer.Option(  # noqa: B008
            None, "--tool", metavar="MODULE:FUNCTION", help="A Python function as a tool."
        ),
        search: bool = typer.Option(False, "--search", help="Ground with Google Search."),
        continue_: bool = typer.Option(
            False, "-c", "--continue", help="Continue the last conversation with this server."
        ),
        previous: str | None = typer.Option(
            None, "--previous", metavar="ID", help="Continue after this interaction."
        ),
    ) -> None:
        """Talk with a model (or your own Agent) in the terminal.

        Enter sends, Esc then Enter starts a new line, arrows and Ctrl+R recall
        earlier input; /reset starts over, /exit (or Ctrl+D) leaves. Tool calls
        show as they run. Piped input: one message per line.

        Examples:

            agentloop chat

            agentloop chat -m gemini-2.5-pro --tool tools:get_weather

            agentloop chat --agent-ref myapp.agents:support -c
        """
        from agentloop import Agent, UserError

        from .chat import run_chat
        from .config import default_model, state_dir
        from .input import CommandError, builtin_tools, load_tools

        if agent_ref is not None and (model or instructions or tools or search):
            raise fail(
                "--agent-ref chats with your Agent as you configured it",
                USAGE,
                "drop --model, --instructions, --tool and --search",
            )
        try:
            chosen = [
                *load_tools(tools or []),
                *builtin_tools(search=search, code_execution=False, url_context=False),
            ]
            previous_id = context.previous(continue_, previous)
            client = context.client()
        except CommandError as exc:
            raise fail(str(exc), exc.code) from None
        console = context.stderr()
        with reporting(client):
            if agent_ref is not None:
                talker = context.user_agent(agent_ref)
                title = agent_ref
            else:
                try:
                    name = default_model(model)
                    talker = Agent(name, instructions=instructions, tools=chosen, client=client)
                except UserError as exc:
                    raise fail(str(exc), USAGE) from None
                title = name
            status = run_chat(
                talker,
                console,
                title=title,
                history_file=state_dir() / "chat_history",
                previous_interaction_id=previous_id,
                remember=context.remember,
            )
        raise typer.Exit(status)

    from .manage import add_commands
    from .webhooks import add_webhooks_commands

    add_commands(app)
    add_webhooks_commands(app)
    from .temporal import register as register_temporal

    register_temporal(app, fail)
    return app


class _Stderr(logging.StreamHandler[Any]):
    """Writes to whatever `sys.stderr` is at the time (a test may swap it)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


_VERBOSE = _Stderr()
_VERBOSE.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))


def _log_to_stderr(level: int | None) -> None:
    """Send agentloop's logs to stderr at `level` (None: as the library does)."""
    logger = logging.getLogger("agentloop")
    logger.removeHandler(_VERBOSE)
    logger.setLevel(logging.NOTSET)
    if level is not None:
        logger.addHandler(_VERBOSE)
        logger.setLevel(level)


def main(argv: list[str] | None = None) -> None:
    """The `agentloop` console script (and `python -m agentloop`)."""
    try:
        app = build_app()
    except ModuleNotFoundError as exc:
        sys.stderr.write(
            f"agentloop's command line needs {exc.name}: pip install 'agentloop[cli]'\n"
        )
        raise SystemExit(2) from exc
    import typer

    try:
        status = app(args=argv, prog_name="agentloop", standalone_mode=False)
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except typer.Abort:
        sys.stderr.write(_red(error_line("interrupted")) + "\n")
        raise SystemExit(INTERRUPTED) from None
    except typer.TyperException as exc:  # click's usage errors: one line, no boxed panel
        context = getattr(exc, "ctx", None)
        code = int(getattr(exc, "exit_code", USAGE))
        hint = f"see '{context.command_path} --help'" if context is not None else None
        message = _lower_first(exc.format_message())
        sys.stderr.write(_red(error_line(message, hint)) + "\n")
        raise SystemExit(code) from None
    raise SystemExit(status if isinstance(status, int) else 0)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _red(text: str) -> str:
    import click

    return click.style(text, fg="red") if sys.stderr.isatty() else text


def _print_trace(console: Console, result: Any, trace: bool) -> None:
    """`--trace`: the run's waterfall, on stderr with the other progress output."""
    if trace and result.trace is not None:
        console.print()
        result.trace.print(console.file, width=console.width)
