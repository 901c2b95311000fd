"""The audit log as DPA 2018 s.62 asks: every kind of processing recorded with date, time and
user; `lantern audit verify` finds an edited or removed line; `lantern audit` filters by user,
action and date; old entries are pruned behind a signed checkpoint that keeps the chain
verifiable; and no subject, cell or count of one is ever written."""
from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

import pytest

from apptest_pages import open_page
from profiles.cli import main
from profiles.governance import audit, recorders

PAGES = Path(__file__).resolve().parents[1] / "dashboard" / "pages"


def _log(db, stamps):
    """Write one record per (when, user, action), each at its own time."""
    for when, user, action in stamps:
        audit._now = lambda when=when: when            # restored by the fixture
        audit.record(db, user=user, action=action, audience="partnership")


@pytest.fixture
def fixed_clock(monkeypatch):
    monkeypatch.setattr(audit, "_now", audit._now)


STAMPS = [("2020-01-05T09:00:00Z", "pc1", "ingest"), ("2020-03-01T10:00:00Z", "pc2", "view"),
          ("2024-06-01T11:00:00Z", "pc1", "export"), ("2026-11-30T12:00:00Z", "pc2", "combine"),
          ("2026-12-01T08:00:00Z", "pc1", "view")]


def test_verify_passes_an_untouched_log(tmp_path, fixed_clock, capsys):
    db = tmp_path / "a.duckdb"
    _log(db, STAMPS)
    assert main(["audit", "verify", "--db", str(db)]) == 0
    assert "5 entries, chain intact" in capsys.readouterr().out


@pytest.mark.parametrize("tamper, where", [
    (lambda lines: lines.__setitem__(1, lines[1].replace('"pc2"', '"pc9"')), "line 3"),
    (lambda lines: lines.pop(2), "line 3"),
    (lambda lines: lines.pop(0), "line 1"),
    (lambda lines: lines.__setitem__(4, lines[4][:-5]), "line 5"),
    (lambda lines: lines.pop(4), "line 4: the log ends before its last recorded entry"),
    (lambda lines: lines.__setitem__(4, lines[4].replace('"pc1"', '"pc9"')),
     "line 5: the log ends"),
], ids=["edited-entry", "deleted-line", "deleted-first-line", "cut-last-line",
        "deleted-last-line", "edited-last-line"])
def test_verify_finds_tampering_and_says_where(tmp_path, fixed_clock, capsys, tamper, where):
    db = tmp_path / "a.duckdb"
    _log(db, STAMPS)
    path = audit.audit_path(db)
    lines = path.read_text().splitlines()
    tamper(lines)
    path.write_text("\n".join(lines) + "\n")
    assert main(["audit", "verify", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "has been altered" in err and where in err, err


@pytest.mark.parametrize("spoil, where", [
    (lambda db: audit.head_path(db).unlink(), "signed head (x.duckdb.audit.head) is missing"),
    (lambda db: audit.head_path(db).write_text('{"head": "00", "signature": "00"}'),
     "does not match the log's key"),
], ids=["head-removed", "head-forged"])
def test_a_removed_or_forged_head_is_found(tmp_path, fixed_clock, spoil, where):
    db = tmp_path / "x.duckdb"
    _log(db, STAMPS)
    assert stat.S_IMODE(audit.head_path(db).stat().st_mode) == 0o600
    spoil(db)
    ok, said = audit.verify_chain(db)
    assert not ok and where in said, said


@pytest.mark.parametrize("args, users_actions", [
    (["--user", "pc1"], [("pc1", "ingest"), ("pc1", "export"), ("pc1", "view")]),
    (["--action", "view"], [("pc2", "view"), ("pc1", "view")]),
    (["--action", "disclosure"], [("pc1", "export")]),
    (["--action", "combination"], [("pc2", "combine")]),
    (["--since", "2024-06-01", "--until", "2026-11-30"], [("pc1", "export"),
                                                          ("pc2", "combine")]),
    (["--user", "pc1", "--since", "2026-01-01"], [("pc1", "view")]),
], ids=["user", "action", "category-disclosure", "category-combination", "since-until",
        "user-and-since"])
def test_audit_filters_by_user_action_and_date(tmp_path, fixed_clock, capsys, args,
                                               users_actions):
    db = tmp_path / "a.duckdb"
    _log(db, STAMPS)
    assert main(["audit", "--db", str(db), "--json", *args]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["user"], r["action"]) for r in out] == users_actions


def test_a_bad_date_is_refused_in_plain_words(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["audit", "--db", str(tmp_path / "a.duckdb"), "--since", "last week"])
    assert "'last week' is not a date; write YYYY-MM-DD" in capsys.readouterr().err


def test_prune_keeps_the_chain_verifiable_and_a_forged_checkpoint_is_found(tmp_path,
                                                                           fixed_clock, capsys):
    db = tmp_path / "a.duckdb"
    _log(db, STAMPS)
    audit._now = lambda: "2026-12-07T08:00:00Z"
    assert main(["audit", "prune", "--db", str(db), "--before", "2024-01-01"]) == 0
    assert "Removed 2 audit entries" in capsys.readouterr().out
    log = audit.read_log(db)
    assert [r["action"] for r in log] == ["checkpoint", "export", "combine", "view", "prune"]
    assert log[0]["removed"] == 2 and "signature" in log[0]
    assert audit.verify_chain(db) == (True, "ok")
    assert oct(audit.audit_key_path(db).stat().st_mode & 0o777) == "0o600"
    audit.record(db, user="pc3", action="view", audience="command")     # appends still chain
    assert audit.verify_chain(db) == (True, "ok")
    # a second prune folds the first checkpoint into the new one
    assert audit.prune(db, user="local:t", before=dt.date(2026, 12, 1)) == 4
    assert audit.read_log(db)[0]["removed"] == 4
    assert audit.verify_chain(db) == (True, "ok")
    # someone cuts more lines and writes their own checkpoint: its signature gives it away
    path = audit.audit_path(db)
    lines = path.read_text().splitlines()
    forged = json.loads(lines[0])
    forged["removed"] = 0
    lines[0] = json.dumps(forged, sort_keys=True)
    path.write_text("\n".join(lines) + "\n")
    ok, where = audit.verify_chain(db)
    assert not ok and "signature" in where
    with pytest.raises(audit.AuditError, match="was not pruned"):
        audit.prune(db, user="local:t", before=dt.date(2030, 1, 1))


def test_prune_by_default_keeps_the_configured_months(tmp_path, fixed_clock, monkeypatch):
    db = tmp_path / "a.duckdb"
    _log(db, STAMPS)
    conf = tmp_path / "audit.toml"
    conf.write_text("[audit]\nkeep_months = 12\n")
    monkeypatch.setenv("LANTERN_AUDIT_CONFIG", str(conf))
    assert audit.load_settings().keep_months == 12
    removed = audit.prune(db, user="local:t", today=dt.date(2026, 12, 7))
    assert removed == 3                   # 2020, 2020 and 2024 go; Nov and Dec 2026 stay
    assert audit.verify_chain(db) == (True, "ok")


def test_the_shipped_keeping_time_is_documented():
    settings = audit.load_settings(audit.SETTINGS_PATH)
    assert settings.keep_months == audit.DEFAULT_KEEP_MONTHS == 72
    assert "Limitation Act 1980" in audit.SETTINGS_PATH.read_text()


@pytest.mark.parametrize("text, match", [
    ("[audit]\nkeep_months = 0\n", "keep_months must be a whole number"),
    ('[audit]\nkeep_months = "two years"\n', "keep_months must be a whole number"),
    ("not toml [", "not valid TOML"),
], ids=["zero", "words", "bad-toml"])
def test_invalid_audit_settings_are_refused(tmp_path, text, match):
    path = tmp_path / "audit.toml"
    path.write_text(text)
    with pytest.raises(audit.AuditError, match=match):
        audit.load_settings(path)


@pytest.mark.parametrize("detail", ["subject_key", "h3_id", "cells", "count", "n"])
def test_no_subject_cell_or_count_is_written(tmp_path, detail):
    with pytest.raises(ValueError, match="is refused"):
        audit.record(tmp_path / "a.duckdb", user="u", action="erase", **{detail: "x"})
    assert not audit.audit_path(tmp_path / "a.duckdb").exists()


def test_a_recipe_reloaded_with_new_content_is_an_alteration(tmp_path):
    from data_contracts import build_recipe

    db = tmp_path / "a.duckdb"
    first = tmp_path / "outreach.toml"
    first.write_text('feed = "on_street"\n[columns]\nlat = "Y"\nlon = "X"\n')
    second = tmp_path / "later" / "outreach.toml"
    second.parent.mkdir()
    second.write_text('feed = "on_street"\n[columns]\nlat = "LAT"\nlon = "X"\n')
    for path in (first, first, second):
        rec = recorders.load_recorder(db, user="local:t", recipe=build_recipe(str(path)))
        rec(action="ingest", feed="on_street", file_name="f.csv", rows_read=10)
    log = audit.read_log(db)
    assert [r["action"] for r in log] == ["ingest", "ingest", "alter", "ingest"]
    assert log[2]["recipe"] == "outreach.toml"
    assert log[2]["what"] == "recipe re-loaded with changed content"
    assert log[2]["previous_sha256"] == log[0]["recipe_sha256"] != log[3]["recipe_sha256"]


def test_cli_records_disclosure_consultation_and_combination(demo_copy, tmp_path, capsys):
    db = str(demo_copy)
    out = tmp_path / "r.csv"
    assert main(["release", "--db", db, "--audience", "partnership", "--out", str(out)]) == 0
    assert main(["release", "--db", db, "--audience", "command", "--period", "month"]) == 0
    assert main(["evaluate", "--db", db, "--target", "Corridor Beat (synthetic)",
                 "--control", "Dunwray Ward (synthetic)", "--before",
                 "2025-01-06:2025-03-31", "--after", "2025-04-07:2025-06-30"]) == 0
    assert main(["patrols", "plan", "--db", db]) == 0
    capsys.readouterr()
    log = [r for r in audit.read_log(demo_copy) if r["action"] != "ingest"]
    assert [(r["action"], r["what"]) for r in log] == [
        ("export", "release"), ("view", "release"), ("combine", "evaluate"),
        ("view", "evaluate"), ("combine", "patrols plan"), ("view", "patrols plan")]
    export = log[0]
    assert (export["audience"], export["marking"], export["format"]) == \
        ("partnership", "OFFICIAL-SENSITIVE", "csv")
    assert log[2]["feeds"] == "on_street" and log[2]["area"] == "Corridor Beat (synthetic)"
    assert log[4]["feeds"] == "community_concerns,harm_reports,on_street"
    assert all(r["user"].startswith("local:") and r["at"].endswith("Z") for r in log)
    assert audit.verify_chain(demo_copy) == (True, "ok")


def test_dashboard_records_page_views_and_the_evaluate_combination(demo_copy, monkeypatch):
    monkeypatch.setenv("LANTERN_DB", str(demo_copy))
    from profiles.governance import DEMO_PATH
    monkeypatch.setenv("LANTERN_ACCESS", str(DEMO_PATH))
    open_page(PAGES / "evaluate.py", audience="analyst", _page="Evaluate a response")
    log = audit.read_log(demo_copy)
    views = [(r["audience"], r["page"]) for r in log if r["action"] == "view"]
    assert views == [("analyst", "Evaluate a response")]
    [combined] = [r for r in log if r["action"] == "combine"]
    assert combined["what"] == "evaluation" and combined["user"] == "unidentified"
    assert combined["zones"].startswith("target ")
    assert not any(k in r for r in log for k in ("h3_id", "cells", "count"))


def test_dashboard_records_a_patrol_plan_as_a_combination_of_feeds(demo_copy, monkeypatch):
    monkeypatch.setenv("LANTERN_DB", str(demo_copy))
    from profiles.governance import DEMO_PATH
    monkeypatch.setenv("LANTERN_ACCESS", str(DEMO_PATH))
    at = open_page(PAGES / "patrols.py", audience="command", _page="Patrol planning")
    at.run()                                   # a rerun with the same choices: said once
    [combined] = [r for r in audit.read_log(demo_copy) if r["action"] == "combine"]
    assert combined["what"] == "patrol plan" and combined["audience"] == "command"
    assert combined["feeds"] == "community_concerns,harm_reports,on_street"
    assert audit.verify_chain(demo_copy) == (True, "ok")
