"""How the IR build and render grow with the size of one part of a spec: each shape built at ``n``
and at ``4 n`` in the same run; the ratio is about 4 when the work is linear, 16 when quadratic.

    .venv/bin/python bench/scaling.py [--n N] [--only SHAPE ...]

Shapes (each a spec made here): many operations in one tag, many tags, one model with many
properties, an enum with many values, an operation with many query parameters, a discriminated
union of many components, an inline ``anyOf`` of many objects, many components whose names differ
only in case, many inline objects that want the same name, an allOf chain of ``n / 25`` levels.
A quadratic step shows up as a ratio far above 4. This script found five, since fixed: the enum's
duplicate check, union flattening, the discriminator's member list, each hoisted name looked up
among every name taken, and each tag scanning every operation (an enum of 16,000 values took
4.3 s; a union of 4,000 inline objects 7.7 s).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.api import build_api  # noqa: E402
from generator.config import Config  # noqa: E402
from generator.load import load  # noqa: E402
from generator.render import render  # noqa: E402

Spec = tuple[dict[str, Any], dict[str, Any]]  # paths, component schemas


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _ok(schema: dict[str, Any] | None = None) -> dict[str, Any]:
    if schema is None:
        return {"200": {"description": "ok"}}
    return {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}


def _object(*names: str) -> dict[str, Any]:
    return {"type": "object", "properties": {n: {"type": "string"} for n in names}}


def operations_in_one_tag(n: int) -> Spec:
    return {f"/t/{i}": {"get": {"operationId": f"op{i}", "tags": ["one"], "responses": _ok(_object("id"))}} for i in range(n)}, {}


def tags(n: int) -> Spec:
    return {f"/t/{i}": {"get": {"operationId": f"op{i}", "tags": [f"tag{i}"], "responses": _ok()}} for i in range(n)}, {}


def wide_model(n: int) -> Spec:
    paths = {"/w": {"get": {"operationId": "w", "responses": _ok(_ref("Wide"))}}}
    return paths, {"Wide": _object(*(f"p{i}" for i in range(n)))}


def enum(n: int) -> Spec:
    return {}, {"E": {"type": "string", "enum": [f"v{i}" for i in range(n)]}}


def query_parameters(n: int) -> Spec:
    parameters = [{"name": f"q{i}", "in": "query", "schema": {"type": "string"}} for i in range(n)]
    return {"/p": {"get": {"operationId": "p", "parameters": parameters, "responses": _ok()}}}, {}


def discriminated_union(n: int) -> Spec:
    schemas: dict[str, Any] = {
        f"B{i}": {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}}} for i in range(n)
    }
    mapping = {f"b{i}": _ref(f"B{i}")["$ref"] for i in range(n)}
    schemas["U"] = {"oneOf": [_ref(f"B{i}") for i in range(n)], "discriminator": {"propertyName": "kind", "mapping": mapping}}
    return {"/u": {"get": {"operationId": "u", "responses": _ok(_ref("U"))}}}, schemas


def inline_union(n: int) -> Spec:
    return {}, {"U": {"anyOf": [{**_object(f"p{i}"), "required": [f"p{i}"]} for i in range(n)]}}


def names_differing_in_case(n: int) -> Spec:
    return {}, {name: _object("a") for i in range(n) for name in (f"Item{i}", f"item{i}")}


def inline_objects_wanting_one_name(n: int) -> Spec:
    return {}, {f"C{i}": {"type": "object", "properties": {"meta": {"title": "Meta", **_object("x")}}} for i in range(n)}


def all_of_chain(n: int) -> Spec:
    """``n / 25`` levels (under the generator's cap of 200): each level holds every property above
    it, so this one is quadratic by nature."""
    schemas: dict[str, Any] = {"C0": _object("p0")}
    for i in range(1, max(2, min(n // 25, 199))):
        schemas[f"C{i}"] = {"allOf": [_ref(f"C{i - 1}"), _object(f"p{i}")]}
    return {}, schemas


SHAPES: dict[str, Callable[[int], Spec]] = {
    f.__name__: f
    for f in (
        operations_in_one_tag, tags, wide_model, enum, query_parameters, discriminated_union,
        inline_union, names_differing_in_case, inline_objects_wanting_one_name, all_of_chain,
    )
}  # fmt: skip


def _time(shape: Callable[[int], Spec], n: int, folder: Path) -> float:
    paths, schemas = shape(n)
    document = {"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": paths, "components": {"schemas": schemas}}
    spec = folder / f"{shape.__name__}_{n}.json"
    spec.write_bytes(json.dumps(document).encode())
    config = Config(spec=spec, out=folder / "out", package="scaled", client="Client")
    loaded = load(spec, validated_sha256=hashlib.sha256(spec.read_bytes()).hexdigest())  # our checks, not the validator
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        render(build_api(loaded)[0], config)
        best = min(best, time.perf_counter() - started)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="the smaller size (default 1000; the larger is 4 n)")
    parser.add_argument("--only", action="append", default=[], choices=sorted(SHAPES), help="this shape only; repeatable")
    args = parser.parse_args(argv)
    print(f"{'shape':34s} {'n':>6s} {'IR + render':>12s} {'4 n':>6s} {'IR + render':>12s} {'ratio':>7s}")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.only or SHAPES:
            small = _time(SHAPES[name], args.n, Path(tmp))
            large = _time(SHAPES[name], 4 * args.n, Path(tmp))
            print(f"{name:34s} {args.n:6d} {small:11.3f}s {4 * args.n:6d} {large:11.3f}s {large / small:6.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
