"""The exact request each call of ``search_pipelines_metrics`` sends, against golden files.

Each case of ``CASES`` is called through the sync client over ``httpx.MockTransport``; the
captured request is compared with ``tests/fixtures/requests/<case>.json``. The golden files are
written by this module: ``UPDATE_GOLDEN=1 pytest tests/sdk/test_requests.py`` rewrites them
(review the diff!); without it a missing or different file fails. Every case also goes
through the async client, which must send byte-identical requests.

What the spec asks of these requests (and the golden files were reviewed against):
- POST /pipelines/metrics; the query parameters form-encoded, in the order given;
- ``ids`` and ``tenant_ids`` are both query parameters and request body properties: the SDK
  sends them in the JSON body only (the body takes precedence on the server anyway);
- nothing the caller did not pass is sent: no argument → no query, no body, no Content-Type;
- ``None`` for a query parameter leaves it out; ``None`` for a body property is JSON ``null``;
- date-times go out in ISO 8601, UTC as ``Z``;
- ``Authorization: Bearer <token>`` (checked separately: it is left out of the golden files).
"""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import urllib.parse
from typing import Any

import httpx
import pytest

from conftest import FIXTURES

import streamkap

GOLDEN = FIXTURES / "requests"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
TOKEN = "sk-test-token"

# Headers that depend on the transport, the machine or the credentials, not on the call.
VARYING_HEADERS = {
    "authorization",
    "user-agent",
    "host",
    "content-length",
    "accept-encoding",
    "connection",
}

UTC = datetime.timezone.utc
PLUS_2 = datetime.timezone(datetime.timedelta(hours=2))

CASES: dict[str, dict[str, Any]] = {
    "no_arguments": {},
    "id_renamed": {"id_": "pl-123"},
    "from_renamed_string": {"from_": "cursor-abc"},
    "from_renamed_int": {"from_": 40},
    "integer_query_params": {
        "topic_list_from": 0,
        "topic_list_size": 25,
        "size": 50,
        "page": 2,
        "time_interval": 5,
    },
    "string_query_params": {
        "level": "connector",
        "page": "last",
        "time_unit": "minute",
        "time_interval": "5",
        "time_type": "timeseries",
        "snapshot": "running",
        "sort": "name",
    },
    "sort_dir_asc": {"sort": "latency", "sort_dir": "asc"},
    "sort_dir_desc": {"sort_dir": "desc"},
    "timestamps_aware_utc": {
        "timestamp_from": datetime.datetime(2025, 1, 15, 9, 0, tzinfo=UTC),
        "timestamp_to": datetime.datetime(2025, 1, 15, 10, 0, 0, 250000, tzinfo=UTC),
    },
    "timestamp_to_plus_0200": {
        "timestamp_to": datetime.datetime(2025, 1, 15, 12, 0, tzinfo=PLUS_2)
    },
    "timestamp_to_string": {"timestamp_to": "2025-01-15T10:00:00Z"},
    "ids_list": {"ids": ["pl-1", "pl-2", "pl-3"]},
    "ids_tuple": {"ids": ("pl-1", "pl-2", "pl-3")},
    "ids_comma_separated_string": {"ids": "pl-1,pl-2,pl-3"},
    "ids_none_is_json_null": {"ids": None},
    "ids_empty_list": {"ids": []},
    "tenant_ids_list": {"tenant_ids": ["t-1", "t-2"]},
    "tenant_ids_string_with_ids_list": {"ids": ["pl-1"], "tenant_ids": "t-1,t-2"},
    "none_query_params_are_omitted": {
        "id_": None,
        "topic_list_from": None,
        "from_": None,
        "size": None,
        "page": None,
        "timestamp_to": None,
        "sort_dir": None,
    },
    "none_mixed_with_values": {"id_": None, "level": "task", "size": None, "page": 1},
    "reserved_characters_are_encoded": {
        "id_": "a b&c=d/é?#+%",
        "sort": "+name",
        "ids": ["ü/€", 'quote"back\\slash'],
    },
    "extra_headers_query_body": {
        "level": "topic",
        "extra_headers": {"X-Trace-Id": "trace-1", "X-Feature": "on"},
        "extra_query": {
            "debug": True,
            "verbose": False,
            "skipped": None,
            "n": 3,
            "multi": ["a", "b"],
        },
        "extra_body": {"custom": {"nested": [1, 2.5, None, True]}, "ids": ["from-extra-body"]},
        "ids": ["from-argument"],
    },
    "extra_body_alone_makes_a_body": {"extra_body": {"anything": "goes"}},
    "all_parameters": {
        "id_": "pl-9",
        "topic_list_from": 10,
        "topic_list_size": 20,
        "from_": "k-1",
        "size": 100,
        "level": "connector",
        "page": 3,
        "timestamp_to": datetime.datetime(2025, 1, 15, 10, 0, tzinfo=UTC),
        "timestamp_from": "2025-01-15T09:00:00Z",
        "time_unit": "hour",
        "time_interval": 1,
        "time_type": "latest",
        "snapshot": "done",
        "sort": "name",
        "sort_dir": "asc",
        "ids": ["pl-9", "pl-10"],
        "tenant_ids": ["t-1"],
    },
}


def _capture(
    kwargs: dict[str, Any], *, client_kwargs: dict[str, Any] | None = None
) -> httpx.Request:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    client = streamkap.Streamkap(
        **{"token": TOKEN, "base_url": "http://test", **(client_kwargs or {})},
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    result = client.pipelines.search_pipelines_metrics(**kwargs)
    assert result.to_dict() == {}
    assert len(sent) == 1
    return sent[0]


def _capture_async(kwargs: dict[str, Any]) -> httpx.Request:
    sent: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        await request.aread()
        sent.append(request)
        return httpx.Response(200, json={})

    async def call() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            client = streamkap.AsyncStreamkap(token=TOKEN, base_url="http://test", http_client=http)
            result = await client.pipelines.search_pipelines_metrics(**kwargs)
            assert result.to_dict() == {}

    asyncio.run(call())
    assert len(sent) == 1
    return sent[0]


def describe(request: httpx.Request) -> dict[str, Any]:
    """The golden-file form of a request."""
    content = request.read()
    return {
        "method": request.method,
        "path": request.url.path,
        "query": [
            [k, v]
            for k, v in urllib.parse.parse_qsl(
                request.url.query.decode("ascii"), keep_blank_values=True
            )
        ],
        "headers": {
            name.lower(): value
            for name, value in request.headers.multi_items()
            if name.lower() not in VARYING_HEADERS
        },
        "body": json.loads(content) if content else None,
    }


def _golden_text(description: dict[str, Any]) -> str:
    return json.dumps(description, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("case", sorted(CASES))
def test_request_matches_golden(case: str) -> None:
    description = describe(_capture(CASES[case]))
    path = GOLDEN / f"{case}.json"
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_text(_golden_text(description), encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with UPDATE_GOLDEN=1 and review it"
    assert json.loads(path.read_text(encoding="utf-8")) == description
    assert path.read_text(encoding="utf-8") == _golden_text(description)  # also key order


def test_no_stale_golden_files() -> None:
    assert len(CASES) >= 12
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == sorted(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_async_client_sends_the_identical_request(case: str) -> None:
    sync, async_ = _capture(CASES[case]), _capture_async(CASES[case])
    assert async_.method == sync.method
    assert str(async_.url) == str(sync.url)
    assert async_.headers.multi_items() == sync.headers.multi_items()
    assert async_.read() == sync.read()


# --- rules the golden files rely on, asserted directly ------------------------------------------
def test_every_case_sends_post_to_the_operation_path_with_bearer_token() -> None:
    for kwargs in CASES.values():
        request = _capture(kwargs)
        assert request.method == "POST"
        assert request.url.host == "test" and request.url.path == "/pipelines/metrics"
        assert request.headers.get_list("authorization") == [f"Bearer {TOKEN}"]
        assert request.headers["accept"] == "application/json"


def test_no_arguments_sends_nothing_but_the_call() -> None:
    request = _capture({})
    assert request.url.query == b""
    assert request.read() == b""
    assert "content-type" not in request.headers


def test_ids_and_tenant_ids_go_in_the_body_only() -> None:
    request = _capture({"ids": ["a", "b"], "tenant_ids": "t", "size": 1})
    params = request.url.params
    assert "ids" not in params and "tenant_ids" not in params
    assert list(params.multi_items()) == [("size", "1")]
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.read()) == {"ids": ["a", "b"], "tenant_ids": "t"}


def test_tuple_list_and_string_ids() -> None:
    body = lambda kwargs: json.loads(_capture(kwargs).read())  # noqa: E731
    assert body({"ids": ("x", "y")}) == body({"ids": ["x", "y"]}) == {"ids": ["x", "y"]}
    assert body({"ids": "x,y"}) == {"ids": "x,y"}
    assert body({"ids": None}) == {"ids": None}


def test_datetimes_are_iso_8601_with_z_for_utc() -> None:
    def sent(value: Any) -> str:
        return _capture({"timestamp_to": value}).url.params["timestamp_to"]

    assert sent(datetime.datetime(2025, 1, 15, 10, 0, tzinfo=UTC)) == "2025-01-15T10:00:00Z"
    assert sent(datetime.datetime(2025, 1, 15, 12, 0, tzinfo=PLUS_2)) == "2025-01-15T12:00:00+02:00"
    assert sent("2025-01-15T10:00:00Z") == "2025-01-15T10:00:00Z"
    # "+" must be percent-encoded, or the server reads the offset as " 02:00".
    raw = _capture({"timestamp_to": datetime.datetime(2025, 1, 15, 12, 0, tzinfo=PLUS_2)}).url.query
    assert raw == b"timestamp_to=2025-01-15T12%3A00%3A00%2B02%3A00"


def test_a_naive_datetime_is_refused_before_anything_is_sent() -> None:
    sent: list[httpx.Request] = []
    client = streamkap.Streamkap(
        token=TOKEN,
        base_url="http://test",
        http_client=httpx.Client(transport=httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200, json={}))),
    )
    with pytest.raises(ValueError, match="no timezone"):
        client.pipelines.search_pipelines_metrics(timestamp_to=datetime.datetime(2025, 1, 15, 10, 0))
    assert sent == []


def test_none_query_values_are_omitted_and_booleans_are_lowercase() -> None:
    request = _capture({"size": None, "extra_query": {"flag": True, "off": False, "gone": None}})
    assert list(request.url.params.multi_items()) == [("flag", "true"), ("off", "false")]
    assert request.read() == b""


def test_extra_headers_override_defaults() -> None:
    request = _capture({"extra_headers": {"Accept": "application/x-ndjson"}})
    assert request.headers.get_list("accept") == ["application/x-ndjson"]


# --- credentials and base URL from the environment --------------------------------------------
def test_token_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STREAMKAP_API_TOKEN", "env-token")
    request = _capture({}, client_kwargs={"token": None})
    assert request.headers["authorization"] == "Bearer env-token"


def test_explicit_token_wins_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STREAMKAP_API_TOKEN", "env-token")
    assert _capture({}).headers["authorization"] == f"Bearer {TOKEN}"


def test_no_token_sends_no_authorization(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STREAMKAP_API_TOKEN", raising=False)
    assert "authorization" not in _capture({}, client_kwargs={"token": None}).headers


def test_base_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STREAMKAP_BASE_URL", "https://env.example:8443/api/v2/")
    request = _capture({"size": 1}, client_kwargs={"base_url": None})
    assert str(request.url) == "https://env.example:8443/api/v2/pipelines/metrics?size=1"


def test_default_base_url_is_the_spec_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STREAMKAP_BASE_URL", raising=False)
    request = _capture({}, client_kwargs={"base_url": None})
    assert str(request.url) == "https://api.streamkap.com/pipelines/metrics"
