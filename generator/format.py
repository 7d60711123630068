"""black, in-process, with a pinned mode: the formatter's output is part of ours.

black is imported on first use: a run whose files all come from the format cache never loads it.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable
import importlib.util
from pathlib import Path
from typing import Any

from .errors import GeneratorError, Problem
from .layout import LINE_LENGTH, needs_black, presplit

__all__ = ["format_files", "format_source", "installed_version", "BLACK_VERSION", "FORMATTER", "LINE_LENGTH"]



def installed_version(distribution: str) -> str:
    """A distribution's version, from its ``<name>-<version>.dist-info`` folder beside the package
    (importing ``importlib.metadata`` costs more than the whole fast ``check``), else from
    ``importlib.metadata``."""
    spec = importlib.util.find_spec(distribution)
    if spec is not None and spec.origin:
        site = Path(spec.origin).parent.parent
        found = sorted(site.glob(f"{distribution}-*.dist-info"))
        if len(found) == 1:
            return found[0].name[len(distribution) + 1 : -len(".dist-info")]
    from importlib.metadata import version

    return version(distribution)


BLACK_VERSION: str = installed_version("black")

# Names the formatting exactly (version and mode, spelled stably): the format cache is only
# used when it is the same.
FORMATTER = f"black {BLACK_VERSION} line-length={LINE_LENGTH} target=py310 magic-trailing-comma string-normalization"


@functools.lru_cache(maxsize=1)
def _black() -> tuple[Any, Any, type[Exception]]:
    import black
    from black.mode import Mode, TargetVersion
    from black.parsing import InvalidInput

    mode = Mode(
        target_versions={TargetVersion.PY310},
        line_length=LINE_LENGTH,
        string_normalization=True,
        magic_trailing_comma=True,
    )
    return black, mode, InvalidInput


def format_source(path: str, source: str) -> str:
    """black's output for one file, which must also compile: black accepts some code Python
    rejects (``class None``, duplicate arguments), and such a file is never written."""
    black, mode, invalid_input = _black()
    try:
        formatted: str = black.format_str(source, mode=mode)
    except (invalid_input, ValueError) as exc:  # a template or escaping bug
        raise GeneratorError(path, [Problem("#", f"generated code does not parse or compile: {exc}")]) from None
    return _compiled(path, formatted)


def _compiled(path: str, source: str) -> str:
    try:
        compile(source, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        raise GeneratorError(path, [Problem("#", f"generated code does not parse or compile: {exc}")]) from None
    return source


def format_files(
    files: dict[str, str],
    cached: Callable[[str, str], str | None] = lambda path, source: None,
    black_style: bool = False,
) -> tuple[dict[str, str], dict[str, str]]:
    """Python files formatted by black (or taken from ``cached`` when their source is unchanged);
    other files as they are. Also returns each Python file's source hash, for the next run.

    ``black_style``: the sources come from the generator's own templates, which are written in
    black's style; a file is then laid out here (``layout.presplit``) and given to black only
    when a code line is still too long (``layout.needs_black``). Any other file (user templates)
    goes to black as it is."""
    formatted: dict[str, str] = {}
    sources: dict[str, str] = {}
    todo: list[tuple[str, str]] = []
    for path, text in files.items():
        if not path.endswith(".py"):
            formatted[path] = text
            continue
        sources[path] = hashlib.sha256(text.encode("utf-8")).hexdigest()
        hit = cached(path, sources[path])
        if hit is None and black_style:
            laid_out = presplit(text)
            if not needs_black(laid_out):
                hit = _compiled(path, laid_out)
        if hit is None:
            todo.append((path, text))  # as rendered: black's output is then black's alone
        formatted[path] = hit or ""
    for path, text in _format_all(todo):
        formatted[path] = text
    return formatted, sources


_PARALLEL_FROM = 16  # files for black; below this, starting worker processes costs more than it saves


def _format_pair(item: tuple[str, str]) -> tuple[str, str]:
    return item[0], format_source(*item)


def _format_all(todo: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Format on every core when there is enough work; results come back in input order."""
    workers = min(os.cpu_count() or 1, 8)
    if len(todo) < _PARALLEL_FROM or workers < 2:
        return [_format_pair(item) for item in todo]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Spawned, not forked: a forked worker starts with the generator's whole memory (the parsed
    # spec, the IR), which made it the largest process of a run on large specs.
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(_format_pair, todo, chunksize=max(1, len(todo) // (workers * 8))))
