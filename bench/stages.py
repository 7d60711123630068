"""Where a cold ``generate`` spends its time: each stage of ``generator.pipeline.run`` timed apart,
in one process, with the peak RSS of this process after each stage.

    .venv/bin/python bench/stages.py [--spec PATH] [--profile N [--profile-out FILE]] [--serial-black]

Default spec: GitHub's REST description (``bench/large_spec.py`` finds or downloads it). Stages:
read + parse (``load.parse_text``), validation (``load.validate``: our checks, then
openapi-spec-validator, also timed alone), IR build (``api.build_api``), render
(``render.render``), black (``format.format_files`` with no format cache: a process pool on every
core), write (``write.write_tree`` into an empty folder under ``bench/.cache/stages-out``).

``--profile N`` runs the same stages again under cProfile and prints the N functions with the
largest cumulative time (black's work happens in worker processes and shows up as waiting unless
``--serial-black`` is given, which formats in this process, on one core).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import pstats
import resource
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from generator import format as fmt  # noqa: E402
from generator import load as load_mod  # noqa: E402
from generator.api import build_api  # noqa: E402
from generator.config import load_config  # noqa: E402
from generator.render import render  # noqa: E402
from generator.write import write_tree  # noqa: E402

OUT = HERE / ".cache" / "stages-out"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def stages(spec: Path, serial_black: bool, report: Callable[[str, float], None]) -> None:
    config = load_config(None, spec=str(spec), out=str(OUT), package="github_sdk", client="GithubClient",
                         async_client="AsyncGithubClient", env_prefix="GITHUB_SDK", version="0.1.0")  # fmt: skip
    source = str(spec)

    def timed(name: str, fn: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        value = fn()
        report(name, time.perf_counter() - started)
        return value

    text = timed("read", lambda: spec.read_text(encoding="utf-8"))
    data = timed("parse (load.parse_text)", lambda: load_mod.parse_text(text, source))
    document = timed("validation (load.validate: ours + openapi-spec-validator)", lambda: load_mod.validate(data, source))
    validator = getattr(load_mod, "_validator_problems", None)
    if validator is not None:
        timed("  of which openapi-spec-validator alone (timed again)", lambda: validator(data, document.version))
    api, _warnings = timed("IR build (api.build_api)", lambda: build_api(document))
    files = timed("render (render.render)", lambda: render(api, config))
    if serial_black:
        saved = fmt._PARALLEL_FROM
        fmt._PARALLEL_FROM = 10**9
    try:
        formatted, sources = timed(
            f"black (format.format_files, {'one process' if serial_black else 'process pool'})", lambda: fmt.format_files(files, black_style=True)
        )
    finally:
        if serial_black:
            fmt._PARALLEL_FROM = saved
    digest = timed("spec sha256", lambda: hashlib.sha256(spec.read_bytes()).hexdigest())
    if OUT.exists():
        shutil.rmtree(OUT)
    timed("write (write.write_tree, empty folder)", lambda: write_tree(OUT, formatted, digest, sources))
    report(f"({len(files)} files, {sum(map(len, formatted.values())) / 1e6:.1f} MB of code)", 0.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", type=Path)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--serial-black", action="store_true")
    parser.add_argument("--profile-out", type=Path, help="also save the profile here (pstats format)")
    args = parser.parse_args(argv)
    spec = args.spec
    if spec is None:
        from large_spec import github_spec

        spec = github_spec()[1]
    rows: list[tuple[str, float, float]] = []
    stages(spec, args.serial_black, lambda name, s: rows.append((name, s, _rss_mb())))
    total = sum(seconds for name, seconds, _ in rows if not name.startswith(" "))  # not the re-timed part
    width = max(len(r[0]) for r in rows)
    print(f"{'stage':{width}} {'seconds':>8} {'share':>6} {'peak RSS after':>15}")
    for name, seconds, rss in rows:
        share = f"{100 * seconds / total:5.1f}%" if seconds else ""
        print(f"{name:{width}} {seconds:8.2f} {share:>6} {rss:11.0f} MB")
    print(f"{'total of the stages (one process; the CLI adds start-up and imports)':{width}} {total:8.2f}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        stages(spec, args.serial_black, lambda name, s: None)
        profiler.disable()
        if args.profile_out:
            profiler.dump_stats(args.profile_out)
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(args.profile)
        print(stream.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
