"""Python literals for generated code, spelled the way black would spell them.

``literal(v)`` is a literal equal to ``v`` (so it is safe for any spec string); it differs from
``repr(v)`` only in its quotes: double quotes unless they need more backslashes than ``repr``'s
single quotes, black's rule (``normalize_string_quotes``). A file black would leave unchanged is
not given to black at all (``generator.layout``), so the spelling must be black's exactly.
"""

from __future__ import annotations

import re

__all__ = ["literal"]

# One character of a single-quoted ``repr`` body: an escape sequence or a plain character.
_CHAR = re.compile(r"\\(?:x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8}|.)|.", re.DOTALL)


def _string(value: str) -> str:
    text = repr(value)
    if "'" not in value and '"' not in value:  # the common case: the same body in either quotes
        return f'"{text[1:-1]}"'
    if text.startswith('"'):  # repr chose double quotes: the value has ' and no "
        return text
    body = text[1:-1]
    double = "".join("'" if c == "\\'" else '\\"' if c == '"' else c for c in _CHAR.findall(body))
    if double.count("\\") > body.count("\\"):  # black keeps the quotes that need fewer escapes
        return text
    return f'"{double}"'


def literal(value: object) -> str:
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, tuple):
        items = ", ".join(literal(v) for v in value)
        return f"({items},)" if len(value) == 1 else f"({items})"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    return repr(value)
