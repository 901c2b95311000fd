"""Administration: ``lantern audit`` lists the audit log, ``lantern audit verify`` checks its
chain, ``lantern audit prune`` removes entries past their keeping time."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from data_contracts.words import plural
from profiles.cli import UserError, command


def register(sub) -> None:
    """Add ``audit`` (and ``audit verify``, ``audit prune``) to the ``lantern`` parser."""
    from profiles.governance.audit import ACTIONS, CATEGORIES

    kinds = sorted({*ACTIONS, *CATEGORIES.values()} - {"log upkeep"})
    p = command(sub, _audit, "audit")
    p.add_argument("--action", choices=kinds, default=None, metavar="ACTION",
                   help="only this action or kind of processing: " + ", ".join(kinds))
    p.add_argument("--user", default=None, help="only this user")
    p.add_argument("--since", type=_date, default=None, metavar="YYYY-MM-DD",
                   help="only entries on or after this day (UTC)")
    p.add_argument("--until", type=_date, default=None, metavar="YYYY-MM-DD",
                   help="only entries on or before this day (UTC)")
    p.add_argument("--json", action="store_true", help="one JSON record per line")
    actions = p.add_subparsers(dest="audit_action", metavar="[verify | prune]",
                               title="checking and pruning (optional)")
    v = actions.add_parser("verify", help="check the log's hash chain",
                           description="Check that no entry of the audit log was changed or "
                                       "removed. Exits 1 and names the line where the chain "
                                       "breaks.")
    _db_again(v)
    v.set_defaults(func=_verify)
    q = actions.add_parser("prune", help="remove entries older than the keeping time",
                           description="Remove the entries older than [audit] keep_months "
                                       "(audit.toml, or $LANTERN_AUDIT_CONFIG), leaving a "
                                       "signed checkpoint so the rest still verifies.")
    _db_again(q)
    q.add_argument("--before", type=_date, default=None, metavar="YYYY-MM-DD",
                   help="remove entries before this day instead")
    q.set_defaults(func=_prune)


def _db_again(p) -> None:
    # SUPPRESS: `lantern audit --db X verify` keeps X (the sub-command's default must not
    # overwrite it)
    p.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS,
                   help="database file (default: $LANTERN_DB or ./lantern.duckdb)")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD") from None


def _db(args) -> Path:
    from profiles.release import default_db_path

    return Path(args.db) if getattr(args, "db", None) else default_db_path()


def _not_landed(db: Path, records: list) -> list:
    """Ingest records (written just before their swap) whose file is not in ``ingests``."""
    from profiles.release import landed_file_hashes, open_read_only
    wanted = [r for r in records if r.get("action") == "ingest" and r.get("file_sha256")]
    if not wanted or not db.exists():
        return []
    con = open_read_only(db)
    try:
        landed = landed_file_hashes(con)
    finally:
        con.close()
    return [r for r in wanted if r["file_sha256"] not in landed]


def _audit(args) -> int:
    """list the audit log; verify its chain; prune old entries

    List who collected, altered, viewed, exported and combined what, and when (DPA 2018 s.62), and
    check that the log is unbroken. `lantern audit verify` only checks the chain; `lantern audit
    prune` removes entries older than the configured keeping time.
    """
    from profiles.governance import audit

    db = _db(args)
    log = audit.read_log(db)
    records = audit.filter_log(log, user=args.user, action=args.action, since=args.since,
                               until=args.until)
    for r in records:
        if args.json:
            print(json.dumps(r, sort_keys=True))
            continue
        details = ", ".join(f"{k}={v}" for k, v in sorted(r.items())
                            if k not in ("at", "user", "action", "audience", "prev",
                                         "signature", "head") and v is not None)
        print(f"{r.get('at')}  {str(r.get('user')):<24} {str(r.get('action')):<10} "
              f"{audit.category_of(r.get('action')):<13} {r.get('audience') or '-':<12} "
              f"{details}")
    ok, where = audit.verify_chain(db)
    print(f"{plural(len(records), 'record')}; chain {'intact' if ok else 'BROKEN: ' + where}",
          file=sys.stderr)
    for r in _not_landed(db, log):
        print(f"note: the load recorded at {r['at']} ({r.get('file_name')}, by {r['user']}) "
              f"is not in the database: it was interrupted before the database was swapped, "
              f"so nothing from it was loaded", file=sys.stderr)
    if not ok:
        raise UserError(f"the audit log {audit.audit_path(db)} has been altered: {where}")
    return 0


def _verify(args) -> int:
    from profiles.governance import audit

    db = _db(args)
    path = audit.audit_path(db)
    ok, where = audit.verify_chain(db)
    if not ok:
        raise UserError(f"the audit log {path} has been altered: {where}")
    entries = audit.read_log(db)
    print(f"{path}: {len(entries)} {'entry' if len(entries) == 1 else 'entries'}, chain intact"
          + (f" (from a checkpoint of {entries[0].get('removed')} pruned entries)"
             if entries and entries[0].get("action") == "checkpoint" else "")
          if path.exists() else f"{path}: no audit log yet")
    return 0


def _prune(args) -> int:
    from profiles.governance import audit

    db = _db(args)
    try:
        settings = audit.load_settings()
        removed = audit.prune(db, user=audit.local_user(), before=args.before,
                              settings=settings)
    except audit.AuditError as exc:
        raise UserError(str(exc)) from None
    kept = f"before {args.before}" if args.before else \
        f"older than {settings.keep_months} months ({settings.source})"
    print(f"Removed {removed} audit entries {kept}; the log still verifies "
          f"(`lantern audit verify`).")
    return 0
