"""Local JSON references (``#/components/schemas/X``): lookup and the checks made before validation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

from .errors import Problem, pointer

__all__ = ["METHODS", "PARAMETER_LOCATIONS", "MISSING", "MAX_ALLOF_DEPTH", "ALLOF_TOO_DEEP", "lookup", "into_paths", "ref_tokens", "walk", "check_references", "check_all_of"]

MISSING: Any = object()

# The operations a path item may hold, and where a parameter may be.
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PARAMETER_LOCATIONS = ("path", "query", "header", "cookie")

# Schemas extending schemas through ``allOf`` (and ``$ref``) deeper than this are refused: the
# validator and the model builder follow such chains recursively.
MAX_ALLOF_DEPTH = 200
ALLOF_TOO_DEEP = "schemas extend each other through allOf"
_ALLOF_MEMBER = re.compile(r"/allOf/[0-9]+$")


def _tokens(ref: str) -> list[str] | None:
    """The reference tokens of a local reference, or None when it is not one."""
    if not ref.startswith("#"):
        return None
    if ref in ("#", "#/"):
        return []
    if not ref.startswith("#/"):
        return None
    return [t.replace("~1", "/").replace("~0", "~") for t in ref[2:].split("/")]


def _lookup(document: Any, tokens: list[str]) -> Any:
    node = document
    for token in tokens:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return MISSING
    return node


def lookup(document: Any, ref: str) -> Any:
    """The value a local reference points to, or ``MISSING``.

    The fragment is a URI fragment, so it may be percent-encoded (``~1things~1%7Bid%7D``): when
    the reference does not resolve as written, it is tried decoded.
    """
    tokens = _tokens(ref)
    if tokens is None:
        return MISSING
    found = _lookup(document, tokens)
    if found is MISSING and "%" in ref:
        decoded = _tokens(unquote(ref))
        found = _lookup(document, decoded) if decoded is not None else MISSING
    return found


def into_paths(ref: str) -> bool:
    """Whether a local reference names the whole document, ``paths`` or something in it."""
    for tokens in (_tokens(ref), _tokens(unquote(ref)) if "%" in ref else None):
        if tokens is not None and (not tokens or tokens[0] == "paths"):
            return True
    return False


def walk(node: Any) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every (path, value) below ``node``, iteratively: deep documents never hit the recursion limit."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), node)]
    while stack:
        path, value = stack.pop()
        yield path, value
        if isinstance(value, dict):
            stack.extend((path + (str(k),), v) for k, v in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((path + (i,), v) for i, v in reversed(list(enumerate(value))))


def check_references(document: dict[str, Any]) -> list[Problem]:
    """Every ``$ref`` points inside the document, and no chain of bare ``$ref``s loops."""
    problems: list[Problem] = []
    loops: dict[str, tuple[int, str, int] | None] = {}  # see _bare_loop
    for path, value in walk(document):
        if not (isinstance(value, dict) and "$ref" in value and path[-1:] != ("properties",)):
            continue
        ref = value["$ref"]
        where = pointer(*path, "$ref")
        if not isinstance(ref, str):
            problems.append(Problem(where, "$ref must be a string"))
        elif not ref.startswith("#"):
            problems.append(Problem(where, f"external $ref {ref!r} is not supported: bundle the document into one file"))
        elif lookup(document, ref) is MISSING:
            problems.append(Problem(where, f"unresolvable $ref {ref!r}"))
        elif _bare_loop(document, ref, loops) is not None:
            problems.append(Problem(where, f"circular $ref: {_loop_text(document, ref, loops)}"))
    return problems


def _next_ref(document: Any, ref: str) -> str | None:
    """The ``$ref`` of the value ``ref`` points to, when that value is a bare reference."""
    target = lookup(document, ref)
    return target["$ref"] if isinstance(target, dict) and isinstance(target.get("$ref"), str) else None


def _bare_loop(document: Any, ref: str, known: dict[str, tuple[int, str, int] | None]) -> tuple[int, str, int] | None:
    """Where following bare ``$ref``s from ``ref`` leads: None when it ends at a value, else
    (steps before the loop, the first reference of the loop reached, the loop's length).
    Each reference is followed once over the whole document (``known``): linear, not quadratic."""
    chain: list[str] = []
    at: dict[str, int] = {}
    current: str | None = ref
    result: tuple[int, str, int] | None = None
    while current is not None:
        if current in known:
            result = known[current]
            break
        if current in at:  # the loop closes: each of its references is in it, 0 steps before
            loop = chain[at[current] :]
            for r in loop:
                known[r] = (0, r, len(loop))
            chain = chain[: at[current]]
            result = known[current]
            break
        at[current] = len(chain)
        chain.append(current)
        current = _next_ref(document, current)
    for r in reversed(chain):  # the references before the loop (or the end)
        result = None if result is None else (result[0] + 1, result[1], result[2])
        known[r] = result
    return known[ref]


def _loop_text(document: Any, ref: str, known: dict[str, tuple[int, str, int] | None]) -> str:
    """``A -> B -> C -> B``; a long chain is shortened in the middle (the message stays short)."""
    steps, entry, length = known[ref] or (0, ref, 0)
    names, current = [ref], ref
    for _ in range(min(steps + length, 12)):
        current = _next_ref(document, current) or current
        names.append(current)
    if steps + length <= 12:
        return " -> ".join(names)
    return (
        f"{' -> '.join(names[:4])} -> ... -> {entry} -> ... -> {entry}"
        f" ({steps} $refs lead to a loop of {length})"
    )


def ref_tokens(document: Any, ref: str) -> list[str] | None:
    """The reference tokens of the value a local reference resolves to (as ``lookup`` resolves
    it: as written, else percent-decoded), or None when it is not a local reference."""
    tokens = _tokens(ref)
    if tokens is not None and "%" in ref and _lookup(document, tokens) is MISSING:
        tokens = _tokens(unquote(ref))
    return tokens


def _node_id(document: Any, ref: str) -> str | None:
    """A canonical pointer for a local reference (escaped as ``pointer`` escapes)."""
    tokens = ref_tokens(document, ref)
    return None if tokens is None else pointer(*tokens)


def check_all_of(document: dict[str, Any]) -> list[Problem]:
    """No schema includes itself through ``allOf`` and ``$ref`` (``A: allOf [B]``, ``B: allOf
    [A]``), and no chain of schemas extending schemas is deeper than ``MAX_ALLOF_DEPTH``.

    An iterative depth-first search over the schemas that have ``allOf`` or ``$ref``: each loop
    is reported at the ``$ref`` that closes it, with the schemas along it.
    """
    edges: dict[str, list[tuple[str, str, bool]]] = {}  # node → (target, where, is an allOf step)
    for path, value in walk(document):
        if not isinstance(value, dict) or path[-1:] == ("properties",):
            continue
        ref, members = value.get("$ref"), value.get("allOf")
        out: list[tuple[str, str, bool]] = []
        if isinstance(ref, str) and lookup(document, ref) is not MISSING:
            target = _node_id(document, ref)
            if target is not None:
                out.append((target, pointer(*path, "$ref"), False))
        if isinstance(members, list):
            out.extend((pointer(*path, "allOf", i), pointer(*path, "allOf", i), True) for i in range(len(members)))
        if out:
            edges[pointer(*path)] = out
    problems: list[Problem] = []
    depth: dict[str, int] = {}  # finished nodes → the most allOf steps below them
    for root in edges:
        if root in depth:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]  # (node, index of its next edge): the current chain
        on_path: dict[str, int] = {root: 0}  # node → its index in ``stack``
        steps: list[bool] = []  # whether the edge into stack[i + 1] is an allOf step
        while stack:
            node, index = stack[-1]
            out = edges.get(node, [])
            if index < len(out):
                stack[-1] = (node, index + 1)
                target, where, all_of = out[index]
                if target in on_path:
                    if all_of or any(steps[on_path[target]:]):  # bare $ref loops: check_references
                        names = [n for n, _ in stack[on_path[target]:]] + [target]
                        shown = [n for n in names if not _ALLOF_MEMBER.search(n)] or names
                        problems.append(Problem(where, f"circular allOf: {' -> '.join(shown)} (a schema cannot include itself)"))
                elif target not in depth:
                    on_path[target] = len(stack)
                    stack.append((target, 0))
                    steps.append(all_of)
                continue
            depth[node] = max((depth.get(t, 0) + (1 if a else 0) for t, _, a in out), default=0)
            stack.pop()
            del on_path[node]
            if steps:
                steps.pop()
    deepest = max(depth, key=lambda n: depth[n], default=None)
    if deepest is not None and depth[deepest] > MAX_ALLOF_DEPTH:
        problems.append(
            Problem(
                deepest,
                f"{ALLOF_TOO_DEEP} {depth[deepest]} levels deep (more than {MAX_ALLOF_DEPTH})",
            )
        )
    return problems
