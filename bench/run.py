"""`make bench`: ratios measured in one run, against baselines measured in the same run.

No absolute pass/fail: each row prints the ratio and the target from the performance issue.

    .venv/bin/python bench/run.py [--quick]

The rows on GitHub's REST description (``bench/large_spec.py``: cold ``generate`` against
openapi-python-client, peak RSS, ``check``, regenerating after one change) take minutes and, the
first time, download a source distribution and install openapi-python-client into
``bench/.cache``; ``--quick`` leaves them out. A row that cannot be measured prints
"skipped: <reason>".
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import types
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generated"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx  # noqa: E402
import orjson  # noqa: E402

from large_spec import Row, large_rows, print_rows  # noqa: E402
from metrics_response import make_response  # noqa: E402


def best(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def typed_dict_mirror(model: type, busy: frozenset[type] = frozenset(), made: dict[type, object] | None = None) -> object:
    """A ``TypedDict`` with a model's keys (API names), types and ``extra="allow"``, models inside
    it mirrored the same way (a model inside itself: any dict): the same validation, without one
    model instance per JSON object. Measures parsing into dicts instead of models."""
    import typing

    import pydantic
    from typing_extensions import NotRequired, TypedDict

    made = {} if made is None else made  # one mirror per model: pydantic tells them apart by name
    if model in made:
        return made[model]

    def mirrored(tp: object) -> object:
        if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
            return dict[str, typing.Any] if tp in busy else typed_dict_mirror(tp, busy | {model}, made)
        args = typing.get_args(tp)
        if not args:
            return tp
        origin = typing.get_origin(tp)
        inner = tuple(mirrored(a) for a in args)
        if origin in (typing.Union, types.UnionType):
            return typing.Union[inner]
        return typing.cast(typing.Any, origin)[inner if len(inner) > 1 else inner[0]]

    assert isinstance(model, type) and issubclass(model, pydantic.BaseModel)
    model.model_rebuild()  # annotations resolved (the SDK compiles a class on its first use)
    keys: dict[str, object] = {}
    for name, field in model.model_fields.items():
        tp = mirrored(field.annotation)
        keys[field.alias or name] = tp if field.is_required() else NotRequired[tp]
    mirror = TypedDict(model.__name__, keys)  # type: ignore[operator]
    made[model] = pydantic.with_config(pydantic.ConfigDict(extra="allow"))(mirror)
    return made[model]


def parse_rows() -> list[tuple[str, float, float, str]]:
    import json

    from streamkap._base_client import validate_json
    from streamkap._models import adapter as _adapter
    from streamkap.models import PipelineMetricsRes

    data = make_response()
    adapter = _adapter(PipelineMetricsRes)
    validate_json(PipelineMetricsRes, data)  # warm up: the schema is built once per process
    baseline = best(lambda: json.loads(data))
    ours = best(lambda: validate_json(PipelineMetricsRes, data))
    plain = best(lambda: adapter.validate_json(data, strict=True))
    fast = best(lambda: orjson.loads(data))
    mirror = typed_dict_mirror(PipelineMetricsRes)
    validate_json(mirror, data)
    as_dicts = best(lambda: validate_json(mirror, data))  # the SDK's parse, but into TypedDicts
    mb = len(data) / 1e6
    return [
        (f"SDK parse of a {mb:.1f} MB metrics response vs json.loads", ours, baseline, "≤ 1.5×"),
        ("  pydantic validate_json without pausing the collector", plain, baseline, "—"),
        ("  orjson.loads (practical limit) vs json.loads", fast, baseline, "—"),
        ("  the same validation into TypedDicts, not models (an option for the SDK's owner)", as_dicts, baseline, "—"),
    ]


class _Handler(BaseHTTPRequestHandler):
    body = b'{"account_metrics":{"a":{"latest":{"latency":1.5,"recordsLag":3,"status":"Active"}}}}'

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


def call_rows() -> list[tuple[str, float, float, str]]:
    import streamkap

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    n = 300
    try:
        with httpx.Client() as bare, streamkap.Streamkap(token="t", base_url=url) as client:
            def sdk() -> None:
                for _ in range(n):
                    client.pipelines.search_pipelines_metrics(ids=["a", "b"], size=10)

            def raw() -> None:
                for _ in range(n):
                    r = bare.post(f"{url}/pipelines/metrics", params={"size": 10}, json={"ids": ["a", "b"]},
                                  headers={"Authorization": "Bearer t"})
                    r.json()

            sdk(), raw()
            ours, baseline = best(sdk, 5), best(raw, 5)
    finally:
        server.shutdown()
    return [(f"{n} SDK calls vs the same requests with bare httpx", ours, baseline, "≤ 1.1×")]


def concurrency_rows(calls: int = 1000) -> list[tuple[str, float, float, str]]:
    """1,000 concurrent calls: the SDK's async client with default settings, against bare httpx
    with the caller limiting in-flight requests to the pool size (a server in another process)."""
    import asyncio

    import streamkap

    server = subprocess.Popen([sys.executable, str(Path(__file__).with_name("loopback_server.py")), "--seconds", "120"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert server.stdout is not None
        url = f"http://127.0.0.1:{server.stdout.readline().strip()}"

        async def sdk() -> int:
            async with streamkap.AsyncStreamkap(token="t", base_url=url) as client:
                results = await asyncio.gather(
                    *(client.pipelines.search_pipelines_metrics(size=1) for _ in range(calls)), return_exceptions=True
                )
            return sum(isinstance(r, BaseException) for r in results)

        async def bare() -> int:
            limit = asyncio.Semaphore(100)  # httpx's default pool size

            async def one(http: httpx.AsyncClient) -> object:
                async with limit:
                    r = await http.post(f"{url}/pipelines/metrics", params={"size": 1}, headers={"Authorization": "Bearer t"})
                    return r.json()

            async with httpx.AsyncClient() as http:
                results = await asyncio.gather(*(one(http) for _ in range(calls)), return_exceptions=True)
            return sum(isinstance(r, BaseException) for r in results)

        timings: dict[str, list[float]] = {"sdk": [], "bare": []}
        errors = {"sdk": 0, "bare": 0}
        for _ in range(3):
            for name, fn in (("bare", bare), ("sdk", sdk)):
                start = time.perf_counter()
                errors[name] += asyncio.run(fn())
                timings[name].append(time.perf_counter() - start)
    finally:
        server.kill()
        server.wait()
    label = f"{calls} concurrent async calls, defaults (errors: {errors['sdk']}) vs bare httpx + semaphore (errors: {errors['bare']})"
    return [(label, min(timings["sdk"]), min(timings["bare"]), "≤ 1.5×")]


def generate_rows() -> list[tuple[str, float, float, str]]:
    """The project spec: cold ``generate`` (each into an empty folder: no format cache), then
    ``check`` of the last output."""
    import shutil

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "generated"

        def cli(*args: str) -> None:
            subprocess.run([sys.executable, "-m", "generator", *args, "-q", "--out", str(out)], cwd=ROOT, check=True)

        def cold_generate() -> None:
            shutil.rmtree(out, ignore_errors=True)
            cli("generate")

        cold = statistics.median([best(cold_generate, 1) for _ in range(3)])
        check = statistics.median([best(lambda: cli("check"), 1) for _ in range(3)])
    return [("`check` with nothing changed vs cold `generate` (project spec)", check, cold, "≤ 0.05×")]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="leave out the rows on GitHub's REST description (minutes)")
    args = parser.parse_args(argv)
    measured = parse_rows() + call_rows() + concurrency_rows() + generate_rows()
    rows = [Row(name, ours, baseline, "s", target) for name, ours, baseline, target in measured]
    notes: list[str] = []
    if args.quick:
        rows.append(Row("GitHub's REST description: generate vs openapi-python-client, check, regenerate", skipped="--quick"))
    else:
        large = large_rows()
        rows += large.rows
        notes = large.notes
    print_rows(rows)
    for note in notes + [_revision()]:
        print(f"- {note}")


def _revision() -> str:
    """Which generator was measured: the commit, and whether generator/ or templates/ differ from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "generator", "templates"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "generator revision: unknown (not a git checkout)"
    return f"generator at commit {head}" + (" with uncommitted changes in generator/ or templates/" if dirty.strip() else "")


if __name__ == "__main__":
    main()
