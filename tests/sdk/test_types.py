"""``mypy --strict`` (pinned in pyproject.toml) on the committed SDK: zero errors."""

from __future__ import annotations

import subprocess
import sys

from conftest import GENERATED, ROOT


def test_mypy_strict_on_generated_sdk() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--python-version", "3.10", str(GENERATED)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout
