"""`agentloop serve`: the local Interactions server on a port, and its key's hygiene.

The key comes from `--api-key-file` or `AGENTLOOP_API_KEY` (`--api-key` still works
but shows in the process list); it is never printed or logged: the access log masks
any `key=` in a query string.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import sys
from pathlib import Path

from .input import CommandError

__all__ = ["RedactKeys", "read_api_key", "serve"]

KEY_VARIABLE = "AGENTLOOP_API_KEY"
"""The environment variable `agentloop serve` takes its key from."""

_KEY_PARAM = re.compile(r"(?i)([?&](?:key|api_key)=)[^&\s]*")


class RedactKeys(logging.Filter):
    """Masks `key=...` query parameters in log records (uvicorn's access log)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _KEY_PARAM.sub(r"\1***", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        if isinstance(record.msg, str):
            record.msg = _KEY_PARAM.sub(r"\1***", record.msg)
        return True


def read_api_key(api_key: str | None, api_key_file: Path | None) -> str | None:
    """The key `serve` requires: --api-key-file, else --api-key, else AGENTLOOP_API_KEY.

    Raises `CommandError` when the key is empty or not printable ASCII (no client
    could send it in a header).
    """
    if api_key_file is not None:
        try:
            key: str | None = api_key_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read --api-key-file {api_key_file}: {exc}") from None
        source = f"--api-key-file {api_key_file}"
    elif api_key is not None:
        key, source = api_key, "--api-key"
    else:
        key, source = os.environ.get(KEY_VARIABLE) or None, KEY_VARIABLE
    if key is None:
        return None
    if not key or not key.isascii() or not key.isprintable() or " " in key:
        raise CommandError(
            f"the key from {source} must be printable ASCII without spaces (it travels in "
            "an HTTP header)"
        )
    return key


def serve(
    *,
    host: str,
    port: int,
    db: str | None,
    api_key: str | None,
    dialect: str | None,
    step_delay: float,
    lenient: bool,
) -> None:
    """Serve the demo model until Ctrl+C or SIGTERM (then exit 0)."""
    import typer

    try:
        import uvicorn
    except ModuleNotFoundError as exc:
        raise CommandError(
            "`agentloop serve` needs uvicorn: pip install 'agentloop[server]'", 1
        ) from exc
    from agentloop.testing import DemoModel, InteractionsServer, SQLiteStore

    store = SQLiteStore(db) if db else None
    server = InteractionsServer(
        DemoModel(),
        api_key=api_key,
        store=store,
        dialect=dialect,
        background_step_delay=step_delay,
        lenient=lenient,
        trigger_interval=1.0,  # triggers fire on time, whether or not requests arrive
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
        raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror}", 1) from exc
    bound = sock.getsockname()[1]
    url = f"http://[{host}]:{bound}" if ":" in host else f"http://{host}:{bound}"
    shown = (
        dialect
        if dialect
        else "per caller (google-genai 1.x: legacy outputs[]; 2.x+, agentloop: steps)"
    )
    names = "any model or agent name" if lenient else "Gemini model and agent names only"
    typer.echo(f"agentloop local Interactions server (model: demo; accepts {names})")
    typer.echo(f"dialect: {shown}")
    typer.echo(f"listening on {url}  (storage: {db or 'memory'}; Ctrl+C to stop)")
    typer.echo("point agentloop (the CLI, Client(), Agent) at it with:")
    typer.echo(f"  export AGENTLOOP_BASE_URL={url}")
    if api_key:
        typer.echo("  export GEMINI_API_KEY=<the key this server requires>")
    if host not in ("127.0.0.1", "::1", "localhost"):
        typer.secho(
            f"warning: {host} is reachable beyond this machine; anyone who can connect can "
            "use this server" + ("" if api_key else f" (set {KEY_VARIABLE} to require a key)"),
            fg="yellow",
            err=True,
        )
    sys.stdout.flush()
    config = uvicorn.Config(server, lifespan="on", log_level="info", timeout_graceful_shutdown=2)
    redact = RedactKeys()
    access = logging.getLogger("uvicorn.access")
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then re-raises the signal; make
    # that a clean exit (status 0) instead of a traceback or a death by signal.
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        # uvicorn configures logging when the server is created; filter after that.
        runner = uvicorn.Server(config)
        access.addFilter(redact)
        runner.run(sockets=[sock])
    except (KeyboardInterrupt, _Stopped):
        pass
    finally:
        access.removeFilter(redact)
        signal.signal(signal.SIGTERM, previous)
        sock.close()
        if store is not None:
            store.close()
    typer.echo("agentloop serve: stopped")


class _Stopped(Exception):
    """SIGTERM arrived (after uvicorn's graceful shutdown)."""


def _stop(signum: int, frame: object) -> None:
    raise _Stopped
