"""Write the generated tree: staged in a temporary folder, swapped in only when complete.

A manifest (``.manifest.json``) lists every file the generator wrote, with its hash; regeneration
removes files it wrote before and no longer produces, and never touches any other file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import GeneratorError, Problem
from .format import FORMATTER

__all__ = ["MANIFEST", "write_tree", "read_manifest", "manifest_text", "format_cache", "safe_relative", "Summary"]

MANIFEST = ".manifest.json"


@dataclass(frozen=True)
class Summary:
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]
    kept: tuple[str, ...] = ()  # no longer generated but edited by hand: left in place


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def manifest_text(files: dict[str, str], spec_sha256: str, sources: dict[str, str] | None = None) -> str:
    """The manifest: every file's hash, and (``sources``) the hash of each Python file before
    black, so that an unchanged file is not formatted again (see ``format_cache``)."""
    data: dict[str, object] = {
        "generator": "sdk-generator",
        "spec_sha256": spec_sha256,
        "files": {path: sha256(text) for path, text in sorted(files.items())},
    }
    if sources:
        data["formatter"] = FORMATTER
        data["sources"] = dict(sorted(sources.items()))
    return json.dumps(data, indent=2, sort_keys=False) + "\n"


def format_cache(out: Path) -> Callable[[str, str], str | None]:
    """``(path, hash before black) → formatted text`` for files on disk that the last run wrote
    from exactly that source with this black version, and that nobody edited since."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        files, sources, formatter = data["files"], data.get("sources") or {}, data.get("formatter")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return lambda path, source: None
    if formatter != FORMATTER or not isinstance(files, dict) or not isinstance(sources, dict):
        return lambda path, source: None

    def cached(path: str, source: str) -> str | None:
        if sources.get(path) != source or not safe_relative(path):
            return None
        try:
            text = (out / path).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        return text if sha256(text) == files.get(path) else None

    return cached


def read_manifest(out: Path) -> dict[str, str]:
    """The files the generator wrote last time (path → sha256); empty when there is none."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        files = data["files"]
        return {str(k): str(v) for k, v in files.items() if safe_relative(str(k))}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def safe_relative(path: str) -> bool:
    """A relative POSIX path that stays inside the output folder."""
    p = PurePosixPath(path)
    return (
        bool(p.parts)
        and not p.is_absolute()
        and "\\" not in path
        and ":" not in path
        and all(part not in ("", ".", "..") for part in p.parts)
        and "\x00" not in path
    )


def write_tree(out: Path, files: dict[str, str], spec_sha256: str, sources: dict[str, str] | None = None) -> Summary:
    """Replace the generator's files in ``out`` with ``files``; keep every other file."""
    bad = [p for p in files if not safe_relative(p)]
    if bad:
        raise GeneratorError(str(out), [Problem("#", f"refusing to write outside the output folder: {p!r}") for p in bad])
    out = out.resolve() if out.exists() else out.absolute()
    _recover(out)
    if out.exists() and not out.is_dir():
        raise GeneratorError(str(out), [Problem("#", "the output path is a file, not a folder")])
    old = read_manifest(out) if out.is_dir() else {}
    in_the_way = [p for p in files if _in_the_way(out, p, old, files[p])]
    if in_the_way:
        raise GeneratorError(
            str(out),
            [Problem("#", f"{p}: a file the generator did not write is in the way; move it and generate again") for p in in_the_way],
        )
    files = {**files, MANIFEST: manifest_text(files, spec_sha256, sources)}
    unchanged = tuple(sorted(p for p in files if _same(out / p, files[p])))
    written = tuple(sorted(p for p in files if p not in unchanged))
    stale = sorted(p for p in old if p not in files and (out / p).is_file())
    # A file the generator wrote and no longer produces is removed, unless it was edited since.
    kept = tuple(p for p in stale if _sha256_of(out / p) != old[p])
    removed = tuple(p for p in stale if p not in kept)

    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.stage-", dir=out.parent))
    # mkdtemp makes a private (0700) folder; give it the mode the output folder has or would get.
    os.chmod(stage, stat.S_IMODE(out.stat().st_mode) if out.is_dir() else 0o777 & ~_umask())
    try:
        for path, text in files.items():
            target = stage / path
            target.parent.mkdir(parents=True, exist_ok=True)
            if path in unchanged:  # keep the same file (and its mtime): nothing to rewrite
                _link(out / path, target)
                continue
            with open(target, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
        if out.exists():
            _carry_over(out, stage, {p: h for p, h in old.items() if p not in kept}, files)
        _swap(stage, out)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return Summary(written, unchanged, removed, kept)


def _sha256_of(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _recover(out: Path) -> None:
    """After a crash between the two renames of a swap, put the previous tree back."""
    if out.exists():
        return
    backups = sorted(out.parent.glob(f".{out.name}.old-*")) if out.parent.is_dir() else []
    if backups:
        os.replace(backups[-1], out)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _in_the_way(out: Path, path: str, old: dict[str, str], text: str) -> bool:
    """A file the generator did not write at ``path`` (unless it already holds exactly what
    would be written: then it is adopted), or a file where the generator needs a folder."""
    if path == MANIFEST:
        return False
    target = out / path
    if path not in old and (target.exists() or target.is_symlink()) and not (target.is_file() and _same(target, text)):
        return True
    parents = PurePosixPath(path).parents
    return any(
        ((out / p).is_file() or (out / p).is_symlink()) and p.as_posix() not in old for p in list(parents)[:-1]
    )


def _same(path: Path, text: str) -> bool:
    try:
        return path.read_bytes() == text.encode("utf-8")
    except OSError:
        return False


def _carry_over(out: Path, stage: Path, old: dict[str, str], files: dict[str, str]) -> None:
    """Hard-link (or copy) into the staged tree every file in ``out`` the generator does not own."""
    folders: list[tuple[Path, Path]] = []
    for root, dirs, names in os.walk(out, followlinks=False):
        rel_root = Path(root).relative_to(out)
        for name in names:
            rel = (rel_root / name).as_posix()
            if rel in old or rel in files:
                continue
            source, target = Path(root) / name, stage / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_symlink():
                os.symlink(os.readlink(source), target)
                continue
            _link(source, target)
        for d in dirs:  # folders are carried over too, empty ones included
            source, target = Path(root) / d, stage / rel_root / d
            if source.is_symlink():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.symlink(os.readlink(source), target)
            else:
                target.mkdir(parents=True, exist_ok=True)
                folders.append((source, target))
        dirs[:] = [d for d in dirs if not (Path(root) / d).is_symlink()]
    for source, target in reversed(folders):  # deepest first: setting times after the contents
        shutil.copystat(source, target, follow_symlinks=False)


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _swap(stage: Path, out: Path) -> None:
    """Two renames: ``out`` → backup, ``stage`` → ``out``; the backup is removed afterwards."""
    if not out.exists():
        os.replace(stage, out)
        return
    backup = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    backup.rmdir()
    os.replace(out, backup)
    try:
        os.replace(stage, out)
    except BaseException:
        os.replace(backup, out)
        raise
    shutil.rmtree(backup, ignore_errors=True)
