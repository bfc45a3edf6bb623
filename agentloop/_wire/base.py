"""The base of every parsed wire type, and the "open union" used for every `type` tag.

Responses are parsed permissively (`extra="allow"`) so that fields the API adds later
survive a parse/dump round trip, and every tagged union is *open*: a `type` value we
do not know yet becomes an `Unknown*` variant that keeps the raw payload instead of
raising. The API adds new step types every few weeks; a client that rejects them
breaks on a Tuesday for no reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, cast

from pydantic import BaseModel, ConfigDict

__all__ = ["JsonObject", "WireModel", "open_tag"]

JsonObject = dict[str, Any]
"""A JSON object as Python sees it: the only place `Any` enters our types."""

UNKNOWN_TAG = "__unknown__"


class WireModel(BaseModel):
    """A parsed Interactions API object.

    Unknown fields are kept. `to_dict()` gives back the JSON the API sent (or expects):
    fields that were never set are left out, but a `type`/`event_type` tag always stays.
    """

    # defer_build: validators are built on first use, not at import, which keeps
    # `import agentloop` fast; the cost is paid once, by the first parse.
    model_config: ClassVar[ConfigDict] = ConfigDict(
        extra="allow", populate_by_name=True, defer_build=True
    )

    _tag_fields: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._tag_fields = tuple(tag for tag in ("type", "event_type") if tag in cls.model_fields)

    def model_post_init(self, context: Any, /) -> None:
        # A tag with a default is still part of the wire form: mark it as set so that
        # `exclude_unset` dumps keep it (TextContent(text="hi") must dump its type).
        if self._tag_fields:
            self.__pydantic_fields_set__.update(self._tag_fields)

    def to_dict(self) -> JsonObject:
        """The JSON object form, as the API spells it."""
        return self.model_dump(mode="json", exclude_unset=True, by_alias=True)

    @property
    def is_unknown(self) -> bool:
        """True for a variant this version of agentloop does not model (raw data kept)."""
        return False


def open_tag(known: frozenset[str], key: str = "type") -> Callable[[Any], str]:
    """A pydantic discriminator: the value's tag if known, else the unknown variant's tag."""

    def discriminate(value: Any) -> str:
        tag: object = (
            cast(JsonObject, value).get(key)
            if isinstance(value, dict)
            else getattr(value, key, None)
        )
        return tag if isinstance(tag, str) and tag in known else UNKNOWN_TAG

    return discriminate
