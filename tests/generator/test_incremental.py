"""Incremental regeneration (``generator.incremental``): after an edit to a few paths, the run that
replays the last one writes exactly the tree a full build writes, file for file, manifest
included; edits it cannot replay fall back to a full build, with the same result.

Every case generates the spec, edits it, regenerates into the same folder (``pipeline.generate``,
as the CLI does), and compares the tree with a full build of the edited spec in a fresh folder.
"""

from __future__ import annotations

import copy
import json
import os
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT

from generator import incremental
from generator.config import Config, load_config
from generator.errors import GeneratorError
from generator.operations import METHODS
from generator.pipeline import Result, generate, run
from generator.write import MANIFEST, write_tree

SPECS_DIR = ROOT / "tests" / "specs"
SPECS = sorted(p for p in SPECS_DIR.iterdir() if p.suffix in (".json", ".yaml"))

Edit = Callable[[dict[str, Any], str], bool]  # (spec, path) → whether it applied


def _config(spec: Path, out: Path, source: Path | None = None) -> Config:
    sidecar = (source or spec).with_suffix(".toml")
    base = load_config(sidecar) if sidecar.is_file() else Config()
    return replace(base, spec=spec, out=out, package="isdk", client="Client", root=out.parent)


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _operations(item: dict[str, Any]) -> list[dict[str, Any]]:
    return [item[m] for m in METHODS if isinstance(item.get(m), dict)]


def _first_op(spec: dict[str, Any], path: str) -> dict[str, Any] | None:
    item = spec["paths"][path]
    ops = _operations(item) if isinstance(item, dict) else []
    return ops[0] if ops else None


def _summary(spec: dict[str, Any], path: str) -> bool:
    op = _first_op(spec, path)
    if op is None:
        return False
    op["summary"] = "An edited summary: ✓ \"quoted\" and `ticked`"
    return True


def _deprecated(spec: dict[str, Any], path: str) -> bool:
    op = _first_op(spec, path)
    if op is None:
        return False
    op["deprecated"] = not op.get("deprecated", False)
    return True


def _parameter(spec: dict[str, Any], path: str) -> bool:
    op = _first_op(spec, path)
    if op is None:
        return False
    op.setdefault("parameters", []).append({"name": "zz_added", "in": "query", "description": "Added.", "schema": {"type": "integer"}})
    return True


def _inline_property(spec: dict[str, Any], path: str) -> bool:
    """A property added to the first inline object schema of the path (request or response)."""
    for op in _operations(spec["paths"][path]) if isinstance(spec["paths"][path], dict) else []:
        for holder in [op.get("requestBody"), *(op.get("responses") or {}).values()]:
            for media in ((holder or {}).get("content") or {}).values() if isinstance(holder, dict) else []:
                schema = media.get("schema") if isinstance(media, dict) else None
                if isinstance(schema, dict) and isinstance(schema.get("properties"), dict):
                    schema["properties"]["zz_added"] = {"type": "string", "description": "Added."}
                    return True
    return False


def _new_inline_object(spec: dict[str, Any], path: str) -> bool:
    """A response that becomes an inline object: a new hoisted model (a full build)."""
    op = _first_op(spec, path)
    if op is None:
        return False
    schema = {"type": "object", "properties": {"zz_added": {"type": "integer"}}}
    op["responses"] = {"200": {"description": "OK", "content": {"application/json": {"schema": schema}}}}
    return True


def _renamed(spec: dict[str, Any], path: str) -> bool:
    op = _first_op(spec, path)
    if op is None:
        return False
    op["operationId"] = str(op.get("operationId", "unnamed")) + "Renamed"
    return True


def _tagged(spec: dict[str, Any], path: str) -> bool:
    op = _first_op(spec, path)
    if op is None:
        return False
    op["tags"] = [*(op.get("tags") or []), "zz-added-tag"]
    return True


def _removed(spec: dict[str, Any], path: str) -> bool:
    item = spec["paths"][path]
    methods = [m for m in METHODS if isinstance(item, dict) and isinstance(item.get(m), dict)]
    if not methods:
        return False
    del item[methods[-1]]
    return True


EDITS: dict[str, Edit] = {
    "summary": _summary,
    "deprecated": _deprecated,
    "parameter": _parameter,
    "inline_property": _inline_property,
    "new_inline_object": _new_inline_object,
    "renamed": _renamed,
    "tagged": _tagged,
    "removed": _removed,
}
# Edits a replay must handle (where the spec allows them): the point of the fast path.
REPLAYED = {"summary", "deprecated", "parameter", "inline_property"}


def _read(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def _generated(folder: Path, spec: dict[str, Any] | str, name: str = "openapi.json") -> tuple[Path, Config]:
    """``spec`` written to ``folder/name`` (JSON, or YAML text) and generated into ``folder/out``."""
    folder.mkdir()
    spec_path = folder / name
    spec_path.write_text(spec if isinstance(spec, str) else json.dumps(spec), encoding="utf-8")
    config = _config(spec_path, folder / "out")
    generate(config)
    return spec_path, config


def _full_build(folder: Path, spec: dict[str, Any] | str, name: str = "openapi.json") -> Path:
    """A full build of ``spec`` into ``folder/out`` (no cache involved); the output folder."""
    folder.mkdir()
    spec_path = folder / name
    spec_path.write_text(spec if isinstance(spec, str) else json.dumps(spec), encoding="utf-8")
    full = run(_config(spec_path, folder / "out"))
    write_tree(folder / "out", full.files, full.spec_sha256, full.sources, full.inputs)
    return folder / "out"


class _BothFailed(Exception):
    """The edit breaks the spec (or its settings): both runs failed with the same problems."""


def _regenerate(tmp_path: Path, source: Path, spec: dict[str, Any], edited: dict[str, Any]) -> tuple[Result, Path, Path]:
    """Generate ``spec``, then ``edited`` into the same folder; a full build of ``edited`` elsewhere."""
    work, fresh = tmp_path / "work", tmp_path / "fresh"
    work.mkdir()
    fresh.mkdir()
    spec_path = work / "openapi.json"
    spec_path.write_text(json.dumps(spec, indent=2), encoding="utf-8")
    generate(_config(spec_path, work / "out", source))
    before = _tree(work / "out")
    spec_path.write_text(json.dumps(edited, indent=2), encoding="utf-8")
    full_spec = fresh / "openapi.json"
    full_spec.write_text(json.dumps(edited, indent=2), encoding="utf-8")
    try:
        full = run(_config(full_spec, fresh / "out", source))
    except GeneratorError as exc:  # an edit that breaks the spec (or its settings): the same error
        with pytest.raises(GeneratorError) as info:
            generate(_config(spec_path, work / "out", source))
        assert [p.message for p in info.value.problems] == [p.message for p in exc.problems]
        assert _tree(work / "out") == before  # nothing written
        raise _BothFailed from exc
    result, _ = generate(_config(spec_path, work / "out", source))
    write_tree(fresh / "out", full.files, full.spec_sha256, full.sources, full.inputs)
    assert result.warnings == full.warnings
    return result, work / "out", fresh / "out"


def _edited(spec: Path, edit: str) -> tuple[dict[str, Any], dict[str, Any], str] | None:
    """The spec, the spec with ``edit`` applied to one of its paths (a different path for
    different edits), and that path; None when the edit does not apply there."""
    original = _read(spec)
    paths = list(original.get("paths") or {})
    if not paths:
        return None
    path = paths[len(edit) % len(paths)]
    edited = copy.deepcopy(original)
    return (original, edited, path) if EDITS[edit](edited, path) else None


CASES = [(spec, edit) for spec in SPECS for edit in EDITS if _edited(spec, edit) is not None]


@pytest.mark.parametrize(("spec", "edit"), CASES, ids=[f"{s.stem}-{e}" for s, e in CASES])
def test_regenerating_after_an_edit_writes_what_a_full_build_writes(tmp_path: Path, spec: Path, edit: str) -> None:
    case = _edited(spec, edit)
    assert case is not None
    original, edited, path = case
    try:
        result, out, fresh = _regenerate(tmp_path, spec, original, edited)
    except _BothFailed:
        return  # the edit breaks the spec: both runs failed with the same problems, nothing written
    assert _tree(out) == _tree(fresh)
    if edit in REPLAYED:
        assert result.replayed == (path,), "a full build where a replay was expected"
        assert result.unchanged and MANIFEST not in result.unchanged


def _spec_with(paths: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    return {"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": paths, "components": {"schemas": schemas}}


def _get(schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"get": {"responses": {"200": {"description": "OK", "content": {"application/json": {"schema": schema}}}}, **extra}}


SPEC = _spec_with(
    {
        "/a": _get({"type": "object", "properties": {"x": {"type": "object", "properties": {"y": {"type": "string"}}}}}, operationId="getA"),
        "/b": _get({"$ref": "#/components/schemas/Thing"}, operationId="getB"),
        "/c": _get({"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}, operationId="getC"),
    },
    {"Thing": {"type": "object", "properties": {"id": {"type": "integer"}, "inner": {"type": "object", "properties": {"z": {"type": "boolean"}}}}}},
)


def test_a_nested_inline_object_edited_is_replayed(tmp_path: Path) -> None:
    """``/a``'s response hoists a model, which hoists another: both are the path's, and rebuilt."""
    edited = copy.deepcopy(SPEC)
    edited["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["x"]["properties"]["w"] = {"type": "number"}
    result, out, fresh = _regenerate(tmp_path, SPECS_DIR / "none.json", SPEC, edited)
    assert result.replayed == ("/a",) and _tree(out) == _tree(fresh)
    assert "    w: " in (out / "isdk" / "models" / "get_a_response200_x.py").read_text(encoding="utf-8")
    assert set(result.files) == {"isdk/models/get_a_response200_x.py"}  # the only file that changed


@pytest.mark.parametrize(
    ("what", "change"),
    [
        ("a component schema", lambda s: s["components"]["schemas"]["Thing"]["properties"].update(name={"type": "string"})),
        ("info", lambda s: s["info"].update(title="Other")),
        ("a path added", lambda s: s["paths"].update({"/d": _get({"$ref": "#/components/schemas/Thing"}, operationId="getD")})),
        ("paths reordered", lambda s: s.update(paths=dict(reversed(list(s["paths"].items()))))),
        (
            "a path item that names another",
            lambda s: s["paths"]["/b"]["get"].update(parameters=[{"$ref": "#/paths/~1c/get/parameters/0"}])
            or s["paths"]["/c"]["get"].update(parameters=[{"name": "q", "in": "query", "schema": {"type": "string"}}]),
        ),
    ],
)
def test_edits_a_replay_cannot_follow_are_full_builds(tmp_path: Path, what: str, change: Callable[[dict[str, Any]], object]) -> None:
    edited = copy.deepcopy(SPEC)
    change(edited)
    result, out, fresh = _regenerate(tmp_path, SPECS_DIR / "none.json", SPEC, edited)
    assert result.replayed == () and not result.unchanged, what
    assert _tree(out) == _tree(fresh)


def test_a_path_that_names_another_is_never_replayed(tmp_path: Path) -> None:
    """``/c`` takes its parameter from ``/b``: editing ``/b`` changes ``/c``'s operation too."""
    spec = copy.deepcopy(SPEC)
    spec["paths"]["/b"]["get"]["parameters"] = [{"name": "q", "in": "query", "description": "One.", "schema": {"type": "string"}}]
    spec["paths"]["/c"]["get"]["parameters"] = [{"$ref": "#/paths/~1b/get/parameters/0"}]
    edited = copy.deepcopy(spec)
    edited["paths"]["/b"]["get"]["parameters"][0]["description"] = "Two."
    result, out, fresh = _regenerate(tmp_path, SPECS_DIR / "none.json", spec, edited)
    assert result.replayed == () and _tree(out) == _tree(fresh)
    assert "Two." in (out / "isdk" / "operations" / "get_c.py").read_text(encoding="utf-8")


def test_a_generated_file_edited_by_hand_is_restored_by_a_full_build(tmp_path: Path) -> None:
    edited = copy.deepcopy(SPEC)
    _summary(edited, "/b")
    spec_path, config = _generated(tmp_path / "work", SPEC)
    model = config.out / "isdk" / "models" / "thing.py"
    original = model.read_bytes()
    model.write_bytes(original + b"# edited\n")
    spec_path.write_text(json.dumps(edited), encoding="utf-8")
    result, summary = generate(config)
    assert result.replayed == () and model.read_bytes() == original
    assert "isdk/models/thing.py" in summary.written


def test_other_settings_are_a_full_build(tmp_path: Path) -> None:
    spec_path, config = _generated(tmp_path / "work", SPEC)
    edited = copy.deepcopy(SPEC)
    _summary(edited, "/a")
    spec_path.write_text(json.dumps(edited), encoding="utf-8")
    result, _ = generate(replace(config, client="Other"))
    assert result.replayed == () and "class Other" in (config.out / "isdk" / "_client.py").read_text(encoding="utf-8")


def test_without_a_cache_folder_every_run_is_full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(incremental.CACHE_ENV, "")
    assert incremental.cache_path(tmp_path) is None
    spec_path, config = _generated(tmp_path / "work", SPEC)
    edited = copy.deepcopy(SPEC)
    _summary(edited, "/a")
    spec_path.write_text(json.dumps(edited), encoding="utf-8")
    result, _ = generate(config)
    assert result.replayed == () and result.state is not None


def test_a_broken_cache_file_is_no_cache(tmp_path: Path) -> None:
    spec_path, config = _generated(tmp_path / "work", SPEC)
    cache = incremental.cache_path(config.out)
    assert cache is not None and cache.is_file()
    cache.write_bytes(cache.read_bytes()[:1000])
    edited = copy.deepcopy(SPEC)
    _summary(edited, "/a")
    spec_path.write_text(json.dumps(edited), encoding="utf-8")
    result, _ = generate(config)
    assert result.replayed == ()
    spec_path.write_text(json.dumps(SPEC), encoding="utf-8")  # the cache written by that run works
    assert generate(config)[0].replayed == ("/a",)


def test_an_interrupted_write_is_finished_by_the_next_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The renames of an incremental write stop after the journal is complete (a crash): the next
    write finishes them first, so no file is left half old, half new."""
    import generator.write as write

    edited = copy.deepcopy(SPEC)
    _summary(edited, "/b")
    config = _interrupted(tmp_path, edited, monkeypatch)
    work = config.out.parent
    operation = config.out / "isdk" / "operations" / "get_b.py"
    assert "An edited summary" not in operation.read_text(encoding="utf-8")  # nothing moved yet
    assert [p.name for p in work.glob(".out.stage-*")]
    write.recover(config.out)
    assert "An edited summary" in operation.read_text(encoding="utf-8")
    assert not list(work.glob(".out.stage-*"))
    assert _tree(config.out) == _tree(_full_build(tmp_path / "fresh", edited))


def _interrupted(tmp_path: Path, edited: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Config:
    """``SPEC`` generated, then ``edited`` regenerated by a run that dies after its journal is
    complete, before any file is renamed into place."""
    import generator.write as write

    spec_path, config = _generated(tmp_path / "work", SPEC)
    spec_path.write_text(json.dumps(edited), encoding="utf-8")

    def crash(stage: Path, out: Path, checked: bool = False) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(write, "_finish", crash)
    with pytest.raises(KeyboardInterrupt):
        generate(config)
    monkeypatch.undo()
    return config


def test_a_large_sdks_state_is_saved_by_a_detached_process(tmp_path: Path) -> None:
    """``save_state(background=True)`` returns at once; the state appears shortly after."""
    spec_path = tmp_path / "openapi.json"
    spec_path.write_text(json.dumps(SPEC), encoding="utf-8")
    config = _config(spec_path, tmp_path / "out")
    result = run(config, incremental=True)
    summary = write_tree(config.out, result.files, result.spec_sha256, result.sources, result.inputs)
    assert result.state is not None
    incremental.save_state(config.out, result.state, summary.hashes, background=True)
    cache = incremental.cache_path(config.out)
    assert cache is not None
    deadline = time.monotonic() + 30
    while not cache.is_file() and time.monotonic() < deadline:
        time.sleep(0.05)
    state = incremental.load_state(config.out)
    assert state is not None and state.files == summary.hashes and len(state.stats) == len(summary.hashes)


# --- cases a review found (each failed before its fix) ------------------------------------------


def _post(schema: dict[str, Any], operation_id: str) -> dict[str, Any]:
    body = {"required": True, "content": {"application/json": {"schema": schema}}}
    return {"post": {"operationId": operation_id, "requestBody": body, "responses": {"204": {"description": "ok"}}}}


def test_a_body_model_that_changed_gives_its_operation_new_arguments(tmp_path: Path) -> None:
    """The body's properties are the operation's arguments: the replay reads the rebuilt model."""
    paths = {**SPEC["paths"], "/a": _post({"type": "object", "properties": {"name": {"type": "string"}}}, "createA")}
    spec = _spec_with(paths, SPEC["components"]["schemas"])
    edited = copy.deepcopy(spec)
    edited["paths"]["/a"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]["added"] = {"type": "integer"}
    result, out, fresh = _regenerate(tmp_path, SPECS_DIR / "none.json", spec, edited)
    assert result.replayed == ("/a",) and _tree(out) == _tree(fresh)
    assert "added: int | NotGiven = NOT_GIVEN" in (out / "isdk" / "operations" / "create_a.py").read_text(encoding="utf-8")


def test_a_lookup_of_a_body_model_that_moves_when_models_are_built_is_a_full_build(tmp_path: Path) -> None:
    """A ``$ref`` body makes the build look its model up, which builds every pending model then:
    that decides which of two inline models wanting one name gets it (and the warnings' order)."""

    def resp(schema: dict[str, Any]) -> dict[str, Any]:
        return {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}

    inner = {"type": "object", "properties": {"n": {"type": "integer"}}}
    spec = _spec_with(
        {
            "/a": {"get": {"operationId": "getA", "responses": resp({"type": "object", "properties": {"xxResponse200": inner}})}},
            "/b": {"post": {"operationId": "getAResponse200Xx", "responses": resp({"type": "object", "properties": {"m": {"type": "string"}}})}},
        },
        {"Thing": {"type": "object", "properties": {"id": {"type": "integer"}}}},
    )
    edited = copy.deepcopy(spec)
    edited["paths"]["/b"]["post"]["requestBody"] = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}
    result, out, fresh = _regenerate(tmp_path, SPECS_DIR / "none.json", spec, edited)
    assert result.replayed == () and _tree(out) == _tree(fresh)


@pytest.mark.parametrize(("before", "after"), [((1, [1, 2]), (1.0, [1, 2])), ((0, [1, 2]), (0, [True, 2])), ((0.0, [1]), (-0.0, [1]))])
def test_values_equal_in_python_but_written_differently_are_rendered_again(tmp_path: Path, before: Any, after: Any) -> None:
    """``1 == 1.0 == True`` and ``0.0 == -0.0``, but the files say ``1``, ``1.0``, ``True``, ``-0.0``."""

    def spec(default: Any, enum: list[Any]) -> dict[str, Any]:
        params = [{"name": "n", "in": "query", "schema": {"type": "number", "default": default}}, {"name": "e", "in": "query", "schema": {"enum": enum}}]
        body = {"type": "object", "properties": {"v": {"type": "number", "default": default}}}
        ok = {"200": {"description": "ok", "content": {"application/json": {"schema": body}}}}
        return _spec_with({"/a": {"get": {"operationId": "getA", "parameters": params, "responses": ok}}, "/b": SPEC["paths"]["/b"]}, SPEC["components"]["schemas"])

    result, out, fresh = _regenerate(tmp_path, SPECS_DIR / "none.json", spec(*before), spec(*after))
    assert result.replayed == ("/a",) and _tree(out) == _tree(fresh)


def test_a_loaded_ir_leaves_out_fields_at_their_default_and_is_still_the_same() -> None:
    """The state pickles IR objects without the fields that hold their default: they read the
    same, compare equal, and ``same`` (field by field, not ``vars``) agrees with a built one."""
    import pickle

    from generator.ir import NONE, Field, Model

    built = Model("Thing", "thing", "Thing", "", (Field("a", "a", NONE, True), Field("b", "b", NONE, False, default=0, has_default=True)), pointer="#/x")
    loaded = pickle.loads(pickle.dumps(built))
    assert loaded == built and loaded.fields[0].default is None and loaded.fields[1].default == 0
    assert "extra" not in vars(loaded) and "default" not in vars(loaded.fields[0]) and vars(loaded.fields[1])["default"] == 0
    assert incremental.same(loaded, built) and incremental.same(built, loaded)
    assert not incremental.same(loaded, replace(built, description="d"))
    assert not incremental.same(pickle.loads(pickle.dumps(replace(built, fields=(replace(built.fields[0], default=0.0, has_default=True),)))), replace(built, fields=(replace(built.fields[0], default=0, has_default=True),)))


def test_a_replay_unpacks_only_the_ir_it_rebuilds(tmp_path: Path) -> None:
    """The state's models and operations keep their packed parts (``ir._sparse_state``) through a
    replay of one path whose summary changed: only that path's operation is unpacked (it is
    compared with its rebuilt self); the rest is told unchanged by identity."""
    schemas = {f"Thing{i}": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}} for i in range(12)}
    paths = {f"/things{i}": _get({"$ref": f"#/components/schemas/Thing{i}"}, operationId=f"getThing{i}", summary="s") for i in range(12)}
    spec = _spec_with(paths, schemas)
    edited = copy.deepcopy(spec)
    edited["paths"]["/things3"]["get"]["summary"] = "changed"
    result, out, fresh = _regenerate(tmp_path, SPECS_DIR / "none.json", spec, edited)
    assert result.replayed == ("/things3",) and _tree(out) == _tree(fresh)
    assert all("_packed" in vars(m) for m in result.api.models), "a model unpacked"
    unpacked = [op.operation_id for op in result.api.operations if "_packed" not in vars(op)]
    assert unpacked == ["getThing3"]


def test_reread_freezes_what_it_read_only_when_it_is_used(tmp_path: Path) -> None:
    """``freeze``: a copy that is used is left alone by the collector until the run unfreezes it;
    one that is not (here: a change outside ``paths``) is not kept alive that way."""
    import gc

    text = json.dumps(_BASE)
    out = _copied(tmp_path, text.encode("utf-8"))
    assert gc.get_freeze_count() == 0
    try:
        assert incremental.reread(out, text.replace('"version": "1"', '"version": "2"').encode("utf-8"), freeze=True) is None
        assert gc.get_freeze_count() == 0 and gc.isenabled()
        assert incremental.reread(out, text.encode("utf-8"), freeze=True) is not None
        assert gc.get_freeze_count() > 0 and gc.isenabled()
    finally:
        gc.unfreeze()


def test_paths_sharing_one_path_item_are_never_replayed(tmp_path: Path) -> None:
    """3.1: ``/x`` and ``/y`` are the same ``components/pathItems`` entry (one pointer, two operations)."""
    ok = {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "string"}}}}}
    spec = _spec_with({"/x": {"$ref": "#/components/pathItems/X"}, "/y": {"$ref": "#/components/pathItems/X"}, "/z": _get({"type": "string"}, operationId="getZ")}, {})
    spec["components"]["pathItems"] = {"X": {"get": {"responses": ok}}}
    edited = copy.deepcopy(spec)
    edited["paths"]["/x"]["summary"] = "s"
    result, out, fresh = _regenerate(tmp_path, SPECS_DIR / "none.json", spec, edited)
    assert result.replayed == () and _tree(out) == _tree(fresh)


def test_yaml_aliases_make_every_run_a_full_build(tmp_path: Path) -> None:
    """``*x`` makes two paths hold one object (one model, not two): a change no path's value shows."""
    base = """openapi: 3.1.0
info: {title: T, version: '1'}
paths:
  /a:
    get:
      operationId: getA
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object, properties: {id: {type: integer}}}}}}
  /b:
    get:
      operationId: getB
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object, properties: {id: {type: integer}}}}}}
"""
    aliased = base.replace("{schema: {type: object", "{schema: &x {type: object", 1)
    aliased = aliased[: aliased.rindex("{schema: {type")] + "{schema: *x}}}\n"
    outputs: list[list[str]] = []
    for first, second in ((base, aliased), (aliased, base)):
        spec_path, config = _generated(tmp_path / f"w{len(outputs)}", first, "openapi.yaml")
        spec_path.write_text(second, encoding="utf-8")
        result, _ = generate(config)
        fresh = _full_build(tmp_path / f"f{len(outputs)}", second, "openapi.yaml")
        assert result.replayed == () and _tree(config.out) == _tree(fresh)
        outputs.append(sorted(p.name for p in (config.out / "isdk" / "models").iterdir()))
    assert len(outputs[0]) < len(outputs[1])  # one model for the aliased object, two without


def test_an_interrupted_write_is_finished_before_the_next_run_compares(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run dies after its journal; the spec is then reverted: the next run must start from the
    finished write (the files on disk), not from the state saved before it."""
    edited = copy.deepcopy(SPEC)
    _summary(edited, "/b")
    config = _interrupted(tmp_path, edited, monkeypatch)
    config.spec.write_text(json.dumps(SPEC), encoding="utf-8")  # reverted
    generate(config)
    assert "An edited summary" not in (config.out / "isdk" / "operations" / "get_b.py").read_text(encoding="utf-8")
    assert _tree(config.out) == _tree(_full_build(tmp_path / "fresh", SPEC))


def test_a_generated_folder_replaced_by_a_link_is_not_written_through(tmp_path: Path) -> None:
    """As the full write: a link where the generator writes a folder is in the way."""
    import shutil

    spec_path, config = _generated(tmp_path / "work", SPEC)
    elsewhere = tmp_path / "elsewhere"
    shutil.move(str(config.out / "isdk" / "operations"), str(elsewhere))
    (config.out / "isdk" / "operations").symlink_to(elsewhere)
    edited = copy.deepcopy(SPEC)
    _summary(edited, "/a")
    spec_path.write_text(json.dumps(edited), encoding="utf-8")
    with pytest.raises(GeneratorError, match="in the way"):
        generate(config)
    assert "An edited summary" not in (elsewhere / "get_a.py").read_text(encoding="utf-8")


def test_the_detached_saver_holds_none_of_the_callers_pipes(tmp_path: Path) -> None:
    """A caller that reads a run's output (``subprocess.run(capture_output=True)``) gets its end of
    file when the run ends, not when the detached process has saved the state, 2 s later."""
    import subprocess
    import sys

    spec_path = tmp_path / "openapi.json"
    spec_path.write_text(json.dumps(SPEC), encoding="utf-8")
    program = f"""
import multiprocessing, sys
from pathlib import Path
sys.path.insert(0, {str(ROOT)!r})
from generator import incremental
from generator.config import Config
from generator.pipeline import run
from generator.write import write_tree
if __name__ == "__main__":
    multiprocessing.get_context("spawn").Lock()  # starts the resource tracker, which holds this output
    config = Config(spec=Path({str(spec_path)!r}), out=Path({str(tmp_path / 'out')!r}), package="isdk", client="Client")
    result = run(config, incremental=True)
    summary = write_tree(config.out, result.files, result.spec_sha256, result.sources, result.inputs)
    incremental.save_state(config.out, result.state, summary.hashes, background=True)
    print("written")
"""
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "written"
    cache = incremental.cache_path(tmp_path / "out")
    assert cache is not None and not cache.exists()  # the output ended before the state was saved
    deadline = time.monotonic() + 30
    while not cache.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert incremental.load_state(tmp_path / "out") is not None


def test_a_staging_folder_left_by_a_crash_is_removed_once_old(tmp_path: Path) -> None:
    """A crash before the journal was complete leaves a staging folder nobody finishes: removed
    after an hour; a younger one may belong to a run in progress and stays."""
    import generator.write as write

    spec_path, config = _generated(tmp_path / "work", SPEC)
    old, young = config.out.parent / ".out.stage-abandoned", config.out.parent / ".out.stage-running"
    for stage in (old, young):
        stage.mkdir()
        (stage / "0").write_text("half written", encoding="utf-8")
    hours_ago = time.time() - 2 * 3600
    os.utime(old, (hours_ago, hours_ago))
    write.recover(config.out)
    assert not old.exists() and (young / "0").is_file()


# ---------------------------------------------------------------- the spec read by difference

_BASE = {
    "openapi": "3.1.0",
    "info": {"title": "Tïtle ☃", "version": "1"},
    "paths": {
        "/a": {"get": {"operationId": "getA", "summary": "é ☃ 𝄞", "responses": {"200": {"description": "ok"}}}},
        "/b/{id}": {"parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}], "get": {"responses": {}}},
        "/c": {"post": {"summary": "c", "responses": {"201": {"description": "made", "content": {"application/json": {"schema": {"type": "number", "default": 1.5}}}}}}},
    },
    "components": {"schemas": {"X": {"type": "string"}}},
}


def _copied(tmp_path: Path, raw: bytes) -> Path:
    """An output folder whose spec copy (as ``save_state`` writes it) is of ``raw``."""
    import types

    out = tmp_path / "out"
    data = json.loads(raw)
    rest, paths = incremental.digests(data) or (None, {})
    copy = incremental.cache_path(out)
    assert copy is not None
    incremental._save_copy(copy.with_suffix(".spec"), types.SimpleNamespace(rest=rest, paths=paths), (raw, data))  # type: ignore[arg-type]
    return out


def _strict(text: bytes) -> Any:
    """The spec as ``load`` parses it; None when it does not (invalid JSON, a key twice)."""
    from generator.load import parse_json

    try:
        return parse_json(text.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None


@pytest.mark.parametrize("indent", [None, 2, "\t"])
def test_path_members_are_byte_offsets_of_each_path(indent: Any) -> None:
    raw = json.dumps(_BASE, indent=indent, ensure_ascii=False).encode("utf-8")
    members = incremental.path_members(raw)
    assert members is not None and [m[0] for m in members] == list(_BASE["paths"])
    for key, start, end in members:
        assert json.loads(b"{" + raw[start:end] + b"}") == {key: _BASE["paths"][key]}


@pytest.mark.parametrize(
    "raw",
    [b"openapi: 3.1.0\npaths: {}\n", b'{"openapi": "3.1.0"}', b'{"paths": [1]}', b'{"paths": {"/a": {}', b"[1, 2]", b"\xff{}", b'{"paths": {"/a" {}}}'],
)
def test_path_members_of_anything_else_are_none(raw: bytes) -> None:
    assert incremental.path_members(raw) is None


def _edit_cases() -> list[tuple[str, Callable[[str], str], bool]]:
    """(name, edit of the JSON text, whether ``reread`` must take it)."""
    return [
        ("one summary", lambda t: t.replace('"c"', '"c, changed ☃"'), True),
        ("non-ASCII in a value", lambda t: t.replace("é ☃ 𝄞", "ü"), True),
        ("two adjacent paths", lambda t: t.replace('"c"', '"cc"').replace('"integer"', '"string"'), True),
        ("white space between members", lambda t: t.replace('}, "/c"', '},\n\n   "/c"'), True),
        ("a number's spelling", lambda t: t.replace("1.5", "15e-1"), True),
        ("the same text", lambda t: t, True),
        ("outside paths", lambda t: t.replace("Tïtle", "Title"), False),
        ("a path renamed", lambda t: t.replace('"/c"', '"/d"'), False),
        ("a path added", lambda t: t.replace('"/c": {', '"/d": {}, "/c": {'), False),
        ("a path removed", lambda t: t.replace('"/a": {"get": {"operationId": "getA", "summary": "é ☃ 𝄞", "responses": {"200": {"description": "ok"}}}}, ', ""), False),
        ("a key twice in a path", lambda t: t.replace('"summary": "c"', '"summary": "c", "summary": "d"'), False),
        ("a path key twice", lambda t: t.replace('"/c": {', '"/a": {}, "/c": {'), False),
        ("broken JSON in a path", lambda t: t.replace('"summary": "c"', '"summary": "c'), False),
        ("a key inside a path item that looks like a path", lambda t: t.replace('"ok"}}}}, "/b/{id}"', '"ok"}}}, "/x": {}}, "/b/{id}"'), True),
        ("trailing text", lambda t: t + " x", False),
    ]


@pytest.mark.parametrize(("name", "edit", "taken"), _edit_cases(), ids=[c[0] for c in _edit_cases()])
def test_reread_is_the_parse_of_the_new_bytes_or_nothing(tmp_path: Path, name: str, edit: Callable[[str], str], taken: bool) -> None:
    text = json.dumps(_BASE, ensure_ascii=False)
    out = _copied(tmp_path, text.encode("utf-8"))
    new = edit(text).encode("utf-8")
    assert new != text.encode("utf-8") or name == "the same text"
    found = incremental.reread(out, new)
    assert (found is not None) == taken
    if found is not None:
        expected = _strict(new)
        assert incremental.same(found[0], expected)  # type-strict: 1.5 stays a float, keys in order
        assert found[1] == incremental.digests(expected)


def test_reread_of_random_byte_edits_is_the_parse_or_nothing(tmp_path: Path) -> None:
    """Random insertions, deletions and replacements anywhere in the file: ``reread`` gives
    exactly what parsing the edited bytes gives, or nothing, and never a document from bytes
    that do not parse."""
    import random

    rng = random.Random(1234)
    raw = json.dumps(_BASE, indent=1, ensure_ascii=False).encode("utf-8")
    out = _copied(tmp_path, raw)
    snippets = [b" ", b"\n", b",", b'"', b"}", b"{", b"[]", b'"x": 1', b'"x": 1, ', b'"summary": "s", ', b"\xc3\xa9", b"0", b"\\u00e9", b"null"]
    taken = 0
    for _ in range(600):
        at = rng.randrange(len(raw))
        kind = rng.randrange(3)
        if kind == 0:
            new = raw[:at] + rng.choice(snippets) + raw[at:]
        elif kind == 1:
            new = raw[:at] + raw[at + rng.randrange(1, 12) :]
        else:
            new = raw[:at] + rng.choice(snippets) + raw[at + 1 :]
        found = incremental.reread(out, new)
        if found is None:
            continue
        taken += 1
        expected = _strict(new)
        assert expected is not None, new
        assert incremental.same(found[0], expected) and found[1] == incremental.digests(expected)
    assert taken >= 30  # edits within a path's value that still parse: some are taken


def test_a_copy_from_another_spec_version_is_never_misread(tmp_path: Path) -> None:
    """The copy is what the last run read; a spec edited twice since (or replaced wholesale)
    is read by difference from that copy all the same, or parsed."""
    first = json.dumps(_BASE).encode("utf-8")
    out = _copied(tmp_path, first)
    other = copy.deepcopy(_BASE)
    other["paths"]["/a"]["get"]["summary"] = "x"
    other["paths"]["/c"]["post"]["summary"] = "y"
    new = json.dumps(other).encode("utf-8")
    found = incremental.reread(out, new)
    assert found is not None and incremental.same(found[0], other)
    assert incremental.reread(out, json.dumps(_BASE, indent=2).encode("utf-8")) is None  # every byte moved


@pytest.mark.parametrize("broken", [False, True])
def test_a_large_spec_is_validated_while_it_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: bool) -> None:
    """From 1 MB, a changed spec's validation starts before this process reads it
    (``PendingValidation.early``: the other process reads it too): the same output as a full
    build, or the same problems and nothing written."""
    from generator.load import BACKGROUND_FROM, PendingValidation

    started = []
    early = PendingValidation.early.__func__  # type: ignore[attr-defined]

    def counted(cls: type, *args: Any, **kwargs: Any) -> Any:
        started.append(args)
        return early(cls, *args, **kwargs)

    monkeypatch.setattr(PendingValidation, "early", classmethod(counted))
    spec = copy.deepcopy(SPEC)
    spec["x-padding"] = "p" * BACKGROUND_FROM
    edited = copy.deepcopy(spec)
    edited["paths"]["/a"]["get"]["summary"] = "changed"
    if broken:  # openapi-spec-validator's to find: a parameter in the body is 2.0, not 3.x
        edited["paths"]["/a"]["get"]["parameters"] = [{"name": "q", "in": "body", "schema": {"type": "string"}}]
    try:
        result, out, fresh = _regenerate(tmp_path, SPECS_DIR / "none.json", spec, edited)
    except _BothFailed:
        assert broken and len(started) == 1
        return
    assert not broken and len(started) == 1
    assert result.replayed == ("/a",) and _tree(out) == _tree(fresh)


@pytest.mark.parametrize("spec", SPECS, ids=[p.name for p in SPECS])
def test_building_leaves_the_parsed_spec_as_it_was(spec: Path) -> None:
    """The spec copy the next run reads by difference is saved after the build: the build must
    not have changed the parsed document."""
    from generator.api import build_api
    from generator.load import load
    from generator.types import Trace

    try:
        document = load(spec)
    except GeneratorError:
        return  # a spec the corpus holds for its problems
    before = copy.deepcopy(document.data)
    try:
        build_api(document, Trace())
    except GeneratorError:
        pass
    assert incremental.same(document.data, before)


def test_a_path_item_nested_too_deeply_is_parsed_whole(tmp_path: Path) -> None:
    """The changed members are parsed two levels shallower than in the file, and from a shallower
    stack: a value nested past ``MAX_DEPTH`` is left to ``load`` reading the whole file, so the
    problem is reported as a first run reports it (near the parser's recursion limit, as invalid
    JSON at a line and column)."""
    from generator.load import MAX_DEPTH

    text = json.dumps(_BASE)
    out = _copied(tmp_path, text.encode("utf-8"))
    for depth in (MAX_DEPTH + 1, 985):
        deep = text.replace('"summary": "c"', '"summary": "c", "x-deep": ' + "[" * depth + "]" * depth)
        assert incremental.reread(out, deep.encode("utf-8")) is None


@pytest.mark.parametrize("depth", [980, 984, 986, 990])
def test_a_deep_path_item_gives_the_first_runs_problem(tmp_path: Path, depth: int) -> None:
    edited = copy.deepcopy(SPEC)
    value: Any = []
    for _ in range(depth):
        value = [value]
    edited["paths"]["/b"]["x-deep"] = value
    try:
        _regenerate(tmp_path, SPECS_DIR / "none.json", SPEC, edited)
    except (_BothFailed, RecursionError):  # RecursionError: json.dumps of the test itself
        return
    raise AssertionError("a value nested past MAX_DEPTH was accepted")


def test_a_run_that_fails_before_load_stops_its_early_validation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The validator's process forked before the spec is read is stopped when anything fails
    before ``load`` takes it over: no process is left waiting for a message."""
    import multiprocessing

    import generator.load
    import generator.pipeline

    spec_path, config = _generated(tmp_path / "first", SPEC)
    edited = copy.deepcopy(SPEC)
    edited["paths"]["/a"]["get"]["summary"] = "changed"
    spec_path.write_text(json.dumps(edited), encoding="utf-8")
    monkeypatch.setattr(generator.pipeline, "BACKGROUND_FROM", 0)  # the early validation for a small spec
    started: list[Any] = []
    early = generator.load.PendingValidation.early.__func__  # type: ignore[attr-defined]

    def recorded(cls: type, *args: Any, **kwargs: Any) -> Any:
        started.append(early(cls, *args, **kwargs))
        return started[-1]

    monkeypatch.setattr(generator.load.PendingValidation, "early", classmethod(recorded))

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("reread failed")

    monkeypatch.setattr(incremental, "reread", broken)
    with pytest.raises(RuntimeError, match="reread failed"):
        generate(config)
    assert len(started) == 1 and not started[0]._forked._process.is_alive()
    assert not [p for p in multiprocessing.active_children() if p is started[0]._forked._process]


# ---------------------------------------------------------------- damaged caches are no caches


def _damage(path: Path, old: bytes, new: bytes) -> None:
    """``old`` replaced by ``new`` (the same length) inside a cache file: it still unpickles or
    unmarshals, to other data."""
    data = path.read_bytes()
    assert old in data and len(old) == len(new)
    path.write_bytes(data.replace(old, new))


def test_a_damaged_state_is_no_state(tmp_path: Path) -> None:
    """A class name changed inside the pickle (only unpickled when the replay reads that
    operation's responses) or a flipped hash: a full build, as if there were no cache."""
    spec_path, config = _generated(tmp_path / "work", SPEC)
    state = incremental.cache_path(config.out)
    assert state is not None and state.is_file()
    _damage(state, b"Response", b"Restonse")
    assert incremental.load_state(config.out) is None
    edited = copy.deepcopy(SPEC)
    op = next(iter(edited["paths"].values()))["get"]
    op["responses"] = {"200": {"description": "Edited"}}
    spec_path.write_text(json.dumps(edited), encoding="utf-8")
    result, _ = generate(config)
    assert result.replayed == ()
    assert _tree(config.out) == _tree(_full_build(tmp_path / "fresh", edited))


def test_a_damaged_spec_copy_is_no_copy(tmp_path: Path) -> None:
    spec = copy.deepcopy(SPEC)
    spec.setdefault("info", {})["description"] = "Marker text"
    spec_path, config = _generated(tmp_path / "work", spec)
    state = incremental.cache_path(config.out)
    assert state is not None
    copied = state.with_suffix(".spec")
    _damage(copied, b"Marker text", b"MARKER TEXT")
    raw = spec_path.read_bytes()
    assert incremental.reread(config.out, raw) is None
    edited = copy.deepcopy(spec)
    _summary(edited, next(iter(edited["paths"])))
    spec_path.write_text(json.dumps(edited), encoding="utf-8")
    generate(config)
    assert _tree(config.out) == _tree(_full_build(tmp_path / "fresh", edited))


def test_a_spec_copy_made_by_another_generator_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """It may have parsed the same bytes to something else."""
    spec_path, config = _generated(tmp_path / "work", SPEC)
    raw = spec_path.read_bytes()
    assert incremental.reread(config.out, raw) is not None
    monkeypatch.setattr(incremental, "generator_digest", lambda: "another generator")
    assert incremental.reread(config.out, raw) is None


def test_a_damaged_compiled_template_is_compiled_again(tmp_path: Path) -> None:
    spec_path, config = _generated(tmp_path / "work", SPEC)
    folder = incremental.cache_folder()
    assert folder is not None
    damaged = 0
    for cached in (folder / "templates").glob("*.cache"):
        data = cached.read_bytes()
        if b"as far as it matches" in data:
            cached.write_bytes(data.replace(b"as far as it matches", b"as FAR as it matches"))
            damaged += 1
    assert damaged
    fresh = _full_build(tmp_path / "fresh", SPEC)
    assert _tree(fresh) == _tree(config.out)
    assert b"as FAR as" not in b"".join(_tree(fresh).values())


def test_a_replay_does_not_write_through_a_linked_folder_of_unchanged_files(tmp_path: Path) -> None:
    """The models folder is a link now; the edit changes only an operation's file: still in the way."""
    import shutil

    spec_path, config = _generated(tmp_path / "work", SPEC)
    models = config.out / "isdk" / "models"
    elsewhere = tmp_path / "elsewhere"
    shutil.move(str(models), str(elsewhere))
    models.symlink_to(elsewhere)
    edited = copy.deepcopy(SPEC)
    _summary(edited, "/a")
    spec_path.write_text(json.dumps(edited), encoding="utf-8")
    with pytest.raises(GeneratorError, match="in the way at isdk/models"):
        generate(config)


def test_a_copy_that_cannot_be_written_leaks_no_file_descriptor(tmp_path: Path) -> None:
    """A parsed value marshal cannot write: no copy, and no descriptor left open for it."""
    import types
    from typing import cast

    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("no /proc/self/fd here")
    raw = json.dumps({"openapi": "3.1.0", "paths": {"/a": {}}}).encode()
    state = cast(incremental.State, types.SimpleNamespace(rest=b"", paths={"/a": b""}))
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(20):
        incremental._save_copy(tmp_path / "copy.spec", state, (raw, {"paths": {"/a": object()}}))
    assert len(os.listdir("/proc/self/fd")) == before
    assert not (tmp_path / "copy.spec").exists() and not list(tmp_path.iterdir())
