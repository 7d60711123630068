"""generator.render: spec strings reach the code only as safe literals; the real spec renders to
code that compiles; templates never print an undefined variable; the generated code behaves."""

from __future__ import annotations

import ast
import json
import shutil
import types
from pathlib import Path
from typing import Any

import jinja2
import pytest
from conftest import SPEC
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generator.config import load_config
from generator.pipeline import run
from generator.format import format_source
from generator.ir import Alias, ListOf, MapOf, ModelRef, Prim, UnionOf
from generator.render import TEMPLATES, _alias_cycles, comment, docstring, render
from generator.write import write_tree

HOSTILE = [
    'triple """ quotes inside',
    "ends with a backslash\\",
    'ends with a quote"',
    'ends with two quotes""',
    'ends with triple quotes"""',
    '"""',
    '""""',
    '"""starts with them',
    "single ''' quotes '''",
    "NUL \x00 and bell \x07 and escape \x1b inside",
    "DEL \x7f and C1 \x85 \x9b",
    "carriage\rreturn",
    "line\u2028separator and paragraph\u2029separator",
    "bidi \u202e override \u202d and isolates \u2066\u2069",
    "zero\u200bwidth and BOM \ufeff",
    "jinja {{ variable }} and {% block %} and {# comment #}",
    "backslash-n literal \\n and \\x00 and \\u2028 and \\N{BULLET}",
    "tab\tinside",
    "multi\nline\ntext",
    "windows\r\nline\r\nendings",
    "trailing backslash on a line\\\nnext",
    "unicode: café — 日本語 — 🎉",
    "a line that ends with a quote\"\nand more",
    "",
]


def _normalised(text: str) -> str:
    """What the docstring documents: CRLF → LF, lines right-stripped, the whole text stripped."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").strip().split("\n")]
    shared = min((len(line) - len(line.lstrip()) for line in lines[1:] if line), default=0)
    lines[1:] = [line[shared:] for line in lines[1:]]  # as black re-indents them
    value = "\n".join(lines)
    if len(lines) == 1 and value.endswith('"'):  # black's padding: the quotes must not touch
        value += " "
    return value + "\n" if len(lines) > 1 else value


@pytest.mark.parametrize("text", HOSTILE, ids=[repr(t)[:40] for t in HOSTILE])
def test_docstring_is_one_literal_giving_back_the_text(text: str) -> None:
    literal = docstring(text)
    tree = ast.parse(literal, mode="eval")
    assert isinstance(tree.body, ast.Constant) and isinstance(tree.body.value, str), literal
    assert ast.literal_eval(literal) == _normalised(text)


@pytest.mark.parametrize("text", HOSTILE, ids=[repr(t)[:40] for t in HOSTILE])
def test_docstring_embedded_in_source_compiles_and_is_the_docstring(text: str) -> None:
    source = (
        f"def f():\n    {docstring(text, 4)}\n    return 1\n\n\n"
        f"class C:\n    {docstring(text, 4)}\n\n    x: int = 1\n\n\n"
        f"{docstring(text)}\n"
    )
    module = ast.parse(source)
    func, cls = module.body[0], module.body[1]
    assert isinstance(func, ast.FunctionDef) and isinstance(cls, ast.ClassDef)
    assert len(func.body) == 2 and len(cls.body) == 2 and len(module.body) == 3
    namespace: dict[str, Any] = {}
    exec(compile(source, "<hostile>", "exec"), namespace)  # noqa: S102 - our own literal
    assert namespace["f"]() == 1
    assert namespace["f"].__doc__ is not None
    assert namespace["f"].__doc__.split() == text.split()


def test_docstring_escapes_invisible_and_control_characters_in_the_source() -> None:
    literal = docstring("a\x00b\u2028c\u202ed\x1be\x85f\ufeffg\rh")
    for char in "\x00\u2028\u202e\x1b\x85\ufeff\r":
        assert char not in literal
    assert literal.isprintable()


_HOSTILE_ALPHABET = list('ab "\'\\\n\r\t\x00\x0c\x1b\x85\xa0\u2028\u2029\u202e{}%#')


@settings(max_examples=1500, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(st.text(alphabet=st.sampled_from(_HOSTILE_ALPHABET), max_size=24), st.text(max_size=24)))
@example('x"""')
@example('"\\')
def test_docstring_property(text: str) -> None:
    literal = docstring(text)
    value = ast.literal_eval(literal)
    assert isinstance(value, str)
    # Only whitespace may change (CRLF, stripped ends); every other character comes back in order.
    assert value.split() == text.split(), (text, literal, value)
    source = f"def f():\n    {docstring(text, 4)}\n    return 1\n"
    namespace: dict[str, Any] = {}
    exec(compile(source, "<hostile>", "exec"), namespace)  # noqa: S102
    assert namespace["f"]() == 1
    literal.encode("utf-8")


@settings(max_examples=400, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(st.text(alphabet=st.sampled_from(_HOSTILE_ALPHABET), max_size=24), st.text(max_size=24)))
@example('"quoted"')
@example('ends with "x"')
@example("a very long line " * 10 + '"')
@example("a\n\tb\n  c")
def test_black_leaves_docstrings_as_they_are(text: str) -> None:
    """Files whose code lines fit are not given to black (generator.layout): a docstring must
    be exactly what black would make of it, on one line or several, long or short."""
    source = (
        f"def f() -> int:\n    {docstring(text, 4)}\n    return 1\n\n\n"
        f"class C:\n    {docstring(text, 4)}\n\n    x: int = 1\n\n\n"
        f"{docstring(text)}\n"
    )
    assert format_source("a.py", source) == source


def test_docstring_of_a_lone_surrogate_can_be_written_as_utf8() -> None:
    """JSON allows "\\ud800"; the file the literal ends up in is UTF-8."""
    literal = docstring("bad \ud800 surrogate")
    literal.encode("utf-8")
    assert ast.literal_eval(literal) == "bad \ud800 surrogate"


@settings(max_examples=500, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(st.text(alphabet=st.sampled_from(_HOSTILE_ALPHABET)), st.text()))
def test_comment_is_one_safe_line(text: str) -> None:
    line = comment(text)
    assert "\n" not in line and "\r" not in line
    assert line == line.strip()
    source = f"x = 1  # {line}\ny = 2\n"
    namespace: dict[str, Any] = {}
    exec(compile(source, "<comment>", "exec"), namespace)  # noqa: S102
    assert namespace["y"] == 2
    for char in "\x00\u2028\u2029\u202e\ufeff\x1b":
        assert char not in line


# --- the real spec -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def streamkap(tmp_path_factory: pytest.TempPathFactory) -> Any:
    out = tmp_path_factory.mktemp("render") / "generated"
    config = load_config(
        None,
        spec=str(SPEC),
        out=str(out),
        package="streamkap",
        client="Streamkap",
        async_client="AsyncStreamkap",
        env_prefix="STREAMKAP",
        version="0.1.0",
    )
    return run(config), config


def test_real_spec_renders_python_that_compiles(streamkap: Any) -> None:
    result, _ = streamkap
    python = {path: text for path, text in result.files.items() if path.endswith(".py")}
    assert "streamkap/__init__.py" in python and "streamkap/_client.py" in python
    assert any(p.startswith("streamkap/models/") for p in python)
    assert any(p.startswith("streamkap/operations/") for p in python)
    for path, text in python.items():
        compile(text, path, "exec")
    assert {"pyproject.toml", "README.md", "streamkap/py.typed"} <= set(result.files)


def test_real_spec_render_is_deterministic(streamkap: Any) -> None:
    result, config = streamkap
    again = render(result.api, config)
    assert again == render(result.api, config)
    assert set(again) == set(result.files)


def test_strict_undefined_a_missing_variable_raises(streamkap: Any, tmp_path: Path) -> None:
    result, config = streamkap
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    assert render(result.api, config, templates) == render(result.api, config)  # the copy renders
    model = templates / "model.py.jinja"
    model.write_text(model.read_text(encoding="utf-8") + "{{ no_such_variable }}\n", encoding="utf-8")
    with pytest.raises(jinja2.UndefinedError):
        render(result.api, config, templates)


def test_strict_undefined_a_missing_attribute_raises(streamkap: Any, tmp_path: Path) -> None:
    result, config = streamkap
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    operation = templates / "operation.py.jinja"
    operation.write_text(operation.read_text(encoding="utf-8") + "# {{ op.no_such_key }}\n", encoding="utf-8")
    with pytest.raises(jinja2.UndefinedError):
        render(result.api, config, templates)


# --- hostile specs, generated and imported --------------------------------------------------------

H = 'Hostile """ quotes \\ \' " {{ x }} {% if %} \x00 \x07 \r \u2028 \u202e end\\'


def _generate(tmp_path: Path, document: dict[str, Any], package: str) -> Any:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(document), encoding="utf-8")
    config = load_config(None, spec=str(spec), out=str(tmp_path / "out"), package=package, client="Client")
    result = run(config)
    for path, text in result.files.items():
        if path.endswith(".py"):
            compile(text, path, "exec")
    write_tree(config.out, result.files, result.spec_sha256)
    return result


def _document(paths: dict[str, Any] | None = None, schemas: dict[str, Any] | None = None, **info: Any) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1", **info},
        "paths": paths or {},
        "components": {"schemas": schemas or {}},
    }


def test_hostile_strings_everywhere_generate_an_importable_sdk(tmp_path: Path, fresh_import: Any) -> None:
    document = _document(
        paths={
            "/a/{id}": {
                "post": {
                    "tags": [H],
                    "operationId": "op" + H,
                    "summary": H,
                    "description": H,
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}, "description": H},
                        {"name": "q" + H, "in": "query", "schema": {"type": "string", "enum": [H, "b"]}, "description": H},
                    ],
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/M"}}}},
                    "responses": {
                        "200": {"description": H, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/M"}}}},
                        "404": {"description": H},
                    },
                }
            }
        },
        schemas={
            "M": {
                "type": "object",
                "description": H,
                "properties": {
                    H: {"type": "string", "description": H, "default": H, "enum": [H, "x"]},
                    "n": {"type": "integer", "default": 3, "description": H},
                },
            },
            "E-num.x": {"type": "string", "enum": [H, "y"], "description": H},
        },
        title=H,
        description=H,
    )
    document["tags"] = [{"name": H, "description": H}]
    _generate(tmp_path, document, "hostile_pkg")
    package = fresh_import(tmp_path / "out", "hostile_pkg")
    from hostile_pkg.models import M  # type: ignore[import-not-found]

    model = M.model_validate({H: H, "n": 4})
    assert model.to_dict() == {H: H, "n": 4}
    assert package.Client is not None


@pytest.mark.parametrize("component", ["Field", "BaseModel", "Literal", "Any"])
def test_component_named_like_a_name_the_generated_code_imports(tmp_path: Path, fresh_import: Any, component: str) -> None:
    document = _document(
        schemas={
            component: {"type": "object", "properties": {"x": {"type": "string"}}},
            "User": {
                "type": "object",
                "properties": {
                    "firstName": {"type": "string"},
                    "friend": {"$ref": f"#/components/schemas/{component}"},
                    "kind": {"enum": ["a", "b"]},
                    "anything": {},
                },
            },
        }
    )
    result = _generate(tmp_path, document, "names_pkg")
    fresh_import(tmp_path / "out", "names_pkg")
    import names_pkg.models as models  # type: ignore[import-not-found]

    ref_class = getattr(models, next(m.name for m in result.api.models if m.schema_name == component))
    user = models.User.model_validate({"firstName": "a", "friend": {"x": "y"}, "kind": "a", "anything": [1]})
    assert isinstance(user.friend, ref_class)
    assert user.to_dict() == {"firstName": "a", "friend": {"x": "y"}, "kind": "a", "anything": [1]}


class _FakeClient:
    def __init__(self) -> None:
        self.sent: list[Any] = []

    def request(self, options: Any) -> Any:
        self.sent.append(options)
        return None


@pytest.fixture(scope="module")
def shadow(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Spec names that the operation code also uses: parameters ``body`` and ``cast``, an operation ``cast``."""
    import importlib
    import sys

    ok = {"200": {"description": "ok"}}
    array_body = {"content": {"application/json": {"schema": {"type": "array", "items": {"type": "string"}}}}}
    document = _document(
        paths={
            "/body": {
                "post": {
                    "operationId": "sendList",
                    "parameters": [{"name": "body", "in": "query", "schema": {"type": "string"}}],
                    "requestBody": array_body,
                    "responses": ok,
                }
            },
            "/cast-param": {
                "get": {
                    "operationId": "castParam",
                    "parameters": [{"name": "cast", "in": "query", "schema": {"type": "string"}}],
                    "responses": ok,
                }
            },
            "/cast": {"get": {"operationId": "cast", "responses": ok}},
        }
    )
    tmp_path = tmp_path_factory.mktemp("shadow")
    result = _generate(tmp_path, document, "shadow_pkg")
    sys.path.insert(0, str(tmp_path / "out"))
    try:
        for name in [m for m in sys.modules if m == "shadow_pkg" or m.startswith("shadow_pkg.")]:
            del sys.modules[name]
        importlib.invalidate_caches()

        def call(operation_id: str, **by_wire_name: Any) -> Any:
            op = next(o for o in result.api.operations if o.operation_id == operation_id)
            module = importlib.import_module(f"shadow_pkg.operations.{op.module}")
            names = {a.wire_name or "<body>": a.name for a in op.arguments}
            client = _FakeClient()
            returned = getattr(module, op.name)(types.SimpleNamespace(_client=client), **{names[k]: v for k, v in by_wire_name.items()})
            assert returned is None
            return client.sent[-1]

        yield call
    finally:
        sys.path.remove(str(tmp_path / "out"))


def test_query_parameter_called_body_does_not_replace_the_body(shadow: Any) -> None:
    options = shadow("sendList", **{"body": "query-value", "<body>": ["x", "y"]})
    assert dict(options.query) == {"body": "query-value"}
    assert options.body == ["x", "y"]


def test_parameter_called_cast_does_not_break_the_call(shadow: Any) -> None:
    options = shadow("castParam", cast="c")
    assert dict(options.query) == {"cast": "c"}


def test_operation_called_cast_does_not_break_the_call(shadow: Any) -> None:
    options = shadow("cast")
    assert options.path == "/cast"


# ----------------------------------------------------------------------------- template overlays


def test_an_overlay_template_replaces_only_its_own_file(tmp_path: Path) -> None:
    from dataclasses import replace

    overlay = tmp_path / "mine"
    overlay.mkdir()
    model = (TEMPLATES / "model.py.jinja").read_text(encoding="utf-8")
    (overlay / "model.py.jinja").write_text(model.replace("{{ header }}", "{{ header }}\n# Reviewed by the platform team.", 1), encoding="utf-8")
    base = load_config(None, spec=str(SPEC), out=str(tmp_path / "out"), package="streamkap", client="Streamkap")
    plain, custom = run(base), run(replace(base, templates=overlay))
    changed = sorted(p for p in plain.files if plain.files[p] != custom.files[p])
    assert changed and all(p.startswith("streamkap/models/") and p != "streamkap/models/__init__.py" for p in changed)
    assert all("# Reviewed by the platform team.\n" in custom.files[p] for p in changed)
    assert custom.inputs["templates"] != plain.inputs["templates"] and custom.inputs["spec"] == plain.inputs["spec"]


def test_a_broken_overlay_template_is_an_error_naming_it(tmp_path: Path) -> None:
    from dataclasses import replace

    overlay = tmp_path / "mine"
    overlay.mkdir()
    (overlay / "alias.py.jinja").write_text("{{ header }}\n{{ no_such_variable }}\n", encoding="utf-8")
    (overlay / "model.py.jinja").write_text("{{ header }}\n{{ model.no_such_key }}\n", encoding="utf-8")
    base = load_config(None, spec=str(SPEC), out=str(tmp_path / "out"), package="streamkap", client="Streamkap")
    with pytest.raises(jinja2.UndefinedError):
        run(replace(base, templates=overlay))


def _documented() -> tuple[set[str], dict[str, set[str]]]:
    """The variables templates/README.md documents: the common ones, and each template's own."""
    import re

    text = (TEMPLATES / "README.md").read_text(encoding="utf-8")
    common_table, own_table = text.split("And each template these:")
    common = {name for cell in re.findall(r"^\| (`[^|]+`) \|", common_table, re.M) for name in re.findall(r"`(\w+)`", cell)}
    own: dict[str, set[str]] = {}
    for templates, variables in re.findall(r"^\| (`[^|]+`) \| ([^|]+) \|$", own_table, re.M):
        items = [re.match(r"\s*`(\w+)`", v) for v in re.split(r", (?![^(]*\))", variables)]
        top = {m.group(1) for m in items if m}
        for name in re.findall(r"`([^`]+\.jinja|runtime/\*\.py\.jinja)`", templates):
            own[name] = top
    return common, own


def test_every_template_variable_is_documented() -> None:
    import fnmatch

    import jinja2.meta

    from generator.render import _environment

    common, own = _documented()
    env = _environment(TEMPLATES)
    templates = sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.jinja"))
    assert len(templates) >= 19
    for name in templates:
        used = jinja2.meta.find_undeclared_variables(env.parse((TEMPLATES / name).read_text(encoding="utf-8")))
        documented = common | set().union(*[v for pattern, v in own.items() if fnmatch.fnmatch(name, pattern)])
        assert used <= documented, (name, sorted(used - documented))


def _alias(name: str, *refs: str) -> Alias:
    """An alias ``name`` whose type is a union of str and lists of the aliases ``refs``."""
    members = [Prim("str"), *(ListOf(ModelRef(r.title(), r)) for r in refs)]
    return Alias(name.title(), name, name, "", UnionOf(tuple(members)) if len(members) > 1 else members[0])


def test_alias_cycles_finds_self_and_mutual_references_only() -> None:
    aliases = (
        _alias("json", "json"),  # itself
        _alias("a", "b"),
        _alias("b", "c"),
        _alias("c", "a", "leaf"),  # a → b → c → a
        _alias("leaf"),
        _alias("uses", "a", "json"),  # reaches cycles, on none
        _alias("model_user", "some_model"),  # a model, not an alias: no edge
    )
    cycles = _alias_cycles(aliases)
    assert cycles == {"json": {"json"}, "a": {"a", "b", "c"}, "b": {"a", "b", "c"}, "c": {"a", "b", "c"}}
    assert _alias_cycles(tuple(reversed(aliases))) == cycles


def test_alias_cycles_on_a_long_chain_does_not_recurse() -> None:
    """5,000 aliases each naming the next, the last naming the first: one cycle, no RecursionError."""
    n = 5000
    chain = tuple(_alias(f"a{i}", f"a{(i + 1) % n}") for i in range(n))
    cycles = _alias_cycles(chain)
    assert len(cycles) == n and len(cycles["a0"]) == n
    assert _alias_cycles(chain[:-1] + (_alias(f"a{n - 1}"),)) == {}  # the chain, not closed
    mapped = (Alias("M", "m", "m", "", MapOf(ModelRef("M", "m"))),)
    assert _alias_cycles(mapped) == {"m": {"m"}}
