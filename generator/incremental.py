"""Regenerating after a few paths of a large spec changed: the last run replayed, not redone.

A ``generate`` run saves, in a cache folder outside the output (``SDK_GENERATOR_CACHE``, else
``$XDG_CACHE_HOME/sdk-generator`` or ``~/.cache/sdk-generator``), its IR, what each unit of the IR
build did (``types.Trace``: a unit is the component schemas, or one path's operations), a
digest of each unit of the spec, each file's key (``render``) and the size and time of each
file it wrote. The next run, when only a few paths changed and nothing else did (settings,
templates, generator, everything in the spec outside ``paths``, the output folder), rebuilds
those paths' operations and the models their inline schemas hoisted, and renders and formats
only the files whose keys changed.

The replay is taken only when it is the full build's result: each changed unit must hoist the
same schemas, under the same names and in the same order, and report the same problems as
before, the operations must keep their names and pointers, and the files the same paths.
Anything else (or a spec with ``$ref``s into ``paths``, which would make one path depend on
another, or YAML anchors) is a full build. ``tests/generator/test_incremental.py`` compares both
on every corpus spec under eight kinds of edits.
"""

from __future__ import annotations

import bisect
import dataclasses
import gc
import hashlib
import json
import marshal
import os
import pickle
import re
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from json.decoder import scanstring as _scanstring  # type: ignore[attr-defined]
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import Problem
from .inputs import generator_digest
from .load import nesting_problems, parse_json, value_digest

if TYPE_CHECKING:  # the IR is imported once needed: a run forks its validator before (``pipeline``)
    from .ir import Api, Model, ModelRef, Operation
    from .types import Trace

__all__ = [
    "CACHE_ENV", "State", "Replay", "cache_folder", "cache_path", "digests", "load_state", "path_members", "replay", "reread",
    "same", "save_state", "unchanged_on_disk",
]  # fmt: skip

CACHE_ENV = "SDK_GENERATOR_CACHE"
_FORMAT = 1  # of the saved state; another value is not read
# At most this share of the paths (or 8) changed: beyond that a full build costs about as much.
_MOST_CHANGED = 0.05


@dataclass
class State:
    """What a run leaves for the next one (see the module's docstring)."""

    settings: dict[str, str]  # the fingerprint's parts other than the spec (``inputs.fingerprint``)
    spec: str  # the spec's sha256
    rest: bytes | None  # digest of the spec outside ``paths``
    paths: dict[str, bytes | None]  # each path's digest, in document order
    api: Api
    warnings: list[Problem]
    trace: Trace
    keys: dict[str, object]  # file → key (``render``)
    files: dict[str, str] = field(default_factory=dict)  # file → sha256 of its text
    sources: dict[str, str] = field(default_factory=dict)  # Python file → hash before black
    stats: dict[str, tuple[int, ...]] = field(default_factory=dict)  # file → ``_stat`` on disk
    saved_at: int = 0  # when ``stats`` were taken (``time.time_ns``)
    format: int = _FORMAT


def digests(data: dict[str, Any]) -> tuple[bytes | None, dict[str, bytes | None]] | None:
    """The digest of the spec outside ``paths``, and of each path; None without a ``paths`` object."""
    paths = data.get("paths")
    if not isinstance(paths, dict) or not all(isinstance(k, str) for k in paths):
        return None
    return value_digest({k: v for k, v in data.items() if k != "paths"}), {k: value_digest(v) for k, v in paths.items()}


def cache_folder() -> Path | None:
    """The generator's cache folder; None when caching is off (``SDK_GENERATOR_CACHE`` set to
    an empty string)."""
    folder = os.environ.get(CACHE_ENV)
    if folder == "":
        return None
    if folder is None:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = os.path.join(base, "sdk-generator")
    return Path(folder)


# Each cache file starts with these bytes and a CRC-32 of the rest: a file damaged on disk (a
# flipped bit that still unpickles, or unmarshals to other data) is no cache, not wrong output.
_SEAL = b"sdkg"


def seal_header(payload: bytes) -> bytes:
    """What goes before ``payload`` in a cache file (``unseal``)."""
    return _SEAL + zlib.crc32(payload).to_bytes(4, "little")


def unseal(data: bytes) -> memoryview | None:
    """The payload of a cache file, None when it is not one or was damaged."""
    n = len(_SEAL) + 4
    if len(data) < n or data[: len(_SEAL)] != _SEAL:
        return None
    payload = memoryview(data)[n:]
    return payload if zlib.crc32(payload).to_bytes(4, "little") == data[len(_SEAL) : n] else None


def cache_path(out: Path) -> Path | None:
    """Where the state for output folder ``out`` is kept."""
    folder = cache_folder()
    if folder is None:
        return None
    key = hashlib.sha256(str(out.absolute().resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:40]
    return folder / f"{key}.pickle"


def load_state(out: Path, freeze: bool = False) -> State | None:
    """The state the last run saved for ``out``. ``freeze``: its objects are moved to the
    collector's permanent generation (see ``gc.freeze``; the caller unfreezes), so that no
    collection walks them (the first one after loading would take a twentieth of a second)."""
    path = cache_path(out)
    if path is None:
        return None
    enabled = gc.isenabled()
    gc.disable()  # unpickling builds a large graph of objects: no collection halfway
    try:
        payload = unseal(path.read_bytes())  # faster than reading it through a file object
        if payload is None:
            return None
        state = pickle.loads(payload)
        if freeze:
            gc.freeze()
    except Exception:  # noqa: BLE001 - a missing, truncated or old cache is no cache
        return None
    finally:
        if enabled:
            gc.enable()
    return state if isinstance(state, State) and state.format == _FORMAT else None


def save_state(
    out: Path,
    state: State,
    written: dict[str, str],
    background: bool = False,
    rewritten: frozenset[str] = frozenset(),
    spec: tuple[bytes, Any] | None = None,
) -> None:
    """Record the files on disk (``written``: path → sha256; ``rewritten``: those this run wrote,
    the others are as ``state.stats`` says) and save ``state``; a cache that cannot be written
    is no cache (the next run is a full one). ``background``: a detached process does it (a
    large SDK's state takes about 0.2 s to write), after ``_RACY`` seconds, so that a file edited
    meanwhile shows in its times or its hash (see ``unchanged_on_disk``); a run that starts
    before it is written does a full build. ``spec``: the spec's bytes and what they parsed to,
    kept beside the state for ``reread``."""
    path = cache_path(out)
    if path is None:
        return
    detached = _detached() if background else None
    if detached is False:
        return
    try:
        if detached:
            time.sleep(_RACY)
        _save_copy(path.with_suffix(_COPY), state, spec)
        # An incremental run checked the other files' sizes and times first (``unchanged_on_disk``).
        stats = {p: st for p, st in state.stats.items() if p in written and p not in rewritten}
        saved_at = time.time_ns()
        base = str(out)
        for rel in (p for p in written if p not in stats):
            try:
                st = os.stat(os.path.join(base, rel), follow_symlinks=False)
            except OSError:
                continue
            if detached and _sha256(os.path.join(base, rel)) != written[rel]:
                continue  # edited since it was written: the next run is a full one
            stats[rel] = _stat(st)
        _write(path, dataclasses.replace(state, files=dict(written), stats=stats, saved_at=saved_at))
    finally:
        if detached:
            os._exit(0)


_RACY = 2.0  # seconds: file times may be that coarse (FAT; HFS+ has 1 s)


def _stat(st: os.stat_result) -> tuple[int, ...]:
    """What tells a file rewritten: size, times (a write sets the change time, which nobody can
    set back) and inode."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _sha256(path: str) -> str:
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except OSError:
        return ""


_MAX_FD = os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 1024


def _detached() -> bool | None:
    """Fork twice: True in the grandchild (its output closed, nobody waits for it), False here
    (once the child that forked it has ended); None where the platform cannot fork."""
    if not hasattr(os, "fork"):
        return None
    child = os.fork()
    if child:
        os.waitpid(child, 0)
        return False
    try:
        if os.fork():
            os._exit(0)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        # Nothing else inherited stays open either: a pipe a caller reads the run's output
        # from, or one that keeps a helper process (multiprocessing's resource tracker, which
        # holds that output) alive, would make the caller wait for this process.
        os.closerange(3, _MAX_FD)
        return True
    except BaseException:
        os._exit(1)


def _write(path: Path, state: State) -> None:
    write_sealed(path, pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL), ".state-")


def write_sealed(path: Path, payload: bytes, prefix: str) -> None:
    """``payload`` written to ``path`` after its ``seal_header``, atomically (a temporary file
    beside it, then renamed); a cache that cannot be written is no cache: nothing is raised."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=prefix, dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(seal_header(payload))
                f.write(payload)
            os.replace(temp, path)
        except BaseException:
            os.unlink(temp)
            raise
    except OSError:
        return


# ---------------------------------------------------------------- the spec read by difference

_COPY = ".spec"  # beside the state: the spec the state was made from (JSON specs only)
_COPY_FORMAT = 2
_WS = re.compile(r"[ \t\n\r]*")


def _skip(text: str, i: int) -> int:
    """Past the white space at ``i``."""
    found = _WS.match(text, i)
    return found.end() if found is not None else i


def path_members(raw: bytes) -> list[tuple[str, int, int]] | None:
    """Each path of a JSON spec (``raw``: as read), with the byte offsets of its key's opening
    quote and of the end of its value; None for anything else (YAML, no ``paths`` object)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    try:
        i = _skip(text, 0)
        if text[i : i + 1] != "{":
            return None
        found = [m for m in _members(text, _skip(text, i + 1)) if m[0] == "paths" and text[m[2] : m[2] + 1] == "{"]
        if len(found) != 1:
            return None
        members = _members(text, _skip(text, found[0][2] + 1))
    except (ValueError, RecursionError):  # not JSON: YAML, or a file no run has read
        return None
    if len(text) == len(raw):
        return [(key, start, end) for key, start, _, end in members]
    # Offsets in characters → in bytes, in one pass (the members come in order).
    at_char = at_byte = 0
    offsets: dict[int, int] = {}
    for char in sorted({o for _, start, _, end in members for o in (start, end)}):
        at_byte += len(text[at_char:char].encode("utf-8"))
        at_char = char
        offsets[char] = at_byte
    return [(key, offsets[start], offsets[end]) for key, start, _, end in members]


def _members(text: str, i: int) -> list[tuple[str, int, int, int]]:
    """The members of the JSON object whose first member (or closing brace) is at ``i``: each
    key, with where the key, its value, and the value's end are."""
    decoder = json.JSONDecoder()
    members = []
    while text[i : i + 1] == '"':
        start = i
        key, i = _scanstring(text, i + 1)
        i = _skip(text, i)
        if text[i : i + 1] != ":":
            raise ValueError("no colon")
        value = _skip(text, i + 1)
        i = decoder.raw_decode(text, value)[1]
        members.append((key, start, value, i))
        i = _skip(text, i)
        if text[i : i + 1] == ",":
            i = _skip(text, i + 1)
    if text[i : i + 1] != "}":
        raise ValueError("no closing brace")
    return members


def _save_copy(path: Path, state: State, spec: tuple[bytes, Any] | None) -> None:
    """The spec's bytes, their parsed value, the byte offsets of each path (``path_members``)
    and the digests the state holds, for ``reread``; no copy for a spec that is not JSON."""
    members = path_members(spec[0]) if spec is not None else None
    if spec is None or not members:
        try:
            path.unlink()
        except OSError:
            pass
        return
    try:
        payload = marshal.dumps((_COPY_FORMAT, generator_digest(), spec[0], spec[1], members, state.rest, state.paths))
    except ValueError:  # a value marshal cannot write
        return
    write_sealed(path, payload, ".spec-")


def reread(out: Path, raw: bytes, freeze: bool = False) -> tuple[dict[str, Any], tuple[bytes | None, dict[str, bytes | None]]] | None:
    """The JSON spec ``raw`` parsed, and its ``digests``, from the last run's copy (saved beside
    its state): only the paths whose bytes differ are parsed (a 13 MB spec in half the time, and
    no digest of the unchanged parts taken again); None when that cannot be told (not JSON, no
    copy, a change outside ``paths``, a path added, removed or renamed, or text that does not
    parse: ``load`` then says why).

    The bytes before and after the change are the copy's; the changed bytes lie within some
    consecutive paths' members, which parse on their own as one object (JSON is self-
    delimiting); those paths' values replace theirs in the copy's parsed document.

    ``freeze``: as for ``load_state`` (a million objects on GitHub's spec: the first collection
    after reading them took a fifth of the time it took to read them)."""
    enabled = gc.isenabled()
    gc.disable()  # a large graph of objects: no collection halfway
    try:
        found = _reread(out, raw)
        if found is not None and freeze:
            gc.freeze()
        return found
    finally:
        if enabled:
            gc.enable()


def _reread(out: Path, raw: bytes) -> tuple[dict[str, Any], tuple[bytes | None, dict[str, bytes | None]]] | None:
    path = cache_path(out)
    if path is None:
        return None
    try:
        payload = unseal(path.with_suffix(_COPY).read_bytes())
        if payload is None:
            return None
        fmt, made_by, old, data, members, rest, digests = marshal.loads(payload)
    except Exception:  # noqa: BLE001 - a missing, truncated or old copy is no copy
        return None
    if fmt != _COPY_FORMAT or made_by != generator_digest() or not isinstance(data, dict) or not members or not isinstance(digests, dict):
        return None  # (another generator may parse the same bytes to something else)
    paths = data.get("paths")
    if not isinstance(paths, dict) or list(paths) != [m[0] for m in members] or list(paths) != list(digests):
        return None
    if old == raw:
        return data, (rest, digests)
    size = min(len(old), len(raw))
    before = _common_prefix(old, raw, size)
    after = _common_suffix(old, raw, size - before)
    first = bisect.bisect_right([m[1] for m in members], before) - 1  # the member the change starts in (or after)
    last = bisect.bisect_left([m[2] for m in members], len(old) - after)  # ... and ends in (or before)
    if first < 0 or last >= len(members):
        return None  # a change outside the paths' members
    start, end = members[first][1], members[last][2] + len(raw) - len(old)
    try:
        value = parse_json("{" + raw[start:end].decode("utf-8") + "}")
    except (ValueError, RecursionError):
        return None
    names = [m[0] for m in members[first : last + 1]]
    if not isinstance(value, dict) or list(value) != names:
        return None  # a path added, removed or renamed
    if nesting_problems({"paths": value}):  # as deep as in the file: parsing it whole says where
        return None
    for name in names:
        paths[name] = value[name]
        digests[name] = value_digest(value[name])
    return data, (rest, digests)


_CHUNK = 1 << 16


def _common_prefix(a: bytes, b: bytes, most: int) -> int:
    """How many bytes ``a`` and ``b`` begin with alike (at most ``most``)."""
    return _alike(lambda lo, hi: a[lo:hi] == b[lo:hi], most)


def _common_suffix(a: bytes, b: bytes, most: int) -> int:
    """How many bytes ``a`` and ``b`` end with alike (at most ``most``)."""
    la, lb = len(a), len(b)
    return _alike(lambda lo, hi: a[la - hi : la - lo] == b[lb - hi : lb - lo], most)


def _alike(equal: Callable[[int, int], bool], most: int) -> int:
    """The length of the run the two sides share, at most ``most``: ``equal(lo, hi)`` says whether
    they agree from ``lo`` to ``hi`` bytes along it. Compared a chunk at a time, then bisected."""
    i = 0
    while i < most:
        k = min(_CHUNK, most - i)
        if not equal(i, i + k):
            lo, hi = i, i + k  # alike up to lo; a difference before hi
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if equal(lo, mid):
                    lo = mid
                else:
                    hi = mid
            return lo
        i += k
    return most


def unchanged_on_disk(out: Path, state: State) -> bool:
    """Whether every file the state lists is on disk as it was written (size, times, inode): a
    file edited since must be rewritten, which only a full run knows how to do. A file whose
    change time is within ``_RACY`` seconds of when they were recorded could have been edited
    in the same tick of a coarse clock: its content is compared too."""
    base = str(out)
    racy = state.saved_at - int(_RACY * 1e9)
    for rel, recorded in state.stats.items():
        full = os.path.join(base, rel)
        try:
            st = os.stat(full, follow_symlinks=False)
        except OSError:
            return False
        if _stat(st) != recorded or (st.st_ctime_ns >= racy and _sha256(full) != state.files.get(rel)):
            return False
    return len(state.stats) == len(state.files)


class _Diverged(Exception):
    """The replay would not give what a full build gives."""


def same(a: object, b: object) -> bool:
    """``a == b``, but as strict as the text rendered from them: ``1``, ``1.0`` and ``True`` differ
    (and ``0.0`` and ``-0.0``); the same object is the same at once (unchanged parts of a replayed
    IR are the saved objects themselves, so most parts are compared without a call)."""
    if a is b:
        return True
    kind = type(a)
    if kind is not type(b):
        return False
    if kind is str or kind is int or kind is bool:
        return a == b
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        if len(a) != len(b):
            return False
        for x, y in zip(a, b):  # a loop, not ``all()``: five thousand keys are compared per run
            if x is not y and not same(x, y):
                return False
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(x is y or same(x, y) for x, y in zip(a.values(), b.values()))
    if kind is float:
        return repr(a) == repr(b)
    names = _FIELD_NAMES.get(kind)
    if names is None and dataclasses.is_dataclass(a) and not isinstance(a, type):
        names = _field_names(kind)
    if names is not None:
        # Field by field (not ``vars``: a loaded IR object leaves out fields at their default)
        for name in names:
            x, y = getattr(a, name), getattr(b, name)
            if x is not y and not same(x, y):
                return False
        return True
    return a == b


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


@dataclass
class Replay:
    """The changed paths' part of a build, against the last run's IR and trace."""

    state: State
    changed: set[str]
    builder: Any = field(init=False)
    build_one: Callable[[ModelRef, str, Any, str], None] = field(init=False)
    ctx: Any = field(init=False)
    queue: list[tuple[ModelRef, str, Any, str]] = field(default_factory=list)
    queued: dict[str, str] = field(default_factory=dict)  # hoisted pointer → the unit that queued it
    calls: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        owner = self.state.trace.owner
        self.owned = {where for where, unit in owner.items() if unit in self.changed}
        self.models_by_name: dict[str, Model] = {}
        for m in self.state.api.models:
            self.models_by_name.setdefault(m.name, m)

    def hoist(self, hint: str, schema: dict[str, Any], where: str) -> ModelRef:
        self.calls.setdefault(self.ctx.unit, []).append((where, hint))
        ref = self.state.trace.hoisted.get(where)
        if ref is None:  # a new inline model: its name depends on the whole build
            raise _Diverged
        if where in self.owned and where not in self.queued:
            self.queued[where] = self.ctx.unit
            self.queue.append((ref, where, schema, self.ctx.unit))
        return ref

    def model(self, name: str) -> Model | None:
        from .models import LOOKUP

        self.calls.setdefault(self.ctx.unit, []).append((LOOKUP, name))
        self.flush()
        rebuilt: Model | None = self.builder.built(name)
        return rebuilt if rebuilt is not None else self.models_by_name.get(name)

    def flush(self) -> None:
        while self.queue:
            ref, where, schema, unit = self.queue.pop(0)
            outer, self.ctx.unit = self.ctx.unit, unit
            try:
                self.build_one(ref, where, schema, where)
            finally:
                self.ctx.unit = outer


def replay(data: dict[str, Any], state: State, spec_digests: tuple[bytes | None, dict[str, bytes | None]]) -> tuple[Api, set[str]] | None:
    """The IR of ``data`` from the last run's, when only a few paths changed and replaying them
    gives what a full build gives (see the module's docstring); and the changed paths."""
    from .api import tags_of
    from .models import ModelBuilder
    from .operations import find_operations, operation
    from .types import Trace

    rest, paths = spec_digests
    if rest is None or rest != state.rest or list(paths) != list(state.paths) or state.trace.into_paths:
        return None
    changed = {p for p, d in paths.items() if d is None or d != state.paths[p]}
    if len(changed) > max(8, int(len(paths) * _MOST_CHANGED)):
        return None
    old = state.api
    if not changed:
        return old, changed
    builder = ModelBuilder(data)
    builder.skip_components()  # built last time, and unchanged
    ctx = builder.ctx
    ctx.trace = Trace()
    found, names = find_operations(data, ctx)
    if ctx.problems:
        return None
    pointers = [f[4] for f in found]
    if pointers != [op.pointer for op in old.operations] or names != [op.name for op in old.operations]:
        return None
    if len(set(pointers)) != len(pointers):
        return None  # paths that share one path item (a $ref): one pointer, several operations
    run = Replay(state, changed)
    run.builder, run.ctx, run.build_one = builder, ctx, builder.build_one
    ctx.hoist = run.hoist
    operations: dict[str, Operation] = {}
    try:
        for f, name in zip(found, names):
            if f[0] in changed:
                ctx.unit = f[0]
                operations[f[4]] = operation(data, ctx, run.model, *f, name)
        ctx.unit = "#"
        run.flush()
    except _Diverged:
        return None
    trace = state.trace
    if ctx.trace.into_paths:
        return None
    for unit in changed:
        if run.calls.get(unit, []) != trace.calls.get(unit, []) or ctx.trace.problems.get(unit, []) != trace.problems.get(unit, []):
            return None
    if set(run.queued) != run.owned or any(trace.owner[w] != unit for w, unit in run.queued.items()):
        return None
    new_models = {m.pointer: m for m in builder.models}
    new_aliases = {a.pointer: a for a in builder.aliases}
    if {m.pointer for m in old.models if m.pointer in run.owned} != new_models.keys():
        return None  # a hoisted schema that became (or stopped being) an object
    if {a.pointer for a in old.aliases if a.pointer in run.owned} != new_aliases.keys():
        return None
    models = tuple(new_models.get(m.pointer, m) for m in old.models)
    aliases = tuple(new_aliases.get(a.pointer, a) for a in old.aliases)
    ops = tuple(operations.get(op.pointer, op) for op in old.operations)
    api = dataclasses.replace(old, models=models, aliases=aliases, operations=ops, tags=tuple(tags_of(data, list(ops))))
    return api, changed
