"""generator.pipeline: the stages in order; large SDKs rendered and formatted by two processes."""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

import generator.pipeline
from generator.api import build_api
from generator.config import Config
from generator.errors import GeneratorError, Problem
from generator.load import load
from generator.pipeline import run
from generator.render import render

SPECS = ROOT / "tests" / "specs"


@pytest.mark.parametrize("name", ["16_allof.json", "17_discriminator_mapping.yaml", "23_inline_objects.json", "28_names.yaml"])
def test_a_forked_process_renders_and_formats_a_share_with_the_same_result(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = Config(spec=SPECS / name, out=tmp_path / "out", package="sdk", client="Client")
    one = run(config)
    monkeypatch.setattr(generator.pipeline, "SPLIT_FROM", 0)
    two = run(config)
    assert two.files == one.files and list(two.files) == list(one.files)
    assert two.sources == one.sources and two.inputs == one.inputs


@pytest.mark.parametrize("broken", [[0], [1], [0, 1], [1, 0]], ids=["first", "second", "both", "both, reversed"])
def test_the_problem_reported_is_the_first_files_whichever_process_met_it(
    broken: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two model files that fail to format, one in each process or both in one: the error is the
    one about the file that comes first, as when one process does all."""
    config = Config(spec=SPECS / "16_allof.json", out=tmp_path / "out", package="sdk", client="Client")
    models = [p for p in run(config).files if "/models/" in p and not p.endswith("__init__.py")]
    theirs = [p for p in models if zlib.crc32(p.encode()) % 100 < generator.pipeline._SHARE]
    mine = [p for p in models if p not in theirs]
    assert theirs and mine
    candidates = [min(mine[0], theirs[0]), max(mine[0], theirs[0])]
    bad = [candidates[i] for i in broken]
    real = generator.pipeline.format_files

    def failing(files: dict[str, str], *args: Any, **kwargs: Any) -> Any:
        for path in files:
            if path in bad:
                raise GeneratorError(path, [Problem("#", "broken on purpose")])
        return real(files, *args, **kwargs)

    monkeypatch.setattr(generator.pipeline, "format_files", failing)
    monkeypatch.setattr(generator.pipeline, "SPLIT_FROM", 0)
    order = list(render(build_api(load(config.spec))[0], config))
    with pytest.raises(GeneratorError) as caught:
        run(config)
    assert caught.value.source == min(bad, key=order.index)


def test_a_failure_of_another_kind_here_stops_the_forked_share(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug (not a GeneratorError) in this process's share raises as it is, and the forked
    process is stopped and reaped, not left behind."""
    import multiprocessing

    config = Config(spec=SPECS / "16_allof.json", out=tmp_path / "out", package="sdk", client="Client")
    real = generator.pipeline.format_files
    calls: list[int] = []

    def failing(files: dict[str, str], *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if any(path.endswith("_client.py") for path in files):  # this process's share only
            raise RuntimeError("a bug")
        return real(files, *args, **kwargs)

    monkeypatch.setattr(generator.pipeline, "format_files", failing)
    monkeypatch.setattr(generator.pipeline, "SPLIT_FROM", 0)
    with pytest.raises(RuntimeError, match="a bug"):
        run(config)
    assert multiprocessing.active_children() == []


def test_the_run_imports_neither_the_ir_nor_jinja2_before_it_forks_its_validator() -> None:
    """``run`` forks the process that validates a changed large spec (``PendingValidation.early``)
    before it needs the IR's modules, jinja2 or the templates' code: the validator's import is
    the longest step of a regeneration, and starts that much sooner. The command line and the
    pipeline import none of them until then."""
    import subprocess
    import sys

    heavy = ("jinja2", "generator.ir", "generator.render", "generator.api", "generator.models", "openapi_spec_validator", "black")
    code = f"import sys, generator.cli, generator.pipeline; print([m for m in {heavy!r} if m in sys.modules])"
    found = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"
