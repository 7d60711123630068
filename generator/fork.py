"""Work done in a forked process while this one goes on: on large specs, the validator and a
share of render and format run beside the main process (a forked process starts with this
one's memory: the parsed spec, the IR)."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from .errors import GeneratorError

__all__ = ["Forked", "can_fork", "cores", "may_start_processes"]

_T = TypeVar("_T")


def may_start_processes() -> bool:
    """False in a daemonic process (a ``multiprocessing`` pool's worker, a ``Forked`` share),
    which may have no children."""
    import multiprocessing

    return not multiprocessing.current_process().daemon


def can_fork() -> bool:
    """Whether this process may fork workers: the platform can, and it may start processes."""
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods() and may_start_processes()


def cores() -> int:
    return os.cpu_count() or 1


class Forked(Generic[_T]):
    """``work()`` in a forked process (which starts with this one's memory: the parsed spec, the
    IR, the files), while this one goes on; ``result()`` waits for it. A ``GeneratorError``
    comes back as it was raised. When the process dies without an answer (killed, out of
    memory), ``died(exit code)`` is the result when given; on that or any other failure
    (something else raised) ``work()`` is otherwise done again here, so that it fails here as
    it would have."""

    def __init__(self, work: Callable[[], _T], died: Callable[[int | None], _T] | None = None) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._work, self._died = work, died
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=self._run, args=(send,), daemon=True)
        self._process.start()
        send.close()

    def _run(self, send: Any) -> None:
        gc.freeze()  # what this process was forked with stays: the collector leaves it alone
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
            kind, value = "died", None
        finally:
            self._receive.close()
            self._process.join()
        if kind == "died" and self._died is not None:
            return self._died(self._process.exitcode)
        if kind in ("again", "died"):
            try:
                return self._work()
            except GeneratorError as exc:
                return exc
        return value  # type: ignore[no-any-return]
