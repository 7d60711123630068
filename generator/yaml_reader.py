"""YAML as ``load`` reads it (imported only for a YAML spec): JSON's data model (timestamps
stay strings, YAML 1.1's ``yes``/``on`` stay strings, duplicate keys are errors), read straight
from libyaml's events when the document is plain, by PyYAML's loader otherwise."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import yaml

from .errors import GeneratorError, Problem
from .load import MAX_DEPTH, TOO_DEEP

__all__ = ["read_yaml"]


def read_yaml(text: str, source: str) -> Any:
    """The document ``text``; its problems (where YAML cannot be read) raised naming ``source``."""
    try:
        return _plain_yaml(text)
    except _NotPlain:
        pass
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise GeneratorError(source, [Problem("#", f"invalid YAML{where}: {reason}")]) from None
    except RecursionError:
        raise GeneratorError(source, [Problem("#", f"invalid YAML{_yaml_too_deep_at(text)}: {TOO_DEEP}")]) from None
    except ValueError as exc:  # an integer of more digits than Python converts (4,300 by default)
        raise GeneratorError(source, [Problem("#", f"invalid YAML: {exc}")]) from None


if TYPE_CHECKING:
    _SafeLoader = yaml.SafeLoader
else:  # libyaml's parser when PyYAML was built with it: 3x faster on large documents
    _SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):
    """YAML as JSON sees it: timestamps stay strings, duplicate keys are errors."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> Any:
    """Keys as JSON sees them: a scalar key is its text (``200:`` is "200", ``on:`` is "on")."""
    out: dict[object, Any] = {}
    own = sum(1 for key_node, _ in node.value if key_node.tag != "tag:yaml.org,2002:merge")
    loader.flatten_mapping(node)
    merged = len(node.value) - own  # the pairs ``<<`` merges come first; a duplicate among the
    explicit: set[object] = set()  # mapping's own pairs is an error
    for index, (key_node, value_node) in enumerate(node.value):
        if isinstance(key_node, yaml.ScalarNode):
            key: object = key_node.value
        else:
            key = loader.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(None, None, "a mapping key must be a scalar", mark)
        if index >= merged:
            if key in explicit:
                mark = key_node.start_mark
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} at line {mark.line + 1}", mark
                )
            explicit.add(key)
        # A key merged twice, or merged and set: the later pair's value (YAML's precedence, as
        # PyYAML orders the pairs), in the first one's place.
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


class _NotPlain(Exception):
    """The fast YAML reader met something it leaves to the full loader."""


# The first characters for which a plain scalar may be something other than a string (null,
# bool, int, float, a timestamp kept as text, or a tag PyYAML refuses); any other plain scalar is
# its text, as the resolver would find.
_RESOLVED_FIRST = frozenset(k for k, v in _Loader.yaml_implicit_resolvers.items() if v and k is not None)
_EVERY_SCALAR_RESOLVED = bool(_Loader.yaml_implicit_resolvers.get(None))
_SCALAR_EVENT, _MAPPING_START, _SEQUENCE_START = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
_COLLECTION_END = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _plain_yaml(text: str) -> Any:
    """``yaml.load(text, Loader=_Loader)`` for documents without anchors, aliases, tags, merge
    keys or complex keys, built straight from libyaml's events (PyYAML's composer and
    constructor are Python code that made GitHub's 8.9 MB description take 6 s). Raises
    ``_NotPlain`` for anything else, including duplicate keys, nesting deeper than ``MAX_DEPTH``
    and YAML errors: the full loader then reads the document and reports what it finds, so the
    outcome is always the full loader's."""
    loader, resolver = _SafeLoader(text), _Loader("")
    try:
        return _from_events(loader, resolver)
    except _NotPlain:
        raise
    except Exception as exc:  # a YAML error: the full loader reports it with its mark
        raise _NotPlain from exc
    finally:
        loader.dispose()  # type: ignore[no-untyped-call]
        resolver.dispose()  # type: ignore[no-untyped-call]


def _from_events(loader: Any, resolver: Any) -> Any:
    get = loader.get_event
    if not isinstance(get(), yaml.StreamStartEvent):
        raise _NotPlain
    event = get()
    if isinstance(event, yaml.StreamEndEvent):
        return None  # an empty stream
    if not isinstance(event, yaml.DocumentStartEvent):
        raise _NotPlain
    scalars: dict[str, Any] = {}  # plain scalar text → its value
    stack: list[Any] = []  # the open collections
    keys: list[Any] = []  # for each: the key waiting for its value (a mapping), or _LIST
    root: Any = None
    while True:
        event = get()
        kind = type(event)
        if kind is _SCALAR_EVENT:
            if event.anchor is not None or event.tag is not None:
                raise _NotPlain
            text = event.value
            if stack and keys[-1] is None:  # a key: its text, as _construct_mapping takes it
                if (event.implicit[0] and text == "<<") or text in stack[-1]:  # a merge, a duplicate
                    raise _NotPlain
                keys[-1] = text
                continue
            if not event.implicit[0] or (text and text[0] not in _RESOLVED_FIRST and not _EVERY_SCALAR_RESOLVED):
                value: Any = text
            elif text in scalars:
                value = scalars[text]
            else:
                tag = resolver.resolve(yaml.ScalarNode, text, (True, False))
                node = yaml.ScalarNode(tag, text)
                value = scalars[text] = resolver.construct_object(node, deep=True)
        elif kind is _MAPPING_START or kind is _SEQUENCE_START:
            if event.anchor is not None or event.tag is not None or len(stack) >= MAX_DEPTH:
                raise _NotPlain
            if stack and keys[-1] is None:  # a mapping or a sequence as a key
                raise _NotPlain
            stack.append({} if kind is _MAPPING_START else [])
            keys.append(None if kind is _MAPPING_START else _LIST)
            continue
        elif isinstance(event, _COLLECTION_END):
            if keys.pop() not in (None, _LIST):  # a key without a value cannot come from libyaml
                raise _NotPlain
            value = stack.pop()
        else:  # an alias, or anything unexpected
            raise _NotPlain
        if not stack:
            root = value
            break
        key = keys[-1]
        if key is _LIST:
            stack[-1].append(value)
        else:
            stack[-1][key] = value
            keys[-1] = None
    if not isinstance(get(), yaml.DocumentEndEvent) or not isinstance(get(), yaml.StreamEndEvent):
        raise _NotPlain  # more than one document: the full loader says so
    return root


_LIST = object()


def _yaml_too_deep_at(text: str) -> str:
    """" at line L, column C": where level ``MAX_DEPTH + 1`` opens, found by the event parser
    (which does not recurse)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_SafeLoader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    return f" at line {mark.line + 1}, column {mark.column + 1}"
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except (yaml.YAMLError, RecursionError):
        pass
    return ""
