"""Interaction event streams: typed events, resume after a cut, the final interaction.

A stream that ends without `interaction.completed` (or an `error` event), or whose
connection breaks, is cut: it resumes with `GET .../interactions/{id}?stream=true
&last_event_id=...` within the retry budget, and never yields an event twice.
Creating a new interaction instead would bill the work twice and lose the first one.
After a resume, the final interaction is the one the server stored (fetched once at
the end), so a stream ends complete or raises `StreamError`: never a partial answer.

Only a create cut before its first event (the id never arrived) cannot resume; it is
sent again if the client's `retry_ambiguous` allows, else `ReplyLostError`.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from types import TracebackType
from typing import Any, cast

import anyio
import httpx
from pydantic import ValidationError

from .._errors import (
    APIError,
    ReplyLostError,
    ResponseValidationError,
    StreamError,
    describe_request,
)
from .._wire.accumulate import InteractionAccumulator
from .._wire.events import ErrorEvent, InteractionCompletedEvent, StreamEvent, parse_event
from .._wire.interaction import Interaction
from .._wire.limits import validation_summary
from .._wire.sse import DONE, ServerSentEvent, SSEDecoder
from .observe import current_http_observer
from .retry import RetryPolicy, Sleep

__all__ = ["AsyncInteractionStream", "Reconnect"]

Reconnect = Callable[[str, str | None], Awaitable[httpx.Response]]
"""Opens `GET .../interactions/{id}?stream=true&last_event_id=...` for a resume."""
Recreate = Callable[[], Awaitable[httpx.Response]]
"""Sends a streaming create again (after it was cut before its first event)."""


class AsyncInteractionStream:
    """The events of one interaction, as they happen.

    `async for event in stream` yields typed events (`StepDeltaEvent`, ...); use it as
    an async context manager to close the connection early. After (or instead of)
    iterating, `await stream.get_final_interaction()` gives the reassembled
    `Interaction`. An in-stream `error` event is yielded, then raised as `StreamError`.
    """

    def __init__(
        self,
        response: httpx.Response,
        *,
        reconnect: Reconnect,
        retry_policy: RetryPolicy,
        sleep: Sleep | None = None,
        interaction_id: str | None = None,
        last_event_id: str | None = None,
        fetch: Callable[[str], Awaitable[Interaction]] | None = None,
        recreate: Recreate | None = None,
        retry_ambiguous: bool = True,
    ) -> None:
        self._response = response
        self._reconnect = reconnect
        self._policy = retry_policy
        self._sleep: Sleep = sleep or anyio.sleep
        self._known_id = interaction_id
        self._accumulator = InteractionAccumulator()
        self._seen_ids: set[str] = set()
        self._events = self._iterate()
        self._closed = False
        self._fetch = fetch
        # A resume happens while the caller iterates, outside the context that opened
        # the stream: keep that context's observer for it.
        self._observer = current_http_observer.get()
        self._recreate = recreate
        self._retry_ambiguous = retry_ambiguous
        self._resumed = False
        self._yielded = False
        self._final: Interaction | None = None
        self.last_event_id: str | None = last_event_id
        """The id of the last event yielded (or resumed after); pass it as
        `last_event_id` to resume."""

    @property
    def interaction_id(self) -> str | None:
        """The interaction's id, once the stream has revealed it."""
        return self._accumulator.interaction_id or self._known_id

    def __aiter__(self) -> AsyncIterator[StreamEvent]:
        # The generator itself, not `self`: `async for` then resumes it directly,
        # without a `__anext__` coroutine wrapped around every event.
        return self._events

    async def __anext__(self) -> StreamEvent:
        return await self._events.__anext__()

    async def __aenter__(self) -> AsyncInteractionStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection. Iterating afterwards ends at once."""
        self._closed = True
        await self._events.aclose()
        await self._response.aclose()

    async def get_final_interaction(self) -> Interaction:
        """Read the rest of the stream and return the reassembled interaction.

        Raises `StreamError` if the stream carried an error or was closed before the
        interaction's final event.
        """
        async for _ in self:
            pass
        if not self._accumulator.completed:
            raise StreamError(
                "the stream was closed before its interaction.completed event; "
                "read it to the end (or resume with client.interactions.get(id, "
                f"stream=True, last_event_id={self.last_event_id!r})).",
                event_id=self.last_event_id,
            )
        return self._final or self._accumulator.snapshot()

    async def _iterate(self) -> AsyncGenerator[StreamEvent, None]:
        failures = 0
        while True:
            cause: BaseException | None = None
            if not is_event_stream(self._response):
                await self._response.aclose()
                raise ResponseValidationError(
                    f"{describe_request(self._response.request)} did not answer with an "
                    "event stream (content-type "
                    f"{self._response.headers.get('content-type')!r})",
                    request=self._response.request,
                )
            delivered = 0
            decoder = SSEDecoder()
            try:
                async with aclosing(aiter_sse_data(self._response, decoder)) as frames:
                    async for data in frames:
                        if self._accumulator.completed:
                            # Read on to the end of the body rather than hang up: the
                            # connection goes back to the pool, and httpx finalises its
                            # own generators (trio reports them otherwise).
                            continue
                        event = self._parse(data)
                        event_id = event.event_id
                        if event_id is not None:
                            if event_id in self._seen_ids:
                                continue  # replayed by a resume: already delivered
                            self._seen_ids.add(event_id)
                            self.last_event_id = event_id
                        failures = 0
                        delivered += 1
                        self._accumulator.feed(event)
                        self._yielded = True
                        yield event
                        if isinstance(event, ErrorEvent):
                            raise self._error_from(event)
            except httpx.TransportError as exc:
                cause = exc
            finally:
                await self._response.aclose()
            if self._closed:
                return
            if self._accumulator.completed:
                if self._resumed:
                    await self._use_stored()
                return
            # An empty replay can mean we resumed after the end, or a replay cut
            # short itself; only a second one in a row makes us ask the server.
            if delivered == 0 and failures >= 2 and await self._already_finished():
                return
            failures += 1
            self._response = await self._resume(failures, cause, decoder.pending_data)

    async def _use_stored(self) -> None:
        """After a resume, make the server's stored interaction the final one.

        The events were each delivered once, but a resume is where a client can go
        wrong; the stored interaction is the truth. One GET, only after a resume; if
        it fails (e.g. `store=False`), the reassembled interaction stands.
        """
        interaction_id = self.interaction_id
        if self._fetch is None or not interaction_id:
            return
        try:
            interaction = await self._fetch(interaction_id)
        except APIError:
            return
        if interaction.is_terminal:
            self._final = _this_turn(interaction)

    async def _already_finished(self) -> bool:
        """After an empty replay: is the interaction over (we resumed after its end)?

        If so, the stored interaction is the final one: the events this stream missed
        are in it, where the partial reassembly would silently lack them.
        """
        interaction_id = self.interaction_id
        if self._fetch is None or not interaction_id:
            return False
        try:
            interaction = await self._fetch(interaction_id)
        except APIError:
            return False
        if not interaction.is_terminal:
            return False
        self._accumulator.feed(
            InteractionCompletedEvent(event_type="interaction.completed", interaction=interaction)
        )
        self._final = _this_turn(interaction)
        return True

    def _parse(self, data: str) -> StreamEvent:
        try:
            return parse_event(data)
        except ValidationError as exc:
            raise ResponseValidationError(
                f"an event of the stream is not valid: {validation_summary(exc)}",
                request=self._response.request,
                body=data,
            ) from exc

    def _error_from(self, event: ErrorEvent) -> StreamError:
        code, message = event.error.code, event.error.message or "no message"
        return StreamError(
            f"the server reported an error in the stream ({code}): {message}",
            request=self._response.request,
            body=event.to_dict(),
            code=code,
            event_id=event.event_id,
        )

    async def _resume(
        self, failures: int, cause: BaseException | None, pending: str = ""
    ) -> httpx.Response:
        what = f"{type(cause).__name__}: {cause}" if cause else "it ended early"
        interaction_id = self.interaction_id
        if not interaction_id and not self._yielded:
            # Cut inside the first event: if its id made it through, follow the
            # interaction from its start instead of creating it again.
            interaction_id = self._known_id = id_in_partial_created_event(pending)
        if not interaction_id:
            return await self._create_again(failures, what, cause)
        self._resumed = True
        if failures > self._policy.max_retries:
            raise StreamError(
                f"the stream of interaction {interaction_id} broke ({what}) and "
                f"{self._policy.max_retries} resumes made no progress. Resume later with "
                f"client.interactions.get({interaction_id!r}, stream=True, "
                f"last_event_id={self.last_event_id!r}).",
                request=self._response.request,
                event_id=self.last_event_id,
            ) from cause
        await self._sleep(self._policy.backoff(failures))
        token = current_http_observer.set(self._observer)
        try:
            return await self._reconnect(interaction_id, self.last_event_id)
        except APIError as exc:
            raise StreamError(
                f"the stream of interaction {interaction_id} broke ({what}) and could "
                f"not be resumed: {exc.message}",
                request=exc.request,
                event_id=self.last_event_id,
            ) from exc
        finally:
            current_http_observer.reset(token)

    async def _create_again(
        self, failures: int, what: str, cause: BaseException | None
    ) -> httpx.Response:
        """A create cut before its first event: the server may have created the
        interaction, but its id never arrived, so there is nothing to resume."""
        request = self._response.request
        if self._recreate is None or self._yielded or failures > self._policy.max_retries:
            raise StreamError(
                f"the stream broke before the interaction's id was known ({what}); "
                "it cannot be resumed.",
                request=request,
            ) from cause
        if not self._retry_ambiguous:
            raise ReplyLostError(
                f"{describe_request(request)} was answered, but its stream broke before "
                f"the first event ({what}). The interaction may exist on the server; it "
                "was not created again (retry_ambiguous=False).",
                request=request,
            ) from cause
        await self._sleep(self._policy.backoff(failures))
        return await self._recreate()


def _this_turn(interaction: Interaction) -> Interaction:
    """A fetched interaction as a stream would have built it: a GET returns the whole
    timeline, inputs included; a stream carries this turn's steps only."""
    output = list(interaction.output_steps)
    if len(output) == len(interaction.steps):
        return interaction
    return interaction.model_copy(update={"steps": output})


def is_event_stream(response: httpx.Response) -> bool:
    """True if the response says it is `text/event-stream`."""
    return "text/event-stream" in response.headers.get("content-type", "")


_CREATED_ID = re.compile(
    r'"event_type"\s*:\s*"interaction\.created".*?"interaction"\s*:\s*\{\s*"id"\s*:\s*"([^"\\]+)"',
    re.DOTALL,
)


def id_in_partial_created_event(data: str) -> str | None:
    """The interaction id in the first part of an `interaction.created` event's data.

    The id is the first field the server sends, so a first event cut after it still
    names the interaction: then the stream can follow it from its start.
    """
    match = _CREATED_ID.search(data)
    return match.group(1) if match else None


async def aiter_sse(
    response: httpx.Response, decoder: SSEDecoder | None = None
) -> AsyncGenerator[ServerSentEvent, None]:
    """The events of `response`'s body, until it ends or sends `[DONE]`.

    An event not terminated by a blank line when the body ends is incomplete and is
    not yielded (a resumed stream replays it); `decoder.pending_data` holds its data.
    """
    decoder = decoder or SSEDecoder()
    async with aclosing(_body_chunks(response)) as chunks:
        async for chunk in chunks:
            for event in decoder.events(chunk):
                if event.data == DONE:
                    return
                yield event


async def aiter_sse_data(
    response: httpx.Response, decoder: SSEDecoder
) -> AsyncGenerator[str, None]:
    """`aiter_sse`, yielding each event's `data` only: what an interaction stream
    reads (its events carry their ids in the JSON), without an object per event.

    Each event is framed only when the consumer asks for it (`SSEDecoder.data_of`),
    so the first one is handed on before the rest of its chunk is looked at.
    """
    async with aclosing(_body_chunks(response)) as chunks:
        async for chunk in chunks:
            for data in decoder.data_of(chunk):
                if data == DONE:
                    return
                yield data


async def _body_chunks(response: httpx.Response) -> AsyncGenerator[bytes, None]:
    """The decoded body, read from the transport's stream directly.

    `response.aiter_bytes()` nests two async generators that nothing closes when a
    consumer stops early; trio then reports them as garbage-collected unfinished.
    Iterating the stream ourselves lets us close the one generator there is.
    """
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in _DECOMPRESSORS:
        body = cast(AsyncGenerator[bytes, None], response.aiter_bytes())
        async with aclosing(body) as chunks:
            async for chunk in chunks:
                yield chunk
        return
    make = _DECOMPRESSORS[encoding]
    decompressor = make() if make is not None else None
    stream = cast(httpx.AsyncByteStream, response.stream)
    # agentloop's aiohttp transport can read in bounded pieces (see `aiter_slices`):
    # the first events of a burst are handed on before the rest is gathered.
    slices = getattr(stream, "aiter_slices", None)
    raw = cast(AsyncIterator[bytes], slices(_READ_SIZE)) if slices else stream.__aiter__()
    finished = False
    try:
        async for chunk in raw:
            if decompressor is None:
                yield chunk
                continue
            try:
                data = decompressor.decompress(chunk)
            except zlib.error as exc:
                raise httpx.DecodingError(str(exc), request=response.request) from exc
            if data:
                yield data
        finished = True
        if decompressor is not None and (tail := decompressor.flush()):
            yield tail
    finally:
        if not finished:
            await _finish_early(raw, response)


async def _finish_early(raw: AsyncIterator[bytes], response: httpx.Response) -> None:
    """Stop reading a body before its end, leaving no generator suspended.

    httpx's and httpcore's streams are nested async generators, and closing the
    outer one leaves the inner ones suspended until the GC finds them (trio warns
    then). Close the connection first, so that each layer can only fail, then ask
    for one more chunk under a cancelled scope: the failure (or the cancellation)
    runs through every layer and finishes them all.
    """
    await response.aclose()
    with anyio.CancelScope() as scope:
        scope.cancel()
        for _ in range(10_000):  # buffered data can come before the failure
            try:
                await raw.__anext__()
            except (StopAsyncIteration, Exception):
                break
    close = getattr(raw, "aclose", None)
    if close is not None:
        with anyio.CancelScope(shield=True):
            await close()


_READ_SIZE = 2048
"""Bytes per read of an event stream (agentloop's transport): ~13 small events. At
64 events in one chunk, 2 KB reads cut the wait for the first from ~54 to ~26 us;
smaller reads add a read per few events."""

_DECOMPRESSORS: dict[str, Callable[[], Any] | None] = {
    "identity": None,
    "": None,
    "gzip": lambda: zlib.decompressobj(zlib.MAX_WBITS | 16),
    "deflate": lambda: zlib.decompressobj(),
}
"""The encodings agentloop asks for (`accept-encoding: gzip, deflate`)."""
