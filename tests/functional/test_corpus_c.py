"""Functional tests for ``tests/specs/31_*``: documented response headers, streamed bodies and the
size cap on buffered bodies, against pytest-httpserver on 127.0.0.1, sync and async."""

from __future__ import annotations

import asyncio
import itertools
import hashlib
from collections.abc import Callable
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


# ============================================================================== 32_pagination


@pytest.fixture()
def paged(fresh_import: Callable[[Path, str], Any]) -> Any:
    return fresh_import(GOLDEN / "32_pagination", "c32_pagination")


def _pages(server: HTTPServer, path: str, method: str, pages: dict[str, Any], key: Callable[[Any], str]) -> list[str]:
    """Answer each request with the page its ``key`` selects; returns the keys requested, in order."""
    import json

    from werkzeug import Response

    seen: list[str] = []

    def handler(request: Any) -> Any:
        selected = key(request)
        seen.append(selected)
        return Response(json.dumps(pages[selected]), content_type="application/json")

    server.expect_request(path, method=method).respond_with_handler(handler)
    return seen


def test_page_number_iterator_is_lazy_and_stops_on_a_short_page(httpserver: HTTPServer, paged: Any) -> None:
    users = [{"id": i, "name": f"u{i}"} for i in range(1, 8)]
    pages = {str(n): {"data": users[(n - 1) * 3 : n * 3], "total": 7} for n in (1, 2, 3)}
    seen = _pages(httpserver, "/users", "GET", pages, lambda r: r.args.get("page", "1"))
    with paged.Client(token=TOKEN, base_url=httpserver.url_for("")) as client:
        iterator = client.users.iter_list_users(per_page=3, role="admin")
        assert seen == []  # nothing is fetched before iterating
        first = next(iterator)
        assert seen == ["1"] and type(first) is paged.models.User and first.id_ == 1
        rest = list(iterator)
    assert [u.id_ for u in [first, *rest]] == list(range(1, 8))
    assert seen == ["1", "2", "3"]  # page 3 has 1 of 3 items: the last; no 4th request
    queries = [dict(r.args) for r, _ in httpserver.log]
    assert queries == [{"per_page": "3", "role": "admin"}, {"page": "2", "per_page": "3", "role": "admin"}, {"page": "3", "per_page": "3", "role": "admin"}]


def test_page_iterator_without_a_size_stops_on_an_empty_page_and_can_start_later(httpserver: HTTPServer, paged: Any) -> None:
    pages = {"2": {"data": [{"id": 4}]}, "3": {"data": [{"id": 5}]}, "4": {"data": []}}
    seen = _pages(httpserver, "/users", "GET", pages, lambda r: r.args["page"])
    with paged.Client(token=TOKEN, base_url=httpserver.url_for("")) as client:
        ids = [u.id_ for u in client.users.iter_list_users(page=2)]
    assert ids == [4, 5] and seen == ["2", "3", "4"]


def test_offset_iterator_over_a_list_response_async(httpserver: HTTPServer, paged: Any) -> None:
    events = [{"seq": i, "kind": "k"} for i in range(5)]
    pages = {str(o): events[o : o + 2] for o in (0, 2, 4)}
    seen = _pages(httpserver, "/events", "GET", pages, lambda r: r.args.get("offset", "0"))

    async def go() -> list[int]:
        async with paged.AsyncClient(token=TOKEN, base_url=httpserver.url_for("")) as client:
            return [e.seq async for e in client.events.iter_list_events(limit=2)]

    assert asyncio.run(go()) == [0, 1, 2, 3, 4]
    assert seen == ["0", "2", "4"]  # offset advances by the items received; 1 < 2 at offset 4 ends it


def test_cursor_iterator_sends_the_cursor_in_the_body_until_there_is_none(httpserver: HTTPServer, paged: Any) -> None:
    import json

    pages = {
        "": {"results": [{"id": "a"}, {"id": "b"}], "meta": {"next_cursor": "c1"}},
        "c1": {"results": [{"id": "c"}], "meta": {"next_cursor": "c2"}},
        "c2": {"results": [{"id": "d"}], "meta": {"next_cursor": None}},
    }
    seen = _pages(httpserver, "/orders/search", "POST", pages, lambda r: json.loads(r.data).get("cursor") or "")
    with paged.Client(token=TOKEN, base_url=httpserver.url_for("")) as client:
        orders = list(client.orders.iter_search_orders(query="q"))
    assert [o.id_ for o in orders] == ["a", "b", "c", "d"] and seen == ["", "c1", "c2"]
    bodies = [json.loads(r.data) for r, _ in httpserver.log]
    assert bodies == [{"query": "q"}, {"query": "q", "cursor": "c1"}, {"query": "q", "cursor": "c2"}]


def test_a_cursor_that_repeats_ends_the_iteration(httpserver: HTTPServer, paged: Any) -> None:
    pages = {"": {"results": [{"id": "a"}], "meta": {"next_cursor": "same"}}, "same": {"results": [{"id": "b"}], "meta": {"next_cursor": "same"}}}
    seen = _pages(httpserver, "/orders/search", "POST", pages, lambda r: __import__("json").loads(r.data).get("cursor") or "")
    with paged.Client(token=TOKEN, base_url=httpserver.url_for("")) as client:
        assert [o.id_ for o in client.orders.iter_search_orders(query="q")] == ["a", "b"]
    assert seen == ["", "same"]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_server_that_ignores_the_page_argument_ends_the_iteration(
    httpserver: HTTPServer, paged: Any, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The same full page whatever page is asked for (a misconfigured ``param``): the repeat
    ends the iteration, its items not yielded twice (before: the same page, forever)."""
    seen = _pages(httpserver, "/users", "GET", {"any": {"data": [{"id": 1}, {"id": 2}]}}, lambda r: "any")
    if mode == "sync":
        with paged.Client(token=TOKEN, base_url=httpserver.url_for("")) as client:
            ids = [u.id_ for u in itertools.islice(client.users.iter_list_users(per_page=2), 10)]
    else:

        async def go() -> list[int]:
            async with paged.AsyncClient(token=TOKEN, base_url=httpserver.url_for("")) as client:
                out: list[int] = []
                async for u in client.users.iter_list_users(per_page=2):
                    out.append(u.id_)
                    if len(out) == 10:
                        break
                return out

        ids = asyncio.run(go())
    assert ids == [1, 2] and len(seen) == 2
    assert "has the items of the page before it" in caplog.text


def test_a_server_that_ignores_the_page_argument_with_changing_metadata_still_ends_it(
    httpserver: HTTPServer, paged: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """The page's other fields (a request id, a live total) differ each time: the items decide."""
    import json

    from werkzeug import Response

    counter = iter(range(1, 1000))
    httpserver.expect_request("/users", method="GET").respond_with_handler(
        lambda request: Response(json.dumps({"data": [{"id": 1}], "request_id": next(counter)}), content_type="application/json")
    )
    with paged.Client(token=TOKEN, base_url=httpserver.url_for("")) as client:
        ids = [u.id_ for u in itertools.islice(client.users.iter_list_users(), 10)]
    assert ids == [1] and len(httpserver.log) == 2
    assert "has the items of the page before it" in caplog.text


def test_only_configured_operations_get_an_iterator(paged: Any) -> None:
    import inspect

    assert hasattr(paged.operations.list_users, "iter_list_users")
    resource = paged.Client(token=TOKEN, base_url="http://127.0.0.1:9").users
    assert inspect.signature(resource.iter_list_users).parameters.keys() == inspect.signature(resource.list_users).parameters.keys()
    assert not [n for n in dir(paged.Client(token=TOKEN, base_url="http://127.0.0.1:9").with_raw_response.users) if n.startswith("iter_")]
