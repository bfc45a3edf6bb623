"""The `agentloop` command.

    agentloop demo                      every core feature, offline, in a few seconds
    agentloop serve [--port 8765]       a local Interactions API (demo model) on loopback
    agentloop run "prompt" [options]    one agent run (tools, schema, files, stream, ...)
    agentloop research "topic"          Deep Research in the background, then a summary
    agentloop get|cancel|delete ID      look at, stop or remove an interaction
    agentloop worker module:agent ...   serve agents on Temporal (`agentloop[temporal]`)

Commands talk to AGENTLOOP_BASE_URL when set, else to Gemini (GEMINI_API_KEY), as any
`Client()` does. Exit status: 0 done, 1 the run or the API failed, 2 a usage error.
Built only on the public API. typer, rich and uvicorn come with the `cli` extra and
are imported when the command runs, never by `import agentloop`; option parsing
lives in `_cli_input.py`, printing in `_cli_output.py`.
"""

from __future__ import annotations

import json
import signal
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import typer
    from rich.console import Console

    from agentloop import Client

__all__ = ["build_app", "main"]

DEFAULT_MODEL = "gemini-2.5-flash"
RESEARCH_AGENT = "deep-research-pro-preview-12-2025"
SUMMARY_PROMPT = "Summarize the report in 5 bullets."
MODELS = ("demo",)
"""The models `agentloop serve` can answer with."""

T = TypeVar("T")


def _client() -> Client:
    """The client every command uses: configured from the environment
    (`AGENTLOOP_BASE_URL`, `GEMINI_API_KEY`), like any `Client()`."""
    from agentloop import Client

    return Client()


def _fail(message: str, code: int = 1) -> typer.Exit:
    import typer

    typer.secho(f"error: {message}", fg="red", err=True)
    return typer.Exit(code)


def build_app() -> typer.Typer:
    """The typer application (imports typer and rich)."""
    import typer

    app = typer.Typer(
        name="agentloop",
        help="agentloop: agents on Gemini's Interactions API.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
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
    ) -> None:
        """agentloop: agents on Gemini's Interactions API."""

    @app.command()
    def demo() -> None:
        """Run the tour: tools, structured output, state and background research,
        against agentloop's local server (no network, no API key)."""
        from rich.console import Console

        from .demo import run_demo

        console = Console()
        try:
            run_demo(console)
        except Exception as exc:  # any failure: say which part, exit non-zero
            console.print(f"[red]✗ demo failed:[/] {type(exc).__name__}: {exc}")
            raise typer.Exit(1) from exc

    @app.command()
    def serve(
        host: str = typer.Option("127.0.0.1", help="Interface to bind (loopback by default)."),
        port: int = typer.Option(8765, help="Port to listen on (0: any free port)."),
        db: str | None = typer.Option(None, help="SQLite file that keeps interactions."),
        api_key: str | None = typer.Option(
            None, "--api-key", help="Require this key (x-goog-api-key) on every request."
        ),
        model: str = typer.Option("demo", help="The model that answers: demo."),
        dialect: str = typer.Option("steps", help="Wire dialect: steps or legacy."),
        step_delay: float = typer.Option(
            0.5, "--step-delay", help="Seconds between background steps becoming visible."
        ),
    ) -> None:
        """Serve the Interactions API locally, answered by the demo model."""
        if model not in MODELS:
            raise _fail(f"unknown model {model!r}; available: {', '.join(MODELS)}", 2)
        if dialect not in ("steps", "legacy"):
            raise _fail(f"--dialect must be 'steps' or 'legacy', not {dialect!r}", 2)
        _serve(host, port, db, api_key, dialect, step_delay)

    # Options as defaults is typer's idiom (B008 minds only the list-typed, repeatable ones).
    @app.command()
    def run(
        prompt: str = typer.Argument(..., help="What to ask."),
        model: str | None = typer.Option(None, help=f"Model id (default {DEFAULT_MODEL})."),
        agent: str | None = typer.Option(None, help="A server-side agent id instead."),
        instructions: str | None = typer.Option(None, help="The system instruction."),
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
        stream: bool = typer.Option(False, "--stream", help="Print the answer as it comes."),
        background: bool = typer.Option(
            False, "--background", help="Run in the background and poll."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
        temporal: str | None = typer.Option(
            None, "--temporal", metavar="HOST:PORT", help="Run durably on Temporal workers."
        ),
        task_queue: str | None = typer.Option(None, "--task-queue", help="With --temporal."),
        agent_ref: str | None = typer.Option(
            None, "--agent-ref", metavar="MODULE:AGENT", help="With --temporal: the agent."
        ),
    ) -> None:
        """Run an agent once: against AGENTLOOP_BASE_URL if set, else Gemini."""
        from agentloop import Agent, UserError

        if temporal is not None:
            from .temporal import run_temporal

            run_temporal(
                prompt,
                address=temporal,
                task_queue=task_queue,
                agent_ref=agent_ref,
                as_json=as_json,
                fail=_fail,
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
        from .output import (
            print_output,
            print_steps,
            print_tool_calls,
            stream_run,
            wait_in_background,
        )

        if model is not None and agent is not None:
            raise _fail("pass --model or --agent, not both", 2)
        if stream and (as_json or background):
            raise _fail(
                "--stream is for a foreground run read by a person: drop --json or --background", 2
            )
        try:
            chosen = [
                *load_tools(tools or []),
                *builtin_tools(
                    search=search, code_execution=code_execution, url_context=url_context
                ),
                *mcp_servers(mcp or []),
            ]
            response_format = load_schema(schema) if schema else None
            media = attachments(files or [])
        except CommandError as exc:
            raise _fail(str(exc), exc.code) from None
        input: Any = [prompt, *media] if media else prompt
        client = _client()
        console = _stderr()
        with _reporting(client):
            try:
                runner = Agent(
                    None if agent else model or DEFAULT_MODEL,
                    agent=agent,
                    instructions=instructions,
                    tools=chosen,
                    response_format=response_format,
                    background=background,
                    poll_interval=0.5,
                    poll_max_interval=5.0,
                    client=client,
                )
            except UserError as exc:  # a bad schema, a tool mix the API cannot serve, ...
                raise _fail(str(exc), 2) from None
            structured = response_format is not None
            if as_json:
                result = runner.run(input)
                typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))
                return
            if stream:
                result = stream_run(runner, input, console, echo_text=not structured)
                if structured:
                    print_output(result, structured=True)
                return
            if background:  # progress lines show the server's tool calls as they come
                result = wait_in_background(runner, input, console, label="run")
            else:
                result = runner.run(input)
                print_steps(console, result.interactions)
            print_tool_calls(console, result)
            print_output(result, structured=structured)

    @app.command()
    def get(
        id: str = typer.Argument(..., help="The interaction id."),
        as_json: bool = typer.Option(False, "--json", help="Print the interaction as JSON."),
    ) -> None:
        """Show an interaction: its status, usage and every step."""
        from rich.console import Console

        from .output import print_interaction

        interaction = _call(lambda client: client.interactions.get(id))
        if as_json:
            typer.echo(json.dumps(interaction.to_dict(), ensure_ascii=False))
        else:
            print_interaction(Console(highlight=False, soft_wrap=True), interaction)

    @app.command()
    def cancel(
        id: str = typer.Argument(..., help="The id of a background interaction."),
        as_json: bool = typer.Option(False, "--json", help="Print the interaction as JSON."),
    ) -> None:
        """Stop a background interaction."""
        interaction = _call(lambda client: client.interactions.cancel(id))
        if as_json:
            typer.echo(json.dumps(interaction.to_dict(), ensure_ascii=False))
        elif interaction.status == "cancelled":
            typer.echo(f"cancelled {id}")
        else:
            typer.echo(f"{id} is {interaction.status}: nothing left to cancel")

    @app.command()
    def delete(
        id: str = typer.Argument(..., help="The interaction id."),
        as_json: bool = typer.Option(False, "--json", help="Print the outcome as JSON."),
    ) -> None:
        """Delete a stored interaction."""
        _call(lambda client: client.interactions.delete(id))
        if as_json:
            typer.echo(json.dumps({"id": id, "deleted": True}))
        else:
            typer.echo(f"deleted {id}")

    @app.command()
    def research(
        topic: str = typer.Argument(..., help="What to research."),
        summarize_with: str | None = typer.Option(
            None, "--summarize-with", metavar="MODEL", help="Then summarize with this model."
        ),
        summary_prompt: str = typer.Option(
            SUMMARY_PROMPT, "--summary-prompt", help="What the summarizer is asked."
        ),
        agent: str = typer.Option(RESEARCH_AGENT, help="The research agent."),
        poll_interval: float = typer.Option(
            5.0,
            "--poll-interval",
            min=0.01,
            help="Seconds before the first poll (then 1.5x longer each time).",
        ),
        timeout: float | None = typer.Option(
            None, min=0.0, help="Stop waiting after this many seconds (the run goes on)."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print both results as JSON."),
    ) -> None:
        """Run Deep Research in the background, then optionally summarize the report
        with a model (continuing the research interaction)."""
        from agentloop import Agent, UserError

        from .output import print_output, wait_in_background

        client = _client()
        console = _stderr()
        with _reporting(client):
            try:
                researcher = Agent(
                    agent=agent,
                    background=True,
                    poll_interval=poll_interval,
                    poll_max_interval=max(30.0, poll_interval),
                    client=client,
                )
                summarizer = Agent(summarize_with, client=client) if summarize_with else None
            except UserError as exc:
                raise _fail(str(exc), 2) from None
            report = wait_in_background(
                researcher, topic, console, label="research", timeout=timeout
            )
            summary = None
            if summarizer is not None:
                # The guide's "mixing interactions": a model continues the agent's
                # interaction, so the report is not sent again.
                with console.status(f"summarizing with {summarize_with}…"):
                    summary = summarizer.run(
                        summary_prompt, previous_interaction_id=report.interaction_id
                    )
                console.print(
                    f"✓ summarized by {summarize_with} ({summary.interaction_id})", markup=False
                )
            if as_json:
                both = {
                    "research": report.to_dict(),
                    "summary": summary.to_dict() if summary else None,
                }
                typer.echo(json.dumps(both, ensure_ascii=False))
            else:
                print_output(report if summary is None else summary, structured=False)

    from .temporal import register as register_temporal

    register_temporal(app, _fail)
    return app


def _serve(
    host: str, port: int, db: str | None, api_key: str | None, dialect: str, step_delay: float
) -> None:
    import typer

    try:
        import uvicorn
    except ModuleNotFoundError as exc:
        raise _fail("`agentloop serve` needs uvicorn: pip install 'agentloop[server]'") from exc
    from agentloop.testing import DemoModel, InteractionsServer, SQLiteStore

    store = SQLiteStore(db) if db else None
    server = InteractionsServer(
        DemoModel(),
        api_key=api_key,
        store=store,
        dialect=dialect,
        background_step_delay=step_delay,
    )
    # Bind here rather than in uvicorn, so `--port 0` can print the port it got.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)  # listening before the URL is printed: no refused first request
    except OSError as exc:
        sock.close()
        raise _fail(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    bound = sock.getsockname()[1]
    url = f"http://[{host}]:{bound}" if ":" in host else f"http://{host}:{bound}"
    typer.echo(f"agentloop local Interactions server (model: demo, dialect: {dialect})")
    typer.echo(f"listening on {url}  (storage: {db or 'memory'}; Ctrl+C to stop)")
    typer.echo("point agentloop (the CLI, Client(), Agent) at it with:")
    typer.echo(f"  export AGENTLOOP_BASE_URL={url}")
    if api_key:
        typer.echo("  export GEMINI_API_KEY=<the key given to --api-key>")
    if host not in ("127.0.0.1", "::1", "localhost"):
        typer.secho(
            f"warning: {host} is reachable beyond this machine; anyone who can connect can "
            "use this server" + ("" if api_key else " (pass --api-key to require a key)"),
            fg="yellow",
            err=True,
        )
    sys.stdout.flush()
    config = uvicorn.Config(server, lifespan="on", log_level="info", timeout_graceful_shutdown=2)
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then re-raises the signal; make
    # that a clean exit (status 0) instead of a traceback or a death by signal.
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except (KeyboardInterrupt, _Stopped):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        sock.close()
        if store is not None:
            store.close()
    typer.echo("agentloop serve: stopped")


class _Stopped(Exception):
    """SIGTERM arrived (after uvicorn's graceful shutdown)."""


def _stop(signum: int, frame: object) -> None:
    raise _Stopped


def _stderr() -> Console:
    """Where progress, tool calls and thoughts go (stdout keeps only the answer)."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


@contextmanager
def _reporting(client: Client) -> Iterator[None]:
    """A command's failure as one `error:` line and its exit status, never a
    traceback; the client is closed either way."""
    from agentloop import AgentloopError

    from .input import CommandError

    try:
        yield
    except CommandError as exc:
        raise _fail(str(exc), exc.code) from None
    except AgentloopError as exc:
        raise _fail(f"{type(exc).__name__}: {exc}") from None
    except KeyboardInterrupt:
        raise _fail("interrupted", 130) from None
    finally:
        client.close()


def _call(request: Callable[[Client], T]) -> T:
    """One request with a fresh client: an API error exits 1 with its message."""
    client = _client()
    with _reporting(client):
        return request(client)
    raise AssertionError("unreachable")  # pragma: no cover - _reporting re-raises


def main(argv: list[str] | None = None) -> None:
    """The `agentloop` console script (and `python -m agentloop`)."""
    try:
        app = build_app()
    except ModuleNotFoundError as exc:
        sys.stderr.write(
            f"agentloop's command line needs {exc.name}: pip install 'agentloop[cli]'\n"
        )
        raise SystemExit(2) from exc
    app(args=argv, prog_name="agentloop")
