"""The ``lantern`` command line. One module per command group; each adds its sub-commands.

To add a command: write ``profiles/cli/<name>.py`` with ``register(subparsers)`` that adds its
parser with :func:`command` (which names the ``func(args) -> int`` that runs it), and list the
module in ``COMMANDS``.
"""
from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import inspect
import sys

COMMANDS = ("profiles.cli.data", "profiles.cli.serve", "profiles.cli.admin",
            "profiles.cli.analyses", "profiles.cli.plans", "profiles.cli.pack",
            "profiles.cli.recipe", "profiles.cli.protection", "profiles.cli.backup",
            "profiles.cli.doctor", "profiles.cli.describe")


#: True once :func:`main` runs as the ``lantern`` command itself (not called from a test).
_AS_COMMAND = False


@contextlib.contextmanager
def lasting_imports():
    """Import what a command needs for the rest of the process: run as the command, with no
    garbage collection meanwhile, and none walking what was imported again afterwards
    (``gc.freeze``). Called from tests, nothing changes."""
    if not _AS_COMMAND:
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


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
    global _AS_COMMAND
    if argv is None:
        keep_files_private()
        _AS_COMMAND = True
    with lasting_imports():
        parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    import os

    try:
        code = int(args.func(args) or 0)
    except KeyboardInterrupt:
        print(f"lantern {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - never a traceback for the user
        if isinstance(exc, _said_plainly()):
            print(f"lantern {args.command}: {exc}", file=sys.stderr)
            return 1
        if os.environ.get("LANTERN_DEBUG"):
            raise
        first = str(exc).splitlines()[0] if str(exc) else ""
        print(f"lantern {args.command}: failed ({type(exc).__name__}: {first[:300]}). "
              f"Nothing was changed by a failed ingest. Set LANTERN_DEBUG=1 to see the "
              f"details, and report it.", file=sys.stderr)
        return 1
    if code == 0:
        _audit_command(args)
    return code


def _said_plainly() -> tuple:
    """The errors a command reports as one line of plain words (a refused file, a policy or
    release refusal, a missing file, a store too old). Imported only once a command has
    failed, so that a command imports no more than it needs before it starts its work."""
    from data_contracts import ContractError
    from profiles.release import PolicyError, ReleaseError
    from profiles.store.database import StoreTooOld

    return UserError, ContractError, PolicyError, ReleaseError, FileNotFoundError, StoreTooOld


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


#: Commands that show released figures: written to a file they are a disclosure (``export``),
#: printed they are a consultation (``view``).
SHOWS_FIGURES = ("release", "hotspots", "change", "coverage", "premises", "profile", "patrols",
                 "displacement", "evaluate")
#: Commands that combine feeds or zones into one result (DPA 2018 s.62 "combination").
COMBINES = ("evaluate", "patrols")


def _audit_command(args) -> None:
    """Record what a command disclosed (a file: type, area, period, audience, marking), showed
    (printed figures) or combined, in the audit log — never its content."""
    from pathlib import Path

    from profiles.governance import audit
    from profiles.release import default_db_path, get_policy

    out = getattr(args, "out", None)
    if args.command not in SHOWS_FIGURES and not out:
        return
    db = Path(args.db) if getattr(args, "db", None) else default_db_path()
    audience = getattr(args, "audience", None)
    try:
        marking = get_policy(audience).marking if audience else None
    except Exception:  # noqa: BLE001 - an unknown audience was refused by the command itself
        marking = None
    period = " to ".join(str(v) for v in (getattr(args, "start", None),
                                          getattr(args, "end", None)) if v) or \
        " / ".join(str(v) for v in (getattr(args, "before", None),
                                    getattr(args, "after", None)) if v) or \
        getattr(args, "period", None)
    what = " ".join(str(w) for w in (args.command, getattr(args, "action", None)) if w)
    area = str(getattr(args, "area", None) or getattr(args, "target", None) or
               "whole force")[:200]
    common = dict(audience=audience, what=what, area=area,
                  period=str(period)[:200] if period else None)
    user = audit.local_user()
    if args.command in COMBINES:
        feeds = [getattr(args, "feed", None)] if args.command == "evaluate" else \
            sorted({"harm_reports", "on_street", "community_concerns"} |
                   {w.partition("=")[0].strip() for w in getattr(args, "weight", [])})
        audit.record(db, user=user, action="combine", **common,
                     feeds=",".join(f for f in feeds if f),
                     zones="target, buffer, control" if args.command == "evaluate" else None)
    if out:
        audit.record(db, user=user, action="export", **common, marking=marking,
                     format=Path(str(out)).suffix.lstrip(".") or
                     str(getattr(args, "format", "") or getattr(args, "fmt", "") or ""))
    else:
        audit.record(db, user=user, action="view", **common, via="command line")


def command(sub, run, name: str, *, db: bool = True, **text) -> argparse.ArgumentParser:
    """Add the sub-command ``name`` that ``run(args) -> int`` carries out, with the shared
    ``--db`` option unless ``db`` is false.

    ``run``'s docstring is the command's text: its first paragraph the one-line ``help`` in
    ``lantern --help``, the rest the ``description`` in ``lantern NAME --help``; ``text``
    (``help=``, ``description=``) overrides it.
    """
    paragraphs = [" ".join(p.split()) for p in inspect.cleandoc(run.__doc__ or "").split("\n\n")]
    text = {"help": paragraphs[0] or None,
            "description": " ".join(paragraphs[1:]) or None} | text
    parser = sub.add_parser(name, **text)
    if db:
        add_db_argument(parser)
    parser.set_defaults(func=run)
    return parser


def add_db_argument(parser) -> None:
    """Add the shared ``--db PATH`` option (default ``$LANTERN_DB`` or ./lantern.duckdb)."""
    parser.add_argument("--db", metavar="PATH", default=None,
                        help="database file (default: $LANTERN_DB or ./lantern.duckdb)")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
