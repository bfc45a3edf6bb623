"""Function -> tool schema: the JSON schema the model sees, and the validator for its calls.

`function_schema` reads a function's signature, type hints and docstring once, at
decoration time, and builds one pydantic model for its arguments. From that model it
derives a self-contained JSON schema (no `$ref`s unless a type is truly recursive, no
`title` noise) and `FunctionSchema.validate` reuses it for every call.

This module owns signature inspection, docstring parsing and schema cleanup. It must
not know about HTTP, the agent loop or how a tool is run; it only uses pydantic's
public API.
"""

from __future__ import annotations

import functools
import inspect
import re
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, cast

import pydantic
from pydantic.fields import FieldInfo
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaWarningKind

from .._errors import UserError
from .context import ToolContext

__all__ = ["FunctionSchema", "format_validation_error", "function_schema"]

JsonObject = dict[str, Any]

# The API's function-name rule: a letter or underscore, then letters, digits, `_`, `-`.
_TOOL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}", re.ASCII)

# Pydantic's own failures to build a schema for a type; anything else is a bug of ours.
_SCHEMA_ERRORS = (
    pydantic.PydanticUserError,
    pydantic.errors.PydanticUndefinedAnnotation,
    TypeError,
)

# JSON-schema keywords whose value is a schema, a list of schemas, or a name->schema map.
_SUBSCHEMA = frozenset(
    {"items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else"}
    | {"unevaluatedItems", "unevaluatedProperties", "additionalItems"}
)
_SUBSCHEMA_LIST = frozenset({"anyOf", "oneOf", "allOf", "prefixItems"})
_SUBSCHEMA_MAP = frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"})
_REF_PREFIX = "#/$defs/"


@dataclass(frozen=True, slots=True, kw_only=True)
class FunctionSchema:
    """A function's tool declaration and the validator for the model's arguments."""

    name: str
    """The name the model calls the tool by."""
    description: str | None
    """What the model is told the tool does (the docstring's description by default)."""
    parameters: JsonObject
    """One self-contained JSON-schema object describing the arguments."""
    context_parameter: str | None
    """The name of the parameter annotated `ToolContext`, which the caller injects."""
    is_async: bool
    """Whether calling the function returns an awaitable."""
    arguments_model: type[pydantic.BaseModel] = field(repr=False, compare=False)
    """The pydantic model of the arguments; its fields are aliased to the parameter names."""
    _renamed: tuple[tuple[str, str], ...] | None = field(
        init=False, repr=False, compare=False, default=None
    )
    _validate: Callable[[Mapping[str, Any]], pydantic.BaseModel] | None = field(
        init=False, repr=False, compare=False, default=None
    )

    def __post_init__(self) -> None:
        # Read once: `model_fields` goes through a deprecation-checking descriptor on
        # every access (~1 us, once per tool call). None: no field is aliased.
        pairs = tuple(
            (name, info.alias or name) for name, info in self.arguments_model.model_fields.items()
        )
        renamed = pairs if any(name != key for name, key in pairs) else None
        object.__setattr__(self, "_renamed", renamed)
        # The model's own validator, called directly: what `model_validate` calls,
        # without its ~0.5 us of Python around it (once per tool call).
        validator = self.arguments_model.__pydantic_validator__
        object.__setattr__(self, "_validate", validator.validate_python)

    def validate(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """Validate and coerce the model's arguments into keyword arguments for the function.

        Validation is pydantic's lax mode: `"3"` becomes `3` for an `int`, `3.0` is
        accepted too, and a dict becomes the annotated model, dataclass or enum value.
        Unknown keys are an error. The context parameter is not included.

        Raises:
            pydantic.ValidationError: the arguments do not fit the signature.
        """
        # Not `dict(arguments)`: whatever the model sent must fail as a ValidationError.
        validate = self._validate
        assert validate is not None  # set in __post_init__
        instance = validate(arguments)
        if self._renamed is None:
            # The arguments model forbids extra keys: its `__dict__` is its fields.
            return dict(instance.__dict__)
        return {key: getattr(instance, name) for name, key in self._renamed}


def function_declaration(name: str, description: str | None, parameters: JsonObject) -> JsonObject:
    """The `{"type": "function", ...}` tool declaration the API takes."""
    declaration: JsonObject = {"type": "function", "name": name}
    if description:
        declaration["description"] = description
    declaration["parameters"] = parameters
    return declaration


def function_schema(
    func: Callable[..., Any], *, name: str | None = None, description: str | None = None
) -> FunctionSchema:
    """Build the tool schema and argument validator for `func`.

    Parameter types come from the (resolved) annotations, descriptions from the
    docstring (Google, NumPy or reST, detected automatically) unless a
    `Field(description=...)` says otherwise. A bound method's `self` is skipped.

    Args:
        func: a sync or async function (or bound method) with annotated parameters.
        name: the tool name (default: the function's `__name__`).
        description: the tool description (default: the docstring's description).

    Raises:
        UserError: the function cannot become a tool; the message names the function
            and, where there is one, the offending parameter.
    """
    tool_name = name if name is not None else getattr(func, "__name__", None)
    label = repr(getattr(func, "__qualname__", None) or tool_name or func)
    if tool_name is None:
        raise UserError(f"tool {label} has no __name__; pass name=...")
    if not _TOOL_NAME.fullmatch(tool_name):
        raise UserError(
            f"tool {label}: invalid name {tool_name!r}. A tool name starts with a letter or "
            "underscore and has only letters, digits, underscores and dashes, at most 64 "
            "characters; pass name=..."
        )
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError) as exc:
        raise UserError(f"tool {label}: cannot read its signature ({exc})") from exc

    doc_description, param_docs = _parse_docstring(inspect.getdoc(func) or "")
    hints = _resolve_hints(func, signature, label)

    context_parameter: str | None = None
    fields: dict[str, Any] = {}
    for index, param in enumerate(signature.parameters.values()):
        where = f"tool {label}, parameter {param.name!r}"
        hint = hints[param.name]
        if _is_tool_context(hint):
            if context_parameter is not None:
                raise UserError(
                    f"{where}: only one parameter may be a ToolContext "
                    f"(already {context_parameter!r})"
                )
            context_parameter = param.name
            continue
        if _mentions_tool_context(hint):
            raise UserError(f"{where}: annotate the context exactly `ToolContext[...]`")
        # Internal field names are positional so that parameter names such as `json`,
        # `model_config` or `_id` cannot clash with BaseModel; the alias is the wire name.
        extra: dict[str, Any] = {"alias": param.name}
        if isinstance(param.default, FieldInfo):  # `x: int = Field(3, description=...)`
            hint = Annotated[hint, param.default]
        elif param.default is not inspect.Parameter.empty:
            extra["default"] = param.default
        if param.name in param_docs and not _has_description(hint):
            extra["description"] = param_docs[param.name]
        fields[f"p{index}"] = (hint, pydantic.Field(**extra))

    try:
        model = _build_model(tool_name, fields)
        raw = model.model_json_schema(schema_generator=_JsonSchemaGenerator)
    except _SCHEMA_ERRORS as exc:
        raise _schema_error(label, fields, exc) from exc

    return FunctionSchema(
        name=tool_name,
        description=description if description is not None else doc_description,
        parameters=_clean_schema(raw),
        context_parameter=context_parameter,
        is_async=_is_async(func),
        arguments_model=model,
    )


def format_validation_error(error: pydantic.ValidationError) -> str:
    """Describe a validation failure for the model, one `field: problem` per error.

    For example `"city: Field required; unit: Input should be 'c' or 'f'"`. Nested
    locations read `items[0].qty`; documentation URLs are left out.
    """
    parts: list[str] = []
    for item in error.errors(include_url=False):
        location = _format_location(item["loc"]) or "arguments"
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "Unexpected argument; it is not a parameter of this tool"
        elif not item["loc"] and item["type"] in ("model_type", "dict_type"):
            message = "Input should be a JSON object of named arguments"  # not "instance of M"
        part = f"{location}: {message}"
        if part not in parts:
            parts.append(part)
    return "; ".join(parts)


class _JsonSchemaGenerator(GenerateJsonSchema):
    # A default that cannot be serialized is simply left out of the schema: the model
    # does not need it, and the pydantic warning would fail user test suites.
    ignored_warning_kinds: set[JsonSchemaWarningKind] = {  # noqa: RUF012 - pydantic's API
        "skipped-choice",
        "non-serializable-default",
        "skipped-discriminator",
    }


def _parse_docstring(text: str) -> tuple[str | None, dict[str, str]]:
    """The description and the per-parameter descriptions (style detected)."""
    import docstring_parser  # lazy: ~3 ms, needed by the first documented @tool only

    try:
        doc = docstring_parser.parse(text)
    except docstring_parser.ParseError:  # a malformed section: use the text as is
        return text.strip() or None, {}
    params = {p.arg_name: p.description.strip() for p in doc.params if p.description}
    return (doc.description or "").strip() or None, params


def _build_model(tool_name: str, fields: dict[str, Any]) -> type[pydantic.BaseModel]:
    return pydantic.create_model(
        f"{tool_name}_arguments", __config__=pydantic.ConfigDict(extra="forbid"), **fields
    )


def _schema_error(label: str, fields: dict[str, Any], exc: Exception) -> UserError:
    """Find the parameter whose type pydantic cannot handle, and say so."""
    for definition in fields.values():
        hint, info = definition
        try:
            pydantic.TypeAdapter(hint).json_schema(schema_generator=_JsonSchemaGenerator)
        except _SCHEMA_ERRORS as probe:
            return UserError(
                f"tool {label}, parameter {info.alias!r}: its type {_type_name(hint)} cannot be "
                f"described as JSON schema ({_first_line(probe)}). Use JSON-like types: str, "
                "int, float, bool, list, dict, Literal, Enum, a pydantic model or a dataclass."
            )
    return UserError(f"tool {label}: cannot build its argument schema ({_first_line(exc)})")


def _resolve_hints(
    func: Callable[..., Any], signature: inspect.Signature, label: str
) -> dict[str, Any]:
    """Check the parameters' kinds and resolve their annotations, one at a time.

    Only parameters are resolved (a return annotation under `TYPE_CHECKING` is fine),
    and each separately, so an unresolvable name is reported with its parameter.
    """
    globalns = _globals_of(func)
    hints: dict[str, Any] = {}
    for param in signature.parameters.values():
        where = f"tool {label}, parameter {param.name!r}"
        if param.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            raise UserError(f"{where}: *args and **kwargs cannot be tool parameters")
        if param.kind is inspect.Parameter.POSITIONAL_ONLY:
            raise UserError(f"{where}: tools are called with keyword arguments; drop the `/`")
        if param.annotation is inspect.Parameter.empty:
            raise UserError(f"{where}: add a type annotation; it becomes the argument's schema")
        holder = _Annotations({param.name: param.annotation})
        try:
            hints.update(typing.get_type_hints(holder, globalns, include_extras=True))
        except NameError as exc:
            raise UserError(
                f"{where}: cannot resolve the annotation {param.annotation!r} "
                f"({exc}); define or import the name at module level"
            ) from exc
        except (SyntaxError, TypeError) as exc:
            raise UserError(f"{where}: invalid annotation {param.annotation!r} ({exc})") from exc
    return hints


class _Annotations:
    """A stand-in object so `typing.get_type_hints` resolves a chosen set of annotations."""

    def __init__(self, annotations: dict[str, Any]) -> None:
        self.__annotations__ = annotations


def _globals_of(func: object) -> dict[str, Any]:
    """The namespace string annotations are evaluated in: the defining function's globals."""
    for _ in range(100):  # bounded: a `__wrapped__` chain can be cyclic
        if isinstance(func, functools.partial):
            func = cast("functools.partial[object]", func).func
        elif inspect.ismethod(func):
            func = func.__func__
        elif hasattr(func, "__wrapped__"):
            func = cast(object, getattr(func, "__wrapped__"))  # noqa: B009
        elif not inspect.isfunction(func) and inspect.isfunction(type(func).__call__):
            func = type(func).__call__  # a callable instance: its `__call__`
        else:
            break
    globalns: object = getattr(func, "__globals__", None)
    return cast(dict[str, Any], globalns) if isinstance(globalns, dict) else {}


def _is_async(func: Callable[..., Any]) -> bool:
    # An instance with an `async def __call__` is async too, though not a coroutine function.
    return inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(type(func).__call__)


def _strip_annotated(hint: Any) -> Any:
    return typing.get_args(hint)[0] if typing.get_origin(hint) is Annotated else hint


def _is_tool_context(hint: Any) -> bool:
    hint = _strip_annotated(hint)
    return hint is ToolContext or typing.get_origin(hint) is ToolContext


def _mentions_tool_context(hint: Any) -> bool:
    return _is_tool_context(hint) or any(_mentions_tool_context(a) for a in typing.get_args(hint))


def _has_description(hint: Any) -> bool:
    if typing.get_origin(hint) is not Annotated:
        return False
    return any(
        isinstance(meta, FieldInfo) and meta.description is not None
        for meta in typing.get_args(hint)[1:]
    )


def _type_name(hint: Any) -> str:
    return getattr(hint, "__qualname__", None) or repr(hint)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _format_location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


# --- schema cleanup ----------------------------------------------------------------------


def _clean_schema(raw: JsonObject) -> JsonObject:
    """Inline non-recursive `$defs`, drop titles, and shape the top-level object."""
    defs: dict[str, JsonObject] = raw.get("$defs", {})
    recursive = _recursive_defs(defs)
    body = _Inliner(defs, recursive).schema(raw)
    parameters: JsonObject = {"type": "object", "properties": body.get("properties", {})}
    if body.get("required"):
        parameters["required"] = body["required"]
    if recursive:
        inliner = _Inliner(defs, recursive)
        parameters["$defs"] = {name: inliner.schema(defs[name]) for name in sorted(recursive)}
    return parameters


def output_json_schema(output_type: Any) -> JsonObject:
    """The JSON schema of a structured-output type, in the same API-friendly form as
    tool parameters: non-recursive `$defs` inlined, titles dropped, shape kept."""
    raw = pydantic.TypeAdapter(output_type).json_schema(schema_generator=_JsonSchemaGenerator)
    defs: dict[str, JsonObject] = raw.get("$defs", {})
    recursive = _recursive_defs(defs)
    inliner = _Inliner(defs, recursive)
    body: JsonObject = inliner.schema({k: v for k, v in raw.items() if k != "$defs"})
    if recursive:
        body["$defs"] = {name: inliner.schema(defs[name]) for name in sorted(recursive)}
    return body


def _recursive_defs(defs: dict[str, JsonObject]) -> set[str]:
    """The definitions that can reach themselves through `$ref`s: they must stay refs."""
    graph = {name: set(_refs(schema)) for name, schema in defs.items()}
    recursive: set[str] = set()
    for start in graph:
        stack, seen = list(graph[start]), set[str]()
        while stack:
            node = stack.pop()
            if node == start:
                recursive.add(start)
                break
            if node not in seen and node in graph:
                seen.add(node)
                stack.extend(graph[node])
    return recursive


def _refs(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        node = cast(JsonObject, value)
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
            yield ref.removeprefix(_REF_PREFIX)
        for item in node.values():
            yield from _refs(item)
    elif isinstance(value, list):
        for item in cast(list[object], value):
            yield from _refs(item)


class _Inliner:
    """Rewrites a pydantic schema: `$ref`s to non-recursive definitions are inlined."""

    def __init__(self, defs: dict[str, JsonObject], recursive: set[str]) -> None:
        self._defs = defs
        self._recursive = recursive

    def schema(self, node: Any) -> Any:
        if not isinstance(node, dict):
            return node  # `true` / `false` schemas
        node = self._merge_wrappers(cast(JsonObject, node))
        out: JsonObject = {}
        for key, value in node.items():
            if key in ("title", "$defs"):
                continue
            if key in _SUBSCHEMA:
                out[key] = self.schema(value)
            elif key in _SUBSCHEMA_LIST and isinstance(value, list):
                out[key] = [self.schema(item) for item in cast(list[object], value)]
            elif key in _SUBSCHEMA_MAP and isinstance(value, dict):
                subschemas = cast(JsonObject, value)
                out[key] = {name: self.schema(item) for name, item in subschemas.items()}
            else:
                out[key] = value  # a literal: enum, const, default, required, ...
        return out

    def _merge_wrappers(self, node: JsonObject) -> JsonObject:
        """Replace `$ref` (and a lone-`allOf` wrapper) by its target; sibling keys win."""
        while True:
            all_of = node.get("allOf")
            wrapped = cast(list[object], all_of) if isinstance(all_of, list) else []
            if len(wrapped) == 1 and isinstance(wrapped[0], dict):
                rest = {k: v for k, v in node.items() if k != "allOf"}
                node = {**cast(JsonObject, wrapped[0]), **rest}
                continue
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
                target = ref.removeprefix(_REF_PREFIX)
                if target not in self._recursive and target in self._defs:
                    rest = {k: v for k, v in node.items() if k != "$ref"}
                    node = {**self._defs[target], **rest}
                    continue
            return node
