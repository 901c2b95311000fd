"""A partnership's own files load unedited: every shipped synthetic partner file through the real
``lantern`` command into a real DuckDB file, and one test per row of issue 14's table."""
from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import h3
import numpy as np
import pandas as pd
import pyproj
import pytest
from shapely.geometry import box, mapping

from profiles.cli import main
from profiles.store import database as store
from sample_data.partner_files import lsoa_frame

ROOT = Path(__file__).resolve().parents[1]
PARTNER = ROOT / "sample_data" / "partner_files"
RECIPES = PARTNER / "recipes"
TO_BNG = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
#: The synthetic town's force square (8 km, centre 54.5 N 1.0 E) with a margin.
TOWN = box(0.93, 54.46, 1.07, 54.54)


def lantern(*argv, cwd=None) -> subprocess.CompletedProcess:
    """Run the real command in a child process."""
    return subprocess.run([sys.executable, "-m", "profiles.cli", *map(str, argv)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def counts(db: Path) -> dict:
    con = store.connect(db, read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("ingests", "facts", "areas", "area_cells", "quarantine")}
    finally:
        con.close()


def cells_of(db: Path, feed: str) -> set:
    con = store.connect(db, read_only=True)
    try:
        return {int(c) for (c,) in con.execute("SELECT DISTINCT cell FROM facts WHERE feed = ?",
                                               [feed]).fetchall()}
    finally:
        con.close()


def in_town(cells) -> bool:
    return all(TOWN.contains(box(*reversed(h3.cell_to_latlng(h3.int_to_str(c))),
                                 *reversed(h3.cell_to_latlng(h3.int_to_str(c)))))
               for c in cells)


# ---------------------------------------------------------------- every shipped file, end to end

LOADS = [  # feed, file, recipe, (read, loaded, quarantined, excluded)
    ("areas", "lsoa_boundaries_27700.geojson", "lsoa.toml", (17, 17, 0, 0)),
    ("on_street", "police_export_bng.csv", "police_bng.toml", (400, 374, 26, 0)),
    ("on_street", "police_export_xy.csv", "police_xy.toml", (120, 120, 0, 0)),
    ("outreach_contacts", "outreach_contacts.xlsx", "outreach_xlsx.toml", (150, 150, 0, 0)),
    ("community_concerns", "police_uk_street.csv", None, (200, 141, 0, 59)),
]


def test_every_shipped_partner_file_loads_through_the_real_command(tmp_path):
    db = tmp_path / "partners.duckdb"
    for feed, name, recipe, (read, loaded, quarantined, excluded) in LOADS:
        args = ["ingest", feed, PARTNER / name, "--db", db]
        args += ["--recipe", RECIPES / recipe] if recipe else []
        done = lantern(*args)
        assert done.returncode == 0, done.stderr
        summary = done.stdout.splitlines()[0]
        assert f"loaded — read {read:,}, loaded {loaded:,}, quarantined {quarantined:,}" \
            in summary
        assert (f"excluded {excluded:,}" in summary) == bool(excluded)
    con = store.connect(db, read_only=True)
    try:
        assert con.execute("SELECT feed, rows_read, rows_loaded, rows_quarantined, "
                           "rows_excluded FROM ingests ORDER BY ingest_id").fetchall() == [
            (feed, *numbers) for feed, _, _, numbers in LOADS]
        area_cells = {int(c) for (c,) in con.execute("SELECT cell FROM area_cells").fetchall()}
        per_area = con.execute("SELECT count(*) FROM area_cells GROUP BY area_id").fetchall()
        names = [n for (n,) in con.execute("SELECT name FROM areas ORDER BY area_id").fetchall()]
        stored = con.execute("SELECT column_name, reason, n FROM quarantine").fetchall()
    finally:
        con.close()
    # The store counts reasons; the partner's word stays in the report, for its owner.
    assert stored == [("activity_type", "activity_type is not one of: observation, incident, "
                       "kerb_crawling, outreach_sighting, and the recipe does not map it", 26)]
    assert len(per_area) == 17 and min(n for (n,) in per_area) == 1   # the tiny one: 1 cell
    assert names[0] == "Lanternford 001A (synthetic)"
    assert in_town(area_cells)
    for feed in ("on_street", "outreach_contacts", "community_concerns"):
        assert cells_of(db, feed) and in_town(cells_of(db, feed))
    report = sorted((tmp_path / "lantern-quarantine").glob("on_street-police_export_bng-*.csv"))
    rows = list(csv.DictReader(report[0].open(encoding="utf-8")))
    assert len(rows) == 26 and {r["value"] for r in rows} == {"Begging"}
    assert rows[0]["reason"].endswith('add the line "Begging" = "observation" (or another of '
                                      'those words) under [values.activity_type] '
                                      '(police_bng.toml line 13)')


@pytest.mark.parametrize("name", ["lsoa_boundaries.gpkg", "lsoa_boundaries_shp.zip"])
def test_the_other_boundary_formats_load_the_same_areas(tmp_path, capsys, name):
    db = tmp_path / "b.duckdb"
    code, out, err = run(capsys, "ingest", "areas", PARTNER / name, "--recipe",
                         RECIPES / "lsoa.toml", "--db", db)
    assert code == 0, err
    assert "boundaries reprojected from EPSG:27700 to WGS84" in out
    assert counts(db)["areas"] == 17


def test_a_dry_run_prints_the_full_summary_and_writes_nothing(tmp_path, capsys):
    db = tmp_path / "d.duckdb"
    assert run(capsys, "ingest", "areas", PARTNER / "lsoa_boundaries.gpkg", "--recipe",
               RECIPES / "lsoa.toml", "--db", db)[0] == 0
    before = (db.read_bytes(), counts(db))
    code, out, err = run(capsys, "ingest", "on_street", PARTNER / "police_export_bng.csv",
                         "--recipe", RECIPES / "police_bng.toml", "--db", db, "--dry-run")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("police_export_bng.csv".join([str(PARTNER) + "/", ""])
                               + ": dry run, nothing written to the store — read 400, would "
                                 "load 374, quarantined 26. Quarantine report: ")
    assert Path(lines[0].split("Quarantine report: ")[1]).exists()
    assert "  coordinates read as EPSG:27700 (police_bng.toml line 5)" in lines
    assert "  columns not read: 'INCIDENT_NO', 'BEAT_CODE'" in lines
    assert any(ln.startswith("  quarantined 26 (activity_type): activity_type is not one of")
               for ln in lines)
    assert "Dry run: nothing was written to the store." in err
    assert (db.read_bytes(), counts(db)) == before


def test_a_dry_run_on_a_new_database_creates_nothing(tmp_path, capsys):
    db = tmp_path / "new.duckdb"
    code, out, _ = run(capsys, "ingest", "areas", PARTNER / "lsoa_boundaries_27700.geojson",
                       "--recipe", RECIPES / "lsoa.toml", "--db", db, "--dry-run")
    assert code == 0
    assert "it gets the one cell that holds its representative point" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_bad_recipe_refuses_before_reading_and_changes_nothing(tmp_path, capsys):
    db = tmp_path / "r.duckdb"
    recipe = tmp_path / "bad.toml"
    recipe.write_text((RECIPES / "police_bng.toml").read_text().replace('"kerb_crawling"',
                                                                        '"kerb"'))
    code, _, err = run(capsys, "ingest", "on_street", PARTNER / "police_export_bng.csv",
                       "--recipe", recipe, "--db", db)
    assert code == 1
    assert "bad.toml line 16: 'Kerb crawler' is mapped to 'kerb', which is not a word " \
           "Lantern has for activity_type" in err
    assert not db.exists()


def test_a_drafted_recipe_loads_the_file_it_was_drafted_from(tmp_path, capsys):
    out = tmp_path / "draft.toml"
    code, _, err = run(capsys, "recipe", "draft", "on_street", PARTNER / "police_export_bng.csv",
                       "--out", out)
    assert code == 0 and "Draft recipe written to" in err
    text = out.read_text()
    assert 'crs = "EPSG:27700"' in text and '"Kerb crawler" = "kerb_crawling"' in text
    todo = '# source_agency = "police"   # TODO: one of police'
    assert todo in text
    out.write_text(text.replace(todo, 'source_agency = "police"  #'))   # a person fills it in
    code, stdout, err = run(capsys, "ingest", "on_street", PARTNER / "police_export_bng.csv",
                            "--recipe", out, "--db", tmp_path / "x.duckdb", "--dry-run")
    assert code == 0, err
    assert run(capsys, "recipe", "draft", "on_street", PARTNER / "police_export_bng.csv",
               "--out", out)[0] == 1     # an existing recipe is kept


# ------------------------------------------------------------ one test per row of the table

def town_points(n=40, seed=5):
    rng = np.random.default_rng(seed)
    return 54.5 + rng.uniform(-0.02, 0.02, n), 1.0 + rng.uniform(-0.03, 0.03, n)


def police_file(path: Path, xname: str, yname: str) -> tuple[Path, set]:
    lat, lon = town_points()
    e, n = TO_BNG.transform(lon, lat)
    pd.DataFrame({xname: np.round(e, 1), yname: np.round(n, 1), "datetime": "2026-03-01T21:30",
                  "activity_type": "observation", "source_agency": "police"}).to_csv(
        path, index=False)
    return path, {h3.str_to_int(h3.latlng_to_cell(a, b, 9)) for a, b in zip(lat, lon)}


GRID_COLUMNS = [  # table rows 1 and 2: (x column, y column, what the summary says)
    ("x", "y", "x/y hold grid metres, so they were read as British National Grid (EPSG:27700)"),
    ("Easting", "Northing", "easting/northing read as British National Grid (EPSG:27700)"),
]


@pytest.mark.parametrize("xname,yname,note", GRID_COLUMNS, ids=["row1-x-y", "row2-easting"])
def test_rows1_2_grid_metres_load_as_bng_without_asking_and_say_so(tmp_path, capsys, xname,
                                                                  yname, note):
    path, want = police_file(tmp_path / "grid.csv", xname, yname)
    db = tmp_path / "g.duckdb"
    code, out, err = run(capsys, "ingest", "on_street", path, "--db", db)
    assert code == 0, err
    assert "loaded — read 40, loaded 40, quarantined 0" in out and f"  {note}" in out
    assert cells_of(db, "on_street") == want


def test_row3_an_outreach_workbook_loads_and_a_split_path_is_explained(tmp_path, capsys):
    db = tmp_path / "o.duckdb"
    spaced = tmp_path / "Outreach contacts March.xlsx"
    shutil.copy(PARTNER / "outreach_contacts.xlsx", spaced)
    code, out, err = run(capsys, "ingest", "outreach_contacts", spaced, "--recipe",
                         RECIPES / "outreach_xlsx.toml", "--db", db)
    assert code == 0, err and "read 150, loaded 150, quarantined 0" in out
    # The reported "No such file or directory" for an existing .xlsx: an unquoted path with
    # spaces reaches Lantern as three paths, none of which exists.
    code, _, err = run(capsys, "ingest", "outreach_contacts", tmp_path / "Outreach", "contacts",
                       "March.xlsx", "--db", tmp_path / "o2.duckdb")
    assert code == 1
    assert "Outreach: the file does not exist" in err
    assert "did you mean 'Outreach contacts March.xlsx'? A path with spaces must be in " \
           "quotes" in err


def ons_geojson(path: Path, *, declare_crs: bool) -> Path:
    frame = lsoa_frame()
    if not declare_crs:
        frame = frame.to_crs("EPSG:4326")
    frame.to_file(path, driver="GeoJSON")
    return path


def test_row4_ons_boundaries_are_refused_saying_what_to_do_then_load_with_flags(tmp_path,
                                                                               capsys):
    path = ons_geojson(tmp_path / "lsoa.geojson", declare_crs=False)
    db = tmp_path / "a.duckdb"
    code, _, err = run(capsys, "ingest", "areas", path, "--db", db)
    assert code == 1
    assert "required column 'name' is missing for feed 'areas'; the file has: LSOA11CD, " \
           "LSOA11NM" in err and "--name-field COLUMN (e.g. --name-field LSOA11NM)" in err
    code, out, err = run(capsys, "ingest", "areas", path, "--name-field", "LSOA11NM",
                         "--area-type", "lsoa", "--db", db)
    assert code == 0, err
    assert "read 17, loaded 17, quarantined 0" in out


def test_row5_a_geopackage_loads(tmp_path, capsys):
    db = tmp_path / "g.duckdb"
    code, out, err = run(capsys, "ingest", "areas", PARTNER / "lsoa_boundaries.gpkg",
                         "--layer", "lsoa_2011", "--name-field", "LSOA11NM", "--area-type",
                         "lsoa", "--db", db)
    assert code == 0, err and "read 17, loaded 17" in out
    assert counts(db)["areas"] == 17


def test_row6_a_declared_crs_geojson_loads_in_the_right_place(tmp_path, capsys):
    path = ons_geojson(tmp_path / "lsoa27700.geojson", declare_crs=True)
    assert '"urn:ogc:def:crs:EPSG::27700"' in path.read_text()
    db = tmp_path / "c.duckdb"
    code, out, err = run(capsys, "ingest", "areas", path, "--recipe", RECIPES / "lsoa.toml",
                         "--db", db)
    assert code == 0, err
    assert "no cells" not in out
    con = store.connect(db, read_only=True)
    cells = {int(c) for (c,) in con.execute("SELECT cell FROM area_cells").fetchall()}
    per_area = [n for (n,) in con.execute("SELECT count(*) FROM areas a LEFT JOIN area_cells "
                                          "c USING (area_id) GROUP BY area_id").fetchall()]
    con.close()
    assert in_town(cells) and len(per_area) == 17 and min(per_area) >= 1
    # Read as degrees, the same file would have been metres near the equator: never loaded.
    raw = json.loads(path.read_text())
    del raw["crs"]
    bare = tmp_path / "bare.geojson"
    bare.write_text(json.dumps(raw))
    code, _, err = run(capsys, "ingest", "areas", bare, "--recipe", RECIPES / "lsoa.toml",
                       "--db", tmp_path / "c2.duckdb")
    assert code == 1 and "metres, not degrees" in err and "--crs EPSG:27700" in err


def test_row7_partner_words_load_through_a_recipe(tmp_path, capsys):
    lat, lon = town_points(4)
    path = tmp_path / "words.csv"
    pd.DataFrame({"lat": lat, "lon": lon, "datetime": "2026-03-01T21:30",
                  "Offence": ["Soliciting", "Kerb crawler", "Sexual health", "Soliciting"]}
                 ).to_csv(path, index=False)
    recipe = tmp_path / "words.toml"
    recipe.write_text('feed = "on_street"\n[columns]\nactivity_type = "Offence"\n'
                      '[values.activity_type]\n"Soliciting" = "observation"\n'
                      '"Kerb crawler" = "kerb_crawling"\n[set]\nsource_agency = "police"\n')
    db = tmp_path / "w.duckdb"
    code, out, err = run(capsys, "ingest", "on_street", path, "--recipe", recipe, "--db", db)
    assert code == 0, err
    assert "read 4, loaded 3, quarantined 1" in out
    con = store.connect(db, read_only=True)
    got = dict(con.execute("SELECT category, sum(n) FROM facts GROUP BY 1").fetchall())
    con.close()
    assert got == {"observation": 2, "kerb_crawling": 1}
    report = next((tmp_path / "lantern-quarantine").glob("*.csv"))
    (row,) = csv.DictReader(report.open(encoding="utf-8"))
    assert row["value"] == "Sexual health"
    assert row["reason"].endswith('add the line "Sexual health" = "observation" (or another of '
                                  'those words) under [values.activity_type] (words.toml '
                                  'line 4)')


def test_the_readmes_walkthrough_runs_as_written(tmp_path):
    """Every `lantern` command in README's "Loading your own data", run in a copy of the
    partner files, in order, against one database."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Loading your own data", 1)[1].split("\n## ", 1)[0]
    blocks = section.split("```")[1::2]
    commands = [ln.strip() for block in blocks for ln in block.splitlines()
                if ln.strip().startswith("lantern ")]
    assert len(commands) == 6
    work = tmp_path / "partner_files"
    shutil.copytree(PARTNER, work)
    db = tmp_path / "walk.duckdb"
    for command in commands:
        argv = command.split()[1:] + ["--db", str(db)] * (command.split()[1] == "ingest")
        done = lantern(*argv, cwd=work)
        assert done.returncode == 0, f"{command}: {done.stderr}"
    assert counts(db)["ingests"] == 4 and (work / "police.toml").exists()
