"""generator.format: black in-process with a pinned mode; other files are left alone."""

from __future__ import annotations

import black
import pytest
from conftest import GENERATED

from generator.errors import GeneratorError
from generator.format import BLACK_VERSION, FORMATTER, LINE_LENGTH, _black, format_files, format_source
from generator.write import read_manifest


def test_python_files_are_formatted_and_others_left_byte_identical() -> None:
    files = {
        "pkg/a.py": "x = {  'a':1 }\n",
        "README.md": "x = {  'a':1 }\n\n\n",
        "pyproject.toml": "name='x'   \n",
        "pkg/py.typed": "",
    }
    out, sources = format_files(files)
    assert list(sources) == ["pkg/a.py"]
    assert out["pkg/a.py"] == 'x = {"a": 1}\n'
    assert {k: v for k, v in out.items() if k != "pkg/a.py"} == {k: v for k, v in files.items() if k != "pkg/a.py"}
    assert list(out) == list(files)


def test_line_length_is_100() -> None:
    fits = "x = [" + ", ".join(f"{i + 100}" for i in range(18)) + "]\n"
    assert 90 <= len(fits) <= 100
    assert format_source("a.py", fits) == fits
    too_long = "x = [" + ", ".join(f"{i + 100}" for i in range(22)) + "]\n"
    formatted = format_source("a.py", too_long)
    assert formatted != too_long
    assert max(len(line) for line in formatted.splitlines()) <= 100


def test_magic_trailing_comma_explodes_a_collection() -> None:
    assert format_source("a.py", "x = [1, 2,]\n") == "x = [\n    1,\n    2,\n]\n"


def test_formatting_is_idempotent() -> None:
    source = "def f(a,b):\n  return {'k':[a,b,\n]}\nclass C: pass\n"
    once = format_source("a.py", source)
    assert format_source("a.py", once) == once


def test_target_version_py310_keeps_union_syntax() -> None:
    source = "def f(x: int | None = None) -> list[str] | None:\n    match x:\n        case 1:\n            return None\n    return None\n"
    assert format_source("a.py", source) == source


@pytest.mark.parametrize("source", ["def f(:\n    pass\n", 'x = """unterminated\n', "class C:\nx = 1\n", "x = 1 +\n"])
def test_code_that_does_not_parse_is_an_error_naming_the_file(source: str) -> None:
    with pytest.raises(GeneratorError) as caught:
        format_files({"pkg/ok.py": "x = 1\n", "pkg/broken.py": source})
    assert caught.value.source == "pkg/broken.py"
    assert "does not parse" in caught.value.problems[0].message


@pytest.mark.parametrize(
    "source",
    [
        "class None:\n    pass\n",
        "from ._client import AsyncNone as AsyncNone, None as None\n",
        "True = 1\n",
        "def f(x, x):\n    pass\n",
        "return 1\n",
    ],
    ids=["class-None", "import-as-None", "assign-True", "duplicate-argument", "return-outside-function"],
)
def test_code_that_black_accepts_but_python_cannot_compile_is_an_error(source: str) -> None:
    """black's grammar is more lenient than Python's: such a file must never be written either."""
    with pytest.raises(SyntaxError):
        compile(source, "a.py", "exec")
    with pytest.raises(GeneratorError) as caught:
        format_files({"pkg/_client.py": source})
    assert caught.value.source == "pkg/_client.py"


def test_mode_is_pinned() -> None:
    _, mode, _ = _black()
    assert mode.line_length == LINE_LENGTH == 100
    assert mode.string_normalization and mode.magic_trailing_comma
    assert mode.target_versions == {black.TargetVersion.PY310}
    assert BLACK_VERSION == black.__version__
    assert FORMATTER.startswith(f"black {BLACK_VERSION} line-length=100 ")


def test_a_cached_file_skips_black_and_an_unknown_one_does_not() -> None:
    source = "x = {  'a':1 }\n"
    calls: list[tuple[str, str]] = []

    def cache(path: str, digest: str) -> str | None:
        calls.append((path, digest))
        return "CACHED\n" if path == "pkg/hit.py" else None

    out, sources = format_files({"pkg/hit.py": source, "pkg/miss.py": source}, cache)
    assert out == {"pkg/hit.py": "CACHED\n", "pkg/miss.py": 'x = {"a": 1}\n'}
    assert sources["pkg/hit.py"] == sources["pkg/miss.py"] == calls[0][1]


def test_committed_sdk_python_files_are_fixed_points() -> None:
    owned = [p for p in read_manifest(GENERATED) if p.endswith(".py")]
    assert owned
    for path in owned:
        text = (GENERATED / path).read_text(encoding="utf-8")
        assert format_source(path, text) == text, path


def test_many_files_are_formatted_in_parallel_in_input_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """Enough work goes to worker processes; the result is the serial result, in input order."""
    from generator import format as fmt

    monkeypatch.setattr(fmt, "_PARALLEL_FROM", 200)  # characters: the first dozen files start the pool
    files = {f"pkg/m{i:03d}.py": f"x{i} = {{  'a':{i} }}\n" for i in range(40)}
    out, sources = format_files(files)
    assert list(out) == list(files)
    assert out == {path: format_source(path, text) for path, text in files.items()}
    assert set(sources) == set(files)


def test_a_broken_file_among_many_is_reported_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import format as fmt

    monkeypatch.setattr(fmt, "_PARALLEL_FROM", 200)
    files = {f"pkg/m{i:03d}.py": f"x{i} = {i}\n" for i in range(40)}
    files["pkg/broken.py"] = "def f(:\n"
    with pytest.raises(GeneratorError) as caught:
        format_files(files)
    assert caught.value.source == "pkg/broken.py"




def test_black_run_in_the_committed_sdk_with_its_own_settings_changes_nothing() -> None:
    """The SDK's ``pyproject.toml`` carries the generator's black settings: a user who runs
    black there (line length 88 by default) does not reformat the generated files."""
    import subprocess
    import sys

    found = subprocess.run([sys.executable, "-m", "black", "--check", "."], cwd=GENERATED, capture_output=True, text=True, check=False)
    assert found.returncode == 0, found.stderr
    assert "unchanged" in found.stderr
