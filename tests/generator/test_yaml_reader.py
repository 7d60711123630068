"""``generator/yaml_reader.py``: YAML as ``load`` reads it, imported only for a YAML spec.

Its agreement with PyYAML's loader on many documents is tested in ``test_load.py`` (through
``load`` and through the fast reader directly)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml
from conftest import ROOT

from generator.errors import GeneratorError
from generator.yaml_reader import read_yaml


def test_a_json_spec_run_imports_no_yaml() -> None:
    """PyYAML takes 15 ms to import: the modules a run of a JSON spec needs do not import it."""
    code = "import sys, generator.cli, generator.pipeline, generator.incremental; print('yaml' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_yaml_as_json_sees_it() -> None:
    data = read_yaml("a: 2025-01-15\nb: yes\nc: on\n200: x\nd: 0x1F\ne: 1.5\n", "spec.yaml")
    assert data == {"a": "2025-01-15", "b": "yes", "c": "on", "200": "x", "d": 31, "e": 1.5}
    assert [type(v) for v in data.values()] == [str, str, str, str, int, float]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\na: 2\n", "duplicate"),
        ("a: [1, 2\n", "invalid YAML at line"),
        ("a: !custom x\n", "invalid YAML"),
        ("a: " + "9" * 5000 + "\n", "invalid YAML: "),
    ],
)
def test_what_cannot_be_read_is_a_problem_naming_the_file(text: str, message: str) -> None:
    with pytest.raises(GeneratorError) as info:
        read_yaml(text, "spec.yaml")
    assert info.value.source == "spec.yaml" and message in info.value.problems[0].message


def test_a_merge_key_is_overridden_by_the_mappings_own_keys() -> None:
    """YAML's ``<<``: the mapping's own keys win over merged ones, an earlier merged mapping over
    a later one (as PyYAML's own loader reads it); a key twice among its own is still an error."""
    text = (
        "x-base: &base {title: Base, description: d, x-a: 1}\n"
        "x-other: &other {title: Other, x-b: 2}\n"
        "a:\n  <<: [*base, *other]\n  type: object\n  title: U\n"
        "b:\n  <<: *other\n  x-b: 3\n"
    )
    data = read_yaml(text, "spec.yaml")
    assert data["a"] == yaml.safe_load(text)["a"] == {"title": "U", "x-b": 2, "description": "d", "x-a": 1, "type": "object"}
    assert data["b"] == {"title": "Other", "x-b": 3}
    with pytest.raises(GeneratorError, match="duplicate key 'type'"):
        read_yaml("a:\n  <<: {x: 1}\n  type: object\n  type: string\n", "spec.yaml")
