"""The `interactions` resource: create, get, cancel, delete (async; the sync face wraps it)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal, Unpack, overload

import httpx
from pydantic import BaseModel, ValidationError

from .._errors import ResponseValidationError, UserError, describe_request
from .._wire.base import JsonObject
from .._wire.interaction import Interaction
from .._wire.limits import is_too_deep, trim_deep_json, validation_summary
from .._wire.requests import CreateInteractionBody, build_create_body
from .core import HTTPCore, path_segment
from .extensions import Buffered
from .stream import AsyncInteractionStream, Recreate

__all__ = ["AsyncInteractions"]

_PATH = "interactions"


def _parse(
    model: type[BaseModel],
    response: httpx.Response | Buffered,
    describe: Callable[[], str] | None = None,
) -> Any:
    """`response`'s body as `model`; `describe` names the request (default: the
    response's own, which a `Buffered` reply does not carry)."""
    content = response.content
    try:
        try:
            return model.model_validate_json(content)
        except ValidationError as exc:
            # Nested deeper than the parser allows (a model's runaway arguments):
            # parse with the too-deep parts marked, so the run can answer the call.
            trimmed = trim_deep_json(content) if is_too_deep(exc) else None
            if trimmed is None:
                raise
            return model.model_validate_json(trimmed)
    except ValidationError as exc:
        request = response.request if isinstance(response, httpx.Response) else None
        what = describe() if describe is not None else describe_request(request)
        raise ResponseValidationError(
            f"{what} answered {response.status_code} with a "
            f"body that is not a valid {model.__name__}: {validation_summary(exc)}",
            request=request,
            body=content.decode("utf-8", "replace"),
        ) from exc


class AsyncInteractions:
    """`client.interactions` of an `AsyncClient`."""

    def __init__(self, core: HTTPCore) -> None:
        self._core = core

    @overload
    async def create(
        self,
        *,
        stream: Literal[False] = False,
        timeout: float | httpx.Timeout | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **body: Unpack[CreateInteractionBody],
    ) -> Interaction: ...

    @overload
    async def create(
        self,
        *,
        stream: Literal[True],
        timeout: float | httpx.Timeout | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **body: Unpack[CreateInteractionBody],
    ) -> AsyncInteractionStream: ...

    @overload
    async def create(
        self,
        *,
        stream: bool,
        timeout: float | httpx.Timeout | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **body: Unpack[CreateInteractionBody],
    ) -> Interaction | AsyncInteractionStream: ...

    async def create(
        self,
        *,
        stream: bool = False,
        timeout: float | httpx.Timeout | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **body: Unpack[CreateInteractionBody],
    ) -> Interaction | AsyncInteractionStream:
        """Create an interaction (`POST /interactions`).

        Takes the API's body fields as keywords: `model` or `agent`, `input`,
        `system_instruction`, `tools`, `generation_config`, `response_format`,
        `previous_interaction_id`, `store`, `background`, `agent_config`, ... Input in
        any form the guide shows is sent in the current steps dialect. With
        `stream=True`, returns an `AsyncInteractionStream` of typed events.

        Args:
            stream: stream the interaction's events as they happen.
            timeout: overrides the client's timeout for this call.
            extra_body: extra fields merged into the body as given.
        """
        wire = build_create_body(body)
        if stream:
            wire["stream"] = True
        if extra_body:
            wire.update(extra_body)
        if stream:
            return await self._create_stream(wire, timeout)
        # The hot path of every agent round: no httpx objects on agentloop's own client.
        reply = await self._core.request_buffered("POST", _PATH, body=wire, timeout=timeout)
        parsed: Interaction = _parse(Interaction, reply, self._describe_create)
        return parsed

    @overload
    async def get(
        self,
        id: str,
        *,
        stream: Literal[False] = False,
        timeout: float | httpx.Timeout | None = None,
    ) -> Interaction: ...

    @overload
    async def get(
        self,
        id: str,
        *,
        stream: Literal[True],
        last_event_id: str | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> AsyncInteractionStream: ...

    @overload
    async def get(
        self,
        id: str,
        *,
        stream: bool,
        last_event_id: str | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Interaction | AsyncInteractionStream: ...

    async def get(
        self,
        id: str,
        *,
        stream: bool = False,
        last_event_id: str | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Interaction | AsyncInteractionStream:
        """Retrieve an interaction; with `stream=True`, replay its events after `last_event_id`."""
        path = self._path(id)
        if last_event_id is not None and not stream:
            raise UserError("last_event_id resumes a stream; pass stream=True with it")
        if not stream:
            response = await self._core.request(
                "GET", path, params={"stream": "false"}, timeout=timeout
            )
            parsed: Interaction = _parse(Interaction, response)
            return parsed
        response = await self._open_stream(id, last_event_id, timeout)
        return self._stream(response, interaction_id=id, last_event_id=last_event_id)

    async def cancel(self, id: str, *, timeout: float | httpx.Timeout | None = None) -> Interaction:
        """Cancel a background interaction; returns it (status `cancelled` once stopped)."""
        # Cancelling twice is harmless: the request is safe to send again.
        response = await self._core.request(
            "POST", f"{self._path(id)}/cancel", timeout=timeout, idempotent=True
        )
        if not response.content.strip():
            return await self.get(id)
        parsed: Interaction = _parse(Interaction, response)
        return parsed

    async def delete(self, id: str, *, timeout: float | httpx.Timeout | None = None) -> None:
        """Delete a stored interaction. Deleting is final; a later `get` raises NotFoundError."""
        await self._core.request("DELETE", self._path(id), timeout=timeout)

    def _describe_create(self) -> str:
        return f"POST {self._core.url(_PATH)}"

    @staticmethod
    def _path(id: str) -> str:
        return f"{_PATH}/{path_segment(id, 'interaction id')}"

    async def _open_stream(
        self, id: str, last_event_id: str | None, timeout: float | httpx.Timeout | None = None
    ) -> httpx.Response:
        params = {"stream": "true"}
        if last_event_id is not None:
            params["last_event_id"] = last_event_id
        return await self._core.request(
            "GET", self._path(id), params=params, stream=True, timeout=timeout
        )

    async def _create_stream(
        self, wire: JsonObject, timeout: float | httpx.Timeout | None
    ) -> AsyncInteractionStream:
        # Its own method: the closure below would otherwise make `wire` and `timeout`
        # cells of every (non-streaming) create's frame.
        response = await self._core.request_streamed("POST", _PATH, body=wire, timeout=timeout)

        async def recreate() -> httpx.Response:
            return await self._core.request_streamed(
                "POST", _PATH, body=wire, timeout=timeout, repeated=True
            )

        return self._stream(response, interaction_id=None, recreate=recreate)

    def _stream(
        self,
        response: httpx.Response,
        *,
        interaction_id: str | None,
        last_event_id: str | None = None,
        recreate: Recreate | None = None,
    ) -> AsyncInteractionStream:
        return AsyncInteractionStream(
            response,
            reconnect=lambda id, last: self._open_stream(id, last),
            retry_policy=self._core.retry_policy,
            sleep=self._core.sleep,
            interaction_id=interaction_id,
            last_event_id=last_event_id,
            fetch=self.get,
            recreate=recreate,
            retry_ambiguous=self._core.retry_ambiguous,
        )
