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


KEYS_SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "Keys", "version": "1"},
    "servers": [{"url": "http://keys.test"}],
    "security": [{"bearer": []}, {"ApiKeyAuth": []}, {"basic": []}],
    "paths": {
        "/either": {"get": {"operationId": "either", "responses": {"204": {"description": "ok"}}}},
        "/both": {"get": {"operationId": "both", "security": [{"ApiKeyAuth": [], "QueryKey": []}], "responses": {"204": {"description": "ok"}}}},
        "/optional": {"get": {"operationId": "optional", "security": [{}, {"QueryKey": []}], "responses": {"204": {"description": "ok"}}}},
    },
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "ApiKeyAuth": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            "QueryKey": {"type": "apiKey", "in": "query", "name": "key"},
            "basic": {"type": "http", "scheme": "basic"},
        }
    },
}


def test_each_api_key_scheme_has_its_own_argument_and_the_first_held_way_is_sent(
    tmp_path: Path, fresh_import: Any, httpserver: Any, monkeypatch: Any, caplog: Any
) -> None:
    """Alternatives are chosen when the call is made, by the credentials the client holds: an
    API key beside a bearer token has an argument (and an environment variable) of its own."""
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(KEYS_SPEC), encoding="utf-8")
    result = run(Config(spec=spec, out=tmp_path / "out", package="fx_auth_keys", client="Keys", root=tmp_path))
    assert result.warnings == []
    write_tree(tmp_path / "out", result.files, result.spec_sha256)
    pkg = fresh_import(tmp_path / "out", "fx_auth_keys")
    for path in ("/either", "/both", "/optional"):
        httpserver.expect_request(path).respond_with_data(status=204)
    url = httpserver.url_for("")

    def sent(client: Any, call: str) -> tuple[str | None, str | None, str]:
        getattr(client.default, call)()
        request = httpserver.log[-1][0]
        return request.headers.get("Authorization"), request.headers.get("X-API-Key"), request.query_string.decode()

    for name in ("FX_AUTH_KEYS_API_TOKEN", "FX_AUTH_KEYS_API_KEY_AUTH", "FX_AUTH_KEYS_QUERY_KEY"):
        monkeypatch.delenv(name, raising=False)
    only_key = pkg.Keys(base_url=url, api_key_auth="k-1")
    assert sent(only_key, "either") == (None, "k-1", "")  # the second way: the only one held
    assert sent(pkg.Keys(base_url=url, token="t-1", api_key_auth="k-1"), "either") == ("Bearer t-1", None, "")
    basic = pkg.Keys(base_url=url, basic_auth=("ada", "pw"))
    assert sent(basic, "either") == ("Basic " + base64.b64encode(b"ada:pw").decode(), None, "")
    # Both schemes of one requirement, or nothing.
    assert sent(only_key, "both") == (None, None, "")
    both = pkg.Keys(base_url=url, api_key_auth="k-1", query_key="q-1")
    assert sent(both, "both") == (None, "k-1", "key=q-1")
    assert sent(both.with_options(max_retries=0), "both") == (None, "k-1", "key=q-1")
    # Optional authentication: sent when held.
    assert sent(both, "optional") == (None, None, "key=q-1")
    assert sent(only_key, "optional") == (None, None, "")
    # From the environment, stripped; never shown.
    monkeypatch.setenv("FX_AUTH_KEYS_API_KEY_AUTH", "k-env\n")
    assert sent(pkg.Keys(base_url=url), "either") == (None, "k-env", "")
    assert "k-1" not in repr(both) and "q-1" not in repr(both) and "api_key_auth='***'" in repr(both)
    caplog.set_level("DEBUG", logger="fx_auth_keys")
    sent(both, "both")
    ours = " ".join(r.getMessage() for r in caplog.records if r.name == "fx_auth_keys")
    assert "q-1" not in ours and "key=***" in ours
