"""Generate SDKs from small inline specs and call them against a real server on 127.0.0.1.

Each spec tests one thing end to end: the generator's Python API (``generator.pipeline.run`` then
``generator.write.write_tree``) writes the package, ``fresh_import`` imports it, and a call goes to
pytest-httpserver. The test asserts what the server received (method, path, query, headers, body)
and what the call returned (values and Python types).
"""

from __future__ import annotations

import asyncio
import datetime
import inspect
import json
import typing
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import assert_json_identical
from pytest_httpserver import HTTPServer
from werkzeug import Request

from generator.config import Config
from generator.pipeline import run
from generator.write import write_tree

TOKEN = "tok-5e1b0c7d-generated-SECRET"
INFO = {"title": "Fixture API", "version": "1.0.0"}
SERVERS = [{"url": "https://api.example.invalid"}]


# ----------------------------------------------------------------------------- fixtures, helpers


_GENERATED: dict[str, tuple[Path, dict[str, str]]] = {}


def _generate(base: Path, package: str, spec: dict[str, Any], client: str = "Client") -> tuple[Path, dict[str, str]]:
    """Write ``spec`` as JSON, generate the SDK into ``base/package/out``; once per package."""
    if package in _GENERATED:
        return _GENERATED[package]
    folder = base / package
    folder.mkdir(parents=True)
    spec_path = folder / "openapi.json"
    spec_path.write_text(json.dumps(spec, indent=2), encoding="utf-8")
    out = folder / "out"
    config = Config(spec=spec_path, out=out, package=package, client=client)
    result = run(config)
    assert result.warnings == [], [w.format(result.source) for w in result.warnings]
    write_tree(out, result.files, result.spec_sha256)
    _GENERATED[package] = (out, result.files)
    return out, result.files


@pytest.fixture(scope="session")
def generated_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("generated_specs")


@pytest.fixture()
def sdk(generated_root: Path, fresh_import: Callable[[Path, str], Any]) -> Callable[..., Any]:
    """``sdk(package, spec)`` → the freshly imported generated package."""

    def _sdk(package: str, spec: dict[str, Any], client: str = "Client") -> Any:
        out, _ = _generate(generated_root, package, spec, client)
        return fresh_import(out, package)

    return _sdk


def _client(module: Any, server: HTTPServer, token: str | None = TOKEN, name: str = "Client") -> Any:
    """Strict: these tests check that responses are typed exactly as the spec says."""
    return getattr(module, name)(token=token, base_url=server.url_for(""), strict_response_validation=True)


def _only_request(server: HTTPServer) -> Request:
    assert len(server.log) == 1, [str(r.url) for r, _ in server.log]
    return server.log[0][0]


def _raw_path(request: Request) -> str:
    """The path exactly as it came over the wire (before any percent-decoding)."""
    raw = request.environ.get("RAW_URI") or request.environ["REQUEST_URI"]
    return raw.split("?", 1)[0]


def _query(request: Request) -> list[tuple[str, str]]:
    return list(request.args.items(multi=True))


def _annotation(module: Any, func: Callable[..., Any], name: str) -> Any:
    """A parameter's annotation, evaluated in the module that defines the function."""
    annotation = inspect.signature(func).parameters[name].annotation
    return eval(annotation, vars(module)) if isinstance(annotation, str) else annotation  # noqa: S307


def _spec(paths: dict[str, Any], schemas: dict[str, Any] | None = None, version: str = "3.1.0", **extra: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"openapi": version, "info": INFO, "servers": SERVERS, "paths": paths}
    components: dict[str, Any] = {}
    if schemas:
        components["schemas"] = schemas
    if "securitySchemes" in extra:
        components["securitySchemes"] = extra.pop("securitySchemes")
    if components:
        spec["components"] = components
    spec.update(extra)
    return spec


def _ok(schema: dict[str, Any], status: str = "200") -> dict[str, Any]:
    return {status: {"description": "OK", "content": {"application/json": {"schema": schema}}}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


# ------------------------------------------------------------------ 1. path parameter, encoded

PATH_SPEC = _spec(
    {
        "/files/{file_id}/versions/{version}": {
            "get": {
                "operationId": "getFileVersion",
                "tags": ["files"],
                "parameters": [
                    {"name": "file_id", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "version", "in": "path", "required": True, "schema": {"type": "integer"}},
                ],
                "responses": _ok(_ref("FileVersion")),
            }
        }
    },
    {
        "FileVersion": {
            "type": "object",
            "required": ["file_id", "version"],
            "properties": {"file_id": {"type": "string"}, "version": {"type": "integer"}, "size": {"type": "number"}},
        }
    },
)


@pytest.mark.parametrize(
    "value",
    ["plain-id", "a/b", "what?x=1", "with space", "../../admin", "../x y/?q=1#frag", "100%", "ünï/cødé"],
)
def test_path_parameter_is_percent_encoded(httpserver: HTTPServer, sdk: Callable[..., Any], value: str) -> None:
    fx = sdk("fx_paths_01", PATH_SPEC)
    httpserver.expect_request(f"/files/{value}/versions/3", method="GET").respond_with_json(
        {"file_id": value, "version": 3, "size": 1.5}
    )

    with _client(fx, httpserver) as client:
        result = client.files.get_file_version(file_id=value, version=3)

    httpserver.check_assertions()
    request = _only_request(httpserver)
    raw = _raw_path(request)
    segments = raw.split("/")
    # The value stays one path segment: nothing in it adds a segment, a query or a fragment.
    assert len(segments) == 5, raw
    assert [urllib.parse.unquote(s) for s in segments] == ["", "files", value, "versions", "3"]
    assert request.path == f"/files/{value}/versions/3"
    assert _query(request) == []
    assert type(result) is fx.models.FileVersion
    assert result.file_id == value
    assert result.version == 3 and type(result.version) is int
    assert result.size == 1.5 and type(result.size) is float


@pytest.mark.parametrize("value", ["..", "."])
def test_dot_segment_path_parameter_keeps_the_target_path(
    httpserver: HTTPServer, sdk: Callable[..., Any], value: str
) -> None:
    """A value that is exactly "." or ".." must reach /files/{value}/..., not be resolved away
    (RFC 3986 dot segments: it has to be sent as %2E / %2E%2E)."""
    fx = sdk("fx_paths_01", PATH_SPEC)
    httpserver.expect_request(f"/files/{value}/versions/7", method="GET").respond_with_json({"file_id": value, "version": 7})

    with _client(fx, httpserver) as client:
        try:
            client.files.get_file_version(file_id=value, version=7)
        except fx.APIStatusError:
            pass  # a wrong path gets pytest-httpserver's 500 "no handler"; the asserts below say why

    request = _only_request(httpserver)
    raw = _raw_path(request)
    assert [urllib.parse.unquote(s) for s in raw.split("/")] == ["", "files", value, "versions", "7"], (
        f"file_id={value!r} was sent as {raw!r}"
    )


def test_path_parameter_async(httpserver: HTTPServer, sdk: Callable[..., Any]) -> None:
    fx = sdk("fx_paths_01", PATH_SPEC)
    httpserver.expect_request("/files/x/y/versions/0", method="GET").respond_with_json({"file_id": "x/y", "version": 0})

    async def go() -> Any:
        async with fx.AsyncClient(token=TOKEN, base_url=httpserver.url_for("")) as client:
            return await client.files.get_file_version(file_id="x/y", version=0)

    result = asyncio.run(go())
    assert _raw_path(_only_request(httpserver)).split("/")[2] in ("x%2Fy", "x%2fy")
    assert type(result) is fx.models.FileVersion
    assert (result.file_id, result.version) == ("x/y", 0)


# ---------------------------------------------------------- 2. int / bool / array query parameters

QUERY_SPEC = _spec(
    {
        "/search": {
            "get": {
                "operationId": "search",
                "tags": ["search"],
                "parameters": [
                    {"name": "limit", "in": "query", "required": True, "schema": {"type": "integer"}},
                    {"name": "exact", "in": "query", "schema": {"type": "boolean"}},
                    {"name": "tag", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}},
                    {"name": "ids", "in": "query", "schema": {"type": "array", "items": {"type": "integer"}}},
                    {"name": "min-score", "in": "query", "schema": {"type": "number"}},
                ],
                "responses": _ok(_ref("SearchResult")),
            }
        }
    },
    {
        "SearchResult": {
            "type": "object",
            "required": ["total", "exact"],
            "properties": {
                "total": {"type": "integer"},
                "exact": {"type": "boolean"},
                "hits": {"type": "array", "items": {"type": "string"}},
            },
        }
    },
)


def test_query_parameters_int_bool_and_exploded_arrays(httpserver: HTTPServer, sdk: Callable[..., Any]) -> None:
    fx = sdk("fx_query_02", QUERY_SPEC)
    httpserver.expect_request("/search", method="GET").respond_with_json({"total": 2, "exact": False, "hits": ["a", "b"]})

    with _client(fx, httpserver) as client:
        result = client.search.search(limit=0, exact=False, tag=["a b", "c&d=e", "ü"], ids=[1, 22], min_score=0.5)

    httpserver.check_assertions()
    request = _only_request(httpserver)
    assert request.method == "GET"
    assert _query(request) == [
        ("limit", "0"),
        ("exact", "false"),
        ("tag", "a b"),
        ("tag", "c&d=e"),
        ("tag", "ü"),
        ("ids", "1"),
        ("ids", "22"),
        ("min-score", "0.5"),
    ]
    assert request.get_data() == b""
    assert type(result) is fx.models.SearchResult
    assert result.total == 2 and type(result.total) is int
    assert result.exact is False
    assert result.hits == ["a", "b"]


def test_query_parameters_optional_ones_left_out(httpserver: HTTPServer, sdk: Callable[..., Any]) -> None:
    fx = sdk("fx_query_02", QUERY_SPEC)
    httpserver.expect_request("/search", method="GET").respond_with_json({"total": 0, "exact": True})

    with _client(fx, httpserver) as client:
        result = client.search.search(limit=10, exact=True, tag=[])
        with pytest.raises(TypeError):
            client.search.search()  # limit is required

    assert _query(_only_request(httpserver)) == [("limit", "10"), ("exact", "true")]
    assert result.exact is True and result.hits is None


EXPLODE_SPEC = _spec(
    {
        "/filter": {
            "get": {
                "operationId": "filterThings",
                "parameters": [
                    {"name": "csv", "in": "query", "explode": False, "schema": {"type": "array", "items": {"type": "string"}}},
                    {"name": "multi", "in": "query", "explode": True, "schema": {"type": "array", "items": {"type": "string"}}},
                ],
                "responses": {"204": {"description": "done"}},
            }
        }
    }
)


def test_query_array_with_explode_false_is_comma_separated(httpserver: HTTPServer, sdk: Callable[..., Any]) -> None:
    """``style: form, explode: false`` serialises ``["a", "b"]`` as ``csv=a,b`` (OpenAPI 3 §4.8.12.4)."""
    fx = sdk("fx_explode_03", EXPLODE_SPEC)
    httpserver.expect_request("/filter", method="GET").respond_with_data("", status=204)

    with _client(fx, httpserver) as client:
        assert client.default.filter_things(csv=["a", "b", "c"], multi=["x", "y"]) is None

    assert _query(_only_request(httpserver)) == [("csv", "a,b,c"), ("multi", "x"), ("multi", "y")]


# --------------------------------------------------------- 3. a required object body → kwargs

BODY_SPEC = _spec(
    {
        "/users": {
            "post": {
                "operationId": "createUser",
                "tags": ["users"],
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("NewUser")}}},
                "responses": _ok(_ref("User"), "201"),
            }
        }
    },
    {
        "NewUser": {
            "type": "object",
            "required": ["name", "age"],
            "properties": {
                "name": {"type": "string"},
                "age": {"type": "integer"},
                "email": {"type": ["string", "null"]},
                "isAdmin": {"type": "boolean"},
                "tags": {"type": "array", "items": {"type": "string"}},
            },
        },
        "User": {
            "type": "object",
            "required": ["id", "name", "age", "createdAt"],
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "age": {"type": "integer"},
                "email": {"type": ["string", "null"]},
                "isAdmin": {"type": "boolean"},
                "createdAt": {"type": "string", "format": "date-time"},
            },
        },
    },
)


def test_required_object_body_becomes_keyword_arguments(httpserver: HTTPServer, sdk: Callable[..., Any]) -> None:
    fx = sdk("fx_body_04", BODY_SPEC)
    httpserver.expect_request("/users", method="POST").respond_with_json(
        {"id": 7, "name": "Ada", "age": 36, "email": None, "isAdmin": True, "createdAt": "2024-05-01T09:00:00Z"},
        status=201,
    )
    create = fx.operations.create_user.create_user
    params = inspect.signature(create).parameters
    assert {"name", "age", "email", "is_admin", "tags"} <= set(params)
    assert params["name"].default is inspect.Parameter.empty
    assert params["age"].default is inspect.Parameter.empty
    assert params["email"].default is fx.NOT_GIVEN

    with _client(fx, httpserver) as client:
        result = client.users.create_user(name="Ada", age=36, email=None, is_admin=True)
        with pytest.raises(TypeError):
            client.users.create_user(name="Ada")  # age is required

    httpserver.check_assertions()
    request = _only_request(httpserver)
    assert request.method == "POST"
    assert request.path == "/users"
    assert request.headers["Content-Type"] == "application/json"
    # Given arguments by their API names, in schema order; email=None is an explicit null; tags left out.
    assert_json_identical(json.loads(request.get_data()), {"name": "Ada", "age": 36, "email": None, "isAdmin": True})
    assert type(result) is fx.models.User
    assert result.id_ == 7 and type(result.id_) is int
    assert result.is_admin is True
    assert result.email is None
    assert result.created_at == datetime.datetime(2024, 5, 1, 9, 0, tzinfo=datetime.timezone.utc)
    assert isinstance(result.created_at, datetime.datetime)
    assert result.created_at.text == "2024-05-01T09:00:00Z"  # the text as sent, for to_dict()


# ------------------------------------------------------------- 4. an array body → one `body` arg

ARRAY_BODY_SPEC = _spec(
    {
        "/tags/bulk": {
            "put": {
                "operationId": "replaceTags",
                "tags": ["tags"],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"type": "array", "items": _ref("Tag")}}},
                },
                "responses": _ok({"type": "array", "items": {"type": "integer"}}),
            }
        }
    },
    {
        "Tag": {
            "type": "object",
            "required": ["name"],
            "properties": {"name": {"type": "string"}, "colour": {"type": "string"}},
        }
    },
)


def test_array_body_is_one_body_argument(httpserver: HTTPServer, sdk: Callable[..., Any]) -> None:
    fx = sdk("fx_array_body_05", ARRAY_BODY_SPEC)
    httpserver.expect_request("/tags/bulk", method="PUT").respond_with_json([1, 2])
    params = inspect.signature(fx.operations.replace_tags.replace_tags).parameters
    assert "body" in params and params["body"].default is inspect.Parameter.empty
    assert "name" not in params

    Tag = fx.models.TagModel  # "Tag" is what pydantic's discriminated unions import
    with _client(fx, httpserver) as client:
        result = client.tags.replace_tags(body=[Tag(name="red", colour="#f00"), Tag(name="plain"), {"name": "raw"}])

    request = _only_request(httpserver)
    assert request.method == "PUT"
    assert request.headers["Content-Type"] == "application/json"
    assert_json_identical(json.loads(request.get_data()), [{"name": "red", "colour": "#f00"}, {"name": "plain"}, {"name": "raw"}])
    assert result == [1, 2] and [type(x) for x in result] == [int, int]


# ---------------------------------------------------------------------- 5. a 204 returns None

NO_CONTENT_SPEC = _spec(
    {
        "/items/{item_id}": {
            "delete": {
                "operationId": "deleteItem",
                "tags": ["items"],
                "parameters": [{"name": "item_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {"204": {"description": "Deleted"}, "404": {"description": "Not found"}},
            }
        }
    }
)


def test_204_returns_none(httpserver: HTTPServer, sdk: Callable[..., Any]) -> None:
    fx = sdk("fx_no_content_06", NO_CONTENT_SPEC)
    httpserver.expect_request("/items/42", method="DELETE").respond_with_data("", status=204)
    httpserver.expect_request("/items/43", method="DELETE").respond_with_data("gone", status=404)

    with _client(fx, httpserver) as client:
        assert client.items.delete_item(item_id=42) is None
        with pytest.raises(fx.NotFoundError) as info:
            client.items.delete_item(item_id=43)

    assert [(r.method, r.path, r.get_data()) for r, _ in httpserver.log] == [
        ("DELETE", "/items/42", b""),
        ("DELETE", "/items/43", b""),
    ]
    assert info.value.status_code == 404 and info.value.body == "gone"


def test_204_returns_none_async(httpserver: HTTPServer, sdk: Callable[..., Any]) -> None:
    fx = sdk("fx_no_content_06", NO_CONTENT_SPEC)
    httpserver.expect_request("/items/1", method="DELETE").respond_with_data("", status=204)

    async def go() -> Any:
        async with fx.AsyncClient(token=TOKEN, base_url=httpserver.url_for("")) as client:
            return await client.items.delete_item(item_id=1)

    assert asyncio.run(go()) is None
    assert _only_request(httpserver).method == "DELETE"


# ---------------------------------------------------------- 6. several tags → several namespaces

TAGS_SPEC = _spec(
    {
        "/pets": {
            "get": {"operationId": "listPets", "tags": ["Pets"], "responses": _ok({"type": "array", "items": {"type": "string"}})}
        },
        "/invoices": {
            "get": {
                "operationId": "listInvoices",
                "tags": ["Billing Accounts", "Pets"],
                "responses": _ok({"type": "array", "items": {"type": "integer"}}),
            }
        },
        "/me": {"get": {"operationId": "whoAmI", "tags": ["users"], "responses": _ok({"type": "integer"})}},
    },
    tags=[{"name": "users", "description": "People."}, {"name": "Pets"}, {"name": "Billing Accounts"}],
)


def test_tags_become_namespaces(httpserver: HTTPServer, sdk: Callable[..., Any]) -> None:
    fx = sdk("fx_tags_07", TAGS_SPEC, client="PetStore")
    httpserver.expect_request("/pets", method="GET").respond_with_json(["rex"])
    httpserver.expect_request("/invoices", method="GET").respond_with_json([10, 20])
    httpserver.expect_request("/me", method="GET").respond_with_json(7)

    with _client(fx, httpserver, name="PetStore") as client:
        pets = client.pets.list_pets()
        invoices = client.billing_accounts.list_invoices()
        me = client.users.who_am_i()
        # An operation with several tags is in the namespace of each of them.
        assert client.pets.list_invoices() == invoices
        assert not hasattr(client.users, "list_pets")
        assert not hasattr(client, "default")

    assert [(r.method, r.path) for r, _ in httpserver.log] == [
        ("GET", "/pets"),
        ("GET", "/invoices"),
        ("GET", "/me"),
        ("GET", "/invoices"),
    ]
    assert pets == ["rex"] and invoices == [10, 20] and me == 7
    assert type(pets[0]) is str and type(invoices[0]) is int and type(me) is int


def test_tags_become_namespaces_async(httpserver: HTTPServer, sdk: Callable[..., Any]) -> None:
    fx = sdk("fx_tags_07", TAGS_SPEC, client="PetStore")
    httpserver.expect_request("/invoices", method="GET").respond_with_json([3])
    httpserver.expect_request("/me", method="GET").respond_with_json(8)

    async def go() -> tuple[Any, Any]:
        async with fx.AsyncPetStore(token=TOKEN, base_url=httpserver.url_for("")) as client:
            return await client.billing_accounts.list_invoices(), await client.users.who_am_i()

    assert asyncio.run(go()) == ([3], 8)


# ------------------------------------------------- 7. no operationId → named from method + path

NO_ID_SPEC = _spec(
    {
        "/widgets": {
            "get": {"responses": _ok({"type": "array", "items": _ref("Widget")})},
            "post": {
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("Widget")}}},
                "responses": _ok(_ref("Widget"), "201"),
            },
        },
        "/widgets/{widget-id}": {
            # A path-item level parameter, shared by the operations below it.
            "parameters": [{"name": "widget-id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {"responses": _ok(_ref("Widget"))},
        },
    },
    {"Widget": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}, "size": {"type": "integer"}}}},
)


def test_operations_without_operation_id(httpserver: HTTPServer, sdk: Callable[..., Any]) -> None:
    fx = sdk("fx_no_opid_08", NO_ID_SPEC)
    httpserver.expect_request("/widgets", method="GET").respond_with_json([{"id": "w1", "size": 3}])
    httpserver.expect_request("/widgets", method="POST").respond_with_json({"id": "w2"}, status=201)
    httpserver.expect_request("/widgets/w1", method="GET").respond_with_json({"id": "w1", "size": 3})

    with _client(fx, httpserver) as client:
        listed = client.default.get_widgets()
        created = client.default.post_widgets(id_="w2")
        one = client.default.get_widgets_by_widget_id(widget_id="w1")

    httpserver.check_assertions()
    assert [(r.method, r.path) for r, _ in httpserver.log] == [("GET", "/widgets"), ("POST", "/widgets"), ("GET", "/widgets/w1")]
    assert json.loads(httpserver.log[1][0].get_data()) == {"id": "w2"}
    Widget = fx.models.Widget
    assert [type(w) for w in listed] == [Widget] and listed[0].size == 3
    assert type(created) is Widget and created.id_ == "w2" and created.size is None
    assert type(one) is Widget and one.id_ == "w1"


# ------------------------------------ 8. 3.0 `nullable: true` ≡ 3.1 `type: [T, "null"]`


def _nullable_spec(version: str) -> dict[str, Any]:
    v30 = version.startswith("3.0")

    def nullable(schema: dict[str, Any]) -> dict[str, Any]:
        if v30:
            return {**schema, "nullable": True}
        return {**schema, "type": [schema["type"], "null"]}

    def nullable_ref(name: str) -> dict[str, Any]:
        return {"allOf": [_ref(name)], "nullable": True} if v30 else {"anyOf": [_ref(name), {"type": "null"}]}

    status = {"type": "string", "enum": ["open", "closed", None]}
    return _spec(
        {
            "/records/{record_id}": {
                "get": {
                    "operationId": "getRecord",
                    "tags": ["records"],
                    "parameters": [
                        {"name": "record_id", "in": "path", "required": True, "schema": {"type": "integer"}},
                        {"name": "since", "in": "query", "schema": nullable({"type": "string", "format": "date-time"})},
                    ],
                    "responses": _ok(_ref("Record")),
                }
            }
        },
        {
            "Owner": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
            "Record": {
                "type": "object",
                "description": "A record whose fields may be null.",
                "required": ["id", "title", "score"],
                "properties": {
                    "id": {"type": "integer"},
                    "title": nullable({"type": "string", "description": "Title, or null."}),
                    "score": nullable({"type": "number"}),
                    "count": nullable({"type": "integer"}),
                    "flags": nullable({"type": "array", "items": nullable({"type": "boolean"})}),
                    "meta": nullable({"type": "object", "additionalProperties": {"type": "string"}}),
                    "owner": nullable_ref("Owner"),
                    "status": nullable(status),
                },
            },
        },
        version=version,
    )


def test_nullable_30_and_31_generate_identical_models(
    httpserver: HTTPServer, sdk: Callable[..., Any], generated_root: Path
) -> None:
    _, files30 = _generate(generated_root, "fx_nullable30_09", _nullable_spec("3.0.3"))
    _, files31 = _generate(generated_root, "fx_nullable31_09", _nullable_spec("3.1.0"))

    def models(files: dict[str, str], package: str) -> dict[str, str]:
        prefix = f"{package}/models/"
        return {p[len(prefix):]: t for p, t in files.items() if p.startswith(prefix)}

    models30 = models(files30, "fx_nullable30_09")
    models31 = models(files31, "fx_nullable31_09")
    assert sorted(models30) == ["__init__.py", "owner.py", "record.py"]
    assert models30 == models31
    record = models31["record.py"]
    assert "title: str | None" in record
    assert "owner: Owner | None = None" in record

    op30 = files30["fx_nullable30_09/operations/get_record.py"]
    op31 = files31["fx_nullable31_09/operations/get_record.py"]
    assert op30 == op31

    payload = {
        "id": 1,
        "title": None,
        "score": None,
        "count": None,
        "flags": [True, None],
        "meta": None,
        "owner": None,
        "status": None,
    }
    for package in ("fx_nullable30_09", "fx_nullable31_09"):
        httpserver.clear()
        httpserver.expect_request("/records/1", method="GET").respond_with_json(payload)
        fx = sdk(package, {})
        with _client(fx, httpserver) as client:
            result = client.records.get_record(record_id=1, since=None)
        request = _only_request(httpserver)
        assert request.path == "/records/1" and _query(request) == []
        assert type(result) is fx.models.Record
        assert result.title is None and result.score is None and result.owner is None and result.status is None
        assert result.flags == [True, None]
        assert_json_identical(result.to_dict(), payload)


def test_nullable_fields_accept_values_too(httpserver: HTTPServer, sdk: Callable[..., Any]) -> None:
    fx = sdk("fx_nullable30_09", _nullable_spec("3.0.3"))
    payload = {
        "id": 2,
        "title": "t",
        "score": 2.5,
        "count": 4,
        "flags": [False],
        "meta": {"k": "v"},
        "owner": {"name": "Ada"},
        "status": "open",
    }
    httpserver.expect_request("/records/2", method="GET").respond_with_json(payload)

    with _client(fx, httpserver) as client:
        result = client.records.get_record(
            record_id=2, since=datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
        )

    assert _query(_only_request(httpserver)) == [("since", "2024-01-02T03:04:05Z")]
    assert type(result.owner) is fx.models.Owner and result.owner.name == "Ada"
    assert result.score == 2.5 and type(result.count) is int
    assert result.status == "open"
    assert result.meta == {"k": "v"}


# --------------------------------------------------------------------- 9. header parameters

HEADER_SPEC = _spec(
    {
        "/jobs": {
            "post": {
                "operationId": "startJob",
                "tags": ["jobs"],
                "parameters": [
                    {"name": "X-Request-Id", "in": "header", "required": True, "schema": {"type": "string"}},
                    {"name": "X-Retry-Count", "in": "header", "schema": {"type": "integer"}},
                    {"name": "X-Dry-Run", "in": "header", "schema": {"type": "boolean"}},
                    {"name": "X-Not-Sent", "in": "header", "schema": {"type": "string"}},
                ],
                "responses": _ok(_ref("Job"), "202"),
            }
        }
    },
    {"Job": {"type": "object", "required": ["id", "queued"], "properties": {"id": {"type": "string"}, "queued": {"type": "boolean"}}}},
)


def test_header_parameters(httpserver: HTTPServer, sdk: Callable[..., Any]) -> None:
    fx = sdk("fx_headers_10", HEADER_SPEC)
    httpserver.expect_request(
        "/jobs", method="POST", headers={"X-Request-Id": "req-123", "X-Retry-Count": "3", "X-Dry-Run": "false"}
    ).respond_with_json({"id": "job-1", "queued": True}, status=202)

    with _client(fx, httpserver) as client:
        result = client.jobs.start_job(x_request_id="req-123", x_retry_count=3, x_dry_run=False)
        with pytest.raises(ValueError):
            client.jobs.start_job(x_request_id="bad\r\nX-Injected: 1")

    httpserver.check_assertions()
    request = _only_request(httpserver)
    assert request.headers["X-Request-Id"] == "req-123"
    assert request.headers["X-Retry-Count"] == "3"
    assert request.headers["X-Dry-Run"] == "false"
    assert "X-Not-Sent" not in request.headers
    assert "X-Injected" not in request.headers
    assert request.get_data() == b""
    assert type(result) is fx.models.Job
    assert result.id_ == "job-1" and result.queued is True


# ---------------------------------------------------------------- 10. API key in a header

APIKEY_SPEC = _spec(
    {
        "/secrets": {"get": {"operationId": "listSecrets", "tags": ["vault"], "responses": _ok({"type": "array", "items": {"type": "string"}})}},
        "/health": {"get": {"operationId": "health", "tags": ["vault"], "security": [], "responses": _ok({"type": "boolean"})}},
    },
    securitySchemes={"ApiKeyAuth": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
    security=[{"ApiKeyAuth": []}],
)


def test_api_key_security_scheme_sends_the_token_in_its_header(httpserver: HTTPServer, sdk: Callable[..., Any]) -> None:
    fx = sdk("fx_apikey_11", APIKEY_SPEC)
    httpserver.expect_request("/secrets", method="GET", headers={"X-API-Key": TOKEN}).respond_with_json(["s1"])
    httpserver.expect_request("/health", method="GET").respond_with_json(True)

    with _client(fx, httpserver) as client:
        assert TOKEN not in repr(client)
        secrets = client.vault.list_secrets()
        healthy = client.vault.health()

    httpserver.check_assertions()
    (secret_req, _), (health_req, _) = httpserver.log
    assert secret_req.headers["X-API-Key"] == TOKEN
    assert "Authorization" not in secret_req.headers
    assert _query(secret_req) == []
    # `security: []` on the operation: no credential is sent.
    assert "X-API-Key" not in health_req.headers
    assert "Authorization" not in health_req.headers
    assert secrets == ["s1"] and healthy is True


def test_api_key_left_out_without_a_token(httpserver: HTTPServer, sdk: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    fx = sdk("fx_apikey_11", APIKEY_SPEC)
    monkeypatch.delenv("FX_APIKEY_11_API_TOKEN", raising=False)
    httpserver.expect_request("/secrets", method="GET").respond_with_json({"detail": "no key"}, status=401)

    with _client(fx, httpserver, token=None) as client:
        with pytest.raises(fx.AuthenticationError) as info:
            client.vault.list_secrets()

    assert "X-API-Key" not in _only_request(httpserver).headers
    assert info.value.status_code == 401 and info.value.body == {"detail": "no key"}


# ------------------------------------------------------ 11. a map of models and a list of models

COLLECTIONS_SPEC = _spec(
    {
        "/inventory": {
            "get": {
                "operationId": "getInventory",
                "tags": ["store"],
                "responses": _ok({"type": "object", "additionalProperties": _ref("Item")}),
            }
        },
        "/items": {"get": {"operationId": "listItems", "tags": ["store"], "responses": _ok({"type": "array", "items": _ref("Item")})}},
    },
    {
        "Item": {
            "type": "object",
            "required": ["sku", "qty"],
            "properties": {"sku": {"type": "string"}, "qty": {"type": "integer"}, "price": {"type": "number"}},
        }
    },
)


def test_map_and_list_of_models(httpserver: HTTPServer, sdk: Callable[..., Any]) -> None:
    fx = sdk("fx_collections_12", COLLECTIONS_SPEC)
    inventory = {"b-2": {"sku": "b-2", "qty": 0, "price": 3}, "a-1": {"sku": "a-1", "qty": 5, "price": 9.99}}
    items = [{"sku": "a-1", "qty": 5}, {"sku": "c-3", "qty": 1, "price": 0.5, "extra": "kept"}]
    httpserver.expect_request("/inventory", method="GET").respond_with_json(inventory)
    httpserver.expect_request("/items", method="GET").respond_with_json(items)

    with _client(fx, httpserver) as client:
        got_map = client.store.get_inventory()
        got_list = client.store.list_items()

    httpserver.check_assertions()
    Item = fx.models.Item
    assert type(got_map) is dict
    assert list(got_map) == ["b-2", "a-1"]
    assert all(type(v) is Item for v in got_map.values())
    assert got_map["b-2"].qty == 0 and got_map["b-2"].price == 3 and type(got_map["b-2"].price) is int
    assert got_map["a-1"].price == 9.99 and type(got_map["a-1"].price) is float
    assert type(got_list) is list and [type(v) for v in got_list] == [Item, Item]
    assert got_list[0].price is None
    assert got_list[1].model_extra == {"extra": "kept"}
    assert [i.to_dict() for i in got_list] == items


def test_list_of_models_rejects_a_bad_item(httpserver: HTTPServer, sdk: Callable[..., Any]) -> None:
    fx = sdk("fx_collections_12", COLLECTIONS_SPEC)
    httpserver.expect_request("/items", method="GET").respond_with_json([{"sku": "a-1", "qty": "five"}])

    with _client(fx, httpserver) as client:
        with pytest.raises(fx.APIResponseValidationError) as info:
            client.store.list_items()

    assert info.value.status_code == 200
    assert info.value.body == [{"sku": "a-1", "qty": "five"}]


# ------------------------------------------------------- 12. enum query parameter → Literal

ENUM_SPEC = _spec(
    {
        "/reports": {
            "get": {
                "operationId": "listReports",
                "tags": ["reports"],
                "parameters": [
                    {"name": "order", "in": "query", "required": True, "schema": {"type": "string", "enum": ["asc", "desc"]}},
                    {"name": "level", "in": "query", "schema": {"type": "integer", "enum": [1, 2, 3]}},
                    {"name": "format", "in": "query", "schema": _ref("Format")},
                ],
                "responses": _ok({"type": "array", "items": _ref("Report")}),
            }
        }
    },
    {
        "Format": {"type": "string", "enum": ["csv", "json"]},
        "Report": {
            "type": "object",
            "required": ["name", "format"],
            "properties": {"name": {"type": "string"}, "format": _ref("Format")},
        },
    },
)


def test_enum_query_parameter_is_a_literal(httpserver: HTTPServer, sdk: Callable[..., Any]) -> None:
    fx = sdk("fx_enum_13", ENUM_SPEC)
    module = fx.operations.list_reports
    func = module.list_reports

    order = _annotation(module, func, "order")
    assert typing.get_origin(order) is typing.Literal
    assert typing.get_args(order) == ("asc", "desc")
    level = _annotation(module, func, "level")
    literal_level = [a for a in typing.get_args(level) if typing.get_origin(a) is typing.Literal]
    assert [typing.get_args(a) for a in literal_level] == [(1, 2, 3)]
    assert fx.NotGiven in typing.get_args(level)

    httpserver.expect_request("/reports", method="GET").respond_with_json([{"name": "r", "format": "csv"}])
    with _client(fx, httpserver) as client:
        result = client.reports.list_reports(order="desc", level=2, format_="json")

    assert _query(_only_request(httpserver)) == [("order", "desc"), ("level", "2"), ("format", "json")]
    assert [type(r) for r in result] == [fx.models.Report]
    assert result[0].format_ == "csv"


def test_enum_response_value_outside_the_literal_is_kept(httpserver: HTTPServer, sdk: Callable[..., Any]) -> None:
    """Enums are open on responses: a value the spec does not list parses and is kept as sent."""
    fx = sdk("fx_enum_13", ENUM_SPEC)
    httpserver.expect_request("/reports", method="GET").respond_with_json([{"name": "r", "format": "xml"}])

    with _client(fx, httpserver) as client:
        [report] = client.reports.list_reports(order="asc")
    assert report.format_ == "xml"  # "format" is a builtin: the attribute is format_
    assert report.to_dict() == {"name": "r", "format": "xml"}


# ------------------------------------------- 13. a JSON string response vs a text/plain response

STRING_SPEC = _spec(
    {
        "/greeting": {"get": {"operationId": "getGreeting", "tags": ["misc"], "responses": _ok({"type": "string"})}},
        "/motd": {
            "get": {
                "operationId": "getMotd",
                "tags": ["misc"],
                "responses": {"200": {"description": "OK", "content": {"text/plain": {"schema": {"type": "string"}}}}},
            }
        },
    }
)


def test_text_plain_response_is_the_text(httpserver: HTTPServer, sdk: Callable[..., Any]) -> None:
    fx = sdk("fx_strings_14", STRING_SPEC)
    httpserver.expect_request("/motd", method="GET").respond_with_data('say "hi"', content_type="text/plain")

    with _client(fx, httpserver) as client:
        assert client.misc.get_motd() == 'say "hi"'


def test_json_string_response_is_decoded(httpserver: HTTPServer, sdk: Callable[..., Any]) -> None:
    """``application/json`` with ``{"type": "string"}``: the body is JSON text (quoted, escaped);
    the call must return the string it encodes, not the JSON text itself."""
    fx = sdk("fx_strings_14", STRING_SPEC)
    httpserver.expect_request("/greeting", method="GET").respond_with_json('héllo "w"')

    with _client(fx, httpserver) as client:
        result = client.misc.get_greeting()

    assert _only_request(httpserver).path == "/greeting"
    assert result == 'héllo "w"', f"got {result!r}"


def test_schemas_named_like_what_generated_modules_import(httpserver: HTTPServer, sdk: Callable[..., Any]) -> None:
    """``Tag``, ``Union``, ``Discriminator`` and ``Annotated`` are names a discriminated union's
    module imports from pydantic and typing: schemas so named get another class name."""
    names = ["Tag", "Union", "Discriminator", "Annotated"]
    schemas: dict[str, Any] = {
        n: {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}, "n": {"type": "integer"}}} for n in names
    }
    mapping = {n.lower(): f"#/components/schemas/{n}" for n in names}
    schemas["Any_"] = {"oneOf": [{"$ref": ref} for ref in mapping.values()], "discriminator": {"propertyName": "kind", "mapping": mapping}}
    ok = {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Any_"}}}}}}
    fx = sdk("fx_reserved_names", _spec({"/things": {"get": {"operationId": "listThings", "tags": ["things"], "responses": ok}}}, schemas))
    httpserver.expect_request("/things").respond_with_json([{"kind": n.lower(), "n": i} for i, n in enumerate(names)])
    with _client(fx, httpserver) as client:
        things = client.things.list_things()
    assert [type(t).__name__ for t in things] == ["TagModel", "UnionModel", "DiscriminatorModel", "AnnotatedModel"]
    assert [t.n for t in things] == [0, 1, 2, 3]


def test_a_schema_named_like_the_models_package_lookup(httpserver: HTTPServer, sdk: Callable[..., Any]) -> None:
    """A schema ``ModelNamed`` lives in ``models/model_named.py``: importing it set the package
    attribute ``model_named``, the function every later lookup of a model called."""
    schemas = {"ModelNamed": {"type": "object", "properties": {"a": {"type": "string"}}}, "Pet": {"type": "object", "properties": {"b": {"type": "string"}}}}
    fx = sdk("fx_model_named", _spec({"/x": {"get": {"operationId": "getX", "tags": ["x"], "responses": _ok(_ref("ModelNamed"))}}}, schemas))
    httpserver.expect_request("/x").respond_with_json({"a": "1"})
    with _client(fx, httpserver) as client:
        assert client.x.get_x().a == "1"  # imports models/model_named.py
    assert fx.models.Pet(b="2").b == "2"


def test_a_json_body_is_sent_with_the_media_type_the_spec_documents(httpserver: HTTPServer, sdk: Callable[..., Any]) -> None:
    """``application/merge-patch+json`` is JSON, sent under its own name (servers answer 415 to
    a merge patch sent as ``application/json``)."""
    body = {"application/merge-patch+json": {"schema": {"type": "object", "properties": {"name": {"type": ["string", "null"]}}}}}
    fx = sdk("fx_merge_patch", _spec({"/things/{id}": {"patch": {
        "operationId": "patchThing", "tags": ["things"],
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "requestBody": {"required": True, "content": body}, "responses": {"204": {"description": "ok"}},
    }}}))
    httpserver.expect_request("/things/t1", method="PATCH").respond_with_data(status=204)
    with _client(fx, httpserver) as client:
        assert client.things.patch_thing(id_="t1", name=None) is None
    request = _only_request(httpserver)
    assert request.headers["Content-Type"] == "application/merge-patch+json"
    assert json.loads(request.data) == {"name": None}


def test_a_naive_datetime_inside_a_model_argument_is_refused(httpserver: HTTPServer, sdk: Callable[..., Any]) -> None:
    """As at the top level: no date-time goes out without an offset, however deep in a model;
    one parsed from a response goes back as the server wrote it."""
    when = {"type": "string", "format": "date-time"}
    schemas = {"Range": {"type": "object", "properties": {"start": when, "ends": {"type": "array", "items": when}}}}
    body = {"type": "object", "properties": {"range": _ref("Range"), "ranges": {"type": "array", "items": _ref("Range")}}}
    fx = sdk("fx_naive_nested", _spec({"/windows": {"post": {
        "operationId": "createWindow", "tags": ["windows"],
        "requestBody": {"content": {"application/json": {"schema": body}}}, "responses": _ok(_ref("Range")),
    }}}, schemas))
    naive = datetime.datetime(2024, 1, 1, 12, 0)
    aware = naive.replace(tzinfo=datetime.timezone.utc)
    Range = fx.models.Range
    with _client(fx, httpserver) as client:
        for bad in ({"range_": Range(start=naive)}, {"ranges": [Range(ends=[aware, naive])]}, {"range_": Range(start=aware, later=naive)}):
            with pytest.raises(ValueError, match="no timezone"):
                client.windows.create_window(**bad)
        assert len(httpserver.log) == 0
        httpserver.expect_request("/windows", method="POST").respond_with_data('{"start":"2024-01-01T12:00:00"}', content_type="application/json")
        echoed = client.windows.create_window(range_=Range(start=aware))
        client.windows.create_window(range_=echoed)  # the server's own naive text: sent back as is
    sent = [json.loads(request.data) for request, _ in httpserver.log]
    assert sent == [{"range": {"start": "2024-01-01T12:00:00Z"}}, {"range": {"start": "2024-01-01T12:00:00"}}]


def test_a_str_where_only_a_list_goes_is_refused(httpserver: HTTPServer, sdk: Callable[..., Any]) -> None:
    """``tags: Sequence[str]`` lets a str through the type checker (a str is a sequence of str):
    ``tags="prod"`` would send ``"prod"`` where the server wants ``["prod"]`` (in a query,
    ``t=p&t=r&t=o&t=d`` with a style that splits it). The call refuses it; nothing is sent."""
    strings = {"type": "array", "items": {"type": "string"}}
    body = {"type": "object", "properties": {"labels": strings, "note": {"anyOf": [strings, {"type": "string"}]}}}
    fx = sdk("fx_lists_only", _spec({
        "/things": {"post": {
            "operationId": "tagThings", "tags": ["things"],
            "parameters": [{"name": "tag", "in": "query", "schema": strings}, {"name": "X-Ids", "in": "header", "schema": {"type": ["array", "null"], "items": {"type": "integer"}}}],
            "requestBody": {"content": {"application/json": {"schema": body}}}, "responses": {"204": {"description": "ok"}},
        }},
        "/bulk": {"post": {
            "operationId": "bulk", "tags": ["things"],
            "requestBody": {"required": True, "content": {"application/json": {"schema": strings}}}, "responses": {"204": {"description": "ok"}},
        }},
    }))
    httpserver.expect_request("/things", method="POST").respond_with_data(status=204)
    httpserver.expect_request("/bulk", method="POST").respond_with_data(status=204)
    with _client(fx, httpserver) as client:
        for bad in ({"tag": "prod"}, {"labels": "a"}, {"x_ids": b"12"}, {"x_ids": bytearray(b"12")}, {"labels": (c for c in "ab")}, {"labels": {"a"}}):
            with pytest.raises(TypeError, match="takes a list"):
                client.things.tag_things(**bad)
        with pytest.raises(TypeError, match="body= takes a list"):
            client.things.bulk(body="ab")
        assert len(httpserver.log) == 0
        client.things.tag_things(tag=["prod"], labels=("a",), note="free text", x_ids=None)  # a str member: a str is fine
        client.things.bulk(body=["a", "b"])
    first, second = (request for request, _ in httpserver.log)
    assert first.args.getlist("tag") == ["prod"] and json.loads(first.data) == {"labels": ["a"], "note": "free text"}
    assert json.loads(second.data) == ["a", "b"]


def test_an_idempotency_key_header_is_made_per_call_and_kept_on_retries(
    httpserver: HTTPServer, sdk: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An operation documenting ``Idempotency-Key``: a call that passes none gets a random one,
    the same on every retry (a POST retried after a 503 is then done once), another per call."""
    fx = sdk("fx_idempotency", _spec({"/pipelines": {"post": {
        "operationId": "createPipeline", "tags": ["pipelines"],
        "parameters": [{"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"}}],
        "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"name": {"type": "string"}}}}}},
        "responses": {"201": {"description": "made"}},
    }}}))
    monkeypatch.setattr(fx._base_client.SyncAPIClient, "_sleep", staticmethod(lambda seconds: None))
    answers = iter([503, 201, 201, 201])
    httpserver.expect_request("/pipelines", method="POST").respond_with_handler(
        lambda request: __import__("werkzeug").Response(status=next(answers))
    )
    with _client(fx, httpserver) as client:
        client.pipelines.create_pipeline(name="a")  # 503, then 201
        client.pipelines.create_pipeline(name="b")
        client.pipelines.create_pipeline(name="c", idempotency_key="mine")
    keys = [request.headers.get("Idempotency-Key") for request, _ in httpserver.log]
    assert keys[0] == keys[1] and keys[1] != keys[2] and keys[3] == "mine"
    assert all(len(k) == 36 for k in keys[:3]), keys
    # A key on the user's own httpx client is theirs to send.
    answers = iter([201])
    own = fx.Client(token=TOKEN, base_url=httpserver.url_for(""), http_client=__import__("httpx").Client(headers={"idempotency-key": "hc"}))
    with own as client:
        client.pipelines.create_pipeline(name="d")
    assert httpserver.log[-1][0].headers.get("Idempotency-Key") == "hc"


def test_an_idempotency_key_header_that_is_no_string_is_left_alone(sdk: Callable[..., Any]) -> None:
    fx = sdk("fx_idempotency_int", _spec({"/x": {"post": {
        "operationId": "x", "tags": ["t"], "parameters": [{"name": "Idempotency-Key", "in": "header", "schema": {"type": "integer"}}],
        "responses": {"204": {"description": "ok"}},
    }}}))
    assert fx.operations.x._options().idempotency_header == ""


def test_a_json_body_offered_in_several_json_types_goes_as_application_json(httpserver: HTTPServer, sdk: Callable[..., Any]) -> None:
    """ASP.NET lists ``application/json-patch+json`` first, then ``application/json``, ``text/json``
    and ``application/*+json``: an object body goes as ``application/json``; a range alone (no
    media type of its own) as ``application/json`` too, never as ``application/*+json``."""
    schema = {"schema": {"type": "object", "properties": {"name": {"type": "string"}}}}
    listed = {m: schema for m in ("application/json-patch+json", "application/json", "text/json", "application/*+json")}
    fx = sdk("fx_json_ranges", _spec({
        "/a": {"post": {"operationId": "a", "tags": ["t"], "requestBody": {"content": listed}, "responses": {"204": {"description": "ok"}}}},
        "/b": {"post": {"operationId": "b", "tags": ["t"], "requestBody": {"content": {"application/*+json": schema}}, "responses": {"204": {"description": "ok"}}}},
    }))
    for path in ("/a", "/b"):
        httpserver.expect_request(path, method="POST").respond_with_data(status=204)
    with _client(fx, httpserver) as client:
        client.t.a(name="x")
        client.t.b(name="y")
    assert [r.headers["Content-Type"] for r, _ in httpserver.log] == ["application/json", "application/json"]
