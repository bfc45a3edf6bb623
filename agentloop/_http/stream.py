"""Interaction event streams: typed events, resume after a cut, the final interaction.

A stream that ends without `interaction.completed` (or an `error` event), or whose
connection breaks, is cut: it resumes with `GET .../interactions/{id}?stream=true
&last_event_id=...` within the retry budget, and never yields an event twice.
Creating a new interaction instead would bill the work twice and lose the first one.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing
from types import TracebackType
from typing import cast

import anyio
import httpx
from pydantic import ValidationError

from .._errors import APIError, ResponseValidationError, StreamError, describe_request
from .._wire.accumulate import InteractionAccumulator
from .._wire.events import ErrorEvent, InteractionCompletedEvent, StreamEvent, parse_event
from .._wire.interaction import Interaction
from .._wire.sse import DONE, ServerSentEvent, SSEDecoder
from .observe import current_http_observer
from .retry import RetryPolicy, Sleep

__all__ = ["AsyncInteractionStream", "Reconnect"]

Reconnect = Callable[[str, str | None], Awaitable[httpx.Response]]
"""Opens `GET .../interactions/{id}?stream=true&last_event_id=...` for a resume."""


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
        self.last_event_id: str | None = last_event_id
        """The id of the last event yielded (or resumed after); pass it as
        `last_event_id` to resume."""

    @property
    def interaction_id(self) -> str | None:
        """The interaction's id, once the stream has revealed it."""
        return self._accumulator.interaction_id or self._known_id

    def __aiter__(self) -> AsyncInteractionStream:
        return self

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
        return self._accumulator.snapshot()

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
            try:
                async with aclosing(aiter_sse(self._response)) as frames:
                    async for sse in frames:
                        if self._accumulator.completed:
                            # Read on to the end of the body rather than hang up: the
                            # connection goes back to the pool, and httpx finalises its
                            # own generators (trio reports them otherwise).
                            continue
                        event = self._parse(sse.data)
                        event_id = event.event_id
                        if event_id is not None:
                            if event_id in self._seen_ids:
                                continue  # replayed by a resume: already delivered
                            self._seen_ids.add(event_id)
                            self.last_event_id = event_id
                        failures = 0
                        delivered += 1
                        self._accumulator.feed(event)
                        yield event
                        if isinstance(event, ErrorEvent):
                            raise self._error_from(event)
            except httpx.TransportError as exc:
                cause = exc
            finally:
                await self._response.aclose()
            if self._closed or self._accumulator.completed:
                return
            if delivered == 0 and await self._already_finished():
                return
            failures += 1
            self._response = await self._resume(failures, cause)

    async def _already_finished(self) -> bool:
        """After an empty replay: is the interaction over (we resumed after its end)?"""
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
        return True

    def _parse(self, data: str) -> StreamEvent:
        try:
            return parse_event(data)
        except ValidationError as exc:
            raise ResponseValidationError(
                f"an event of the stream is not valid: {exc.errors(include_url=False)[:3]}",
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

    async def _resume(self, failures: int, cause: BaseException | None) -> httpx.Response:
        what = f"{type(cause).__name__}: {cause}" if cause else "it ended early"
        interaction_id = self.interaction_id
        if not interaction_id:
            raise StreamError(
                f"the stream broke before the interaction's id was known ({what}); "
                "it cannot be resumed. Send the request again.",
                request=self._response.request,
            ) from cause
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


def is_event_stream(response: httpx.Response) -> bool:
    """True if the response says it is `text/event-stream`."""
    return "text/event-stream" in response.headers.get("content-type", "")


async def aiter_sse(response: httpx.Response) -> AsyncGenerator[ServerSentEvent, None]:
    """The events of `response`'s body, until it ends or sends `[DONE]`.

    An event not terminated by a blank line when the body ends is incomplete and is
    not yielded (a resumed stream replays it).
    """
    decoder = SSEDecoder()
    # httpx types it as an iterator, but it is a generator: close it when we stop early.
    body = cast(AsyncGenerator[bytes, None], response.aiter_bytes())
    async with aclosing(body) as chunks:
        async for chunk in chunks:
            for event in decoder.feed(chunk):
                if event.data == DONE:
                    return
                yield event
