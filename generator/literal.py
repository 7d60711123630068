"""Python literals for generated code, spelled the way black would spell them.

``literal(v)`` is a literal equal to ``v`` (so it is safe for any spec string); it differs from
``repr(v)`` only in using double quotes for a string that needs no escape, as black does. black
still formats every file: this only spares it the rewriting (a file black would leave unchanged
formats about twice as fast).
"""

from __future__ import annotations

__all__ = ["literal"]


def literal(value: object) -> str:
    if isinstance(value, str):
        text = repr(value)
        if text.startswith("'") and '"' not in value and "\\" not in text:
            return '"' + text[1:-1] + '"'
        return text
    if isinstance(value, tuple):
        items = ", ".join(literal(v) for v in value)
        return f"({items},)" if len(value) == 1 else f"({items})"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    return repr(value)
