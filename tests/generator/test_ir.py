"""generator.ir: the IR's pickled form, which the incremental state is made of. A model's fields and
an operation's parameters, body and responses are packed into one value each, unpacked when first
read: a regeneration reads most of a large IR only to tell it unchanged."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from generator.incremental import same
from generator.ir import NONE, Argument, Field, ListOf, Model, ModelRef, Operation, Parameter, Prim, RequestBody, Response

FIELDS = (Field("a", "a", NONE, True), Field("b", "b", ListOf(ModelRef("Other", "other")), False, default=1, has_default=True))
MODEL = Model("Thing", "thing", "Thing", "A thing.", FIELDS, pointer="#/components/schemas/Thing")
OPERATION = Operation(
    "getThing", "get_thing", "get_thing", "get", "/things/{id}", ("things",), "Get a thing", "", False,
    (Parameter("id", "path", Prim("str"), True),),
    RequestBody("application/json", ModelRef("Thing", "thing"), False),
    (Argument("id", "id", "path", Prim("str"), True),),
    (Response("200", ModelRef("Thing", "thing"), "application/json", "OK"),),
    (),
    pointer="#/paths/~1things~1{id}/get",
)  # fmt: skip


def _loaded(obj: object) -> object:
    return pickle.loads(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def test_a_loaded_models_fields_are_unpacked_when_first_read() -> None:
    loaded = _loaded(MODEL)
    assert isinstance(loaded, Model)
    assert "fields" not in vars(loaded) and isinstance(vars(loaded)["_packed"], bytes)
    assert loaded.name == "Thing" and loaded.pointer == MODEL.pointer  # read without unpacking
    assert "_packed" in vars(loaded)
    assert loaded.fields == FIELDS
    assert "_packed" not in vars(loaded) and vars(loaded)["fields"] == FIELDS


def test_reading_one_of_an_operations_packed_fields_unpacks_them_all() -> None:
    loaded = _loaded(OPERATION)
    assert isinstance(loaded, Operation)
    assert {"parameters", "body", "responses"}.isdisjoint(vars(loaded))
    assert loaded.arguments == OPERATION.arguments and "_packed" in vars(loaded)  # not packed
    assert loaded.body == OPERATION.body
    assert vars(loaded)["parameters"] == OPERATION.parameters and vars(loaded)["responses"] == OPERATION.responses


@pytest.mark.parametrize("obj", [MODEL, OPERATION], ids=["model", "operation"])
def test_a_loaded_object_is_equal_hashes_alike_and_is_the_same(obj: object) -> None:
    assert _loaded(obj) == obj and obj == _loaded(obj)
    assert hash(_loaded(obj)) == hash(obj)
    assert same(_loaded(obj), obj) and same(obj, _loaded(obj))
    changed = dataclasses.replace(obj, pointer="#/elsewhere")  # type: ignore[type-var]
    assert not same(_loaded(obj), changed) and _loaded(obj) != changed


def test_replace_on_a_loaded_object_keeps_what_was_packed() -> None:
    renamed = dataclasses.replace(_loaded(MODEL), name="Renamed")  # type: ignore[type-var]
    assert renamed.fields == FIELDS and renamed.name == "Renamed" and "_packed" not in vars(renamed)


def test_a_loaded_object_pickled_again_is_written_without_unpacking() -> None:
    loaded = _loaded(MODEL)
    packed = vars(loaded)["_packed"]
    again = _loaded(loaded)
    assert "_packed" in vars(loaded), "pickling it unpacked it"
    assert isinstance(again, Model) and vars(again)["_packed"] == packed and again == MODEL


def test_a_built_object_holds_its_fields_and_the_class_none() -> None:
    assert vars(MODEL)["fields"] == FIELDS and "_packed" not in vars(MODEL)
    with pytest.raises(AttributeError):
        Model.fields  # noqa: B018 - as for any field without a default
    bare = Model.__new__(Model)  # neither fields nor anything packed
    with pytest.raises(AttributeError, match="'Model' object has no attribute 'fields'"):
        bare.fields  # noqa: B018


def test_fields_at_their_default_are_left_out_and_read_the_same() -> None:
    loaded = _loaded(FIELDS[0])
    assert isinstance(loaded, Field) and "default" not in vars(loaded) and loaded.default is None and loaded == FIELDS[0]


def test_a_field_another_thread_unpacked_meanwhile_is_read_not_an_error() -> None:
    """Two threads read a packed field at once: the one that comes second to the descriptor
    (its own lookup missed, the other has unpacked and dropped the packed value since) reads
    what the first unpacked, and the objects are the first one's."""
    loaded = _loaded(MODEL)
    assert isinstance(loaded, Model)
    descriptor = vars(Model)["fields"]
    first = loaded.fields  # the other thread
    assert descriptor.__get__(loaded, Model) is first
    values = vars(_loaded(MODEL))["_packed"]
    vars(loaded)["_packed"] = values  # both threads took the packed value before either dropped it
    assert descriptor.__get__(loaded, Model) is first and "_packed" not in vars(loaded)
