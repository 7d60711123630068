"""The runtime of the committed SDK: retries, backoff, Retry-After, timeouts, connection
failures, error objects and logging, sync and async, against real servers on 127.0.0.1.

No test sleeps for backoff: ``SyncAPIClient._sleep`` / ``AsyncAPIClient._sleep`` are replaced
by a recorder (``waits``), and ``random.random`` is pinned to ``R`` so that the jittered delays
are exact: retry number ``n`` waits ``INITIAL_RETRY_DELAY * 2**(n-1) * (1 - 0.25 * R)``.
"""

from __future__ import annotations

import asyncio
import datetime
import email.utils
import io
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from conftest import assert_json_identical
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import streamkap
from streamkap import _base_client
from streamkap._base_client import (
    INITIAL_RETRY_DELAY,
    MAX_RETRY_AFTER,
    RETRY_COUNT_HEADER,
    AsyncAPIClient,
    SyncAPIClient,
)
from streamkap.models import HTTPValidationError, PipelineMetricsRes

from ._faulty_server import ClosingServer

TOKEN = "sk-SECRET-123"
PATH = "/pipelines/metrics"
MODES = ("sync", "async")
R = 0.4  # the pinned random.random()
JITTER = 1 - 0.25 * R  # 0.9


@pytest.fixture(scope="module")
def make_httpserver() -> Iterator[HTTPServer]:
    """pytest-httpserver on the IPv4 loopback only, threaded (a slow handler blocks nobody)."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture(autouse=True)
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Backoff waits, recorded instead of slept; jitter pinned."""
    recorded: list[float] = []

    def sleep(seconds: float) -> None:
        recorded.append(seconds)

    async def async_sleep(seconds: float) -> None:
        recorded.append(seconds)

    monkeypatch.setattr(SyncAPIClient, "_sleep", staticmethod(sleep))
    monkeypatch.setattr(AsyncAPIClient, "_sleep", staticmethod(async_sleep))
    monkeypatch.setattr(random, "random", lambda: R)
    return recorded


# --------------------------------------------------------------------------------------- helpers


class Script:
    """A handler answering with one planned response per request (the last one repeats) and
    recording the headers of every request it saw."""

    def __init__(self, *plan: tuple[int, Any, dict[str, str]] | Callable[[Request], Response]) -> None:
        self.plan = list(plan)
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Response:
        with self._lock:
            index = len(self.headers)
            self.headers.append({k.lower(): v for k, v in request.headers.items()})
        step = self.plan[min(index, len(self.plan) - 1)]
        if callable(step):
            return step(request)
        status, body, headers = step
        if isinstance(body, (bytes, str)):
            return Response(body, status=status, headers=headers, content_type="application/json")
        return Response(json.dumps(body), status=status, headers=headers, content_type="application/json")

    @property
    def count(self) -> int:
        return len(self.headers)

    def retry_counts(self) -> list[str | None]:
        return [h.get(RETRY_COUNT_HEADER.lower()) for h in self.headers]


def serve(server: HTTPServer, *plan: Any) -> Script:
    script = Script(*plan)
    server.expect_request(PATH, method="POST").respond_with_handler(script)
    return script


def call(
    mode: str,
    base_url: str,
    *,
    client_kwargs: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Any:
    """One ``search_pipelines_metrics`` call through a fresh client (closed afterwards)."""
    options: dict[str, Any] = {"token": TOKEN, "base_url": base_url, **(client_kwargs or {})}
    if mode == "sync":
        with streamkap.Streamkap(**options) as client:
            return client.pipelines.search_pipelines_metrics(**kwargs)

    async def go() -> Any:
        async with streamkap.AsyncStreamkap(**options) as client:
            return await client.pipelines.search_pipelines_metrics(**kwargs)

    return asyncio.run(go())


def raises(mode: str, base_url: str, **kwargs: Any) -> Any:
    """The exception one call raises (it must raise a StreamkapError)."""
    with pytest.raises(streamkap.StreamkapError) as info:
        call(mode, base_url, **kwargs)
    return info.value


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


PAYLOAD: dict[str, Any] = {
    "account_metrics": {
        "acct-1": {
            "latest": {"latency": 12.5, "recordsLag": 3, "status": "RUNNING"},
        }
    },
    "topic_metrics": {},
}


def backoff(n: int) -> float:
    """The jittered backoff before retry number ``n`` (1, 2, ...)."""
    return INITIAL_RETRY_DELAY * 2 ** (n - 1) * JITTER


# ---------------------------------------------------------------------------- retry then success


@pytest.mark.parametrize("mode", MODES)
def test_503_then_200_retries_once(httpserver: HTTPServer, mode: str, waits: list[float]) -> None:
    script = serve(httpserver, (503, {"error": "busy"}, {}), (200, PAYLOAD, {}))

    res = call(mode, httpserver.url_for(""))

    assert type(res) is PipelineMetricsRes
    assert_json_identical(res.to_dict(), PAYLOAD)
    assert script.count == 2
    assert script.retry_counts() == [None, "1"]
    assert waits == [pytest.approx(INITIAL_RETRY_DELAY * (1 - 0.25 * R))]
    # Every attempt carries the credential.
    assert [h["authorization"] for h in script.headers] == [f"Bearer {TOKEN}"] * 2


# ------------------------------------------------------------------------- retries exhausted


@pytest.mark.parametrize("mode", MODES)
def test_500_three_times_exhausts_two_retries(
    httpserver: HTTPServer, mode: str, waits: list[float]
) -> None:
    script = serve(httpserver, (500, {"error": "boom"}, {"X-Request-Id": "req-500"}))

    exc = raises(mode, httpserver.url_for(""), client_kwargs={"max_retries": 2})

    assert type(exc) is streamkap.InternalServerError
    assert exc.status_code == 500
    assert exc.request_id == "req-500"
    assert script.count == 3
    assert script.retry_counts() == [None, "1", "2"]
    assert waits == [pytest.approx(0.5 * JITTER), pytest.approx(1.0 * JITTER)]
    assert exc.request.headers[RETRY_COUNT_HEADER] == "2"  # the last attempt's request


@pytest.mark.parametrize("mode", MODES)
def test_default_max_retries_is_two(httpserver: HTTPServer, mode: str, waits: list[float]) -> None:
    script = serve(httpserver, (502, "bad gateway", {}))

    exc = raises(mode, httpserver.url_for(""))

    assert type(exc) is streamkap.InternalServerError
    assert script.count == 3
    assert len(waits) == 2


@pytest.mark.parametrize("mode", MODES)
def test_backoff_doubles_and_is_capped(httpserver: HTTPServer, mode: str, waits: list[float]) -> None:
    serve(httpserver, (503, "", {}))

    raises(mode, httpserver.url_for(""), client_kwargs={"max_retries": 6})

    expected = [min(0.5 * 2**i, _base_client.MAX_RETRY_DELAY) * JITTER for i in range(6)]
    assert waits == pytest.approx(expected)
    assert max(waits) <= _base_client.MAX_RETRY_DELAY


def test_sync_with_options_max_retries_0_shares_the_pool(
    httpserver: HTTPServer, waits: list[float]
) -> None:
    script = serve(httpserver, (500, {"error": "boom"}, {}))
    with streamkap.Streamkap(
        token=TOKEN, base_url=httpserver.url_for(""), max_retries=2, timeout=7.0,
        default_headers={"X-Team": "a"},
    ) as client:
        once = client.with_options(max_retries=0)
        assert type(once) is streamkap.Streamkap
        assert once is not client
        assert once._client is client._client  # the same connection pool

        with pytest.raises(streamkap.InternalServerError):
            once.pipelines.search_pipelines_metrics()
        assert script.count == 1
        assert waits == []

        # The original is unchanged ...
        assert client.max_retries == 2
        assert client.timeout == 7.0
        assert client.default_headers == {"X-Team": "a"}
        assert client.token == TOKEN
        assert once.max_retries == 0 and once.timeout == 7.0 and once.token == TOKEN
        assert once.base_url == client.base_url
        # ... closing the copy leaves the shared pool open ...
        once.close()
        assert not client._client.is_closed
        # ... and the original still retries.
        with pytest.raises(streamkap.InternalServerError):
            client.pipelines.search_pipelines_metrics()
        assert script.count == 1 + 3
        assert len(waits) == 2
        inner = client._client
    assert inner.is_closed


def test_async_with_options_max_retries_0_shares_the_pool(
    httpserver: HTTPServer, waits: list[float]
) -> None:
    script = serve(httpserver, (500, {"error": "boom"}, {}))

    async def go() -> httpx.AsyncClient:
        async with streamkap.AsyncStreamkap(
            token=TOKEN, base_url=httpserver.url_for(""), max_retries=2, timeout=7.0,
            default_headers={"X-Team": "a"},
        ) as client:
            once = client.with_options(max_retries=0)
            assert type(once) is streamkap.AsyncStreamkap
            assert once is not client
            assert once._client is client._client

            with pytest.raises(streamkap.InternalServerError):
                await once.pipelines.search_pipelines_metrics()
            assert script.count == 1
            assert waits == []

            assert client.max_retries == 2
            assert client.timeout == 7.0
            assert client.default_headers == {"X-Team": "a"}
            assert client.token == TOKEN
            assert once.max_retries == 0 and once.timeout == 7.0 and once.token == TOKEN
            await once.close()
            assert not client._client.is_closed
            with pytest.raises(streamkap.InternalServerError):
                await client.pipelines.search_pipelines_metrics()
            assert script.count == 1 + 3
            assert len(waits) == 2
            return client._client

    assert asyncio.run(go()).is_closed


@pytest.mark.parametrize("factory", [streamkap.Streamkap, streamkap.AsyncStreamkap], ids=MODES)
def test_with_options_other_settings(factory: Callable[..., Any]) -> None:
    client = factory(token=TOKEN, base_url="http://127.0.0.1:9", default_headers={"X-A": "1"})
    copy = client.with_options(timeout=3.0, default_headers={"X-B": "2"})
    assert copy.timeout == 3.0 and client.timeout == _base_client.DEFAULT_TIMEOUT
    assert copy.default_headers == {"X-A": "1", "X-B": "2"}
    assert client.default_headers == {"X-A": "1"}
    assert copy.max_retries == client.max_retries == _base_client.DEFAULT_MAX_RETRIES
    assert TOKEN not in repr(copy)
    if isinstance(client, SyncAPIClient):
        client.close()
    else:
        asyncio.run(client.close())


# ------------------------------------------------------------------------------------ Retry-After


def _http_date(seconds_ahead: float) -> str:
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds_ahead)
    return email.utils.format_datetime(moment, usegmt=True)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("headers", "low", "high"),
    [
        ({"Retry-After": "3"}, 3.0, 3.0),
        ({"Retry-After": "1.5"}, 1.5, 1.5),
        ({"retry-after-ms": "250"}, 0.25, 0.25),
        ({"Retry-After": "0"}, 0.0, 0.0),
        # Beyond MAX_RETRY_AFTER: ignored, the jittered backoff is used.
        ({"Retry-After": "3600"}, backoff(1), backoff(1)),
        ({"retry-after-ms": str(int((MAX_RETRY_AFTER + 1) * 1000))}, backoff(1), backoff(1)),
        # Not understood: the backoff.
        ({"Retry-After": "soon"}, backoff(1), backoff(1)),
        ({"Retry-After": "-5"}, backoff(1), backoff(1)),
    ],
    ids=["seconds", "fraction", "ms", "zero", "too_long", "ms_too_long", "garbage", "negative"],
)
def test_429_honours_retry_after(
    httpserver: HTTPServer, mode: str, waits: list[float], headers: dict[str, str], low: float, high: float
) -> None:
    script = serve(httpserver, (429, {"error": "slow down"}, headers), (200, PAYLOAD, {}))

    res = call(mode, httpserver.url_for(""))

    assert type(res) is PipelineMetricsRes
    assert script.count == 2
    assert len(waits) == 1
    assert low - 1e-9 <= waits[0] <= high + 1e-9, waits


@pytest.mark.parametrize("mode", MODES)
def test_retry_after_as_http_date(httpserver: HTTPServer, mode: str, waits: list[float]) -> None:
    plan: list[Any] = [
        lambda request: Response("{}", status=429, headers={"Retry-After": _http_date(5)}),
        (200, PAYLOAD, {}),
    ]
    script = serve(httpserver, *plan)

    call(mode, httpserver.url_for(""))

    assert script.count == 2
    assert len(waits) == 1
    # An HTTP date has whole seconds: between 4 and 5 s from now (not the 0.45 s backoff).
    assert 3.5 <= waits[0] <= 5.05, waits


@pytest.mark.parametrize("mode", MODES)
def test_retry_after_date_in_the_past_uses_backoff(
    httpserver: HTTPServer, mode: str, waits: list[float]
) -> None:
    serve(
        httpserver,
        lambda request: Response("{}", status=503, headers={"Retry-After": _http_date(-30)}),
        (200, PAYLOAD, {}),
    )

    call(mode, httpserver.url_for(""))

    assert waits == [pytest.approx(backoff(1))]


@pytest.mark.parametrize("mode", MODES)
def test_retry_after_on_503_is_honoured(httpserver: HTTPServer, mode: str, waits: list[float]) -> None:
    serve(httpserver, (503, "", {"Retry-After": "2"}), (200, PAYLOAD, {}))

    call(mode, httpserver.url_for(""))

    assert waits == [2.0]


# ---------------------------------------------------------------------- which statuses retry


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("status", "cls"),
    [(408, streamkap.APIStatusError), (409, streamkap.ConflictError), (429, streamkap.RateLimitError)],
)
def test_retryable_4xx_are_retried(
    httpserver: HTTPServer, mode: str, waits: list[float], status: int, cls: type[streamkap.APIStatusError]
) -> None:
    script = serve(httpserver, (status, {"error": status}, {}))

    exc = raises(mode, httpserver.url_for(""), client_kwargs={"max_retries": 1})

    assert type(exc) is cls
    assert exc.status_code == status
    assert script.count == 2
    assert waits == [pytest.approx(backoff(1))]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("status", [408, 409])
def test_retryable_4xx_then_success(
    httpserver: HTTPServer, mode: str, waits: list[float], status: int
) -> None:
    script = serve(httpserver, (status, {"error": status}, {}), (200, PAYLOAD, {}))

    res = call(mode, httpserver.url_for(""))

    assert res.to_dict() == PAYLOAD
    assert script.count == 2


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, streamkap.BadRequestError),
        (401, streamkap.AuthenticationError),
        (403, streamkap.PermissionDeniedError),
        (404, streamkap.NotFoundError),
        (422, streamkap.UnprocessableEntityError),
        (418, streamkap.APIStatusError),
    ],
)
def test_other_4xx_are_not_retried(
    httpserver: HTTPServer, mode: str, waits: list[float], status: int, cls: type[streamkap.APIStatusError]
) -> None:
    script = serve(httpserver, (status, {"error": status}, {}))

    exc = raises(mode, httpserver.url_for(""), client_kwargs={"max_retries": 3})

    assert type(exc) is cls
    assert exc.status_code == status
    assert script.count == 1
    assert waits == []


# ------------------------------------------------------------------------------ x-should-retry


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("value", ["false", "False", "FALSE"])
def test_x_should_retry_false_stops_a_503(
    httpserver: HTTPServer, mode: str, waits: list[float], value: str
) -> None:
    script = serve(httpserver, (503, {"error": "down"}, {"x-should-retry": value}), (200, PAYLOAD, {}))

    exc = raises(mode, httpserver.url_for(""))

    assert type(exc) is streamkap.InternalServerError
    assert script.count == 1
    assert waits == []


@pytest.mark.parametrize("mode", MODES)
def test_x_should_retry_true_retries_a_400(httpserver: HTTPServer, mode: str, waits: list[float]) -> None:
    script = serve(httpserver, (400, {"error": "flaky"}, {"x-should-retry": "true"}), (200, PAYLOAD, {}))

    res = call(mode, httpserver.url_for(""))

    assert res.to_dict() == PAYLOAD
    assert script.count == 2
    assert script.retry_counts() == [None, "1"]
    assert waits == [pytest.approx(backoff(1))]


@pytest.mark.parametrize("mode", MODES)
def test_x_should_retry_true_still_bounded_by_max_retries(
    httpserver: HTTPServer, mode: str, waits: list[float]
) -> None:
    script = serve(httpserver, (400, {"error": "flaky"}, {"x-should-retry": "true"}))

    exc = raises(mode, httpserver.url_for(""), client_kwargs={"max_retries": 2})

    assert type(exc) is streamkap.BadRequestError
    assert script.count == 3


# ------------------------------------------------------------------------- transport failures


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("reset", [True, False], ids=["rst", "fin"])
def test_closed_connection_is_retried_then_api_connection_error(
    mode: str, waits: list[float], reset: bool
) -> None:
    with ClosingServer(reset=reset) as server:
        exc = raises(mode, server.url, client_kwargs={"max_retries": 2, "timeout": 2.0})
        accepted = server.accepted

    assert type(exc) is streamkap.APIConnectionError
    assert isinstance(exc.__cause__, httpx.TransportError)
    assert not isinstance(exc.__cause__, httpx.TimeoutException)
    assert accepted == 3
    assert waits == [pytest.approx(backoff(1)), pytest.approx(backoff(2))]
    assert exc.request.headers[RETRY_COUNT_HEADER] == "2"
    assert str(exc.request.url) == server.url + PATH


@pytest.mark.parametrize("mode", MODES)
def test_closed_connection_max_retries_0(mode: str, waits: list[float]) -> None:
    with ClosingServer(reset=True) as server:
        exc = raises(mode, server.url, client_kwargs={"max_retries": 0, "timeout": 2.0})
        accepted = server.accepted

    assert type(exc) is streamkap.APIConnectionError
    assert accepted == 1
    assert waits == []


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "reply",
    [
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"acc",
        b"HTTP/1.1 200 OK\r\nContent-Type: appl",
        b"garbage, not HTTP\r\n\r\n",
    ],
    ids=["truncated_body", "truncated_head", "not_http"],
)
def test_broken_response_is_retried_then_api_connection_error(
    mode: str, waits: list[float], reply: bytes
) -> None:
    with ClosingServer(reset=False, reply=reply) as server:
        exc = raises(mode, server.url, client_kwargs={"max_retries": 2, "timeout": 2.0})
        accepted = server.accepted

    assert type(exc) is streamkap.APIConnectionError
    assert isinstance(exc.__cause__, httpx.TransportError)
    assert accepted == 3
    assert len(waits) == 2


@pytest.mark.parametrize("mode", MODES)
def test_slow_server_times_out_after_every_attempt(
    httpserver: HTTPServer, mode: str, waits: list[float]
) -> None:
    finished: list[int] = []

    def slow(request: Request) -> Response:
        time.sleep(1.0)
        finished.append(1)
        return Response(json.dumps(PAYLOAD), status=200, content_type="application/json")

    script = serve(httpserver, slow)
    started = time.perf_counter()

    exc = raises(mode, httpserver.url_for(""), client_kwargs={"timeout": 0.1, "max_retries": 2})

    elapsed = time.perf_counter() - started
    try:
        assert type(exc) is streamkap.APITimeoutError
        assert isinstance(exc, streamkap.APIConnectionError)
        assert isinstance(exc.__cause__, httpx.TimeoutException)
        assert wait_until(lambda: script.count >= 3, 2.0)
        assert script.count == 3
        assert script.retry_counts() == [None, "1", "2"]
        assert waits == [pytest.approx(backoff(1)), pytest.approx(backoff(2))]
        # Three attempts that waited for the answer would take 3 s.
        assert elapsed < 2.0, f"the 0.1 s timeout was not applied ({elapsed:.2f} s)"
    finally:
        # Let the slow handlers finish before the server is cleared for the next test.
        wait_until(lambda: len(finished) >= script.count, 3.0)


# ------------------------------------------------------------------------------- bodies of a 200


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("content", ['{"account_metrics": {', "not json", ""], ids=["truncated", "text", "empty"])
def test_malformed_json_on_200_is_not_retried(
    httpserver: HTTPServer, mode: str, waits: list[float], content: str
) -> None:
    script = serve(httpserver, (200, content, {"X-Request-Id": "req-bad"}))

    exc = raises(mode, httpserver.url_for(""), client_kwargs={"max_retries": 3})

    assert type(exc) is streamkap.APIResponseValidationError
    assert exc.status_code == 200
    assert exc.body == content
    assert exc.response.text == content
    assert exc.request.method == "POST"
    assert isinstance(exc.__cause__, Exception)
    assert script.count == 1
    assert waits == []


@pytest.mark.parametrize("mode", MODES)
def test_wrong_shape_on_200_keeps_the_json_body(httpserver: HTTPServer, mode: str, caplog: pytest.LogCaptureFixture) -> None:
    """By default the JSON comes back as sent (and a warning is logged); strict mode raises."""
    script = serve(httpserver, (200, ["not", "an", "object"], {}), (200, ["not", "an", "object"], {}))

    with caplog.at_level(logging.WARNING, logger="streamkap"):
        assert call(mode, httpserver.url_for("")) == ["not", "an", "object"]
    exc = raises(mode, httpserver.url_for(""), client_kwargs={"strict_response_validation": True})

    assert "does not match the spec" in caplog.text and "(the body): Input should be an object" in caplog.text
    assert type(exc) is streamkap.APIResponseValidationError
    assert exc.body == ["not", "an", "object"]
    assert "(the body): Input should be an object" in str(exc)
    assert script.count == 2


@pytest.mark.parametrize("mode", MODES)
def test_extra_fields_and_unknown_values_are_kept(httpserver: HTTPServer, mode: str) -> None:
    payload = {
        "account_metrics": {
            "acct-1": {
                # declared keys in schema order (the order to_dict() dumps them in)
                "timeseries": {"latency": [{"value": 1.5, "timestamp": "2024-05-01T09:00:00Z", "unit": "ms"}]},
                "latest": {"latency": 1, "recordsLag": 2, "status": "HIBERNATING_V9", "newField": [1, {"a": None}]},
                "brand_new_section": {"x": 1},
            }
        },
        "task_metrics": None,
        "future_metrics": {"kept": True},
        "version": 7,
    }
    serve(httpserver, (200, payload, {}))

    res = call(mode, httpserver.url_for(""))

    assert type(res) is PipelineMetricsRes
    assert res.account_metrics["acct-1"].latest.status == "HIBERNATING_V9"
    assert res.model_extra == {"future_metrics": {"kept": True}, "version": 7}
    assert res.to_dict() == payload
    assert_json_identical(res.to_dict(), payload)


# ----------------------------------------------------------------------------- error objects


@pytest.mark.parametrize("mode", MODES)
def test_status_error_carries_everything(httpserver: HTTPServer, mode: str) -> None:
    body = {"detail": "no such pipeline", "code": "NOT_FOUND"}
    serve(httpserver, (404, body, {"X-Request-Id": "req-abc-123", "X-Extra": "yes"}))

    exc = raises(mode, httpserver.url_for(""), level="connector")

    assert type(exc) is streamkap.NotFoundError
    assert isinstance(exc, streamkap.APIStatusError) and isinstance(exc, streamkap.APIError)
    assert isinstance(exc.request, httpx.Request)
    assert exc.request.method == "POST"
    assert exc.request.url.path == PATH
    assert exc.request.url.params["level"] == "connector"
    assert isinstance(exc.response, httpx.Response)
    assert exc.response.status_code == 404
    assert exc.response.request is exc.request
    assert exc.status_code == 404
    assert isinstance(exc.headers, httpx.Headers)
    assert exc.headers["x-extra"] == "yes"
    assert exc.headers["x-request-id"] == "req-abc-123"
    assert exc.body == body
    assert json.loads(exc.text) == body
    assert exc.request_id == "req-abc-123"
    assert "404" in str(exc)
    assert exc.message == str(exc)


@pytest.mark.parametrize("mode", MODES)
def test_request_id_is_none_without_the_header(httpserver: HTTPServer, mode: str) -> None:
    serve(httpserver, (403, "forbidden", {}))

    exc = raises(mode, httpserver.url_for(""))

    assert type(exc) is streamkap.PermissionDeniedError
    assert exc.request_id is None
    assert exc.body == "forbidden"


@pytest.mark.parametrize("mode", MODES)
def test_422_body_is_the_documented_model(httpserver: HTTPServer, mode: str) -> None:
    body = {"detail": [{"loc": ["body", "ids"], "msg": "bad", "type": "value_error"}]}
    serve(httpserver, (422, body, {"x-request-id": "req-422"}))

    exc = raises(mode, httpserver.url_for(""))

    assert type(exc) is streamkap.UnprocessableEntityError
    assert type(exc.body) is HTTPValidationError
    assert exc.body.to_dict() == body
    assert exc.request_id == "req-422"


# ---------------------------------------------------------------------- logging and secrets


def _assert_no_token_in(exc: BaseException) -> None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        assert TOKEN not in str(current), repr(current)
        assert TOKEN not in repr(current)
        current = current.__cause__ or current.__context__
    request = getattr(exc, "request", None)
    if request is not None:
        assert TOKEN not in str(request.url)
        assert TOKEN not in repr(request)


def _assert_no_token_in_logs(caplog: pytest.LogCaptureFixture) -> None:
    """No client-side record holds the token (the test server's own access log, "werkzeug",
    prints the request line it received and is not the SDK's)."""
    client_records = [r for r in caplog.records if r.name != "werkzeug"]
    assert any(r.name == "streamkap" for r in client_records)
    for record in client_records:
        assert TOKEN not in record.getMessage(), record.getMessage()
        assert TOKEN not in str(record.args)
        assert TOKEN not in caplog.handler.format(record)


@pytest.mark.parametrize("mode", MODES)
def test_a_retried_call_is_logged_without_the_token(
    httpserver: HTTPServer, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="streamkap")
    serve(httpserver, (503, {"error": "busy"}, {}), (200, PAYLOAD, {}))

    call(mode, httpserver.url_for(""))

    records = [r for r in caplog.records if r.name == "streamkap"]
    messages = [r.getMessage() for r in records]
    attempts = [m for m in messages if "attempt" in m]
    retries = [m for m in messages if "retrying" in m]
    assert len(attempts) == 2, messages
    assert "attempt 1" in attempts[0] and "attempt 2" in attempts[1]
    assert all(PATH in m and "POST" in m for m in attempts)
    assert len(retries) == 1, messages
    assert "503" in retries[0]
    assert f"{backoff(1):.2f}" in retries[0]
    assert any(r.levelno >= logging.INFO for r in records if "retrying" in r.getMessage())
    _assert_no_token_in_logs(caplog)


@pytest.mark.parametrize("mode", MODES)
def test_connection_retries_are_logged_without_the_token(
    mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="streamkap")
    with ClosingServer(reset=False) as server:
        exc = raises(mode, server.url, client_kwargs={"max_retries": 1, "timeout": 2.0})

    messages = [r.getMessage() for r in caplog.records if r.name == "streamkap"]
    assert sum("attempt" in m for m in messages) == 2, messages
    assert sum("retrying" in m for m in messages) == 1, messages
    _assert_no_token_in_logs(caplog)
    _assert_no_token_in(exc)


@pytest.mark.parametrize("mode", MODES)
def test_token_in_the_query_is_redacted_in_logs(
    httpserver: HTTPServer, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="streamkap")
    script = serve(httpserver, (500, "", {}), (200, PAYLOAD, {}))

    call(mode, httpserver.url_for(""), extra_query={"api_key": TOKEN})

    assert script.count == 2
    messages = [r.getMessage() for r in caplog.records if r.name == "streamkap"]
    assert any("api_key=***" in m for m in messages), messages
    _assert_no_token_in_logs(caplog)


@pytest.mark.parametrize("mode", MODES)
def test_token_never_in_errors_or_repr(httpserver: HTTPServer, mode: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="streamkap")
    serve(httpserver, (401, {"error": "bad token"}, {}))
    url = httpserver.url_for("")

    errors = [raises(mode, url)]
    httpserver.clear()
    serve(httpserver, (503, "busy", {}))
    errors.append(raises(mode, url, client_kwargs={"max_retries": 1}))
    httpserver.clear()
    serve(httpserver, (200, "{broken", {}))
    errors.append(raises(mode, url))
    with ClosingServer(reset=True) as server:
        errors.append(raises(mode, server.url, client_kwargs={"max_retries": 0, "timeout": 2.0}))

    assert [type(e) for e in errors] == [
        streamkap.AuthenticationError,
        streamkap.InternalServerError,
        streamkap.APIResponseValidationError,
        streamkap.APIConnectionError,
    ]
    for exc in errors:
        _assert_no_token_in(exc)
        # It was sent, as a header only.
        assert exc.request.headers["authorization"] == f"Bearer {TOKEN}"
    _assert_no_token_in_logs(caplog)

    factory = streamkap.Streamkap if mode == "sync" else streamkap.AsyncStreamkap
    client = factory(token=TOKEN, base_url=url)
    assert TOKEN not in repr(client) and TOKEN not in str(client)
    assert TOKEN not in repr(client.with_options(max_retries=0))
    if isinstance(client, SyncAPIClient):
        client.close()
    else:
        asyncio.run(client.close())


# -------------------------------------------------------------------------------- max_retries


@pytest.mark.parametrize("factory", [streamkap.Streamkap, streamkap.AsyncStreamkap], ids=MODES)
@pytest.mark.parametrize("value", [-1, -5])
def test_negative_max_retries_is_rejected(factory: Callable[..., Any], value: int) -> None:
    with pytest.raises(ValueError, match="max_retries"):
        factory(token=TOKEN, base_url="http://127.0.0.1:9", max_retries=value)


@pytest.mark.parametrize("factory", [streamkap.Streamkap, streamkap.AsyncStreamkap], ids=MODES)
def test_negative_max_retries_is_rejected_by_with_options(factory: Callable[..., Any]) -> None:
    client = factory(token=TOKEN, base_url="http://127.0.0.1:9")
    try:
        with pytest.raises(ValueError, match="max_retries"):
            client.with_options(max_retries=-1)
    finally:
        if isinstance(client, SyncAPIClient):
            client.close()
        else:
            asyncio.run(client.close())


@pytest.mark.parametrize("mode", MODES)
def test_max_retries_0_sends_once(httpserver: HTTPServer, mode: str, waits: list[float]) -> None:
    script = serve(httpserver, (503, "", {}), (200, PAYLOAD, {}))

    exc = raises(mode, httpserver.url_for(""), client_kwargs={"max_retries": 0})

    assert type(exc) is streamkap.InternalServerError
    assert script.count == 1
    assert script.retry_counts() == [None]
    assert waits == []


# ------------------------------------------------------------ retried bodies are sent whole


def _upload_options(body: Any, media_type: str) -> Any:
    if media_type.startswith("multipart/"):
        return _base_client.RequestOptions(
            method="POST", path=PATH, responses={"200": None},
            body_fields={"file": body}, body_media_type=media_type,
        )
    return _base_client.RequestOptions(
        method="POST", path=PATH, responses={"200": None}, body=body, body_media_type=media_type
    )


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("media_type", ["application/octet-stream", "multipart/form-data"])
def test_a_retried_upload_from_a_file_object_resends_the_content(
    httpserver: HTTPServer, mode: str, waits: list[float], media_type: str
) -> None:
    """An open file given as the body is read on the first attempt; a retry must send the same
    bytes again, not an empty body read from the end of the file."""
    bodies: list[bytes] = []

    def record(status: int) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            bodies.append(request.get_data())
            return Response("{}", status=status, content_type="application/json")
        return handler

    serve(httpserver, record(503), record(200))
    options = _upload_options(io.BytesIO(b"file-content-42"), media_type)
    if mode == "sync":
        with streamkap.Streamkap(token=TOKEN, base_url=httpserver.url_for("")) as client:
            client.request(options)
    else:
        async def go() -> None:
            async with streamkap.AsyncStreamkap(token=TOKEN, base_url=httpserver.url_for("")) as client:
                await client.request(options)
        asyncio.run(go())

    assert len(bodies) == 2
    assert b"file-content-42" in bodies[0]
    assert b"file-content-42" in bodies[1], bodies[1]
    assert len(waits) == 1


def test_a_namespace_method_can_be_patched_with_autospec_before_its_first_use() -> None:
    """``mock.patch.object(Resource, "method", autospec=True)`` in a fresh process, before the
    method was ever looked up: the mock is a callable with the method's signature (a lazily
    resolved descriptor in the class would be specced as a non-callable)."""
    import subprocess
    import sys

    code = """
from unittest import mock
import streamkap
from streamkap.resources.pipelines import AsyncPipelinesResource, PipelinesResource

client = streamkap.Streamkap(token="t", base_url="http://127.0.0.1:9")
with mock.patch.object(PipelinesResource, "search_pipelines_metrics", autospec=True) as patched:
    patched.return_value = "stubbed"
    assert client.pipelines.search_pipelines_metrics(size=5) == "stubbed"
    patched.assert_called_once_with(client.pipelines, size=5)
    try:
        client.pipelines.search_pipelines_metrics(no_such_argument=1)
    except TypeError:
        pass
    else:
        raise AssertionError("autospec took an argument the method does not have")
with mock.patch.object(AsyncPipelinesResource, "search_pipelines_metrics", autospec=True) as patched:
    import asyncio
    asynchronous = streamkap.AsyncStreamkap(token="t", base_url="http://127.0.0.1:9")
    patched.return_value = "stubbed"
    assert asyncio.run(asynchronous.pipelines.search_pipelines_metrics(size=5)) == "stubbed"
print("ok")
"""
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert found.stdout.strip() == "ok", found.stderr


# ------------------------------------------- credentials, the user's httpx client, odd bodies


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("given", ["sk-abc\n", "  sk-abc\t"], ids=["newline", "spaces"])
def test_a_token_with_surrounding_whitespace_is_sent_stripped(
    httpserver: HTTPServer, mode: str, given: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A token read from a file (``$(cat token)``) ends in a newline: sent without it, from the
    environment or passed."""
    script = serve(httpserver, (200, {}, {}))
    monkeypatch.setenv(_base_client.TOKEN_ENV, given)
    call(mode, httpserver.url_for(""), client_kwargs={"token": None})
    call(mode, httpserver.url_for(""), client_kwargs={"token": given})
    assert [h["authorization"] for h in script.headers] == ["Bearer sk-abc", "Bearer sk-abc"]


@pytest.mark.parametrize("mode", MODES)
def test_an_empty_token_in_the_environment_is_no_token(
    httpserver: HTTPServer, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = serve(httpserver, (200, {}, {}))
    monkeypatch.setenv(_base_client.TOKEN_ENV, " ")
    call(mode, httpserver.url_for(""), client_kwargs={"token": None})
    assert script.count == 1 and "authorization" not in script.headers[0]


@pytest.mark.parametrize("factory", [streamkap.Streamkap, streamkap.AsyncStreamkap])
@pytest.mark.parametrize("bad", ["sk-\x00abc", "sk-äbc", "sk-a\nb"])
def test_a_token_no_header_can_carry_is_refused_without_showing_it(
    factory: Callable[..., Any], bad: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refused when the client is made, not sent (httpx refused it on every attempt, was retried
    as a connection error, and its exception held the token)."""
    with pytest.raises(ValueError, match="control or non-ASCII") as info:
        factory(token=bad, base_url="http://127.0.0.1:9")
    assert "abc" not in str(info.value)
    monkeypatch.setenv(_base_client.TOKEN_ENV, bad.replace("\x00", "\x01"))  # no NUL in environ
    with pytest.raises(ValueError, match=_base_client.TOKEN_ENV):
        factory(base_url="http://127.0.0.1:9")


@pytest.mark.parametrize("factory", [streamkap.Streamkap, streamkap.AsyncStreamkap])
def test_the_base_url_from_the_environment_is_stripped(
    factory: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(_base_client.BASE_URL_ENV, " http://127.0.0.1:9/api/\n")
    assert str(factory(token="t").base_url) == "http://127.0.0.1:9/api"
    assert str(factory(token="t", base_url=" http://127.0.0.1:8 ").base_url) == "http://127.0.0.1:8"


def _call_with(mode: str, base_url: str, http_client: Any, **kwargs: Any) -> Any:
    """One call through a client built on the user's own httpx client (left open)."""
    if mode == "sync":
        with streamkap.Streamkap(token=TOKEN, base_url=base_url, http_client=http_client) as client:
            return client.pipelines.search_pipelines_metrics(**kwargs)

    async def go() -> Any:
        async with streamkap.AsyncStreamkap(token=TOKEN, base_url=base_url, http_client=http_client) as client:
            return await client.pipelines.search_pipelines_metrics(**kwargs)

    return asyncio.run(go())


@pytest.mark.parametrize("mode", MODES)
def test_the_users_http_client_headers_params_and_cookies_are_sent(httpserver: HTTPServer, mode: str) -> None:
    """What the user configured on their httpx client goes out with every call, the call's own
    values winning where both set a name (as httpx's own ``build_request`` merges them)."""
    seen: list[Request] = []

    def handler(request: Request) -> Response:
        seen.append(request)
        return Response("{}", content_type="application/json")

    httpserver.expect_request(PATH, method="POST").respond_with_handler(handler)
    settings: dict[str, Any] = {
        "headers": {"X-Tenant": "t1", "Accept": "text/plain"},
        "params": {"api-version": "2", "size": "1"},
        "cookies": {"session": "s1"},
    }
    http: Any = httpx.Client(**settings) if mode == "sync" else httpx.AsyncClient(**settings)
    _call_with(mode, httpserver.url_for(""), http, size=50)
    request = seen[0]
    assert request.headers["X-Tenant"] == "t1"
    assert request.headers["Accept"] == "application/json"  # the call's
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.args.getlist("api-version") == ["2"]
    assert request.args.getlist("size") == ["50"]  # the call's, not the client's
    assert request.cookies.get("session") == "s1"


@pytest.mark.parametrize("mode", MODES)
def test_cookies_the_server_set_are_sent_back(httpserver: HTTPServer, mode: str) -> None:
    """The SDK's own httpx client keeps the cookies a server sets (a load balancer's sticky
    session) and sends them back, as an httpx client does."""
    cookies: list[str | None] = []

    def handler(request: Request) -> Response:
        cookies.append(request.cookies.get("lb"))
        return Response("{}", content_type="application/json", headers={"Set-Cookie": "lb=node-7; Path=/"})

    httpserver.expect_request(PATH, method="POST").respond_with_handler(handler)
    if mode == "sync":
        with streamkap.Streamkap(token=TOKEN, base_url=httpserver.url_for("")) as client:
            client.pipelines.search_pipelines_metrics()
            client.pipelines.search_pipelines_metrics()
    else:

        async def go() -> None:
            async with streamkap.AsyncStreamkap(token=TOKEN, base_url=httpserver.url_for("")) as client:
                await client.pipelines.search_pipelines_metrics()
                await client.pipelines.search_pipelines_metrics()

        asyncio.run(go())
    assert cookies == [None, "node-7"]


@pytest.mark.parametrize("mode", MODES)
def test_responses_may_be_compressed(httpserver: HTTPServer, mode: str) -> None:
    script = serve(httpserver, (200, {}, {}))
    call(mode, httpserver.url_for(""))
    assert "gzip" in script.headers[0]["accept-encoding"]


@pytest.mark.parametrize("mode", MODES)
def test_the_users_http_client_timeout_applies_unless_timeout_is_given(mode: str) -> None:
    http: Any = httpx.Client(timeout=3.5) if mode == "sync" else httpx.AsyncClient(timeout=3.5)
    factory: Any = streamkap.Streamkap if mode == "sync" else streamkap.AsyncStreamkap
    assert factory(token="t", base_url="http://127.0.0.1:9", http_client=http).timeout == httpx.Timeout(3.5)
    assert factory(token="t", base_url="http://127.0.0.1:9", http_client=http, timeout=9.0).timeout == 9.0


@pytest.mark.parametrize("mode", MODES)
def test_a_body_that_cannot_be_decoded_is_a_connection_error(httpserver: HTTPServer, mode: str) -> None:
    """httpx's DecodingError (not a TransportError) raised past the SDK's errors before."""
    script = serve(httpserver, (200, b"not gzip at all", {"Content-Encoding": "gzip"}))
    exc = raises(mode, httpserver.url_for(""))
    assert type(exc) is streamkap.APIConnectionError
    assert "DecodingError" in str(exc)
    assert script.count == 1  # not retried: the same bytes would come again


@pytest.mark.parametrize("mode", MODES)
def test_an_error_body_over_the_size_limit_keeps_its_status_and_is_retried(
    httpserver: HTTPServer, mode: str, waits: list[float]
) -> None:
    """The limit guards memory: an error's body is cut at it, and the status decides."""
    script = serve(httpserver, (503, b"x" * 5000, {}))
    exc = raises(mode, httpserver.url_for(""), client_kwargs={"max_response_size": 1000})
    assert type(exc) is streamkap.InternalServerError
    assert exc.status_code == 503
    assert exc.response.content == b"x" * 1000
    assert script.count == 3


@pytest.mark.parametrize("mode", MODES)
def test_a_2xx_body_over_the_size_limit_is_still_refused(httpserver: HTTPServer, mode: str) -> None:
    serve(httpserver, (200, json.dumps({"topic_metrics": {"x" * 5000: {}}}), {}))
    exc = raises(mode, httpserver.url_for(""), client_kwargs={"max_response_size": 1000})
    assert type(exc) is streamkap.APIResponseTooLargeError


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "headers",
    [
        {"Retry-After": "{date}"},  # as email.utils.formatdate writes it: "-0000", no zone
        {"Retry-After": "3", "retry-after-ms": "abc"},  # a garbled ms value: Retry-After counts
    ],
    ids=["date_minus_0000", "bad_ms"],
)
def test_retry_after_variants(httpserver: HTTPServer, mode: str, waits: list[float], headers: dict[str, str]) -> None:
    wanted = {k: v.format(date=email.utils.formatdate(time.time() + 4)) for k, v in headers.items()}
    serve(httpserver, (429, {}, wanted), (200, PAYLOAD, {}))
    call(mode, httpserver.url_for(""))
    assert len(waits) == 1 and 2.0 <= waits[0] <= 4.0, waits


def test_parse_after_iterating_a_stream_says_what_happened(httpserver: HTTPServer) -> None:
    serve(httpserver, (200, PAYLOAD, {}))
    with streamkap.Streamkap(token=TOKEN, base_url=httpserver.url_for("")) as client:
        with client.with_streaming_response.pipelines.search_pipelines_metrics() as response:
            assert b"".join(response.iter_bytes())
            with pytest.raises(RuntimeError, match="it was iterated"):
                response.parse()
        with client.with_streaming_response.pipelines.search_pipelines_metrics() as response:
            pass
        with pytest.raises(RuntimeError, match="response was closed"):
            response.parse()


@pytest.mark.parametrize("mode", MODES)
def test_a_stream_cut_short_raises_the_sdks_connection_error(mode: str) -> None:
    """A body that ends before its Content-Length, while the caller iterates it."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"a\":"
    with ClosingServer(reset=False, reply=head) as server:
        if mode == "sync":
            with streamkap.Streamkap(token=TOKEN, base_url=server.url, max_retries=0) as client:
                with client.with_streaming_response.pipelines.search_pipelines_metrics() as response:
                    with pytest.raises(streamkap.APIConnectionError, match="RemoteProtocolError"):
                        list(response.iter_bytes())
        else:

            async def go() -> None:
                async with streamkap.AsyncStreamkap(token=TOKEN, base_url=server.url, max_retries=0) as client:
                    async with client.with_streaming_response.pipelines.search_pipelines_metrics() as response:
                        with pytest.raises(streamkap.APIConnectionError, match="RemoteProtocolError"):
                            await response.aread()

            asyncio.run(go())


def test_an_async_client_outlives_an_event_loop(httpserver: HTTPServer) -> None:
    """``asyncio.run`` twice with one client (a test loop per test does the same): the limit on
    calls in flight and the connections belong to a loop; both are made anew in the next."""
    serve(httpserver, (200, PAYLOAD, {}))
    client = streamkap.AsyncStreamkap(token=TOKEN, base_url=httpserver.url_for(""), max_retries=0)
    copy = client.with_options(timeout=20.0)

    async def many(n: int) -> list[Any]:
        calls = [client.pipelines.search_pipelines_metrics() for _ in range(n)]
        return await asyncio.gather(*calls, copy.pipelines.search_pipelines_metrics())

    first = asyncio.run(many(120))
    second = asyncio.run(many(120))  # a RuntimeError (another loop's semaphore, a closed loop) before
    assert len(first) == len(second) == 121
    assert all(isinstance(r, PipelineMetricsRes) for r in first + second)
    assert copy._client is client._client  # still one pool for the client and its copies

    async def close() -> None:
        await client.close()

    asyncio.run(close())
    assert client._client.is_closed


@pytest.mark.parametrize("mode", MODES)
def test_a_cookie_header_given_as_such_is_kept_beside_the_jars(httpserver: HTTPServer, mode: str) -> None:
    """``default_headers={"Cookie": ...}`` (any case) and ``extra_headers`` stay, with the cookies
    a server set after them, in one header (the jar's cookie replaced the header before)."""
    seen: list[list[str]] = []

    def handler(request: Request) -> Response:
        seen.append(request.headers.getlist("Cookie"))
        return Response("{}", content_type="application/json", headers={"Set-Cookie": "lb=node1; Path=/"})

    httpserver.expect_request(PATH, method="POST").respond_with_handler(handler)
    options: dict[str, Any] = {"token": TOKEN, "base_url": httpserver.url_for(""), "default_headers": {"cookie": "session=abc"}}
    if mode == "sync":
        with streamkap.Streamkap(**options) as client:
            client.pipelines.search_pipelines_metrics()
            client.pipelines.search_pipelines_metrics()
            client.pipelines.search_pipelines_metrics(extra_headers={"Cookie": "session=xyz"})
    else:

        async def go() -> None:
            async with streamkap.AsyncStreamkap(**options) as client:
                await client.pipelines.search_pipelines_metrics()
                await client.pipelines.search_pipelines_metrics()
                await client.pipelines.search_pipelines_metrics(extra_headers={"Cookie": "session=xyz"})

        asyncio.run(go())
    assert seen == [["session=abc"], ["session=abc; lb=node1"], ["session=xyz; lb=node1"]]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "headers",
    [{"retry-after-ms": "nan", "Retry-After": "3"}, {"retry-after-ms": "-1", "Retry-After": "3"}, {"Retry-After": "3", "X-Other": "1"}],
    ids=["ms_nan", "ms_negative", "plain"],
)
def test_a_retry_after_ms_that_is_no_number_leaves_retry_after(
    httpserver: HTTPServer, mode: str, waits: list[float], headers: dict[str, str]
) -> None:
    serve(httpserver, (429, {}, headers), (200, PAYLOAD, {}))
    call(mode, httpserver.url_for(""))
    assert waits == [3.0]


@pytest.mark.parametrize("mode", MODES)
def test_retry_after_with_an_underscore_is_no_number(httpserver: HTTPServer, mode: str, waits: list[float]) -> None:
    serve(httpserver, (429, {}, {"Retry-After": "1_0"}), (200, PAYLOAD, {}))
    call(mode, httpserver.url_for(""))
    assert waits == [backoff(1)]  # not 10 s: Python's float() reads "1_0" as 10


def test_an_async_client_closes_in_a_loop_after_the_one_it_was_used_in(httpserver: HTTPServer) -> None:
    """A fixture's teardown in a new event loop: ``close()`` raised "Event loop is closed"."""
    serve(httpserver, (200, PAYLOAD, {}))
    client = streamkap.AsyncStreamkap(token=TOKEN, base_url=httpserver.url_for(""))

    async def use() -> None:
        await client.pipelines.search_pipelines_metrics()

    async def close() -> None:
        await client.close()

    asyncio.run(use())
    asyncio.run(close())
    assert client._client.is_closed


def test_a_given_cookie_named_like_the_calls_own_gives_way(httpserver: HTTPServer) -> None:
    """The rule the jar follows, for a Cookie header given as such: the call's cookie replaces
    the given one of the same name (servers read the first of two)."""
    from streamkap._base_client import RequestOptions

    client = streamkap.Streamkap(token=TOKEN, base_url="http://127.0.0.1:9", default_headers={"Cookie": "a=1; session=dflt"})
    options = RequestOptions(method="GET", path="/x", responses={}, cookies={"session": "param"})
    assert client.build_request(options, client._client).headers["Cookie"] == "a=1; session=param"
    client.close()
