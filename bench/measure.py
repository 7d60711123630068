"""Run one command and report its exit code and peak memory as JSON (standard library only, so
that any interpreter can run it: ours, or the one in openapi-python-client's virtualenv).

    python bench/measure.py RESULT.json -m MODULE [ARG ...]   # ``python -m MODULE ARG ...``
    python bench/measure.py RESULT.json -- COMMAND [ARG ...]  # a child process

``-m`` runs the module in a fresh interpreter started by this one (as ``python -m`` would: the
working directory first on ``sys.path``) and reports the peak RSS of that main process
(``RUSAGE_SELF``) apart from the largest of the processes it started and waited for
(``RUSAGE_CHILDREN``: worker pools, formatters). With ``--`` only the latter exists: the child and
everything below it.

Why a fresh interpreter started from this small one: on Linux a process's ``ru_maxrss`` starts at
its parent's RSS when it is forked (and survives ``exec``), so a command started directly by a large
process (``bench/run.py`` after parsing an 18 MB response) would report that process's size. The
same holds further down: a worker forked from a 280 MB generator, or ruff started by a 350 MB
openapi-python-client, reports at least that much (for forked workers those pages are really
mapped, shared copy-on-write with the parent).

RESULT.json: ``{"exit": int, "self_maxrss_mb": float | null, "children_maxrss_mb": float,
"peak_rss_mb": float, "cpu_seconds": float}``; ``peak_rss_mb`` is the largest single process of
the tree (Linux reports ``ru_maxrss`` in KiB; RSS of processes running at the same time is not
summed); ``cpu_seconds`` is user + system time of every process of the tree (less sensitive than
wall time to other load on the machine).
Wall time is measured by the caller, around the whole interpreter.
"""

from __future__ import annotations

import json
import os
import resource
import runpy
import subprocess
import sys


def _mb(kib: int) -> float:
    scale = 1 if sys.platform != "darwin" else 1 / 1024  # macOS reports bytes
    return round(kib * scale / 1024, 1)


def _inner(result_path: str, module: str, args: list[str]) -> None:
    """Run ``python -m module args`` in this process; write what getrusage says."""
    sys.argv = [module, *args]
    sys.path[0] = os.getcwd()
    code: object = 0
    hard_exit = os._exit

    pid = os.getpid()

    def exit_here(status: int) -> None:  # a module that ends with os._exit (ours does): caught
        if os.getpid() != pid:  # a process it forked: it ends as it meant to
            hard_exit(status)
        raise SystemExit(status)

    os._exit = exit_here  # type: ignore[assignment]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        code = exc.code
    finally:
        os._exit = hard_exit
    sys.stdout.flush()
    sys.stderr.flush()
    exit_code = code if isinstance(code, int) else (0 if code is None else 1)
    own = resource.getrusage(resource.RUSAGE_SELF)
    _write(result_path, exit_code, _mb(own.ru_maxrss), own.ru_utime + own.ru_stime)
    # Ended as the module would have ended: with no interpreter teardown after the result (for
    # either generator: freeing a large IR object by object takes a twentieth of a second).
    hard_exit(0)


def _write(result_path: str, exit_code: int, self_mb: float | None, self_cpu: float) -> None:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    children_mb = _mb(children.ru_maxrss)
    data = {
        "exit": exit_code,
        "self_maxrss_mb": self_mb,
        "children_maxrss_mb": children_mb,
        "peak_rss_mb": max(self_mb or 0.0, children_mb),
        "cpu_seconds": round(self_cpu + children.ru_utime + children.ru_stime, 2),
    }
    with open(result_path, "w", encoding="utf-8") as f:
        json.dump(data, f)


def main(argv: list[str]) -> int:
    if len(argv) >= 3 and argv[1] == "--inner":
        _inner(argv[0], argv[2], argv[3:])
        return 0
    if len(argv) < 3 or argv[1] not in ("-m", "--"):
        print(__doc__, file=sys.stderr)
        return 2
    result_path, mode, rest = argv[0], argv[1], argv[2:]
    if mode == "-m":  # a fresh process: its ru_maxrss starts from this small one's
        code = subprocess.run([sys.executable, os.path.abspath(__file__), result_path, "--inner", *rest], check=False).returncode
        if code != 0 or not os.path.exists(result_path):
            _write(result_path, code or 1, None, 0.0)  # the interpreter itself failed
        return 0
    exit_code = subprocess.run(rest, check=False).returncode
    _write(result_path, exit_code, None, 0.0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
