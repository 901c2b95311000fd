"""Roles -> audiences, the audit log's chain, and the copy-and-swap update of the store."""
from __future__ import annotations

import json

import pytest

from profiles.governance import audit

from profiles.store import database as store
from profiles.governance.access import AccessConfig, AccessError, load_access, resolve_identity
from profiles.store.swap import connect_snapshot, file_version, updating

ROLES = {"partner": ("partnership",), "commander": ("partnership", "command"),
         "analyst": ("partnership", "command", "analyst")}


@pytest.mark.parametrize("headers, audiences", [
    ({"X-User": "p1", "X-Role": "partner"}, ("partnership",)),
    ({"X-User": "c1", "X-Role": "commander"}, ("partnership", "command")),
    ({"x-user": "a1", "x-role": "analyst"}, ("partnership", "command", "analyst")),
    ({"X-User": "u", "X-Role": "superuser"}, ("partnership",)),
    ({"X-Role": "analyst"}, ("partnership",)),
    ({}, ("partnership",)),
], ids=["partner", "commander", "analyst-lowercase-headers", "unknown-role", "no-user",
        "no-headers"])
def test_header_identity_maps_roles_to_audiences(headers, audiences):
    cfg = AccessConfig("header", ROLES, "X-User", "X-Role")
    assert resolve_identity(cfg, headers=headers).audiences == audiences


@pytest.mark.parametrize("info, audiences", [
    ({"is_logged_in": True, "email": "a@x", "lantern_role": "analyst"},
     ("partnership", "command", "analyst")),
    ({"is_logged_in": False}, ("partnership",)),
    ({"is_logged_in": True, "email": "a@x"}, ("partnership",)),
], ids=["signed-in-analyst", "not-signed-in", "no-role-claim"])
def test_oidc_identity(info, audiences):
    cfg = AccessConfig("oidc", ROLES)
    assert resolve_identity(cfg, user_info=info).audiences == audiences


def test_default_config_is_partnership_only_and_says_so():
    from profiles.governance.access import DEFAULT_PATH

    ident = resolve_identity(load_access(DEFAULT_PATH))
    assert ident.audiences == ("partnership",)
    assert "partnership audience only" in ident.message


@pytest.mark.parametrize("text, match", [
    ('[identity]\nmode = "magic"\n[roles]\np = ["partnership"]\n', "mode must be one of"),
    ('[identity]\nmode = "none"\n[roles]\np = ["everyone"]\n', "must list audiences"),
    ('[identity]\nmode = "none"\n', r"\[roles\] must map"),
    ("not toml [", "not valid TOML"),
], ids=["bad-mode", "bad-audience", "no-roles", "bad-toml"])
def test_invalid_access_config_refuses_to_start(tmp_path, text, match):
    path = tmp_path / "access.toml"
    path.write_text(text)
    with pytest.raises(AccessError, match=match):
        load_access(path)


def test_audit_chain_detects_edits(tmp_path):
    db = tmp_path / "x.duckdb"
    audit.record(db, user="u1", action="view", audience="partnership")
    audit.record(db, user="u2", action="export", audience="command", format="csv",
                 area="Ward A", period="month")
    audit.record(db, user="local:me", action="ingest", feed="on_street",
                 file_sha256="ab" * 32, rows_read=10, rows_loaded=9, rows_quarantined=1)
    assert [r["action"] for r in audit.read_log(db)] == ["view", "export", "ingest"]
    assert audit.verify_chain(db) == (True, "ok")
    lines = audit.audit_path(db).read_text().splitlines()
    edited = json.loads(lines[1])
    edited["audience"] = "partnership"
    lines[1] = json.dumps(edited, sort_keys=True)
    audit.audit_path(db).write_text("\n".join(lines) + "\n")
    ok, where = audit.verify_chain(db)
    assert not ok and where.startswith("line 3")


@pytest.mark.parametrize("details, match", [
    ({"cells": ["891942c58b7ffff"]}, "short scalar"),
    ({"note": "x" * 500}, "short scalar"),
], ids=["list", "long-text"])
def test_audit_refuses_data_in_details(tmp_path, details, match):
    with pytest.raises(ValueError, match=match):
        audit.record(tmp_path / "x.duckdb", user="u", action="view", **details)


def test_audit_refuses_unknown_action(tmp_path):
    with pytest.raises(ValueError, match="action= must be one of"):
        audit.record(tmp_path / "x.duckdb", user="u", action="delete")


def test_update_swaps_in_a_copy_while_a_reader_holds_the_file(tmp_path):
    db = tmp_path / "s.duckdb"
    with updating(db) as con:
        store.set_meta(con, "k", "1")
    reader = connect_snapshot(db)
    before = file_version(db)
    with updating(db) as con:            # would fail on a lock if it wrote the same file
        store.set_meta(con, "k", "2")
    assert store.get_meta(reader, "k") == "1"       # the open reader still sees its snapshot
    assert file_version(db) != before
    fresh = connect_snapshot(db)                     # same process, new file
    assert store.get_meta(fresh, "k") == "2"
    assert store.get_meta(reader, "k") == "1"
    reader.close()
    fresh.close()


def test_failed_update_leaves_the_original_untouched(tmp_path):
    db = tmp_path / "s.duckdb"
    with updating(db) as con:
        store.set_meta(con, "k", "1")
    before = file_version(db)
    with pytest.raises(RuntimeError, match="boom"):
        with updating(db) as con:
            store.set_meta(con, "k", "2")
            raise RuntimeError("boom")
    assert file_version(db) == before
    assert store.get_meta(store.connect(db, read_only=True), "k") == "1"
    assert not list(tmp_path.glob("*.updating-*"))


def test_demo_access_opens_every_audience_and_says_so():
    from profiles.governance.access import DEMO_PATH

    ident = resolve_identity(load_access(DEMO_PATH))
    assert ident.audiences == ("partnership", "command", "analyst")
    assert "opens partnership, command, analyst to everyone" in ident.message


def test_bad_unidentified_audiences_refused(tmp_path):
    path = tmp_path / "access.toml"
    path.write_text('[identity]\nmode = "none"\nunidentified_audiences = ["public"]\n'
                    '[roles]\np = ["partnership"]\n')
    with pytest.raises(AccessError, match="unidentified_audiences must list audiences"):
        load_access(path)


def test_cli_ingest_records_each_load_and_refusal_against_the_landed_ingest(tmp_path, town_files):
    from profiles.cli import main

    db = tmp_path / "a.duckdb"
    bad = tmp_path / "bad.csv"
    bad.write_text("lat,lon\n54.5,1.0\n")
    assert main(["ingest", "on_street", str(town_files["on_street"]), "--db", str(db)]) == 0
    assert main(["ingest", "on_street", str(bad), "--db", str(db)]) == 1
    log = audit.read_log(db)
    assert [r["action"] for r in log] == ["ingest", "refused"]
    assert log[0]["user"].startswith("local:") and log[1]["file_name"] == "bad.csv"
    con = store.connect(db, read_only=True)
    landed = store.fetch_row(con, "SELECT ingest_id, rows_loaded FROM ingests")
    con.close()
    assert (log[0]["ingest_id"], log[0]["rows_loaded"]) == tuple(landed)
    assert audit.verify_chain(db) == (True, "ok")


def test_audit_names_a_recorded_load_that_never_landed(tmp_path, town_files, capsys):
    """The ingest record is written just before the swap; a crash in between is reported."""
    from profiles.cli import main

    db = tmp_path / "a.duckdb"
    assert main(["ingest", "on_street", str(town_files["on_street"]), "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["audit", "--db", str(db)]) == 0
    assert "not in the database" not in capsys.readouterr().err
    audit.record(db, user="local:ops", action="ingest", feed="on_street",
                 file_name="crashed.csv", ingest_id=2, file_sha256="ab" * 32)
    assert main(["audit", "--db", str(db)]) == 0
    err = capsys.readouterr().err
    assert "(crashed.csv, by local:ops) is not in the database" in err
    assert err.count("is not in the database") == 1    # the landed load is not named
