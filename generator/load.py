"""Read an OpenAPI document (JSON or YAML) and validate it.

Every problem is reported with the file and the JSON pointer where it was found; nothing later in
the pipeline sees a document that did not validate.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .errors import GeneratorError, Problem, pointer
from .refs import check_references, walk

__all__ = ["Document", "load", "parse_text", "validate"]


@dataclass(frozen=True)
class Document:
    source: str  # how problems name the file
    data: dict[str, Any]
    version: str  # "3.0" or "3.1"


if TYPE_CHECKING:
    _SafeLoader = yaml.SafeLoader
else:  # libyaml's parser when PyYAML was built with it: 3x faster on large documents
    _SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):
    """YAML as JSON sees it: timestamps stay strings, duplicate keys are errors."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> Any:
    """Keys as JSON sees them: a scalar key is its text (``200:`` is "200", ``on:`` is "on")."""
    out: dict[object, Any] = {}
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            key: object = key_node.value
        else:
            key = loader.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(None, None, "a mapping key must be a scalar", mark)
        if key in out:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} at line {mark.line + 1}", mark
            )
        out[key] = loader.construct_object(value_node, deep=deep)  # type: ignore[no-untyped-call]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_str)  # type: ignore[type-var]
# YAML 1.2 core schema scalars: only true/false are booleans (``yes``, ``on`` stay strings),
# ``012`` is twelve (not octal ten), ``10:30`` is a string (not sexagesimal), ``1e3`` a number.
_YAML11 = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _YAML11]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+.0123456789",
    ),
):
    _Loader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))  # type: ignore[no-untyped-call]


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    text = str(node.value)
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text, 10)


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


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
    ours = check_references(data) + _duplicate_operation_ids(data) + _unencodable_strings(data)
    # The validator itself fails on broken references: it reads a copy without them.
    checked = _without_refs(data, {p.where for p in ours}) if ours else data
    validator_cls = OpenAPIV31SpecValidator if version.startswith("3.1.") else OpenAPIV30SpecValidator
    try:
        found = [
            Problem(pointer(*error.absolute_path), error.message)
            for error in validator_cls(checked).iter_errors()
            if not str(error.message).startswith("Operation ID")  # reported by ours, with a pointer
        ]
    except (RecursionError, ValueError, LookupError, TypeError) as exc:
        found = [Problem("#", f"the document cannot be validated: {type(exc).__name__}: {exc}")]
    problems = ours + found
    if problems:
        raise GeneratorError(source, sorted(set(problems), key=lambda p: (p.where, p.message)))
    return Document(source=source, data=data, version=version[:3])


def _unencodable_strings(data: dict[str, Any]) -> list[Problem]:
    """Strings (or keys) with lone surrogates: JSON allows them, no UTF-8 file can hold them."""
    problems = []
    for path, value in walk(data):
        texts = [value] if isinstance(value, str) else list(value) if isinstance(value, dict) else []
        for text in texts:
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                problems.append(Problem(pointer(*path), "a string holds a lone surrogate (not valid Unicode text)"))
                break
    return problems


def _without_refs(data: Any, broken: set[str]) -> Any:
    """A copy of the document where each broken ``$ref`` (by pointer) is an empty schema."""
    def copy(node: Any, path: tuple[str | int, ...]) -> Any:
        if isinstance(node, dict):
            if "$ref" in node and pointer(*path, "$ref") in broken:
                return {}
            return {k: copy(v, (*path, k)) for k, v in node.items()}
        if isinstance(node, list):
            return [copy(v, (*path, i)) for i, v in enumerate(node)]
        return node

    return copy(data, ())


def _duplicate_operation_ids(data: dict[str, Any]) -> list[Problem]:
    seen: dict[str, str] = {}
    problems = []
    paths: dict[str, Any] = data["paths"] if isinstance(data.get("paths"), dict) else {}
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method, op in item.items():
            if isinstance(op, dict) and isinstance(op.get("operationId"), str):
                where = pointer("paths", path, method, "operationId")
                if op["operationId"] in seen:
                    problems.append(Problem(where, f"duplicate operationId {op['operationId']!r} (first at {seen[op['operationId']]})"))
                seen.setdefault(op["operationId"], where)
    return problems


def load(path: Path, source: str | None = None) -> Document:
    """Read and validate one file."""
    source = source if source is not None else str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GeneratorError(source, [Problem("#", f"cannot read the file: {exc}")]) from None
    return validate(parse_text(text, source), source)
