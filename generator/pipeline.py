"""The stages in order: load → ir → render → format. Returns files in memory; writes nothing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .api import build_api
from .config import Config
from .errors import Problem
from .format import format_files
from .ir import Api
from .load import load
from .render import TEMPLATES, render
from .write import format_cache

__all__ = ["Result", "run"]


@dataclass(frozen=True)
class Result:
    api: Api
    files: dict[str, str]  # relative path → formatted text
    warnings: list[Problem]
    spec_sha256: str
    source: str
    sources: dict[str, str] = field(default_factory=dict)  # Python file → hash before black


def _source_name(spec: Path) -> str:
    try:
        return str(spec.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(spec)


def run(config: Config, templates: Path = TEMPLATES) -> Result:
    source = _source_name(config.spec)
    document = load(config.spec, source)
    api, warnings = build_api(document)
    files, sources = format_files(render(api, config, templates), format_cache(config.out))
    digest = hashlib.sha256(config.spec.read_bytes()).hexdigest()
    return Result(api, files, warnings, digest, source, sources)
