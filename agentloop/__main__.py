"""`python -m agentloop`: the `agentloop` command (see `agentloop._cli.app`)."""

from __future__ import annotations

from ._cli.app import main

if __name__ == "__main__":
    main()
