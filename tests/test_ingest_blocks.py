"""Large files load in blocks (issue 16): the same store as a whole-file load, all or nothing.

Each test loads the same file twice, once whole and once in small blocks (``block_bytes`` a
few kilobytes, so a 50 kB file is a dozen blocks), and compares what the store holds, what
the summary says and what the quarantine report lists. The memory test loads a file and a file
twice as large in separate processes and compares their peak resident memory.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data_contracts import ContractError
from data_contracts.blocks import NotPlain, raw_blocks
from data_contracts.checks import RAGGED_REASON
from geo.extent import Extent
from profiles.store import database as store
from profiles.store.ingest import IngestOptions, ingest_file
from profiles.store.keys import load_key

TOWN = Path(__file__).resolve().parents[1] / "sample_data" / "town"
TODAY = dt.date(2026, 12, 1)
SMALL = 8_000          # bytes per block: every town file is several blocks
TABLES = {"facts": "feed, cell, week, dow, band, category, detail, n, n_keyed",
          "subjects": "feed, cell, week, dow, band, category, detail, subject",
          "environment": "cell, feature_type, week, n",
          "quarantine": "column_name, reason, n"}


def _store(tmp: Path, name: str, areas: bool = True):
    db = tmp / f"{name}.duckdb"
    con = store.connect(db)
    if areas:
        ingest_file(con, "areas", TOWN / "areas.geojson", key=load_key(db), today=TODAY,
                    quarantine_dir=tmp / f"q-{name}")
    return con, db


def _load(con, db, feed, path, tmp, name, **kw):
    return ingest_file(con, feed, path, key=load_key(db), today=TODAY,
                       quarantine_dir=tmp / f"q-{name}", **kw)


def _held(con) -> dict:
    """Every row the store holds, per table, in a fixed order (ingest ids left out)."""
    return {table: con.execute(f"SELECT {cols} FROM {table} ORDER BY ALL").fetchall()
            for table, cols in TABLES.items()}


def _same_key(tmp: Path, *names) -> None:
    """Give stores the same hashing key, so their keyed subjects compare equal."""
    key = (tmp / f"{names[0]}.duckdb.key").read_bytes()
    for name in names[1:]:
        (tmp / f"{name}.duckdb.key").write_bytes(key)


def _with_bad_rows(src: Path, out: Path) -> Path:
    """The file with a few bad rows spread through it (one per ~400 rows)."""
    frame = pd.read_csv(src, dtype=str, keep_default_na=False)
    frame.loc[frame.index[::397], frame.columns[0]] = "not a number"
    frame.loc[frame.index[5::611], "datetime" if "datetime" in frame else frame.columns[1]] = \
        "31/31/2026"
    frame.to_csv(out, index=False)
    return out


def test_options_and_keywords_load_alike_and_a_wrong_keyword_is_refused(tmp_path):
    """IngestOptions holds what ingest_file's keywords say, keywords override it, and a
    misspelt option is an error before anything is read."""
    path = _with_bad_rows(TOWN / "on_street.csv", tmp_path / "on_street.csv")
    by_words, words_db = _store(tmp_path, "words")
    by_options, options_db = _store(tmp_path, "options")
    _same_key(tmp_path, "words", "options")
    a = _load(by_words, words_db, "on_street", path, tmp_path, "words", strict=False)
    options = IngestOptions(today=TODAY, quarantine_dir=tmp_path / "q-options", strict=True)
    b = ingest_file(by_options, "on_street", path, options, key=load_key(options_db),
                    strict=False)                  # the keyword wins over the options
    assert (a.read, a.loaded, a.quarantined) == (b.read, b.loaded, b.quarantined)
    assert a.quarantined > 0 and _held(by_words) == _held(by_options)
    with pytest.raises(ContractError):             # strict, from the options alone
        ingest_file(by_options, "harm_reports",
                    _with_bad_rows(TOWN / "harm_reports.csv", tmp_path / "harm_reports.csv"),
                    options, key=load_key(options_db))
    with pytest.raises(TypeError, match="strickt"):
        ingest_file(by_options, "on_street", path, key=load_key(options_db), strickt=True)


@pytest.mark.parametrize("private_copy", [False, True], ids=["one transaction", "per block"])
@pytest.mark.parametrize("feed", ["on_street", "harm_reports", "premises",
                                  "outreach_contacts", "community_concerns", "environment",
                                  "online_adverts"])
def test_blocks_load_what_the_whole_file_loads(tmp_path, feed, private_copy):
    path = _with_bad_rows(TOWN / f"{feed}.csv", tmp_path / f"{feed}.csv")
    whole, whole_db = _store(tmp_path, "whole")
    blocks, blocks_db = _store(tmp_path, "blocks")
    _same_key(tmp_path, "whole", "blocks")
    a = _load(whole, whole_db, feed, path, tmp_path, "whole")
    block = path.stat().st_size // 6
    b = _load(blocks, blocks_db, feed, path, tmp_path, "blocks", block_bytes=block,
              private_copy=private_copy)
    assert len(list(raw_blocks(path, block_bytes=block))) >= 4   # it really was blocks
    assert a.quarantined > 0 and (a.read, a.loaded, a.quarantined, a.excluded, a.flagged) == \
        (b.read, b.loaded, b.quarantined, b.excluded, b.flagged)
    assert a.messages == b.messages
    held = _held(whole)
    assert (held["facts"] or held["environment"]) and held == _held(blocks)
    # the quarantine reports list the same rows, columns, values and reasons
    assert Path(a.quarantine_report).read_text() == Path(b.quarantine_report).read_text()
    # one row per grain, as a whole-file load writes
    assert blocks.execute("SELECT count(*) FROM (SELECT DISTINCT feed, cell, week, dow, band, "
                          "category, detail FROM facts)").fetchone()[0] == \
        blocks.execute("SELECT count(*) FROM facts").fetchone()[0]


@pytest.mark.parametrize("private_copy", [False, True], ids=["one transaction", "per block"])
def test_a_file_loaded_again_in_blocks_is_already_loaded(tmp_path, private_copy):
    """Hashed as its blocks are read, a second load of the same file is found out at the end
    and undone; its report keeps the first load's name and nothing partial is left."""
    path = _with_bad_rows(TOWN / "on_street.csv", tmp_path / "again.csv")
    con, db = _store(tmp_path, "s")
    first = _load(con, db, "on_street", path, tmp_path, "s", block_bytes=SMALL,
                  private_copy=private_copy)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert first.status == "loaded" and first.file_sha256 == sha
    assert Path(first.quarantine_report).name == f"on_street-again-{sha[:8]}.csv"
    held = _held(con)
    again = _load(con, db, "on_street", path, tmp_path, "s", block_bytes=SMALL,
                  private_copy=private_copy)
    assert again.status == "already loaded" and again.file_sha256 == sha
    assert _held(con) == held
    assert con.execute("SELECT count(*) FROM ingests WHERE feed = 'on_street'").fetchone()[0] \
        == 1
    reports = sorted(p.name for p in (tmp_path / "q-s").iterdir())
    assert reports == [f"on_street-again-{sha[:8]}.csv"]
    # under another name it is only found out at the end (hashed as it is read), and undone
    other = tmp_path / "renamed.csv"
    other.write_bytes(path.read_bytes())
    renamed = _load(con, db, "on_street", other, tmp_path, "s", block_bytes=SMALL,
                    private_copy=private_copy)
    assert renamed.status == "already loaded" and _held(con) == held


def test_a_large_file_loaded_again_under_its_name_is_not_read_again(tmp_path, monkeypatch):
    """A file of a name loaded before is hashed first, so loading it again stops before a
    block is read (the blocks reader is replaced by one that fails if called)."""
    import profiles.store.ingest as ingest

    path = _with_bad_rows(TOWN / "on_street.csv", tmp_path / "again.csv")
    con, db = _store(tmp_path, "s")
    assert _load(con, db, "on_street", path, tmp_path, "s", block_bytes=SMALL).status == \
        "loaded"

    def not_read(*args, **kwargs):
        raise AssertionError("the file was read again")
    monkeypatch.setattr(ingest, "iter_feed", not_read)
    again = _load(con, db, "on_street", path, tmp_path, "s", block_bytes=SMALL)
    assert again.status == "already loaded"
    changed = tmp_path / "changed" / "again.csv"       # same name, other rows: read and loaded
    changed.parent.mkdir()
    changed.write_text(path.read_text().replace("observation", "incident", 1))
    with pytest.raises(AssertionError, match="read again"):
        _load(con, db, "on_street", changed, tmp_path, "s", block_bytes=SMALL)
    monkeypatch.undo()     # read for real: the hash taken first names the file and its report
    loaded = _load(con, db, "on_street", changed, tmp_path, "s", block_bytes=SMALL)
    sha = hashlib.sha256(changed.read_bytes()).hexdigest()
    assert loaded.status == "loaded" and loaded.file_sha256 == sha
    assert Path(loaded.quarantine_report).name == f"on_street-again-{sha[:8]}.csv"


def test_police_uk_download_in_blocks_counts_exclusions_once(tmp_path):
    path = Path(__file__).resolve().parents[1] / "sample_data" / "partner_files" / \
        "police_uk_street.csv"
    whole, whole_db = _store(tmp_path, "whole")
    blocks, blocks_db = _store(tmp_path, "blocks")
    a = _load(whole, whole_db, "community_concerns", path, tmp_path, "whole")
    b = _load(blocks, blocks_db, "community_concerns", path, tmp_path, "blocks",
              block_bytes=2_000)
    assert a.excluded > 0 and a.summary().replace("whole", "") == \
        b.summary().replace("blocks", "")
    assert a.messages == b.messages and _held(whole) == _held(blocks)


def test_a_police_uk_download_is_read_in_blocks_sized_by_the_columns_read(tmp_path,
                                                                          monkeypatch):
    """4 of its 12 columns are read, so its blocks are three times larger (a block holds
    about as much of what is read); a file of Lantern's own columns keeps the size asked."""
    from data_contracts import validate
    from data_contracts.validate import block_plan
    import profiles.store.ingest as ingest

    path = Path(__file__).resolve().parents[1] / "sample_data" / "partner_files" / \
        "police_uk_street.csv"
    assert block_plan("community_concerns", path, block_bytes=2_000) == 6_000
    assert block_plan("on_street", TOWN / "on_street.csv", block_bytes=2_000) == 2_000
    # read whole: smaller than two blocks, or not a CSV or Parquet file
    assert block_plan("community_concerns", path, block_bytes=path.stat().st_size) is None
    assert block_plan("areas", TOWN / "areas.geojson", block_bytes=2_000) is None
    sizes = []
    real = validate.iter_feed

    def spy(*args, **kwargs):
        sizes.append(kwargs["block_bytes"])
        return real(*args, **kwargs)

    monkeypatch.setattr(ingest, "iter_feed", spy)
    con, db = _store(tmp_path, "s")
    assert _load(con, db, "community_concerns", path, tmp_path, "s",
                 block_bytes=2_000).status == "loaded"
    assert sizes == [6_000]


@pytest.mark.parametrize("private_copy", [False, True], ids=["one transaction", "per block"])
def test_a_refusal_in_a_late_block_leaves_the_store_as_it_was(tmp_path, private_copy):
    """An advert extract with a phone number near its end: refused after earlier blocks were
    loaded (and, per block, committed), and nothing of it stays."""
    frame = pd.read_csv(TOWN / "online_adverts.csv", dtype=str, keep_default_na=False)
    frame.loc[len(frame) - 3, "platform_type"] = "07700 900123"
    path = tmp_path / "late.csv"
    frame.to_csv(path, index=False)
    con, db = _store(tmp_path, "s")
    before = _held(con)
    limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    with pytest.raises(ContractError, match=f"row {len(frame) - 2}"):
        _load(con, db, "online_adverts", path, tmp_path, "s", block_bytes=SMALL,
              private_copy=private_copy)
    assert _held(con) == before
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchone()[0] == 0
    assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == limit


def test_a_bad_coordinate_block_late_in_the_file_refuses_it_all(tmp_path):
    frame = pd.read_csv(TOWN / "on_street.csv", dtype=str, keep_default_na=False)
    tail = frame.index[-600:]                     # the last blocks: latitude and longitude
    frame.loc[tail, ["lat", "lon"]] = frame.loc[tail, ["lon", "lat"]].to_numpy()  # swapped
    path = tmp_path / "swapped_tail.csv"
    frame.to_csv(path, index=False)
    con, db = _store(tmp_path, "s")
    extent = Extent("the town", 54.3, 54.7, 0.7, 1.3)
    with pytest.raises(ContractError, match="swapped"):
        _load(con, db, "on_street", path, tmp_path, "s", block_bytes=SMALL, extent=extent)
    assert con.execute("SELECT count(*) FROM facts").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM ingests WHERE feed = 'on_street'").fetchone()[0] \
        == 0


def test_strict_in_blocks_refuses_the_file_with_a_complete_report(tmp_path):
    path = _with_bad_rows(TOWN / "on_street.csv", tmp_path / "bad.csv")
    whole, whole_db = _store(tmp_path, "whole")
    blocks, blocks_db = _store(tmp_path, "blocks")
    with pytest.raises(ContractError) as a:
        _load(whole, whole_db, "on_street", path, tmp_path, "whole", strict=True)
    with pytest.raises(ContractError) as b:
        _load(blocks, blocks_db, "on_street", path, tmp_path, "blocks", strict=True,
              block_bytes=SMALL)
    assert str(a.value).replace("q-whole", "q-blocks") == str(b.value)
    reports = sorted((tmp_path / "q-blocks").glob("on_street-*.csv"))
    assert len(reports) == 1 and reports[0].read_text() == \
        next((tmp_path / "q-whole").glob("on_street-*.csv")).read_text()
    assert blocks.execute("SELECT count(*) FROM facts").fetchone()[0] == 0


def _odd_lines(rng: random.Random, lines: list[str], n: int) -> list[str]:
    """``lines`` of a CSV with ``n`` records the fast reader cannot take: blank lines, lines
    of bare commas, rows with a field too many, values with line breaks inside quotes (some
    across a block's end), CRLF line ends."""
    lines = list(lines)
    for _ in range(n):
        i = rng.randrange(1, len(lines))
        kind = rng.choice(["blank", "commas", "ragged", "quoted", "crlf"])
        if kind == "blank":
            lines.insert(i, "\n")
        elif kind == "commas":
            lines.insert(i, ",,,,\n")
        elif kind == "ragged":
            lines[i] = lines[i].rstrip("\n") + ",extra\n"
        elif kind == "quoted":
            parts = lines[i].rstrip("\n").split(",")
            parts[3] = '"obs\nerv\n\nation"'
            lines[i] = ",".join(parts) + "\n"
        else:
            lines[i] = lines[i].rstrip("\n") + "\r\n"
    return lines


def _read_both(path: Path, block: int):
    """The file read whole and in blocks (or the error each gave)."""
    from data_contracts.readers import read_raw, read_source
    try:
        whole = read_raw(path, read_source(path))
    except ContractError as exc:
        whole = str(exc)
    try:
        parts = list(raw_blocks(path, block_bytes=block))
    except ContractError as exc:
        return whole, str(exc), 0
    return whole, parts, len(parts)


@pytest.mark.parametrize("seed", range(12))
def test_records_the_fast_reader_cannot_take_are_read_in_blocks_too(tmp_path, seed):
    """Blank lines, bare commas, ragged rows and quoted line breaks no longer send a large
    file to be read whole: its blocks hold exactly the whole-file reader's records, row
    numbers and ragged rows; a bad quote gives the whole-file reader's error, word for word."""
    import pyarrow as pa

    rng = random.Random(seed)
    lines = _odd_lines(rng, (TOWN / "on_street.csv").read_text().splitlines(keepends=True),
                       rng.randint(1, 12))
    if seed % 4 == 3:     # a quote that is never closed, or one followed by more text
        i = rng.randrange(1, len(lines))
        lines[i] = lines[i].replace(",", ',"', 1)
    path = tmp_path / "odd.csv"
    path.write_text("".join(lines))
    whole, parts, n = _read_both(path, rng.choice([3_000, SMALL, 20_000]))
    if isinstance(whole, str) or isinstance(parts, str):
        assert seed % 4 == 3 and whole == parts and "CSV cannot be read from line" in whole
        return
    assert n >= 4
    assert pa.concat_tables([p.table for p in parts]).equals(whole.table)
    assert np.array_equal(np.concatenate([p.rows for p in parts]), whole.rows)
    assert {r: f for p in parts for r, f in p.ragged.items()} == whole.ragged


def test_odd_records_in_late_blocks_load_what_the_whole_file_loads(tmp_path):
    lines = _odd_lines(random.Random(5),
                       (TOWN / "on_street.csv").read_text().splitlines(keepends=True), 30)
    for i in range(1, len(lines), 397):       # and some values validation refuses
        lines[i] = "not a number" + lines[i][lines[i].find(","):]
    path = tmp_path / "odd.csv"
    path.write_text("".join(lines))
    assert len(list(raw_blocks(path, block_bytes=SMALL))) > 4     # no NotPlain: in blocks
    whole, whole_db = _store(tmp_path, "whole")
    blocks, blocks_db = _store(tmp_path, "blocks")
    _same_key(tmp_path, "whole", "blocks")
    a = _load(whole, whole_db, "on_street", path, tmp_path, "whole")
    b = _load(blocks, blocks_db, "on_street", path, tmp_path, "blocks", block_bytes=SMALL,
              private_copy=True)
    assert a.quarantined > 0 and (a.read, a.loaded, a.quarantined) == \
        (b.read, b.loaded, b.quarantined)
    assert a.messages == b.messages and _held(whole) == _held(blocks)
    assert Path(a.quarantine_report).read_text() == Path(b.quarantine_report).read_text()
    assert RAGGED_REASON in Path(b.quarantine_report).read_text()    # ragged rows reported


def test_text_that_is_not_utf8_in_a_late_block_reads_the_file_whole(tmp_path):
    """One Windows-1252 byte late in the file changes how all of it is decoded, so that file
    is still read whole, and loads as it would have."""
    frame = pd.read_csv(TOWN / "on_street.csv", dtype=str, keep_default_na=False)
    path = tmp_path / "cp1252.csv"
    frame.to_csv(path, index=False)
    data = path.read_bytes()
    at = data.rfind(b"observation", 0, len(data) - 500)
    path.write_bytes(data[:at] + "observ\u00e9tion".encode("cp1252") + data[at + 11:])
    with pytest.raises(NotPlain):
        list(raw_blocks(path, block_bytes=SMALL))
    whole, whole_db = _store(tmp_path, "whole")
    blocks, blocks_db = _store(tmp_path, "blocks")
    _same_key(tmp_path, "whole", "blocks")
    a = _load(whole, whole_db, "on_street", path, tmp_path, "whole")
    b = _load(blocks, blocks_db, "on_street", path, tmp_path, "blocks", block_bytes=SMALL)
    assert a.quarantined == b.quarantined == 1 and a.loaded == b.loaded
    assert _held(whole) == _held(blocks)


def test_parquet_in_blocks_loads_what_the_whole_file_loads(tmp_path):
    path = tmp_path / "on_street.parquet"
    pd.read_csv(_with_bad_rows(TOWN / "on_street.csv", tmp_path / "b.csv"), dtype=str,
                keep_default_na=False).to_parquet(path, row_group_size=500)
    whole, whole_db = _store(tmp_path, "whole")
    blocks, blocks_db = _store(tmp_path, "blocks")
    _same_key(tmp_path, "whole", "blocks")
    a = _load(whole, whole_db, "on_street", path, tmp_path, "whole")
    b = _load(blocks, blocks_db, "on_street", path, tmp_path, "blocks", block_bytes=SMALL)
    assert len(list(raw_blocks(path, block_bytes=SMALL))) > 1
    assert a.quarantined > 0 and (a.read, a.loaded, a.quarantined) == \
        (b.read, b.loaded, b.quarantined)
    assert _held(whole) == _held(blocks)


def test_x_y_read_in_the_first_blocks_system_throughout(tmp_path):
    """A file of x/y degrees keeps that reading in every block, and says so once."""
    frame = pd.read_csv(TOWN / "on_street.csv", dtype=str, keep_default_na=False)
    frame = frame.rename(columns={"lon": "x", "lat": "y"})
    path = tmp_path / "xy.csv"
    frame.to_csv(path, index=False)
    con, db = _store(tmp_path, "s")
    result = _load(con, db, "on_street", path, tmp_path, "s", block_bytes=SMALL)
    assert result.loaded == len(frame)
    assert sum("x/y hold degrees" in m for m in result.messages) == 1


def test_dry_run_in_blocks_says_what_a_whole_dry_run_says(tmp_path):
    path = _with_bad_rows(TOWN / "on_street.csv", tmp_path / "bad.csv")
    con, db = _store(tmp_path, "s")
    before = _held(con)
    a = _load(con, db, "on_street", path, tmp_path, "s", dry_run=True)
    b = _load(con, db, "on_street", path, tmp_path, "s", dry_run=True, block_bytes=SMALL)
    assert a.status == b.status == "dry run" and a.summary() == b.summary()
    assert a.messages == b.messages and _held(con) == before


# ---- memory ----------------------------------------------------------------------------------

_CHILD = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    import data_contracts.blocks as blocks
    import profiles.store.staging as staging
    from profiles.store import load_files
    path, db, block = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    # what lantern ingest does, scaled down to test-sized files by 32: 2 MiB blocks (not 64),
    # DuckDB held to 64 MB while they load and merge (not 256 and 512), grains looked for
    # in parts of 125,000 rows (not 4,000,000)
    blocks.BLOCK_BYTES, staging.LOAD_MEMORY = block, "64MB"
    staging.MERGE_MEMORY, staging.MERGE_PART_ROWS = "64MB", 125_000
    r = load_files(db, "on_street", [path])[0].result
    peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
    print(json.dumps({"loaded": r.loaded, "peak_kib": peak}))
""")


def _on_street_csv(path: Path, rows: int) -> Path:
    rng = np.random.default_rng(3)
    pd.DataFrame({
        "lat": np.round(54.45 + rng.random(rows) * 0.15, 6),
        "lon": np.round(0.9 + rng.random(rows) * 0.2, 6),
        "datetime": (np.datetime64("2025-01-06T00:00")
                     + rng.integers(0, 600 * 24 * 60, rows).astype("timedelta64[m]")
                     ).astype(str).astype(object),
        "activity_type": rng.choice(["observation", "incident", "kerb_crawling"], rows),
        "source_agency": "police"}).to_csv(path, index=False)
    return path


def _peak_kib(tmp: Path, path: Path, block: int) -> int:
    """Peak resident memory of a fresh process loading ``path`` into a new store."""
    db = Path(tempfile.mkdtemp(dir=tmp)) / f"{path.stem}-{block}.duckdb"
    out = subprocess.run([sys.executable, "-c", _CHILD, str(path), str(db), str(block)],
                         check=True, capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1])
    record = json.loads(out.stdout.strip().splitlines()[-1])
    assert record["loaded"] > 0.99 * (sum(1 for _ in path.open()) - 1)   # really loaded
    return record["peak_kib"]


@pytest.mark.xdist_group("memory")
def test_a_file_twice_as_large_does_not_need_twice_the_memory(tmp_path):
    """Peak memory above a small file's: a 2x file in blocks adds far less than 2x.

    Read whole, the same two files do double it, which shows the measure can fail.
    """
    small = _on_street_csv(tmp_path / "small.csv", 5_000)
    one = _on_street_csv(tmp_path / "one.csv", 300_000)
    two = _on_street_csv(tmp_path / "two.csv", 600_000)
    block = 2 << 20
    base = _peak_kib(tmp_path, small, block)
    # the lower of two runs each: a run's peak moves by about 10 % from run to run
    grow_one = min(_peak_kib(tmp_path, one, block) for _ in range(2)) - base
    grow_two = min(_peak_kib(tmp_path, two, block) for _ in range(2)) - base
    assert grow_two < 1.35 * grow_one, (base, grow_one, grow_two)   # measured: 0.91-1.13x
    # rows the fast reader cannot take, spread through it, no longer make it read whole
    lines = two.read_text().splitlines(keepends=True)
    for i in range(1_000, len(lines), 50_000):
        lines[i] = lines[i].rstrip("\n") + ",a field too many\n"
    odd = tmp_path / "two-odd.csv"
    odd.write_text("".join(lines))
    grow_odd = min(_peak_kib(tmp_path, odd, block) for _ in range(2)) - base
    # measured 1.2x (Python's strings for one block read record by record); 6.6x when such a
    # file was read whole
    assert grow_odd < 1.6 * grow_one, (base, grow_one, grow_odd)
    # the control: read whole, the same two files fail the bound the blocks are held to above.
    # A whole read's peak moves more from run to run (1.44-1.79x seen), so the lower of two here
    # too, against the blocks' own bound of 1.35x
    whole = 1 << 40
    whole_one = min(_peak_kib(tmp_path, one, whole) for _ in range(2)) - base
    whole_two = min(_peak_kib(tmp_path, two, whole) for _ in range(2)) - base
    assert whole_two > 1.35 * whole_one, (base, whole_one, whole_two)   # measured: 1.57-1.79x


def test_merging_in_several_hash_parts_gives_the_same_store(tmp_path, monkeypatch):
    """The merge looks for grains written twice in parts (by hash) on large files; with parts
    of a few hundred rows the store is still exactly the whole-file load's."""
    import profiles.store.staging as staging

    path = _with_bad_rows(TOWN / "on_street.csv", tmp_path / "on_street.csv")
    whole, whole_db = _store(tmp_path, "whole")
    blocks, blocks_db = _store(tmp_path, "blocks")
    _same_key(tmp_path, "whole", "blocks")
    _load(whole, whole_db, "on_street", path, tmp_path, "whole")
    monkeypatch.setattr(staging, "MERGE_PART_ROWS", 300)
    merged = []
    real = staging.merge_blocks
    monkeypatch.setattr(staging, "merge_blocks",
                        lambda con, i: merged.append(real(con, i)) or merged[-1])
    _load(blocks, blocks_db, "on_street", path, tmp_path, "blocks", block_bytes=SMALL)
    assert merged and merged[0] > 0        # grains were written by two blocks and merged
    assert _held(whole) == _held(blocks)


def test_strict_refusal_by_a_later_block_leaves_no_partial_report(tmp_path):
    """Bad rows early and a phone number late, with --strict: the phone number refuses the
    file, and the report begun for the bad rows (incomplete) is not left behind."""
    frame = pd.read_csv(TOWN / "online_adverts.csv", dtype=str, keep_default_na=False)
    frame.loc[3, "seen_on"] = "not a date"
    frame.loc[len(frame) - 3, "platform_type"] = "07700 900123"
    path = tmp_path / "late.csv"
    frame.to_csv(path, index=False)
    con, db = _store(tmp_path, "s")
    with pytest.raises(ContractError, match=f"row {len(frame) - 2}"):
        _load(con, db, "online_adverts", path, tmp_path, "s", block_bytes=SMALL, strict=True)
    assert not [p for p in (tmp_path / "q-s").glob("*") if "online_adverts" in p.name
                or "partial" in p.name]
