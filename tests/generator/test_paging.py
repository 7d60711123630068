"""generator.paging: pagination entries resolved against the IR, or one problem per wrong name."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from conftest import ROOT

from generator.api import build_api
from generator.config import Config, Paging, load_config
from generator.errors import GeneratorError
from generator.ir import ModelRef
from generator.load import load
from generator.paging import resolve_paging

SPEC = ROOT / "tests" / "specs" / "32_pagination.yaml"


def _api() -> object:
    api, _ = build_api(load(SPEC, "32_pagination.yaml"))
    return api


def test_the_corpus_entries_resolve_to_python_names_and_item_types() -> None:
    config = replace(load_config(SPEC.with_suffix(".toml")), spec=SPEC)
    paged = resolve_paging(_api(), config)  # type: ignore[arg-type]
    users, events, orders = paged["listUsers"], paged["listEvents"], paged["searchOrders"]
    assert (users.style, users.argument, users.size, users.items, users.item) == ("page", "page", "per_page", ("data",), ModelRef("User", "user"))
    assert (events.items, events.size, events.item) == ((), "limit", ModelRef("Event", "event"))
    assert (orders.argument, orders.items, orders.next, orders.item) == ("cursor", ("results",), ("meta", "next_cursor"), ModelRef("Order", "order"))


@pytest.mark.parametrize(
    ("paging", "message"),
    [
        (Paging("nope", "page", "page"), "#/tool/generator/pagination/0/operation: no operation 'nope' in the spec"),
        (Paging("listUsers", "page", "pg"), "#/tool/generator/pagination/0/param: listUsers has no parameter or body property 'pg' (it has: page, per_page, role)"),
        (Paging("listUsers", "page", "page", size="n"), "#/tool/generator/pagination/0/size: listUsers has no parameter or body property 'n'"),
        (Paging("listUsers", "page", "page", items="rows"), "#/tool/generator/pagination/0/items: no field 'rows' at the top of the response"),
        (Paging("listUsers", "page", "page", items="total"), "#/tool/generator/pagination/0/items: total is not an array"),
        (Paging("listUsers", "page", "page"), "#/tool/generator/pagination/0/items: the response is not an array"),
        (Paging("searchOrders", "cursor", "cursor", items="results", next="meta.nope"), "#/tool/generator/pagination/0/next: no field 'nope' at meta of the response"),
        (Paging("searchOrders", "cursor", "cursor", items="results", next="results"), "#/tool/generator/pagination/0/next: results is not a scalar cursor"),
    ],
)
def test_each_wrong_name_is_one_problem(paging: Paging, message: str) -> None:
    with pytest.raises(GeneratorError) as raised:
        resolve_paging(_api(), Config(spec=Path("x"), pagination=(paging,)))  # type: ignore[arg-type]
    (problem,) = raised.value.problems
    assert raised.value.source == "[tool.generator]"
    assert problem.format(raised.value.source).startswith("[tool.generator]" + message), problem.format(raised.value.source)
