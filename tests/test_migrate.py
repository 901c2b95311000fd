"""Upgrades: a store written by Lantern 0.3.0 is refused, with `lantern migrate` named, until
`lantern migrate` has backed it up and brought it to this version's layout in one step; every
table's rows, and so every figure, stay as they were.

``tests/fixtures/store-0.3.0.duckdb.gz`` was written by Lantern 0.3.0 (commit 78a61e6,
``lantern demo --scale 0.01 --no-serve``: the synthetic town, nothing real), with its key
(``store-0.3.0-key.hex``: ``*.key`` files are kept out of git, this one is test data).
"""
from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from profiles.cli import main
from profiles.release import AUDIENCES, get_policy, release_counts
from profiles.store import SCHEMA_VERSION, StoreTooOld
from profiles.store import database as store
from profiles.store.migrate import KEPT_TABLES, migrate_store, table_digest, version_of
from profiles.release.perturb import _FALLBACK_SALT

FIXTURE = Path(__file__).parent / "fixtures" / "store-0.3.0.duckdb.gz"


@pytest.fixture
def old_store(tmp_path) -> Path:
    db = tmp_path / "force.duckdb"
    with gzip.open(FIXTURE, "rb") as src, open(db, "wb") as out:
        shutil.copyfileobj(src, out)
    # the synthetic store's own key, as hex (a committed key file: test data only)
    shutil.copy(FIXTURE.with_name("store-0.3.0-key.hex"), f"{db}.key")
    Path(f"{db}.key").chmod(0o600)                       # as Lantern keeps a key
    return db


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_fixture_is_a_0_3_0_store():
    assert version_of_fixture() == 2 and int(SCHEMA_VERSION) == 3


def version_of_fixture() -> int:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "x.duckdb"
        db.write_bytes(gzip.decompress(FIXTURE.read_bytes()))
        return version_of(db)


@pytest.mark.parametrize("argv", [["status"], ["release", "--audience", "analyst"],
                                  ["hotspots", "--audience", "analyst"],
                                  ["serve", "--port", "8799"], ["doctor"]],
                         ids=["status", "release", "hotspots", "serve", "doctor"])
def test_every_command_refuses_an_old_store_naming_migrate(old_store, capsys, argv):
    before = sha(old_store)
    code = main([*argv, "--db", str(old_store)])
    out, err = capsys.readouterr()
    assert code == 1
    assert f"lantern migrate --db {old_store}" in out + err
    assert "Traceback" not in out + err
    assert sha(old_store) == before                      # nothing changed by a refusal


def test_an_ingest_into_an_old_store_is_refused_and_loads_nothing(old_store, tmp_path, capsys):
    csv = tmp_path / "more.csv"
    csv.write_text("lat,lon,datetime,activity_type,source_agency\n"
                   "54.5,1.0,2025-03-01T21:30,observation,police\n")
    before = sha(old_store)
    assert main(["ingest", "on_street", str(csv), "--db", str(old_store)]) == 1
    assert "lantern migrate" in capsys.readouterr().err
    assert sha(old_store) == before


def test_migrate_backs_up_first_and_keeps_every_row(old_store, capsys):
    original = sha(old_store)
    con = store.connect(old_store, read_only=True, migrating=True)
    before = table_digest(con)
    con.close()
    assert set(before) >= {"facts", "subjects", "areas", "ingests"}
    assert before["facts"][0] > 0 and before["subjects"][0] > 0
    assert main(["migrate", "--db", str(old_store)]) == 0
    out = capsys.readouterr().out
    assert "migrated from layout 2 to 3" in out
    backups = sorted(old_store.parent.glob("force.duckdb.before-migrate-*"))
    assert len(backups) == 1
    manifest = json.loads((backups[0] / "manifest.json").read_text())
    assert "database.duckdb" in " ".join(manifest["files"]) or manifest["files"]
    copy = next(p for p in backups[0].iterdir() if p.suffix == ".duckdb")
    assert sha(copy) == original                          # the store as it was, byte for byte
    con = store.connect(old_store, read_only=True)        # opens now, without migrating=
    try:
        assert table_digest(con) == before                 # every kept table's rows
        assert store.get_meta(con, "schema_version") == SCHEMA_VERSION
        salt = store.get_meta(con, "release_salt")
        assert salt and salt != _FALLBACK_SALT and len(salt) == 32
    finally:
        con.close()
    log = Path(f"{old_store}.audit.jsonl").read_text()
    assert '"action": "alter"' in log and '"what": "store layout"' in log
    assert main(["migrate", "--db", str(old_store)]) == 0
    assert "already at layout 3: nothing to migrate" in capsys.readouterr().out
    assert len(list(old_store.parent.glob("force.duckdb.before-migrate-*"))) == 1


def test_every_audience_releases_what_a_store_of_this_version_with_the_same_rows_does(
        old_store, tmp_path, exact_release):
    """Figures identical: the migrated store and a store made by this version holding the
    same rows (and salt) release the same figures for every audience and feed."""
    assert migrate_store(old_store).backup
    fresh = tmp_path / "fresh.duckdb"
    con = store.connect(fresh)
    con.execute(f"ATTACH '{old_store}' AS old (READ_ONLY)")
    for table in KEPT_TABLES:
        con.execute(f"DELETE FROM {table}")
        con.execute(f"INSERT INTO {table} SELECT * FROM old.{table}")
    con.execute("DELETE FROM meta")
    con.execute("INSERT INTO meta SELECT * FROM old.meta")
    con.execute("DETACH old")
    con.close()
    a = store.connect(old_store, read_only=True)
    b = store.connect(fresh, read_only=True)
    compared = 0
    try:
        for audience in AUDIENCES:
            policy = get_policy(audience)
            for feed in ("on_street", "harm_reports", "community_concerns", "premises"):
                if not policy.may_see(feed):
                    continue
                for period in ("month", "quarter"):
                    x = release_counts(a, audience, feed, period=period).frame
                    y = release_counts(b, audience, feed, period=period).frame
                    assert x.reset_index(drop=True).equals(y.reset_index(drop=True)), \
                        (audience, feed, period)
                    compared += int(x["count"].sum() > 0)
    finally:
        a.close()
        b.close()
    assert compared >= 10


def test_a_failed_migration_changes_nothing(old_store, tmp_path, capsys):
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "something").write_text("x")
    before = sha(old_store)
    assert main(["migrate", "--db", str(old_store), "--backup", str(taken)]) == 1
    assert "already exists and is not an empty folder" in capsys.readouterr().err
    assert sha(old_store) == before
    with pytest.raises(StoreTooOld):
        store.connect(old_store, read_only=True)


def test_a_backup_made_before_migrating_restores_as_it_was(old_store, tmp_path, capsys):
    assert main(["migrate", "--db", str(old_store)]) == 0
    backup = next(old_store.parent.glob("force.duckdb.before-migrate-*"))
    again = tmp_path / "again.duckdb"
    assert main(["restore", str(backup), "--db", str(again)]) == 0
    with pytest.raises(StoreTooOld, match="lantern migrate"):
        store.connect(again, read_only=True)
    capsys.readouterr()
    assert main(["migrate", "--db", str(again)]) == 0
    assert "migrated from layout 2 to 3" in capsys.readouterr().out
