"""Paths → ``Operation`` IR: parameters, the request body, responses and security."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

from . import naming
from .errors import pointer
from .ir import Argument, Field, ListOf, Model, ModelRef, Operation, Parameter, Prim, RequestBody, Response, Security, TypeRef, UnionOf, media_kind
from .refs import METHODS, PARAMETER_LOCATIONS
from .types import Context, child, deref, nullable, resolve, text_of

__all__ = ["build_operations", "find_operations", "operation", "METHODS"]

ModelLookup = Callable[[str], "Model | None"]



def _json_media(content: dict[str, Any]) -> str | None:
    """The JSON media type among ``content``'s keys, preferring ``application/json``."""
    keys = list(content)
    for key in keys:
        if key.split(";")[0].strip().lower() == "application/json":
            return key
    for key in keys:
        base = key.split(";")[0].strip().lower()
        if base.endswith("+json") or base == "*/*":
            return key
    return None


def _operation_id(method: str, path: str) -> str:
    words = [w for w in path.replace("{", "by_").replace("}", "").split("/") if w]
    return "_".join([method, *words])


Found = tuple[str, str, dict[str, Any], dict[str, Any], str, str]  # path, method, item, op, pointer, operationId


def build_operations(document: dict[str, Any], ctx: Context, models: ModelLookup) -> list[Operation]:
    """Every operation in document order, each named independently of the others
    (``naming.assign``: adding an operation never renames another)."""
    found, names = find_operations(document, ctx)
    operations = []
    for f, name in zip(found, names):
        ctx.unit = f[0]  # a path's operations are one unit of the build (see ``types.Trace``)
        operations.append(operation(document, ctx, models, *f, name))
    ctx.unit = "#"
    return operations


def find_operations(document: dict[str, Any], ctx: Context) -> tuple[list[Found], list[str]]:
    """The operations in document order, and the name of each."""
    found: list[Found] = []
    for path, item in (document.get("paths") or {}).items():
        item_where = pointer("paths", path)
        item, item_where = deref(item, ctx, item_where)
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                given = op.get("operationId")
                operation_id = given if isinstance(given, str) else _operation_id(method, path)
                found.append((path, method, item, op, child(item_where, method), operation_id))
    # One name for the module and the method: unique across the API, so unique in every tag.
    # Keyed by path and method: two paths may be one path item (a ``$ref``), one pointer.
    ids = {child(pointer("paths", f[0]), f[1]): f[5] for f in found}
    names = naming.assign({at: naming.function_name(i) for at, i in ids.items()}, ["__init__"], spelled=ids)
    return found, list(names.values())


def operation(
    document: dict[str, Any],
    ctx: Context,
    models: ModelLookup,
    path: str,
    method: str,
    item: dict[str, Any],
    op: dict[str, Any],
    where: str,
    operation_id: str,
    name: str,
) -> Operation:
    module = name
    hint = naming.class_name(operation_id)
    tags = tuple(dict.fromkeys(t for t in op.get("tags") or [] if isinstance(t, str))) or ("default",)

    parameters = _parameters(ctx, item, op, where, hint)
    body = _body(ctx, models, op, where, hint)
    return Operation(
        operation_id=operation_id,
        name=name,
        module=module,
        method=method.upper(),
        path=path,
        tags=tags,
        summary=text_of(op, "summary"),
        description=text_of(op, "description"),
        deprecated=op.get("deprecated") is True,
        parameters=tuple(parameters),
        body=body,
        arguments=tuple(_arguments(parameters, body)),
        responses=tuple(_responses(ctx, op, where, hint)),
        security=tuple(_security(document, ctx, op, where)),
        pointer=where,
    )


def _arguments(parameters: list[Parameter], body: RequestBody | None) -> list[Argument]:
    """The keyword arguments: parameters, then the body's properties (or one ``body``).

    A query parameter that is also a top-level property of the body is one argument, sent in
    the body (it keeps the parameter's description when the property has none).
    """
    body_fields = body.fields if body is not None else ()
    in_body = {f.alias for f in body_fields}
    query_text = {p.name: p.description for p in parameters if p.location == "query"}
    args = [
        Argument(p.name, p.name, p.location, p.type, p.required, p.description, p.explode, p.style)
        for p in parameters
        if not (p.location == "query" and p.name in in_body)
    ]
    args += [
        Argument(f.name, f.alias, "body", f.type, body is not None and body.required and f.required, f.description or query_text.get(f.alias, ""))
        for f in body_fields
    ]
    if body is not None and not body.flattened:
        args.append(Argument("body", "", "body", body.type, body.required, body.description, whole_body=True))
    # Keyed by location (in a fixed order) and wire name, so each name depends on nothing else.
    order = (*PARAMETER_LOCATIONS, "body")
    keys = [f"{order.index(a.location)}{a.location}:{a.wire_name}" for a in args]
    wanted = {k: a.name if a.whole_body else naming.argument_name(a.wire_name) for k, a in zip(keys, args)}
    names = naming.assign(
        wanted, spelled={k: a.wire_name for k, a in zip(keys, args)}, suffix={k: a.location for k, a in zip(keys, args)}
    )
    return [dataclasses.replace(a, name=names[k]) for a, k in zip(args, keys)]


def _parameters(ctx: Context, item: dict[str, Any], op: dict[str, Any], where: str, hint: str) -> list[Parameter]:
    """Path-level parameters overridden by operation-level ones with the same name and location."""
    by_key: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
    for level, source in (("item", item), ("op", op)):
        base = where.rsplit("/", 1)[0] if level == "item" else where
        for i, raw in enumerate(source.get("parameters") or []):
            param, at = deref(raw, ctx, child(base, "parameters", i))
            if isinstance(param, dict) and isinstance(param.get("name"), str) and param.get("in") in PARAMETER_LOCATIONS:
                by_key[(param["in"], param["name"])] = (param, at)
    parameters: list[Parameter] = []
    for location in PARAMETER_LOCATIONS:
        for (loc, name), (param, at) in by_key.items():
            if loc != location:
                continue
            if location in ("header", "cookie") and not _TOKEN.fullmatch(name):
                ctx.warn(child(at, "name"), f"{name!r} cannot be a {location} name (HTTP allows letters, digits and {_TOKEN_PUNCTUATION}); the parameter is left out")
                continue
            schema = param.get("schema")
            if schema is None and isinstance(param.get("content"), dict):
                media = _json_media(param["content"]) or next(iter(param["content"]), None)
                schema = (param["content"].get(media) or {}).get("schema") if media else None
            style = param.get("style") or ("form" if location in ("query", "cookie") else "simple")
            deprecated = param.get("deprecated") is True
            parameters.append(
                Parameter(
                    name=name,
                    location=location,  # type: ignore[arg-type]
                    type=resolve(schema, ctx, child(at, "schema"), hint + naming.class_name(name)),
                    required=location == "path" or param.get("required") is True,
                    description=("Deprecated. " if deprecated else "") + (text_of(param, "description") or text_of(schema, "description")),
                    style=style,
                    explode=param.get("explode", style == "form") is True,
                    deprecated=deprecated,
                    pointer=at,
                )
            )
    return parameters


def _pick_media(content: dict[str, Any]) -> str:
    """JSON first, then form, multipart, text, anything else: the order a client prefers. Among
    JSON types ``application/json`` first, a range (``application/*+json``) last: a body is sent
    as its media type (``merge-patch+json`` is listed alone), never as a range."""
    order = {"json": 0, "form": 1, "multipart": 2, "text": 3, "binary": 4}

    def rank(media: str) -> tuple[int, int, int]:
        base = media.split(";")[0].strip().lower()
        exact = 0 if base == "application/json" else 2 if "*" in base else 1
        return order[media_kind(media)], exact, list(content).index(media)

    return min(content, key=rank, default="")


def _body(ctx: Context, models: ModelLookup, op: dict[str, Any], where: str, hint: str) -> RequestBody | None:
    """The body in the media type a client prefers; an object body lists its fields."""
    raw = op.get("requestBody")
    if raw is None:
        return None
    body, at = deref(raw, ctx, child(where, "requestBody"))
    content = body.get("content") or {} if isinstance(body, dict) else {}
    required = isinstance(body, dict) and body.get("required") is True
    description = text_of(body, "description")
    media = _pick_media(content)
    if not media:
        return None
    encoding = media_kind(media)
    if encoding in ("text", "binary"):
        return RequestBody(media, Prim("str" if encoding == "text" else "file"), required, description, pointer=at)
    schema_at = child(at, "content", media, "schema")
    btype = resolve((content[media] or {}).get("schema"), ctx, schema_at, hint + "Body")
    target = _single_model(btype, models)
    if target is None:
        if encoding != "json":
            ctx.warn(at, f"a {media} body that is not an object with properties is sent as given")
        return RequestBody(media, btype, required, description, pointer=schema_at)
    fields = tuple(
        dataclasses.replace(f, type=_as_file(f.type) if encoding == "multipart" else f.type)
        for f in target.fields
        if not f.read_only
    )
    return RequestBody(media, btype, required, description, fields, pointer=schema_at)


def _as_file(t: TypeRef) -> TypeRef:
    """Binary strings in a multipart body are files (bytes, a path, a file object or a tuple)."""
    if t == Prim("bytes"):
        return Prim("file")
    if isinstance(t, ListOf):
        return ListOf(_as_file(t.item))
    if isinstance(t, UnionOf):
        return UnionOf(tuple(_as_file(m) for m in t.members))
    return t


def _single_model(t: TypeRef, models: ModelLookup) -> Model | None:
    """The model a body is (possibly nullable), when its fields can become arguments."""
    if isinstance(t, UnionOf) and nullable(t) and len(t.members) == 2:
        t = t.members[0]
    model = models(t.name) if isinstance(t, ModelRef) else None
    return model if model is not None and model.fields else None


def _status_order(status: str) -> tuple[int, str]:
    """Exact codes, then ranges (``4XX``), then ``default``: the order of ``responses`` in the
    spec changes neither the return annotation nor which 2xx an undocumented 2xx is read as."""
    upper = status.upper()
    if upper.isdigit():
        return 0, upper
    return (1, upper) if upper.endswith("XX") else (2, upper)


def _responses(ctx: Context, op: dict[str, Any], where: str, hint: str) -> list[Response]:
    out: list[Response] = []
    given = op.get("responses") or {}
    for status, raw in sorted(((str(k), v) for k, v in given.items()), key=lambda item: _status_order(item[0])):
        at = child(where, "responses", status)
        response, at = deref(raw, ctx, at)
        content = response.get("content") or {} if isinstance(response, dict) else {}
        description = text_of(response, "description")
        headers = _response_headers(ctx, response, at, f"{hint}Response{status}Headers")
        if not content:
            out.append(Response(status, None, "", description, headers))
            continue
        media = _json_media(content)
        if media is not None:
            rtype = resolve(content[media].get("schema"), ctx, child(at, "content", media, "schema"), f"{hint}Response{status}")
            out.append(Response(status, rtype, media, description, headers))
            continue
        media = next(iter(content))
        kind = "str" if media.lower().startswith("text/") else "bytes"
        out.append(Response(status, Prim(kind), media, description, headers))
    return out


def _response_headers(ctx: Context, response: Any, where: str, name: str) -> ModelRef | None:
    """The documented headers of a response as one model (a field per header, by its API name),
    read with ``APIResponse.headers_as``. ``Content-Type`` is not a documented header (the spec
    says it is ignored there)."""
    raw = response.get("headers") if isinstance(response, dict) else None
    if not isinstance(raw, dict):
        return None
    properties: dict[str, Any] = {}
    required: list[str] = []
    for header, value in raw.items():
        definition, _ = deref(value, ctx, child(where, "headers", header))
        if not isinstance(definition, dict) or str(header).lower() == "content-type":
            continue
        given = definition.get("schema")
        schema: dict[str, Any] = given if isinstance(given, dict) else {"type": "string"}
        if definition.get("description") and "$ref" not in schema:
            schema = {**schema, "description": definition["description"]}
        properties[str(header)] = schema
        if definition.get("required") is True:
            required.append(str(header))
    if not properties:
        return None
    model = resolve({"type": "object", "properties": properties, "required": required}, ctx, child(where, "headers"), name)
    return model if isinstance(model, ModelRef) else None


def _security(document: dict[str, Any], ctx: Context, op: dict[str, Any], where: str) -> list[tuple[Security, ...]]:
    """The ways to authenticate, in the spec's order: each requirement (they are alternatives)
    whose every scheme is supported. The client sends the first whose credentials it holds, and
    nothing when it holds none. An empty requirement (authentication optional) adds nothing:
    a client with a credential still sends it."""
    requirements = op["security"] if "security" in op else document.get("security") or []
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    credentials = credentials_of(document, ctx)
    alternatives: list[tuple[Security, ...]] = []
    for requirement in requirements:
        if not requirement:
            continue
        chosen = [
            _scheme(deref(schemes.get(name), ctx, pointer("components", "securitySchemes", name))[0], credentials.get(name, "token"))
            for name in requirement
        ]
        if all(s is not None for s in chosen):
            alternatives.append(tuple(dict.fromkeys(s for s in chosen if s is not None)))
    if not alternatives and requirements and all(requirements):
        names = ", ".join(sorted({n for r in requirements for n in r or {}}))
        ctx.warn(child(where, "security") if "security" in op else pointer("security"), f"no supported security scheme among {names}; no credential is sent")
    return list(dict.fromkeys(alternatives))


def credentials_of(document: dict[str, Any], ctx: Context) -> dict[str, str]:
    """The client argument that holds each API key scheme's key, by scheme name. Bearer, OAuth2
    and OpenID Connect tokens are ``token`` (and HTTP basic credentials ``basic_auth``); an API
    key is ``token`` too when it is the spec's only way to send a credential besides basic,
    else an argument of its own, named after its scheme (``ApiKeyAuth`` → ``api_key_auth``).
    Worked out once per build (every operation asks), kept on ``ctx``."""
    if ctx.credentials is None:
        ctx.credentials = _credentials(document, ctx)
    return ctx.credentials


def _credentials(document: dict[str, Any], ctx: Context) -> dict[str, str]:
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    keys: list[str] = []
    bearer = False
    for name, raw in schemes.items() if isinstance(schemes, dict) else ():
        found = _scheme(deref(raw, ctx, pointer("components", "securitySchemes", name))[0], "")
        if found is not None and found.scheme in ("header", "query", "cookie"):
            keys.append(str(name))
        bearer = bearer or (found is not None and found.scheme == "bearer")
    if len(keys) == 1 and not bearer:
        return {keys[0]: "token"}
    names = naming.assign({k: naming.argument_name(k) for k in keys}, naming.RESERVED_CREDENTIAL_NAMES)
    return dict(names)


def _scheme(scheme: Any, credential: str) -> Security | None:
    if not isinstance(scheme, dict):
        return None
    kind = scheme.get("type")
    if kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
        return Security("bearer")
    if kind == "oauth2" or kind == "openIdConnect":
        return Security("bearer")
    if kind == "http" and str(scheme.get("scheme", "")).lower() == "basic":
        return Security("basic", credential="basic_auth")
    if kind == "apiKey" and scheme.get("in") in ("header", "query", "cookie") and isinstance(scheme.get("name"), str):
        if scheme["in"] != "query" and not _TOKEN.fullmatch(scheme["name"]):
            return None  # no header or cookie can have that name: unsupported (a warning)
        return Security(scheme["in"], scheme["name"], credential)
    return None


# RFC 9110's token: what a header name, and RFC 6265's cookie name, may be. A space, a colon, ";"
# or "=" would fail every call, or smuggle in another cookie.
_TOKEN_PUNCTUATION = "!#$%&'*+-.^_`|~"
_TOKEN = re.compile("[0-9A-Za-z" + re.escape(_TOKEN_PUNCTUATION) + "]+")

