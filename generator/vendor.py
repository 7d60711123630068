"""Turn published sources (JSON or YAML documents, or documentation pages embedding one; files or
http(s) URLs) into the canonical vendored ``spec/openapi.json``.

One source is stored as it is, keys in source order (a source named twice counts once).

Several sources (the vendor publishes one page per operation, each repeating ``info``, ``servers``,
``tags`` and the components it uses) are merged into one document:

- ``paths`` and ``webhooks``: union by path, then per key of the path item (``get``, ``post``, ...);
  ``servers`` and ``parameters`` of a path item apply to every operation under it, so every source
  defining the path must define them, identically, or none may (no ``parameters`` is ``[]``);
- ``components``: union per section and name; ``tags``: union by name;
- every other top-level key (``openapi``, ``info``, ``servers``, ``security``, ``x-...``): one value;
  ``servers``, ``security`` and ``jsonSchemaDialect`` must be in every source or in none (no
  ``security`` is ``[]``).

Identical repeats merge ("identical" is JSON equality: ``5`` is not ``5.0``, key order does not
count). Anything else is a conflict: every conflict is reported, one line each, with its pointer
(into the output, which names the error) and the sources that disagree; nothing is written.
Problems the merged document's validation finds name the sources of the part they are in.

The merged output does not depend on the order of the sources: top-level keys in the order
``openapi, info, jsonSchemaDialect, servers, security, tags, paths, webhooks, components,
externalDocs``, then the others sorted; paths, webhooks and each components section sorted by
name, tags sorted by name; in a path item ``summary, description, servers, parameters``, the
methods ``get, put, post, delete, options, head, patch, trace``, then the rest sorted;
components sections in the OpenAPI order. Below that, a value keeps its source's key order (of
repeats that differ only in key order, the one whose source-order JSON sorts first).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import GeneratorError, Problem, pointer
from .load import Document, parse_text, validate
from .refs import METHODS, MISSING

__all__ = ["Vendored", "canonical_json", "extract", "fetch", "merge", "read_source", "vendor"]

TIMEOUT = 30.0  # seconds, for each URL

# A fenced block of three or more backticks (or tildes) whose info string starts with yaml or json.
_FENCE = re.compile(
    r"^(?P<fence>`{3,}|~{3,})[ \t]*(?P<lang>yaml|yml|json)\b[^\n]*\n(?P<body>.*?)^(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL,
)

_TOP = ("openapi", "info", "jsonSchemaDialect", "servers", "security", "tags", "paths", "webhooks", "components", "externalDocs")
_PATH_ITEM = ("summary", "description", "servers", "parameters", *METHODS)
_SECTIONS = (
    "schemas", "responses", "parameters", "examples", "requestBodies",
    "headers", "securitySchemes", "links", "callbacks", "pathItems",
)  # fmt: skip
# Keys that apply to the operations of every source: each maps to what leaving it out means.
_ALL_OR_NONE_TOP: dict[str, Any] = {"servers": MISSING, "security": [], "jsonSchemaDialect": MISSING}
_ALL_OR_NONE_PATH: dict[str, Any] = {"servers": MISSING, "parameters": []}

Tokens = tuple[str | int, ...]


@dataclass(frozen=True)
class Vendored:
    """What ``vendor`` wrote, for the command's summary."""

    sources: tuple[str, ...]
    output: Path
    data: dict[str, Any]

    def summary(self) -> str:
        paths = self.data.get("paths") or {}
        operations = sum(1 for item in paths.values() if isinstance(item, dict) for m in item if m in METHODS)
        schemas = len((self.data.get("components") or {}).get("schemas") or {})
        origin = self.sources[0] if len(self.sources) == 1 else f"{len(self.sources)} sources"
        counts = ", ".join(f"{n} {word}{'' if n == 1 else 's'}" for n, word in ((len(paths), "path"), (operations, "operation"), (schemas, "schema")))
        return f"{origin} → {self.output} ({counts})"


def extract(text: str, source: str) -> Any:
    """The OpenAPI document in ``text``: the text itself, or the first fenced block holding one."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    stripped = text.lstrip()
    if stripped.startswith(("{", "openapi:", "swagger:")) or re.match(r"^['\"]?openapi['\"]?\s*:", stripped):
        return parse_text(text, source)
    for match in _FENCE.finditer(text):
        body = match.group("body")
        if re.search(r"(^|[{,])\s*['\"]?(openapi|swagger)['\"]?\s*:", body, re.MULTILINE):
            return parse_text(body, source)
    raise GeneratorError(source, [Problem("#", "no OpenAPI document found (neither the file itself nor a ```yaml/```json block)")])


def canonical_json(data: Any) -> str:
    """2-space indent, keys in the order of ``data``, non-ASCII kept, one trailing newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _is_url(source: str | Path) -> bool:
    return isinstance(source, str) and source.lower().startswith(("http://", "https://"))


def fetch(url: str) -> str:
    """The body of ``url`` (redirects followed); a network error or a non-2xx status is a problem."""
    try:
        import httpx
    except ImportError:  # pragma: no cover - httpx is installed with the dev extra
        raise GeneratorError(url, [Problem("#", "fetching a URL needs httpx: pip install httpx")]) from None
    try:
        response = httpx.get(url, timeout=TIMEOUT, follow_redirects=True)
    except httpx.HTTPError as exc:
        raise GeneratorError(url, [Problem("#", f"cannot fetch the URL: {type(exc).__name__}: {exc}")]) from None
    if not response.is_success:
        status = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
        moved = f" (redirected to {response.url})" if str(response.url) != url else ""
        raise GeneratorError(url, [Problem("#", f"cannot fetch the URL: {status}{moved}")])
    try:
        return response.content.decode(response.charset_encoding or "utf-8")
    except (UnicodeDecodeError, LookupError) as exc:
        raise GeneratorError(url, [Problem("#", f"cannot decode the response: {exc}")]) from None


def read_source(source: str | Path) -> tuple[str, Any]:
    """``(name, document)`` of one source: a file or an http(s) URL; the name is how problems cite it."""
    name = str(source)
    if _is_url(source):
        return name, extract(fetch(name), name)
    try:
        text = Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GeneratorError(name, [Problem("#", f"cannot read the file: {exc}")]) from None
    return name, extract(text, name)


def vendor(sources: str | Path | Sequence[str | Path], output: Path) -> Vendored:
    """Read, merge and validate the sources, then replace ``output``; on any problem nothing is written."""
    listed = [sources] if isinstance(sources, (str, Path)) else list(sources)
    read = [read_source(s) for s in dict.fromkeys(str(s) if _is_url(s) else Path(s) for s in listed)]
    if not read:
        raise GeneratorError(str(output), [Problem("#", "no source given")])
    if len(read) == 1:
        name, data = read[0]
        document = validate(data, name)
    else:
        label = str(output)
        merged, origins = merge(read, label)
        document = _validate_merged(merged, label, origins)
    _write(output, canonical_json(document.data))
    return Vendored(tuple(name for name, _ in read), output, document.data)


def _write(output: Path, text: str) -> None:
    """Temp file next to ``output``, then replace: readers see the old file or the new one."""
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, output)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _validate_merged(merged: dict[str, Any], label: str, origins: dict[str, list[str]]) -> Document:
    """``validate``, each problem naming the sources its part of the document came from."""
    try:
        return validate(merged, label)
    except GeneratorError as exc:
        problems = [Problem(p.where, p.message + _from(p.where, origins), p.severity) for p in exc.problems]
        raise GeneratorError(exc.source, problems) from None


def _from(where: str, origins: dict[str, list[str]]) -> str:
    matches = [ptr for ptr in origins if where == ptr or where.startswith(ptr + "/")]
    return f" (from {', '.join(origins[max(matches, key=len)])})" if matches else ""


# --- merging -------------------------------------------------------------------------------------


@dataclass
class _Merge:
    """The conflicts found so far and where each merged part came from (pointer → sources)."""

    problems: list[Problem] = field(default_factory=list)
    origins: dict[str, list[str]] = field(default_factory=dict)

    def one(self, where: Tokens, entries: list[tuple[str, Any]], all_of: Sequence[str] = (), absent: Any = MISSING) -> Any:
        """The one value every entry agrees on; a conflict when they differ or, with ``all_of``
        (the sources that must all define it), when some of those leave it out (and leaving it
        out does not mean ``absent``)."""
        names = sorted({name for name, _ in entries})
        self.origins[pointer(*where)] = names
        missing = sorted(set(all_of) - set(names))
        implicit = frozenset(missing) if absent is not MISSING else frozenset()
        if implicit:
            entries = entries + [(name, absent) for name in missing]
        elif missing:
            message = f"defined in {_names(names)} but not in {_names(missing)}: every source must define it identically, or none"
            self.problems.append(Problem(pointer(*where), message))
        groups: dict[str, list[tuple[str, Any]]] = {}
        for name, value in sorted(entries, key=lambda e: e[0]):
            groups.setdefault(_key(value), []).append((name, value))
        if len(groups) > 1:
            self.problems.append(_conflict(where, sorted(groups.values(), key=lambda g: g[0][0]), implicit))
        return min((v for _, v in entries), key=lambda v: (_key(v), json.dumps(v, ensure_ascii=False)))


def merge(documents: Sequence[tuple[str, Any]], label: str) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The union of ``(source name, document)`` pairs in canonical order, and which sources each
    part came from; every conflict is raised together, named by ``label`` (the output)."""
    for name, data in documents:
        shape = _shape_problems(data)
        if shape:
            raise GeneratorError(name, shape)
    state = _Merge()
    names = [name for name, _ in documents]
    merged: dict[str, Any] = {}
    keys = {key for _, data in documents for key in data}
    for key in _ordered(keys, _TOP):
        present = [(name, data[key]) for name, data in documents if key in data]
        if key in ("paths", "webhooks"):
            merged[key] = _merge_paths(state, key, present)
        elif key == "components":
            merged[key] = _merge_components(state, present)
        elif key == "tags":
            merged[key] = _merge_tags(state, present)
        elif key in _ALL_OR_NONE_TOP:
            merged[key] = state.one((key,), present, names, _ALL_OR_NONE_TOP[key])
        else:
            merged[key] = state.one((key,), present)
    if state.problems:
        raise GeneratorError(label, sorted(set(state.problems), key=lambda p: (p.where, p.message)))
    return merged, state.origins


def _merge_paths(state: _Merge, top: str, present: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path in sorted({p for _, paths in present for p in paths}):
        items = [(name, paths[path]) for name, paths in present if path in paths]
        defining = [name for name, _ in items]
        item: dict[str, Any] = {}
        for key in _ordered({k for _, it in items for k in it}, _PATH_ITEM):
            entries = [(name, it[key]) for name, it in items if key in it]
            if key in _ALL_OR_NONE_PATH:
                item[key] = state.one((top, path, key), entries, defining, _ALL_OR_NONE_PATH[key])
            else:
                item[key] = state.one((top, path, key), entries)
        out[path] = item
    return out


def _merge_components(state: _Merge, present: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for section in _ordered({s for _, c in present for s in c}, _SECTIONS):
        parts = [(name, c[section]) for name, c in present if section in c]
        out[section] = {
            key: state.one(("components", section, key), [(name, part[key]) for name, part in parts if key in part])
            for key in sorted({k for _, part in parts for k in part})
        }
    return out


def _merge_tags(state: _Merge, present: list[tuple[str, Any]]) -> list[Any]:
    by_name: dict[str, list[tuple[str, Any]]] = {}
    for name, tags in present:
        for tag in tags:
            by_name.setdefault(tag["name"], []).append((name, tag))
    return [state.one(("tags", i), by_name[tag]) for i, tag in enumerate(sorted(by_name))]


def _shape_problems(data: Any) -> list[Problem]:
    """What keeps one source from being merged: the parts merged by name must be objects (tags a
    list of objects with distinct string names)."""
    if not isinstance(data, dict):
        return [Problem("#", "an OpenAPI document must be an object")]
    problems = []
    for key in ("paths", "webhooks", "components"):
        if key in data and not isinstance(data[key], dict):
            problems.append(Problem(pointer(key), "must be an object"))
        elif key in data:
            problems += [Problem(pointer(key, k), "must be an object") for k, v in data[key].items() if not isinstance(v, dict)]
    tags = data.get("tags", [])
    if not isinstance(tags, list):
        return problems + [Problem(pointer("tags"), "must be a list")]
    seen: set[str] = set()
    for i, tag in enumerate(tags):
        if not isinstance(tag, dict) or not isinstance(tag.get("name"), str):
            problems.append(Problem(pointer("tags", i), "a tag must be an object with a string name"))
        elif tag["name"] in seen:
            problems.append(Problem(pointer("tags", i), f"duplicate tag name {tag['name']!r}"))
        else:
            seen.add(tag["name"])
    return problems


def _ordered(keys: Iterable[str], known: Sequence[str]) -> list[str]:
    """``known`` keys in their order, then the others sorted."""
    found = set(keys)
    return [k for k in known if k in found] + sorted(found - set(known))


def _key(value: Any) -> str:
    """The value as JSON with sorted keys: equal exactly when the values are identical as JSON."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _conflict(where: Tokens, groups: list[list[tuple[str, Any]]], implicit: frozenset[str] = frozenset()) -> Problem:
    """One line naming a source of each differing definition, and where the first two differ."""

    def describe(group: list[tuple[str, Any]]) -> str:
        name, value = group[0]
        text = f"{name} (which leaves it out: {_key(value)})" if name in implicit else name
        return text + (f" (same in {_names([n for n, _ in group[1:]])})" if len(group) > 1 else "")

    described = [describe(g) for g in groups]
    diff = _first_difference(groups[0][0][1], groups[1][0][1])
    at = f"; first difference at {pointer(*where, *diff)}" if diff else ""
    return Problem(pointer(*where), f"conflicting definitions in {_names(described)}{at}")


def _first_difference(a: Any, b: Any) -> Tokens:
    """The path below ``a`` and ``b`` to the first place they differ (``()``: the values themselves)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return (k,)
            if _key(a[k]) != _key(b[k]):
                return (k, *_first_difference(a[k], b[k]))
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            if _key(x) != _key(y):
                return (i, *_first_difference(x, y))
    return ()
