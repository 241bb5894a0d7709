"""Command-line entry point.

Each module in `platformctl.commands` defines `register(subparsers)`, which adds its subcommand and
sets `func` (a callable taking the parsed namespace and returning an exit code). Discovering the
modules keeps this file free of a list every new command would have to edit.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from platformctl import commands
from platformctl.errors import PlatformError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="platformctl",
        description="Render, validate and operate the data platform's GitOps repository.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{module_info.name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except PlatformError as error:
        print(f"platformctl {args.command}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"platformctl {args.command}: interrupted", file=sys.stderr)
        return 130
