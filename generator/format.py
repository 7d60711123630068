"""black, in-process, with a pinned mode: the formatter's output is part of ours."""

from __future__ import annotations

import black
from black.mode import Mode, TargetVersion
from black.parsing import InvalidInput

from .errors import GeneratorError, Problem

__all__ = ["format_files", "MODE", "BLACK_VERSION"]

BLACK_VERSION: str = getattr(black, "__version__", "")
MODE = Mode(
    target_versions={TargetVersion.PY310},
    line_length=100,
    string_normalization=True,
    magic_trailing_comma=True,
)


def format_source(path: str, source: str) -> str:
    """black's output for one file, which must also compile: black accepts some code Python
    rejects (``class None``, duplicate arguments), and such a file is never written."""
    try:
        formatted = black.format_str(source, mode=MODE)
        compile(formatted, path, "exec", dont_inherit=True)
    except (InvalidInput, SyntaxError, ValueError) as exc:  # a template or escaping bug
        raise GeneratorError(path, [Problem("#", f"generated code does not parse or compile: {exc}")]) from None
    return formatted


def format_files(files: dict[str, str]) -> dict[str, str]:
    """Python files formatted by black; other files unchanged."""
    return {path: format_source(path, text) if path.endswith(".py") else text for path, text in files.items()}
