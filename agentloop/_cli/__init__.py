"""The `agentloop` command: arguments, input, output and the demo tour.

The top layer: it may import anything public (`agentloop`, `agentloop.testing`) and
nothing imports it.
"""

from __future__ import annotations

from .app import main

__all__ = ["main"]
