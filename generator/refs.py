"""Local JSON references (``#/components/schemas/X``): lookup and the checks made before validation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .errors import Problem, pointer

__all__ = ["MISSING", "lookup", "walk", "check_references"]

MISSING: Any = object()


def lookup(document: Any, ref: str) -> Any:
    """The value a local reference points to, or ``MISSING``."""
    if not ref.startswith("#"):
        return MISSING
    node = document
    for token in ref[1:].split("/")[1:] if ref not in ("#", "#/") else []:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return MISSING
    return node


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
        else:
            chain, target = [ref], lookup(document, ref)
            while isinstance(target, dict) and isinstance(target.get("$ref"), str):
                if target["$ref"] in chain:
                    problems.append(Problem(where, f"circular $ref: {' -> '.join(chain + [target['$ref']])}"))
                    break
                chain.append(target["$ref"])
                target = lookup(document, target["$ref"])
    return problems
