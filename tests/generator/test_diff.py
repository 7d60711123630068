"""generator.diff: two specs → the changes an SDK user sees, classified breaking or not.

Every test writes its documents to tmp_path as JSON and loads them as the command does.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import SPEC

from generator.api import build_api
from generator.cli import main
from generator.diff import KINDS, LEGEND, Change, Report, diff_apis
from generator.ir import Api, Argument, Field, Model, ModelRef, Operation, Prim, Response, Tag, TypeRef
from generator.load import load

PATH = "/items/{item_id}"
GET = "operation items.get_item"
CREATE = "operation items.create_item"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _base() -> dict[str, Any]:
    """A small API: one read (response side), one create (request side), models on each side and
    one (Owner) on both."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Shop", "version": "1.0.0"},
        "paths": {
            PATH: {
                "get": {
                    "operationId": "get_item",
                    "tags": ["items"],
                    "parameters": [
                        {"name": "item_id", "in": "path", "required": True, "schema": {"type": "string"}},
                        {"name": "region", "in": "query", "required": True, "schema": {"type": "string"}},
                        {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                        {"name": "ratio", "in": "query", "schema": {"type": "number"}},
                        {"name": "order", "in": "query", "schema": {"type": "string", "enum": ["asc", "desc"]}},
                        {"name": "q", "in": "query", "schema": {"type": "string"}},
                        {"name": "cursor", "in": "query", "schema": {"type": ["string", "null"]}},
                        {"name": "kind", "in": "query", "schema": _ref("Kind")},
                    ],
                    "responses": {
                        "200": {"description": "ok", "content": _json(_ref("Item"))},
                        "404": {"description": "missing", "content": _json(_ref("Error"))},
                    },
                }
            },
            "/items": {
                "post": {
                    "operationId": "create_item",
                    "tags": ["items"],
                    "requestBody": {"required": True, "content": _json(_ref("ItemCreate"))},
                    "responses": {"201": {"description": "created", "content": _json(_ref("Item"))}},
                }
            },
        },
        "components": {
            "schemas": {
                "Item": {
                    "type": "object",
                    "required": ["id", "name"],
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "status": {"type": "string", "enum": ["active", "inactive"]},
                        "score": {"type": "integer"},
                        "price": {"type": "number"},
                        "note": {"type": ["string", "null"]},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "owner": _ref("Owner"),
                    },
                },
                "ItemCreate": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {"name": {"type": "string"}, "owner": _ref("Owner"), "meta": _ref("Meta")},
                },
                "Owner": {"type": "object", "required": ["email"], "properties": {"email": {"type": "string"}}},
                "Meta": {"type": "object", "required": ["note"], "properties": {"note": {"type": "string"}}},
                "Error": {"type": "object", "properties": {"message": {"type": "string"}}},
                "Kind": {"type": "string", "enum": ["a", "b"]},
            }
        },
    }


def _write(folder: Path, name: str, document: dict[str, Any]) -> Path:
    path = folder / name
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path


def _api(path: Path) -> Api:
    api, _ = build_api(load(path, path.name))
    return api


def _report(tmp_path: Path, old: dict[str, Any], new: dict[str, Any]) -> Report:
    return diff_apis(_api(_write(tmp_path, "old.json", old)), _api(_write(tmp_path, "new.json", new)))


def _edited(tmp_path: Path, edit: Callable[[dict[str, Any]], object]) -> Report:
    new = _base()
    edit(new)
    return _report(tmp_path, _base(), new)


def _summary(report: Report) -> list[tuple[str, str, bool]]:
    return [(c.kind, c.subject, c.breaking) for c in report.changes]


def _op(d: dict[str, Any]) -> dict[str, Any]:
    op: dict[str, Any] = d["paths"][PATH]["get"]
    return op


def _param(d: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in _op(d)["parameters"] if p["name"] == name)


def _schema(d: dict[str, Any], name: str) -> dict[str, Any]:
    schema: dict[str, Any] = d["components"]["schemas"][name]
    return schema


def _prop(d: dict[str, Any], model: str, name: str) -> dict[str, Any]:
    prop: dict[str, Any] = _schema(d, model)["properties"][name]
    return prop


def _set(target: dict[str, Any], key: str, value: object) -> None:
    target[key] = value


Edit = Callable[[dict[str, Any]], object]


def _steps(*edits: Edit) -> Edit:
    def edit(d: dict[str, Any]) -> None:
        for step in edits:
            step(d)

    return edit


def _add_field(model: str, name: str, required: bool = False) -> Edit:
    def edit(d: dict[str, Any]) -> None:
        _schema(d, model)["properties"][name] = {"type": "string"}
        if required:
            _schema(d, model).setdefault("required", []).append(name)

    return edit


def _command(*argv: str) -> int:
    assert argv[0] == "diff"
    return main(list(argv))


# ---------------------------------------------------------------------------------------------
# No change


def test_identical_specs_have_no_changes(tmp_path: Path) -> None:
    report = _report(tmp_path, _base(), _base())
    assert report.changes == []
    assert not report.breaking
    assert report.bump is None
    assert "No changes for SDK users." in report.to_markdown()
    assert json.loads(report.to_json())["changes"] == []


def test_changes_that_do_not_reach_the_sdk_are_not_reported(tmp_path: Path) -> None:
    def edit(d: dict[str, Any]) -> None:
        _op(d)["summary"] = "Read one item"
        _prop(d, "Item", "name")["description"] = "The item's name"
        _schema(d, "Item")["properties"] = dict(reversed(_schema(d, "Item")["properties"].items()))
        _param(d, "order")["schema"]["enum"] = ["desc", "asc"]  # the same values, reordered
        d["paths"] = dict(reversed(d["paths"].items()))

    assert _summary(_edited(tmp_path, edit)) == []


# ---------------------------------------------------------------------------------------------
# Each kind of change and its classification: (edit, [(kind, subject, breaking)])

CASES: dict[str, tuple[Edit, list[tuple[str, str, bool]]]] = {
    # operations
    "operation removed": (lambda d: d["paths"].pop(PATH), [("operation_removed", GET, True)]),
    "operation added": (
        lambda d: _set(d["paths"]["/items"], "delete", {"operationId": "delete_item", "tags": ["items"], "responses": {"204": {"description": "gone"}}}),
        [("operation_added", "operation items.delete_item", False)],
    ),
    "operation renamed (same method and path)": (
        lambda d: _set(_op(d), "operationId", "fetch_item"),
        [("operation_renamed", "operation items.fetch_item", True)],
    ),
    "endpoint moved, same method name": (
        lambda d: _set(d["paths"], "/things/{item_id}", d["paths"].pop(PATH)),
        [("endpoint_changed", GET, False)],
    ),
    "operation moved to another namespace": (
        lambda d: _set(_op(d), "tags", ["catalog"]),
        [("namespace_removed", "operation catalog.get_item", True), ("namespace_added", "operation catalog.get_item", False)],
    ),
    "operation deprecated": (lambda d: _set(_op(d), "deprecated", True), [("deprecation", GET, False)]),
    # arguments
    "required argument added": (
        lambda d: _op(d)["parameters"].append({"name": "tenant", "in": "query", "required": True, "schema": {"type": "string"}}),
        [("argument_added", GET, True)],
    ),
    "optional argument added": (
        lambda d: _op(d)["parameters"].append({"name": "tenant", "in": "query", "schema": {"type": "string"}}),
        [("argument_added", GET, False)],
    ),
    "argument removed": (
        lambda d: _op(d)["parameters"].remove(_param(d, "q")),
        [("argument_removed", GET, True)],
    ),
    "argument renamed (same location and type)": (
        lambda d: _set(_param(d, "q"), "name", "query"),
        [("argument_renamed", GET, True)],
    ),
    "argument replaced by one of another type: not a rename": (
        _steps(
            lambda d: _op(d)["parameters"].remove(_param(d, "q")),
            lambda d: _op(d)["parameters"].append({"name": "term", "in": "query", "schema": {"type": "boolean"}}),
        ),
        [("argument_removed", GET, True), ("argument_added", GET, False)],
    ),
    "argument moved from the query to a header: the call is unchanged": (
        lambda d: _set(_param(d, "q"), "in", "header"),
        [("argument_moved", GET, False)],
    ),
    "argument made required": (lambda d: _set(_param(d, "limit"), "required", True), [("argument_required", GET, True)]),
    "argument made optional": (lambda d: _set(_param(d, "region"), "required", False), [("argument_optional", GET, False)]),
    "argument type narrowed (number → integer)": (
        lambda d: _set(_param(d, "ratio"), "schema", {"type": "integer"}),
        [("type_narrowed", GET, True)],
    ),
    "argument type widened (integer → number)": (
        lambda d: _set(_param(d, "limit"), "schema", {"type": "number"}),
        [("type_widened", GET, False)],
    ),
    "argument type widened (a union gains a member)": (
        lambda d: _set(_param(d, "q"), "schema", {"type": ["string", "integer"]}),
        [("type_widened", GET, False)],
    ),
    "argument type changed (integer → string)": (
        lambda d: _set(_param(d, "limit"), "schema", {"type": "string"}),
        [("type_changed", GET, True)],
    ),
    "argument str → enum narrows": (
        lambda d: _set(_param(d, "q"), "schema", {"type": "string", "enum": ["x", "y"]}),
        [("type_narrowed", GET, True)],
    ),
    "argument enum value removed": (
        lambda d: _set(_param(d, "order")["schema"], "enum", ["asc"]),
        [("enum_values_removed", GET, True)],
    ),
    "argument enum value added": (
        lambda d: _set(_param(d, "order")["schema"], "enum", ["asc", "desc", "random"]),
        [("enum_values_added", GET, False)],
    ),
    "argument made nullable": (
        lambda d: _set(_param(d, "limit"), "schema", {"type": ["integer", "null"]}),
        [("nullable_added", GET, False)],
    ),
    "argument no longer nullable": (
        lambda d: _set(_param(d, "cursor"), "schema", {"type": "string"}),
        [("nullable_removed", GET, True)],
    ),
    "enum component loses a value (used by an argument)": (
        lambda d: _set(_schema(d, "Kind"), "enum", ["a"]),
        [("enum_values_removed", "model Kind", True)],
    ),
    "enum component gains a value": (
        lambda d: _set(_schema(d, "Kind"), "enum", ["a", "b", "c"]),
        [("enum_values_added", "model Kind", False)],
    ),
    "enum component inlined: the argument is unchanged, the alias is gone": (
        lambda d: _set(_param(d, "kind"), "schema", d["components"]["schemas"].pop("Kind")),
        [("model_removed", "model Kind", True)],
    ),
    # response models
    "response field removed": (lambda d: _schema(d, "Item")["properties"].pop("score"), [("field_removed", "model Item", True)]),
    "response field added (optional)": (
        _add_field("Item", "color"),
        [("field_added", "model Item", False)],
    ),
    "response field added (required): readers are not broken": (
        _add_field("Item", "color", required=True),
        [("field_added", "model Item", False)],
    ),
    "response field made optional": (lambda d: _set(_schema(d, "Item"), "required", ["id"]), [("field_optional", "model Item", True)]),
    "response field made required": (
        lambda d: _schema(d, "Item")["required"].append("score"),
        [("field_required", "model Item", False)],
    ),
    "response field widened (integer → number)": (
        lambda d: _set(_prop(d, "Item", "score"), "type", "number"),
        [("type_widened", "model Item", True)],
    ),
    "response field narrowed (number → integer)": (
        lambda d: _set(_prop(d, "Item", "price"), "type", "integer"),
        [("type_narrowed", "model Item", False)],
    ),
    "response field changed (integer → string)": (
        lambda d: _set(_prop(d, "Item", "score"), "type", "string"),
        [("type_changed", "model Item", True)],
    ),
    "response list item widened": (
        lambda d: _set(_prop(d, "Item", "tags"), "items", {"type": ["string", "integer"]}),
        [("type_widened", "model Item", True)],
    ),
    "response field becomes another model": (
        lambda d: _set(_schema(d, "Item")["properties"], "owner", _ref("Error")),
        [("type_changed", "model Item", True)],
    ),
    "response enum value added (open enum)": (
        lambda d: _set(_prop(d, "Item", "status"), "enum", ["active", "inactive", "archived"]),
        [("enum_values_added", "model Item", False)],
    ),
    "response enum value removed": (
        lambda d: _set(_prop(d, "Item", "status"), "enum", ["active"]),
        [("enum_values_removed", "model Item", False)],
    ),
    "response str → enum admits the same values (open enum)": (
        lambda d: _set(_prop(d, "Item", "name"), "enum", ["x", "y"]),
        [("type_equivalent", "model Item", False)],
    ),
    "response field made nullable": (
        lambda d: _set(_prop(d, "Item", "score"), "type", ["integer", "null"]),
        [("nullable_added", "model Item", True)],
    ),
    "response field no longer nullable": (
        lambda d: _set(_prop(d, "Item", "note"), "type", "string"),
        [("nullable_removed", "model Item", False)],
    ),
    "response field deprecated": (
        lambda d: _set(_prop(d, "Item", "score"), "deprecated", True),
        [("deprecation", "model Item", False)],
    ),
    "a model no longer used keeps the side it was used on": (
        _steps(lambda d: d["paths"].pop(PATH), lambda d: _set(_schema(d, "Error"), "required", ["message"])),
        [("operation_removed", GET, True), ("field_required", "model Error", False)],
    ),
    # request models
    "request model: required field added": (
        _add_field("Meta", "author", required=True),
        [("field_added", "model Meta", True)],
    ),
    "request model: optional field added": (
        _add_field("Meta", "author"),
        [("field_added", "model Meta", False)],
    ),
    "request model: field made optional": (lambda d: _set(_schema(d, "Meta"), "required", []), [("field_optional", "model Meta", False)]),
    "request model: field made required": (
        lambda d: _set(_schema(d, "ItemCreate"), "required", ["name", "owner"]),
        [("argument_required", CREATE, True), ("field_required", "model ItemCreate", True)],
    ),
    "request model: field narrowed (str → enum)": (
        lambda d: _set(_prop(d, "Meta", "note"), "enum", ["x"]),
        [("type_narrowed", "model Meta", True)],
    ),
    "request model: field widened": (
        lambda d: _set(_prop(d, "Meta", "note"), "type", ["string", "integer"]),
        [("type_widened", "model Meta", False)],
    ),
    "request body: required property added (argument and model)": (
        _add_field("ItemCreate", "sku", required=True),
        [("argument_added", CREATE, True), ("field_added", "model ItemCreate", True)],
    ),
    "request body: property removed (argument and model)": (
        lambda d: _schema(d, "ItemCreate")["properties"].pop("meta"),
        [("argument_removed", CREATE, True), ("field_removed", "model ItemCreate", True)],
    ),
    # a model on both sides is judged by both rules
    "both sides: required field added breaks builders": (
        _add_field("Owner", "phone", required=True),
        [("field_added", "model Owner", True)],
    ),
    "both sides: optional field added": (
        _add_field("Owner", "phone"),
        [("field_added", "model Owner", False)],
    ),
    "both sides: field made optional breaks readers": (
        lambda d: _set(_schema(d, "Owner"), "required", []),
        [("field_optional", "model Owner", True)],
    ),
    "both sides: str → enum breaks senders": (
        lambda d: _set(_prop(d, "Owner", "email"), "enum", ["x"]),
        [("type_narrowed", "model Owner", True)],
    ),
    # responses
    "error response added": (
        lambda d: _set(_op(d)["responses"], "409", {"description": "conflict"}),
        [("response_added", GET, False)],
    ),
    "error response removed": (lambda d: _op(d)["responses"].pop("404"), [("response_removed", GET, False)]),
    "success response without content added: the return type is now nullable": (
        lambda d: _set(_op(d)["responses"], "204", {"description": "nothing"}),
        [("nullable_added", GET, True), ("response_added", GET, False)],
    ),
    "success response with the same type added": (
        lambda d: _set(_op(d)["responses"], "203", {"description": "cached", "content": _json(_ref("Item"))}),
        [("response_added", GET, False)],
    ),
    "success response with another type added: the return type widens": (
        lambda d: _set(_op(d)["responses"], "202", {"description": "later", "content": _json(_ref("Error"))}),
        [("type_widened", GET, True), ("response_added", GET, False)],
    ),
    "return type changed": (
        lambda d: _set(_op(d)["responses"]["200"], "content", _json(_ref("Error"))),
        [("type_changed", GET, True)],
    ),
    "error body changed": (
        lambda d: _set(_op(d)["responses"]["404"], "content", _json({"type": "string"})),
        [("type_changed", GET, True)],
    ),
    # models
    "model added": (lambda d: _set(d["components"]["schemas"], "Extra", {"type": "integer"}), [("model_added", "model Extra", False)]),
    "model removed (used nowhere)": (
        _steps(lambda d: _op(d)["responses"].pop("404"), lambda d: d["components"]["schemas"].pop("Error")),
        [("response_removed", GET, False), ("model_removed", "model Error", True)],
    ),
    "class became an alias": (
        lambda d: _set(d["components"]["schemas"], "Error", {"type": "string"}),
        [("model_changed", "model Error", True)],
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_each_kind_of_change_is_classified(tmp_path: Path, case: str) -> None:
    edit, expected = CASES[case]
    report = _edited(tmp_path, edit)
    assert _summary(report) == expected
    assert report.breaking is any(breaking for _, _, breaking in expected)


def test_every_kind_is_exercised() -> None:
    covered = {kind for _, expected in CASES.values() for kind, _, _ in expected}
    assert covered | {"base_changed"} == set(KINDS)


# ---------------------------------------------------------------------------------------------
# Details and pointers


def _one(report: Report, kind: str) -> Change:
    found = [c for c in report.changes if c.kind == kind]
    assert len(found) == 1, report.changes
    return found[0]


def test_removal_points_into_the_old_document_and_the_rest_into_the_new(tmp_path: Path) -> None:
    def edit(d: dict[str, Any]) -> None:
        _op(d)["parameters"].remove(_param(d, "q"))
        d["paths"]["/v2/items/{item_id}"] = d["paths"].pop(PATH)
        _schema(d, "Item")["properties"].pop("score")
        _prop(d, "Item", "price")["type"] = "integer"

    report = _edited(tmp_path, edit)
    assert _one(report, "argument_removed").pointer == "#/paths/~1items~1{item_id}/get/parameters/5"
    assert _one(report, "endpoint_changed").pointer == "#/paths/~1v2~1items~1{item_id}/get"
    assert _one(report, "field_removed").pointer == "#/components/schemas/Item/properties/score"
    assert _one(report, "type_narrowed").pointer == "#/components/schemas/Item/properties/price"
    assert _one(report, "endpoint_changed").detail == "now `GET /v2/items/{item_id}` (was `GET /items/{item_id}`); the call is unchanged"
    assert {c.context for c in report.changes if c.subject == GET} == {"GET /v2/items/{item_id}"}


def test_details_name_the_argument_and_both_types(tmp_path: Path) -> None:
    def edit(d: dict[str, Any]) -> None:
        _param(d, "ratio")["schema"] = {"type": "integer"}
        _param(d, "q")["name"] = "query"
        _param(d, "order")["schema"]["enum"] = ["asc", "up"]
        _op(d)["parameters"].append({"name": "tenant", "in": "header", "required": True, "schema": {"type": "string"}})

    report = _edited(tmp_path, edit)
    assert _one(report, "type_narrowed").detail == "argument `ratio`: type narrowed `int | float` → `int`"
    assert _one(report, "argument_renamed").detail == "argument `q` renamed to `query` (same place, same type)"
    assert _one(report, "argument_renamed").pointer == "#/paths/~1items~1{item_id}/get/parameters/5"
    assert _one(report, "enum_values_removed").detail == "argument `order`: enum values removed: `'desc'`"
    assert _one(report, "enum_values_added").detail == "argument `order`: enum values added: `'up'`"
    assert _one(report, "argument_added").detail == "argument `tenant` added (required)"
    assert _one(report, "argument_added").pointer == "#/paths/~1items~1{item_id}/get/parameters/8"


def test_operation_details(tmp_path: Path) -> None:
    renamed = _edited(tmp_path, lambda d: _set(_op(d), "operationId", "fetch_item"))
    assert renamed.changes[0].detail == "renamed from `items.get_item` (same method and path)"
    assert renamed.changes[0].pointer == "#/paths/~1items~1{item_id}/get"
    moved = _edited(tmp_path, lambda d: _set(_op(d), "tags", ["catalog"]))
    assert [c.detail for c in moved.changes] == [
        "no longer available as `client.items.get_item`",
        "now available as `client.catalog.get_item`",
    ]
    removed = _edited(tmp_path, lambda d: d["paths"].pop("/items"))
    assert [(c.detail, c.pointer, c.context) for c in removed.changes] == [
        ("operation `items.create_item` removed", "#/paths/~1items/post", "POST /items")
    ]


def test_nullability_and_type_change_together_are_two_changes(tmp_path: Path) -> None:
    report = _edited(tmp_path, lambda d: _set(_prop(d, "Item", "score"), "type", ["number", "null"]))
    assert [(c.kind, c.detail, c.breaking) for c in report.changes] == [
        ("type_widened", "field `score`: type widened `int` → `int | float`", True),
        ("nullable_added", "field `score`: now nullable (`int` → `int | float | None`)", True),
    ]


def test_base_class_lost_breaks_and_gained_does_not(tmp_path: Path) -> None:
    with_base = _base()
    schemas = with_base["components"]["schemas"]
    schemas["Problem"] = {"type": "object", "properties": {"code": {"type": "integer"}}}
    schemas["Error"] = {"allOf": [_ref("Problem"), {"type": "object", "properties": {"message": {"type": "string"}}}]}
    without = _base()
    without["components"]["schemas"]["Problem"] = copy.deepcopy(schemas["Problem"])
    without["components"]["schemas"]["Error"]["properties"]["code"] = {"type": "integer"}

    lost = _report(tmp_path, with_base, without)
    assert _summary(lost) == [("base_changed", "model Error", True)]
    assert lost.changes[0].detail == "no longer extends `Problem`"
    gained = _report(tmp_path, without, with_base)
    assert _summary(gained) == [("base_changed", "model Error", False)]
    assert gained.changes[0].detail == "now extends `Problem`"


def test_a_tagged_union_gaining_a_member_widens_a_response(tmp_path: Path) -> None:
    def pets(*names: str) -> dict[str, Any]:
        d = _base()
        for name in ("Cat", "Dog"):
            d["components"]["schemas"][name] = {
                "type": "object",
                "required": ["kind"],
                "properties": {"kind": {"type": "string"}},
            }
        _schema(d, "Item")["properties"]["pet"] = {"oneOf": [_ref(n) for n in names], "discriminator": {"propertyName": "kind"}}
        return d

    report = _report(tmp_path, pets("Cat"), pets("Cat", "Dog"))
    assert _summary(report) == [("type_widened", "model Item", True)]
    assert report.changes[0].detail == "field `pet`: type widened `Cat` → `Cat | Dog`"
    assert _summary(_report(tmp_path, pets("Cat", "Dog"), pets("Cat"))) == [("type_narrowed", "model Item", False)]


def test_a_response_field_through_an_alias_is_compared_by_what_the_alias_stands_for(tmp_path: Path) -> None:
    old = _base()
    old["components"]["schemas"]["Tags"] = {"type": "array", "items": {"type": "string"}}
    _schema(old, "Item")["properties"]["tags"] = _ref("Tags")
    new = copy.deepcopy(old)
    _schema(new, "Item")["properties"]["tags"] = {"type": "array", "items": {"type": ["string", "integer"]}}
    report = _report(tmp_path, old, new)
    assert _summary(report) == [("type_widened", "model Item", True)]
    assert report.changes[0].detail == "field `tags`: type widened `Tags` → `list[str | int]`"


def test_a_model_on_both_sides_says_which_side_breaks(tmp_path: Path) -> None:
    narrowed = _edited(tmp_path, lambda d: _set(_prop(d, "Owner", "email"), "enum", ["x"]))
    assert narrowed.changes[0].detail == 'field `email`: type narrowed `str` → `Literal["x"] | str` (request side)'
    widened = _edited(tmp_path, lambda d: _set(_prop(d, "Owner", "email"), "type", ["string", "integer"]))
    assert _summary(widened) == [("type_widened", "model Owner", True)]
    assert widened.changes[0].detail == "field `email`: type widened `str` → `str | int` (response side)"
    changed = _edited(tmp_path, lambda d: _set(_prop(d, "Owner", "email"), "type", "boolean"))
    assert changed.changes[0].detail == "field `email`: type changed `str` → `bool`"


def _ir(field_type: TypeRef, argument_type: TypeRef) -> Api:
    """An Api built directly: a PUT taking one argument and returning a model with one field."""
    thing = Model("Thing", "thing", "Thing", "", (Field("value", "value", field_type, True, pointer="#/v"),), pointer="#/t")
    op = Operation(
        operation_id="put_thing",
        name="put_thing",
        module="put_thing",
        method="PUT",
        path="/thing",
        tags=("things",),
        summary="",
        description="",
        deprecated=False,
        parameters=(),
        body=None,
        arguments=(Argument("data", "data", "body", argument_type, True),),
        responses=(Response("200", ModelRef("Thing", "thing")),),
        security=(),
        pointer="#/paths/~1thing/put",
    )
    return Api("T", "1", "", "", (thing,), (), (op,), (Tag("things", "things", "ThingsResource", "things", "", (op,)),))


def test_int_to_float_and_bytes_to_file_widen() -> None:
    widened = diff_apis(_ir(Prim("int"), Prim("bytes")), _ir(Prim("float"), Prim("file")))
    assert [(c.kind, c.subject, c.breaking, c.detail) for c in widened.changes] == [
        ("type_widened", "operation things.put_thing", False, "argument `data`: type widened `bytes` → `FileInput`"),
        ("type_widened", "model Thing", True, "field `value`: type widened `int` → `float`"),
    ]
    narrowed = diff_apis(_ir(Prim("float"), Prim("file")), _ir(Prim("int"), Prim("bytes")))
    assert [(c.kind, c.breaking) for c in narrowed.changes] == [("type_narrowed", True), ("type_narrowed", False)]
    changed = diff_apis(_ir(Prim("str"), Prim("str")), _ir(Prim("datetime"), Prim("datetime")))
    assert [(c.kind, c.breaking) for c in changed.changes] == [("type_changed", True), ("type_changed", True)]


def test_model_context_says_where_it_is_used(tmp_path: Path) -> None:
    def edit(d: dict[str, Any]) -> None:
        for name in ("Item", "Meta", "Owner", "Error"):
            _schema(d, name)["properties"]["extra"] = {"type": "string"}
        d["components"]["schemas"]["Lonely"] = {"type": "object", "properties": {"x": {"type": "string"}}}

    contexts = {c.subject: c.context for c in _edited(tmp_path, edit).changes}
    assert contexts == {
        "model Item": "used in responses",
        "model Meta": "used in requests",
        "model Owner": "used in requests and responses",
        "model Error": "used in responses",
        "model Lonely": "not used by any operation",
    }


# ---------------------------------------------------------------------------------------------
# Report: bump, Markdown, JSON


def test_bump(tmp_path: Path) -> None:
    assert _report(tmp_path, _base(), _base()).bump is None
    assert _edited(tmp_path, lambda d: _op(d)["responses"].pop("404")).bump == "patch"
    assert _edited(tmp_path, lambda d: _set(_op(d), "deprecated", True)).bump == "patch"
    assert _edited(tmp_path, lambda d: _op(d)["parameters"].append({"name": "t", "in": "query", "schema": {}})).bump == "minor"
    assert _edited(tmp_path, lambda d: _set(_schema(d, "Kind"), "enum", ["a", "b", "c"])).bump == "minor"
    assert _edited(tmp_path, lambda d: d["paths"].pop(PATH)).bump == "major"
    report = Report([Change("field_added", "model X", "field `y` added (optional)", False, "#/x")])
    assert report.bump == "minor" and not report.breaking


def test_markdown(tmp_path: Path) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["info"]["version"] = "1.1.0"
        _op(d)["parameters"].remove(_param(d, "q"))
        _op(d)["parameters"].append({"name": "page", "in": "query", "schema": {"type": "integer"}})
        _schema(d, "Item")["properties"].pop("score")
        _prop(d, "Item", "status")["enum"] = ["active", "inactive", "archived"]

    text = _edited(tmp_path, edit).to_markdown()
    expected = [
        "# SDK changes: Shop 1.0.0 → 1.1.0",
        "",
        "2 breaking, 2 other: a **major** version bump.",
        "",
        "## Breaking changes",
        "",
        "### operation `items.get_item` — `GET /items/{item_id}`",
        "",
        "- argument `q` removed",
        "",
        "### model `Item` (used in responses)",
        "",
        "- field `score` removed",
        "",
        "## Other changes",
        "",
        "### operation `items.get_item` — `GET /items/{item_id}`",
        "",
        "- argument `page` added (optional)",
        "",
        "### model `Item` (used in responses)",
        "",
        "- field `status`: enum values added: `'archived'`",
        "",
        "<details><summary>How changes are classified</summary>",
        "",
        *[f"- {rule}" for rule in LEGEND],
        "",
        "</details>",
        "",
    ]
    assert text == "\n".join(expected)


def test_output_order_does_not_depend_on_the_order_changes_were_given() -> None:
    changes = [
        Change("field_added", "model B", "field `x` added (optional)", False, "#/b"),
        Change("field_removed", "model A", "field `y` removed", True, "#/a"),
        Change("argument_added", "operation z.op", "argument `a` added (optional)", False, "#/p", "GET /"),
        Change("operation_renamed", "operation z.op", "renamed", True, "#/p", "GET /"),
    ]
    forward, backward = Report(changes), Report(list(reversed(changes)))
    assert forward.to_markdown() == backward.to_markdown()
    assert forward.to_json() == backward.to_json()
    subjects = [(c["subject"], c["kind"]) for c in json.loads(forward.to_json())["changes"]]
    assert subjects == [
        ("operation z.op", "operation_renamed"),
        ("operation z.op", "argument_added"),
        ("model A", "field_removed"),
        ("model B", "field_added"),
    ]


def test_markdown_without_changes_and_without_a_version_change(tmp_path: Path) -> None:
    assert _report(tmp_path, _base(), _base()).to_markdown() == "# SDK changes: Shop 1.0.0\n\nNo changes for SDK users.\n"
    assert Report([]).to_markdown() == "# SDK changes\n\nNo changes for SDK users.\n"


def test_markdown_code_spans_survive_backticks() -> None:
    change = Change("enum_values_added", "model A`B", "detail", False, "#/x")
    assert "### model `` A`B ``" in Report([change]).to_markdown()


def _shuffled(document: dict[str, Any]) -> dict[str, Any]:
    """The same document with every object's keys in reverse order."""
    if isinstance(document, dict):
        return {k: _shuffled(v) for k, v in reversed(document.items())}
    if isinstance(document, list):
        return [_shuffled(v) for v in document]
    return document


def _wide_change(d: dict[str, Any]) -> None:
    d["paths"].pop("/items")
    _op(d)["parameters"].remove(_param(d, "q"))
    _param(d, "limit")["required"] = True
    _schema(d, "Item")["properties"]["color"] = {"type": "string"}
    _prop(d, "Item", "score")["type"] = "number"
    _schema(d, "Kind")["enum"] = ["b", "c"]
    d["components"]["schemas"]["Extra"] = {"type": "integer"}


def test_json_output_is_sorted_stable_and_does_not_depend_on_document_order(tmp_path: Path) -> None:
    new = _base()
    _wide_change(new)
    first = _report(tmp_path, _base(), new).to_json()
    data = json.loads(first)
    assert first == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert set(data) == {"title", "old_version", "new_version", "breaking", "bump", "changes"}
    assert data["breaking"] is True and data["bump"] == "major"
    assert all(set(c) == {"kind", "subject", "detail", "breaking", "pointer", "context"} for c in data["changes"])
    assert [c["subject"] for c in data["changes"]] == sorted(
        (c["subject"] for c in data["changes"]), key=lambda s: (not s.startswith("operation "), s)
    )
    assert _report(tmp_path, _base(), new).to_json() == first
    reordered = _report(tmp_path, _shuffled(_base()), _shuffled(new)).to_json()
    assert reordered == first


# ---------------------------------------------------------------------------------------------
# The command


def test_command_identical_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = _write(tmp_path, "old.json", _base()), _write(tmp_path, "new.json", _base())
    assert _command("diff", str(old), str(new)) == 0
    assert capsys.readouterr().out == "# SDK changes: Shop 1.0.0\n\nNo changes for SDK users.\n"


def test_command_non_breaking_exit_0_and_breaking_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = _write(tmp_path, "old.json", _base())
    added = _base()
    added["components"]["schemas"]["Extra"] = {"type": "integer"}
    assert _command("diff", str(old), str(_write(tmp_path, "added.json", added))) == 0
    assert "type alias `Extra` added" in capsys.readouterr().out
    removed = _base()
    removed["paths"].pop(PATH)
    assert _command("diff", str(old), str(_write(tmp_path, "removed.json", removed))) == 1
    out = capsys.readouterr().out
    assert "## Breaking changes" in out and "operation `items.get_item` removed" in out


def test_command_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = _base()
    _wide_change(new)
    old_path, new_path = _write(tmp_path, "old.json", _base()), _write(tmp_path, "new.json", new)
    assert _command("diff", str(old_path), str(new_path), "--format", "json") == 1
    out = capsys.readouterr().out
    assert out == _report(tmp_path, _base(), new).to_json()
    assert json.loads(out)["bump"] == "major"


def test_command_bad_input_exit_2_with_the_pointer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = _base()
    _op(broken)["responses"]["200"]["content"] = _json(_ref("Missing"))
    old, new = _write(tmp_path, "old.json", _base()), _write(tmp_path, "new.json", broken)
    assert _command("diff", str(old), str(new)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert lines and all(line.startswith(f"{new}#/") for line in lines)
    assert any("#/paths/~1items~1{item_id}/get/responses/200/content/application~1json/schema" in line and "Missing" in line for line in lines)


def test_command_reports_problems_in_both_documents(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = _write(tmp_path, "old.json", {"openapi": "2.0", "info": {}, "paths": {}})
    new = tmp_path / "missing.json"
    assert _command("diff", str(old), str(new)) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{old}#/openapi: unsupported OpenAPI version")
    assert err[1].startswith(f"{new}#: cannot read the file")
    assert len(err) == 2


def test_command_rejects_an_unknown_format(tmp_path: Path) -> None:
    path = _write(tmp_path, "old.json", _base())
    with pytest.raises(SystemExit):
        _command("diff", str(path), str(path), "--format", "html")


# ---------------------------------------------------------------------------------------------
# The project's spec


def test_the_real_spec_against_itself(capsys: pytest.CaptureFixture[str]) -> None:
    assert _command("diff", str(SPEC), str(SPEC)) == 0
    assert "No changes for SDK users." in capsys.readouterr().out


def test_the_real_spec_with_a_response_field_removed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    spec["components"]["schemas"]["PipelineMetricsRes"]["properties"].pop("account_metrics")
    edited = _write(tmp_path, "openapi.json", spec)
    report = diff_apis(_api(SPEC), _api(edited))
    assert [c.to_dict() for c in report.changes] == [
        {
            "kind": "field_removed",
            "subject": "model PipelineMetricsRes",
            "detail": "field `account_metrics` removed",
            "breaking": True,
            "pointer": "#/components/schemas/PipelineMetricsRes/properties/account_metrics",
            "context": "used in responses",
        }
    ]
    assert _command("diff", str(SPEC), str(edited)) == 1
    assert "field `account_metrics` removed" in capsys.readouterr().out


def test_the_real_spec_with_an_optional_argument_added(tmp_path: Path) -> None:
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    operation = spec["paths"]["/pipelines/metrics"]["post"]
    operation["parameters"].append({"name": "region", "in": "query", "required": False, "schema": {"type": "string"}})
    report = diff_apis(_api(SPEC), _api(_write(tmp_path, "openapi.json", spec)))
    assert _summary(report) == [("argument_added", "operation pipelines.search_pipelines_metrics", False)]
    assert report.bump == "minor"
    assert report.changes[0].context == "POST /pipelines/metrics"
