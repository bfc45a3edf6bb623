"""What every resource shares: list pagination, response parsing, path segments, and
the blocking face's method wrappers.

`list()` returns an `AsyncPager`: iterate it (`async for agent in client.agents.list()`)
and pages are fetched lazily, `page_token` after `page_token`. The blocking client's
`list()` is a plain iterator over the same pages.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Generic, ParamSpec, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from .._errors import ResponseValidationError, UserError, describe_request
from .._sync import SyncIterator, run_sync
from .core import HTTPCore

__all__ = ["AsyncPager", "blocking", "blocking_list", "parse", "segment"]

T = TypeVar("T")
P = ParamSpec("P")


def segment(value: str, what: str, *, prefix: str | None = None) -> str:
    """A resource id as one URL path segment; `prefix/` (e.g. `agents/`) is accepted."""
    if prefix is not None and value.startswith(f"{prefix}/"):
        value = value[len(prefix) + 1 :]
    if not isinstance(value, str) or not value or "/" in value or "?" in value:
        raise UserError(f"not a {what} id: {value!r}")
    return quote(value, safe="-_.~:@")


def parse(model: type[T], response: httpx.Response) -> T:
    """The response body as `model`, or `ResponseValidationError` naming the request."""
    try:
        if isinstance(model, type) and issubclass(model, BaseModel):
            return model.model_validate_json(response.content or b"{}")
        return TypeAdapter(model).validate_json(response.content or b"{}")
    except ValidationError as exc:
        name = getattr(model, "__name__", str(model))
        raise ResponseValidationError(
            f"{describe_request(response.request)} answered {response.status_code} with a "
            f"body that is not a valid {name}: {exc.errors(include_url=False)[:3]}",
            request=response.request,
            body=response.text[:2000],
        ) from exc


class AsyncPager(Generic[T]):
    """An async iterator over every item of a list endpoint, one page at a time.

    `async for item in pager` walks all pages; `await pager.first_page()` gives one
    page's items and the token of the next.
    """

    def __init__(
        self,
        core: HTTPCore,
        path: str,
        *,
        key: str,
        model: type[T],
        params: dict[str, str] | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> None:
        if page_size is not None and page_size < 1:
            raise UserError(f"page_size must be >= 1, got {page_size}")
        self._core = core
        self._path = path
        self._key = key
        self._model = model
        self._params = dict(params or {})
        if page_size is not None:
            self._params["page_size"] = str(page_size)
        self._token = page_token

    async def _page(self, token: str | None) -> tuple[list[T], str | None]:
        params = dict(self._params)
        if token:
            params["page_token"] = token
        response = await self._core.request("GET", self._path, params=params or None)
        body = response.json() if response.content.strip() else {}
        if not isinstance(body, dict):
            raise ResponseValidationError(
                f"{describe_request(response.request)} answered with a non-object body",
                request=response.request,
                body=response.text[:2000],
            )
        adapter: TypeAdapter[T] = TypeAdapter(self._model)
        try:
            items = [adapter.validate_python(item) for item in body.get(self._key) or []]
        except ValidationError as exc:
            raise ResponseValidationError(
                f"{describe_request(response.request)} listed an item that is not a valid "
                f"{getattr(self._model, '__name__', self._model)}: "
                f"{exc.errors(include_url=False)[:3]}",
                request=response.request,
                body=response.text[:2000],
            ) from exc
        return items, body.get("next_page_token") or body.get("nextPageToken") or None

    async def first_page(self) -> tuple[list[T], str | None]:
        """The first page's items and the next page's token (None on the last page)."""
        return await self._page(self._token)

    async def items(self) -> AsyncGenerator[T, None]:
        """Every item of every page (what `async for` walks)."""
        token = self._token
        while True:
            items, token = await self._page(token)
            for item in items:
                yield item
            if not token:
                return

    def __aiter__(self) -> AsyncIterator[T]:
        return self.items()


def blocking(method: Callable[P, Awaitable[T]]) -> Callable[P, T]:
    """The blocking twin of an async resource method (same arguments, same docstring)."""

    @functools.wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> T:
        return run_sync(functools.partial(method, *args, **kwargs))

    return call


def blocking_list(method: Callable[P, AsyncPager[T]]) -> Callable[P, Iterator[T]]:
    """The blocking twin of a `list` method: a plain iterator over every page."""

    @functools.wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> Iterator[T]:
        return SyncIterator(method(*args, **kwargs).items())

    return call


def drop_none(**fields: Any) -> dict[str, Any]:
    """A request body from keyword fields, leaving out the ones not given."""
    return {name: value for name, value in fields.items() if value is not None}
