"""The intermediate representation: frozen dataclasses that every stage after ``load`` reads.

A ``TypeRef`` knows how it is spelled in Python (for a response, or for an argument the caller
passes) and which imports that spelling needs. Nothing after ``types`` looks at a raw schema.
"""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass, field
from typing import Literal as _Literal, Union

from .literal import literal as _literal

__all__ = [
    "Import",
    "media_kind",
    "Prim",
    "ModelRef",
    "ListOf",
    "TupleOf",
    "MapOf",
    "UnionOf",
    "LiteralOf",
    "Tagged",
    "split_union",
    "TypeRef",
    "Field",
    "Model",
    "Alias",
    "Parameter",
    "RequestBody",
    "Argument",
    "Response",
    "Security",
    "Operation",
    "Tag",
    "Api",
    "NONE",
    "ANY",
]


@dataclass(frozen=True, order=True)
class Import:
    """``from module import name`` (or ``import module`` when name is empty)."""

    module: str
    name: str = ""
    type_only: bool = False  # only needed under TYPE_CHECKING


# How each primitive kind is spelled, and what it imports.
_PRIMS: dict[str, tuple[str, tuple[Import, ...]]] = {
    "str": ("str", ()),
    "int": ("int", ()),
    "float": ("float", ()),
    "bool": ("bool", ()),
    "none": ("None", ()),
    "any": ("Any", (Import("typing", "Any"),)),
    "datetime": ("datetime.datetime", (Import("datetime"),)),
    "date": ("datetime.date", (Import("datetime"),)),
    "time": ("datetime.time", (Import("datetime"),)),
    "bytes": ("bytes", ()),
    "file": ("bytes", ()),  # a binary body or multipart file; an argument takes FileInput
}

# In a model, dates and times keep the text they came as (the runtime's annotated types).
_KEEPS_TEXT = {"datetime": "DateTime", "date": "Date", "time": "Time"}

# Kinds that refine another kind on the wire: an argument annotation lists them first.
_REFINES = {"datetime": "str", "date": "str", "time": "str"}


@dataclass(frozen=True)
class Prim:
    kind: str

    def annotation(self, argument: bool = False) -> str:
        if argument and self.kind == "file":
            return "FileInput"
        if not argument and self.kind in _KEEPS_TEXT:
            return _KEEPS_TEXT[self.kind]
        return _PRIMS[self.kind][0]

    def imports(self, argument: bool = False) -> tuple[Import, ...]:
        if argument and self.kind == "file":
            return (Import(".._types", "FileInput"),)
        if not argument and self.kind in _KEEPS_TEXT:
            return (Import(".._types", _KEEPS_TEXT[self.kind]),)
        return _PRIMS[self.kind][1]

    def models(self) -> tuple[str, ...]:
        return ()


NONE = Prim("none")
ANY = Prim("any")


@dataclass(frozen=True)
class ModelRef:
    """A component schema: a model class or a type alias living in ``<package>.models.<module>``."""

    name: str  # Python name of the class or alias
    module: str  # module inside the models package
    closed: LiteralOf | UnionOf | None = None  # an enum alias: the closed Literal an argument takes

    def annotation(self, argument: bool = False) -> str:
        if argument and self.closed is not None:
            return self.closed.annotation(argument=True)
        return self.name

    def imports(self, argument: bool = False) -> tuple[Import, ...]:
        if argument and self.closed is not None:
            return self.closed.imports(argument=True)
        return (Import(f"..models.{self.module}", self.name, type_only=True),)

    def models(self) -> tuple[str, ...]:
        return (self.name,)


@dataclass(frozen=True)
class ListOf:
    item: TypeRef

    def annotation(self, argument: bool = False) -> str:
        outer = "Sequence" if argument else "list"
        return f"{outer}[{self.item.annotation(argument)}]"

    def imports(self, argument: bool = False) -> tuple[Import, ...]:
        own = (Import("collections.abc", "Sequence"),) if argument else ()
        return own + self.item.imports(argument)

    def models(self) -> tuple[str, ...]:
        return self.item.models()


@dataclass(frozen=True)
class TupleOf:
    """``prefixItems`` with no further items: a fixed-length array."""

    items: tuple[TypeRef, ...]

    def annotation(self, argument: bool = False) -> str:
        return "tuple[" + ", ".join(i.annotation(argument) for i in self.items) + "]"

    def imports(self, argument: bool = False) -> tuple[Import, ...]:
        return tuple(i for item in self.items for i in item.imports(argument))

    def models(self) -> tuple[str, ...]:
        return tuple(n for item in self.items for n in item.models())


@dataclass(frozen=True)
class MapOf:
    value: TypeRef

    def annotation(self, argument: bool = False) -> str:
        outer = "Mapping" if argument else "dict"
        return f"{outer}[str, {self.value.annotation(argument)}]"

    def imports(self, argument: bool = False) -> tuple[Import, ...]:
        own = (Import("collections.abc", "Mapping"),) if argument else ()
        return own + self.value.imports(argument)

    def models(self) -> tuple[str, ...]:
        return self.value.models()


LiteralValue = Union[str, int, bool, None]


@dataclass(frozen=True)
class LiteralOf:
    """An enum or const. Open in a model (an unknown value from the server parses as its base
    type, never crashes); closed for an argument (the type checker sees the allowed values)."""

    values: tuple[LiteralValue, ...]

    def annotation(self, argument: bool = False) -> str:
        literal = "Literal[" + ", ".join(_literal(v) for v in self.values) + "]"
        if argument:
            return literal
        bases = [name for kind, name in ((str, "str"), (int, "int")) if any(type(v) is kind for v in self.values)]
        return " | ".join([literal, *bases])

    def imports(self, argument: bool = False) -> tuple[Import, ...]:
        return (Import("typing", "Literal"),)

    def models(self) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True)
class UnionOf:
    """Members in a stable order, flattened, without duplicates; ``None`` always last."""

    members: tuple[TypeRef, ...]

    def _ordered(self, argument: bool) -> list[TypeRef]:
        members = list(self.members)
        if argument:
            # An argument lists a refined kind (datetime) before the kind it refines (str).
            kinds = [m.kind for m in members if isinstance(m, Prim)]
            refined = [m for m in members if isinstance(m, Prim) and _REFINES.get(m.kind) in kinds]
            members = refined + [m for m in members if m not in refined]
        return members

    def annotation(self, argument: bool = False) -> str:
        parts: list[str] = []
        for member in self._ordered(argument):
            for part in split_union(member.annotation(argument)):
                if part not in parts:
                    parts.append(part)
        none = [p for p in parts if p == "None"]
        return " | ".join([p for p in parts if p != "None"] + none)

    def imports(self, argument: bool = False) -> tuple[Import, ...]:
        return tuple(i for m in self.members for i in m.imports(argument))

    def models(self) -> tuple[str, ...]:
        return tuple(n for m in self.members for n in m.models())


@dataclass(frozen=True)
class Tagged:
    """A oneOf/anyOf with a discriminator: decoded by the discriminator property first."""

    property: str  # the API name of the discriminator property
    members: tuple[ModelRef, ...]
    mapping: tuple[tuple[str, str], ...]  # discriminator value → class name

    def annotation(self, argument: bool = False) -> str:
        if argument:
            return " | ".join(m.annotation(True) for m in self.members)
        tagged = ", ".join(f"Annotated[{m.name}, Tag({_literal(m.name)})]" for m in self.members)
        values = ", ".join(repr(value) for value, _ in self.mapping)
        message = f"{self.property!r} must be one of {values}"
        return (
            f"Annotated[Union[{tagged}], Discriminator(discriminate({_literal(self.property)}, {_literal(dict(self.mapping))}), "
            f'custom_error_type="discriminator", custom_error_message={_literal(message)})]'
        )

    def imports(self, argument: bool = False) -> tuple[Import, ...]:
        own: tuple[Import, ...] = ()
        if not argument:
            own = (
                Import("typing", "Annotated"),
                Import("typing", "Union"),
                Import("pydantic", "Discriminator"),
                Import("pydantic", "Tag"),
                Import(".._models", "discriminate"),
            )
        return own + tuple(i for m in self.members for i in m.imports(argument))

    def models(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.members)


def split_union(annotation: str) -> list[str]:
    """``A | list[B | C] | None`` → ``["A", "list[B | C]", "None"]`` (top level only)."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(annotation):
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(annotation[start:i].strip())
            start = i + 1
    parts.append(annotation[start:].strip())
    return parts


TypeRef = Union[Prim, ModelRef, ListOf, TupleOf, MapOf, LiteralOf, UnionOf, Tagged]


@dataclass(frozen=True)
class Field:
    name: str  # Python attribute name
    alias: str  # name in the API
    type: TypeRef
    required: bool
    default: object = None  # the spec's default (a JSON value), when has_default
    has_default: bool = False
    description: str = ""
    pointer: str = ""
    read_only: bool = False  # sent by the server only: never a request argument
    write_only: bool = False  # sent by the client only: never required in a response
    deprecated: bool = False


@dataclass(frozen=True)
class Model:
    """One class generated from an object schema."""

    name: str
    module: str
    schema_name: str  # the component name, or a hoisted schema's JSON pointer
    description: str
    fields: tuple[Field, ...]
    extra: TypeRef | None = None  # the type of additional properties (None: any JSON value)
    pointer: str = ""
    base: ModelRef | None = None  # allOf: [$ref Base, ...]: the class this one extends


@dataclass(frozen=True)
class Alias:
    """A component schema that is not an object (an enum, a union, an array): a type alias."""

    name: str
    module: str
    schema_name: str
    description: str
    type: TypeRef
    pointer: str = ""


Location = _Literal["path", "query", "header", "cookie", "body"]


@dataclass(frozen=True)
class Parameter:
    """A parameter as the spec declares it (path-level and operation-level merged)."""

    name: str  # as the spec spells it
    location: Location  # path, query, header or cookie
    type: TypeRef
    required: bool
    description: str = ""
    style: str = "form"
    explode: bool = True
    deprecated: bool = False
    pointer: str = ""


@dataclass(frozen=True)
class RequestBody:
    """The request body in the media type the client sends."""

    media_type: str
    type: TypeRef
    required: bool
    description: str = ""
    fields: tuple[Field, ...] = ()  # an object body's properties: each one becomes an argument
    pointer: str = ""

    @property
    def flattened(self) -> bool:
        return bool(self.fields)


@dataclass(frozen=True)
class Argument:
    """One keyword argument of an operation, and where its value goes on the wire."""

    name: str  # Python argument name
    wire_name: str  # the parameter or body property name
    location: Location
    type: TypeRef
    required: bool
    description: str = ""
    explode: bool = True
    style: str = "form"
    whole_body: bool = False  # the entire request body (not one of its properties)

    @property
    def custom_style(self) -> tuple[str, bool] | None:
        """(style, explode) when not the location's default (form/exploded, or simple)."""
        default = ("form", True) if self.location in ("query", "cookie") else ("simple", False)
        if self.location == "body" or (self.style, self.explode) == default:
            return None
        return (self.style, self.explode)


def media_kind(media: str) -> str:
    """How a body of this media type travels: json, form, multipart, text or binary."""
    base = media.split(";")[0].strip().lower()
    if base == "application/json" or base.endswith("+json"):
        return "json"
    if base == "application/x-www-form-urlencoded":
        return "form"
    if base.startswith("multipart/"):
        return "multipart"
    return "text" if base.startswith("text/") else "binary"


@dataclass(frozen=True)
class Response:
    status: str  # "200", "4XX", "default"
    type: TypeRef | None  # None: no content
    media_type: str = ""
    description: str = ""
    headers: ModelRef | None = None  # the documented response headers, as a model

    @property
    def decoding(self) -> str:
        """How the runtime reads the body: "json", "text", "binary" or "none"."""
        if self.type is None:
            return "none"
        if self.media_type.strip() in ("", "*/*"):
            return "json"
        kind = media_kind(self.media_type)
        return kind if kind in ("json", "text") else "binary"


@dataclass(frozen=True)
class Security:
    """How one security scheme puts the client's credential on a request."""

    scheme: str  # "bearer", "basic", "header", "query", "cookie"
    name: str = ""  # the header, query or cookie name for API keys
    credential: str = "token"  # the client argument holding it: token, basic_auth or an API key's own


@dataclass(frozen=True)
class Operation:
    operation_id: str
    name: str  # Python function name
    module: str  # module inside the operations package
    method: str
    path: str
    tags: tuple[str, ...]  # the spec's tags ("default" when it has none); one namespace each
    summary: str
    description: str
    deprecated: bool
    parameters: tuple[Parameter, ...]
    body: RequestBody | None
    arguments: tuple[Argument, ...]  # the signature: parameters and body, merged and named
    responses: tuple[Response, ...]
    security: tuple[tuple[Security, ...], ...]  # alternatives, each the schemes sent together
    pointer: str = ""

    @property
    def success(self) -> tuple[Response, ...]:
        return tuple(r for r in self.responses if r.status.startswith("2"))

    @property
    def errors(self) -> tuple[Response, ...]:
        return tuple(r for r in self.responses if not r.status.startswith("2"))


@dataclass(frozen=True)
class Tag:
    name: str  # the tag as the spec spells it
    attribute: str  # ``client.<attribute>``
    class_name: str  # ``<ClassName>Resource``
    module: str
    description: str
    operations: tuple[Operation, ...]


@dataclass(frozen=True)
class Api:
    title: str
    version: str
    description: str
    server_url: str
    models: tuple[Model, ...]
    aliases: tuple[Alias, ...]
    operations: tuple[Operation, ...]
    tags: tuple[Tag, ...]
    warnings: tuple[str, ...] = field(default=())
    # API key schemes with a client argument of their own: (scheme name, argument), spec order
    credentials: tuple[tuple[str, str], ...] = field(default=())


_NO_DEFAULT = object()


def _defaults(cls: type) -> dict[str, object]:
    return {f.name: f.default for f in dataclasses.fields(cls) if f.default is not dataclasses.MISSING}


def _sparse_state(self: object) -> dict[str, object]:
    """What pickling an IR object writes: its fields, less those that hold their default (the
    very object, which the class also holds: reading the field still gives it). Most fields of
    most objects do, and a large IR (the incremental state) loads in two thirds of the time.

    A model's fields and an operation's parameters, body and responses are written as one
    pickle of their own (``_LATER``), read on first use: a regeneration needs most of a large
    IR only to tell it unchanged (GitHub's state: 0.10–0.14 s to load before, 0.035–0.065 s)."""
    defaults = _DEFAULTS[type(self)]
    state = {k: v for k, v in self.__dict__.items() if defaults.get(k, _NO_DEFAULT) is not v}
    later = _LATER.get(type(self))
    if later is not None and _PACKED not in state:
        state[_PACKED] = pickle.dumps(tuple(state.pop(name) for name in later), protocol=pickle.HIGHEST_PROTOCOL)
    return state


class _Packed:
    """Where a field ``_sparse_state`` packed is read from until unpacked: a class attribute
    that the instance's own value, once there, hides (so it costs nothing after)."""

    def __init__(self, cls: type, name: str) -> None:
        self.cls, self.name = cls, name

    def __get__(self, obj: object, owner: type | None = None) -> object:
        if obj is None:
            raise AttributeError(self.name)  # on the class: as for a field without a default
        values = obj.__dict__.get(_PACKED)
        if values is not None:
            for name, value in zip(_LATER[self.cls], pickle.loads(values)):
                obj.__dict__.setdefault(name, value)  # another thread's, when it came first
            obj.__dict__.pop(_PACKED, None)
        try:
            return obj.__dict__[self.name]
        except KeyError:  # nothing packed (or unpacked by another thread meanwhile: then there)
            raise AttributeError(f"{type(obj).__name__!r} object has no attribute {self.name!r}") from None


_PACKED = "_packed"
# Fields without a default only: a default is the class attribute, where ``_Packed`` goes.
_LATER: dict[type, tuple[str, ...]] = {Model: ("fields",), Operation: ("parameters", "body", "responses")}
_DEFAULTS: dict[type, dict[str, object]] = {}
for _cls in (Import, Prim, ModelRef, ListOf, TupleOf, MapOf, LiteralOf, UnionOf, Tagged, Field, Model, Alias, Parameter, RequestBody, Argument, Response, Security, Operation, Tag, Api):
    _DEFAULTS[_cls] = _defaults(_cls)
    _cls.__getstate__ = _sparse_state  # type: ignore[method-assign]
for _owner, _names in _LATER.items():
    assert not set(_names) & set(_DEFAULTS[_owner]) and not any(f.default_factory is not dataclasses.MISSING for f in dataclasses.fields(_owner) if f.name in _names)
    for _name in _names:
        setattr(_owner, _name, _Packed(_owner, _name))
