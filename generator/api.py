"""A validated document → the whole ``Api`` IR (models, operations, tag namespaces)."""

from __future__ import annotations

from typing import Any

from . import naming
from .errors import GeneratorError, Problem, pointer
from .ir import Api, Operation, Tag
from .load import Document
from .models import ModelBuilder
from .operations import build_operations, credentials_of
from .types import Trace

__all__ = ["build_api", "tags_of"]


def build_api(document: Document, trace: Trace | None = None) -> tuple[Api, list[Problem]]:
    """The IR and the warnings; raises ``GeneratorError`` when any problem is an error. With a
    ``trace``, records what each unit of the build did (``incremental`` replays it)."""
    data = document.data
    builder = ModelBuilder(data)
    ctx = builder.ctx
    ctx.trace = trace
    # Operations first, so inline schemas they hoist are built with the components.
    builder.build()
    operations = build_operations(data, ctx, builder.model)
    models, aliases = builder.build()
    if trace is not None:
        trace.hoisted = dict(builder.hoisted)
    errors = [p for p in ctx.problems if p.severity == "error"]
    if errors:
        raise GeneratorError(document.source, _unique(ctx.problems))
    info = data.get("info") or {}
    servers = data.get("servers") or []
    server_url = _server_url(servers[0] if servers else None, ctx)
    api = Api(
        title=str(info.get("title", "")),
        version=str(info.get("version", "")),
        description=str(info.get("description") or ""),
        server_url=str(server_url),
        models=tuple(models),
        aliases=tuple(aliases),
        operations=tuple(operations),
        tags=tuple(tags_of(data, operations)),
        credentials=tuple((scheme, name) for scheme, name in credentials_of(data, ctx).items() if name != "token"),
    )
    return api, _unique([p for p in ctx.problems if p.severity != "error"])


def _server_url(server: Any, ctx: Any) -> str:
    """``servers[0].url`` with its variables set to their defaults; "" when it is not absolute
    (the client then needs ``base_url=``)."""
    if not isinstance(server, dict) or not isinstance(server.get("url"), str):
        return ""
    url: str = server["url"]
    for name, variable in (server.get("variables") or {}).items():
        if isinstance(variable, dict) and "default" in variable:
            url = url.replace("{" + str(name) + "}", str(variable["default"]))
    if not url.startswith(("http://", "https://")) or "{" in url:
        ctx.warn(pointer("servers", 0, "url"), f"server URL {url!r} is not an absolute http(s) URL: the client needs base_url=")
        return ""
    return url


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def tags_of(data: dict[str, Any], operations: list[Operation]) -> list[Tag]:
    """One namespace per tag that has operations, in the order the document lists tags."""
    declared = [t.get("name") for t in data.get("tags") or [] if isinstance(t, dict)]
    descriptions = {t.get("name"): t.get("description") for t in data.get("tags") or [] if isinstance(t, dict)}
    used = list(dict.fromkeys(tag for op in operations for tag in op.tags))
    ordered = [t for t in declared if t in used] + [t for t in used if t not in declared]
    attributes = naming.unique([naming.snake(t, fallback="default") for t in ordered], naming.RESERVED_CLIENT_NAMES)
    by_tag: dict[str, list[Operation]] = {}
    for op in operations:
        for tag in dict.fromkeys(op.tags):  # an operation listed once per tag, in document order
            by_tag.setdefault(tag, []).append(op)
    tags = []
    for tag, attribute in zip(ordered, attributes):
        ops = tuple(by_tag[tag])
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
