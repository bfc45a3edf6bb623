"""Request extensions agentloop's HTTP core and its transport agree on.

Its own module so that the core can mark requests without importing the transport
(which imports aiohttp, loaded only when the first client is opened).
"""

from __future__ import annotations

__all__ = ["BUFFER_BODY"]

BUFFER_BODY = "agentloop.buffer_body"
"""Request extension: the caller reads the whole body, so a transport may read it at once."""
