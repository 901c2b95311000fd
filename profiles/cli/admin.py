"""Administration: ``lantern audit`` lists the audit log and checks its chain."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from profiles.cli import UserError, add_db_argument


def register(sub) -> None:
    """Add ``audit`` to the ``lantern`` parser."""
    p = sub.add_parser("audit", help="list the audit log (views, exports, ingests)",
                       description="List who viewed which audience, who exported what and who "
                                   "ingested which file, and check that the log is unbroken.")
    add_db_argument(p)
    p.add_argument("--action", choices=("view", "export", "ingest", "refused", "cleanup"),
                   default=None, help="only this kind of record (cleanup: a copy of the store "
                                      "left by a killed process, removed)")
    p.add_argument("--user", default=None, help="only this user")
    p.add_argument("--json", action="store_true", help="one JSON record per line")
    p.set_defaults(func=_audit)


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
    from profiles.governance import audit
    from profiles.release import default_db_path

    db = Path(args.db) if args.db else default_db_path()
    log = audit.read_log(db)
    records = [r for r in log
               if (args.action is None or r["action"] == args.action)
               and (args.user is None or r["user"] == args.user)]
    for r in records:
        if args.json:
            print(json.dumps(r, sort_keys=True))
            continue
        details = ", ".join(f"{k}={v}" for k, v in sorted(r.items())
                            if k not in ("at", "user", "action", "audience", "prev"))
        print(f"{r['at']}  {r['user']:<24} {r['action']:<8} "
              f"{r.get('audience') or '-':<12} {details}")
    ok, where = audit.verify_chain(db)
    print(f"{len(records)} record(s); chain {'intact' if ok else 'BROKEN: ' + where}",
          file=sys.stderr)
    for r in _not_landed(db, log):
        print(f"note: the load recorded at {r['at']} ({r.get('file_name')}, by {r['user']}) "
              f"is not in the database: it was interrupted before the database was swapped, "
              f"so nothing from it was loaded", file=sys.stderr)
    if not ok:
        raise UserError(f"the audit log {audit.audit_path(db)} has been altered: {where}")
    return 0
