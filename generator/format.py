"""black, in-process, with a pinned mode: the formatter's output is part of ours."""

from __future__ import annotations

import black

from .errors import GeneratorError, Problem

__all__ = ["format_files", "MODE", "BLACK_VERSION"]

BLACK_VERSION = black.__version__
MODE = black.Mode(
    target_versions={black.TargetVersion.PY310},
    line_length=100,
    string_normalization=True,
    magic_trailing_comma=True,
)


def format_source(path: str, source: str) -> str:
    try:
        return black.format_str(source, mode=MODE)
    except black.InvalidInput as exc:  # a template or escaping bug: never write such a file
        raise GeneratorError(path, [Problem("#", f"generated code does not parse: {exc}")]) from None


def format_files(files: dict[str, str]) -> dict[str, str]:
    """Python files formatted by black; other files unchanged."""
    return {path: format_source(path, text) if path.endswith(".py") else text for path, text in files.items()}
