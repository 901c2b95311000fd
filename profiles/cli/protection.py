"""Data protection, operated: ``lantern retain`` and ``lantern erase``.

Both change the store through :func:`profiles.store.updating` (a private copy swapped in
whole, so a failure changes nothing) and write what they did to the audit log in plain words:
never a key, never a hash.
"""
from __future__ import annotations

import datetime as dt

from data_contracts.words import agrees, plural
from profiles.cli import UserError, command


def register(sub) -> None:
    """Add ``retain`` and ``erase`` to the ``lantern`` parser."""
    p = command(sub, _retain, "retain")
    p.add_argument("--months", type=int, default=None,
                   help="months of hashes to keep (default: retention.toml, 24)")
    p.add_argument("--today", type=dt.date.fromisoformat, default=None,
                   help="the date to count back from (default: today)")
    e = command(sub, _erase, "erase")
    e.add_argument("--feed", required=True,
                   help="the feed: on_street, harm_reports, outreach_contacts, premises, "
                        "online_adverts")
    e.add_argument("--subject-key", required=True,
                   help="the person's key exactly as in the partner's file")
    k = command(sub, _key, "key")
    k.add_argument("action", choices=("status", "rotate"))


def retain_store(db, *, months=None, today=None, user=None, quiet=False):
    """Run retention on the store at ``db`` if anything is due
    (:func:`profiles.store.retention.retain_store`), logged as ``retain`` when hashes are cut
    loose or the policy changes, and said then unless ``quiet``. Returns the result (None
    when nothing was due)."""
    from profiles.governance import audit, recorders
    from profiles.store import retention

    log, logged = recorders.retention_recorder(db, user=user or audit.local_user()), []

    def record(done):
        logged.append(log(done))

    try:
        done = retention.retain_store(db, months=months, today=today, record=record)
    except retention.RetentionError as err:
        raise UserError(str(err)) from None
    if logged and not quiet:
        print(done.as_text())
    return done


def _retain(args) -> int:
    """cut old subject hashes loose from the key (retention)

    Cut every subject hash older than the retention period loose from the key: people counts (and
    every released figure) stay exactly as they were, but no one can link them to a person again.
    Also run at the end of each `lantern ingest`.
    """
    from profiles.release import default_db_path

    db = args.db or default_db_path()
    done = retain_store(db, months=args.months, today=args.today, quiet=True)
    if done is None:
        from profiles.store import connect, retention
        con = connect(db, read_only=True)
        try:
            cutoff, oldest = retention.frozen_before(con), retention.oldest_hash_kept(con)
        finally:
            con.close()
        print(f"Retention: nothing is due. Hashes before "
              f"{cutoff:%d %b %Y} are already cut loose; the oldest kept is from "
              f"{oldest:%b %Y}." if cutoff and oldest else
              "Retention: nothing is due.")
    else:
        print(done.as_text())
    return 0


def _erase(args) -> int:
    """erase one person's records (a data subject's request)

    Erase one person from a feed: their keyed hashes, and their events where the store can tell
    them apart. Type the key as it appears in the partner's file; it is hashed with the store's key
    and never written anywhere.
    """
    from profiles.governance import audit
    from profiles.release import default_db_path
    from profiles.release.audiences import load_policies
    from profiles.release.erasure import hold_figures
    from profiles.release.request import EVENT_FEEDS
    from profiles.store import connect, load_key, retention, updating

    db = args.db or default_db_path()
    feeds = ("on_street", "harm_reports", "outreach_contacts", "premises", "online_adverts",
             "advertisers", "advert_indicators", "harm_context")
    if args.feed not in feeds:
        raise UserError(f"--feed must be a feed with a subject key: {', '.join(feeds)}; "
                        f"not {args.feed!r}")
    key = load_key(db)
    con = connect(db, read_only=True)
    try:
        subject = retention.find_subject(con, args.feed, args.subject_key, key)
        found = retention.is_held(con, args.feed, subject)
        if not found:
            result = retention.Erased(args.feed, False,
                                      frozen_before=retention.frozen_before(con))
    except retention.RetentionError as err:
        raise UserError(str(err)) from err
    finally:
        con.close()
    if found:
        feeds_done = [args.feed] + (["harm_context"] if args.feed == "harm_reports" else [])
        results = []
        with updating(db) as w:    # logged before the swap; a failed log changes nothing
            # every figure now shown is held as a cap, so that none rises (release.caps)
            hold_figures(w, [f for f in feeds_done if f in EVENT_FEEDS],
                         load_policies().values())
            for feed in feeds_done:
                results.append(retention.erase(w, feed, args.subject_key, key))
            for done in results:
                if done.found:
                    audit.record(db, user=audit.local_user(), action="erase", feed=done.feed,
                                 groups=done.groups, events_removed=done.events_removed)
        result = results[0]
        for extra in results[1:]:
            if extra.found:
                print(extra.as_text())
    else:
        audit.record(db, user=audit.local_user(), action="erase", feed=args.feed,
                     found=False)
    print(result.as_text())
    return 0 if result.found else 1


def _key(args) -> int:
    """the hashing key: its status, or rotate it

    `lantern key status` says where the key lives, its age and mode; `lantern key rotate` makes a
    new key for later loads and destroys the old one. No person is counted as two: hashes made with
    the old key are cut loose from it, and where old and new meet in one group, people are counted
    as the most under either key.
    """
    import os
    import stat
    from pathlib import Path

    from profiles.governance import audit
    from profiles.release import default_db_path
    from profiles.store import connect, get_meta, retention, updating
    from profiles.store.keys import key_location, load_key, replace_key

    db = Path(args.db or default_db_path())
    if not db.exists():
        raise UserError(f"{db}: no store here; give --db or load a feed first")
    where = key_location(db)
    if args.action == "status":
        con = connect(db, read_only=True)
        try:
            rotated = get_meta(con, "key_rotated_on")
            rotations = get_meta(con, "key_rotations")
        finally:
            con.close()
        path = Path(f"{db}.key")
        if os.environ.get("LANTERN_KEY"):
            print(f"The key comes from {where}; its age is not known to Lantern.")
        elif not path.exists():
            print(f"No key file at {path} yet: one is made (mode 0600) at the first load.")
        else:
            info = path.stat()
            age = (dt.datetime.now() - dt.datetime.fromtimestamp(info.st_mtime)).days
            mode = stat.S_IMODE(info.st_mode)
            print(f"Key: {where}, made {plural(age, 'day')} ago, mode {mode:04o}"
                  + ("" if mode == 0o600 else " - it should be 0600: chmod 600 it") + ".")
        print(f"Rotated {plural(len(rotations.split(',')) if rotations else 0, 'time')}"
              + (f", last on {rotated}." if rotated else "."))
        return 0
    if os.environ.get("LANTERN_KEY"):
        raise UserError("the key comes from LANTERN_KEY: rotate it where it is kept (set a "
                        "new value), then run `lantern key rotate` with the new value set")
    load_key(db)                              # a store without a key file gets one first
    with updating(db) as con:                 # logged before the swap
        n = retention.rotate_hashes(con)
        audit.record(db, user=audit.local_user(), action="key-rotate", cut_loose=n)
    replace_key(db)
    print(f"New key written to {where} (mode 0600); the old key is destroyed. "
          f"{plural(n, 'earlier hash', 'earlier hashes')} {agrees(n, 'was', 'were')} cut loose "
          f"from it: their counts stay, no one can link them to a "
          f"person again, and no person is counted as two.")
    return 0
