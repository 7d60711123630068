"""Problems found in the input, reported together with their JSON pointers."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Problem", "GeneratorError", "pointer", "escape_token"]


def escape_token(token: str | int) -> str:
    """Escape one JSON pointer reference token (RFC 6901)."""
    text = str(token)
    return text.replace("~", "~0").replace("/", "~1") if "~" in text or "/" in text else text


def pointer(*tokens: str | int) -> str:
    """Build a JSON pointer fragment such as ``#/paths/~1pipelines~1metrics/post``."""
    return "#" + "".join("/" + escape_token(t) for t in tokens)


@dataclass(frozen=True)
class Problem:
    """One problem at one place in the document."""

    where: str  # a JSON pointer fragment, "#/..."
    message: str
    severity: str = "error"  # "error" stops generation, "warning" does not

    def format(self, source: str) -> str:
        text = " ".join(self.message.split())
        prefix = "" if self.severity == "error" else "warning: "
        return f"{prefix}{source}{self.where}: {text}"


class GeneratorError(Exception):
    """Raised with every problem found; the CLI prints one line per problem and exits 2."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(p.format(source) for p in problems))

    def __reduce__(self) -> tuple[type[GeneratorError], tuple[str, list[Problem]]]:
        return (type(self), (self.source, self.problems))  # crosses process boundaries intact
