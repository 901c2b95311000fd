"""Hostile files are refused in plain words, in bounded memory, leaving nothing behind
(issue 28: "a 2 KB spreadsheet kills the process").

The four files are built here, for real:

* a workbook with cells at A1 and XFD1048576 (the reader would ask for a 17-billion-cell grid);
* a workbook declaring 4,294,967,295 shared strings;
* a 1 MB zip holding a 1 GiB ``.dbf`` of zeros (a zipped "Shapefile");
* a CSV whose header is one line of a million columns (the issue's was 25 million; this one
  is still four times over the header-length limit and 500 times over the column limit).

Each is loaded by the real ``lantern ingest`` in a child process (so a crash of the reader
fails the test instead of killing it) whose peak memory is measured; and by the dashboard's
upload path (:func:`dashboard.loading.load_uploads`), as an analyst would on Data status.
"""
from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import textwrap
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from data_contracts import ContractError
from data_contracts.limits import MAX_COLUMNS, check_csv_lines
from data_contracts.readers import read_raw

ROOT = Path(__file__).resolve().parents[1]
#: Peak resident memory allowed to a refused ingest: Lantern's imports and DuckDB take about
#: 250 MB; the zip bomb alone would need 1 GiB, the far cell far more.
MAX_RSS_MB = 600
#: A child script's own peak resident memory so far, in KiB, as an expression: Linux's VmHWM,
#: not ``ru_maxrss``, which carries the parent's resident size across exec (under a large
#: pytest worker it measured the worker, not the ingest).
_PEAK_KB = ('int(next(l for l in open("/proc/self/status") '
            'if l.startswith("VmHWM:")).split()[1])')

# ---- building the files --------------------------------------------------------------------

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
         'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
         'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         'Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.'
             'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.'
             'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
             'name="Contacts" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
    'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>')


def workbook(cells: dict[str, str], *, declared_strings: int | None = None) -> bytes:
    """A real .xlsx holding ``cells`` (reference -> text) as shared strings; the shared-string
    table declares ``declared_strings`` (default: the true number)."""
    refs = sorted(cells, key=lambda r: (int("".join(c for c in r if c.isdigit())), len(r), r))
    strings = list(dict.fromkeys(cells.values()))
    rows: dict[int, list[str]] = {}
    for ref in refs:
        row = int("".join(c for c in ref if c.isdigit()))
        rows.setdefault(row, []).append(
            f'<c r="{ref}" t="s"><v>{strings.index(cells[ref])}</v></c>')
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
             'openxmlformats.org/spreadsheetml/2006/main">'
             f'<dimension ref="{refs[0]}:{refs[-1]}"/><sheetData>'
             + "".join(f'<row r="{r}">{"".join(c)}</row>' for r, c in rows.items())
             + "</sheetData></worksheet>")
    n = len(strings) if declared_strings is None else declared_strings
    sst = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.'
           f'org/spreadsheetml/2006/main" count="{n}" uniqueCount="{n}">'
           + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in [("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _RELS),
                           ("xl/workbook.xml", _WORKBOOK),
                           ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
                           ("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", sst)]:
            z.writestr(name, text)
    return buf.getvalue()


def far_cell_workbook() -> bytes:
    return workbook({"A1": "Contact date", "XFD1048576": "x"})


def many_strings_workbook() -> bytes:
    return workbook({"A1": "Contact date", "B1": "Service given"},
                    declared_strings=4_294_967_295)


def zip_bomb(size: int = 1 << 30) -> bytes:
    """A zipped "Shapefile" whose .dbf is ``size`` bytes of zeros, in about ``size / 1000``
    bytes: one megabyte of zeros deflated once, its blocks repeated (each ends with a full
    flush, so the repeats are a valid stream), written as a zip by hand."""
    piece = 1 << 20
    assert size % piece == 0
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(bytes(piece)) + comp.flush(zlib.Z_FULL_FLUSH)
    stream = block * (size // piece) + b"\x03\x00"           # an empty final block
    crc = 0
    zeros = bytes(piece)
    for _ in range(size // piece):
        crc = zlib.crc32(zeros, crc)
    members = [("lsoa/lsoa.shp", b"\x00\x00\x27\x0a" + bytes(96), None),
               ("lsoa/lsoa.dbf", stream, (crc, size))]
    out, central = io.BytesIO(), io.BytesIO()
    for name, data, packed in members:
        raw = name.encode()
        if packed is None:
            crc_m, usize, method, body = zlib.crc32(data), len(data), 0, data
        else:
            (crc_m, usize), method, body = packed, 8, data
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, crc_m,
                              len(body), usize, len(raw), 0) + raw + body)
        central.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0,
                                  crc_m, len(body), usize, len(raw), 0, 0, 0, 0, 0, offset)
                      + raw)
    cd = central.getvalue()
    start = out.tell()
    out.write(cd + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members),
                               len(cd), start, 0))
    return out.getvalue()


def wide_csv(columns: int = 1_000_000) -> bytes:
    """A CSV whose header is one line of ``columns`` distinct column names."""
    return (",".join(f"c{i}" for i in range(columns)) + "\n1,2\n").encode()


HOSTILE = {
    "far-cell": ("outreach_contacts", "contacts.xlsx", far_cell_workbook,
                 r"Sheet 'Contacts' has cells in column 16,384; Lantern reads at most 2,000 "
                 r"columns\."),
    "shared-strings": ("outreach_contacts", "contacts.xlsx", many_strings_workbook,
                       r"declares 4,294,967,295 shared strings, more than its text could "
                       r"hold"),
    "zip-bomb": ("areas", "boundaries.zip", zip_bomb,
                 r"'lsoa\.dbf' in the zip archive would unpack to 1,024 MB; Lantern unpacks "
                 r"at most|'lsoa\.dbf' in the zip archive is compressed"),
    "wide-csv": ("on_street", "on_street.csv", wide_csv,
                 r"the header line is over 256 KB long|the header has 1,000,000 columns"),
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("hostile")
    files = {}
    for key, (feed, name, build, match) in HOSTILE.items():
        path = folder / key / name
        path.parent.mkdir()
        path.write_bytes(build())
        files[key] = (feed, path, match)
    return files


# ---- the builders make real files, and the limits are not vacuous -------------------------

def test_the_bomb_is_a_real_zip_of_a_gibibyte_in_about_a_megabyte():
    data = zip_bomb(8 << 20)      # the same construction, small enough to unpack here
    member = zipfile.ZipFile(io.BytesIO(data)).getinfo("lsoa/lsoa.dbf")
    assert member.file_size == 8 << 20
    assert zipfile.ZipFile(io.BytesIO(data)).read(member) == bytes(8 << 20)   # CRC checked
    assert len(zip_bomb()) < 1_200_000


def test_a_sane_workbook_from_the_same_builder_is_read(tmp_path):
    data = workbook({"A1": "Contact date", "B1": "Service given", "A2": "2025-03-01",
                     "B2": "health"})
    raw = read_raw(tmp_path / "ok.xlsx", data)
    assert raw.table.column_names == ["Contact date", "Service given"]
    assert raw.table.column("Service given").to_pylist() == ["health"]


def test_a_wide_but_reasonable_csv_is_read(tmp_path):
    header = ",".join(f"c{i}" for i in range(MAX_COLUMNS - 1))
    raw = read_raw(tmp_path / "ok.csv", (header + "\n" + ",".join("1" * (MAX_COLUMNS - 1))
                                         + "\n").encode())
    assert raw.table.num_columns == MAX_COLUMNS - 1


def test_a_long_line_after_the_header_is_refused_without_splitting_lines(tmp_path):
    data = b"a,b\n1,2\n" + b"x" * (9 << 20) + b"\n"
    with pytest.raises(ContractError, match=r"long\.csv: line 3 is over 4 MB long\. Fix:"):
        check_csv_lines(tmp_path / "long.csv", data)


# ---- lantern ingest: refused, bounded, nothing left behind --------------------------------

_INGEST = textwrap.dedent("""
    import sys
    from profiles.cli import main
    rc = main(sys.argv[1:])
    print("MAXRSS_KB", PEAK_KB, file=sys.stderr)
    sys.exit(rc)
""").replace("PEAK_KB", _PEAK_KB)


def _listing(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.mark.parametrize("key", list(HOSTILE))
def test_lantern_ingest_refuses_a_hostile_file(key, hostile, demo_copy, tmp_path):
    feed, path, match = hostile[key]
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    before = _listing(demo_copy.parent)
    size_before = demo_copy.stat().st_size
    env = dict(os.environ, TMPDIR=str(scratch), HOME=str(tmp_path))
    start = time.monotonic()
    run = subprocess.run([sys.executable, "-c", _INGEST, "ingest", feed, str(path), "--db",
                          str(demo_copy)], capture_output=True, text=True, env=env,
                         timeout=120, cwd=ROOT)
    took = time.monotonic() - start
    assert run.returncode > 0, f"exit {run.returncode} (a negative code is a crash): " \
                               f"{run.stderr[-1500:]}"
    text = run.stdout + run.stderr
    assert str(path) in text and "Fix:" in text
    import re
    assert re.search(match, text), text[-1500:]
    assert "Traceback" not in text
    peak_mb = int(text.split("MAXRSS_KB")[1].split()[0]) / 1024
    assert peak_mb < MAX_RSS_MB, f"peak memory {peak_mb:.0f} MB"
    assert took < 60
    # nothing left behind: no copy of the store, no quarantine report, no unpacked parts
    after = _listing(demo_copy.parent) - {"copy.duckdb.audit.jsonl", "copy.duckdb.audit.head",
                                          "copy.duckdb.audit.key", "scratch"}
    assert after - before <= {"copy.duckdb.lock"}, after - before
    assert not [p for p in after if "updating" in p or "quarantine" in p]
    assert not list(scratch.iterdir())
    assert demo_copy.stat().st_size == size_before


# ---- the dashboard's upload (Data status) refuses them too, in plain words ------------------

_UPLOAD = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from dashboard.loading import Upload, load_uploads
    db, feed, path = sys.argv[1:4]
    out = load_uploads(db, feed, [Upload(Path(path).name, Path(path).read_bytes())], None,
                       user="analyst-test")
    print(json.dumps({"refused": [o.refused for o in out], "summary": [o.summary for o in out],
                      "maxrss_kb": PEAK_KB}))
""").replace("PEAK_KB", _PEAK_KB)


@pytest.mark.parametrize("key", list(HOSTILE))
def test_the_dashboard_upload_refuses_a_hostile_file_and_keeps_running(key, hostile,
                                                                       demo_copy, tmp_path):
    feed, path, match = hostile[key]
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    env = dict(os.environ, TMPDIR=str(scratch), HOME=str(tmp_path))
    run = subprocess.run([sys.executable, "-c", _UPLOAD, str(demo_copy), feed, str(path)],
                         capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)
    assert run.returncode == 0, f"exit {run.returncode}: {run.stderr[-1500:]}"
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["refused"] == [True]
    import re
    summary = out["summary"][0]
    assert summary.startswith(path.name) and re.search(match, summary), summary
    assert str(scratch) not in summary                   # its own name, not the temp folder
    assert out["maxrss_kb"] / 1024 < MAX_RSS_MB
    assert not list(scratch.iterdir())


def test_a_csv_with_lone_cr_line_ends_is_not_taken_for_one_long_line(tmp_path):
    """Old Mac exports end lines with CR alone: long files of them are still read."""
    body = b"a,b\r" + b"".join(b"%d,%d\r" % (i, i) for i in range(700_000))
    assert len(body) > 2 * (4 << 20)        # past two windows of the line limit
    raw = read_raw(tmp_path / "mac.csv", body)
    assert raw.table.num_rows == 700_000


def test_a_sheet_whose_cells_leave_out_their_references_is_still_counted(tmp_path,
                                                                          monkeypatch):
    import data_contracts.limits as limits

    monkeypatch.setattr(limits, "MAX_SHEET_CELLS", 50)
    data = workbook({f"{c}{r}": f"v{r}{c}" for r in range(1, 11) for c in "ABCDEF"})
    # the same workbook with every reference removed (allowed by the format)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            text = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                import re
                text = re.sub(rb' r="[A-Z0-9]+"', b"", text)
                text = re.sub(rb'<dimension ref="[^"]*"/>', b"", text)
            dst.writestr(item.filename, text)
    with pytest.raises(ContractError, match=r"Sheet 'Contacts' holds more than 50 cells"):
        read_raw(tmp_path / "norefs.xlsx", out.getvalue())


# ---- OpenDocument: repeated rows and cells ----------------------------------------------------

_ODS_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
             'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
             'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
             'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
             '<office:body><office:spreadsheet><table:table table:name="Contacts">')
_ODS_TAIL = "</table:table></office:spreadsheet></office:body></office:document-content>"


def opendocument(rows: str) -> bytes:
    """A real .ods whose first sheet's rows are ``rows`` (content.xml's row elements)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", _ODS_HEAD + rows + _ODS_TAIL,
                   compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
                   '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                   '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/'
                   'vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path='
                   '"content.xml" manifest:media-type="text/xml"/></manifest:manifest>',
                   compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def _cell(text: str, repeat: int = 1) -> str:
    more = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="string"{more}><text:p>{text}</text:p>' \
           f'</table:table-cell>'


def _row(cells: str, repeat: int = 1) -> str:
    more = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{more}>{cells}</table:table-row>"


@pytest.mark.parametrize("rows, match", [
    (_row(_cell("Contact date")) + _row(_cell("x", 16384), 1_048_575),
     r"Sheet 'Contacts' has cells in column 16,384"),
    (_row(_cell("Contact date") + _cell("Service given", 99)) + _row(_cell("x", 100), 999_999),
     r"Sheet 'Contacts' reaches row \d[\d,]* and column 100 .*at most 20,000,000 cells"),
], ids=["far-column", "repeated-rows"])
def test_an_opendocument_sheet_of_repeats_is_refused_before_it_is_read(tmp_path, rows, match):
    data = opendocument(rows)
    assert len(data) < 2_000
    with pytest.raises(ContractError, match=match):
        read_raw(tmp_path / "contacts.ods", data)


def test_an_opendocument_sheet_with_empty_repeats_to_its_edge_is_read(tmp_path):
    """As LibreOffice writes it: empty cells to column 1024, empty rows to the last row."""
    empty = '<table:table-cell table:number-columns-repeated="1022"/>'
    rows = (_row(_cell("Contact date") + _cell("Service given") + empty)
            + _row(_cell("2025-03-01") + _cell("health") + empty, 3)
            + _row('<table:table-cell table:number-columns-repeated="1024"/>', 1_048_572))
    raw = read_raw(tmp_path / "contacts.ods", opendocument(rows))
    assert raw.table.column_names == ["Contact date", "Service given"]
    assert raw.table.num_rows == 3


# ---- a limited child process parses spreadsheets inside the server ---------------------------

def test_in_a_limited_child_a_sheet_reads_as_it_does_here(tmp_path, monkeypatch):
    data = workbook({"A1": "Contact date", "B1": "Service given", "A2": "2025-03-01",
                     "B2": "health", "A4": "2025-03-02", "B4": "housing"})
    here = read_raw(tmp_path / "ok.xlsx", data)
    monkeypatch.setenv("LANTERN_READ_LIMIT_MB", "1024")
    there = read_raw(tmp_path / "ok.xlsx", data)
    assert there.table.equals(here.table) and there.rows.tolist() == here.rows.tolist() == [1, 3]


def test_in_a_limited_child_the_readers_own_refusal_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("LANTERN_READ_LIMIT_MB", "1024")
    with pytest.raises(ContractError, match=r"x\.xlsx: the file is not a readable "
                                            r"spreadsheet .* Fix: open it"):
        read_raw(tmp_path / "x.xlsx", b"PK\x03\x04 not really a workbook")


def test_a_crash_of_the_reader_in_the_child_is_a_plain_refusal(tmp_path):
    """Past the limits (called directly): the far cell makes calamine abort, in the child."""
    from data_contracts.isolated import read_in_child

    with pytest.raises(ContractError, match=r"contacts\.xlsx: reading the file needed more "
                                            r"memory than Lantern allows for one file "
                                            r"\(1,024 MB\)"):
        read_in_child("spreadsheet", tmp_path / "contacts.xlsx", far_cell_workbook(), None, 1024)


def test_the_childs_memory_limit_holds(tmp_path):
    """Past the limits (called directly): 99 million repeated cells of text in an .ods of
    under a kilobyte took 2.5 GB to read; a child held to 600 MB is refused instead."""
    from data_contracts.isolated import read_in_child

    data = opendocument(_row(_cell("Contact date")) + _row(_cell("x", 11_000), 9_000))
    start = time.monotonic()
    with pytest.raises(ContractError, match=r"contacts\.ods: reading the file needed more "
                                            r"memory than Lantern allows for one file "
                                            r"\(600 MB\)"):
        read_in_child("spreadsheet", tmp_path / "contacts.ods", data, None, 600)
    assert time.monotonic() - start < 60


def test_in_a_limited_child_a_zipped_shapefile_reads_as_it_does_here(tmp_path, monkeypatch):
    source = ROOT / "sample_data" / "partner_files" / "lsoa_boundaries_shp.zip"
    here = read_raw(source, source.read_bytes())
    monkeypatch.setenv("LANTERN_READ_LIMIT_MB", "1024")
    there = read_raw(source, source.read_bytes())
    assert there.table.equals(here.table) and there.crs == here.crs
    assert [g.wkb for g in there.geometry] == [g.wkb for g in here.geometry]
    # and the bomb is refused before any child is started (the parent's zip check)
    import data_contracts.isolated as isolated

    def no_child(*args):
        raise AssertionError("a child was started for the bomb")

    monkeypatch.setattr(isolated.subprocess, "run", no_child)
    with pytest.raises(ContractError, match=r"is compressed|would unpack to"):
        read_raw(tmp_path / "boundaries.zip", zip_bomb())


def test_a_sheet_tag_of_megabytes_is_refused_without_holding_it(tmp_path):
    data = workbook({"A1": "Contact date"})
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(
            out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            text = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = text.replace(b"<sheetData>", b'<sheetData><row x="' + b"y" * (3 << 20)
                                    + b'"/>')
            dst.writestr(item.filename, text)
    with pytest.raises(ContractError, match=r"sheet1\.xml holds an XML tag over 1 MB long"):
        read_raw(tmp_path / "long.xlsx", out.getvalue())
