"""``[tool.generator]`` in pyproject.toml, overridden by command-line flags → one frozen ``Config``."""

from __future__ import annotations

import keyword
import os
import re
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from .errors import GeneratorError, Problem
from .naming import WINDOWS_DEVICE_NAMES

__all__ = ["Config", "Paging", "load_config"]

_PACKAGE = re.compile(r"^[a-z_][a-z0-9_]*$")
_CLASS = re.compile(r"^[A-Z][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Paging:
    """One ``[[tool.generator.pagination]]`` entry: how an operation pages (the spec cannot say)."""

    operation: str  # the operationId
    style: str  # "page" (a page number), "offset" (an item offset) or "cursor"
    param: str  # the API name of the parameter (or body property) that selects the page
    items: str = ""  # dotted API path to the list in the response; "" when the response is the list
    next: str = ""  # cursor: dotted API path to the next cursor in the response
    size: str = ""  # page/offset: the API name of the page-size argument (a short page is the last)
    first: int = 1  # page: the number of the first page


_PAGING_STYLES = ("page", "offset", "cursor")
_PATHS = ("spec", "out", "templates")


@dataclass(frozen=True)
class Config:
    spec: Path = Path("spec/openapi.json")
    out: Path = Path("generated")
    package: str = "client"  # import name of the generated SDK
    project: str = ""  # distribution name in the SDK's pyproject.toml (default: package)
    version: str = "0.1.0"  # the SDK's own version
    client: str = "Client"  # sync client class name
    async_client: str = ""  # async client class name (default: "Async" + client)
    env_prefix: str = ""  # STREAMKAP → STREAMKAP_API_TOKEN, STREAMKAP_BASE_URL
    regenerate: str = "make generate"  # the command named in each generated file's header
    root: Path = Path(".")  # the project folder (where pyproject.toml is); paths are shown from it
    pagination: tuple[Paging, ...] = ()  # opt-in iterators over paged operations
    templates: Path | None = None  # a folder of templates overriding the built-in ones, file by file
    changelog: bool = False  # keep <out>/CHANGELOG.md and bump the version on each change (see changelog.py)

    @property
    def spec_shown(self) -> str:
        """The spec's path as the project sees it (from its root, no absolute paths)."""
        spec = self.spec.absolute()
        try:
            return spec.relative_to(self.root.absolute()).as_posix()
        except ValueError:
            return spec.name

    @property
    def out_name(self) -> str:
        """The output folder's name, however ``out`` is spelled (``.``, ``x/..``): the same output."""
        return folder_name(self.out)

    @property
    def async_client_name(self) -> str:
        return self.async_client or "Async" + self.client

    @property
    def project_name(self) -> str:
        return self.project or self.package.replace("_", "-")

    @property
    def env(self) -> str:
        return self.env_prefix or self.package.upper()

    def check(self) -> None:
        problems = []
        if self.templates is not None and not self.templates.is_dir():
            problems.append(Problem("#/tool/generator/templates", f"{self.templates} is not a folder"))
        if not _PACKAGE.fullmatch(self.package) or keyword.iskeyword(self.package) or self.package in ("generator", "tests"):
            problems.append(Problem("#", f"package {self.package!r} is not a valid lower-case import name"))
        elif self.package in WINDOWS_DEVICE_NAMES:
            problems.append(Problem("#", f"package {self.package!r} is a device name on Windows: it cannot be a folder there"))
        for key in ("client", "async_client_name"):
            value = getattr(self, key)
            if not _CLASS.fullmatch(value) or keyword.iskeyword(value):
                problems.append(Problem("#", f"{key} {value!r} is not a valid class name"))
        if not re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?", self.project_name):
            problems.append(Problem("#", f"project {self.project_name!r} is not a valid distribution name"))
        if not re.fullmatch(r"[A-Z][A-Z0-9_]*", self.env):
            problems.append(Problem("#", f"env_prefix {self.env!r} must be upper-case letters, digits and _"))
        if not re.fullmatch(r"[0-9]+(\.[0-9]+)*([a-z]+[0-9]*)?", self.version):
            problems.append(Problem("#", f"version {self.version!r} is not a version number"))
        if problems:
            raise GeneratorError("[tool.generator]", problems)


def folder_name(path: Path) -> str:
    """A folder's name however its path is spelled (``.``, ``x/..``), links not resolved."""
    return os.path.basename(os.path.abspath(path))


def load_config(pyproject: Path | None, *, required: bool = False, **overrides: Any) -> Config:
    """Read ``[tool.generator]`` (paths relative to the pyproject's folder), then apply flags.
    ``required``: the file was named (``--config``): its absence is an error, not the defaults
    (a misspelt name would otherwise generate another package and remove this one's files)."""
    if required and pyproject is not None and not pyproject.is_file():
        raise GeneratorError(str(pyproject), [Problem("#", "no such configuration file")])
    config = Config()
    if pyproject is not None and pyproject.is_file():
        try:
            with pyproject.open("rb") as f:
                table = tomllib.load(f).get("tool", {}).get("generator", {})
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise GeneratorError(str(pyproject), [Problem("#", f"cannot read the configuration: {exc}")]) from None
        known = {f.name for f in fields(Config)} - {"root"}
        unknown = sorted(set(table) - known)
        problems = [Problem("#/tool/generator", f"unknown keys: {', '.join(unknown)}")] if unknown else []
        problems += [
            Problem(f"#/tool/generator/{k}", f"must be a string, not {type(v).__name__}")
            for k, v in table.items()
            if k in known and k not in ("pagination", "changelog") and not isinstance(v, str)
        ]
        if "changelog" in table and not isinstance(table["changelog"], bool):
            problems.append(Problem("#/tool/generator/changelog", "must be true or false"))
        paging, paging_problems = _pagination(table.get("pagination", []))
        problems += paging_problems
        if problems:
            raise GeneratorError(str(pyproject), problems)
        base = pyproject.parent
        values: dict[str, Any] = {k: (base / v if k in _PATHS else v) for k, v in table.items()}
        values["pagination"] = paging
        config = replace(config, **values, root=base)
    flags: dict[str, Any] = {k: (Path(v) if k in _PATHS else v) for k, v in overrides.items() if v is not None}
    config = replace(config, **flags)
    config.check()
    return config


def _pagination(entries: Any) -> tuple[tuple[Paging, ...], list[Problem]]:
    """``[[tool.generator.pagination]]`` tables → ``Paging`` entries, or the problems with them."""
    where = "#/tool/generator/pagination"
    if not isinstance(entries, list):
        return (), [Problem(where, "must be an array of tables ([[tool.generator.pagination]])")]
    out: list[Paging] = []
    problems: list[Problem] = []
    names = {f.name for f in fields(Paging)}
    for i, entry in enumerate(entries):
        at = f"{where}/{i}"
        if not isinstance(entry, dict):
            problems.append(Problem(at, "must be a table"))
            continue
        unknown = sorted(set(entry) - set(names))
        missing = [k for k in ("operation", "style", "param") if k not in entry]
        if unknown or missing:
            parts = ([f"unknown keys: {', '.join(unknown)}"] if unknown else []) + ([f"missing: {', '.join(missing)}"] if missing else [])
            problems.append(Problem(at, "; ".join(parts)))
            continue
        wrong = [k for k, v in entry.items() if not isinstance(v, int if k == "first" else str) or isinstance(v, bool)]
        if wrong:
            problems.extend(Problem(f"{at}/{k}", "must be an integer" if k == "first" else "must be a string") for k in wrong)
            continue
        paging = Paging(**entry)
        if paging.style not in _PAGING_STYLES:
            problems.append(Problem(f"{at}/style", f"must be one of {', '.join(_PAGING_STYLES)}, not {paging.style!r}"))
        elif paging.style == "cursor" and not paging.next:
            problems.append(Problem(f"{at}/next", "a cursor style needs next: the response field holding the next cursor"))
        else:
            out.append(paging)
    return tuple(out), problems
