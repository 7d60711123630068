"""The drift check: regenerate in memory and compare with the folder on disk."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from .write import MANIFEST, manifest_text, read_manifest

__all__ = ["Drift", "compare"]


@dataclass(frozen=True)
class Drift:
    changed: dict[str, str]  # path → unified diff
    missing: tuple[str, ...]
    extra: tuple[str, ...]  # files the generator wrote before and would not write now
    untracked: tuple[str, ...] = ()  # Python files beside the generated ones: kept, not drift

    @property
    def clean(self) -> bool:
        return not (self.changed or self.missing or self.extra)

    def report(self) -> str:
        lines: list[str] = []
        for path, diff in self.changed.items():
            lines.append(diff)
        for path in self.missing:
            lines.append(f"missing: {path}")
        for path in self.extra:
            lines.append(f"extra (no longer generated): {path}")
        for path in self.untracked:
            lines.append(f"note: not generated (kept as the user's): {path}")
        n = len(self.changed) + len(self.missing) + len(self.extra)
        lines.append(f"drift: {len(self.changed)} changed, {len(self.missing)} missing, {len(self.extra)} extra ({n} files)")
        return "\n".join(lines)


def compare(out: Path, files: dict[str, str], spec_sha256: str, sources: dict[str, str] | None = None) -> Drift:
    expected = {**files, MANIFEST: manifest_text(files, spec_sha256, sources)}
    changed: dict[str, str] = {}
    missing: list[str] = []
    for path in sorted(expected):
        target = out / path
        try:
            actual = target.read_bytes().decode("utf-8")
        except FileNotFoundError:
            missing.append(path)
            continue
        except (OSError, UnicodeDecodeError):
            actual = ""
        if actual != expected[path]:
            diff = difflib.unified_diff(
                actual.splitlines(keepends=True),
                expected[path].splitlines(keepends=True),
                fromfile=f"{out.name}/{path} (on disk)",
                tofile=f"{out.name}/{path} (generated)",
            )
            changed[path] = "".join(line if line.endswith("\n") else line + "\n" for line in diff).rstrip("\n")
    extra = tuple(sorted(p for p in read_manifest(out) if p not in expected and (out / p).exists()))
    packages = {p.split("/")[0] for p in expected if "/" in p}
    untracked = tuple(
        sorted(
            f.relative_to(out).as_posix()
            for package in packages
            for f in (out / package).rglob("*.py")
            if f.relative_to(out).as_posix() not in expected
        )
    )
    return Drift(changed, tuple(missing), extra, untracked)
