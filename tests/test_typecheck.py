"""``mypy --strict`` (pinned in pyproject.toml): zero errors in the committed SDK and in the generator."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import GENERATED, ROOT


@pytest.mark.parametrize(
    ("target", "python"),
    [(GENERATED, "3.10"), (ROOT / "generator", "3.11")],
    ids=["generated-sdk", "generator"],
)
def test_mypy_strict(target: object, python: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--python-version", python, str(target)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout
