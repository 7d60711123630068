"""Hostile and broken input: whatever a spec holds, the SDK generated from it compiles and runs
nothing from the spec when imported, nothing is written outside the output folder, and a broken
document stops generation with exit 2, every problem named by its JSON pointer, the output
folder untouched.

The committed corpus ``tests/hostile/`` holds one adversarial document per channel (a place where
a spec string reaches the generated code: names, descriptions, enum values, defaults, ...), plus
broken documents; ``EXPECTED`` says what each must give. Hypothesis injects hostile strings into
each channel of a small valid document (``base_spec``). Generated packages are imported in a
subprocess whose working folder is a canary folder: the payloads would create ``PWNED`` there or
print ``PWNED-MARKER``.

``python tests/generator/test_hostile.py --write-corpus`` rewrites the channel files of the corpus
from ``CHANNELS`` and ``PAYLOADS`` (the broken documents are written by hand). The unit tests of
the checks ``generator.load`` makes (nesting depth, allOf loops, YAML aliases, where the
validator's problems are) are in test_load.py.
"""

from __future__ import annotations

import ast
import copy
import functools
import json
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import generator.format
from conftest import NO_CONFIG
from generator import naming
from generator.cli import main
from generator.config import Config
from generator.errors import GeneratorError
from generator.load import MAX_DEPTH, parse_text, validate
from generator.pipeline import run
from generator.refs import check_all_of, check_references
from generator.write import MANIFEST, write_tree

ROOT = Path(__file__).resolve().parent.parent.parent
CORPUS = ROOT / "tests" / "hostile"
PACKAGE = "hostile_sdk"

CANARY = "PWNED"
MARKER = "PWNED-MARKER"
TOUCH = "__import__('os').system('touch PWNED')"

# Strings that would run code, end a literal or a comment, or be evaluated by Jinja, if any
# spec string reached the output unescaped.
PAYLOADS = [
    TOUCH,
    '"""; import os; os.system("touch PWNED"); """',
    "'''; import os; os.system('touch PWNED'); '''",
    "\"; __import__('os').system('touch PWNED'); \"",
    "'; __import__('os').system('touch PWNED'); '",
    "\n import os\nos.system('touch PWNED')\n",
    "x\\\n__import__('os').system('touch PWNED')  #",
    "# a comment ends here\n__import__('pathlib').Path('PWNED').touch()",
    "\r__import__('pathlib').Path('PWNED').touch()",
    "\u2028__import__('pathlib').Path('PWNED').touch()\u2029",
    "\x0c\x0b\x1c\x1d\x1e\x85__import__('pathlib').Path('PWNED').touch()",
    "print('PWNED-MARKER')",
    "\\",
    '\\"',
    '"',
    "'",
    '"""',
    "'''",
    "{{ 7*7 }}",
    "{{ 'JINJA' ~ 'EVAL' }}",
    "{% for i in range(3) %}LOOPED{% endfor %}",
    "{# a Jinja comment #}{% raw %}{% endraw %}",
    "{{ cycler.__init__.__globals__.os.popen('touch PWNED').read() }}",
    "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.system('touch PWNED') }}",
    "NUL\x00inside",
    "\x07\x08\x1b[31mANSI\x1b[0m\x7f\x9b",
    "\u202eevil\u202c \u2066isolate\u2069 \u200b\u200d\ufeff \u061c",
    "\uffff\ufffe\U0010ffff\U0001f600 e\u0301 \u0130\u0131\ufb01 \u00b2 \u0663",
    "</script><!-- `touch PWNED` $(touch PWNED) -->",
    "```\n# heading\n```",
    "",
    "   ",
    "\t\n",
    "C:\\Windows\\..\\..\\x",
    "../../../../etc/passwd",
    "/absolute/path",
    "CON",
    "nul",
    "__init__",
    "None",
]

# The text of Jinja payloads, evaluated: none of it may appear in any generated file.
JINJA_RESULTS = [re.compile(r"\b49\b"), re.compile("JINJAEVAL"), re.compile("LOOPEDLOOPED")]

# Calls no generated file makes (the runtime included); a payload that became code would.
FORBIDDEN_CALLS = frozenset(
    {"system", "popen", "exec", "eval", "__import__", "touch", "compile", "print", "write_text", "import_module", "Popen"}
)
# The exceptions, in the runtime, whose text no spec changes: ``_models.py`` imports a model's
# module when it is first used (``model_named``: the SDK's own package, ``.models.``, and a
# module name from ``models/__init__.py``'s ``_MODULES``, which the tests below check are
# identifiers).
RUNTIME_CALLS = {("_models.py", "import_module"): 2}


# --- a small valid document, and the channels a string can be injected into ---------------------


def base_spec() -> dict[str, Any]:
    json_content = {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Base API", "version": "1.0.0", "description": "Base.", "x-logo": "logo"},
        "servers": [{"url": "https://api.example.invalid/v1", "description": "production"}],
        "tags": [{"name": "things", "description": "Things."}],
        "paths": {
            "/things/{thing_id}": {
                "get": {
                    "operationId": "getThing",
                    "tags": ["things"],
                    "summary": "Get a thing",
                    "description": "Returns a thing.",
                    "parameters": [
                        {"name": "thing_id", "in": "path", "required": True, "schema": {"type": "string"}},
                        {"name": "filter", "in": "query", "schema": {"type": "string", "default": "abc"}},
                        {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},
                        {"name": "session", "in": "cookie", "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "200": {"description": "ok", "content": copy.deepcopy(json_content)},
                        "404": {
                            "description": "missing",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                        },
                    },
                },
                "post": {
                    "operationId": "updateThing",
                    "tags": ["things"],
                    "parameters": [{"name": "thing_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "requestBody": {"required": True, "content": copy.deepcopy(json_content)},
                    "responses": {"200": {"description": "ok", "content": copy.deepcopy(json_content)}},
                },
            }
        },
        "components": {
            "schemas": {
                "Thing": {
                    "type": "object",
                    "description": "A thing.",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string", "description": "Its name."},
                        "kind": {"type": "string", "enum": ["small", "large"], "default": "small"},
                        "size": {"type": "integer", "default": 1},
                        "status": {"$ref": "#/components/schemas/Status"},
                    },
                },
                "Status": {"type": "string", "enum": ["on", "off"], "description": "A status."},
                "Error": {"type": "object", "properties": {"message": {"type": "string"}}},
            },
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _schemas(spec: dict[str, Any]) -> dict[str, Any]:
    return spec["components"]["schemas"]  # type: ignore[no-any-return]


def _thing(spec: dict[str, Any]) -> dict[str, Any]:
    return _schemas(spec)["Thing"]  # type: ignore[no-any-return]


def _get(spec: dict[str, Any]) -> dict[str, Any]:
    return spec["paths"]["/things/{thing_id}"]["get"]  # type: ignore[no-any-return]


def _operation(spec: dict[str, Any], path: str, **fields: Any) -> dict[str, Any]:
    op = {"responses": {"204": {"description": "nothing"}}, **fields}
    spec["paths"][path] = {"get": op}
    return op


def _inject_schema_names(spec: dict[str, Any], values: list[str]) -> None:
    for i, value in enumerate(values):
        _schemas(spec)[value] = {"type": "object", "properties": {"x": {"type": "string"}}}
        _thing(spec)["properties"][f"ref{i}"] = {"$ref": "#/components/schemas/" + _escape(value)}


def _inject_property_names(spec: dict[str, Any], values: list[str]) -> None:
    thing = _thing(spec)
    for i, value in enumerate(values):
        thing["properties"][value] = {"type": "string"}
        if i % 2 and value not in thing["required"]:
            thing["required"].append(value)
    _schemas(spec)["Nested"] = {"type": "object", "properties": {v: {"type": "integer"} for v in values}}
    thing["properties"]["nested"] = {"$ref": "#/components/schemas/Nested"}


def _inject_parameter_names(spec: dict[str, Any], values: list[str]) -> None:
    params = _get(spec)["parameters"]
    for value in values:
        for where in ("query", "header", "cookie"):
            params.append({"name": value, "in": where, "schema": {"type": "string"}})


def _inject_path_parameter_names(spec: dict[str, Any], values: list[str]) -> None:
    for i, value in enumerate(values):
        parameter = {"name": value, "in": "path", "required": True, "schema": {"type": "string"}}
        _operation(spec, f"/p{i}/{{{value}}}", operationId=f"byPath{i}", parameters=[parameter])


def _inject_operation_ids(spec: dict[str, Any], values: list[str]) -> None:
    for i, value in enumerate(values):
        _operation(spec, f"/op{i}", operationId=value, tags=["things"])


def _inject_descriptions(spec: dict[str, Any], values: list[str]) -> None:
    places: list[Callable[[str], None]] = [
        lambda v: spec["info"].__setitem__("description", v),
        lambda v: _thing(spec).__setitem__("description", v),
        lambda v: _thing(spec)["properties"]["name"].__setitem__("description", v),
        lambda v: _get(spec).__setitem__("description", v),
        lambda v: _get(spec)["parameters"][1].__setitem__("description", v),
        lambda v: _get(spec)["responses"]["404"].__setitem__("description", v),
        lambda v: spec["tags"][0].__setitem__("description", v),
        lambda v: _schemas(spec)["Status"].__setitem__("description", v),
        lambda v: spec["paths"]["/things/{thing_id}"]["post"]["requestBody"].__setitem__("description", v),
        lambda v: spec["servers"][0].__setitem__("description", v),
        lambda v: spec["components"]["securitySchemes"]["bearer"].__setitem__("description", v),
        lambda v: _schemas(spec)["Error"]["properties"]["message"].__setitem__("description", v),
    ]
    for i, value in enumerate(values):
        if i < len(places):
            places[i](value)
        else:
            _thing(spec)["properties"][f"described{i}"] = {"type": "string", "description": value}


def _inject_summaries(spec: dict[str, Any], values: list[str]) -> None:
    for i, value in enumerate(values):
        _operation(spec, f"/s{i}", operationId=f"summarised{i}", summary=value, tags=["things"])
    if values:
        _get(spec)["summary"] = values[0]


def _inject_titles(spec: dict[str, Any], values: list[str]) -> None:
    for i, value in enumerate(values):
        _thing(spec)["properties"][f"titled{i}"] = {"type": "object", "title": value, "properties": {"a": {"type": "string"}}}
    if values:
        _thing(spec)["title"] = values[0]


def _inject_enum_values(spec: dict[str, Any], values: list[str]) -> None:
    _schemas(spec)["Status"]["enum"].extend(v for v in values if v not in ("on", "off"))
    _thing(spec)["properties"]["kind"]["enum"].extend(v for v in values if v not in ("small", "large"))
    for i, value in enumerate(values):
        _thing(spec)["properties"][f"const{i}"] = {"const": value}
    _thing(spec)["properties"]["mixed"] = {"enum": [*values, 1, 2.5, True, None]}


def _inject_defaults(spec: dict[str, Any], values: list[str]) -> None:
    for i, value in enumerate(values):
        _thing(spec)["properties"][f"default{i}"] = {"type": "string", "default": value}
    _thing(spec)["properties"]["default_object"] = {
        "type": "object",
        "additionalProperties": {"type": "string"},
        "default": {v: v for v in values},
    }
    _thing(spec)["properties"]["default_list"] = {"type": "array", "items": {"type": "string"}, "default": values}
    _thing(spec)["properties"]["default_any"] = {"default": {"nested": [values, {"deeper": values}]}}
    if values:
        _get(spec)["parameters"][1]["schema"]["default"] = values[0]


def _inject_examples(spec: dict[str, Any], values: list[str]) -> None:
    name = _thing(spec)["properties"]["name"]
    name["examples"] = values
    if values:
        name["example"] = values[0]
        _get(spec)["parameters"][1]["example"] = values[0]
    _thing(spec)["example"] = {"name": values}
    media = _get(spec)["responses"]["200"]["content"]["application/json"]
    media["examples"] = {f"e{i}": {"summary": v, "description": v, "value": {"name": v}} for i, v in enumerate(values)}


def _inject_patterns(spec: dict[str, Any], values: list[str]) -> None:
    for i, value in enumerate(values):
        _thing(spec)["properties"][f"pattern{i}"] = {"type": "string", "pattern": value}


def _inject_formats(spec: dict[str, Any], values: list[str]) -> None:
    for i, value in enumerate(values):
        _thing(spec)["properties"][f"format{i}"] = {"type": "string", "format": value}


def _inject_tags(spec: dict[str, Any], values: list[str]) -> None:
    for i, value in enumerate(values):
        _operation(spec, f"/t{i}", operationId=f"tagged{i}", tags=[value])
        spec["tags"].append({"name": value, "description": value})


def _inject_server_urls(spec: dict[str, Any], values: list[str]) -> None:
    joined = "".join(values)
    spec["servers"] = [
        {"url": "https://api.example.invalid/" + joined, "description": joined},
        {"url": "https://{host}/v1", "variables": {"host": {"default": joined, "description": joined}}},
        *({"url": v, "description": v} for v in values),
    ]


def _inject_info(spec: dict[str, Any], values: list[str]) -> None:
    joined = " | ".join(values)
    spec["info"] = {
        "title": joined,
        "version": joined,
        "description": joined,
        "summary": joined,
        "termsOfService": "https://example.invalid/" + joined,
        "contact": {"name": joined, "url": "https://example.invalid", "email": "a@example.invalid"},
        "license": {"name": joined, "identifier": "MIT"},
    }


def _inject_extensions(spec: dict[str, Any], values: list[str]) -> None:
    for i, value in enumerate(values):
        for node in (spec, spec["info"], _get(spec), _thing(spec), _thing(spec)["properties"]["name"], _get(spec)["responses"]["200"]):
            node[f"x-hostile-{i}"] = value
        spec["x-" + value] = {value: [value]}
        _thing(spec)["x-" + value] = value


def _inject_paths(spec: dict[str, Any], values: list[str]) -> None:
    for i, value in enumerate(values):
        _operation(spec, "/" + value, operationId=f"pathed{i}")


def _inject_media_types(spec: dict[str, Any], values: list[str]) -> None:
    schema = {"$ref": "#/components/schemas/Thing"}
    for i, value in enumerate(values):
        _operation(
            spec,
            f"/media{i}",
            operationId=f"media{i}",
            responses={"200": {"description": "ok", "content": {"application/" + value: {"schema": schema}}}},
        )
        spec["paths"][f"/media{i}"]["post"] = {
            "operationId": f"sendMedia{i}",
            "requestBody": {"content": {"application/" + value: {"schema": schema}}},
            "responses": {"204": {"description": "nothing"}},
        }


def _inject_security(spec: dict[str, Any], values: list[str]) -> None:
    """The parameter an API key goes in, descriptions, scopes (scheme names are component names:
    see ``SCHEMA_NAMES``)."""
    schemes = spec["components"]["securitySchemes"]
    for i, value in enumerate(values):
        schemes[f"key{i}"] = {"type": "apiKey", "in": ("header", "query", "cookie")[i % 3], "name": value, "description": value}
    schemes["oauth"] = {
        "type": "oauth2",
        "flows": {"clientCredentials": {"tokenUrl": "https://example.invalid/token", "scopes": {v: v for v in values}}},
    }
    schemes["__init__"] = {"type": "http", "scheme": "basic"}
    spec["security"] = [{f"key{i}": []} for i in range(len(values))] + [{"oauth": values}, {"__init__": []}]


def _inject_discriminator(spec: dict[str, Any], values: list[str]) -> None:
    schemas = _schemas(spec)
    refs = []
    for i, value in enumerate(values):
        schemas[f"Variant{i}"] = {"type": "object", "required": ["kind"], "properties": {"kind": {"const": value}}}
        refs.append({"$ref": f"#/components/schemas/Variant{i}"})
    mapping = {v: f"#/components/schemas/Variant{i}" for i, v in enumerate(values)}
    schemas["Union"] = {"oneOf": refs, "discriminator": {"propertyName": "kind", "mapping": mapping}}
    _thing(spec)["properties"]["union"] = {"$ref": "#/components/schemas/Union"}


def _inject_response_headers(spec: dict[str, Any], values: list[str]) -> None:
    headers = {v: {"description": v, "schema": {"type": "string"}} for v in values}
    _get(spec)["responses"]["200"]["headers"] = headers


CHANNELS: dict[str, Callable[[dict[str, Any], list[str]], None]] = {
    "schema_names": _inject_schema_names,
    "property_names": _inject_property_names,
    "parameter_names": _inject_parameter_names,
    "path_parameter_names": _inject_path_parameter_names,
    "operation_ids": _inject_operation_ids,
    "descriptions": _inject_descriptions,
    "summaries": _inject_summaries,
    "titles": _inject_titles,
    "enum_values": _inject_enum_values,
    "defaults": _inject_defaults,
    "examples": _inject_examples,
    "patterns": _inject_patterns,
    "formats": _inject_formats,
    "tags": _inject_tags,
    "server_urls": _inject_server_urls,
    "info": _inject_info,
    "extensions": _inject_extensions,
    "paths": _inject_paths,
    "media_types": _inject_media_types,
    "security": _inject_security,
    "discriminator": _inject_discriminator,
    "response_headers": _inject_response_headers,
}

# Component names must match ^[a-zA-Z0-9._-]+$ (the validator refuses others): the hostile ones
# that do are names Python, the file system or the generated code care about.
SCHEMA_NAMES = [
    "__init__", "__import__", "__pycache__", "_", "-", ".", "..", "...", "--x", "os", "sys", "CON", "nul", "Aux",
    "com1", "LPT9", "None", "True", "class", "import", "1", "0x1", "_models", "models", "Client", "BaseModel",
    "Field", "setup", "a.b.c", "A-B_C.d", "x" * 300,
]
# Path parameter names the validator accepts: not blank, no / # ? (its pattern), no braces (they
# end the template), no : ! [ (it reads the template as a format string).
PATH_PARAMETER_NAMES = [v for v in PAYLOADS if v.strip() and not set(v) & set("{}/#?:![")]
# Valid regular expressions that hold the hazards.
PATTERNS = [re.escape(v) for v in PAYLOADS] + ['^"""$', "^'''\\\\$", "\\n", "[\\x00-\\x1f]", "(?P<x>{{ 7*7 }})"]


def channel_values(channel: str) -> list[str]:
    """What the corpus file of ``channel`` injects."""
    if channel == "schema_names":
        return SCHEMA_NAMES
    if channel == "path_parameter_names":
        return PATH_PARAMETER_NAMES
    if channel == "patterns":
        return PATTERNS
    if channel == "paths":  # a brace in a path is a template (see broken_path_template.json)
        return [v for v in PAYLOADS if not set(v) & set("{}")]
    return PAYLOADS


def channel_spec(channel: str, values: list[str] | None = None) -> dict[str, Any]:
    spec = base_spec()
    CHANNELS[channel](spec, channel_values(channel) if values is None else values)
    return spec


def write_corpus() -> None:
    CORPUS.mkdir(exist_ok=True)
    for channel in CHANNELS:
        text = json.dumps(channel_spec(channel), indent=2, ensure_ascii=True) + "\n"
        (CORPUS / f"{channel}.json").write_text(text, encoding="ascii")


# --- what each corpus file gives ------------------------------------------------------------------

GENERATES = "generates"
# Broken documents: file → (the pointer a problem names, a part of its message).
BROKEN: dict[str, tuple[str, str]] = {
    "broken_invalid_json.json": ("#", "invalid JSON at line 4, column 15"),
    "broken_invalid_yaml.yaml": ("#", "invalid YAML at line 5, column 5"),
    "broken_yaml_python_tag.yaml": ("#", "could not determine a constructor for the tag"),
    "broken_yaml_recursive_alias.yaml": ("#/x-loop/0", "refers to a node that contains it"),
    "broken_yaml_billion_laughs.yaml": ("#", "YAML aliases expand the document"),
    "broken_swagger_2.json": ("#/swagger", "Swagger/OpenAPI 2.0 is not supported"),
    "broken_openapi_4.json": ("#/openapi", "unsupported OpenAPI version '4.0.0'"),
    "broken_not_an_object.json": ("#", "an OpenAPI document must be an object"),
    "broken_invalid_openapi.json": ("#/paths/~1things~1{thing_id}/get/parameters/1/in", "'body' is not one of"),
    "broken_unresolvable_ref.json": ("#/components/schemas/Thing/properties/other/$ref", "unresolvable $ref"),
    "broken_external_ref.json": ("#/components/schemas/Thing/properties/other/$ref", "external $ref"),
    "broken_circular_ref.json": ("#/components/schemas/A/$ref", "circular $ref"),
    "broken_circular_allof.json": ("#/components/schemas/B/allOf/0/$ref", "circular allOf"),
    "broken_duplicate_operation_ids.json": ("#/paths/~1b/get/operationId", "duplicate operationId 'same'"),
    "broken_undeclared_path_parameter.json": ("#/paths/~1things~1{thing_id}/get", "Path parameter 'thing_id'"),
    "broken_path_template.json": ("#/paths/~1things~1{a}b}", "each { must be closed by a }"),
    "broken_lone_surrogates.json": ("#/components/schemas/Thing/description", "lone surrogate"),
    "broken_default_pattern.json": ("#/components/schemas/Thing/properties/code/default", "does not match"),
    "broken_discriminator_mapping.json": ("#/components/schemas/Pet/discriminator/mapping/bird", "names no schema"),
    "broken_json_nan.json": ("#/components/schemas/Thing/properties/options/default/ceiling", "inf is not a JSON number"),
    "broken_yaml_non_json_values.yaml": ("#/components/schemas/Thing/properties/options/default/blob", "a bytes (what a YAML tag"),
    "broken_nested_schema_keyword.json": ("#/components/schemas/Thing/properties/a/properties/b/minLength", "is not of type 'integer'"),
}
EXPECTED: dict[str, Any] = {**{f"{c}.json": GENERATES for c in CHANNELS}, **BROKEN}


def test_the_corpus_has_a_file_for_each_channel_and_nothing_unexpected() -> None:
    files = sorted(p.name for p in CORPUS.iterdir() if p.is_file())
    assert files == sorted(EXPECTED)


def test_the_channel_files_are_the_payloads_in_each_channel() -> None:
    """The committed files are what ``write_corpus`` writes (so they can be regenerated)."""
    for channel in CHANNELS:
        committed = json.loads((CORPUS / f"{channel}.json").read_text(encoding="utf-8"))
        assert committed == channel_spec(channel), channel


# --- helpers: generate, check the files, import them in a subprocess ------------------------------


@functools.lru_cache(maxsize=None)
def _black(source: str) -> str:
    return _REAL_FORMAT("x.py", source)


_REAL_FORMAT = generator.format.format_source


def _cached_format(path: str, source: str) -> str:
    """black's output, memoised by source (the runtime files are the same in every package)."""
    try:
        return _black(source)
    except GeneratorError:
        return _REAL_FORMAT(path, source)  # raises again, naming the file


@pytest.fixture()
def fast_black(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generator.format, "format_source", _cached_format)
    monkeypatch.setattr(generator.format, "_PARALLEL_FROM", 10**9)  # no worker processes


def _generate(spec: Any, folder: Path, name: str = "spec.json") -> dict[str, str]:
    """Write ``spec`` (a document, or text) to ``folder/name``, generate into ``folder/out``."""
    folder.mkdir(parents=True, exist_ok=True)
    spec_path = folder / name
    text = spec if isinstance(spec, str) else json.dumps(spec, ensure_ascii=False)
    spec_path.write_text(text, encoding="utf-8", errors="surrogatepass")
    config = Config(spec=spec_path, out=folder / "out", package=PACKAGE, client="Client")
    result = run(config)
    write_tree(config.out, result.files, result.spec_sha256, result.sources)
    return result.files


def _check_files(files: dict[str, str], where: str) -> None:
    """Every Python file compiles and calls nothing a payload would; no Jinja was evaluated."""
    for path, text in files.items():
        for pattern in JINJA_RESULTS:
            assert not pattern.search(text), f"{where}: {path}: Jinja markup was evaluated ({pattern.pattern})"
        if path.endswith(".toml"):  # pip reads it: TOML has no surrogate pairs, no raw controls
            tomllib.loads(text)
        if not path.endswith(".py"):
            continue
        tree = ast.parse(text, path)
        compile(tree, path, "exec", dont_inherit=True)
        allowed = {name: n for (file, name), n in RUNTIME_CALLS.items() if path == f"{PACKAGE}/{file}"}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
                if allowed.get(name):
                    allowed[name] -= 1
                    continue
                assert name not in FORBIDDEN_CALLS, f"{where}: {path}:{node.lineno}: a call to {name}"
        if path == f"{PACKAGE}/models/__init__.py":
            modules = next(
                n.value for n in tree.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name) and n.target.id == "_MODULES"
            )
            assert isinstance(modules, ast.Dict), f"{where}: {path}: no _MODULES"
            for value in modules.values:
                assert isinstance(value, ast.Constant) and str(value.value).isidentifier(), f"{where}: {path}: module {ast.dump(value)}"


_IMPORT_EVERYTHING = r"""
import importlib, json, pkgutil, sys
results = {}
for folder, package in json.loads(sys.stdin.read()):
    sys.path.insert(0, folder)
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]
    importlib.invalidate_caches()
    try:
        module = importlib.import_module(package)
        count = 1
        for info in pkgutil.walk_packages(module.__path__, package + "."):
            importlib.import_module(info.name)
            count += 1
        module.Client(token="t", base_url="http://127.0.0.1:9").close()
        results[folder] = count
    except BaseException as exc:
        results[folder] = f"{type(exc).__name__}: {exc}"
    sys.path.remove(folder)
print("RESULTS " + json.dumps(results))
"""


def _import_all(outs: list[Path], canary: Path) -> None:
    """Import every module of each generated package in one subprocess run in ``canary``; each
    must import, and nothing may have run: no ``PWNED`` file, no marker printed."""
    canary.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    proc = subprocess.run(
        [sys.executable, "-I", "-c", _IMPORT_EVERYTHING],
        input=json.dumps([[str(out), PACKAGE] for out in outs]),
        cwd=canary,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert MARKER not in proc.stdout and MARKER not in proc.stderr
    assert list(canary.iterdir()) == [], "a payload ran"
    line = next(li for li in proc.stdout.splitlines() if li.startswith("RESULTS "))
    results = json.loads(line[len("RESULTS ") :])
    failed = {k: v for k, v in results.items() if not isinstance(v, int)}
    assert failed == {}
    assert all(v > 5 for v in results.values()), results


def _chdir_to_canary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Generate from an empty working folder: a payload the generator ran would leave a file in
    it. (Not tmp_path itself: the spec paths would then be relative to it, and each file's
    header, naming the spec, would differ from one example to the next.)"""
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")


def _snapshot(folder: Path) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            tree[rel] = ("link", os.readlink(path))
        elif path.is_dir():
            tree[rel] = "dir"
        else:
            tree[rel] = path.read_bytes()
    return tree


# --- the corpus: each channel file generates an SDK that compiles, imports, runs nothing -----------


_GROUPS = 4  # the channel files in four tests, which pytest-xdist can run side by side


@pytest.mark.parametrize("group", range(_GROUPS))
def test_every_channel_file_generates_an_sdk_that_runs_nothing_from_the_spec(
    tmp_path: Path, fast_black: None, monkeypatch: pytest.MonkeyPatch, group: int
) -> None:
    _chdir_to_canary(tmp_path, monkeypatch)
    outs = []
    for channel in sorted(CHANNELS)[group::_GROUPS]:
        files = _generate((CORPUS / f"{channel}.json").read_text(encoding="utf-8"), tmp_path / channel)
        _check_files(files, channel)
        if channel in ("descriptions", "summaries", "defaults", "enum_values"):  # shown as written
            assert any("{{ 7*7 }}" in text for text in files.values()), channel
        outs.append(tmp_path / channel / "out")
    assert not list(tmp_path.rglob(CANARY))
    _import_all(outs, tmp_path / "canary")
    assert not list(tmp_path.rglob(CANARY))


def test_hostile_names_give_identifiers_and_file_names_that_are_safe(tmp_path: Path, fast_black: None) -> None:
    files = _generate((CORPUS / "schema_names.json").read_text(encoding="utf-8"), tmp_path / "names")
    files.update(_generate((CORPUS / "operation_ids.json").read_text(encoding="utf-8"), tmp_path / "ops"))
    files.update(_generate((CORPUS / "tags.json").read_text(encoding="utf-8"), tmp_path / "tags"))
    for path in files:
        parts = path.split("/")
        for part in parts:
            stem = part.split(".")[0].lower()
            assert stem not in naming.WINDOWS_DEVICE_NAMES, path
            assert len(part) <= naming.MAX_NAME_LENGTH + 20, path
        if path.endswith(".py"):
            assert all(p.isidentifier() and p.isascii() for p in [*parts[:-1], parts[-1][:-3]]), path
    # ``op_`` + a name starting with a digit: the resource class refers to ``_<module>``.
    assert not any(re.search(r"/operations/_[0-9]", p) for p in files)


@pytest.mark.parametrize(
    ("text", "function", "module"),
    [
        ("2fa", "op_2fa", "_2fa"),  # was "_2fa": the resource's alias "__2fa" was mangled in its class
        ("{{ 7*7 }}", "op_7_7", "_7_7"),
        ("nul", "nul_", "nul_"),
        ("Com1", "com1_", "com1_"),
        ("x" * 100_000, "x" * naming.MAX_NAME_LENGTH, "x" * naming.MAX_NAME_LENGTH),
        ("ab" * 100_000, "ab" * (naming.MAX_NAME_LENGTH // 2), "ab" * (naming.MAX_NAME_LENGTH // 2)),
    ],
)
def test_names_that_would_break_a_module_or_a_file(text: str, function: str, module: str) -> None:
    assert naming.function_name(text) == function
    assert naming.module_name(text) == module
    assert len(naming.class_name(text)) <= naming.MAX_NAME_LENGTH
    assert naming.unique([naming.snake("CON")], naming.RESERVED_CLIENT_NAMES) == ["con_2"]  # a tag


# --- Hypothesis: one hostile string in one channel --------------------------------------------------

_HOSTILE_CHARS = list("ab_ \"'\\\n\r\t\x00\x0b\x0c\x1b\x7f\x85\xa0{}%#/.:-$~\u2028\u2029\u202e\u200b\ufeff\ud800\U0001f600")
_hostile_text = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(alphabet=st.sampled_from(_HOSTILE_CHARS), min_size=1, max_size=20),
    st.tuples(st.sampled_from(PAYLOADS), st.text(max_size=8), st.sampled_from(PAYLOADS)).map("".join),
    st.text(min_size=1, max_size=12),
)


def test_hostile_strings_in_each_channel_property(tmp_path: Path, fast_black: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each example generates an SDK that compiles and (all imported together at the end) runs
    nothing, or stops with a ``GeneratorError`` whose problems each name a pointer."""
    _chdir_to_canary(tmp_path, monkeypatch)
    outs: list[Path] = []
    seen: dict[str, int] = {}
    count = iter(range(10**6))

    @settings(max_examples=35, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(channel=st.sampled_from(sorted(CHANNELS)), value=_hostile_text)
    def example(channel: str, value: str) -> None:
        folder = tmp_path / f"ex{next(count)}"
        seen[channel] = seen.get(channel, 0) + 1
        try:
            files = _generate(channel_spec(channel, [value]), folder)
        except GeneratorError as exc:
            assert exc.problems
            for problem in exc.problems:
                assert problem.where.startswith("#") and problem.message, problem
                assert "cannot be validated" not in problem.message, problem
            assert not (folder / "out").exists()
            return
        _check_files(files, f"{channel} {value!r}")
        outs.append(folder / "out")

    example()
    assert len(seen) >= len(CHANNELS) // 2  # the examples reach most channels
    assert outs
    _import_all(outs, tmp_path / "canary")
    assert not list(tmp_path.rglob(CANARY))


@pytest.mark.parametrize("channel", ["operation_ids", "property_names", "schema_names", "tags", "descriptions", "enum_values", "defaults"])
def test_a_100k_character_string_in_a_channel(tmp_path: Path, fast_black: None, channel: str) -> None:
    value = ("abc" + TOUCH + '"""\\') * (100_000 // (len(TOUCH) + 7))
    if channel == "schema_names":
        value = "x" * 100_000
    files = _generate(channel_spec(channel, [value]), tmp_path)
    _check_files(files, channel)
    assert all(len(part) < 255 for path in files for part in path.split("/"))


# --- paths: nothing written outside the output folder ----------------------------------------------

_ESCAPES = ["../../escaped", "..\\..\\escaped", "/tmp/escaped", "C:\\escaped", "C:escaped", "\\\\server\\share", "CON", "NUL", "aux.py", "..", "."]


def _escape_spec() -> dict[str, Any]:
    spec = base_spec()
    for i, value in enumerate(_ESCAPES):
        _operation(spec, f"/escape{i}", operationId=value, tags=[value])
        _thing(spec)["properties"][value] = {"type": "string"}
    _inject_schema_names(spec, ["..", ".", "CON", "NUL", "com1", "__init__"])
    return spec


def test_spec_values_that_look_like_paths_write_only_inside_the_output_folder(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "outside.txt").write_text("keep\n", encoding="utf-8")
    spec = project / "spec.json"
    spec.write_text(json.dumps(_escape_spec()), encoding="utf-8")
    out = project / "out"
    before = _snapshot(tmp_path)
    argv = ["generate", "--config", str(NO_CONFIG), "--spec", str(spec), "--out", str(out), "--package", PACKAGE, "-q"]
    assert main(argv) == 0
    after = _snapshot(tmp_path)
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert changed and all(k == "project/out" or k.startswith("project/out/") for k in changed), sorted(changed)[:20]
    for path in out.rglob("*"):
        assert not path.is_symlink()
        assert path.resolve().is_relative_to(out.resolve())
    assert not Path("/tmp/escaped").exists()
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert all(p.split("/")[0] in (PACKAGE, "README.md", "pyproject.toml", MANIFEST) for p in names)


@pytest.mark.parametrize("package", ["../evil", "/abs", "C:", "C:\\evil", "a/b", "a.b", "..", "", "Evil", "x\x00y", "\nevil"])
def test_a_package_name_that_is_not_an_identifier_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], package: str
) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(base_spec()), encoding="utf-8")
    before = _snapshot(tmp_path)
    argv = ["generate", "--config", str(NO_CONFIG), "--spec", str(spec), "--out", str(tmp_path / "out"), "--package", package]
    assert main(argv) == 2
    assert "is not a valid lower-case import name" in capsys.readouterr().err
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("package", ["con", "nul", "evil\n"])
def test_a_package_named_like_a_windows_device_or_ending_in_a_newline_is_refused(tmp_path: Path, package: str) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(base_spec()), encoding="utf-8")
    argv = ["generate", "--config", str(NO_CONFIG), "--spec", str(spec), "--out", str(tmp_path / "out"), "--package", package, "-q"]
    assert main(argv) == 2


@pytest.mark.parametrize(
    "link",
    [
        PACKAGE,
        f"{PACKAGE}/models",
        "README.md",
        MANIFEST,
    ],
)
def test_a_symlink_in_the_output_folder_never_leads_a_write_outside(tmp_path: Path, link: str, fast_black: None) -> None:
    out = tmp_path / "out"
    _generate(base_spec(), tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep\n", encoding="utf-8")
    target = out / link
    if target.is_dir():
        for child in sorted(target.rglob("*"), reverse=True):
            child.rmdir() if child.is_dir() else child.unlink()
        target.rmdir()
    else:
        target.unlink()
    target.symlink_to(outside, target_is_directory=True)
    before = _snapshot(outside)
    spec = json.loads((tmp_path / "spec.json").read_text(encoding="utf-8"))
    spec["info"]["title"] = "Changed"
    try:
        _generate(spec, tmp_path)
    except GeneratorError as exc:  # a file the generator did not write is in its way
        assert any("in the way" in p.message for p in exc.problems)
    assert _snapshot(outside) == before
    for path in out.rglob("*"):
        if not path.is_symlink():
            assert path.resolve().is_relative_to(out.resolve())


def test_the_generator_never_imports_what_it_generates(tmp_path: Path) -> None:
    """Generation in a subprocess: afterwards no module of the generated package is loaded."""
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(channel_spec("descriptions")), encoding="utf-8")
    script = (
        "import sys\n"
        "from generator.cli import main\n"
        f"code = main(['generate', '--config', {str(NO_CONFIG)!r}, '--spec', 'spec.json', '--out', 'out', '--package', {PACKAGE!r}, '-q'])\n"
        f"loaded = sorted(m for m in sys.modules if m == {PACKAGE!r} or m.startswith({PACKAGE!r} + '.'))\n"
        "print('CODE', code, 'LOADED', loaded)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "CODE 0 LOADED []" in proc.stdout
    imported = [line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")]
    assert imported and not any(name == PACKAGE or name.startswith(PACKAGE + ".") for name in imported)
    assert (tmp_path / "out" / PACKAGE / "__init__.py").is_file()
    assert not list(tmp_path.rglob("__pycache__"))  # nothing generated was compiled to bytecode
    assert not list(tmp_path.rglob(CANARY))


# --- broken documents: exit 2, each problem with its pointer, the output folder untouched ---------


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_broken_document_exits_2_naming_the_pointer_and_leaves_the_output_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "sentinel.txt").write_text("mine\n", encoding="utf-8")
    before = _snapshot(tmp_path)
    spec = CORPUS / name
    argv = ["generate", "--config", str(NO_CONFIG), "--spec", str(spec), "--out", str(out), "--package", PACKAGE, "-q"]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.splitlines()
    assert lines and "Traceback" not in err
    assert all(re.match(rf"^.*{re.escape(name)}#\S*: \S", line) for line in lines), err
    where, message = BROKEN[name]
    assert any(f"{name}{where}: " in line and message in line for line in lines), err
    assert _snapshot(tmp_path) == before


def _nested_properties_text(depth: int) -> str:
    """A document whose schema ``Thing`` nests ``depth`` levels of properties (as text: the
    standard library's encoder recurses)."""
    spec = base_spec()
    _thing(spec)["properties"]["p"] = "HOLE"
    inner = '{"type": "object", "properties": {"p": ' * depth + '{"type": "string"}' + "}}" * depth
    return json.dumps(spec).replace('"HOLE"', inner)


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("arrays.json", "[" * 5000 + "]" * 5000, "#"),
        ("objects.json", '{"a": ' * 5000 + "1" + "}" * 5000, "#"),
        ("mapping.yaml", "".join("  " * i + "a:\n" for i in range(5000)) + "  " * 5000 + "b\n", "#"),
        ("flow.yaml", "openapi: 3.1.0\nx-deep: " + "[" * 5000 + "]" * 5000 + "\n", "#/x-deep/0/0/0"),
        ("properties.json", _nested_properties_text(500), "#"),
        ("properties.json", _nested_properties_text(120), "#/components/schemas/Thing/properties/p/properties/p/"),
    ],
    ids=["5000-json-arrays", "5000-json-objects", "5000-yaml-mappings", "5000-yaml-flow", "500-nested-properties", "120-nested-properties"],
)
def test_deep_documents_exit_2_naming_where_the_limit_is_passed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, where: str
) -> None:
    spec = tmp_path / name
    spec.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    argv = ["generate", "--config", str(NO_CONFIG), "--spec", str(spec), "--out", str(out), "--package", PACKAGE, "-q"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "RecursionError" not in err
    assert f"{name}{where}" in err, err[:500]
    assert f"nested more than {MAX_DEPTH} levels deep" in err
    if where == "#":
        assert re.search(r"at line \d+, column \d+", err)
    assert not out.exists()


# --- enormous documents: linear, no recursion along chains of references ----------------------------


def _chained(count: int) -> dict[str, Any]:
    """``count`` schemas, each referring to the next one: a chain as long as the document."""
    schemas = {f"S{i}": {"type": "object", "properties": {"next": {"$ref": f"#/components/schemas/S{i + 1}"}}} for i in range(count)}
    schemas[f"S{count}"] = {"type": "string"}
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": schemas}}


def test_5000_schemas_in_one_chain_load_and_our_checks_are_linear() -> None:
    """Our own passes over 5,000 schemas (one chain of references: the validator once recursed
    along it), and the whole of ``validate`` over 1,500 of them (it then took quadratic time
    and stopped with a RecursionError at about 1,000). No time is asserted: a quadratic pass
    would make this test take minutes."""
    big = _chained(5000)
    text = json.dumps(big)
    assert parse_text(text, "big.json") == big
    assert check_references(big) == [] and check_all_of(big) == []
    document = validate(_chained(1500), "big.json")
    assert len(document.data["components"]["schemas"]) == 1501


if __name__ == "__main__":
    if sys.argv[1:] == ["--write-corpus"]:
        write_corpus()
    else:
        sys.exit("usage: python tests/generator/test_hostile.py --write-corpus")
