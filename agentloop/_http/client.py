"""`AsyncClient` and `Client`: two faces of one async implementation.

`Client` runs `AsyncClient`'s coroutines on agentloop's loop thread (`_sync.py`); it
holds no HTTP logic of its own.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from types import TracebackType
from typing import Any, Literal, TypedDict, Unpack, overload

import httpx

from .._sync import run_sync
from .._wire.events import StreamEvent
from .._wire.interaction import Interaction
from .agents import Agents, AsyncAgents, AsyncEnvironments, Environments
from .automation import (
    AsyncCredentials,
    AsyncDecisions,
    AsyncTriggers,
    AsyncWebhooks,
    Credentials,
    Decisions,
    Triggers,
    Webhooks,
)
from .core import DEFAULT_TIMEOUT, HTTPCore
from .files import AsyncFiles, Files
from .interactions import AsyncInteractions
from .retry import RetryPolicy, Sleep
from .stream import AsyncInteractionStream

__all__ = ["AsyncClient", "Client", "ClientOptions", "InteractionStream", "Interactions"]


class ClientOptions(TypedDict, total=False):
    """The keyword arguments of `Client` and `AsyncClient` (see `AsyncClient`)."""

    api_key: str | None
    base_url: str | None
    api_version: str | None
    timeout: float | httpx.Timeout | None
    max_retries: int | None
    retry_policy: RetryPolicy | None
    default_headers: dict[str, str] | None
    http_client: httpx.AsyncClient | None
    transport: httpx.AsyncBaseTransport | None
    retry_ambiguous: bool


class AsyncClient:
    """The async client for the Interactions API.

    Args:
        api_key: the Gemini API key; defaults to `GEMINI_API_KEY`, then
            `GOOGLE_API_KEY`. Sent as `x-goog-api-key`, never shown anywhere.
        base_url: defaults to `AGENTLOOP_BASE_URL`, then Google's endpoint.
        api_version: the path version, `v1beta` by default.
        timeout: seconds, or an `httpx.Timeout` (default: 600 s reads, 10 s connect).
        max_retries: retries after the first attempt (default 4); 0 disables.
        retry_policy: full control of backoff and bounds (see `RetryPolicy`).
        default_headers: extra headers sent with every request.
        http_client: an `httpx.AsyncClient` to use; it stays yours to close.
        transport: an httpx transport for the client agentloop creates.
        retry_ambiguous: send a create again when it reached the server but its reply
            was lost (a reset, a read timeout, a body cut short). True (the default)
            keeps runs going at the risk of a second, billed interaction; a repeat
            the server refuses because the first attempt answered the calls raises
            `CallAlreadyAnsweredError`. False raises `ReplyLostError` instead.
            Requests that cannot have been carried out are always retried.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        api_version: str | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        default_headers: dict[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        retry_ambiguous: bool = True,
        _sleep: Sleep | None = None,
    ) -> None:
        self._core = HTTPCore(
            api_key=api_key,
            base_url=base_url,
            api_version=api_version,
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            default_headers=default_headers,
            http_client=http_client,
            transport=transport,
            sleep=_sleep,
            retry_ambiguous=retry_ambiguous,
        )
        self.interactions = AsyncInteractions(self._core)
        """Create, get, cancel and delete interactions."""
        self.files = AsyncFiles(self._core)
        """Upload, get, list and delete files (the Files API)."""
        self.agents = AsyncAgents(self._core)
        """Saved managed agents (`/agents`)."""
        self.environments = AsyncEnvironments(self._core)
        """Sandbox environments and their workspace files (`/environments`)."""
        self.credentials = AsyncCredentials(self._core)
        """Secrets managed agents may use (`/credentials`)."""
        self.triggers = AsyncTriggers(self._core)
        """Cron-scheduled agent interactions and their executions (`/triggers`)."""
        self.webhooks = AsyncWebhooks(self._core)
        """Endpoints the API POSTs signed events to (`/webhooks`)."""
        self.decisions = AsyncDecisions(self._core)
        """A hosted classifier / judge (`/decisions`)."""

    @property
    def base_url(self) -> str:
        """The API root requests go to."""
        return self._core.base_url

    async def aclose(self) -> None:
        """Close the connections agentloop opened."""
        await self._core.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return (
            f"AsyncClient(base_url={self._core.base_url!r}, api_version={self._core.api_version!r})"
        )


class InteractionStream:
    """The blocking twin of `AsyncInteractionStream`: iterate it for typed events.

    Use it as a context manager to close the connection early; after (or instead of)
    iterating, `stream.get_final_interaction()` gives the reassembled `Interaction`.
    """

    def __init__(self, stream: AsyncInteractionStream) -> None:
        self._stream = stream

    @property
    def interaction_id(self) -> str | None:
        """The interaction's id, once the stream has revealed it."""
        return self._stream.interaction_id

    @property
    def last_event_id(self) -> str | None:
        """The id of the last event yielded; pass it as `last_event_id` to resume."""
        return self._stream.last_event_id

    def __iter__(self) -> Iterator[StreamEvent]:
        return self

    def __next__(self) -> StreamEvent:
        try:
            return run_sync(self._stream.__anext__)
        except StopAsyncIteration:
            raise StopIteration from None

    def __enter__(self) -> InteractionStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        run_sync(self._stream.aclose)

    def get_final_interaction(self) -> Interaction:
        """Read the rest of the stream and return the reassembled interaction."""
        return run_sync(self._stream.get_final_interaction)


class Interactions:
    """`client.interactions` of a blocking `Client`; see `AsyncInteractions` for details."""

    def __init__(self, interactions: AsyncInteractions) -> None:
        self._async = interactions

    @overload
    def create(self, *, stream: Literal[False] = False, **params: Any) -> Interaction: ...

    @overload
    def create(self, *, stream: Literal[True], **params: Any) -> InteractionStream: ...

    def create(self, *, stream: bool = False, **params: Any) -> Interaction | InteractionStream:
        """Create an interaction; with `stream=True`, an `InteractionStream` of events."""
        result = run_sync(functools.partial(self._async.create, stream=stream, **params))
        return InteractionStream(result) if isinstance(result, AsyncInteractionStream) else result

    @overload
    def get(self, id: str, *, stream: Literal[False] = False, **params: Any) -> Interaction: ...

    @overload
    def get(self, id: str, *, stream: Literal[True], **params: Any) -> InteractionStream: ...

    def get(
        self, id: str, *, stream: bool = False, **params: Any
    ) -> Interaction | InteractionStream:
        """Retrieve an interaction; with `stream=True`, replay its events after `last_event_id`."""
        result = run_sync(functools.partial(self._async.get, id, stream=stream, **params))
        return InteractionStream(result) if isinstance(result, AsyncInteractionStream) else result

    def cancel(self, id: str, **params: Any) -> Interaction:
        """Cancel a background interaction."""
        return run_sync(functools.partial(self._async.cancel, id, **params))

    def delete(self, id: str, **params: Any) -> None:
        """Delete a stored interaction."""
        run_sync(functools.partial(self._async.delete, id, **params))


class Client:
    """The blocking client for the Interactions API; same arguments as `AsyncClient`.

    `from agentloop import Client` replaces `from google import genai; genai.Client()`
    in the guide's examples: `client.interactions.create(model=..., input=...)`.
    """

    def __init__(self, **options: Unpack[ClientOptions]) -> None:
        self._async = AsyncClient(**options)
        self.interactions = Interactions(self._async.interactions)
        """Create, get, cancel and delete interactions."""
        self.files = Files(self._async.files)
        """Upload, get, list and delete files (the Files API)."""
        self.agents = Agents(self._async.agents)
        """Saved managed agents (`/agents`)."""
        self.environments = Environments(self._async.environments)
        """Sandbox environments and their workspace files (`/environments`)."""
        self.credentials = Credentials(self._async.credentials)
        """Secrets managed agents may use (`/credentials`)."""
        self.triggers = Triggers(self._async.triggers)
        """Cron-scheduled agent interactions and their executions (`/triggers`)."""
        self.webhooks = Webhooks(self._async.webhooks)
        """Endpoints the API POSTs signed events to (`/webhooks`)."""
        self.decisions = Decisions(self._async.decisions)
        """A hosted classifier / judge (`/decisions`)."""

    @property
    def base_url(self) -> str:
        """The API root requests go to."""
        return self._async.base_url

    def close(self) -> None:
        """Close the connections agentloop opened."""
        run_sync(self._async.aclose)

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return repr(self._async).replace("AsyncClient", "Client", 1)
