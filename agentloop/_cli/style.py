"""How the commands' usage lines read: `agentloop get [OPTIONS] ID`, not `{id}`.

typer marks a required argument `{NAME}` on the usage line; the command line
convention (and click's own) is a bare NAME, optional ones in brackets.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperCommand

__all__ = ["Command"]


class Command(TyperCommand):
    """A typer command whose usage line shows required arguments bare."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces: list[str] = super().collect_usage_pieces(ctx)
        return [
            piece[1:-1].upper() if piece.startswith("{") and piece.endswith("}") else piece
            for piece in pieces
        ]
