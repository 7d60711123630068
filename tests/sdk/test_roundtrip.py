"""Every response fixture survives parse → dump unchanged: values, JSON types and key order.

Checked four ways for each file: the model API (``from_json``: ``model_validate_json(strict=True, by_name=False)``) then
``model_dump``/``to_dict``/``to_json``), the SDK's response parser (``BaseClient._parse``, strict), and
a full sync and async call of the operation over ``httpx.MockTransport``. The 422 fixtures
also go through the error path: ``UnprocessableEntityError.body`` is the parsed model.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pydantic
import pytest

from conftest import FIXTURES, assert_json_identical

import streamkap
from streamkap.models import (
    HTTPValidationError,
    PipelineBaseMetrics,
    PipelineLatestMetrics,
    PipelineMetricsRes,
    PipelineTimeseriesMetrics,
    PipelineTimesummaryMetrics,
    TimeseriesEntry,
    ValidationError,
)

# The parser operations use, in strict mode: a document that does not match raises.
STRICT = streamkap.Streamkap(token="t", base_url="http://x", strict_response_validation=True)

RESPONSES = FIXTURES / "responses"
METRICS_FILES = sorted((RESPONSES / "pipeline_metrics_res").glob("*.json"))
ERROR_FILES = sorted((RESPONSES / "http_validation_error").glob("*.json"))


def test_fixture_sets_are_present() -> None:
    # The parametrisations below silently shrink if files go missing.
    assert len(METRICS_FILES) == 24
    assert len(ERROR_FILES) == 6


def _ids(paths: list[Path]) -> list[str]:
    return [p.name for p in paths]


def _respond(status: int, content: bytes) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=content, headers={"content-type": "application/json"})

    return handler


def _sync_call(status: int, content: bytes) -> Any:
    client = streamkap.Streamkap(
        token="t",
        base_url="http://test",
        http_client=httpx.Client(transport=httpx.MockTransport(_respond(status, content))),
    )
    return client.pipelines.search_pipelines_metrics()


def _async_call(status: int, content: bytes) -> Any:
    async def call() -> Any:
        async with httpx.AsyncClient(
            transport=httpx.MockTransport(_respond(status, content))
        ) as http:
            client = streamkap.AsyncStreamkap(token="t", base_url="http://test", http_client=http)
            return await client.pipelines.search_pipelines_metrics()

    return asyncio.run(call())


def _assert_round_trips(model: Any, expected: Any) -> None:
    assert_json_identical(
        model.model_dump(mode="json", by_alias=True, exclude_unset=True), expected
    )
    assert_json_identical(model.to_dict(), expected)
    assert_json_identical(json.loads(model.to_json()), expected)


def _assert_typed(obj: Any, doc: Any, where: str = "$") -> None:
    """The parsed object holds the document with Python types matching its JSON types.

    Objects of the document are models or dicts (never a model field left a raw dict), every
    declared key is reachable by its attribute, unknown keys sit in ``model_extra`` unchanged,
    and every scalar has the same Python type as ``json.loads`` gives (int stays int, float
    stays float, bool stays bool).
    """
    if isinstance(doc, dict):
        if isinstance(obj, pydantic.BaseModel):
            by_alias = {(f.alias or name): name for name, f in type(obj).model_fields.items()}
            extra = obj.model_extra or {}
            for key, value in doc.items():
                if key in by_alias:
                    _assert_typed(getattr(obj, by_alias[key]), value, f"{where}.{key}")
                else:
                    assert key in extra, f"{where}.{key}: unknown key not kept"
                    assert_json_identical(extra[key], value, f"{where}.{key}")
        else:
            assert type(obj) is dict, f"{where}: {type(obj).__name__}"
            assert list(obj) == list(doc), where
            for key, value in doc.items():
                _assert_typed(obj[key], value, f"{where}.{key}")
    elif isinstance(doc, list):
        assert type(obj) is list, f"{where}: {type(obj).__name__}"
        assert len(obj) == len(doc), where
        for i, (o, d) in enumerate(zip(obj, doc)):
            _assert_typed(o, d, f"{where}[{i}]")
    else:
        assert type(obj) is type(doc) and obj == doc, f"{where}: {obj!r} != {doc!r}"


def _assert_base_metrics(base: Any) -> None:
    assert isinstance(base, PipelineBaseMetrics)
    if base.timeseries is not None:
        assert isinstance(base.timeseries, PipelineTimeseriesMetrics)
        for series in (
            base.timeseries.latency,
            base.timeseries.records_lag,
            base.timeseries.status,
        ):
            assert isinstance(series, list)
            for entry in series:
                assert isinstance(entry, TimeseriesEntry)
                assert type(entry.value) in (int, float) and type(entry.timestamp) is str
    assert base.latest is None or isinstance(base.latest, PipelineLatestMetrics)
    assert base.timesummary is None or isinstance(base.timesummary, PipelineTimesummaryMetrics)


def _assert_metrics_models(res: PipelineMetricsRes) -> None:
    assert isinstance(res, PipelineMetricsRes)
    for flat in (res.account_metrics, res.connector_metrics, res.inline_metrics):
        for base in (flat or {}).values():
            _assert_base_metrics(base)
    for nested in (res.task_metrics, res.topic_metrics):
        for inner in (nested or {}).values():
            assert type(inner) is dict
            for base in inner.values():
                _assert_base_metrics(base)


# --- PipelineMetricsRes ----------------------------------------------------------------------
@pytest.mark.parametrize("path", METRICS_FILES, ids=_ids(METRICS_FILES))
def test_metrics_model_round_trip(path: Path) -> None:
    raw = path.read_bytes()
    expected = json.loads(raw)
    model = PipelineMetricsRes.from_json(raw)
    _assert_round_trips(model, expected)
    _assert_typed(model, expected)
    _assert_metrics_models(model)


@pytest.mark.parametrize("path", METRICS_FILES, ids=_ids(METRICS_FILES))
def test_metrics_response_parser_round_trip(path: Path) -> None:
    raw = path.read_bytes()
    response = httpx.Response(200, content=raw, request=httpx.Request("POST", "http://x"))
    model = STRICT._parse(PipelineMetricsRes, response)
    _assert_round_trips(model, json.loads(raw))


@pytest.mark.parametrize("path", METRICS_FILES, ids=_ids(METRICS_FILES))
def test_metrics_operation_round_trip_sync_and_async(path: Path) -> None:
    raw = path.read_bytes()
    expected = json.loads(raw)
    for result in (_sync_call(200, raw), _async_call(200, raw)):
        assert type(result) is PipelineMetricsRes
        _assert_round_trips(result, expected)
        _assert_typed(result, expected)


def test_realistic_fixture_typed_access() -> None:
    raw = (RESPONSES / "pipeline_metrics_res" / "19_realistic_metrics_response.json").read_bytes()
    doc = json.loads(raw)
    res = _sync_call(200, raw)

    source = res.connector_metrics["source_abc123"]
    source_doc = doc["connector_metrics"]["source_abc123"]
    assert isinstance(source, PipelineBaseMetrics)
    assert isinstance(source.timeseries, PipelineTimeseriesMetrics)
    assert isinstance(source.latest, PipelineLatestMetrics)
    assert isinstance(source.timesummary, PipelineTimesummaryMetrics)
    # The JSON name recordsLag is the attribute records_lag.
    assert source.latest.records_lag == source_doc["latest"]["recordsLag"]
    assert type(source.latest.records_lag) is int
    # latency is number|string: an integral JSON number stays an int, a fraction stays a float.
    assert type(source_doc["latest"]["latency"]) is int
    assert (
        type(source.latest.latency) is int
        and source.latest.latency == source_doc["latest"]["latency"]
    )
    assert type(source.timesummary.latency) is float
    assert source.timesummary.latency == source_doc["timesummary"]["latency"]
    entries = source.timeseries.latency
    assert [type(e) for e in entries] == [TimeseriesEntry] * len(
        source_doc["timeseries"]["latency"]
    )
    assert [(type(e.value), e.value) for e in entries] == [
        (type(d["value"]), d["value"]) for d in source_doc["timeseries"]["latency"]
    ]
    assert {type(e.value) for e in entries} == {int, float}  # this fixture has both branches
    assert entries[0].timestamp == source_doc["timeseries"]["latency"][0]["timestamp"]

    paused = res.connector_metrics["source_9f8e7d"]
    assert paused.latest.latency is None and paused.latest.status == "Paused"
    assert paused.timesummary.status == 0 and type(paused.timesummary.status) is int

    account_id = next(iter(doc["account_metrics"]))
    assert isinstance(res.account_metrics[account_id], PipelineBaseMetrics)
    assert type(res.account_metrics[account_id].timesummary.status) is int


def test_big_integers_are_exact() -> None:
    raw = (
        RESPONSES / "pipeline_metrics_res" / "12_big_integers_in_int_positions.json"
    ).read_bytes()
    res = PipelineMetricsRes.from_json(raw)
    values = [e.value for e in res.connector_metrics["source_big"].timeseries.latency]
    # Past 2**53 a float cannot hold these; past 2**63 / 2**64 neither can a machine integer.
    for big in (2**53 + 1, 2**64 + 1, -(2**63) - 1, 2**63, 123456789012345678901234567890):
        assert big in values and type(values[values.index(big)]) is int
    assert res.connector_metrics["source_big"].latest.records_lag == 2**53 + 1
    # ... and they go back out as the same digits.
    assert b"123456789012345678901234567890" in res.to_json().encode()
    assert b"18446744073709551617" in res.to_json().encode()


def test_integral_float_stays_float_in_int_or_float_union() -> None:
    raw = (
        RESPONSES / "pipeline_metrics_res" / "08_timeseries_value_int_and_float_branches.json"
    ).read_bytes()
    res = PipelineMetricsRes.from_json(raw)
    values = [e.value for e in res.connector_metrics["source_abc123"].timeseries.latency]
    assert (type(values[0]), values[0]) == (int, 5)
    assert (type(values[1]), values[1]) == (float, 5.0)
    assert '"value":5.0' in res.to_json() and '"value":5,' in res.to_json()


def test_unknown_keys_are_reachable() -> None:
    raw = (
        RESPONSES / "pipeline_metrics_res" / "21_extra_keys_python_reserved_names.json"
    ).read_bytes()
    doc = json.loads(raw)
    res = PipelineMetricsRes.from_json(raw)
    assert res.model_extra is not None
    assert_json_identical(res.model_extra["model_config"], doc["model_config"])
    assert_json_identical(res.model_extra["class"], doc["class"])
    # Unknown keys named like pydantic's own attributes do not shadow them.
    assert callable(res.model_dump) and isinstance(PipelineMetricsRes.model_config, dict)


# --- HTTPValidationError ----------------------------------------------------------------------
@pytest.mark.parametrize("path", ERROR_FILES, ids=_ids(ERROR_FILES))
def test_validation_error_model_round_trip(path: Path) -> None:
    raw = path.read_bytes()
    expected = json.loads(raw)
    model = HTTPValidationError.from_json(raw)
    _assert_round_trips(model, expected)
    _assert_typed(model, expected)
    for item in model.detail or []:
        assert isinstance(item, ValidationError)


@pytest.mark.parametrize("path", ERROR_FILES, ids=_ids(ERROR_FILES))
def test_validation_error_response_parser_round_trip(path: Path) -> None:
    raw = path.read_bytes()
    response = httpx.Response(422, content=raw, request=httpx.Request("POST", "http://x"))
    _assert_round_trips(STRICT._parse(HTTPValidationError, response), json.loads(raw))


@pytest.mark.parametrize("path", ERROR_FILES, ids=_ids(ERROR_FILES))
@pytest.mark.parametrize("call", [_sync_call, _async_call], ids=["sync", "async"])
def test_422_raises_with_parsed_body(path: Path, call: Any) -> None:
    raw = path.read_bytes()
    with pytest.raises(streamkap.UnprocessableEntityError) as info:
        call(422, raw)
    error = info.value
    assert isinstance(error, streamkap.APIStatusError)
    assert error.status_code == 422
    assert error.response.content == raw
    assert type(error.body) is HTTPValidationError
    _assert_round_trips(error.body, json.loads(raw))


def test_validation_error_typed_access() -> None:
    raw = (
        RESPONSES / "http_validation_error" / "06_unicode_bigint_and_nested_ctx.json"
    ).read_bytes()
    doc = json.loads(raw)
    first = HTTPValidationError.from_json(raw).detail[0]
    assert first.loc == doc["detail"][0]["loc"]
    assert [type(x) for x in first.loc] == [str, str, int]
    assert first.type_ == doc["detail"][0]["type"]  # "type" is the attribute type_
    assert first.input_ == 2**64 + 1 and type(first.input_) is int
    assert first.ctx["limit"] == -(2**63) - 1
    assert_json_identical(first.ctx, doc["detail"][0]["ctx"])


# --- unknown keys spelled like the Python attribute names --------------------------------------
# Every metrics schema has additionalProperties: true and ValidationError has no
# additionalProperties (so: any), so a key "records_lag" (the attribute of "recordsLag"),
# "type_" or "input_" is an unknown key like any other: the spec allows any value there, and
# the SDK must keep it, under its own name, next to the declared property.
PYTHON_NAME_KEYS = {
    "latest_records_lag_int": {"connector_metrics": {"c": {"latest": {"records_lag": 7}}}},
    "latest_records_lag_list": {"connector_metrics": {"c": {"latest": {"records_lag": [1]}}}},
    "timesummary_records_lag_object": {
        "inline_metrics": {"c": {"timesummary": {"status": 1, "records_lag": {"a": 1}}}}
    },
    "timeseries_records_lag_string": {
        "connector_metrics": {"c": {"timeseries": {"records_lag": "x"}}}
    },
    "validation_error_type_and_input": {
        "detail": [{"loc": ["body"], "msg": "m", "type": "t", "type_": 1, "input_": [2]}]
    },
}


@pytest.mark.parametrize("name", sorted(PYTHON_NAME_KEYS))
def test_unknown_key_named_like_attribute_round_trips(name: str) -> None:
    doc = PYTHON_NAME_KEYS[name]
    raw = json.dumps(doc).encode()
    if name.startswith("validation_error"):
        model: Any = HTTPValidationError.from_json(raw)
        with pytest.raises(streamkap.UnprocessableEntityError) as info:
            _sync_call(422, raw)
        assert type(info.value.body) is HTTPValidationError
        _assert_round_trips(info.value.body, doc)
    else:
        model = PipelineMetricsRes.from_json(raw)
        _assert_round_trips(_sync_call(200, raw), doc)
    _assert_round_trips(model, doc)


def test_attribute_name_does_not_stand_in_for_required_key() -> None:
    # "type" is required in ValidationError; "type_" is just an unknown key, so this
    # document is invalid per the spec and must not parse.
    raw = b'{"detail": [{"loc": [], "msg": "m", "type_": "t"}]}'
    with pytest.raises(pydantic.ValidationError):
        HTTPValidationError.from_json(raw)
