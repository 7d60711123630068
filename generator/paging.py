"""``[[tool.generator.pagination]]`` entries checked against the IR: which argument selects the
page, the Python attribute path to the list of items (and to the next cursor), the item type.

The spec cannot say which parameters page, so nothing here is guessed: every name in the
configuration must resolve, or generation stops with one problem per wrong name.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import Config, Paging
from .errors import GeneratorError, Problem
from .ir import Api, ListOf, ModelRef, Operation, Prim, TypeRef, UnionOf

__all__ = ["PagedOperation", "resolve_paging"]


@dataclass(frozen=True)
class PagedOperation:
    style: str
    argument: str  # the Python argument that selects the page
    size: str  # the Python argument of the page size, or ""
    items: tuple[str, ...]  # attribute names from the parsed response to the list
    next: tuple[str, ...]  # attribute names from the parsed response to the next cursor
    first: int
    item: TypeRef  # the type of one item


def resolve_paging(api: Api, config: Config) -> dict[str, PagedOperation]:
    """operationId → how it pages; raises ``GeneratorError`` naming each entry that does not fit."""
    by_id = {op.operation_id: op for op in api.operations}
    out: dict[str, PagedOperation] = {}
    problems: list[Problem] = []
    for i, paging in enumerate(config.pagination):
        at = f"#/tool/generator/pagination/{i}"
        op = by_id.get(paging.operation)
        if op is None:
            problems.append(Problem(f"{at}/operation", f"no operation {paging.operation!r} in the spec"))
            continue
        try:
            out[op.operation_id] = _resolve(api, op, paging, at)
        except _Wrong as wrong:
            problems.append(Problem(wrong.where, wrong.message))
    if problems:
        raise GeneratorError("[tool.generator]", problems)
    return out


class _Wrong(Exception):
    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where, self.message = where, message


def _argument(op: Operation, wire: str, where: str) -> str:
    for argument in op.arguments:
        if argument.wire_name == wire and not argument.whole_body:
            return argument.name
    names = ", ".join(a.wire_name for a in op.arguments if not a.whole_body) or "none"
    raise _Wrong(where, f"{op.operation_id} has no parameter or body property {wire!r} (it has: {names})")


def _resolve(api: Api, op: Operation, paging: Paging, at: str) -> PagedOperation:
    argument = _argument(op, paging.param, f"{at}/param")
    size = _argument(op, paging.size, f"{at}/size") if paging.size else ""
    success = [r.type for r in op.success if r.type is not None]
    if len(success) != 1:
        raise _Wrong(f"{at}/operation", f"{op.operation_id} must have exactly one 2xx response with a body to page through")
    items_path, target = _walk(api, success[0], paging.items, f"{at}/items")
    target = _unwrap(api, target)
    if not isinstance(target, ListOf):
        raise _Wrong(f"{at}/items", f"{paging.items or 'the response'} is not an array in {op.operation_id}'s response")
    next_path: tuple[str, ...] = ()
    if paging.style == "cursor":
        next_path, cursor = _walk(api, success[0], paging.next, f"{at}/next")
        if isinstance(_unwrap(api, cursor), (ListOf, ModelRef)):
            raise _Wrong(f"{at}/next", f"{paging.next} is not a scalar cursor in {op.operation_id}'s response")
    return PagedOperation(paging.style, argument, size, items_path, next_path, paging.first, target.item)


def _unwrap(api: Api, tp: TypeRef) -> TypeRef:
    """The type without ``| None``, and through type aliases."""
    aliases = {a.name: a.type for a in api.aliases}
    for _ in range(len(aliases) + 1):
        if isinstance(tp, UnionOf):
            rest = [m for m in tp.members if not (isinstance(m, Prim) and m.kind == "none")]
            if len(rest) != 1:
                return tp
            tp = rest[0]
        elif isinstance(tp, ModelRef) and tp.name in aliases:
            tp = aliases[tp.name]
        else:
            return tp
    return tp


def _walk(api: Api, tp: TypeRef, dotted: str, where: str) -> tuple[tuple[str, ...], TypeRef]:
    """A dotted path of API names → the Python attribute names and the type at its end."""
    models = {m.name: m for m in api.models}
    attributes: list[str] = []
    for key in [k for k in dotted.split(".") if k] if dotted else []:
        current = _unwrap(api, tp)
        model = models.get(current.name) if isinstance(current, ModelRef) else None
        field = None
        while model is not None and field is None:
            field = next((f for f in model.fields if f.alias == key), None)
            model = models.get(model.base.name) if field is None and model.base is not None else None
        if field is None:
            raise _Wrong(where, f"no field {key!r} at {'.'.join(attributes) or 'the top'} of the response")
        attributes.append(field.name)
        tp = field.type
    return tuple(attributes), tp
