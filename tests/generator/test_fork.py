"""generator.fork: work done in a forked process comes back as if done here."""

from __future__ import annotations

import pytest

from generator.errors import GeneratorError
from generator.format import format_files
from generator.fork import Forked


def test_forked_work_comes_back_as_done_in_this_process() -> None:
    assert Forked(lambda: {"a": "b" * 100_000}).result() == {"a": "b" * 100_000}
    failed = Forked(lambda: format_files({"pkg/broken.py": "def f(:\n"})).result()
    assert isinstance(failed, GeneratorError) and failed.source == "pkg/broken.py"


def test_forked_work_that_fails_otherwise_is_done_again_here() -> None:
    """Any other failure (a bug, a killed process) is not a result: the work is redone here, so
    that it raises here as it would have, with its traceback."""
    import os

    here = os.getpid()

    def work() -> int:
        if os.getpid() != here:
            raise KeyError("only in the forked process")
        return 5

    assert Forked(work).result() == 5

    def dies() -> int:
        if os.getpid() != here:
            os._exit(9)
        return 6

    assert Forked(dies).result() == 6


def test_forked_work_with_much_for_black_is_done_there(monkeypatch: pytest.MonkeyPatch) -> None:
    """A forked share may not start worker processes of its own (it is a daemon): it formats its
    files itself instead of failing and leaving them to this process."""
    import os

    from generator import format as fmt

    monkeypatch.setattr(fmt, "_PARALLEL_FROM", 10)
    files = {f"pkg/m{i:03d}.py": f"x{i} = {{  'a':{i} }}\n" for i in range(20)}
    pid, (formatted, _) = Forked(lambda: (os.getpid(), format_files(files))).result()
    assert pid != os.getpid() and formatted == format_files(files)[0]
