"""JSON values that validate against a schema, filled from what the conversation says.

`fill(schema, context)` is how the demo model writes structured answers and tool
arguments: a `city` field gets a place the user named, a `temperature` the number a
tool returned, an enum the value the user mentioned (else its first). Pure: the
same schema and context always give the same value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any, cast

from ..._wire.base import JsonObject
from .text import (
    Entity,
    compact,
    entities_in,
    gist,
    keywords,
    number_near,
    numbers_in,
    title_of,
    words_of,
    wordset,
)

__all__ = ["PERSON_KEYS", "PLACE_KEYS", "Context", "fill", "has_key", "resolve", "type_of"]


PLACE_KEYS = ("city", "location", "place", "country", "destination", "origin", "region", "town")
PERSON_KEYS = (
    *("name", "person", "author", "attendee", "participant", "owner", "guest"),
    *("speaker", "contact", "member", "assignee", "people", "who"),
)
_LONG_KEYS = wordset(
    """summary description reason explanation answer text content message details notes
    comment analysis rationale response body report conclusion recommendation advice"""
)
_SHORT_KEYS = wordset("title headline topic subject label category tag keyword")


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    """What a value can be filled from: the user's words and the tool calls so far."""

    text: str = ""
    """Everything the user said, latest turn first."""
    latest: str = ""
    """What the user said last."""
    entities: tuple[Entity, ...] = ()
    numbers: tuple[float, ...] = ()
    name: str | None = None
    """The user's own name, if they gave it."""
    calls: tuple[tuple[str, JsonObject, Any], ...] = ()
    """(tool name, arguments, result) of every answered function call."""
    facts: JsonObject = field(default_factory=JsonObject)
    """Leaf values of those arguments and results, by lowercase key."""
    focus: Entity | None = None
    """The entity this value is about (one item of an array per entity)."""

    @classmethod
    def build(
        cls, texts: list[str], calls: list[tuple[str, JsonObject, Any]], name: str | None
    ) -> Context:
        """A context from user texts (latest first) and answered calls (oldest first)."""
        entities: list[Entity] = []
        for text in texts:
            entities += [e for e in entities_in(text) if all(e.text != x.text for x in entities)]
        text = "\n".join(texts)
        return cls(
            text=text,
            latest=texts[0] if texts else "",
            entities=tuple(entities),
            numbers=tuple(numbers_in(text)),
            name=name,
            calls=tuple(calls),
            facts=_facts(calls),
        )

    def about(self, entity: Entity) -> Context:
        """This context narrowed to one entity (and the calls that mention it)."""
        mine = [c for c in self.calls if _mentions(c[1], entity.text)]
        return replace(self, focus=entity, facts=_facts(mine) if mine else self.facts)

    def of_kind(self, kind: str) -> list[Entity]:
        """Entities of `kind`, or all of them when none has it."""
        return [e for e in self.entities if e.kind == kind] or list(self.entities)


def _mentions(arguments: JsonObject, text: str) -> bool:
    return text.lower() in json.dumps(arguments).lower()


def _facts(calls: list[tuple[str, JsonObject, Any]]) -> JsonObject:
    facts: JsonObject = {}

    def walk(value: Any, key: str) -> None:
        if isinstance(value, dict):
            for k, v in cast(JsonObject, value).items():
                walk(v, str(k))
        elif key:
            facts[key.lower()] = value

    for name, arguments, result in calls:
        walk(arguments, "")
        walk(result, name)
    return facts


def _fact(ctx: Context, key: str) -> Any:
    lowered = key.lower()
    if lowered in ctx.facts:
        return ctx.facts[lowered]
    wanted = set(words_of(key))
    for fact_key, value in ctx.facts.items():
        if wanted and (wanted <= set(words_of(fact_key)) or set(words_of(fact_key)) <= wanted):
            return value
    return None


def has_key(key: str, names: tuple[str, ...]) -> bool:
    """Whether a property name is about one of `names` ("home_city" is about "city")."""
    return any(name in words_of(key) or key.lower().endswith(name) for name in names)


def fill(schema: Any, ctx: Context, *, key: str = "", root: Any = None, depth: int = 0) -> Any:
    """A value valid against JSON `schema`, taken from `ctx` where the key says what.

    Handles `$ref`/`$defs`, `allOf`, `anyOf`/`oneOf`, `enum`/`const`, nested objects
    and arrays, formats and numeric/length bounds. Every property is filled near the
    top; past a few levels only required ones (so recursive schemas end).
    """
    root = schema if root is None else root
    schema = resolve(schema, root)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return _enum(schema["enum"], ctx, schema.get("default"))
    for union in ("anyOf", "oneOf"):
        if isinstance(schema.get(union), list):
            option = _choose([resolve(o, root) for o in schema[union]], ctx, depth)
            return fill(option, ctx, key=key, root=root, depth=depth)
    kind = type_of(schema)
    if kind == "null":
        return None
    if kind == "object":
        required = set(schema.get("required") or [])
        properties: dict[str, Any] = schema.get("properties") or {}
        return {
            name: fill(sub, ctx, key=name, root=root, depth=depth + 1)
            for name, sub in properties.items()
            if depth < 3 or name in required
        }
    if kind == "array":
        return _array(schema, ctx, key, root, depth)
    if kind == "boolean":
        found = _fact(ctx, key)
        return found if isinstance(found, bool) else bool(schema.get("default", False))
    if kind in ("integer", "number"):
        return _number(schema, ctx, key, integer=kind == "integer")
    return _bounded_string(_string(schema, ctx, key), schema)


def resolve(schema: Any, root: Any) -> JsonObject:
    """`schema` with local `$ref`s followed (against `root`) and `allOf` merged."""
    if not isinstance(schema, dict):
        return {}
    resolved: JsonObject = cast(JsonObject, schema)
    for _ in range(32):  # a ref to a ref to ...; a cycle of bare refs stops here
        ref = resolved.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#"):
            break
        target: Any = root
        for name in ref.lstrip("#/").split("/"):
            if isinstance(target, dict) and name:
                target = cast(JsonObject, target).get(name, {})
        rest = {k: v for k, v in resolved.items() if k != "$ref"}
        resolved = {**rest, **cast(JsonObject, target)} if isinstance(target, dict) else rest
    if isinstance(resolved.get("allOf"), list):
        merged: JsonObject = {k: v for k, v in resolved.items() if k != "allOf"}
        for member in resolved["allOf"]:
            part = resolve(member, root)
            merged["properties"] = {**merged.get("properties", {}), **part.get("properties", {})}
            merged["required"] = [*merged.get("required", []), *part.get("required", [])]
            merged.update({k: v for k, v in part.items() if k not in ("properties", "required")})
        resolved = merged
    return resolved


def type_of(schema: JsonObject) -> str:
    """The JSON type a schema asks for (its first non-null one), inferred if unsaid."""
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in cast(list[object], kind) if k != "null"), "null")
    if isinstance(kind, str):
        return kind
    if "properties" in schema:
        return "object"
    return "array" if "items" in schema or "prefixItems" in schema else "string"


def _enum(values: list[Any], ctx: Context, default: Any) -> Any:
    words = set(words_of(ctx.text))
    for value in values:
        if isinstance(value, str) and value and set(words_of(value)) <= words:
            return value
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if is_number and float(value) in ctx.numbers:
            return value
    return default if default in values else values[0]


def _choose(options: list[JsonObject], ctx: Context, depth: int) -> JsonObject:
    """The union member whose words (property names, enums, descriptions) the user used."""
    if depth > 3 and any(type_of(o) == "null" for o in options):
        return next(o for o in options if type_of(o) == "null")
    candidates = [o for o in options if type_of(o) != "null" or "enum" in o] or options
    said = set(words_of(ctx.text))

    def score(option: JsonObject) -> int:
        return len(said & set(words_of(json.dumps(option))))

    return max(candidates, key=score)  # max keeps the first of equal scores


def _array(schema: JsonObject, ctx: Context, key: str, root: Any, depth: int) -> list[Any]:
    prefix = schema.get("prefixItems")
    if isinstance(prefix, list):
        return [
            fill(s, ctx, key=key, root=root, depth=depth + 1) for s in cast(list[object], prefix)
        ]
    items = resolve(schema.get("items") or {}, root)
    low, high = int(schema.get("minItems", 0)), schema.get("maxItems")
    kind = type_of(items) if "enum" not in items else "enum"
    entities = _entities_for(key, items, ctx)
    values: list[Any]
    if depth > 3:
        values = [fill(items, ctx, key=key, root=root, depth=depth + 1) for _ in range(low)]
    elif kind == "string":
        texts = [e.text for e in entities] or keywords(ctx.text) or [key or "item"]
        values = [_bounded_string(t, items) for t in texts]
    elif kind == "object" and entities:
        values = [fill(items, ctx.about(e), root=root, depth=depth + 1) for e in entities]
    elif kind in ("integer", "number") and ctx.numbers:
        values = [
            _number(items, replace(ctx, numbers=(n,)), "", integer=kind == "integer")
            for n in dict.fromkeys(ctx.numbers)
        ]
    else:
        values = [fill(items, ctx, key=key, root=root, depth=depth + 1)]
    if high is not None:
        values = values[: int(high)]
    while len(values) < low:
        extra = fill(items, ctx, key=f"{key} {len(values) + 1}", root=root, depth=depth + 1)
        values.append(_distinct(extra, values, items, key) if extra in values else extra)
    return values


def _distinct(value: Any, taken: list[Any], items: JsonObject, key: str) -> Any:
    """Another valid item than those `taken`, when one is easy to find (for uniqueItems)."""
    if "enum" in items:
        return next((v for v in items["enum"] if v not in taken), value)
    if isinstance(value, str) and "format" not in items:
        return _bounded_string(f"{key or 'item'} {len(taken) + 1}", items)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return max(v for v in taken if isinstance(v, int | float)) + 1
    return value


def _entities_for(key: str, items: JsonObject, ctx: Context) -> list[Entity]:
    if has_key(key, PLACE_KEYS):
        return ctx.of_kind("place")
    if has_key(key, PERSON_KEYS):
        return ctx.of_kind("person")
    described = " ".join(items.get("properties") or {}) + " " + str(items.get("description", ""))
    if has_key(described, PLACE_KEYS):
        return ctx.of_kind("place")
    return list(ctx.entities) if type_of(items) == "object" else []


def _number(schema: JsonObject, ctx: Context, key: str, *, integer: bool) -> int | float:
    value: float | None = None
    found = _fact(ctx, key) if key else None
    if isinstance(found, int | float) and not isinstance(found, bool):
        value = float(found)
    elif isinstance(found, str) and numbers_in(found):
        value = numbers_in(found)[0]
    if value is None and key:
        value = number_near(ctx.text, key)
    if value is None and ctx.numbers:
        value = ctx.numbers[0]
    if value is None:
        default = schema.get("default")
        value = float(default) if isinstance(default, int | float) else 1.0
    if "minimum" in schema:
        value = max(value, float(schema["minimum"]))
    if "exclusiveMinimum" in schema:
        value = max(value, float(schema["exclusiveMinimum"]) + 1)
    if "maximum" in schema:
        value = min(value, float(schema["maximum"]))
    if "exclusiveMaximum" in schema:
        value = min(value, float(schema["exclusiveMaximum"]) - 1)
    return round(value) if integer or value.is_integer() else value


_FORMATS = {
    "date": "2025-01-01",
    "date-time": "2025-01-01T09:00:00Z",
    "time": "09:00:00",
    "email": "demo@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
}
_FORMAT_KEYS = {
    "email": "email",
    "url": "uri",
    "uri": "uri",
    "website": "uri",
    "link": "uri",
    "date": "date",
    "birthday": "date",
    "timestamp": "date-time",
}


def _string(schema: JsonObject, ctx: Context, key: str) -> str:
    if schema.get("format") in _FORMATS:
        return _FORMATS[str(schema["format"])]
    named_format = next((_FORMAT_KEYS[w] for w in words_of(key) if w in _FORMAT_KEYS), None)
    if named_format is not None and "pattern" not in schema:
        return _FORMATS[named_format]
    found = _fact(ctx, key) if key else None
    if isinstance(found, str | int | float) and not isinstance(found, bool):
        return str(found)
    if ctx.focus is not None and has_key(key, PLACE_KEYS + PERSON_KEYS):
        return ctx.focus.text
    if has_key(key, PLACE_KEYS):
        places = ctx.of_kind("place")
        return places[0].text if places else "Paris"
    if has_key(key, PERSON_KEYS):
        people = ctx.of_kind("person")
        return ctx.name or (people[0].text if people else "Alex")
    latest = ctx.latest
    if set(words_of(key)) & _LONG_KEYS or key.lower() in _LONG_KEYS:
        if ctx.calls:
            told = "; ".join(f"{n}: {compact(r, 60)}" for n, _, r in ctx.calls[-3:])
            return f"Based on {told}."
        return f"{gist(latest, 24)}." if latest else "No details given."
    if ctx.focus is not None:
        return ctx.focus.text
    if set(words_of(key)) & _SHORT_KEYS or not ctx.entities:
        return title_of(latest) if latest else key or "value"
    return ctx.entities[0].text


def _bounded_string(text: str, schema: JsonObject) -> str:
    low, high = int(schema.get("minLength", 0)), schema.get("maxLength")
    if len(text) < low:
        text = text + "." * (low - len(text))
    return text[: int(high)] if high is not None else text
