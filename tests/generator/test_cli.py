"""generator.cli: ``main(argv)`` → exit code 0 (ok), 1 (drift), 2 (input or configuration error).

Nothing here writes to the project's own ``generated/``: every command that writes or edits
works on a copy in tmp_path.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import GENERATED, NO_CONFIG, ROOT, SEED, SPEC

from generator.cli import main
from generator.write import MANIFEST, read_manifest


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A copy of the spec, the committed SDK and pyproject.toml: the tests edit only the copy."""
    (tmp_path / "spec").mkdir()
    shutil.copy(SPEC, tmp_path / "spec" / "openapi.json")
    shutil.copytree(GENERATED, tmp_path / "generated", symlinks=True)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _flags(project: Path, config: Path | None = None, out: Path | None = None, spec: Path | None = None) -> list[str]:
    return [
        "--config",
        str(config if config is not None else project / "pyproject.toml"),
        "--spec",
        str(spec if spec is not None else project / "spec" / "openapi.json"),
        "--out",
        str(out if out is not None else project / "generated"),
        "--package",
        "streamkap",
        "--client",
        "Streamkap",
        "--async-client",
        "AsyncStreamkap",
        "--env-prefix",
        "STREAMKAP",
        "--sdk-version",
        "0.1.0",
    ]


def test_check_passes_on_the_committed_sdk(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--full", "--config", str(ROOT / "pyproject.toml")]) == 0
    out = capsys.readouterr().out
    assert "no drift" in out


def test_check_passes_on_a_copy_with_every_flag(project: Path) -> None:
    assert main(["check", *_flags(project), "-q"]) == 0


def test_check_with_flags_only_from_the_project_folder(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    (project / "pyproject.toml").unlink()  # no --config and no ./pyproject.toml: the defaults
    flags = _flags(project)
    del flags[:2]  # --config <path>
    assert main(["check", *flags, "-q"]) == 0


def test_a_named_configuration_file_that_does_not_exist_exits_2(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A misspelt --config is an error, not the defaults: those would generate another package
    into the folder and remove this one's files."""
    before = _digest(project / "generated")
    for command in ("generate", "check"):
        assert main([command, "--config", str(project / "pyprojct.toml"), "--out", str(project / "generated"), "-q"]) == 2
        assert "pyprojct.toml#: no such configuration file" in capsys.readouterr().err
    assert _digest(project / "generated") == before


def test_check_fails_with_exit_1_after_editing_a_generated_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = project / "generated" / "streamkap" / "_client.py"
    target.write_text(target.read_text(encoding="utf-8") + "# a hand edit\n", encoding="utf-8")
    assert main(["check", *_flags(project)]) == 1
    captured = capsys.readouterr()
    assert "streamkap/_client.py" in captured.out
    assert "-# a hand edit" in captured.out
    assert re.search(r"drift: 1 changed, 0 missing, 0 extra", captured.out)
    assert "make generate" in captured.err


def test_check_fails_with_exit_1_for_a_deleted_and_an_extra_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = project / "generated"
    (out / "streamkap" / "py.typed").unlink()
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    manifest["files"]["streamkap/models/gone.py"] = "0" * 64
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    (out / "streamkap" / "models" / "gone.py").write_text("X = 1\n", encoding="utf-8")
    assert main(["check", *_flags(project)]) == 1
    report = capsys.readouterr().out
    assert "missing: streamkap/py.typed" in report
    assert "extra (no longer generated): streamkap/models/gone.py" in report


def test_check_fails_with_exit_1_when_the_spec_changes(project: Path) -> None:
    spec_path = project / "spec" / "openapi.json"
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    spec["info"]["description"] = "Changed."
    spec_path.write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")
    assert main(["check", *_flags(project), "-q"]) == 1


def _break(spec_path: Path) -> None:
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    operation = spec["paths"]["/pipelines/metrics"]["post"]
    operation["parameters"][2]["in"] = "body"
    del operation["responses"]["422"]["description"]
    spec_path.write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")


@pytest.mark.parametrize("command", ["check", "generate"])
def test_invalid_spec_exits_2_with_one_line_per_problem(project: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    spec_path = project / "spec" / "openapi.json"
    _break(spec_path)
    out = project / "fresh-out"
    assert main([command, *_flags(project, out=out)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 2, captured.err
    for line in lines:
        assert re.match(r"^.*openapi\.json#/paths/~1pipelines~1metrics/post/\S+: \S", line), line
    assert any("/parameters/2/in: " in line for line in lines)
    assert any("/responses/422: " in line and "description" in line for line in lines)
    assert "Traceback" not in captured.err
    assert not out.exists()


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _spec_variant(change: str) -> str:
    spec: dict[str, Any] = json.loads(SPEC.read_text(encoding="utf-8"))
    spec = copy.deepcopy(spec)
    if change == "unresolvable-ref":
        spec["components"]["schemas"]["PipelineMetricsRes"]["properties"]["account_metrics"] = {"$ref": "#/components/schemas/Nope"}
    elif change == "circular-ref":
        spec["components"]["schemas"]["Loop1"] = {"$ref": "#/components/schemas/Loop2"}
        spec["components"]["schemas"]["Loop2"] = {"$ref": "#/components/schemas/Loop1"}
    return json.dumps(spec, indent=2)


@pytest.mark.parametrize(
    ("name", "text", "pointer"),
    [
        ("bad.json", '{"openapi": "3.1.0",\n  "info": }\n', "#"),
        ("bad.yaml", "openapi: 3.1.0\ninfo: {title: [\n", "#"),
        ("swagger.yaml", "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n", "#/swagger"),
        ("empty.yaml", "", "#"),
        ("unresolvable.json", _spec_variant("unresolvable-ref"), "#/components/schemas/PipelineMetricsRes"),
        ("circular.json", _spec_variant("circular-ref"), "#/components/schemas/Loop"),
    ],
    ids=["invalid-json", "invalid-yaml", "swagger-2.0", "empty", "unresolvable-ref", "circular-ref"],
)
def test_every_input_error_exits_2_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, pointer: str
) -> None:
    spec = _write(tmp_path, name, text)
    out = tmp_path / "out"
    code = main(["generate", *_flags(tmp_path, config=NO_CONFIG, out=out, spec=spec), "-q"])
    err = capsys.readouterr().err
    assert code == 2
    lines = err.splitlines()
    assert lines and all(f"{name}#" in line for line in lines), err
    assert any(f"{name}{pointer}" in line for line in lines), err
    assert not out.exists()


def test_missing_spec_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["generate", *_flags(tmp_path, config=NO_CONFIG, spec=tmp_path / "missing.json"), "-q"])
    assert code == 2
    assert "missing.json#: cannot read" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("flag", "value"),
    [("--package", "Not-Valid"), ("--client", "lowercase"), ("--sdk-version", "vNext"), ("--env-prefix", "lower")],
)
def test_invalid_configuration_exits_2(project: Path, capsys: pytest.CaptureFixture[str], flag: str, value: str) -> None:
    flags = _flags(project, out=project / "fresh-out")
    flags[flags.index(flag) + 1] = value
    assert main(["generate", *flags]) == 2
    err = capsys.readouterr().err
    assert err.startswith("[tool.generator]#: ") and value in err
    assert not (project / "fresh-out").exists()


def test_unknown_pyproject_key_exits_2(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8").replace("[tool.generator]\n", "[tool.generator]\nmystery = 1\n"), encoding="utf-8")
    assert main(["check", *_flags(project)]) == 2
    assert "mystery" in capsys.readouterr().err


def _files_line(stdout: str) -> tuple[int, int, int]:
    match = re.search(r"files: (\d+) written, (\d+) unchanged, (\d+) removed", stdout)
    assert match, stdout
    return int(match[1]), int(match[2]), int(match[3])


def test_generate_twice_second_run_reports_all_files_unchanged(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = project / "fresh-out"
    assert main(["generate", *_flags(project, out=out)]) == 0
    written, unchanged, removed = _files_line(capsys.readouterr().out)
    total = len(read_manifest(out)) + 1  # and the manifest itself
    assert (written, unchanged, removed) == (total, 0, 0)
    tree = _digest(out)
    assert main(["generate", *_flags(project, out=out)]) == 0
    assert _files_line(capsys.readouterr().out) == (0, total, 0)
    assert _digest(out) == tree
    assert main(["check", *_flags(project, out=out), "-q"]) == 0


def test_generating_into_a_copy_of_the_committed_sdk_changes_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _digest(project / "generated")
    assert main(["generate", *_flags(project)]) == 0
    written, unchanged, removed = _files_line(capsys.readouterr().out)
    assert (written, removed) == (0, 0) and unchanged > 0
    assert _digest(project / "generated") == before


def test_generate_reports_what_it_did(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", *_flags(project, out=project / "fresh-out")]) == 0
    out = capsys.readouterr().out
    assert "operations: 1 in 1 namespaces (pipelines)" in out
    assert re.search(r"models: \d+ classes, \d+ aliases", out)
    assert main(["generate", *_flags(project, out=project / "fresh-out"), "-q"]) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.skipif(not SEED.is_file(), reason=f"the seed documentation page {SEED} is not on this machine")
def test_vendor_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "spec" / "openapi.json"
    assert main(["vendor", str(SEED), "-o", str(out)]) == 0
    assert out.read_bytes() == SPEC.read_bytes()
    assert str(out) in capsys.readouterr().out


def test_vendor_command_with_a_bad_source_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = _write(tmp_path, "page.md", "# No spec here\n")
    assert main(["vendor", str(page), "-o", str(tmp_path / "o.json")]) == 2
    assert "page.md#: no OpenAPI document" in capsys.readouterr().err
    assert not (tmp_path / "o.json").exists()


@pytest.mark.parametrize("argv", [[], ["frobnicate"], ["generate", "--no-such-flag"]])
def test_usage_errors_exit_2(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2


# --------------------------------------------------------------- check: fast path and drift causes


def test_check_skips_regenerating_when_the_manifest_shows_no_input_changed(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", *_flags(project)]) == 0
    out = capsys.readouterr().out
    assert "no input changed since it was generated" in out and "files verified by hash" in out
    assert main(["check", "--full", *_flags(project)]) == 0
    assert "no drift" in capsys.readouterr().out


def test_check_names_a_hand_edited_file_as_the_cause(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = project / "generated" / "streamkap" / "models" / "pipeline_metrics_res.py"
    target.write_text(target.read_text(encoding="utf-8") + "# my edit\n", encoding="utf-8")
    assert main(["check", *_flags(project)]) == 1
    out = capsys.readouterr().out
    assert "-# my edit" in out  # the file's diff
    assert "cause: edited by hand since it was generated: generated/streamkap/models/pipeline_metrics_res.py" in out
    assert "cause: the spec changed" not in out


def test_check_names_a_changed_spec_as_the_cause(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = project / "spec" / "openapi.json"
    data = json.loads(spec.read_text(encoding="utf-8"))
    data["info"]["title"] = "Renamed API"
    spec.write_text(json.dumps(data, indent=2), encoding="utf-8")
    assert main(["check", *_flags(project)]) == 1
    out = capsys.readouterr().out
    assert "cause: the spec changed since the last generation" in out
    assert "edited by hand" not in out


def test_check_names_changed_templates_and_configuration(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    templates = project / "tpl"
    (templates / "runtime").mkdir(parents=True)
    (templates / "runtime" / "_version.py.jinja").write_text('{{ header }}\n__version__ = "9.9.9-custom"\n', encoding="utf-8")
    assert main(["check", *_flags(project), "--templates", str(templates), "--sdk-version", "0.2.0"]) == 1
    out = capsys.readouterr().out
    assert "cause: the templates changed since the last generation" in out
    assert "cause: the configuration ([tool.generator] or flags) changed since the last generation" in out
    assert '+__version__ = "9.9.9-custom"' in out


def test_a_generator_change_that_changes_no_file_is_not_drift(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = project / "generated" / ".manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["inputs"]["generator"] = "0" * 64  # as if the generator was refactored since
    manifest.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    assert main(["check", *_flags(project)]) == 0  # regenerated, compared: the same files
    assert "no drift" in capsys.readouterr().out


def _edit_with_its_hash(project: Path, rel: str, extra: str) -> None:
    """A generated file edited, and its hash in the manifest updated to match (as a pull request could)."""
    target = project / "generated" / rel
    target.write_text(target.read_text(encoding="utf-8") + extra, encoding="utf-8")
    manifest = project / "generated" / MANIFEST
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["files"][rel] = hashlib.sha256(target.read_bytes()).hexdigest()
    manifest.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def test_check_full_trusts_nothing_in_the_output_folder(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--full`` formats every file itself: the format cache (files on disk the manifest vouches
    for) would let a file edited along with its hash through."""
    _edit_with_its_hash(project, "streamkap/_version.py", "import os  # injected\n")
    assert main(["check", *_flags(project)]) == 0  # the fast path trusts the manifest (documented)
    capsys.readouterr()
    assert main(["check", "--full", *_flags(project)]) == 1
    assert "-import os  # injected" in capsys.readouterr().out


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.update(comment="edited"),
        lambda d: d.pop("sources"),
        lambda d: d["inputs"].update(extra="1"),
        lambda d: d["files"].update({"../../outside.py": "0" * 64}),
    ],
    ids=["comment-edited", "sources-removed", "unknown-input", "unsafe-entry"],
)
def test_a_manifest_edited_by_hand_is_drift(project: Path, capsys: pytest.CaptureFixture[str], edit: Any) -> None:
    """The fast path takes the manifest only as the generator writes it. (Its list of files it
    trusts: an entry removed consistently passes the fast path; ``--full`` finds it.)"""
    manifest = project / "generated" / MANIFEST
    data = json.loads(manifest.read_text(encoding="utf-8"))
    edit(data)
    manifest.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    assert main(["check", *_flags(project)]) == 1
    assert f"+++ generated/{MANIFEST} (generated)" in capsys.readouterr().out


def test_a_manifest_on_one_line_is_drift(project: Path) -> None:
    manifest = project / "generated" / MANIFEST
    manifest.write_text(json.dumps(json.loads(manifest.read_text(encoding="utf-8"))), encoding="utf-8")
    assert main(["check", *_flags(project), "-q"]) == 1


def test_a_generated_file_replaced_by_a_link_to_the_same_text_is_in_the_way(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``generate`` writes neither over nor through a link: ``check`` says so instead of passing."""
    target = project / "generated" / "streamkap" / "_version.py"
    moved = project / "elsewhere.py"
    shutil.move(str(target), str(moved))
    target.symlink_to(moved)
    for full in ([], ["--full"]):
        assert main(["check", *full, *_flags(project)]) == 1
        assert "in the way: streamkap/_version.py" in capsys.readouterr().out
    assert main(["generate", *_flags(project), "-q"]) == 2
    assert "streamkap/_version.py: a link (the generator writes neither over nor through one) is in the way" in capsys.readouterr().err


def test_an_overlay_file_a_template_includes_is_an_input(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    overlay = project / "tpl"
    (overlay / "runtime").mkdir(parents=True)
    (overlay / "runtime" / "_version.py.jinja").write_text(
        '{{ header }}\n__version__ = {{ version | pyrepr }}\n{% include "extra.txt" %}\n', encoding="utf-8"
    )
    (overlay / "extra.txt").write_text("BUILD = 1\n", encoding="utf-8")
    flags = [*_flags(project), "--templates", str(overlay), "-q"]
    assert main(["generate", *flags]) == 0
    assert main(["check", *flags]) == 0
    (overlay / "extra.txt").write_text("BUILD = 2\n", encoding="utf-8")
    assert main(["check", *flags]) == 1
    assert "+BUILD = 2" in capsys.readouterr().out


def test_a_manifest_entry_removed_is_found_by_check_full(project: Path) -> None:
    manifest = project / "generated" / MANIFEST
    data = json.loads(manifest.read_text(encoding="utf-8"))
    del data["files"]["streamkap/_version.py"]
    manifest.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    assert main(["check", "--full", *_flags(project), "-q"]) == 1
