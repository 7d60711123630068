"""generator.types: schema in → TypeRef out, and how each TypeRef is spelled.

Every row of the tables gives the annotation a response/model field uses and the one an argument
uses (``annotation(argument=True)``). Resolution runs against a real ``ModelBuilder`` context so
``$ref``s to components and hoisted inline objects behave as they do in the pipeline.
"""

from __future__ import annotations

import collections.abc
import datetime
import typing
from typing import Any

import pytest
from pydantic import TypeAdapter

from generator.api import build_api
from generator.errors import GeneratorError
from generator.ir import ANY, NONE, Import, ListOf, LiteralOf, MapOf, ModelRef, Prim, UnionOf
from generator.load import Document
from generator.models import ModelBuilder
from generator.types import resolve

COMPONENTS: dict[str, Any] = {
    "Model": {"type": "object", "properties": {"id": {"type": "string"}}},
    "X": {"type": "object", "properties": {"x": {"type": "integer"}}},
}
WHERE = "#/components/schemas/Holder/properties/field"


def _builder(schemas: dict[str, Any] | None = None, **document: Any) -> ModelBuilder:
    return ModelBuilder({"openapi": "3.1.0", **document, "components": {"schemas": dict(COMPONENTS if schemas is None else schemas)}})


def _resolve(schema: Any, where: str = WHERE, hint: str = "HolderField") -> tuple[Any, ModelBuilder]:
    builder = _builder()
    return resolve(schema, builder.ctx, where, hint), builder


def _errors(builder: ModelBuilder) -> list[Any]:
    return [p for p in builder.ctx.problems if p.severity == "error"]


NULL = {"type": "null"}
REF_MODEL = {"$ref": "#/components/schemas/Model"}
REF_X = {"$ref": "#/components/schemas/X"}

# id, schema, response annotation, argument annotation
TABLE: list[tuple[str, Any, str, str]] = [
    ("string", {"type": "string"}, "str", "str"),
    ("integer", {"type": "integer"}, "int", "int"),
    ("number", {"type": "number"}, "int | float", "int | float"),
    ("boolean", {"type": "boolean"}, "bool", "bool"),
    ("null", {"type": "null"}, "None", "None"),
    # In a model, dates and times keep the text sent (the runtime's DateTime, Date, Time).
    ("date-time", {"type": "string", "format": "date-time"}, "DateTime", "datetime.datetime"),
    ("date", {"type": "string", "format": "date"}, "Date", "datetime.date"),
    ("binary", {"type": "string", "format": "binary"}, "bytes", "bytes"),
    ("unknown-format", {"type": "string", "format": "uuid"}, "str", "str"),
    ("anyOf-string-null", {"anyOf": [{"type": "string"}, NULL]}, "str | None", "str | None"),
    ("anyOf-null-first", {"anyOf": [NULL, {"type": "string"}]}, "str | None", "str | None"),
    ("nullable-3.0", {"type": "string", "nullable": True}, "str | None", "str | None"),
    ("nullable-false", {"type": "string", "nullable": False}, "str", "str"),
    ("type-list-3.1", {"type": ["string", "null"]}, "str | None", "str | None"),
    ("type-list-null-first", {"type": ["null", "integer"]}, "int | None", "int | None"),
    ("int|number", {"anyOf": [{"type": "integer"}, {"type": "number"}]}, "int | float", "int | float"),
    ("number|int", {"anyOf": [{"type": "number"}, {"type": "integer"}]}, "int | float", "int | float"),
    ("int|string", {"anyOf": [{"type": "integer"}, {"type": "string"}]}, "int | str", "int | str"),
    ("string|int|null", {"anyOf": [{"type": "string"}, {"type": "integer"}, NULL]}, "str | int | None", "str | int | None"),
    (
        "number|string|null",
        {"anyOf": [{"type": "number"}, {"type": "string"}, NULL]},
        "int | float | str | None",
        "int | float | str | None",
    ),
    (
        "string|date-time|null",
        {"anyOf": [{"type": "string"}, {"type": "string", "format": "date-time"}, NULL]},
        "str | DateTime | None",
        "datetime.datetime | str | None",
    ),
    (
        "enum-or-null",
        {"anyOf": [{"enum": ["asc", "desc"], "type": "string"}, NULL]},
        'Literal["asc", "desc"] | str | None',
        'Literal["asc", "desc"] | None',
    ),
    ("enum-with-null", {"enum": ["a", "b", None]}, 'Literal["a", "b"] | str | None', 'Literal["a", "b"] | None'),
    ("enum-null-3.1", {"type": ["string", "null"], "enum": ["a", None]}, 'Literal["a"] | str | None', 'Literal["a"] | None'),
    ("enum-nullable-3.0", {"type": "string", "enum": ["a"], "nullable": True}, 'Literal["a"] | str | None', 'Literal["a"] | None'),
    ("enum-int", {"type": "integer", "enum": [1, 2, 3]}, "Literal[1, 2, 3] | int", "Literal[1, 2, 3]"),
    ("enum-true-is-not-1", {"enum": [True, 1, "1"]}, 'Literal[True, 1, "1"] | str | int', 'Literal[True, 1, "1"]'),
    ("enum-duplicates", {"enum": ["b", "a", "b"]}, 'Literal["b", "a"] | str', 'Literal["b", "a"]'),
    ("const-string", {"const": "fixed"}, 'Literal["fixed"] | str', 'Literal["fixed"]'),
    ("const-int", {"const": 5}, "Literal[5] | int", "Literal[5]"),
    ("const-null", {"const": None}, "None", "None"),
    ("ref", REF_MODEL, "Model", "Model"),
    ("anyOf-ref-null", {"anyOf": [REF_MODEL, NULL]}, "Model | None", "Model | None"),
    ("oneOf-ref-null", {"oneOf": [REF_MODEL, NULL]}, "Model | None", "Model | None"),
    ("allOf-single-ref", {"allOf": [REF_MODEL]}, "Model", "Model"),
    ("allOf-single-ref-nullable", {"allOf": [REF_MODEL], "nullable": True}, "Model | None", "Model | None"),
    ("map-of-ref", {"type": "object", "additionalProperties": REF_X}, "dict[str, X]", "Mapping[str, X]"),
    ("map-without-type", {"additionalProperties": REF_X}, "dict[str, X]", "Mapping[str, X]"),
    (
        "nested-maps",
        {"type": "object", "additionalProperties": {"type": "object", "additionalProperties": REF_X}},
        "dict[str, dict[str, X]]",
        "Mapping[str, Mapping[str, X]]",
    ),
    ("map-true", {"type": "object", "additionalProperties": True}, "dict[str, Any]", "Mapping[str, Any]"),
    ("map-empty-schema", {"type": "object", "additionalProperties": {}}, "dict[str, Any]", "Mapping[str, Any]"),
    ("bare-object", {"type": "object"}, "dict[str, Any]", "Mapping[str, Any]"),
    ("map-of-nullable-int", {"additionalProperties": {"type": ["integer", "null"]}}, "dict[str, int | None]", "Mapping[str, int | None]"),
    ("array-of-ref", {"type": "array", "items": REF_X}, "list[X]", "Sequence[X]"),
    ("array-without-items", {"type": "array"}, "list[Any]", "Sequence[Any]"),
    ("array-of-arrays", {"type": "array", "items": {"type": "array", "items": {"type": "string"}}}, "list[list[str]]", "Sequence[Sequence[str]]"),
    ("array-of-maps", {"type": "array", "items": {"additionalProperties": REF_X}}, "list[dict[str, X]]", "Sequence[Mapping[str, X]]"),
    ("nullable-array-3.1", {"type": ["array", "null"], "items": {"type": "string"}}, "list[str] | None", "Sequence[str] | None"),
    (
        "array-or-string-or-null",
        {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}, NULL]},
        "list[str] | str | None",
        "Sequence[str] | str | None",
    ),
    ("empty-schema", {}, "Any", "Any"),
    ("true-schema", True, "Any", "Any"),
    ("anyOf-with-any-branch", {"anyOf": [{"type": "string"}, {}]}, "Any", "Any"),
    ("any-or-null", {"anyOf": [{}, NULL]}, "Any | None", "Any | None"),
    (
        "duplicates-stable-order",
        {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "string"}, NULL, {"type": "integer"}, NULL]},
        "str | int | None",
        "str | int | None",
    ),
    (
        "nested-unions-flattened",
        {"anyOf": [{"anyOf": [{"type": "integer"}, NULL]}, {"type": "string"}]},
        "int | str | None",
        "int | str | None",
    ),
    (
        "enum-branches-merged",
        {"anyOf": [{"enum": ["b", "a"]}, {"enum": ["a", "c"]}]},
        'Literal["b", "a", "c"] | str',
        'Literal["b", "a", "c"]',
    ),
    (
        "anyOf-siblings-inherited",
        {"type": "string", "anyOf": [{"format": "date-time"}, {"format": "date"}]},
        "DateTime | Date",
        "datetime.datetime | datetime.date",
    ),
]


@pytest.mark.parametrize(("schema", "response", "argument"), [row[1:] for row in TABLE], ids=[row[0] for row in TABLE])
def test_annotation_table(schema: Any, response: str, argument: str) -> None:
    t, builder = _resolve(schema)
    assert t.annotation() == response
    assert t.annotation(argument=True) == argument
    assert _errors(builder) == []


@pytest.mark.parametrize(
    "t_schema",
    [
        {"type": "string"},
        {"type": "integer"},
        {"type": "number"},
        {"type": "boolean"},
        {"type": "string", "format": "date-time"},
        {"type": "array", "items": {"type": "string"}},
        {"type": "object", "additionalProperties": {"type": "integer"}},
    ],
    ids=lambda s: s["type"] + ("-" + s["format"] if "format" in s else ""),
)
def test_three_spellings_of_nullable_give_the_same_ir(t_schema: dict[str, Any]) -> None:
    base, _ = _resolve(t_schema)
    any_of, _ = _resolve({"anyOf": [t_schema, {"type": "null"}]})
    nullable_30, _ = _resolve({**t_schema, "nullable": True})
    type_list_31, _ = _resolve({**t_schema, "type": [t_schema["type"], "null"]})
    expected = UnionOf((*base.members, NONE)) if isinstance(base, UnionOf) else UnionOf((base, NONE))
    assert any_of == nullable_30 == type_list_31 == expected
    assert hash(any_of) == hash(nullable_30) == hash(type_list_31)
    assert any_of.annotation() == base.annotation() + " | None"


def test_nullable_ref_ir_is_the_model_and_none() -> None:
    t, _ = _resolve({"anyOf": [REF_MODEL, {"type": "null"}]})
    assert t == UnionOf((ModelRef("Model", "model"), NONE))
    t31, _ = _resolve({"oneOf": [{"type": "null"}, REF_MODEL]})
    assert t31 == t


def test_number_is_int_or_float_in_that_order() -> None:
    t, _ = _resolve({"type": "number"})
    assert t == UnionOf((Prim("int"), Prim("float")))
    t2, _ = _resolve({"anyOf": [{"type": "number"}, {"type": "integer"}, {"type": "number"}]})
    assert t2 == t


def _evaluate(annotation: str) -> Any:
    from streamkap._types import Date, DateTime, Time  # the committed SDK's runtime types

    namespace = {
        "DateTime": DateTime,
        "Date": Date,
        "Time": Time,
        "datetime": datetime,
        "Literal": typing.Literal,
        "Any": typing.Any,
        "Sequence": collections.abc.Sequence,
        "Mapping": collections.abc.Mapping,
    }
    return eval(annotation, namespace)  # noqa: S307 - annotations built from a fixed table


@pytest.mark.parametrize(
    ("schema", "json_text", "expected"),
    [
        ({"type": "number"}, "5", 5),
        ({"type": "number"}, "5.0", 5.0),
        ({"type": "number"}, "-0", 0),
        ({"type": "number"}, "5.5", 5.5),
        ({"type": "number"}, "1e3", 1000.0),
        ({"anyOf": [{"type": "integer"}, {"type": "number"}]}, "7", 7),
        ({"anyOf": [{"type": "integer"}, {"type": "number"}]}, "7.0", 7.0),
        ({"anyOf": [{"type": "number"}, {"type": "string"}, {"type": "null"}]}, "5", 5),
        ({"anyOf": [{"type": "number"}, {"type": "string"}, {"type": "null"}]}, "5.0", 5.0),
        ({"anyOf": [{"type": "number"}, {"type": "string"}, {"type": "null"}]}, '"5"', "5"),
        ({"anyOf": [{"type": "number"}, {"type": "string"}, {"type": "null"}]}, "null", None),
        ({"anyOf": [{"type": "integer"}, {"type": "string"}]}, '"12"', "12"),
        ({"anyOf": [{"type": "integer"}, {"type": "string"}]}, "12", 12),
        # A string that is not a date-time stays the string.
        (
            {"anyOf": [{"type": "string"}, {"type": "string", "format": "date-time"}, {"type": "null"}]},
            '"yesterday"',
            "yesterday",
        ),
        ({"anyOf": [{"enum": ["asc", "desc"], "type": "string"}, {"type": "null"}]}, '"desc"', "desc"),
    ],
)
def test_pydantic_keeps_json_numbers_and_strings_as_sent(schema: Any, json_text: str, expected: Any) -> None:
    t, _ = _resolve(schema)
    value = TypeAdapter(_evaluate(t.annotation())).validate_json(json_text)
    assert value == expected
    assert type(value) is type(expected), f"{json_text} became {value!r}"


def test_a_date_time_string_in_a_string_or_date_time_union_keeps_its_text() -> None:
    """A date-time becomes a datetime (a subclass that remembers the text), so the dump of a
    parsed response still equals the response."""
    t, _ = _resolve({"anyOf": [{"type": "string"}, {"type": "string", "format": "date-time"}, {"type": "null"}]})
    adapter = TypeAdapter(_evaluate(t.annotation()))
    for text in ("2025-01-15T10:00:00Z", "2025-01-15T10:00:00.000+00:00"):
        value = adapter.validate_json(f'"{text}"', strict=True)
        assert isinstance(value, datetime.datetime) and value.text == text
        assert adapter.dump_python(value, mode="json") == text


def test_enums_are_open_in_models_and_closed_for_arguments() -> None:
    """An unknown value from the server parses (and is kept); an argument is checked statically."""
    t, _ = _resolve({"anyOf": [{"enum": ["asc", "desc"], "type": "string"}, {"type": "null"}]})
    adapter = TypeAdapter(_evaluate(t.annotation()))
    assert adapter.validate_json('"sideways"', strict=True) == "sideways"
    assert adapter.validate_json('"asc"', strict=True) == "asc"
    with pytest.raises(Exception):
        adapter.validate_json("5", strict=True)
    assert t.annotation(argument=True) == 'Literal["asc", "desc"] | None'


def test_argument_annotation_accepts_datetime_and_str() -> None:
    t, _ = _resolve({"anyOf": [{"type": "string"}, {"type": "string", "format": "date-time"}, {"type": "null"}]})
    adapter = TypeAdapter(_evaluate(t.annotation(argument=True)))
    moment = datetime.datetime(2025, 1, 15, 10, tzinfo=datetime.timezone.utc)
    assert adapter.validate_python(moment) == moment
    assert adapter.validate_python("yesterday") == "yesterday"
    assert adapter.validate_python(None) is None


@pytest.mark.parametrize(
    ("schema", "argument", "expected"),
    [
        ({"type": "string", "format": "date-time"}, False, {Import(".._types", "DateTime")}),
        ({"type": "string", "format": "date-time"}, True, {Import("datetime")}),
        ({"type": "array", "items": {"type": "string"}}, True, {Import("collections.abc", "Sequence")}),
        ({"type": "array", "items": {"type": "string"}}, False, set()),
        ({"additionalProperties": {"type": "integer"}}, True, {Import("collections.abc", "Mapping")}),
        ({"enum": ["a"]}, False, {Import("typing", "Literal")}),
        ({}, False, {Import("typing", "Any")}),
        (REF_MODEL, False, {Import("..models.model", "Model", type_only=True)}),
        (
            {"type": "array", "items": {"anyOf": [REF_X, {"type": "string", "format": "date"}]}},
            True,
            {Import("collections.abc", "Sequence"), Import("..models.x", "X", type_only=True), Import("datetime")},
        ),
    ],
)
def test_imports_match_the_annotation(schema: Any, argument: bool, expected: set[Import]) -> None:
    t, _ = _resolve(schema)
    assert set(t.imports(argument)) == expected


def test_inline_object_is_hoisted_into_a_model() -> None:
    builder = _builder()
    schema = {"type": "object", "properties": {"count": {"type": "integer"}}, "required": ["count"]}
    t = resolve(schema, builder.ctx, WHERE, "HolderField")
    assert t == ModelRef("HolderField", "holder_field")
    models, _ = builder.build()
    hoisted = next(m for m in models if m.name == "HolderField")
    assert hoisted.schema_name == WHERE
    assert [(f.name, f.alias, f.type, f.required) for f in hoisted.fields] == [("count", "count", Prim("int"), True)]
    # The same schema at the same place is the same model, not a second one.
    assert resolve(schema, builder.ctx, WHERE, "Other") == t


def test_inline_object_in_an_array_and_a_map_is_hoisted_with_a_suffix() -> None:
    builder = _builder()
    item = {"type": "object", "properties": {"a": {"type": "string"}}}
    t = resolve({"type": "array", "items": item}, builder.ctx, WHERE, "Holder")
    assert t == ListOf(ModelRef("HolderItem", "holder_item"))
    m = resolve({"additionalProperties": dict(item)}, builder.ctx, "#/elsewhere", "Holder")
    assert m == MapOf(ModelRef("HolderValue", "holder_value"))
    # The very same schema object met again elsewhere (a YAML alias, an allOf merge) is one model.
    again = resolve({"additionalProperties": item}, builder.ctx, "#/third", "Other")
    assert again == MapOf(ModelRef("HolderItem", "holder_item"))


def test_nullable_inline_object_is_a_hoisted_model_or_none() -> None:
    builder = _builder()
    t = resolve({"type": ["object", "null"], "properties": {"a": {"type": "string"}}}, builder.ctx, WHERE, "Thing")
    assert t == UnionOf((ModelRef("Thing", "thing"), NONE))


def test_allof_of_several_parts_is_hoisted_as_one_merged_model() -> None:
    builder = _builder()
    schema = {"allOf": [REF_MODEL, {"type": "object", "properties": {"extra": {"type": "boolean"}}, "required": ["extra"]}]}
    t = resolve(schema, builder.ctx, WHERE, "Merged")
    assert t == ModelRef("Merged", "merged")
    merged = builder.model("Merged")
    assert merged is not None
    assert [(f.alias, f.required) for f in merged.fields] == [("id", False), ("extra", True)]


def test_circular_bare_refs_are_an_error_with_a_pointer() -> None:
    document = {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}}
    builder = ModelBuilder({**document, "components": {"schemas": {}}})
    t = resolve({"$ref": "#/$defs/a"}, builder.ctx, WHERE, "H")
    assert t == ANY
    errors = _errors(builder)
    assert len(errors) == 1
    assert errors[0].where.startswith("#/")
    assert "circular" in errors[0].message
    assert "#/$defs/a" in errors[0].message and "#/$defs/b" in errors[0].message


@pytest.mark.parametrize(
    "schemas",
    [
        {"A": {"$ref": "#/components/schemas/A"}},
        {"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}},
        {"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/C"}, "C": {"$ref": "#/components/schemas/A"}},
    ],
    ids=["self", "two", "three"],
)
def test_circular_component_aliases_stop_generation_with_pointers(schemas: dict[str, Any]) -> None:
    document = Document("spec.json", {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": schemas}}, "3.1")
    with pytest.raises(GeneratorError) as caught:
        build_api(document)
    errors = [p for p in caught.value.problems if p.severity == "error"]
    assert errors
    assert all("circular" in p.message for p in errors)
    assert {p.where for p in errors} <= {f"#/components/schemas/{name}" for name in schemas}


def test_recursive_model_through_a_property_is_not_an_error() -> None:
    schemas = {"Node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}}}
    builder = _builder(schemas)
    models, _ = builder.build()
    assert _errors(builder) == []
    assert models[0].fields[0].type == ListOf(ModelRef("Node", "node"))


@pytest.mark.parametrize(
    "ref",
    ["#/components/schemas/Nope", "#/components/schemas/Model/properties/missing", "other.json#/X", "#/definitions/X"],
)
def test_unresolvable_ref_is_an_error_with_a_pointer(ref: str) -> None:
    t, builder = _resolve({"anyOf": [{"$ref": ref}, {"type": "null"}]})
    errors = _errors(builder)
    assert len(errors) == 1
    assert errors[0].where == WHERE + "/anyOf/0"
    assert repr(ref) in errors[0].message or ref in errors[0].message
    assert t == UnionOf((ANY, NONE))


def test_ref_to_a_non_component_schema_is_resolved_in_place() -> None:
    builder = _builder(**{"$defs": {"Tags": {"type": "array", "items": {"type": "string"}}}})
    t = resolve({"$ref": "#/$defs/Tags"}, builder.ctx, WHERE, "H")
    assert t == ListOf(Prim("str"))
    assert builder.ctx.problems == []


def test_ref_with_escaped_component_name() -> None:
    builder = _builder({"a/b~c": {"type": "object", "properties": {"x": {"type": "string"}}}})
    t = resolve({"$ref": "#/components/schemas/a~1b~0c"}, builder.ctx, WHERE, "H")
    assert isinstance(t, ModelRef)
    assert t.name.isidentifier()
    assert _errors(builder) == []


def test_float_enum_falls_back_with_a_warning() -> None:
    t, builder = _resolve({"type": "number", "enum": [1.5, 2.5]})
    assert t == UnionOf((Prim("int"), Prim("float")))
    warnings = [p for p in builder.ctx.problems if p.severity == "warning"]
    assert warnings and warnings[0].where == WHERE


def test_literal_values_keep_their_json_types() -> None:
    t, _ = _resolve({"enum": [1, True, "1", None, 0, False]})
    assert t == UnionOf((LiteralOf((1, True, "1", 0, False)), NONE))
    assert [type(v) for v in t.members[0].values] == [int, bool, str, int, bool]
