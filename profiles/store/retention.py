"""Retention and erasure of the keyed hashes behind people counts.

The store keeps one keyed hash per person per group (``subjects``) so that thresholds count
people, not rows. Under UK GDPR that hash is still personal data, so it is not kept for ever:

* **Retention** (:func:`retain`). Hashes of weeks before a *cut-off* are cut loose from any
  key: each is replaced by ``hash(salt, feed, quarter, hash)`` with a random ``salt`` that is
  drawn once per run, used for that run's quarters and never written anywhere. Inside one
  quarter the replacement is one-to-one, so every group's count of distinct people - and so
  every release unit, none of which spans a quarter (:mod:`profiles.release.layers`) - is
  exactly what it was; every released figure, for every audience, is identical. Across
  quarters, and against the key, nothing links any more: the key holder can no longer find a
  person there, and one person's two quarters are two unrelated tokens. The cut-off is the
  start of a quarter, ``keep_months`` before today (:data:`DEFAULT_KEEP_MONTHS`, set in
  ``retention.toml``). The store's ``meta`` records the policy and the cut-off.
* **Erasure and rectification** (:func:`erase`). A person's hashes (found by hashing their
  key as it appears in the partner's file with the store's key) are removed, and their
  events where the store can attribute them: in a group where every keyed event belongs to a
  different person, the person's one event goes; elsewhere one event goes and the rest stay
  as events that no longer count as anyone. Hashes already cut loose by retention cannot be
  found, by design.

Examples
--------
>>> import datetime as dt
>>> cutoff_for(dt.date(2026, 12, 7), 24)
datetime.date(2024, 10, 1)
>>> cutoff_for(dt.date(2026, 12, 7), 12)
datetime.date(2025, 10, 1)
"""
from __future__ import annotations

import datetime as dt
import os
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

from data_contracts.words import agrees, plural
from profiles.store import database as store
from profiles.store.keys import keyed_hashes

DEFAULT_PATH = Path(__file__).with_name("retention.toml")
DEFAULT_KEEP_MONTHS = 24


class RetentionError(ValueError):
    """A retention policy or erasure request that cannot be carried out, in plain words."""


def keep_months(path=None) -> int:
    """Return the configured months of subject hashes to keep (``retention.toml``).

    Raises
    ------
    RetentionError
        When the file is unreadable or ``keep_months`` is not a whole number of 3 or more.
    """
    path = Path(path or os.environ.get("LANTERN_RETENTION") or DEFAULT_PATH)
    try:
        config = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise RetentionError(f"{path}: cannot read the retention policy ({err}); fix the file "
                             f"or unset LANTERN_RETENTION to use the default") from err
    value = config.get("subjects", {}).get("keep_months", DEFAULT_KEEP_MONTHS)
    if not isinstance(value, int) or isinstance(value, bool) or value < 3:
        raise RetentionError(f"{path}: [subjects] keep_months must be a whole number of months, "
                             f"3 or more, not {value!r}")
    return value


def cutoff_for(today: dt.date, months: int) -> dt.date:
    """The first day of the quarter holding the day ``months`` before ``today``."""
    total = today.year * 12 + (today.month - 1) - int(months)
    year, month = divmod(total, 12)
    return dt.date(year, month // 3 * 3 + 1, 1)


@dataclass
class Retained:
    """What one retention run did: the cut-off, and the hashes cut loose by feed."""

    months: int
    cutoff: dt.date
    frozen: dict
    oldest_kept: dt.date | None

    def as_text(self) -> str:
        """Plain words for the CLI and the audit log."""
        head = (f"Retention: subject hashes kept {self.months} months; everything before "
                f"{self.cutoff:%d %b %Y} is counted but no longer linked to any key.")
        if not self.frozen:
            return head + " Nothing new to cut loose."
        parts = ", ".join(f"{n:,} in {feed}" for feed, n in sorted(self.frozen.items()))
        return f"{head} Cut loose now: {parts}."


def is_held(con, feed: str, subject) -> bool:
    """Whether the store links ``subject`` (a hash from :func:`find_subject`) to any group."""
    return bool(con.execute("SELECT count(*) FROM subjects WHERE feed = ? AND subject = ?",
                            [feed, subject]).fetchone()[0])


def frozen_before(con) -> dt.date | None:
    """The cut-off of the last retention run (hashes before it are cut loose), or None."""
    value = store.get_meta(con, "retention_frozen_before")
    return dt.date.fromisoformat(value) if value else None


def oldest_hash_kept(con) -> dt.date | None:
    """The Monday of the oldest week whose hashes are still linked to the key, or None."""
    since = frozen_before(con) or dt.date.min
    row = store.fetch_row(con, "SELECT min(week) FROM subjects WHERE week >= ?", [since])
    return row[0] if row else None


def pending(con, cutoff: dt.date) -> int:
    """How many hashes a retention run to ``cutoff`` would cut loose (read only)."""
    since = frozen_before(con) or dt.date.min
    if cutoff <= since:
        return 0
    return int(store.fetch_row(con, "SELECT count(*) FROM subjects WHERE week >= ? AND "
                                    "week < ?", [since, cutoff])[0])


def retain(con, *, months: int, today: dt.date) -> Retained:
    """Cut loose every subject hash of a week before the cut-off (on a writable ``con``).

    Never moves the cut-off back; a second run with the same cut-off changes nothing.
    """
    cutoff = cutoff_for(today, months)
    since = frozen_before(con)
    frozen = {}
    if since is None or cutoff > since:
        lower = since or dt.date.min
        salt = secrets.token_hex(32)       # used for this run only; never stored
        rows = con.execute("SELECT feed, count(*) FROM subjects WHERE week >= ? AND week < ? "
                           "GROUP BY feed", [lower, cutoff]).fetchall()
        frozen = {feed: int(n) for feed, n in rows if n}
        if frozen:
            con.execute("UPDATE subjects SET subject = CAST(hash(?, feed, "
                        "date_trunc('quarter', week), subject) AS UBIGINT) "
                        "WHERE week >= ? AND week < ?", [salt, lower, cutoff])
        store.set_meta(con, "retention_frozen_before", cutoff.isoformat())
    store.set_meta(con, "retention_months", str(int(months)))
    return Retained(int(months), cutoff if since is None else max(cutoff, since), frozen,
                    oldest_hash_kept(con))


def rotate_hashes(con) -> int:
    """Prepare the store for a new key (on a writable ``con``): cut every hash loose from the
    old key (quarter by quarter, as retention does, so every unit's people count stays) and
    record the last ingest made under it (``meta.key_rotations``), so that a person hashed
    with both keys is never counted as two (:class:`profiles.release.disclosure.BaseTable`).
    Returns how many hashes were cut loose."""
    salt = secrets.token_hex(32)
    n = int(con.execute("SELECT count(*) FROM subjects").fetchone()[0])
    con.execute("UPDATE subjects SET subject = CAST(hash(?, feed, date_trunc('quarter', week), "
                "subject) AS UBIGINT)", [salt])
    last = con.execute("SELECT coalesce(max(ingest_id), 0) FROM ingests").fetchone()[0]
    done = store.get_meta(con, "key_rotations") or ""
    store.set_meta(con, "key_rotations", ",".join(v for v in (done, str(int(last))) if v))
    store.set_meta(con, "key_rotated_on", dt.date.today().isoformat())
    return n


@dataclass
class Erased:
    """What an erasure found and changed (no key, no hash: safe for the audit log)."""

    feed: str
    found: bool
    groups: int = 0
    events_removed: int = 0
    groups_shared: int = 0
    frozen_before: dt.date | None = None

    def as_text(self) -> str:
        """Plain words for the officer."""
        if not self.found:
            out = (f"No one with that key is in {self.feed}: nothing was changed. Check the key "
                   f"is typed exactly as in the partner's file.")
            if self.frozen_before:
                out += (f" Records before {self.frozen_before:%d %b %Y} are no longer linked "
                        f"to any key (retention) and cannot be found.")
            return out
        out = (f"Erased from {self.feed}: this person's link to "
               f"{plural(self.groups, 'group')} of events, and "
               f"{self.events_removed:,} of their "
               f"{agrees(self.events_removed, 'event', 'events')}.")
        if self.groups_shared:
            out += (f" In {self.groups_shared} of those groups someone had more than one "
                    f"event, so any other events of this person there cannot be told apart "
                    f"from others'; they stay as events that no longer count as anyone.")
        if self.frozen_before:
            out += (f" Any records of theirs before {self.frozen_before:%d %b %Y} were already "
                    f"cut loose from every key by retention and stay only as counts.")
        return out + " Released figures may fall; no one else's record was touched."


def find_subject(con, feed: str, value: str, key: bytes) -> int:
    """The stored hash of ``value`` (a key as the partner's file gives it) in ``feed``."""
    hashed = keyed_hashes([str(value).strip()], key)[0]
    if hashed is None:
        raise RetentionError("the subject key is empty: type it as it appears in the "
                             "partner's file")
    return int(hashed, 16)


def erase(con, feed: str, value: str, key: bytes) -> Erased:
    """Remove one person's hashes from ``feed``, and their events where attributable."""
    subject = find_subject(con, feed, value, key)
    grain = "feed, cell, week, dow, band, category, detail, ingest_id"
    mine = con.execute(f"SELECT {grain} FROM subjects WHERE feed = ? AND subject = ?",
                       [feed, subject]).fetchall()
    if not mine:
        return Erased(feed, False, frozen_before=frozen_before(con))
    con.execute(f"CREATE OR REPLACE TEMP TABLE mine AS SELECT DISTINCT {grain} FROM subjects "
                f"WHERE feed = ? AND subject = ?", [feed, subject])
    # per group: how many distinct people it holds, and its keyed events
    plan = con.execute(f"""
        SELECT m.*, f.n, f.n_keyed,
               (SELECT count(DISTINCT s.subject) FROM subjects s
                WHERE (s.feed, s.cell, s.week, s.dow, s.band, s.category, s.detail, s.ingest_id)
                    = (m.feed, m.cell, m.week, m.dow, m.band, m.category, m.detail, m.ingest_id)
               ) AS people
        FROM mine m JOIN facts f USING ({grain})""").fetchall()
    where = " AND ".join(f"{c} = ?" for c in grain.split(", "))
    for *key_cols, n, n_keyed, people in plan:   # one event of theirs in each group goes
        if n <= 1:
            con.execute(f"DELETE FROM facts WHERE {where}", key_cols)
        else:
            con.execute(f"UPDATE facts SET n = n - 1, n_keyed = greatest(n_keyed - 1, 0) "
                        f"WHERE {where}", key_cols)
    con.execute("DELETE FROM subjects WHERE feed = ? AND subject = ?", [feed, subject])
    con.execute("DROP TABLE mine")
    # where a group holds more keyed events than people, someone had several: the person's
    # others (if any) cannot be told apart and stay, counted as no one
    shared = sum(1 for *_, n, n_keyed, people in plan if n_keyed > people)
    return Erased(feed, True, groups=len(plan), events_removed=len(plan),
                  groups_shared=shared, frozen_before=frozen_before(con))


__all__ = ["DEFAULT_KEEP_MONTHS", "Erased", "Retained", "RetentionError", "cutoff_for", "erase",
           "find_subject", "frozen_before", "keep_months", "oldest_hash_kept", "pending",
           "retain", "rotate_hashes", "set_first_policy"]


def set_first_policy(con) -> None:
    """Record the retention policy in a store that has none yet, on the writable ``con``
    being loaded, when doing so cuts no hash loose: what :func:`retain_store` would do next
    on a new store (a first setting is never logged), without copying the store again to do
    it. Anything else (hashes due, a policy already set, an unreadable policy file) is left
    to :func:`retain_store`."""
    if store.get_meta(con, "retention_months") is not None:
        return
    try:
        months = keep_months()
    except RetentionError:
        return
    today = dt.date.today()
    if months >= 3 and not pending(con, cutoff_for(today, months)):
        retain(con, months=months, today=today)


def retain_store(db, *, months: int | None = None, today: dt.date | None = None,
                 record=None) -> "Retained | None":
    """Run retention on the store at ``db`` if anything is due (after every load, and by
    ``lantern retain``). ``record(done)``, when given, is called before the new file is
    swapped in whenever hashes are cut loose or the policy changes (not on a store's first
    setting with nothing to cut), so a failed log changes nothing. Returns the result, or
    None when nothing was due.

    Raises
    ------
    RetentionError
        When ``months`` (or the configured policy) is under 3.
    """
    from profiles.store.swap import updating

    months = keep_months() if months is None else int(months)
    if months < 3:
        raise RetentionError(f"--months must be 3 or more, not {months}")
    today = today or dt.date.today()
    cutoff = cutoff_for(today, months)
    con = store.connect(db, read_only=True)
    try:
        due = pending(con, cutoff)
        known = con.execute("SELECT value FROM meta WHERE key = 'retention_months'").fetchone()
    finally:
        con.close()
    if not due and known and int(known[0]) == months:
        return None
    changed = known is not None and int(known[0]) != months
    with updating(db) as con:
        done = retain(con, months=months, today=today)
        if record is not None and (done.frozen or changed):
            record(done)
    return done
