"""HTTP basic auth and bearer side by side: each operation sends the credential its spec names."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx

from generator.config import Config
from generator.pipeline import run
from generator.write import write_tree

SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "Auth", "version": "1"},
    "servers": [{"url": "http://auth.test"}],
    "paths": {
        "/basic": {"get": {"operationId": "withBasic", "security": [{"basic": []}], "responses": {"204": {"description": "ok"}}}},
        "/bearer": {"get": {"operationId": "withBearer", "security": [{"bearer": []}], "responses": {"204": {"description": "ok"}}}},
    },
    "components": {"securitySchemes": {"basic": {"type": "http", "scheme": "basic"}, "bearer": {"type": "http", "scheme": "bearer"}}},
}


def test_basic_and_bearer_credentials(tmp_path: Path, fresh_import: Any) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(SPEC), encoding="utf-8")
    result = run(Config(spec=spec, out=tmp_path / "out", package="fx_auth_basic", client="Auth", root=tmp_path))
    assert result.warnings == []
    write_tree(tmp_path / "out", result.files, result.spec_sha256)
    pkg = fresh_import(tmp_path / "out", "fx_auth_basic")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    client = pkg.Auth(token="tok", basic_auth=("ada", "s3cret:pw"), http_client=httpx.Client(transport=httpx.MockTransport(handler)))
    assert client.default.with_basic() is None
    assert client.default.with_bearer() is None
    assert seen[0].headers["authorization"] == "Basic " + base64.b64encode(b"ada:s3cret:pw").decode()
    assert seen[1].headers["authorization"] == "Bearer tok"
    assert "s3cret" not in repr(client) and "ada" not in repr(client)
    # Without basic credentials nothing is sent for a basic-secured operation.
    client.with_options().default.with_basic()
    plain = pkg.Auth(token="tok", http_client=httpx.Client(transport=httpx.MockTransport(handler)))
    plain.default.with_basic()
    assert "authorization" not in seen[-1].headers
