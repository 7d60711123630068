"""generator.load: JSON and YAML in, a validated Document out, or every problem with its pointer."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import SPEC

from generator.errors import GeneratorError, Problem, pointer
from generator.load import Document, load, parse_text, validate

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
