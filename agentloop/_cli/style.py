"""How the commands' help reads: `agentloop get [OPTIONS] ID`, not `{id}`, and
`ID  The interaction id.`, not `ID <str>`.

typer marks a required argument `{NAME}` on the usage line and adds the Python type
to each argument's help line; the command line convention (and click's own) is a
bare NAME, optional ones in brackets, and a metavar that says it all.
"""

from __future__ import annotations

import re
from typing import Any

from typer.core import TyperCommand

__all__ = ["Command"]

_TYPE_LABEL = re.compile(r" <[^<>]+>$")


class Command(TyperCommand):
    """A typer command whose usage line shows required arguments bare."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces: list[str] = super().collect_usage_pieces(ctx)
        return [
            piece[1:-1].upper() if piece.startswith("{") and piece.endswith("}") else piece
            for piece in pieces
        ]

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments: list[tuple[str, str]] = []
        options: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append((_TYPE_LABEL.sub("", record[0]), record[1]))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)
