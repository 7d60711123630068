"""Long lines split the way black splits them, so that most files need no black at all.

black is most of a cold ``generate``'s time, and about 70 % of black's time on a file is parsing
it, whether or not anything changes. A file whose code lines all fit needs no black: black leaves
such a file unchanged when the templates are in black's style, which the tests check on every
corpus spec (``tests/generator/test_layout.py``) and ``bench/public_specs.py`` checks on large
public specs. This module splits the long lines the templates produce in a few simple shapes, as
black would, and says which files still need black (any other long code line); those are still
formatted by black, so an unfamiliar shape costs time, never a difference in the output.

Shapes split here (``LINE_LENGTH`` columns, four spaces an indent):

- ``from m import name as name``, too long: the name in parentheses on its own line, with a
  trailing comma, as black splits imports.
- ``name = dotted.name``, too long: the right-hand side in parentheses on its own line.
- ``name: A | B = default`` (a model field, or a parameter ending with ``,``): the annotation
  in parentheses, on one line or one ``| member`` per line, a member split at its subscript when
  it is still too long; a field's default in parentheses instead when that fits.
- ``Name: TypeAlias = A | B | ...``: the union in parentheses, the same way.
- a line that ends with a bracketed group (``x = {...}``, ``x: T = Field(...)``, ``call(...)``,
  ``key={...},`` inside a call): a call's arguments or a subscript on one line when they fit,
  otherwise (and a display's items always) one item per line with a trailing comma; the part
  before the bracket and the closing part must fit. ``return f(...)`` is split as ``x = f(...)``.
- ``def f(self) -> T:``, too long: the one parameter on its own line, with a trailing comma.
"""

from __future__ import annotations

import re

__all__ = ["LINE_LENGTH", "lay_out", "long_statements", "needs_black", "presplit"]

LINE_LENGTH = 100


def _width(line: str) -> int:
    """Columns, as black counts them (``black.strings.str_width``): East Asian wide characters
    take two, combining ones none. Imported only for a line that is not ASCII."""
    if line.isascii() or 2 * len(line) <= LINE_LENGTH:  # no character takes more than two
        return len(line)
    from black.strings import str_width

    return int(str_width(line))


def _has_long_line(source: str) -> bool:
    return any(_width(line) > LINE_LENGTH for line in source.split("\n"))


_INDENT = "    "

# A line's tokens: string literals, brackets, commas, and runs of anything else.
_TOKEN = re.compile(r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|[()\[\]{}]|,|[^"'()\[\]{},]+""")
_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = {")", "]", "}"}
_IMPORT = re.compile(r"from [\w.]+ import \w+(?: as \w+)?")
_ASSIGN_DOTTED = re.compile(r"(\w+) = ([\w.]+)")
_DOTTED = re.compile(r"[\w.]*")
_PARAM_SUBSCRIPT = re.compile(r"\w+: [\w.]+")
_IMPORT_OPEN = re.compile(r"from [\w.]+ import \(")
_ITEM = re.compile(r"""(?:\w+ as \w+|(?:\w+=)?[\w.]+|(?:\w+=)?[fr]?"(?:[^"\\]|\\.)*"|"(?:[^"\\]|\\.)*": [\w.]+),?""")
_DEF = re.compile(r"((?:async )?def \w+\()(\w+(?:: [\w.]+)?)(\) -> [\w.]+:)")
_ALIAS = re.compile(r"(\w+): TypeAlias = ")
_FOR = re.compile(r"(?:^|\s)for\s")
_BLOCK = re.compile(r"(?:async |def |class |if |elif |else|for |while |with |try|except|finally|lambda|@)")


def _code_lines(source: str) -> list[tuple[int, bool]]:
    """(index, is code) for each line: the lines of a docstring after its first are not code
    (black never splits them). The templates put a docstring's opening quotes at the start of a
    line, and its closing quotes at the end of one; spec text inside a docstring is escaped so
    that it never holds three quotes in a row. Any other triple-quoted string stays code, so a
    long line in it is left for black."""
    marks: list[tuple[int, bool]] = []
    inside = False
    for index, line in enumerate(source.split("\n")):
        stripped = line.strip()
        marks.append((index, not inside))
        if inside:
            inside = not stripped.endswith('"""')
        elif stripped.startswith('"""'):
            inside = len(stripped) < 6 or not stripped.endswith('"""')
    return marks


def needs_black(source: str) -> bool:
    """Whether black could change the file: a code line is longer than ``LINE_LENGTH`` and has a
    shape black splits (``_unsplittable`` lists the ones it cannot)."""
    return _walk(source, split=False)[1]


def lay_out(source: str) -> tuple[str, bool]:
    """``(presplit(source), needs_black(presplit(source)))``, reading the lines once when no line
    was split (the walk that splits then finds what ``needs_black`` would)."""
    if not _has_long_line(source):
        return source, False
    text, remains = _walk(source, split=True)
    return (text, remains) if text == source else (text, needs_black(text))


def presplit(source: str) -> str:
    """The source with each too-long code line of a known shape split as black splits it."""
    if not _has_long_line(source):
        return source
    return _walk(source, split=True)[0]


def long_statements(source: str) -> list[tuple[int, int]] | None:
    """The statements (first line, line after the last) that hold a code line black would still
    split, in order; None when a line cannot be read here (black then reads the whole file). A
    statement is a top-level bracket group with the lines that open and close it."""
    lines = source.split("\n")
    found: list[tuple[int, int]] = []
    depth, start, long = 0, 0, False
    for index, code in _code_lines(source):
        line = lines[index]
        if not code and _width(line) > LINE_LENGTH and line.endswith('"""'):
            return None  # a docstring's closing quotes to move: black reads the whole file
        if not code or line.lstrip().startswith(('"""', "#")):  # a docstring's first line, a comment
            continue
        tokens = _tokens(line.strip())
        if tokens is None:
            return None
        if depth == 0:
            start, long = index, False
        if _width(line) > LINE_LENGTH and not _unsplittable(line.strip(), tokens, depth > 0):
            long = True
        depth += sum(1 for t in tokens if t in _OPEN) - sum(1 for t in tokens if t in _CLOSE)
        if depth < 0:
            return None
        if depth == 0 and long:
            found.append((start, index + 1))
            long = False
    return None if depth else found


def _walk(source: str, split: bool) -> tuple[str, bool]:
    """(the source with known shapes split when ``split``, whether a too-long line remains that
    black would split)."""
    lines = source.split("\n")
    out: list[str] = []
    depth = 0  # open brackets before this line (the templates' own line breaks)
    remains = False
    for index, code in _code_lines(source):
        line = lines[index]
        tokens = _tokens(line.strip()) if code else None
        if not code and _width(line) > LINE_LENGTH and line.endswith('"""'):
            remains = True  # black moves a docstring's closing quotes to a line of their own
            out.append(line)
        elif code and _width(line) > LINE_LENGTH and not _unsplittable(line.strip(), tokens, depth > 0):
            done = _split(line, tokens, depth > 0) if split and tokens is not None else None
            out.extend(done if done is not None else [line])
            remains = remains or done is None
        else:
            out.append(line)
        if tokens is not None:
            depth += sum(1 for t in tokens if t in _OPEN) - sum(1 for t in tokens if t in _CLOSE)
    return "\n".join(out), remains


def _unsplittable(code: str, tokens: list[str] | None, in_brackets: bool) -> bool:
    """Long lines black leaves as they are: a docstring's first line (a docstring is never split),
    a comment on a line of its own, the opening line of an import it already split, and, inside
    brackets, one item that is a name, ``name as name``, a dotted name, a string, ``key=name``,
    ``key="..."`` or ``"key": name``."""
    if code.startswith(('"""', "#")) or tokens is None:  # a docstring's first line, a comment
        return code.startswith(('"""', "#"))
    if not in_brackets:
        return _IMPORT_OPEN.fullmatch(code) is not None
    return _ITEM.fullmatch(code) is not None


def _tokens(code: str) -> list[str] | None:
    tokens = _TOKEN.findall(code)
    return tokens if "".join(tokens) == code else None


def _split(line: str, tokens: list[str], in_brackets: bool) -> list[str] | None:
    pad = line[: len(line) - len(line.lstrip(" "))]
    code = line.strip()
    signature = _DEF.fullmatch(code)
    if signature is not None:  # ``def f(self) -> T:``: the one parameter on its own line
        head, parameter, tail = signature.groups()
        lines = [pad + head, f"{pad}{_INDENT}{parameter},", pad + tail]
        return lines if all(_width(line) <= LINE_LENGTH for line in lines) else None
    if any("#" in t or '"""' in t for t in tokens if t[0] not in "\"'") or _BLOCK.match(code):
        return None  # comments, blocks and definitions: black's other rules
    if not in_brackets and _IMPORT.fullmatch(code):
        head, name = code.split(" import ")
        return [f"{pad}{head} import (", f"{pad}{_INDENT}{name},", f"{pad})"]
    assign = _ASSIGN_DOTTED.fullmatch(code)
    if not in_brackets and assign is not None:
        lines = [f"{pad}{assign.group(1)} = (", f"{pad}{_INDENT}{assign.group(2)}", f"{pad})"]
        # black keeps a single name that does not fit in the parentheses either as it is
        return lines if "." in assign.group(2) or _width(lines[1]) <= LINE_LENGTH else None
    annotated = _split_annotation(pad, code, in_brackets)
    if annotated is not None:
        return annotated
    if not in_brackets and _ALIAS.match(code):
        return _split_alias(pad, code)
    return _split_group(pad, tokens, in_brackets)


def _split_alias(pad: str, code: str) -> list[str] | None:
    """``Name: TypeAlias = A | B | ...``: the union in parentheses, on one line if it fits there,
    else one ``| member`` per line (a member split at its subscript when it is still too long)."""
    head = _ALIAS.match(code)
    assert head is not None
    value = code[head.end() :]
    bars = [m.start() for m in re.finditer(r" \| ", _mask(value))]
    if not bars or value[-1:] in _CLOSE:
        return None  # no union, or one that ends with a bracket: black's other rules
    return _parenthesized(pad, code[: head.end()] + "(", value, bars, ")")


def _mask(code: str) -> str:
    """``code`` with the inside of every string and bracket pair replaced by ``_`` (same length):
    what is left is the line's top level."""
    masked = list(code)
    depth = 0
    for match in _TOKEN.finditer(code):
        t = match.group()
        if t in _CLOSE:
            depth -= 1
        if depth > 0 or t[0] in "\"'":
            start = match.start() + (0 if depth > 0 else 1)
            end = match.end() - (0 if depth > 0 else 1)
            masked[start:end] = "_" * (end - start)
        if t in _OPEN:
            depth += 1
    return "".join(masked)


def _split_annotation(pad: str, code: str, in_brackets: bool) -> list[str] | None:
    """``name: A | B = default`` (a field, or a parameter ending with ``,``) whose default has no
    brackets: black puts a union annotation in parentheses, on one line if it fits there, else
    one ``| member`` per line; a field's default goes in parentheses instead when
    ``name: A | B = (`` fits."""
    top = _mask(code)
    head = re.match(r"(\w+): ", top)
    if head is None:
        return None
    comma = "," if in_brackets else ""
    if comma and not top.endswith(","):
        return None
    end = len(top) - len(comma)
    equals = top.find(" = ", head.end(), end)
    stop = equals if equals >= 0 else end
    annotation = code[head.end() : stop]
    if any(b in top[stop:end] for b in "([{") or annotation[-1:] in _CLOSE:
        return None  # a default with brackets, or black's other rules
    bars = [m.start() for m in re.finditer(r" \| ", top[head.end() : stop])]
    if not bars:
        return None
    inner = pad + _INDENT
    if not in_brackets and top.endswith(","):
        return None  # a parameter the caller did not see inside brackets: black's to split
    if not in_brackets and equals >= 0 and _width(f"{pad}{code[:equals]} = (") <= LINE_LENGTH:
        # a field's default is in invisible parentheses: black splits there first when it can
        value = inner + code[equals + 3 :]
        return [f"{pad}{code[:equals]} = (", value, f"{pad})"] if _width(value) <= LINE_LENGTH else None
    return _parenthesized(pad, f"{head.group(1)}: (", annotation, bars, f"){code[stop:]}")


def _parenthesized(pad: str, opening: str, union: str, bars: list[int], closing: str) -> list[str] | None:
    """``opening`` (ending with ``(``), the union (``bars``: where its top-level `` | `` are), then
    ``closing``: the union on one line if it fits, else one ``| member`` per line."""
    inner = pad + _INDENT
    body: list[str] = [inner + union]
    if _width(body[0]) > LINE_LENGTH:
        body = []
        for a, b in zip([0, *bars], [*bars, len(union)]):
            lines = _split_member(inner, union[a:b].removeprefix(" "))
            if lines is None:
                return None
            body.extend(lines)
    lines = [pad + opening, *body, pad + closing]
    return None if any(_width(line) > LINE_LENGTH for line in lines) else lines


def _split_member(pad: str, member: str) -> list[str] | None:
    """One member of a split union (``Literal[...]`` or ``| Literal[...]``): as it is when it
    fits, else split at its subscript: the items on one line if they fit, else one per line."""
    if _width(pad + member) <= LINE_LENGTH:
        return [pad + member]
    found = re.fullmatch(r"(\| )?[\w.]+\[(.*)\]", member)
    if found is None or _mask(member)[found.start(2) : found.end(2)].strip("_"):
        return None  # not one subscript that ends the member
    tokens = _tokens(found.group(2))
    if tokens is None:
        return None
    return _bracketed(pad + member[: found.start(2)], _items(tokens), pad + "]", pad + _INDENT, explode=False)


def _items(tokens: list[str]) -> list[str]:
    """A group's items: its tokens split at its own commas (not those of nested brackets)."""
    items: list[list[str]] = [[]]
    nested = 0
    for t in tokens:
        if t == "," and nested == 0:
            items.append([])
            continue
        nested += (t in _OPEN) - (t in _CLOSE)
        items[-1].append(t)
    return ["".join(item).strip() for item in items]


def _bracketed(head: str, parts: list[str], tail: str, inner: str, explode: bool) -> list[str] | None:
    """``head`` (ending with the opening bracket), the items, ``tail``: the items on one line when
    they fit and ``explode`` is false, else one per line with a trailing comma; None when an
    item is empty (a trailing comma black keeps exploded) or a line would still be too long."""
    if not parts or not all(parts) or _width(head) > LINE_LENGTH or _width(tail) > LINE_LENGTH:
        return None
    one_line = inner + ", ".join(parts)
    if _width(one_line) <= LINE_LENGTH and not explode:
        return [head, one_line, tail]
    if len(parts) == 1:  # one item too long for its own line: black leaves it so, without a comma
        return [head, one_line, tail] if _ITEM.fullmatch(parts[0]) else None
    body = [f"{inner}{part}," for part in parts]
    too_long = any(_width(line) > LINE_LENGTH and not _ITEM.fullmatch(line.strip()) for line in body)
    return None if too_long else [head, *body, tail]


def _split_group(pad: str, tokens: list[str], in_brackets: bool) -> list[str] | None:
    """A line ending with a bracketed group (and ``,`` inside brackets): split at that group."""
    end = len(tokens)
    if in_brackets:  # one item of an exploded call, literal or signature: it ends with a comma
        if tokens[-1] != ",":
            return None
        end -= 1
    if end == 0 or tokens[end - 1] not in _CLOSE:
        return None
    depth, opening = 0, -1
    for i in range(end - 1, -1, -1):  # back to the bracket that opens the last group
        t = tokens[i]
        if t in _CLOSE:
            depth += 1
        elif t in _OPEN:
            depth -= 1
            if depth == 0:
                opening = i
                break
        if depth < 0:
            return None
    if opening <= 0 or _OPEN[tokens[opening]] != tokens[end - 1]:
        return None
    head_tokens, body_tokens = tokens[: opening + 1], tokens[opening + 1 : end - 1]
    if any(t == "," for t in _top_level(head_tokens)) or not _head_is_simple(head_tokens, in_brackets):
        return None
    if any(_FOR.search(t) for t in _top_level([*body_tokens, "("]) if t[0] not in "\"'"):
        return None  # a comprehension: black splits it at ``for`` and ``if``, not at commas
    head = "".join(head_tokens).rstrip()
    parts = _items(body_tokens)
    # A display (list, dict, set, tuple: not a call's or a subscript's brackets) with several
    # items is always exploded, one item per line; a call's arguments stay on one line if they fit.
    display = head[:-1].rstrip()[-1:] in ("", "=", "(", "[", "{", ",", ":")
    tail = "".join(tokens[end - 1 :])
    return _bracketed(pad + head, parts, pad + tail, pad + _INDENT, explode=display and len(parts) > 1)


def _top_level(tokens: list[str]) -> list[str]:
    """The tokens outside any bracket (the opening bracket at the end excluded)."""
    depth, found = 0, []
    for t in tokens[:-1]:
        if t in _OPEN:
            depth += 1
        elif t in _CLOSE:
            depth -= 1
        elif depth == 0:
            found.append(t)
    return found


def _head_is_simple(tokens: list[str], in_brackets: bool) -> bool:
    """What comes before the group is a plain call, subscript or display: ``name = `` or
    ``name: T = `` then a dotted name or nothing; ``key=`` inside brackets; ``return`` and a
    dotted name, then a call; or a dotted name. On
    anything else (operators, several assignments, lambdas) black may choose another split."""
    text = "".join(_top_level(tokens))
    if tokens[-1] == "[" and _PARAM_SUBSCRIPT.fullmatch(text):
        return True  # an annotation that is one subscript, no default: ``name: Literal[``
    if text.startswith("return ") and tokens[-1] == "(":  # ``return f(``: as ``x = f(``
        return _DOTTED.fullmatch(text[len("return ") :]) is not None and text != "return "
    if in_brackets:
        key, sep, rest = text.partition("=")
        return bool(sep) and key.isidentifier() and rest == "" or (not sep and _DOTTED.fullmatch(text) is not None)
    if " = " in text:
        target, _, rest = text.rpartition(" = ")
        return " = " not in target and "=" not in rest and _DOTTED.fullmatch(rest) is not None and ("(" not in tokens[-1] or rest != "")
    return _DOTTED.fullmatch(text) is not None and text != ""
