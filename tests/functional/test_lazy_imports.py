"""Importing a generated SDK imports no model, operation or namespace module; each is imported,
and each model class compiled, when first used: a large API imports in a fraction of a second.

The SDK here has models that refer to themselves and to each other, a discriminated union kept
in a type alias, a model that extends another, and two namespaces. Every test imports a fresh
copy of it (``fresh_import(..., everything=False)``), as a user's program would.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pydantic
import pytest
from pytest_httpserver import HTTPServer

from generator.config import Config
from generator.pipeline import run
from generator.write import write_tree

PACKAGE = "lazy_sdk"


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Lazy", "version": "1"},
    "paths": {
        "/shelter": {"get": {"operationId": "getShelter", "tags": ["shelters"], "responses": _json(_ref("Shelter"))}},
        "/tree": {"get": {"operationId": "getTree", "tags": ["trees"], "responses": _json(_ref("Node"))}},
    },
    "components": {
        "schemas": {
            "Node": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "integer"}, "children": {"type": "array", "items": _ref("Node")}, "owner": _ref("Person")},
            },
            "Person": {"type": "object", "properties": {"name": {"type": "string"}, "tree": _ref("Node")}},
            "Animal": {"type": "object", "required": ["petType"], "properties": {"petType": {"type": "string"}, "name": {"type": "string"}}},
            "Cat": {"allOf": [_ref("Animal"), {"type": "object", "properties": {"lives": {"type": "integer"}}}]},
            "Dog": {"allOf": [_ref("Animal"), {"type": "object", "properties": {"friend": _ref("Person")}}]},
            "Pet": {"oneOf": [_ref("Cat"), _ref("Dog")], "discriminator": {"propertyName": "petType", "mapping": {"cat": _ref("Cat")["$ref"], "dog": _ref("Dog")["$ref"]}}},
            "Shelter": {"type": "object", "required": ["residents"], "properties": {"residents": {"type": "array", "items": _ref("Pet")}}},
        }
    },
}

SHELTER = {"residents": [{"petType": "cat", "name": "Tom", "lives": 9}, {"petType": "dog", "name": "Rex", "friend": {"name": "Ada"}}]}
TREE = {"id": 1, "children": [{"id": 2, "owner": {"name": "Ada", "tree": {"id": 3}}}], "owner": {"name": "Bob"}}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("lazy")
    spec = folder / "openapi.json"
    spec.write_text(json.dumps(SPEC), encoding="utf-8")
    config = Config(spec=spec, out=folder / "out", package=PACKAGE, client="Client")
    result = run(config)
    write_tree(config.out, result.files, result.spec_sha256)
    return config.out


@pytest.fixture()
def sdk(out: Path, fresh_import: Any) -> Any:
    return fresh_import(out, PACKAGE, everything=False)


def _loaded(kind: str) -> list[str]:
    prefix = f"{PACKAGE}.{kind}."
    return sorted(m[len(prefix) :] for m in sys.modules if m.startswith(prefix))


def test_importing_the_sdk_and_making_a_client_imports_no_model_operation_or_namespace(sdk: Any) -> None:
    sdk.Client(base_url="http://127.0.0.1:9", token="t")
    assert (_loaded("models"), _loaded("operations"), _loaded("resources")) == ([], [], [])
    assert "Shelter" in dir(sdk.models) and "Pet" in sdk.models.__all__


def test_a_namespace_imports_its_own_operations_when_first_used(sdk: Any) -> None:
    client = sdk.Client(base_url="http://127.0.0.1:9", token="t")
    client.trees  # noqa: B018 - the attribute access is what is tested
    assert _loaded("resources") == ["trees"]
    assert _loaded("operations") == ["get_tree"]
    assert _loaded("models") == ["node"]  # what the operation returns; what Node names comes later


def test_first_calls_parse_models_that_refer_to_each_other_and_a_discriminated_union(sdk: Any, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/shelter").respond_with_json(SHELTER)
    httpserver.expect_request("/tree").respond_with_json(TREE)
    client = sdk.Client(base_url=httpserver.url_for(""), token="t", strict_response_validation=True)
    shelter = client.shelters.get_shelter()
    cat, dog = shelter.residents
    assert [type(cat).__name__, type(dog).__name__, type(dog.friend).__name__] == ["Cat", "Dog", "Person"]
    assert (cat.lives, dog.friend.name) == (9, "Ada")
    tree = client.trees.get_tree()
    assert type(tree.children[0].owner.tree).__name__ == "Node" and tree.children[0].owner.tree.id_ == 3
    assert shelter.to_dict() == SHELTER and tree.to_dict() == TREE


def test_a_model_taken_from_the_models_package_is_compiled_for_a_users_type_adapter(sdk: Any) -> None:
    from lazy_sdk.models import Node, Pet  # type: ignore[import-not-found]

    assert Node.__pydantic_complete__
    nodes = pydantic.TypeAdapter(list[Node]).validate_python([TREE])
    assert nodes[0].children[0].owner.tree.id_ == 3
    assert type(pydantic.TypeAdapter(Pet).validate_python(SHELTER["residents"][1])).__name__ == "Dog"
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        sdk.models.Nothing  # noqa: B018


def test_a_model_imported_from_its_own_module_compiles_on_first_use(sdk: Any) -> None:
    from lazy_sdk.models.person import Person  # type: ignore[import-not-found]

    assert not Person.__pydantic_complete__
    person = Person(name="Ada", tree={"id": 1, "children": [{"id": 2}]})
    assert Person.__pydantic_complete__
    assert type(person.tree.children[0]).__name__ == "Node"
    assert Person.model_validate_json(json.dumps({"tree": TREE})).tree.owner.name == "Bob"


def test_first_use_from_many_threads_at_once(sdk: Any) -> None:
    """Each thread asks for a different model's first compile at the same moment."""
    from lazy_sdk.models.node import Node  # type: ignore[import-not-found]
    from lazy_sdk.models.person import Person  # type: ignore[import-not-found]
    from lazy_sdk.models.shelter import Shelter  # type: ignore[import-not-found]

    jobs = [(Shelter, SHELTER), (Node, TREE), (Person, {"tree": TREE})] * 4
    start = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def work(i: int) -> None:
        cls, data = jobs[i]
        start.wait()
        try:
            results[i] = cls.model_validate(data).to_dict()
        except Exception as exc:  # noqa: BLE001 - reported below
            results[i] = exc

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [data for _, data in jobs]



def test_an_async_first_use_compiles_in_a_thread_while_the_event_loop_goes_on(sdk: Any, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a large API the first parse of a type may compile hundreds of classes (seconds): the
    async client does that in a worker thread, so other requests and timers keep running. The
    compile is slowed here by 0.3 s; a ticker on the loop must keep ticking meanwhile."""
    base = sdk._models.BaseModel
    original = base.model_rebuild.__func__
    compiled_in: list[threading.Thread] = []

    def slow_rebuild(cls: Any, *args: Any, **kwargs: Any) -> Any:
        compiled_in.append(threading.current_thread())
        time.sleep(0.3)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(base, "model_rebuild", classmethod(slow_rebuild))
    httpserver.expect_request("/shelter").respond_with_json(SHELTER)

    async def main() -> tuple[threading.Thread, int, Any, int]:
        ticks = 0
        done = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not done.is_set():
                await asyncio.sleep(0.01)
                ticks += 1

        async with sdk.AsyncClient(base_url=httpserver.url_for(""), token="t", strict_response_validation=True) as client:
            task = asyncio.create_task(ticker())
            shelter = await client.shelters.get_shelter()
            done.set()
            await task
            during = ticks
            again = await client.shelters.get_shelter()  # compiled: nothing more to do
        assert again.to_dict() == SHELTER
        return threading.current_thread(), during, shelter, len(compiled_in)

    loop_thread, ticks, shelter, compiles = asyncio.run(main())
    assert compiled_in and loop_thread not in compiled_in
    assert compiles == len(compiled_in)  # the second call compiled nothing
    assert ticks >= 10, ticks  # the loop ran during 0.3 s (or more) of compiling
    assert shelter.to_dict() == SHELTER and type(shelter.residents[1]).__name__ == "Dog"


USER_CODE = '''
from __future__ import annotations

import pydantic

from lazy_sdk import models
from lazy_sdk.models.person import Person as SdkPerson
from lazy_sdk.models.shelter import Shelter


class Report(pydantic.BaseModel):  # a user's own model with a field of an SDK model
    shelter: Shelter


class MyPerson(models.Person):  # a user's subclass of an SDK model
    note: str = ""


class Tagged(SdkPerson):
    owner: Person  # the user's own Person below, not the SDK's


class Person(pydantic.BaseModel):
    slack: str
'''


@pytest.fixture()
def user_code(sdk: Any, tmp_path: Path) -> Any:
    """A user's module, importing the SDK's models in the ways users do, before any is used."""
    (tmp_path / "user_code.py").write_text(USER_CODE, encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    sys.modules.pop("user_code", None)
    try:
        import user_code  # type: ignore[import-not-found]

        yield user_code
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("user_code", None)


def test_a_users_own_model_or_adapter_compiles_the_sdk_models_it_holds(user_code: Any) -> None:
    report = user_code.Report(shelter=SHELTER)
    assert type(report.shelter.residents[1].friend).__name__ == "Person"
    from lazy_sdk.models.node import Node  # type: ignore[import-not-found]

    assert pydantic.TypeAdapter(list[Node]).validate_python([TREE])[0].owner.name == "Bob"


def test_a_users_subclass_of_an_sdk_model_resolves_the_names_its_base_uses(user_code: Any) -> None:
    mine = user_code.MyPerson.model_validate({"name": "Ada", "tree": TREE, "note": "n"})
    assert type(mine.tree.children[0]).__name__ == "Node" and mine.note == "n"


def test_a_users_class_named_like_an_sdk_model_keeps_its_own_meaning(user_code: Any) -> None:
    tagged = user_code.Tagged.model_validate({"name": "Ada", "owner": {"slack": "#sdk"}, "tree": {"id": 1}})
    assert type(tagged.owner) is user_code.Person and tagged.owner.slack == "#sdk"
    assert type(tagged.tree).__name__ == "Node"
