"""The stages in order: load → ir → render → format. Returns files in memory; writes nothing."""

from __future__ import annotations

import dataclasses
import functools
import gc
import hashlib
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import incremental as incremental_
from .config import Config
from .errors import GeneratorError, Problem
from .fork import Forked, can_fork, cores
from .format import format_files
from .load import BACKGROUND_FROM, Document, PendingValidation, load, parse_text, spec_parts_of
from .inputs import SPEC_PARTS, TEMPLATES, fingerprint, generator_digest
from .write import Summary, format_cache, manifest_data, recover, write_tree

if TYPE_CHECKING:
    from .ir import Api

# The IR's modules, jinja2 and the templates' code are imported once the run has forked the
# process that validates a changed spec (``PendingValidation.early``): it starts sooner, and
# imports what it needs while this process does (on a regeneration, it is last to finish).

__all__ = ["Result", "run", "generate", "fingerprint"]


@dataclass(frozen=True)
class Result:
    api: Api
    files: dict[str, str]  # relative path → formatted text
    warnings: list[Problem]
    spec_sha256: str
    source: str
    sources: dict[str, str] = field(default_factory=dict)  # Python file → hash before black
    inputs: dict[str, str] = field(default_factory=dict)  # what the files are made from → its hash
    # ``run(incremental=True)``: what to save for the next run once written, and the files not in
    # ``files`` because they are on disk as the last run wrote them (path → sha256).
    state: incremental_.State | None = None
    unchanged: dict[str, str] = field(default_factory=dict)
    replayed: tuple[str, ...] = ()  # the paths an incremental run rebuilt
    spec_copy: tuple[bytes, Any] | None = None  # with ``state``: the spec read, and parsed


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
    api: Api, config: Config, templates: Path, cache: Callable[[str, str], str | None], black_style: bool, keys: dict[str, object]
) -> tuple[dict[str, str], dict[str, str]]:
    """``format_files(render(...))``: on large SDKs, about half the model and operation files in
    a forked process (picked by a hash of their paths). ``keys`` receives each file's key."""
    from .render import render

    if len(api.models) < SPLIT_FROM or cores() < 2 or not can_fork():
        return format_files(render(api, config, templates, keys=keys), cache, black_style=black_style)

    def theirs(path: str) -> bool:
        return zlib.crc32(path.encode("utf-8")) % 100 < _SHARE

    other = Forked(lambda: format_files(render(api, config, templates, theirs, only_shared=True), cache, black_style))
    order: list[str] = []
    mine: tuple[dict[str, str], dict[str, str]] | None = None
    failed: GeneratorError | None = None
    try:
        mine = format_files(render(api, config, templates, lambda path: not theirs(path), order=order, keys=keys), cache, black_style)
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


def run(config: Config, templates: Path = TEMPLATES, trust_manifest: bool = True, incremental: bool = False) -> Result:
    """``trust_manifest``: a spec whose hash the output folder's manifest records passed
    openapi-spec-validator when that output was generated, so the validator is not run again.
    ``incremental``: replay the last run where only a few paths changed (``incremental``), and
    return in ``Result.state`` what the next run needs (save it once the files are written).
    ``trust_manifest`` False (``check --full``): nothing is taken from the output folder, whose
    manifest a pull request may have edited along with the files: the spec is validated, every
    file formatted."""
    source = _source_name(config.spec)
    manifest = manifest_data(config.out)
    recorded = manifest.get("inputs") if trust_manifest else None
    validated = str(recorded.get("spec", "")) if isinstance(recorded, dict) else ""
    parts = str(recorded.get(SPEC_PARTS, "")) if isinstance(recorded, dict) else ""
    try:  # read once: the fingerprint hashes what load() parses
        raw: bytes | None = config.spec.read_bytes()
    except OSError:
        raw = None  # load() reports it
    spec_sha256 = hashlib.sha256(raw).hexdigest() if raw is not None else None
    generator_digest()  # before any fork: the spec copy is read by the generator that made it only
    wanted = incremental and not config.changelog and bool(manifest.get("files"))
    early = None
    if wanted and raw is not None and len(raw) >= BACKGROUND_FROM and spec_sha256 != validated and can_fork():
        # A changed large spec: its validation starts first, the validator imported while the
        # spec is read here (``give`` then tells it what changed).
        early = PendingValidation.early(functools.partial(_read_spec, config.out, raw, source), parts)
    # openapi-spec-validator may still be running (in another process) while the SDK is built
    # in memory: nothing is returned, so nothing is written, before it has passed the document.
    # The last run's state, the parsed document and the IR live until the run ends: the
    # collector is told to leave them alone meanwhile (on large specs it would otherwise walk
    # millions of objects each time).
    freeze = gc.get_freeze_count() == 0
    try:
        try:
            inputs = fingerprint(config, templates, raw, spec_sha256)
            # A JSON spec of which only some paths changed since the last run: only those are parsed.
            reread = incremental_.reread(config.out, raw, freeze=freeze) if wanted and raw is not None else None
            if early is not None:  # what to check: the changed path items, when that can be told
                early.give(*((reread[0], spec_parts_of(*reread[1])) if reread is not None else (None, None)))
        except BaseException:
            if early is not None:
                early.cancel()
            raise
        # The generator's own checks passed on the spec the output was made from, if it is the
        # same generator: they are not run again on that spec either.
        same_generator = isinstance(recorded, dict) and recorded.get("generator") == inputs["generator"]
        checked = validated if same_generator else ""
        document = load(
            config.spec, source, validated, background=True, previous_parts=parts, checked_sha256=checked, raw=raw,
            raw_sha256=inputs["spec"] if raw is not None else "", parsed=None if reread is None else reread[0],
            pending=early,
        )  # fmt: skip
        try:
            # While the spec is validated in another process (large specs)
            state = incremental_.load_state(config.out, freeze=freeze) if wanted else None
            if state is not None and state.settings != _settings(inputs):
                state = None
            if freeze:
                gc.freeze()
            own_templates = config.templates is None and templates == TEMPLATES  # in black's style
            spec_digests = None
            if incremental and not config.changelog and not document.shared:
                spec_digests = incremental_.digests(document.data) if reread is None else reread[1]
            result = None
            if spec_digests and state is not None:
                result = _replayed(document.data, config, templates, inputs, spec_digests, own_templates, manifest, state)
            state = None  # a full build does not need it
            if result is None:
                result = _built(document, config, templates, inputs, spec_digests, own_templates, trust_manifest)
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
    copy = (raw, document.data) if result.state is not None and raw is not None else None
    return dataclasses.replace(result, source=source, inputs=inputs, spec_copy=copy)


def _read_spec(out: Path, raw: bytes, source: str) -> tuple[Any, dict[str, Any] | None]:
    """What ``run`` parses ``raw`` to, and its ``spec_parts`` when known (``incremental.reread``)."""
    found = incremental_.reread(out, raw)
    if found is None:
        return parse_text(raw.decode("utf-8"), source), None
    return found[0], spec_parts_of(*found[1])


def generate(config: Config, templates: Path = TEMPLATES) -> tuple[Result, Summary]:
    """What ``generate`` does: ``run`` (incremental), ``write_tree``, then the state the next
    run replays saved (by a detached process on large SDKs: see ``incremental.save_state``)."""
    recover(config.out)  # a write interrupted halfway is finished before anything is compared
    result = run(config, templates, incremental=True)
    summary = write_tree(config.out, result.files, result.spec_sha256, result.sources, result.inputs, result.unchanged)
    if result.state is not None:
        background = len(result.api.models) >= SPLIT_FROM and can_fork()
        incremental_.save_state(config.out, result.state, summary.hashes, background, frozenset(summary.written), result.spec_copy)
    return result, summary


def _settings(inputs: dict[str, str]) -> dict[str, str]:
    """The fingerprint's parts other than the spec: the same settings, templates and generator."""
    return {k: v for k, v in inputs.items() if k not in ("spec", SPEC_PARTS)}


def _built(
    document: Document,
    config: Config,
    templates: Path,
    inputs: dict[str, str],
    spec_digests: tuple[bytes | None, dict[str, bytes | None]] | None,
    black_style: bool,
    trust_manifest: bool = True,
) -> Result:
    """A full build: the IR, every file rendered and formatted (from the format cache when a
    file's source is the one the last run formatted; ``trust_manifest`` False: every file
    formatted, since that cache is the output folder's files, listed by its manifest)."""
    from .api import build_api
    from .types import Trace

    trace = Trace() if spec_digests is not None else None
    api, warnings = build_api(document) if trace is None else build_api(document, trace)
    if gc.get_freeze_count():
        gc.freeze()
    extra: dict[str, str] = {}
    if config.changelog:
        from . import changelog

        config, extra = changelog.apply(config, api, document.data)
    keys: dict[str, object] = {}
    cache = format_cache(config.out) if trust_manifest else lambda path, source: None
    files, sources = _render_and_format(api, config, templates, cache, black_style, keys)
    state = None
    if trace is not None and spec_digests is not None:
        state = incremental_.State(_settings(inputs), inputs["spec"], *spec_digests, api, warnings, trace, keys, sources=sources)
    return Result(api, {**files, **extra}, warnings, inputs["spec"], "", sources, inputs, state)


def _replayed(
    data: dict[str, Any],
    config: Config,
    templates: Path,
    inputs: dict[str, str],
    spec_digests: tuple[bytes | None, dict[str, bytes | None]],
    black_style: bool,
    manifest: dict[str, object],
    state: incremental_.State,
) -> Result | None:
    """``incremental.replay``'s IR, with only the files whose keys changed rendered and
    formatted; None when a full build is needed (see ``incremental``). ``manifest``: the output
    folder's, as the run began; ``state``: the last run's, made with the same settings."""
    if manifest.get("spec_sha256") != state.spec or manifest.get("files") != state.files:
        return None  # the output folder is not what that run wrote
    if not incremental_.unchanged_on_disk(config.out, state):
        return None
    from .render import render

    replayed = incremental_.replay(data, state, spec_digests)
    if replayed is None:
        return None
    api, changed = replayed
    keys: dict[str, object] = {}
    missing = object()
    rendered = render(api, config, templates, keys=keys, changed=lambda path, key: not incremental_.same(state.keys.get(path, missing), key))
    if keys.keys() != state.keys.keys() or not incremental_.same(keys[""], state.keys[""]):
        return None  # files added or removed (the full write handles those), or other settings
    files, sources = format_files(rendered, format_cache(config.out, manifest), black_style=black_style)
    unchanged = {p: state.files[p] for p in keys if p and p not in files}
    all_sources = {**{p: h for p, h in state.sources.items() if p not in files}, **sources}
    new_state = dataclasses.replace(state, spec=inputs["spec"], paths=spec_digests[1], api=api, keys=keys, sources=all_sources)
    warnings = list(state.warnings)
    return Result(api, files, warnings, inputs["spec"], "", all_sources, inputs, new_state, unchanged, tuple(sorted(changed)))
