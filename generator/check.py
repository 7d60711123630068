"""The drift check: regenerate in memory and compare with the folder on disk."""

from __future__ import annotations

import difflib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .config import folder_name
from .inputs import SPEC_PARTS
from .write import MANIFEST, files_of, hash_or_empty, load_json, manifest_data, manifest_text, not_folders, read_regular, sha256_of, under

__all__ = ["Drift", "compare", "unchanged", "causes"]

_INPUTS = {
    "spec": "the spec",
    "templates": "the templates",
    "generator": "the generator (its code or jinja2)",
    "configuration": "the configuration ([tool.generator] or flags)",
    "formatter": "the formatter (black's version or mode)",
}


@dataclass(frozen=True)
class Drift:
    changed: dict[str, str]  # path → unified diff
    missing: tuple[str, ...]
    extra: tuple[str, ...]  # files the generator wrote before and would not write now
    untracked: tuple[str, ...] = ()  # Python files beside the generated ones: kept, not drift
    blocked: tuple[str, ...] = ()  # not a regular file (a link, folder, device) or behind a link

    @property
    def clean(self) -> bool:
        return not (self.changed or self.missing or self.extra or self.blocked)

    def report(self) -> str:
        lines: list[str] = []
        for path, diff in self.changed.items():
            lines.append(diff)
        for path in self.missing:
            lines.append(f"missing: {path}")
        for path in self.extra:
            lines.append(f"extra (no longer generated): {path}")
        for path in self.blocked:
            lines.append(f"in the way: {path} is not a regular file, or a link or a file stands where a folder on the way to it goes; `generate` writes neither over nor through one: move it away")
        for path in self.untracked:
            lines.append(f"note: not generated (kept as the user's): {path}")
        n = len(self.changed) + len(self.missing) + len(self.extra) + len(self.blocked)
        lines.append(
            f"drift: {len(self.changed)} changed, {len(self.missing)} missing, {len(self.extra)} extra"
            + (f", {len(self.blocked)} in the way" if self.blocked else "")
            + f" ({n} files)"
        )
        return "\n".join(lines)


def unchanged(out: Path, inputs: dict[str, str]) -> int | None:
    """The number of files verified, when the manifest records exactly these inputs, is itself
    as the generator writes it, and every file it lists is a regular file (not behind a link)
    with the hash it recorded: then regenerating would give the same files. None when anything
    differs (the caller regenerates and compares).

    The manifest is trusted to list the files the inputs give: a pull request that edits both a
    file and its hash in the manifest passes here; ``check --full`` trusts nothing on disk."""
    text = read_regular(out / MANIFEST)
    data = load_json(text)
    if not isinstance(data, dict):
        return None
    files = files_of(data)
    recorded = data.get("inputs")
    if not files or not isinstance(recorded, dict) or {k: v for k, v in recorded.items() if k != SPEC_PARTS} != inputs:
        return None  # (the spec's parts are derived from the spec: not an input of their own)
    sources, spec_sha256 = data.get("sources"), data.get("spec_sha256")
    if not isinstance(spec_sha256, str) or not (sources is None or isinstance(sources, dict)):
        return None
    try:
        expected = manifest_text({}, spec_sha256, sources, recorded, files).encode("utf-8")
    except (TypeError, ValueError):
        return None
    if text != expected:
        return None
    if not_folders(out, files):  # first: nothing is read through a link
        return None
    base = str(out)
    for path, digest in files.items():  # plain strings: pathlib costs more than the hashing
        if sha256_of(os.path.join(base, path)) != digest:
            return None
    return len(files)


def causes(out: Path, inputs: dict[str, str]) -> list[str]:
    """Why the folder drifted, as far as the manifest tells: which inputs changed since the last
    generation, and which generated files were edited or deleted by hand."""
    name = folder_name(out)
    data = manifest_data(out)
    if not data:
        return [f"{name}/{MANIFEST} is missing: the folder was not generated here, or the manifest was deleted"]
    recorded = data.get("inputs")
    lines: list[str] = []
    if not isinstance(recorded, dict):
        lines.append("the manifest records no inputs (an older generator wrote it)")
    else:
        lines += [f"{label} changed since the last generation" for key, label in _INPUTS.items() if recorded.get(key) != inputs.get(key)]
    for path, digest in files_of(data).items():
        actual = hash_or_empty(out / path)
        if actual is None:
            lines.append(f"replaced by something that is not a regular file (a link, a folder) since it was generated: {name}/{path}")
        elif not actual:
            lines.append(f"deleted by hand since it was generated: {name}/{path}")
        elif actual != digest:
            lines.append(f"edited by hand since it was generated: {name}/{path} (its diff is above)")
    return lines



def compare(
    out: Path, files: dict[str, str], spec_sha256: str, sources: dict[str, str] | None = None, inputs: dict[str, str] | None = None
) -> Drift:
    """The files on disk against ``files``. The manifest's record of the inputs is provenance, not
    output: inputs that changed without changing any file (a refactor of the generator) are no drift."""
    manifest = manifest_data(out)
    recorded = manifest.get("inputs")
    kept = recorded if isinstance(recorded, dict) and inputs is not None else inputs
    expected = {**files, MANIFEST: manifest_text(files, spec_sha256, sources, kept)}
    changed: dict[str, str] = {}
    missing: list[str] = []
    blocked: list[str] = []
    behind = set(not_folders(out, expected, missing=False))  # links or files where folders go
    name = folder_name(out)
    for path in sorted(expected):
        target = out / path
        if under(path, behind):
            blocked.append(path)
            continue
        data = read_regular(target)
        if data is None:
            try:
                mode = os.lstat(target).st_mode
            except FileNotFoundError:
                missing.append(path)
                continue
            except OSError:
                mode = stat.S_IFREG
            if not stat.S_ISREG(mode):
                blocked.append(path)
                continue
        try:
            actual = (data or b"").decode("utf-8")
        except UnicodeDecodeError:
            actual = ""
        if actual != expected[path]:
            diff = difflib.unified_diff(
                actual.splitlines(keepends=True),
                expected[path].splitlines(keepends=True),
                fromfile=f"{name}/{path} (on disk)",
                tofile=f"{name}/{path} (generated)",
            )
            changed[path] = "".join(line if line.endswith("\n") else line + "\n" for line in diff).rstrip("\n")
    extra = tuple(sorted(p for p in files_of(manifest) if p not in expected and (out / p).exists()))
    packages = {p.split("/")[0] for p in expected if "/" in p}
    untracked = tuple(
        sorted(
            f.relative_to(out).as_posix()
            for package in packages
            for f in (out / package).rglob("*.py")
            if f.relative_to(out).as_posix() not in expected
        )
    )
    return Drift(changed, tuple(missing), extra, untracked, tuple(blocked))
