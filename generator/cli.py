"""Command line: argument parsing only; each command calls the stages and maps errors to exits.

Exit codes: 0 success (check: no drift), 1 drift, 2 an error in the input or the configuration.
The stages are imported by the commands that use them: a ``check`` that finds no input changed
loads neither the YAML parser, the validator, jinja2 nor black.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .check import causes, compare, unchanged
from .config import Config, load_config
from .errors import GeneratorError
from .inputs import fingerprint

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sdk-generator", description="OpenAPI → typed Python SDK")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("generate", "write the SDK"), ("check", "fail when the SDK on disk differs from the spec")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--config", type=Path, help="pyproject.toml with [tool.generator] (default: ./pyproject.toml, if any)")
        p.add_argument("--spec", help="the OpenAPI document (JSON or YAML)")
        p.add_argument("--out", help="the output folder")
        p.add_argument("--package", help="the SDK's import name")
        p.add_argument("--client", help="the sync client class name")
        p.add_argument("--async-client", dest="async_client", help="the async client class name")
        p.add_argument("--env-prefix", dest="env_prefix", help="prefix of the SDK's environment variables")
        p.add_argument("--sdk-version", dest="version", help="the SDK's version")
        p.add_argument("--templates", help="a folder of templates overriding the built-in ones, file by file")
        p.add_argument(
            "--changelog",
            action="store_true",
            default=None,
            help="add each change for SDK users to <out>/CHANGELOG.md and bump the SDK version by it",
        )
        p.add_argument("-q", "--quiet", action="store_true")
        if name == "check":
            p.add_argument("--full", action="store_true", help="regenerate even when the manifest shows that no input changed")
    p = sub.add_parser("vendor", help="extract, merge, validate and store OpenAPI documents as one canonical JSON file")
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="a JSON/YAML file, a Markdown page, or an http(s) URL of one")
    p.add_argument("-o", "--output", type=Path, default=Path("spec/openapi.json"))
    p = sub.add_parser("diff", help="compare two OpenAPI documents as users of the SDK see them (exit 1: something breaks)")
    p.add_argument("old", type=Path, help="the OpenAPI document before (JSON or YAML)")
    p.add_argument("new", type=Path, help="the OpenAPI document after")
    p.add_argument("--format", choices=("md", "json"), default="md", help="Markdown (default) or JSON")
    return parser


def _config(args: argparse.Namespace) -> Config:
    keys = ("spec", "out", "package", "client", "async_client", "env_prefix", "version", "templates", "changelog")
    named = args.config is not None
    return load_config(args.config if named else Path("pyproject.toml"), required=named, **{k: getattr(args, k) for k in keys})


# The last run's result stays referenced: ``python -m generator`` then exits without freeing a
# large spec's parsed document and IR object by object (a tenth of a second on GitHub's spec).
_kept: list[object] = []


def _generate(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    config = _config(args)
    from .pipeline import generate

    result, summary = generate(config)
    _kept[:] = [result]  # see ``_kept``
    for warning in result.warnings:
        print(warning.format(result.source), file=sys.stderr)
    for path in summary.kept:
        print(f"warning: {config.out / path}: no longer generated, but edited by hand: kept", file=sys.stderr)
    if not args.quiet:
        api = result.api
        print(
            f"{result.source} → {config.out}/ ({config.package})\n"
            f"  operations: {len(api.operations)} in {len(api.tags)} namespaces "
            f"({', '.join(t.attribute for t in api.tags)})\n"
            f"  models: {len(api.models)} classes, {len(api.aliases)} aliases\n"
            f"  files: {len(summary.written)} written, {len(summary.unchanged)} unchanged, "
            f"{len(summary.removed)} removed\n"
            f"  warnings: {len(result.warnings)}\n"
            + (f"  incremental: {len(result.replayed)} changed paths rebuilt, the rest replayed\n" if result.unchanged else "")
            + f"  time: {time.perf_counter() - started:.2f} s"
        )
    return 0


def _check(args: argparse.Namespace) -> int:
    config = _config(args)
    inputs = fingerprint(config)
    verified = None if args.full else unchanged(config.out, inputs)
    if verified is not None:
        if not args.quiet:
            print(f"{config.out}/ matches {config.spec_shown}: no input changed since it was generated, {verified} files verified by hash")
        return 0
    from .pipeline import run

    result = run(config, trust_manifest=not args.full)
    drift = compare(config.out, result.files, result.spec_sha256, result.sources, result.inputs)
    if drift.clean:
        if not args.quiet:
            for path in drift.untracked:
                print(f"note: not generated (kept as the user's): {config.out / path}")
            print(f"{config.out}/ matches {result.source}: {len(result.files) + 1} files, no drift")
        return 0
    print(drift.report())
    for cause in causes(config.out, result.inputs):
        print(f"cause: {cause}")
    print(f"run `{config.regenerate}` and commit the result", file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "vendor":
            from .vendor import vendor

            print(vendor(args.sources, args.output).summary())
            return 0
        if args.command == "diff":
            from .diff import command

            return command(args)
        return _generate(args) if args.command == "generate" else _check(args)
    except GeneratorError as exc:
        for problem in exc.problems:
            print(problem.format(exc.source), file=sys.stderr)
        return 2
    except OSError as exc:  # the output folder cannot be written (a file in the way, permissions)
        print(f"{exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
