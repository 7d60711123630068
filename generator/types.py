"""Schema → ``TypeRef``: the rules for ``$ref``, anyOf/oneOf/allOf, nullability, enums and maps.

``resolve`` is a plain function of a schema and a ``Context`` that knows the component names. The
three spellings of "nullable" (an ``anyOf`` branch ``{"type": "null"}``, 3.0 ``nullable: true``,
3.1 ``type: [T, "null"]``) all give the same ``UnionOf(T, NONE)``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from . import naming
from .errors import Problem, escape_token
from .refs import MISSING, into_paths, lookup
from .ir import ANY, NONE, ListOf, LiteralOf, MapOf, ModelRef, Prim, Tagged, TupleOf, TypeRef, UnionOf

__all__ = ["Context", "Trace", "text_of", "resolve", "union", "is_object_schema", "deref", "nullable"]

_STRING_FORMATS = {"date-time": "datetime", "date": "date", "time": "time", "binary": "bytes"}
_MAX_DEPTH = 64

Hoist = Callable[[str, dict[str, Any], str], ModelRef]


@dataclass
class Trace:
    """What each unit of the build did, for ``incremental``: a unit is "#" (the component
    schemas) or a path (its operations), and owns the models its hoists queued, transitively."""

    calls: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # unit → hoists (pointer, hint)
    problems: dict[str, list[Problem]] = field(default_factory=dict)  # unit → its problems, in order
    owner: dict[str, str] = field(default_factory=dict)  # hoisted model's pointer → its unit
    hoisted: dict[str, ModelRef] = field(default_factory=dict)  # every hoist's pointer → its model
    into_paths: bool = False  # a $ref followed into ``paths``: one path may depend on another


@dataclass
class Context:
    """What type resolution needs from the rest of the document."""

    document: dict[str, Any]
    components: dict[str, ModelRef]  # component schema name → its class or alias
    hoist: Hoist  # (name hint, object schema, pointer) → the hoisted model
    problems: list[Problem] = field(default_factory=list)
    unit: str = "#"  # what is being built (see ``Trace``)
    trace: Trace | None = None
    credentials: dict[str, str] | None = None  # ``operations.credentials_of``, worked out once

    def warn(self, where: str, message: str) -> None:
        self._add(Problem(where, message, "warning"))

    def error(self, where: str, message: str) -> None:
        self._add(Problem(where, message))

    def _add(self, problem: Problem) -> None:
        self.problems.append(problem)
        if self.trace is not None:
            self.trace.problems.setdefault(self.unit, []).append(problem)


def text_of(schema: Any, key: str) -> str:
    """A string keyword of a schema (description, summary...), or ""."""
    value = schema.get(key) if isinstance(schema, dict) else None
    return value if isinstance(value, str) else ""


def child(where: str, *tokens: str | int) -> str:
    for token in tokens:
        where += "/" + escape_token(token)
    return where


def deref(schema: Any, ctx: Context, where: str) -> tuple[Any, str]:
    """Follow local ``$ref``s to the schema they name; cycles of bare references are errors."""
    seen: list[str] = []
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        ref = schema["$ref"]
        if ref in seen:
            ctx.error(where, f"circular $ref: {' -> '.join(seen + [ref])}")
            return {}, where
        seen.append(ref)
        if ctx.trace is not None and into_paths(ref):
            ctx.trace.into_paths = True
        target = lookup(ctx.document, ref)
        if target is MISSING:
            ctx.error(where, f"unresolvable $ref {ref!r}")
            return {}, where
        schema, where = target, ref
    return schema, where


@functools.lru_cache(maxsize=None)
def _prim(kind: str) -> Prim:
    """One ``Prim`` per kind: a large IR holds tens of thousands (each saved and loaded by
    ``incremental`` once instead of once per use)."""
    return Prim(kind)


_NUMBER = UnionOf((_prim("int"), _prim("float")))


def union(members: Iterable[TypeRef]) -> TypeRef:
    """Flatten, drop duplicates (keeping the first), put None last; Any absorbs everything."""
    flat: list[TypeRef] = []
    seen: set[TypeRef] = set()
    for member in members:
        for m in member.members if isinstance(member, UnionOf) else (member,):
            if m not in seen:
                seen.add(m)
                flat.append(m)
    if ANY in flat:
        return UnionOf((ANY, NONE)) if NONE in flat and len(flat) == 2 else ANY
    literals = [m for m in flat if isinstance(m, LiteralOf)]
    if len(literals) > 1:  # Literal["a"] | Literal["b"] → Literal["a", "b"]
        values: list[Any] = []
        known: set[Any] = set()  # list membership as before: by ==, so 1 and True are one value
        for lit in literals:
            for v in lit.values:
                if v not in known:
                    known.add(v)
                    values.append(v)
        merged = LiteralOf(tuple(values))
        first = flat.index(literals[0])
        flat = [m for m in flat if not isinstance(m, LiteralOf)]
        flat.insert(first, merged)
    if NONE in flat:
        flat.remove(NONE)
        flat.append(NONE)
    if len(flat) == 1:
        return flat[0]
    return UnionOf(tuple(flat))


def nullable(t: TypeRef) -> bool:
    return t == NONE or (isinstance(t, UnionOf) and NONE in t.members)


def is_object_schema(schema: Any) -> bool:
    """An object with declared properties: it becomes a model class."""
    if not isinstance(schema, dict) or "$ref" in schema:
        return False
    types = schema.get("type")
    types = types if isinstance(types, list) else [types]
    if "properties" in schema and (types == [None] or "object" in types):
        return not any(k in schema for k in ("anyOf", "oneOf"))
    return False


def resolve(schema: Any, ctx: Context, where: str, hint: str, depth: int = 0) -> TypeRef:
    """The TypeRef of ``schema`` found at ``where``; ``hint`` names a hoisted inline model."""
    if depth > _MAX_DEPTH:
        ctx.error(where, f"schema nested deeper than {_MAX_DEPTH} levels")
        return ANY
    if schema is True or schema is None or schema == {}:
        return ANY
    if schema is False or not isinstance(schema, dict):
        ctx.warn(where, f"schema {schema!r} is not an object; typed as Any")
        return ANY
    ref = schema.get("$ref")
    if isinstance(ref, str):
        prefix = "#/components/schemas/"
        name = ref[len(prefix):].replace("~1", "/").replace("~0", "~") if ref.startswith(prefix) else None
        if name in ctx.components:
            component = ctx.components[name]
            return ModelRef(component.name, component.module, _closed_enum(lookup(ctx.document, ref), ctx, where))
        target_schema, target_where = deref(schema, ctx, where)
        return resolve(target_schema, ctx, target_where, hint, depth + 1)

    result = _resolve_shape(schema, ctx, where, hint, depth)
    if schema.get("nullable") is True:
        result = union([result, NONE])
    return result


def _resolve_shape(schema: dict[str, Any], ctx: Context, where: str, hint: str, depth: int) -> TypeRef:
    for keyword in ("anyOf", "oneOf"):
        branches = schema.get(keyword)
        if isinstance(branches, list) and branches:
            if schema.get("discriminator"):
                tagged = _tagged(schema, branches, ctx, where)
                if tagged is not None:
                    return tagged
            rest = {k: v for k, v in schema.items() if k not in (keyword, "discriminator", "title", "description", "default", "nullable", "example", "examples")}
            members = [
                resolve(_with_siblings(b, rest), ctx, child(where, keyword, i), hint, depth + 1)
                for i, b in enumerate(branches)
            ]
            return union(members)
    all_of = schema.get("allOf")
    if isinstance(all_of, list) and all_of:
        siblings = {k: v for k, v in schema.items() if k not in ("allOf", "title", "description", "default", "example", "examples", "nullable")}
        if len(all_of) == 1 and not siblings:
            return resolve(all_of[0], ctx, child(where, "allOf", 0), hint, depth + 1)
        merged = merge_all_of(schema, ctx, where)
        return ctx.hoist(hint, merged, where)
    if "const" in schema:
        return _literal([schema["const"]], ctx, where) or ANY
    if isinstance(schema.get("enum"), list):
        literal = _literal(schema["enum"], ctx, where)
        if literal is not None:
            return literal

    types = schema.get("type")
    if isinstance(types, list):
        return union(_resolve_type(t, schema, ctx, where, hint, depth) for t in types)
    if types is None:
        if "properties" in schema or "additionalProperties" in schema:
            types = "object"
        elif "items" in schema or "prefixItems" in schema:
            types = "array"
        else:
            return ANY
    return _resolve_type(types, schema, ctx, where, hint, depth)


def _tagged(schema: dict[str, Any], branches: list[Any], ctx: Context, where: str) -> TypeRef | None:
    """The union decoded by its discriminator, when every branch names a component object.

    Values come from ``mapping`` (a ``$ref`` or a bare schema name) and, for branches the mapping
    does not name, from the component's own name (the implicit mapping).
    """
    disc = schema["discriminator"]
    prop = disc.get("propertyName") if isinstance(disc, dict) else None
    prefix = "#/components/schemas/"
    members: list[ModelRef] = []
    listed: set[ModelRef] = set()
    names: dict[str, ModelRef] = {}
    nullable_branch = False
    for branch in branches:
        ref = branch.get("$ref") if isinstance(branch, dict) else None
        if isinstance(branch, dict) and branch.get("type") == "null":
            nullable_branch = True
            continue
        name = ref[len(prefix):].replace("~1", "/").replace("~0", "~") if isinstance(ref, str) and ref.startswith(prefix) else None
        if name is None or name not in ctx.components or not isinstance(prop, str):
            ctx.warn(child(where, "discriminator"), "discriminator needs every branch to be a $ref to a component schema; the union is decoded structurally")
            return None
        target = ctx.components[name]
        if target not in listed:
            listed.add(target)
            members.append(target)
        names[name] = target
    mapping: dict[str, str] = {}
    for value, target_ref in (disc.get("mapping") or {}).items():
        name = target_ref[len(prefix):] if isinstance(target_ref, str) and target_ref.startswith(prefix) else target_ref
        name = name.replace("~1", "/").replace("~0", "~") if isinstance(name, str) else name
        if name not in ctx.components:  # a reference to nothing: an error, as a $ref to nothing is
            ctx.error(child(where, "discriminator", "mapping", value), f"mapping target {target_ref!r} names no schema in #/components/schemas")
            continue
        if name not in names:
            ctx.warn(child(where, "discriminator", "mapping", value), f"mapping target {target_ref!r} is not one of the union's branches")
            continue
        mapping[str(value)] = names[name].name
    mapped = set(mapping.values())
    for name, target in names.items():
        if target.name not in mapped:
            mapping.setdefault(name, target.name)
    if not isinstance(prop, str) or not members:
        ctx.warn(child(where, "discriminator"), "discriminator without propertyName or branches; the union is decoded structurally")
        return None
    result: TypeRef = Tagged(prop, tuple(members), tuple(mapping.items()))
    return union([result, NONE]) if nullable_branch or schema.get("nullable") is True else result


def _closed_enum(schema: Any, ctx: Context, where: str) -> LiteralOf | UnionOf | None:
    """For a component that is an enum (or const): the Literal an argument of that type takes."""
    if not isinstance(schema, dict) or not ("enum" in schema or "const" in schema):
        return None
    values = [schema["const"]] if "const" in schema else schema["enum"]
    literal = _literal(values, Context(ctx.document, ctx.components, ctx.hoist), where) if isinstance(values, list) else None
    if literal is None or literal == NONE:
        return None
    nullable_type = schema.get("nullable") is True or (isinstance(schema.get("type"), list) and "null" in schema["type"])
    result = union([literal, NONE]) if nullable_type else literal
    return result if isinstance(result, (LiteralOf, UnionOf)) else None


def _with_siblings(branch: Any, rest: dict[str, Any]) -> Any:
    """A branch of ``anyOf`` inherits keywords written beside the ``anyOf`` (``type``, ``format``)."""
    if not rest or not isinstance(branch, dict) or "$ref" in branch:
        return branch
    return {**rest, **branch}


def _literal(values: list[Any], ctx: Context, where: str) -> TypeRef | None:
    kept: list[Any] = []
    seen: set[tuple[type, Any]] = set()  # (type, value): 1, 1.0 and True are three values
    for v in values:
        if isinstance(v, (str, int, bool)) or v is None:
            if (type(v), v) not in seen:
                seen.add((type(v), v))
                kept.append(v)
        else:
            ctx.warn(where, f"enum value {v!r} cannot be a Literal; the enum is typed by its base type")
            return None
    has_none = None in kept
    kept = [v for v in kept if v is not None]
    if not kept:
        return NONE
    lit = LiteralOf(tuple(kept))
    return union([lit, NONE]) if has_none else lit


def _resolve_type(kind: Any, schema: dict[str, Any], ctx: Context, where: str, hint: str, depth: int) -> TypeRef:
    if kind == "null":
        return NONE
    if kind == "boolean":
        return _prim("bool")
    if kind == "integer":
        return _prim("int")
    if kind == "number":
        # JSON does not tell 5 from 5.0 apart by type; Python does. Both are kept as sent.
        return _NUMBER
    if kind == "string":
        fmt = schema.get("format")
        return _prim(_STRING_FORMATS.get(fmt, "str")) if isinstance(fmt, str) else _prim("str")
    if kind == "array":
        items = schema.get("items")
        prefix = schema.get("prefixItems")
        if isinstance(prefix, list) and prefix:
            members = [resolve(p, ctx, child(where, "prefixItems", i), f"{hint}Item{i}", depth + 1) for i, p in enumerate(prefix)]
            if items is False or schema.get("maxItems") == len(prefix):
                return TupleOf(tuple(members))
            rest = [] if items is None else [resolve(items, ctx, child(where, "items"), hint + "Item", depth + 1)]
            ctx.warn(child(where, "prefixItems"), "prefixItems with further items allowed: typed as a list of the union of its item types (positions are not checked)")
            return ListOf(union(members + (rest or [ANY])))
        if items is None or items is True:
            return ListOf(ANY)
        return ListOf(resolve(items, ctx, child(where, "items"), hint + "Item", depth + 1))
    if kind == "object":
        if is_object_schema({**schema, "type": "object"}):
            return ctx.hoist(hint, schema, where)
        extra = schema.get("additionalProperties", True)
        if extra is True or extra == {} or extra is None:
            return MapOf(ANY)
        if extra is False:
            return MapOf(ANY)
        return MapOf(resolve(extra, ctx, child(where, "additionalProperties"), hint + "Value", depth + 1))
    ctx.warn(where, f"unknown type {kind!r}; typed as Any")
    return ANY


def merge_all_of(schema: dict[str, Any], ctx: Context, where: str) -> dict[str, Any]:
    """One object schema from the branches of ``allOf`` (properties and required lists merged)."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    extra: Any = True
    descriptions = [schema.get("description")] if isinstance(schema.get("description"), str) else []
    parts = [dict(schema, allOf=None)] + list(schema["allOf"])
    for i, part in enumerate(parts):
        part, part_where = deref(part, ctx, child(where, "allOf", i - 1) if i else where)
        if not isinstance(part, dict):
            continue
        if isinstance(part.get("allOf"), list) and part is not schema and part.get("allOf"):
            part = merge_all_of(part, ctx, part_where)
        for name, prop in (part.get("properties") or {}).items():
            properties[name] = prop
        for name in part.get("required") or []:
            if name not in required:
                required.append(name)
        if "additionalProperties" in part:
            extra = part["additionalProperties"]
        if i and isinstance(part.get("description"), str) and not descriptions:
            descriptions.append(part["description"])
    merged: dict[str, Any] = {"type": "object", "properties": properties, "required": required}
    if extra is not True:
        merged["additionalProperties"] = extra
    if descriptions:
        merged["description"] = descriptions[0]
    return merged
