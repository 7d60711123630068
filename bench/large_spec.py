"""`make bench` rows on a large real spec: GitHub's REST description (13 MB of JSON, the document
issue 6's reference figures were measured on), as the npm package ``@octokit/openapi`` ships it
(``npm pack``, cached in ``bench/.cache``); where npm is not available, the older YAML copy in
openapi-spec-validator's source distribution (obtained by ``bench/public_specs.py``'s code).

Each measured command runs in its own interpreter through ``bench/measure.py`` (exit code and
peak RSS of the main process and of the processes it started); wall time is measured here around
the whole interpreter, start-up included, for both generators alike.

1. cold ``generate`` (empty output folder) against openapi-python-client's ``generate`` on the same
   file, installed in its own virtualenv (``bench/.cache/opc-venv``) so that our pinned
   dependencies are untouched; its default post-processing (ruff, installed with it) runs.
2. ``check`` with nothing changed, against our cold ``generate``; also ``check --full``, which
   regenerates in memory whatever the manifest says.
3. ``generate`` into the same folder after one operation's summary changed, against our cold
   ``generate``.

Run alone: ``.venv/bin/python bench/large_spec.py`` (prints the same rows and the notes).
"""

from __future__ import annotations

import compileall
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import public_specs  # noqa: E402

CACHE = public_specs.CACHE
NO_CONFIG = public_specs.NO_CONFIG
WORK = CACHE / "large"
OPC_VENV = CACHE / "opc-venv"
OPC = "openapi-python-client"
OPC_VERSION = "0.29.1"
MEASURE = HERE / "measure.py"
TIMEOUT = 1800.0
ENV = {**os.environ, "PYTHONHASHSEED": "0"}


@dataclass
class Run:
    """One measured command."""

    seconds: float
    exit: int | None  # None: timed out
    main_mb: float | None  # the interpreter that ran the command
    children_mb: float  # the largest process it started (worker pool, ruff), 0 when none
    peak_mb: float  # the largest single process
    cpu: float  # user + system seconds of every process
    stdout: str
    stderr: str


@dataclass
class Row:
    name: str
    ours: float = 0.0
    baseline: float = 0.0
    unit: str = "s"
    target: str = "—"
    skipped: str = ""  # the reason, when the row could not be measured


@dataclass
class Outcome:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def measure(python: str, args: list[str], cwd: Path, log: Path, env: dict[str, str] | None = None) -> Run:
    """``python bench/measure.py RESULT -m ...args``: wall time around the whole interpreter."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        result = Path(f.name)
    cmd = [python, str(MEASURE), str(result), "-m", *args]
    started = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=cwd, env=env or ENV, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        result.unlink(missing_ok=True)
        return Run(time.perf_counter() - started, None, None, 0.0, 0.0, 0.0, "", f"timed out after {TIMEOUT:.0f} s")
    seconds = time.perf_counter() - started
    log.write_text(f"$ {' '.join(cmd)}\n{seconds:.2f} s\n--- stdout\n{proc.stdout}--- stderr\n{proc.stderr}", encoding="utf-8")
    try:
        data = json.loads(result.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return Run(seconds, proc.returncode or 1, None, 0.0, 0.0, 0.0, proc.stdout, f"the measuring wrapper failed: {tail}")
    finally:
        result.unlink(missing_ok=True)
    return Run(seconds, data["exit"], data["self_maxrss_mb"], data["children_maxrss_mb"], data["peak_rss_mb"], data["cpu_seconds"], proc.stdout, proc.stderr)


# ---------------------------------------------------------------- the spec


OCTOKIT = "@octokit/openapi"
OCTOKIT_VERSION = "23.0.2"
OCTOKIT_FILE = "package/generated/api.github.com.json"


def github_spec() -> tuple[str, Path]:
    """(where it comes from, path): ``@octokit/openapi``'s JSON when npm can fetch it (or it is
    cached), else github.yaml from openapi-spec-validator's sdist."""
    try:
        return f"{OCTOKIT} {OCTOKIT_VERSION} (npm)", octokit_spec()
    except (RuntimeError, OSError, subprocess.SubprocessError):
        version, path = sdist_github_spec()
        return f"{public_specs.DIST} {version}'s sdist", path


def octokit_spec() -> Path:
    """api.github.com.json from ``npm pack @octokit/openapi@OCTOKIT_VERSION``, extracted once."""
    import tarfile

    target = CACHE / f"octokit-openapi-{OCTOKIT_VERSION}" / "api.github.com.json"
    if target.is_file():
        return target
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not installed")
    CACHE.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [npm, "pack", f"{OCTOKIT}@{OCTOKIT_VERSION}", "--silent"], cwd=CACHE, capture_output=True, text=True, timeout=300
    )
    if done.returncode != 0:
        raise RuntimeError(f"npm pack failed: {done.stderr.strip()[-300:]}")
    tarball = CACHE / done.stdout.strip().splitlines()[-1]
    with tarfile.open(tarball) as archive:
        member = archive.extractfile(OCTOKIT_FILE)
        if member is None:
            raise RuntimeError(f"{tarball.name} holds no {OCTOKIT_FILE}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(member.read())
    tarball.unlink()
    return target


def sdist_github_spec() -> tuple[str, Path]:
    """(openapi-spec-validator version, path of github.yaml): the cached sdist when present (no
    registry access), else ``public_specs.download``; extracted once into ``bench/.cache/sdist``."""
    cached = sorted(CACHE.glob(f"{public_specs.DIST.replace('-', '_')}-{public_specs.VERSION}.tar.gz"))
    if cached:
        version, sdist = public_specs.VERSION, cached[0]
    else:
        try:
            version, sdist = public_specs.download(300.0)
        except SystemExit as exc:  # download() exits with a message when nothing could be had
            raise RuntimeError(str(exc)) from None
    tree = CACHE / "sdist"
    found = _find_github(tree, sdist)
    if found is None:
        public_specs.extract(sdist)
        found = _find_github(tree, sdist)
    if found is None:  # not where 0.8.5 keeps it: look at every document it ships
        specs = [s for s in public_specs.find_specs(tree) if s.name == "github" and s.kind.startswith("openapi 3.")]
        found = specs[0].path if specs else None
    if found is None:
        raise RuntimeError(f"{sdist.name} holds no OpenAPI 3.x document named github")
    return version, found


def _find_github(tree: Path, sdist: Path) -> Path | None:
    stem = sdist.name.removesuffix(".tar.gz")
    for path in sorted((tree / stem).glob("**/github.*")) if (tree / stem).is_dir() else []:
        if path.suffix in (".yaml", ".yml", ".json") and path.is_file():
            return path
    return None


def change_one_summary(text: str, operation_id: str = "repos/get") -> tuple[str, str]:
    """The document with one operation's ``summary`` changed by a text edit (the rest of the file
    kept byte for byte) and the summary it had. The operation is ``repos/get`` ("Get a repository",
    in the largest namespace), or the first operation with a summary when the spec has no such one."""
    summaries = list(re.finditer(r'(?m)^(?:      summary: |\s*"summary": ")(.*)$', text))
    if not summaries:
        raise RuntimeError("no operation summary found to change")
    match = summaries[0]
    at = re.search(rf'(?m)^\s*"?operationId"?: "?{re.escape(operation_id)}"?,?$', text)
    if at is not None:
        before = [m for m in summaries if m.start() < at.start()]
        match = before[-1] if before else match
    line = match.group(0)
    quoted = re.match(r'^(.*)(["\'],?)$', line)
    changed = f"{quoted.group(1)} (changed){quoted.group(2)}" if quoted else f"{line} (changed)"
    return text[: match.start()] + changed + text[match.end() :], match.group(1).rstrip('",')


# ---------------------------------------------------------------- openapi-python-client


def opc_python(notes: list[str]) -> tuple[str, str]:
    """(interpreter, version) of openapi-python-client in its own virtualenv, created on first use:
    ``OPC_VERSION``, else the newest 0.2x release."""
    python = OPC_VENV / "bin" / "python"

    def installed() -> str | None:
        if not python.exists():
            return None
        proc = subprocess.run(
            [str(python), "-c", f"import importlib.metadata as m; print(m.version({OPC!r}))"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        return proc.stdout.strip() if proc.returncode == 0 else None

    version = installed()
    if version is None:
        if not python.exists():
            proc = subprocess.run(["python3", "-m", "venv", str(OPC_VENV)], capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                raise RuntimeError(f"python3 -m venv {OPC_VENV.relative_to(ROOT)}: {(proc.stderr.strip().splitlines() or ['failed'])[-1]}")
        pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        for requirement in (f"{OPC}=={OPC_VERSION}", f"{OPC}>=0.20,<0.30"):
            proc = subprocess.run([*pip, requirement], capture_output=True, text=True, timeout=900, check=False)
            if proc.returncode == 0:
                break
            notes.append(f"pip install {requirement}: exit {proc.returncode}")
        version = installed()
        if version is None:
            raise RuntimeError(f"pip could not install {OPC} into {OPC_VENV.relative_to(ROOT)}")
    return str(python), version


def _tool_version(python: str, name: str) -> str:
    proc = subprocess.run([python, "-c", f"import importlib.metadata as m; print(m.version({name!r}))"], capture_output=True, text=True, check=False)
    return proc.stdout.strip() if proc.returncode == 0 else "not installed"


def _opc_report(run: Run, out: Path) -> str:
    """What openapi-python-client said and produced, in one line."""
    lines = run.stderr.splitlines()
    skipped_schemas = sum(1 for line in lines if line.startswith("Unable to parse schema"))
    skipped_responses = sum(1 for line in lines if line.startswith("Cannot parse response"))
    ruff = "ruff not in PATH: post-hooks skipped" if "ruff is not in PATH" in run.stderr else (
        "ruff post-hooks ran (`ruff check --fix-only`, `ruff format`)"
        + ("; one of them failed: " + next((line.strip() for line in lines if line.startswith("error:")), "ruff failed")
           if "ruff failed" in run.stderr else "")
    )  # fmt: skip
    py = list(out.rglob("*.py")) if out.is_dir() else []
    endpoints = [p for p in py if "/api/" in p.as_posix() and p.name != "__init__.py"]
    models = [p for p in py if "/models/" in p.as_posix() and p.name != "__init__.py"]
    return (
        f"exit {run.exit}; {len(py)} Python files ({len(endpoints)} endpoint modules, {len(models)} model modules); "
        f"{skipped_schemas} schemas and {skipped_responses} responses it could not parse; {ruff}"
    )


# ---------------------------------------------------------------- the rows


def _ours_args(spec: Path, out: Path, command: str = "generate") -> list[str]:
    package, client, env_prefix = public_specs._identifiers("github")
    return [
        "generator", command, "--spec", str(spec), "--out", str(out), "--package", package,
        "--client", client, "--async-client", f"Async{client}", "--env-prefix", env_prefix,
        "--sdk-version", "0.1.0", "--config", str(NO_CONFIG),
    ]  # fmt: skip


def _summary(stdout: str, key: str) -> str:
    match = re.search(rf"(?m)^\s+{key}: (.*)$", stdout)
    return match.group(1) if match else "?"


def _failed(run: Run, what: str) -> str:
    if run.exit is None:
        return f"{what}: {run.stderr}"
    tail = [line for line in run.stderr.strip().splitlines() if not line.startswith("warning:")][-1:] or ["no message"]
    return f"{what}: exit {run.exit}: {tail[0][:200]}"


# Earlier outputs, deleted only after the timed runs: on ext4, inodes freed in the last 30 s are
# skipped when files are created (``recently_deleted``), so 5,000 files created right after
# deleting as many cost seconds of system time more (seen here: 0.5 s → 2.4 s), on both sides.
TRASH = WORK / "trash"


def large_rows() -> Outcome:
    """The rows, and notes on what each side did; the load average before and after (other work on
    the machine slows wall time, not CPU time)."""
    before = _load()
    try:
        outcome = _large_rows()
    finally:
        shutil.rmtree(TRASH, ignore_errors=True)
    outcome.notes.append(f"load average (1 min) before these rows: {before}, after: {_load()}; {os.cpu_count()} CPUs")
    return outcome


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


def _large_rows() -> Outcome:
    outcome = Outcome()
    rows, notes = outcome.rows, outcome.notes
    try:
        origin, original = github_spec()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        rows.append(Row("GitHub's REST description: generate / check / regenerate", skipped=f"no spec: {exc}"))
        return outcome
    WORK.mkdir(parents=True, exist_ok=True)
    spec = WORK / original.name  # a copy: the regenerate row edits it in place (same path, same headers)
    text = original.read_text(encoding="utf-8")
    spec.write_text(text, encoding="utf-8")
    size = f"{len(text.encode()) / 1e6:.1f} MB"
    label = f"GitHub's REST description ({size} {spec.suffix[1:].upper()})"
    notes.append(f"spec: {original.relative_to(ROOT)} (from {origin})")
    ours_out, opc_out = WORK / "ours", WORK / "opc"
    for folder in (ours_out, opc_out):  # moved aside, deleted after the measurements (TRASH)
        if folder.exists():
            TRASH.mkdir(parents=True, exist_ok=True)
            folder.rename(TRASH / f"{folder.name}-{time.time_ns()}")

    # Our modules' bytecode written first, as installing a package does (openapi-python-client's
    # was, by pip): otherwise, with PYTHONDONTWRITEBYTECODE set, every run compiles them again.
    compileall.compile_dir(str(ROOT / "generator"), quiet=1)

    # 1. cold generate, ours
    cold = measure(sys.executable, _ours_args(spec, ours_out), ROOT, WORK / "ours-generate.log")
    if cold.exit != 0:
        rows.append(Row(f"{label}: cold `generate`", skipped=_failed(cold, "our generate failed")))
        return outcome
    notes.append(
        f"ours, cold: {_summary(cold.stdout, 'operations').split(' in ')[0]} operations, {_summary(cold.stdout, 'models')}, "
        f"{_summary(cold.stdout, 'files')}; post-processing: black {_tool_version(sys.executable, 'black')} on the "
        f"statements it would change, in-process (a pool of spawned processes for large amounts); peak RSS main process "
        f"{cold.main_mb:.0f} MB, largest other process (forked: the validator, a share of render and format) {cold.children_mb:.0f} MB"
    )

    # 1. cold generate, openapi-python-client (default post-hooks: ruff, installed beside it)
    try:
        python, version = opc_python(notes)
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        rows.append(Row(f"{label}: cold `generate` vs {OPC}", skipped=str(exc)))
        rows.append(Row(
            "  peak RSS of our cold `generate`, largest process", cold.peak_mb, 0.0, "MB", "ours ≤ 300 MB",
            skipped=f"no baseline ({OPC} unavailable); ours: {cold.peak_mb:.0f} MB (main {cold.main_mb:.0f} MB)",
        ))  # fmt: skip
    else:
        env = {**ENV, "PATH": f"{OPC_VENV / 'bin'}{os.pathsep}{ENV.get('PATH', '')}"}
        theirs = measure(
            python, ["openapi_python_client", "generate", "--path", str(spec), "--output-path", str(opc_out), "--overwrite"],
            WORK, WORK / "opc-generate.log", env,
        )  # fmt: skip
        produced = opc_out.is_dir() and any(opc_out.rglob("*.py"))
        if theirs.exit is None or not produced:
            rows.append(Row(f"{label}: cold `generate` vs {OPC} {version}", skipped=_failed(theirs, f"{OPC} produced nothing")))
        else:
            rows.append(Row(f"{label}: cold `generate` vs {OPC} {version} (its exit code {theirs.exit})", cold.seconds, theirs.seconds, "s", "≤ 0.5×"))
            rows.append(Row("  CPU time of the same runs (user + system, every process)", cold.cpu, theirs.cpu, "s", "—"))
            rows.append(Row(
                f"  peak RSS, largest process (ours: main {cold.main_mb:.0f} MB, forked processes {cold.children_mb:.0f} MB; "
                f"theirs: main {theirs.main_mb:.0f} MB, ruff via sh {theirs.children_mb:.0f} MB)",
                cold.peak_mb, theirs.peak_mb, "MB", "ours ≤ 300 MB",
            ))  # fmt: skip
        notes.append(f"{OPC} {version} (ruff {_tool_version(python, 'ruff')}): {_opc_report(theirs, opc_out)}")
        notes.append(
            "peak RSS: ru_maxrss of each process; a forked process starts from its parent's RSS (ours: the validator "
            "and the process that renders a share of the files; ruff's figure is at least openapi-python-client's at the fork)"
        )

    # 2. check, nothing changed
    check = measure(sys.executable, _ours_args(spec, ours_out, "check"), ROOT, WORK / "ours-check.log")
    if check.exit != 0:
        rows.append(Row(f"{label}: `check` with nothing changed", skipped=_failed(check, "check did not pass")))
    else:
        rows.append(Row(f"{label}: `check` with nothing changed vs our cold `generate`", check.seconds, cold.seconds, "s", "≤ 0.05×"))
        rows.append(Row("  CPU time of the same runs", check.cpu, cold.cpu, "s", "—"))
        # ``check --full`` (where the CLI has it) regenerates in memory even when the manifest's
        # input hashes match: what ``check`` costs when an input did change.
        full = measure(sys.executable, [*_ours_args(spec, ours_out, "check"), "--full"], ROOT, WORK / "ours-check-full.log")
        if full.exit == 0:
            rows.append(Row("  `check --full` (regenerates in memory, compares every file) vs our cold `generate`", full.seconds, cold.seconds, "s", "—"))
        else:
            rows.append(Row("  `check --full`", skipped=_failed(full, "not available or not clean")))

    # 3. one operation's summary changed, generate into the same folder
    try:
        changed, summary = change_one_summary(text)
    except RuntimeError as exc:
        rows.append(Row(f"{label}: regenerate after one operation changed", skipped=str(exc)))
        return outcome
    spec.write_text(changed, encoding="utf-8")
    regen = measure(sys.executable, _ours_args(spec, ours_out), ROOT, WORK / "ours-regenerate.log")
    spec.write_text(text, encoding="utf-8")
    if regen.exit != 0:
        rows.append(Row(f"{label}: regenerate after one operation changed", skipped=_failed(regen, "generate failed")))
    else:
        files = _summary(regen.stdout, "files")
        rows.append(Row(f"{label}: `generate` after one summary changed ({files}) vs our cold `generate`", regen.seconds, cold.seconds, "s", "≤ 0.1×"))
        rows.append(Row("  CPU time of the same runs", regen.cpu, cold.cpu, "s", "—"))
        notes.append(f"regenerate: the summary {summary.strip()!r} got ' (changed)' appended; peak RSS {regen.peak_mb:.0f} MB")

    # 4. the generated SDK at run time: import it and make a client, then use one namespace
    _import_rows(ours_out, rows)
    return outcome


_IMPORT_SDK = """\
import importlib, sys
sys.path.insert(0, sys.argv[1])
if len(sys.argv) > 2:
    package = importlib.import_module(sys.argv[2])
    client = getattr(package, sys.argv[3])(base_url="http://127.0.0.1:9", token="t")
    for namespace in sys.argv[4:]:
        getattr(client, namespace)
else:
    import httpx, pydantic
"""


def _import_rows(out: Path, rows: list[Row]) -> None:
    """Fresh interpreters: ``import`` the SDK and make a client, then also use its largest namespace
    (which imports that namespace's operation modules and the models they name), each against an
    interpreter that imports only httpx and pydantic."""
    package, client, _ = public_specs._identifiers("github")
    resources = sorted((out / package / "resources").glob("[!_]*.py"), key=lambda p: p.stat().st_size)
    if not resources:
        rows.append(Row("the generated GitHub SDK: import", skipped="no resources generated"))
        return
    largest = resources[-1].stem
    # Bytecode compiled first, as ``pip install`` does (this machine's PYTHONDONTWRITEBYTECODE
    # would otherwise have every run compile 5,000 modules' source), kept outside the output
    # folder: 5,000 more files to delete there slowed the next cold run's writing by seconds.
    env = {k: v for k, v in ENV.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(WORK / "pycache")
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(out / package)], env=env, capture_output=True, check=False)
    script = WORK / "sdk_import.py"
    script.write_text(_IMPORT_SDK, encoding="utf-8")

    def timed(*args: str) -> float | None:
        times = []
        for _ in range(3):
            run = measure(sys.executable, ["sdk_import", str(out), *args], WORK, WORK / "sdk-import.log", env)
            if run.exit != 0:
                return None
            times.append(run.seconds)
        return min(times)

    baseline = timed()
    imported = timed(package, client)
    used = timed(package, client, largest)
    if baseline is None or imported is None or used is None:
        rows.append(Row("the generated GitHub SDK: import", skipped="an import failed (see bench/.cache/large/sdk-import.log)"))
        return
    operations = sum(1 for line in resources[-1].read_text(encoding="utf-8").splitlines() if line.startswith("from ..operations import"))
    rows.append(Row("the generated GitHub SDK (bytecode compiled): `import` and make a client vs `import httpx, pydantic` (fresh interpreters)", imported, baseline, "s", "—"))
    rows.append(Row(f"  and use its largest namespace (`client.{largest}`: {operations} operation modules imported)", used, baseline, "s", "—"))


def print_rows(rows: list[Row]) -> None:
    width = max(len(r.name) for r in rows)
    print(f"{'measurement':{width}} {'ours':>10} {'baseline':>10} {'ratio':>7}  target")
    for r in rows:
        if r.skipped:
            print(f"{r.name:{width}} skipped: {r.skipped}")
            continue
        ours, base = (f"{r.ours:9.3f}s", f"{r.baseline:9.3f}s") if r.unit == "s" else (f"{r.ours:7.0f} MB", f"{r.baseline:7.0f} MB")
        value = r.ours / r.baseline if r.baseline else None
        ratio = "—" if value is None else f"{value:.3f}×" if value < 0.095 else f"{value:.2f}×"
        print(f"{r.name:{width}} {ours:>10} {base:>10} {ratio:>7}  {r.target}")


if __name__ == "__main__":
    result = large_rows()
    print_rows(result.rows)
    for note in result.notes:
        print(f"- {note}")
