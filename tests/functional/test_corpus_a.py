"""The golden records of corpus specs 01–15, called against a real HTTP server on 127.0.0.1.

Each spec in ``tests/specs/NN_*.{json,yaml}`` has its generated package committed under
``tests/golden/NN_*/cNN_*`` (``tests/test_corpus.py`` keeps it in step with the generator). These
tests import that package as it is, call it against pytest-httpserver and assert what the server
received (method, raw path, raw query, headers, body bytes) and what the call returned (values and
Python types).
"""

from __future__ import annotations

import asyncio
import datetime
import functools
import inspect
import io
import json
import re
import string
import sys
import typing
import urllib.parse
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, assert_json_identical
from pytest_httpserver import HTTPServer
from werkzeug import Request

GOLDEN = ROOT / "tests" / "golden"
TOKEN = "tok-3f9a-SECRET"


# ----------------------------------------------------------------------------- fixtures, helpers


@pytest.fixture()
def load(fresh_import: Callable[[Path, str], Any]) -> Callable[[str], Any]:
    """``load("01_params_path")`` → the golden package ``c01_params_path``, freshly imported."""

    def _load(stem: str) -> Any:
        folder = GOLDEN / stem
        package = "c" + stem
        assert (folder / package / "__init__.py").is_file(), f"no golden record for {stem}: run UPDATE_GOLDEN=1"
        return fresh_import(folder, package)

    return _load


def _client(module: Any, server: HTTPServer, token: str | None = TOKEN, prefix: str = "") -> Any:
    return module.Client(token=token, base_url=server.url_for(prefix))


def _async_client(module: Any, server: HTTPServer, token: str | None = TOKEN) -> Any:
    return module.AsyncClient(token=token, base_url=server.url_for(""))


def _requests(server: HTTPServer) -> list[Request]:
    return [r for r, _ in server.log]


def _only_request(server: HTTPServer) -> Request:
    assert len(server.log) == 1, [str(r.url) for r, _ in server.log]
    return server.log[0][0]


def _raw_path(request: Request) -> str:
    """The path exactly as it came over the wire (before any percent-decoding)."""
    raw = request.environ.get("RAW_URI") or request.environ["REQUEST_URI"]
    return raw.split("?", 1)[0]


def _raw_query(request: Request) -> str:
    return request.query_string.decode("ascii")


def _query(request: Request) -> list[tuple[str, str]]:
    return list(request.args.items(multi=True))


def _annotation(module: Any, func: Callable[..., Any], name: str) -> Any:
    """A parameter's annotation (or the return annotation for ``"return"``), evaluated in the
    defining module plus the package's models (argument types are imported for type checking only)."""
    signature = inspect.signature(func)
    annotation = signature.return_annotation if name == "return" else signature.parameters[name].annotation
    models = sys.modules[module.__name__.split(".")[0] + ".models"]
    namespace = {**{name: getattr(models, name) for name in models.__all__}, **vars(module)}
    return eval(annotation, namespace) if isinstance(annotation, str) else annotation  # noqa: S307


def _is_required(func: Callable[..., Any], name: str) -> bool:
    return inspect.signature(func).parameters[name].default is inspect.Parameter.empty


# RFC 3986 pchar: unreserved / pct-encoded / sub-delims / ":" / "@"
_PCHAR = set(string.ascii_letters + string.digits + "-._~" + "!$&'()*+,;=" + ":@")


def _assert_one_segment(segment: str, value: str) -> None:
    """``segment`` is a valid, single path segment that decodes to ``value``."""
    assert re.fullmatch(r"(?:%[0-9A-Fa-f]{2}|[^%])*", segment), segment
    assert all(c in _PCHAR or c == "%" for c in segment), f"{value!r} sent as {segment!r}"
    assert segment not in (".", ".."), f"{value!r} sent as the dot segment {segment!r}"
    assert urllib.parse.unquote(segment, errors="strict") == value


# =============================================================== 01: path parameters


@pytest.mark.parametrize(
    "value",
    ["plain", "a/b", "what?x=1", "frag#ment", "with space", "100%", "%2F", "..", ".", "a..b", "../../admin", "ünï/cødé", "日本"],
)
def test_01_string_path_parameter_is_one_encoded_segment(httpserver: HTTPServer, load: Callable[[str], Any], value: str) -> None:
    c01 = load("01_params_path")
    httpserver.expect_request(re.compile(r"^/files/"), method="GET").respond_with_json({"id": value, "version": 3, "size": 2.5})

    with _client(c01, httpserver) as client:
        result = client.files.get_file(file_id=value, version=3)

    request = _only_request(httpserver)
    raw = _raw_path(request)
    assert raw.startswith("/files/"), raw
    _assert_one_segment(raw[len("/files/"):], value)
    assert _raw_query(request) == "version=3"
    assert type(result) is c01.models.File
    assert result.id_ == value and result.version == 3 and type(result.version) is int
    assert result.size == 2.5 and type(result.size) is float


def test_01_int_and_array_path_parameters_simple_style(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c01 = load("01_params_path")
    httpserver.expect_request(re.compile(r"^/shelves/"), method="GET").respond_with_json([1, 22])
    httpserver.expect_request(re.compile(r"^/labels/"), method="GET").respond_with_json(["ok"])

    with _client(c01, httpserver) as client:
        pages = client.books.get_pages(shelf_id="top shelf", book_ids=[1, 22, 333], page=0)
        labels = client.books.get_labels(labels=["x y", "a/b", "c,d", "ü"])

    pages_req, labels_req = _requests(httpserver)
    # simple style: array items joined by a literal ","; each item percent-encoded (its own "," too).
    assert _raw_path(pages_req) == "/shelves/top%20shelf/books/1,22,333/pages/0"
    assert _raw_path(labels_req) == "/labels/x%20y,a%2Fb,c%2Cd,%C3%BC"
    assert pages == [1, 22] and [type(p) for p in pages] == [int, int]
    assert labels == ["ok"]
    assert _annotation(c01.operations.get_pages, c01.operations.get_pages.get_pages, "page") is int


def test_01_ref_parameters_and_path_level_parameters_merged(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c01 = load("01_params_path")
    get_file = c01.operations.get_file.get_file
    delete_file = c01.operations.delete_file.delete_file
    # fileId comes from components/parameters (a $ref at the path level), limit from a $ref at the operation.
    assert list(inspect.signature(get_file).parameters)[1:5] == ["file_id", "version", "limit", "x_trace"]
    assert _is_required(get_file, "file_id") and _is_required(delete_file, "file_id")
    # The operation's own `version` (query, integer, required) replaces the path-level one ...
    assert _annotation(c01.operations.get_file, get_file, "version") is int
    assert _is_required(get_file, "version")
    # ... while the operation without its own keeps the path-level one (string, optional).
    assert _annotation(c01.operations.delete_file, delete_file, "version") == str | c01.NotGiven
    assert not _is_required(delete_file, "version")
    assert "Operation-level: overrides the path-level one." in get_file.__doc__
    assert "Path-level: a free-form version label." in delete_file.__doc__
    assert "The file's id." in get_file.__doc__

    httpserver.expect_request("/files/f1", method="GET").respond_with_json({"id": "f1", "version": 2})
    httpserver.expect_request("/files/f1", method="DELETE").respond_with_data("", status=204)
    with _client(c01, httpserver) as client:
        got = client.files.get_file(file_id="f1", version=2, limit=10, x_trace="t-1")
        deleted = client.files.delete_file(file_id="f1", version="v1.2", x_trace="t-2")
        client.files.delete_file(file_id="f1")

    get_req, del_req, bare_req = _requests(httpserver)
    assert (get_req.method, _raw_path(get_req), _raw_query(get_req)) == ("GET", "/files/f1", "version=2&limit=10")
    assert get_req.headers["X-Trace"] == "t-1"
    assert (del_req.method, _raw_path(del_req), _raw_query(del_req)) == ("DELETE", "/files/f1", "version=v1.2")
    assert del_req.headers["X-Trace"] == "t-2"
    assert _raw_query(bare_req) == "" and "X-Trace" not in bare_req.headers
    assert type(got) is c01.models.File and got.size is None
    assert deleted is None


def test_01_base_url_with_a_path_prefix(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c01 = load("01_params_path")
    httpserver.expect_request("/v1/files/x", method="DELETE").respond_with_data("", status=204)

    with _client(c01, httpserver, prefix="/v1/") as client:
        assert client.files.delete_file(file_id="x") is None

    assert _raw_path(_only_request(httpserver)) == "/v1/files/x"


def test_01_path_parameters_async(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c01 = load("01_params_path")
    httpserver.expect_request(re.compile(r"^/shelves/"), method="GET").respond_with_json([7])

    async def go() -> Any:
        async with _async_client(c01, httpserver) as client:
            return await client.books.get_pages(shelf_id="s/1", book_ids=[5], page=12)

    assert asyncio.run(go()) == [7]
    assert _raw_path(_only_request(httpserver)) == "/shelves/s%2F1/books/5/pages/12"


# =============================================================== 02: query parameter styles


def test_02_every_style_decoded_by_the_server(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c02 = load("02_params_query_styles")
    httpserver.expect_request("/search", method="GET").respond_with_json({"ok": ["yes"]})

    with _client(c02, httpserver) as client:
        result = client.search.search(
            limit=5,
            ids=[1, 22],
            csv=["a", "b", "c"],
            words=["red", "green"],
            alts=["x", "y"],
            point=c02.models.Point(x=1, y=2),
            box={"x": 3, "y": 4},
            filter_={"role": "admin", "name": "Ada L"},
            exact=False,
            q="a&b=c d+e",
            order="desc",
            level=2,
        )

    request = _only_request(httpserver)
    assert request.method == "GET" and request.get_data() == b""
    assert _query(request) == [
        ("ids", "1"),
        ("ids", "22"),
        ("csv", "a,b,c"),
        ("words", "red green"),
        ("alts", "x|y"),
        ("x", "1"),
        ("y", "2"),
        ("box", "x,3,y,4"),
        ("filter[role]", "admin"),
        ("filter[name]", "Ada L"),
        ("exact", "false"),
        ("limit", "5"),
        ("q", "a&b=c d+e"),
        ("order", "desc"),
        ("level", "2"),
    ]
    assert result == {"ok": ["yes"]}


def test_02_form_explode_false_keeps_the_comma_separator_literal(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    """OpenAPI's style table: ``form``/``explode: false`` is ``color=blue,black,brown`` (RFC 6570
    ``{?color}``): the separator stays a literal ",", a "," inside an item is percent-encoded, so
    ``["a,b", "c"]`` and ``["a", "b", "c"]`` stay different on the wire."""
    c02 = load("02_params_query_styles")
    httpserver.expect_request("/search", method="GET").respond_with_json({})

    with _client(c02, httpserver) as client:
        client.search.search(limit=1, csv=["a", "b", "c"])
        client.search.search(limit=1, csv=["a,b", "c"])

    first, second = _requests(httpserver)
    assert _raw_query(first) == "csv=a,b,c&limit=1"
    assert _raw_query(second) == "csv=a%2Cb,c&limit=1"


def test_02_space_and_pipe_delimited_on_the_wire(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    """OpenAPI's style table: ``spaceDelimited`` is ``color=blue%20black%20brown`` and
    ``pipeDelimited`` is ``color=blue|black|brown`` (sent literally, as the table shows)."""
    c02 = load("02_params_query_styles")
    httpserver.expect_request("/search", method="GET").respond_with_json({})

    with _client(c02, httpserver) as client:
        client.search.search(limit=1, words=["blue", "black", "brown"], alts=["blue", "black"])

    assert _raw_query(_only_request(httpserver)) == "words=blue%20black%20brown&alts=blue|black&limit=1"


def test_02_deep_object_and_form_object_names(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c02 = load("02_params_query_styles")
    httpserver.expect_request("/search", method="GET").respond_with_json({})

    with _client(c02, httpserver) as client:
        client.search.search(limit=1, filter_={"a b": "1&2"}, point={"y": 9})

    request = _only_request(httpserver)
    # Only the set property of the point is sent; deepObject keys and values are encoded.
    assert _query(request) == [("y", "9"), ("filter[a b]", "1&2"), ("limit", "1")]
    assert "&2" not in _raw_query(request)


def test_02_none_not_given_and_empty_are_omitted(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c02 = load("02_params_query_styles")
    httpserver.expect_request("/search", method="GET").respond_with_json({})

    with _client(c02, httpserver) as client:
        client.search.search(limit=0, q=None, exact=None, ids=[], order=c02.NOT_GIVEN)
        client.search.search(limit=-3, exact=True, q="")
        with pytest.raises(TypeError):
            client.search.search()  # limit is required

    first, second = _requests(httpserver)
    assert _raw_query(first) == "limit=0"
    assert _query(second) == [("exact", "true"), ("limit", "-3"), ("q", "")]


def test_02_inline_enum_argument_is_a_closed_literal(load: Callable[[str], Any]) -> None:
    c02 = load("02_params_query_styles")
    module = c02.operations.search
    order = _annotation(module, module.search, "order")
    assert typing.get_args(order) == (typing.Literal["asc", "desc"], c02.NotGiven)
    assert _is_required(module.search, "limit") and not _is_required(module.search, "order")


def test_02_ref_enum_argument_is_a_closed_literal(load: Callable[[str], Any]) -> None:
    """Enums are open in models (a new server value parses) but closed for arguments (the type
    checker sees the allowed values): a $ref'd enum parameter must not accept any int."""
    c02 = load("02_params_query_styles")
    module = c02.operations.search
    level = _annotation(module, module.search, "level")
    members = [a for a in typing.get_args(level) if a is not c02.NotGiven]
    assert members == [typing.Literal[1, 2, 3]], level


# =============================================================== 03: header and cookie parameters


def test_03_header_and_cookie_parameters(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c03 = load("03_params_header_cookie")
    httpserver.expect_request("/echo", method="GET").respond_with_data("", status=204)

    with _client(c03, httpserver) as client:
        result = client.echo.echo_headers(
            x_request_id="req-1",
            x_count=0,
            x_dry_run=False,
            x_tags=["a", "b c"],
            x_point=c03.models.Point(x=1, y=2),
            x_point_exploded={"x": 3, "y": 4},
            session="s-1",
            visits=3,
        )

    request = _only_request(httpserver)
    assert result is None
    assert request.headers["X-Request-Id"] == "req-1"
    assert request.headers["X-Count"] == "0"
    assert request.headers["X-Dry-Run"] == "false"
    assert request.headers["X-Tags"] == "a,b c"  # simple: items joined by ","
    assert request.headers["X-Point"] == "x,1,y,2"  # simple, explode false: k,v,k,v
    assert request.headers["X-Point-Exploded"] == "x=3,y=4"  # simple, explode true: k=v,k=v
    assert request.headers["Cookie"] == "session=s-1; visits=3"
    assert dict(request.cookies) == {"session": "s-1", "visits": "3"}
    assert _raw_query(request) == "" and request.get_data() == b""


def test_03_optional_headers_and_cookies_left_out(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c03 = load("03_params_header_cookie")
    httpserver.expect_request("/echo", method="GET").respond_with_data("", status=204)

    with _client(c03, httpserver) as client:
        client.echo.echo_headers(x_request_id="r", x_count=None)
        with pytest.raises(TypeError):
            client.echo.echo_headers()  # X-Request-Id is required

    request = _only_request(httpserver)
    assert request.headers["X-Request-Id"] == "r"
    for name in ("X-Count", "X-Dry-Run", "X-Tags", "X-Point", "X-Point-Exploded", "Cookie"):
        assert name not in request.headers, name


@pytest.mark.parametrize(
    "kwargs",
    [
        {"x_request_id": "a\r\nX-Injected: 1"},
        {"x_request_id": "a\nX-Injected: 1"},
        {"x_request_id": "a\rX-Injected: 1"},
        {"x_request_id": "ok", "x_tags": ["fine", "bad\r\nX-Injected: 1"]},
        {"x_request_id": "ok", "x_point": {"x": "1\r\nX-Injected: 1"}},
    ],
    ids=["crlf", "lf", "cr", "in-array-item", "in-object-value"],
)
def test_03_line_breaks_in_a_header_value_are_refused_before_sending(
    httpserver: HTTPServer, load: Callable[[str], Any], kwargs: dict[str, Any]
) -> None:
    c03 = load("03_params_header_cookie")
    httpserver.expect_request("/echo").respond_with_data("", status=204)

    with _client(c03, httpserver) as client:
        with pytest.raises(ValueError):
            client.echo.echo_headers(**kwargs)

    assert httpserver.log == []


def test_03_cookie_value_cannot_inject_another_cookie(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c03 = load("03_params_header_cookie")
    httpserver.expect_request("/echo", method="GET").respond_with_data("", status=204)

    with _client(c03, httpserver) as client:
        try:
            client.echo.echo_headers(x_request_id="r", session="a; admin=1\r\nX-Injected: 1")
        except ValueError:
            return  # refusing the value is fine too

    request = _only_request(httpserver)
    assert list(request.cookies) == ["session"]
    assert "X-Injected" not in request.headers


# =============================================================== 04: JSON bodies


def test_04_required_object_body_as_keyword_arguments(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c04 = load("04_body_json")
    m = c04.models
    create = c04.operations.create_pet.create_pet
    assert [n for n in ("name", "age") if _is_required(create, n)] == ["name", "age"]
    assert all(not _is_required(create, n) for n in ("nick_name", "weight", "tags", "owner"))
    assert _annotation(c04.operations.create_pet, create, "owner") == m.Owner | c04.NotGiven
    httpserver.expect_request("/pets", method="POST").respond_with_json(
        {"id": 1, "name": "Rex", "age": 0, "owner": {"name": "Ada", "address": {"city": "Paris"}}}, status=201
    )

    with _client(c04, httpserver) as client:
        pet = client.pets.create_pet(
            name="Rex",
            age=0,
            nick_name=None,
            weight=2.5,
            tags=["good", "boy"],
            owner=m.Owner(name="Ada", address=m.Address(city="Paris")),
        )
        with pytest.raises(TypeError):
            client.pets.create_pet(name="Rex")  # age is required

    request = _only_request(httpserver)
    assert request.method == "POST" and _raw_path(request) == "/pets"
    assert request.headers["Content-Type"] == "application/json"
    assert_json_identical(
        json.loads(request.get_data()),
        {
            "name": "Rex",
            "age": 0,
            "nickName": None,
            "weight": 2.5,
            "tags": ["good", "boy"],
            "owner": {"name": "Ada", "address": {"city": "Paris"}},
        },
    )
    assert type(pet) is m.Pet and pet.id_ == 1 and pet.age == 0
    assert type(pet.owner) is m.Owner and type(pet.owner.address) is m.Address
    assert pet.owner.address.city == "Paris" and pet.owner.address.post_code is None


def test_04_nested_model_argument_given_as_a_dict(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c04 = load("04_body_json")
    httpserver.expect_request("/pets", method="POST").respond_with_json({"id": 2, "name": "B", "age": 1}, status=201)

    with _client(c04, httpserver) as client:
        client.pets.create_pet(name="B", age=1, owner={"name": "Bo", "address": {"city": "Oslo", "postCode": "0150"}})

    body = json.loads(_only_request(httpserver).get_data())
    assert_json_identical(body, {"name": "B", "age": 1, "owner": {"name": "Bo", "address": {"city": "Oslo", "postCode": "0150"}}})


def test_04_optional_body_is_not_sent_when_nothing_is_passed(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c04 = load("04_body_json")
    update = c04.operations.update_pet.update_pet
    assert not _is_required(update, "name") and not _is_required(update, "age")
    httpserver.expect_request("/pets/9", method="PATCH").respond_with_json({"id": 9, "name": "R", "age": 4})

    with _client(c04, httpserver) as client:
        client.pets.update_pet(pet_id=9)
        client.pets.update_pet(pet_id=9, age=4)

    empty, with_age = _requests(httpserver)
    assert empty.get_data() == b""
    assert "Content-Type" not in empty.headers
    assert empty.headers.get("Content-Length", "0") == "0"
    assert with_age.headers["Content-Type"] == "application/json"
    assert_json_identical(json.loads(with_age.get_data()), {"age": 4})


def test_04_array_body(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c04 = load("04_body_json")
    replace = c04.operations.replace_pets.replace_pets
    assert _is_required(replace, "body")
    assert [n for n in inspect.signature(replace).parameters if n in ("name", "age")] == []
    httpserver.expect_request("/pets", method="PUT").respond_with_json(2)

    with _client(c04, httpserver) as client:
        count = client.pets.replace_pets(body=[c04.models.NewPet(name="a", age=1, nick_name="A"), {"name": "b", "age": 2}])
        client.pets.replace_pets(body=[])

    full, empty = _requests(httpserver)
    assert full.headers["Content-Type"] == "application/json"
    assert_json_identical(json.loads(full.get_data()), [{"name": "a", "age": 1, "nickName": "A"}, {"name": "b", "age": 2}])
    assert json.loads(empty.get_data()) == []  # a required empty array is still sent
    assert count == 2 and type(count) is int


def test_04_union_body(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c04 = load("04_body_json")
    m = c04.models
    create = c04.operations.create_shape.create_shape
    assert _annotation(c04.operations.create_shape, create, "body") == m.Circle | m.Square
    httpserver.expect_request("/shapes", method="POST", json={"side": 2}).respond_with_json(4)
    httpserver.expect_request("/shapes", method="POST", json={"radius": 1.5}).respond_with_json(7.0685)

    with _client(c04, httpserver) as client:
        square = client.shapes.create_shape(body=m.Square(side=2))
        circle = client.shapes.create_shape(body={"radius": 1.5})

    assert [json.loads(r.get_data()) for r in _requests(httpserver)] == [{"side": 2}, {"radius": 1.5}]
    assert square == 4 and type(square) is int  # `number`: 4 stays an int
    assert circle == 7.0685 and type(circle) is float


# =============================================================== 05: form-urlencoded bodies


def test_05_object_sent_as_form_urlencoded(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c05 = load("05_body_form_urlencoded")
    issue = c05.operations.issue_token.issue_token
    assert _is_required(issue, "grant_type") and _is_required(issue, "username") and not _is_required(issue, "password")
    httpserver.expect_request("/oauth/token", method="POST").respond_with_json({"access_token": "at", "expires_in": 3600})

    with _client(c05, httpserver) as client:
        token = client.auth.issue_token(
            grant_type="password",
            username="ada lovelace",
            password="p@ss&w=rd ü",
            remember=True,
            attempts=3,
            scope=["read", "write"],
        )
        client.auth.issue_token(grant_type="client_credentials", username="svc")

    full, short = _requests(httpserver)
    assert full.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert full.get_data() == (
        b"grant_type=password&username=ada+lovelace&password=p%40ss%26w%3Drd+%C3%BC"
        b"&remember=true&attempts=3&scope=read&scope=write"
    )
    assert list(full.form.items(multi=True)) == [
        ("grant_type", "password"),
        ("username", "ada lovelace"),
        ("password", "p@ss&w=rd ü"),
        ("remember", "true"),
        ("attempts", "3"),
        ("scope", "read"),
        ("scope", "write"),
    ]
    assert short.get_data() == b"grant_type=client_credentials&username=svc"
    assert _raw_query(full) == ""
    assert type(token) is c05.models.Token
    assert token.access_token == "at" and token.expires_in == 3600 and type(token.expires_in) is int


# =============================================================== 06: multipart bodies


def _file_inputs(tmp_path: Path) -> dict[str, tuple[Any, str | None, bytes, str]]:
    """name → (argument, expected file name or None for "any", content, expected media type)."""
    on_disk = tmp_path / "notes.txt"
    on_disk.write_bytes(b"from a path\n")
    opened = tmp_path / "scan.pdf"
    opened.write_bytes(b"%PDF-1.7 \x00\xff")
    return {
        "bytes": (b"\x00raw\xff", None, b"\x00raw\xff", "application/octet-stream"),
        "path": (on_disk, "notes.txt", b"from a path\n", "application/octet-stream"),
        "file": (opened, "scan.pdf", b"%PDF-1.7 \x00\xff", "application/octet-stream"),
        "tuple": (("report.csv", b"a,b\n1,2\n", "text/csv"), "report.csv", b"a,b\n1,2\n", "text/csv"),
    }


@pytest.mark.parametrize("kind", ["bytes", "path", "file", "tuple"])
def test_06_multipart_text_field_and_one_file(
    httpserver: HTTPServer, load: Callable[[str], Any], tmp_path: Path, kind: str
) -> None:
    c06 = load("06_body_multipart")
    argument, filename, content, media = _file_inputs(tmp_path)[kind]
    httpserver.expect_request("/documents", method="POST").respond_with_json({"id": "d1", "bytes": len(content)}, status=201)

    with _client(c06, httpserver) as client:
        if kind == "file":
            with open(argument, "rb") as f:
                stored = client.documents.upload_document(title="Résumé", pages=3, file=f)
        else:
            stored = client.documents.upload_document(title="Résumé", pages=3, file=argument)

    request = _only_request(httpserver)
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert list(request.form.items(multi=True)) == [("title", "Résumé"), ("pages", "3")]
    assert list(request.files) == ["file"]
    part = request.files["file"]
    assert part.read() == content
    assert part.filename if filename is None else part.filename == filename
    assert part.mimetype == media
    assert type(stored) is c06.models.Stored and stored.bytes_ == len(content)


def test_06_multipart_array_of_files(httpserver: HTTPServer, load: Callable[[str], Any], tmp_path: Path) -> None:
    c06 = load("06_body_multipart")
    on_disk = tmp_path / "three.jpg"
    on_disk.write_bytes(b"\xff\xd8three")
    httpserver.expect_request("/albums/a1/photos", method="POST").respond_with_json(
        [{"id": "p1", "bytes": 3}, {"id": "p2", "bytes": 4}, {"id": "p3", "bytes": 7}], status=201
    )

    with _client(c06, httpserver) as client:
        with open(on_disk, "rb") as third:
            stored = client.documents.upload_photos(
                album_id="a1", caption="holiday", photos=[b"one", ("two.png", b"\x89PNG", "image/png"), third]
            )

    request = _only_request(httpserver)
    assert list(request.form.items(multi=True)) == [("caption", "holiday")]
    parts = request.files.getlist("photos")
    assert [p.read() for p in parts] == [b"one", b"\x89PNG", b"\xff\xd8three"]
    assert [p.filename for p in parts][1:] == ["two.png", "three.jpg"]
    assert parts[0].filename
    assert [p.mimetype for p in parts] == ["application/octet-stream", "image/png", "application/octet-stream"]
    assert [type(s) for s in stored] == [c06.models.Stored] * 3 and stored[2].bytes_ == 7


def test_06_multipart_async(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c06 = load("06_body_multipart")
    httpserver.expect_request("/documents", method="POST").respond_with_json({"id": "d2", "bytes": 2}, status=201)

    async def go() -> Any:
        async with _async_client(c06, httpserver) as client:
            return await client.documents.upload_document(title="t", file=io.BytesIO(b"hi"))

    assert asyncio.run(go()).id_ == "d2"
    request = _only_request(httpserver)
    assert request.form["title"] == "t" and request.files["file"].read() == b"hi"


# =============================================================== 07: binary and text bodies


def test_07_octet_stream_body_from_bytes_file_and_path(
    httpserver: HTTPServer, load: Callable[[str], Any], tmp_path: Path
) -> None:
    c07 = load("07_body_binary_and_text")
    blob = bytes(range(256))
    on_disk = tmp_path / "blob.bin"
    on_disk.write_bytes(blob[::-1])
    httpserver.expect_request(re.compile(r"^/blobs/"), method="PUT").respond_with_json({"name": "b", "size": 256})

    with _client(c07, httpserver) as client:
        result = client.blobs.put_blob(name="raw", body=blob)
        with open(on_disk, "rb") as f:
            client.blobs.put_blob(name="file", body=f)
        client.blobs.put_blob(name="bio", body=io.BytesIO(b"\x00\x01"))
        client.blobs.put_blob(name="path", body=on_disk)

    requests = _requests(httpserver)
    assert [_raw_path(r) for r in requests] == ["/blobs/raw", "/blobs/file", "/blobs/bio", "/blobs/path"]
    assert [r.get_data() for r in requests] == [blob, blob[::-1], b"\x00\x01", blob[::-1]]
    assert {r.headers["Content-Type"] for r in requests} == {"application/octet-stream"}
    assert type(result) is c07.models.Blob and result.size == 256


def test_07_binary_body_keeps_its_own_media_type(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c07 = load("07_body_binary_and_text")
    httpserver.expect_request("/images", method="POST").respond_with_data("", status=204)

    with _client(c07, httpserver) as client:
        assert client.blobs.upload_image(body=b"\x89PNG\r\n\x1a\n") is None

    request = _only_request(httpserver)
    assert request.headers["Content-Type"] == "image/png"
    assert request.get_data() == b"\x89PNG\r\n\x1a\n"


def test_07_text_plain_body(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c07 = load("07_body_binary_and_text")
    create = c07.operations.create_note.create_note
    assert _annotation(c07.operations.create_note, create, "body") is str and _is_required(create, "body")
    httpserver.expect_request("/notes", method="POST").respond_with_json(12)

    with _client(c07, httpserver) as client:
        length = client.notes.create_note(body='héllo\r\n"world"')

    request = _only_request(httpserver)
    assert request.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert request.get_data() == 'héllo\r\n"world"'.encode()
    assert length == 12 and type(length) is int


def test_07_text_body_must_be_a_str(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c07 = load("07_body_binary_and_text")
    with _client(c07, httpserver) as client:
        with pytest.raises(TypeError):
            client.notes.create_note(body=b"bytes are not text")
    assert httpserver.log == []


# =============================================================== 08: request bodies by $ref


def test_08_required_ref_body(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c08 = load("08_body_ref")
    create = c08.operations.create_pet.create_pet
    assert _is_required(create, "name") and not _is_required(create, "id_") and not _is_required(create, "kind")
    httpserver.expect_request("/pets", method="POST").respond_with_json({"id": 1, "name": "Rex", "kind": "dog"}, status=201)

    with _client(c08, httpserver) as client:
        pet = client.pets.create_pet(name="Rex", kind="dog", id_=1)
        with pytest.raises(TypeError):
            client.pets.create_pet(kind="dog")

    request = _only_request(httpserver)
    assert request.headers["Content-Type"] == "application/json"
    assert_json_identical(json.loads(request.get_data()), {"id": 1, "name": "Rex", "kind": "dog"})
    assert type(pet) is c08.models.Pet and pet.id_ == 1


def test_08_optional_ref_body(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c08 = load("08_body_ref")
    patch = c08.operations.patch_pet.patch_pet
    assert not _is_required(patch, "name") and not _is_required(patch, "kind")
    httpserver.expect_request("/pets/4", method="PATCH").respond_with_json({"id": 4, "name": "Rex"})

    with _client(c08, httpserver) as client:
        client.pets.patch_pet(pet_id=4)
        client.pets.patch_pet(pet_id=4, kind=None)

    nothing, null_kind = _requests(httpserver)
    assert nothing.get_data() == b"" and "Content-Type" not in nothing.headers
    assert_json_identical(json.loads(null_kind.get_data()), {"kind": None})


def test_08_required_ref_array_body(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c08 = load("08_body_ref")
    assert _is_required(c08.operations.set_tags.set_tags, "body")
    httpserver.expect_request("/pets/4/tags", method="PUT").respond_with_data("", status=204)

    with _client(c08, httpserver) as client:
        assert client.pets.set_tags(pet_id=4, body=["a", "b"]) is None

    request = _only_request(httpserver)
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.get_data()) == ["a", "b"]


# =============================================================== 09: response kinds


def test_09_json_response_parsed_with_exact_types(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c09 = load("09_responses_kinds")
    payload = {
        "id": 1,
        "title": "Q3",
        "total": 10,
        "ratio": 0.5,
        "published": True,
        "tags": ["x"],
        "created": "2024-05-01T12:00:00+02:00",
        "day": "2024-05-01",
        "note": None,
    }
    httpserver.expect_request("/report", method="GET").respond_with_json(payload)

    with _client(c09, httpserver) as client:
        report = client.reports.get_report()

    assert type(report) is c09.models.Report
    assert report.id_ == 1 and type(report.id_) is int
    assert report.total == 10 and type(report.total) is int
    assert report.ratio == 0.5 and type(report.ratio) is float
    assert report.published is True
    assert report.tags == ["x"]
    assert report.created == datetime.datetime(2024, 5, 1, 10, tzinfo=datetime.timezone.utc)
    assert report.created.utcoffset() == datetime.timedelta(hours=2)
    # A date keeps the text it came as (a datetime.date subclass with .text).
    assert report.day == datetime.date(2024, 5, 1) and isinstance(report.day, datetime.date)
    assert report.day.text == payload["day"]
    assert report.note is None
    assert_json_identical(report.to_dict(), payload)


def test_09_text_response_is_str(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c09 = load("09_responses_kinds")
    text = 'línea 1\n{"not": "json"}'
    httpserver.expect_request("/report.txt", method="GET").respond_with_data(text.encode(), content_type="text/plain; charset=utf-8")

    with _client(c09, httpserver) as client:
        result = client.reports.get_report_text()

    assert result == text and type(result) is str


def test_09_text_response_follows_its_charset(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c09 = load("09_responses_kinds")
    httpserver.expect_request("/report.txt", method="GET").respond_with_data(
        "café".encode("iso-8859-1"), content_type="text/plain; charset=iso-8859-1"
    )

    with _client(c09, httpserver) as client:
        assert client.reports.get_report_text() == "café"


def test_09_binary_response_is_bytes(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c09 = load("09_responses_kinds")
    blob = b"\x00\xff\x10PNG\r\n" + bytes(range(256))
    httpserver.expect_request("/report.bin", method="GET").respond_with_data(blob, content_type="application/octet-stream")

    with _client(c09, httpserver) as client:
        result = client.reports.get_report_binary()

    assert result == blob and type(result) is bytes


@pytest.mark.parametrize(
    ("call", "path", "media"),
    [
        ("get_report", "/report", "application/json"),
        ("get_report_text", "/report.txt", "text/plain"),
        ("get_report_binary", "/report.bin", "application/octet-stream"),
    ],
)
def test_09_accept_header_names_the_documented_media_type(
    httpserver: HTTPServer, load: Callable[[str], Any], call: str, path: str, media: str
) -> None:
    """A server that negotiates content (e.g. answers 406 when nothing in Accept matches what it
    produces) must be asked for the media type the operation documents."""
    c09 = load("09_responses_kinds")
    httpserver.expect_request(path, method="GET").respond_with_data("", status=406)

    with _client(c09, httpserver) as client:
        with pytest.raises(c09.APIStatusError):
            getattr(client.reports, call)()

    accept = [item.split(";")[0].strip() for item in _only_request(httpserver).headers["Accept"].split(",")]
    assert media in accept or "*/*" in accept, accept


def test_09_no_content_and_json_scalars(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c09 = load("09_responses_kinds")
    httpserver.expect_request("/report", method="DELETE").respond_with_data("", status=204)
    httpserver.expect_request("/scores", method="GET").respond_with_json({"a": 1, "b": 2.5})
    httpserver.expect_request("/ready", method="GET").respond_with_json(False)

    with _client(c09, httpserver) as client:
        deleted = client.reports.delete_report()
        scores = client.reports.get_scores()
        ready = client.reports.is_ready()

    assert deleted is None
    assert scores == {"a": 1, "b": 2.5} and [type(v) for v in scores.values()] == [int, float]
    assert ready is False


def test_09_binary_response_async(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c09 = load("09_responses_kinds")
    httpserver.expect_request("/report.bin", method="GET").respond_with_data(b"\x01\x02", content_type="application/octet-stream")

    async def go() -> Any:
        async with _async_client(c09, httpserver) as client:
            return await client.reports.get_report_binary()

    assert asyncio.run(go()) == b"\x01\x02"


# =============================================================== 10: error responses


@pytest.mark.parametrize(
    ("status", "body", "error", "model"),
    [
        (400, {"field": "thingId", "reason": "too short"}, "BadRequestError", "ValidationProblem"),
        (400, {"unexpected": 1}, "BadRequestError", None),
        (404, {"error": "no such thing"}, "NotFoundError", "ClientError"),
        (409, {"error": "busy", "hint": "retry"}, "ConflictError", "ClientError"),
        (418, {"error": "teapot"}, "APIStatusError", "ClientError"),
        (422, {"error": "bad"}, "UnprocessableEntityError", "ClientError"),
        (429, {"error": "slow down"}, "RateLimitError", "ClientError"),
        (500, {"retryAfter": 5}, "InternalServerError", "ServerError"),
        (503, {"retryAfter": 30}, "InternalServerError", "ServerError"),
        (503, {"retryAfter": "soon"}, "InternalServerError", None),
        (502, "Bad gateway, not JSON", "InternalServerError", None),
    ],
)
def test_10_documented_error_responses(
    httpserver: HTTPServer, load: Callable[[str], Any], status: int, body: Any, error: str, model: str | None
) -> None:
    c10 = load("10_responses_errors")
    handler = httpserver.expect_request("/things/t1", method="GET")
    if isinstance(body, str):
        handler.respond_with_data(body, status=status, content_type="text/plain", headers={"X-Request-Id": "rid-1"})
    else:
        handler.respond_with_json(body, status=status, headers={"X-Request-Id": "rid-1"})

    with _client(c10, httpserver) as client:
        with pytest.raises(c10.APIStatusError) as info:
            client.things.get_thing(thing_id="t1")

    exc = info.value
    assert type(exc) is getattr(c10, error)
    assert isinstance(exc, c10.APIError)
    assert exc.status_code == status and exc.request_id == "rid-1"
    assert str(status) in str(exc)
    if model is None:
        assert_json_identical(exc.body, body)
    else:
        assert type(exc.body) is getattr(c10.models, model)
        assert_json_identical(exc.body.to_dict(), body)


@pytest.mark.parametrize(
    ("status", "error"),
    [(302, "APIStatusError"), (401, "AuthenticationError"), (403, "PermissionDeniedError"), (500, "InternalServerError")],
)
def test_10_default_error_response(httpserver: HTTPServer, load: Callable[[str], Any], status: int, error: str) -> None:
    c10 = load("10_responses_errors")
    httpserver.expect_request("/jobs", method="POST").respond_with_json({"title": "nope", "status": status}, status=status)

    with _client(c10, httpserver) as client:
        with pytest.raises(c10.APIStatusError) as info:
            client.things.start_job()

    assert type(info.value) is getattr(c10, error)
    assert type(info.value.body) is c10.models.Problem
    assert info.value.body.title == "nope" and info.value.body.status == status


def test_10_success_still_parses_and_docstring_lists_errors(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c10 = load("10_responses_errors")
    httpserver.expect_request("/jobs", method="POST").respond_with_json({"id": "j1"}, status=202)

    with _client(c10, httpserver) as client:
        job = client.things.start_job()

    assert type(job) is c10.models.Thing and job.id_ == "j1"
    doc = c10.operations.get_thing.get_thing.__doc__
    for expected in ("BadRequestError: 400 Invalid id", "4XX Any other client error", "InternalServerError: 5XX Server trouble"):
        assert expected in doc


def test_10_error_async(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c10 = load("10_responses_errors")
    httpserver.expect_request("/things/x", method="GET").respond_with_json({"error": "gone"}, status=404)

    async def go() -> None:
        async with _async_client(c10, httpserver) as client:
            await client.things.get_thing(thing_id="x")

    with pytest.raises(c10.NotFoundError) as info:
        asyncio.run(go())
    assert type(info.value.body) is c10.models.ClientError and info.value.body.error == "gone"


# =============================================================== 11: several 2xx responses


def test_11_return_type_is_the_union_of_the_success_types(load: Callable[[str], Any]) -> None:
    c11 = load("11_responses_multiple_2xx")
    m = c11.models
    upsert = c11.operations.upsert_item
    assert _annotation(upsert, upsert.upsert_item, "return") == m.Item | m.Created
    export = c11.operations.start_export
    assert _annotation(export, export.start_export, "return") == m.Export | None


@pytest.mark.parametrize(
    ("status", "payload", "model"),
    [
        (200, {"id": "i1", "name": "n", "revision": 2}, "Item"),
        (201, {"id": "i1", "location": "/items/i1"}, "Created"),
        # The same JSON fits both; the status code decides.
        (200, {"id": "i1"}, "Item"),
        (201, {"id": "i1"}, "Created"),
        (200, {"id": "i1", "location": "/x"}, "Item"),
    ],
)
def test_11_parsed_type_follows_the_status_code(
    httpserver: HTTPServer, load: Callable[[str], Any], status: int, payload: dict[str, Any], model: str
) -> None:
    c11 = load("11_responses_multiple_2xx")
    httpserver.expect_request("/items/i1", method="PUT").respond_with_json(payload, status=status)

    with _client(c11, httpserver) as client:
        result = client.items.upsert_item(item_id="i1", name="n")

    assert json.loads(_only_request(httpserver).get_data()) == {"name": "n"}
    assert type(result) is getattr(c11.models, model)
    assert_json_identical(result.to_dict(), payload)


def test_11_success_without_content_is_none(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c11 = load("11_responses_multiple_2xx")
    handlers = [
        (200, json.dumps({"url": "https://x.invalid/e.csv"})),
        (202, ""),
        (202, json.dumps({"url": "ignored"})),  # 202 documents no content: nothing to parse
    ]
    results = []
    with _client(c11, httpserver) as client:
        for status, body in handlers:
            httpserver.clear()
            httpserver.expect_request("/exports", method="POST").respond_with_data(body, status=status, content_type="application/json")
            results.append(client.items.start_export())

    assert type(results[0]) is c11.models.Export and results[0].url == "https://x.invalid/e.csv"
    assert results[1] is None and results[2] is None


# =============================================================== 12: responses by $ref


def test_12_ref_responses_success_and_no_content(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c12 = load("12_responses_ref")
    httpserver.expect_request("/orders/5", method="GET").respond_with_json({"id": 5, "total": 9.5})
    httpserver.expect_request("/orders/5", method="DELETE").respond_with_data("", status=204)
    httpserver.expect_request("/orders", method="GET").respond_with_json([{"id": 1, "total": 3}, {"id": 2, "total": 0.25}])

    with _client(c12, httpserver) as client:
        order = client.orders.get_order(order_id=5)
        cancelled = client.orders.cancel_order(order_id=5)
        orders = client.orders.list_orders()

    assert type(order) is c12.models.Order and order.total == 9.5
    assert cancelled is None
    assert [type(o) for o in orders] == [c12.models.Order] * 2
    assert [o.total for o in orders] == [3, 0.25] and type(orders[0].total) is int


@pytest.mark.parametrize(
    ("method", "path", "call", "status", "error"),
    [
        ("GET", "/orders/5", "get_order", 404, "NotFoundError"),
        ("GET", "/orders/5", "get_order", 500, "InternalServerError"),  # default
        ("GET", "/orders/5", "get_order", 400, "BadRequestError"),  # default
        ("DELETE", "/orders/5", "cancel_order", 404, "NotFoundError"),
        ("DELETE", "/orders/5", "cancel_order", 409, "ConflictError"),
        ("GET", "/orders", "list_orders", 503, "InternalServerError"),  # default
    ],
)
def test_12_shared_error_response(
    httpserver: HTTPServer, load: Callable[[str], Any], method: str, path: str, call: str, status: int, error: str
) -> None:
    c12 = load("12_responses_ref")
    payload = {"code": f"E{status}", "message": "from a shared response"}
    httpserver.expect_request(path, method=method).respond_with_json(payload, status=status)

    with _client(c12, httpserver) as client:
        func = getattr(client.orders, call)
        with pytest.raises(c12.APIStatusError) as info:
            func() if call == "list_orders" else func(order_id=5)

    assert type(info.value) is getattr(c12, error)
    assert type(info.value.body) is c12.models.Error
    assert info.value.body.code == f"E{status}" and info.value.body.message == "from a shared response"


def test_12_ref_response_descriptions_in_docstrings(load: Callable[[str], Any]) -> None:
    c12 = load("12_responses_ref")
    doc = c12.operations.cancel_order.cancel_order.__doc__
    assert "NotFoundError: 404 No such order" in doc
    assert "ConflictError: 409 Already shipped" in doc


# =============================================================== 13: operation naming


def test_13_names_namespaces_and_paths(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c13 = load("13_operations_naming")
    httpserver.expect_request("/widgets", method="GET").respond_with_json(["w"])
    httpserver.expect_request("/widgets/w%201/parts", method="POST").respond_with_data("", status=204)
    httpserver.expect_request("/widgets/w 1/parts", method="POST").respond_with_data("", status=204)
    httpserver.expect_request("/ping", method="GET").respond_with_data("pong", content_type="text/plain")
    httpserver.expect_request("/health", method="GET").respond_with_json(True)
    httpserver.expect_request("/shared", method="GET").respond_with_json(7)
    httpserver.expect_request("/items/1", method="GET").respond_with_json("new")
    httpserver.expect_request("/legacy/items/2", method="GET").respond_with_json("old")
    httpserver.expect_request("/v2/items", method="GET").respond_with_json([1])

    with _client(c13, httpserver) as client:
        # No operationId: named from the method and the path.
        widgets = client.widget_admin.get_widgets()
        added = client.widget_admin.post_widgets_by_widget_id_parts(widget_id="w 1")
        # No tags: the `default` namespace.
        pong = client.default.ping()
        healthy = client.default.get_health()
        # Several tags: in each tag's namespace.
        shared = client.items.get_shared()
        assert client.widget_admin.get_shared() == shared
        # getItem and get_item are the same in snake_case: the exact spelling keeps the name, the
        # other gets four hex digits of its JSON pointer's hash (stable whatever else is added).
        new = client.items.get_item_c0bb(id_=1)
        old = client.items.get_item(id_=2)
        v2 = client.items.list_items_v2()

    assert [(r.method, _raw_path(r)) for r in _requests(httpserver)] == [
        ("GET", "/widgets"),
        ("POST", "/widgets/w%201/parts"),
        ("GET", "/ping"),
        ("GET", "/health"),
        ("GET", "/shared"),
        ("GET", "/shared"),
        ("GET", "/items/1"),
        ("GET", "/legacy/items/2"),
        ("GET", "/v2/items"),
    ]
    assert (widgets, added, pong, healthy, shared, new, old, v2) == (["w"], None, "pong", True, 7, "new", "old", [1])


def test_13_generated_modules_and_namespaces(load: Callable[[str], Any]) -> None:
    c13 = load("13_operations_naming")
    folder = GOLDEN / "13_operations_naming" / "c13_operations_naming"
    assert sorted(p.stem for p in (folder / "operations").glob("*.py")) == [
        "__init__",
        "get_health",
        "get_item",
        "get_item_c0bb",
        "get_shared",
        "get_widgets",
        "list_items_v2",
        "ping",
        "post_widgets_by_widget_id_parts",
    ]
    assert sorted(p.stem for p in (folder / "resources").glob("*.py")) == ["__init__", "default", "items", "widget_admin"]
    assert c13.operations.get_item_c0bb._options(id_=1).path == "/items/{id}"
    assert c13.operations.get_item._options(id_=1).path == "/legacy/items/{id}"
    namespaces = [
        n for n, v in vars(c13.Client).items() if isinstance(v, functools.cached_property) and not n.startswith("with_")
    ]
    assert namespaces == ["widget_admin", "items", "default"]
    client = c13.Client(token=TOKEN, base_url="http://127.0.0.1:9")
    # An operation with several tags is in the namespace of each of its tags.
    assert [n for n in namespaces if hasattr(getattr(client, n), "get_shared")] == ["widget_admin", "items"]
    assert client.items.get_shared.__func__ is client.widget_admin.get_shared.__func__
    client.close()


# =============================================================== 14: security


def _keys_client(module: Any, server: HTTPServer, key: str | None = TOKEN) -> Any:
    """The bearer token and each API key scheme's own argument (the spec has both kinds)."""
    return module.Client(token=key, header_key=key, query_key=key, cookie_key=key, base_url=server.url_for(""))


def _credential_view(request: Request) -> dict[str, Any]:
    return {
        "authorization": request.headers.get("Authorization"),
        "x-api-key": request.headers.get("X-API-Key"),
        "api_key": request.args.getlist("api_key"),
        "cookies": dict(request.cookies),
    }


@pytest.mark.parametrize(
    ("call", "kwargs", "path", "expected"),
    [
        ("get_me", {}, "/me", {"authorization": f"Bearer {TOKEN}", "x-api-key": None, "api_key": [], "cookies": {}}),
        ("with_header_key", {}, "/keys/header", {"authorization": None, "x-api-key": TOKEN, "api_key": [], "cookies": {}}),
        ("with_query_key", {"page": 2}, "/keys/query", {"authorization": None, "x-api-key": None, "api_key": [TOKEN], "cookies": {}}),
        (
            "with_cookie_key",
            {"theme": "dark"},
            "/keys/cookie",
            {"authorization": None, "x-api-key": None, "api_key": [], "cookies": {"theme": "dark", "sid": TOKEN}},
        ),
        ("get_public", {}, "/public", {"authorization": None, "x-api-key": None, "api_key": [], "cookies": {}}),
    ],
)
def test_14_security_schemes(
    httpserver: HTTPServer, load: Callable[[str], Any], call: str, kwargs: dict[str, Any], path: str, expected: dict[str, Any]
) -> None:
    c14 = load("14_security")
    handler = httpserver.expect_request(path, method="GET")
    if call == "get_me":
        handler.respond_with_json("me")
    else:
        handler.respond_with_data("", status=204)

    with _keys_client(c14, httpserver) as client:
        result = getattr(client.auth, call)(**kwargs)

    request = _only_request(httpserver)
    assert _credential_view(request) == expected
    assert result == ("me" if call == "get_me" else None)
    if call == "with_query_key":
        assert _query(request) == [("page", "2"), ("api_key", TOKEN)]
    if call == "get_public":
        assert "Cookie" not in request.headers and _raw_query(request) == ""


def test_14_alternative_requirements_send_one_credential(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    """``security: [{headerKey: []}, {queryKey: []}]`` lists alternatives: one is enough. Sending
    the key in the query string as well puts it in every proxy and access log for nothing."""
    c14 = load("14_security")
    httpserver.expect_request("/keys/either", method="GET").respond_with_data("", status=204)

    with _keys_client(c14, httpserver) as client:
        client.auth.with_either_key()

    assert _credential_view(_only_request(httpserver)) == {"authorization": None, "x-api-key": TOKEN, "api_key": [], "cookies": {}}


def test_14_no_token_sends_no_credential(
    httpserver: HTTPServer, load: Callable[[str], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    c14 = load("14_security")
    for name in ("API_TOKEN", "HEADER_KEY", "QUERY_KEY", "COOKIE_KEY"):
        monkeypatch.delenv(f"C14_SECURITY_{name}", raising=False)
    httpserver.expect_request("/me", method="GET").respond_with_json({"detail": "who?"}, status=401)
    httpserver.expect_request("/keys/cookie", method="GET").respond_with_data("", status=204)

    with _keys_client(c14, httpserver, None) as client:
        with pytest.raises(c14.AuthenticationError):
            client.auth.get_me()
        client.auth.with_cookie_key()

    me, cookie = _requests(httpserver)
    assert _credential_view(me) == {"authorization": None, "x-api-key": None, "api_key": [], "cookies": {}}
    assert "Cookie" not in cookie.headers


def test_14_token_from_the_environment(
    httpserver: HTTPServer, load: Callable[[str], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    c14 = load("14_security")
    monkeypatch.setenv("C14_SECURITY_HEADER_KEY", "env-token")  # the scheme's own variable
    httpserver.expect_request("/keys/header", method="GET").respond_with_data("", status=204)

    with c14.Client(base_url=httpserver.url_for("")) as client:
        assert "env-token" not in repr(client)
        client.auth.with_header_key()

    assert _only_request(httpserver).headers["X-API-Key"] == "env-token"


@pytest.mark.parametrize("token", ["abc+/def==", "a.b-c_d~e!f*g"])
def test_14_api_key_values_reach_the_server_unchanged(
    httpserver: HTTPServer, load: Callable[[str], Any], token: str
) -> None:
    """A base64 or JWT-like key travels as is: in the query it is percent-encoded (and decoded by
    the server); in a cookie "+", "/", "=" are valid cookie octets (RFC 6265) and must not be
    rewritten, or the server compares a different string."""
    c14 = load("14_security")
    httpserver.expect_request("/keys/query", method="GET").respond_with_data("", status=204)
    httpserver.expect_request("/keys/cookie", method="GET").respond_with_data("", status=204)

    with _keys_client(c14, httpserver, token) as client:
        client.auth.with_query_key()
        client.auth.with_cookie_key()

    query, cookie = _requests(httpserver)
    assert query.args.getlist("api_key") == [token]
    assert cookie.cookies.get("sid") == token, cookie.headers.get("Cookie")


# =============================================================== 15: deprecations


def test_15_deprecated_operation_warns_at_call_time(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c15 = load("15_deprecated")
    httpserver.expect_request("/v1/accounts", method="GET").respond_with_json([{"id": "a1", "userName": "old"}])

    with _client(c15, httpserver) as client:
        with pytest.warns(DeprecationWarning, match="listAccountsV1") as record:
            accounts = client.accounts.list_accounts_v1()

    assert [w.filename for w in record if issubclass(w.category, DeprecationWarning)] == [__file__]  # points at the caller
    assert [type(a) for a in accounts] == [c15.models.Account]
    assert accounts[0].user_name == "old"
    for func in (c15.operations.list_accounts_v1.list_accounts_v1, c15.operations.list_accounts_v1.list_accounts_v1_async):
        assert "Deprecated" in func.__doc__
        assert "List accounts (old shape)." in func.__doc__


def test_15_deprecated_operation_warns_async(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c15 = load("15_deprecated")
    httpserver.expect_request("/v1/accounts", method="GET").respond_with_json([])

    async def go() -> Any:
        async with _async_client(c15, httpserver) as client:
            return await client.accounts.list_accounts_v1()

    with pytest.warns(DeprecationWarning, match="listAccountsV1"):
        assert asyncio.run(go()) == []


def test_15_deprecated_parameter_and_property(httpserver: HTTPServer, load: Callable[[str], Any]) -> None:
    c15 = load("15_deprecated")
    httpserver.expect_request("/v2/accounts", method="GET").respond_with_json([{"id": "a1", "displayName": "Ada", "userName": "ada"}])

    with _client(c15, httpserver) as client:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # the operation itself is not deprecated: no warning
            accounts = client.accounts.list_accounts(status="open", state="active")

    # A deprecated parameter still works; its documentation says it is deprecated.
    assert _query(_only_request(httpserver)) == [("status", "open"), ("state", "active")]
    doc = c15.operations.list_accounts.list_accounts.__doc__
    assert "Deprecated" not in doc.split("Args:")[0]
    state_line = next(line for line in doc.splitlines() if line.strip().startswith("state:"))
    assert "deprecated" in state_line.lower() and "Old name of status." in state_line
    status_line = next(line for line in doc.splitlines() if line.strip().startswith("status:"))
    assert "deprecated" not in status_line.lower()
    # A deprecated property still parses and round-trips; the model says it is deprecated.
    account = accounts[0]
    assert (account.display_name, account.user_name) == ("Ada", "ada")
    assert account.to_dict() == {"id": "a1", "displayName": "Ada", "userName": "ada"}
    source = inspect.getsource(c15.models.account)
    user_name = source[source.index("user_name:"):]
    user_name = user_name[: user_name.index('"""', user_name.index('"""') + 3)]
    assert "deprecated" in user_name.lower() and "Use displayName." in user_name
    display = source[source.index("display_name:"): source.index("user_name:")]
    assert "deprecated" not in display.lower()
