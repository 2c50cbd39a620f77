"""The `lantai` command line. Each app adds its subcommands through a ``register`` function
in its own ``cli`` module, listed in COMMAND_MODULES; commands call services, never models
directly."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

COMMAND_MODULES = [
    "lantai.core.cli",
    "lantai.accounts.cli",
    "lantai.audit.cli",
    "lantai.ingest.cli",
    "lantai.search.cli",
    "lantai.catalog.cli",
]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantai.settings")
    import django

    django.setup()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lantai", description="兰台 Lantai — digital archives system")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from lantai import __version__

        print(__version__)
        return 0
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    if getattr(args, "needs_django", True):
        from django.core.exceptions import ImproperlyConfigured

        from lantai.conf import ConfigurationError

        try:
            setup_django()
        except (ImproperlyConfigured, ConfigurationError) as exc:
            # A missing key or a bad LANTAI_* value is an operator's fix, not a traceback.
            print(f"配置错误 configuration error: {exc}", file=sys.stderr)
            return 1
    from lantai.core.errors import LantaiError

    try:
        result = args.func(args)
    except LantaiError as exc:
        print(f"错误 error [{exc.code}]: {exc.message}", file=sys.stderr)
        if exc.details:
            print(exc.details, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return int(result or 0)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
