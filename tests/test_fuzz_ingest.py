"""Fuzzing the feed contracts: malformed CSV, GeoJSON and Parquet never break the store.

Every generated file goes through :func:`profiles.store.ingest.ingest_file` on a real DuckDB store
(with the synthetic town's areas loaded, so the force extent is real), and a smaller set
through ``lantern ingest`` in-process. Each case must end in a clear refusal (one line, naming
the file; nothing written) or a load with quarantine where ``read == loaded + quarantined +
excluded``; no other exception, and no traceback in anything the user sees.
"""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import math
from collections import Counter

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_contracts import FEEDS, ContractError, read_feed
from data_contracts.feeds import CONTRACTS
from profiles.store import database as store
from profiles.cli import main
from profiles.store.ingest import ingest_file
from profiles.store.keys import load_key

TODAY = dt.date(2026, 11, 2)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HUGE = "x" * 1_000_000
SETTINGS = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

#: Text that must never become a live formula or markup anywhere it can reach.
NASTY = ('=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\t=1+1",
         "\r=1+1", "a,=1+1", "a;=1+1", "x\n=1+1", '<img src=x onerror=alert(1)>', "\u202eevil",
         "\x00", '"', "'", "NaN", "nan", "inf", "-inf", "Infinity", "1e400", "-1e400", "0x1F",
         "54,5", "１２", "   ", "", "__row", "2025-02-30", "99999-01-01", "25:99", "mon--fri",
         "f" * 40, "8a2a1072b59ffff" * 3, "0x8a2a1072b59ffff")

VALID = {
    "lat": ("54.5", "54.49", "54.51"), "lon": ("1.0", "0.99", "1.01"),
    "datetime": ("2025-03-01T21:30", "2025-03-01", "01/03/2025 21:30"),
    "clock": ("09:00", "23:59"), "days": ("Mon-Fri", "daily", "mon,wed"),
    "bool": ("true", "no", "1"), "int": ("1", "3"), "key": ("S001", "P-7"),
    "cell": ("891f1d48177ffff", "8a2a1072b59ffff"), "label": ("Ashcombe Ward (synthetic)",),
    "place": ("Ashcombe Ward (synthetic)", ""),
}


def _valid_values(column) -> tuple:
    if column.kind == "category":
        return tuple(column.allowed)
    return VALID[column.kind]


@st.composite
def cells_for(draw, column):
    """A cell for ``column``: mostly valid, sometimes hostile."""
    if draw(st.sampled_from([True] + [False] * 4)):
        return draw(st.sampled_from(NASTY) | st.text(max_size=12))
    return draw(st.sampled_from(_valid_values(column)))


@st.composite
def headers(draw, feed):
    """A header for ``feed``: the contract's columns, sometimes damaged."""
    cols = list(CONTRACTS[feed].columns)
    names = [c.name for c in cols]
    damage = draw(st.sampled_from(["none", "none", "drop", "duplicate", "identifying",
                                   "reserved", "case", "blank", "formula"]))
    if damage == "drop":
        del names[draw(st.integers(0, len(names) - 1))]
    elif damage == "duplicate":
        names.append(draw(st.sampled_from(names)))
    elif damage == "identifying":
        names.append(draw(st.sampled_from(["name", "notes", "phone", "postcode", "Full Name"])))
    elif damage == "reserved":
        names.insert(0, draw(st.sampled_from(["__row", "__keep", "__has_point"])))
    elif damage == "case":
        names = [f" {n.upper()} " for n in names]
    elif damage == "blank":
        names.append("")
    elif damage == "formula":
        names.append('=HYPERLINK("http://x","y")')
    return names


def _column_of(feed, name):
    for c in CONTRACTS[feed].columns:
        if c.name == name.strip().lower():
            return c
    return CONTRACTS[feed].columns[0]


@st.composite
def csv_files(draw, feed):
    """Bytes of a CSV file for ``feed``: encodings, BOMs, ragged rows, huge cells, cuts."""
    names = draw(headers(feed))
    n_rows = draw(st.integers(0, 6))
    rows = []
    for _ in range(n_rows):
        row = [draw(cells_for(_column_of(feed, n))) for n in names]
        delta = draw(st.sampled_from([0, 0, 0, 0, -1, 1, -len(row), 3]))
        rows.append(row[:len(row) + delta] if delta < 0 else row + ["extra"] * delta)
    if rows and draw(st.integers(0, 9)) == 0:
        rows[0][0:1] = [HUGE]
    buf = io.StringIO()
    csv.writer(buf, lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"]))).writerows(
        [names, *rows])
    text = buf.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "utf-16-le",
                                     "utf-16-be", "cp1252", "latin-1"]))
    data = text.encode(encoding, errors="replace")
    return _damage(draw, data)


def _damage(draw, data: bytes) -> bytes:
    """Maybe insert invalid bytes, or cut the file at a random offset."""
    how = draw(st.sampled_from(["none"] * 5 + ["invalid", "cut", "blank"]))
    if how == "invalid" and data:
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.sampled_from([b"\xff\xfe\x80", b"\xc3\x28", b"\x00",
                                                 b"\xed\xa0\x80"])) + data[at:]
    if how == "cut" and data:
        return data[:draw(st.integers(0, len(data) - 1))]
    if how == "blank":
        return draw(st.sampled_from([b"", b"\n\n", b"\xef\xbb\xbf", b"\xff\xfe"]))
    return data


_NUMBERS = (54.5, 1.0, math.nan, math.inf, -math.inf, 1e308, -0.0, 1e-300, 91.0, -181.0)


@st.composite
def coordinates(draw):
    """A GeoJSON position as JSON text: sometimes NaN, Infinity, 1e400 or a huge integer."""
    def one():
        return draw(st.sampled_from(["1.0", "54.5", "NaN", "Infinity", "-Infinity", "1e400",
                                     "1" + "0" * 5000, '"54.5"', "null", "[]"]))
    return draw(st.sampled_from([f"[{one()}, {one()}]", "[]", "[1.0]", '"x"', "{}",
                                 "[1.0, 54.5, 3.0, 4.0]"]))


@st.composite
def geojson_files(draw, feed):
    """Bytes of a GeoJSON document for ``feed``: mostly well formed, broken at any level."""
    contract = CONTRACTS[feed]
    features = []
    for _ in range(draw(st.integers(1, 4))):
        props = {c.name: draw(cells_for(c)) for c in contract.columns
                 if c.name not in ("lat", "lon", "h3_cell")}
        if props and draw(st.integers(0, 7)) == 0:
            del props[draw(st.sampled_from(sorted(props)))]
        if draw(st.integers(0, 9)) == 0:
            props[draw(st.sampled_from(["__row", "name", "", "notes"]))] = "x"
        props_text = draw(st.sampled_from([json.dumps(props)] * 6 + [
            "null", "[1, 2]", '"text"', "3", '{"a": {"b": [1]}}']))
        if contract.geometry == "polygon":
            x = draw(st.sampled_from(["1.0"] * 4 + ["NaN", "Infinity", "1e400"]))
            ring = f"[[{x},54.5],[1.01,54.5],[1.01,54.51],[1.0,54.51],[{x},54.5]]"
            geom = draw(st.sampled_from([f'{{"type": "Polygon", "coordinates": [{ring}]}}'] * 4
                                        + [
                '{"type": "Polygon", "coordinates": []}',
                '{"type": "Polygon", "coordinates": [[[0,0],[1,1],[1,0],[0,1],[0,0]]]}',
                '{"type": "MultiPolygon", "coordinates": [[[]]]}',
                '{"type": "Point", "coordinates": [1.0, 54.5]}', "null"]))
        else:
            geom = draw(st.sampled_from(
                ['{"type": "Point", "coordinates": [1.0, 54.5]}'] * 4
                + [f'{{"type": "Point", "coordinates": {draw(coordinates())}}}'] * 2 + [
                    '{"type": "LineString", "coordinates": [[1.0, 54.5], [1.1, 54.6]]}',
                    '{"type": "GeometryCollection", "geometries": []}',
                    '{"type": "Nonsense"}', "null", "5"]))
        features.append(draw(st.sampled_from(
            [f'{{"type": "Feature", "properties": {props_text}, "geometry": {geom}}}'] * 6
            + ["null", "1", '"feature"', "[]"])))
    body = ", ".join(features)
    text = draw(st.sampled_from([f'{{"type": "FeatureCollection", "features": [{body}]}}'] * 6
                                + [
        '{"type": "FeatureCollection", "features": []}',
        '{"type": "FeatureCollection", "features": {}}',
        f'[{body}]', '"just text"', "[" * 50_000 + "]" * 50_000,
        '{"type": "FeatureCollection", "features": [' + "[" * 5000 + "]" * 5000 + "]}"]))
    encoding = draw(st.sampled_from(["utf-8"] * 4 + ["utf-8-sig", "utf-16", "utf-16-le",
                                                     "cp1252"]))
    return _damage(draw, text.encode(encoding, errors="replace"))


_ARROW_COLUMNS = {
    "string": lambda d, n: pa.array([d(st.sampled_from(NASTY + ("54.5", "incident")))
                                     for _ in range(n)], pa.string()),
    "large_string": lambda d, n: pa.array(["police"] * n, pa.large_string()),
    "float": lambda d, n: pa.array([d(st.sampled_from(_NUMBERS)) for _ in range(n)]),
    "int": lambda d, n: pa.array([d(st.sampled_from([54, -1, 2**62, 0])) for _ in range(n)]),
    "bool": lambda d, n: pa.array([d(st.booleans()) for _ in range(n)]),
    "null": lambda d, n: pa.nulls(n),
    "timestamp": lambda d, n: pa.array([d(st.sampled_from([0, 10**15, -10**15,
                                                           1_740_000_000]))
                                        for _ in range(n)], pa.timestamp("s")),
    "timestamp_tz": lambda d, n: pa.array([1_740_000_000] * n, pa.timestamp("ms", "UTC")),
    "date": lambda d, n: pa.array([d(st.sampled_from([0, 20_000, 2_000_000]))
                                   for _ in range(n)], pa.date32()),
    "duration": lambda d, n: pa.array([5] * n, pa.duration("s")),
    "decimal": lambda d, n: pa.array([__import__("decimal").Decimal("54.5")] * n,
                                     pa.decimal128(5, 2)),
    "list": lambda d, n: pa.array([[54.5, 1.0]] * n),
    "struct": lambda d, n: pa.array([{"a": 1, "b": "x"}] * n),
    "binary": lambda d, n: pa.array([b"\x00\xff"] * n, pa.binary()),
    "fixed_binary": lambda d, n: pa.array([b"ab"] * n, pa.binary(2)),
    "dictionary": lambda d, n: pa.array(["incident"] * n).dictionary_encode(),
    "time": lambda d, n: pa.array([3600] * n, pa.time32("s")),
    "float16": lambda d, n: pa.array([54.5] * n, pa.float64()).cast(pa.float16()),
}


@st.composite
def parquet_files(draw, feed):
    """Bytes of a Parquet file for ``feed`` whose columns have any Arrow type."""
    names = draw(headers(feed))
    n = draw(st.integers(0, 5))
    arrays = [_ARROW_COLUMNS[draw(st.sampled_from(sorted(_ARROW_COLUMNS)))](draw, n)
              for _ in names]
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(arrays, names=names), buf)
    data = buf.getvalue()
    how = draw(st.sampled_from(["none", "none", "cut", "flip"]))
    if how == "cut":
        data = data[:draw(st.integers(0, len(data) - 1))]
    elif how == "flip":
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:]
    return data


# --------------------------------------------------------------------------- the store


TABLES = ("facts", "subjects", "environment", "outreach_sites", "areas", "area_cells",
          "ingests", "quarantine", "meta")


def table_counts(con) -> dict:
    """Row count of every table (the fingerprint a refused file must not change)."""
    return {t: store.fetch_row(con, f"SELECT count(*) FROM {t}")[0] for t in TABLES}


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory, town_files):
    """A writable store holding the synthetic town's areas (so the force extent is real)."""
    root = tmp_path_factory.mktemp("fuzz")
    path = root / "fuzz.duckdb"
    con = store.connect(path)
    key = load_key(path)
    ingest_file(con, "areas", town_files["areas"], key=key, today=TODAY)
    yield {"con": con, "key": key, "root": root}
    con.close()


def assert_refusal_is_clear(exc: ContractError, path) -> None:
    message = str(exc)
    assert message.startswith(f"{path}: "), message[:200]
    assert "\n" not in message and "\r" not in message, message[:300]
    assert len(message) < 1500, f"refusal message is {len(message)} characters"
    assert "Traceback" not in message


def assert_report_is_safe(report_path) -> None:
    with open(report_path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["file", "row", "column", "value", "reason"]
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(FORMULA_START), f"live formula in report: {cell!r}"
        assert len(row[3]) <= 81


def check_ingest(fuzz, feed: str, name: str, data: bytes):
    """Ingest one generated file and check every invariant; return the outcome word."""
    con, root = fuzz["con"], fuzz["root"]
    path = root / name
    path.write_bytes(data)
    before = table_counts(con)
    try:
        result = ingest_file(con, feed, path, key=fuzz["key"], today=TODAY,
                             quarantine_dir=root / "quarantine")
    except ContractError as exc:
        assert_refusal_is_clear(exc, path)
        assert table_counts(con) == before, "a refused file changed the store"
        return "refused"
    assert result.read == result.loaded + result.quarantined + result.excluded
    after = table_counts(con)
    if result.status == "already loaded":
        assert after == before
        return "already loaded"
    assert result.status == "loaded"
    assert after["ingests"] == before["ingests"] + 1
    row = store.fetch_row(con, "SELECT rows_read, rows_loaded, rows_quarantined, "
                               "rows_excluded FROM ingests WHERE ingest_id = ?",
                          [result.ingest_id])
    assert tuple(row) == (result.read, result.loaded, result.quarantined, result.excluded)
    assert (result.quarantine_report is not None) == (result.quarantined > 0)
    if result.quarantine_report:
        assert_report_is_safe(result.quarantine_report)
    return "loaded"


# --------------------------------------------------------------------------- properties


def fuzz(fuzz_store, strategy, suffix: str, examples: int) -> Counter:
    """Run ``examples`` generated files of every feed through :func:`check_ingest`."""
    outcomes = Counter()

    @settings(max_examples=examples, **SETTINGS)
    @given(feed=st.sampled_from(FEEDS), data=st.data())
    def run(feed, data):
        outcomes[check_ingest(fuzz_store, feed, f"fuzz{suffix}", data.draw(strategy(feed)))] += 1

    run()
    return outcomes


#: (format, strategy, file suffix, examples, fewest refused, fewest loaded): the lower bounds
#: show the generator reaches both ends (a fuzzer that only makes unreadable files, or only
#: clean ones, would test little).
#: Examples grew when the ninth feed (online adverts) came, to give every feed at least as
#: many as before (the draws are derandomized: a new feed reshuffles which files are made).
FORMATS = [("csv", csv_files, ".csv", 100, 10, 10),
           ("geojson", geojson_files, ".geojson", 100, 10, 5),
           ("parquet", parquet_files, ".parquet", 70, 10, 3)]


@pytest.mark.parametrize("strategy, suffix, examples, refused, loaded",
                         [f[1:] for f in FORMATS], ids=[f[0] for f in FORMATS])
def test_fuzzed_files_are_refused_or_loaded_with_quarantine(fuzz_store, strategy, suffix,
                                                             examples, refused, loaded):
    outcomes = fuzz(fuzz_store, strategy, suffix, examples)
    assert outcomes["refused"] >= refused, outcomes
    assert outcomes["loaded"] >= loaded, outcomes


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".geojson"])
def test_random_bytes_are_refused_or_loaded(fuzz_store, suffix):
    outcomes = fuzz(fuzz_store, lambda feed: st.binary(max_size=3000), suffix, 25)
    assert sum(outcomes.values()) >= 20
    if suffix != ".csv":  # random bytes are never a Parquet or GeoJSON file
        assert set(outcomes) == {"refused"}, outcomes


# --------------------------------------------------------------------------- fixed cases


ON_STREET = "lat,lon,datetime,activity_type,source_agency\n"
GOOD_ROW = "54.5,1.0,2025-03-01T21:30,observation,police\n"


MALFORMED_CSV = [
    ("empty.csv", b"", "refused"),
    ("header-only.csv", ON_STREET.encode(), "loaded"),
    ("bom-utf8.csv", b"\xef\xbb\xbf" + (ON_STREET + GOOD_ROW).encode(), "loaded"),
    ("bom-utf16.csv", (ON_STREET + GOOD_ROW).encode("utf-16"), "loaded"),
    ("utf16-no-bom.csv", (ON_STREET + GOOD_ROW).encode("utf-16-le"), "refused"),
    ("cp1252.csv", (ON_STREET + GOOD_ROW.replace("police", "pol\u00eece")).encode("cp1252"),
     "loaded"),
    ("invalid-utf8.csv", (ON_STREET + GOOD_ROW).encode() + b"54.5,1.0,\xc3\x28,x,y\n", "loaded"),
    ("duplicate-header.csv", ("lat," + ON_STREET + "1," + GOOD_ROW).encode(), "refused"),
    ("ragged.csv", (ON_STREET + "54.5,1.0\n" + GOOD_ROW.strip() + ",x,y\n").encode(),
     "loaded"),
    ("huge-cell.csv", (ON_STREET + "54.5,1.0,2025-03-01," + HUGE + ",police\n").encode(),
     "loaded"),
    ("nan-coordinates.csv", (ON_STREET + "NaN,inf,2025-03-01,observation,police\n"
                             "1e400,-1e400,2025-03-01,observation,police\n").encode(), "loaded"),
    ("unclosed-quote.csv", (ON_STREET + '54.5,1.0,"2025-03-01,observation,police\n').encode(),
     "any"),
    ("truncated-mid-row.csv", (ON_STREET + GOOD_ROW + "54.5,1.0,2025-0").encode(), "loaded"),
    ("reserved-column.csv", ("__row," + ON_STREET + "abc," + GOOD_ROW).encode(), "any"),
    ("header-newline.csv", ('"lat\n=1+1",' + ON_STREET[4:] + GOOD_ROW).encode(), "refused"),
    ("formula-header.csv", ('=HYPERLINK("http://x"),' + ON_STREET).encode(), "any"),
]


@pytest.mark.parametrize("name, data, outcome", MALFORMED_CSV,
                         ids=[c[0] for c in MALFORMED_CSV])
def test_named_malformed_csv(fuzz_store, name, data, outcome):
    got = check_ingest(fuzz_store, "on_street", name, data)
    assert outcome in ("any", got) or got == "already loaded"


def _parquet(**columns) -> bytes:
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(list(columns.values()), names=list(columns)), buf)
    return buf.getvalue()


def _feature(props, geometry) -> str:
    return (f'{{"type": "FeatureCollection", "features": [{{"type": "Feature", '
            f'"properties": {props}, "geometry": {geometry}}}]}}')


_PROPS = '{"datetime": "2025-03-01", "activity_type": "incident", "source_agency": "police"}'

#: Files that once crashed ingest (found by the properties above or by hand); kept as cases.
REGRESSIONS = [
    ("deep-nesting.geojson", ("[" * 100_000 + "]" * 100_000).encode(), "refused"),
    ("huge-integer.geojson", _feature(_PROPS, '{"type": "Point", "coordinates": [1'
                                      + "0" * 5000 + ', 54.5]}').encode(), "refused"),
    ("nan-infinity.geojson", _feature(_PROPS, '{"type": "Point", "coordinates": '
                                      '[NaN, Infinity]}').encode(), "loaded"),
    ("empty-point.geojson", _feature(_PROPS, '{"type": "Point", "coordinates": []}').encode(),
     "any"),
    ("properties-list.geojson", _feature("[1, 2]", "null").encode(), "refused"),
    ("timestamp-out-of-range.parquet", _parquet(
        lat=pa.array([54.5]), lon=pa.array([1.0]),
        datetime=pa.array([10**15], pa.timestamp("s")), activity_type=pa.array(["incident"]),
        source_agency=pa.array(["police"])), "any"),
    ("duplicate-columns.parquet", _parquet(
        lat=pa.array([54.5]), lon=pa.array([1.0]), datetime=pa.array(["2025-03-01"]),
        activity_type=pa.array(["incident"]), source_agency=pa.array(["police"]))
     .replace(b"source_agency", b"activity_type"), "any"),
    ("struct-column.parquet", _parquet(
        lat=pa.array([{"a": 1}]), lon=pa.array([1.0]), datetime=pa.array(["2025-03-01"]),
        activity_type=pa.array(["incident"]), source_agency=pa.array(["police"])), "refused"),
    ("nul-in-header.csv", b"\xff\xfe" + "lat,lon\x00x\n".encode("utf-16-le"), "refused"),
]


@pytest.mark.parametrize("name, data, outcome", REGRESSIONS, ids=[c[0] for c in REGRESSIONS])
def test_regressions(fuzz_store, name, data, outcome):
    got = check_ingest(fuzz_store, "on_street", name, data)
    assert outcome in ("any", got) or got == "already loaded"


@pytest.mark.parametrize("value", ["f" * 40, "8a2a1072b59ffff" * 3, "0x8a2a1072b59ffff", "-1"],
                         ids=["long-hex", "repeated-cell", "0x-prefix", "negative"])
def test_odd_h3_cell_text_is_quarantined(fuzz_store, value):
    data = f"h3_cell,datetime,service\n{value},2025-03-01,health\n".encode()
    assert check_ingest(fuzz_store, "outreach_contacts", f"cell-{len(value)}.csv", data) in (
        "loaded", "already loaded")
    checked = read_feed("outreach_contacts", fuzz_store["root"] / f"cell-{len(value)}.csv",
                        today=TODAY)
    assert [p.reason for p in checked.problems][:1] == ["h3_cell is not a valid H3 cell id"]


def test_formula_cells_never_reach_the_quarantine_report_live(fuzz_store):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(
        [["54.5", "1.0", "2025-03-01", v, "police"] for v in NASTY[:8]])
    path = fuzz_store["root"] / "formulas.csv"
    path.write_text(ON_STREET + buf.getvalue(), encoding="utf-8")
    result = ingest_file(fuzz_store["con"], "on_street", path, key=fuzz_store["key"],
                         today=TODAY, quarantine_dir=fuzz_store["root"] / "quarantine")
    assert result.quarantined == 8
    assert_report_is_safe(result.quarantine_report)
    values = [r["value"] for r in csv.DictReader(open(result.quarantine_report,
                                                      encoding="utf-8"))]
    assert "'=HYPERLINK(\"http://x\",\"y\")" in values


def test_a_file_named_like_a_formula_is_safe_in_the_report(fuzz_store, monkeypatch):
    monkeypatch.chdir(fuzz_store["root"])
    name = '=HYPERLINK("x","y")@SUM(1).csv'
    (fuzz_store["root"] / name).write_text(ON_STREET + "95,1.0,2025-03-01,observation,police\n")
    result = ingest_file(fuzz_store["con"], "on_street", name, key=fuzz_store["key"],
                         today=TODAY, quarantine_dir=fuzz_store["root"] / "quarantine")
    assert result.quarantined == 1
    assert_report_is_safe(result.quarantine_report)


# --------------------------------------------------------------------------- the CLI


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory, town_files):
    """A database for the CLI runs, holding the town's areas."""
    root = tmp_path_factory.mktemp("fuzz-cli")
    db = root / "cli.duckdb"
    assert main(["ingest", "areas", str(town_files["areas"]), "--db", str(db)]) == 0
    return root, db


def run_cli(argv) -> tuple[int, str, str]:
    """Run ``lantern`` in-process; return (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def cli_counts(db) -> dict:
    con = store.connect(db, read_only=True)
    try:
        return table_counts(con)
    finally:
        con.close()


@settings(max_examples=30, **SETTINGS)
@given(data=st.data())
def test_cli_ingest_of_fuzzed_files_never_shows_a_traceback(cli_db, data):
    root, db = cli_db
    feed = data.draw(st.sampled_from(["on_street", "outreach_contacts", "areas"]))
    kind = data.draw(st.sampled_from(["csv", "geojson", "parquet"]))
    files = {"csv": csv_files, "geojson": geojson_files, "parquet": parquet_files}
    path = root / f"cli-fuzz.{kind}"
    path.write_bytes(data.draw(files[kind](feed)))
    before = cli_counts(db)
    code, out, err = run_cli(["ingest", feed, str(path), "--db", str(db)])
    assert "Traceback" not in out + err
    assert code in (0, 1), (code, err[-300:])
    lines = err.splitlines()
    assert lines[0] == f"{path}: checking and loading …"
    if code == 1:
        assert len(lines) == 2, lines
        assert lines[1].startswith(f"refused: {path}: ")
        assert cli_counts(db) == before, "a refused file changed the database"
    else:   # then the released tables are prepared for the dashboard (lantern ingest)
        assert lines[1:2] == ["Preparing the released tables for the dashboard …"], lines
        assert len(lines) == 3 and lines[2].startswith("Released tables ready: "), lines
        assert out.startswith(f"{path}: ")


def test_cli_refusal_is_one_line_naming_the_file(cli_db):
    root, db = cli_db
    path = root / "with-names.csv"
    path.write_text("name," + ON_STREET + "Jo," + GOOD_ROW, encoding="utf-8")
    before = cli_counts(db)
    code, out, err = run_cli(["ingest", "on_street", str(path), "--db", str(db)])
    assert code == 1 and out == ""
    assert err.splitlines()[1] == (
        f"refused: {path}: column 'name' is refused: a name identifies a person, and Lantern "
        f"never stores it. Fix: remove the column 'name' from the extract and load it again "
        f"(no row was loaded).")
    assert cli_counts(db) == before
