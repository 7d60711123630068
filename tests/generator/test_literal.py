"""generator.literal: Python literals equal to the value, in black's quotes where no escape is needed."""

from __future__ import annotations

import ast

from hypothesis import given
from hypothesis import strategies as st

from generator.literal import literal


def test_black_quotes_where_no_escape_is_needed() -> None:
    assert literal("a") == '"a"'
    assert literal("it's") == '"it\'s"'
    assert literal('say "hi"') == "'say \"hi\"'"
    assert literal("a\nb") == "'a\\nb'"  # escapes: left as repr spells them
    assert literal(("x",)) == '("x",)'
    assert literal({("query", "q"): ("form", True)}) == '{("query", "q"): ("form", True)}'
    assert literal([1, 2.5, None, False]) == "[1, 2.5, None, False]"


scalars = st.one_of(st.text(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.none())
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner), st.tuples(inner, inner), st.dictionaries(st.text(), inner)), max_leaves=12)


@given(values)
def test_every_literal_evaluates_to_the_value(value: object) -> None:
    assert ast.literal_eval(literal(value)) == value
