"""Golden records: every spec in tests/specs/ generates exactly the package in tests/golden/.

``UPDATE_GOLDEN=1 pytest tests/test_corpus.py`` rewrites the records (review the diff, then
commit). The records are also type-checked with ``mypy --strict`` in one run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import ROOT

from generator.check import compare
from generator.config import Config, load_config
from generator.pipeline import Result, run
from generator.write import write_tree

SPECS_DIR = ROOT / "tests" / "specs"
GOLDEN_DIR = ROOT / "tests" / "golden"
SPECS = sorted(p for p in SPECS_DIR.iterdir() if p.suffix in (".json", ".yaml", ".yml")) if SPECS_DIR.is_dir() else []


def package_for(spec: Path) -> str:
    """``07_discriminator.yaml`` → ``c07_discriminator``: unique per spec, a valid import name."""
    return "c" + spec.stem.replace("-", "_").lower()


def generate(spec: Path, out: Path) -> Result:
    """A spec's settings beyond the defaults (pagination) are in ``<stem>.toml`` beside it, as a
    pyproject's ``[tool.generator]`` table."""
    sidecar = spec.with_suffix(".toml")
    base = load_config(sidecar) if sidecar.is_file() else Config()
    config = replace(base, spec=spec, out=out, package=package_for(spec), client="Client", root=ROOT)
    return run(config)


def test_the_corpus_is_not_empty() -> None:
    assert len(SPECS) >= 1


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_golden_record(spec: Path, tmp_path: Path) -> None:
    golden = GOLDEN_DIR / spec.stem
    result = generate(spec, tmp_path / spec.stem)  # an empty folder: no format cache, every file made anew
    if os.environ.get("UPDATE_GOLDEN") == "1":
        write_tree(golden, result.files, result.spec_sha256, result.sources, result.inputs)
    drift = compare(golden, result.files, result.spec_sha256, result.sources, result.inputs)
    assert drift.clean, drift.report()


def test_no_golden_record_without_its_spec() -> None:
    stems = {p.stem for p in SPECS}
    orphans = sorted(d.name for d in GOLDEN_DIR.iterdir() if d.is_dir() and d.name not in stems) if GOLDEN_DIR.is_dir() else []
    assert orphans == []


def test_golden_records_pass_mypy_strict() -> None:
    packages = [GOLDEN_DIR / p.stem / package_for(p) for p in SPECS if (GOLDEN_DIR / p.stem / package_for(p)).is_dir()]
    assert packages
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--python-version", "3.10", *map(str, packages)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr
