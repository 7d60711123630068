"""generator.check: compare what would be generated with the folder on disk."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import GENERATED, ROOT

from generator.check import Drift, compare
from generator.config import load_config
from generator.pipeline import run
from generator.write import MANIFEST, write_tree

FILES = {
    "pkg/__init__.py": "from .a import A\n",
    "pkg/a.py": "A = 1\nB = 2\nC = 3\n",
    "README.md": "# Readme\n",
}


def _written(tmp_path: Path, files: dict[str, str] = FILES, sha: str = "abc") -> Path:
    out = tmp_path / "out"
    write_tree(out, files, sha)
    return out


def test_a_clean_tree_reports_clean(tmp_path: Path) -> None:
    out = _written(tmp_path)
    drift = compare(out, FILES, "abc")
    assert drift.clean
    assert drift == Drift({}, (), ())
    assert drift.report().splitlines()[-1].startswith("drift: 0 changed, 0 missing, 0 extra")


def test_users_own_files_are_not_drift(tmp_path: Path) -> None:
    out = _written(tmp_path)
    (out / "NOTES.md").write_text("mine\n", encoding="utf-8")
    (out / "pkg" / "local.py").write_text("X = 1\n", encoding="utf-8")
    drift = compare(out, FILES, "abc")
    assert drift.clean
    # A Python file inside the generated package is named as the user's (a note, not drift).
    assert drift.untracked == ("pkg/local.py",)
    assert "note: not generated (kept as the user's): pkg/local.py" in drift.report()


def test_a_changed_file_is_reported_with_a_unified_diff(tmp_path: Path) -> None:
    out = _written(tmp_path)
    (out / "pkg" / "a.py").write_text("A = 1\nB = 20\nC = 3\n", encoding="utf-8")
    drift = compare(out, FILES, "abc")
    assert not drift.clean
    assert list(drift.changed) == ["pkg/a.py"]
    diff = drift.changed["pkg/a.py"].splitlines()
    assert diff[0] == "--- out/pkg/a.py (on disk)"
    assert diff[1] == "+++ out/pkg/a.py (generated)"
    assert diff[2].startswith("@@ ")
    assert "-B = 20" in diff and "+B = 2" in diff and " A = 1" in diff
    assert drift.missing == () and drift.extra == ()
    report = drift.report()
    assert "-B = 20" in report
    assert report.splitlines()[-1].startswith("drift: 1 changed, 0 missing, 0 extra")


def test_a_change_without_a_trailing_newline_still_diffs_line_by_line(tmp_path: Path) -> None:
    out = _written(tmp_path)
    (out / "README.md").write_text("# Readme", encoding="utf-8")
    diff = compare(out, FILES, "abc").changed["README.md"]
    assert "-# Readme\n+# Readme" in diff


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    out = _written(tmp_path)
    (out / "README.md").unlink()
    drift = compare(out, FILES, "abc")
    assert drift.missing == ("README.md",)
    assert drift.changed == {} and drift.extra == ()
    assert "missing: README.md" in drift.report()


def test_a_file_no_longer_generated_is_extra(tmp_path: Path) -> None:
    out = _written(tmp_path)
    fewer = {k: v for k, v in FILES.items() if k != "pkg/a.py"}
    drift = compare(out, fewer, "abc")
    assert drift.extra == ("pkg/a.py",)
    assert list(drift.changed) == [MANIFEST]  # the manifest no longer lists it
    assert "extra (no longer generated): pkg/a.py" in drift.report()


def test_a_new_file_is_missing(tmp_path: Path) -> None:
    out = _written(tmp_path)
    drift = compare(out, {**FILES, "pkg/new.py": "N = 1\n"}, "abc")
    assert drift.missing == ("pkg/new.py",)
    assert list(drift.changed) == [MANIFEST]


def test_a_spec_change_alone_is_drift_in_the_manifest(tmp_path: Path) -> None:
    out = _written(tmp_path)
    drift = compare(out, FILES, "different-sha")
    assert list(drift.changed) == [MANIFEST]
    assert "different-sha" in drift.changed[MANIFEST]


def test_an_empty_or_missing_folder_is_all_missing(tmp_path: Path) -> None:
    drift = compare(tmp_path / "nothing", FILES, "abc")
    assert set(drift.missing) == set(FILES) | {MANIFEST}
    assert drift.changed == {} and drift.extra == ()


def test_a_non_utf8_file_is_changed_not_a_crash(tmp_path: Path) -> None:
    out = _written(tmp_path)
    (out / "pkg" / "a.py").write_bytes(b"A = '\xff'\n")
    assert "pkg/a.py" in compare(out, FILES, "abc").changed


def test_crlf_on_disk_is_drift(tmp_path: Path) -> None:
    out = _written(tmp_path)
    (out / "README.md").write_bytes(b"# Readme\r\n")
    assert "README.md" in compare(out, FILES, "abc").changed


def test_several_kinds_of_drift_are_counted_together(tmp_path: Path) -> None:
    out = _written(tmp_path)
    (out / "README.md").unlink()
    (out / "pkg" / "__init__.py").write_text("changed\n", encoding="utf-8")
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    manifest["files"]["pkg/old.py"] = "0" * 64
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    (out / "pkg" / "old.py").write_text("OLD = 1\n", encoding="utf-8")
    drift = compare(out, FILES, "abc")
    assert set(drift.changed) == {"pkg/__init__.py", MANIFEST}
    assert drift.missing == ("README.md",)
    assert drift.extra == ("pkg/old.py",)
    assert drift.report().splitlines()[-1] == "drift: 2 changed, 1 missing, 1 extra (4 files)"


def test_the_committed_sdk_has_no_drift() -> None:
    result = run(load_config(ROOT / "pyproject.toml"))
    drift = compare(GENERATED, result.files, result.spec_sha256, result.sources, result.inputs)
    assert drift.clean, drift.report()
