"""generator.load: JSON and YAML in, a validated Document out, or every problem with its pointer."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import SPEC

from generator.errors import GeneratorError, Problem, pointer
from generator.load import MAX_DEPTH, Document, load, parse_text, validate
from generator.refs import MAX_ALLOF_DEPTH, check_all_of, check_references, lookup

MINIMAL_31 = {"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": {}}
OPERATION = "#/paths/~1pipelines~1metrics/post"

YAML_30 = """\
openapi: 3.0.3
info:
  title: Things
  version: "1.0"
paths:
  /things/{id}:
    get:
      operationId: getThing
      parameters:
        - name: id
          in: path
          required: true
          schema: {type: string}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: string
                nullable: true
                example: 2024-01-01
                default: 2024-01-01T10:00:00Z
"""


def _problems(data: Any) -> list[Problem]:
    with pytest.raises(GeneratorError) as caught:
        validate(data, "spec.json")
    assert caught.value.problems
    assert caught.value.source == "spec.json"
    return caught.value.problems


def test_the_vendored_spec_loads_as_31(spec: dict[str, Any]) -> None:
    document = load(SPEC)
    assert isinstance(document, Document)
    assert document.version == "3.1"
    assert document.data == spec
    assert document.source == str(SPEC)
    assert load(SPEC, "custom-name").source == "custom-name"


def test_openapi_30_yaml_loads(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(YAML_30, encoding="utf-8")
    document = load(path)
    assert document.version == "3.0"
    schema = document.data["paths"]["/things/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["nullable"] is True


def test_openapi_31_json_loads(tmp_path: Path) -> None:
    path = tmp_path / "api.json"
    path.write_text(json.dumps(MINIMAL_31), encoding="utf-8")
    assert load(path).version == "3.1"


def test_yaml_timestamps_and_dates_stay_strings() -> None:
    data = parse_text(YAML_30, "api.yaml")
    schema = data["paths"]["/things/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["example"] == "2024-01-01" and type(schema["example"]) is str
    assert schema["default"] == "2024-01-01T10:00:00Z" and type(schema["default"]) is str
    json.dumps(data)  # everything is JSON


def test_yaml_status_codes_written_as_numbers_load_as_json_sees_them(tmp_path: Path) -> None:
    """``200:`` unquoted is how most YAML specs write responses; JSON object keys are strings."""
    path = tmp_path / "api.yaml"
    path.write_text(YAML_30.replace('        "200":', "        200:"), encoding="utf-8")
    document = load(path)
    assert list(document.data["paths"]["/things/{id}"]["get"]["responses"]) == ["200"]


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('{"openapi": "3.1.0",\n "info": }', 2, 10),
        ('{\n  "a": 1,\n  "b": [1, 2,,]\n}', 3, 14),
        ('{"a": "unterminated\n}', 1, 20),
    ],
)
def test_invalid_json_reports_line_and_column(text: str, line: int, column: int) -> None:
    with pytest.raises(GeneratorError) as caught:
        parse_text(text, "api.json")
    [problem] = caught.value.problems
    assert problem.where == "#"
    assert "invalid JSON" in problem.message
    assert f"line {line}, column {column}" in problem.message
    assert str(caught.value).startswith("api.json#: ")


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("openapi: 3.1.0\ninfo:\n  title: [unclosed\n  version: 1\n", 4, 10),
        ("openapi: 3.1.0\n  bad: : x\n", 2, 6),
        ("openapi: 3.1.0\ninfo: {title: t\n", 3, 1),
        ("openapi: 3.1.0\n\tinfo: x\n", 2, 1),
    ],
)
def test_invalid_yaml_reports_line_and_column(text: str, line: int, column: int) -> None:
    with pytest.raises(GeneratorError) as caught:
        parse_text(text, "api.yaml")
    [problem] = caught.value.problems
    assert "invalid YAML" in problem.message
    assert f"line {line}, column {column}" in problem.message


@pytest.mark.parametrize("text", ["a: " + "1" * 5000 + "\n", '{"a": ' + "1" * 5000 + "}"])
def test_an_integer_too_long_to_convert_is_a_problem_not_a_crash(text: str) -> None:
    with pytest.raises(GeneratorError) as caught:
        parse_text(text, "api.yaml")
    [problem] = caught.value.problems
    assert problem.where == "#" and "digits" in problem.message


def test_duplicate_json_keys_are_rejected() -> None:
    with pytest.raises(GeneratorError) as caught:
        parse_text('{"openapi": "3.1.0", "paths": {}, "paths": {"/x": {}}}', "api.json")
    assert "duplicate key 'paths'" in caught.value.problems[0].message


def test_duplicate_yaml_keys_are_rejected_with_their_line() -> None:
    text = "openapi: 3.1.0\npaths:\n  /a: {}\n  /b: {}\n  /a: {}\n"
    with pytest.raises(GeneratorError) as caught:
        parse_text(text, "api.yaml")
    message = caught.value.problems[0].message
    assert "duplicate key '/a'" in message and "line 5" in message


def test_nested_duplicate_yaml_keys_are_rejected() -> None:
    with pytest.raises(GeneratorError):
        parse_text("a:\n  b:\n    c: 1\n    c: 2\n", "api.yaml")


def test_swagger_20_gets_a_clear_message() -> None:
    [problem] = _problems({"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}})
    assert problem.where == "#/swagger"
    assert "Swagger" in problem.message and "2.0" in problem.message
    assert "3.0" in problem.message and "3.1" in problem.message


@pytest.mark.parametrize("version", ["3.2.0", "4.0", "3.1", 3.1, None])
def test_unsupported_openapi_versions(version: Any) -> None:
    data = {**MINIMAL_31, "openapi": version}
    if version is None:
        del data["openapi"]
    [problem] = _problems(data)
    assert problem.where == "#/openapi"
    assert repr(version) in problem.message


@pytest.mark.parametrize("data", [[], "openapi: 3.1.0", 3, None])
def test_a_document_must_be_an_object(data: Any) -> None:
    [problem] = _problems(data)
    assert problem.where == "#"


def test_invalid_openapi_gives_problems_with_json_pointers(spec: dict[str, Any]) -> None:
    broken = copy.deepcopy(spec)
    operation = broken["paths"]["/pipelines/metrics"]["post"]
    operation["parameters"][0]["in"] = "nowhere"
    del operation["responses"]["200"]["description"]
    problems = _problems(broken)
    where = {p.where for p in problems}
    assert f"{OPERATION}/parameters/0/in" in where
    assert f"{OPERATION}/responses/200" in where
    assert all(p.where.startswith("#/") and p.severity == "error" for p in problems)
    assert problems == sorted(problems, key=lambda p: (p.where, p.message))
    formatted = [p.format("spec.json") for p in problems]
    assert any(line.startswith(f"spec.json{OPERATION}/parameters/0/in: ") for line in formatted)
    assert all("\n" not in line for line in formatted)


def test_pointer_escapes_slash_and_tilde() -> None:
    assert pointer("paths", "/pipelines/metrics", "post") == OPERATION
    assert pointer("components", "schemas", "a~b/c") == "#/components/schemas/a~0b~1c"


def test_missing_file_is_a_problem(tmp_path: Path) -> None:
    with pytest.raises(GeneratorError) as caught:
        load(tmp_path / "nope.json")
    assert "cannot read" in caught.value.problems[0].message


def test_non_utf8_file_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("openapi: 3.1.0\ninfo: {title: caf\xe9}\n".encode("latin-1"))
    with pytest.raises(GeneratorError):
        load(path)


def test_unresolvable_ref_is_a_problem_not_a_crash() -> None:
    data = {
        **MINIMAL_31,
        "components": {"schemas": {"A": {"type": "object", "properties": {"x": {"$ref": "#/components/schemas/Missing"}}}}},
    }
    problems = _problems(data)
    assert any(p.where.startswith("#/components/schemas/A") for p in problems)


def test_circular_bare_refs_are_a_problem_not_a_crash() -> None:
    data = {
        **MINIMAL_31,
        "components": {"schemas": {"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}}},
    }
    problems = _problems(data)
    assert any(p.where.startswith("#/components/schemas/") for p in problems)


# --- hostile structure: depth, loops, size; problems at the place the validator found them -------


def _things() -> dict[str, Any]:
    """A small valid document: one operation, three schemas (one referenced through another)."""
    ref = {"$ref": "#/components/schemas/Thing"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": {
            "/things/{thing_id}": {
                "get": {
                    "operationId": "getThing",
                    "parameters": [
                        {"name": "thing_id", "in": "path", "required": True, "schema": {"type": "string"}},
                        {"name": "filter", "in": "query", "schema": {"type": "string"}},
                    ],
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": ref}}}},
                }
            }
        },
        "components": {
            "schemas": {
                "Thing": {"type": "object", "properties": {"name": {"type": "string"}, "error": {"$ref": "#/components/schemas/Error"}}},
                "Error": {"type": "object", "properties": {"message": {"type": "string"}}},
            }
        },
    }


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("[" * 5000 + "]" * 5000, 1, MAX_DEPTH + 1),
        ('{\n"a": ' + '{"a": ' * 5000 + "1" + "}" * 5001, 2, 6 + 6 * (MAX_DEPTH - 1)),
    ],
)
def test_json_nested_beyond_what_the_parser_can_read_names_line_and_column(text: str, line: int, column: int) -> None:
    with pytest.raises(GeneratorError) as caught:
        parse_text(text, "deep.json")
    [problem] = caught.value.problems
    assert problem.where == "#"
    assert problem.message == f"invalid JSON at line {line}, column {column}: objects and arrays nested more than {MAX_DEPTH} levels deep"


def test_yaml_nested_beyond_what_the_parser_can_read_names_line_and_column() -> None:
    text = "".join("  " * i + "a:\n" for i in range(3000)) + "  " * 3000 + "b\n"
    with pytest.raises(GeneratorError) as caught:
        parse_text(text, "deep.yaml")
    [problem] = caught.value.problems
    assert problem.message == f"invalid YAML at line {MAX_DEPTH + 1}, column {2 * MAX_DEPTH + 1}: objects and arrays nested more than {MAX_DEPTH} levels deep"


def test_a_yaml_alias_inside_the_node_it_names_is_a_problem_not_a_hang() -> None:
    with pytest.raises(GeneratorError) as caught:
        parse_text("openapi: 3.1.0\nx-a:\n  b: &loop {c: [1, *loop]}\n", "loop.yaml")
    [problem] = caught.value.problems
    assert problem.where == "#/x-a/b/c/1"
    assert "refers to a node that contains it" in problem.message


def test_yaml_aliases_that_expand_a_billion_times_are_a_problem_not_a_hang() -> None:
    text = "x-0: &l0 [a, a, a, a, a, a, a, a, a, a]\n"
    text += "".join(f"x-{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]\n" for i in range(1, 10))
    with pytest.raises(GeneratorError) as caught:
        parse_text(text, "laughs.yaml")
    assert "YAML aliases expand the document to more than" in caught.value.problems[0].message


def test_yaml_aliases_that_repeat_a_little_are_fine() -> None:
    data = parse_text("a: &x {b: [1, 2]}\nc: *x\nd: [*x, *x]\n", "ok.yaml")
    assert data == {"a": {"b": [1, 2]}, "c": {"b": [1, 2]}, "d": [{"b": [1, 2]}, {"b": [1, 2]}]}


def test_the_nesting_limit_is_exact() -> None:
    """A value ``MAX_DEPTH`` levels down is accepted; one level more is refused at its pointer,
    before anything recursive reads the document."""

    def document(levels: int) -> dict[str, Any]:
        value: Any = 1
        for _ in range(levels - 1):  # the "x-deep" key is the first level
            value = [value]
        return {**MINIMAL_31, "x-deep": value}

    validate(document(MAX_DEPTH), "spec.json")
    [problem] = _problems(document(MAX_DEPTH + 1))
    assert problem.where == "#/x-deep" + "/0" * MAX_DEPTH
    assert problem.message == f"objects and arrays nested more than {MAX_DEPTH} levels deep"


def test_deep_schemas_within_the_limit_validate_though_the_validator_recurses() -> None:
    """The validator recurses about ten times per level: it runs with room for the limit."""
    data = _things()
    node: dict[str, Any] = {"type": "string"}
    for _ in range(MAX_DEPTH - 10):
        node = {"type": "array", "items": node}
    data["components"]["schemas"]["Deep"] = node
    validate(data, "spec.json")


def _all_of_chain(length: int, loop: bool = False) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for i in range(length):
        target = (i + 1) % length if loop else i + 1
        own = {"type": "object", "properties": {f"p{i}": {"type": "string"}}}
        schemas[f"A{i}"] = {"allOf": [{"$ref": f"#/components/schemas/A{target}"}, own]}
    if not loop:
        schemas[f"A{length}"] = {"type": "object"}
    return {**MINIMAL_31, "components": {"schemas": schemas}}


@pytest.mark.parametrize("length", [1, 2, 3, 50])
def test_mutually_recursive_all_of_is_a_problem_at_the_ref_that_closes_the_loop(length: int) -> None:
    problems = _problems(_all_of_chain(length, loop=True))
    assert [p.where for p in problems] == [f"#/components/schemas/A{length - 1}/allOf/0/$ref"]
    names = " -> ".join([f"#/components/schemas/A{i}" for i in range(length)] + ["#/components/schemas/A0"])
    assert problems[0].message == f"circular allOf: {names} (a schema cannot include itself)"


def test_an_all_of_chain_longer_than_the_limit_is_refused_where_it_starts() -> None:
    assert check_all_of(_all_of_chain(MAX_ALLOF_DEPTH)) == []
    problems = check_all_of(_all_of_chain(MAX_ALLOF_DEPTH + 1))
    assert [(p.where, p.message) for p in problems] == [
        (
            "#/components/schemas/A0",
            f"schemas extend each other through allOf {MAX_ALLOF_DEPTH + 1} levels deep (more than {MAX_ALLOF_DEPTH})",
        )
    ]
    assert [p.where for p in _problems(_all_of_chain(1000))] == ["#/components/schemas/A0"]


def test_a_recursive_schema_used_through_all_of_validates() -> None:
    """``Tree`` refers to itself through anyOf and items; ``allOf: [Tree]`` adds a description.
    openapi-spec-validator on its own recurses forever collecting Tree's properties."""
    data = _things()
    schemas = data["components"]["schemas"]
    schemas["Tree"] = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}]}
    schemas["Described"] = {"allOf": [{"$ref": "#/components/schemas/Tree"}], "description": "A tree."}
    schemas["Thing"]["properties"]["tree"] = {"$ref": "#/components/schemas/Described"}
    validate(data, "spec.json")


def test_a_long_chain_of_bare_refs_is_checked_in_linear_time() -> None:
    schemas: dict[str, Any] = {f"R{i}": {"$ref": f"#/components/schemas/R{i + 1}"} for i in range(20_000)}
    schemas["R20000"] = {"type": "string"}
    document = {"components": {"schemas": schemas}}
    assert check_references(document) == []
    schemas["R20000"] = {"$ref": "#/components/schemas/R19990"}  # now it ends in a loop
    problems = check_references(document)
    assert len(problems) == 20_001
    assert problems[0].message.startswith("circular $ref: #/components/schemas/R1 -> #/components/schemas/R2 -> ")
    assert problems[0].message.endswith("(19989 $refs lead to a loop of 11)")
    assert all(len(p.message) < 1000 for p in problems)


def test_validator_problems_inside_referenced_schemas_and_defaults_name_their_own_pointer() -> None:
    """Without help, the validator names these relative to the schema or the default value it
    was checking (``#/properties/message/type``, ``#/name``), or not at all (``#``)."""
    data = _things()
    schemas = data["components"]["schemas"]
    schemas["Error"]["properties"]["message"] = {"type": 5}
    schemas["Thing"]["required"] = ["missing"]
    schemas["Thing"]["allOf"] = [{"type": "object"}]
    schemas["Thing"]["default"] = {"name": 5, "missing": 1}
    data["paths"]["/things/{thing_id}"]["get"]["parameters"][1]["schema"] = {"type": "string", "pattern": "^[a-z]+$", "default": "A"}
    assert sorted((p.where, p.message) for p in _problems(data)) == [
        ("#/components/schemas/Error/properties/message/type", "5 is not valid under any of the given schemas"),
        ("#/components/schemas/Thing", "Required list has not defined properties: ['missing']"),
        ("#/components/schemas/Thing/default/name", "5 is not of type 'string'"),
        ("#/paths/~1things~1{thing_id}/get/parameters/1/schema/default", "'A' does not match '^[a-z]+$'"),
    ]


def test_percent_encoded_refs_resolve() -> None:
    """A ``$ref`` is a URI: the braces of a path are percent-encoded (``%7B``) in it."""
    data = _things()
    ref = "#/paths/~1things~1%7Bthing_id%7D/get/parameters/1"
    data["paths"]["/other"] = {"get": {"parameters": [{"$ref": ref}], "responses": {"204": {"description": "none"}}}}
    validate(data, "spec.json")
    assert check_references(data) == []
    assert lookup(data, ref) is data["paths"]["/things/{thing_id}"]["get"]["parameters"][1]


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/a/{b", "each { must be closed by a }"),
        ("/a/b}", "each { must be closed by a }"),
        ("/a/{{b}}", "each { must be closed by a }"),
        ("/a/{b:c}", "format string syntax"),
        ("/a/{b!r}", "format string syntax"),
        ("/a/{b[0}", "format string syntax"),
    ],
)
def test_a_path_template_the_validator_cannot_read_is_a_problem_at_its_path(path: str, reason: str) -> None:
    data = {**MINIMAL_31, "paths": {path: {"get": {"responses": {"204": {"description": "none"}}}}}}
    [problem] = _problems(data)
    assert problem.where == pointer("paths", path)
    assert reason in problem.message


def test_every_broken_place_is_reported_at_once_and_the_validator_never_gives_up() -> None:
    data = _things()
    schemas = data["components"]["schemas"]
    schemas["Thing"]["properties"]["a"] = {"$ref": "#/components/schemas/Missing"}
    schemas["Thing"]["properties"]["b"] = {"$ref": "other.json#/X"}
    schemas["L1"] = {"allOf": [{"$ref": "#/components/schemas/L2"}]}
    schemas["L2"] = {"allOf": [{"$ref": "#/components/schemas/L1"}]}
    data["paths"]["/dup"] = {"get": {"operationId": "getThing", "responses": {"204": {"description": "none"}}}}
    data["paths"]["/x"] = {"get": {"parameters": [{"$ref": "#/components/parameters/Missing"}], "responses": {"204": {"description": "none"}}}}
    problems = _problems(data)
    assert {p.where for p in problems} == {
        "#/components/schemas/Thing/properties/a/$ref",
        "#/components/schemas/Thing/properties/b/$ref",
        "#/components/schemas/L2/allOf/0/$ref",
        "#/paths/~1dup/get/operationId",
        "#/paths/~1x/get/parameters/0/$ref",
    }
    assert all("cannot be validated" not in p.message for p in problems)


def test_a_spec_the_manifest_records_as_validated_skips_only_the_validator(tmp_path: Path) -> None:
    """openapi-spec-validator is skipped for a file whose hash passed it before; a different file
    (one byte) is validated again, and the generator's own checks always run."""
    import hashlib

    doc = {"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {"/a": {"get": {"responses": {"200": {"description": "x"}}}}}}
    doc["paths"]["/a"]["get"]["responses"]["200"]["description"] = 5  # the validator's problem, not ours
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(GeneratorError, match="description"):
        load(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert load(path, validated_sha256=digest).data == doc
    path.write_text(json.dumps(doc) + " ", encoding="utf-8")
    with pytest.raises(GeneratorError, match="description"):
        load(path, validated_sha256=digest)
    broken = {**doc, "paths": {"/b": {"get": {"responses": {"200": {"$ref": "#/components/responses/Nope"}}}}}}
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(GeneratorError, match="Nope"):
        load(path, validated_sha256=hashlib.sha256(path.read_bytes()).hexdigest())

    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(GeneratorError, match="Nope"):  # checked by another generator: checked again
        load(path, validated_sha256=digest, checked_sha256="0" * 64)
    assert load(path, validated_sha256=digest, checked_sha256=digest).data == broken  # by this one


def test_regenerating_from_the_same_spec_with_the_same_generator_skips_every_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spec: dict[str, Any]
) -> None:
    """The manifest records the spec and the generator the output was made with: the same spec
    with the same generator passed every check then. Another generator checks again."""
    import generator.load
    from generator.config import Config
    from generator.pipeline import generate, run

    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    config = Config(spec=path, out=tmp_path / "out", package="sdk", client="Client")
    generate(config)
    calls: list[str] = []
    real = generator.load.check_references

    def counted(data: Any) -> Any:
        calls.append("checked")
        return real(data)

    monkeypatch.setattr(generator.load, "check_references", counted)
    run(config)
    assert calls == []
    manifest = tmp_path / "out" / ".manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["inputs"]["generator"] = "another"
    manifest.write_text(json.dumps(data), encoding="utf-8")
    run(config)
    assert calls == ["checked"]


# --- openapi-spec-validator in another process while the SDK is built (large specs) -----------


def _background(monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.load

    monkeypatch.setattr(generator.load, "BACKGROUND_FROM", 0)  # every spec counts as large


def test_a_background_validation_reports_the_same_problems_when_confirmed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spec: dict[str, Any]
) -> None:
    broken = copy.deepcopy(spec)
    operation = broken["paths"]["/pipelines/metrics"]["post"]
    operation["parameters"][0]["in"] = "nowhere"  # the validator's problems, not ours
    del operation["responses"]["200"]["description"]
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(GeneratorError) as sequential:
        load(path)
    _background(monkeypatch)
    document = load(path, background=True)
    assert document.pending is not None  # loaded: the validator is still running
    with pytest.raises(GeneratorError) as background:
        document.confirm()
    assert background.value.problems == sequential.value.problems
    with pytest.raises(GeneratorError):
        document.confirm()  # asked again: the same answer, no second wait


def test_a_valid_spec_confirms_and_small_specs_validate_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "spec.json"
    path.write_text(SPEC.read_text(encoding="utf-8"), encoding="utf-8")
    assert load(path, background=True).pending is None  # below BACKGROUND_FROM
    _background(monkeypatch)
    document = load(path, background=True)
    assert document.pending is not None
    document.confirm()
    assert document == load(path)


def test_a_validator_process_that_dies_is_not_a_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    import generator.load

    path = tmp_path / "spec.json"
    path.write_text(SPEC.read_text(encoding="utf-8"), encoding="utf-8")
    _background(monkeypatch)
    monkeypatch.setattr(generator.load, "_validator_problems", lambda checked, version: os._exit(9))
    document = load(path, background=True)
    with pytest.raises(GeneratorError, match=r"the validator process ended \(9\)"):
        document.confirm()


def test_generation_of_an_invalid_spec_reports_the_validator_not_what_building_it_ran_into(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spec: dict[str, Any]
) -> None:
    """The SDK is built while the validator runs: a document the IR builder trips over must
    still fail with the validator's problems, and nothing is written."""
    import generator.api
    from generator.config import Config
    from generator.pipeline import run

    broken = copy.deepcopy(spec)
    del broken["paths"]["/pipelines/metrics"]["post"]["responses"]["200"]["description"]
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    _background(monkeypatch)

    def trips(document: Document) -> Any:
        raise KeyError("description")

    monkeypatch.setattr(generator.api, "build_api", trips)  # imported by the run that uses it
    with pytest.raises(GeneratorError) as info:
        run(Config(spec=path, out=tmp_path / "out", package="sdk", client="Client"))
    assert any(p.where.startswith("#/paths/~1pipelines~1metrics/post/responses/200") for p in info.value.problems)
    assert not (tmp_path / "out").exists()
    path.write_text(SPEC.read_text(encoding="utf-8"), encoding="utf-8")  # valid: the error itself
    with pytest.raises(KeyError):
        run(Config(spec=path, out=tmp_path / "out", package="sdk", client="Client"))


def _three_paths() -> dict[str, Any]:
    def ok() -> dict[str, Any]:
        return {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}

    return {
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": {f"/{name}": {"get": {"operationId": name, "responses": {"200": ok()}}} for name in ("a", "b", "c")},
        "components": {
            "schemas": {"A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}}, "B": {"type": "string"}, "C": {"type": "integer"}},
            "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}},
        },
    }


def test_after_a_change_to_path_items_only_those_and_what_they_reach_are_validated_again() -> None:
    from generator.load import _changed_part, spec_parts

    before = _three_paths()
    previous = json.dumps(spec_parts(before))
    after = copy.deepcopy(before)
    after["paths"]["/b"]["get"]["summary"] = "changed"
    after["paths"]["/d"] = {"get": {"responses": {"204": {"description": "new"}}}}
    del after["paths"]["/c"]
    reduced = _changed_part(after, spec_parts(after), previous)
    assert reduced is not None
    assert list(reduced["paths"]) == ["/b", "/d"]
    assert reduced["components"] == {"schemas": {"A": after["components"]["schemas"]["A"], "B": {"type": "string"}}, "securitySchemes": after["components"]["securitySchemes"]}
    assert _changed_part(before, spec_parts(before), previous) == {**{k: v for k, v in before.items() if k != "components"}, "paths": {}, "components": {"securitySchemes": before["components"]["securitySchemes"]}}

    component = copy.deepcopy(after)
    component["components"]["schemas"]["C"]["format"] = "int64"  # anything outside paths: all again
    assert _changed_part(component, spec_parts(component), previous) is None
    elsewhere = copy.deepcopy(after)
    elsewhere["paths"]["/b"]["get"]["responses"]["200"] = {"$ref": "#/paths/~1a/get/responses/200"}
    assert _changed_part(elsewhere, spec_parts(elsewhere), previous) is None
    assert _changed_part(after, spec_parts(after), "") is None
    assert _changed_part(after, spec_parts(after), "not json") is None


def test_regeneration_validates_the_changed_path_item_and_still_reports_its_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.load
    from generator.config import Config
    from generator.pipeline import run
    from generator.write import write_tree

    _background(monkeypatch)
    seen = tmp_path / "validated.txt"
    real = generator.load._validator_problems

    def spy(checked: dict[str, Any], version: str) -> list[Problem]:
        with seen.open("a", encoding="utf-8") as out:  # written by the forked validator process
            out.write(",".join(sorted(checked["paths"])) + "\n")
        return real(checked, version)

    monkeypatch.setattr(generator.load, "_validator_problems", spy)
    spec, doc = tmp_path / "spec.json", _three_paths()
    config = Config(spec=spec, out=tmp_path / "out", package="sdk", client="Client")

    def generate(document: dict[str, Any]) -> None:
        spec.write_text(json.dumps(document), encoding="utf-8")
        result = run(config)
        write_tree(config.out, result.files, result.spec_sha256, result.sources, result.inputs)

    generate(doc)
    doc["paths"]["/b"]["get"]["summary"] = "changed"
    generate(doc)
    assert seen.read_text(encoding="utf-8").splitlines() == ["/a,/b,/c", "/b"]
    doc["paths"]["/c"]["get"]["responses"]["200"]["description"] = 5  # the validator's problem
    spec.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(GeneratorError) as info:
        run(config)
    assert [p.where for p in info.value.problems] == ["#/paths/~1c/get/responses/200"]
    assert seen.read_text(encoding="utf-8").splitlines()[2:] == ["/c", "/a,/b,/c"]  # then all, to be sure


# --- the OpenAPI JSON Schema check, and each schema's meta-schema check, asked of jsonschema-rs first

_DOCUMENTS = sorted(
    p
    for folder in ("tests/specs", "tests/hostile")
    for p in (SPEC.parent.parent / folder).iterdir()
    if p.suffix in (".json", ".yaml", ".yml")
) + [SPEC]

_MUTATIONS: dict[str, Any] = {
    "description a number": lambda op: op["responses"]["200"].__setitem__("description", 5),
    "parameter in nowhere": lambda op: op["parameters"][0].__setitem__("in", "nowhere"),
    "responses a list": lambda op: op.__setitem__("responses", []),
    "schema type unknown": lambda op: op["responses"]["200"]["content"]["application/json"].__setitem__("schema", {"type": "strange"}),
    "unknown keyword": lambda op: op.__setitem__("surprise", True),
    "security not a list": lambda op: op.__setitem__("security", {"a": []}),
}

# Schemas that break the JSON Schema meta-schema, or that jsonschema-rs might judge otherwise
# than the validator (whole numbers as floats, Python regular expressions).
_SCHEMA_MUTATIONS: dict[str, Any] = {
    "pattern Python rejects": {"type": "string", "pattern": "(unclosed"},
    "pattern only Python accepts": {"type": "string", "pattern": "(?P<name>a)(?P=name)"},
    "maxLength a float": {"type": "string", "maxLength": 5.0},
    "minLength negative": {"type": "string", "minLength": -1},
    "required empty": {"type": "object", "properties": {"a": {"type": "string"}}, "required": []},
    "required repeated": {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a", "a"]},
    "enum 1 and 1.0": {"type": "number", "enum": [1, 1.0]},
    "enum 1 and true": {"enum": [1, True]},
    "multipleOf zero": {"type": "number", "multipleOf": 0},
    "nested items broken": {"type": "array", "items": {"type": "object", "properties": {"a": {"maxItems": "3"}}}},
    "title a number": {"type": "string", "title": 3},
}


def _problems_both_ways(document: Any, version: str, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Problem], list[Problem]]:
    import generator.load

    fast = generator.load._validator_problems(document, version)
    with monkeypatch.context() as patched:
        patched.setattr(generator.load, "_matches_openapi_schema", lambda version, document: False)
        patched.setattr(generator.load, "_meets_meta_schema", lambda version, schema: False)
        slow = generator.load._validator_problems(document, version)
    return fast, slow


@pytest.mark.parametrize("path", _DOCUMENTS, ids=lambda p: p.name)
def test_the_fast_schema_check_changes_no_answer_on_any_test_document(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        document = parse_text(path.read_text(encoding="utf-8", errors="surrogatepass"), str(path))
    except GeneratorError:
        pytest.skip("not a document")
    version = document.get("openapi") if isinstance(document, dict) else None
    if not isinstance(version, str) or not version.startswith(("3.0.", "3.1.")):
        pytest.skip("not OpenAPI 3.0/3.1")
    if check_references(document):
        pytest.skip("broken references: the validator is given a copy without them")
    fast, slow = _problems_both_ways(document, version, monkeypatch)
    assert fast == slow


@pytest.mark.parametrize("mutation", _MUTATIONS.values(), ids=_MUTATIONS.keys())
def test_the_fast_schema_check_changes_no_answer_on_broken_documents(
    mutation: Any, spec: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    document = copy.deepcopy(spec)
    mutation(document["paths"]["/pipelines/metrics"]["post"])
    fast, slow = _problems_both_ways(document, document["openapi"], monkeypatch)
    assert fast == slow and fast, fast


@pytest.mark.parametrize("schema", _SCHEMA_MUTATIONS.values(), ids=_SCHEMA_MUTATIONS.keys())
@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_the_fast_meta_schema_check_changes_no_answer_on_odd_schemas(
    schema: Any, version: str, spec: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    document = copy.deepcopy(spec)
    document["openapi"] = version
    document["components"]["schemas"]["Odd"] = schema
    document["paths"]["/pipelines/metrics"]["post"]["responses"]["200"]["content"]["application/json"]["schema"] = {
        "$ref": "#/components/schemas/Odd"
    }
    fast, slow = _problems_both_ways(document, version, monkeypatch)
    assert fast == slow


def test_the_fast_meta_schema_check_answers_only_what_it_can() -> None:
    from generator.load import _meets_meta_schema

    assert _meets_meta_schema("3.0", {"type": "string", "pattern": "^a+$", "maxLength": 5})
    assert not _meets_meta_schema("3.0", {"type": "string", "pattern": "(unclosed"})
    assert not _meets_meta_schema("3.0", {"type": "string", "maxLength": 5.0})  # left to the validator
    assert not _meets_meta_schema("3.0", {"type": "string", "minLength": -1})
    assert not _meets_meta_schema("3.1", {"type": "string"})  # dialects: the validator's


def _outcome(spec: Path, tmp_path: Path) -> tuple[str, Any]:
    from generator.config import Config
    from generator.pipeline import run

    try:
        result = run(Config(spec=spec, out=tmp_path / "out", package="sdk", client="Client"))
    except GeneratorError as exc:
        return "error", [(p.where, p.message) for p in exc.problems]
    return "ok", sorted(result.files)


_BROKEN = sorted(p for p in (SPEC.parent.parent / "tests" / "hostile").iterdir() if p.name.startswith("broken_")) + [SPEC]


@pytest.mark.parametrize("spec", _BROKEN, ids=lambda p: p.name)
def test_checks_beside_the_builder_give_what_checks_before_it_give(spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On large documents the checks (all but depth) and the validator run in a forked process
    while the SDK is built: the outcome is the outcome of checking first, problem for problem
    (the builder may trip over what they find, but what they find is what is reported)."""
    import generator.load

    monkeypatch.setattr(generator.load, "BACKGROUND_FROM", 10**12)
    first = _outcome(spec, tmp_path)
    monkeypatch.setattr(generator.load, "BACKGROUND_FROM", 0)
    assert _outcome(spec, tmp_path) == first


def test_too_deep_a_document_is_reported_alike_when_checked_beside_the_builder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The builder reads a document nested deeper than MAX_DEPTH without failing in a way that
    hides the problem: the depth check, done beside it, is what is reported."""
    import generator.load

    deep: dict[str, Any] = {}
    node = deep
    for _ in range(MAX_DEPTH + 300):
        node["x"] = {}
        node = node["x"]
    document = json.loads(SPEC.read_text(encoding="utf-8"))
    document["components"]["schemas"]["Deep"] = {"type": "object", "default": deep, "properties": {"a": deep}}
    spec = tmp_path / "deep.json"
    spec.write_text(json.dumps(document), encoding="utf-8")
    monkeypatch.setattr(generator.load, "BACKGROUND_FROM", 10**12)
    first = _outcome(spec, tmp_path)
    monkeypatch.setattr(generator.load, "BACKGROUND_FROM", 0)
    assert _outcome(spec, tmp_path) == first and first[0] == "error"


# --- YAML straight from libyaml's events: the full loader's outcome, or the full loader

_YAML_SNIPPETS = [
    "",
    "# only a comment\n",
    "a: 1\n",
    "just text\n",
    "- 1\n- two\n- [3, {four: 4}]\n",
    "a: yes\nb: no\nc: on\nd: off\ne: y\nf: n\ng: True\nh: FALSE\ni: tRue\n",
    "a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: nULL\ng: ''\n",
    "a: 012\nb: 0o17\nc: 0x1F\nd: -0\ne: +12\nf: 1_000\ng: 0b101\nh: 1e3\ni: 1.5e-3\nj: .5\nk: 3.\n",
    "a: .inf\nb: -.Inf\nc: +.INF\nd: .nan\ne: .NaN\nf: 10:30\ng: 190:20:30\n",
    "a: 2001-12-14\nb: 2001-12-14t21:59:43.10-05:00\nc: 2001-12-14 21:59:43.10 -5\n",
    "a: '012'\nb: \"true\"\nc: 'null'\nd: |\n  block\n  text\ne: >\n  folded\n  text\n",
    "200: ok\ntrue: t\nnull: n\n1.5: f\n'quoted': q\n~: tilde\n",
    "a: {b: [c, d], e: {}}\nf: []\n",
    "? complex\n: key\n",
    "? [a, b]\n: complex key\n",
    "? {a: b}\n: complex key\n",
    "a: 1\na: 2\n",
    "a:\n  b: 1\n  b: 2\n",
    "a: &x 1\nb: *x\n",
    "a: &x {b: 1}\nc: *x\n",
    "base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n",
    "a:\n  <<: {x: 1}\n",
    "'<<': literal key\n",
    "a: !!str 12\nb: !!int '12'\nc: !custom x\n",
    "a: ! 12\n",
    "a: !!binary aGVsbG8=\n",
    "=: value key\nb: =\n",
    "--- a\n--- b\n",
    "--- {a: 1}\n...\n",
    "%YAML 1.1\n---\na: 1\n",
    "a: [1, 2\n",
    "a: b: c\n",
    "\ta: 1\n",
    "a: 'unterminated\n",
    "a: \"\\u00e9\\t\\x41\"\nb: café\n",
    "a: !!set {x, y}\n",
    "a: !!omap [x: 1]\n",
]


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (``1 == 1.0 == True`` would hide a change)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and a != a:
        return b != b
    return bool(a == b)


def _read_outcome(read: Any, text: str) -> tuple[str, Any]:
    try:
        return "data", read(text)
    except Exception as exc:  # noqa: BLE001 - the outcome, whatever it is, is what is compared
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize("text", _YAML_SNIPPETS)
def test_yaml_from_events_is_the_full_loaders_data_or_is_left_to_it(text: str) -> None:
    import yaml

    from generator import yaml_reader as load_module

    full = _read_outcome(lambda t: yaml.load(t, Loader=load_module._Loader), text)  # noqa: S506
    try:
        fast = load_module._plain_yaml(text)
    except load_module._NotPlain:
        return
    assert full[0] == "data", f"the full loader refuses what the fast reader read: {full}"
    assert _same(fast, full[1])


def test_plain_yaml_documents_are_read_from_events() -> None:
    """The fast reader takes the usual shape of a spec (so it is really used), and refuses what
    only the full loader handles (so its refusals keep their messages)."""
    from generator import yaml_reader as load_module

    for text in (YAML_30, _YAML_SNIPPETS[5], _YAML_SNIPPETS[7], _YAML_SNIPPETS[8], _YAML_SNIPPETS[11]):
        load_module._plain_yaml(text)
    for text in ("a: &x 1\nb: *x\n", "a: 1\na: 2\n", "a: !!str 1\n", "a:\n  <<: {x: 1}\n", "--- a\n--- b\n", "a: [1\n"):
        with pytest.raises(load_module._NotPlain):
            load_module._plain_yaml(text)
    deep = "a:\n" + "".join("  " * i + "- \n" for i in range(1, MAX_DEPTH + 2))
    with pytest.raises(load_module._NotPlain):
        load_module._plain_yaml(deep)


@pytest.mark.parametrize("path", [p for p in _DOCUMENTS if p.suffix in (".yaml", ".yml")], ids=lambda p: p.name)
def test_yaml_test_documents_read_alike_both_ways(path: Path) -> None:
    import yaml

    from generator import yaml_reader as load_module

    text = path.read_text(encoding="utf-8")
    full = _read_outcome(lambda t: yaml.load(t, Loader=load_module._Loader), text)  # noqa: S506
    try:
        fast = load_module._plain_yaml(text)
    except load_module._NotPlain:
        assert full[0] != "data" or "&" in text or "!" in text or "<<" in text, f"{path.name}: a plain document left to the full loader"
        return
    assert full[0] == "data" and _same(fast, full[1])


@pytest.mark.parametrize("background", [False, True], ids=["in-process", "background"])
def test_a_parameter_ref_to_something_else_is_a_problem_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spec: dict[str, Any], background: bool
) -> None:
    """openapi-spec-validator fails on a ``parameters`` ``$ref`` to a schema (KeyError: 'name'): a
    large spec reported that failure, a small one left the parameter out without a word."""
    if background:
        _background(monkeypatch)
    broken = copy.deepcopy(spec)
    broken.setdefault("components", {}).setdefault("schemas", {})["NotAParameter"] = {"type": "string"}
    broken["paths"]["/pipelines/metrics"]["post"]["parameters"] = [{"$ref": "#/components/schemas/NotAParameter"}]
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(GeneratorError) as info:
        load(path, background=True).confirm()  # large specs: the problems come with confirm()
    assert [(p.where, p.message) for p in info.value.problems] == [
        (
            "#/paths/~1pipelines~1metrics/post/parameters/0/$ref",
            "'#/components/schemas/NotAParameter' is not a parameter: an object with a name and an 'in' of path, query, header or cookie",
        )
    ]


@pytest.mark.parametrize("version", ["3.0", "3.1"])
def test_the_openapi_json_schema_read_as_json_is_what_the_validator_reads(version: str) -> None:
    """``_openapi_schema`` reads the validator's own schema file with ``json``, not through its
    YAML loader (a tenth of a second): the values must be the same."""
    from openapi_spec_validator.schemas.utils import get_schema_content

    from generator.load import _openapi_schema

    assert _openapi_schema(version) == get_schema_content(version)


@pytest.mark.parametrize("told", ["nothing", "read it", "the changed part"])
def test_a_validation_started_early_reports_what_the_whole_document_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spec: dict[str, Any], told: str
) -> None:
    """``PendingValidation.early``: forked before the document is parsed here; told the changed
    part (``give``), told to read the document itself, or told nothing (then ``problems()``
    tells it to read): the same problems as the document loaded at once, and on a pass the
    parts the next run may skip."""
    from generator.load import PendingValidation, spec_parts

    broken = copy.deepcopy(spec)
    operation = broken["paths"]["/pipelines/metrics"]["post"]
    operation["parameters"][0]["in"] = "nowhere"  # the validator's problems, not ours
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(GeneratorError) as at_once:
        load(path)
    previous = json.dumps(spec_parts(spec), separators=(",", ":"))  # the last run's spec passed
    for document, expected in ((broken, at_once.value.problems), (spec, [])):
        pending = PendingValidation.early(lambda document=document: (document, None), previous)
        if told == "read it":
            pending.give(None, None)
        elif told == "the changed part":
            pending.give(document, spec_parts(document))
        assert pending.problems() == expected
        assert (pending.parts != "") == (not expected)
        pending.give(document, None)  # once given, not again


def test_a_validation_started_early_is_done_again_here_when_its_process_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spec: dict[str, Any]
) -> None:
    """``Forked`` does the work again in this process when the other one fails with anything but
    a problem report: for an early validation that work must not need the pipe (closed here)."""
    import os

    import generator.load
    from generator.load import PendingValidation, spec_parts

    parent = os.getpid()
    real = generator.load._validator_problems

    def flaky(*args: Any, **kwargs: Any) -> Any:
        if os.getpid() != parent:
            raise RuntimeError("the validator failed in the other process")
        return real(*args, **kwargs)

    monkeypatch.setattr(generator.load, "_validator_problems", flaky)
    broken = copy.deepcopy(spec)
    broken["paths"]["/pipelines/metrics"]["post"]["parameters"][0]["in"] = "nowhere"
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(GeneratorError) as at_once:
        load(path)
    previous = json.dumps(spec_parts(spec), separators=(",", ":"))
    pending = PendingValidation.early(lambda: (broken, None), previous)
    pending.give(broken, spec_parts(broken))
    assert pending.problems() == at_once.value.problems
