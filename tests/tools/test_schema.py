"""Function -> tool schema: snapshots per type and docstring style, validation, rejections.

Schema building is a private pure piece (`function_schema`, behind `@tool`): imported
from `agentloop._tools.schema` to test it without a tool around it.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal, Optional, Union

import jsonschema
import pydantic
import pytest
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from agentloop import ToolContext, UserError
from agentloop._tools.schema import format_validation_error, function_schema

# --- types used by the tools below (module level: the annotations are strings) ------------


class Unit(enum.Enum):
    """Temperature unit."""

    C = "c"
    F = "f"


class Priority(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Address(BaseModel):
    """A postal address."""

    street: str
    zip: str | None = None


class Person(BaseModel):
    name: str
    address: Address
    tags: list[str] = []


@dataclasses.dataclass
class Point:
    x: float
    y: float = 0.0


class Movie(TypedDict):
    title: str
    year: int


class Node(BaseModel):
    value: int
    children: list[Node] = []


SENTINEL = object()

# --- one tool per family of supported types ----------------------------------------------


def primitives(name: str, count: int, ratio: float, enabled: bool) -> None: ...


def optionals(maybe: int | None, legacy: Optional[str] = None, nothing: None = None) -> None: ...  # noqa: UP045


def collections(
    ids: list[int],
    pair: tuple[int, str],
    many: tuple[float, ...],
    tags: set[str],
    scores: dict[str, float],
) -> None: ...


def unions(key: int | str, mode: Union[int, list[int]]) -> None: ...  # noqa: UP007


def literals(unit: Literal["c", "f"], level: Literal[1, 2, 3] = 1) -> None: ...


def enums(unit: Unit, priority: Priority = Priority.HIGH) -> None: ...


def models(person: Person) -> None: ...


def dataclass_param(point: Point) -> None: ...


def typed_dict(movie: Movie) -> None: ...


def annotated(
    count: Annotated[int, Field(description="How many.", ge=1, le=10)],
    code: Annotated[str, Field(min_length=2, max_length=3, pattern="^[a-z]+$")] = "ab",
) -> None: ...


def defaults(city: str, days: int = 3, hours: list[int] = [9, 17], verbose: bool = False) -> None:  # noqa: B006
    ...


def recursive(tree: Node) -> None: ...


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}
NULL = {"type": "null"}

ADDRESS = {
    "type": "object",
    "description": "A postal address.",
    "properties": {"street": STRING, "zip": {"anyOf": [STRING, NULL], "default": None}},
    "required": ["street"],
}
PERSON = {
    "type": "object",
    "properties": {
        "name": STRING,
        "address": ADDRESS,
        "tags": {"type": "array", "items": STRING, "default": []},
    },
    "required": ["name", "address"],
}


def obj(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required}


# (tool, expected parameters, sample arguments as the model sends them, expected kwargs)
CASES = [
    pytest.param(
        primitives,
        obj(
            {"name": STRING, "count": INTEGER, "ratio": NUMBER, "enabled": {"type": "boolean"}},
            ["name", "count", "ratio", "enabled"],
        ),
        {"name": "x", "count": 2, "ratio": 0.5, "enabled": True},
        {"name": "x", "count": 2, "ratio": 0.5, "enabled": True},
        id="primitives",
    ),
    pytest.param(
        optionals,
        obj(
            {
                "maybe": {"anyOf": [INTEGER, NULL]},
                "legacy": {"anyOf": [STRING, NULL], "default": None},
                "nothing": {"type": "null", "default": None},
            },
            ["maybe"],
        ),
        {"maybe": None},
        {"maybe": None, "legacy": None, "nothing": None},
        id="none-and-optional",
    ),
    pytest.param(
        collections,
        obj(
            {
                "ids": {"type": "array", "items": INTEGER},
                "pair": {
                    "type": "array",
                    "prefixItems": [INTEGER, STRING],
                    "minItems": 2,
                    "maxItems": 2,
                },
                "many": {"type": "array", "items": NUMBER},
                "tags": {"type": "array", "items": STRING, "uniqueItems": True},
                "scores": {"type": "object", "additionalProperties": NUMBER},
            },
            ["ids", "pair", "many", "tags", "scores"],
        ),
        {"ids": [1], "pair": [1, "a"], "many": [1.5], "tags": ["a", "b"], "scores": {"k": 1}},
        {"ids": [1], "pair": (1, "a"), "many": (1.5,), "tags": {"a", "b"}, "scores": {"k": 1.0}},
        id="list-tuple-set-dict",
    ),
    pytest.param(
        unions,
        obj(
            {
                "key": {"anyOf": [INTEGER, STRING]},
                "mode": {"anyOf": [INTEGER, {"type": "array", "items": INTEGER}]},
            },
            ["key", "mode"],
        ),
        {"key": "k", "mode": [1, 2]},
        {"key": "k", "mode": [1, 2]},
        id="union",
    ),
    pytest.param(
        literals,
        obj(
            {
                "unit": {"type": "string", "enum": ["c", "f"]},
                "level": {"type": "integer", "enum": [1, 2, 3], "default": 1},
            },
            ["unit"],
        ),
        {"unit": "f", "level": 3},
        {"unit": "f", "level": 3},
        id="literal",
    ),
    pytest.param(
        enums,
        obj(
            {
                "unit": {"type": "string", "enum": ["c", "f"], "description": "Temperature unit."},
                "priority": {"type": "integer", "enum": [1, 2], "default": 2},
            },
            ["unit"],
        ),
        {"unit": "c"},
        {"unit": Unit.C, "priority": Priority.HIGH},
        id="enum",
    ),
    pytest.param(
        models,
        obj({"person": PERSON}, ["person"]),
        {"person": {"name": "Ada", "address": {"street": "Main St"}}},
        {"person": Person(name="Ada", address=Address(street="Main St"))},
        id="nested-pydantic-models",
    ),
    pytest.param(
        dataclass_param,
        obj(
            {
                "point": {
                    "type": "object",
                    "properties": {"x": NUMBER, "y": {"type": "number", "default": 0.0}},
                    "required": ["x"],
                    "additionalProperties": False,
                }
            },
            ["point"],
        ),
        {"point": {"x": 1.5}},
        {"point": Point(x=1.5)},
        id="dataclass",
    ),
    pytest.param(
        typed_dict,
        obj(
            {
                "movie": {
                    "type": "object",
                    # `title` here is a property name, which must survive title-stripping.
                    "properties": {"title": STRING, "year": INTEGER},
                    "required": ["title", "year"],
                    "additionalProperties": False,
                }
            },
            ["movie"],
        ),
        {"movie": {"title": "Heat", "year": 1995}},
        {"movie": {"title": "Heat", "year": 1995}},
        id="typeddict",
    ),
    pytest.param(
        annotated,
        obj(
            {
                "count": {
                    "type": "integer",
                    "description": "How many.",
                    "minimum": 1,
                    "maximum": 10,
                },
                "code": {
                    "type": "string",
                    "minLength": 2,
                    "maxLength": 3,
                    "pattern": "^[a-z]+$",
                    "default": "ab",
                },
            },
            ["count"],
        ),
        {"count": 10},
        {"count": 10, "code": "ab"},
        id="annotated-field",
    ),
    pytest.param(
        defaults,
        obj(
            {
                "city": STRING,
                "days": {"type": "integer", "default": 3},
                "hours": {"type": "array", "items": INTEGER, "default": [9, 17]},
                "verbose": {"type": "boolean", "default": False},
            },
            ["city"],
        ),
        {"city": "Oslo", "verbose": True},
        {"city": "Oslo", "days": 3, "hours": [9, 17], "verbose": True},
        id="defaults",
    ),
]

NODE = {
    "type": "object",
    "properties": {
        "value": INTEGER,
        "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}, "default": []},
    },
    "required": ["value"],
}


def subschemas(schema: Any) -> Iterator[dict[str, Any]]:
    """Every schema node, skipping literal values and property names."""
    if not isinstance(schema, dict):
        return
    yield schema
    for key, value in schema.items():
        if key in ("properties", "$defs"):
            for item in value.values():
                yield from subschemas(item)
        elif key in ("anyOf", "oneOf", "allOf", "prefixItems"):
            for item in value:
                yield from subschemas(item)
        elif key in ("items", "additionalProperties", "not"):
            yield from subschemas(value)


def check_metaschema(schema: dict[str, Any]) -> None:
    validator = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    assert validator is jsonschema.Draft202012Validator
    validator.check_schema(schema)


# --- schemas ------------------------------------------------------------------------------


@pytest.mark.parametrize(("func", "expected", "sample", "kwargs"), CASES)
def test_function_schema_matches_snapshot(
    func: Callable[..., Any], expected: dict[str, Any], sample: Any, kwargs: Any
) -> None:
    assert function_schema(func).parameters == expected


@pytest.mark.parametrize(("func", "expected", "sample", "kwargs"), CASES)
def test_function_schema_is_valid_draft_2020_12_without_refs_or_titles(
    func: Callable[..., Any], expected: Any, sample: Any, kwargs: Any
) -> None:
    parameters = function_schema(func).parameters
    check_metaschema(parameters)
    for node in subschemas(parameters):
        assert "$ref" not in node
        assert "$defs" not in node
        assert "title" not in node


@pytest.mark.parametrize(("func", "expected", "sample", "kwargs"), CASES)
def test_validate_accepts_what_the_schema_accepts(
    func: Callable[..., Any], expected: Any, sample: dict[str, Any], kwargs: dict[str, Any]
) -> None:
    schema = function_schema(func)
    jsonschema.Draft202012Validator(schema.parameters).validate(sample)
    assert schema.validate(sample) == kwargs


def test_function_schema_keeps_refs_only_for_recursive_types() -> None:
    parameters = function_schema(recursive).parameters
    assert parameters == {
        "type": "object",
        "properties": {"tree": {"$ref": "#/$defs/Node"}},
        "required": ["tree"],
        "$defs": {"Node": NODE},
    }
    check_metaschema(parameters)
    assert all("title" not in node for node in subschemas(parameters))


def test_recursive_schema_accepts_nested_arguments() -> None:
    schema = function_schema(recursive)
    sample = {"tree": {"value": 1, "children": [{"value": 2, "children": [{"value": 3}]}]}}
    jsonschema.Draft202012Validator(schema.parameters).validate(sample)
    tree = schema.validate(sample)["tree"]
    assert tree.children[0].children[0].value == 3


def test_function_without_parameters_has_empty_object_schema() -> None:
    def ping() -> None: ...

    schema = function_schema(ping)
    assert schema.parameters == {"type": "object", "properties": {}}
    assert schema.validate({}) == {}


def test_non_serializable_default_is_left_out_of_the_schema() -> None:
    def lookup(key: object = SENTINEL) -> None: ...

    schema = function_schema(lookup)  # no PydanticJsonSchemaWarning (warnings are errors)
    assert schema.parameters == {"type": "object", "properties": {"key": {}}}
    assert schema.validate({}) == {"key": SENTINEL}


def test_parameter_names_that_clash_with_basemodel_attributes_work() -> None:
    def clash(json: str, model_config: int, _id: int, validate: bool = True) -> None: ...

    schema = function_schema(clash)
    assert list(schema.parameters["properties"]) == ["json", "model_config", "_id", "validate"]
    kwargs = schema.validate({"json": "{}", "model_config": 1, "_id": 2})
    assert kwargs == {"json": "{}", "model_config": 1, "_id": 2, "validate": True}


# --- names and descriptions ---------------------------------------------------------------


def google(city: str, unit: Literal["c", "f"] = "c") -> str:
    """Get the weather.

    Uses the forecast service.

    Args:
        city: The city name,
            in English.
        unit: Temperature unit.
    """
    return city


def numpy(city: str, unit: Literal["c", "f"] = "c") -> str:
    """Get the weather.

    Uses the forecast service.

    Parameters
    ----------
    city : str
        The city name,
        in English.
    unit : {"c", "f"}
        Temperature unit.
    """
    return city


def sphinx(city: str, unit: Literal["c", "f"] = "c") -> str:
    """Get the weather.

    Uses the forecast service.

    :param city: The city name,
        in English.
    :param unit: Temperature unit.
    :returns: The forecast.
    """
    return city


@pytest.mark.parametrize("func", [google, numpy, sphinx])
def test_docstring_styles_give_tool_and_parameter_descriptions(func: Callable[..., Any]) -> None:
    schema = function_schema(func)
    assert schema.description == "Get the weather.\n\nUses the forecast service."
    assert schema.parameters == {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "The city name,\nin English."},
            "unit": {
                "type": "string",
                "enum": ["c", "f"],
                "default": "c",
                "description": "Temperature unit.",
            },
        },
        "required": ["city"],
    }


def test_field_as_default_value_gives_default_and_constraints() -> None:
    def forecast(days: int = Field(3, description="From Field.", ge=1)) -> None:
        """Args:
        days: From the docstring.
        """

    schema = function_schema(forecast)
    assert schema.parameters == {
        "type": "object",
        "properties": {
            "days": {"type": "integer", "default": 3, "minimum": 1, "description": "From Field."}
        },
    }
    assert schema.validate({}) == {"days": 3}


def test_field_description_wins_over_docstring() -> None:
    def search(query: Annotated[str, Field(description="From Field.")]) -> None:
        """Search.

        Args:
            query: From the docstring.
        """

    properties = function_schema(search).parameters["properties"]
    assert properties["query"]["description"] == "From Field."


def test_parameter_description_replaces_the_referenced_model_docstring() -> None:
    def mail(to: Address) -> None:
        """Send mail.

        Args:
            to: Where to send it.
        """

    properties = function_schema(mail).parameters["properties"]
    assert properties["to"]["description"] == "Where to send it."
    assert properties["to"]["required"] == ["street"]


def test_description_argument_overrides_docstring() -> None:
    schema = function_schema(google, description="Weather, now.")
    assert schema.description == "Weather, now."
    assert schema.parameters["properties"]["city"]["description"] == "The city name,\nin English."


def test_function_without_docstring_has_no_description() -> None:
    assert function_schema(primitives).description is None


def test_name_defaults_to_function_name() -> None:
    assert function_schema(google).name == "google"


@pytest.mark.parametrize("name", ["a", "_private", "get-weather", "x" * 64])
def test_valid_tool_names_are_accepted(name: str) -> None:
    assert function_schema(primitives, name=name).name == name


@pytest.mark.parametrize(
    "name", ["", "1st", "-dash", "has space", "dotted.name", "café", "x" * 65, "<lambda>"]
)
def test_invalid_tool_name_is_rejected(name: str) -> None:
    with pytest.raises(UserError, match="invalid name") as info:
        function_schema(primitives, name=name)
    assert "'primitives'" in str(info.value)


def test_lambda_needs_an_explicit_name() -> None:
    with pytest.raises(UserError, match="'<lambda>'"):
        function_schema(lambda: None)


# --- the context parameter, async, methods -------------------------------------------------


def with_context(city: str, ctx: ToolContext) -> None: ...  # type: ignore[type-arg]


def with_typed_context(ctx: ToolContext[dict[str, int]], city: str) -> None: ...


def with_annotated_context(city: str, ctx: Annotated[ToolContext[int], "injected"]) -> None: ...


def with_evaluated_annotations(city, ctx):  # type: ignore[no-untyped-def]
    ...


with_evaluated_annotations.__annotations__ = {"city": str, "ctx": ToolContext[int]}


@pytest.mark.parametrize(
    "func", [with_context, with_typed_context, with_annotated_context, with_evaluated_annotations]
)
def test_tool_context_parameter_is_detected_and_hidden(func: Callable[..., Any]) -> None:
    schema = function_schema(func)
    assert schema.context_parameter == "ctx"
    assert schema.parameters == {
        "type": "object",
        "properties": {"city": STRING},
        "required": ["city"],
    }


def test_validate_leaves_out_the_context_parameter() -> None:
    assert function_schema(with_context).validate({"city": "Oslo"}) == {"city": "Oslo"}


def test_model_cannot_pass_the_context_parameter() -> None:
    with pytest.raises(pydantic.ValidationError):
        function_schema(with_context).validate({"city": "Oslo", "ctx": {}})


def test_no_context_parameter_is_none() -> None:
    assert function_schema(primitives).context_parameter is None


class Weather:
    def forecast(self, city: str) -> str:
        """Forecast for a city."""
        return city

    async def __call__(self, city: str) -> str:
        return city


async def async_tool(city: str) -> str:
    return city


@pytest.mark.parametrize(
    ("func", "is_async"),
    [(primitives, False), (async_tool, True), (Weather().forecast, False), (Weather(), True)],
)
def test_is_async_reflects_the_callable(func: Callable[..., Any], is_async: bool) -> None:
    assert function_schema(func, name="t").is_async is is_async


def test_bound_method_skips_self() -> None:
    schema = function_schema(Weather().forecast)
    assert schema.name == "forecast"
    assert schema.description == "Forecast for a city."
    assert schema.parameters == {
        "type": "object",
        "properties": {"city": STRING},
        "required": ["city"],
    }


def test_unresolvable_return_annotation_is_ignored() -> None:
    def report(city: str) -> Undefined:  # type: ignore[name-defined]  # noqa: F821
        ...

    assert function_schema(report).parameters["required"] == ["city"]


class PointTool:
    def __call__(self, point: Point) -> None: ...


def test_callable_instance_resolves_annotations_in_its_module() -> None:
    properties = function_schema(PointTool(), name="plot").parameters["properties"]
    assert properties["point"]["required"] == ["x"]


# --- validation ---------------------------------------------------------------------------


def weather(
    city: str, days: int = 1, ratio: float = 1.0, unit: Literal["c", "f"] = "c"
) -> None: ...


@pytest.mark.parametrize(
    ("arguments", "field", "value"),
    [
        ({"days": "3"}, "days", 3),  # lax mode: numeric strings become numbers
        ({"days": 3.0}, "days", 3),  # models often send integral floats
        ({"ratio": "2.5"}, "ratio", 2.5),
        ({"ratio": 2}, "ratio", 2.0),
    ],
)
def test_validate_coerces_in_lax_mode(arguments: dict[str, Any], field: str, value: Any) -> None:
    kwargs = function_schema(weather).validate({"city": "Oslo", **arguments})
    assert kwargs[field] == value
    assert type(kwargs[field]) is type(value)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({}, "city: Field required"),
        ({"city": "Oslo", "days": "three"}, "days: Input should be a valid integer"),
        ({"city": "Oslo", "days": 2.5}, "days: Input should be a valid integer"),
        ({"city": "Oslo", "unit": "k"}, "unit: Input should be 'c' or 'f'"),
        ({"city": "Oslo", "country": "NO"}, "country: Unexpected argument"),
        ({"city": ["Oslo"]}, "city: Input should be a valid string"),
    ],
)
def test_validate_rejects_bad_arguments_naming_the_field(
    arguments: dict[str, Any], message: str
) -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        function_schema(weather).validate(arguments)
    assert message in format_validation_error(info.value)


@pytest.mark.parametrize("arguments", ["Oslo", ["Oslo"], None])
def test_validate_rejects_arguments_that_are_not_an_object(arguments: Any) -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        function_schema(weather).validate(arguments)
    assert format_validation_error(info.value) == (
        "arguments: Input should be a JSON object of named arguments"
    )


def test_format_validation_error_lists_every_field_without_urls() -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        function_schema(weather).validate({"unit": "k"})
    message = format_validation_error(info.value)
    assert message == "city: Field required; unit: Input should be 'c' or 'f'"
    assert "http" not in message


def test_format_validation_error_locates_nested_fields() -> None:
    def order(items: list[Person]) -> None: ...

    with pytest.raises(pydantic.ValidationError) as info:
        function_schema(order).validate({"items": [{"name": "a", "address": {"zip": "1"}}]})
    assert format_validation_error(info.value) == "items[0].address.street: Field required"


def test_pydantic_model_argument_round_trips() -> None:
    schema = function_schema(models)
    sample = {
        "person": {"name": "Ada", "address": {"street": "Main St", "zip": "N1"}, "tags": ["x"]}
    }
    jsonschema.Draft202012Validator(schema.parameters).validate(sample)
    person = schema.validate(sample)["person"]
    assert isinstance(person, Person)
    assert isinstance(person.address, Address)
    assert person.model_dump(mode="json") == sample["person"]


def test_validate_returns_fresh_mutable_defaults() -> None:
    schema = function_schema(defaults)
    first = schema.validate({"city": "a"})
    first["hours"].append(0)
    assert schema.validate({"city": "a"})["hours"] == [9, 17]
