"""Retention and erasure (issue 25): ``lantern retain`` and ``lantern erase`` on the demo.

Retention must leave every released figure, for every audience, exactly as it was, while the
hashes before the cut-off no longer match any key; erasure must remove a known person's
hashes and events, say so in plain words, log it without the key, and change nothing when the
person is not there.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import attacks
from stores import copy_store
from data_contracts.words import plural
from profiles.cli import main
from profiles.governance import audit
from profiles.release import release_counts
from profiles.release.api import clear_release_cache
from profiles.store import database as store
from profiles.store import file_version, keyed_hashes, load_key, retention

TODAY = "2026-12-07"
FEEDS = ("on_street", "harm_reports", "outreach_contacts", "community_concerns", "premises",
         "harm_context", "online_adverts")
VIEWS = [dict(period="week"), dict(period="month", by=["category"]),
         dict(period="all", place="hexagon", by=["category"]),
         dict(period="month", place="hexagon")]


def everything_shown(db) -> dict:
    """Every figure of every view of every layer, for every audience (a fresh build)."""
    clear_release_cache()
    con = store.connect(db, read_only=True)
    out = {}
    try:
        for audience in ("partnership", "command", "analyst"):
            for feed in FEEDS:
                out[(audience, feed, "units")] = attacks.units_seen(con, audience, feed)
                for i, view in enumerate(VIEWS):
                    try:
                        frame = release_counts(con, audience, feed, **view).frame
                    except Exception:  # noqa: BLE001 - a breakdown the feed does not have
                        continue
                    out[(audience, feed, i)] = frame.drop(columns=["shown_as"]).to_csv()
    finally:
        con.close()
    clear_release_cache()
    return out


def subject_keys(town_files, feed: str) -> pd.Series:
    frame = pd.read_csv(town_files[feed], dtype=str)
    column = "premises_ref" if feed == "premises" else "subject_key"
    return frame[column].dropna()


@pytest.fixture(scope="module")
def retained(demo_db, tmp_path_factory):
    """The demo before, and a copy after ``lantern retain --months 12`` (cut-off 1 Oct 2025)."""
    tmp = tmp_path_factory.mktemp("retain")
    after = copy_store(demo_db, tmp / "after.duckdb")
    assert main(["retain", "--db", str(after), "--months", "12", "--today", TODAY]) == 0
    fresh = copy_store(after, tmp / "fresh.duckdb")   # no cached tables beside it
    return demo_db, fresh


def test_retention_leaves_every_released_figure_identical(retained):
    before, after = retained
    shown_before, shown_after = everything_shown(before), everything_shown(after)
    assert len(shown_before) > 60
    assert shown_before == shown_after


def test_hashes_before_the_cut_off_no_longer_match_any_key(retained, demo_db, town_files):
    before, after = retained
    key = load_key(demo_db)
    hashes = {int(h, 16) for h in keyed_hashes(sorted(set(subject_keys(town_files, "on_street"))), key)}
    cutoff = dt.date(2025, 10, 1)
    for db, expect_old in ((before, True), (after, False)):
        con = store.connect(db, read_only=True)
        old = {r[0] for r in con.execute("SELECT subject FROM subjects WHERE feed = "
                                         "'on_street' AND week < ?", [cutoff]).fetchall()}
        new = {r[0] for r in con.execute("SELECT subject FROM subjects WHERE feed = "
                                         "'on_street' AND week >= ?", [cutoff]).fetchall()}
        assert len(old) > 10 and len(new) > 10
        assert bool(old & hashes) is expect_old
        assert new <= hashes                       # the recent ones are still findable
        con.close()


def test_retention_is_logged_in_plain_words_and_shown_in_data_status(retained, capsys):
    _, after = retained
    log = [r for r in audit.read_log(after.with_name("after.duckdb")) if r["action"] == "retain"]
    assert len(log) == 1 and log[0]["cutoff"] == "2025-10-01" and log[0]["cut_loose"] > 100
    assert main(["status", "--db", str(after)]) == 0
    out = capsys.readouterr().out
    assert "subject hashes kept 12 months" in out and "1 October 2025" in out
    assert "oldest subject hash kept: October 2025" in out
    # a second run finds nothing due and changes nothing
    version = file_version(after)
    assert main(["retain", "--db", str(after), "--months", "12", "--today", TODAY]) == 0
    assert "nothing is due" in capsys.readouterr().out
    assert file_version(after) == version


def test_erasure_removes_a_known_person_and_logs_no_key(demo_db, town_files, tmp_path,
                                                       capsys):
    db = copy_store(demo_db, tmp_path / "e.duckdb")
    person = subject_keys(town_files, "on_street").value_counts().index[0]   # the most seen person
    hashed = int(keyed_hashes([person], load_key(db))[0], 16)
    con = store.connect(db, read_only=True)
    groups = con.execute("SELECT count(*) FROM subjects WHERE feed = 'on_street' AND "
                         "subject = ?", [hashed]).fetchone()[0]
    events = con.execute("SELECT sum(n) FROM facts WHERE feed = 'on_street'").fetchone()[0]
    others = con.execute("SELECT count(*) FROM subjects WHERE feed <> 'on_street' AND "
                         "subject = ?", [hashed]).fetchone()[0]
    con.close()
    assert groups > 5
    shown = release_counts(store.connect(db, read_only=True), "analyst", "on_street",
                           period="year").total
    assert main(["erase", "--db", str(db), "--feed", "on_street", "--subject-key",
                 person]) == 0
    out = capsys.readouterr().out
    assert f"link to {plural(groups, 'group')}" in out and person not in out
    con = store.connect(db, read_only=True)
    assert con.execute("SELECT count(*) FROM subjects WHERE feed = 'on_street' AND "
                       "subject = ?", [hashed]).fetchone()[0] == 0
    # the same key in another feed is another feed's record: untouched
    assert con.execute("SELECT count(*) FROM subjects WHERE feed <> 'on_street' AND "
                       "subject = ?", [hashed]).fetchone()[0] == others
    assert con.execute("SELECT sum(n) FROM facts WHERE feed = 'on_street'").fetchone()[0] == \
        events - groups
    clear_release_cache()
    assert release_counts(con, "analyst", "on_street", period="year").total < shown
    con.close()
    text = audit.audit_path(db).read_text()
    assert '"action": "erase"' in text and person not in text and str(hashed) not in text
    assert f"{hashed:016x}" not in text


def test_erasure_of_someone_not_there_changes_nothing(demo_db, tmp_path, capsys):
    db = copy_store(demo_db, tmp_path / "n.duckdb")
    version = file_version(db)
    assert main(["erase", "--db", str(db), "--feed", "on_street", "--subject-key",
                 "NOBODY-123"]) == 1
    assert "No one with that key is in on_street: nothing was changed" in \
        capsys.readouterr().out
    assert file_version(db) == version


def test_records_before_the_cut_off_cannot_be_found_by_erasure(retained, demo_db, town_files,
                                                               tmp_path, capsys):
    """After retention, erasing a person finds only their records after the cut-off: those
    before it are counts no key can reach (and the officer is told so)."""
    _, after = retained
    db = copy_store(after, tmp_path / "old.duckdb")
    person = subject_keys(town_files, "on_street").value_counts().index[0]
    hashed = int(keyed_hashes([person], load_key(demo_db))[0], 16)
    cutoff = dt.date(2025, 10, 1)
    con = store.connect(demo_db, read_only=True)
    early, late = con.execute(
        "SELECT count(*) FILTER (WHERE week < ?), count(*) FILTER (WHERE week >= ?) "
        "FROM subjects WHERE feed = 'on_street' AND subject = ?",
        [cutoff, cutoff, hashed]).fetchone()
    con.close()
    assert early > 0 and late > 0
    con = store.connect(db, read_only=True)
    kept_early = con.execute("SELECT count(*) FROM subjects WHERE feed = 'on_street' AND "
                             "week < ?", [cutoff]).fetchone()[0]
    con.close()
    assert main(["erase", "--db", str(db), "--feed", "on_street", "--subject-key",
                 person]) == 0
    out = capsys.readouterr().out
    assert f"link to {plural(late, 'group')}" in out
    assert "before 01 Oct 2025 were already cut loose from every key" in out
    con = store.connect(db, read_only=True)
    assert con.execute("SELECT count(*) FROM subjects WHERE feed = 'on_street' AND "
                       "week < ?", [cutoff]).fetchone()[0] == kept_early
    con.close()


def test_the_policy_is_read_from_the_config(tmp_path, monkeypatch):
    assert retention.keep_months() == 24
    path = tmp_path / "r.toml"
    path.write_text("[subjects]\nkeep_months = 2\n")
    monkeypatch.setenv("LANTERN_RETENTION", str(path))
    with pytest.raises(retention.RetentionError, match="3 or more"):
        retention.keep_months()
    path.write_text("[subjects]\nkeep_months = 36\n")
    assert retention.keep_months() == 36


def _two_and_a_half_years() -> list:
    """On-street rows of nine people, half from 2024 and half from 2026 (header first)."""
    rows = ["lat,lon,datetime,activity_type,source_agency,subject_key"]
    rows += [f"54.50{i % 7},1.00{i % 5},2024-0{1 + i % 6}-1{i % 9}T21:0{i % 6},observation,"
             f"police,P{i % 9}" for i in range(40)]
    rows += [f"54.50{i % 7},1.00{i % 5},2026-0{1 + i % 6}-1{i % 9}T22:0{i % 6},observation,"
             f"police,P{i % 9}" for i in range(40)]
    return rows


def _hashes_either_side_of_the_cut_off(db) -> tuple:
    """The store's subject hashes before and from the 24-month cut-off (which must be the one
    retention recorded), and the hashes of P0...P8 under the store's key."""
    con = store.connect(db, read_only=True)
    try:
        cutoff = retention.cutoff_for(dt.date.today(), 24)
        assert retention.frozen_before(con) == cutoff
        early, late = ({r[0] for r in con.execute(
            f"SELECT subject FROM subjects WHERE week {op} ?", [cutoff]).fetchall()}
            for op in ("<", ">="))
    finally:
        con.close()
    return early, late, {int(h, 16) for h in keyed_hashes([f"P{i}" for i in range(9)],
                                                           load_key(db))}


def test_every_load_runs_the_retention_policy(tmp_path, capsys):
    """A partner's file two and a half years deep, loaded as a partner loads it: the load
    ends by cutting the hashes older than 24 months loose, and logs it."""
    db = tmp_path / "r.duckdb"
    rows = _two_and_a_half_years()
    path = tmp_path / "on_street.csv"
    path.write_text("\n".join(rows) + "\n")
    assert main(["ingest", "on_street", str(path), "--db", str(db), "--no-warm"]) == 0
    assert "Retention: subject hashes kept 24 months" in capsys.readouterr().out
    early, late, hashes = _hashes_either_side_of_the_cut_off(db)
    assert early and not early & hashes and late and late <= hashes
    assert [r["action"] for r in audit.read_log(db)][-1] == "retain"


def test_a_first_load_with_nothing_due_sets_the_policy_in_its_own_copy(tmp_path, monkeypatch):
    """A new store's first load, nothing older than the cut-off: the policy is recorded in
    the load's copy of the store, as retention would record it straight after (the same
    cut-off, nothing logged), and retention then has nothing left to do."""
    from profiles.store import load_files

    db = tmp_path / "n.duckdb"
    path = tmp_path / "recent.csv"
    path.write_text("\n".join(_two_and_a_half_years()[:1] + _two_and_a_half_years()[41:])
                    + "\n")
    [load] = load_files(db, "on_street", [path], quarantine_dir=tmp_path / "q")
    assert load.result.status == "loaded" and load.result.loaded == 40
    con = store.connect(db, read_only=True)
    try:
        assert store.get_meta(con, "retention_months") == "24"
        assert retention.frozen_before(con) == retention.cutoff_for(dt.date.today(), 24)
    finally:
        con.close()
    swapped = file_version(db)
    assert retention.retain_store(db) is None and file_version(db) == swapped
    # an unreadable policy is left to retention after the load, which says so
    db2 = tmp_path / "m.duckdb"
    monkeypatch.setenv("LANTERN_RETENTION", str(tmp_path / "missing.toml"))
    load_files(db2, "on_street", [path], quarantine_dir=tmp_path / "q")
    con = store.connect(db2, read_only=True)
    try:
        assert store.get_meta(con, "retention_months") is None
    finally:
        con.close()
    with pytest.raises(retention.RetentionError):
        retention.retain_store(db2)


def test_an_upload_on_data_status_runs_the_retention_policy_too(tmp_path):
    """The dashboard's upload is a load like `lantern ingest`: it ends the same way."""
    from dashboard.loading import Upload, load_uploads

    db = tmp_path / "u.duckdb"
    store.connect(db).close()
    rows = _two_and_a_half_years()
    out = load_uploads(db, "on_street", [Upload("street.csv", ("\n".join(rows) + "\n")
                                                .encode())], None, user="analyst-test")
    assert [o.refused for o in out] == [False]
    early, _, hashes = _hashes_either_side_of_the_cut_off(db)
    assert early and not early & hashes
    last = audit.read_log(db)[-1]
    assert last["action"] == "retain" and last["user"] == "analyst-test"


def _street_file(path, rows):
    path.write_text("lat,lon,datetime,activity_type,source_agency,subject_key\n" + "".join(
        f"54.5081,1.0263,{when},observation,police,{who}\n" for when, who in rows))
    return path


def _shown_everywhere(db, audience="command") -> int:
    clear_release_cache()
    con = store.connect(db, read_only=True)
    try:
        return sum(release_counts(con, audience, "on_street", **view).total for view in
                   (dict(period="week"), dict(period="month"),
                    dict(period="quarter", place="hexagon"),
                    dict(period="month", place="hexagon")))
    finally:
        con.close()


def test_key_rotation_never_counts_one_person_as_two(tmp_path, capsys):
    """Two real people, one of them seen before and after a rotation in the same week and
    hexagon: three hashes, but never three people against command's threshold of 3."""
    db = tmp_path / "k.duckdb"
    first = _street_file(tmp_path / "a.csv", [("2026-03-02T21:00", "P-A"),
                                             ("2026-03-02T22:00", "P-B")])
    assert main(["ingest", "on_street", str(first), "--db", str(db), "--no-warm"]) == 0
    old_key = load_key(db)
    assert main(["key", "rotate", "--db", str(db)]) == 0
    assert "old key is destroyed" in capsys.readouterr().out
    assert load_key(db) != old_key
    assert oct(db.with_name("k.duckdb.key").stat().st_mode & 0o777) == "0o600"
    second = _street_file(tmp_path / "b.csv", [("2026-03-03T21:30", "P-A")])
    assert main(["ingest", "on_street", str(second), "--db", str(db), "--no-warm"]) == 0
    con = store.connect(db, read_only=True)
    hashes = con.execute("SELECT count(DISTINCT subject) FROM subjects").fetchone()[0]
    con.close()
    assert hashes == 3                      # what a naive count would take for three people
    assert _shown_everywhere(db) == 0       # two people: nothing shown to command
    # the log says what happened, without any key
    log = [r for r in audit.read_log(db) if r["action"] == "key-rotate"]
    assert len(log) == 1 and log[0]["cut_loose"] == 2
    assert old_key.hex() not in audit.audit_path(db).read_text()


def test_key_rotation_keeps_every_figure(tmp_path, capsys):
    """Three people before a rotation are still three after it (their hashes cut loose,
    their counts kept), and `lantern key status` says where the key lives and its mode."""
    db = tmp_path / "s.duckdb"
    first = _street_file(tmp_path / "a.csv", [("2026-03-02T21:00", "P-A"),
                                             ("2026-03-02T22:00", "P-B"),
                                             ("2026-03-02T23:00", "P-C")])
    assert main(["ingest", "on_street", str(first), "--db", str(db), "--no-warm"]) == 0
    before = _shown_everywhere(db)
    assert before >= 4 * 3
    assert main(["key", "rotate", "--db", str(db)]) == 0
    assert _shown_everywhere(db) == before
    capsys.readouterr()
    assert main(["key", "status", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "s.duckdb.key" in out and "mode 0600" in out and "Rotated 1 time," in out
