"""The `agentloop` command: `demo`, `serve` and `run`.

    agentloop demo                    every core feature, offline, in a few seconds
    agentloop serve [--port 8765]     a local Interactions API (demo model) on loopback
    agentloop run "prompt" [--json]   one agent run against AGENTLOOP_BASE_URL or Gemini

Built only on the public API. typer, rich and uvicorn come with the `cli` extra and
are imported when the command runs, never by `import agentloop`.
"""

from __future__ import annotations

import json
import signal
import socket
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer

    from agentloop import Agent, Client, RunResult

__all__ = ["build_app", "main"]

DEFAULT_MODEL = "gemini-2.5-flash"
MODELS = ("demo",)
"""The models `agentloop serve` can answer with."""


def _client() -> Client:
    """The client `agentloop run` uses: configured from the environment
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

        from ._demo_script import run_demo

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

    @app.command()
    def run(
        prompt: str = typer.Argument(..., help="What to ask."),
        model: str | None = typer.Option(None, help=f"Model id (default {DEFAULT_MODEL})."),
        agent: str | None = typer.Option(None, help="A server-side agent id instead."),
        instructions: str | None = typer.Option(None, help="The system instruction."),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
        background: bool = typer.Option(False, help="Run in the background and poll."),
    ) -> None:
        """Run an agent once: against AGENTLOOP_BASE_URL if set, else Gemini."""
        from agentloop import Agent, AgentloopError

        if model is not None and agent is not None:
            raise _fail("pass --model or --agent, not both", 2)
        client = _client()
        runner = Agent(
            None if agent else model or DEFAULT_MODEL,
            agent=agent,
            instructions=instructions,
            background=background,
            poll_interval=0.5,
            poll_max_interval=5.0,
            client=client,
        )
        try:
            if as_json:
                result = runner.run(prompt)
                typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))
            elif background:
                _print_result(_wait_in_background(runner, prompt))
            else:
                _stream(runner, prompt)
        except AgentloopError as exc:
            raise _fail(f"{type(exc).__name__}: {exc}") from exc
        finally:
            client.close()

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


def _stream(agent: Agent, prompt: str) -> None:
    import typer

    streamed = False
    for event in agent.stream(prompt):
        if event.type == "text_delta":
            streamed = True
            sys.stdout.write(event.text)
            sys.stdout.flush()
        elif event.type == "thought_delta":
            typer.secho(event.text, dim=True, err=True)
        elif event.type == "run_finished" and not streamed:
            sys.stdout.write(event.result.text)
    sys.stdout.write("\n")


def _wait_in_background(agent: Agent, prompt: str) -> RunResult:
    import typer

    from agentloop import BackgroundProgress

    handle = agent.start(prompt)
    typer.secho(f"started {handle.id} in the background", dim=True, err=True)
    shown = 0

    def report(progress: BackgroundProgress) -> None:
        nonlocal shown
        for thought in progress.thoughts[shown:]:
            typer.secho(f"  {thought}", dim=True, err=True)
        shown = len(progress.thoughts)

    return handle.wait(on_progress=report)


def _print_result(result: RunResult) -> None:
    sys.stdout.write(result.text + "\n")


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
