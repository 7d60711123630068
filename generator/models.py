"""Component schemas (and inline objects hoisted out of other schemas) → ``Model`` / ``Alias``."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from . import naming
from .errors import pointer
from .ir import Alias, Field, Model, ModelRef, TypeRef
from .refs import lookup
from .types import Context, child, deref, is_object_schema, merge_all_of, resolve, text_of

__all__ = ["ModelBuilder", "LOOKUP"]

# In ``Trace.calls``, beside the hoists (pointer, name hint): a lookup of a model by name, which
# builds every model still pending at that point.
LOOKUP = "?model"


def _flag(prop: Any, target: Any, key: str) -> bool:
    """A flag written on the property, or on the schema its $ref names."""
    return (isinstance(prop, dict) and prop.get(key) is True) or (isinstance(target, dict) and target.get(key) is True)


def _module(wanted: str, cls: str) -> str:
    """The module of class ``cls`` (named ``wanted``, or that plus a suffix that told it apart)."""
    return naming.module_name(wanted) + cls[len(wanted):].lower()


@dataclass
class ModelBuilder:
    """Names every component first (so references resolve), then builds them and what they hoist."""

    document: dict[str, Any]
    ctx: Context = field(init=False)
    _pending: list[tuple[ModelRef, str, dict[str, Any], str, str]] = field(default_factory=list)  # + its unit
    _hoisted: dict[str, ModelRef] = field(default_factory=dict)
    # The same inline schema object reached from two places (a base's property, merged into a
    # model that extends it) is one model: the subclass then inherits the field's type unchanged.
    _hoisted_objects: dict[int, tuple[dict[str, Any], ModelRef]] = field(default_factory=dict)
    _class_names: list[str] = field(default_factory=list)
    _module_names: list[str] = field(default_factory=list)
    _taken: set[str] = field(default_factory=set)  # lower-cased class and module names, for speed
    models: list[Model] = field(default_factory=list)
    aliases: list[Alias] = field(default_factory=list)
    _by_name: dict[str, Model] = field(default_factory=dict)  # the first model of each name

    def __post_init__(self) -> None:
        schemas = (self.document.get("components") or {}).get("schemas") or {}
        wanted = {name: naming.class_name(name) for name in schemas}
        classes = naming.assign(wanted)
        ordered = sorted(schemas)
        modules = dict(zip(ordered, naming.unique([_module(wanted[n], classes[n]) for n in ordered], ["__init__"])))
        refs = {name: ModelRef(classes[name], modules[name]) for name in schemas}
        self._class_names.extend(classes.values())
        self._module_names.extend(modules.values())
        self._taken.update(n.lower() for n in [*classes.values(), *(f"module:{m}" for m in modules.values())])
        self.ctx = Context(self.document, refs, self._hoist)
        for schema_name, schema in schemas.items():
            self._pending.append((refs[schema_name], schema_name, schema, pointer("components", "schemas", schema_name), "#"))

    def _hoist(self, hint: str, schema: dict[str, Any], where: str) -> ModelRef:
        """A model for an inline object: named from where it stands; a name already taken gets a
        suffix from its JSON pointer, so it does not depend on the order models are built in."""
        trace = self.ctx.trace
        if trace is not None:
            trace.calls.setdefault(self.ctx.unit, []).append((where, hint))
        if where in self._hoisted:
            return self._hoisted[where]
        seen = self._hoisted_objects.get(id(schema))
        if seen is not None and seen[0] is schema:
            self._hoisted[where] = seen[1]
            return seen[1]
        wanted = naming.class_name(hint)
        # What ``naming.assign({where: wanted}, class names)`` and ``naming.unique([module], module
        # names)`` give, found by set lookups: specs hoist thousands of objects, and thousands may
        # want the same name (each call would read every name taken so far).
        cls = wanted
        if wanted.lower() in self._taken:
            cls = f"{wanted}_{naming.key_digits(where)}"
            if cls.lower() in self._taken:  # digits that meet another name: numbered, rarely
                cls = naming.assign({where: wanted}, self._class_names)[where]
        module = candidate = _module(wanted, cls)
        n = 1
        while f"module:{candidate}".lower() in self._taken or candidate.lower() == "__init__":
            n += 1
            candidate = f"{module}_{n}"
        module = candidate
        self._class_names.append(cls)
        self._module_names.append(module)
        self._taken.update((cls.lower(), f"module:{module}".lower()))
        ref = self._hoisted[where] = ModelRef(cls, module)
        self._hoisted_objects[id(schema)] = (schema, ref)
        self._pending.append((ref, where, schema, where, self.ctx.unit))
        if trace is not None:
            trace.owner[where] = self.ctx.unit
        return ref

    def build(self) -> tuple[list[Model], list[Alias]]:
        ctx = self.ctx
        while self._pending:
            ref, schema_name, schema, where, unit = self._pending.pop(0)
            outer, ctx.unit = ctx.unit, unit  # what it hoists and reports is its unit's
            try:
                self.build_one(ref, schema_name, schema, where)
            finally:
                ctx.unit = outer
        return self.models, self.aliases

    def skip_components(self) -> None:
        """Build none of the component schemas (``incremental``: the last run built them, and
        they are unchanged); what is hoisted from now on is still built."""
        self._pending.clear()

    @property
    def hoisted(self) -> dict[str, ModelRef]:
        return self._hoisted

    def model(self, name: str) -> Model | None:
        """The model class called ``name``, building whatever is still pending first."""
        if self.ctx.trace is not None:  # when pending models are built decides their hoists' names
            self.ctx.trace.calls.setdefault(self.ctx.unit, []).append((LOOKUP, name))
        self.build()
        return self.built(name)

    def built(self, name: str) -> Model | None:
        """The model class called ``name`` among those built so far (nothing else is built)."""
        return self._by_name.get(name)

    def build_one(self, ref: ModelRef, schema_name: str, schema: Any, where: str) -> None:
        """Build the model or alias of one schema (what ``build`` does to each pending one)."""
        description = text_of(schema, "description")
        base: ModelRef | None = None
        if isinstance(schema, dict) and isinstance(schema.get("allOf"), list) and len(schema["allOf"]) > 1:
            base = self._base(schema["allOf"][0], ref)
            schema = merge_all_of(schema, self.ctx, where)
        if is_object_schema(schema):
            model = self._model(ref, schema_name, schema, where, description)
            self.models.append(dataclasses.replace(model, base=base))
            self._by_name.setdefault(model.name, self.models[-1])
            return
        if isinstance(schema, dict) and "$ref" in schema:
            # A component that only names another is an alias; a cycle of bare names is an error.
            errors = len([p for p in self.ctx.problems if p.severity == "error"])
            deref(schema, self.ctx, where)
            if len([p for p in self.ctx.problems if p.severity == "error"]) > errors:
                return
        target = resolve(schema, self.ctx, where, ref.name, depth=1)
        self.aliases.append(Alias(ref.name, ref.module, schema_name, description, target, where))

    def _base(self, first: Any, ref: ModelRef) -> ModelRef | None:
        """``allOf: [{$ref: Base}, ...]`` where Base is a component object: the class to extend
        (not when the chain of bases comes back to this model)."""
        prefix = "#/components/schemas/"
        seen = {ref.name}
        candidate = first
        base: ModelRef | None = None
        while isinstance(candidate, dict) and isinstance(candidate.get("$ref"), str) and candidate["$ref"].startswith(prefix):
            name = candidate["$ref"][len(prefix):].replace("~1", "/").replace("~0", "~")
            target = self.ctx.components.get(name)
            schema = lookup(self.document, candidate["$ref"])
            if target is None or target.name in seen:
                return None
            seen.add(target.name)
            if base is None:
                if not (is_object_schema(schema) or (isinstance(schema, dict) and isinstance(schema.get("allOf"), list))):
                    return None
                base = ModelRef(target.name, target.module)
            parts = schema.get("allOf") if isinstance(schema, dict) else None
            candidate = parts[0] if isinstance(parts, list) and len(parts) > 1 else None
        return base

    def _model(self, ref: ModelRef, schema_name: str, schema: dict[str, Any], where: str, description: str) -> Model:
        properties: dict[str, Any] = schema.get("properties") or {}
        required = set(schema.get("required") or [])
        names = naming.assign({api: naming.field_name(api) for api in properties})
        fields = []
        for api, prop in properties.items():
            py = names[api]
            at = child(where, "properties", api)
            ftype: TypeRef = resolve(prop, self.ctx, at, ref.name + naming.class_name(api))
            has_default = isinstance(prop, dict) and "default" in prop
            target, _ = deref(prop, self.ctx, at)
            fields.append(
                Field(
                    name=py,
                    alias=api,
                    type=ftype,
                    required=api in required,
                    default=prop.get("default") if has_default else None,
                    has_default=has_default,
                    description=text_of(prop, "description"),
                    pointer=at,
                    read_only=_flag(prop, target, "readOnly"),
                    write_only=_flag(prop, target, "writeOnly"),
                    deprecated=_flag(prop, target, "deprecated"),
                )
            )
        extra_schema = schema.get("additionalProperties", True)
        extra: TypeRef | None = None
        if isinstance(extra_schema, dict) and extra_schema:
            extra = resolve(extra_schema, self.ctx, child(where, "additionalProperties"), ref.name + "Value")
        return Model(ref.name, ref.module, schema_name, description, tuple(fields), extra, where)
