"""A validated document → the whole ``Api`` IR (models, operations, tag namespaces)."""

from __future__ import annotations

from typing import Any

from . import naming
from .errors import GeneratorError, Problem
from .ir import Api, Operation, Tag
from .load import Document
from .models import ModelBuilder
from .operations import build_operations

__all__ = ["build_api"]


def build_api(document: Document) -> tuple[Api, list[Problem]]:
    """The IR and the warnings; raises ``GeneratorError`` when any problem is an error."""
    data = document.data
    builder = ModelBuilder(data)
    ctx = builder.ctx
    # Operations first, so inline schemas they hoist are built with the components.
    builder.build()
    operations = build_operations(data, ctx, builder.model)
    models, aliases = builder.build()
    errors = [p for p in ctx.problems if p.severity == "error"]
    if errors:
        raise GeneratorError(document.source, _unique(ctx.problems))
    info = data.get("info") or {}
    servers = data.get("servers") or []
    server_url = servers[0].get("url", "") if servers and isinstance(servers[0], dict) else ""
    api = Api(
        title=str(info.get("title", "")),
        version=str(info.get("version", "")),
        description=str(info.get("description") or ""),
        server_url=str(server_url),
        models=tuple(models),
        aliases=tuple(aliases),
        operations=tuple(operations),
        tags=tuple(_tags(data, operations)),
    )
    return api, _unique([p for p in ctx.problems if p.severity != "error"])


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def _tags(data: dict[str, Any], operations: list[Operation]) -> list[Tag]:
    """One namespace per tag that has operations, in the order the document lists tags."""
    declared = [t.get("name") for t in data.get("tags") or [] if isinstance(t, dict)]
    descriptions = {t.get("name"): t.get("description") for t in data.get("tags") or [] if isinstance(t, dict)}
    used = list(dict.fromkeys(tag for op in operations for tag in op.tags))
    ordered = [t for t in declared if t in used] + [t for t in used if t not in declared]
    attributes = naming.unique([naming.snake(t, fallback="default") for t in ordered], ["with_options", "close"])
    tags = []
    for tag, attribute in zip(ordered, attributes):
        ops = tuple(op for op in operations if tag in op.tags)
        tags.append(
            Tag(
                name=tag,
                attribute=attribute,
                class_name=naming.class_name(attribute) + "Resource",
                module=attribute,
                description=str(descriptions.get(tag) or ""),
                operations=ops,
            )
        )
    return tags
