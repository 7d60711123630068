"""generator.operations (through generator.api.build_api): paths → Operation IR."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from generator.api import build_api
from generator.errors import GeneratorError, Problem
from generator.ir import NONE, Api, Argument, ListOf, ModelRef, Operation, Prim, Security, UnionOf
from generator.load import validate

OK = {"200": {"description": "ok"}}
JSON_STRING = {"application/json": {"schema": {"type": "string"}}}


def _doc(paths: dict[str, Any], schemas: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    components: dict[str, Any] = {"schemas": schemas or {}}
    components.update(extra.pop("components", {}))
    return {"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": paths, "components": components, **extra}


def _build(document: dict[str, Any]) -> tuple[Api, list[Problem]]:
    return build_api(validate(copy.deepcopy(document), "spec.json"))


def _op(api: Api, operation_id: str) -> Operation:
    return next(o for o in api.operations if o.operation_id == operation_id)


def _args(op: Operation) -> list[tuple[str, str, str, str, bool]]:
    return [(a.name, a.wire_name, a.location, a.type.annotation(argument=True), a.required) for a in op.arguments]


def test_query_parameter_that_is_also_a_body_property_is_one_body_argument() -> None:
    api, _ = _build(
        _doc(
            {
                "/metrics": {
                    "post": {
                        "operationId": "searchMetrics",
                        "parameters": [
                            {"name": "ids", "in": "query", "schema": {"type": "string"}, "description": "Comma-separated IDs."},
                            {"name": "level", "in": "query", "schema": {"type": "string"}},
                        ],
                        "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Req"}}}},
                        "responses": OK,
                    }
                }
            },
            {"Req": {"type": "object", "properties": {"ids": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}, {"type": "null"}]}}}},
        )
    )
    op = _op(api, "searchMetrics")
    assert _args(op) == [
        ("level", "level", "query", "str", False),
        ("ids", "ids", "body", "Sequence[str] | str | None", False),
    ]
    assert [a.wire_name for a in op.arguments].count("ids") == 1
    assert op.body is not None and op.body.flattened  # the body is flattened into arguments
    assert op.arguments[1].description == "Comma-separated IDs."  # documented by the query parameter


def test_real_spec_ids_query_and_body_merge(spec: dict[str, Any]) -> None:
    api, _ = _build(spec)
    op = _op(api, "searchPipelinesMetrics")
    by_wire = {a.wire_name: a for a in op.arguments}
    assert len(by_wire) == len(op.arguments)
    assert by_wire["ids"].location == "body" and by_wire["tenant_ids"].location == "body"
    assert by_wire["from"].name == "from_" and by_wire["from"].location == "query"
    assert by_wire["timestamp_from"].type.annotation(argument=True) == "datetime.datetime | str | None"
    assert op.security == ((Security("bearer"),),)
    assert op.module == "search_pipelines_metrics" and op.name == "search_pipelines_metrics"
    assert op.pointer == "#/paths/~1pipelines~1metrics/post"


def test_path_level_and_operation_level_parameters_are_merged() -> None:
    api, _ = _build(
        _doc(
            {
                "/items/{itemId}": {
                    "parameters": [
                        {"name": "itemId", "in": "path", "required": True, "schema": {"type": "string"}},
                        {"name": "q", "in": "query", "schema": {"type": "string"}},
                        {"name": "q", "in": "header", "schema": {"type": "string"}},
                    ],
                    "get": {
                        "operationId": "getItem",
                        "parameters": [
                            {"name": "q", "in": "query", "schema": {"type": "integer"}, "required": True},
                            {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},
                        ],
                        "responses": OK,
                    },
                    "delete": {"operationId": "deleteItem", "responses": OK},
                }
            }
        )
    )
    assert _args(_op(api, "getItem")) == [
        ("item_id", "itemId", "path", "str", True),
        ("q", "q", "query", "int", True),  # the operation's q overrides the path item's q
        ("q_header", "q", "header", "str", False),  # same name, another location: a separate argument
        ("x_trace", "X-Trace", "header", "str", False),
    ]
    assert _args(_op(api, "deleteItem")) == [
        ("item_id", "itemId", "path", "str", True),
        ("q", "q", "query", "str", False),
        ("q_header", "q", "header", "str", False),
    ]


def test_parameter_refs_are_followed() -> None:
    api, _ = _build(
        _doc(
            {"/x": {"get": {"operationId": "list", "parameters": [{"$ref": "#/components/parameters/Limit"}], "responses": OK}}},
            components={"parameters": {"Limit": {"name": "limit", "in": "query", "schema": {"type": "integer"}, "description": "Max."}}},
        )
    )
    assert _op(api, "list").arguments == (Argument("limit", "limit", "query", Prim("int"), False, "Max.", True, "form"),)


@pytest.mark.parametrize(
    ("method", "path", "name"),
    [
        ("get", "/items/{itemId}", "get_items_by_item_id"),
        ("post", "/pipelines/metrics", "post_pipelines_metrics"),
        ("delete", "/", "delete"),
        ("put", "/a-b/c.d/{x}/{y}", "put_a_b_c_d_by_x_by_y"),
    ],
)
def test_missing_operation_id_is_named_from_method_and_path(method: str, path: str, name: str) -> None:
    params = [{"name": p.strip("{}"), "in": "path", "required": True, "schema": {"type": "string"}} for p in path.split("/") if p.startswith("{")]
    api, _ = _build(_doc({path: {method: {"parameters": params, "responses": OK}}}))
    [op] = api.operations
    assert op.name == name
    assert op.module == name
    assert op.operation_id.startswith(method)


def test_duplicate_operation_ids_are_an_error_pointing_at_the_duplicate() -> None:
    document = _doc({"/a": {"get": {"operationId": "same", "responses": OK}}, "/b": {"post": {"operationId": "same", "responses": OK}}})
    with pytest.raises(GeneratorError) as caught:
        _build(document)
    errors = [p for p in caught.value.problems if p.severity == "error"]
    assert len(errors) == 1
    assert "same" in errors[0].message
    assert caught.value.source == "spec.json"
    assert errors[0].where.startswith("#/paths/~1b/post"), errors[0]


def test_duplicate_operation_ids_are_reported_at_the_duplicate_naming_the_first() -> None:
    from generator.load import validate

    document = _doc({"/a": {"get": {"operationId": "same", "responses": OK}}, "/b": {"post": {"operationId": "same", "responses": OK}}})
    with pytest.raises(GeneratorError) as caught:
        validate(document, "spec.json")
    [error] = [p for p in caught.value.problems if p.severity == "error"]
    assert error.where == "#/paths/~1b/post/operationId"
    assert "same" in error.message and "#/paths/~1a/get/operationId" in error.message


def test_operation_function_names_are_unique_within_a_namespace() -> None:
    """``getItem`` and ``get_item`` both become ``get_item``; the resource class would keep only one."""
    api, _ = _build(_doc({"/a": {"get": {"operationId": "getItem", "responses": OK}}, "/b": {"get": {"operationId": "get_item", "responses": OK}}}))
    for tag in api.tags:
        names = [op.name for op in tag.operations]
        assert len(names) == len(set(names)), names
    assert len({op.module for op in api.operations}) == 2


def test_untagged_operations_go_to_a_default_namespace() -> None:
    api, _ = _build(
        _doc(
            {
                "/a": {"get": {"operationId": "untagged", "responses": OK}},
                "/b": {"get": {"operationId": "tagged", "tags": ["Pipelines", "Other"], "responses": OK}},
            },
            tags=[{"name": "Pipelines", "description": "Pipes."}, {"name": "Unused"}],
        )
    )
    assert _op(api, "untagged").tags == ("default",)
    assert _op(api, "tagged").tags == ("Pipelines", "Other")
    assert [(t.name, t.attribute, t.class_name, t.module, t.description) for t in api.tags] == [
        ("Pipelines", "pipelines", "PipelinesResource", "pipelines", "Pipes."),
        ("default", "default", "DefaultResource", "default", ""),
        ("Other", "other", "OtherResource", "other", ""),
    ]
    assert [op.operation_id for op in api.tags[2].operations] == ["tagged"]
    assert [op.operation_id for op in api.tags[0].operations] == ["tagged"]


def test_tag_attributes_avoid_client_methods_and_collisions() -> None:
    api, _ = _build(
        _doc(
            {
                "/a": {"get": {"operationId": "a", "tags": ["with options"], "responses": OK}},
                "/b": {"get": {"operationId": "b", "tags": ["Consumer Groups"], "responses": OK}},
                "/c": {"get": {"operationId": "c", "tags": ["consumer-groups"], "responses": OK}},
                "/d": {"get": {"operationId": "d", "tags": ["close"], "responses": OK}},
            }
        )
    )
    attributes = [t.attribute for t in api.tags]
    assert "with_options" not in attributes and "close" not in attributes
    assert attributes[1] == "consumer_groups" and attributes[2] != "consumer_groups"
    assert len(set(attributes)) == 4 and all(a.isidentifier() for a in attributes)


SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer"},
    "Bearer2": {"type": "http", "scheme": "Bearer", "bearerFormat": "JWT"},
    "basic": {"type": "http", "scheme": "basic"},
    "headerKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
    "queryKey": {"type": "apiKey", "in": "query", "name": "api_key"},
    "cookieKey": {"type": "apiKey", "in": "cookie", "name": "session"},
    "oauth": {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://x/token", "scopes": {}}}},
    "oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://x/.well-known/openid-configuration"},
    "digest": {"type": "http", "scheme": "digest"},
}


@pytest.mark.parametrize(
    ("scheme", "expected"),
    [
        ("bearer", Security("bearer")),
        ("Bearer2", Security("bearer")),
        # Beside bearer schemes, each API key has an argument of its own, named after its scheme.
        ("headerKey", Security("header", "X-Api-Key", "header_key")),
        ("queryKey", Security("query", "api_key", "query_key")),
        ("cookieKey", Security("cookie", "session", "cookie_key")),
        ("oauth", Security("bearer")),
        ("oidc", Security("bearer")),
    ],
)
def test_security_schemes_are_mapped(scheme: str, expected: Security) -> None:
    api, warnings = _build(
        _doc({"/a": {"get": {"operationId": "a", "security": [{scheme: []}], "responses": OK}}}, components={"securitySchemes": SCHEMES})
    )
    assert _op(api, "a").security == ((expected,),)
    assert warnings == []
    assert api.credentials == (("headerKey", "header_key"), ("queryKey", "query_key"), ("cookieKey", "cookie_key"))


@pytest.mark.parametrize("others", [{}, {"basic": SCHEMES["basic"]}])
def test_the_only_api_key_scheme_is_the_token(others: dict[str, Any]) -> None:
    """No bearer scheme and one API key: the key is ``token`` (as the client's one credential)."""
    schemes = {"headerKey": SCHEMES["headerKey"], **others}
    api, _ = _build(_doc({"/a": {"get": {"operationId": "a", "security": [{"headerKey": []}], "responses": OK}}}, components={"securitySchemes": schemes}))
    assert _op(api, "a").security == ((Security("header", "X-Api-Key"),),)
    assert api.credentials == ()


def test_api_key_arguments_avoid_the_clients_other_arguments() -> None:
    schemes = {"token": SCHEMES["headerKey"], "timeout": SCHEMES["queryKey"], "bearer": SCHEMES["bearer"]}
    api, _ = _build(_doc({"/a": {"get": {"operationId": "a", "responses": OK}}}, components={"securitySchemes": schemes}))
    assert api.credentials == (("token", "token_3c46"), ("timeout", "timeout_"))  # a hash of the scheme name, or a _


def test_basic_auth_is_mapped() -> None:
    api, warnings = _build(
        _doc({"/a": {"get": {"operationId": "a", "security": [{"basic": []}], "responses": OK}}}, components={"securitySchemes": SCHEMES})
    )
    assert _op(api, "a").security == ((Security("basic", credential="basic_auth"),),)
    assert warnings == []


def test_security_global_default_override_and_alternatives() -> None:
    api, _ = _build(
        _doc(
            {
                "/global": {"get": {"operationId": "globalDefault", "responses": OK}},
                "/none": {"get": {"operationId": "noAuth", "security": [], "responses": OK}},
                "/either": {"get": {"operationId": "either", "security": [{"headerKey": []}, {"bearer": [], "Bearer2": []}], "responses": OK}},
            },
            components={"securitySchemes": SCHEMES},
            security=[{"basic": []}, {"bearer": []}],
        )
    )
    basic = Security("basic", credential="basic_auth")
    assert _op(api, "globalDefault").security == ((basic,), (Security("bearer"),))
    assert _op(api, "noAuth").security == ()
    # Requirements are alternatives, in the spec's order (the client sends the first it holds
    # every credential of); two bearer schemes in one requirement are one token.
    assert _op(api, "either").security == ((Security("header", "X-Api-Key", "header_key"),), (Security("bearer"),))


def test_an_optional_requirement_adds_no_alternative() -> None:
    """``security: [{}, {bearer: []}]``: authentication is optional; a client with a token
    still sends it (a client without one sends nothing either way)."""
    api, warnings = _build(
        _doc({"/a": {"get": {"operationId": "a", "security": [{}, {"bearer": []}], "responses": OK}}}, components={"securitySchemes": SCHEMES})
    )
    assert _op(api, "a").security == ((Security("bearer"),),)
    assert warnings == []


def test_unsupported_security_scheme_is_a_warning_with_a_pointer() -> None:
    api, warnings = _build(
        _doc({"/a": {"get": {"operationId": "a", "security": [{"digest": []}], "responses": OK}}}, components={"securitySchemes": SCHEMES})
    )
    assert _op(api, "a").security == ()
    assert [(w.where, w.severity) for w in warnings] == [("#/paths/~1a/get/security", "warning")]
    assert "digest" in warnings[0].message


def test_non_object_body_is_one_body_argument() -> None:
    api, _ = _build(
        _doc(
            {
                "/a": {
                    "post": {
                        "operationId": "upload",
                        "requestBody": {"required": True, "description": "The names.", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "string"}}}}},
                        "responses": OK,
                    }
                }
            }
        )
    )
    op = _op(api, "upload")
    assert op.body is not None and op.body.type == ListOf(Prim("str")) and not op.body.flattened
    assert op.body.required and op.body.media_type == "application/json"
    assert op.arguments == (Argument("body", "", "body", ListOf(Prim("str")), True, "The names.", whole_body=True),)


def test_inline_object_body_is_hoisted_and_flattened() -> None:
    api, _ = _build(
        _doc(
            {
                "/a": {
                    "post": {
                        "operationId": "createThing",
                        "requestBody": {
                            "required": True,
                            "content": {"application/json": {"schema": {"type": "object", "properties": {"name": {"type": "string"}, "size": {"type": "integer"}}, "required": ["name"]}}},
                        },
                        "responses": {"201": {"description": "made", "content": {"application/json": {"schema": {"type": "object", "properties": {"id": {"type": "string"}}}}}}},
                    }
                }
            }
        )
    )
    op = _op(api, "createThing")
    assert _args(op) == [("name", "name", "body", "str", True), ("size", "size", "body", "int", False)]
    assert {m.name for m in api.models} == {"CreateThingBody", "CreateThingResponse201"}
    assert op.responses[0].type == ModelRef("CreateThingResponse201", "create_thing_response201")


def test_optional_body_makes_every_body_argument_optional() -> None:
    api, _ = _build(
        _doc(
            {"/a": {"post": {"operationId": "p", "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/R"}}}}, "responses": OK}}},
            {"R": {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}},
        )
    )
    assert [a.required for a in _op(api, "p").arguments] == [False]


def test_responses_by_media_type() -> None:
    api, _ = _build(
        _doc(
            {
                "/a": {
                    "get": {
                        "operationId": "many",
                        "responses": {
                            "200": {"description": "json", "content": {"application/json; charset=utf-8": {"schema": {"type": ["string", "null"]}}}},
                            "201": {"description": "problem+json", "content": {"application/problem+json": {"schema": {"type": "integer"}}}},
                            "202": {"description": "text", "content": {"text/plain": {"schema": {"type": "string"}}}},
                            "203": {"description": "binary", "content": {"application/octet-stream": {}}},
                            "204": {"description": "nothing"},
                            "4XX": {"description": "client error", "content": JSON_STRING},
                            "default": {"description": "other"},
                        },
                    }
                }
            }
        )
    )
    op = _op(api, "many")
    assert [(r.status, r.type) for r in op.responses] == [
        ("200", UnionOf((Prim("str"), NONE))),
        ("201", Prim("int")),
        ("202", Prim("str")),
        ("203", Prim("bytes")),
        ("204", None),
        ("4XX", Prim("str")),
        ("default", None),
    ]
    assert [r.status for r in op.success] == ["200", "201", "202", "203", "204"]
    assert [r.status for r in op.errors] == ["4XX", "default"]


def test_operation_metadata() -> None:
    api, _ = _build(
        _doc({"/a": {"patch": {"operationId": "old", "summary": "S", "description": "D", "deprecated": True, "tags": ["T"], "responses": OK}}})
    )
    op = _op(api, "old")
    assert (op.method, op.path, op.summary, op.description, op.deprecated, op.tags) == ("PATCH", "/a", "S", "D", True, ("T",))


def test_path_parameters_are_always_required_and_arguments_sorted_by_location() -> None:
    api, _ = _build(
        _doc(
            {
                "/a/{id}": {
                    "get": {
                        "operationId": "g",
                        "parameters": [
                            {"name": "c", "in": "cookie", "schema": {"type": "string"}},
                            {"name": "h", "in": "header", "schema": {"type": "string"}},
                            {"name": "q", "in": "query", "schema": {"type": "string"}},
                            {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
                        ],
                        "responses": OK,
                    }
                }
            }
        )
    )
    assert [(a.location, a.required) for a in _op(api, "g").arguments] == [
        ("path", True),
        ("query", False),
        ("header", False),
        ("cookie", False),
    ]


def test_operations_are_in_document_order() -> None:
    api, _ = _build(
        _doc(
            {
                "/b": {"post": {"operationId": "b_post", "responses": OK}, "get": {"operationId": "b_get", "responses": OK}},
                "/a": {"delete": {"operationId": "a_delete", "responses": OK}},
            }
        )
    )
    assert [op.operation_id for op in api.operations] == ["b_get", "b_post", "a_delete"]


def test_paths_that_are_one_path_item_are_two_operations_with_two_names() -> None:
    """3.1: ``/x`` and ``/y`` are the same ``components/pathItems`` entry, one pointer for both
    operations; each still gets its own name and module (they were one, the second replacing the
    first)."""
    ok = {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "string"}}}}}
    doc = _doc({"/x": {"$ref": "#/components/pathItems/X"}, "/y": {"$ref": "#/components/pathItems/X"}})
    doc["openapi"] = "3.1.0"
    doc["components"] = {"pathItems": {"X": {"get": {"responses": ok}}}}
    api, _ = _build(doc)
    assert [(op.path, op.name, op.module) for op in api.operations] == [("/x", "get_x", "get_x"), ("/y", "get_y", "get_y")]


def test_header_and_cookie_names_http_cannot_carry_are_left_out_with_a_warning() -> None:
    """A space, a tab, ``;`` or ``=`` in a header or cookie name would fail every call (or add a
    cookie): the parameter is left out, an API key scheme so named is unsupported."""
    params = [
        {"name": "a b;c=d", "in": "cookie", "schema": {"type": "string"}},
        {"name": "X Bad\tHeader", "in": "header", "schema": {"type": "string"}},
        {"name": "X-Good_1.0", "in": "header", "schema": {"type": "string"}},
        {"name": "a b", "in": "query", "schema": {"type": "string"}},  # percent-encoded: fine
    ]
    schemes = {"k": {"type": "apiKey", "in": "header", "name": "X Api Key"}, "q": {"type": "apiKey", "in": "query", "name": "api key"}}
    paths = {
        "/a": {"get": {"operationId": "a", "parameters": params, "security": [{"k": []}], "responses": OK}},
        "/b": {"get": {"operationId": "b", "security": [{"q": []}], "responses": OK}},
    }
    api, warnings = _build(_doc(paths, components={"securitySchemes": schemes}))
    op = _op(api, "a")
    assert [(a.wire_name, a.location) for a in op.arguments] == [("a b", "query"), ("X-Good_1.0", "header")]
    assert op.security == ()
    assert _op(api, "b").security == ((Security("query", "api key"),),)  # the only usable key: token
    assert [(w.where, w.message.split(" (")[0]) for w in warnings] == [
        ("#/paths/~1a/get/parameters/1/name", "'X Bad\\tHeader' cannot be a header name"),
        ("#/paths/~1a/get/parameters/0/name", "'a b;c=d' cannot be a cookie name"),
        ("#/paths/~1a/get/security", "no supported security scheme among k; no credential is sent"),
    ]


def test_the_order_of_responses_in_the_spec_changes_nothing() -> None:
    """The return annotation and the documented statuses come in one order (exact codes, then
    ranges, then default), whatever order the spec lists them in."""
    schemas = {n: {"type": "object", "properties": {n.lower(): {"type": "string"}}} for n in ("A", "B")}

    def body(name: str) -> dict[str, Any]:
        return {"description": "ok", "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}

    responses = {"200": body("A"), "201": body("B"), "2XX": {"description": "t", "content": {"text/plain": {}}}, "default": body("B")}
    built = []
    for order in (list(responses), list(reversed(responses))):
        api, _ = _build(_doc({"/x": {"get": {"operationId": "x", "responses": {k: responses[k] for k in order}}}}, schemas))
        op = _op(api, "x")
        built.append(op.responses)
    assert built[0] == built[1]
    assert [r.status for r in built[0]] == ["200", "201", "2XX", "default"]
