"""`@tool` and `FunctionTool`: a typed, documented Python function as a function tool.

The schema and the argument validator are built once, at decoration time (in
`_schema.py`), so a bad signature fails where it is written and a call costs one
pydantic validation. This module knows nothing about HTTP or the agent loop.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, Generic, ParamSpec, TypeVar, cast, overload

from .._errors import UserError
from .._wire.base import JsonObject
from .approval import ApprovalPolicy, check_policy
from .context import ToolContext
from .schema import FunctionSchema, function_declaration, function_schema
from .threads import Placement

__all__ = ["FunctionTool", "tool", "will_run_inline"]

P = ParamSpec("P")
R = TypeVar("R")


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
        inline: where a sync function runs: `True` on the event loop's thread,
            `False` in a worker thread, `None` (the default) decided by how its calls
            behave (see `tool`).
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
        inline: bool | None = None,
    ) -> None:
        if timeout is not None and timeout <= 0:
            raise UserError(f"tool {getattr(func, '__name__', func)!r}: timeout must be > 0")
        self.func = func
        self.schema: FunctionSchema = function_schema(func, name=name, description=description)
        setting = cast(object, inline)  # checked at run time: annotations are not enforced
        if setting is not None and not isinstance(setting, bool):
            raise UserError(
                f"tool {self.schema.name!r}: inline must be True, False or None, not {inline!r}"
            )
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
        # A tool with its own timeout is never inline (nothing could interrupt it):
        # pinned to worker threads, it skips the timing as well.
        self._placement = Placement(
            self.schema.name, False if inline is None and timeout is not None else inline
        )
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

    @property
    def runs_inline(self) -> bool:
        """Whether its calls run on the event loop's thread now: `inline=True`, or a
        sync function the default placement has promoted (see `tool`)."""
        return self._placement.inline

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.func(*args, **kwargs)

    def to_wire(self) -> JsonObject:
        """The `{"type": "function", ...}` declaration the API takes."""
        declaration = function_declaration(self.name, self.description, self.parameters)
        if self.defer_loading:
            declaration["defer_loading"] = True
        return declaration

    async def invoke(
        self, arguments: Mapping[str, Any], context: ToolContext[Any], *, may_inline: bool = True
    ) -> Any:
        """Validate `arguments` and run the function (a sync one in a worker thread or
        on the loop's thread, as `inline` decides).

        `may_inline=False` (dispatch passes it when a timeout applies) keeps a sync
        function with `inline=None` in a worker thread, where it can be abandoned.
        Raises `pydantic.ValidationError` for bad arguments; whatever the function
        raises propagates.
        """
        kwargs = self.schema.validate(arguments)
        if self.schema.context_parameter is not None:
            kwargs[self.schema.context_parameter] = context
        handler: Callable[..., Any] = self.func
        if self.schema.is_async:
            return await handler(**kwargs)
        placement = self._placement
        if placement.runs_inline(may_inline):
            return placement.run_inline(handler, kwargs)
        return await placement.run_in_worker(functools.partial(handler, **kwargs))

    def call_inline(self, arguments: Mapping[str, Any], context: ToolContext[Any]) -> Any:
        """`invoke` for a call placed on this (the loop's) thread (`will_run_inline`):
        validate `arguments` and call the sync function, as a plain call."""
        kwargs = self.schema.validate(arguments)
        if self.schema.context_parameter is not None:
            kwargs[self.schema.context_parameter] = context
        return self._placement.run_inline(self.func, kwargs)

    def __repr__(self) -> str:
        return f"FunctionTool(name={self.name!r})"


def will_run_inline(tool: object, *, timed: bool) -> bool:
    """Whether `tool`'s next call runs on the event loop's thread (a sync function tool
    placed inline); `timed`: a timeout applies to the call, which keeps a tool that
    was only promoted in a worker thread."""
    if not isinstance(tool, FunctionTool) or tool.schema.is_async:
        return False
    return tool.runs_inline and (not timed or tool.inline is True)


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
    inline: bool | None = None,
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
    inline: bool | None = None,
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
        inline: where a sync function runs. `None` (the default): in worker threads
            until 8 calls in a row have each returned in under 0.5 ms without
            waiting (no I/O, sleep or lock), then on the event loop's thread, saving
            the thread hop (~30-50 us per call); one inline call over 2 ms sends it
            back to worker threads for good. Never inline when a timeout applies.
            `True`: always on the loop's thread (for a function that returns at
            once; it cannot have a `timeout`). `False`: always in a worker thread.
            Ignored for an `async def` (which runs on the loop already).

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
