"""generator.literal: Python literals equal to the value, in black's quotes where no escape is needed."""

from __future__ import annotations

import ast

import black
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.literal import literal


def test_black_quotes_where_no_escape_is_needed() -> None:
    assert literal("a") == '"a"'
    assert literal("it's") == '"it\'s"'
    assert literal('say "hi"') == "'say \"hi\"'"
    assert literal("a\nb") == '"a\\nb"'  # escapes as repr spells them, in double quotes
    assert literal("\\A|[^0-9]") == '"\\\\A|[^0-9]"'
    assert literal("it's \"x\"") == "'it\\'s \"x\"'"  # one escape either way: repr's quotes stay
    assert literal("'a' \"b\" 'c'") == '"\'a\' \\"b\\" \'c\'"'  # 2 escapes in double quotes, 4 in single
    assert literal(("x",)) == '("x",)'
    assert literal({("query", "q"): ("form", True)}) == '{("query", "q"): ("form", True)}'
    assert literal([1, 2.5, None, False]) == "[1, 2.5, None, False]"


scalars = st.one_of(st.text(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.none())
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner), st.tuples(inner, inner), st.dictionaries(st.text(), inner)), max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab'\"\\\n\x00\u202e\u00e9 "), max_size=12) | st.text(max_size=8))
def test_strings_are_spelled_as_black_spells_them(value: str) -> None:
    line = f"x = {literal(value)}\n"
    assert black.format_str(line, mode=black.Mode(line_length=100)) == line


@given(values)
def test_every_literal_evaluates_to_the_value(value: object) -> None:
    assert ast.literal_eval(literal(value)) == value
