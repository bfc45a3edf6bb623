"""`RunHooks`: user code called at the points of a run, in order, sync or async.

A hook that raises fails the run with a `HookError` naming it; hooks are never
silently skipped, since an audit hook that stops working unnoticed is worse than a
failed run.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .._errors import AgentloopError, UserError
from .._wire.interaction import Usage

__all__ = ["HOOK_NAMES", "HookContext", "HookError", "HookSet", "RunHooks", "RunProgress"]

HOOK_NAMES = (
    "on_run_start",
    "on_request",
    "on_interaction",
    "on_tool_start",
    "on_tool_end",
    "on_run_end",
)


class HookError(AgentloopError):
    """A run hook raised; the run stopped. `__cause__` is what the hook raised.

    Attributes:
        hook: the hook that raised, as `ClassName.method`.
    """

    def __init__(self, message: str, *, hook: str) -> None:
        super().__init__(message)
        self.message = message
        self.hook = hook


class RunProgress(Protocol):
    """What a hook context reads of the run as it goes (the run's state)."""

    turns: int
    usage: Usage


@dataclass(frozen=True, slots=True)
class HookContext:
    """What every hook gets first: which run, and how far it has got."""

    run_id: str
    """An id agentloop gives the run (also on its `invoke_agent` span and log lines)."""
    agent_name: str | None
    """The agent's `name=`."""
    deps: Any
    """The run's `deps=`."""
    _progress: RunProgress = field(repr=False)

    @property
    def turn(self) -> int:
        """Tool rounds done so far."""
        return self._progress.turns

    @property
    def usage(self) -> Usage:
        """Tokens used so far, summed over the run's interactions."""
        return self._progress.usage


class RunHooks:
    """Subclass and define any of these methods (sync or async); all are optional.

    ```python
    from agentloop import Agent, RunHooks

    class Audit(RunHooks):
        async def on_tool_end(self, ctx, call, record):
            print(ctx.run_id, call.name, record.is_error, record.duration)

    agent = Agent("gemini-2.5-flash", hooks=[Audit()])
    ```

    Several hooks objects are called in the order given. Parallel tool calls: every
    `on_tool_start` of a round is called before the round runs, every `on_tool_end`
    after it, each in call order.
    """

    def on_run_start(self, ctx: HookContext, input: Any) -> Any:
        """The run begins with `input`. A background run calls it from `start()`; the
        `wait()` that finishes the run does not call it again."""

    def on_request(self, ctx: HookContext, body: dict[str, Any]) -> Any:
        """A create request is about to be sent with `body` (treat it as read-only)."""

    def on_interaction(self, ctx: HookContext, interaction: Any) -> Any:
        """The run took in a terminal `Interaction` (`ctx.usage` counts it). Not
        called for one that ends the run with an error: `on_run_end` gets that."""

    def on_tool_start(self, ctx: HookContext, call: Any) -> Any:
        """A tool call (a `FunctionCallStep`) is about to run."""

    def on_tool_end(self, ctx: HookContext, call: Any, record: Any) -> Any:
        """A tool call finished; `record` is its `ToolCallRecord` (result, is_error,
        exception, duration)."""

    def on_run_end(self, ctx: HookContext, result_or_error: Any) -> Any:
        """The run ended with a `RunResult`, or with the exception it raises."""


def _overridden(hooks: object, name: str) -> Callable[..., Any] | None:
    method = getattr(hooks, name, None)
    if method is None:
        return None
    if isinstance(hooks, RunHooks) and getattr(type(hooks), name) is getattr(RunHooks, name):
        return None  # the base class's no-op: not worth a call
    if not callable(method):
        raise UserError(f"hooks: {type(hooks).__name__}.{name} is not callable")
    return method  # type: ignore[no-any-return]


class HookSet:
    """The hooks of an agent, resolved once: for each point, the methods to call."""

    __slots__ = ("_methods",)

    def __init__(self, hooks: Sequence[object]) -> None:
        if isinstance(hooks, RunHooks | str | bytes):
            raise UserError("hooks= takes a list of RunHooks objects, e.g. hooks=[Audit()]")
        methods: dict[str, list[tuple[str, Callable[..., Any]]]] = {n: [] for n in HOOK_NAMES}
        for hook in hooks:
            found = False
            for name in HOOK_NAMES:
                method = _overridden(hook, name)
                if method is not None:
                    methods[name].append((f"{type(hook).__name__}.{name}", method))
                    found = True
            if not found and not isinstance(hook, RunHooks):
                raise UserError(
                    f"hooks: {hook!r} has none of the hook methods ({', '.join(HOOK_NAMES)}); "
                    "subclass agentloop.RunHooks"
                )
        self._methods = methods

    def __bool__(self) -> bool:
        return any(self._methods.values())

    def then(self, inherited: HookSet | None) -> HookSet:
        """These hooks, then `inherited`'s, at every point (a sub-agent's own hooks,
        then those of the run that called it as a tool)."""
        if inherited is None:
            return self
        joined = HookSet(())
        joined._methods = {n: self._methods[n] + inherited._methods[n] for n in HOOK_NAMES}
        return joined

    def wants(self, name: str) -> bool:
        """True if some hook defines `name`."""
        return bool(self._methods[name])

    async def call(self, name: str, *args: Any) -> None:
        """Call every hook's `name` in order, awaiting async ones.

        Raises:
            HookError: a hook raised (chained to its exception).
        """
        for label, method in self._methods[name]:
            try:
                outcome = method(*args)
                if inspect.isawaitable(outcome):
                    await outcome
            except Exception as exc:
                raise HookError(
                    f"run hook {label} raised {type(exc).__name__}: {exc}. The run was "
                    "stopped; hooks must not raise (catch inside the hook to ignore failures).",
                    hook=label,
                ) from exc
