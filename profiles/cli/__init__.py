"""The ``lantern`` command line. One module per command group; each adds its sub-commands.

To add a command: write ``profiles/cli/<name>.py`` with ``register(subparsers)`` that adds a
parser whose default ``func(args) -> int`` runs it, and list the module in ``COMMANDS``.
"""
from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = ("profiles.cli.data", "profiles.cli.serve", "profiles.cli.admin",
            "profiles.cli.analyses", "profiles.cli.plans", "profiles.cli.pack",
            "profiles.cli.recipe")


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
    """Run the ``lantern`` command; return the exit code (0 ok, 1 refused, 2 usage).

    Run as the command itself (``argv`` None), the process first makes what it writes
    private (:func:`keep_files_private`).
    """
    if argv is None:
        keep_files_private()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from data_contracts import ContractError
    from profiles.release import PolicyError
    from profiles.release import ReleaseError

    import os

    try:
        code = int(args.func(args) or 0)
    except (UserError, ContractError, PolicyError, ReleaseError, FileNotFoundError) as exc:
        print(f"lantern {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"lantern {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - never a traceback for the user
        if os.environ.get("LANTERN_DEBUG"):
            raise
        first = str(exc).splitlines()[0] if str(exc) else ""
        print(f"lantern {args.command}: failed ({type(exc).__name__}: {first[:300]}). "
              f"Nothing was changed by a failed ingest. Set LANTERN_DEBUG=1 to see the "
              f"details, and report it.", file=sys.stderr)
        return 1
    if code == 0 and getattr(args, "out", None):
        _audit_export(args)
    return code


def keep_files_private() -> None:
    """Make this process's files private, and let ``SIGTERM`` end it cleanly.

    * The umask gains 077, so every file the process or a library it calls makes (DuckDB's
      ``.wal`` as it appears, a folder of demo data) is readable by its owner only, even
      where a writer did not ask; the writers ask anyway
      (:mod:`data_contracts.private_files`). ``lantern serve`` hands the umask on to the
      server it becomes.
    * ``SIGTERM`` (``kill``, systemd stopping a service) exits as an interrupt does: an ingest
      part-way removes its copy of the store (:func:`profiles.store.updating`) instead of
      leaving it behind.
    """
    import os
    import signal

    os.umask(os.umask(0o077) | 0o077)

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def _audit_export(args) -> None:
    """Record a file written by a command (type, area, period, audience) in the audit log."""
    from pathlib import Path

    from profiles.governance import audit
    from profiles.release import default_db_path

    db = Path(args.db) if getattr(args, "db", None) else default_db_path()
    period = " to ".join(str(v) for v in (getattr(args, "start", None),
                                          getattr(args, "end", None)) if v) or \
        getattr(args, "period", None)
    audit.record(db, user=audit.local_user(), action="export",
                 audience=getattr(args, "audience", None), what=args.command,
                 format=Path(str(args.out)).suffix.lstrip(".") or
                 str(getattr(args, "format", "") or ""),
                 area=str(getattr(args, "area", None) or "whole force")[:200],
                 period=str(period) if period else None)


def add_db_argument(parser) -> None:
    """Add the shared ``--db PATH`` option (default ``$LANTERN_DB`` or ./lantern.duckdb)."""
    parser.add_argument("--db", metavar="PATH", default=None,
                        help="database file (default: $LANTERN_DB or ./lantern.duckdb)")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
