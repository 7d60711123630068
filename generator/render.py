"""IR → source files. Every decision is made here in Python; templates only print.

Spec strings reach the output only through ``pyrepr`` (``literal()``: ``repr()`` in black's quotes), ``docstring`` (escaped
triple-quoted literals), ``comment`` (one sanitised line) or identifiers from ``naming``.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from . import __version__
from .config import Config
from .format import LINE_LENGTH
from .inputs import TEMPLATES
from .literal import literal
from .ir import (
    ANY,
    NONE,
    Alias,
    Api,
    Argument,
    Field,
    Import,
    ListOf,
    media_kind,
    LiteralOf,
    MapOf,
    Model,
    Operation,
    Prim,
    Tag,
    TypeRef,
    UnionOf,
)
from .paging import PagedOperation, resolve_paging
from .types import nullable, union

__all__ = ["render", "docstring", "comment", "TEMPLATES"]



_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ud800-\udfff\ufeff]"
)

def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _ends_with_bare_quote(line: str) -> bool:
    """A final ``"`` not already escaped (an even number of backslashes before it)."""
    if not line.endswith('"'):
        return False
    backslashes = len(line[:-1]) - len(line[:-1].rstrip("\\"))
    return backslashes % 2 == 0


def docstring(text: str, indent: int = 0) -> str:
    """A triple-quoted string literal showing ``text``; whatever it holds, it stays one literal."""
    text = text.replace("\r\n", "\n").replace("\\", "\\\\").replace("\t", "\\t")  # black expands tabs
    text = _UNSAFE.sub(_escape_char, text).replace('"""', '\\"\\"\\"')
    lines = [line.rstrip() for line in text.strip().split("\n")]
    # black dedents the lines after the first by the indentation they share (as inspect.cleandoc)
    shared = min((len(line) - len(line.lstrip()) for line in lines[1:] if line), default=0)
    lines[1:] = [line[shared:] for line in lines[1:]]
    if lines and _ends_with_bare_quote(lines[-1]):
        lines[-1] = lines[-1][:-1] + '\\"'
    if lines and lines[0].startswith('"'):  # black would pad it with a space: escaped instead
        lines[0] = "\\" + lines[0]
    if len(lines) == 1 and lines[0].endswith('"'):  # black pads this one, escaped or not
        lines[0] += " "
    pad = " " * indent
    body = "\n".join(pad + line if line and i else line for i, line in enumerate(lines))
    if len(lines) > 1:
        return f'"""{body}\n{pad}"""'
    return f'"""{body}"""'


def comment(text: str) -> str:
    """One line of text safe to put after ``#``."""
    return _UNSAFE.sub("?", " ".join(text.split()))


def _md(text: str) -> str:
    """One line of Markdown table text."""
    return comment(text).replace("|", "\\|").replace("<", "&lt;")


def _md_text(text: str) -> str:
    """Markdown prose from the spec: no control or bidi characters, no raw HTML, and no code
    fence that could close the README's own blocks."""
    text = _UNSAFE.sub("", text.replace("\r\n", "\n")).replace("<", "&lt;")
    return re.sub(r"`{3,}|~{3,}", lambda m: "\\" + "\\".join(m.group()), text)


_TOML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _toml_string(value: str) -> str:
    """A TOML basic string: ``"`` and ``\\`` escaped, control characters (and DEL) as ``\\uXXXX``,
    everything else as it is (TOML has no surrogate pairs: ``\\ud83d\\udc36`` is not an emoji)."""
    out = []
    for char in value:
        if char in _TOML_ESCAPES:
            out.append(_TOML_ESCAPES[char])
        elif char < " " or char == "\x7f":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept in the generator's cache folder (keyed by each template's source):
    compiling them is a tenth of a second, which a small or incremental run would pay each time."""
    from .incremental import cache_folder

    folder = cache_folder()
    if folder is None:
        return None
    try:
        (folder / "templates").mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _SealedBytecodeCache(str(folder / "templates"))


class _SealedBytecodeCache(jinja2.FileSystemBytecodeCache):
    """jinja2's cache of compiled templates, each file with a CRC-32 of its content
    (``incremental.seal_header``): jinja2 checks only that the template's source is the same, so
    a file damaged on disk would otherwise render wrong output. A damaged file is compiled again."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        from .incremental import unseal

        try:
            with open(self._get_cache_filename(bucket), "rb") as f:
                payload = unseal(f.read())
        except OSError:
            return
        if payload is not None:
            bucket.bytecode_from_string(bytes(payload))

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        from .incremental import write_sealed

        write_sealed(Path(self._get_cache_filename(bucket)), bucket.bytecode_to_string(), ".bytecode-")


def _environment(templates: Path, overlay: Path | None = None) -> jinja2.Environment:
    """Templates from ``templates``; a file of the same relative name in ``overlay`` (the user's
    ``--templates`` folder) replaces it, file by file."""
    folders = [str(overlay)] if overlay is not None else []
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*folders, str(templates)]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        bytecode_cache=_bytecode_cache(),
    )
    env.filters["pyrepr"] = literal
    env.filters["wrapped"] = _wrapped
    env.filters["tomlstr"] = _toml_string
    return env


def _wrapped(name: str, wrapper: str) -> str:
    """``self.<name> = <wrapper>(resource.<name>)`` in a resource's ``__init__``, split as black
    splits it when it is too long (black then has nothing to rewrite, which is much faster)."""
    line = f"        self.{name} = {wrapper}(resource.{name})"
    if len(line) <= LINE_LENGTH:
        return line
    at_call = f"        self.{name} = {wrapper}(\n            resource.{name}\n        )"
    if len(f"        self.{name} = {wrapper}(") <= LINE_LENGTH:
        return at_call
    # black then puts the right-hand side in parentheses, split again if it does not fit there;
    # when even that leaves a line too long, it splits at the call after all
    inner = f"            {wrapper}(resource.{name})"
    if len(inner) > LINE_LENGTH:
        if len(f"                resource.{name}") > LINE_LENGTH:
            return at_call
        inner = f"            {wrapper}(\n                resource.{name}\n            )"
    return f"        self.{name} = (\n{inner}\n        )"


def _import_group(module: str) -> int:
    """isort's sections: standard library, third party, this package."""
    if module.startswith("."):
        return 2
    return 0 if module.split(".")[0] in sys.stdlib_module_names else 1


def _import_lines(imports: list[Import], package_depth: int = 2) -> list[str]:
    """Sorted ``import`` lines; type-only imports go under ``if TYPE_CHECKING:``."""
    runtime_set = {i for i in imports if not i.type_only}
    type_only = sorted({i for i in imports if i.type_only} - {Import(i.module, i.name, True) for i in runtime_set})
    if type_only:
        runtime_set.add(Import("typing", "TYPE_CHECKING"))
    runtime = sorted(runtime_set)
    lines: list[str] = []

    def group(items: list[Import], pad: str) -> None:
        modules: dict[str, list[str]] = {}
        for imp in items:
            modules.setdefault(imp.module, [])
            if imp.name and imp.name not in modules[imp.module]:
                modules[imp.module].append(imp.name)
        ordered = sorted(modules, key=lambda m: (_import_group(m), m))
        for i, module in enumerate(ordered):
            if i and _import_group(module) != _import_group(ordered[i - 1]):
                lines.append("")
            names = modules[module]
            lines.append(f"{pad}from {module} import {', '.join(sorted(names))}" if names else f"{pad}import {module}")

    group(runtime, "")
    if type_only:
        lines.append("")
        lines.append("if TYPE_CHECKING:")
        group(type_only, "    ")
    return lines


@dataclass(frozen=True)
class _Ctx:
    config: Config
    header: str
    header_md: str


def _field_view(f: Field) -> dict[str, Any]:
    """One model attribute. A writeOnly property is never required in a model: responses omit it."""
    annotation = f.type.annotation()
    required = f.required and not f.write_only
    kwargs: list[str] = []
    default: str | None = None
    if f.has_default and _accepts(f.type, f.default):
        default = literal(f.default)
    elif not required:
        default = "None"
        if not nullable(f.type) and f.type != ANY:
            annotation += " | None"
    if f.alias != f.name:
        if default is not None:
            kwargs.append(f"default={default}")
        kwargs.append(f"alias={literal(f.alias)}")
        value = f"Field({', '.join(kwargs)})"
    else:
        value = default or ""
    declaration = f"{f.name}: {annotation}" + (f" = {value}" if value else "")
    text = f"Deprecated. {f.description}".strip() if f.deprecated else f.description
    return {"declaration": declaration, "docstring": docstring(text, 4) if text else ""}


def _accepts(t: TypeRef, value: object) -> bool:
    """Whether a spec default fits the field's type (otherwise it is not used)."""
    if isinstance(t, UnionOf):
        return any(_accepts(m, value) for m in t.members)
    if isinstance(t, Prim):
        if t.kind == "any":
            return True
        if t.kind == "int":
            return isinstance(value, int) and not isinstance(value, bool)
        if t.kind == "float":  # repr(nan) and repr(inf) are not Python expressions
            return isinstance(value, float) and math.isfinite(value)
        python = {"str": str, "bool": bool, "none": type(None)}.get(t.kind)
        return python is not None and isinstance(value, python)
    if isinstance(t, LiteralOf):
        return any(value == v and type(value) is type(v) for v in t.values)
    if isinstance(t, ListOf):
        return isinstance(value, list) and all(_accepts(t.item, v) for v in value)
    if isinstance(t, MapOf):
        return isinstance(value, dict) and all(_accepts(t.value, v) for v in value.values())
    return False


def _shape(f: Field) -> tuple[Any, ...]:
    return (f.name, f.alias, f.type, f.required and not f.write_only, f.has_default, repr(f.default))


def _is_aliased(model: Model, models: dict[str, Model]) -> bool:
    """Whether this class or a class it extends has a field whose API name differs."""
    return any(f.alias != f.name for m in (model, *_bases(model, models)) for f in m.fields)


def _model_view(model: Model, header: str, models: dict[str, Model]) -> dict[str, Any]:
    parent = models.get(model.base.name) if model.base is not None else None
    inherited = {_shape(f) for f in parent.fields} if parent is not None else set()
    own = [f for f in model.fields if _shape(f) not in inherited]  # what the base does not declare
    fields = [_field_view(f) for f in own]
    aliased = any(f.alias != f.name for f in own)
    imports: list[Import] = []
    if parent is not None and model.base is not None:
        bases = [parent.name]
        if aliased and not _is_aliased(parent, models):
            bases.append("AliasedModel")
        imports.append(Import("." + parent.module, parent.name))  # a base class is needed at run time
    else:
        bases = ["AliasedModel" if aliased else "BaseModel"]
    imports += [Import(".._models", b) for b in bases if b in ("AliasedModel", "BaseModel")]
    base = ", ".join(bases)
    for f in own:
        imports.extend(f.type.imports())
        if f.alias != f.name:
            imports.append(Import("pydantic", "Field"))
    if model.extra is not None:
        imports.extend(model.extra.imports())
        imports.append(Import("pydantic", "Field"))
    imports = [_relative(i) for i in imports if i.name != model.name]
    runtime_names = {i.name for i in imports if not i.type_only}
    imports = [i for i in imports if not (i.type_only and i.name in runtime_names)]
    return {
        "name": model.name,
        "base": base,
        "docstring": docstring(model.description, 4) if model.description else "",
        "fields": fields,
        "extra": f"dict[str, {model.extra.annotation()}]" if model.extra is not None and parent is None else "",
        "imports": _import_lines(imports),
    }


def _model_module(i: Import) -> str | None:
    """``x`` for an import from ``..models.x`` (a model or alias module), else None."""
    return i.module[len("..models.") :] if i.module.startswith("..models.") else None


def _relative(i: Import) -> Import:
    """Model-to-model imports from inside ``models/``: ``..models.x`` → ``.x``."""
    module = _model_module(i)
    return Import("." + module, i.name, i.type_only) if module is not None else i


def _alias_cycles(aliases: tuple[Alias, ...]) -> dict[str, frozenset[str]]:
    """Aliases on a cycle of alias references (``Json = ... | list[Json]``, or ``A = str | B`` with
    ``B = list[A]``): module → the modules of its strongly connected component (Tarjan's
    algorithm, iterative: a chain of thousands of aliases must not hit the recursion limit)."""
    modules = {a.module for a in aliases}
    edges = {a.module: sorted({m for i in a.type.imports() if (m := _model_module(i)) in modules}) for a in aliases}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: dict[str, frozenset[str]] = {}
    for root in edges:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if i < len(edges[node]):
                work.append((node, i + 1))
                nxt = edges[node][i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if work:  # back in the caller: it takes the lowest link its callee found
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while not component or component[-1] != node:
                    component.append(stack.pop())
                    on_stack.discard(component[-1])
                if len(component) > 1 or node in edges[node]:
                    members = frozenset(component)
                    cycles.update((m, members) for m in component)
    return cycles


def _alias_view(alias: Alias, cycle: frozenset[str] = frozenset()) -> dict[str, Any]:
    """``Name: TypeAlias = ...``; an alias on a cycle of aliases is a ``TypeAliasType`` whose value is
    a string (evaluated on first use), and the other aliases of its cycle are imported after it:
    each of their modules imports this one back."""
    imports = [Import(i.module, i.name, False) for i in alias.type.imports() if i.name != alias.name]
    late = [i for i in imports if _model_module(i) in cycle]
    imports = [_relative(i) for i in imports if i not in late]
    imports.append(Import("typing_extensions", "TypeAliasType") if cycle else Import("typing", "TypeAlias"))
    return {
        "name": alias.name,
        "docstring": docstring(alias.description) if alias.description else "",
        "annotation": alias.type.annotation(),
        "recursive": bool(cycle),
        "value": literal(alias.type.annotation()),
        "imports": _import_lines(imports),
        "late_imports": _import_lines([_relative(i) for i in late]),
    }


def _argument_view(a: Argument) -> dict[str, Any]:
    annotation = a.type.annotation(argument=True)
    if a.required:
        return {"name": a.name, "annotation": annotation, "default": ""}
    return {"name": a.name, "annotation": annotation + " | NotGiven", "default": " = NOT_GIVEN"}


def _operation_docstring(op: Operation) -> str:
    parts = [p for p in (op.summary, op.description) if p]
    if op.summary and op.description and op.description.startswith(op.summary):
        parts = [op.description]
    lines = ["\n\n".join(parts) or f"{op.method} {op.path}"]
    if op.deprecated:
        lines.append("Deprecated: this operation is deprecated in the API.")
    documented = [a for a in op.arguments if a.description]
    if documented:
        lines.append("Args:\n" + "\n".join(f"    {a.name}: {' '.join(a.description.split())}" for a in documented))
    headers = [f"    {r.status}: models.{r.headers.name}" for r in op.responses if r.headers is not None]
    if headers:
        lines.append(
            "Response headers (read them with ``with_raw_response``, then ``.headers_as(<model>)``):\n" + "\n".join(headers)
        )
    raises = [f"    {_status_class(r.status)}: {r.status} {' '.join(r.description.split())}".rstrip() for r in op.errors]
    if raises:
        lines.append("Raises:\n" + "\n".join(raises))
    return docstring("\n\n".join(lines), 4)


def _status_class(status: str) -> str:
    classes = {
        "400": "BadRequestError",
        "401": "AuthenticationError",
        "403": "PermissionDeniedError",
        "404": "NotFoundError",
        "409": "ConflictError",
        "422": "UnprocessableEntityError",
        "429": "RateLimitError",
    }
    if status in classes:
        return classes[status]
    return "InternalServerError" if status.startswith("5") else "APIStatusError"


def _returns(op: Operation) -> TypeRef:
    types: list[TypeRef] = [r.type if r.type is not None else NONE for r in op.success]
    if not types:
        return NONE
    return union(types)


def _paging_view(op: Operation, paged: PagedOperation | None, imports: list[Import]) -> dict[str, Any] | None:
    if paged is None:
        return None
    imports += [
        Import("collections.abc", "AsyncIterator"),
        Import("collections.abc", "Iterator"),
        Import(".._pagination", "Paging"),
        Import(".._pagination", "aiter_items"),
        Import(".._pagination", "iter_items"),
        *paged.item.imports(),
    ]
    how = {
        "page": f"page numbers (from {paged.first})",
        "offset": "item offsets",
        "cursor": "the cursor each page gives",
    }[paged.style]
    text = (
        f"Every item of every page of ``{op.name}``, fetched lazily page by page ({how}): one "
        f"request per page, only as far as you iterate. ``{paged.argument}`` selects the first page "
        "(the server's first when not given); the other arguments are sent with every page."
    )
    return {
        "name": f"iter_{op.name}",
        "item": paged.item.annotation(),
        "argument": paged.argument,
        "size": paged.size or "None",
        "constant": f"Paging(style={literal(paged.style)}, items={literal(paged.items)}, next={literal(paged.next)}, first={paged.first!r})",
        "docstring": docstring(text, 4),
    }


def _operation_view(op: Operation, paged: PagedOperation | None = None) -> dict[str, Any]:
    returns = _returns(op)
    imports: list[Import] = [
        Import("typing", "Any"),
        Import("typing", "cast"),
        Import(".._base_client", "AsyncAPIResource"),
        Import(".._base_client", "RequestOptions"),
        Import(".._base_client", "SyncAPIResource"),
        Import(".._types", "NOT_GIVEN"),
        Import(".._types", "Body"),
        Import(".._types", "Headers"),
        Import(".._types", "NotGiven"),
        Import(".._types", "Query"),
        Import(".._types", "Timeout"),
    ]
    for a in op.arguments:
        imports.extend(a.type.imports(argument=True))
    imports.extend(returns.imports())
    responses = []
    for r in op.responses:
        if r.decoding != "json" or r.type is None:
            # A body that is not JSON is read as text or bytes; no content is None.
            responses.append(f"{literal(r.status)}: {literal(None if r.decoding == 'none' else r.decoding)}")
            continue
        responses.append(f"{literal(r.status)}: {r.type.annotation()}")
        # Response types are used at run time to parse, so their imports are not type-only.
        imports.extend(Import(i.module, i.name, False) for i in r.type.imports())
    if op.deprecated:
        imports.append(Import("warnings"))
    by_location: dict[str, list[str]] = {}
    for a in op.arguments:
        if a.whole_body:
            continue
        by_location.setdefault(a.location, []).append(f"{literal(a.wire_name)}: {a.name}")
    option_lines = []
    for location, key in (("path", "path_params"), ("query", "query"), ("header", "headers"), ("cookie", "cookies")):
        if location in by_location:
            option_lines.append(f"{key}={{{', '.join(by_location[location])}}}")
    styles = {(a.location, a.wire_name): a.custom_style for a in op.arguments if a.custom_style is not None}
    if styles:
        option_lines.append(f"styles={literal(styles)}")
    if "body" in by_location:
        option_lines.append(f"body_fields={{{', '.join(by_location['body'])}}}")
    whole_body = [a.name for a in op.arguments if a.whole_body]
    if whole_body:
        option_lines.append(f"body={whole_body[0]}")
    accept = list(dict.fromkeys(r.media_type for r in op.responses if r.media_type))
    if accept and accept != ["application/json"]:
        option_lines.append(f"accept={literal(', '.join(accept))}")
    if op.body is not None and op.body.required:
        option_lines.append("body_required=True")
    media = op.body.media_type if op.body is not None else "application/json"
    if media != "application/json" and not (media_kind(media) == "json" and "*" in media):
        option_lines.append(f"body_media_type={literal(media)}")  # a +json type as documented
    if op.security:
        ways = tuple(tuple((s.scheme, s.name, s.credential) for s in way) for way in op.security)
        option_lines.append(f"security={literal(ways)}")
    lists = tuple((a.location, "" if a.whole_body else a.wire_name, a.name) for a in op.arguments if _lists_only(a.type))
    keyed = [
        a.wire_name
        for a in op.arguments
        if a.location == "header" and a.wire_name.lower() == "idempotency-key" and "str" in a.type.annotation(argument=True).split(" | ")
    ]
    if keyed:  # the IETF draft's header: a key of its own for each call, the same on each retry
        option_lines.append(f"idempotency_header={literal(keyed[0])}")
    if lists:
        option_lines.append(f"lists={literal(lists)}")
    # Required arguments first, so a reader sees them at the top of the signature.
    args = [_argument_view(a) for a in op.arguments if a.required] + [_argument_view(a) for a in op.arguments if not a.required]
    title = comment(op.summary or op.operation_id)
    paging = _paging_view(op, paged, imports)
    exports = [op.name, op.name + "_async"] + ([paging["name"], paging["name"] + "_async"] if paging else [])
    return {
        "name": op.name,
        "async_name": op.name + "_async",
        "module": op.module,
        "method": op.method,
        "path": op.path,
        "title": docstring(f"{op.method} {op.path}: {title}"),
        "args": args,
        "returns": returns.annotation(),
        "responses": "{" + ", ".join(responses) + "}",
        "option_lines": option_lines,
        "docstring": _operation_docstring(op),
        "deprecated": op.deprecated,
        "deprecation": f"{op.operation_id} is deprecated",
        "imports": _import_lines(imports),
        "paging": paging,
        "exports": [literal(name) for name in exports],
        "path_md": _md(op.path),
        "summary_md": _md(op.summary),
    }


# The namespaces beside the plain ones: ``client.<attribute>.<tag>.<operation>`` returns what
# ``doc`` says. Each resource module defines ``<Resource><suffix>`` wrapping every method.
_WRAPPERS = [
    {
        "attribute": "with_raw_response",
        "suffix": "WithRawResponse",
        "sync": "to_raw_response_wrapper",
        "async": "async_to_raw_response_wrapper",
        "doc": "an ``APIResponse`` (status, headers, ``parse()``)",
    },
    {
        "attribute": "with_streaming_response",
        "suffix": "WithStreamingResponse",
        "sync": "to_streamed_response_wrapper",
        "async": "async_to_streamed_response_wrapper",
        "doc": "a context manager around an unread ``APIResponse`` (``iter_bytes()``)",
    },
]


def _tag_view(tag: Tag, paging: dict[str, PagedOperation]) -> dict[str, Any]:
    text = tag.description or f"Operations tagged {tag.name!r}."
    return {
        "attribute": tag.attribute,
        "class_name": tag.class_name,
        "async_class_name": "Async" + tag.class_name,
        "module": tag.module,
        "module_docstring": docstring(text),
        "docstring": docstring(text, 4),
        "short_docstring": docstring(text, 8),
        "title": _md(tag.description),
        "operations": [_operation_summary(op, paging.get(op.operation_id)) for op in tag.operations],
    }


def _operation_summary(op: Operation, paged: PagedOperation | None) -> dict[str, Any]:
    """What a namespace's module and the README show of an operation."""
    return {
        "name": op.name,
        "async_name": op.name + "_async",
        "module": op.module,
        "method": op.method,
        "path_md": _md(op.path),
        "summary_md": _md(op.summary),
        "paging": {"name": f"iter_{op.name}"} if paged is not None else None,
        "bare": not any(a.required for a in op.arguments),  # callable with no argument
    }


def _header(config: Config, mark: str, end: str = "") -> str:
    """One line naming the generator and the spec as the project sees it (no absolute paths)."""
    text = comment(f"Generated by sdk-generator {__version__} from {config.spec_shown}. Do not edit: `{config.regenerate}` regenerates it.")
    return f"{mark} {text}{end}"


def _example(tags: list[dict[str, Any]]) -> str:
    for tag in tags:
        for op in tag["operations"]:
            if op["bare"]:
                return f"{tag['attribute']}.{op['name']}()"
    return ""


def render(
    api: Api,
    config: Config,
    templates: Path = TEMPLATES,
    share: Callable[[str], bool] | None = None,
    only_shared: bool = False,
    order: list[str] | None = None,
    keys: dict[str, object] | None = None,
    changed: Callable[[str, object], bool] | None = None,
) -> dict[str, str]:
    """Every file of the SDK, by path relative to the output folder, not yet formatted.

    Two processes each render a share of a large SDK: ``share`` picks the model and operation
    files to render (by path; None: all), ``only_shared`` leaves out every other file, and
    ``order`` receives every path, rendered or not, in the order of the whole SDK.

    ``keys`` receives each file's key: everything its text is made from besides the settings
    (the IR objects and views it is rendered from); the key of "" is the settings. With
    ``changed`` (path, key → whether to render), only those files are rendered: a file whose key
    equals the last run's is that run's file (``incremental``)."""
    env = _environment(templates, config.templates)
    header = _header(config, "#")
    pkg = config.package
    common = {
        "header": header,
        "package": pkg,
        "project_name": config.project_name,
        "version": config.version,
        "client": config.client,
        "async_client": config.async_client_name,
        "error_base": config.client + "Error",
        "server_url": api.server_url,
        "token_env": f"{config.env}_API_TOKEN",
        "log_env": f"{config.env}_LOG",
        "base_url_env": f"{config.env}_BASE_URL",
        "wrappers": _WRAPPERS,
        # API keys with an argument of their own: the argument, its environment variable, the scheme
        "credentials": [
            {"argument": name, "env": f"{config.env}_{name.upper()}", "scheme": comment(scheme)}
            for scheme, name in api.credentials
        ],
    }
    files: dict[str, str] = {}
    order = [] if order is None else order
    keys = {} if keys is None else keys
    keys[""] = (common, str(templates), str(config.templates))

    def wanted(path: str, key: object) -> bool:
        keys[path] = key
        return changed is None or changed(path, key)

    def put(path: str, template: str, key: object, values: Callable[[], dict[str, Any]] = dict) -> None:
        order.append(path)
        if not only_shared and wanted(path, key):
            files[path] = env.get_template(template).render(**common, **values())

    def shared(path: str, key: object) -> bool:
        order.append(path)
        return wanted(path, key) and (share is None or share(path))

    for name in ("_types", "_models", "_exceptions", "_response", "_pagination", "_base_client", "_version"):
        put(f"{pkg}/{name}.py", f"runtime/{name}.py.jinja", None)
    by_name = {m.name: m for m in api.models}
    model_template = env.get_template("model.py.jinja")
    for model in api.models:
        path = f"{pkg}/models/{model.module}.py"
        if shared(path, (model, _bases(model, by_name))):
            files[path] = model_template.render(**common, model=_model_view(model, header, by_name))
    paging = resolve_paging(api, config)
    operation_template = env.get_template("operation.py.jinja")
    done: set[str] = set()
    for operation in (op for tag in api.tags for op in tag.operations):
        path = f"{pkg}/operations/{operation.module}.py"
        if path in done:  # an operation with two tags: one module
            continue
        done.add(path)
        paged = paging.get(operation.operation_id)
        if shared(path, (operation, paged)):
            files[path] = operation_template.render(**common, op=_operation_view(operation, paged))
    if only_shared:  # the model and operation files of the share
        return files
    cycles = _alias_cycles(api.aliases)
    for alias in api.aliases:
        cycle = cycles.get(alias.module, frozenset())
        put(f"{pkg}/models/{alias.module}.py", "alias.py.jinja", (alias, cycle), lambda: {"alias": _alias_view(alias, cycle)})
    everything = sorted([(m.name, m.module) for m in api.models] + [(a.name, a.module) for a in api.aliases])
    models = [{"name": name, "module": module} for name, module in everything]
    put(f"{pkg}/models/__init__.py", "models_init.py.jinja", _fingerprint(everything), lambda: {"models": models})
    tags = [_tag_view(t, paging) for t in api.tags]
    tag_keys = tuple(_fingerprint(tag) for tag in tags)
    for tag, tag_key in zip(tags, tag_keys):
        put(f"{pkg}/resources/{tag['module']}.py", "resource.py.jinja", tag_key, lambda: {"tag": tag})
    put(f"{pkg}/operations/__init__.py", "package/operations_init.py.jinja", None)
    put(f"{pkg}/resources/__init__.py", "package/resources_init.py.jinja", None)
    title = api.title or pkg
    put(
        f"{pkg}/_client.py",
        "client.py.jinja",
        (tag_keys, title),
        lambda: {
            "tags": tags,
            "client_docstring": docstring(f"Synchronous client for the {title}.", 4),
            "async_client_docstring": docstring(f"Asynchronous client for the {title}.", 4),
        },
    )
    text = f"{title} {api.version}: a typed Python SDK.\n\n{api.description}".strip()
    put(f"{pkg}/__init__.py", "package/__init__.py.jinja", text, lambda: {"docstring": docstring(text)})
    put(f"{pkg}/py.typed", "package/py.typed.jinja", None)
    if wanted("pyproject.toml", (title, bool(cycles))):
        files["pyproject.toml"] = env.get_template("package/pyproject.toml.jinja").render(
            **common, description=comment(f"Python SDK for the {title}"), typing_extensions=bool(cycles), line_length=LINE_LENGTH
        )
    readme = (title, api.description, api.server_url, api.version, config.out_name, tag_keys)
    if wanted("README.md", readme):
        files["README.md"] = env.get_template("package/README.md.jinja").render(
            **{**common, "header": _header(config, "<!--", " -->")},
            title=_md(title),
            description=_md_text(api.description),
            server_comment=comment(api.server_url or "base_url="),
            api_version=_md(api.version),
            out_name=comment(config.out_name),
            tags=tags,
            example=_example(tags),
        )
    return files


def _lists_only(t: TypeRef) -> bool:
    """An argument typed ``Sequence[...]`` (or that ``| None``): a ``str`` passes the type
    checker there (it is a sequence of str), so the call refuses one (``lists`` in its options)."""
    members = t.members if isinstance(t, UnionOf) else (t,)
    return any(isinstance(m, ListOf) for m in members) and all(isinstance(m, ListOf) or m == NONE for m in members)


def _fingerprint(view: object) -> str:
    """A key for a view of plain values (strings, numbers, booleans, None, lists, tuples,
    dicts): the hash of its ``repr``, which tells ``1``, ``1.0`` and ``True`` apart as the text
    does. One string to keep and compare instead of thousands of small objects."""
    return hashlib.sha256(repr(view).encode("utf-8", "surrogatepass")).hexdigest()


def _bases(model: Model, models: dict[str, Model]) -> tuple[Model, ...]:
    """The classes ``model`` extends, nearest first (what its module is rendered from besides it)."""
    chain: list[Model] = []
    seen = {model.name}
    while model.base is not None and model.base.name in models and model.base.name not in seen:
        model = models[model.base.name]
        seen.add(model.name)
        chain.append(model)
    return tuple(chain)
