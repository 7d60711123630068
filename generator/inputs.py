"""What the generated files are made from, as hashes (recorded in the manifest).

Kept apart from the pipeline, and light to import: ``check`` compares these hashes with the
manifest before deciding whether anything needs to be loaded, rendered or formatted at all.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import replace
from pathlib import Path

from .config import Config
from .format import FORMATTER, installed_version

__all__ = ["SPEC_PARTS", "TEMPLATES", "fingerprint", "generator_digest"]

# templates/ in a checkout; generator/templates/ when installed from a wheel (pyproject.toml ships
# them there), as pre-commit installs hooks.
_HERE = Path(__file__).resolve().parent
# The manifest's ``inputs`` may also record hashes of the spec's parts (``load.spec_parts``) after
# a validation in the background: derived from the spec, so not part of the fingerprint.
SPEC_PARTS = "spec_parts"

TEMPLATES = _HERE / "templates" if (_HERE / "templates").is_dir() else _HERE.parent / "templates"


def _digest(parts: list[tuple[str, bytes]]) -> str:
    h = hashlib.sha256()
    for name, data in parts:
        h.update(f"{name}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def _tree(folder: Path, pattern: str) -> list[tuple[str, bytes]]:
    """The files matching ``pattern`` under ``folder`` (hidden ones and ``__pycache__`` left
    out), by relative path."""
    found = []
    for p in sorted(folder.rglob(pattern)):
        rel = p.relative_to(folder).as_posix()
        if not any(part.startswith(".") or part == "__pycache__" for part in rel.split("/")) and p.is_file():
            found.append((rel, p.read_bytes()))
    return found


@functools.lru_cache(maxsize=1)
def generator_digest() -> str:
    """A hash of the generator's code and jinja2's version (once per process)."""
    return _digest([("jinja2", installed_version("jinja2").encode()), *_tree(Path(__file__).parent, "*.py")])


def fingerprint(config: Config, templates: Path = TEMPLATES, spec_bytes: bytes | None = None, spec_sha256: str | None = None) -> dict[str, str]:
    """A hash of each input that shapes the output. The same inputs give the same files (the
    generator is deterministic), so ``check`` need not regenerate when none changed.
    ``spec_bytes``: the spec as already read (else it is read here); ``spec_sha256``: their
    hash, when already taken."""
    settings = replace(config, spec=Path(config.spec_shown), out=Path(config.out_name), root=Path("."), templates=None)
    try:
        spec = spec_sha256 or hashlib.sha256(config.spec.read_bytes() if spec_bytes is None else spec_bytes).hexdigest()
    except OSError:
        spec = ""  # load() reports it
    return {
        "spec": spec,
        # Every file of the template folders, not only the templates: a template may include
        # any file beside it.
        "templates": _digest(_tree(templates, "*") + [("overlay/" + n, d) for n, d in (_tree(config.templates, "*") if config.templates else [])]),
        "generator": generator_digest(),
        "configuration": hashlib.sha256(repr(settings).encode()).hexdigest(),
        "formatter": FORMATTER,
    }
