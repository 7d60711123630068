"""The stages in order: load → ir → render → format. Returns files in memory; writes nothing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2

from . import changelog
from .api import build_api
from .config import Config
from .errors import Problem
from .format import FORMATTER, format_files
from .ir import Api
from .load import load
from .render import TEMPLATES, render
from .write import format_cache, manifest_data

__all__ = ["Result", "run", "fingerprint"]


@dataclass(frozen=True)
class Result:
    api: Api
    files: dict[str, str]  # relative path → formatted text
    warnings: list[Problem]
    spec_sha256: str
    source: str
    sources: dict[str, str] = field(default_factory=dict)  # Python file → hash before black
    inputs: dict[str, str] = field(default_factory=dict)  # what the files are made from → its hash


def _source_name(spec: Path) -> str:
    try:
        return str(spec.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(spec)


def _digest(parts: list[tuple[str, bytes]]) -> str:
    h = hashlib.sha256()
    for name, data in parts:
        h.update(f"{name}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def _tree(folder: Path, pattern: str) -> list[tuple[str, bytes]]:
    return [(p.relative_to(folder).as_posix(), p.read_bytes()) for p in sorted(folder.rglob(pattern)) if p.is_file()]


def fingerprint(config: Config, templates: Path = TEMPLATES) -> dict[str, str]:
    """A hash of each input that shapes the output. The same inputs give the same files (the
    generator is deterministic), so ``check`` need not regenerate when none changed."""
    try:
        shown = config.spec.absolute().relative_to(config.root.absolute())
    except ValueError:
        shown = Path(config.spec.name)
    settings = replace(config, spec=shown, out=Path(config.out.name), root=Path("."), templates=None)
    try:
        spec = hashlib.sha256(config.spec.read_bytes()).hexdigest()
    except OSError:
        spec = ""  # load() reports it
    return {
        "spec": spec,
        "templates": _digest(
            _tree(templates, "*.jinja") + [("overlay/" + n, d) for n, d in (_tree(config.templates, "*.jinja") if config.templates else [])]
        ),
        "generator": _digest([("jinja2", jinja2.__version__.encode()), *_tree(Path(__file__).parent, "*.py")]),
        "configuration": hashlib.sha256(repr(settings).encode()).hexdigest(),
        "formatter": FORMATTER,
    }


def run(config: Config, templates: Path = TEMPLATES, trust_manifest: bool = True) -> Result:
    """``trust_manifest``: a spec whose hash the output folder's manifest records passed
    openapi-spec-validator when that output was generated, so the validator is not run again."""
    source = _source_name(config.spec)
    recorded = manifest_data(config.out).get("inputs") if trust_manifest else None
    validated = str(recorded.get("spec", "")) if isinstance(recorded, dict) else ""
    document = load(config.spec, source, validated)
    inputs = fingerprint(config, templates)
    api, warnings = build_api(document)
    extra: dict[str, str] = {}
    if config.changelog:
        config, extra = changelog.apply(config, api, document.data)
    files, sources = format_files(render(api, config, templates), format_cache(config.out))
    return Result(api, {**files, **extra}, warnings, inputs["spec"], source, sources, inputs)
