"""Shared paths and helpers for every test layer."""

from __future__ import annotations

import importlib
import pkgutil
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "openapi.json"
GENERATED = ROOT / "generated"
FIXTURES = ROOT / "tests" / "fixtures"
NO_CONFIG = FIXTURES / "no-generator-config.toml"  # --config: no [tool.generator], the defaults
SEED = ROOT.parent / "shared" / "seeds" / "000_b1b4cff988af5f48.txt"

if str(GENERATED) not in sys.path:  # the committed SDK, importable without installing it
    sys.path.insert(0, str(GENERATED))


@pytest.fixture(scope="session", autouse=True)
def generator_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The generator's cache folder (incremental runs, compiled templates): one per test session,
    not the user's, for this process and the CLI processes tests start."""
    folder = tmp_path_factory.mktemp("generator-cache")
    before = os.environ.get("SDK_GENERATOR_CACHE")
    os.environ["SDK_GENERATOR_CACHE"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("SDK_GENERATOR_CACHE", None)
    else:
        os.environ["SDK_GENERATOR_CACHE"] = before


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def assert_json_identical(actual: Any, expected: Any, where: str = "$") -> None:
    """Equal as JSON *and* as Python types: 5 is not 5.0, True is not 1, key order counts."""
    assert type(actual) is type(expected), f"{where}: {type(actual).__name__} {actual!r} != {type(expected).__name__} {expected!r}"
    if isinstance(expected, dict):
        assert list(actual) == list(expected), f"{where}: keys {list(actual)} != {list(expected)}"
        for key in expected:
            assert_json_identical(actual[key], expected[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert len(actual) == len(expected), f"{where}: length {len(actual)} != {len(expected)}"
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_json_identical(a, e, f"{where}[{i}]")
    elif isinstance(expected, float) and expected != expected:  # NaN
        assert actual != actual, where
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    return load_json(SPEC)


@pytest.fixture()
def fresh_import() -> Iterator[Any]:
    """Import a package generated into a temporary folder; forget it afterwards."""
    added: list[str] = []

    def _import(folder: Path, package: str, everything: bool = True) -> Any:
        """``everything``: also import each submodule, so that tests reach operation modules as
        attributes (``sdk.operations.get_pet``); the SDK itself imports them when first used."""
        sys.path.insert(0, str(folder))
        added.append(str(folder))
        for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[name]
        importlib.invalidate_caches()
        module = importlib.import_module(package)
        if everything:
            for info in pkgutil.walk_packages(module.__path__, package + "."):
                importlib.import_module(info.name)
        return module

    yield _import
    for folder in added:
        sys.path.remove(folder)


@pytest.fixture(scope="session")
def make_httpserver() -> Iterator[HTTPServer]:
    """pytest-httpserver listens on "localhost" by default; the tests use 127.0.0.1 only."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()
