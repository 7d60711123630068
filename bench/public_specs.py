"""Generate SDKs from the large real-world specs that openapi-spec-validator ships, and check them.

    .venv/bin/python bench/public_specs.py [--min-size BYTES] [--only NAME ...] [--timeout SECONDS]

1. ``pip download`` the source distribution of openapi-spec-validator (0.8.5, or the newest
   version that has one) into ``bench/.cache/`` and extract it there (members with absolute paths,
   ``..`` or links are refused).
2. Find every OpenAPI document in the extracted tree (JSON or YAML); the OpenAPI 3.x ones at least
   ``--min-size`` bytes large are the real-world specs benchmarked here (Swagger 2.0 and small test
   fixtures are listed and skipped).
3. For each: ``python -m generator generate`` into ``bench/.cache/out/<name>/`` (timed; warnings are
   stderr lines starting with ``warning:``), then, in a subprocess, import every generated module,
   then ``mypy --strict --no-incremental`` on the generated package.
4. Print a table and the failures; exit 1 when a generation failed, a module failed to import or
   mypy reported an error (or a step timed out), 2 when no spec could be obtained.

Nothing under ``bench/.cache/`` is committed. Full logs are left beside each output folder:
``out/<name>.generate.log``, ``out/<name>.imports.json``, ``out/<name>.mypy.log``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
NO_CONFIG = ROOT / "bench" / "no-generator-config.toml"  # --config: the defaults, then the flags
OUT = CACHE / "out"
TRASH = CACHE / "trash"
DIST = "openapi-spec-validator"
VERSION = "0.8.5"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
ENV = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}
MYPY_LINE = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+):(?:(?P<col>\d+):)? error: (?P<msg>.*?)(?:  \[(?P<code>[a-z0-9-]+)\])?$")


# ---------------------------------------------------------------- 1. the source distribution


def _run(cmd: list[str], timeout: float, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=timeout, check=False)


def _pip_download(version: str, timeout: float) -> Path | None:
    """The sdist of ``DIST==version`` in CACHE (pip reuses a file already there), or None."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", f"{DIST}=={version}", "-d", str(CACHE)]
    try:
        proc = _run(cmd, timeout)
    except subprocess.TimeoutExpired:
        print(f"pip download {DIST}=={version}: timed out after {timeout:.0f} s", file=sys.stderr)
        return None
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        print(f"pip download {DIST}=={version}: exit {proc.returncode}: {tail}", file=sys.stderr)
        return None
    stem = DIST.replace("-", "_")
    for name in (f"{stem}-{version}.tar.gz", f"{DIST}-{version}.tar.gz"):
        if (CACHE / name).is_file():
            return CACHE / name
    return None


def _versions(timeout: float) -> list[str]:
    """Released versions, newest first (``pip index versions``: one registry look-up)."""
    try:
        proc = _run([sys.executable, "-m", "pip", "index", "versions", DIST], timeout)
    except subprocess.TimeoutExpired:
        return []
    match = re.search(r"Available versions: (.*)", proc.stdout)
    return [v.strip() for v in match.group(1).split(",")] if match else []


def download(timeout: float) -> tuple[str, Path]:
    CACHE.mkdir(parents=True, exist_ok=True)
    sdist = _pip_download(VERSION, timeout)
    if sdist is not None:
        return VERSION, sdist
    for version in [v for v in _versions(timeout) if v != VERSION][:5]:
        sdist = _pip_download(version, timeout)
        if sdist is not None:
            return version, sdist
    raise SystemExit(f"no source distribution of {DIST} could be downloaded")


def extract(sdist: Path) -> Path:
    """Extract into a fresh ``CACHE/sdist/``; refuse unsafe members instead of skipping them."""
    target = CACHE / "sdist"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    with tarfile.open(sdist, "r:gz") as tar:
        members = tar.getmembers()
        for member in members:
            path = PurePosixPath(member.name)
            if path.is_absolute() or member.name.startswith(("/", "\\")) or ".." in path.parts or "\\" in member.name:
                raise SystemExit(f"{sdist.name}: refusing member with an unsafe path: {member.name!r}")
            if not (member.isfile() or member.isdir()):
                raise SystemExit(f"{sdist.name}: refusing member that is not a file or a folder: {member.name!r}")
            resolved = (target / member.name).resolve()
            if resolved != target.resolve() and target.resolve() not in resolved.parents:
                raise SystemExit(f"{sdist.name}: refusing member outside the target folder: {member.name!r}")
        if hasattr(tarfile, "data_filter"):
            tar.extractall(target, members=members, filter="data")
        else:  # pragma: no cover - Python < 3.11.4; every member was checked above
            tar.extractall(target, members=members)
    return target


# ---------------------------------------------------------------- 2. the specs it ships


@dataclass
class Spec:
    path: Path
    rel: str
    size: int
    kind: str  # "openapi 3.0.3", "swagger 2.0"
    title: str
    version: str
    operations: int
    schemas: int

    @property
    def name(self) -> str:
        return re.sub(r"[^a-z0-9]+", "_", self.path.stem.lower()).strip("_") or "spec"


def _load(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        try:
            return json.loads(text)
        except ValueError:
            pass
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _mapping(value: Any) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def find_specs(tree: Path) -> list[Spec]:
    specs = []
    files = sorted(p for p in tree.rglob("*") if p.is_file() and p.suffix in (".json", ".yaml", ".yml"))
    for path in files:
        try:
            doc = _load(path)
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if not isinstance(doc, dict):
            continue
        if isinstance(doc.get("openapi"), str):
            kind = f"openapi {doc['openapi']}"
        elif "swagger" in doc:
            kind = f"swagger {doc['swagger']}"
        else:
            continue  # a JSON Schema, a fragment of a split spec, …
        info = _mapping(doc.get("info"))
        paths = _mapping(doc.get("paths"))
        operations = sum(1 for item in paths.values() if isinstance(item, dict) for m in METHODS if m in item)
        schemas = _mapping(_mapping(doc.get("components")).get("schemas") or doc.get("definitions"))
        specs.append(
            Spec(
                path=path,
                rel=path.relative_to(tree).as_posix(),
                size=path.stat().st_size,
                kind=kind,
                title=str(info.get("title", "")),
                version=str(info.get("version", "")),
                operations=operations,
                schemas=len(schemas),
            )
        )
    return sorted(specs, key=lambda s: (-s.size, s.rel))


# ---------------------------------------------------------------- 3. generate, import, mypy


@dataclass
class Result:
    spec: Spec
    exit_code: int | None = None  # None: timed out
    seconds: float = 0.0
    warnings: int = 0
    problems: list[str] = field(default_factory=list)
    summary: dict[str, str] = field(default_factory=dict)
    modules: int = 0
    import_failures: list[tuple[str, str]] = field(default_factory=list)
    import_error: str = ""  # the import check itself did not finish
    incomplete_models: list[str] = field(default_factory=list)  # reported, not a failure
    import_seconds: float = 0.0
    mypy_errors: list[dict[str, str]] = field(default_factory=list)
    mypy_exit: int | None = None
    mypy_tail: str = ""
    mypy_seconds: float = 0.0
    black_changed: list[str] = field(default_factory=list)  # files black would still change
    black_checked: int = 0

    @property
    def generated(self) -> bool:
        return self.exit_code == 0

    @property
    def failed(self) -> bool:
        return (
            not self.generated
            or bool(self.import_failures)
            or bool(self.import_error)
            or bool(self.mypy_errors)
            or self.mypy_exit != 0
            or bool(self.black_changed)
        )


def _identifiers(name: str) -> tuple[str, str, str]:
    package = f"{name}_sdk"
    client = "".join(part.capitalize() for part in name.split("_")) + "Client"
    return package, client, package.upper()


def generate(spec: Spec, timeout: float) -> Result:
    result = Result(spec)
    package, client, env_prefix = _identifiers(spec.name)
    out = OUT / spec.name
    if out.exists():  # a fresh tree: "files written" is then every file
        TRASH.mkdir(parents=True, exist_ok=True)  # deleted after the runs: see large_spec.TRASH
        out.rename(TRASH / f"{spec.name}-{time.time_ns()}")
    cmd = [
        sys.executable, "-m", "generator", "generate",
        "--spec", str(spec.path), "--out", str(out), "--package", package,
        "--client", client, "--async-client", f"Async{client}", "--env-prefix", env_prefix,
        "--sdk-version", "0.1.0", "--config", str(NO_CONFIG),
    ]  # fmt: skip
    started = time.perf_counter()
    try:
        proc = _run(cmd, timeout, cwd=ROOT)
    except subprocess.TimeoutExpired as exc:
        result.seconds = time.perf_counter() - started
        result.problems = [f"timed out after {timeout:.0f} s"]
        stderr = exc.stderr.decode() if isinstance(exc.stderr, bytes) else exc.stderr or ""
        (OUT / f"{spec.name}.generate.log").write_text(stderr, encoding="utf-8")
        return result
    result.seconds = time.perf_counter() - started
    result.exit_code = proc.returncode
    lines = proc.stderr.splitlines()
    result.warnings = sum(1 for line in lines if line.startswith("warning:"))
    result.problems = [line for line in lines if line.strip() and not line.startswith("warning:")]
    for line in proc.stdout.splitlines():
        match = re.match(r"^\s+(operations|models|files|warnings|time): (.*)$", line)
        if match:
            result.summary[match.group(1)] = match.group(2)
    (OUT / f"{spec.name}.generate.log").write_text(
        f"$ {' '.join(cmd)}\nexit {proc.returncode}\n--- stdout\n{proc.stdout}--- stderr\n{proc.stderr}", encoding="utf-8"
    )
    return result


_IMPORT_ALL = r"""
import importlib, json, sys, traceback
from pathlib import Path
out, package = sys.argv[1], sys.argv[2]
sys.path.insert(0, out)
root = Path(out) / package
names = []
for path in sorted(root.rglob("*.py")):
    parts = list(path.relative_to(out).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    names.append(".".join(parts))
failures = []
for name in names:
    try:
        importlib.import_module(name)
    except Exception as exc:  # noqa: BLE001 - every failure is the finding
        text = f"{type(exc).__name__}: {exc}".splitlines()[0][:500]
        failures.append([name, text])
# after every import: each pydantic model of the package compiled (models are compiled when
# first used; model_rebuild() finds the names they use): those that still are not
incomplete = []
for name in names:
    module = sys.modules.get(name)
    for attr, value in sorted(vars(module).items()) if module else ():
        if isinstance(value, type) and value.__module__ == name and hasattr(value, "__pydantic_complete__"):
            try:
                value.model_rebuild()
            except Exception as exc:  # noqa: BLE001 - reported below
                failures.append([f"{name}.{attr}", f"model_rebuild: {type(exc).__name__}: {exc}".splitlines()[0][:500]])
            if not value.__pydantic_complete__:
                incomplete.append(f"{name}.{attr}")
json.dump({"modules": len(names), "failures": failures, "incomplete": incomplete}, sys.stdout)
"""


def import_all(result: Result, timeout: float) -> None:
    package, _, _ = _identifiers(result.spec.name)
    out = OUT / result.spec.name
    started = time.perf_counter()
    try:
        proc = _run([sys.executable, "-c", _IMPORT_ALL, str(out), package], timeout, cwd=out)
    except subprocess.TimeoutExpired:
        result.import_error = f"timed out after {timeout:.0f} s"
        return
    finally:
        result.import_seconds = time.perf_counter() - started
    (OUT / f"{result.spec.name}.imports.json").write_text(proc.stdout + "\n" + proc.stderr, encoding="utf-8")
    try:
        data = json.loads(proc.stdout)
    except ValueError:
        result.import_error = f"exit {proc.returncode}: " + (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return
    result.modules = data["modules"]
    result.import_failures = [(m, e) for m, e in data["failures"]]
    result.incomplete_models = data["incomplete"]


def run_mypy(result: Result, timeout: float) -> None:
    package, _, _ = _identifiers(result.spec.name)
    out = OUT / result.spec.name
    cmd = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", os.devnull, "--no-color-output", package]
    started = time.perf_counter()
    try:
        proc = _run(cmd, timeout, cwd=out)
    except subprocess.TimeoutExpired:
        result.mypy_seconds = time.perf_counter() - started
        result.mypy_tail = f"timed out after {timeout:.0f} s"
        return
    result.mypy_seconds = time.perf_counter() - started
    result.mypy_exit = proc.returncode
    (OUT / f"{result.spec.name}.mypy.log").write_text(proc.stdout + proc.stderr, encoding="utf-8")
    for line in proc.stdout.splitlines():
        match = MYPY_LINE.match(line)
        if match:
            result.mypy_errors.append({k: v or "" for k, v in match.groupdict().items()})
    tail = (proc.stdout.strip().splitlines() or proc.stderr.strip().splitlines() or [""])[-1]
    result.mypy_tail = tail


def _black_changes(path: Path) -> str | None:
    import black

    text = path.read_text(encoding="utf-8")
    mode = black.Mode(target_versions={black.TargetVersion.PY310}, line_length=100)
    return None if black.format_str(text, mode=mode) == text else str(path)


def check_black(result: Result) -> None:
    """Every generated Python file is black's output: most never went through black (the
    generator lays them out itself, ``generator/layout.py``), so black must leave them unchanged."""
    from concurrent.futures import ProcessPoolExecutor

    files = sorted((OUT / result.spec.name).rglob("*.py"))
    with ProcessPoolExecutor() as pool:
        changed = [p for p in pool.map(_black_changes, files, chunksize=64) if p is not None]
    result.black_checked = len(files)
    result.black_changed = [str(Path(p).relative_to(OUT / result.spec.name)) for p in changed]


# ---------------------------------------------------------------- 4. the report


def _size(n: int) -> str:
    return f"{n / 1e6:.2f} MB" if n >= 1e6 else f"{n / 1e3:.1f} kB"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(headers, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines)


def _source_line(out: Path, path: str, line: str) -> str:
    try:
        return (out / path).read_text(encoding="utf-8").splitlines()[int(line) - 1].strip()
    except (OSError, IndexError, ValueError):
        return "?"


def report(results: list[Result], samples: int) -> None:
    rows = []
    for r in results:
        s = r.summary
        imported = f"{r.modules - len(r.import_failures)} / {len(r.import_failures)}" if r.generated else "-"
        if r.import_error:
            imported = r.import_error
        mypy = str(len(r.mypy_errors)) if r.mypy_exit is not None else (r.mypy_tail or "-")
        unchanged = f"{r.black_checked - len(r.black_changed)} / {r.black_checked}" if r.black_checked else "-"
        rows.append(
            [
                r.spec.name,
                _size(r.spec.size),
                s.get("operations", "").split(" in ")[0] or str(r.spec.operations),
                s.get("models", "-").replace(" classes, ", " + ").replace(" aliases", " al."),
                s.get("files", "-").split(" written")[0],
                f"{r.seconds:.1f}",
                str(r.warnings),
                imported,
                mypy,
                unchanged,
            ]
        )
    headers = ["spec", "size", "operations", "models", "files", "generate s", "warnings", "imported / failed", "mypy errors", "black leaves unchanged"]
    print(_table(headers, rows))
    for r in results:
        out = OUT / r.spec.name
        print(f"\n## {r.spec.name} ({r.spec.rel}): generate exit {r.exit_code}, {r.seconds:.1f} s; "
              f"import and compile every model {r.import_seconds:.1f} s; mypy {r.mypy_seconds:.1f} s")
        if r.problems:
            print(f"generation problems ({len(r.problems)}, first 30):")
            for line in r.problems[:30]:
                print(f"  {line}")
        if r.import_error:
            print(f"import check did not finish: {r.import_error}")
        if r.import_failures:
            print(f"import failures ({len(r.import_failures)} of {r.modules} modules):")
            by_error = Counter(re.sub(r"'[^']*'", "'…'", e) for _, e in r.import_failures)
            for shape, n in by_error.most_common():
                print(f"  {n:5d} × {shape}")
            for module, error in r.import_failures[:samples]:
                print(f"  {module}: {error}")
        if r.incomplete_models:
            print(f"pydantic models still incomplete after compiling each ({len(r.incomplete_models)}):")
            for name in r.incomplete_models[:samples]:
                print(f"  {name}")
        if r.mypy_errors:
            print(f"mypy errors ({len(r.mypy_errors)}; {r.mypy_tail}):")
            groups: dict[str, list[dict[str, str]]] = defaultdict(list)
            for e in r.mypy_errors:
                groups[e["code"] or "(no code)"].append(e)
            for code, errors in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
                print(f"  [{code}] {len(errors)} errors in {len({e['path'] for e in errors})} files")
                for e in errors[:samples]:
                    print(f"    {e['path']}:{e['line']}: {e['msg']}")
                    print(f"      | {_source_line(out, e['path'], e['line'])}")
        elif r.generated:
            print(f"mypy exit {r.mypy_exit}: {r.mypy_tail}")
        if r.black_changed:
            print(f"files black would change ({len(r.black_changed)}): {', '.join(r.black_changed[:samples])}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--min-size", type=int, default=100_000, help="smallest spec, in bytes, counted as real-world")
    parser.add_argument("--only", action="append", default=[], help="benchmark only this spec (file stem); repeatable")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds allowed to each subprocess")
    parser.add_argument("--samples", type=int, default=10, help="examples printed per kind of failure")
    args = parser.parse_args(argv)

    version, sdist = download(args.timeout)
    tree = extract(sdist)
    print(f"{DIST} {version}: {sdist.relative_to(ROOT)} → {tree.relative_to(ROOT)}/\n")

    specs = find_specs(tree)
    chosen = [s for s in specs if s.kind.startswith("openapi 3.") and s.size >= args.min_size]
    if args.only:
        chosen = [s for s in chosen if s.name in args.only or s.path.stem in args.only]
    rows = []
    for s in specs:
        if s in chosen:
            note = "benchmarked"
        elif not s.kind.startswith("openapi 3."):
            note = "skipped: not OpenAPI 3.x"
        elif s.size < args.min_size:
            note = f"skipped: under {_size(args.min_size)}"
        else:
            note = "skipped: --only"
        rows.append([s.rel, s.kind, s.title[:40], s.version, _size(s.size), str(s.operations), str(s.schemas), note])
    print("OpenAPI documents found:")
    print(_table(["file", "format", "title", "info.version", "size", "operations", "schemas", ""], rows))
    print()
    if not chosen:
        print("no real-world OpenAPI 3.x spec found", file=sys.stderr)
        return 2

    OUT.mkdir(parents=True, exist_ok=True)
    results: list[Result] = []
    try:
        _run_all(chosen, results, args.timeout)
    finally:
        shutil.rmtree(TRASH, ignore_errors=True)
    return _report(results, args.samples)


def _run_all(chosen: list[Spec], results: list[Result], timeout: float) -> None:
    for spec in chosen:
        print(f"{spec.name}: generating …", flush=True)
        result = generate(spec, timeout)
        if result.generated:
            print(f"{spec.name}: importing every module …", flush=True)
            import_all(result, timeout)
            print(f"{spec.name}: mypy --strict …", flush=True)
            run_mypy(result, timeout)
            print(f"{spec.name}: black on every file …", flush=True)
            check_black(result)
        results.append(result)


def _report(results: list[Result], samples: int) -> int:
    print()
    report(results, samples)
    failed = [r.spec.name for r in results if r.failed]
    print(f"\n{len(results) - len(failed)} passed, {len(failed)} failed" + (f": {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
