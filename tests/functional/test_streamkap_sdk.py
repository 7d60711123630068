"""The committed Streamkap SDK against a real HTTP server on 127.0.0.1, sync and async.

Every request the SDK sends is validated against the vendored spec with openapi-core; every
response path (2xx, documented and undocumented errors, transport failures, bad JSON) is checked
for the exception class and the data it carries.
"""

from __future__ import annotations

import asyncio
import copy
import datetime
import json
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from conftest import FIXTURES, assert_json_identical, load_json
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

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

TOKEN = "sk-live-7f3a9c1e5b2d4f60-SECRET"
PATH = "/pipelines/metrics"
MODES = ("sync", "async")

_OPENAPI_CACHE: dict[str, OpenAPI] = {}


# --------------------------------------------------------------------------------------- helpers


def _openapi(spec: dict[str, Any], server: HTTPServer) -> OpenAPI:
    """The spec with its server URL pointed at the test server, so paths match."""
    url = server.url_for("/").rstrip("/")
    if url not in _OPENAPI_CACHE:
        local = copy.deepcopy(spec)
        local["servers"] = [{"url": url}]
        _OPENAPI_CACHE[url] = OpenAPI.from_dict(local)
    return _OPENAPI_CACHE[url]


def _call(mode: str, base_url: str, *, client_kwargs: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """One ``search_pipelines_metrics`` call through a client used as a context manager."""
    options: dict[str, Any] = {"token": TOKEN, "base_url": base_url, **(client_kwargs or {})}
    if mode == "sync":
        with streamkap.Streamkap(**options) as client:
            return client.pipelines.search_pipelines_metrics(**kwargs)

    async def go() -> Any:
        async with streamkap.AsyncStreamkap(**options) as client:
            return await client.pipelines.search_pipelines_metrics(**kwargs)

    return asyncio.run(go())


def _only_request(server: HTTPServer) -> Request:
    assert len(server.log) == 1, [str(r.url) for r, _ in server.log]
    return server.log[0][0]


def _closed_port() -> int:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def _metrics_payload() -> dict[str, Any]:
    return {
        "account_metrics": {
            "acct-1": {
                "timeseries": {
                    "latency": [
                        {"value": 812.4, "timestamp": "2024-05-01T09:00:00Z"},
                        {"value": 640, "timestamp": "2024-05-01T09:05:00Z"},
                    ],
                    "recordsLag": [{"value": 12, "timestamp": "2024-05-01T09:00:00Z"}],
                    "status": [],
                },
                "latest": {"latency": 688.0, "recordsLag": "n/a", "status": "RUNNING"},
                "timesummary": {"latency": "slow", "recordsLag": 5, "status": 1},
            }
        },
        "connector_metrics": None,
        "task_metrics": {"src-1": {"0": {"latest": {"latency": 3, "recordsLag": 0, "status": None}}}},
        "topic_metrics": {},
        "unknown_top_level": {"kept": [1, 2]},
    }


# ------------------------------------------------------------------------ 200: typed nested models


@pytest.mark.parametrize("mode", MODES)
def test_200_returns_typed_nested_models(httpserver: HTTPServer, mode: str) -> None:
    payload = _metrics_payload()
    httpserver.expect_request(PATH, method="POST").respond_with_json(payload)

    assert httpserver.host == "127.0.0.1"
    res = _call(mode, httpserver.url_for(""), ids=["p-1"])

    httpserver.check_assertions()
    assert _only_request(httpserver).remote_addr == "127.0.0.1"
    assert type(res) is PipelineMetricsRes
    assert res.account_metrics is not None
    base = res.account_metrics["acct-1"]
    assert type(base) is PipelineBaseMetrics
    assert type(base.timeseries) is PipelineTimeseriesMetrics
    assert type(base.latest) is PipelineLatestMetrics
    assert type(base.timesummary) is PipelineTimesummaryMetrics

    latency = base.timeseries.latency
    assert [type(e) for e in latency] == [TimeseriesEntry, TimeseriesEntry]
    assert latency[0].value == 812.4 and type(latency[0].value) is float
    assert latency[1].value == 640 and type(latency[1].value) is int  # 640 stays an int
    assert latency[0].timestamp == "2024-05-01T09:00:00Z"
    assert base.timeseries.records_lag[0].value == 12
    assert base.timeseries.status == []

    assert base.latest.latency == 688.0 and type(base.latest.latency) is float
    assert base.latest.records_lag == "n/a"
    assert base.latest.status == "RUNNING"
    assert base.timesummary.latency == "slow"
    assert base.timesummary.records_lag == 5 and type(base.timesummary.records_lag) is int
    assert base.timesummary.status == 1 and type(base.timesummary.status) is int

    assert res.connector_metrics is None
    assert res.inline_metrics is None
    assert res.task_metrics is not None
    task = res.task_metrics["src-1"]["0"]
    assert type(task) is PipelineBaseMetrics
    assert type(task.latest) is PipelineLatestMetrics
    assert task.latest.latency == 3 and type(task.latest.latency) is int
    assert task.latest.status is None
    assert res.topic_metrics == {}
    # Unknown keys are kept, and the model dumps back exactly what the server sent.
    assert res.model_extra == {"unknown_top_level": {"kept": [1, 2]}}
    assert_json_identical(res.to_dict(), payload)


@pytest.mark.parametrize("mode", MODES)
def test_200_realistic_fixture_round_trips(httpserver: HTTPServer, mode: str) -> None:
    payload = load_json(FIXTURES / "responses" / "pipeline_metrics_res" / "19_realistic_metrics_response.json")
    httpserver.expect_request(PATH, method="POST").respond_with_json(payload)

    res = _call(mode, httpserver.url_for(""))

    assert type(res) is PipelineMetricsRes
    for metrics in (res.account_metrics or {}).values():
        assert type(metrics) is PipelineBaseMetrics
    assert_json_identical(res.to_dict(), payload)


# ------------------------------------------------------------- requests validated with openapi-core

_DT_FROM = datetime.datetime(2025, 1, 15, 9, 0, 0, tzinfo=datetime.timezone.utc)
_DT_TO = datetime.datetime(2025, 1, 15, 12, 30, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))

# name → (arguments, expected query items in order, expected JSON body or None for no body)
REQUEST_CASES: dict[str, tuple[dict[str, Any], list[tuple[str, str]], Any]] = {
    "no_arguments": ({}, [], None),
    "all_query_parameters": (
        {
            "id_": "pipe-1",
            "topic_list_from": 0,
            "topic_list_size": 25,
            "from_": "cursor-abc",
            "size": 50,
            "level": "connector",
            "page": 2,
            "timestamp_to": "2025-01-15T10:00:00Z",
            "timestamp_from": "2025-01-15T09:00:00Z",
            "time_unit": "minute",
            "time_interval": 5,
            "time_type": "timeseries",
            "snapshot": "done",
            "sort": "name",
            "sort_dir": "desc",
        },
        [
            ("id", "pipe-1"),
            ("topic_list_from", "0"),
            ("topic_list_size", "25"),
            ("from", "cursor-abc"),
            ("size", "50"),
            ("level", "connector"),
            ("page", "2"),
            ("timestamp_to", "2025-01-15T10:00:00Z"),
            ("timestamp_from", "2025-01-15T09:00:00Z"),
            ("time_unit", "minute"),
            ("time_interval", "5"),
            ("time_type", "timeseries"),
            ("snapshot", "done"),
            ("sort", "name"),
            ("sort_dir", "desc"),
        ],
        None,
    ),
    "string_branches_of_unions": (
        {"from_": 100, "page": "last", "time_interval": "1h"},
        [("from", "100"), ("page", "last"), ("time_interval", "1h")],
        None,
    ),
    "ids_list": (
        {"ids": ["p-1", "p-2", "p-3"], "tenant_ids": ["t-1"]},
        [],
        {"ids": ["p-1", "p-2", "p-3"], "tenant_ids": ["t-1"]},
    ),
    "ids_tuple": ({"ids": ("p-1", "p-2")}, [], {"ids": ["p-1", "p-2"]}),
    "ids_comma_string": ({"ids": "p-1,p-2", "tenant_ids": "t-1,t-2"}, [], {"ids": "p-1,p-2", "tenant_ids": "t-1,t-2"}),
    "timestamps_as_datetime": (
        {"timestamp_from": _DT_FROM, "timestamp_to": _DT_TO, "time_type": "latest"},
        [
            ("timestamp_to", "2025-01-15T12:30:00+02:00"),
            ("timestamp_from", "2025-01-15T09:00:00Z"),
            ("time_type", "latest"),
        ],
        None,
    ),
    "none_values_are_not_sent": ({"level": None, "size": None, "sort_dir": "asc"}, [("sort_dir", "asc")], None),
    "query_and_body_together": (
        {"level": "task", "ids": ["p-9"], "sort_dir": "asc"},
        [("level", "task"), ("sort_dir", "asc")],
        {"ids": ["p-9"]},
    ),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", list(REQUEST_CASES))
def test_request_matches_the_spec(httpserver: HTTPServer, spec: dict[str, Any], mode: str, case: str) -> None:
    kwargs, query, body = REQUEST_CASES[case]
    httpserver.expect_request(PATH, method="POST").respond_with_json({})

    res = _call(mode, httpserver.url_for(""), **kwargs)

    httpserver.check_assertions()
    assert type(res) is PipelineMetricsRes
    request = _only_request(httpserver)
    assert request.method == "POST"
    assert request.path == PATH
    assert list(request.args.items(multi=True)) == query
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Accept"] == "application/json"
    if body is None:
        assert request.get_data() == b""
        assert "Content-Type" not in request.headers
    else:
        assert request.headers["Content-Type"] == "application/json"
        assert_json_identical(json.loads(request.get_data()), body)

    result = _openapi(spec, httpserver).unmarshal_request(WerkzeugOpenAPIRequest(request))
    assert result.errors == [], result.errors
    assert result.security == {"FronteggHTTPAuthentication": TOKEN}
    if body is not None:
        assert result.body == body


def test_request_validator_rejects_a_bad_request(httpserver: HTTPServer, spec: dict[str, Any]) -> None:
    """Control: the validation used above does catch requests that break the spec."""
    httpserver.expect_request(PATH, method="POST").respond_with_json({})
    # sort_dir outside its enum (sent past the SDK's types), and no credential.
    with streamkap.Streamkap(base_url=httpserver.url_for("")) as client:
        client.pipelines.search_pipelines_metrics(sort_dir="sideways")  # type: ignore[arg-type]
    request = _only_request(httpserver)
    result = _openapi(spec, httpserver).unmarshal_request(WerkzeugOpenAPIRequest(request))
    assert result.errors, "a request with an invalid enum value and no token must not validate"
    assert "Authorization" not in request.headers


# ------------------------------------------------------------------------------------ HTTP errors


@pytest.mark.parametrize("mode", MODES)
def test_422_is_unprocessable_entity_with_validation_model(httpserver: HTTPServer, mode: str) -> None:
    payload = load_json(FIXTURES / "responses" / "http_validation_error" / "01_single_error_with_ctx.json")
    httpserver.expect_request(PATH, method="POST").respond_with_json(payload, status=422)

    with pytest.raises(streamkap.UnprocessableEntityError) as info:
        _call(mode, httpserver.url_for(""), ids=[""])

    exc = info.value
    assert isinstance(exc, streamkap.APIStatusError)
    assert exc.status_code == 422
    assert type(exc.body) is HTTPValidationError
    assert exc.body.detail is not None and len(exc.body.detail) == 1
    detail = exc.body.detail[0]
    assert type(detail) is ValidationError
    assert detail.loc == ["body", "ids", 0]
    assert type(detail.loc[2]) is int
    assert detail.msg == "String should have at least 1 character"
    assert detail.type_ == "string_too_short"
    assert detail.input_ == ""
    assert detail.ctx == {"min_length": 1}
    assert json.loads(exc.text) == payload
    assert exc.headers["content-type"] == "application/json"
    assert exc.response.status_code == 422
    assert exc.request.method == "POST"


@pytest.mark.parametrize("mode", MODES)
def test_422_with_an_undocumented_shape_keeps_the_raw_json(httpserver: HTTPServer, mode: str) -> None:
    httpserver.expect_request(PATH, method="POST").respond_with_json({"detail": "not a list"}, status=422)

    with pytest.raises(streamkap.UnprocessableEntityError) as info:
        _call(mode, httpserver.url_for(""))

    assert info.value.status_code == 422
    assert info.value.body == {"detail": "not a list"}


STATUS_ERRORS = [
    (400, "BadRequestError"),
    (401, "AuthenticationError"),
    (403, "PermissionDeniedError"),
    (404, "NotFoundError"),
    (409, "ConflictError"),
    (429, "RateLimitError"),
    (500, "InternalServerError"),
    (503, "InternalServerError"),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("status", "name"), STATUS_ERRORS)
def test_status_errors_map_to_subclasses(httpserver: HTTPServer, mode: str, status: int, name: str) -> None:
    cls = getattr(streamkap, name)
    assert issubclass(cls, streamkap.APIStatusError)
    assert issubclass(cls, streamkap.APIError)
    body = {"error": f"status {status}", "code": status}
    httpserver.expect_request(PATH, method="POST").respond_with_json(
        body, status=status, headers={"X-Request-Id": f"req-{status}", "X-Extra": "yes"}
    )

    with pytest.raises(streamkap.APIStatusError) as info:
        _call(mode, httpserver.url_for(""), level="connector")

    exc = info.value
    assert type(exc) is cls
    assert exc.status_code == status
    assert exc.headers["x-extra"] == "yes"
    assert exc.request_id == f"req-{status}"
    assert json.loads(exc.text) == body
    assert exc.body == body
    assert str(status) in str(exc)
    assert TOKEN not in str(exc) and TOKEN not in repr(exc)


@pytest.mark.parametrize("mode", MODES)
def test_error_with_a_text_body(httpserver: HTTPServer, mode: str) -> None:
    httpserver.expect_request(PATH, method="POST").respond_with_data("upstream down", status=502, content_type="text/plain")

    with pytest.raises(streamkap.InternalServerError) as info:
        _call(mode, httpserver.url_for(""))

    assert info.value.status_code == 502
    assert info.value.text == "upstream down"
    assert info.value.body == "upstream down"


@pytest.mark.parametrize("mode", MODES)
def test_undocumented_4xx_is_a_plain_api_status_error(httpserver: HTTPServer, mode: str) -> None:
    httpserver.expect_request(PATH, method="POST").respond_with_json({"teapot": True}, status=418)

    with pytest.raises(streamkap.APIStatusError) as info:
        _call(mode, httpserver.url_for(""))

    assert type(info.value) is streamkap.APIStatusError
    assert info.value.status_code == 418
    assert info.value.body == {"teapot": True}


# -------------------------------------------------------------------------- transport failures


@pytest.mark.parametrize("mode", MODES)
def test_connection_refused_is_api_connection_error(mode: str) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"

    with pytest.raises(streamkap.APIConnectionError) as info:
        _call(mode, url, client_kwargs={"timeout": 2.0})

    assert type(info.value) is streamkap.APIConnectionError  # not a timeout
    assert isinstance(info.value, streamkap.APIError)
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert str(info.value.request.url).startswith(url + PATH)


def _slow(request: Request) -> Response:
    time.sleep(1.0)
    return Response("{}", status=200, content_type="application/json")


@pytest.fixture()
def slow_server() -> Iterator[HTTPServer]:
    """A server of the test's own, threaded: a handler still sleeping after the client gave up
    cannot delay or answer the next test's request, whatever the machine's load."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.mark.parametrize("mode", MODES)
def test_slow_server_is_api_timeout_error(slow_server: HTTPServer, mode: str) -> None:
    slow_server.expect_request(PATH, method="POST").respond_with_handler(_slow)
    started = time.perf_counter()

    with pytest.raises(streamkap.APITimeoutError) as info:
        _call(mode, slow_server.url_for(""), client_kwargs={"timeout": 0.1, "max_retries": 0})

    elapsed = time.perf_counter() - started
    assert isinstance(info.value, streamkap.APIConnectionError)
    assert isinstance(info.value.__cause__, httpx.TimeoutException)
    assert elapsed < 0.9, f"the 0.1 s timeout was not applied ({elapsed:.2f} s)"


@pytest.mark.parametrize("mode", MODES)
def test_per_call_timeout_overrides_the_client_timeout(slow_server: HTTPServer, mode: str) -> None:
    slow_server.expect_request(PATH, method="POST").respond_with_handler(_slow)

    with pytest.raises(streamkap.APITimeoutError):
        _call(mode, slow_server.url_for(""), client_kwargs={"timeout": 30.0, "max_retries": 0}, timeout=0.1)


# --------------------------------------------------------------------------- malformed responses


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "content", ['{"account_metrics": {', "not json at all", "", '["a list", "not an object"]'], ids=["truncated", "text", "empty", "wrong_type"]
)
def test_bad_200_body_is_response_validation_error(httpserver: HTTPServer, mode: str, content: str) -> None:
    """Not JSON: always an error. JSON of the wrong shape: an error in strict mode."""
    httpserver.expect_request(PATH, method="POST").respond_with_data(content, status=200, content_type="application/json")

    with pytest.raises(streamkap.APIResponseValidationError) as info:
        _call(mode, httpserver.url_for(""), client_kwargs={"strict_response_validation": True})

    exc = info.value
    assert isinstance(exc, streamkap.APIError)
    assert not isinstance(exc, streamkap.APIStatusError)
    assert exc.status_code == 200
    assert exc.response.text == content


# --------------------------------------------------------------------- client lifecycle and repr


def test_sync_client_context_manager_closes_its_http_client(httpserver: HTTPServer) -> None:
    httpserver.expect_request(PATH, method="POST").respond_with_json({})
    with streamkap.Streamkap(token=TOKEN, base_url=httpserver.url_for("")) as client:
        assert isinstance(client, streamkap.Streamkap)
        client.pipelines.search_pipelines_metrics()
        inner = client._client
        assert not inner.is_closed
    assert inner.is_closed


def test_async_client_context_manager_closes_its_http_client(httpserver: HTTPServer) -> None:
    httpserver.expect_request(PATH, method="POST").respond_with_json({})

    async def go() -> httpx.AsyncClient:
        async with streamkap.AsyncStreamkap(token=TOKEN, base_url=httpserver.url_for("")) as client:
            assert isinstance(client, streamkap.AsyncStreamkap)
            await client.pipelines.search_pipelines_metrics()
            inner = client._client
            assert not inner.is_closed
        return inner

    assert asyncio.run(go()).is_closed


@pytest.mark.parametrize("mode", MODES)
def test_a_given_http_client_is_used_and_left_open(httpserver: HTTPServer, mode: str) -> None:
    httpserver.expect_request(PATH, method="POST").respond_with_json({})
    seen: list[str] = []

    if mode == "sync":
        def hook(request: httpx.Request) -> None:
            seen.append(request.url.path)

        http = httpx.Client(event_hooks={"request": [hook]})
        with streamkap.Streamkap(token=TOKEN, base_url=httpserver.url_for(""), http_client=http) as client:
            client.pipelines.search_pipelines_metrics()
        assert not http.is_closed
        http.close()
    else:
        async def ahook(request: httpx.Request) -> None:
            seen.append(request.url.path)

        async def go() -> None:
            http = httpx.AsyncClient(event_hooks={"request": [ahook]})
            async with streamkap.AsyncStreamkap(token=TOKEN, base_url=httpserver.url_for(""), http_client=http) as client:
                await client.pipelines.search_pipelines_metrics()
            assert not http.is_closed
            await http.aclose()

        asyncio.run(go())
    assert seen == [PATH]


CLIENTS: list[Callable[..., Any]] = [streamkap.Streamkap, streamkap.AsyncStreamkap]


@pytest.mark.parametrize("factory", CLIENTS, ids=["sync", "async"])
def test_token_never_in_repr(factory: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    client = factory(token=TOKEN, base_url="http://127.0.0.1:9")
    assert TOKEN not in repr(client)
    assert TOKEN not in str(client)
    assert "127.0.0.1:9" in repr(client)

    monkeypatch.setenv("STREAMKAP_API_TOKEN", TOKEN)
    from_env = factory(base_url="http://127.0.0.1:9")
    assert from_env.token == TOKEN
    assert TOKEN not in repr(from_env)
    if isinstance(client, streamkap.Streamkap):
        client.close()
        from_env.close()
    else:
        asyncio.run(client.close())
        asyncio.run(from_env.close())
