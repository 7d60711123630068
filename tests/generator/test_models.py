"""generator.models (through generator.api.build_api): component schemas and hoisted inline
objects become Model / Alias IR with deterministic names."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from generator.api import build_api
from generator.errors import GeneratorError
from generator.ir import NONE, Alias, Api, ListOf, LiteralOf, MapOf, Model, ModelRef, Prim, UnionOf
from generator.load import validate


def _doc(schemas: dict[str, Any], paths: dict[str, Any] | None = None, version: str = "3.1.0") -> dict[str, Any]:
    return {"openapi": version, "info": {"title": "T", "version": "1"}, "paths": paths or {}, "components": {"schemas": schemas}}


def _api(document: dict[str, Any]) -> Api:
    api, _ = build_api(validate(copy.deepcopy(document), "spec.json"))
    return api


def _model(api: Api, name: str) -> Model:
    return next(m for m in api.models if m.name == name)


def _alias(api: Api, name: str) -> Alias:
    return next(a for a in api.aliases if a.name == name)


def _fields(model: Model) -> list[tuple[str, str, str, bool]]:
    return [(f.name, f.alias, f.type.annotation(), f.required) for f in model.fields]


BASE = {
    "type": "object",
    "description": "The base.",
    "properties": {"id": {"type": "string"}, "createdAt": {"type": "string", "format": "date-time"}},
    "required": ["id"],
}


def test_fields_keep_api_names_as_aliases_in_source_order() -> None:
    api = _api(
        _doc(
            {
                "Pipeline": {
                    "type": "object",
                    "properties": {
                        "recordsLag": {"type": "integer", "description": "Lag."},
                        "from": {"type": "string"},
                        "model_id": {"type": "string"},
                        "status": {"type": ["string", "null"], "default": "ok"},
                    },
                    "required": ["from"],
                }
            }
        )
    )
    model = _model(api, "Pipeline")
    assert model.module == "pipeline"
    assert model.schema_name == "Pipeline"
    assert model.pointer == "#/components/schemas/Pipeline"
    assert _fields(model) == [
        ("records_lag", "recordsLag", "int", False),
        ("from_", "from", "str", True),
        ("model_id_", "model_id", "str", False),
        ("status", "status", "str | None", False),
    ]
    assert model.fields[0].description == "Lag."
    assert model.fields[0].pointer == "#/components/schemas/Pipeline/properties/recordsLag"
    status = model.fields[3]
    assert status.has_default and status.default == "ok"
    assert not model.fields[0].has_default


def test_property_names_that_collide_after_renaming_are_made_unique() -> None:
    api = _api(_doc({"M": {"type": "object", "properties": {"fooBar": {"type": "string"}, "foo_bar": {"type": "integer"}, "FooBar": {}}}}))
    model = _model(api, "M")
    names = [f.name for f in model.fields]
    # The exact spelling keeps the name; the others get a suffix from their own API name.
    assert names == ["foo_bar_5a90", "foo_bar", "foo_bar_0d74"]
    assert [f.alias for f in model.fields] == ["fooBar", "foo_bar", "FooBar"]


def test_names_do_not_depend_on_other_schemas_or_their_order() -> None:
    """Inserting a schema (first, or between others) and reordering rename nothing that exists."""
    obj = {"type": "object", "properties": {"id": {}}}
    schemas = {"pet": obj, "PET": obj, "Owner": {"type": "object", "properties": {"petName": {}, "pet_name": {}}}}
    before = _api(_doc(schemas))
    after = _api(_doc({"Pets": obj, **dict(reversed(list(schemas.items()))), "Pet_": obj}))
    named = {m.schema_name: (m.name, m.module, [f.name for f in m.fields]) for m in before.models}
    assert named == {
        "pet": ("Pet_bbba", "pet_bbba", ["id_"]),  # PascalCase and upper case keep the spelling
        "PET": ("PET", "pet", ["id_"]),
        "Owner": ("Owner", "owner", ["pet_name_e20e", "pet_name"]),
    }
    again = {m.schema_name: (m.name, m.module, [f.name for f in m.fields]) for m in after.models}
    assert {k: again[k] for k in named} == named


def test_allof_fields_are_merged() -> None:
    api = _api(
        _doc(
            {
                "Base": BASE,
                "Child": {
                    "description": "A child.",
                    "allOf": [
                        {"$ref": "#/components/schemas/Base"},
                        {"type": "object", "properties": {"name": {"type": "string"}, "id": {"type": "string", "description": "Overridden."}}, "required": ["name"]},
                    ],
                },
            }
        )
    )
    child = _model(api, "Child")
    assert _fields(child) == [
        ("id_", "id", "str", True),
        ("created_at", "createdAt", "DateTime", False),
        ("name", "name", "str", True),
    ]
    assert child.fields[0].description == "Overridden."
    assert child.description == "A child."
    base = _model(api, "Base")
    assert [f.alias for f in base.fields] == ["id", "createdAt"]  # the base itself is untouched


def test_nested_allof_is_merged_transitively() -> None:
    api = _api(
        _doc(
            {
                "Base": BASE,
                "Middle": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"type": "object", "properties": {"m": {"type": "integer"}}}]},
                "Leaf": {"allOf": [{"$ref": "#/components/schemas/Middle"}, {"type": "object", "properties": {"leaf": {"type": "boolean"}}}]},
            }
        )
    )
    assert [f.alias for f in _model(api, "Leaf").fields] == ["id", "createdAt", "m", "leaf"]


def test_hoisted_inline_models_get_deterministic_names() -> None:
    document = _doc(
        {
            "Pipeline": {
                "type": "object",
                "properties": {
                    "config": {"type": "object", "properties": {"retries": {"type": "integer"}}},
                    "stages": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}},
                    "labels": {"type": "object", "additionalProperties": {"type": "object", "properties": {"v": {"type": "string"}}}},
                    "maybe": {"anyOf": [{"type": "object", "properties": {"x": {"type": "string"}}}, {"type": "null"}]},
                },
            }
        }
    )
    first, second = _api(document), _api(document)
    assert first.models == second.models
    pipeline = _model(first, "Pipeline")
    assert [f.type for f in pipeline.fields] == [
        ModelRef("PipelineConfig", "pipeline_config"),
        ListOf(ModelRef("PipelineStagesItem", "pipeline_stages_item")),
        MapOf(ModelRef("PipelineLabelsValue", "pipeline_labels_value")),
        UnionOf((ModelRef("PipelineMaybe", "pipeline_maybe"), NONE)),
    ]
    config = _model(first, "PipelineConfig")
    assert config.schema_name == "#/components/schemas/Pipeline/properties/config"
    assert _fields(config) == [("retries", "retries", "int", False)]


def test_hoisted_names_never_take_a_component_name() -> None:
    api = _api(
        _doc(
            {
                "Pipeline": {"type": "object", "properties": {"config": {"type": "object", "properties": {"a": {"type": "string"}}}}},
                "PipelineConfig": {"type": "object", "properties": {"b": {"type": "string"}}},
            }
        )
    )
    component = _model(api, "PipelineConfig")
    assert component.schema_name == "PipelineConfig"
    assert [f.alias for f in component.fields] == ["b"]
    hoisted = next(m for m in api.models if m.schema_name.endswith("/properties/config"))
    assert hoisted.name != "PipelineConfig" and hoisted.name.startswith("PipelineConfig")
    assert hoisted.module != component.module
    assert _model(api, "Pipeline").fields[0].type == ModelRef(hoisted.name, hoisted.module)


def test_component_names_that_collide_are_made_unique_with_distinct_modules() -> None:
    api = _api(_doc({"user": {"type": "object", "properties": {"a": {}}}, "User": {"type": "object", "properties": {"b": {}}}, "USER": {"type": "string"}}))
    names = [m.name for m in api.models] + [a.name for a in api.aliases]
    modules = [m.module for m in api.models] + [a.module for a in api.aliases]
    assert len(set(n.lower() for n in names)) == 3
    assert len(set(m.lower() for m in modules)) == 3
    assert [m.schema_name for m in api.models] == ["user", "User"]
    assert all(n.isidentifier() for n in names)


def test_non_object_components_are_aliases() -> None:
    api = _api(
        _doc(
            {
                "Order": {"type": "string", "enum": ["asc", "desc"], "description": "Sort order."},
                "Ids": {"type": "array", "items": {"type": "string"}},
                "IdOrName": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
                "Labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "Other": {"$ref": "#/components/schemas/Order"},
            }
        )
    )
    assert api.models == ()
    assert _alias(api, "Order").type == LiteralOf(("asc", "desc"))
    assert _alias(api, "Order").description == "Sort order."
    assert _alias(api, "Ids").type == ListOf(Prim("str"))
    assert _alias(api, "IdOrName").type == UnionOf((Prim("int"), Prim("str")))
    assert _alias(api, "Labels").type == MapOf(Prim("str"))
    assert _alias(api, "Other").type == ModelRef("Order", "order", LiteralOf(("asc", "desc")))


def test_additional_properties_schema_types_the_extra_keys() -> None:
    api = _api(
        _doc(
            {
                "Open": {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": True},
                "Typed": {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "integer"}},
            }
        )
    )
    assert _model(api, "Open").extra is None
    assert _model(api, "Typed").extra == Prim("int")


def test_openapi_30_nullable_properties() -> None:
    api = _api(_doc({"M": {"type": "object", "properties": {"a": {"type": "string", "nullable": True}, "b": {"allOf": [{"$ref": "#/components/schemas/N"}], "nullable": True}}}, "N": {"type": "object", "properties": {"x": {}}}}, version="3.0.3"))
    model = _model(api, "M")
    assert [f.type for f in model.fields] == [UnionOf((Prim("str"), NONE)), UnionOf((ModelRef("N", "n"), NONE))]


def test_object_without_properties_is_not_a_model() -> None:
    api = _api(_doc({"Bag": {"type": "object"}}))
    assert api.models == ()
    assert _alias(api, "Bag").type == MapOf(Prim("any"))


def test_self_referencing_model() -> None:
    api = _api(_doc({"Node": {"type": "object", "properties": {"next": {"anyOf": [{"$ref": "#/components/schemas/Node"}, {"type": "null"}]}}}}))
    assert _model(api, "Node").fields[0].type == UnionOf((ModelRef("Node", "node"), NONE))


def test_models_from_the_real_spec(spec: dict[str, Any]) -> None:
    api = _api(spec)
    names = {m.name for m in api.models}
    assert {"PipelineMetricsReqBody", "PipelineMetricsRes", "HTTPValidationError", "PipelineLatestMetrics"} <= names
    latest = _model(api, "PipelineLatestMetrics")
    lag = next(f for f in latest.fields if f.alias == "recordsLag")
    assert lag.name == "records_lag"
    assert lag.type.annotation() == "int | str | None"
    latency = next(f for f in latest.fields if f.alias == "latency")
    assert latency.type.annotation() == "int | float | str | None"


def test_circular_component_alias_is_an_error_through_build_api() -> None:
    from generator.load import Document

    document = Document("spec.json", _doc({"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}}), "3.1")
    with pytest.raises(GeneratorError) as caught:
        build_api(document)
    assert caught.value.source == "spec.json"
    assert {p.where for p in caught.value.problems} == {"#/components/schemas/A", "#/components/schemas/B"}


def test_allof_over_a_component_extends_its_class(tmp_path: Any, fresh_import: Any) -> None:
    """``allOf: [$ref Base, {...}]`` → ``class Child(Base)`` declaring only what Base does not."""
    import json

    from generator.config import Config
    from generator.pipeline import run
    from generator.write import write_tree

    document = {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": {},
        "components": {
            "schemas": {
                "Base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
                "Child": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"type": "object", "required": ["name"], "properties": {"kind": {"type": "string"}}}]},
            }
        },
    }
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(document), encoding="utf-8")
    result = run(Config(spec=spec, out=tmp_path / "out", package="inherit_pkg", client="C", root=tmp_path))
    child = next(m for m in result.api.models if m.name == "Child")
    assert child.base is not None and child.base.name == "Base"
    write_tree(tmp_path / "out", result.files, result.spec_sha256)
    pkg = fresh_import(tmp_path / "out", "inherit_pkg")
    assert issubclass(pkg.models.Child, pkg.models.Base)
    parsed = pkg.models.Child.from_json('{"id": 1, "name": "n", "kind": "k", "x": true}')
    assert parsed.to_dict() == {"id": 1, "name": "n", "kind": "k", "x": True}
    import pydantic
    import pytest as _pytest

    with _pytest.raises(pydantic.ValidationError):  # "name" is required in Child, not in Base
        pkg.models.Child.from_json('{"id": 1}')
    assert pkg.models.Base.from_json('{"id": 1}').to_dict() == {"id": 1}


def test_a_subclass_inherits_the_hoisted_models_of_its_base_unchanged() -> None:
    """``Child: allOf [$ref Base, {...}]`` where Base has inline objects: the merged properties are
    the same schema objects, so they are the same hoisted models, and Child declares only its own
    fields (redeclaring ``head: ChildHead`` over ``head: BaseHead`` is a type error)."""
    inline = {"type": "object", "properties": {"x": {"type": "string"}}}
    api = _api(
        _doc(
            {
                "Child": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"type": "object", "properties": {"extra": {"type": "string"}}}]},
                "Base": {"type": "object", "properties": {"head": inline, "labels": {"type": "array", "items": inline}}},
            }
        )
    )
    names = sorted(m.name for m in api.models)
    assert names == ["Base", "Child", "ChildHead"]  # one model for the one inline object, named where first met
    child, base = _model(api, "Child"), _model(api, "Base")
    assert child.base is not None and child.base.name == "Base"
    head = next(f for f in child.fields if f.name == "head")
    assert head.type == next(f for f in base.fields if f.name == "head").type
