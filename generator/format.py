"""black, in-process, with a pinned mode: the formatter's output is part of ours.

black is imported on first use: a run whose files all come from the format cache never loads it.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
import importlib.util
from pathlib import Path
from typing import Any

from .errors import GeneratorError, Problem
from .fork import cores, may_start_processes
from .layout import LINE_LENGTH, lay_out, long_statements

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


_BLOCK_HEADER = ("def ", "async def ", "class ", "if ", "for ", "while ", "with ", "async for ", "async with ")


def _format_statements(source: str) -> str | None:
    """``source`` (in black's style but for a few long statements) with each statement that black
    would change formatted by black alone, at its depth: black lays out each line from the line's
    own content and depth, so the file comes out as black would format it whole, in a fraction
    of the time (black parses only those statements). None: black must read the whole file (a
    line ``layout`` cannot read, a statement that cannot stand alone)."""
    return _black_statements(source, long_statements(source))


def _black_statements(source: str, found: list[tuple[int, int]] | None) -> str | None:
    """``_format_statements`` with the statements (``layout.long_statements``) already found."""
    if not found:
        return None
    black, mode, invalid_input = _black()
    lines = source.split("\n")
    done: list[str] = []
    previous = 0
    for start, end in found:
        statement = lines[start:end]
        pad = len(statement[0]) - len(statement[0].lstrip(" "))
        first = statement[0].lstrip(" ")
        if pad % 4 or first.startswith(("elif ", "else", "except", "finally", "try", "@")):
            return None
        wrappers = [" " * (4 * level) + "if True:" for level in range(pad // 4)]
        body = [" " * (pad + 4) + "pass"] if first.startswith(_BLOCK_HEADER) else []
        try:
            formatted = black.format_str("\n".join([*wrappers, *statement, *body]) + "\n", mode=mode)
        except (invalid_input, ValueError):
            return None
        out = formatted.split("\n")
        if out[: len(wrappers)] != wrappers or out[-1] != "" or (body and out[-2] != body[0]):
            return None
        formatted_lines = out[len(wrappers) : len(out) - 1 - len(body)]
        while formatted_lines and not formatted_lines[0]:  # the blank lines black puts before a def
            del formatted_lines[0]
        done.extend(lines[previous:start])
        done.extend(formatted_lines)
        previous = end
    done.extend(lines[previous:])
    return "\n".join(done)


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
    goes to black as it is. Once black has ``_PARALLEL_FROM`` characters to read, worker
    processes format files while this one lays out and compiles the rest. A file that does not
    compile raises, the first such file in order."""
    formatted: dict[str, str] = {}
    sources: dict[str, str] = {}
    with _Black() as black:
        try:
            for path, text in files.items():
                if not path.endswith(".py"):
                    formatted[path] = text
                    continue
                sources[path] = hashlib.sha256(text.encode("utf-8")).hexdigest()
                hit = cached(path, sources[path])
                if hit is None and black_style:
                    laid_out, black_needed = lay_out(text)
                    if not black_needed:
                        hit = _compiled(path, laid_out)
                    else:  # black on the statements it would change (or else the whole file)
                        black.submit(path, text, laid_out)
                elif hit is None:
                    black.submit(path, text)  # as rendered: black's output is then black's alone
                formatted[path] = hit or ""
        except GeneratorError:
            black.results()  # a file before this one that black fails on is the first problem
            raise
        formatted.update(black.results())
    return formatted, sources


# Characters for black to read: below this, starting worker processes costs more than it saves
# (about a second of black's work).
_PARALLEL_FROM = 100_000


# (path, source as rendered, the source laid out or None, its long statements or None)
_Item = tuple[str, str, str | None, list[tuple[int, int]] | None]


def _format_item(item: _Item) -> tuple[str, str]:
    """(path, formatted): black on the long statements alone when they are known, else on the
    whole file as rendered."""
    path, text, laid_out, found = item
    statements = None if laid_out is None else _black_statements(laid_out, found)
    return path, format_source(path, text) if statements is None else _compiled(path, statements)


def _cost(item: _Item) -> int:
    """Characters for black to read."""
    _, text, laid_out, found = item
    if not found or laid_out is None:
        return len(text)
    lines = laid_out.split("\n")
    return sum(len(line) + 1 for start, end in found for line in lines[start:end])


def _warm() -> None:
    _black()


class _Black:
    """Files for black: formatted here when there is little to format, else on every core, in
    worker processes started as soon as there is enough and fed as files come."""

    def __init__(self) -> None:
        self._waiting: list[_Item] = []
        self._cost = 0
        self._futures: list[Any] = []
        self._pool: Any = None
        self._workers = min(cores(), 8)

    def __enter__(self) -> _Black:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, path: str, text: str, laid_out: str | None = None) -> None:
        item: _Item = (path, text, laid_out, None if laid_out is None else long_statements(laid_out))
        if self._pool is not None:
            self._futures.append(self._pool.submit(_format_item, item))
            return
        self._waiting.append(item)
        self._cost += _cost(item)
        if self._cost < _PARALLEL_FROM or self._workers < 2 or not may_start_processes():
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # Spawned, not forked: a forked worker starts with the generator's whole memory (the
        # parsed spec, the IR), which made it the largest process of a run on large specs.
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(max_workers=self._workers, mp_context=context)
        for _ in range(self._workers):  # black imported in each while the files come
            self._pool.submit(_warm)
        waiting, self._waiting = self._waiting, []
        self._futures.extend(self._pool.submit(_format_item, waited) for waited in waiting)

    def results(self) -> list[tuple[str, str]]:
        """Every file formatted, in the order given; the first failure raises."""
        return [future.result() for future in self._futures] + [_format_item(item) for item in self._waiting]
