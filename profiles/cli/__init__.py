"""The ``lantern`` command line. One module per command group; each adds its sub-commands.

To add a command: write ``profiles/cli/<name>.py`` with ``register(subparsers)`` that adds a
parser whose default ``func(args) -> int`` runs it, and list the module in ``COMMANDS``.
"""
from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = ("profiles.cli.data", "profiles.cli.serve", "profiles.cli.admin")


class UserError(Exception):
    """An error to show the user as one clear line, without a traceback."""


def build_parser() -> argparse.ArgumentParser:
    """Return the ``lantern`` argument parser with every registered command."""
    parser = argparse.ArgumentParser(
        prog="lantern",
        description="Lantern: privacy-first problem profiles and maps for partnerships "
                    "dealing with sex work and sexual exploitation.")
    from profiles import __version__
    parser.add_argument("--version", action="version", version=f"lantern {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def main(argv=None) -> int:
    """Run the ``lantern`` command; return the exit code (0 ok, 1 refused, 2 usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from data_contracts import ContractError
    from profiles.audiences import PolicyError
    from profiles.release import ReleaseError

    try:
        return int(args.func(args) or 0)
    except (UserError, ContractError, PolicyError, ReleaseError, FileNotFoundError) as exc:
        print(f"lantern {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"lantern {args.command}: interrupted", file=sys.stderr)
        return 130


def add_db_argument(parser) -> None:
    """Add the shared ``--db PATH`` option (default ``$LANTERN_DB`` or ./lantern.duckdb)."""
    parser.add_argument("--db", metavar="PATH", default=None,
                        help="database file (default: $LANTERN_DB or ./lantern.duckdb)")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
