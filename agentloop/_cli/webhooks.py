"""`agentloop webhooks listen`: receive the API's webhooks locally and drive your
agent's background runs with them (a `WebhookApp` under uvicorn).

    agentloop webhooks listen --agent myapp:agent --port 8080 --register

`--agent` names your `Agent` as `module:attribute` (imported from the current
directory). `--register` registers `http://HOST:PORT/` with the API (AGENTLOOP_BASE_URL
or Gemini) for the interaction events, uses the secret it returns, and deletes the
webhook on exit; otherwise pass the secret (`--secret` or AGENTLOOP_WEBHOOK_SECRET).
Built only on public names, like the rest of the command.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer

__all__ = ["add_webhooks_commands", "load_object"]

EVENTS = ["interaction.requires_action", "interaction.completed", "interaction.failed"]


def load_object(spec: str) -> Any:
    """`module:attribute` (a dotted attribute path too), imported from the current dir."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ValueError(f"{spec!r} is not module:attribute (e.g. myapp:agent)")
    if str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))
    value: Any = importlib.import_module(module_name)
    for part in attribute.split("."):
        value = getattr(value, part)
    return value


def add_webhooks_commands(app: typer.Typer) -> None:
    """Add the `webhooks` command group to `app`."""
    import typer

    group = typer.Typer(
        help="Receive the API's webhooks (local development).", no_args_is_help=True
    )

    @group.command()
    def listen(
        agent: str = typer.Option(..., help="Your Agent, as module:attribute."),
        host: str = typer.Option("127.0.0.1", help="Interface to bind (loopback by default)."),
        port: int = typer.Option(8080, help="Port to listen on."),
        secret: str | None = typer.Option(
            None, envvar="AGENTLOOP_WEBHOOK_SECRET", help="The webhook's signing secret."
        ),
        register: bool = typer.Option(
            False, help="Register this endpoint with the API for the run; use its secret."
        ),
        db: str | None = typer.Option(None, help="SQLite file for claims, states, outcomes."),
    ) -> None:
        """Serve a WebhookApp for your agent: tool rounds on requires_action, outcomes
        printed on completed / failed."""
        import uvicorn

        from agentloop import Agent, Client
        from agentloop.webhooks import MemoryWebhookStore, SQLiteWebhookStore, WebhookApp

        try:
            target = load_object(agent)
        except (ValueError, ImportError, AttributeError) as exc:
            typer.secho(f"error: --agent {agent}: {exc}", fg="red", err=True)
            raise typer.Exit(2) from exc
        if not isinstance(target, Agent):
            typer.secho(f"error: --agent {agent} is not an Agent", fg="red", err=True)
            raise typer.Exit(2)
        if not register and not secret:
            typer.secho(
                "error: pass --secret (or AGENTLOOP_WEBHOOK_SECRET), or --register",
                fg="red",
                err=True,
            )
            raise typer.Exit(2)
        client: Client | None = None
        hook_id: str | None = None
        if register:
            client = Client()
            hook = client.webhooks.create(uri=f"http://{host}:{port}/", subscribed_events=EVENTS)
            hook_id, secret = hook.id, hook.new_signing_secret
            typer.echo(f"registered webhook {hook_id} for http://{host}:{port}/", err=True)

        def report(outcome: dict[str, Any]) -> None:
            typer.echo(f"{outcome['root_id']}: {outcome['status']}: {outcome.get('text', '')}")

        store = SQLiteWebhookStore(db) if db is not None else MemoryWebhookStore()
        receiver = WebhookApp(
            secret=secret or "", agent=target, checkpoints=store, on_outcome=report
        )
        try:
            uvicorn.run(receiver, host=host, port=port, log_level="info", access_log=False)
        finally:
            if client is not None and hook_id is not None:
                client.webhooks.delete(hook_id)
                typer.echo(f"deleted webhook {hook_id}", err=True)

    app.add_typer(group, name="webhooks")
