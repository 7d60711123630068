"""generator.changelog: with ``changelog = true``, each generation that changes the SDK for its
users adds a CHANGELOG.md entry and bumps the SDK version by the change; ``check`` agrees."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import SPEC

from generator.changelog import bumped
from generator.cli import main


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "spec").mkdir()
    shutil.copy(SPEC, tmp_path / "spec" / "openapi.json")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.generator]\nspec = "spec/openapi.json"\nout = "sdk"\npackage = "streamkap"\nclient = "Streamkap"\n'
        'version = "0.1.0"\nchangelog = true\n',
        encoding="utf-8",
    )
    return tmp_path


def _run(project: Path, *args: str) -> int:
    return main([args[0], "--config", str(project / "pyproject.toml"), "-q", *args[1:]])


def _edit(project: Path, change: str) -> None:
    path = project / "spec" / "openapi.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    res = data["components"]["schemas"]["PipelineMetricsRes"]["properties"]
    if change == "add":
        res["cursor"] = {"type": "string", "title": "Cursor"}
    else:
        del res["task_metrics"]
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def _version(project: Path) -> str:
    text = (project / "sdk" / "streamkap" / "_version.py").read_text(encoding="utf-8")
    return text.split('__version__ = "')[1].split('"')[0]


@pytest.mark.parametrize(
    ("version", "part", "expected"),
    [("0.1.0", "major", "1.0.0"), ("0.1.0", "minor", "0.2.0"), ("0.1.9", "patch", "0.1.10"), ("2", "minor", "2.1.0")],
)
def test_bumped(version: str, part: str, expected: str) -> None:
    assert bumped(version, part) == expected


def test_the_first_generation_starts_the_changelog(project: Path) -> None:
    assert _run(project, "generate") == 0
    log = (project / "sdk" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert log.startswith("# Changelog\n") and "\n## 0.1.0\n\nFirst SDK generated from Streamkap REST API 2.0.0.\n" in log
    assert json.loads((project / "sdk" / ".openapi.json").read_text(encoding="utf-8")) == json.loads(SPEC.read_text(encoding="utf-8"))
    manifest = json.loads((project / "sdk" / ".manifest.json").read_text(encoding="utf-8"))["files"]
    assert "CHANGELOG.md" in manifest and ".openapi.json" in manifest
    assert _version(project) == "0.1.0"
    assert _run(project, "check", "--full") == 0
    assert _run(project, "generate") == 0  # nothing changed: no new entry
    assert (project / "sdk" / "CHANGELOG.md").read_text(encoding="utf-8") == log


def test_an_addition_is_a_minor_bump_and_a_removal_a_major_one(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(project, "generate") == 0
    _edit(project, "add")
    assert _run(project, "check") == 1  # the pending entry shows as drift
    assert "+## 0.2.0: Streamkap REST API 2.0.0" in capsys.readouterr().out
    assert _run(project, "generate") == 0
    assert _version(project) == "0.2.0"
    assert 'version = "0.2.0"' in (project / "sdk" / "pyproject.toml").read_text(encoding="utf-8")
    _edit(project, "remove")
    assert _run(project, "generate") == 0
    assert _version(project) == "1.0.0"
    log = (project / "sdk" / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = [line for line in log.splitlines() if line.startswith("## ")]
    assert headings == ["## 1.0.0: Streamkap REST API 2.0.0", "## 0.2.0: Streamkap REST API 2.0.0", "## 0.1.0"]
    newest = log.split("## 1.0.0")[1].split("\n## 0.2.0")[0]
    assert "### Breaking changes" in newest and "`task_metrics`" in newest
    older = log.split("## 0.2.0")[1].split("\n## 0.1.0")[0]
    assert "### Other changes" in older and "`cursor`" in older and "Breaking" not in older and "<details>" not in log
    assert _run(project, "check", "--full") == 0


def test_a_higher_configured_version_wins(project: Path) -> None:
    assert _run(project, "generate") == 0
    _edit(project, "add")
    assert _run(project, "generate", "--sdk-version", "3.4.0") == 0
    assert _version(project) == "3.5.0"


def test_changelog_must_be_a_boolean(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "pyproject.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("changelog = true", 'changelog = "yes"'), encoding="utf-8")
    assert _run(project, "generate") == 2
    assert "#/tool/generator/changelog: must be true or false" in capsys.readouterr().err
