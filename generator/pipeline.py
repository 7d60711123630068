"""The stages in order: load → ir → render → format. Returns files in memory; writes nothing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from . import changelog
from .api import build_api
from .config import Config
from .errors import Problem
from .format import format_files
from .ir import Api
from .load import load
from .inputs import SPEC_PARTS, fingerprint
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


def run(config: Config, templates: Path = TEMPLATES, trust_manifest: bool = True) -> Result:
    """``trust_manifest``: a spec whose hash the output folder's manifest records passed
    openapi-spec-validator when that output was generated, so the validator is not run again."""
    source = _source_name(config.spec)
    recorded = manifest_data(config.out).get("inputs") if trust_manifest else None
    validated = str(recorded.get("spec", "")) if isinstance(recorded, dict) else ""
    parts = str(recorded.get(SPEC_PARTS, "")) if isinstance(recorded, dict) else ""
    # openapi-spec-validator may still be running (in another process) while the SDK is built
    # in memory: nothing is returned, so nothing is written, before it has passed the document.
    document = load(config.spec, source, validated, background=True, previous_parts=parts)
    try:
        inputs = fingerprint(config, templates)
        api, warnings = build_api(document)
        extra: dict[str, str] = {}
        if config.changelog:
            config, extra = changelog.apply(config, api, document.data)
        own_templates = config.templates is None and templates == TEMPLATES  # in black's style
        files, sources = format_files(render(api, config, templates), format_cache(config.out), black_style=own_templates)
    except Exception:
        document.confirm()  # an invalid document: its problems, not what building it ran into
        raise
    document.confirm()
    if document.pending is not None and document.pending.parts:  # what the next run may skip
        inputs = {**inputs, SPEC_PARTS: document.pending.parts}
    elif parts and validated and inputs.get("spec") == validated:  # the same spec: still true
        inputs = {**inputs, SPEC_PARTS: parts}
    return Result(api, {**files, **extra}, warnings, inputs["spec"], source, sources, inputs)
