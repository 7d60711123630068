"""Opt-in (``changelog = true`` in ``[tool.generator]``, or ``generate --changelog``): each
generation that changes the SDK for its users adds an entry to ``<out>/CHANGELOG.md`` and bumps
the SDK's version by the change (``diff``: major when something breaks, minor when something
was added, patch otherwise).

The spec the SDK was last generated from is kept as ``<out>/.openapi.json`` (a generated file,
in the manifest), so the change is measured against what users have, whatever happened to the
spec in between. The current version is the newest entry's heading in the changelog (or
``[tool.generator].version`` when that is higher, or when there is no changelog yet). Both are
read from the output folder, so ``check`` reproduces exactly what ``generate`` wrote.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from .api import build_api
from .config import Config
from .diff import diff_apis
from .errors import GeneratorError
from .ir import Api
from .load import load
from .vendor import canonical_json

__all__ = ["CHANGELOG", "SNAPSHOT", "apply"]

CHANGELOG = "CHANGELOG.md"
SNAPSHOT = ".openapi.json"
_HEADING = re.compile(r"^## (\d+(?:\.\d+)*)\b", re.MULTILINE)
_TITLE = "# Changelog\n\nWritten by sdk-generator on each generation that changes the SDK for its users.\n"


def _parts(version: str) -> tuple[int, int, int]:
    """``"1.2"`` → ``(1, 2, 0)``: the first three numbers of a version."""
    numbers = [int(p) for p in re.findall(r"\d+", version)[:3]] + [0, 0, 0]
    return numbers[0], numbers[1], numbers[2]


def bumped(version: str, part: str) -> str:
    major, minor, patch = _parts(version)
    if part == "major":
        return f"{major + 1}.0.0"
    if part == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def _read(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _entry(version: str, markdown: str) -> str:
    """The diff's report as a changelog entry: its title becomes ``## <version>: …``, every other
    heading one level deeper; the classification legend is left out."""
    lines = markdown.split("<details>")[0].rstrip("\n").splitlines()  # the legend stays in `diff`
    title = lines[0].removeprefix("# SDK changes").lstrip(": ")
    body = ["#" + line if line.startswith("#") else line for line in lines[1:]]
    return "\n".join([f"## {version}" + (f": {title}" if title else ""), *body]).rstrip("\n") + "\n"


def apply(config: Config, api: Api, spec_data: dict[str, object]) -> tuple[Config, dict[str, str]]:
    """The configuration with the version to generate, and the changelog and snapshot files."""
    previous = _read(config.out / CHANGELOG)
    recorded = _HEADING.search(previous or "")
    current = config.version
    if recorded is not None and _parts(recorded.group(1)) > _parts(current):
        current = recorded.group(1)
    snapshot_path = config.out / SNAPSHOT
    snapshot = canonical_json(spec_data)
    log = previous if previous is not None else _TITLE
    if previous is None:
        log += f"\n## {current}\n\nFirst SDK generated from {api.title or 'the spec'} {api.version}.\n"
    elif _read(snapshot_path) not in (None, snapshot):
        try:
            old, _ = build_api(load(snapshot_path, f"{config.out.name}/{SNAPSHOT}"))
        except GeneratorError:
            old = None
        report = diff_apis(old, api) if old is not None else None
        if report is not None and report.bump is not None:
            current = bumped(current, report.bump)
            head, sep, rest = log.partition("\n## ")
            log = head.rstrip("\n") + "\n\n" + _entry(current, report.to_markdown()) + (("\n## " + rest) if sep else "")
    return replace(config, version=current), {CHANGELOG: log, SNAPSHOT: snapshot}
