"""The ``lantern`` command line: demo, ingest, status, release, serve — exit codes and output."""
from __future__ import annotations

import datetime as dt

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import h3
import pandas as pd
import pytest

from profiles.store import database as store
from profiles.cli import main

ROOT = Path(__file__).resolve().parents[1]
LANTERN = Path(sys.executable).with_name("lantern")
ON_STREET = "lat,lon,datetime,activity_type,source_agency\n"
GOOD = "54.5,1.0,2025-03-01T21:30,observation,police\n"
BAD = "95,1.0,2025-03-01T21:30,observation,police\n"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


HELP = [
    ([], ["demo", "ingest", "status", "release", "serve"]),
    (["demo"], ["--db PATH", "--seed", "--scale", "--no-serve", "synthetic town"]),
    (["ingest"], ["FEED", "PATH", "--strict", "--db PATH", "one of: on_street, premises"]),
    (["status"], ["--db PATH", "quarantine"]),
    (["release"], ["--audience", "--format {csv,geojson}", "--out PATH", "--db PATH"]),
    (["serve"], ["--db PATH", "--port"]),
]


@pytest.mark.parametrize("command,words", HELP, ids=["lantern"] + [h[0][0] for h in HELP[1:]])
def test_help_on_each_command(capsys, command, words):
    with pytest.raises(SystemExit) as info:
        main([*command, "--help"])
    out = capsys.readouterr().out
    assert info.value.code == 0
    assert out.startswith(f"usage: lantern {' '.join(command)}".rstrip())
    for word in words:
        assert word in out, word


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "usage: lantern" in capsys.readouterr().out


def test_demo_builds_the_synthetic_database(capsys, tmp_path):
    db = tmp_path / "demo.duckdb"
    code, out, err = run(capsys, "demo", "--no-serve", "--db", db, "--scale", "0.2")
    assert code == 0
    assert f"Demo database (synthetic data) ready: {db}" in out
    assert out.count(": loaded — read ") == 9          # one summary line per feed
    assert "loading on_street …" in err                 # progress on stderr
    con = store.connect(db, read_only=True)
    assert store.is_synthetic(con)
    assert store.fetch_row(con, "SELECT count(DISTINCT feed) FROM ingests")[0] == 9
    con.close()
    # a demo database is rebuilt in place; a real one is refused
    assert run(capsys, "demo", "--no-serve", "--db", db, "--scale", "0.2")[0] == 0
    real = tmp_path / "real.duckdb"
    store.connect(real).close()
    code, out, err = run(capsys, "demo", "--no-serve", "--db", real)
    assert code == 1
    assert err.strip() == (f"lantern demo: {real} holds real (non-demo) data; choose another "
                           f"--db for the demo")


def test_ingest_good_file(capsys, tmp_path):
    db, path = tmp_path / "s.duckdb", tmp_path / "good.csv"
    path.write_text(ON_STREET + GOOD + GOOD.replace("21:30", "22:30"))
    code, out, err = run(capsys, "ingest", "on_street", path, "--db", db)
    assert code == 0
    assert out.strip() == f"{path}: loaded — read 2, loaded 2, quarantined 0"
    assert f"{path}: checking and loading …" in err
    code, out, _ = run(capsys, "ingest", "on_street", path, "--db", db)
    assert code == 0
    assert out.strip() == (f"{path}: already loaded (same content as an earlier file); "
                           f"nothing added.")


def test_ingest_quarantine_then_strict(capsys, tmp_path):
    db, path, qdir = tmp_path / "s.duckdb", tmp_path / "mixed.csv", tmp_path / "q"
    path.write_text(ON_STREET + GOOD + BAD)
    code, out, err = run(capsys, "ingest", "on_street", path, "--db", db, "--strict",
                         "--quarantine-dir", qdir)
    assert code == 1
    assert err.splitlines()[-1].startswith(
        f"refused: {path}: 1 row failed validation and --strict refuses the whole file; "
        f"first: row 2, column 'lat', value '95': lat is impossible")
    assert "Traceback" not in err and out == ""
    code, out, _ = run(capsys, "ingest", "on_street", path, "--db", db, "--quarantine-dir",
                       qdir)
    assert code == 0
    report = next(qdir.glob("on_street-mixed-*.csv"))
    assert out.strip() == (f"{path}: loaded — read 2, loaded 1, quarantined 1. "
                           f"Quarantine report: {report}")


REFUSED = [
    ("identifying.csv", ON_STREET.strip() + ",email\n" + GOOD.strip() + ",a@b.c\n",
     "column 'email' is refused: an e-mail address identifies a person"),
    ("missing.csv", "lat,lon\n54.5,1.0\n", "required column 'datetime'"),
    ("truncated.csv", ON_STREET + '54.5,1.0,"2025-03-01,observation,police\n',
     "CSV cannot be read from line 2"),
]


@pytest.mark.parametrize("name,text,message", REFUSED, ids=[r[0] for r in REFUSED])
def test_ingest_refused_file_exits_1_and_loads_nothing(capsys, tmp_path, name, text, message):
    db, path = tmp_path / "s.duckdb", tmp_path / name
    path.write_text(text)
    good = tmp_path / "good.csv"
    good.write_text(ON_STREET + GOOD)
    code, out, err = run(capsys, "ingest", "on_street", path, good, "--db", db)
    assert code == 1                                    # one file refused, the other loaded
    refused = [line for line in err.splitlines() if line.startswith("refused:")]
    assert len(refused) == 1 and message in refused[0] and str(path) in refused[0]
    assert "Traceback" not in err
    assert out.strip() == f"{good}: loaded — read 1, loaded 1, quarantined 0"
    con = store.connect(db, read_only=True)
    assert con.execute("SELECT file_name FROM ingests").fetchall() == [("good.csv",)]
    con.close()


def test_ingest_unknown_feed_is_a_usage_error(capsys, tmp_path):
    with pytest.raises(SystemExit) as info:
        main(["ingest", "street", str(tmp_path / "x.csv")])
    assert info.value.code == 2
    assert "invalid choice: 'street'" in capsys.readouterr().err


def test_status_on_missing_empty_and_loaded_databases(capsys, tmp_path, demo_db):
    code, _, err = run(capsys, "status", "--db", tmp_path / "none.duckdb")
    assert code == 1
    assert err.strip().startswith(f"lantern status: no Lantern database at "
                                  f"{tmp_path / 'none.duckdb'}; build the demo with")
    empty = tmp_path / "empty.duckdb"
    store.connect(empty).close()
    code, out, _ = run(capsys, "status", "--db", empty)
    assert code == 0 and out.startswith("Nothing is loaded yet.")
    code, out, _ = run(capsys, "status", "--db", demo_db)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "SYNTHETIC DEMONSTRATION DATA — not real people or places."
    assert "Feeds:" in lines and "Files loaded:" in lines
    assert any(line.strip().startswith("on_street") and "weeks 2024-" in line
               for line in lines)
    assert sum(1 for line in lines if line.strip().startswith("#")) == 9


def _released_csv(capsys, demo_db, tmp_path, *extra) -> tuple[pd.DataFrame, str]:
    out_path = tmp_path / "released.csv"
    code, out, err = run(capsys, "release", "--db", demo_db, "--audience", "partnership",
                         "--format", "csv", "--out", out_path, *extra)
    assert code == 0 and out == ""
    assert err.startswith("wrote ") and "(OFFICIAL-SENSITIVE)" in err
    text = out_path.read_text()
    return pd.read_csv(io.StringIO(text), comment="#"), text


@pytest.mark.parametrize("extra", [[], ["--period", "month"], ["--period", "all", "--by",
                                                                "category"]],
                         ids=["week", "month", "all-by-category"])
def test_release_csv_for_the_partnership(capsys, demo_db, tmp_path, extra):
    frame, text = _released_csv(capsys, demo_db, tmp_path, *extra)
    assert text.startswith("# OFFICIAL-SENSITIVE\n# Lantern release: feed=on_street "
                           "audience=partnership")
    assert "at least 5 people or premises" in text.splitlines()[2]
    assert len(frame) > 0
    assert not frame["count"].between(1, 4).any()
    assert (frame["count"] >= 5).all()
    assert "cell" not in frame.columns
    if extra and extra[1] == "all":   # hexagons: nothing finer than the floor
        assert {"h3_id", "period_start", "count"} <= set(frame.columns)
        assert max(h3.get_resolution(c) for c in frame["h3_id"]) <= 8
    else:                             # trends: the force's (or an area's) own units
        assert {"area", "period_start", "count"} <= set(frame.columns)
        assert "h3_id" not in frame.columns


def test_release_over_the_whole_range_says_which_weeks(capsys, demo_db, tmp_path):
    """``--period all`` names the first and last loaded week, never 1970-01-01."""
    import duckdb

    frame, text = _released_csv(capsys, demo_db, tmp_path, "--period", "all")
    assert "1970-01-01" not in text
    con = duckdb.connect(str(demo_db), read_only=True)
    first, last = con.execute("SELECT min(week), max(week) FROM facts "
                              "WHERE feed = 'on_street'").fetchone()
    con.close()
    assert set(frame["period_start"]) == {first.isoformat()}
    assert set(frame["period_end"]) == {(last + dt.timedelta(days=6)).isoformat()}
    # a date range narrows the weeks named
    from profiles.release import open_read_only, release_counts, release_to_csv
    released = release_counts(open_read_only(demo_db), "partnership", "on_street",
                              period="all", start=dt.date(2025, 4, 1), end=dt.date(2025, 6, 30))
    assert released.weeks == (dt.date(2025, 4, 1), dt.date(2025, 6, 30))
    assert ",2025-04-01,2025-06-30,all," in release_to_csv(released)


def test_release_geojson_parses_and_carries_the_marking(capsys, demo_db, tmp_path):
    code, out, _ = run(capsys, "release", "--db", demo_db, "--audience", "partnership",
                       "--format", "geojson", "--period", "all")
    assert code == 0
    doc = json.loads(out)
    assert doc["type"] == "FeatureCollection" and doc["marking"] == "OFFICIAL-SENSITIVE"
    assert doc["audience"] == "partnership" and "people or premises" in doc["disclosure"]
    assert doc["features"]
    outlines = [f for f in doc["features"] if f["properties"].get("layer") == "area outline"]
    assert [f["properties"]["area"] for f in outlines] == ["Lanternford (synthetic)"]
    for f in doc["features"]:
        if f in outlines:
            continue
        assert f["geometry"]["type"] == "Polygon"
        assert f["properties"]["count"] >= 5
        assert h3.get_resolution(f["properties"]["h3_id"]) <= 8


@pytest.mark.parametrize("args,message", [
    (["--audience", "public"], "lantern release: unknown audience 'public'; audiences are: "
                               "partnership, command, analyst"),
    (["--audience", "partnership", "--by", "band"], "lantern release: audience 'partnership' "
                                                    "may not see the 'band' breakdown"),
    (["--audience", "analyst", "--area", "Atlantis"], "lantern release: unknown area "
                                                      "'Atlantis'; areas are:"),
], ids=["unknown-audience", "breakdown-not-allowed", "unknown-area"])
def test_release_refusals_are_one_clear_line(capsys, demo_db, args, message):
    code, out, err = run(capsys, "release", "--db", demo_db, *args)
    assert code == 1 and out == ""
    assert err.startswith(message)
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_lantern_db_environment_variable_is_the_default(capsys, monkeypatch, demo_db,
                                                        tmp_path):
    monkeypatch.setenv("LANTERN_DB", str(demo_db))
    monkeypatch.chdir(tmp_path)                          # no ./lantern.duckdb here
    code, out, _ = run(capsys, "status")
    assert code == 0 and out.startswith("SYNTHETIC DEMONSTRATION DATA")
    monkeypatch.delenv("LANTERN_DB")
    code, _, err = run(capsys, "status")
    assert code == 1 and "no Lantern database at lantern.duckdb" in err


def test_serve_refuses_a_missing_database(capsys, tmp_path):
    code, _, err = run(capsys, "serve", "--db", tmp_path / "none.duckdb")
    assert code == 1 and err.startswith(f"lantern serve: no database at "
                                        f"{tmp_path / 'none.duckdb'}")


# ------------------------------------------------------------------- installed console script


def _lantern(*argv, **kw) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "LANTERN_DB"}
    return subprocess.run([str(LANTERN), *map(str, argv)], capture_output=True, text=True,
                          timeout=120, env=env, **kw)


def test_installed_script_status(demo_db):
    assert LANTERN.exists(), f"{LANTERN} is missing: pip install -e . creates it"
    status = _lantern("status", "--db", demo_db)
    assert status.returncode == 0 and "Files loaded:" in status.stdout


def test_installed_script_refuses_a_truncated_file_without_a_traceback(tmp_path):
    path = tmp_path / "cut.csv"
    path.write_text(ON_STREET + GOOD + '54.5,1.0,"2025-03')
    done = _lantern("ingest", "on_street", path, "--db", tmp_path / "s.duckdb", cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"refused: {path}: CSV cannot be read from line 3 (data row 2)" in done.stderr


def test_ingest_keeps_the_protected_tables_for_the_first_server_start(capsys, tmp_path,
                                                                      monkeypatch):
    from profiles.governance import load_access
    from profiles.release import api, open_read_only, release_counts
    from profiles.release.table_files import folder_for

    db, path = tmp_path / "s.duckdb", tmp_path / "good.csv"
    path.write_text(ON_STREET + GOOD * 12 + GOOD.replace("54.5", "54.6") * 3)
    code, _, err = run(capsys, "ingest", "on_street", path, "--db", db)
    assert code == 0 and "Released tables ready:" in err
    from profiles.release import cache, get_policy
    from profiles.release.layers import layers_for, protection_of

    kept = sorted(p.name.split("-")[:2] for p in folder_for(db).glob("*.arrow"))
    # every layer of the meeting's audience only; the server builds the others when it starts
    meeting = {protection_of(get_policy(a), "on_street") for a in load_access().unidentified}
    assert {p for _, p in kept if p.startswith("t")} >= {m.name for m in meeting}
    on_street = {f for f, p in kept if f.startswith("on_street.")}
    assert len(on_street) == len(layers_for(next(iter(meeting))))
    built = release_counts(open_read_only(db), "partnership", "on_street", period="all")
    api.clear_release_cache()                      # a new server: nothing in memory
    monkeypatch.setattr(cache, "build_tables",
                        lambda *a, **k: pytest.fail("built, not read back"))
    again = release_counts(open_read_only(db), "partnership", "on_street", period="all")
    assert again.total == built.total > 0
    pd.testing.assert_frame_equal(again.frame, built.frame)


def test_ingest_warm_all_keeps_every_served_audience(capsys, tmp_path):
    from profiles.governance import load_access
    from profiles.release.table_files import folder_for

    db, path = tmp_path / "s.duckdb", tmp_path / "good.csv"
    path.write_text(ON_STREET + GOOD * 12)
    code, _, err = run(capsys, "ingest", "on_street", path, "--db", db, "--warm-all")
    assert code == 0 and "Released tables ready:" in err
    from profiles.release import get_policy
    from profiles.release.layers import protection_of

    kept = {p.name.split("-")[1] for p in folder_for(db).glob("*.arrow")
            if p.name.startswith("on_street.")}
    assert kept == {protection_of(get_policy(a), "on_street").name
                    for a in load_access().served}


def test_ingest_no_warm_and_dry_run_keep_no_tables(capsys, tmp_path):
    from profiles.release.table_files import folder_for

    db, path = tmp_path / "s.duckdb", tmp_path / "good.csv"
    path.write_text(ON_STREET + GOOD)
    assert run(capsys, "ingest", "on_street", path, "--db", db, "--dry-run")[0] == 0
    code, _, err = run(capsys, "ingest", "on_street", path, "--db", db, "--no-warm")
    assert code == 0 and "Released tables" not in err
    assert not list(folder_for(db).glob("*.arrow"))


def test_the_server_keeps_two_memory_arenas_unless_the_operator_chose(demo_db, monkeypatch):
    from profiles.cli.serve import server_command

    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert server_command(demo_db, 8599)[1]["MALLOC_ARENA_MAX"] == "2"
    monkeypatch.setenv("MALLOC_ARENA_MAX", "8")
    assert server_command(demo_db, 8599)[1]["MALLOC_ARENA_MAX"] == "8"
