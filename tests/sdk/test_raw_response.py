"""``client.with_raw_response.<tag>.<op>(...)``: status, headers and a lazily parsed body."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import streamkap
from conftest import GENERATED, ROOT
from streamkap.models import PipelineMetricsRes

PAYLOAD = {"account_metrics": {"a": {"latest": {"latency": 1.5, "recordsLag": 3}}}, "extra": [1]}


def _transport(status: int = 200, body: object = PAYLOAD, calls: list[httpx.Request] | None = None) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        if calls is not None:
            calls.append(request)
        return httpx.Response(status, json=body, headers={"x-request-id": "req-1", "x-custom": "yes"})

    return httpx.MockTransport(handler)


def test_sync_raw_response_gives_status_headers_and_a_lazy_parse() -> None:
    calls: list[httpx.Request] = []
    client = streamkap.Streamkap(token="t", base_url="http://test", http_client=httpx.Client(transport=_transport(calls=calls)))
    raw = client.with_raw_response.pipelines.search_pipelines_metrics(ids=["a"])
    assert isinstance(raw, streamkap.APIResponse)
    assert raw.status_code == 200
    assert raw.headers["x-custom"] == "yes"
    assert raw.json() == PAYLOAD
    parsed = raw.parse()
    assert isinstance(parsed, PipelineMetricsRes)
    assert parsed.to_dict() == PAYLOAD
    assert raw.parse() is parsed  # parsed once
    assert len(calls) == 1 and json.loads(calls[0].content) == {"ids": ["a"]}
    # The plain method is unaffected afterwards.
    assert isinstance(client.pipelines.search_pipelines_metrics(), PipelineMetricsRes)


def test_async_raw_response() -> None:
    async def go() -> None:
        async with httpx.AsyncClient(transport=_transport()) as http:
            client = streamkap.AsyncStreamkap(token="t", base_url="http://test", http_client=http)
            raw = await client.with_raw_response.pipelines.search_pipelines_metrics(size=2)
            assert isinstance(raw, streamkap.APIResponse)
            assert raw.status_code == 200 and raw.headers["x-request-id"] == "req-1"
            assert raw.parse().to_dict() == PAYLOAD
            assert isinstance(await client.pipelines.search_pipelines_metrics(), PipelineMetricsRes)

    asyncio.run(go())


def test_a_non_2xx_status_still_raises() -> None:
    body = {"detail": [{"loc": ["query"], "msg": "bad", "type": "value_error"}]}
    client = streamkap.Streamkap(token="t", base_url="http://test", http_client=httpx.Client(transport=_transport(422, body)))
    with pytest.raises(streamkap.UnprocessableEntityError) as info:
        client.with_raw_response.pipelines.search_pipelines_metrics()
    assert info.value.body.to_dict() == body  # type: ignore[attr-defined]


def test_raw_response_types_check_under_mypy(tmp_path: Path) -> None:
    user = tmp_path / "use_raw.py"
    user.write_text(
        "import streamkap\n"
        "from streamkap.models import PipelineMetricsRes\n"
        "def f(c: streamkap.Streamkap) -> PipelineMetricsRes:\n"
        "    raw: streamkap.APIResponse[PipelineMetricsRes] = c.with_raw_response.pipelines.search_pipelines_metrics(ids=['a'])\n"
        "    assert raw.status_code == 200\n"
        "    return raw.parse()\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(user)],
        cwd=ROOT,
        env={"MYPYPATH": str(GENERATED), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
