"""Function -> tool schema: signatures that cannot become a tool are refused, naming the
function, the parameter and what to do.

Schema building is a private pure piece (`function_schema`, behind `@tool`): imported
from `agentloop._tools.schema` to test it without a tool around it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pydantic
import pytest

from agentloop import ToolContext, UserError
from agentloop._tools.schema import function_schema


class NotJson:
    """A plain class pydantic knows nothing about."""


def var_positional(city: str, *cities: str) -> None: ...


def var_keyword(city: str, **options: str) -> None: ...


def positional_only(city: str, /) -> None: ...


def unannotated(city) -> None:  # type: ignore[no-untyped-def]
    ...


def plain_class(city: str, thing: NotJson) -> None: ...


def callable_param(callback: Callable[[int], int]) -> None: ...


def unresolvable(city: str, where: Location) -> None: ...  # type: ignore[name-defined]  # noqa: F821


def two_contexts(first: ToolContext[int], second: ToolContext[int]) -> None: ...


def optional_context(ctx: ToolContext[int] | None = None) -> None: ...


@pytest.mark.parametrize(
    ("func", "parameter", "reason"),
    [
        (var_positional, "cities", "*args and **kwargs"),
        (var_keyword, "options", "*args and **kwargs"),
        (positional_only, "city", "keyword arguments"),
        (unannotated, "city", "add a type annotation"),
        (plain_class, "thing", "cannot be described as JSON schema"),
        (callable_param, "callback", "cannot be described as JSON schema"),
        (unresolvable, "where", "cannot resolve the annotation 'Location'"),
        (two_contexts, "second", "only one parameter may be a ToolContext"),
        (optional_context, "ctx", "exactly `ToolContext[...]`"),
    ],
)
def test_unusable_signature_is_rejected_naming_function_and_parameter(
    func: Callable[..., Any], parameter: str, reason: str
) -> None:
    with pytest.raises(UserError) as info:
        function_schema(func)
    message = str(info.value)
    assert f"tool {func.__qualname__!r}, parameter {parameter!r}" in message
    assert reason in message


@pytest.mark.parametrize("func", [plain_class, callable_param])
def test_schema_rejection_chains_the_pydantic_error(func: Callable[..., Any]) -> None:
    with pytest.raises(UserError) as info:
        function_schema(func)
    assert isinstance(info.value.__cause__, pydantic.PydanticUserError)
