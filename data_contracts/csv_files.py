"""CSV reading, whole or in blocks: every piece that splits CSV text into records.

A plain UTF-8 file with one record per line is parsed by pyarrow (:func:`fast_csv`,
multithreaded when every column is read); anything else (Windows-1252 text, blank lines,
line breaks inside quotes, rows with the wrong number of fields) falls back to Python's
:mod:`csv` record by record (:func:`slow_csv`, :func:`careful_record`), which gives every
record its line.
:func:`read_csv` reads a whole file; :mod:`data_contracts.blocks` reads a large one in blocks
with the same pieces.

Examples
--------
>>> from pathlib import Path
>>> raw = read_csv(Path("x.csv"), "name,place\\nCaf\\xe9,\\"a, b\\"\\n".encode("cp1252"))
>>> raw.encoding, raw.table.column("name").to_pylist(), raw.table.column("place").to_pylist()
('cp1252', ['Café'], ['a, b'])
>>> fast_header(b"a, b\\n1,2\\n"), plain_records(b"a,b\\n1,2\\n3,4\\n")
(['a', 'b'], 2)
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pyarrow as pa

from data_contracts.errors import ContractError
from data_contracts.limits import check_csv_lines
from data_contracts.raw import RawTable, check_header


def decode_text(path: Path, data: bytes) -> tuple[str, str]:
    """Return the text of ``data`` and its encoding (UTF-8, UTF-16 with a BOM, else cp1252)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise ContractError(path, f"the file is not valid UTF-16 ({exc.reason}).",
                                fix="save it as UTF-8 CSV.") from None
    if b"\x00" in data:
        raise ContractError(path, "the file contains NUL bytes, so it is not a text CSV.",
                            fix="save it as UTF-8 CSV.")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # Spreadsheet exports in the UK are often Windows-1252; its decoding never fails.
        return data.decode("cp1252", errors="replace"), "cp1252"


def read_csv(path: Path, data: bytes, keep=None) -> RawTable:
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    check_csv_lines(path, body)    # header and line lengths, before anything is split
    header = fast_header(body)
    if header is not None:
        check_header(path, header)
        wanted = keep(header) if keep else None
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=1) as pool:   # numpy lets go of the GIL
            counted = pool.submit(plain_records, body)     # while pyarrow parses
            table = fast_csv(body, header, only=wanted)
            records = counted.result()
        if table is not None and table.num_rows == records and not has_blank_record(table):
            return RawTable(table, "csv", "utf-8", header=header if wanted else None)
    text, encoding = decode_text(path, data)
    csv.field_size_limit(1_000_000_000)   # a long value is validated, not a reason to refuse
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise ContractError(path, "the file has no header row.",
                            fix="export the feed again.") from None
    except csv.Error as exc:
        raise ContractError(path, f"the header row cannot be read as CSV ({exc}).",
                            fix="export the feed again as CSV.") from None
    header = [h.strip() for h in header]
    check_header(path, header)
    table, rows, ragged = slow_csv(path, reader, header)
    return RawTable(table, "csv", encoding, rows, ragged)


def fast_header(body: bytes) -> list[str] | None:
    """The header of a plain UTF-8 CSV whose first line is the whole header, else None."""
    end = body.find(b"\n")
    line = body[:end if end >= 0 else len(body)].rstrip(b"\r")
    if b"\x00" in body[:4096] or body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text.count('"') % 2:
        return None  # a quoted header cell spans lines: let the careful reader handle it
    try:
        return [h.strip() for h in next(csv.reader([text], strict=True))]
    except (csv.Error, StopIteration):
        return None


def plain_records(body: bytes) -> int:
    """Lines after the header: the number of records when there is one per line.

    The fast reader's table is kept only when it has this many records, so that a line
    break inside quotes (or a lone CR line ending) sends the file to the careful reader.
    Counted with numpy 4 MiB at a time: twice as fast as ``bytes.count``.
    """
    codes = np.frombuffer(body, dtype=np.uint8)
    lines = sum(int(np.count_nonzero(codes[i:i + _COUNT_STEP] == 10))
                for i in range(0, len(codes), _COUNT_STEP))
    return lines + (0 if body.endswith(b"\n") else 1) - 1


_COUNT_STEP = 1 << 22


def has_blank_record(table: pa.Table) -> bool:
    """True if a record has every value blank (a blank line, or a line of bare commas).

    The careful reader skips blank lines but keeps their numbers, and keeps a line of bare
    commas as a record; only it can tell the two apart, so either sends the file to it.
    """
    import pyarrow.compute as pc

    if not table.num_columns:
        return False
    blank = None
    for name in table.column_names:   # a mask per column: no copy of the table
        here = pc.equal(table.column(name), "")
        blank = here if blank is None else pc.and_(blank, here)
        if not pc.any(blank).as_py():
            return False
    return True


def fast_csv(body: bytes, header: list[str], skip_rows: int = 1,
              only=None) -> pa.Table | None:
    """Parse with pyarrow; None when the file needs the careful reader.

    The caller keeps the result only when there is one record per line (no line breaks inside
    quotes, no lone CR line endings), so record i is line i + 1 and row numbers stay exact.
    Invalid UTF-8, a wrong field count or an unclosed quote also send the file to the
    careful reader, which reports them properly.

    Multithreaded when every column is read. When ``only`` some are (police.uk: 4 of 12),
    splitting the text into records, which one thread does, is most of the work: a second
    thread halves nothing (1 M police.uk rows: 0.20 s either way, 0.40 s of CPU with
    threads, 0.20 s without) and leaves the other core to the file's hash.
    """
    import pyarrow.csv as pacsv

    try:
        return pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(body)),     # no copy of the bytes
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=skip_rows,
                                           use_threads=not only),
            parse_options=pacsv.ParseOptions(newlines_in_values=True,
                                             ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header}, strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                include_columns=[h for h in header if h in only] if only else None))
    except (pa.ArrowInvalid, pa.ArrowException):
        return None


def slow_csv(path: Path, reader, header: list[str]):
    """Record by record, so blank, ragged or truncated records still get their row number."""
    width = len(header)
    columns: list[list[str]] = [[] for _ in header]
    rows: list[int] = []
    ragged: dict = {}
    last_line = reader.line_num
    row = 0
    try:
        for record in reader:
            row += 1                   # blank lines count, as they do in a spreadsheet
            last_line = reader.line_num
            record = careful_record(record, width, row, ragged)
            if record is None:
                continue
            rows.append(row)
            for col, value in zip(columns, record):
                col.append(value)
    except csv.Error as exc:
        raise unreadable_csv(path, last_line, row, exc) from None
    table = pa.table({h: pa.array(c, type=pa.string()) for h, c in zip(header, columns)})
    return table, np.asarray(rows, dtype=np.int64), ragged


def careful_record(record: list[str], width: int, row: int, ragged: dict) -> list[str] | None:
    """One record as the careful reader keeps it: None for a blank line (which is not a
    record, though it keeps its row number); a record whose field count is not ``width`` is
    noted in ``ragged`` and padded or cut to ``width`` (it is quarantined, never guessed at)."""
    if not record or (len(record) == 1 and not record[0].strip() and width > 1):
        return None
    if len(record) != width:
        ragged[row] = len(record)
        record = (record + [""] * width)[:width]
    return record


def unreadable_csv(path: Path, last_line: int, row: int, exc: Exception) -> ContractError:
    """The error for a CSV that cannot be read on from the record after ``last_line``."""
    return ContractError(
        path, f"CSV cannot be read from line {last_line + 1} (data row {row + 1}) "
              f"onwards ({exc}).",
        fix="the file looks truncated or has an unclosed quote; export it again "
            "(no row was loaded).")


__all__ = ["careful_record", "decode_text", "fast_csv", "fast_header", "has_blank_record",
           "plain_records", "read_csv", "slow_csv", "unreadable_csv"]
