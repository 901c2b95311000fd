"""``lantern backup DEST`` and ``lantern restore SRC``: a consistent copy of the store, and
bringing it back (:mod:`profiles.store.backup`)."""
from __future__ import annotations

import sys
from pathlib import Path

from profiles.cli import UserError, command


def register(sub) -> None:
    """Add ``backup``, ``restore`` and ``migrate`` to the ``lantern`` parser."""
    p = command(sub, _backup, "backup")
    p.add_argument("dest", metavar="DEST", help="a new (or empty) folder for the backup")
    p.add_argument("--key-out", metavar="FILE", default=None,
                   help="also write the hashing key to FILE (mode 0600), outside DEST; keep "
                        "it apart from the backup")
    _wait_argument(p)
    r = command(sub, _restore, "restore")
    r.add_argument("src", metavar="SRC", help="a folder made by `lantern backup`")
    r.add_argument("--key", metavar="FILE", default=None,
                   help="the key file written by `lantern backup --key-out`")
    r.add_argument("--replace", action="store_true",
                   help="replace an existing database (and a different key)")
    _wait_argument(r)
    m = command(sub, _migrate, "migrate")
    m.add_argument("--backup", metavar="DIR", default=None,
                   help="a new folder for the backup made first (default: "
                        "<db>.before-migrate-<date-time> beside the store)")
    _wait_argument(m)


def _db(args) -> Path:
    from profiles.release import default_db_path

    return Path(args.db) if args.db else default_db_path()


def _backup(args) -> int:
    """copy the store to a new folder (safe while serving)

    Copy the database and its audit log to a new folder, between two ingests (waits for one in
    progress). The hashing key is never put in the backup: write it elsewhere with --key-out.
    """
    from profiles.store.backup import KEY_WARNING, BackupError, backup_store

    try:
        manifest = backup_store(_db(args), args.dest, wait=args.wait, key_out=args.key_out)
    except BackupError as exc:
        raise UserError(str(exc)) from None
    print(f"backed up {_db(args)} to {args.dest} ({', '.join(manifest['files'])})")
    if args.key_out:
        print(f"the key is in {args.key_out}. {KEY_WARNING}", file=sys.stderr)
    else:
        print("the hashing key was not copied. Without it, files loaded after a restore are "
              "not matched to earlier ones by premises or subject. Write it with --key-out "
              f"FILE and keep it apart from the backup. {KEY_WARNING}", file=sys.stderr)
    return 0


def _restore(args) -> int:
    """bring the store back from a backup folder

    Check a backup folder against its manifest and put its database in place of the store, in one
    step.
    """
    from profiles.store.backup import BackupError, restore_store

    db = _db(args)
    try:
        manifest = restore_store(args.src, db, key_file=args.key, replace=args.replace,
                                 wait=args.wait)
    except BackupError as exc:
        raise UserError(str(exc)) from None
    print(f"restored {db} from {args.src} (backed up {manifest.get('made_at')})")
    if not args.key and not Path(f"{db}.key").exists():
        print("no key was restored: files loaded from now on are not matched to earlier ones "
              "by premises or subject. Give the key file with --key.", file=sys.stderr)
    return 0


def _migrate(args) -> int:
    """bring a store written by an earlier Lantern up to date

    Back the store up beside it (or to --backup), then bring its layout up to this version in one
    step: every table's rows stay as they were. A store of an earlier layout is refused by every
    other command until it is migrated.
    """
    from profiles.governance import audit
    from profiles.store.backup import BackupError
    from profiles.store.migrate import migrate_store

    db = _db(args)
    try:
        done = migrate_store(db, backup_dir=args.backup, wait=args.wait)
    except (BackupError, RuntimeError) as exc:
        raise UserError(str(exc)) from None
    if done.backup is not None:
        audit.record(db, user=audit.local_user(), action="alter", what="store layout",
                     from_layout=done.found, to_layout=done.now, backup=done.backup)
    print(done.as_text())
    return 0


def _wait_argument(parser) -> None:
    parser.add_argument("--wait", type=float, default=60.0, metavar="SECONDS",
                        help="how long to wait for an ingest in progress (default 60)")
