"""`@tool` and `FunctionTool`: a typed, documented Python function as a function tool.

The schema and the argument validator are built once, at decoration time (in
`_schema.py`), so a bad signature fails where it is written and a call costs one
pydantic validation. This module knows nothing about HTTP or the agent loop.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar, overload

import anyio.to_thread
import sniffio

from .._errors import UserError
from .._wire.base import JsonObject
from .approval import ApprovalPolicy, check_policy
from .context import ToolContext
from .schema import FunctionSchema, function_declaration, function_schema

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

__all__ = ["FunctionTool", "tool"]

P = ParamSpec("P")
R = TypeVar("R")

_WORKER_THREADS = 40
"""As many sync tools at once as anyio's default thread limiter allows."""
_executor: ThreadPoolExecutor | None = None


def _tool_executor() -> ThreadPoolExecutor:
    """The worker threads sync tools run in under asyncio (created on first use)."""
    global _executor
    if _executor is None:
        # lazy, as asyncio below: `from agentloop import tool` stays light (~20 ms)
        from concurrent.futures import ThreadPoolExecutor

        _executor = ThreadPoolExecutor(_WORKER_THREADS, thread_name_prefix="agentloop-tool")
    return _executor


async def _in_thread(call: Callable[[], Any]) -> Any:
    """Run a blocking `call` in a worker thread, with the caller's context variables.

    Under asyncio this is `loop.run_in_executor` on a shared pool: anyio's
    `to_thread.run_sync` adds a capacity-limiter checkpoint, a cancel scope and a
    run-variable lookup per call (~20 us of the ~60 us a hop costs, measured with
    `python -m benchmarks.breakdown`). Cancelling abandons the thread, as
    `abandon_on_cancel=True` does: a timed-out or cancelled sync handler cannot be
    stopped; the run moves on and the thread finishes (and is discarded) on its own.
    """
    if sniffio.current_async_library() == "asyncio":
        import asyncio  # lazy (loaded already: this is an asyncio task)

        context = contextvars.copy_context()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(_tool_executor(), context.run, call)
    return await anyio.to_thread.run_sync(call, abandon_on_cancel=True)


class FunctionTool(Generic[P, R]):
    """A Python function the model can call. Calling it directly calls the function.

    Attributes:
        name: the name the model sees.
        description: what the model is told the tool does.
        parameters: the JSON schema of its arguments.
        timeout: seconds a call may take before it is abandoned (None: the agent's).
        requires_approval: True, or `(ctx, arguments) -> bool`: calls that need a
            person's approval pause the run (`result.status == "awaiting_approval"`).
        defer_loading: declared only when a tool search finds it (`Agent(tool_search=True)`).
        inline: a sync function that runs on the event loop's thread instead of a
            worker thread (see `tool`).
    """

    def __init__(
        self,
        func: Callable[P, R],
        *,
        name: str | None = None,
        description: str | None = None,
        timeout: float | None = None,
        requires_approval: ApprovalPolicy = False,
        defer_loading: bool = False,
        inline: bool = False,
    ) -> None:
        if timeout is not None and timeout <= 0:
            raise UserError(f"tool {getattr(func, '__name__', func)!r}: timeout must be > 0")
        self.func = func
        self.schema: FunctionSchema = function_schema(func, name=name, description=description)
        if inline and self.schema.is_async:
            raise UserError(
                f"tool {self.schema.name!r}: inline=True is for sync functions "
                "(an async one runs on the event loop already)"
            )
        if inline and timeout is not None:
            raise UserError(
                f"tool {self.schema.name!r}: an inline tool cannot be timed out "
                "(it holds the event loop until it returns); drop inline=True or timeout="
            )
        self.inline = inline
        self.timeout = timeout
        self.requires_approval: ApprovalPolicy = check_policy(
            requires_approval, f"tool {self.schema.name!r}"
        )
        self.defer_loading = defer_loading
        functools.update_wrapper(self, func)

    @property
    def name(self) -> str:
        return self.schema.name

    @property
    def description(self) -> str | None:
        return self.schema.description

    @property
    def parameters(self) -> JsonObject:
        return self.schema.parameters

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.func(*args, **kwargs)

    def to_wire(self) -> JsonObject:
        """The `{"type": "function", ...}` declaration the API takes."""
        declaration = function_declaration(self.name, self.description, self.parameters)
        if self.defer_loading:
            declaration["defer_loading"] = True
        return declaration

    async def invoke(self, arguments: Mapping[str, Any], context: ToolContext[Any]) -> Any:
        """Validate `arguments` and run the function (a sync one in a worker thread,
        unless it is `inline`).

        Raises `pydantic.ValidationError` for bad arguments; whatever the function
        raises propagates.
        """
        kwargs = self.schema.validate(arguments)
        if self.schema.context_parameter is not None:
            kwargs[self.schema.context_parameter] = context
        handler: Callable[..., Any] = self.func
        if self.schema.is_async:
            return await handler(**kwargs)
        if self.inline:
            # The user vouched that it returns at once: no thread hop (~50 us per call).
            return handler(**kwargs)
        return await _in_thread(functools.partial(handler, **kwargs))

    def __repr__(self) -> str:
        return f"FunctionTool(name={self.name!r})"


@overload
def tool(func: Callable[P, R], /) -> FunctionTool[P, R]: ...


@overload
def tool(
    *,
    name: str | None = None,
    description: str | None = None,
    timeout: float | None = None,
    requires_approval: ApprovalPolicy = False,
    defer_loading: bool = False,
    inline: bool = False,
) -> Callable[[Callable[P, R]], FunctionTool[P, R]]: ...


def tool(
    func: Callable[P, R] | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    timeout: float | None = None,
    requires_approval: ApprovalPolicy = False,
    defer_loading: bool = False,
    inline: bool = False,
) -> FunctionTool[P, R] | Callable[[Callable[P, R]], FunctionTool[P, R]]:
    """Turn a typed, documented function (sync or async) into a function tool.

    Use it bare (`@tool`) or with options (`@tool(name="...", timeout=5)`). The
    docstring's summary becomes the description and its `Args:` (or NumPy / reST)
    entries the parameter descriptions. A parameter annotated `ToolContext` is
    injected at call time and hidden from the model. For a method, decorate the
    bound method of an instance: `tool(store.lookup)`.

    Args:
        name: the name the model sees (default: the function's name).
        description: overrides the docstring's description.
        timeout: seconds one call may take (default: the agent's tool timeout).
        requires_approval: `True`, or a function `(ctx, arguments) -> bool` (sync or
            async) deciding per call: a call that needs approval does not run; the
            run stops with `status == "awaiting_approval"` until `agent.resume(...)`.
        defer_loading: keep the tool out of every request until the model's tool
            search finds it (`Agent(tool_search=True)`): for large catalogues.
        inline: run a sync function on the event loop's thread rather than in a
            worker thread, saving the thread hop (~50 us per call). Only for a
            function that returns at once (no I/O, no sleeping, no heavy CPU): while
            it runs, every other run on the loop waits. It cannot have a `timeout`.

    Raises:
        UserError: the signature cannot become a tool (the message names the parameter).
    """

    def decorate(function: Callable[P, R]) -> FunctionTool[P, R]:
        return FunctionTool(
            function,
            name=name,
            description=description,
            timeout=timeout,
            requires_approval=requires_approval,
            defer_loading=defer_loading,
            inline=inline,
        )

    if func is not None:
        return decorate(func)
    return decorate
