"""Functional tests for ``tests/specs/31_*``: documented response headers, streamed bodies and the
size cap on buffered bodies, against pytest-httpserver on 127.0.0.1, sync and async."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pydantic
import pytest
from conftest import ROOT
from pytest_httpserver import HTTPServer

GOLDEN = ROOT / "tests" / "golden"
TOKEN = "tok-corpus-c"
BLOB = bytes(range(256)) * 4096  # 1 MiB
HEADERS = {
    "X-Checksum": hashlib.sha256(BLOB).hexdigest(),
    "x-part-sizes": "1, 2,3",  # case-insensitive names; a list from comma-separated values
    "X-Rate-Limit-Remaining": "41",
    "X-Undocumented": "kept out",
}


@pytest.fixture(scope="session")
def make_httpserver() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture()
def m(fresh_import: Callable[[Path, str], Any]) -> Any:
    return fresh_import(GOLDEN / "31_response_headers_streaming", "c31_response_headers_streaming")


def _serve_file(server: HTTPServer, content: bytes = BLOB) -> None:
    server.expect_request("/files/f1", method="GET").respond_with_data(
        content, content_type="application/octet-stream", headers=HEADERS
    )


def test_documented_response_headers_are_typed(httpserver: HTTPServer, m: Any) -> None:
    _serve_file(httpserver)
    with m.Client(token=TOKEN, base_url=httpserver.url_for("")) as client:
        raw = client.with_raw_response.files.download_file(id_="f1")
    headers = raw.headers_as(m.models.DownloadFileResponse200Headers)
    assert headers.x_checksum == HEADERS["X-Checksum"]
    assert headers.x_part_sizes == [1, 2, 3]
    assert headers.x_rate_limit_remaining == 41
    assert headers.to_dict() == {"X-Checksum": HEADERS["X-Checksum"], "X-Part-Sizes": [1, 2, 3], "X-Rate-Limit-Remaining": 41}
    assert raw.parse() == BLOB
    # Content-Type is not a documented header (OpenAPI ignores it there).
    assert "content_type" not in m.models.DownloadFileResponse200Headers.model_fields


def test_a_missing_required_header_or_a_bad_value_is_a_validation_error(httpserver: HTTPServer, m: Any) -> None:
    httpserver.expect_request("/items", method="GET").respond_with_json([{"id": 1}], headers={"X-Live": "maybe"})
    httpserver.expect_request("/files/f2", method="GET").respond_with_data(b"x", content_type="application/octet-stream")
    with m.Client(token=TOKEN, base_url=httpserver.url_for("")) as client:
        items = client.with_raw_response.items.list_items()
        blob = client.with_raw_response.files.download_file(id_="f2")
    with pytest.raises(pydantic.ValidationError, match="X-Live"):
        items.headers_as(m.models.ListItemsResponse200Headers)
    with pytest.raises(pydantic.ValidationError, match="X-Checksum"):
        blob.headers_as(m.models.DownloadFileResponse200Headers)


def test_headers_of_each_status_have_their_own_model(m: Any) -> None:
    assert set(m.models.ListItemsResponse200Headers.model_fields) == {"x_next_cursor", "x_rate_limit_remaining", "x_live"}
    assert set(m.models.ListItemsResponse204Headers.model_fields) == {"retry_after"}
    doc = m.operations.list_items.list_items.__doc__
    assert "200: models.ListItemsResponse200Headers" in doc and "204: models.ListItemsResponse204Headers" in doc


def test_streamed_binary_body_sync(httpserver: HTTPServer, m: Any) -> None:
    _serve_file(httpserver)
    with m.Client(token=TOKEN, base_url=httpserver.url_for("")) as client:
        with client.with_streaming_response.files.download_file(id_="f1") as response:
            assert response.status_code == 200
            assert response.headers_as(m.models.DownloadFileResponse200Headers).x_rate_limit_remaining == 41
            chunks = list(response.iter_bytes(65536))
        assert response.http_response.is_closed
    assert b"".join(chunks) == BLOB
    assert len(chunks) == 16 and all(len(c) == 65536 for c in chunks)


def test_streamed_text_lines_sync(httpserver: HTTPServer, m: Any) -> None:
    rows = [f"{i},name-{i}" for i in range(1000)]
    httpserver.expect_request("/exports/e1.csv", method="GET").respond_with_data("\n".join(rows), content_type="text/csv")
    with m.Client(token=TOKEN, base_url=httpserver.url_for("")) as client:
        with client.with_streaming_response.files.export_csv(id_="e1") as response:
            lines = list(response.iter_lines())
    assert lines == rows


def test_streamed_body_can_be_read_and_parsed(httpserver: HTTPServer, m: Any) -> None:
    _serve_file(httpserver)
    with m.Client(token=TOKEN, base_url=httpserver.url_for("")) as client:
        with client.with_streaming_response.files.download_file(id_="f1") as response:
            assert response.parse() == BLOB


def test_streamed_binary_body_async(httpserver: HTTPServer, m: Any) -> None:
    _serve_file(httpserver)

    async def go() -> tuple[list[bytes], bytes]:
        async with m.AsyncClient(token=TOKEN, base_url=httpserver.url_for("")) as client:
            async with client.with_streaming_response.files.download_file(id_="f1") as response:
                chunks = [c async for c in response.aiter_bytes(65536)]
            async with client.with_streaming_response.files.download_file(id_="f1") as response:
                with pytest.raises(RuntimeError, match="aread"):
                    response.parse()
                await response.aread()
                parsed = response.parse()
            return chunks, parsed

    chunks, parsed = asyncio.run(go())
    assert b"".join(chunks) == BLOB and parsed == BLOB


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_streamed_error_status_still_raises_with_the_body(httpserver: HTTPServer, m: Any, mode: str) -> None:
    httpserver.expect_request("/files/nope", method="GET").respond_with_json({"detail": "no such file"}, status=404)

    async def go() -> None:
        async with m.AsyncClient(token=TOKEN, base_url=httpserver.url_for("")) as client:
            async with client.with_streaming_response.files.download_file(id_="nope"):
                pass

    with pytest.raises(m.NotFoundError) as raised:
        if mode == "sync":
            with m.Client(token=TOKEN, base_url=httpserver.url_for("")) as client:
                with client.with_streaming_response.files.download_file(id_="nope"):
                    pass
        else:
            asyncio.run(go())
    assert raised.value.body == {"detail": "no such file"}


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_buffered_bodies_are_capped_and_streams_are_not(httpserver: HTTPServer, m: Any, mode: str, chunked: bool) -> None:
    """Over ``max_response_size``: APIResponseTooLargeError, whether the server declares the length
    or not (chunked); the same body streams fine."""

    def handler(_request: Any) -> Any:
        from werkzeug import Response

        body = iter([BLOB[i : i + 65536] for i in range(0, len(BLOB), 65536)]) if chunked else BLOB
        return Response(body, content_type="application/octet-stream", headers=HEADERS)

    httpserver.expect_request("/files/f1", method="GET").respond_with_handler(handler)
    options = {"token": TOKEN, "base_url": httpserver.url_for(""), "max_response_size": 100_000}

    async def go_async() -> int:
        async with m.AsyncClient(**options) as client:
            with pytest.raises(m.APIResponseTooLargeError) as raised:
                await client.files.download_file(id_="f1")
            assert raised.value.limit == 100_000 and raised.value.status_code == 200
            async with client.with_streaming_response.files.download_file(id_="f1") as response:
                return len(b"".join([c async for c in response.aiter_bytes()]))

    if mode == "sync":
        with m.Client(**options) as client:
            with pytest.raises(m.APIResponseTooLargeError) as raised:
                client.files.download_file(id_="f1")
            assert raised.value.limit == 100_000 and raised.value.status_code == 200
            with client.with_streaming_response.files.download_file(id_="f1") as response:
                size = len(b"".join(response.iter_bytes()))
            assert len(client.with_options(max_response_size=None).files.download_file(id_="f1")) == len(BLOB)
    else:
        size = asyncio.run(go_async())
    assert size == len(BLOB)
    assert issubclass(m.APIResponseTooLargeError, m.APIError)
