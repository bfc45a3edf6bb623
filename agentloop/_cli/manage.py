"""The commands around runs: `serve`, `get`, `cancel`, `delete` and `research`.

Registered on the app by `add_commands`; they share the commands' client and
memory of the last conversation (`context.py`) and the error style (`errors.py`).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from . import context
from .errors import FAILED, USAGE, fail, reporting
from .style import Command

__all__ = ["add_commands"]

RESEARCH_AGENT = "deep-research-pro-preview-12-2025"
SUMMARY_PROMPT = "Summarize the report in 5 bullets."
MODELS = ("demo",)
"""The models `agentloop serve` can answer with."""


def add_commands(app: typer.Typer) -> None:
    """Add the commands to `app`."""

    @app.command(cls=Command, short_help="Serve the Interactions and Files APIs locally.")
    def serve(
        host: str = typer.Option(
            "127.0.0.1", metavar="HOST", help="Interface to bind (loopback by default)."
        ),
        port: int = typer.Option(8765, metavar="PORT", help="Port to listen on (0: any free)."),
        db: str | None = typer.Option(
            None, metavar="PATH", help="SQLite file that keeps interactions."
        ),
        api_key_file: Path | None = typer.Option(  # noqa: B008
            None,
            "--api-key-file",
            metavar="PATH",
            help="Require the key in this file on every request (x-goog-api-key).",
        ),
        api_key: str | None = typer.Option(
            None,
            "--api-key",
            metavar="KEY",
            help="Require this key (visible in the process list: prefer "
            "AGENTLOOP_API_KEY or --api-key-file).",
        ),
        model: str = typer.Option("demo", metavar="NAME", help="The model that answers: demo."),
        dialect: str = typer.Option(
            "auto",
            metavar="DIALECT",
            help="Wire dialect: auto (each caller's: google-genai 1.x gets legacy "
            "outputs[], others steps), steps or legacy.",
        ),
        lenient: bool = typer.Option(
            False, "--lenient", help="Accept any model or agent name (default: the API's)."
        ),
        step_delay: float = typer.Option(
            0.5,
            "--step-delay",
            metavar="SECONDS",
            help="Seconds between background steps becoming visible.",
        ),
    ) -> None:
        """Serve the Interactions API and Files API locally, answered by the demo model.

        The key, when one is required, comes from --api-key-file, --api-key or the
        AGENTLOOP_API_KEY environment variable; it is never logged.

        Examples:

            agentloop serve --port 8765

            AGENTLOOP_API_KEY=secret agentloop serve --dialect legacy
        """
        from .input import CommandError
        from .serve import read_api_key
        from .serve import serve as run_server

        if model not in MODELS:
            raise fail(f"unknown model {model!r}; available: {', '.join(MODELS)}", 2)
        if dialect not in ("auto", "steps", "legacy"):
            raise fail(f"--dialect must be auto, steps or legacy, not {dialect!r}", 2)
        try:
            key = read_api_key(api_key, api_key_file)
            run_server(
                host=host,
                port=port,
                db=db,
                api_key=key,
                dialect=None if dialect == "auto" else dialect,
                step_delay=step_delay,
                lenient=lenient,
            )
        except CommandError as exc:
            raise fail(str(exc), exc.code) from None

    @app.command(cls=Command)
    def get(
        id: str = typer.Argument(..., metavar="ID", help="The interaction id."),
        as_json: bool = typer.Option(False, "--json", help="Print the interaction as JSON."),
    ) -> None:
        """Show an interaction: its status, usage and every step."""
        from rich.console import Console

        from .output import print_interaction

        interaction = context.call(lambda client: client.interactions.get(id))
        if as_json:
            typer.echo(json.dumps(interaction.to_dict(), ensure_ascii=False))
        else:
            print_interaction(Console(highlight=False, soft_wrap=True), interaction)

    @app.command(cls=Command)
    def cancel(
        id: str = typer.Argument(..., metavar="ID", help="The id of a background interaction."),
        as_json: bool = typer.Option(False, "--json", help="Print the interaction as JSON."),
    ) -> None:
        """Stop a background interaction."""
        interaction = context.call(lambda client: client.interactions.cancel(id))
        if as_json:
            typer.echo(json.dumps(interaction.to_dict(), ensure_ascii=False))
        elif interaction.status == "cancelled":
            typer.echo(f"cancelled {id}")
        else:
            typer.echo(f"{id} is {interaction.status}: nothing left to cancel")

    @app.command(cls=Command)
    def delete(
        id: str = typer.Argument(..., metavar="ID", help="The interaction id."),
        as_json: bool = typer.Option(False, "--json", help="Print the outcome as JSON."),
    ) -> None:
        """Delete a stored interaction."""
        context.call(lambda client: client.interactions.delete(id))
        if as_json:
            typer.echo(json.dumps({"id": id, "deleted": True}))
        else:
            typer.echo(f"deleted {id}")

    @app.command(cls=Command, short_help="Deep Research in the background, then a summary.")
    def research(
        topic: str = typer.Argument(..., metavar="TOPIC", help="What to research (or: attach ID)."),
        attach_id: str | None = typer.Argument(
            None, metavar="ID", help="With `attach`: the research run to wait for again."
        ),
        summarize_with: str | None = typer.Option(
            None, "--summarize-with", metavar="MODEL", help="Then summarize with this model."
        ),
        summary_prompt: str = typer.Option(
            SUMMARY_PROMPT,
            "--summary-prompt",
            metavar="TEXT",
            help="What the summarizer is asked.",
            show_default=True,
        ),
        agent: str = typer.Option(
            RESEARCH_AGENT, "--agent", metavar="AGENT_ID", help="The research agent."
        ),
        poll_interval: float = typer.Option(
            5.0,
            "--poll-interval",
            min=0.01,
            metavar="SECONDS",
            help="Seconds before the first poll (then 1.5x longer each time).",
        ),
        timeout: float | None = typer.Option(
            None,
            "--timeout",
            min=0.0,
            metavar="SECONDS",
            help="Stop waiting after this many seconds (the run goes on).",
        ),
        as_json: bool = typer.Option(False, "--json", help="Print both results as JSON."),
    ) -> None:
        """Run Deep Research in the background, then optionally summarize the report
        with a model (continuing the research interaction).

        Ctrl+C stops waiting, not the research: `agentloop research attach ID`
        waits for it again.

        Examples:

            agentloop research "The history of Google TPUs" --summarize-with gemini-2.5-flash

            agentloop research attach int_123abc
        """
        from agentloop import Agent, BackgroundRun, UserError

        from .output import print_output, wait_in_background

        if topic == "attach" and attach_id is None:
            raise fail(
                "attach needs the id of a research run", USAGE, "agentloop research attach ID"
            )
        if topic != "attach" and attach_id is not None:
            raise fail(
                f"unexpected argument {attach_id!r}",
                USAGE,
                "quote a topic of several words; to wait for a run: agentloop research attach ID",
            )
        try:
            client = context.client()
        except Exception as exc:
            raise fail(str(exc), getattr(exc, "code", FAILED)) from None
        console = context.stderr()
        with reporting(client):
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
                raise fail(str(exc), USAGE) from None
            handle = (
                BackgroundRun.attach(attach_id, agent=researcher) if attach_id is not None else None
            )
            report = wait_in_background(
                researcher, topic, console, label="research", timeout=timeout, handle=handle
            )
            context.remember(report.interaction_id)
            summary = None
            if summarizer is not None:
                # The guide's "mixing interactions": a model continues the agent's
                # interaction, so the report is not sent again.
                with console.status(f"summarizing with {summarize_with}…"):
                    summary = summarizer.run(
                        summary_prompt, previous_interaction_id=report.interaction_id
                    )
                context.remember(summary.interaction_id)
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
