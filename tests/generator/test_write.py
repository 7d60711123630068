"""generator.write: the staged, all-or-nothing writer with a manifest of what it owns."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import jinja2
import pytest
from conftest import ROOT, SPEC

from generator.cli import main
from generator.errors import GeneratorError
from generator.write import MANIFEST, all_safe, read_manifest, safe_relative, write_tree

FILES = {
    "pkg/__init__.py": "from .a import A\n",
    "pkg/a.py": "A = 1\n",
    "pkg/sub/b.py": "B = 'é'\n",
    "README.md": "# Readme\n",
}


def _snapshot(folder: Path) -> dict[str, Any]:
    """Every entry under ``folder``: files by content, directories and symlinks by kind."""
    if not folder.exists():
        return {}
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


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".stage-" in p.name or ".old-" in p.name)


def test_write_creates_files_and_manifest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary = write_tree(out, FILES, "abc123")
    for path, text in FILES.items():
        assert (out / path).read_bytes() == text.encode("utf-8")
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["spec_sha256"] == "abc123"
    assert manifest["files"] == {p: hashlib.sha256(t.encode("utf-8")).hexdigest() for p, t in sorted(FILES.items())}
    assert list(manifest["files"]) == sorted(FILES)
    assert read_manifest(out) == manifest["files"]
    assert set(summary.written) == set(FILES) | {MANIFEST}
    assert summary.unchanged == () and summary.removed == ()
    assert _leftovers(tmp_path) == []


def test_text_is_written_with_lf_newlines_as_utf8(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, {"a.txt": "one\ntwo\n", "b.txt": "crlf\r\n"}, "x")
    assert (out / "a.txt").read_bytes() == b"one\ntwo\n"
    assert (out / "b.txt").read_bytes() == b"crlf\r\n"


def test_regenerating_the_same_files_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, FILES, "abc")
    before = {p: os.stat(out / p) for p in FILES}
    summary = write_tree(out, FILES, "abc")
    assert summary.written == ()
    assert set(summary.unchanged) == set(FILES) | {MANIFEST}
    for path, st in before.items():
        after = os.stat(out / path)
        assert (after.st_ino, after.st_mtime_ns) == (st.st_ino, st.st_mtime_ns), path


def test_regenerating_removes_files_it_wrote_and_no_longer_produces(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, FILES, "abc")
    fewer = {k: v for k, v in FILES.items() if k != "pkg/sub/b.py"}
    fewer["pkg/new.py"] = "N = 1\n"
    summary = write_tree(out, fewer, "def")
    assert summary.removed == ("pkg/sub/b.py",)
    assert "pkg/new.py" in summary.written
    assert not (out / "pkg/sub/b.py").exists()
    assert (out / "pkg/new.py").read_text(encoding="utf-8") == "N = 1\n"
    assert set(read_manifest(out)) == set(fewer)


def test_users_own_files_survive_regeneration(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, FILES, "abc")
    (out / "NOTES.txt").write_text("mine\n", encoding="utf-8")
    (out / "pkg" / "sub" / "local_settings.py").write_text("SECRET = 1\n", encoding="utf-8")
    (out / "my.egg-info").mkdir()
    (out / "my.egg-info" / "PKG-INFO").write_text("info\n", encoding="utf-8")
    os.symlink("NOTES.txt", out / "notes-link")
    os.chmod(out / "NOTES.txt", 0o600)
    inode = os.stat(out / "NOTES.txt").st_ino
    write_tree(out, {k: v for k, v in FILES.items() if k != "pkg/sub/b.py"}, "def")
    assert (out / "NOTES.txt").read_text(encoding="utf-8") == "mine\n"
    assert os.stat(out / "NOTES.txt").st_ino == inode
    assert stat.S_IMODE(os.stat(out / "NOTES.txt").st_mode) == 0o600
    assert (out / "pkg" / "sub" / "local_settings.py").read_text(encoding="utf-8") == "SECRET = 1\n"
    assert (out / "my.egg-info" / "PKG-INFO").read_text(encoding="utf-8") == "info\n"
    assert os.readlink(out / "notes-link") == "NOTES.txt"
    assert not (out / "pkg/sub/b.py").exists()
    assert "NOTES.txt" not in read_manifest(out)


def test_users_empty_directory_survives_regeneration(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, FILES, "abc")
    (out / "scratch").mkdir()
    write_tree(out, FILES, "def")
    assert (out / "scratch").is_dir()


def test_output_folder_permissions_are_kept(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    os.chmod(out, 0o755)
    write_tree(out, FILES, "abc")
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o755


def test_a_new_output_folder_gets_ordinary_permissions(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, FILES, "abc")
    mode = stat.S_IMODE(os.stat(out).st_mode)
    assert mode & 0o055 == 0o055 & ~_umask(), oct(mode)  # readable like any folder mkdir makes


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("path", ["pkg/a.py", "README.md"])
def test_user_file_in_the_way_is_an_error_and_nothing_changes(tmp_path: Path, path: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "pkg").mkdir()
    (out / path).write_text("the user's own\n", encoding="utf-8")
    before = _snapshot(out)
    with pytest.raises(GeneratorError) as caught:
        write_tree(out, FILES, "abc")
    assert path in caught.value.source or any(path in p.message for p in caught.value.problems)
    assert _snapshot(out) == before
    assert _leftovers(tmp_path) == []


def test_user_directory_in_the_way_of_a_generated_file_is_an_error(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "pkg" / "a.py").mkdir(parents=True)
    (out / "pkg" / "a.py" / "keep.txt").write_text("k", encoding="utf-8")
    before = _snapshot(out)
    with pytest.raises(GeneratorError):
        write_tree(out, FILES, "abc")
    assert _snapshot(out) == before


def test_user_file_in_the_way_of_a_generated_folder_is_an_error(tmp_path: Path) -> None:
    """``pkg/sub`` is a user's file; the generator needs a folder there for ``pkg/sub/b.py``."""
    out = tmp_path / "out"
    (out / "pkg").mkdir(parents=True)
    (out / "pkg" / "sub").write_text("the user's own\n", encoding="utf-8")
    before = _snapshot(out)
    with pytest.raises(GeneratorError):
        write_tree(out, FILES, "abc")
    assert _snapshot(out) == before


def test_without_a_manifest_identical_files_are_adopted_and_different_ones_are_in_the_way(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, FILES, "abc")
    (out / MANIFEST).unlink()
    summary = write_tree(out, FILES, "abc")  # every file holds exactly what would be written
    assert set(summary.unchanged) >= set(FILES)
    assert read_manifest(out).keys() == FILES.keys()
    (out / MANIFEST).unlink()
    first = sorted(FILES)[0]
    (out / first).write_text("# mine now\n", encoding="utf-8")
    before = _snapshot(out)
    with pytest.raises(GeneratorError):
        write_tree(out, FILES, "abc")
    assert _snapshot(out) == before


@pytest.mark.parametrize(
    "bad",
    ["../x", "/abs", "a/../../b", "C:\\x", "C:/x", "a\\b", "", ".", "x/..", "pkg/../../x", "nul\x00byte"],
)
def test_unsafe_paths_are_refused_and_nothing_is_written(tmp_path: Path, bad: str) -> None:
    out = tmp_path / "work" / "out"
    out.mkdir(parents=True)
    (out / "existing.txt").write_text("keep\n", encoding="utf-8")
    before_parent = _snapshot(tmp_path)
    with pytest.raises(GeneratorError) as caught:
        write_tree(out, {**FILES, bad: "evil\n"}, "abc")
    assert "outside" in caught.value.problems[0].message
    assert _snapshot(tmp_path) == before_parent
    assert not Path("/abs").exists()


@pytest.mark.parametrize("good", ["a", "a/b.py", ".manifest-like", "pkg/.hidden", "a b/c d.txt", "ünï/cödé.py"])
def test_safe_relative_accepts_ordinary_paths(good: str) -> None:
    assert safe_relative(good)


def test_a_tampered_manifest_cannot_delete_outside_the_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, FILES, "abc")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    manifest["files"]["../victim.txt"] = "0" * 64
    manifest["files"][str(victim)] = "0" * 64
    (out / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert "../victim.txt" not in read_manifest(out)
    summary = write_tree(out, FILES, "abc")
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert all(safe_relative(p) for p in summary.removed)


def test_failure_while_staging_leaves_the_folder_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, FILES, "abc")
    (out / "mine.txt").write_text("mine\n", encoding="utf-8")
    before = _snapshot(out)
    # A lone surrogate cannot be written as UTF-8: staging fails halfway through.
    broken = {**FILES, "pkg/a.py": "A = 2\n", "pkg/new.py": "NEW = 1\n", "pkg/z.py": "Z = '\ud800'\n"}
    with pytest.raises(UnicodeEncodeError):
        write_tree(out, broken, "def")
    assert _snapshot(out) == before
    assert _leftovers(tmp_path) == []


def test_a_path_wanted_both_as_a_file_and_as_a_folder_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, FILES, "abc")
    before = _snapshot(out)
    with pytest.raises(GeneratorError, match="'pkg/a.py' both as a file and as a folder"):
        write_tree(out, {**FILES, "pkg/new.py": "NEW = 1\n", "pkg/a.py/c.py": "C = 1\n"}, "def")
    assert _snapshot(out) == before
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("corrupt", ["", "not json", "[]", '{"files": 3}', '{"files": {"a": 1}}'])
def test_a_corrupt_manifest_is_read_as_empty(tmp_path: Path, corrupt: str) -> None:
    (tmp_path / MANIFEST).write_text(corrupt, encoding="utf-8")
    manifest = read_manifest(tmp_path)
    assert manifest == {} or manifest == {"a": "1"}


# --- all or nothing through the command line ------------------------------------------------------


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A copy of the project's inputs and one generated tree, in tmp_path."""
    (tmp_path / "spec").mkdir()
    shutil.copy(SPEC, tmp_path / "spec" / "openapi.json")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    assert main(["generate", "--config", str(tmp_path / "pyproject.toml"), "-q"]) == 0
    (tmp_path / "generated" / "user-notes.md").write_text("mine\n", encoding="utf-8")
    spec = json.loads((tmp_path / "spec" / "openapi.json").read_text(encoding="utf-8"))
    spec["info"]["title"] = "A different title"
    spec["paths"]["/pipelines/metrics"]["post"]["operationId"] = "getMetrics"  # one module replaces another
    for schema in spec["components"]["schemas"].values():
        for prop in (schema.get("properties") or {}).values():
            prop.pop("description", None)
    (tmp_path / "spec" / "openapi.json").write_text(json.dumps(spec), encoding="utf-8")
    return tmp_path


def _fail_after(n: int, exc: BaseException, real: Any) -> Any:
    calls = {"n": 0}

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] > n:
            raise exc
        return real(*args, **kwargs)

    return wrapper


@pytest.mark.parametrize("where", ["black", "layout"])
@pytest.mark.parametrize("exc", [RuntimeError("boom"), KeyboardInterrupt()])
def test_exception_mid_format_writes_nothing(
    project: Path, monkeypatch: pytest.MonkeyPatch, exc: BaseException, where: str
) -> None:
    """Mid-way through black, or through the files that need no black (``generator.layout``)."""
    import black

    import generator.format
    from generator.layout import presplit

    before = _snapshot(project)
    # Every file is in the format cache (the project holds the committed SDK): bypass it.
    monkeypatch.setattr("generator.pipeline.format_cache", lambda out: lambda path, source: None)
    if where == "black":
        monkeypatch.setattr(generator.format, "_PARALLEL_FROM", 10**9)  # black in this process
        monkeypatch.setattr(generator.format, "lay_out", lambda source: (presplit(source), True))  # on every file
        monkeypatch.setattr(black, "format_str", _fail_after(1, exc, black.format_str))
    else:
        monkeypatch.setattr(generator.format, "_compiled", _fail_after(5, exc, generator.format._compiled))
    with pytest.raises(type(exc)):
        main(["generate", "--config", str(project / "pyproject.toml"), "-q"])
    assert _snapshot(project) == before


def test_exception_mid_render_writes_nothing(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _snapshot(project)
    monkeypatch.setattr(jinja2.Template, "render", _fail_after(8, RuntimeError("boom"), jinja2.Template.render))
    with pytest.raises(RuntimeError):
        main(["generate", "--config", str(project / "pyproject.toml"), "-q"])
    assert _snapshot(project) == before


def test_generated_code_that_does_not_parse_exits_2_and_writes_nothing(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import generator.render

    before = _snapshot(project)
    monkeypatch.setattr(generator.render, "docstring", lambda text, indent=0: '"""' + text)  # an escaping bug
    assert main(["generate", "--config", str(project / "pyproject.toml"), "-q"]) == 2
    assert "does not parse" in capsys.readouterr().err
    assert _snapshot(project) == before


def test_regeneration_after_a_spec_change(project: Path) -> None:
    assert main(["generate", "--config", str(project / "pyproject.toml"), "-q"]) == 0
    out = project / "generated"
    assert not (out / "streamkap" / "operations" / "search_pipelines_metrics.py").exists()
    assert (out / "streamkap" / "operations" / "get_metrics.py").is_file()
    assert "streamkap/operations/search_pipelines_metrics.py" not in read_manifest(out)
    assert (out / "user-notes.md").read_text(encoding="utf-8") == "mine\n"
    assert _leftovers(project) == []


def test_the_output_folder_is_listed_once_and_asked_again_only_for_names_in_another_case(tmp_path: Path) -> None:
    from generator.write import _Existing

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "Foo.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "pkg" / "link.py").symlink_to(tmp_path / "pkg" / "Foo.py")
    existing = _Existing(tmp_path)
    assert [existing.kind(p) for p in ("pkg", "pkg/Foo.py", "pkg/link.py", "pkg/bar.py")] == ["dir", "file", "link", None]
    # "pkg/foo.py" is Foo.py on a case-insensitive file system, another name on this one
    same_file = (tmp_path / "pkg" / "foo.py").exists()
    assert existing.kind("pkg/foo.py") == ("file" if same_file else None)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"a": "b"},
        {"a": {}, "b": "c"},
        {"comment": 'quotes " and \\ backslashes, é, ☃, 𝄞, \x00\x1f\n\t', "files": {"é/ü.py": "0" * 64, "a\"b": "c\\d"}},
        {"files": {f"pkg/m{i}.py": f"{i:064x}" for i in range(50)}, "inputs": {"spec": "x"}, "sources": {}},
        {"n": 1},
        {"nested": {"a": {"b": "c"}}},
        {"list": ["a"]},
    ],
)
def test_the_manifest_is_what_json_dumps_writes(data: dict[str, object]) -> None:
    """``_indented`` writes the manifest without the pure-Python indenting encoder: byte for
    byte what ``json.dumps(indent=2)`` writes (values other than strings go to it)."""
    from generator.write import _indented

    assert _indented(data) == json.dumps(data, indent=2)


def test_safe_relative_as_spelled_out() -> None:
    """The regular expression says what the parts say: no empty path, no empty, ``.`` or ``..``
    part, no backslash, colon or NUL."""
    import itertools

    def spelled_out(path: str) -> bool:
        return bool(path) and not any(c in path for c in "\\:\x00") and all(p not in ("", ".", "..") for p in path.split("/"))

    alphabet = ["a", ".", "/", "..", "\\", ":", "\x00", "\n", "é", " "]
    paths = ["".join(parts) for n in range(5) for parts in itertools.product(alphabet, repeat=n)]
    for path in paths:
        assert safe_relative(path) == spelled_out(path), repr(path)
    # ``all_safe``: the same of a list, in one search (NUL joins them: a NUL in a path shows).
    for i, path in enumerate(paths):
        group = [paths[(i * 7 + k) % len(paths)] for k in range(i % 4)]
        assert all_safe(group) == all(spelled_out(p) for p in group), group


# ------------------------------------------- only the generator's own files are ever moved or replaced


def test_users_files_keep_their_inode_and_links_when_generated_files_change(tmp_path: Path) -> None:
    """A regeneration moves the generator's files only: the user's files are not copied, re-linked
    or replaced (their inode, owner, hard links and any mount inside the folder stay)."""
    out = tmp_path / "out"
    write_tree(out, FILES, "abc")
    mine = out / "pkg" / "mine.txt"
    mine.write_text("mine\n", encoding="utf-8")
    os.link(mine, tmp_path / "second-link")
    inode = mine.stat().st_ino
    write_tree(out, {**FILES, "pkg/a.py": "A = 2\n", "pkg/new.py": "N = 1\n"}, "def")
    assert mine.stat().st_ino == inode and mine.stat().st_nlink == 2
    assert (out / "pkg" / "a.py").read_text(encoding="utf-8") == "A = 2\n"


def test_a_generated_file_that_becomes_a_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, FILES, "abc")
    summary = write_tree(out, {"pkg/__init__.py": "", "pkg/a.py/b.py": "B = 1\n"}, "def")
    assert (out / "pkg" / "a.py" / "b.py").read_text(encoding="utf-8") == "B = 1\n"
    assert "pkg/a.py" in summary.removed
    assert _leftovers(tmp_path) == []


def _stale_journal(tmp_path: Path, out: Path, entries: list[tuple[str, str, str]]) -> Path:
    """A staging folder as a crash (or a pull request) could leave it: (path, text, hash before)."""
    stage = tmp_path / f".{out.name}.stage-stale"
    stage.mkdir()
    for n, (_, text, _) in enumerate(entries):
        (stage / str(n)).write_text(text, encoding="utf-8")
    st = out.stat()
    journal = {"folder": out.name, "id": [st.st_dev, st.st_ino], "write": [[p, h] for p, _, h in entries], "remove": []}
    (stage / ".journal").write_text(json.dumps(journal), encoding="utf-8")
    return stage


def test_a_stale_journal_writes_neither_over_users_files_nor_through_links(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, FILES, "abc")
    mine = out / "pkg" / "mine.py"
    mine.write_text("user code\n", encoding="utf-8")
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "x.py").write_text("precious\n", encoding="utf-8")
    (out / "pkg" / "ext").symlink_to(victim)
    digest = hashlib.sha256(b"user code\n").hexdigest()
    outside = hashlib.sha256(b"precious\n").hexdigest()
    stage = _stale_journal(tmp_path, out, [("pkg/mine.py", "STALE\n", digest), ("pkg/ext/x.py", "STALE\n", outside)])
    write_tree(out, FILES, "abc")  # recovers first
    assert mine.read_text(encoding="utf-8") == "user code\n"
    assert (victim / "x.py").read_text(encoding="utf-8") == "precious\n"
    assert not stage.exists()


def test_a_journal_leaves_a_generated_file_edited_since_alone(tmp_path: Path) -> None:
    """Replayed long after the crash: a file no longer as it was when the journal was written
    (edited since) is not replaced; one still as it was is."""
    out = tmp_path / "out"
    write_tree(out, FILES, "abc")
    was = hashlib.sha256(FILES["pkg/a.py"].encode()).hexdigest()
    readme = hashlib.sha256(FILES["README.md"].encode()).hexdigest()
    (out / "pkg" / "a.py").write_text("A = 'edited since'\n", encoding="utf-8")
    _stale_journal(tmp_path, out, [("pkg/a.py", "A = 3\n", was), ("README.md", "# New\n", readme)])
    from generator.write import recover

    recover(out)
    assert (out / "pkg" / "a.py").read_text(encoding="utf-8") == "A = 'edited since'\n"
    assert (out / "README.md").read_text(encoding="utf-8") == "# New\n"


def test_a_journal_this_generator_did_not_write_is_removed_unread(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, FILES, "abc")
    stage = tmp_path / ".out.stage-x"
    stage.mkdir()
    (stage / "0").write_text("X\n", encoding="utf-8")
    (stage / ".journal").write_text(json.dumps(["out", ["pkg/a.py"]]), encoding="utf-8")  # an older format
    from generator.write import recover

    recover(out)
    assert not stage.exists() and (out / "pkg" / "a.py").read_text(encoding="utf-8") == FILES["pkg/a.py"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_at_a_generated_path_is_in_the_way_not_a_hang(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, FILES, "abc")
    (out / "pkg" / "a.py").unlink()
    os.mkfifo(out / "pkg" / "a.py")
    from generator.write import read_regular, sha256_of

    assert read_regular(out / "pkg" / "a.py") is None and sha256_of(out / "pkg" / "a.py") == ""
    with pytest.raises(GeneratorError, match="pkg/a.py: something that is not a regular file"):
        write_tree(out, {**FILES, "pkg/a.py": "A = 2\n"}, "def")


def test_a_manifest_replaced_by_a_link_is_in_the_way(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, FILES, "abc")
    moved = tmp_path / "manifest-elsewhere.json"
    shutil.move(str(out / MANIFEST), str(moved))
    (out / MANIFEST).symlink_to(moved)
    before = moved.read_text(encoding="utf-8")
    with pytest.raises(GeneratorError, match=rf"\{MANIFEST}: a link \(the generator writes neither over nor through one\) is in the way"):
        write_tree(out, {**FILES, "pkg/a.py": "A = 2\n"}, "def")
    assert moved.read_text(encoding="utf-8") == before


def test_a_journal_for_a_folder_since_deleted_is_not_replayed_into_a_new_one(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, FILES, "abc")
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    manifest["files"]["pkg/new.py"] = hashlib.sha256(b"NEW = 1\n").hexdigest()
    was = hashlib.sha256((out / MANIFEST).read_bytes()).hexdigest()
    stage = _stale_journal(tmp_path, out, [("pkg/new.py", "NEW = 1\n", ""), (MANIFEST, json.dumps(manifest), was)])
    shutil.move(str(out), str(tmp_path / "moved-away"))
    write_tree(out, {"other/__init__.py": ""}, "def")  # a new folder of the same name
    write_tree(out, {"other/__init__.py": ""}, "def")  # recovers first
    assert not (out / "pkg").exists() and not stage.exists()


def test_a_generated_file_that_is_now_a_link_is_not_written_through(tmp_path: Path) -> None:
    out = tmp_path / "out"
    victim = tmp_path / "victim"
    victim.mkdir()
    write_tree(out, {"a": "A\n", "x.py": "X\n"}, "s1")
    (out / "a").unlink()
    (out / "a").symlink_to(victim)
    with pytest.raises(GeneratorError, match=r"a/b.py: a link \(the generator writes neither over nor through one\) is in the way at a;"):
        write_tree(out, {"a/b.py": "B\n", "x.py": "X\n"}, "s2")
    assert os.listdir(victim) == []


def test_an_edited_generated_file_where_a_folder_is_now_needed_is_in_the_way_before_anything_moves(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, {"a": "A\n", "m.py": "M1\n"}, "s1")
    (out / "a").write_text("edited\n", encoding="utf-8")
    before = _snapshot(out)
    with pytest.raises(GeneratorError, match="a/b.py: a file the generator wrote, edited since is in the way at a;"):
        write_tree(out, {"m.py": "M2\n", "a/b.py": "B\n"}, "s2")
    assert _snapshot(out) == before and _leftovers(tmp_path) == []


def test_folders_emptied_of_generated_files_are_removed_and_others_kept(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, {**FILES, "pkg/deep/er/x.py": "X\n", "pkg/mixed/y.py": "Y\n"}, "abc")
    (out / "pkg" / "mixed" / "mine.txt").write_text("mine\n", encoding="utf-8")
    (out / "empty-of-mine").mkdir()
    write_tree(out, FILES, "def")
    assert not (out / "pkg" / "deep").exists()
    assert (out / "pkg" / "mixed" / "mine.txt").is_file() and (out / "empty-of-mine").is_dir()


def test_an_output_folder_whose_name_holds_glob_characters_is_recovered(tmp_path: Path) -> None:
    out = tmp_path / "sdk[v2]"
    write_tree(out, FILES, "abc")
    was = hashlib.sha256(FILES["pkg/a.py"].encode()).hexdigest()
    stage = _stale_journal(tmp_path, out, [("pkg/a.py", "A = 9\n", was)])
    from generator.write import recover

    recover(out)
    assert (out / "pkg" / "a.py").read_text(encoding="utf-8") == "A = 9\n" and not stage.exists()


def test_two_writers_at_once_leave_one_consistent_tree(tmp_path: Path) -> None:
    """Each write holds a lock on the folder's parent: the result is one writer's tree, whole."""
    import threading

    out = tmp_path / "out"
    many = {f"pkg/m{i}.py": f"M = {i}\n" for i in range(2000)}
    write_tree(out, many, "a")
    first = {p: t + "# first\n" for p, t in list(many.items())[:1500]}
    second = {p: t + "# second\n" for p, t in list(many.items())[500:]}
    errors: list[BaseException] = []

    def run(files: dict[str, str], sha: str) -> None:
        try:
            write_tree(out, files, sha)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(f, s)) for f, s in ((first, "b"), (second, "c"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    manifest = read_manifest(out)
    on_disk = {p: hashlib.sha256((out / p).read_bytes()).hexdigest() for p in manifest}
    assert on_disk == manifest and set(manifest) in (set(first), set(second))
    assert _leftovers(tmp_path) == []


def test_a_user_folder_the_generator_cannot_list_is_not_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    write_tree(out, FILES, "abc")
    (out / "private").mkdir()
    real = os.scandir

    def scandir(path: Any) -> Any:
        if str(path).endswith("private"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    write_tree(out, {**FILES, "pkg/a.py": "A = 2\n", "pkg/new.py": "N = 1\n"}, "def")
    assert (out / "pkg" / "a.py").read_text(encoding="utf-8") == "A = 2\n"


def test_a_case_only_rename_keeps_the_file_on_a_case_insensitive_file_system(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated: ``pkg/Foo.py`` and ``pkg/foo.py`` are one file. The generator now writes the
    second name: the first is not removed as no longer generated (it is the same file)."""
    import generator.write as write

    out = tmp_path / "out"
    write_tree(out, {"pkg/__init__.py": "", "pkg/Foo.py": "same\n"}, "s1")
    real = os.path.samefile
    monkeypatch.setattr(write.os.path, "samefile", lambda a, b: str(a).casefold() == str(b).casefold() or real(a, b))
    (out / "pkg" / "foo.py").write_text("same\n", encoding="utf-8")  # what the one file shows under its other name
    summary = write_tree(out, {"pkg/__init__.py": "", "pkg/foo.py": "same\n"}, "s2")
    assert "pkg/Foo.py" not in summary.removed and (out / "pkg" / "Foo.py").exists()


def test_a_replay_that_leaves_a_move_out_does_not_install_its_manifest(tmp_path: Path) -> None:
    """A new file the journal would add now exists (made by the user since): it is left alone,
    and the staged manifest, which would claim it, is not installed either."""
    out = tmp_path / "out"
    write_tree(out, FILES, "abc")
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    manifest["files"]["pkg/new.py"] = hashlib.sha256(b"NEW = 1\n").hexdigest()
    was = hashlib.sha256((out / MANIFEST).read_bytes()).hexdigest()
    _stale_journal(tmp_path, out, [("pkg/new.py", "NEW = 1\n", ""), (MANIFEST, json.dumps(manifest), was)])
    (out / "pkg" / "new.py").write_text("mine\n", encoding="utf-8")
    from generator.write import recover

    recover(out)
    assert (out / "pkg" / "new.py").read_text(encoding="utf-8") == "mine\n"
    assert "pkg/new.py" not in read_manifest(out)


def test_a_replay_that_cannot_finish_says_which_journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    write_tree(out, FILES, "abc")
    was = hashlib.sha256(FILES["pkg/a.py"].encode()).hexdigest()
    stage = _stale_journal(tmp_path, out, [("pkg/a.py", "A = 9\n", was)])

    def refuse(source: Any, target: Any) -> None:
        raise PermissionError(1, "Operation not permitted", str(target))

    monkeypatch.setattr(os, "replace", refuse)
    from generator.write import recover

    with pytest.raises(GeneratorError, match=f"cannot finish the write listed in {stage}/.journal: Operation not permitted"):
        recover(out)


@pytest.mark.parametrize("manifest", ["[" * 200_000, "{" * 100 + "}" * 100])
def test_a_manifest_nested_too_deep_is_no_manifest(tmp_path: Path, manifest: str) -> None:
    out = tmp_path / "out"
    write_tree(out, FILES, "abc")
    (out / MANIFEST).write_text(manifest, encoding="utf-8")
    assert read_manifest(out) == {}
    write_tree(out, FILES, "abc")  # the identical files are adopted
    assert set(read_manifest(out)) == set(FILES)


def test_only_the_folders_on_the_way_to_the_generators_files_are_listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A virtualenv or a cache inside the output folder is not walked on each write."""
    out = tmp_path / "out"
    write_tree(out, FILES, "abc")
    (out / ".venv" / "lib").mkdir(parents=True)
    (out / ".venv" / "lib" / "x.py").write_text("x\n", encoding="utf-8")
    listed: list[str] = []
    real = os.scandir

    def scandir(path: Any) -> Any:
        listed.append(os.path.relpath(str(path), out))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    write_tree(out, {**FILES, "pkg/a.py": "A = 2\n"}, "def")
    assert not [p for p in listed if p.startswith(".venv")]
    assert (out / ".venv" / "lib" / "x.py").read_text(encoding="utf-8") == "x\n"


def test_folders_a_crashed_write_emptied_are_removed_by_the_replay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The crash comes after the removals: the replay finds the files gone and still removes the
    folders they leave empty, so the tree equals a clean write."""
    import generator.write as write

    out = tmp_path / "out"
    write_tree(out, {**FILES, "gone/only.py": "O\n", "pkg/old/deep/x.py": "X\n"}, "abc")
    real = os.rmdir

    def crash(path: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "rmdir", crash)
    with pytest.raises(KeyboardInterrupt):
        write_tree(out, {**FILES, "pkg/a.py": "A = 2\n"}, "def")
    monkeypatch.setattr(os, "rmdir", real)
    write.recover(out)
    assert not (out / "gone").exists() and not (out / "pkg" / "old").exists()
    clean = tmp_path / "clean"
    write_tree(clean, {**FILES, "pkg/a.py": "A = 2\n"}, "def")
    assert _snapshot(out) == _snapshot(clean)


def test_unchanged_files_another_run_rewrote_meanwhile_stop_the_write(tmp_path: Path) -> None:
    """``known`` was checked before this run took the lock: a file another run changed since is
    not recorded with the old hash."""
    out = tmp_path / "out"
    write_tree(out, {"x.py": "x0\n", "y.py": "y0\n"}, "a")
    known = {"x.py": hashlib.sha256(b"x0\n").hexdigest()}
    write_tree(out, {"x.py": "xA\n", "y.py": "yA\n"}, "b")  # the other run
    with pytest.raises(GeneratorError, match="x.py: changed while this run built the SDK"):
        write_tree(out, {"y.py": "yB\n"}, "c", known=known)
    assert read_manifest(out)["x.py"] == hashlib.sha256(b"xA\n").hexdigest()


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="no file owners here")
def test_a_staging_folder_others_may_write_is_not_replayed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, FILES, "abc")
    was = hashlib.sha256(FILES["pkg/a.py"].encode()).hexdigest()
    stage = _stale_journal(tmp_path, out, [("pkg/a.py", "EVIL = 1\n", was)])
    os.chmod(stage, 0o777)  # as a folder made by someone else in a shared parent could be
    from generator.write import recover

    recover(out)
    assert (out / "pkg" / "a.py").read_text(encoding="utf-8") == FILES["pkg/a.py"] and stage.exists()


def test_an_output_path_that_is_a_link_to_nothing_is_an_error(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.symlink_to(tmp_path / "nowhere")
    with pytest.raises(GeneratorError, match="the output path is a link to nothing"):
        write_tree(out, FILES, "abc")
    assert not (tmp_path / "nowhere").exists()


def test_a_journal_with_the_manifest_not_last_is_not_replayed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, FILES, "abc")
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    manifest["files"]["pkg/y.py"] = "0" * 64
    was = hashlib.sha256((out / MANIFEST).read_bytes()).hexdigest()
    stage = _stale_journal(tmp_path, out, [(MANIFEST, json.dumps(manifest), was), ("pkg/y.py", "Y\n", "f" * 64)])
    from generator.write import recover

    recover(out)
    assert "pkg/y.py" not in read_manifest(out) and not stage.exists()
