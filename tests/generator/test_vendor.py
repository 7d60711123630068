"""generator.vendor: documentation pages (files or URLs) → one canonical vendored spec/openapi.json."""

from __future__ import annotations

import itertools
import json
import socket
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import SEED, SPEC, assert_json_identical
from pytest_httpserver import HTTPServer

from generator.cli import main
from generator.errors import GeneratorError, Problem
from generator.load import load
from generator.vendor import canonical_json, extract, vendor

DOC = {"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": {}}
YAML_DOC = 'openapi: 3.1.0\ninfo:\n  title: T\n  version: "1"\npaths: {}\n'

needs_seed = pytest.mark.skipif(not SEED.is_file(), reason=f"the seed documentation page {SEED} is not on this machine")


@needs_seed
def test_vendored_spec_is_exactly_what_vendor_makes_from_the_seed(tmp_path: Path) -> None:
    out = tmp_path / "spec" / "openapi.json"
    vendor(SEED, out)
    assert out.read_bytes() == SPEC.read_bytes()
    assert not list(out.parent.glob("*.tmp"))


@needs_seed
def test_seed_extraction_keeps_source_key_order() -> None:
    data = extract(SEED.read_text(encoding="utf-8"), str(SEED))
    vendored = json.loads(SPEC.read_text(encoding="utf-8"))
    assert list(data) == list(vendored) == ["openapi", "info", "servers", "security", "tags", "paths", "components"]
    assert data == vendored


def test_canonical_json_format() -> None:
    data = {"z": 1, "a": {"y": [1, 2.0, "é", None, True]}, "m": "日本"}
    text = canonical_json(data)
    assert text == (
        '{\n  "z": 1,\n  "a": {\n    "y": [\n      1,\n      2.0,\n      "é",\n      null,\n      true\n    ]\n  },\n'
        '  "m": "日本"\n}\n'
    )
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert json.loads(text) == data


def test_vendored_spec_is_in_canonical_format() -> None:
    text = SPEC.read_text(encoding="utf-8")
    assert canonical_json(json.loads(text)) == text
    assert text.splitlines()[1].startswith('  "openapi"')


def test_vendor_keeps_ints_and_floats_apart(tmp_path: Path) -> None:
    source = tmp_path / "api.yaml"
    source.write_text(YAML_DOC + "x-numbers: [5, 5.0, 1.5e+3, -0]\n", encoding="utf-8")
    out = tmp_path / "openapi.json"
    vendor(source, out)
    assert '"x-numbers": [\n    5,\n    5.0,\n    1500.0,\n    0\n  ]' in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "page",
    [
        json.dumps(DOC, indent=2),
        YAML_DOC,
        "'openapi': 3.1.0\ninfo: {title: T, version: '1'}\npaths: {}\n",
        "# Title\n\nSome prose.\n\n```yaml\n" + YAML_DOC + "```\n",
        "# Title\n\n````yaml /openapi.json post /x\n" + YAML_DOC + "````\n\nAfter.\n",
        "# Title\n\n~~~yaml\n" + YAML_DOC + "~~~\n",
        "# Title\n\n```yml\n" + YAML_DOC + "```\n",
        "# Title\n\n```json\n" + json.dumps(DOC, indent=2) + "\n```\n",
        "# Title\n\n```yaml\nnot: openapi\n```\n\n```yaml\n" + YAML_DOC + "```\n",
        "# Title\n\n```python\nopenapi = 1\n```\n\n```yaml\n" + YAML_DOC + "```\n",
        ("# Title\n\n```yaml\n" + YAML_DOC + "```\n\nMore prose.\n").replace("\n", "\r\n"),
    ],
    ids=["json", "yaml", "quoted-key", "backticks", "four-backticks", "tildes", "yml", "json-block", "skips-non-openapi", "skips-python", "crlf"],
)
def test_extract_finds_the_document(page: str) -> None:
    assert extract(page, "page.md") == DOC


def test_extract_inner_fence_does_not_end_a_longer_block() -> None:
    body = YAML_DOC.replace("title: T", "title: T\n  description: |\n    ```\n    code\n    ```")
    data = extract("intro\n\n````yaml\n" + body + "````\n", "page.md")
    assert data["info"]["description"] == "```\ncode\n```\n"


def test_extract_a_minified_json_block() -> None:
    page = "# Title\n\n```json\n" + json.dumps(DOC) + "\n```\n"
    assert extract(page, "page.md") == DOC


@pytest.mark.parametrize("page", ["# Nothing here\n", "```yaml\nfoo: bar\n```\n", "```python\nopenapi: 3.1.0\n```\n", ""])
def test_extract_without_a_document_is_a_problem(page: str) -> None:
    with pytest.raises(GeneratorError) as caught:
        extract(page, "page.md")
    assert caught.value.source == "page.md"
    assert "no OpenAPI document" in caught.value.problems[0].message


def _seed_like(body: str) -> str:
    return "# Page\n\n````yaml /openapi.json\n" + body + "````\n"


def test_vendor_rejects_an_invalid_document_and_leaves_the_output_alone(tmp_path: Path) -> None:
    source = tmp_path / "page.md"
    source.write_text(_seed_like(YAML_DOC.replace("paths: {}", "paths: {x: {}}")), encoding="utf-8")
    out = tmp_path / "spec" / "openapi.json"
    out.parent.mkdir()
    out.write_text("previous\n", encoding="utf-8")
    with pytest.raises(GeneratorError) as caught:
        vendor(source, out)
    assert caught.value.source == str(source)
    assert all(p.where.startswith("#") for p in caught.value.problems)
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["openapi.json"]


def test_vendor_rejects_invalid_yaml_with_its_line(tmp_path: Path) -> None:
    source = tmp_path / "api.yaml"
    source.write_text("openapi: 3.1.0\ninfo: {title: [\n", encoding="utf-8")
    with pytest.raises(GeneratorError) as caught:
        vendor(source, tmp_path / "out.json")
    assert "line" in caught.value.problems[0].message
    assert not (tmp_path / "out.json").exists()


def test_vendor_missing_source(tmp_path: Path) -> None:
    with pytest.raises(GeneratorError) as caught:
        vendor(tmp_path / "missing.md", tmp_path / "out.json")
    assert "cannot read" in caught.value.problems[0].message


def test_vendor_output_is_stable(tmp_path: Path) -> None:
    source = tmp_path / "page.md"
    source.write_text(_seed_like(YAML_DOC), encoding="utf-8")
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    vendor(source, first)
    vendor(first, second)  # vendoring the vendored JSON changes nothing
    assert first.read_bytes() == second.read_bytes() == canonical_json(DOC).encode("utf-8")


def _roundtrip(data: Any, tmp_path: Path) -> Any:
    path = tmp_path / "x.json"
    path.write_text(canonical_json(data), encoding="utf-8")
    return json.loads(path.read_text(encoding="utf-8"))


def test_canonical_json_round_trips_unicode(tmp_path: Path) -> None:
    data = {"s": "line\u2028sep \u202e bidi \"q\" \\ \x00"}
    assert _roundtrip(data, tmp_path) == data


# --- several sources: one documentation page per operation, merged -------------------------------

INFO = {"title": "Pipelines API", "version": "2.0.0", "contact": {"name": "Support", "email": "s@example.com"}}
SERVERS = [{"url": "https://api.example.com", "description": "Production"}]
TAGS = [{"name": "Pipelines", "description": "Manage pipelines."}, {"name": "Auth", "description": "Tokens."}]
SCHEMAS: dict[str, Any] = {
    "Pipeline": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}}, "required": ["id"]},
    "PipelineCreate": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]},
    "Error": {"type": "object", "properties": {"detail": {"type": "string"}}},
}
BEARER = {"Bearer": {"type": "http", "scheme": "bearer"}}
ID_PARAM = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]


def _operation(op_id: str, schema: str, body: str | None = None) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{schema}"}
    op: dict[str, Any] = {"tags": ["Pipelines"], "summary": op_id.replace("_", " "), "operationId": op_id}
    if body:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}}}
    op["responses"] = {
        "200": {"description": "OK", "content": {"application/json": {"schema": ref}}},
        "422": {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
    }
    op["security"] = [{"Bearer": []}]
    return op


def _document(path: str, method: str, op: dict[str, Any], schemas: list[str], **top: Any) -> dict[str, Any]:
    """One page's document, as the vendor publishes it: everything the operation needs repeated."""
    item: dict[str, Any] = {"parameters": ID_PARAM} if "{id}" in path else {}
    item[method] = op
    doc: dict[str, Any] = {"openapi": "3.1.0", "info": INFO, "servers": SERVERS, "security": [], "tags": TAGS}
    doc.update(paths={path: item}, components={"schemas": {s: SCHEMAS[s] for s in schemas}, "securitySchemes": BEARER})
    doc.update(top)
    return {k: v for k, v in doc.items() if v is not None}


def _page(doc: dict[str, Any], title: str = "Page") -> str:
    """A documentation page like the seed: prose, then a four-backtick yaml block."""
    body = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    return f"> ## Documentation Index\n\n# {title}\n\nSome prose.\n\n## OpenAPI\n\n````yaml /openapi.json\n{body}````\n"


LIST = _document("/pipelines", "get", _operation("list_pipelines", "Pipeline"), ["Pipeline", "Error"])
CREATE = _document("/pipelines", "post", _operation("create_pipeline", "Pipeline", body="PipelineCreate"), ["PipelineCreate", "Pipeline", "Error"])
GET = _document("/pipelines/{id}", "get", _operation("get_pipeline", "Pipeline"), ["Error", "Pipeline"])


def _write_pages(tmp_path: Path, **docs: dict[str, Any]) -> dict[str, Path]:
    paths = {}
    for name, doc in docs.items():
        paths[name] = tmp_path / f"{name}.md"
        paths[name].write_text(_page(doc, name), encoding="utf-8")
    return paths


def _conflicts(sources: list[Path | str], output: Path) -> GeneratorError:
    with pytest.raises(GeneratorError) as caught:
        vendor(sources, output)
    assert not output.exists()
    assert not list(output.parent.glob("*.tmp"))
    return caught.value


def test_two_pages_merge_into_one_document(tmp_path: Path) -> None:
    pages = _write_pages(tmp_path, get=GET, list=LIST)
    out = tmp_path / "spec" / "openapi.json"
    result = vendor([pages["get"], pages["list"]], out)
    data = json.loads(out.read_text(encoding="utf-8"))
    expected = {
        "openapi": "3.1.0",
        "info": INFO,
        "servers": SERVERS,
        "security": [],
        "tags": [TAGS[1], TAGS[0]],  # sorted by name
        "paths": {
            "/pipelines": {"get": _operation("list_pipelines", "Pipeline")},
            "/pipelines/{id}": {"parameters": ID_PARAM, "get": _operation("get_pipeline", "Pipeline")},
        },
        "components": {"schemas": {"Error": SCHEMAS["Error"], "Pipeline": SCHEMAS["Pipeline"]}, "securitySchemes": BEARER},
    }
    assert_json_identical(data, expected)
    assert out.read_text(encoding="utf-8") == canonical_json(expected)
    assert result.sources == (str(pages["get"]), str(pages["list"]))
    assert result.summary() == f"2 sources → {out} (2 paths, 2 operations, 2 schemas)"
    assert load(out).version == "3.1"


def test_three_pages_merge_methods_of_one_path(tmp_path: Path) -> None:
    pages = _write_pages(tmp_path, create=CREATE, get=GET, list=LIST)
    out = tmp_path / "openapi.json"
    vendor([pages["create"], pages["get"], pages["list"]], out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert list(data) == ["openapi", "info", "servers", "security", "tags", "paths", "components"]
    assert list(data["paths"]) == ["/pipelines", "/pipelines/{id}"]
    assert list(data["paths"]["/pipelines"]) == ["get", "post"]  # method order, not source order
    assert data["paths"]["/pipelines"]["post"] == _operation("create_pipeline", "Pipeline", body="PipelineCreate")
    assert list(data["components"]["schemas"]) == ["Error", "Pipeline", "PipelineCreate"]
    assert [t["name"] for t in data["tags"]] == ["Auth", "Pipelines"]
    ops = {op["operationId"] for item in data["paths"].values() for m, op in item.items() if m != "parameters"}
    assert ops == {"list_pipelines", "create_pipeline", "get_pipeline"}


def test_all_orders_give_the_same_bytes(tmp_path: Path) -> None:
    pages = _write_pages(tmp_path, create=CREATE, get=GET, list=LIST)
    outputs = set()
    for i, order in enumerate(itertools.permutations(pages.values())):
        out = tmp_path / f"out{i}.json"
        vendor(list(order), out)
        outputs.add(out.read_bytes())
    assert i == 5 and len(outputs) == 1


def test_repeats_differing_only_in_key_order_merge_whatever_the_order(tmp_path: Path) -> None:
    shuffled = json.loads(json.dumps(LIST))
    shuffled["info"] = dict(reversed(list(INFO.items())))
    shuffled["components"]["schemas"]["Pipeline"] = dict(reversed(list(SCHEMAS["Pipeline"].items())))
    pages = _write_pages(tmp_path, a=LIST, b=shuffled, c=GET)
    outputs = set()
    for i, order in enumerate(itertools.permutations(pages.values())):
        vendor(list(order), tmp_path / f"{i}.json")
        outputs.add((tmp_path / f"{i}.json").read_bytes())
    assert len(outputs) == 1
    assert json.loads(outputs.pop())["info"] == INFO


def test_identical_pages_merge(tmp_path: Path) -> None:
    pages = _write_pages(tmp_path, a=LIST, b=LIST)
    out = tmp_path / "openapi.json"
    vendor([pages["a"], pages["b"]], out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["paths"] == LIST["paths"] and data["components"] == LIST["components"]


def test_the_same_source_twice_is_one_source(tmp_path: Path) -> None:
    pages = _write_pages(tmp_path, a=CREATE)
    once, twice = tmp_path / "1.json", tmp_path / "2.json"
    vendor(pages["a"], once)
    result = vendor([pages["a"], str(pages["a"])], twice)
    assert result.sources == (str(pages["a"]),)
    assert once.read_bytes() == twice.read_bytes() == canonical_json(CREATE).encode("utf-8")  # source order kept


def test_conflicting_operation_names_both_sources_and_the_pointer(tmp_path: Path) -> None:
    other = json.loads(json.dumps(LIST))
    other["paths"]["/pipelines"]["get"]["summary"] = "List every pipeline"
    pages = _write_pages(tmp_path, a=LIST, b=other)
    out = tmp_path / "spec" / "openapi.json"
    error = _conflicts([pages["b"], pages["a"]], out)
    assert error.source == str(out)
    [problem] = error.problems
    assert problem.where == "#/paths/~1pipelines/get"
    assert problem.message == (
        f"conflicting definitions in {pages['a']} and {pages['b']}; first difference at #/paths/~1pipelines/get/summary"
    )


def test_conflicting_component(tmp_path: Path) -> None:
    other = json.loads(json.dumps(GET))
    other["components"]["schemas"]["Pipeline"]["properties"]["id"]["type"] = "integer"
    pages = _write_pages(tmp_path, list=LIST, get=other)
    error = _conflicts([pages["list"], pages["get"]], tmp_path / "out.json")
    [problem] = error.problems
    assert problem.where == "#/components/schemas/Pipeline"
    assert str(pages["list"]) in problem.message and str(pages["get"]) in problem.message
    assert problem.message.endswith("first difference at #/components/schemas/Pipeline/properties/id/type")


def test_an_int_and_a_float_are_not_identical(tmp_path: Path) -> None:
    one, other = (json.loads(json.dumps(LIST)) for _ in range(2))
    one["components"]["schemas"]["Error"]["maxProperties"] = 5
    other["components"]["schemas"]["Error"]["maxProperties"] = 5.0
    pages = _write_pages(tmp_path, a=one, b=other)
    error = _conflicts([pages["a"], pages["b"]], tmp_path / "out.json")
    assert [p.where for p in error.problems] == ["#/components/schemas/Error"]


def test_conflicting_tag(tmp_path: Path) -> None:
    other = json.loads(json.dumps(GET))
    other["tags"] = [{"name": "Pipelines", "description": "Pipelines, the old way."}, TAGS[1]]
    pages = _write_pages(tmp_path, list=LIST, get=other)
    error = _conflicts([pages["list"], pages["get"]], tmp_path / "out.json")
    [problem] = error.problems
    assert problem.where == "#/tags/1"  # "Pipelines" is the second tag by name
    assert str(pages["list"]) in problem.message and str(pages["get"]) in problem.message
    assert problem.message.endswith("first difference at #/tags/1/description")


def test_conflicting_info_and_every_conflict_reported(tmp_path: Path) -> None:
    other = json.loads(json.dumps(GET))
    other["info"]["version"] = "2.1.0"
    other["openapi"] = "3.1.1"
    other["servers"] = [{"url": "https://staging.example.com"}]
    other["x-logo"] = {"url": "b.png"}
    pages = _write_pages(tmp_path, list=LIST | {"x-logo": {"url": "a.png"}}, get=other)
    error = _conflicts([pages["list"], pages["get"]], tmp_path / "out.json")
    assert [p.where for p in error.problems] == ["#/info", "#/openapi", "#/servers", "#/x-logo"]
    for problem in error.problems:
        assert f"in {pages['get']} and {pages['list']}" in problem.message
    assert error.problems[0].message.endswith("first difference at #/info/version")
    lines = str(error).splitlines()
    assert len(lines) == 4 and lines[0].startswith(f"{tmp_path / 'out.json'}#/info: conflicting definitions in ")


def test_three_sources_two_agreeing(tmp_path: Path) -> None:
    other = json.loads(json.dumps(CREATE))
    other["info"]["title"] = "Renamed"
    pages = _write_pages(tmp_path, a=LIST, b=GET, c=other)
    error = _conflicts([pages["c"], pages["b"], pages["a"]], tmp_path / "out.json")
    [problem] = error.problems
    assert problem.message == (
        f"conflicting definitions in {pages['a']} (same in {pages['b']}) and {pages['c']}; first difference at #/info/title"
    )


def test_path_level_parameters_must_match(tmp_path: Path) -> None:
    other = _document("/pipelines/{id}", "delete", _operation("delete_pipeline", "Pipeline"), ["Pipeline", "Error"])
    other["paths"]["/pipelines/{id}"]["parameters"] = [dict(ID_PARAM[0], description="The pipeline's id")]
    pages = _write_pages(tmp_path, get=GET, delete=other)
    error = _conflicts([pages["get"], pages["delete"]], tmp_path / "out.json")
    assert [p.where for p in error.problems] == ["#/paths/~1pipelines~1{id}/parameters"]
    assert error.problems[0].message.endswith("first difference at #/paths/~1pipelines~1{id}/parameters/0/description")


def test_settings_for_every_operation_must_be_in_every_source(tmp_path: Path) -> None:
    op, schemas = _operation("delete_pipeline", "Pipeline"), ["Pipeline", "Error"]
    other = _document("/pipelines/{id}", "delete", dict(op, parameters=ID_PARAM), schemas, servers=None, security=None)
    del other["paths"]["/pipelines/{id}"]["parameters"]
    pages = _write_pages(tmp_path, get=GET | {"security": [{"Bearer": []}]}, delete=other)
    error = _conflicts([pages["get"], pages["delete"]], tmp_path / "out.json")
    get, delete = pages["get"], pages["delete"]
    assert [(p.where, p.message) for p in error.problems] == [
        ("#/paths/~1pipelines~1{id}/parameters", f"conflicting definitions in {delete} (which leaves it out: []) and {get}"),
        ("#/security", f"conflicting definitions in {delete} (which leaves it out: []) and {get}"),
        ("#/servers", f"defined in {get} but not in {delete}: every source must define it identically, or none"),
    ]


def test_leaving_out_security_or_parameters_is_the_same_as_none(tmp_path: Path) -> None:
    op, schemas = _operation("delete_pipeline", "Pipeline"), ["Pipeline", "Error"]
    other = _document("/pipelines/{id}", "delete", dict(op, parameters=ID_PARAM), schemas, security=None)
    other["paths"]["/pipelines/{id}"]["parameters"] = []
    get = GET | {"paths": {"/pipelines/{id}": {"get": dict(GET["paths"]["/pipelines/{id}"]["get"], parameters=ID_PARAM)}}}
    pages = _write_pages(tmp_path, get=get, delete=other)
    out = tmp_path / "out.json"
    vendor([pages["get"], pages["delete"]], out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["security"] == [] and data["paths"]["/pipelines/{id}"]["parameters"] == []


def test_a_merged_document_that_does_not_validate_names_the_sources(tmp_path: Path) -> None:
    clash = _document("/pipelines/{id}", "delete", _operation("list_pipelines", "Pipeline"), ["Pipeline", "Error"])
    pages = _write_pages(tmp_path, list=LIST, delete=clash)
    error = _conflicts([pages["list"], pages["delete"]], tmp_path / "out.json")
    [problem] = error.problems
    assert problem.where == "#/paths/~1pipelines~1{id}/delete/operationId"
    assert problem.message.startswith("duplicate operationId 'list_pipelines'")
    assert problem.message.endswith(f"(from {pages['delete']})")


def test_a_source_that_cannot_be_merged_is_named(tmp_path: Path) -> None:
    pages = _write_pages(tmp_path, a=LIST, b=GET | {"tags": {"name": "Pipelines"}})
    error = _conflicts([pages["a"], pages["b"]], tmp_path / "out.json")
    assert error.source == str(pages["b"])
    assert [(p.where, p.message) for p in error.problems] == [("#/tags", "must be a list")]


def test_a_conflict_leaves_the_previous_output_alone(tmp_path: Path) -> None:
    other = json.loads(json.dumps(GET))
    other["info"]["version"] = "3"
    pages = _write_pages(tmp_path, a=LIST, b=other)
    out = tmp_path / "openapi.json"
    out.write_text("previous\n", encoding="utf-8")
    with pytest.raises(GeneratorError):
        vendor([pages["a"], pages["b"]], out)
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md", "b.md", "openapi.json"]


@needs_seed
def test_the_seed_merges_with_another_page_of_the_same_api(tmp_path: Path) -> None:
    seed = extract(SEED.read_text(encoding="utf-8"), str(SEED))
    other = json.loads(json.dumps(seed))
    other["paths"] = {"/pipelines/metrics": {"get": dict(seed["paths"]["/pipelines/metrics"]["post"], operationId="get_metrics")}}
    del other["paths"]["/pipelines/metrics"]["get"]["requestBody"]
    page = tmp_path / "get.md"
    page.write_text(_page(other), encoding="utf-8")
    out = tmp_path / "openapi.json"
    vendor([page, SEED], out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert list(data["paths"]["/pipelines/metrics"]) == ["get", "post"]
    assert data["paths"]["/pipelines/metrics"]["post"] == seed["paths"]["/pipelines/metrics"]["post"]
    assert data["components"]["schemas"] == seed["components"]["schemas"]
    assert list(data["components"]["schemas"]) == sorted(seed["components"]["schemas"])
    assert data["tags"] == sorted(seed["tags"], key=lambda t: t["name"])


# --- URLs: a real server on the loopback interface ------------------------------------------------


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    return ("127.0.0.1", 0)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


def test_a_url_source(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/docs/list.md").respond_with_data(_page(LIST), content_type="text/markdown; charset=utf-8")
    url = httpserver.url_for("/docs/list.md")
    assert url.startswith("http://127.0.0.1:")
    out = tmp_path / "openapi.json"
    result = vendor([url], out)
    assert result.sources == (url,)
    assert out.read_text(encoding="utf-8") == canonical_json(LIST)


def test_a_redirected_url(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data(json.dumps(GET))
    out = tmp_path / "openapi.json"
    vendor([httpserver.url_for("/old")], out)
    assert json.loads(out.read_text(encoding="utf-8")) == GET


def test_a_url_that_is_not_found(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/missing.md").respond_with_data("not here", status=404)
    url = httpserver.url_for("/missing.md")
    error = _conflicts([url], tmp_path / "out.json")
    assert error.source == url
    assert error.problems == [Problem("#", "cannot fetch the URL: HTTP 404 NOT FOUND")]
    assert str(error) == f"{url}#: cannot fetch the URL: HTTP 404 NOT FOUND"


def test_a_url_redirected_to_an_error(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/old").respond_with_data("", status=302, headers={"Location": "/gone"})
    httpserver.expect_request("/gone").respond_with_data("", status=410)
    url = httpserver.url_for("/old")
    error = _conflicts([url], tmp_path / "out.json")
    assert error.problems == [Problem("#", f"cannot fetch the URL: HTTP 410 GONE (redirected to {httpserver.url_for('/gone')})")]


def test_a_url_nobody_listens_on(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/page.md"
    error = _conflicts([url], tmp_path / "out.json")
    assert error.source == url
    assert error.problems[0].message.startswith("cannot fetch the URL: ConnectError")


def test_files_and_urls_merge(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/create.md").respond_with_data(_page(CREATE))
    httpserver.expect_request("/get.md").respond_with_data(_page(GET))
    pages = _write_pages(tmp_path, list=LIST)
    urls = [httpserver.url_for("/create.md"), httpserver.url_for("/get.md")]
    from_urls, from_files = tmp_path / "mixed.json", tmp_path / "files.json"
    vendor([urls[0], pages["list"], urls[1]], from_urls)
    vendor(list(_write_pages(tmp_path, create=CREATE, get=GET, list=LIST).values()), from_files)
    assert from_urls.read_bytes() == from_files.read_bytes()


def test_a_conflict_between_a_file_and_a_url_names_the_url(httpserver: HTTPServer, tmp_path: Path) -> None:
    other = json.loads(json.dumps(GET))
    other["tags"] = TAGS[:1]
    other["tags"][0] = dict(TAGS[0], description="Other.")
    httpserver.expect_request("/get.md").respond_with_data(_page(other))
    url = httpserver.url_for("/get.md")
    pages = _write_pages(tmp_path, list=LIST)
    error = _conflicts([url, pages["list"]], tmp_path / "out.json")
    [problem] = error.problems
    assert problem.where == "#/tags/1"
    assert url in problem.message and str(pages["list"]) in problem.message


# --- the command ----------------------------------------------------------------------------------


def test_cli_vendors_several_pages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pages = _write_pages(tmp_path, create=CREATE, get=GET, list=LIST)
    out = tmp_path / "spec" / "openapi.json"
    assert main(["vendor", *map(str, pages.values()), "-o", str(out)]) == 0
    assert capsys.readouterr().out == f"3 sources → {out} (2 paths, 3 operations, 3 schemas)\n"
    assert load(out).data["paths"]["/pipelines"]["post"]["operationId"] == "create_pipeline"


def test_cli_output_defaults_to_spec_openapi_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    pages = _write_pages(tmp_path, list=LIST)
    monkeypatch.chdir(tmp_path)
    assert main(["vendor", "list.md"]) == 0
    assert (tmp_path / "spec" / "openapi.json").read_text(encoding="utf-8") == canonical_json(LIST)
    assert capsys.readouterr().out == f"{pages['list'].name} → spec/openapi.json (1 path, 1 operation, 2 schemas)\n"


def test_cli_conflicts_exit_2_with_one_line_each(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = json.loads(json.dumps(GET))
    other["info"]["version"] = "3"
    other["components"]["schemas"]["Error"] = {"type": "string"}
    pages = _write_pages(tmp_path, list=LIST, get=other)
    out = tmp_path / "openapi.json"
    assert main(["vendor", str(pages["list"]), str(pages["get"]), "-o", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"{out}#/components/schemas/Error: conflicting definitions in {pages['get']} and {pages['list']}; "
        "first difference at #/components/schemas/Error/properties",
        f"{out}#/info: conflicting definitions in {pages['get']} and {pages['list']}; first difference at #/info/version",
    ]
    assert not out.exists()


def test_cli_needs_a_source() -> None:
    with pytest.raises(SystemExit) as caught:
        main(["vendor", "-o", "x.json"])
    assert caught.value.code == 2
