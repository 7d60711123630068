"""generator.vendor: the documentation page → the canonical vendored spec/openapi.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import SEED, SPEC

from generator.errors import GeneratorError
from generator.vendor import canonical_json, extract, vendor

DOC = {"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": {}}
YAML_DOC = 'openapi: 3.1.0\ninfo:\n  title: T\n  version: "1"\npaths: {}\n'

needs_seed = pytest.mark.skipif(not SEED.is_file(), reason=f"the seed documentation page {SEED} is not on this machine")


@needs_seed
def test_vendored_spec_is_exactly_what_vendor_makes_from_the_seed(tmp_path: Path) -> None:
    out = tmp_path / "spec" / "openapi.json"
    vendor(SEED, out)
    assert out.read_bytes() == SPEC.read_bytes()
    assert not list(out.parent.glob("*.tmp"))


@needs_seed
def test_seed_extraction_keeps_source_key_order() -> None:
    data = extract(SEED.read_text(encoding="utf-8"), str(SEED))
    vendored = json.loads(SPEC.read_text(encoding="utf-8"))
    assert list(data) == list(vendored) == ["openapi", "info", "servers", "security", "tags", "paths", "components"]
    assert data == vendored


def test_canonical_json_format() -> None:
    data = {"z": 1, "a": {"y": [1, 2.0, "é", None, True]}, "m": "日本"}
    text = canonical_json(data)
    assert text == (
        '{\n  "z": 1,\n  "a": {\n    "y": [\n      1,\n      2.0,\n      "é",\n      null,\n      true\n    ]\n  },\n'
        '  "m": "日本"\n}\n'
    )
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert json.loads(text) == data


def test_vendored_spec_is_in_canonical_format() -> None:
    text = SPEC.read_text(encoding="utf-8")
    assert canonical_json(json.loads(text)) == text
    assert text.splitlines()[1].startswith('  "openapi"')


def test_vendor_keeps_ints_and_floats_apart(tmp_path: Path) -> None:
    source = tmp_path / "api.yaml"
    source.write_text(YAML_DOC + "x-numbers: [5, 5.0, 1.5e+3, -0]\n", encoding="utf-8")
    out = tmp_path / "openapi.json"
    vendor(source, out)
    assert '"x-numbers": [\n    5,\n    5.0,\n    1500.0,\n    0\n  ]' in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "page",
    [
        json.dumps(DOC, indent=2),
        YAML_DOC,
        "'openapi': 3.1.0\ninfo: {title: T, version: '1'}\npaths: {}\n",
        "# Title\n\nSome prose.\n\n```yaml\n" + YAML_DOC + "```\n",
        "# Title\n\n````yaml /openapi.json post /x\n" + YAML_DOC + "````\n\nAfter.\n",
        "# Title\n\n~~~yaml\n" + YAML_DOC + "~~~\n",
        "# Title\n\n```yml\n" + YAML_DOC + "```\n",
        "# Title\n\n```json\n" + json.dumps(DOC, indent=2) + "\n```\n",
        "# Title\n\n```yaml\nnot: openapi\n```\n\n```yaml\n" + YAML_DOC + "```\n",
        "# Title\n\n```python\nopenapi = 1\n```\n\n```yaml\n" + YAML_DOC + "```\n",
        ("# Title\n\n```yaml\n" + YAML_DOC + "```\n\nMore prose.\n").replace("\n", "\r\n"),
    ],
    ids=["json", "yaml", "quoted-key", "backticks", "four-backticks", "tildes", "yml", "json-block", "skips-non-openapi", "skips-python", "crlf"],
)
def test_extract_finds_the_document(page: str) -> None:
    assert extract(page, "page.md") == DOC


def test_extract_inner_fence_does_not_end_a_longer_block() -> None:
    body = YAML_DOC.replace("title: T", "title: T\n  description: |\n    ```\n    code\n    ```")
    data = extract("intro\n\n````yaml\n" + body + "````\n", "page.md")
    assert data["info"]["description"] == "```\ncode\n```\n"


def test_extract_a_minified_json_block() -> None:
    page = "# Title\n\n```json\n" + json.dumps(DOC) + "\n```\n"
    assert extract(page, "page.md") == DOC


@pytest.mark.parametrize("page", ["# Nothing here\n", "```yaml\nfoo: bar\n```\n", "```python\nopenapi: 3.1.0\n```\n", ""])
def test_extract_without_a_document_is_a_problem(page: str) -> None:
    with pytest.raises(GeneratorError) as caught:
        extract(page, "page.md")
    assert caught.value.source == "page.md"
    assert "no OpenAPI document" in caught.value.problems[0].message


def _seed_like(body: str) -> str:
    return "# Page\n\n````yaml /openapi.json\n" + body + "````\n"


def test_vendor_rejects_an_invalid_document_and_leaves_the_output_alone(tmp_path: Path) -> None:
    source = tmp_path / "page.md"
    source.write_text(_seed_like(YAML_DOC.replace("paths: {}", "paths: {x: {}}")), encoding="utf-8")
    out = tmp_path / "spec" / "openapi.json"
    out.parent.mkdir()
    out.write_text("previous\n", encoding="utf-8")
    with pytest.raises(GeneratorError) as caught:
        vendor(source, out)
    assert caught.value.source == str(source)
    assert all(p.where.startswith("#") for p in caught.value.problems)
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["openapi.json"]


def test_vendor_rejects_invalid_yaml_with_its_line(tmp_path: Path) -> None:
    source = tmp_path / "api.yaml"
    source.write_text("openapi: 3.1.0\ninfo: {title: [\n", encoding="utf-8")
    with pytest.raises(GeneratorError) as caught:
        vendor(source, tmp_path / "out.json")
    assert "line" in caught.value.problems[0].message
    assert not (tmp_path / "out.json").exists()


def test_vendor_missing_source(tmp_path: Path) -> None:
    with pytest.raises(GeneratorError) as caught:
        vendor(tmp_path / "missing.md", tmp_path / "out.json")
    assert "cannot read" in caught.value.problems[0].message


def test_vendor_output_is_stable(tmp_path: Path) -> None:
    source = tmp_path / "page.md"
    source.write_text(_seed_like(YAML_DOC), encoding="utf-8")
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    vendor(source, first)
    vendor(first, second)  # vendoring the vendored JSON changes nothing
    assert first.read_bytes() == second.read_bytes() == canonical_json(DOC).encode("utf-8")


def _roundtrip(data: Any, tmp_path: Path) -> Any:
    path = tmp_path / "x.json"
    path.write_text(canonical_json(data), encoding="utf-8")
    return json.loads(path.read_text(encoding="utf-8"))


def test_canonical_json_round_trips_unicode(tmp_path: Path) -> None:
    data = {"s": "line\u2028sep \u202e bidi \"q\" \\ \x00"}
    assert _roundtrip(data, tmp_path) == data
