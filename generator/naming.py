"""Every identifier in the generated code is made here, and only here.

Spec strings are untrusted: whatever they contain, the functions below return a valid, non-keyword
Python identifier (ASCII letters, digits and underscores).
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable

__all__ = [
    "snake",
    "pascal",
    "field_name",
    "function_name",
    "class_name",
    "module_name",
    "unique",
    "assign",
    "RESERVED_FIELD_NAMES",
]

# Fixed lists, not ``dir(builtins)`` or ``keyword.softkwlist``: those depend on the Python that
# runs the generator (3.12 made ``type`` a soft keyword, 3.13 added a builtin; ``python -S`` has no
# ``exit``), and the output must not. The builtins of Python 3.11 (with ``site``) and the one 3.13
# added, and the keywords (hard, then the soft keywords of 3.11: ``type`` stays a usable name).
_BUILTINS = frozenset(
    """
    ArithmeticError AssertionError AttributeError BaseException BaseExceptionGroup
    BlockingIOError BrokenPipeError BufferError BytesWarning ChildProcessError
    ConnectionAbortedError ConnectionError ConnectionRefusedError ConnectionResetError
    DeprecationWarning EOFError Ellipsis EncodingWarning EnvironmentError Exception
    ExceptionGroup False FileExistsError FileNotFoundError FloatingPointError FutureWarning
    GeneratorExit IOError ImportError ImportWarning IndentationError IndexError InterruptedError
    IsADirectoryError KeyError KeyboardInterrupt LookupError MemoryError ModuleNotFoundError
    NameError None NotADirectoryError NotImplemented NotImplementedError OSError OverflowError
    PendingDeprecationWarning PermissionError ProcessLookupError PythonFinalizationError
    RecursionError ReferenceError ResourceWarning RuntimeError RuntimeWarning StopAsyncIteration
    StopIteration SyntaxError SyntaxWarning SystemError SystemExit TabError TimeoutError True
    TypeError UnboundLocalError UnicodeDecodeError UnicodeEncodeError UnicodeError
    UnicodeTranslateError UnicodeWarning UserWarning ValueError Warning ZeroDivisionError abs
    aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod
    compile complex copyright credits delattr dict dir divmod enumerate eval exec exit filter
    float format frozenset getattr globals hasattr hash help hex id input int isinstance
    issubclass iter len license list locals map max memoryview min next object oct open ord pow
    print property quit range repr reversed round set setattr slice sorted staticmethod str sum
    super tuple type vars zip
    """.split()
)
_KEYWORDS = frozenset(
    """
    False None True and as assert async await break class continue def del elif else except
    finally for from global if import in is lambda nonlocal not or pass raise return try while
    with yield _ case match
    """.split()
)

# Attributes of pydantic.BaseModel that a field must not shadow.
RESERVED_FIELD_NAMES = frozenset(
    {
        "construct",
        "copy",
        "dict",
        "from_orm",
        "json",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "schema",
        "schema_json",
        "update_forward_refs",
        "validate",
        "self",
        "to_dict",
        "to_json",
        "from_json",
        "datetime",  # the module the annotations use
    }
)

# Names the generated modules import or define; a class or function must not take them.
RESERVED_CLASS_NAMES = frozenset(
    {
        "AliasedModel",
        "Annotated",
        "Any",
        "AsyncAPIResource",
        "AsyncIterator",
        "Discriminator",
        "Iterator",
        "Paging",
        "Tag",
        "Union",
        "BaseModel",
        "Body",
        "Date",
        "DateTime",
        "FileInput",
        "Time",
        "Field",
        "Headers",
        "Literal",
        "Mapping",
        "NotGiven",
        "NOT_GIVEN",
        "Query",
        "RESPONSES",
        "RequestOptions",
        "Sequence",
        "SyncAPIResource",
        "TYPE_CHECKING",
        "Timeout",
        "TypeAlias",
    }
)
# Attributes and methods of the generated clients: a tag namespace must not hide them.
RESERVED_CLIENT_NAMES = frozenset(
    {
        "base_url",
        "basic_auth",
        "build_request",
        "close",
        "copy",
        "credentials",
        "default_headers",
        "max_retries",
        "models",
        "process_response",
        "request",
        "retry_delay",
        "should_retry",
        "timeout",
        "token",
        "with_options",
        "with_raw_response",
        "with_streaming_response",
        "max_response_size",
        "strict_response_validation",
    }
)
# An API key's own constructor argument takes none of these: the client's other arguments, the
# names whose environment variables the runtime reads already (<PREFIX>_API_TOKEN, _LOG,
# _BASE_URL), and the lower-case globals of ``_base_client`` (an argument named ``os`` would
# hide the module in ``__init__``; a test reads them from the runtime).
RESERVED_CREDENTIAL_NAMES = frozenset(
    {
        "self",
        "token",
        "basic_auth",
        "base_url",
        "timeout",
        "max_retries",
        "default_headers",
        "http_client",
        "max_response_size",
        "strict_response_validation",
        "credentials",
        "api_token",
        "log",
        *(
            "adapter annotations asyncio base64 construct dataclass datetime email encode_body field functools gc"
            " has_adapter httpx json logging os platform pydantic random serialize status_error time to_jsonable"
            " urllib uuid validate_json weakref"
        ).split(),
    }
)
RESERVED_FUNCTION_NAMES = frozenset({"cast", "datetime", "typing", "warnings", "annotations"})

# File names Windows gives to devices, whatever the extension (``nul.py`` is the null device):
# no module (a file) may take them.
WINDOWS_DEVICE_NAMES = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
)
# A tag's namespace attribute is also its module's name.
RESERVED_CLIENT_NAMES = RESERVED_CLIENT_NAMES | WINDOWS_DEVICE_NAMES

# Identifiers are cut to this length (callers then make them unique): a module name becomes a
# file name, which file systems limit (255 bytes on most).
MAX_NAME_LENGTH = 80

# Names the operation functions and their modules use for themselves.
RESERVED_ARGUMENT_NAMES = frozenset(
    {"self", "extra_headers", "extra_query", "extra_body", "timeout", "cast", "warnings", "datetime", "typing", "options_for"}
)

_WORD_BOUNDARY = re.compile(
    r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z]+[0-9]*|[A-Z]+[0-9]*|[0-9]+[a-z]*"
)


def _ascii(text: str) -> str:
    if text.isascii():  # NFKD leaves ASCII as it is
        return text
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return folded


def _words(text: str) -> list[str]:
    """Split any string into words: camelCase, PascalCase, snake_case, kebab-case, spaces, dots."""
    return _WORD_BOUNDARY.findall(_ascii(text))


def _fix(name: str, fallback: str) -> str:
    name = name[:MAX_NAME_LENGTH].rstrip("_")
    if not name:
        name = fallback
    if name[0].isdigit():
        name = "_" + name
    if name in _KEYWORDS or name in _BUILTINS:
        name += "_"
    return name


# Specs repeat the same property and schema names thousands of times: names are pure functions
# of their text, so each is worked out once.
@functools.lru_cache(maxsize=1 << 16)
def snake(text: str, fallback: str = "value") -> str:
    """``recordsLag`` → ``records_lag``; ``HTTPValidationError`` → ``http_validation_error``."""
    return _fix("_".join(w.lower() for w in _words(text)), fallback)


@functools.lru_cache(maxsize=1 << 16)
def pascal(text: str, fallback: str = "Model") -> str:
    """``pipeline-metrics.res`` → ``PipelineMetricsRes``; keeps acronyms: ``HTTPError`` → ``HTTPError``."""
    parts = []
    for word in _words(text):
        parts.append(word if word.isupper() else word[:1].upper() + word[1:])
    return _fix("".join(parts), fallback)


def field_name(api_name: str) -> str:
    """A model field or argument name for an API property name."""
    name = snake(api_name, fallback="field")
    if name.startswith("model_") or name in RESERVED_FIELD_NAMES:
        name += "_"
    if name.startswith("_"):  # pydantic treats leading underscores as private attributes
        name = "field" + name
    return name


def argument_name(api_name: str) -> str:
    """A keyword argument name for a parameter or body property."""
    name = snake(api_name, fallback="arg")
    if name in RESERVED_ARGUMENT_NAMES:
        name += "_"
    return name


def function_name(text: str) -> str:
    """An operation's function name, also its module's name: never private-looking (``2fa`` →
    ``op_2fa``: a resource class refers to the module as ``_<module>``, and a name starting with
    two underscores inside a class body is mangled), never a Windows device name."""
    name = snake(text, fallback="operation")
    if name.startswith("_"):
        name = "op" + name
    return name + "_" if name in RESERVED_FUNCTION_NAMES or name in WINDOWS_DEVICE_NAMES else name


def class_name(text: str) -> str:
    name = pascal(text, fallback="Model")
    return name + "Model" if name in RESERVED_CLASS_NAMES else name


def module_name(text: str) -> str:
    name = snake(text, fallback="module")
    return name + "_" if name in WINDOWS_DEVICE_NAMES else name


def unique(names: Iterable[str], taken: Iterable[str] = ()) -> list[str]:
    """De-duplicate names deterministically: the second ``x`` becomes ``x_2``, then ``x_3``...

    Names are resolved in the order given, so callers pass them in a stable order (source order).
    Comparison is case-insensitive, since modules become files on case-insensitive file systems.
    """
    seen = {n.lower() for n in taken}
    out: list[str] = []
    for name in names:
        candidate, n = name, 1
        while candidate.lower() in seen:
            n += 1
            candidate = f"{name}_{n}"
        seen.add(candidate.lower())
        out.append(candidate)
    return out


def key_digits(key: str) -> str:
    """The four hex digits that tell apart a name wanted by several keys (``assign``)."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:4]


def assign(
    wanted: dict[str, str],
    taken: Iterable[str] = (),
    spelled: dict[str, str] | None = None,
    suffix: dict[str, str] | None = None,
) -> dict[str, str]:
    """Names for keys (schema names, operationIds) that do not depend on which other keys exist.

    Keys whose wanted names differ (ignoring case) get them as they are. When several keys want
    the same name, the one spelled exactly like that name keeps it (``Pet`` over ``pet``; else the
    first in code-point order); each other one gets the name plus ``_`` and four hex digits of
    its key's SHA-256. ``spelled`` gives the text to compare when keys are not the names
    themselves (operations are keyed by JSON pointer, spelled by operationId); ``suffix``, a
    readable suffix to use instead of the digits (an argument's location). So inserting, removing or reordering other keys never renames a key,
    unless the new key wants the same name and is spelled exactly like it.
    """
    blocked = {n.lower() for n in taken}
    if not blocked and len({n.lower() for n in wanted.values()}) == len(wanted):
        return dict(wanted)  # the common case, every name free: as the rules below give it
    groups: dict[str, list[str]] = {}
    for key, name in wanted.items():
        groups.setdefault(name.lower(), []).append(key)
    out: dict[str, str] = {}
    for keys in groups.values():
        text = spelled or {}
        keys.sort(key=lambda k: (text.get(k, k) != wanted[k], text.get(k, k), k))
        for i, key in enumerate(keys):
            name = wanted[key]
            if i or name.lower() in blocked:
                name = f"{name}_{(suffix or {}).get(key) or key_digits(key)}"
            out[key] = name
    # A hashed name that meets another name (vanishingly rare) falls back to numbering, in key order.
    ordered = sorted(out)
    final = dict(zip(ordered, unique([out[k] for k in ordered], taken)))
    return {k: final[k] for k in wanted}
