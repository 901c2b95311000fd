"""Limits checked before a reader allocates: a hostile file is refused, never parsed.

A partner file reaches Lantern's own process (``lantern ingest``, and the Data status upload
inside the dashboard's server), so a file built to exhaust memory must be refused from what it
*declares*, cheaply, before any reader sizes a buffer from it:

* **spreadsheets** (``.xlsx``, ``.xlsm``): the real extent of every sheet (the highest row and
  column any cell names, read from the sheet's XML a piece at a time, not its ``dimension``
  claim alone) and the shared-string count the workbook declares. A sheet with cells at A1
  and XFD1048576 would make the reader ask for a grid of 17 billion cells; a workbook claiming
  4,294,967,295 shared strings would make it reserve room for them.
* **zip archives** (zipped Shapefiles, and the zips that ``.xlsx`` files are): each member's
  declared size, the archive's total, and each member's compression ratio — a 1 MB zip can
  declare a 1 GiB member of zeros.
* **CSV**: the length of the header line, the number of columns, and the length of any line.

Each limit is a module constant; a refusal names the file, what was found and the fix.

Examples
--------
>>> column_number("A"), column_number("XFD")
(1, 16384)
>>> cell_position("AB12")
(12, 28)
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath

from data_contracts.errors import ContractError

#: Columns a file may have (CSV header, spreadsheet sheet). Feeds need a few dozen at most.
MAX_COLUMNS = 2_000
#: Bytes of a CSV header line.
MAX_HEADER_BYTES = 256 << 10
#: Bytes of any CSV line (a long free-text value is refused as identifying anyway).
MAX_LINE_BYTES = 4 << 20
#: Cells of a sheet's grid (rows x columns of its real extent): 20 million, e.g. 400,000 rows
#: of 50 columns.
MAX_SHEET_CELLS = 20_000_000
#: Shared strings a workbook may declare.
MAX_SHARED_STRINGS = 20_000_000
#: Bytes one zip member may hold uncompressed, and all members together.
MAX_MEMBER_BYTES = 1 << 30
MAX_ARCHIVE_BYTES = 2 << 30
#: Uncompressed / compressed size of a member larger than :data:`RATIO_FLOOR_BYTES`.
#: Real workbooks and Shapefiles compress 3-30 times; zeros compress about 1,000 times.
MAX_RATIO = 150
RATIO_FLOOR_BYTES = 4 << 20
#: Members a zip may hold.
MAX_MEMBERS = 10_000
#: Bytes read at a time when a part is scanned.
_PIECE = 1 << 20

_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr=\"([A-Z]{1,4})([0-9]{1,8})\"")
_ROW_REF = re.compile(rb"<(?:\w+:)?row\b[^>]*?\sr=\"([0-9]{1,10})\"")
_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s/>]")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s/>]")
_SST = re.compile(rb"<(?:\w+:)?sst\b[^>]*>")
_COUNT = re.compile(rb"\s(uniqueCount|count)=\"\s*([0-9]+)\s*\"")


def column_number(letters: str) -> int:
    """The 1-based column of spreadsheet column letters (``A`` = 1, ``XFD`` = 16384)."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def cell_position(ref: str) -> tuple[int, int]:
    """(row, column), both 1-based, of a cell reference such as ``AB12``."""
    m = re.fullmatch(r"([A-Z]{1,4})([0-9]+)", ref)
    if m is None:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(m.group(2)), column_number(m.group(1))


def _mb(n: int) -> str:
    """A size in words: ``_mb(5 << 20)`` is ``'5 MB'``, ``_mb(256 << 10)`` ``'256 KB'``."""
    if n >= 1 << 20:
        return f"{n / (1 << 20):,.0f} MB"
    return f"{n / (1 << 10):,.0f} KB" if n >= 1 << 10 else f"{n:,} bytes"


# ---- zip archives ---------------------------------------------------------------------------

def check_archive(path: Path, archive: zipfile.ZipFile, *, what: str = "zip archive") -> None:
    """Refuse a zip whose members declare too much, before anything is extracted.

    Raises
    ------
    ContractError
        Too many members, a member or the total over its size limit, or a member compressed
        more than :data:`MAX_RATIO` times (a "zip bomb").
    """
    members = archive.infolist()
    fix = (f"this {what} cannot be read safely; if it is genuine, export the data again "
           f"(as CSV, GeoJSON or GeoPackage) and load that.")
    if len(members) > MAX_MEMBERS:
        raise ContractError(path, f"the {what} holds {len(members):,} files; Lantern reads "
                                  f"at most {MAX_MEMBERS:,}.", fix=fix)
    total = 0
    for m in members:
        name = PurePosixPath(m.filename).name or m.filename
        if m.file_size > MAX_MEMBER_BYTES:
            raise ContractError(path, f"{name!r} in the {what} would unpack to "
                                      f"{_mb(m.file_size)}; Lantern unpacks at most "
                                      f"{_mb(MAX_MEMBER_BYTES)} per file. Nothing was "
                                      f"unpacked.", fix=fix)
        if m.file_size > RATIO_FLOOR_BYTES and \
                m.file_size > MAX_RATIO * max(m.compress_size, 1):
            ratio = m.file_size / max(m.compress_size, 1)
            raise ContractError(path, f"{name!r} in the {what} is compressed {ratio:,.0f} "
                                      f"times ({_mb(m.compress_size)} unpacking to "
                                      f"{_mb(m.file_size)}), far more than real data "
                                      f"compresses. Nothing was unpacked.", fix=fix)
        total += m.file_size
    if total > MAX_ARCHIVE_BYTES:
        raise ContractError(path, f"the {what} would unpack to {_mb(total)}; Lantern "
                                  f"unpacks at most {_mb(MAX_ARCHIVE_BYTES)}. Nothing was "
                                  f"unpacked.", fix=fix)


def _checked_zip(path, data: bytes, *, what: str):
    """Return ``data`` opened as a zip whose members are within the limits
    (:func:`check_archive`), or None when it is not a zip (the reader refuses it in its own
    words)."""
    import io

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    try:
        check_archive(path, archive, what=what)
    except BaseException:
        archive.close()
        raise
    return archive


def copy_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path) -> None:
    """Unpack one member to ``target`` a piece at a time, stopping at its declared size (a
    member whose data runs longer than it declared is refused by :mod:`zipfile` itself)."""
    with archive.open(member) as src, target.open("wb") as dst:
        while piece := src.read(_PIECE):
            dst.write(piece)


# ---- spreadsheets ---------------------------------------------------------------------------

def check_workbook(path: Path, data: bytes) -> None:
    """Refuse an ``.xlsx``/``.xlsm`` workbook whose sheets or shared strings are too large,
    reading only its XML, a piece at a time (nothing is held whole).

    Files that are not zips are left to the reader (it refuses them in its own words).

    Raises
    ------
    ContractError
        A member over the zip limits (:func:`check_archive`), a sheet whose cells reach past
        :data:`MAX_COLUMNS` columns or :data:`MAX_SHEET_CELLS` cells, or more shared strings
        declared than :data:`MAX_SHARED_STRINGS` or than the workbook could hold.
    """
    archive = _checked_zip(path, data, what="workbook")
    if archive is None:
        return
    with archive:
        names = _sheet_names(archive)
        for member in archive.infolist():
            name = member.filename.lower()
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                _check_sheet(path, archive, member, names.get(name))
            elif name == "xl/sharedstrings.xml":
                _check_shared_strings(path, archive, member)


def _sheet_fix() -> str:
    return ("the sheet has cells far beyond its data (or the file was built to exhaust "
            "memory). In a spreadsheet program, delete the empty rows and columns after the "
            "data and save again, or export the sheet as CSV.")


_TAG = re.compile(rb"<(?:\w+:)?(sheet|Relationship)\b([^>]*)>")
_ATTR = re.compile(rb"([\w:]+)=\"([^\"]*)\"")


def _sheet_names(archive: zipfile.ZipFile) -> dict:
    """Each worksheet part (lower-case path) -> its sheet's name, as far as the workbook's
    first megabyte says (a sheet not found is named by its part)."""
    def head(name: str) -> bytes:
        try:
            with archive.open(name) as fh:
                return fh.read(1 << 20)
        except (KeyError, zipfile.BadZipFile, OSError):
            return b""

    targets, names = {}, {}
    for kind, attrs in _TAG.findall(head("xl/_rels/workbook.xml.rels")):
        a = {k.split(b":")[-1]: v for k, v in _ATTR.findall(attrs)}
        if b"Id" in a and b"Target" in a:
            target = a[b"Target"].decode(errors="replace").lstrip("/")
            targets[a[b"Id"]] = target if target.startswith("xl/") else f"xl/{target}"
    for kind, attrs in _TAG.findall(head("xl/workbook.xml")):
        pairs = _ATTR.findall(attrs)
        a = {k.split(b":")[-1]: v for k, v in pairs}
        if kind == b"sheet" and b"name" in a and a.get(b"id") in targets:
            names[targets[a[b"id"]].lower()] = a[b"name"].decode(errors="replace")[:100]
    return names


def _xml_pieces(path: Path, archive: zipfile.ZipFile, member: zipfile.ZipInfo):
    """Yield ``member``'s XML a piece (about a megabyte) at a time, each ending before the
    last ``<`` in it, so that no tag is cut in two; what follows goes with the next piece.

    Raises
    ------
    ContractError
        For a tag over a megabyte long (no real sheet has one).
    """
    tail = b""
    with archive.open(member) as fh:
        while piece := fh.read(_PIECE):
            chunk = tail + piece
            cut = chunk.rfind(b"<") if len(piece) == _PIECE else -1
            if cut < 0:
                cut = len(chunk)
            body, tail = chunk[:cut], chunk[cut:]
            if len(tail) > _PIECE:
                raise ContractError(path, f"{PurePosixPath(member.filename).name} holds an "
                                          f"XML tag over 1 MB long, which no real sheet has.",
                                    fix=_sheet_fix())
            yield body
    if tail:
        yield tail


def _check_sheet(path: Path, archive: zipfile.ZipFile, member: zipfile.ZipInfo,
                 name: str | None = None) -> None:
    """The real extent of one sheet: the highest row and column any cell or row names."""
    sheet = f"Sheet {name!r}" if name else f"Sheet {PurePosixPath(member.filename).stem!r}"
    rows = cols = 0
    cells = row_tags = 0     # cells and rows may leave out their references: count them too
    for body in _xml_pieces(path, archive, member):
        for letters, number in _CELL_REF.findall(body):
            rows = max(rows, int(number))
            cols = max(cols, column_number(letters.decode()))
        for number in _ROW_REF.findall(body):
            rows = max(rows, int(number))
        cells += len(_CELL_TAG.findall(body))
        row_tags += len(_ROW_TAG.findall(body))
        rows = max(rows, row_tags)
        if cells > MAX_SHEET_CELLS:
            raise ContractError(path, f"{sheet} holds more than {MAX_SHEET_CELLS:,} cells; "
                                      f"Lantern reads at most that many a sheet.",
                                fix="split the data into smaller files, or export it as CSV.")
        _check_extent(path, sheet, rows, cols)


def _check_extent(path: Path, sheet: str, rows: int, cols: int) -> None:
    """Refuse a sheet (``sheet`` in words, capitalised) whose cells reach past column
    :data:`MAX_COLUMNS` or cover more than :data:`MAX_SHEET_CELLS` cells."""
    if cols > MAX_COLUMNS:
        raise ContractError(path, f"{sheet} has cells in column {cols:,}; Lantern reads at "
                                  f"most {MAX_COLUMNS:,} columns.", fix=_sheet_fix())
    if rows * max(cols, 1) > MAX_SHEET_CELLS:
        raise ContractError(path, f"{sheet} reaches row {rows:,} and column {cols:,} "
                                  f"({rows * max(cols, 1):,} cells); Lantern reads at most "
                                  f"{MAX_SHEET_CELLS:,} cells a sheet.", fix=_sheet_fix())


def _check_shared_strings(path: Path, archive: zipfile.ZipFile,
                          member: zipfile.ZipInfo) -> None:
    """The shared-string count the workbook declares, against the limit and its own size."""
    with archive.open(member) as fh:
        head = fh.read(64 << 10)
    m = _SST.search(head)
    if m is None:
        return
    counts = {k.decode(): int(v) for k, v in _COUNT.findall(m.group(0))}
    declared = max(counts.values(), default=0)
    # every string takes at least "<si><t/></si>" (13 bytes) of the part
    room = member.file_size // 13 + 1
    if declared > MAX_SHARED_STRINGS or declared > room:
        why = "more than its text could hold" if declared > room else "too many to read"
        raise ContractError(path, f"the workbook declares {declared:,} shared strings, {why} "
                                  f"(Lantern reads at most {MAX_SHARED_STRINGS:,}).",
                            fix="the file is damaged or was built to exhaust memory; open it "
                                "in a spreadsheet program and save it again, or export the "
                                "sheet as CSV.")


_ODS_TAG = re.compile(rb"<table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])"
                      rb"([^>]*?)(/?)>"
                      rb"|</table:table-row>")
_REPEAT = re.compile(rb"number-(?:rows|columns)-repeated=\"\s*([0-9]{1,12})\s*\"")


def check_ods(path: Path, data: bytes) -> None:
    """Refuse an ``.ods`` spreadsheet whose sheets reach too far, reading its ``content.xml``
    a piece at a time.

    An OpenDocument sheet says "this row again N times" and "this cell again N times", so
    a file of a few hundred bytes can describe a sheet of a hundred million cells with
    text in every one. The real extent counts the repeats of rows and cells that hold
    something (a value or text); empty cells and rows repeated to the sheet's edge, as
    spreadsheet programs write them, do not count.

    Raises
    ------
    ContractError
        A member over the zip limits, or a sheet past :data:`MAX_COLUMNS` columns or
        :data:`MAX_SHEET_CELLS` cells.
    """
    archive = _checked_zip(path, data, what="spreadsheet")
    if archive is None:
        return
    with archive:
        try:
            member = archive.getinfo("content.xml")
        except KeyError:
            return
        _OdsExtent(path).scan(archive, member)


class _OdsExtent:
    """The running extent of the sheet being read (see :func:`check_ods`)."""

    def __init__(self, path: Path):
        self.path = path
        self.sheet = "the first sheet"
        self._new_sheet()

    def _new_sheet(self) -> None:
        self.rows = 0          # rows up to the last that holds something
        self.pending = 0       # rows since then (empty so far)
        self.cols = 0
        self._new_row(1)

    def _new_row(self, repeat: int) -> None:
        self.row_repeat, self.width, self.row_cols, self.row_full = repeat, 0, 0, False

    def scan(self, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
        for body in _xml_pieces(self.path, archive, member):
            for m in _ODS_TAG.finditer(body):
                self._tag(m)

    def _tag(self, m) -> None:
        kind, attrs, closed = m.group(1), m.group(2) or b"", m.group(3)
        if kind is None:                                     # </table:table-row>
            self._end_row()
            return
        if kind == b"table":
            name = re.search(rb"table:name=\"([^\"]{0,100})\"", attrs)
            self.sheet = f"sheet {name.group(1).decode(errors='replace')!r}" if name \
                else "a sheet"
            self._new_sheet()
            return
        repeat = _REPEAT.search(attrs)
        n = int(repeat.group(1)) if repeat else 1
        if kind == b"table-row":
            self._new_row(n)
            if closed:
                self._end_row()
            return
        self.width += n                                      # a cell
        if not closed or b"value-type" in attrs:             # it holds something
            self.row_cols, self.row_full = self.width, True
            self._check(self.rows + self.pending + self.row_repeat, self.row_cols)

    def _end_row(self) -> None:
        if self.row_full:
            self.rows += self.pending + self.row_repeat
            self.pending = 0
            self.cols = max(self.cols, self.row_cols)
        else:
            self.pending += self.row_repeat
        self._check(self.rows, self.cols)
        self._new_row(1)

    def _check(self, rows: int, cols: int) -> None:
        _check_extent(self.path, f"{self.sheet[0].upper()}{self.sheet[1:]}", rows,
                      max(cols, self.cols))


# ---- CSV ------------------------------------------------------------------------------------

def check_csv_lines(path: Path, data, *, first: bool = True) -> None:
    """Refuse a CSV (or one block of it) whose header or any line is too long, or whose
    header has too many columns, without splitting it into lines.

    ``data`` is the file's bytes (or a block's: ``first`` is False for blocks after the one
    holding the header). A line of :data:`MAX_LINE_BYTES` or more is found by looking for a
    line end in every window of that many bytes, so the cost is a few searches per megabyte.

    Raises
    ------
    ContractError
        Naming the line and the fix.
    """
    fix = ("export the feed again as CSV with one record per line; if a column holds long "
           "text, leave it out (free text is not loaded).")
    if first:
        ends = [e for e in (data.find(b"\n", 0, MAX_HEADER_BYTES + 1),
                            data.find(b"\r", 0, MAX_HEADER_BYTES + 1)) if e >= 0]
        header_bytes = min(ends) if ends else len(data)
        if header_bytes > MAX_HEADER_BYTES:
            raise ContractError(path, f"the header line is over {_mb(MAX_HEADER_BYTES)} "
                                      f"long; a feed's header is a few hundred bytes.",
                                fix="check that this is the feed's CSV export with its "
                                    "column names on the first line.")
        commas = data.count(b",", 0, header_bytes)
        if commas >= MAX_COLUMNS:
            raise ContractError(path, f"the header has {commas + 1:,} columns; Lantern reads "
                                      f"at most {MAX_COLUMNS:,}.",
                                fix="export only the feed's columns.")
    size = len(data)
    for start in range(0, size, MAX_LINE_BYTES):
        stop = min(start + MAX_LINE_BYTES, size)
        # a lone CR ends a line too (old Mac exports): the careful reader reads those
        if stop - start == MAX_LINE_BYTES and data.find(b"\n", start, stop) < 0 \
                and data.find(b"\r", start, stop) < 0:
            line = data.count(b"\n", 0, start) + 1 if first else None
            where = f"line {line:,}" if line else "a line"
            raise ContractError(path, f"{where} is over {_mb(MAX_LINE_BYTES)} long.", fix=fix)
