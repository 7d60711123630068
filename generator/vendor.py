"""Turn a published source (a JSON or YAML document, or a documentation page embedding one) into
the canonical vendored ``spec/openapi.json``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .errors import GeneratorError, Problem
from .load import parse_text, validate

__all__ = ["extract", "vendor", "canonical_json"]

# A fenced block of three or more backticks (or tildes) whose info string starts with yaml or json.
_FENCE = re.compile(
    r"^(?P<fence>`{3,}|~{3,})[ \t]*(?P<lang>yaml|yml|json)\b[^\n]*\n(?P<body>.*?)^(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL,
)


def extract(text: str, source: str) -> Any:
    """The OpenAPI document in ``text``: the text itself, or the first fenced block holding one."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    stripped = text.lstrip()
    if stripped.startswith(("{", "openapi:", "swagger:")) or re.match(r"^['\"]?openapi['\"]?\s*:", stripped):
        return parse_text(text, source)
    for match in _FENCE.finditer(text):
        body = match.group("body")
        if re.search(r"(^|[{,])\s*['\"]?(openapi|swagger)['\"]?\s*:", body, re.MULTILINE):
            return parse_text(body, source)
    raise GeneratorError(source, [Problem("#", "no OpenAPI document found (neither the file itself nor a ```yaml/```json block)")])


def canonical_json(data: Any) -> str:
    """2-space indent, keys in source order, non-ASCII kept, one trailing newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def vendor(source: Path, output: Path) -> None:
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GeneratorError(str(source), [Problem("#", f"cannot read the file: {exc}")]) from None
    document = validate(extract(text, str(source)), str(source))
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_text(canonical_json(document.data), encoding="utf-8")
    tmp.replace(output)
