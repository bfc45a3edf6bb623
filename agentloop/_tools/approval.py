"""Which tool calls need a person's approval before they run.

A tool declares it with `requires_approval=`: `True` (every call), `False` (none),
or a callable `(ctx, arguments) -> bool` deciding per call (sync or async). The run
layer asks `needs_approval` before dispatching a round; a call that needs approval
pauses the run instead of running (see docs/durability.md).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, cast

from .._errors import UserError
from .context import ToolContext

__all__ = ["ApprovalPolicy", "check_policy", "needs_approval"]

ApprovalPolicy = bool | Callable[[ToolContext[Any], dict[str, Any]], bool | Awaitable[bool]]
"""`requires_approval=`: True, False, or `(ctx, arguments) -> bool` (sync or async)."""


def check_policy(policy: object, owner: str) -> ApprovalPolicy:
    """`policy` if it is a valid `requires_approval=` value; `UserError` otherwise."""
    if isinstance(policy, bool) or callable(policy):
        return cast(ApprovalPolicy, policy)
    raise UserError(
        f"{owner}: requires_approval must be True, False or a function "
        f"(ctx, arguments) -> bool, not {policy!r}"
    )


async def needs_approval(
    tool: object, context: ToolContext[Any], arguments: Mapping[str, Any]
) -> bool:
    """Whether this call of `tool` must wait for approval (tools without the option: no)."""
    policy = getattr(tool, "requires_approval", False)
    if isinstance(policy, bool):
        return policy
    verdict = policy(context, dict(arguments))
    if inspect.isawaitable(verdict):
        verdict = await verdict
    return bool(verdict)
