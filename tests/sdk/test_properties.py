"""Property-based round trip: any document the spec's own schema allows survives the SDK.

Documents come from hypothesis-jsonschema's ``from_schema`` applied to the spec's schema for
``PipelineMetricsRes`` / ``HTTPValidationError`` (``components.schemas`` copied into ``$defs``;
see ``_schema_tools.document_schema``). Each one is serialised with ``json.dumps``, parsed by
the SDK in strict JSON mode, dumped back, and must be identical to the document: same values,
same Python types (int is not float, bool is not int), same key order once the document's
keys are put in the order the SDK dumps them (declared properties in schema order, then unknown
keys in arrival order; see ``order_like_schema``: JSON objects are unordered, so that order is
a presentation choice, not data loss).

hypothesis-jsonschema 0.23.1 needs a compatibility shim for the pinned Hypothesis (see
``_schema_tools``); without it no object schema can be generated at all.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import assert_json_identical

import streamkap
from streamkap.models import HTTPValidationError, PipelineMetricsRes

from ._schema_tools import (
    HYPOTHESIS,
    document_schema,
    from_schema,
    metrics_documents,
    order_like_schema,
    spec_validator,
)

# The parser operations use, in strict mode: a document that does not match raises.
STRICT = streamkap.Streamkap(token="t", base_url="http://x", strict_response_validation=True)

METRICS_SCHEMA = document_schema("PipelineMetricsRes")
ERROR_SCHEMA = document_schema("HTTPValidationError")
METRICS_VALID = spec_validator("PipelineMetricsRes")
ERROR_VALID = spec_validator("HTTPValidationError")

N_METRICS = 300
N_ERRORS = 300
N_DEEP = 500

# How many documents each property really checked (asserted at the end of each test).
CHECKED: dict[str, set[str]] = {"metrics": set(), "errors": set(), "deep": set()}


def _round_trip(model: Any, schema: dict[str, Any], document: Any) -> None:
    raw = json.dumps(document).encode()
    expected = order_like_schema(document, schema, schema)
    parsed = model.from_json(raw)
    assert_json_identical(parsed.to_dict(), expected)
    assert_json_identical(json.loads(parsed.to_json()), expected)
    # The parser the operation uses gives the same model.
    response = httpx.Response(200, content=raw, request=httpx.Request("POST", "http://x"))
    via_client = STRICT._parse(model, response)
    assert type(via_client) is model
    assert_json_identical(via_client.to_dict(), expected)
    # Dumping is a fixed point: parsing the dump gives the dump back.
    assert_json_identical(
        model.from_json(parsed.to_json()).to_dict(), expected
    )


@settings(max_examples=N_METRICS, **HYPOTHESIS)
@given(from_schema(METRICS_SCHEMA))
def _metrics_property(document: Any) -> None:
    assert METRICS_VALID.is_valid(document)  # the generator keeps to the spec
    _round_trip(PipelineMetricsRes, METRICS_SCHEMA, document)
    CHECKED["metrics"].add(json.dumps(document, sort_keys=True))


@settings(max_examples=N_ERRORS, **HYPOTHESIS)
@given(from_schema(ERROR_SCHEMA))
def _errors_property(document: Any) -> None:
    assert ERROR_VALID.is_valid(document)
    _round_trip(HTTPValidationError, ERROR_SCHEMA, document)
    CHECKED["errors"].add(json.dumps(document, sort_keys=True))


@settings(max_examples=N_DEEP, **HYPOTHESIS)
@given(metrics_documents())
def _deep_metrics_property(document: Any) -> None:
    assert METRICS_VALID.is_valid(document)  # the hand-written strategy keeps to the spec
    _round_trip(PipelineMetricsRes, METRICS_SCHEMA, document)
    CHECKED["deep"].add(json.dumps(document, sort_keys=True))


def test_pipeline_metrics_res_round_trips_any_valid_document() -> None:
    CHECKED["metrics"].clear()
    _metrics_property()
    # Distinct documents really checked (Hypothesis may repeat a few).
    assert len(CHECKED["metrics"]) >= 0.8 * N_METRICS


def test_http_validation_error_round_trips_any_valid_document() -> None:
    CHECKED["errors"].clear()
    _errors_property()
    assert len(CHECKED["errors"]) >= 0.8 * N_ERRORS


def test_pipeline_metrics_res_round_trips_deep_documents() -> None:
    # Leaves hypothesis-jsonschema hardly reaches: timeseries entries, JSON ints and integral
    # floats in int|float and number|string slots, big ints, unknown keys at every level.
    CHECKED["deep"].clear()
    _deep_metrics_property()
    assert len(CHECKED["deep"]) >= 0.8 * N_DEEP


def test_order_like_schema_reorders_declared_keys_only() -> None:
    # The normalisation used above, on a hand-made case: declared keys of each object come
    # first in schema order, unknown keys keep their order, map keys are left alone.
    document = {
        "zzz": 1,
        "task_metrics": {
            "b": {"x": {"extra": 1, "latest": {"status": "s", "latency": 1}}},
            "a": {},
        },
        "account_metrics": None,
    }
    assert list(order_like_schema(document, METRICS_SCHEMA, METRICS_SCHEMA)) == [
        "account_metrics",
        "task_metrics",
        "zzz",
    ]
    reordered = order_like_schema(document, METRICS_SCHEMA, METRICS_SCHEMA)
    assert list(reordered["task_metrics"]) == ["b", "a"]
    assert list(reordered["task_metrics"]["b"]["x"]) == ["latest", "extra"]
    assert list(reordered["task_metrics"]["b"]["x"]["latest"]) == ["latency", "status"]
    # ... and that is what the SDK does.
    parsed = PipelineMetricsRes.from_json(json.dumps(document))
    assert_json_identical(parsed.to_dict(), reordered)


# --- the request side: ids as any list of strings goes into the JSON body unchanged -----------
def _sent_body(**kwargs: Any) -> Any:
    import streamkap

    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    client = streamkap.Streamkap(
        token="t",
        base_url="http://test",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    client.pipelines.search_pipelines_metrics(**kwargs)
    (request,) = sent
    assert request.url.params.get("ids") is None and request.url.params.get("tenant_ids") is None
    return json.loads(request.read())


@settings(max_examples=200, **HYPOTHESIS)
@given(
    ids=st.lists(st.text()),
    as_tuple=st.booleans(),
    tenant_ids=st.one_of(st.none(), st.text(), st.lists(st.text(), max_size=5)),
)
def test_ids_any_list_of_strings_round_trips_into_body(
    ids: list[str], as_tuple: bool, tenant_ids: Any
) -> None:
    body = _sent_body(ids=tuple(ids) if as_tuple else ids, tenant_ids=tenant_ids)
    assert_json_identical(body, {"ids": ids, "tenant_ids": tenant_ids})
