"""The stages in order: load → ir → render → format. Returns files in memory; writes nothing."""

from __future__ import annotations

import gc
import hashlib
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import changelog
from .api import build_api
from .config import Config
from .errors import GeneratorError, Problem
from .fork import Forked, can_fork, cores
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


# Models from which a forked process renders and formats some of the model and operation
# files: on large specs, rendering and formatting are more than half of a cold run (GitHub:
# 3,951 models, 1,223 operations).
SPLIT_FROM = 500
# The forked process's share, in percent (35 and 50 measured alike on GitHub: the validator,
# forked earlier, shares a core with it).
_SHARE = 50


def _render_and_format(
    api: Api, config: Config, templates: Path, cache: Callable[[str, str], str | None], black_style: bool
) -> tuple[dict[str, str], dict[str, str]]:
    """``format_files(render(...))``: on large SDKs, about half the model and operation files in
    a forked process (picked by a hash of their paths)."""
    if len(api.models) < SPLIT_FROM or cores() < 2 or not can_fork():
        return format_files(render(api, config, templates), cache, black_style=black_style)

    def theirs(path: str) -> bool:
        return zlib.crc32(path.encode("utf-8")) % 100 < _SHARE

    other = Forked(lambda: format_files(render(api, config, templates, theirs, only_shared=True), cache, black_style))
    order: list[str] = []
    mine: tuple[dict[str, str], dict[str, str]] | None = None
    failed: GeneratorError | None = None
    try:
        mine = format_files(render(api, config, templates, lambda path: not theirs(path), order=order), cache, black_style)
    except GeneratorError as exc:
        failed = exc
    except BaseException:
        other.cancel()
        raise
    answer = other.result()
    errors = [e for e in (failed, answer) if isinstance(e, GeneratorError)]
    if errors:  # as when one process does all: a problem met rendering, else the first file's
        position = {path: i for i, path in enumerate(order)}
        raise min(errors, key=lambda e: position.get(e.source, -1))
    assert mine is not None and not isinstance(answer, GeneratorError)
    formatted, sources = {**mine[0], **answer[0]}, {**mine[1], **answer[1]}
    listed = set(order)
    paths = [p for p in order if p in formatted] + [p for p in formatted if p not in listed]  # + README.md...
    return {p: formatted[p] for p in paths}, {p: sources[p] for p in paths if p in sources}


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
    # The parsed document and the IR live until the run ends: the collector is told to leave
    # them alone meanwhile (on large specs it would otherwise walk millions of objects each time).
    freeze = gc.get_freeze_count() == 0
    try:
        if freeze:
            gc.freeze()
        inputs = fingerprint(config, templates)
        api, warnings = build_api(document)
        if freeze:
            gc.freeze()
        extra: dict[str, str] = {}
        if config.changelog:
            config, extra = changelog.apply(config, api, document.data)
        own_templates = config.templates is None and templates == TEMPLATES  # in black's style
        files, sources = _render_and_format(api, config, templates, format_cache(config.out), own_templates)
    except Exception:
        document.confirm()  # an invalid document: its problems, not what building it ran into
        raise
    finally:
        if freeze:
            gc.unfreeze()
    document.confirm()
    if document.pending is not None and document.pending.parts:  # what the next run may skip
        inputs = {**inputs, SPEC_PARTS: document.pending.parts}
    elif parts and validated and inputs.get("spec") == validated:  # the same spec: still true
        inputs = {**inputs, SPEC_PARTS: parts}
    return Result(api, {**files, **extra}, warnings, inputs["spec"], source, sources, inputs)
