"""Work done in a forked process while this one goes on: on large specs, the validator and a
share of render and format run beside the main process (a forked process starts with this
one's memory: the parsed spec, the IR)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from .errors import GeneratorError

__all__ = ["Forked", "can_fork", "cores"]

_T = TypeVar("_T")


def can_fork() -> bool:
    """Whether this process may fork workers: the platform can, and it is not a daemonic process
    itself (a ``multiprocessing`` pool's worker, a ``Forked`` share), which may have no children."""
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods() and not multiprocessing.current_process().daemon


def cores() -> int:
    return os.cpu_count() or 1


class Forked(Generic[_T]):
    """``work()`` in a forked process (which starts with this one's memory: the IR, the files),
    while this one goes on; ``result()`` waits for it. A ``GeneratorError`` comes back as it was
    raised; on any other failure (the process died, or raised something else) ``work()`` is done
    again here, so that it fails here as it would have."""

    def __init__(self, work: Callable[[], _T]) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._work = work
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=self._run, args=(send,), daemon=True)
        self._process.start()
        send.close()

    def _run(self, send: Any) -> None:
        try:
            try:
                answer: Any = ("done", self._work())
            except GeneratorError as exc:
                answer = ("failed", exc)
            except BaseException:  # noqa: BLE001 - told by doing the work again in the parent
                answer = ("again", None)
            send.send(answer)
        finally:
            send.close()

    def cancel(self) -> None:
        """Stop the process and forget its work (this process failed meanwhile)."""
        self._process.terminate()
        self._process.join()
        self._receive.close()

    def result(self) -> _T | GeneratorError:
        try:
            kind, value = self._receive.recv()
        except EOFError:
            kind, value = "again", None
        finally:
            self._receive.close()
            self._process.join()
        if kind == "again":
            try:
                return self._work()
            except GeneratorError as exc:
                return exc
        return value  # type: ignore[no-any-return]
