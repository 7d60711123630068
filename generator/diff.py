"""Compare two specs as users of the generated SDK see them: ``python -m generator diff OLD NEW``.

Both documents go through ``load`` and ``build_api``; the two ``Api`` IRs are compared, not the
raw JSON, so a change that does not reach the SDK (a reordered key, a ``$ref`` inlined with the
same content, a description) is not reported. Operations are matched by their Python name (then,
for the ones left over, by method and path: a rename), arguments by Python name, models and
aliases by class name, fields by Python name.

Each change is classed breaking or not by the side of the SDK it is on:

- request side: an operation's arguments, and the models a caller builds to send (reachable from
  an argument or a request body); response side: the return type, error bodies and the models a
  caller reads. A model reachable from both (or from no operation) is judged by both rules.
- breaking: an operation, namespace, argument, field or model removed or renamed; a class that
  became an alias (or the reverse) or lost its base class; a required argument added (or a
  required field in a model the caller builds); an argument or request field made required; a
  response field made optional; ``None`` no longer accepted by an argument or newly possible in
  a response; an enum value removed from what the caller may send.
- types, by the values they admit (the lattice): ``int`` → ``float`` widens, ``bytes`` → a file
  widens, ``X`` → ``X | None`` widens, a union gaining a member widens, ``X`` → ``Any`` widens,
  ``list[A]`` / ``dict[str, A]`` / ``tuple[A, ...]`` → the same container of a wider ``A`` widens
  (a tuple → a list of its items widens); the reverse of each narrows; anything else (two
  different models, ``str`` ↔ ``datetime``, a list ↔ an object) is a change. On the request side
  enums are closed (``str`` → ``Literal["a"]`` narrows); on the response side they are open (the
  SDK parses an unknown value as the base type), so ``str`` ↔ ``Literal[...]`` there is an
  equivalent type. Narrowing breaks callers (request side); widening breaks readers (response
  side: they may receive values their code does not expect); a change breaks both.
- enum values (when only the values of a ``Literal`` differ): added never break; removed break
  on the request side only (the server no longer accepts them).
- a response code added or removed is not breaking by itself: its effect on the return type (the
  union of the success responses) is reported as a type change of the return type.
- a model's own changes are reported once, under the model, not at every operation that uses it.

``Report.bump`` is "major" for any breaking change, "minor" when something was added (an
operation, namespace, model, argument, field or enum value), "patch" for any other change and
None when nothing changed. Exit codes: 0 nothing breaks, 1 something breaks, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal as _Literal

from .errors import GeneratorError, escape_token
from .ir import (
    ANY,
    NONE,
    Alias,
    Api,
    Argument,
    Field,
    ListOf,
    LiteralOf,
    LiteralValue,
    MapOf,
    Model,
    ModelRef,
    Operation,
    Prim,
    Tagged,
    TupleOf,
    TypeRef,
    UnionOf,
    split_union,
)
from .types import nullable, union

__all__ = ["Change", "Report", "KINDS", "LEGEND", "diff_apis", "command"]

Side = _Literal["request", "response"]
REQUEST: frozenset[Side] = frozenset({"request"})
RESPONSE: frozenset[Side] = frozenset({"response"})
BOTH: frozenset[Side] = frozenset({"request", "response"})

# Every kind of change, in the order they are listed under one subject.
KINDS: tuple[str, ...] = (
    "operation_removed",
    "operation_added",
    "operation_renamed",
    "namespace_removed",
    "namespace_added",
    "endpoint_changed",
    "model_removed",
    "model_added",
    "model_changed",
    "base_changed",
    "argument_removed",
    "argument_renamed",
    "argument_added",
    "argument_required",
    "argument_optional",
    "argument_moved",
    "field_removed",
    "field_added",
    "field_required",
    "field_optional",
    "type_changed",
    "type_narrowed",
    "type_widened",
    "type_equivalent",
    "nullable_added",
    "nullable_removed",
    "enum_values_removed",
    "enum_values_added",
    "response_removed",
    "response_added",
    "deprecation",
)
_ADDITIONS = frozenset(
    {"operation_added", "namespace_added", "model_added", "argument_added", "field_added", "enum_values_added"}
)

LEGEND: tuple[str, ...] = (
    "**Request side**: arguments, and models the caller builds to send. **Response side**: the return "
    "type, error bodies, and models the caller reads. A model used on both sides (or by no operation) "
    "is judged by both rules.",
    "**Breaking**: an operation, namespace, argument, field or model removed or renamed; a new required "
    "argument (or required field of a model the caller builds); an argument or request field made "
    "required; a response field made optional; `None` no longer accepted by an argument, or newly "
    "possible in a response; an enum value removed from what the caller may send.",
    "**Types** are compared by the values they admit: `int` → `float`, `X` → `X | None`, a union gaining "
    "a member, `X` → `Any` and containers of wider items widen; the reverse narrows; anything else "
    "(another model, `str` ↔ `datetime`) changes. Narrowing breaks callers (request side), widening "
    "breaks readers (response side), a change breaks both.",
    "**Enums** are closed for arguments and open in models (an unknown value parses as its base type): "
    "added values never break; removed values break on the request side only.",
    "**Response codes** added or removed are not breaking by themselves; their effect on the return "
    "type is listed as a type change.",
    "**Version bump**: major for any breaking change, minor for additions (operations, namespaces, "
    "models, arguments, fields, enum values), patch otherwise.",
)

_MAX_DEPTH = 32  # recursive aliases: deeper than this, two types are compared by equality


# ---------------------------------------------------------------------------------------------
# The report


@dataclass(frozen=True)
class Change:
    kind: str  # one of KINDS
    subject: str  # "operation pipelines.search_pipelines_metrics", "model PipelineMetricsRes"
    detail: str  # one sentence, Markdown (names and types in code spans)
    breaking: bool
    pointer: str  # JSON pointer into the new document (into the old one for a removal)
    context: str = ""  # "POST /pipelines/metrics" for an operation; where a model is used

    @property
    def addition(self) -> bool:
        return self.kind in _ADDITIONS

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "detail": self.detail,
            "breaking": self.breaking,
            "pointer": self.pointer,
            "context": self.context,
        }


_KIND_RANK = {kind: i for i, kind in enumerate(KINDS)}


def _sort_key(change: Change) -> tuple[int, str, int, str, str, str]:
    """Operations first, then models; by subject; by kind in the order of KINDS."""
    group = 0 if change.subject.startswith("operation ") else 1
    rank = _KIND_RANK.get(change.kind, len(KINDS))
    return (group, change.subject, rank, change.kind, change.detail, change.pointer)


@dataclass(frozen=True)
class Report:
    changes: list[Change]
    title: str = ""
    old_version: str = ""
    new_version: str = ""

    @property
    def breaking(self) -> bool:
        return any(c.breaking for c in self.changes)

    @property
    def bump(self) -> str | None:
        """The semantic-version part to increase: "major", "minor", "patch", or None."""
        if not self.changes:
            return None
        if self.breaking:
            return "major"
        return "minor" if any(c.addition for c in self.changes) else "patch"

    def _sorted(self) -> list[Change]:
        return sorted(self.changes, key=_sort_key)

    def to_json(self) -> str:
        payload = {
            "title": self.title,
            "old_version": self.old_version,
            "new_version": self.new_version,
            "breaking": self.breaking,
            "bump": self.bump,
            "changes": [c.to_dict() for c in self._sorted()],
        }
        return json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    def to_markdown(self) -> str:
        lines = [self._heading(), ""]
        changes = self._sorted()
        if not changes:
            return "\n".join([*lines, "No changes for SDK users.", ""])
        breaking = [c for c in changes if c.breaking]
        others = [c for c in changes if not c.breaking]
        lines += [f"{len(breaking)} breaking, {len(others)} other: a **{self.bump}** version bump.", ""]
        for title, group in (("Breaking changes", breaking), ("Other changes", others)):
            if group:
                lines += [f"## {title}", ""] + _markdown_subjects(group)
        lines += ["<details><summary>How changes are classified</summary>", ""]
        lines += [f"- {rule}" for rule in LEGEND]
        lines += ["", "</details>", ""]
        return "\n".join(lines)

    def _heading(self) -> str:
        versions = f"{self.old_version} → {self.new_version}" if self.old_version != self.new_version else self.new_version
        name = " ".join(p for p in (self.title, versions) if p)
        return f"# SDK changes: {name}" if name else "# SDK changes"


def _markdown_subjects(changes: list[Change]) -> list[str]:
    """One heading per subject (with its endpoint, or where the model is used), then its changes."""
    lines: list[str] = []
    subject = None
    for change in changes:
        if change.subject != subject:
            subject = change.subject
            lines += [""] if lines else []
            lines += [_subject_heading(change), ""]
        lines.append(f"- {change.detail}")
    return [*lines, ""]


def _subject_heading(change: Change) -> str:
    what, _, name = change.subject.partition(" ")
    if not change.context:
        return f"### {what} {_code(name)}"
    if what == "operation":
        return f"### {what} {_code(name)} — {_code(change.context)}"
    return f"### {what} {_code(name)} ({change.context})"


def _code(text: str) -> str:
    """A Markdown code span around any text (backticks inside it included)."""
    if "`" not in text:
        return f"`{text}`"
    return f"`` {text} ``"


# ---------------------------------------------------------------------------------------------
# Type comparison


def _children(t: TypeRef) -> tuple[TypeRef, ...]:
    if isinstance(t, ListOf):
        return (t.item,)
    if isinstance(t, MapOf):
        return (t.value,)
    if isinstance(t, TupleOf):
        return t.items
    if isinstance(t, UnionOf):
        return t.members
    return ()


def _map(t: TypeRef, leaf: Callable[[TypeRef], TypeRef]) -> TypeRef:
    """``t`` rebuilt with ``leaf`` applied to every type that is not a container or a union."""
    if isinstance(t, ListOf):
        return ListOf(_map(t.item, leaf))
    if isinstance(t, MapOf):
        return MapOf(_map(t.value, leaf))
    if isinstance(t, TupleOf):
        return TupleOf(tuple(_map(i, leaf) for i in t.items))
    if isinstance(t, UnionOf):
        return UnionOf(tuple(sorted((_map(m, leaf) for m in t.members), key=repr)))
    return leaf(t)


def _value_key(value: LiteralValue) -> tuple[str, str]:
    return (type(value).__name__, repr(value))  # True and 1 are different enum values


def _normal_leaf(t: TypeRef) -> TypeRef:
    """What the SDK user sees of a leaf: a model by its name (its own changes are reported
    under the model), a tagged union by its members, an enum's values in any order."""
    if isinstance(t, ModelRef):
        return ModelRef(t.name, "")
    if isinstance(t, Tagged):
        return Tagged("", tuple(ModelRef(m.name, "") for m in t.members), ())
    if isinstance(t, LiteralOf):
        return LiteralOf(tuple(sorted(t.values, key=_value_key)))
    return t


def _normal(t: TypeRef) -> TypeRef:
    return _map(t, _normal_leaf)


def _erased(t: TypeRef) -> TypeRef:
    """The type with every enum's values left out: equal when only enum values differ."""
    return _map(t, lambda leaf: LiteralOf(()) if isinstance(leaf, LiteralOf) else _normal_leaf(leaf))


def _literals(t: TypeRef) -> list[LiteralValue]:
    own = list(t.values) if isinstance(t, LiteralOf) else []
    return own + [v for c in _children(t) for v in _literals(c)]


def _has_tagged(t: TypeRef) -> bool:
    return isinstance(t, Tagged) or any(_has_tagged(c) for c in _children(t))


def _spell(t: TypeRef, argument: bool) -> str:
    """The annotation the SDK user reads; a tagged union shown by its members only."""
    if argument or not _has_tagged(t):
        return t.annotation(argument)
    if isinstance(t, Tagged):
        return " | ".join(m.name for m in t.members)
    if isinstance(t, ListOf):
        return f"list[{_spell(t.item, False)}]"
    if isinstance(t, MapOf):
        return f"dict[str, {_spell(t.value, False)}]"
    if isinstance(t, TupleOf):
        return "tuple[" + ", ".join(_spell(i, False) for i in t.items) + "]"
    parts: list[str] = []
    for member in _children(t):
        parts += [p for p in split_union(_spell(member, False)) if p not in parts]
    return " | ".join([p for p in parts if p != "None"] + [p for p in parts if p == "None"])


_PRIM_WIDENS = frozenset({("int", "float"), ("bytes", "file")})


@dataclass(frozen=True)
class _Lattice:
    """``sub(a, b)``: every value of ``a`` is a value of ``b``. ``a`` is read with the aliases of
    its own document (``left``), ``b`` with the other's; enums are closed on the request side."""

    left: Mapping[str, TypeRef]
    right: Mapping[str, TypeRef]
    closed: bool

    def flipped(self) -> _Lattice:
        return _Lattice(self.right, self.left, self.closed)

    def _unfold(self, t: TypeRef, aliases: Mapping[str, TypeRef]) -> TypeRef | None:
        """What an alias (or, on the request side, an enum alias's closed Literal) stands for."""
        if not isinstance(t, ModelRef):
            return None
        if self.closed and t.closed is not None:
            return t.closed
        return aliases.get(t.name)

    def _bases(self, t: LiteralOf) -> list[TypeRef]:
        """The base types an open enum also admits (as the model annotation spells them)."""
        if self.closed:
            return []
        kinds = [k for kind, k in ((str, "str"), (int, "int")) if any(type(v) is kind for v in t.values)]
        return [Prim(k) for k in kinds]

    def sub(self, a: TypeRef, b: TypeRef, depth: int = 0) -> bool:
        if a == b or (isinstance(a, ModelRef) and isinstance(b, ModelRef) and a.name == b.name):
            return True
        if depth > _MAX_DEPTH:
            return False
        unfolded = self._unfold(a, self.left)
        if unfolded is not None:
            return self.sub(unfolded, b, depth + 1)
        unfolded = self._unfold(b, self.right)
        if unfolded is not None:
            return self.sub(a, unfolded, depth + 1)
        return self._sub_shapes(a, b, depth + 1)

    def _sub_shapes(self, a: TypeRef, b: TypeRef, depth: int) -> bool:
        if b == ANY:
            return True
        if a == ANY:
            return False
        if isinstance(a, (UnionOf, Tagged)):
            return all(self.sub(m, b, depth) for m in a.members)
        if isinstance(a, LiteralOf):
            values = all(self.accepts(b, v, depth) for v in a.values)
            return values and all(self.sub(p, b, depth) for p in self._bases(a))
        if isinstance(b, (UnionOf, Tagged)):
            return any(self.sub(a, m, depth) for m in b.members)
        if isinstance(a, Prim) and isinstance(b, Prim):
            return (a.kind, b.kind) in _PRIM_WIDENS
        if isinstance(a, Prim) and isinstance(b, LiteralOf):
            return a in self._bases(b)
        if isinstance(a, ListOf) and isinstance(b, ListOf):
            return self.sub(a.item, b.item, depth)
        if isinstance(a, MapOf) and isinstance(b, MapOf):
            return self.sub(a.value, b.value, depth)
        if isinstance(a, TupleOf) and isinstance(b, TupleOf):
            return len(a.items) == len(b.items) and all(self.sub(x, y, depth) for x, y in zip(a.items, b.items))
        if isinstance(a, TupleOf) and isinstance(b, ListOf):
            return all(self.sub(x, b.item, depth) for x in a.items)
        return False

    def accepts(self, t: TypeRef, value: LiteralValue, depth: int = 0) -> bool:
        """Whether ``t`` (read with the ``right`` aliases) admits one enum value."""
        unfolded = self._unfold(t, self.right)
        if unfolded is not None:
            return depth <= _MAX_DEPTH and self.accepts(unfolded, value, depth + 1)
        if t == ANY:
            return True
        if isinstance(t, (UnionOf, Tagged)):
            return any(self.accepts(m, value, depth) for m in t.members)
        if isinstance(t, LiteralOf):
            key = _value_key(value)
            return any(_value_key(v) == key for v in t.values) or any(self.accepts(p, value) for p in self._bases(t))
        if isinstance(t, Prim):
            kinds = {bool: ("bool",), int: ("int", "float"), str: ("str",), type(None): ("none",)}
            return t.kind in kinds.get(type(value), ())
        return False


Relation = _Literal["same", "widened", "narrowed", "changed"]
_BREAKS_ON: dict[Side, frozenset[Relation]] = {
    "request": frozenset({"narrowed", "changed"}),
    "response": frozenset({"widened", "changed"}),
}
_RELATION_KINDS: dict[Relation, str] = {
    "same": "type_equivalent",
    "widened": "type_widened",
    "narrowed": "type_narrowed",
    "changed": "type_changed",
}


@dataclass(frozen=True)
class _Found:
    """A change before it is given its subject."""

    kind: str
    detail: str
    breaking: bool
    pointer: str


@dataclass(frozen=True)
class _Context:
    old: Api
    new: Api
    old_aliases: Mapping[str, TypeRef]
    new_aliases: Mapping[str, TypeRef]
    usage: Mapping[str, frozenset[Side]]  # model or alias name → the sides it is used on
    old_namespaces: Mapping[str, tuple[str, ...]]  # operation name → its namespaces
    new_namespaces: Mapping[str, tuple[str, ...]]

    def relation(self, old: TypeRef, new: TypeRef, side: Side) -> Relation:
        lattice = _Lattice(self.old_aliases, self.new_aliases, closed=side == "request")
        wider = lattice.sub(old, new)
        narrower = lattice.flipped().sub(new, old)
        if wider and narrower:
            return "same"
        return "widened" if wider else "narrowed" if narrower else "changed"

    def sides(self, name: str) -> frozenset[Side]:
        return self.usage.get(name) or BOTH


def _type_changes(
    ctx: _Context, old: TypeRef, new: TypeRef, sides: frozenset[Side], argument: bool, label: str, where: str
) -> list[_Found]:
    """How a type changed where it is used (``sides``), spelled as the SDK user reads it."""
    before, after = _spell(old, argument), _spell(new, argument)
    if _normal(old) == _normal(new) or before == after:
        return []
    found: list[_Found] = []
    if NONE not in (old, new) and nullable(old) != nullable(new):
        gained = nullable(new)
        breaks = ("response" if gained else "request") in sides
        state = "now nullable" if gained else "no longer nullable"
        kind = "nullable_added" if gained else "nullable_removed"
        found.append(_Found(kind, f"{label}: {state} ({_code(before)} → {_code(after)})", breaks, where))
        old, new = _without_none(old), _without_none(new)
        if _normal(old) == _normal(new) or _spell(old, argument) == _spell(new, argument):
            return found
    if _literals(old) and _erased(old) == _erased(new):
        return found + _enum_changes(old, new, sides, label, where)
    return found + [_relation_change(ctx, old, new, sides, label, where, argument)]


def _without_none(t: TypeRef) -> TypeRef:
    if isinstance(t, UnionOf):
        return union(m for m in t.members if m != NONE)
    return t


def _enum_changes(old: TypeRef, new: TypeRef, sides: frozenset[Side], label: str, where: str) -> list[_Found]:
    before = {_value_key(v) for v in _literals(old)}
    after = {_value_key(v) for v in _literals(new)}
    added = [v for v in _literals(new) if _value_key(v) not in before]
    removed = [v for v in _literals(old) if _value_key(v) not in after]
    found = []
    if removed:
        values = ", ".join(_code(repr(v)) for v in removed)
        found.append(_Found("enum_values_removed", f"{label}: enum values removed: {values}", "request" in sides, where))
    if added:
        values = ", ".join(_code(repr(v)) for v in added)
        found.append(_Found("enum_values_added", f"{label}: enum values added: {values}", False, where))
    return found


def _relation_change(
    ctx: _Context, old: TypeRef, new: TypeRef, sides: frozenset[Side], label: str, where: str, argument: bool
) -> _Found:
    """One type change, judged on every side the type is used on (the breaking verdict wins)."""
    relations = {side: ctx.relation(old, new, side) for side in sorted(sides)}
    breaking = [side for side, rel in relations.items() if rel in _BREAKS_ON[side]]
    chosen = relations[breaking[0]] if breaking else next(iter(relations.values()))
    verb = {"same": "changed, admitting the same values", "widened": "widened", "narrowed": "narrowed", "changed": "changed"}[chosen]
    detail = f"{label}: type {verb} {_code(_spell(old, argument))} → {_code(_spell(new, argument))}"
    if breaking and len(breaking) < len(relations):
        detail += f" ({breaking[0]} side)"  # used on both sides, breaking one: say which
    return _Found(_RELATION_KINDS[chosen], detail, bool(breaking), where)


# ---------------------------------------------------------------------------------------------
# Where models are used, and the namespaces operations live in


def _usage(api: Api) -> dict[str, set[Side]]:
    """Every model and alias reachable from an operation → the sides it is reached from."""
    definitions = _definitions(api)
    work: list[tuple[str, Side]] = []

    def reach(t: TypeRef | None, side: Side) -> None:
        if t is not None:
            work.extend((name, side) for name in t.models())

    for op in api.operations:
        for argument in op.arguments:
            reach(argument.type, "request")
        reach(op.body.type if op.body is not None else None, "request")
        for response in op.responses:
            reach(response.type, "response")
            reach(getattr(response, "headers", None), "response")  # the response headers' model, if any
    found: dict[str, set[Side]] = {}
    while work:
        name, side = work.pop()
        if side in found.setdefault(name, set()):
            continue
        found[name].add(side)
        definition = definitions.get(name)
        if isinstance(definition, Model):
            for f in definition.fields:
                reach(f.type, side)
            reach(definition.extra, side)
            reach(definition.base, side)
        elif isinstance(definition, Alias):
            reach(definition.type, side)
    return found


def _namespaces(api: Api) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for tag in api.tags:
        for op in tag.operations:
            found[op.name] = (*found.get(op.name, ()), tag.attribute)
    return found


def _context(old: Api, new: Api) -> _Context:
    old_usage, new_usage = _usage(old), _usage(new)
    usage = {name: frozenset(old_usage.get(name, set()) | new_usage.get(name, set())) for name in {*old_usage, *new_usage}}
    return _Context(
        old=old,
        new=new,
        old_aliases={a.name: a.type for a in old.aliases},
        new_aliases={a.name: a.type for a in new.aliases},
        usage=usage,
        old_namespaces=_namespaces(old),
        new_namespaces=_namespaces(new),
    )


def _used_on(sides: frozenset[Side] | None) -> str:
    if not sides:
        return "not used by any operation"
    return "used in " + " and ".join(f"{side}s" for side in sorted(sides))


# ---------------------------------------------------------------------------------------------
# Operations


def _qualified(namespaces: Mapping[str, tuple[str, ...]], op: Operation) -> str:
    spaces = namespaces.get(op.name, ())
    return f"{spaces[0]}.{op.name}" if spaces else op.name


def _stamp(found: list[_Found], subject: str, context: str) -> list[Change]:
    return [Change(f.kind, subject, f.detail, f.breaking, f.pointer, context) for f in found]


def _operations(ctx: _Context) -> list[Change]:
    old = {op.name: op for op in ctx.old.operations}
    new = {op.name: op for op in ctx.new.operations}
    removed = [op for name, op in old.items() if name not in new]
    added = [op for name, op in new.items() if name not in old]
    renamed = []
    for op in list(removed):
        twin = next((a for a in added if (a.method, a.path) == (op.method, op.path)), None)
        if twin is not None:
            renamed.append((op, twin))
            removed.remove(op)
            added.remove(twin)
    changes: list[Change] = []
    for op in removed:
        name = _qualified(ctx.old_namespaces, op)
        found = _Found("operation_removed", f"operation {_code(name)} removed", True, op.pointer)
        changes += _stamp([found], f"operation {name}", f"{op.method} {op.path}")
    for op in added:
        name = _qualified(ctx.new_namespaces, op)
        found = _Found("operation_added", f"operation {_code(name)} added", False, op.pointer)
        changes += _stamp([found], f"operation {name}", f"{op.method} {op.path}")
    for before, after in renamed:
        detail = f"renamed from {_code(_qualified(ctx.old_namespaces, before))} (same method and path)"
        changes += _operation(ctx, before, after, [_Found("operation_renamed", detail, True, after.pointer)])
    for name, op in new.items():
        if name in old:
            changes += _operation(ctx, old[name], op, [])
    return changes


def _operation(ctx: _Context, old: Operation, new: Operation, found: list[_Found]) -> list[Change]:
    found = found + _namespace_changes(ctx, old, new)
    if (old.method, old.path) != (new.method, new.path):
        detail = f"now {_code(f'{new.method} {new.path}')} (was {_code(f'{old.method} {old.path}')}); the call is unchanged"
        found.append(_Found("endpoint_changed", detail, False, new.pointer))
    if old.deprecated != new.deprecated:
        state = "now" if new.deprecated else "no longer"
        found.append(_Found("deprecation", f"operation {state} deprecated", False, new.pointer))
    found += _argument_changes(ctx, old, new) + _response_changes(ctx, old, new)
    return _stamp(found, f"operation {_qualified(ctx.new_namespaces, new)}", f"{new.method} {new.path}")


def _namespace_changes(ctx: _Context, old: Operation, new: Operation) -> list[_Found]:
    before = ctx.old_namespaces.get(old.name, ())
    after = ctx.new_namespaces.get(new.name, ())
    found = [
        _Found("namespace_removed", f"no longer available as {_code(f'client.{space}.{old.name}')}", True, new.pointer)
        for space in before
        if space not in after
    ]
    found += [
        _Found("namespace_added", f"now available as {_code(f'client.{space}.{new.name}')}", False, new.pointer)
        for space in after
        if space not in before
    ]
    return found


def _argument_pointer(op: Operation, argument: Argument) -> str:
    """Where an argument is declared: its parameter, its body property, or the body."""
    if argument.location == "body" and op.body is not None:
        if argument.whole_body:
            return op.body.pointer or op.pointer
        prop = next((f for f in op.body.fields if f.alias == argument.wire_name), None)
        return prop.pointer if prop is not None and prop.pointer else op.body.pointer or op.pointer
    param = next((p for p in op.parameters if p.name == argument.wire_name and p.location == argument.location), None)
    return param.pointer if param is not None and param.pointer else op.pointer


def _renames(removed: list[Argument], added: list[Argument]) -> list[tuple[Argument, Argument]]:
    """A removed and an added argument in the same place with the same type: one renamed."""
    pairs: list[tuple[Argument, Argument]] = []
    free = list(added)
    for gone in removed:
        twin = next(
            (
                a
                for a in free
                if (a.location, a.whole_body) == (gone.location, gone.whole_body)
                and _spell(a.type, True) == _spell(gone.type, True)
            ),
            None,
        )
        if twin is not None:
            pairs.append((gone, twin))
            free.remove(twin)
    return pairs


def _argument_changes(ctx: _Context, old: Operation, new: Operation) -> list[_Found]:
    before = {a.name: a for a in old.arguments}
    after = {a.name: a for a in new.arguments}
    removed = [a for a in old.arguments if a.name not in after]
    added = [a for a in new.arguments if a.name not in before]
    renames = _renames(removed, added)
    renamed_from = {gone.name for gone, _ in renames}
    renamed_to = {twin.name for _, twin in renames}
    found = [
        _Found("argument_removed", f"argument {_code(a.name)} removed", True, _argument_pointer(old, a))
        for a in removed
        if a.name not in renamed_from
    ]
    for a in added:
        if a.name not in renamed_to:
            state = "required" if a.required else "optional"
            found.append(_Found("argument_added", f"argument {_code(a.name)} added ({state})", a.required, _argument_pointer(new, a)))
    for gone, twin in renames:
        where = _argument_pointer(new, twin)
        detail = f"argument {_code(gone.name)} renamed to {_code(twin.name)} (same place, same type)"
        found += [_Found("argument_renamed", detail, True, where), *_argument(ctx, gone, twin, where)]
    for name, a in after.items():
        if name in before:
            found += _argument(ctx, before[name], a, _argument_pointer(new, a))
    return found


def _argument(ctx: _Context, old: Argument, new: Argument, where: str) -> list[_Found]:
    label = f"argument {_code(new.name)}"
    found: list[_Found] = []
    if old.location != new.location:
        detail = f"{label}: now sent in the {new.location} (was {old.location}); the call is unchanged"
        found.append(_Found("argument_moved", detail, False, where))
    if old.required and not new.required:
        found.append(_Found("argument_optional", f"{label}: now optional", False, where))
    if new.required and not old.required:
        found.append(_Found("argument_required", f"{label}: now required", True, where))
    return found + _type_changes(ctx, old.type, new.type, REQUEST, True, label, where)


def _returns(op: Operation) -> TypeRef:
    """What the method returns: the union of its success responses (None for no content)."""
    types = [r.type if r.type is not None else NONE for r in op.success]
    return union(types) if types else NONE


def _response_changes(ctx: _Context, old: Operation, new: Operation) -> list[_Found]:
    before = {r.status: r for r in old.responses}
    after = {r.status: r for r in new.responses}
    found = [
        _Found("response_removed", f"response {_code(status)} removed", False, old.pointer + "/responses/" + escape_token(status))
        for status in before
        if status not in after
    ]
    found += [
        _Found("response_added", f"response {_code(status)} added", False, new.pointer + "/responses/" + escape_token(status))
        for status in after
        if status not in before
    ]
    found += _type_changes(ctx, _returns(old), _returns(new), RESPONSE, False, "return type", new.pointer)
    for status, response in after.items():
        previous = before.get(status)
        if status.startswith("2") or previous is None or previous.type is None or response.type is None:
            continue  # success bodies are the return type, compared above
        where = new.pointer + "/responses/" + escape_token(status)
        found += _type_changes(ctx, previous.type, response.type, RESPONSE, False, f"error body of {_code(status)}", where)
    return found


# ---------------------------------------------------------------------------------------------
# Models and aliases


def _models(ctx: _Context) -> list[Change]:
    old, new = _definitions(ctx.old), _definitions(ctx.new)
    changes: list[Change] = []
    for name, definition in old.items():
        if name not in new:
            found = _Found("model_removed", f"{_what(definition)} {_code(name)} removed", True, definition.pointer)
            changes += _stamp([found], f"model {name}", _used_on(ctx.usage.get(name)))
    for name, definition in new.items():
        context = _used_on(ctx.usage.get(name))
        if name not in old:
            found = _Found("model_added", f"{_what(definition)} {_code(name)} added", False, definition.pointer)
            changes += _stamp([found], f"model {name}", context)
        else:
            changes += _stamp(_model(ctx, old[name], definition), f"model {name}", context)
    return changes


def _definitions(api: Api) -> dict[str, Model | Alias]:
    found: dict[str, Model | Alias] = {m.name: m for m in api.models}
    found.update((a.name, a) for a in api.aliases)
    return found


def _what(definition: Model | Alias) -> str:
    return "class" if isinstance(definition, Model) else "type alias"


def _model(ctx: _Context, old: Model | Alias, new: Model | Alias) -> list[_Found]:
    sides = ctx.sides(new.name)
    if isinstance(old, Alias) and isinstance(new, Alias):
        return _type_changes(ctx, old.type, new.type, sides, False, f"type alias {_code(new.name)}", new.pointer)
    if isinstance(old, Model) and isinstance(new, Model):
        return _base_changes(old, new) + _field_changes(ctx, old, new, sides) + _extra_changes(ctx, old, new, sides)
    detail = f"{_code(new.name)} was a {_what(old)}, now a {_what(new)}"
    return [_Found("model_changed", detail, True, new.pointer)]


def _base_changes(old: Model, new: Model) -> list[_Found]:
    before = old.base.name if old.base is not None else None
    after = new.base.name if new.base is not None else None
    if before == after:
        return []
    parts = ([f"no longer extends {_code(before)}"] if before else []) + ([f"now extends {_code(after)}"] if after else [])
    return [_Found("base_changed", "; ".join(parts), before is not None, new.pointer)]


def _required(f: Field) -> bool:
    """Required in the class (a writeOnly property never is: responses leave it out)."""
    return f.required and not f.write_only


def _field_changes(ctx: _Context, old: Model, new: Model, sides: frozenset[Side]) -> list[_Found]:
    before = {f.name: f for f in old.fields}
    after = {f.name: f for f in new.fields}
    found = [
        _Found("field_removed", f"field {_code(f.name)} removed", True, f.pointer or old.pointer)
        for f in old.fields
        if f.name not in after
    ]
    for f in new.fields:
        if f.name not in before:
            builds = _required(f) and not f.has_default  # a caller building the model must pass it
            state = "required" if _required(f) else "optional"
            detail = f"field {_code(f.name)} added ({state})"
            found.append(_Found("field_added", detail, builds and "request" in sides, f.pointer or new.pointer))
    for name, f in after.items():
        if name in before:
            found += _field(ctx, before[name], f, sides, f.pointer or new.pointer)
    return found


def _field(ctx: _Context, old: Field, new: Field, sides: frozenset[Side], where: str) -> list[_Found]:
    label = f"field {_code(new.name)}"
    found: list[_Found] = []
    if _required(old) and not _required(new):
        found.append(_Found("field_optional", f"{label}: now optional (may be None)", "response" in sides, where))
    if _required(new) and not _required(old):
        found.append(_Found("field_required", f"{label}: now required", "request" in sides, where))
    if old.deprecated != new.deprecated:
        found.append(_Found("deprecation", f"{label}: {'now' if new.deprecated else 'no longer'} deprecated", False, where))
    return found + _type_changes(ctx, old.type, new.type, sides, False, label, where)


def _extra_changes(ctx: _Context, old: Model, new: Model, sides: frozenset[Side]) -> list[_Found]:
    """The type of additional properties (none declared: any JSON value)."""
    before = old.extra if old.extra is not None else ANY
    after = new.extra if new.extra is not None else ANY
    return _type_changes(ctx, before, after, sides, False, "additional properties", new.pointer)


# ---------------------------------------------------------------------------------------------
# Entry points


def diff_apis(old: Api, new: Api) -> Report:
    """Every change between two APIs that a user of the generated SDK sees, classified."""
    ctx = _context(old, new)
    changes = sorted(_operations(ctx) + _models(ctx), key=_sort_key)
    return Report(changes, title=new.title or old.title, old_version=old.version, new_version=new.version)


def _api(path: Path) -> Api:
    from .api import build_api
    from .load import load

    api, _warnings = build_api(load(path, str(path)))  # warnings concern generation, not the diff
    return api


def command(args: argparse.Namespace) -> int:
    """Print the report; exit 0 when nothing breaks, 1 when something does, 2 on bad input."""
    apis: list[Api] = []
    failures: list[GeneratorError] = []
    for path in (args.old, args.new):
        try:
            apis.append(_api(path))
        except GeneratorError as exc:
            failures.append(exc)
    if failures:
        for failure in failures:
            for problem in failure.problems:
                print(problem.format(failure.source), file=sys.stderr)
        return 2
    report = diff_apis(apis[0], apis[1])
    sys.stdout.write(report.to_json() if args.format == "json" else report.to_markdown())
    return 1 if report.breaking else 0
