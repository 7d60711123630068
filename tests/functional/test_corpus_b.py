"""The golden records of tests/specs/16_* … 30_* called against a real HTTP server on 127.0.0.1.

Each test imports a generated package from its golden record (``tests/golden/<stem>``, package
``c<stem>``) with ``fresh_import``, makes one call to pytest-httpserver returning JSON, and asserts
the parsed values, their Python types (the generated class, ``int`` vs ``float`` as sent) and
that ``to_dict()`` gives back exactly the JSON the server sent. Tests about generation itself
(names, determinism, warnings) run the generator in memory.
"""

from __future__ import annotations

import asyncio
import datetime
import inspect
import json
import os
import subprocess
import sys
import types
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pydantic
import pytest
import yaml
from conftest import ROOT, assert_json_identical
from pytest_httpserver import HTTPServer
from werkzeug import Request

from generator.config import Config
from generator.pipeline import Result, run

GOLDEN = ROOT / "tests" / "golden"
SPECS = ROOT / "tests" / "specs"
TOKEN = "tok-corpus-b"


# ----------------------------------------------------------------------------- fixtures, helpers


@pytest.fixture(scope="session")
def make_httpserver() -> Iterator[HTTPServer]:
    """pytest-httpserver listens on "localhost" by default; these tests use 127.0.0.1 only."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture()
def pkg(fresh_import: Callable[[Path, str], Any]) -> Callable[[str], Any]:
    """``pkg("16_allof")`` → the package ``c16_allof`` imported from its golden record."""

    def _pkg(stem: str) -> Any:
        folder = GOLDEN / stem
        assert (folder / f"c{stem}").is_dir(), f"no golden record for {stem}: run UPDATE_GOLDEN=1 pytest tests/test_corpus.py -k {stem}"
        return fresh_import(folder, f"c{stem}")

    return _pkg


def client(module: Any, server: HTTPServer, strict: bool = True) -> Any:
    """Strict by default here: these tests check that responses are typed exactly as the spec says
    (the lenient default is tested by ``test_lenient_default_keeps_what_strict_mode_rejects``)."""
    return module.Client(token=TOKEN, base_url=server.url_for(""), strict_response_validation=strict)


def serve(server: HTTPServer, path: str, payload: Any, method: str = "GET", status: int = 200) -> None:
    """Answer with exactly ``json.dumps(payload)`` (``5.0`` stays ``5.0``, key order kept)."""
    server.expect_request(path, method=method).respond_with_data(
        json.dumps(payload, ensure_ascii=False), status=status, content_type="application/json"
    )


def only_request(server: HTTPServer) -> Request:
    assert len(server.log) == 1, [str(r.url) for r, _ in server.log]
    return server.log[0][0]


def sent_json(server: HTTPServer) -> Any:
    return json.loads(only_request(server).get_data())


def query(server: HTTPServer) -> list[tuple[str, str]]:
    return list(only_request(server).args.items(multi=True))


def dump(value: Any) -> Any:
    """A parsed response back to JSON: models by ``to_dict()``, containers item by item."""
    if isinstance(value, pydantic.BaseModel):
        return value.to_dict()
    if isinstance(value, (list, tuple)):
        return [dump(v) for v in value]
    if isinstance(value, dict):
        return {k: dump(v) for k, v in value.items()}
    return value


def annotation(module: Any, func: Callable[..., Any], name: str) -> Any:
    """A parameter's annotation, evaluated with the package's models in scope."""
    raw = inspect.signature(func).parameters[name].annotation
    if not isinstance(raw, str):
        return raw
    package = sys.modules[module.__name__.split(".")[0]]
    namespace = {**vars(typing), **vars(package.models), **vars(module)}
    return eval(raw, namespace)  # noqa: S307


def without_not_given(tp: Any, not_given: type) -> list[Any]:
    """The members of a union annotation, ``NotGiven`` left out."""
    members = typing.get_args(tp) if typing.get_origin(tp) in (typing.Union, types.UnionType) else (tp,)
    return [m for m in members if m is not not_given]


def is_closed_literal(tp: Any, not_given: type) -> bool:
    """``Literal[...]`` (possibly ``| NotGiven``) and nothing else: no ``| str`` or ``| int``."""
    members = without_not_given(tp, not_given)
    return bool(members) and all(typing.get_origin(m) is typing.Literal for m in members)


def generate(spec: Path, package: str, out: Path) -> Result:
    return run(Config(spec=spec, out=out, package=package, client="Client", root=ROOT))


def normalised(files: dict[str, str], package: str) -> dict[str, str]:
    """Files with the package name, the output folder's name (the stem, in README.md) and the
    header line (it names the spec file) neutralised."""
    spellings = [package, package.upper(), package.replace("_", "-"), package[1:]]
    out: dict[str, str] = {}
    for path, text in files.items():
        lines = text.split("\n")
        lines = ["<header>" if "Generated by sdk-generator" in line else line for line in lines]
        text = "\n".join(lines)
        for spelling, neutral in zip(spellings, ["PKG", "PKG_UPPER", "pkg-dash", "OUT"]):
            text = text.replace(spelling, neutral)
            path = path.replace(spelling, neutral)
        out[path] = text
    return out


def golden_files(stem: str) -> dict[str, str]:
    folder = GOLDEN / stem
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".manifest.json" and "__pycache__" not in p.parts
    }


# ===================================================================================== 16_allof


def test_allof_ref_base_plus_own_properties_and_required(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("16_allof")
    payload = {"id": 7, "name": "seven", "extra": "x", "score": 2.0}
    serve(httpserver, "/extended", payload)
    with client(m, httpserver) as c:
        result = c.allof.get_extended()
    assert type(result) is m.models.Extended
    assert result.id_ == 7 and type(result.id_) is int
    assert result.name == "seven" and result.extra == "x"
    assert result.score == 2.0 and type(result.score) is float
    assert_json_identical(result.to_dict(), payload)
    fields = m.models.Extended.model_fields
    # Base's required [id] and the extension's required [name, extra] are both kept.
    assert {n for n, f in fields.items() if f.is_required()} == {"id_", "name", "extra"}
    assert [f.alias or n for n, f in fields.items()] == ["id", "name", "extra", "score"]


def test_allof_missing_required_from_the_extension_is_rejected(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("16_allof")
    serve(httpserver, "/extended", {"id": 7, "name": "seven"})  # "extra" is required by the allOf part
    with client(m, httpserver) as c, pytest.raises(m.APIResponseValidationError):
        c.allof.get_extended()


def test_allof_body_arguments_carry_the_merged_required_list(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("16_allof")
    create = m.operations.create_extended.create_extended
    params = inspect.signature(create).parameters
    assert [p for p in ("id_", "name", "extra") if params[p].default is inspect.Parameter.empty] == ["id_", "name", "extra"]
    assert params["score"].default is m.NOT_GIVEN
    serve(httpserver, "/extended", {"id": 1, "name": "n", "extra": "e", "score": 3}, method="POST", status=201)
    with client(m, httpserver) as c:
        result = c.allof.create_extended(id_=1, name="n", extra="e", score=3)
        with pytest.raises(TypeError):
            c.allof.create_extended(id_=1, name="n")  # extra is required
    assert_json_identical(sent_json(httpserver), {"id": 1, "name": "n", "extra": "e", "score": 3})
    assert type(result) is m.models.Extended and type(result.score) is int


def test_allof_of_two_refs(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("16_allof")
    payload = {"id": 3, "created": "2024-01-02T03:04:05Z", "updated": "2024-02-03T04:05:06+02:00"}
    serve(httpserver, "/combined", payload)
    with client(m, httpserver) as c:
        result = c.allof.get_combined()
    assert type(result) is m.models.Combined
    assert result.name is None
    assert result.created == datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    assert result.updated.utcoffset() == datetime.timedelta(hours=2)
    assert_json_identical(result.to_dict(), payload)
    required = {n for n, f in m.models.Combined.model_fields.items() if f.is_required()}
    assert required == {"id_", "created"}


def test_nested_allof_merges_every_level(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("16_allof")
    payload = {"id": 1, "name": "n", "extra": "e", "score": 0.5, "created": "2024-01-02T03:04:05Z", "level": 4}
    serve(httpserver, "/nested", payload)
    with client(m, httpserver) as c:
        result = c.allof.get_nested()
    assert type(result) is m.models.Nested
    assert result.level == 4 and type(result.level) is int
    assert_json_identical(result.to_dict(), payload)
    fields = m.models.Nested.model_fields
    assert {n for n, f in fields.items() if f.is_required()} == {"id_", "name", "extra", "created", "level"}
    assert set(fields) == {"id_", "name", "extra", "score", "created", "updated", "level"}


def test_allof_inline_in_a_property_and_in_array_items(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("16_allof")
    payload = {
        "item": {"id": 1, "tags": ["a", "b"], "unknown": {"kept": True}},
        "history": [{"id": 2, "name": "old", "created": "2023-12-31T23:59:59Z"}],
    }
    serve(httpserver, "/envelope", payload)
    with client(m, httpserver) as c:
        result = c.allof.get_envelope()
    assert type(result) is m.models.Envelope
    assert type(result.item) is m.models.EnvelopeItem
    assert result.item.tags == ["a", "b"]
    assert type(result.history[0]) is m.models.EnvelopeHistoryItem
    assert isinstance(result.history[0].created, datetime.datetime)
    assert_json_identical(result.to_dict(), payload)


# ===================================================================== 17_discriminator_mapping


@pytest.mark.parametrize(
    ("tag", "cls", "extra"),
    [
        ("cat", "Cat", {"livesLeft": 9}),
        ("kitty", "Cat", {"livesLeft": 3}),  # a second mapping value for the same class
        ("dog", "Dog", {"goodBoy": True}),  # mapping written as a bare schema name
        ("lizard", "Lizard", {"scaleCount": 1200}),
    ],
)
def test_discriminator_mapping_picks_the_mapped_class(
    httpserver: HTTPServer, pkg: Callable[[str], Any], tag: str, cls: str, extra: dict[str, Any]
) -> None:
    m = pkg("17_discriminator_mapping")
    # Every member accepts this object structurally (all other fields optional): only the
    # discriminator can tell which class it is.
    payload = {"petType": tag, "name": "Rex", **extra}
    serve(httpserver, "/pets/p1", payload)
    with client(m, httpserver) as c:
        result = c.pets.get_pet(pet_id="p1")
    assert type(result) is getattr(m.models, cls)
    assert result.pet_type == tag
    assert_json_identical(result.to_dict(), payload)


def test_discriminator_value_decides_even_against_the_shape(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("17_discriminator_mapping")
    payload = {"petType": "dog", "livesLeft": 9}  # a Cat property on a dog: kept as an unknown key
    serve(httpserver, "/pets/p2", payload)
    with client(m, httpserver) as c:
        result = c.pets.get_pet(pet_id="p2")
    assert type(result) is m.models.Dog
    assert result.good_boy is None
    assert_json_identical(result.to_dict(), payload)


def test_discriminator_unknown_value_fails_with_the_sdk_error(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    """Behaviour today (documented by this test): a value neither mapped nor a branch name is a
    response validation error, raised as the SDK's APIResponseValidationError."""
    m = pkg("17_discriminator_mapping")
    payload = {"petType": "hamster", "name": "Hammy"}
    serve(httpserver, "/pets/p3", payload)
    with client(m, httpserver) as c, pytest.raises(m.APIResponseValidationError) as info:
        c.pets.get_pet(pet_id="p3")
    assert info.value.body == payload  # the raw JSON stays available to the caller
    # The message names the property and the values the spec allows.
    assert "'petType' must be one of 'cat', 'kitty', 'dog', 'lizard'" in str(info.value)


def test_discriminated_union_async(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("17_discriminator_mapping")
    payload = [{"petType": "kitty", "livesLeft": 2}, {"petType": "dog"}]
    serve(httpserver, "/pets", payload)

    async def go() -> Any:
        async with m.AsyncClient(token=TOKEN, base_url=httpserver.url_for("")) as c:
            return await c.pets.list_pets()

    result = asyncio.run(go())
    assert [type(p) for p in result] == [m.models.Cat, m.models.Dog]
    assert_json_identical(dump(result), payload)


def test_discriminator_missing_property_fails_with_the_sdk_error(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("17_discriminator_mapping")
    serve(httpserver, "/pets/p4", {"name": "no tag"})
    with client(m, httpserver) as c, pytest.raises(m.APIResponseValidationError):
        c.pets.get_pet(pet_id="p4")


def test_discriminated_union_in_an_array_response(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("17_discriminator_mapping")
    payload = [
        {"petType": "lizard", "name": "Liz"},
        {"petType": "kitty", "name": "Tom"},
        {"petType": "dog", "name": "Rex", "goodBoy": False},
        {"petType": "cat"},
    ]
    serve(httpserver, "/pets", payload)
    with client(m, httpserver) as c:
        result = c.pets.list_pets()
    assert type(result) is list
    assert [type(p).__name__ for p in result] == ["Lizard", "Cat", "Dog", "Cat"]
    assert all(isinstance(p, (m.models.Cat, m.models.Dog, m.models.Lizard)) for p in result)
    assert_json_identical(dump(result), payload)


def test_discriminated_union_in_a_map_response(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("17_discriminator_mapping")
    payload = {"rex": {"petType": "dog"}, "tom": {"petType": "cat", "livesLeft": 8}}
    serve(httpserver, "/pets/by-name", payload)
    with client(m, httpserver) as c:
        result = c.pets.pets_by_name()
    assert type(result) is dict
    assert type(result["rex"]) is m.models.Dog and type(result["tom"]) is m.models.Cat
    assert result["tom"].lives_left == 8
    assert_json_identical(dump(result), payload)


def test_discriminated_union_in_model_arrays_and_maps(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("17_discriminator_mapping")
    payload = {
        "residents": [{"petType": "cat", "name": "A"}, {"petType": "lizard", "scaleCount": 5}],
        "byKennel": {"k1": {"petType": "dog", "goodBoy": True}, "k2": {"petType": "kitty"}},
        "favourite": {"petType": "dog", "name": "Best"},
    }
    serve(httpserver, "/shelter", payload)
    with client(m, httpserver) as c:
        result = c.pets.get_shelter()
    assert type(result) is m.models.Shelter
    assert [type(p) for p in result.residents] == [m.models.Cat, m.models.Lizard]
    assert {k: type(v) for k, v in result.by_kennel.items()} == {"k1": m.models.Dog, "k2": m.models.Cat}
    assert type(result.favourite) is m.models.Dog
    assert_json_identical(result.to_dict(), payload)


def test_discriminated_union_unknown_value_inside_an_array(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    """Behaviour today: one unknown tag anywhere fails the whole response."""
    m = pkg("17_discriminator_mapping")
    serve(httpserver, "/shelter", {"residents": [{"petType": "cat"}, {"petType": "parrot"}]})
    with client(m, httpserver) as c, pytest.raises(m.APIResponseValidationError):
        c.pets.get_shelter()


# =================================================================== 18_discriminator_implicit


@pytest.mark.parametrize(("tag", "size"), [("Circle", 1), ("Square", 1.5)])
def test_implicit_discriminator_values_are_component_names(
    httpserver: HTTPServer, pkg: Callable[[str], Any], tag: str, size: Any
) -> None:
    m = pkg("18_discriminator_implicit")
    payload = {"kind": tag, "size": size}  # Circle and Square have the same shape
    serve(httpserver, "/shapes/1", payload)
    with client(m, httpserver) as c:
        result = c.shapes.get_shape(id_=1)
    assert type(result) is getattr(m.models, tag)
    assert type(result.size) is type(size)
    assert_json_identical(result.to_dict(), payload)


def test_implicit_discriminator_is_case_sensitive(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("18_discriminator_implicit")
    serve(httpserver, "/shapes/2", {"kind": "circle"})
    with client(m, httpserver) as c, pytest.raises(m.APIResponseValidationError):
        c.shapes.get_shape(id_=2)


@pytest.mark.parametrize("payload", [None, {"kind": "Square", "size": 2}, {"kind": "Circle"}])
def test_nullable_discriminated_union_response(httpserver: HTTPServer, pkg: Callable[[str], Any], payload: Any) -> None:
    m = pkg("18_discriminator_implicit")
    serve(httpserver, "/shapes/3/maybe", payload)
    with client(m, httpserver) as c:
        result = c.shapes.get_maybe_shape(id_=3)
    if payload is None:
        assert result is None
    else:
        assert type(result) is getattr(m.models, payload["kind"])
        assert_json_identical(result.to_dict(), payload)


def test_nullable_discriminated_unions_in_a_model(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("18_discriminator_implicit")
    payload = {
        "main": {"kind": "Square", "size": 3},
        "background": None,
        "layers": [{"kind": "Circle", "size": 0.25}, None, {"kind": "Square"}],
    }
    serve(httpserver, "/drawing", payload)
    with client(m, httpserver) as c:
        result = c.shapes.get_drawing()
    assert type(result) is m.models.Drawing
    assert type(result.main) is m.models.Square
    assert result.background is None
    assert [type(x) for x in result.layers] == [m.models.Circle, type(None), m.models.Square]
    assert_json_identical(result.to_dict(), payload)
    # background is required (and nullable): leaving it out is an error, null is not.
    httpserver.clear()
    serve(httpserver, "/drawing", {"main": {"kind": "Circle"}})
    with client(m, httpserver) as c, pytest.raises(m.APIResponseValidationError):
        c.shapes.get_drawing()


# ======================================================================= 19_unions_structural


@pytest.mark.parametrize("op", ["get_contact", "get_lookup"])  # oneOf and anyOf
@pytest.mark.parametrize(
    ("payload", "cls"),
    [
        ({"email": "a@example.com", "verified": True}, "ByEmail"),
        ({"phone": "+331234", "country": "FR"}, "ByPhone"),
        ({"phone": "+331234", "verified": False}, "ByPhone"),  # a ByEmail key, but no email
    ],
)
def test_structural_union_of_objects_with_disjoint_required_keys(
    httpserver: HTTPServer, pkg: Callable[[str], Any], op: str, payload: dict[str, Any], cls: str
) -> None:
    m = pkg("19_unions_structural")
    path = "/contacts/x" if op == "get_contact" else "/lookups/x"
    serve(httpserver, path, payload)
    with client(m, httpserver) as c:
        result = getattr(c.unions, op)(id_="x")
    assert type(result) is getattr(m.models, cls)
    assert_json_identical(result.to_dict(), payload)


@pytest.mark.parametrize("op", ["get_contact", "get_lookup"])
def test_structural_union_matching_both_members_picks_the_first(
    httpserver: HTTPServer, pkg: Callable[[str], Any], op: str
) -> None:
    """Documented behaviour: an object with both required keys matches both members; pydantic's
    smart mode gives each the same score (one declared field set) and keeps the first, ByEmail,
    for oneOf (which the spec says is invalid JSON) as for anyOf. Nothing is lost in to_dict."""
    m = pkg("19_unions_structural")
    payload = {"email": "a@example.com", "phone": "+331234"}
    serve(httpserver, "/contacts/y" if op == "get_contact" else "/lookups/y", payload)
    with client(m, httpserver) as c:
        result = getattr(c.unions, op)(id_="y")
    assert type(result) is m.models.ByEmail
    assert_json_identical(result.to_dict(), payload)


def test_structural_union_matching_no_member_is_rejected(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("19_unions_structural")
    serve(httpserver, "/contacts/z", {"fax": "123"})
    with client(m, httpserver) as c, pytest.raises(m.APIResponseValidationError):
        c.unions.get_contact(id_="z")


@pytest.mark.parametrize(
    ("key", "value", "python_type"),
    [
        ("intOrNumber", 5, int),
        ("intOrNumber", 5.0, float),
        ("intOrNumber", -0.5, float),
        ("stringOrInteger", "5", str),
        ("stringOrInteger", 5, int),
        ("arrayOrString", ["a", "b"], list),
        ("arrayOrString", "a,b", str),
        ("arrayOrString", [], list),
        ("boolOrInteger", True, bool),
        ("boolOrInteger", 1, int),
        ("boolOrInteger", 0, int),
        ("boolOrInteger", False, bool),
    ],
)
def test_primitive_unions_keep_the_json_type(
    httpserver: HTTPServer, pkg: Callable[[str], Any], key: str, value: Any, python_type: type
) -> None:
    m = pkg("19_unions_structural")
    payload = {key: value}
    serve(httpserver, "/mixed", payload)
    with client(m, httpserver) as c:
        result = c.unions.get_mixed()
    assert type(result) is m.models.Mixed
    field = next(n for n, f in m.models.Mixed.model_fields.items() if f.alias == key)
    assert type(getattr(result, field)) is python_type
    assert getattr(result, field) == value
    assert_json_identical(result.to_dict(), payload)


def test_union_inside_a_model_property(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("19_unions_structural")
    payload = {"intOrNumber": 10, "contact": {"phone": "1"}}
    serve(httpserver, "/mixed", payload)
    with client(m, httpserver) as c:
        result = c.unions.get_mixed()
    assert type(result.contact) is m.models.ByPhone
    assert_json_identical(result.to_dict(), payload)


@pytest.mark.parametrize(("value", "python_type"), [(5, int), (5.5, float), (0.0, float), (10**20, int)])
def test_top_level_integer_or_number_response(
    httpserver: HTTPServer, pkg: Callable[[str], Any], value: Any, python_type: type
) -> None:
    m = pkg("19_unions_structural")
    serve(httpserver, "/number", value)
    with client(m, httpserver) as c:
        result = c.unions.get_number()
    assert type(result) is python_type and result == value


# ============================================================================= 20_enums_const


def test_known_enum_and_const_values(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("20_enums_const")
    payload = [{"kind": "widget", "schemaVersion": 2, "color": "red", "priority": 1, "mode": "auto", "size": "M", "status": "on"}]
    serve(httpserver, "/widgets", payload)
    with client(m, httpserver) as c:
        result = c.widgets.list_widgets(color="green", order="desc", priority=3, level=1)
    assert query(httpserver) == [("color", "green"), ("order", "desc"), ("priority", "3"), ("level", "1")]
    (widget,) = result
    assert type(widget) is m.models.Widget
    assert (widget.kind, widget.schema_version, widget.color, widget.priority) == ("widget", 2, "red", 1)
    assert type(widget.priority) is int and type(widget.schema_version) is int
    assert_json_identical(dump(result), payload)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("color", "purple"),  # string enum
        ("priority", 7),  # integer enum
        ("mode", "turbo"),  # mixed enum, unknown string
        ("mode", 42),  # mixed enum, unknown integer
        ("mode", 0),  # mixed enum, known integer
        ("size", "XL"),  # inline enum
        ("status", "standby"),  # nullable enum
        ("status", None),
    ],
)
def test_unknown_enum_values_from_the_server_are_kept(
    httpserver: HTTPServer, pkg: Callable[[str], Any], key: str, value: Any
) -> None:
    m = pkg("20_enums_const")
    payload = {"kind": "widget", "color": "blue", "priority": 2, key: value}
    serve(httpserver, "/widgets", [payload])
    with client(m, httpserver) as c:
        (widget,) = c.widgets.list_widgets()
    field = next(n for n, f in m.models.Widget.model_fields.items() if (f.alias or n) == key)
    assert getattr(widget, field) == value and type(getattr(widget, field)) is type(value)
    assert_json_identical(widget.to_dict(), payload)


def test_enum_alias_response_keeps_an_unknown_value(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("20_enums_const")
    serve(httpserver, "/colors/favourite", "ultraviolet")
    with client(m, httpserver) as c:
        assert c.widgets.favourite_color() == "ultraviolet"


def test_enum_values_keep_their_json_type(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    """"2" is not the integer enum value 2: by default it is kept as the string the server sent;
    in strict mode the response fails, naming the field."""
    m = pkg("20_enums_const")
    sent = [{"kind": "widget", "color": "red", "priority": "2"}]
    serve(httpserver, "/widgets", sent)
    with client(m, httpserver, strict=False) as c:
        (widget,) = c.widgets.list_widgets()
        with pytest.raises(m.APIResponseValidationError) as raised:
            c.with_options(strict_response_validation=True).widgets.list_widgets()
    assert type(widget) is m.models.Widget and widget.priority == "2" and widget.color == "red"
    assert_json_identical(widget.to_dict(), sent[0])
    assert "[0].priority" in str(raised.value) and raised.value.body == sent


def test_const_property(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("20_enums_const")
    fields = m.models.Widget.model_fields
    kind_args = typing.get_args(fields["kind"].annotation)
    assert typing.Literal["widget"] in kind_args or fields["kind"].annotation == typing.Literal["widget"]
    assert fields["kind"].is_required()
    version = fields["schema_version"].annotation
    assert typing.Literal[2] in typing.get_args(version)


@pytest.mark.parametrize(
    ("op", "arg"),
    [
        ("list_widgets", "order"),  # inline string enum
        ("list_widgets", "level"),  # inline integer enum
        ("list_widgets", "color"),  # $ref to a string enum component
        ("list_widgets", "priority"),  # $ref to an integer enum component
        ("create_widget", "color"),  # $ref enum as a body property
        ("create_widget", "size"),  # inline enum as a body property
    ],
)
def test_enum_arguments_are_closed_literals(pkg: Callable[[str], Any], op: str, arg: str) -> None:
    m = pkg("20_enums_const")
    module = getattr(m.operations, op)
    tp = annotation(module, getattr(module, op), arg)
    assert is_closed_literal(tp, m.NotGiven), f"{op}({arg}: {tp}) is not a closed Literal"


def test_enum_body_argument_is_sent(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("20_enums_const")
    payload = {"kind": "widget", "color": "red", "priority": 1, "size": "S"}
    serve(httpserver, "/widgets", payload, method="POST", status=201)
    with client(m, httpserver) as c:
        result = c.widgets.create_widget(color="red", size="S")
    assert_json_identical(sent_json(httpserver), {"color": "red", "size": "S"})
    assert_json_identical(result.to_dict(), payload)


# =============================================================================== 21_recursive


def test_self_recursive_tree(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("21_recursive")
    payload = {
        "name": "root",
        "weight": 1,
        "children": [
            {"name": "a", "weight": 0.5, "children": [{"name": "a1", "children": [{"name": "a1x", "weight": 2.0, "children": []}]}]},
            {"name": "b"},
        ],
    }
    serve(httpserver, "/tree", payload)
    with client(m, httpserver) as c:
        root = c.recursive.get_tree()
    node = m.models.TreeNode
    assert type(root) is node and type(root.weight) is int
    a = root.children[0]
    assert type(a) is node and type(a.weight) is float
    deep = a.children[0].children[0]
    assert type(deep) is node and deep.name == "a1x" and type(deep.weight) is float and deep.children == []
    assert root.children[1].children is None
    assert_json_identical(root.to_dict(), payload)


def test_self_recursive_tree_as_a_request_body(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("21_recursive")
    httpserver.expect_request("/tree", method="PUT").respond_with_data("", status=204)
    node = m.models.TreeNode
    leaf = node(name="leaf", weight=3)
    with client(m, httpserver) as c:
        assert c.recursive.put_tree(name="root", children=[node(name="mid", children=[leaf])]) is None
    assert_json_identical(sent_json(httpserver), {"name": "root", "children": [{"name": "mid", "children": [{"name": "leaf", "weight": 3}]}]})


def test_mutually_recursive_models(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("21_recursive")
    payload = {"count": 1, "pong": {"count": 2, "ping": {"count": 3, "pong": {"count": 4, "ping": {"count": 5, "pong": None}}}}}
    serve(httpserver, "/ping-pong", payload)
    with client(m, httpserver) as c:
        ping = c.recursive.get_ping()
    chain = [ping, ping.pong, ping.pong.ping, ping.pong.ping.pong, ping.pong.ping.pong.ping]
    assert [type(x) for x in chain] == [m.models.Ping, m.models.Pong] * 2 + [m.models.Ping]
    assert [x.count for x in chain] == [1, 2, 3, 4, 5]
    assert chain[-1].pong is None
    assert_json_identical(ping.to_dict(), payload)


def test_recursion_through_a_map(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("21_recursive")
    payload = {"name": "/", "entries": {"usr": {"name": "usr", "entries": {"lib": {"name": "lib", "entries": {}}}}, "tmp": {"name": "tmp"}}}
    serve(httpserver, "/folder", payload)
    with client(m, httpserver) as c:
        root = c.recursive.get_folder()
    folder = m.models.Folder
    assert type(root) is folder
    assert type(root.entries["usr"]) is folder and type(root.entries["usr"].entries["lib"]) is folder
    assert root.entries["usr"].entries["lib"].entries == {}
    assert root.entries["tmp"].entries is None
    assert_json_identical(root.to_dict(), payload)


# ============================================================================ 22_prefix_items


def test_prefix_items_response_round_trips(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("22_prefix_items")
    payload = {"start": [1, 2.5], "points": [[0, 0], [-1.5, 3]], "header": ["label", 3, True, "x", "y"]}
    serve(httpserver, "/track", payload)
    with client(m, httpserver) as c:
        track = c.geo.get_track()
    assert type(track) is m.models.Track
    assert list(track.start) == [1, 2.5]
    assert [type(v) for v in track.start] == [int, float]
    assert [type(v) for v in track.points[1]] == [float, int]
    assert [type(v) for v in track.header] == [str, int, bool, str, str]
    assert_json_identical(track.to_dict(), payload)


def test_closed_prefix_items_is_a_tuple(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    """``prefixItems`` with ``items: false`` is a fixed-length tuple: 3 numbers are rejected."""
    m = pkg("22_prefix_items")
    start = m.models.Track.model_fields["start"].annotation
    assert typing.get_origin(start) is tuple and len(typing.get_args(start)) == 2, start
    serve(httpserver, "/track", {"start": [1, 2, 3], "points": []})
    with client(m, httpserver) as c, pytest.raises(m.APIResponseValidationError):
        c.geo.get_track()


def test_open_prefix_items_is_typed_by_position_or_warned_about(tmp_path: Path) -> None:
    """``Row`` is (string, integer, boolean) then strings. Typing it as ``list[str | int | bool]``
    accepts ``[1, "x", true]``; the generator must either type the positions or warn with the
    schema's JSON pointer (and still generate)."""
    result = generate(SPECS / "22_prefix_items.yaml", "c22_prefix_items", tmp_path)
    assert any(f.endswith("models/row.py") for f in result.files)
    row = result.files["c22_prefix_items/models/row.py"]
    typed_by_position = "tuple[" in row
    warned = any(w.where.startswith("#/components/schemas/Row") and "prefixItems" in w.message for w in result.warnings)
    assert typed_by_position or warned, (row.splitlines()[-1], [(w.where, w.message) for w in result.warnings])


# ========================================================================== 23_inline_objects

INLINE_NAMES = {
    "CreateOrderBody",
    "CreateOrderBodyCustomer",
    "CreateOrderBodyCustomerAddress",
    "CreateOrderBodyLinesItem",
    "CreateOrderResponse201",
    "ListOrdersFilter",
    "ListOrdersResponse200",
    "ListOrdersResponse200Page",
    "Order",
    "OrderLinesItem",
    "OrderLinesItemDiscount",
    "OrderShipping",
}


def test_inline_objects_are_hoisted_to_the_expected_names(pkg: Callable[[str], Any]) -> None:
    m = pkg("23_inline_objects")
    names = {n for n in m.models.__all__}
    assert names == INLINE_NAMES
    for name in names:
        assert issubclass(getattr(m.models, name), pydantic.BaseModel)


def test_inline_objects_in_responses_and_array_items(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("23_inline_objects")
    payload = {
        "orders": [
            {
                "id": "o1",
                "shipping": {"method": "post", "cost": 4.5},
                "lines": [{"sku": "A", "qty": 2, "discount": {"percent": 10, "code": "TEN"}}, {"sku": "B", "qty": 1}],
            }
        ],
        "page": {"next": None, "size": 1},
    }
    serve(httpserver, "/orders", payload)
    with client(m, httpserver) as c:
        result = c.orders.list_orders()
    mm = m.models
    assert type(result) is mm.ListOrdersResponse200
    assert type(result.page) is mm.ListOrdersResponse200Page and result.page.next_ is None
    order = result.orders[0]
    assert type(order) is mm.Order and type(order.shipping) is mm.OrderShipping
    assert type(order.shipping.cost) is float
    assert [type(line) for line in order.lines] == [mm.OrderLinesItem] * 2
    assert type(order.lines[0].discount) is mm.OrderLinesItemDiscount and type(order.lines[0].discount.percent) is int
    assert_json_identical(result.to_dict(), payload)


def test_inline_object_query_parameter(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("23_inline_objects")
    serve(httpserver, "/orders", {"orders": [], "page": {"next": "p2"}})
    with client(m, httpserver) as c:
        result = c.orders.list_orders(filter_=m.models.ListOrdersFilter(status="open", min_total=10))
    assert query(httpserver) == [("filter[status]", "open"), ("filter[minTotal]", "10")]
    assert result.page.next_ == "p2"


def test_inline_object_request_body_and_response(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("23_inline_objects")
    mm = m.models
    serve(httpserver, "/orders", {"id": "o9", "total": 12}, method="POST", status=201)
    with client(m, httpserver) as c:
        result = c.orders.create_order(
            customer=mm.CreateOrderBodyCustomer(name="Ada", address=mm.CreateOrderBodyCustomerAddress(city="Paris", zip_="75001")),
            lines=[mm.CreateOrderBodyLinesItem(sku="A", qty=2)],
        )
    assert_json_identical(
        sent_json(httpserver),
        {"customer": {"name": "Ada", "address": {"city": "Paris", "zip": "75001"}}, "lines": [{"sku": "A", "qty": 2}]},
    )
    assert type(result) is mm.CreateOrderResponse201
    assert result.id_ == "o9" and type(result.total) is int
    assert_json_identical(result.to_dict(), {"id": "o9", "total": 12})


def test_inline_object_names_are_deterministic(tmp_path: Path) -> None:
    spec = SPECS / "23_inline_objects.json"
    first = generate(spec, "c23_inline_objects", tmp_path / "a" / "out")
    second = generate(spec, "c23_inline_objects", tmp_path / "b" / "out")
    assert first.files == second.files
    # Another interpreter with another hash seed: same files as the golden record.
    code = (
        "import json, sys; from pathlib import Path; sys.path.insert(0, 'tests');"
        "from generator.config import Config; from generator.pipeline import run;"
        f"r = run(Config(spec=Path({str(spec)!r}), out=Path({str(tmp_path / 'c' / 'out')!r}), package='c23_inline_objects', client='Client', root=Path({str(ROOT)!r})));"
        "print(json.dumps(r.files))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == first.files
    assert sorted(first.files) == sorted(golden_files("23_inline_objects"))


# ================================================================== 24_arrays_maps_of_unions


def test_arrays_and_maps_of_unions(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("24_arrays_maps_of_unions")
    mm = m.models
    payload = {
        "scalars": ["a", 1, True, 0, False, "1", "true"],
        "shapes": [{"radius": 1}, {"side": 2.5}, {"radius": 0.0}],
        "shapeByName": {"c": {"radius": 3}, "s": {"side": 4}},
        "scalarByName": {"x": 1, "y": "1", "z": False},
        "groups": {"admins": ["ada"], "empty": []},
        "matrix": {"a": {"x": 1, "y": 1.0}, "b": {}},
        "grid": [[1, "a", None], [], ["2", 2]],
    }
    serve(httpserver, "/container", payload)
    with client(m, httpserver) as c:
        result = c.containers.get_container()
    assert type(result) is mm.Container
    assert [type(v) for v in result.scalars] == [str, int, bool, int, bool, str, str]
    assert [type(v) for v in result.shapes] == [mm.Circle, mm.Square, mm.Circle]
    assert type(result.shapes[2].radius) is float
    assert {k: type(v) for k, v in result.shape_by_name.items()} == {"c": mm.Circle, "s": mm.Square}
    assert [type(v) for v in result.scalar_by_name.values()] == [int, str, bool]
    assert result.groups == {"admins": ["ada"], "empty": []}
    assert [type(v) for v in result.matrix["a"].values()] == [int, float]
    assert [[type(v) for v in row] for row in result.grid] == [[int, str, type(None)], [], [str, int]]
    assert_json_identical(result.to_dict(), payload)


def test_map_of_arrays_of_unions_response(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("24_arrays_maps_of_unions")
    payload = {"a": [1, "1", 2], "b": []}
    serve(httpserver, "/scores", payload)
    with client(m, httpserver) as c:
        result = c.containers.get_scores()
    assert type(result) is dict
    assert [type(v) for v in result["a"]] == [int, str, int]
    assert_json_identical(dump(result), payload)


def test_union_member_of_the_wrong_type_is_rejected(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("24_arrays_maps_of_unions")
    serve(httpserver, "/scores", {"a": [1.5]})  # neither integer nor string
    with client(m, httpserver) as c, pytest.raises(m.APIResponseValidationError):
        c.containers.get_scores()


# ================================================================================ 25_formats

CANONICAL_SAMPLE = {
    "when": "2024-05-01T09:00:00Z",
    "day": "2024-05-01",
    "at": "09:30:00",
    "id": "0b9e6f2c-6a0f-4a4e-9d8c-2f1f3a1b5c7d",
    "link": "https://example.com/a?b=c",
    "mail": "ada@example.com",
    "raw": "plain bytes",
    "blob": "aGVsbG8=",
    "big": 9007199254740993,
    "small": -2147483648,
    "single": 1.5,
    "double": 2,
    "decimalText": "0.10",
    "money": 19.99,
}


def test_formats_in_a_response(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("25_formats")
    serve(httpserver, "/samples", CANONICAL_SAMPLE)
    with client(m, httpserver) as c:
        s = c.formats.find_samples()
    assert type(s) is m.models.Sample
    assert s.when == datetime.datetime(2024, 5, 1, 9, 0, tzinfo=datetime.timezone.utc)
    expected_types = {
        "when": datetime.datetime,
        "day": datetime.date,
        "at": datetime.time,
        "id_": str,  # uuid stays a string
        "link": str,
        "mail": str,
        "raw": bytes,  # binary: the string's UTF-8 bytes
        "blob": str,  # byte (base64) stays the string as sent
        "big": int,
        "small": int,
        "single": float,
        "double": int,  # number: 2 stays an int
        "decimal_text": str,
        "money": float,
    }
    temporal = (datetime.datetime, datetime.date, datetime.time)
    for name, kind in expected_types.items():
        value = getattr(s, name)
        if kind in temporal:  # subclasses of datetime/date/time that also keep the text sent
            assert isinstance(value, kind) and value.text == CANONICAL_SAMPLE[name], name
        else:
            assert type(value) is kind, name
    assert s.big == 9007199254740993  # beyond 2**53: exact
    assert s.money == 19.99 and s.decimal_text == "0.10"
    assert_json_identical(s.to_dict(), CANONICAL_SAMPLE)


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("when", "2024-05-01T09:00:00+00:00"),
        ("when", "2024-05-01T11:00:00+02:00"),
        ("when", "2024-05-01T09:00:00.000Z"),
        ("when", "2024-05-01T09:00:00.5Z"),
        ("at", "09:30:00.250"),
        ("at", "09:30:00Z"),
        ("money", 1e-07),
        ("big", -(2**63)),
    ],
)
def test_formats_round_trip_exactly(httpserver: HTTPServer, pkg: Callable[[str], Any], key: str, text: Any) -> None:
    """to_dict() gives back the JSON as sent, also for valid but non-canonical spellings."""
    m = pkg("25_formats")
    payload = {"when": "2024-05-01T09:00:00Z", key: text}
    serve(httpserver, "/samples", payload)
    with client(m, httpserver) as c:
        s = c.formats.find_samples()
    assert_json_identical(s.to_dict(), payload)


def test_format_arguments_in_the_query(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("25_formats")
    serve(httpserver, "/samples", {"when": "2024-05-01T09:00:00Z"})
    cet = datetime.timezone(datetime.timedelta(hours=1))
    with client(m, httpserver) as c:
        c.formats.find_samples(
            since=datetime.datetime(2024, 5, 1, 9, 0, 0, 250000, tzinfo=cet),
            day=datetime.date(2024, 2, 29),
            at=datetime.time(23, 59, 1),
            id_="0b9e6f2c-6a0f-4a4e-9d8c-2f1f3a1b5c7d",
            big=2**63 - 1,
            ratio=0.1,
            amount="12.30",
        )
    assert query(httpserver) == [
        ("since", "2024-05-01T09:00:00.250000+01:00"),
        ("day", "2024-02-29"),
        ("at", "23:59:01"),
        ("id", "0b9e6f2c-6a0f-4a4e-9d8c-2f1f3a1b5c7d"),
        ("big", "9223372036854775807"),
        ("ratio", "0.1"),
        ("amount", "12.30"),
    ]


def test_naive_datetime_argument_is_refused(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("25_formats")
    with client(m, httpserver) as c, pytest.raises(ValueError):
        c.formats.find_samples(since=datetime.datetime(2024, 5, 1, 9, 0))
    assert len(httpserver.log) == 0


def test_format_arguments_in_a_json_body(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("25_formats")
    serve(httpserver, "/samples", CANONICAL_SAMPLE, method="POST", status=201)
    with client(m, httpserver) as c:
        s = c.formats.create_sample(
            when=datetime.datetime(2024, 5, 1, 9, 0, tzinfo=datetime.timezone.utc),
            day=datetime.date(2024, 5, 1),
            at=datetime.time(9, 30),
            raw=b"plain bytes",
            big=9007199254740993,
            single=1.5,
            double=2,
            money=19.99,
        )
    assert_json_identical(
        sent_json(httpserver),
        {
            "when": "2024-05-01T09:00:00Z",
            "day": "2024-05-01",
            "at": "09:30:00",
            "raw": "plain bytes",
            "big": 9007199254740993,
            "single": 1.5,
            "double": 2,
            "money": 19.99,
        },
    )
    assert_json_identical(s.to_dict(), CANONICAL_SAMPLE)


# ========================================================================= 26_read_write_only


def test_read_only_properties_are_not_body_arguments(pkg: Callable[[str], Any]) -> None:
    m = pkg("26_read_write_only")
    params = inspect.signature(m.operations.create_account.create_account).parameters
    assert "id_" not in params and "created_at" not in params
    assert params["name"].default is inspect.Parameter.empty
    assert params["nickname"].default is m.NOT_GIVEN


def test_required_write_only_property_is_a_required_body_argument(pkg: Callable[[str], Any]) -> None:
    """``password`` is required and writeOnly: a request must carry it, so the argument has no
    default (only responses may leave it out)."""
    m = pkg("26_read_write_only")
    params = inspect.signature(m.operations.create_account.create_account).parameters
    assert params["password"].default is inspect.Parameter.empty
    assert params["secret_answer"].default is m.NOT_GIVEN  # writeOnly, not required


def test_write_only_properties_may_be_absent_from_responses(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("26_read_write_only")
    payload = {"id": 5, "createdAt": "2024-05-01T09:00:00Z", "name": "ada"}  # no password
    serve(httpserver, "/accounts", payload, method="POST", status=201)
    with client(m, httpserver) as c:
        account = c.accounts.create_account(name="ada", password="s3cret")
    assert_json_identical(sent_json(httpserver), {"name": "ada", "password": "s3cret"})
    assert type(account) is m.models.Account
    assert account.id_ == 5 and isinstance(account.created_at, datetime.datetime)
    assert account.password is None
    assert_json_identical(account.to_dict(), payload)


def test_read_only_properties_are_required_in_responses(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("26_read_write_only")
    serve(httpserver, "/accounts/5", {"id": 5, "createdAt": "2024-05-01T09:00:00Z", "name": "ada", "nickname": "A"})
    with client(m, httpserver) as c:
        account = c.accounts.get_account(id_=5)
    assert account.nickname == "A" and account.secret_answer is None
    httpserver.clear()
    serve(httpserver, "/accounts/6", {"name": "no id"})
    with client(m, httpserver) as c, pytest.raises(m.APIResponseValidationError):
        c.accounts.get_account(id_=6)


# =============================================================================== 27_defaults


def test_parameter_defaults_are_not_sent(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("27_defaults")
    params = inspect.signature(m.operations.list_items.list_items).parameters
    assert all(params[p].default is m.NOT_GIVEN for p in ("limit", "sort", "verbose", "x_page_size"))
    serve(httpserver, "/items", [])
    with client(m, httpserver) as c:
        assert c.items.list_items() == []
    request = only_request(httpserver)
    assert query(httpserver) == []
    assert "X-Page-Size" not in request.headers


def test_parameter_equal_to_its_default_is_sent_when_given(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("27_defaults")
    serve(httpserver, "/items", [{}])
    with client(m, httpserver) as c:
        (settings,) = c.items.list_items(limit=20, sort="asc", verbose=False, x_page_size=50)
    assert query(httpserver) == [("limit", "20"), ("sort", "asc"), ("verbose", "false")]
    assert only_request(httpserver).headers["X-Page-Size"] == "50"
    assert settings.to_dict() == {}


def test_model_defaults_are_not_invented_by_to_dict(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("27_defaults")
    serve(httpserver, "/settings", {})
    with client(m, httpserver) as c:
        s = c.items.get_settings()
    assert type(s) is m.models.Settings
    assert_json_identical(s.to_dict(), {})
    # Reading a field gives the spec's default.
    assert (s.theme, s.page_size, s.ratio, s.notify, s.tags, s.level, s.nickname) == ("light", 25, 0.5, True, [], "low", None)
    assert type(s.ratio) is float and type(s.page_size) is int
    assert_json_identical(m.models.Settings().to_dict(), {})


def test_model_field_equal_to_its_default_is_kept(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("27_defaults")
    payload = {"theme": "light", "pageSize": 25, "ratio": 0.5, "notify": True, "tags": [], "level": "low", "nickname": None}
    serve(httpserver, "/settings", payload)
    with client(m, httpserver) as c:
        s = c.items.get_settings()
    assert_json_identical(s.to_dict(), payload)


def test_mutable_defaults_are_not_shared(pkg: Callable[[str], Any]) -> None:
    m = pkg("27_defaults")
    first = m.models.Settings()
    first.tags.append("x")
    assert m.models.Settings().tags == []


def test_body_defaults_are_not_sent(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("27_defaults")
    params = inspect.signature(m.operations.put_settings.put_settings).parameters
    body = ("theme", "page_size", "ratio", "notify", "tags", "level", "nickname")
    assert [n for n in params if n in body] == list(body)
    assert all(params[n].default is m.NOT_GIVEN for n in body)
    serve(httpserver, "/settings", {"theme": "dark"}, method="PUT")
    with client(m, httpserver) as c:
        s = c.items.put_settings(theme="dark", nickname=None)
    assert_json_identical(sent_json(httpserver), {"theme": "dark", "nickname": None})
    assert_json_identical(s.to_dict(), {"theme": "dark"})


# ================================================================================= 28_names

NAMES_SPEC = SPECS / "28_names.yaml"
COMPONENTS = ["user_profile", "UserProfile", "Client", "Response", "Any", "List", "Field", "BaseModel",
              "class", "from", "import", "1Thing", "Café", "my-thing", "a.b.c"]  # fmt: skip


def _component_classes(module: Any) -> dict[str, type]:
    """Component name → its class, read from the ``Everything`` model (one property per component)."""
    out: dict[str, type] = {}
    for name, f in module.models.Everything.model_fields.items():
        (cls,) = [a for a in typing.get_args(f.annotation) if a is not type(None)]
        out[f.alias or name] = cls
    return out


def test_troublesome_schema_names_import_as_distinct_classes(pkg: Callable[[str], Any]) -> None:
    m = pkg("28_names")
    classes = _component_classes(m)
    assert list(classes) == COMPONENTS
    assert len({id(c) for c in classes.values()}) == len(COMPONENTS)
    for api, cls in classes.items():
        assert issubclass(cls, m._models.BaseModel), api
        assert cls.__name__.isidentifier(), api
        assert getattr(m.models, cls.__name__) is cls, api
    # The API client, the runtime base and pydantic's names are not shadowed by the models.
    assert m.Client is not classes["Client"]
    assert m.Client.__module__ == "c28_names._client"
    assert classes["BaseModel"] is not m._models.BaseModel
    assert {c.__name__ for c in classes.values()} >= {"UserProfile", "Cafe", "MyThing", "ABC"}


def test_troublesome_schema_names_round_trip(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("28_names")
    classes = _component_classes(m)
    spec = yaml.safe_load(NAMES_SPEC.read_text(encoding="utf-8"))
    payload: dict[str, Any] = {}
    for i, api in enumerate(COMPONENTS):
        (prop, schema) = next(iter(spec["components"]["schemas"][api]["properties"].items()))
        payload[api] = {prop: i if schema["type"] == "integer" else f"v{i}"}
    serve(httpserver, "/everything", payload)
    with client(m, httpserver) as c:
        result = c.names.get_everything()
    assert type(result) is m.models.Everything
    for name, f in m.models.Everything.model_fields.items():
        assert type(getattr(result, name)) is classes[f.alias or name]
    assert_json_identical(result.to_dict(), payload)


PROPS = {
    "class": "c", "from": "f", "import": "i", "1st": 1, "café": "ç", "my-thing": "h", "a.b.c": "abc",
    "userName": "camel", "user_name": "snake", "UserName": "pascal", "model_config": "mc", "self": "s",
    "to_dict": "td", "json": "j", "id": 7, "type": "t", "_private": "p", "": "empty", "$dollar": "d",
}  # fmt: skip


def test_troublesome_property_names_round_trip(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("28_names")
    serve(httpserver, "/props", PROPS)
    with client(m, httpserver) as c:
        props = c.names.get_props()
    fields = m.models.Props.model_fields
    assert [n if f.alias is None else f.alias for n, f in fields.items()] == list(PROPS)
    for name, f in fields.items():
        assert name.isidentifier() and not name.startswith("_")
        assert getattr(props, name) == PROPS[name if f.alias is None else f.alias]
    assert callable(props.to_dict) and callable(props.model_dump)  # methods not shadowed
    assert_json_identical(props.to_dict(), PROPS)
    again = m.models.Props.model_validate(PROPS)
    assert_json_identical(again.to_dict(), PROPS)


def test_troublesome_property_names_as_body_arguments(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("28_names")
    fields = m.models.Props.model_fields
    params = [p for p in inspect.signature(m.operations.post_props.post_props).parameters if p != "self"]
    body_params = params[: len(fields)]
    assert all(p.isidentifier() for p in body_params)
    values = list(PROPS.values())
    httpserver.expect_request("/props", method="POST").respond_with_data("", status=204)
    with client(m, httpserver) as c:
        c.names.post_props(**dict(zip(body_params, values)))
    assert_json_identical(sent_json(httpserver), PROPS)


def test_troublesome_parameter_names(httpserver: HTTPServer, pkg: Callable[[str], Any]) -> None:
    m = pkg("28_names")
    module = m.operations.get_1_thing
    params = [p for p in inspect.signature(module.get_1_thing).parameters if p not in ("self",)][:3]
    assert all(p.isidentifier() for p in params)
    serve(httpserver, "/thing/x1", {"n": 1})
    with client(m, httpserver) as c:
        result = c.names.get_1_thing(**dict(zip(params, ["x1", "k", "h"])))
    assert query(httpserver) == [("class", "k"), ("my-thing", "h")]
    assert type(result) is _component_classes(m)["1Thing"]


def _class_names(result: Result) -> dict[str, str]:
    return {m.schema_name: m.name for m in result.api.models}


@pytest.mark.parametrize("where", ["end", "start", "reversed"])
def test_adding_schemas_anywhere_renames_nothing(tmp_path: Path, where: str) -> None:
    document = yaml.safe_load(NAMES_SPEC.read_text(encoding="utf-8"))
    first_spec = tmp_path / "first.json"
    first_spec.write_text(json.dumps(document), encoding="utf-8")
    # New schemas colliding with existing names after case conversion (none spelled exactly
    # like the class name they want), at the end, at the start, or with the order reversed.
    added = {
        "USER_PROFILE": {"type": "object", "properties": {"upper": {"type": "string"}}},
        "userProfile": {"type": "object", "properties": {"camel": {"type": "string"}}},
        "my_thing": {"type": "object", "properties": {"x": {"type": "string"}}},
        "cafe": {"type": "object", "properties": {"x": {"type": "string"}}},
    }
    schemas = document["components"]["schemas"]
    merged = {"end": {**schemas, **added}, "start": {**added, **schemas}}.get(where)
    document["components"]["schemas"] = merged or dict(reversed([*schemas.items(), *added.items()]))
    second_spec = tmp_path / "second.json"
    second_spec.write_text(json.dumps(document), encoding="utf-8")

    first = generate(first_spec, "c28_names", tmp_path / "a" / "out")
    second = generate(second_spec, "c28_names", tmp_path / "b" / "out")
    before, after = _class_names(first), _class_names(second)
    assert {k: after[k] for k in before} == before
    assert len(set(after.values())) == len(after)
    a, b = normalised(first.files, "c28_names"), normalised(second.files, "c28_names")
    changed = sorted(p for p in a if p.startswith("PKG/models/") and p != "PKG/models/__init__.py" and a[p] != b.get(p))
    assert changed == []


def test_a_new_schema_spelled_exactly_like_a_class_name_takes_it(tmp_path: Path) -> None:
    """The one documented exception: ``Cafe`` added beside ``Café`` gets ``Cafe``; ``Café`` moves."""
    document = yaml.safe_load(NAMES_SPEC.read_text(encoding="utf-8"))
    document["components"]["schemas"]["Cafe"] = {"type": "object", "properties": {"x": {"type": "string"}}}
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(document), encoding="utf-8")
    names = _class_names(generate(spec, "c28_names", tmp_path / "out"))
    assert names["Cafe"] == "Cafe" and names["Café"] == "Cafe_7347"


# ====================================================================== 29_same_api_30 / 30_same_api_31


def test_same_api_in_30_and_31_generates_the_same_package() -> None:
    a = normalised(golden_files("29_same_api_30"), "c29_same_api_30")
    b = normalised(golden_files("30_same_api_31"), "c30_same_api_31")
    assert sorted(a) == sorted(b)
    different = [p for p in a if a[p] != b[p]]
    assert different == [], different


@pytest.mark.parametrize("stem", ["29_same_api_30", "30_same_api_31"])
def test_same_api_nullable_fields(httpserver: HTTPServer, pkg: Callable[[str], Any], stem: str) -> None:
    m = pkg(stem)
    payload = [
        {"id": 1, "title": "t", "body": None, "rating": None, "tags": None, "state": None, "author": None, "meta": None},
        {
            "id": 2,
            "title": "u",
            "body": "text",
            "rating": 4,
            "tags": ["x"],
            "state": "archived",
            "author": {"name": "Ada", "email": None},
            "meta": {"a": 1, "b": None},
        },
    ]
    serve(httpserver, "/notes", payload)
    with client(m, httpserver) as c:
        notes = c.notes.list_notes(author="ada", limit=10)
    assert query(httpserver) == [("author", "ada"), ("limit", "10")]
    assert [type(n) for n in notes] == [m.models.Note] * 2
    first, second = notes
    assert (first.body, first.rating, first.tags, first.state, first.author, first.meta) == (None,) * 6
    assert type(second.rating) is int and second.state == "archived"
    assert type(second.author) is m.models.Author and second.author.email is None
    assert second.meta == {"a": 1, "b": None}
    assert_json_identical(dump(notes), payload)


@pytest.mark.parametrize("stem", ["29_same_api_30", "30_same_api_31"])
def test_same_api_null_arguments(httpserver: HTTPServer, pkg: Callable[[str], Any], stem: str) -> None:
    m = pkg(stem)
    payload = {"id": 3, "title": "x", "body": None}
    serve(httpserver, "/notes", payload, method="POST", status=201)
    with client(m, httpserver) as c:
        note = c.notes.create_note(title="x", body=None, rating=2.5)
    assert_json_identical(sent_json(httpserver), {"title": "x", "body": None, "rating": 2.5})
    assert type(note) is m.models.Note
    assert_json_identical(note.to_dict(), payload)
    # A required nullable field must be present (null is fine, absent is not).
    httpserver.clear()
    serve(httpserver, "/notes", {"id": 3, "title": "x"}, method="POST", status=201)
    with client(m, httpserver) as c, pytest.raises(m.APIResponseValidationError):
        c.notes.create_note(title="x")


# ============================================================ lenient default (no strict mode)

LENIENT_CASES = [
    # spec, path, (namespace, operation, kwargs), what the server sends: each rejected in strict mode
    ("19_unions_structural", "/contacts/z", ("unions", "get_contact", {"id_": "z"}), {"fax": "123"}),
    ("22_prefix_items", "/track", ("geo", "get_track", {}), {"start": [1, 2, 3], "points": []}),
    ("24_arrays_maps_of_unions", "/scores", ("containers", "get_scores", {}), {"a": [1.5]}),
    ("26_read_write_only", "/accounts/6", ("accounts", "get_account", {"id_": 6}), {"name": "no id"}),
    ("16_allof", "/extended", ("allof", "get_extended", {}), {"id": 7, "name": "seven"}),
    ("17_discriminator_mapping", "/pets/p3", ("pets", "get_pet", {"pet_id": "p3"}), {"petType": "hamster", "name": "Hammy"}),
    ("20_enums_const", "/widgets", ("widgets", "list_widgets", {}), [{"kind": "gadget", "color": 5, "priority": "2", "new": {"a": 1}}]),
]


@pytest.mark.parametrize(("spec", "path", "call", "sent"), LENIENT_CASES, ids=[c[0] for c in LENIENT_CASES])
def test_lenient_default_keeps_what_strict_mode_rejects(
    httpserver: HTTPServer, pkg: Callable[[str], Any], spec: str, path: str, call: tuple[str, str, dict[str, Any]], sent: Any
) -> None:
    """By default a response that does not match the spec is returned as far as it goes: the
    documented model where the JSON is an object for one, the JSON as sent elsewhere, and
    nothing lost (``to_dict()`` gives back what came). Strict mode raises instead."""
    m = pkg(spec)
    namespace, operation, kwargs = call
    serve(httpserver, path, sent)
    with client(m, httpserver, strict=False) as c:
        result = getattr(getattr(c, namespace), operation)(**kwargs)
    with client(m, httpserver) as c, pytest.raises(m.APIResponseValidationError) as raised:
        getattr(getattr(c, namespace), operation)(**kwargs)
    assert raised.value.body == sent
    items = result if isinstance(sent, list) else [result]
    for item, raw in zip(items, sent if isinstance(sent, list) else [sent]):
        dumped = item.to_dict() if isinstance(item, m._models.BaseModel) else item
        assert_json_identical(dumped, raw)
    # An object for a model becomes that model; a map stays a dict; an unknown tag picks no class.
    if spec in ("19_unions_structural", "22_prefix_items", "26_read_write_only", "16_allof"):
        assert isinstance(result, m._models.BaseModel), type(result)
    if spec == "20_enums_const":
        assert type(result[0]) is m.models.Widget and result[0].priority == "2" and result[0].color == 5
