"""Read an OpenAPI document (JSON or YAML) and validate it.

Every problem is reported with the file and the JSON pointer where it was found; nothing later in
the pipeline sees a document that did not validate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import GeneratorError, Problem, pointer

__all__ = ["Document", "load", "parse_text", "validate"]


@dataclass(frozen=True)
class Document:
    source: str  # how problems name the file
    data: dict[str, Any]
    version: str  # "3.0" or "3.1"


class _Loader(yaml.SafeLoader):
    """YAML as JSON sees it: timestamps stay strings, duplicate keys are errors."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> Any:
    keys: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
        if key in keys:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} at line {mark.line + 1}", mark
            )
        keys.add(key)
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str  # type: ignore[arg-type]
)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def parse_text(text: str, source: str) -> Any:
    """JSON when it looks like JSON, YAML otherwise; errors name the line and column."""
    if text.lstrip().startswith(("{", "[")):
        try:
            return json.loads(text, object_pairs_hook=_no_duplicates)
        except json.JSONDecodeError as exc:
            raise GeneratorError(
                source, [Problem("#", f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")]
            ) from None
        except ValueError as exc:
            raise GeneratorError(source, [Problem("#", f"invalid JSON: {exc}")]) from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise GeneratorError(source, [Problem("#", f"invalid YAML{where}: {reason}")]) from None


def validate(data: Any, source: str) -> Document:
    """Check the OpenAPI version and validate the document; raise with every problem found."""
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    if not isinstance(data, dict):
        raise GeneratorError(source, [Problem("#", "an OpenAPI document must be an object")])
    version = data.get("openapi")
    if "swagger" in data:
        raise GeneratorError(
            source,
            [Problem(pointer("swagger"), "Swagger/OpenAPI 2.0 is not supported: convert it to OpenAPI 3.0 or 3.1 first")],
        )
    if not isinstance(version, str) or not version.startswith(("3.0.", "3.1.")):
        raise GeneratorError(
            source, [Problem(pointer("openapi"), f"unsupported OpenAPI version {version!r}: 3.0.x and 3.1.x are supported")]
        )
    validator_cls = OpenAPIV31SpecValidator if version.startswith("3.1.") else OpenAPIV30SpecValidator
    problems = [
        Problem(pointer(*error.absolute_path), error.message)
        for error in validator_cls(data).iter_errors()
    ]
    if problems:
        raise GeneratorError(source, sorted(set(problems), key=lambda p: (p.where, p.message)))
    return Document(source=source, data=data, version=version[:3])


def load(path: Path, source: str | None = None) -> Document:
    """Read and validate one file."""
    source = source if source is not None else str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GeneratorError(source, [Problem("#", f"cannot read the file: {exc}")]) from None
    return validate(parse_text(text, source), source)
