"""Helpers shared by the SDK test modules: the spec's schemas as JSON Schema documents,
document generation with hypothesis-jsonschema, and walking a document along its schema.

Not a test module (no ``test_`` prefix); imported by test_properties.py and test_oracle.py.
"""

from __future__ import annotations

import copy
import types
from collections.abc import Iterator
from typing import Any

import jsonschema
from hypothesis import HealthCheck
from hypothesis.internal.conjecture import utils as _cu
from hypothesis_jsonschema import _from_schema as _hj_from_schema
from hypothesis_jsonschema import from_schema
from hypothesis_jsonschema._encode import encode_canonical_json

from conftest import SPEC, load_json

__all__ = [
    "HYPOTHESIS",
    "JSON",
    "document_schema",
    "from_schema",
    "json_types_at",
    "metrics_documents",
    "order_like_schema",
    "spec_validator",
    "subschema_at",
]

JSON = Any

# Deterministic, fast, no example database on disk, no flaky deadlines.
HYPOTHESIS: dict[str, Any] = dict(
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

_REF_PREFIX = "#/components/schemas/"


# --- hypothesis-jsonschema compatibility shim ---------------------------------------------------
# hypothesis-jsonschema 0.23.1 (the newest release) drives Hypothesis' private
# ``conjecture.utils.many`` with the old ``while elements.more(): ...`` protocol. The pinned
# Hypothesis 6.170.15 replaced it by ``with many(...) as elements: for _ in elements: ...``, so
# every object schema with properties dies with "AttributeError: 'many' object has no attribute
# 'more'". This adapter offers the old protocol on top of the new class, and is installed only
# into hypothesis-jsonschema's own module (Hypothesis itself is untouched) and only when needed.
class _ManyCompat:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._many = _cu.many(*args, **kwargs)
        self._many.__enter__()
        self._iterator: Iterator[None] = iter(self._many)

    def more(self) -> bool:
        try:
            next(self._iterator)
        except StopIteration:
            self._many.__exit__(None, None, None)
            return False
        return True

    def reject(self, why: str | None = None) -> None:
        self._many.reject(why)


if not hasattr(_cu.many, "more"):
    _hj_from_schema.cu = types.SimpleNamespace(many=_ManyCompat)  # type: ignore[assignment]


# hypothesis-jsonschema rebuilds (and re-canonicalises) the strategy of every object property
# at every draw: ~35 s for 300 PipelineMetricsRes documents. Strategies are immutable values
# built from the schema alone, so building each one once is the same strategy, 4x faster.
def _memoised(build: Any) -> Any:
    cache: dict[tuple[str, int, int], Any] = {}

    def memo(schema: Any, *, alphabet: Any, custom_formats: Any) -> Any:
        key = (encode_canonical_json(schema), id(alphabet), id(custom_formats))
        if key not in cache:
            cache[key] = build(schema, alphabet=alphabet, custom_formats=custom_formats)
        return cache[key]

    memo.__wrapped__ = build  # type: ignore[attr-defined]
    return memo


for _name in ("merged_as_strategies", "__from_schema"):
    if not hasattr(getattr(_hj_from_schema, _name), "__wrapped__"):
        setattr(_hj_from_schema, _name, _memoised(getattr(_hj_from_schema, _name)))


# --- the spec's schemas as JSON Schema 2020-12 documents ----------------------------------------
def _rewrite_refs(node: JSON) -> JSON:
    if isinstance(node, dict):
        return {
            key: (
                value.replace(_REF_PREFIX, "#/$defs/", 1)
                if key == "$ref" and isinstance(value, str)
                else _rewrite_refs(value)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(value) for value in node]
    return node


def document_schema(name: str, spec: dict[str, Any] | None = None) -> dict[str, Any]:
    """A standalone JSON Schema (2020-12) for ``components.schemas[name]`` of the spec.

    The spec is OpenAPI 3.1, whose Schema Objects are JSON Schema 2020-12: copying
    ``components.schemas`` into ``$defs`` and pointing the refs there is all it takes.
    """
    spec = load_json(SPEC) if spec is None else spec
    defs = _rewrite_refs(copy.deepcopy(spec["components"]["schemas"]))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$defs": defs,
        "$ref": f"#/$defs/{name}",
    }


def spec_validator(name: str) -> jsonschema.protocols.Validator:
    """The spec itself, as a validator: the ground truth of what a valid document is."""
    schema = document_schema(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


# --- walking a document along its schema -------------------------------------------------------
_JSON_TYPE = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}


def _json_type(value: JSON) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list, str)):
        return _JSON_TYPE[type(value)]
    if isinstance(value, int):
        return "integer"
    return "number"


def _resolve(schema: JSON, root: dict[str, Any]) -> JSON:
    while isinstance(schema, dict) and "$ref" in schema:
        pointer = schema["$ref"]
        assert pointer.startswith("#/$defs/"), pointer
        schema = root["$defs"][pointer[len("#/$defs/") :]]
    return schema


def _branch_for(value: JSON, schema: JSON, root: dict[str, Any]) -> JSON:
    """The subschema that governs ``value``: through $ref, and the anyOf branch of its JSON type.

    Every anyOf in this spec has branches of distinct JSON types (number/integer aside), so
    the branch is found by type; ``None`` when no branch fits (an invalid document).
    """
    schema = _resolve(schema, root)
    if not isinstance(schema, dict):
        return schema
    if "anyOf" in schema:
        kind = _json_type(value)
        for branch in schema["anyOf"]:
            branch = _resolve(branch, root)
            allowed = branch.get("type") if isinstance(branch, dict) else None
            allowed = [allowed] if isinstance(allowed, str) else allowed
            if allowed is None or kind in allowed or (kind == "integer" and "number" in allowed):
                return branch
        return None
    return schema


def order_like_schema(value: JSON, schema: JSON, root: dict[str, Any]) -> JSON:
    """``value`` with every object's keys in the order the SDK dumps them.

    The SDK's models dump declared properties in schema order, then unknown (additional)
    keys in the order they came. JSON objects are unordered, so a document whose keys come
    in another order is still round-tripped correctly; to compare with ``assert_json_identical``
    (which checks key order) the generated document is first reordered the same way: declared
    keys first in schema ``properties`` order, then the others in their original order. Maps
    (``additionalProperties`` only) keep their order. Nothing else changes.
    """
    schema = _branch_for(value, schema, root)
    if isinstance(value, dict):
        schema = schema if isinstance(schema, dict) else {}
        declared = schema.get("properties", {})
        extra_schema = schema.get("additionalProperties", True)
        keys = [k for k in declared if k in value] + [k for k in value if k not in declared]
        return {
            k: order_like_schema(value[k], declared[k] if k in declared else extra_schema, root)
            for k in keys
        }
    if isinstance(value, list):
        items = schema.get("items", True) if isinstance(schema, dict) else True
        return [order_like_schema(v, items, root) for v in value]
    return value


def subschema_at(document: JSON, path: tuple[Any, ...], root: dict[str, Any]) -> JSON:
    """The schema that governs ``document[path[0]][path[1]]...``, walking ``document``.

    The anyOf branch at each step is the one matching the node of ``document`` on the path
    (the unmutated document), so the result is the schema of the *slot*, unresolved at the end.
    """
    schema: JSON = root
    node = document
    for step in path:
        branch = _branch_for(node, schema, root)
        if isinstance(node, dict):
            declared = branch.get("properties", {})
            schema = (
                declared[step] if step in declared else branch.get("additionalProperties", True)
            )
        else:
            schema = branch.get("items", True)
        node = node[step]
    return schema


def json_types_at(schema: JSON, root: dict[str, Any]) -> set[str]:
    """The JSON types a slot with this schema admits ({"any"} when unconstrained)."""
    schema = _resolve(schema, root)
    if schema is True or (
        isinstance(schema, dict) and "type" not in schema and "anyOf" not in schema
    ):
        return {"any"}
    if "anyOf" in schema:
        return set().union(*(json_types_at(b, root) for b in schema["anyOf"]))
    kind = schema["type"]
    return {kind} if isinstance(kind, str) else set(kind)


# --- a hand-written strategy for deep PipelineMetricsRes documents ---------------------------
# hypothesis-jsonschema rarely reaches the leaves (in 300 documents: ~7 timeseries entries) and
# canonicalises {"anyOf": [{"type": "integer"}, {"type": "number"}]} to {"type": "number"},
# for which it draws only floats: the int branches of TimeseriesEntry.value and of latency
# never occur. This strategy follows the same schemas by hand, always going deep, with JSON
# ints and floats (integral ones included) in every number slot. The tests check its output
# against the spec with jsonschema, so it cannot drift from the spec unnoticed.
def metrics_documents() -> Any:
    from hypothesis import strategies as st

    json_scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(),
    )
    json_values = st.recursive(
        json_scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
        max_leaves=6,
    )
    numbers = st.one_of(
        st.integers(),
        st.integers(-(2**80), 2**80),
        st.floats(allow_nan=False, allow_infinity=False),
        st.integers(-(2**53), 2**53).map(float),  # integral floats: 5.0 must stay 5.0
    )

    def with_extras(declared: dict[str, Any], required: dict[str, Any] | None = None) -> Any:
        known = set(declared) | set(required or {})
        base = st.fixed_dictionaries(required or {}, optional=declared)
        extras = st.dictionaries(
            st.text(max_size=8).filter(lambda k: k not in known), json_values, max_size=2
        )
        return st.tuples(base, extras).map(lambda pair: {**pair[0], **pair[1]})

    entry = with_extras({}, {"value": numbers, "timestamp": st.text(max_size=25)})
    series = st.lists(entry, max_size=4)
    timeseries = with_extras({"latency": series, "recordsLag": series, "status": series})
    int_or_str = st.one_of(st.none(), st.integers(), st.text(max_size=8))
    latest = with_extras(
        {
            "latency": st.one_of(st.none(), numbers, st.text(max_size=8)),
            "recordsLag": int_or_str,
            "status": st.one_of(st.none(), st.text(max_size=8)),
        }
    )
    timesummary = with_extras(
        {
            "latency": st.one_of(st.none(), numbers, st.text(max_size=8)),
            "recordsLag": int_or_str,
            "status": int_or_str,
        }
    )
    base = with_extras(
        {
            "timeseries": st.none() | timeseries,
            "latest": st.none() | latest,
            "timesummary": st.none() | timesummary,
        }
    )
    flat = st.none() | st.dictionaries(st.text(max_size=12), base, max_size=3)
    nested = st.none() | st.dictionaries(
        st.text(max_size=12), st.dictionaries(st.text(max_size=12), base, max_size=2), max_size=2
    )
    return with_extras(
        {
            "account_metrics": flat,
            "connector_metrics": flat,
            "inline_metrics": flat,
            "task_metrics": nested,
            "topic_metrics": nested,
        }
    )
