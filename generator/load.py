"""Read an OpenAPI document (JSON or YAML) and validate it.

Every problem is reported with the file and the JSON pointer where it was found; nothing later in
the pipeline sees a document that did not validate.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import hashlib
import io
import json
import math
import pickle
import re
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from .errors import GeneratorError, Problem, pointer
from .fork import Forked, can_fork
from .refs import ALLOF_TOO_DEEP, METHODS, MISSING, PARAMETER_LOCATIONS, check_all_of, check_references, lookup, ref_tokens, walk

__all__ = ["BACKGROUND_FROM", "Document", "MAX_DEPTH", "PendingValidation", "load", "parse_json", "nesting_problems", "parse_text", "spec_parts_of", "validate"]

# Objects and arrays nested more than this many levels below the root are refused, by an
# iterative check made before anything recursive (the JSON and YAML parsers, the validator, the
# model builder) walks the document: the problem names the pointer where the limit is passed.
MAX_DEPTH = 200
# YAML aliases may repeat a node; a document whose aliases expand it beyond this many values
# (and beyond ten times the values it holds) is refused ("billion laughs").
_MAX_EXPANDED = 1_000_000

_T = TypeVar("_T")


@dataclass(frozen=True)
class Document:
    source: str  # how problems name the file
    data: dict[str, Any]
    version: str  # "3.0" or "3.1"
    # openapi-spec-validator still running (``validate(..., background=True)``): ``confirm()``
    pending: PendingValidation | None = field(default=None, compare=False, repr=False)
    # YAML anchors and aliases: one object may stand in several places (``incremental`` then
    # cannot tell a change by each part's value)
    shared: bool = field(default=False, compare=False)

    def confirm(self) -> None:
        """Wait for a validator still running; raise with its problems. Call it before anything
        made from the document is written."""
        if self.pending is not None:
            problems = self.pending.problems()
            if problems:
                raise _failed(self.source, problems)


def parse_json(text: str) -> Any:
    """``json.loads`` as ``load`` reads a JSON spec: a key twice in one object is an error."""
    return json.loads(text, object_pairs_hook=_no_duplicates)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


_JSON_START = re.compile(r"\s*[{\[]")


def _looks_like_json(text: str) -> bool:
    """Its first character after white space opens an object or an array (no copy of the text)."""
    return _JSON_START.match(text) is not None


def parse_text(text: str, source: str) -> Any:
    """JSON when it looks like JSON, YAML otherwise; errors name the line and column."""
    # Parsing makes no cycles, and a large spec millions of objects: no collection meanwhile
    # (each would walk all made so far; a third of the time on a 13 MB spec).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse_text(text, source)
    finally:
        if enabled:
            gc.enable()


def _parse_text(text: str, source: str) -> Any:
    if _looks_like_json(text):
        try:
            return parse_json(text)
        except json.JSONDecodeError as exc:
            raise GeneratorError(
                source, [Problem("#", f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")]
            ) from None
        except RecursionError:  # the parser recurses once per level
            line, column = _json_too_deep_at(text)
            raise GeneratorError(source, [Problem("#", f"invalid JSON at line {line}, column {column}: {TOO_DEEP}")]) from None
        except ValueError as exc:
            raise GeneratorError(source, [Problem("#", f"invalid JSON: {exc}")]) from None
    from .yaml_reader import read_yaml  # only for YAML: importing PyYAML takes 15 ms

    data = read_yaml(text, source)
    if _ANCHOR.search(text):
        problem = _alias_problem(data)
        if problem is not None:
            raise GeneratorError(source, [problem])
    return data


TOO_DEEP = f"objects and arrays nested more than {MAX_DEPTH} levels deep"
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_ANCHOR = re.compile(r"(?:^|[\s,\[{:-])&[^\s,\[\]{}]")


def _json_too_deep_at(text: str) -> tuple[int, int]:
    """Line and column of the first bracket that opens level ``MAX_DEPTH + 1``."""
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                start = match.start()
                return text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start)
        elif token in "]}":
            depth -= 1
    return 1, 1


def _alias_problem(data: Any) -> Problem | None:
    """A YAML alias inside the node it names (a value that contains itself), or aliases that
    expand the document far beyond its size: walked iteratively, visiting each repetition."""
    seen: set[int] = set()
    on_path: set[int] = set()  # the containers around the current one
    expanded = 0
    # (value, its path as a linked list (key, parent link), whether this is leaving it)
    stack: list[tuple[Any, Any, bool]] = [(data, None, False)] if isinstance(data, (dict, list)) else []
    while stack:
        value, link, leaving = stack.pop()
        if leaving:
            on_path.discard(id(value))
            continue
        if id(value) in on_path:
            return Problem(pointer(*_path_of(link)), "a YAML alias refers to a node that contains it: the value would be infinite")
        expanded += 1
        seen.add(id(value))
        if expanded > _MAX_EXPANDED and expanded > 10 * len(seen):
            return Problem("#", f"YAML aliases expand the document to more than {_MAX_EXPANDED} values")
        on_path.add(id(value))
        stack.append((value, link, True))
        items = value.items() if isinstance(value, dict) else enumerate(value)
        stack.extend((v, (k, link), False) for k, v in items if isinstance(v, (dict, list)))
    return None


def _path_of(link: Any) -> list[str | int]:
    path: list[str | int] = []
    while link is not None:
        key, link = link
        path.append(key)
    return path[::-1]


def validate(
    data: Any,
    source: str,
    run_validator: bool = True,
    background: bool = False,
    previous_parts: str = "",
    run_checks: bool = True,
    pending: PendingValidation | None = None,
) -> Document:
    """Check the OpenAPI version and validate the document; raise with every problem found.

    ``run_validator=False`` skips openapi-spec-validator (the slowest stage on large specs) but
    not the generator's own checks: for a document known to have passed it already;
    ``run_checks=False`` with it skips those too (a document that passed both before).
    ``background=True`` (and the validator to run): the generator's own checks and
    openapi-spec-validator run in a forked process while the caller goes on, building the SDK
    from a document not yet checked; the caller must call ``Document.confirm()`` before writing
    anything, and on any failure of its own, so that the document's problems are reported.
    ``previous_parts`` (``PendingValidation.parts`` of a document that passed the validator):
    when only path items changed since, the validator reads the changed ones only.
    ``pending``: that background validation of this document, started already (used when it
    runs in the background; the caller cancels it otherwise)."""
    if not isinstance(data, dict):
        raise GeneratorError(source, [Problem("#", "an OpenAPI document must be an object")])
    version = data.get("openapi")
    if "swagger" in data:
        raise GeneratorError(
            source,
            [Problem(pointer("swagger"), "Swagger/OpenAPI 2.0 is not supported: convert it to OpenAPI 3.0 or 3.1 first")],
        )
    if not isinstance(version, str) or not version.startswith(("3.0.", "3.1.")):
        raise GeneratorError(
            source, [Problem(pointer("openapi"), f"unsupported OpenAPI version {version!r}: 3.0.x and 3.1.x are supported")]
        )
    if not run_checks and not run_validator:
        return Document(source=source, data=data, version=version[:3])
    if background and run_validator and can_fork():
        # The checks, and the validator, run in a forked process meanwhile: what they find makes
        # the builder fail at worst (a broken reference is an error of its own, a cycle of allOf
        # or too deep a value a RecursionError, a schema nested too deeply an error of its own),
        # and nothing is written before ``confirm()`` has heard from them.
        pending = pending if pending is not None else PendingValidation(data, version, previous_parts)
        return Document(source=source, data=data, version=version[:3], pending=pending)
    too_deep = nesting_problems(data)
    if too_deep:  # nothing below may walk it: each of them recurses, or would take too long
        raise GeneratorError(source, too_deep)
    problems, _ = _problems(data, version, check_all_of(data), run_validator)
    if problems:
        raise _failed(source, problems)
    return Document(source=source, data=data, version=version[:3])


def _problems(
    data: dict[str, Any], version: str, all_of: list[Problem], run_validator: bool = True, previous_parts: str | None = None
) -> tuple[list[Problem], str]:
    """The generator's own checks (``all_of``: ``check_all_of``'s, already known), then
    openapi-spec-validator's. With ``previous_parts`` (None: not wanted), also the document's
    ``spec_parts`` (JSON) for the next run when there were no problems, and the validator reads
    only what changed since (see ``_changed_part``)."""
    templates = _path_templates(data)
    ours = check_references(data) + all_of + templates + _duplicate_operation_ids(data) + _not_json(data) + _parameter_refs(data)
    if not run_validator:
        return ours, ""
    if not ours and previous_parts is not None:
        parts = spec_parts(data)
        reduced = _changed_part(data, parts, previous_parts)
        if reduced is None:
            found = _validator_problems(data, version)
        else:
            found = _validator_problems(reduced, version) if reduced["paths"] else []
            if found:  # never a problem the whole document would not give: that one decides
                found = _validator_problems(data, version)
        return found, "" if found else json.dumps(parts, separators=(",", ":"))
    # The validator itself fails on broken references and path templates: it reads a copy
    # without them; and it follows allOf chains recursively, so too deep a chain is not given to it.
    checked = _without_refs(data, {p.where for p in ours}) if ours else data
    if templates:
        broken = {p.where for p in templates}
        paths = {k: v for k, v in checked["paths"].items() if pointer("paths", k) not in broken}
        checked = {**checked, "paths": paths}
    too_long = any(p.message.startswith(ALLOF_TOO_DEEP) for p in all_of)
    found = [] if too_long else _validator_problems(checked, version)
    # What the validator says where the copy differs follows from ours: not repeated.
    replaced = {p.where[: -len("/$ref")] for p in ours if p.where.endswith("/$ref")}
    found = [
        p
        for p in found
        if not p.message.startswith(_CANNOT_VALIDATE) and not any(p.where == r or p.where.startswith(r + "/") for r in replaced)
    ]
    return ours + found, ""


def _failed(source: str, problems: list[Problem]) -> GeneratorError:
    """The error listing each problem once, by place."""
    return GeneratorError(source, sorted(set(problems), key=lambda p: (p.where, p.message)))


def nesting_problems(data: Any) -> list[Problem]:
    """Values more than ``MAX_DEPTH`` levels below the root: the first such pointer under each
    top-level part of the document (``#/paths/...``, ``#/components/schemas/X``)."""
    problems: list[Problem] = []
    reported: set[tuple[str | int, ...]] = set()
    # (value, depth, path as a linked list (key, parent link)): no path tuples copied per value
    stack: list[tuple[Any, int, Any]] = [(data, 0, None)]
    while stack:
        value, depth, link = stack.pop()
        if depth > MAX_DEPTH:
            path = _path_of(link)
            if tuple(path[:3]) not in reported:
                reported.add(tuple(path[:3]))
                problems.append(Problem(pointer(*path), TOO_DEEP))
            continue
        if isinstance(value, dict):
            stack.extend((v, depth + 1, (str(k), link)) for k, v in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((v, depth + 1, (i, link)) for i, v in reversed(list(enumerate(value))))
    return problems


# --- openapi-spec-validator, made to report where each problem is, in linear time and bounded depth

_CANNOT_VALIDATE = "the document cannot be validated"
# The validator recurses once per level of the document it reads; with documents at most
# ``MAX_DEPTH`` deep it needs about 15 frames per level.
_VALIDATOR_RECURSION_LIMIT = 20_000
_VALIDATOR_STACK_BYTES = 512 * 1024 * 1024


def _validator_problems(checked: dict[str, Any], version: str) -> list[Problem]:
    validator_cls = _validator_class(version[:3])

    def run() -> list[Problem]:
        found: list[Problem] = []
        try:
            for error in validator_cls(checked).iter_errors():
                if str(error.message).startswith("Operation ID"):  # reported by ours, with a pointer
                    continue
                tokens = list(error.absolute_path)
                if tokens and isinstance(tokens[0], _At):
                    where = _real_pointer(checked, tokens[0].parts, tokens[1:])
                else:
                    where = pointer(*tokens)
                found.append(Problem(where, error.message))
        except (RecursionError, ValueError, LookupError, TypeError) as exc:
            at = getattr(exc, "_openapi_at", None)
            where = _real_pointer(checked, at.parts, []) if isinstance(at, _At) else "#"
            reason = "schemas nest too deeply" if isinstance(exc, RecursionError) else f"{type(exc).__name__}: {exc}"
            found.append(Problem(where, f"{_CANNOT_VALIDATE}: {reason}"))
        return found

    return _with_deep_stack(run)


# Bytes of spec from which ``load(..., background=True)`` validates in another process: below
# this the validator takes well under a second and a process costs more than it saves.
BACKGROUND_FROM = 1_000_000


class PendingValidation:
    """The generator's checks and openapi-spec-validator, in a forked process
    (the document is shared, not copied), while the generator builds the SDK in memory: they are
    most of a cold run's CPU on large specs, and the rest of the run needs little more than one
    core. ``problems()`` waits for them."""

    _outbox: Any = None  # ``early``: where ``give`` writes to the forked process
    _previous = ""  # ``early``: the previous document's ``spec_parts``

    def __init__(self, data: dict[str, Any], version: str, previous_parts: str = "") -> None:
        self._start(lambda: _all_problems(data, version, previous_parts))

    @classmethod
    def early(cls, read: Callable[[], tuple[Any, dict[str, Any] | None]], previous_parts: str = "") -> PendingValidation:
        """Started before this process has parsed the document: the forked process imports the
        validator meanwhile, then waits for ``give`` to tell it what to check. Told to read the
        document (or told nothing), it calls ``read()``, which gives the very document this
        process parses (and its ``spec_parts`` when known). Hand it to ``load(pending=...)``."""
        import multiprocessing

        inbox, outbox = multiprocessing.get_context("fork").Pipe(duplex=False)
        pending = cls.__new__(cls)
        pending._outbox = outbox
        pending._previous = previous_parts
        pending._start(lambda: _early_problems(read, previous_parts, inbox, outbox))
        inbox.close()  # the forked process's now
        return pending

    def give(self, data: Any, parts: dict[str, Any] | None) -> None:
        """For ``early``: the document parsed here and its ``spec_parts`` (None: not known).
        When only some path items changed (and nothing across paths is wrong), the forked
        process gets them and the components they reach; otherwise it reads the document."""
        outbox = self._outbox
        if outbox is None:
            return
        message: tuple[Any, ...] = ("read",)
        if parts is not None and self._previous and isinstance(data, dict) and isinstance(data.get("openapi"), str):
            try:
                reduced = _changed_part(data, parts, self._previous)
                if reduced is not None and not _across_paths(data):
                    message = ("reduced", reduced, data["openapi"], parts)
            except Exception:  # noqa: BLE001 - whatever it is, the process reads the document
                pass
        self._outbox = None
        # Sent by a thread: a message larger than the pipe holds waits for the process to read
        # it, once it has imported the validator, and this process goes on meanwhile.
        threading.Thread(target=_send, args=(outbox, message), daemon=True).start()

    def _start(self, work: Callable[[], tuple[list[Problem], str]]) -> None:
        def died(code: int | None) -> tuple[list[Problem], str]:  # no answer is no pass
            return [Problem("#", f"{_CANNOT_VALIDATE}: the validator process ended ({code})")], ""

        self._forked = Forked(work, died)
        self._found: list[Problem] | None = None
        self.parts = ""  # the document's parts' hashes (``spec_parts``), once it passed

    def cancel(self) -> None:
        """Stop it: its answer is not wanted."""
        self._forked.cancel()

    def problems(self) -> list[Problem]:
        if self._outbox is not None:  # ``early`` without ``give``: the process reads the document
            self.give(None, None)
        if self._found is None:
            answer = self._forked.result()
            if isinstance(answer, GeneratorError):  # not raised by the checks; kept as problems
                answer = answer.problems, ""
            self._found, self.parts = answer
        return self._found


def _send(outbox: Any, message: tuple[Any, ...]) -> None:
    try:
        outbox.send(message)
    except (OSError, ValueError, pickle.PicklingError):
        pass  # the process ended: ``problems()`` says so
    finally:
        outbox.close()


def _early_problems(
    read: Callable[[], tuple[Any, dict[str, Any] | None]], previous_parts: str, inbox: Any, outbox: Any
) -> tuple[list[Problem], str]:
    outbox.close()  # the parent's: when it ends without a word, ``recv`` ends too
    import openapi_spec_validator  # noqa: F401 - meanwhile: most of the time a small change takes

    try:
        message = inbox.recv()
    except (EOFError, OSError):  # the parent ended without a word; or this is the parent, doing
        message = ("read",)  # the work again after the process failed (``Forked``): no pipe
    finally:
        inbox.close()
    if message[0] == "reduced":
        _, reduced, version, parts = message
        if not _reduced_problems(reduced, version):
            return [], json.dumps(parts, separators=(",", ":"))
        previous_parts = ""  # a problem: the whole document is checked, and decides
    data, parts = read()
    version = data.get("openapi") if isinstance(data, dict) else None
    if not isinstance(version, str) or not version.startswith(("3.0.", "3.1.")) or "swagger" in data:
        return [], ""  # ``validate`` says what it is, and does not wait for this
    return _all_problems(data, version, previous_parts, parts)


def _all_problems(data: dict[str, Any], version: str, previous_parts: str, parts: dict[str, Any] | None = None) -> tuple[list[Problem], str]:
    if previous_parts:  # only path items changed since a document that passed: they are checked
        parts = spec_parts(data) if parts is None else parts
        reduced = _changed_part(data, parts, previous_parts)
        if reduced is not None:
            if not _across_paths(data) and not _reduced_problems(reduced, version):
                return [], json.dumps(parts, separators=(",", ":"))
            previous_parts = ""  # a problem: the whole document is checked, and decides
    too_deep = nesting_problems(data)  # nothing below may walk it
    return (too_deep, "") if too_deep else _problems(data, version, check_all_of(data), True, previous_parts)


def _across_paths(data: dict[str, Any]) -> bool:
    """Whether the checks that read every path item at once find a problem."""
    return bool(_path_templates(data) or _duplicate_operation_ids(data))


def _reduced_problems(reduced: dict[str, Any], version: str) -> bool:
    """Whether ``reduced`` (``_changed_part``: the changed path items and all they reach) has a
    problem: every check that reads one path item at a time reads it (``_across_paths`` reads
    the whole document). Any problem is reported by the checks of the whole document
    (``_all_problems``)."""
    changed = {"paths": reduced["paths"], "components": reduced.get("components") or {}}  # the rest is as it was
    if nesting_problems(changed):
        return True
    ours = check_references(changed) + check_all_of(changed) + _not_json(changed) + _parameter_refs(changed)
    if ours:
        return True
    return bool(reduced["paths"]) and bool(_validator_problems(reduced, version))


def value_digest(value: Any) -> bytes | None:
    """A digest of a parsed JSON/YAML value, key order included: ``pickle`` without its memo
    writes every value out in full, so equal values give equal bytes (``marshal`` would not:
    it marks objects referred to more than once). A third of the time of ``json.dumps``. None
    when it cannot be taken (a cycle through YAML aliases): never equal to another."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    try:
        pickler.dump(value)
    except Exception:  # noqa: BLE001 - whatever it cannot write out
        return None
    return hashlib.sha256(buffer.getvalue()).digest()


def _digest(value: Any) -> str | None:
    found = value_digest(value)
    return found.hex()[:32] if found is not None else None


def spec_parts(document: dict[str, Any]) -> dict[str, Any]:
    """Hashes of a document's parts: everything but ``paths`` as one, each path item apart."""
    paths = document.get("paths")
    hashes = None  # not path items keyed by strings: the next run validates everything again
    if isinstance(paths, dict) and all(isinstance(k, str) for k in paths):
        hashes = {k: _digest(v) for k, v in paths.items()}
    return {"rest": _digest({k: v for k, v in document.items() if k != "paths"}), "paths": hashes}


def spec_parts_of(rest: bytes | None, paths: dict[str, bytes | None]) -> dict[str, Any]:
    """``spec_parts`` from the ``value_digest``s of the parts, known already."""
    hexed = {k: d.hex()[:32] if d is not None else None for k, d in paths.items()}
    return {"rest": rest.hex()[:32] if rest is not None else None, "paths": hexed}


def _changed_part(document: dict[str, Any], parts: dict[str, Any], previous_parts: str) -> dict[str, Any] | None:
    """What the validator must read when the previous document (whose ``spec_parts`` are
    ``previous_parts``) passed it and only path items changed: the document with the changed
    path items only, and the components they reach. None: read everything (anything else changed,
    or a path item refers outside ``#/components``)."""
    try:
        previous = json.loads(previous_parts) if previous_parts else None
    except (ValueError, RecursionError):  # a manifest edited by hand
        return None
    if not isinstance(previous, dict) or parts["rest"] is None or previous.get("rest") != parts["rest"] or parts["paths"] is None:
        return None
    recorded = previous.get("paths")
    before: dict[str, Any] = recorded if isinstance(recorded, dict) else {}
    changed = [k for k, h in parts["paths"].items() if h is None or before.get(k) != h]
    components: dict[str, Any] = document.get("components") or {}
    reached: dict[str, dict[str, Any]] = {}
    todo: list[Any] = [document["paths"][k] for k in changed]
    for node in todo:  # grows with each component reached
        for _, value in walk(node):
            if not (isinstance(value, str) and value.startswith("#")):
                continue
            tokens = ref_tokens(document, value)
            if tokens is None or len(tokens) < 3 or tokens[0] != "components":
                if value.startswith("#/"):
                    return None  # a reference elsewhere (another path item): read everything
                continue
            kind, name = tokens[1], tokens[2]
            found = components.get(kind)
            target = found.get(name, MISSING) if isinstance(found, dict) else MISSING
            if target is not MISSING and name not in reached.setdefault(kind, {}):
                reached[kind][name] = target
                todo.append(target)
    if isinstance(components.get("securitySchemes"), dict):  # named by security requirements
        reached["securitySchemes"] = components["securitySchemes"]
    reduced = {k: v for k, v in document.items() if k not in ("paths", "components")}
    reduced["paths"] = {k: document["paths"][k] for k in changed}
    if reached or "components" in document:
        reduced["components"] = reached
    return reduced


class _At:
    """The first token of a located error's path: where the validator was (through ``$ref``s)."""

    __slots__ = ("parts",)

    def __init__(self, parts: tuple[Any, ...]) -> None:
        self.parts = parts

    def __str__(self) -> str:
        return pointer(*self.parts)


def _located(errors: Iterator[Any], parts: tuple[Any, ...] | None) -> Iterator[Any]:
    """The errors, each (unless an inner validator did it) with ``_At(parts)`` before its path:
    errors from the keyword validators name no place, or a place relative to the value checked."""
    try:
        for error in errors:
            if parts is not None and not (error.path and isinstance(error.path[0], _At)):
                error.path.appendleft(_At(parts))
            yield error
    except Exception as exc:
        try:
            if parts is not None and getattr(exc, "_openapi_at", None) is None:
                exc._openapi_at = _At(parts)  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001, S110 - at the recursion limit: no place, still the error
            pass
        raise


@functools.cache
def _validator_class(version: str) -> Any:
    """The spec validator for ``version`` with keyword validators that say where they are, and a
    schema validator that walks schemas with a work list (not recursion) and ``set`` lookups."""
    from jsonschema_path import SchemaPath
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    base = OpenAPIV31SpecValidator if version == "3.1" else OpenAPIV30SpecValidator

    def node_of(args: tuple[Any, ...]) -> tuple[Any, ...] | None:
        node = next((a for a in args if isinstance(a, SchemaPath)), None)
        return tuple(node.parts) if node is not None else None

    class Located:
        suffix: tuple[str, ...] = ()

        def __call__(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
            parts = node_of(args)
            return _located(super().__call__(*args, **kwargs), parts + self.suffix if parts is not None else None)  # type: ignore[misc]

    class Value(Located):
        suffix = ("default",)  # called with the schema; its errors are inside the default value

    class Schemas:
        """Nested schemas are queued and validated after the one that holds them, so the
        validator recurses one level, not once per schema along a chain of ``$ref``s."""

        def __init__(self, registry: Any) -> None:
            super().__init__(registry)  # type: ignore[call-arg]
            self.visited_schema_ids = _IdList()
            self.meta_checked_schema_ids = _IdList()
            self.queue: list[tuple[Any, bool, bool]] = []
            self.busy = False

        def rebase(self, schema: Any) -> Any:
            """The same schema by its own path, not through the ``$ref``s that led to it: paths
            stay as short as the document is deep (the validator resolves each from the root)."""
            parts = tuple(schema.parts)
            if len(parts) < 8:
                return schema
            document = schema._clone_with_parts(()).read_value()
            real = tuple(_real_tokens(document, parts))
            return schema if real == parts else schema._clone_with_parts(real)

        def __call__(self, schema: Any, require_properties: bool = True, meta_checked: bool = False) -> Iterator[Any]:
            if self.busy:
                self.queue.append((schema, require_properties, meta_checked))
                return
            self.busy = True
            try:
                call = super().__call__  # type: ignore[misc]
                yield from _located(call(schema, require_properties, meta_checked), tuple(schema.parts))
                while self.queue:
                    nested, require_properties, meta_checked = self.queue.pop()
                    nested = self.rebase(nested)
                    yield from _located(call(nested, require_properties, meta_checked), tuple(nested.parts))
            finally:
                self.busy = False
                self.queue.clear()

        def _validate_schema_meta(self, schema: Any, schema_value: Any) -> Any:
            """Each schema against the JSON Schema meta-schema: asked of jsonschema-rs first (a
            third of the validator's time on large 3.0 documents), and of the validator only
            when that finds something, or cannot answer exactly as the validator would."""
            if _meets_meta_schema(version, schema_value):
                return None
            return super()._validate_schema_meta(schema, schema_value)  # type: ignore[misc]

        def _collect_properties(self, schema: Any) -> set[str]:
            """Every property name reachable through allOf, anyOf, oneOf, items and not: each
            schema once (the validator's own version loops forever on a cycle)."""
            props: set[str] = set()
            seen: set[int] = set()
            todo = [schema]
            while todo:
                current = todo.pop()
                value = current.read_value()
                if not isinstance(value, dict) or id(value) in seen:
                    continue
                seen.add(id(value))
                if "properties" in current:
                    props.update(str(k) for k in (current / "properties").keys())
                for keyword in ("allOf", "anyOf", "oneOf"):
                    if keyword in current:
                        todo.extend(self.rebase(member) for member in current / keyword)
                for keyword in ("items", "not"):
                    if keyword in current:
                        todo.append(self.rebase(current / keyword))
            return props

    def iter_errors(self: Any) -> Iterator[Any]:
        """openapi-spec-validator's checks; the first of them (the document against the OpenAPI
        JSON Schema, pure Python: half its time on large documents) is asked of jsonschema-rs
        first, and run only when that finds something, for its messages and places."""
        from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

        if not _matches_openapi_schema(version, self.schema):
            yield from base.iter_errors(self)
            return
        for error in self.root_validator(self.schema_path):
            yield error if isinstance(error, OpenAPIValidationError) else OpenAPIValidationError.create_from(error)

    validators: dict[str, Any] = {}
    for keyword, cls in base.keyword_validators.items():
        if keyword == "schema":
            validators[keyword] = type(f"Located{cls.__name__}", (Schemas, cls), {})
        elif keyword == "default":
            validators[keyword] = type(f"Located{cls.__name__}", (Value, cls), {})
        else:
            validators[keyword] = type(f"Located{cls.__name__}", (Located, cls), {})
    # openapi-spec-validator checks the document against the OpenAPI JSON Schema with jsonschema-rs
    # when it is installed, whose messages are worse; when that check fails, ours asks jsonschema.
    from openapi_spec_validator.schemas.backend.jsonschema import create_validator

    schema_validator = create_validator(_openapi_schema(version))
    members = {"keyword_validators": validators, "iter_errors": iter_errors, "schema_validator": schema_validator}
    return type(f"Located{base.__name__}", (base,), members)


@functools.cache
def _openapi_schema(version: str) -> Any:
    """The JSON Schema openapi-spec-validator checks documents of ``version`` ("3.0", "3.1")
    against: the file it ships, read as the JSON it is (it reads it through a YAML loader, a
    tenth of a second more; ``test_load`` checks both give the same value)."""
    from importlib.resources import files

    return json.loads((files("openapi_spec_validator") / "resources" / "schemas" / f"v{version}" / "schema.json").read_text("utf-8"))


@functools.cache
def _openapi_schema_validator(version: str) -> Any:
    """jsonschema-rs compiled from the JSON Schema openapi-spec-validator checks documents of
    ``version`` against; None when it cannot be had (then the validator does all the work)."""
    try:
        import jsonschema_rs

        if version == "3.1":
            return jsonschema_rs.Draft202012Validator(_openapi_schema(version))
        return jsonschema_rs.Draft4Validator(_openapi_schema(version))
    except Exception:  # noqa: BLE001 - not installed, or a schema it cannot compile
        return None


def _matches_openapi_schema(version: str, document: Any) -> bool:
    validator = _openapi_schema_validator(version)
    try:
        return validator is not None and bool(validator.is_valid(document))
    except Exception:  # noqa: BLE001 - a value it cannot read (a lone surrogate): ask the validator
        return False


@functools.cache
def _meta_schema_validator(version: str) -> Any:
    """jsonschema-rs compiled from the meta-schema openapi-spec-validator checks each schema of
    a ``version`` document against (3.0: JSON Schema draft 4, its formats checked apart); None for
    3.1, whose schemas each name their dialect, or when it cannot be had."""
    if version != "3.0":
        return None
    try:
        import jsonschema_rs
        from openapi_schema_validator import OAS30Validator

        return jsonschema_rs.Draft4Validator(OAS30Validator.META_SCHEMA, validate_formats=False)
    except Exception:  # noqa: BLE001 - not installed, or a schema it cannot compile
        return None


def _meets_meta_schema(version: str, schema: Any) -> bool:
    """True only when the validator's own meta-schema check would pass ``schema``. What
    jsonschema-rs might judge otherwise than the validator is left to the validator: a value
    that is a whole number written as a float (draft 4 integers, and equality in ``enum`` and
    ``uniqueItems``), and a ``pattern`` the validator's own format check rejects (the one format
    the meta-schema asks for: Python's ``re``, or ``regress`` when that is installed)."""
    validator = _meta_schema_validator(version)
    if validator is None:
        return False
    from openapi_schema_validator import OAS30Validator

    formats = OAS30Validator.FORMAT_CHECKER  # the validator's own "regex" check (re, or regress)
    todo = [schema]
    while todo:
        value = todo.pop()
        if isinstance(value, dict):
            pattern = value.get("pattern")
            if isinstance(pattern, str):
                try:
                    with warnings.catch_warnings():  # the validator warns, if anyone: not this guard
                        warnings.simplefilter("ignore")
                        if not formats.conforms(pattern, "regex"):
                            return False
                except Exception:  # noqa: BLE001 - whatever it cannot judge, the validator judges
                    return False
            todo.extend(value.values())
        elif isinstance(value, list):
            todo.extend(value)
        elif isinstance(value, float) and value.is_integer():
            return False
    try:
        return bool(validator.is_valid(schema))
    except Exception:  # noqa: BLE001 - a value it cannot read (a lone surrogate, a huge int)
        return False


class _IdList(list[int]):
    """The validator keeps the schemas it has seen in a list, testing membership on each visit
    (quadratic on large documents); this one answers from a set."""

    def __init__(self) -> None:
        super().__init__()
        self._ids: set[int] = set()

    def append(self, value: int) -> None:
        super().append(value)
        self._ids.add(value)

    def __contains__(self, value: object) -> bool:
        return value in self._ids


def _with_deep_stack(function: Callable[[], _T]) -> _T:
    """``function()`` on a thread with a large stack, under a high recursion limit: the validator
    recurses about ten times per level of the document, and documents may be ``MAX_DEPTH`` deep.
    Where no such thread can be made, on this thread as it is."""
    outcome: list[tuple[bool, Any]] = []

    def target() -> None:
        try:
            outcome.append((True, function()))
        except BaseException as exc:  # noqa: BLE001 - raised again on the calling thread
            outcome.append((False, exc))

    limit = sys.getrecursionlimit()
    try:
        size = threading.stack_size(_VALIDATOR_STACK_BYTES)
    except (ValueError, RuntimeError):
        return function()
    sys.setrecursionlimit(max(limit, _VALIDATOR_RECURSION_LIMIT))
    try:
        thread = threading.Thread(target=target, name="openapi-validator", daemon=True)
        try:
            thread.start()
        finally:
            threading.stack_size(size)
        thread.join()
    except RuntimeError:  # the thread could not start (memory limits)
        sys.setrecursionlimit(limit)
        return function()
    finally:
        sys.setrecursionlimit(limit)
    ok, value = outcome[0]
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]


def _real_pointer(document: Any, parts: tuple[Any, ...], relative: list[Any]) -> str:
    """The pointer of the value the validator read at ``parts`` (a path that passes through
    ``$ref``s, like ``.../schema/properties/x`` where ``schema`` is a ``$ref``), then ``relative``
    inside it."""
    return pointer(*_real_tokens(document, parts), *relative)


def _real_tokens(document: Any, parts: tuple[Any, ...]) -> list[Any]:
    """The path, without ``$ref``s on the way, of the value at ``parts`` (``$ref``s followed)."""
    node: Any = document
    real: list[Any] = []
    for token in parts:
        node, real = _through_refs(document, node, real, str(token))
        if isinstance(node, dict) and str(token) in node:
            node = node[str(token)]
        elif isinstance(node, list) and str(token).isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            node = MISSING
        real.append(token)
    return _through_refs(document, node, real, None)[1]


def _through_refs(document: Any, node: Any, real: list[Any], token: str | None) -> tuple[Any, list[Any]]:
    """Follow ``$ref``s from ``node`` while the next token is not one of its own keys."""
    for _ in range(64):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str) and (token is None or token not in node)):
            break
        target = lookup(document, node["$ref"])
        tokens = ref_tokens(document, node["$ref"])
        if target is MISSING or tokens is None:
            break
        node, real = target, list(tokens)
    return node, real


def _path_templates(data: dict[str, Any]) -> list[Problem]:
    """Path templates whose braces do not pair up (``/a/{b``, ``/a/b}``, ``/a/{{b}}``), or that
    name a parameter the validator reads as a format string (``{a:b}``, ``{a!r}``, ``{a[0}``)."""
    problems = []
    paths = data.get("paths")
    for path in paths if isinstance(paths, dict) else {}:
        names, name, reason = [], None, ""
        for char in str(path):
            if char == "{" and name is None:
                name = ""
            elif char == "}" and name is not None:
                names.append(name)
                name = None
            elif char in "{}":
                reason = "each { must be closed by a } before the next brace"
                break
            elif name is not None:
                name += char
        if name is not None and not reason:
            reason = "each { must be closed by a } before the next brace"
        for name in names if not reason else []:
            if ":" in name or "!" in name or name.count("[") > name.count("]"):
                reason = f"parameter name {name!r} holds : or ! or an unclosed [ (format string syntax the validator cannot read)"
                break
        if reason:
            problems.append(Problem(pointer("paths", path), f"path template {path!r}: {reason}"))
    return problems


_JSON_SCALARS = (str, int, float, bool, type(None))


def _not_json(data: dict[str, Any]) -> list[Problem]:
    """Values JSON cannot hold, which no generated literal could spell: strings (or keys) with
    lone surrogates (JSON text allows them, no UTF-8 file can hold them), NaN and infinities
    (``NaN``, ``1e999`` or YAML's ``.nan``), and what YAML tags make (``!!binary`` bytes,
    ``!!set``, ``!!omap``)."""
    problems = []
    for path, value in walk(data):
        if isinstance(value, float) and not math.isfinite(value):
            problems.append(Problem(pointer(*path), f"{value!r} is not a JSON number (NaN and infinities have no JSON form)"))
            continue
        if not isinstance(value, (dict, list, *_JSON_SCALARS)):
            problems.append(Problem(pointer(*path), f"a {type(value).__name__} (what a YAML tag such as !!binary or !!set makes) is not a JSON value"))
            continue
        texts = [value] if isinstance(value, str) else list(value) if isinstance(value, dict) else []
        for text in texts:
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                problems.append(Problem(pointer(*path), "a string holds a lone surrogate (not valid Unicode text)"))
                break
    return problems


def _without_refs(data: Any, broken: set[str]) -> Any:
    """A copy of the document where each broken ``$ref`` (by pointer) is an empty schema."""
    def copy(node: Any, path: tuple[str | int, ...]) -> Any:
        if isinstance(node, dict):
            if "$ref" in node and pointer(*path, "$ref") in broken:
                return {}
            return {k: copy(v, (*path, k)) for k, v in node.items()}
        if isinstance(node, list):
            return [copy(v, (*path, i)) for i, v in enumerate(node)]
        return node

    return copy(data, ())


def _parameter_refs(data: dict[str, Any]) -> list[Problem]:
    """A ``parameters`` entry that is a ``$ref`` names a parameter: an object with a ``name`` and
    an ``in``. openapi-spec-validator fails on one that names anything else (a schema)."""
    problems = []
    paths: dict[str, Any] = data["paths"] if isinstance(data.get("paths"), dict) else {}
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        holders = [((path,), item)] + [((path, m), item[m]) for m in METHODS if isinstance(item.get(m), dict)]
        for at, holder in holders:
            entries = holder.get("parameters")
            for i, entry in enumerate(entries if isinstance(entries, list) else []):
                if not (isinstance(entry, dict) and isinstance(entry.get("$ref"), str)):
                    continue
                target, seen = entry, set()
                while isinstance(target, dict) and isinstance(target.get("$ref"), str) and target["$ref"] not in seen:
                    seen.add(target["$ref"])
                    target = lookup(data, target["$ref"])
                if target is MISSING or (isinstance(target, dict) and "$ref" in target):
                    continue  # unresolvable, or a cycle: check_references reports it
                if not (isinstance(target, dict) and isinstance(target.get("name"), str) and target.get("in") in PARAMETER_LOCATIONS):
                    problems.append(
                        Problem(
                            pointer("paths", *at, "parameters", i, "$ref"),
                            f"{entry['$ref']!r} is not a parameter: an object with a name and an 'in' of path, query, header or cookie",
                        )
                    )
    return problems


def _duplicate_operation_ids(data: dict[str, Any]) -> list[Problem]:
    seen: dict[str, str] = {}
    problems = []
    paths: dict[str, Any] = data["paths"] if isinstance(data.get("paths"), dict) else {}
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method, op in item.items():
            if isinstance(op, dict) and isinstance(op.get("operationId"), str):
                where = pointer("paths", path, method, "operationId")
                if op["operationId"] in seen:
                    problems.append(Problem(where, f"duplicate operationId {op['operationId']!r} (first at {seen[op['operationId']]})"))
                seen.setdefault(op["operationId"], where)
    return problems


def load(
    path: Path,
    source: str | None = None,
    validated_sha256: str = "",
    background: bool = False,
    previous_parts: str = "",
    checked_sha256: str = "",
    raw: bytes | None = None,
    raw_sha256: str = "",
    parsed: dict[str, Any] | None = None,
    pending: PendingValidation | None = None,
) -> Document:
    """Read and validate one file. ``validated_sha256``: the SHA-256 of a file that passed
    openapi-spec-validator before (the manifest records it); when this file has exactly that
    hash, the validator is not run again (the generator's own checks still are, unless it is
    also ``checked_sha256``: a file that passed this very generator's checks). ``raw`` (and its
    SHA-256): the file as the caller read it already, read once for everything. ``parsed``:
    what parsing ``raw`` (a JSON document) gives, known already (``incremental.reread``).
    ``pending``: the background validation of this file, started already
    (``PendingValidation.early``); cancelled when it is not what ``validate`` needs."""
    source = source if source is not None else str(path)
    try:
        document = _load(path, source, validated_sha256, background, previous_parts, checked_sha256, raw, raw_sha256, parsed, pending)
    except BaseException:
        if pending is not None:
            pending.cancel()
        raise
    if pending is not None and document.pending is not pending:
        pending.cancel()
    return document


def _load(
    path: Path,
    source: str,
    validated_sha256: str,
    background: bool,
    previous_parts: str,
    checked_sha256: str,
    raw: bytes | None,
    raw_sha256: str,
    parsed: dict[str, Any] | None,
    pending: PendingValidation | None,
) -> Document:
    try:
        raw = path.read_bytes() if raw is None else raw
        text = raw.decode("utf-8") if parsed is None else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise GeneratorError(source, [Problem("#", f"cannot read the file: {exc}")]) from None
    digest = raw_sha256 or (hashlib.sha256(raw).hexdigest() if validated_sha256 or checked_sha256 else "")
    known = bool(validated_sha256) and digest == validated_sha256
    background = background and len(raw) >= BACKGROUND_FROM
    data = parse_text(text, source) if parsed is None else parsed
    if known and digest == checked_sha256:  # nothing to check again: only what it is
        document = validate(data, source, run_validator=False, run_checks=False)
    else:
        document = validate(data, source, run_validator=not known, background=background, previous_parts=previous_parts, pending=pending)
    if parsed is None and not _looks_like_json(text) and _ANCHOR.search(text):
        document = dataclasses.replace(document, shared=True)
    return document
