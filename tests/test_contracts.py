"""Feed contracts end to end: good files load, bad files are refused whole, bad rows quarantined.

Every case goes through :func:`profiles.store.ingest.ingest_file` on a real DuckDB store, and every
refusal checks that *nothing* was written (every table's row count and the ingests table).
"""
from __future__ import annotations

import csv
import datetime as dt
import json

import pandas as pd
import pytest

from data_contracts import ContractError, read_feed
from data_contracts.police_uk import POLICE_UK_HEADER
from profiles.store import loaders
from profiles.store import database as store
from profiles.store.ingest import ingest_file

TODAY = dt.date(2026, 11, 2)
ON_STREET = "lat,lon,datetime,activity_type,source_agency,subject_key\n"
GOOD = "54.5,1.0,2025-03-01T21:30,observation,police,S001\n"
GOOD2 = "54.501,1.001,2025-03-03T09:15,incident,outreach,\n"

#: One good CSV per point feed: (feed, text, rows, table the rows land in).
GOOD_FILES = [
    ("on_street", ON_STREET + GOOD + GOOD2, 2, "facts"),
    ("premises", "lat,lon,assessment_date,premises_type,community_impact,exploitation,"
                 "premises_ref\n54.5,1.0,2025-03-01,flat,yes,no,P1\n"
                 "54.5,1.0,2025-04-01,sauna,no,no,P2\n", 2, "facts"),
    ("outreach_contacts", "lat,lon,h3_cell,datetime,service,contacts,subject_key\n"
                          "54.5,1.0,,2025-03-01T22:00,health,2,S1\n"
                          ",,891f1d48177ffff,2025-03-02,housing,,\n", 2, "facts"),
    ("outreach_sites", "lat,lon,site_type,days,opens,closes,confidential\n"
                       "54.5,1.0,drop_in,Mon-Fri,10:00,16:00,no\n"
                       "54.51,1.01,van_stop,\"Tue,Thu\",21:00,01:00,yes\n", 2,
     "outreach_sites"),
    ("harm_reports", "lat,lon,datetime,harm_category,reporting_route,survival_sex,"
                     "sex_for_rent,subject_key\n"
                     "54.5,1.0,2025-03-01T23:00,violence,police,yes,no,S1\n"
                     "54.5,1.0,01/03/2025 02:00,robbery,third_party,no,no,\n", 2, "facts"),
    ("community_concerns", "lat,lon,datetime,concern_type\n54.5,1.0,2025-03-01,noise\n"
                           "54.5,1.0,2025-03-08,Litter-Needles\n", 2, "facts"),
    ("environment", "lat,lon,feature_type,date\n54.5,1.0,lighting_fault,2025-03-01\n"
                    "54.5,1.0,cctv,\n", 2, "environment"),
]


@pytest.fixture(scope="module")
def refusal_store(tmp_path_factory):
    """One store shared by the refusal tests: each checks it wrote nothing, so none can leak."""
    from profiles.store.keys import load_key

    path = tmp_path_factory.mktemp("refusals") / "store.duckdb"
    con = store.connect(path)
    load_key(path)
    yield con, load_key(path), path
    con.close()


def table_counts(con) -> dict:
    """Row count of every table in the store, plus the ingests rows themselves."""
    counts = {t: store.fetch_row(con, f'SELECT count(*) FROM "{t}"')[0]
              for t in store.table_names(con)}
    counts["ingests_rows"] = con.execute("SELECT * FROM ingests ORDER BY ingest_id").fetchall()
    return counts


def write(tmp_path, name: str, text) -> object:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def load(con, key, feed, path, **kw):
    return ingest_file(con, feed, path, key=key, today=TODAY, **kw)


def report_rows(result) -> list[dict]:
    with open(result.quarantine_report, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def assert_balances(result) -> None:
    assert result.read == result.loaded + result.quarantined + result.excluded


# ---------------------------------------------------------------------------------- good files


@pytest.mark.parametrize("feed,text,n,table", GOOD_FILES, ids=[g[0] for g in GOOD_FILES])
def test_a_good_csv_loads_for_every_point_feed(empty_db, tmp_path, feed, text, n, table):
    con, key, _ = empty_db
    result = load(con, key, feed, write(tmp_path, f"{feed}.csv", text))
    assert (result.status, result.read, result.loaded, result.quarantined) == ("loaded", n, n, 0)
    assert result.quarantine_report is None
    assert store.fetch_row(con, f"SELECT count(*) FROM {table}")[0] > 0
    row = con.execute("SELECT feed, file_name, rows_read, rows_loaded FROM ingests").fetchall()
    assert row == [(feed, f"{feed}.csv", n, n)]


def test_good_areas_geojson_loads_with_cells(empty_db, town_files):
    con, key, _ = empty_db
    result = load(con, key, "areas", town_files["areas"])
    assert (result.status, result.loaded, result.quarantined) == ("loaded", 7, 0)
    per_area = dict(con.execute("SELECT a.name, count(*) FROM areas a JOIN area_cells c "
                                "USING (area_id) GROUP BY a.name").fetchall())
    assert per_area["Lanternford (synthetic)"] > max(
        v for k, v in per_area.items() if k != "Lanternford (synthetic)")


def _on_street_frame() -> pd.DataFrame:
    return pd.DataFrame({"lat": [54.5, 54.501], "lon": [1.0, 1.001],
                         "datetime": ["2025-03-01T21:30", "2025-03-03T09:15"],
                         "activity_type": ["observation", "incident"],
                         "source_agency": ["police", "outreach"]})


def test_on_street_parquet_loads_and_matches_the_csv(empty_db, tmp_path):
    con, key, _ = empty_db
    frame = _on_street_frame()
    frame.to_parquet(tmp_path / "on_street.parquet")
    typed = frame.assign(datetime=pd.to_datetime(frame["datetime"]))
    typed.to_parquet(tmp_path / "typed.parquet")   # real timestamp column, not text
    frame.to_csv(tmp_path / "on_street.csv", index=False)
    facts = []
    for name in ("on_street.parquet", "typed.parquet", "on_street.csv"):
        result = load(con, key, "on_street", tmp_path / name)
        assert (result.status, result.loaded, result.quarantined) == ("loaded", 2, 0), name
        facts.append(con.execute(
            "SELECT cell, week, dow, band, category, detail, n FROM facts WHERE ingest_id = ? "
            "ORDER BY ALL", [result.ingest_id]).fetchall())
    assert facts[0] == facts[1] == facts[2]
    assert {f[3] for f in facts[0]} == {"evening", "morning"}


def test_on_street_geojson_points_load(empty_db, tmp_path):
    con, key, _ = empty_db
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
                 "properties": {"datetime": when, "activity_type": kind,
                                "source_agency": "council"}}
                for lat, lon, when, kind in [(54.5, 1.0, "2025-03-01T21:30", "observation"),
                                             (54.5, 1.0, "2025-03-01T22:30", "kerb-crawling")]]
    path = write(tmp_path, "points.geojson",
                 json.dumps({"type": "FeatureCollection", "features": features}))
    result = load(con, key, "on_street", path)
    assert (result.status, result.loaded, result.quarantined) == ("loaded", 2, 0)
    rows = con.execute("SELECT category, n FROM facts ORDER BY category").fetchall()
    assert rows == [("kerb_crawling", 1), ("observation", 1)]


# ----------------------------------------------------------------------------- refused files

IDENTIFYING = [
    ("name", "a name identifies a person"),
    ("First Name", "a name identifies a person"),
    ("surname", "a name identifies a person"),
    ("date_of_birth", "a date of birth identifies a person"),
    ("DOB", "a date of birth identifies a person"),
    ("phone", "a phone number identifies a person"),
    ("Mobile Number", "a phone number identifies a person"),
    ("email", "an e-mail address identifies a person"),
    ("E-mail", "an e-mail address identifies a person"),
    ("VRM", "a vehicle registration identifies a person"),
    ("vehicle_registration", "a vehicle registration identifies a person"),
    ("notes", "free text can identify a person"),
    ("narrative", "free text can identify a person"),
    ("free_text", "free text can identify a person"),
    ("officer_comments", "free text can identify a person"),
    ("address", "an address identifies a person or premises"),
    ("Post Code", "an address identifies a person or premises"),
]


@pytest.mark.parametrize("column,why", IDENTIFYING, ids=[c for c, _ in IDENTIFYING])
def test_an_identifying_column_refuses_the_whole_file(refusal_store, tmp_path, column, why):
    con, key, _ = refusal_store
    before = table_counts(con)
    path = write(tmp_path, "with-id.csv",
                 ON_STREET.strip() + f",{column}\n" + GOOD.strip() + ",something\n")
    with pytest.raises(ContractError) as info:
        load(con, key, "on_street", path)
    message = str(info.value)
    assert message.startswith(f"{path}: column {column!r} is refused: {why}, and Lantern "
                              "never stores it.")
    assert f"Fix: remove the column {column!r} from the extract" in message
    assert "(no row was loaded)" in message
    assert info.value.column == column
    assert table_counts(con) == before


@pytest.mark.parametrize("missing", ["lat", "lon", "datetime", "activity_type", "source_agency"])
def test_a_missing_required_column_refuses_the_whole_file(refusal_store, tmp_path, missing):
    con, key, _ = refusal_store
    before = table_counts(con)
    frame = pd.read_csv(pd.io.common.StringIO(ON_STREET + GOOD), dtype=str)
    path = tmp_path / "missing.csv"
    frame.drop(columns=[missing]).to_csv(path, index=False)
    with pytest.raises(ContractError, match=rf"required column '{missing}' .*is missing for "
                                            rf"feed 'on_street'; the file has: .* Fix: add a "
                                            rf"'{missing}' column \(no row was loaded\)\."):
        load(con, key, "on_street", path)
    assert table_counts(con) == before


def test_areas_are_refused_without_polygons(refusal_store, tmp_path):
    con, key, _ = refusal_store
    before = table_counts(con)
    path = write(tmp_path, "areas.csv", "name,area_type\nNorth,ward\n")
    with pytest.raises(ContractError, match="feed 'areas' needs polygon geometry. Fix: supply "
                                            "the areas as GeoJSON."):
        load(con, key, "areas", path)
    assert table_counts(con) == before


REFUSED_FILES = [
    ("unclosed-quote.csv", ON_STREET + GOOD + '54.5,1.0,"2025-03-01,observation,police,\n',
     r"CSV cannot be read from line 3 \(data row 2\) onwards .*unclosed quote"),
    ("empty.csv", "", r"the file is empty"),
    ("header-only-blank.csv", ",,,\n1,2,3,4\n", r"the header row is empty"),
    ("duplicate.csv", "lat,lat,lon\n1,2,3\n", r"column 'lat' appears more than once"),
    ("feed.xlsx", "not really", r"the file is not a readable spreadsheet"),
    ("feed.docx", "not really", r"files ending \.docx are not read; Lantern reads CSV \(\.csv\), "
                                r"Parquet .* spreadsheets \(\.xlsx, \.xlsm, \.xls, \.ods\)"),
    ("areas.gpkg", "not really", r"not a readable GeoPackage"),
    ("areas.zip", "not really", r"not a readable zip archive"),
    ("nested.geojson", "[" * 100_000 + "]" * 100_000, r"nested too deeply"),
    ("broken.parquet", b"PAR1 not parquet at all", r"not a readable Parquet file"),
    ("bad.geojson", '{"type": "Feature"}', r"GeoJSON must be a FeatureCollection"),
]


@pytest.mark.parametrize("name,text,message", REFUSED_FILES, ids=[r[0] for r in REFUSED_FILES])
def test_unreadable_files_are_refused_cleanly_in_one_line(refusal_store, tmp_path, name, text,
                                                          message):
    con, key, _ = refusal_store
    before = table_counts(con)
    with pytest.raises(ContractError, match=message) as info:
        load(con, key, "on_street", write(tmp_path, name, text))
    assert "\n" not in str(info.value) and str(tmp_path / name) in str(info.value)
    assert "Fix:" in str(info.value)
    assert table_counts(con) == before


# ------------------------------------------------------------------------------ quarantine

#: (id, feed, header, bad row, column, value, reason). The bad row is data row 2 of 3.
QUARANTINE = [
    ("missing-lat", "on_street", ON_STREET, ",1.0,2025-03-01T21:30,observation,police,",
     "lat", "", "lat is missing"),
    ("lat-abc", "on_street", ON_STREET, "abc,1.0,2025-03-01T21:30,observation,police,",
     "lat", "abc", "lat is not a number"),
    ("lat-95", "on_street", ON_STREET, "95,1.0,2025-03-01T21:30,observation,police,",
     "lat", "95", "lat is impossible (must be between -90 and 90)"),
    ("lat-nan", "on_street", ON_STREET, "NaN,1.0,2025-03-01T21:30,observation,police,",
     "lat", "NaN", "lat is not a number"),
    ("lon-inf", "on_street", ON_STREET, "54.5,inf,2025-03-01T21:30,observation,police,",
     "lon", "inf", "lon is not finite"),
    ("lon-200", "on_street", ON_STREET, "54.5,200,2025-03-01T21:30,observation,police,",
     "lon", "200", "lon is impossible (must be between -180 and 180)"),
    ("outside-uk", "on_street", ON_STREET, "48.85,2.35,2025-03-01T21:30,observation,police,",
     "lat", "48.85", "point is outside the UK (lat 49.8..60.95, lon -8.7..1.8)"),
    ("future", "on_street", ON_STREET, "54.5,1.0,2026-11-03T00:10,observation,police,",
     "datetime", "2026-11-03T00:10", "datetime is in the future (after 2026-11-02)"),
    ("unparseable-date", "on_street", ON_STREET, "54.5,1.0,last tuesday,observation,police,",
     "datetime", "last tuesday", "datetime is not a date (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)"),
    ("impossible-date", "on_street", ON_STREET, "54.5,1.0,2025-02-30,observation,police,",
     "datetime", "2025-02-30", "datetime is not a date (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)"),
    ("impossible-uk-date", "on_street", ON_STREET, "54.5,1.0,31/04/2025 21:00,observation,"
     "police,", "datetime", "31/04/2025 21:00",
     "datetime is not a date (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)"),
    ("implausible-date", "on_street", ON_STREET, "54.5,1.0,1970-01-01,observation,police,",
     "datetime", "1970-01-01", "datetime is before 1990-01-01, which is implausible"),
    ("missing-date", "on_street", ON_STREET, "54.5,1.0,,observation,police,",
     "datetime", "", "datetime is missing"),
    ("category-not-allowed", "on_street", ON_STREET, "54.5,1.0,2025-03-01,dancing,police,",
     "activity_type", "dancing",
     "activity_type is not one of: observation, incident, kerb_crawling, outreach_sighting"),
    ("ragged-row", "on_street", ON_STREET, "54.5,1.0,2025-03-01,observation",
     "(row)", "4 fields", "the row does not have one value per header column"),
    ("bad-h3-cell", "outreach_contacts", "lat,lon,h3_cell,datetime,service\n",
     ",,8f-not-a-cell,2025-03-01,health", "h3_cell", "8f-not-a-cell",
     "h3_cell is not a valid H3 cell id"),
    ("no-point-no-cell", "outreach_contacts", "lat,lon,h3_cell,datetime,service\n",
     ",,,2025-03-01,health", "h3_cell", "", "row has neither lat/lon nor a valid h3_cell"),
    ("lat-without-lon", "outreach_contacts", "lat,lon,h3_cell,datetime,service\n",
     "54.5,,,2025-03-01,health", "lat", "54.5", "lat and lon must be given together"),
    ("contacts-zero", "outreach_contacts", "lat,lon,datetime,service,contacts\n",
     "54.5,1.0,2025-03-01,health,0", "contacts", "0",
     "contacts is not a whole number from 1 to 1,000,000"),
    ("bad-days", "outreach_sites", "lat,lon,site_type,days,opens,closes\n",
     "54.5,1.0,drop_in,Funday,10:00,16:00", "days", "Funday",
     "days is not a list of days (e.g. Mon-Fri, Mon,Wed,Sat or daily)"),
    ("bad-clock", "outreach_sites", "lat,lon,site_type,days,opens,closes\n",
     "54.5,1.0,drop_in,Mon-Fri,25:00,16:00", "opens", "25:00",
     "opens is not a time of day HH:MM"),
    ("bad-bool", "premises", "lat,lon,assessment_date,premises_type,coercion\n",
     "54.5,1.0,2025-03-01,flat,maybe", "coercion", "maybe",
     "coercion is not true/false (use true, false, yes, no, 1 or 0)"),
]

#: A good row for each feed in the table above, in that feed's header.
GOOD_ROW = {
    "on_street": GOOD.strip(),
    "outreach_contacts": "54.5,1.0,,2025-03-01,health",
    "outreach_sites": "54.5,1.0,drop_in,Mon-Fri,10:00,16:00",
    "premises": "54.5,1.0,2025-03-01,flat,no",
}


def _good_row(feed: str, header: str) -> str:
    if feed == "outreach_contacts" and "contacts" in header:
        return "54.5,1.0,2025-03-01,health,2"
    return GOOD_ROW[feed]


@pytest.mark.parametrize("case", QUARANTINE, ids=[q[0] for q in QUARANTINE])
def test_each_bad_row_is_quarantined_with_its_reason(empty_db, tmp_path, case):
    _, feed, header, bad, column, value, reason = case
    con, key, _ = empty_db
    good = _good_row(feed, header)
    path = write(tmp_path, "input.csv", header + "\n".join([good, bad, good]) + "\n")
    result = load(con, key, feed, path, quarantine_dir=tmp_path / "q")
    assert (result.status, result.read, result.loaded, result.quarantined) == \
        ("loaded", 3, 2, 1)
    assert_balances(result)
    rows = report_rows(result)
    assert list(rows[0]) == ["file", "row", "column", "value", "reason"]
    assert {"file": str(path), "row": "2", "column": column, "value": value,
            "reason": reason} in rows
    assert {r["row"] for r in rows} == {"2"}
    stored = con.execute("SELECT column_name, reason, n FROM quarantine WHERE ingest_id = ?",
                         [result.ingest_id]).fetchall()
    assert (column, reason, 1) in stored
    assert store.fetch_row(con, "SELECT rows_read, rows_loaded, rows_quarantined FROM ingests "
                                "WHERE ingest_id = ?", [result.ingest_id]) == (3, 2, 1)


def test_a_point_outside_the_loaded_force_area_is_quarantined(empty_db, tmp_path, town_files):
    con, key, _ = empty_db
    load(con, key, "areas", town_files["areas"])
    leeds = "53.8,-1.55,2025-03-01T21:30,observation,police,"   # in the UK, not in the town
    path = write(tmp_path, "far.csv", ON_STREET + GOOD + leeds + "\n")
    result = load(con, key, "on_street", path, quarantine_dir=tmp_path / "q")
    assert (result.loaded, result.quarantined) == (1, 1)
    (row,) = report_rows(result)
    assert (row["row"], row["column"], row["value"]) == ("2", "lat", "53.8")
    assert row["reason"].startswith("point is outside the force area (from the loaded areas)")


def test_row_numbers_follow_the_spreadsheet_past_blank_lines_and_quoted_newlines(empty_db,
                                                                                tmp_path):
    con, key, _ = empty_db
    text = (ON_STREET.strip() + ",extra\n" + GOOD.strip() + ',"two\nlines"\n\n'
            + GOOD.strip() + ",x\n" + "95,1.0,2025-03-01,observation,police,,x\n")
    result = load(con, key, "on_street", write(tmp_path, "rows.csv", text),
                  quarantine_dir=tmp_path / "q")
    assert (result.read, result.loaded, result.quarantined) == (3, 2, 1)
    assert [r["row"] for r in report_rows(result)] == ["4"]   # spreadsheet row 5


def test_many_problems_in_one_row_count_the_row_once(empty_db, tmp_path):
    con, key, _ = empty_db
    path = write(tmp_path, "bad.csv", ON_STREET + "abc,999,someday,dancing,nobody,\n")
    result = load(con, key, "on_street", path, quarantine_dir=tmp_path / "q")
    assert (result.read, result.loaded, result.quarantined) == (1, 0, 1)
    assert {r["column"] for r in report_rows(result)} == \
        {"lat", "lon", "datetime", "activity_type", "source_agency"}
    assert store.fetch_row(con, "SELECT count(*) FROM facts")[0] == 0


def test_strict_refuses_a_file_with_any_bad_row_and_loads_nothing(empty_db, tmp_path):
    con, key, _ = empty_db
    before = table_counts(con)
    path = write(tmp_path, "strict.csv", ON_STREET + GOOD + "95,1.0,2025-03-01,observation,"
                                                          "police,\n")
    with pytest.raises(ContractError, match=r"1 row failed validation and --strict "
                                            r"refuses the whole file; first: row 2, column "
                                            r"'lat', value '95': lat is impossible") as info:
        load(con, key, "on_street", path, strict=True, quarantine_dir=tmp_path / "q")
    assert "Fix: correct the rows listed in" in str(info.value)
    assert table_counts(con) == before
    # without --strict the same file loads its good row
    assert load(con, key, "on_street", path, quarantine_dir=tmp_path / "q").loaded == 1


# ---------------------------------------------------------------------------- idempotence


def test_the_same_file_twice_is_already_loaded(empty_db, tmp_path):
    con, key, _ = empty_db
    path = write(tmp_path, "once.csv", ON_STREET + GOOD + GOOD2)
    first = load(con, key, "on_street", path)
    after_first = table_counts(con)
    again = load(con, key, "on_street", path)
    renamed = load(con, key, "on_street", write(tmp_path, "renamed.csv",
                                                ON_STREET + GOOD + GOOD2))
    assert first.status == "loaded"
    assert again.status == renamed.status == "already loaded"
    assert "already loaded" in again.summary() and "nothing added" in again.summary()
    assert table_counts(con) == after_first


def test_a_file_loaded_before_is_already_loaded_where_it_would_now_be_refused(empty_db,
                                                                           tmp_path,
                                                                           monkeypatch):
    """A new name's file is hashed while it is validated; a refusal now (say, of points
    outside a force area loaded since) does not hide that the same content was loaded."""
    from profiles.store import ingest

    con, key, _ = empty_db
    assert load(con, key, "on_street", write(tmp_path, "a.csv", ON_STREET + GOOD + GOOD2)
                ).status == "loaded"
    after_first = table_counts(con)

    def refusing(feed, path, **kwargs):
        raise ContractError(path, "refused now.", fix="none.")

    monkeypatch.setattr(ingest, "read_feed", refusing)
    renamed = write(tmp_path, "b.csv", ON_STREET + GOOD + GOOD2)
    assert load(con, key, "on_street", renamed).status == "already loaded"
    with pytest.raises(ContractError, match="refused now"):
        load(con, key, "on_street", write(tmp_path, "c.csv", ON_STREET + GOOD2 + GOOD))
    assert table_counts(con) == after_first


# ------------------------------------------------------------------------------- rollback


def test_a_failure_after_the_facts_insert_rolls_everything_back(empty_db, tmp_path,
                                                                monkeypatch):
    con, key, _ = empty_db
    load(con, key, "on_street", write(tmp_path, "first.csv", ON_STREET + GOOD))
    before = table_counts(con)
    real = loaders.insert_events
    calls = []

    def fail_on_second_insert(*args, **kw):
        calls.append(kw["feed"])
        if len(calls) == 2:            # harm_reports facts + subjects are already written
            raise RuntimeError("disk full (injected)")
        return real(*args, **kw)

    monkeypatch.setattr(loaders, "insert_events", fail_on_second_insert)
    text = GOOD_FILES[4][1]            # harm_reports with a survival_sex row
    path = write(tmp_path, "harm.csv", text)
    with pytest.raises(RuntimeError, match="injected"):
        load(con, key, "harm_reports", path)
    assert calls == ["harm_reports", "harm_context"]
    assert table_counts(con) == before
    monkeypatch.setattr(loaders, "insert_events", real)
    assert load(con, key, "harm_reports", path).status == "loaded"   # not marked as loaded


def test_a_failure_part_way_through_areas_rolls_back(empty_db, town_files, monkeypatch):
    con, key, _ = empty_db
    before = table_counts(con)
    real = loaders.area_to_cells
    seen = []

    def fail_on_third_area(geometry, resolution):
        seen.append(1)
        if len(seen) == 3:
            raise MemoryError("injected")
        return real(geometry, resolution)

    monkeypatch.setattr(loaders, "area_to_cells", fail_on_third_area)
    with pytest.raises(MemoryError):
        load(con, key, "areas", town_files["areas"])
    assert table_counts(con) == before


# ---------------------------------------------------------------------------- police.uk

POLICE_ROWS = [
    # Crime ID, Month, Reported by, Falls within, Longitude, Latitude, Location,
    # LSOA code, LSOA name, Crime type, Last outcome category, Context
    ["", "2025-05", "Test Police", "Test Police", "1.000100", "54.500100",
     "On or near Secret Street", "E01099991", "Lanternford 001A", "Anti-social behaviour", "",
     "a sensitive context note"],
    ["ab12cd34ef", "2025-05", "Test Police", "Test Police", "1.000200", "54.500200",
     "On or near Hidden Lane", "E01099992", "Lanternford 001B", "Drugs",
     "Investigation complete; no suspect identified", ""],
    ["cd34", "2025-05", "Test Police", "Test Police", "1.0003", "54.5003",
     "On or near Secret Street", "E01099991", "Lanternford 001A",
     "Violence and sexual offences", "Under investigation", ""],
    ["ef56", "2025-05", "Test Police", "Test Police", "1.0004", "54.5004",
     "On or near Secret Street", "E01099991", "Lanternford 001A", "Burglary", "", ""],
    ["gh78", "2025-06", "Test Police", "Test Police", "1.0005", "54.5005",
     "On or near Secret Street", "E01099991", "Lanternford 001A", "Burglary", "", ""],
    ["", "2025-05", "Test Police", "Test Police", "", "", "No location", "", "",
     "Anti-social behaviour", "", ""],
    ["ij90", "2025-06", "Test Police", "Test Police", "", "", "No location", "", "",
     "Vehicle crime", "", ""],
]
POLICE_SECRETS = ("Secret Street", "Hidden Lane", "E01099991", "Lanternford 001A",
                  "a sensitive context note", "ab12cd34ef", "Test Police",
                  "Investigation complete")


def _police_uk_file(tmp_path, name="2025-05-test-street.csv"):
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as fh:
        fh.write(POLICE_UK_HEADER + "\n")
        csv.writer(fh, lineterminator="\n").writerows(POLICE_ROWS)
    return path


def all_text(con) -> list[str]:
    """Every VARCHAR value in every table of the store."""
    out = []
    cols = con.execute("SELECT table_name, column_name FROM information_schema.columns WHERE "
                       "table_schema = 'main' AND data_type = 'VARCHAR'").fetchall()
    for table, column in cols:
        out += [r[0] for r in con.execute(f'SELECT DISTINCT "{column}" FROM "{table}"')
                .fetchall() if r[0] is not None]
    return out


def test_police_uk_csv_as_downloaded(empty_db, tmp_path):
    con, key, _ = empty_db
    result = load(con, key, "community_concerns", _police_uk_file(tmp_path),
                  quarantine_dir=tmp_path / "q")
    assert (result.read, result.loaded, result.quarantined, result.excluded) == (7, 2, 1, 4)
    assert_balances(result)
    assert sorted(result.messages) == sorted([
        "excluded 2: police.uk crime type 'Burglary' is not a community concern",
        "excluded 1: police.uk crime type 'Violence and sexual offences' is not a community "
        "concern",
        "excluded 1: police.uk crime type 'Vehicle crime' is not a community concern"])
    assert [(r["row"], r["column"], r["reason"]) for r in report_rows(result)] == [
        ("6", "lat", "lat is missing"), ("6", "lon", "lon is missing")]   # 'No location'
    facts = con.execute("SELECT category, week, band, n FROM facts ORDER BY category").fetchall()
    monday = dt.date(2025, 5, 12)      # the ISO week holding 15 May 2025
    assert facts == [("anti_social_behaviour", monday, "unknown", 1), ("drugs", monday,
                                                                       "unknown", 1)]
    text = " ".join(all_text(con))
    for secret in POLICE_SECRETS:
        assert secret not in text


def test_police_uk_header_with_a_bom_is_still_recognised(empty_db, tmp_path):
    con, key, _ = empty_db
    path = _police_uk_file(tmp_path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = load(con, key, "community_concerns", path, quarantine_dir=tmp_path / "q")
    assert (result.loaded, result.excluded) == (2, 4)


# --------------------------------------------------------------------------------- premises


def test_premises_rubric_and_the_flag_for_a_contradicting_category(empty_db, tmp_path):
    con, key, _ = empty_db
    text = ("lat,lon,assessment_date,premises_type,community_impact,exploitation,coercion,"
            "drugs,category,premises_ref\n"
            "54.5,1.0,2025-03-03,flat,no,yes,no,no,,P1\n"                 # rubric: risk
            "54.5,1.0,2025-03-03,flat,yes,no,no,no,,P2\n"                 # rubric: nuisance
            "54.5,1.0,2025-03-03,flat,no,no,no,yes,,P3\n"                 # drugs: nuisance
            "54.5,1.0,2025-03-03,flat,no,no,no,no,,P4\n"                  # non-nuisance
            "54.5,1.0,2025-03-03,sauna,no,no,yes,no,non-nuisance,P5\n"    # contradicts: risk
            "54.5,1.0,2025-03-03,sauna,no,no,no,no,nuisance,P6\n"         # supplied is worse
            "54.5,1.0,2025-03-03,sauna,yes,no,no,no,nuisance,P7\n")       # agrees
    result = load(con, key, "premises", write(tmp_path, "premises.csv", text))
    assert (result.loaded, result.flagged) == (7, 2)
    assert result.messages == [
        "flagged row 5: supplied category 'non-nuisance' contradicts the indicators "
        "(rubric: 'risk'); stored the more serious",
        "flagged row 6: supplied category 'nuisance' contradicts the indicators "
        "(rubric: 'non-nuisance'); stored the more serious"]
    got = dict(con.execute("SELECT detail || '/' || category, sum(n) FROM facts "
                           "GROUP BY ALL").fetchall())
    assert got == {"flat/risk": 1, "flat/nuisance": 2, "flat/non-nuisance": 1,
                   "sauna/risk": 1, "sauna/nuisance": 2}
    assert store.fetch_row(con, "SELECT rows_flagged FROM ingests")[0] == 2
    assert store.fetch_row(con, "SELECT count(DISTINCT subject) FROM subjects")[0] == 7


# -------------------------------------------------------------------------------- encodings

ENCODED = [
    ("utf-8-bom", b"\xef\xbb\xbf" + (ON_STREET + GOOD).encode("utf-8"), "utf-8"),
    ("cp1252", (ON_STREET.strip() + ",area_label\n" + GOOD.strip() + ",Caf\xe9 \u2013 quay\n")
     .encode("cp1252"), "cp1252"),
    ("utf-16", (ON_STREET + GOOD).encode("utf-16"), "utf-16"),
    ("crlf", (ON_STREET + GOOD + GOOD2).replace("\n", "\r\n").encode("utf-8"), "utf-8"),
]


@pytest.mark.parametrize("name,data,encoding", ENCODED, ids=[e[0] for e in ENCODED])
def test_spreadsheet_encodings_load(empty_db, tmp_path, name, data, encoding):
    con, key, _ = empty_db
    path = write(tmp_path, f"{name}.csv", data)
    checked = read_feed("on_street", path, today=TODAY)
    assert checked.encoding == encoding and not checked.problems
    result = load(con, key, "on_street", path)
    assert result.status == "loaded" and result.loaded == result.read >= 1


# ------------------------------------------------------------------------------ time rules

TIMES = [
    ("2025-07-06T23:30", dt.date(2025, 6, 30), 6, "evening"),        # BST, no offset: kept
    ("2025-07-06T22:30Z", dt.date(2025, 6, 30), 6, "evening"),       # UTC -> 23:30 BST
    ("2025-07-06T23:30:00+01:00", dt.date(2025, 6, 30), 6, "evening"),
    ("2025-01-05T23:30", dt.date(2024, 12, 30), 6, "evening"),        # GMT
    ("06/07/2025 02:15", dt.date(2025, 6, 30), 6, "night"),           # UK day-first
    ("2025-07-06", dt.date(2025, 6, 30), 6, "unknown"),               # no time of day
    ("2025-07-07 00:00", dt.date(2025, 7, 7), 0, "unknown"),          # midnight = no time
    ("2025-07-07 13:05:59", dt.date(2025, 7, 7), 0, "afternoon"),
    ("2025-07-07T06:00:00.250", dt.date(2025, 7, 7), 0, "morning"),   # general ISO parser
    ("2024-02-29T12:00", dt.date(2024, 2, 26), 3, "afternoon"),       # a real leap day
    ("01/03/2025 18:00", dt.date(2025, 2, 24), 5, "evening"),         # day 1: strict re-check
]


@pytest.mark.parametrize("when,week,dow,band", TIMES, ids=[t[0] for t in TIMES])
def test_times_land_in_their_uk_week_day_and_band(empty_db, tmp_path, when, week, dow, band):
    con, key, _ = empty_db
    path = write(tmp_path, "t.csv", ON_STREET + f"54.5,1.0,{when},observation,police,\n")
    assert load(con, key, "on_street", path).loaded == 1
    assert con.execute("SELECT week, dow, band FROM facts").fetchall() == [(week, dow, band)]


def test_column_checks_in_parallel_threads_give_the_serial_outcome(tmp_path, monkeypatch):
    from data_contracts import validate

    good = "54.5,1.0,2025-03-01T21:30,observation,police,S1\n"
    bad = ["95,1.0,2025-03-01T21:30,observation,police,S1\n",      # impossible lat
           "54.5,x,2025-03-01T21:30,observation,police,S2\n",      # lon not a number
           "54.5,1.0,2025-02-30,observation,police,S3\n",          # no 30 February
           "54.5,1.0,2025-03-01,dancing,police,\n",                # unknown category
           "54.5,1.0,,observation,nobody,S4\n"]                    # missing date, bad agency
    lines = [good * 40 + bad[i % len(bad)] for i in range(60)]
    path = tmp_path / "mixed.csv"
    path.write_text("lat,lon,datetime,activity_type,source_agency,subject_key\n"
                    + "".join(lines))
    outcomes = []
    for threshold in (10**9, 0):          # serial, then parallel for any size
        monkeypatch.setattr(validate, "PARALLEL_ROWS", threshold)
        v = read_feed("on_street", path, today=dt.date(2026, 1, 1))
        outcomes.append(([p.as_dict() for p in v.problems], v.rows))
    (serial_problems, serial_rows), (parallel_problems, parallel_rows) = outcomes
    assert len(serial_problems) == 72 and parallel_problems == serial_problems
    pd.testing.assert_frame_equal(parallel_rows, serial_rows)


def test_parquet_text_that_is_not_utf8_is_refused_whole(tmp_path):
    """Found by the fuzzer: such a column used to escape as a UnicodeDecodeError."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from data_contracts import ContractError, read_feed

    bad = b"\xc2HYPERLINK"
    service = pa.Array.from_buffers(pa.string(), 1, [None, pa.py_buffer(
        np.array([0, len(bad)], dtype=np.int32).tobytes()), pa.py_buffer(bad)])
    path = tmp_path / "contacts.parquet"
    pq.write_table(pa.table({"h3_cell": ["891f1d48177ffff"], "datetime": ["2025-03-01"],
                             "service": service}), path)
    with pytest.raises(ContractError, match="column 'service' holds text that is not valid "
                                            "UTF-8"):
        read_feed("outreach_contacts", path)


def test_one_unreadable_optional_coordinate_quarantines_only_its_row(tmp_path):
    """Adverts may give a hexagon instead of a point: one row whose lat is not a number must
    not make every row with blank coordinates 'not a number' too."""
    import datetime as dt

    from data_contracts import read_feed

    path = tmp_path / "adverts.csv"
    path.write_text("lat,lon,h3_cell,seen_on,platform_type\n"
                    "not a number,1.02,,2026-07-29,escort_directory\n"
                    ",,88194415ddfffff,2026-07-29,escort_directory\n"
                    ",,88194415ddfffff,2026-07-30,escort_directory\n"
                    "54.52,1.02,,2026-07-30,escort_directory\n")
    checked = read_feed("online_adverts", path, today=dt.date(2026, 12, 1))
    assert [(p.row, p.column) for p in checked.problems] == [(1, "lat")]
    assert len(checked.rows) == 3


def test_every_feed_in_the_catalogue_has_a_label_and_unit_words():
    from data_contracts import CATALOGUE, DERIVED_FEEDS, EVENT_FEEDS, Derived, feed_entry

    for feed, entry in CATALOGUE.items():
        assert entry.feed == feed and entry.label and entry.unit.one and entry.unit.many
        assert entry.unit.one != entry.unit.many, feed
    assert DERIVED_FEEDS == ("harm_context", "advert_indicators", "advertisers")
    assert all(isinstance(feed_entry(f), Derived) for f in DERIVED_FEEDS)
    assert set(DERIVED_FEEDS) <= set(EVENT_FEEDS)
    assert not {"areas", "outreach_sites", "environment"} & set(EVENT_FEEDS)
    with pytest.raises(ValueError, match="unknown feed 'adverts'; feeds are: on_street, "):
        feed_entry("adverts")


def test_release_and_maps_read_the_catalogue():
    from dashboard import maps
    from data_contracts import feed_entry
    from profiles.release import get_policy

    for feed, (label, unit, _) in maps.FEEDS.items():
        assert (label, unit) == (feed_entry(feed).label, feed_entry(feed).unit.many)
    for feed in ("online_adverts", "advert_indicators", "advertisers"):
        assert get_policy("analyst").floor_for(feed) == feed_entry(feed).finest_resolution == 7
    assert get_policy("analyst").floor_for("on_street") == 9
