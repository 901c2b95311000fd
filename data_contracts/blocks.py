"""Read a large file in blocks of records, so validation and loading run in bounded memory.

A file larger than twice :data:`BLOCK_BYTES` in CSV or Parquet is read a block at a time: CSV
in blocks of about that many bytes, cut at line ends; Parquet in record batches of about as
many rows. Each block is a :class:`~data_contracts.raw.RawTable` whose row numbers are the file's
own, so a quarantine report and an error name the same rows whether the file was read whole
or in blocks. Smaller files, spreadsheets and geographic files are read whole, by
:func:`data_contracts.readers.read_raw`; the choice is made once, before the file is read
(:func:`data_contracts.validate.block_plan`).

The fast CSV reader needs one record per line (see :mod:`data_contracts.readers`). A block
that is not like that (a line break inside quotes, a blank line, a row with the wrong number
of fields) is read record by record, as the careful reader reads a whole file: the same rows,
row numbers and messages, and still a block at a time. A record cut off by the block's end (a
quoted line break across the cut) starts the next block. Only what would change how the
*whole* file is read raises :class:`NotPlain`, and the caller starts again with the whole file:
text that is not UTF-8 (the careful reader then reads all of it as Windows-1252), NUL bytes,
lone CR line endings, or a header the fast reader cannot read.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
>>> _ = path.write_bytes(b"a,b\\n" + b"".join(b"%d,%d\\n" % (i, i) for i in range(1000)))
>>> blocks = list(raw_blocks(path, block_bytes=2_000))
>>> (len(blocks) > 1, int(blocks[1].rows[0] - blocks[0].rows[-1]),
...  sum(len(b.rows) for b in blocks))
(True, 1, 1000)
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterator

import numpy as np
import pyarrow as pa

from data_contracts.limits import check_csv_lines
from data_contracts.raw import RawTable, check_header
from data_contracts.csv_files import (careful_record, fast_csv, fast_header, has_blank_record,
                                     unreadable_csv)
from data_contracts.readers import check_format, parquet_text, read_parquet, read_source

#: A CSV or Parquet file larger than this is read in blocks of about this size (64 MiB:
#: about a million rows of a typical point feed).
BLOCK_BYTES = 64 << 20


#: Records parsed one by one are turned into Arrow columns this many at a time, so a block
#: read record by record holds few Python strings at once.
CAREFUL_ROWS = 100_000


class NotPlain(Exception):
    """A large CSV must be read whole by the careful reader (see the module's docstring)."""


def is_blocked(path: Path, block_bytes: int = BLOCK_BYTES) -> bool:
    """True when ``path`` will be read in blocks: a CSV or Parquet file over twice the block
    size (up to that, reading it whole costs less time than merging two blocks' rows, in
    about the same memory: 2.5 s against 2.9–3.7 s for 110 MB, both about 1.1 GB)."""
    try:
        size = Path(path).stat().st_size
    except OSError:
        return False
    return size > 2 * block_bytes and Path(path).suffix.lower() in (".csv", ".parquet")


#: A CSV of which only some columns are read is read in blocks larger by the share of its
#: columns left unread, up to this many times :data:`BLOCK_BYTES`, so that a block holds about
#: as much of what is read (a police.uk download reads 4 of its 12 columns).
MAX_BLOCK_SCALE = 4


def block_bytes_for(path, block_bytes: int = BLOCK_BYTES, keep=None) -> int:
    """The block size for reading ``path``: ``block_bytes``, or for a CSV of which ``keep``
    (as :func:`raw_blocks` takes it) reads only some columns, larger by the ratio of its
    columns to those read, at most :data:`MAX_BLOCK_SCALE` times.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = path.write_bytes(b"a,b,c,d,e,f\\n1,2,3,4,5,6\\n")
    >>> block_bytes_for(path, 1000), block_bytes_for(path, 1000, keep=lambda h: {"a", "b"})
    (1000, 3000)
    >>> block_bytes_for(path, 1000, keep=lambda h: {"a"})
    4000
    """
    path = Path(path)
    if keep is None or path.suffix.lower() != ".csv":
        return block_bytes
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 16)
    except OSError:
        return block_bytes
    header = fast_header(head.removeprefix(b"\xef\xbb\xbf"))
    wanted = keep(header) if header else None
    if not wanted:
        return block_bytes
    read = sum(1 for h in header if h in wanted)
    return block_bytes * min(MAX_BLOCK_SCALE, max(1, len(header) // max(1, read)))


def raw_blocks(path, *, block_bytes: int = BLOCK_BYTES, keep=None,
               hasher=None) -> Iterator[RawTable]:
    """Yield the records of the CSV or Parquet file ``path`` as text columns, a block at a
    time, in file order (a file smaller than a block is one block).

    Whether a file is read in blocks at all is decided once, before it is read
    (:func:`data_contracts.validate.block_plan`); a file read whole is read by
    :func:`data_contracts.readers.read_raw`. ``keep`` is as ``read_raw`` takes it. ``hasher``
    (a :mod:`hashlib` object), if given, is fed every byte of the file as it is read, so the
    file's hash is known once the last block has been yielded, with no extra pass.

    Raises
    ------
    ContractError
        As :func:`data_contracts.readers.read_raw` does (missing, unreadable, unsupported).
    NotPlain
        A large CSV must be read whole (see the module's docstring).
    """
    path = Path(path)
    check_format(path)
    if path.suffix.lower() == ".parquet":
        if hasher is not None:       # the Parquet reader reads the file itself
            with path.open("rb") as fh:
                while chunk := fh.read(8 << 20):
                    hasher.update(chunk)
        yield from _parquet_blocks(path, block_bytes)
    else:
        yield from _csv_blocks(path, block_bytes, keep, hasher)


def _csv_blocks(path: Path, block_bytes: int, keep=None, hasher=None) -> Iterator[RawTable]:
    def read(fh) -> bytes:
        chunk = fh.read(block_bytes)
        if hasher is not None:
            hasher.update(chunk)
        return chunk

    with path.open("rb") as fh:
        buffer = read(fh)
        if buffer.startswith(b"\xef\xbb\xbf"):
            buffer = buffer[3:]
        check_csv_lines(path, buffer)      # the header's length and columns, the first lines
        end = buffer.find(b"\n")
        header = fast_header(buffer) if end >= 0 else None
        if header is None:
            raise NotPlain("the header needs the careful reader")
        check_header(path, header)
        wanted = keep(header) if keep else None
        buffer = buffer[end + 1:]
        row, line, eof, short = 0, 1, False, False   # line: physical lines read (the header)
        while True:
            # a block's worth, ending in a whole line (a line longer than a block reads on);
            # ``short`` when the careful reader needs more to finish its first record
            while not eof and (len(buffer) < block_bytes or buffer.rfind(b"\n") < 0
                               or short):
                more = read(fh)
                eof = not more
                buffer += more
                short = False
                check_csv_lines(path, buffer, first=False)   # a line that reads on and on
            if not buffer:
                return
            cut = len(buffer) if eof else buffer.rfind(b"\n") + 1
            records = buffer.count(b"\n", 0, cut) + (0 if buffer[cut - 1] == 10 else 1)
            view = memoryview(buffer)
            block = view[:cut]                                  # the block is not copied
            table = fast_csv(block, header, skip_rows=0, only=wanted)
            if table is not None and table.num_rows == records and not has_blank_record(table):
                buffer = bytes(view[cut:])
                yield RawTable(table, "csv", "utf-8",
                               np.arange(row + 1, row + records + 1, dtype=np.int64),
                               header=header if wanted else None)
                row += records
                line += records
                continue
            del table
            text = _careful_text(block, row)
            careful = _Careful(path, header, wanted, row, line)
            raw, used = careful.read(text, final=eof and cut == len(buffer),
                                     give_up=len(buffer) >= 4 * max(block_bytes, BLOCK_BYTES))
            if raw is None:          # the first record runs past the block: read on
                short = True
                continue
            buffer = text[used:].encode("utf-8") + bytes(view[cut:])
            row, line = careful.row, careful.line
            if len(raw.rows):
                yield raw


def _careful_text(block, row: int) -> str:
    """The block as text for the careful reader, or NotPlain when the whole file must be read
    by it (not UTF-8, NUL bytes, lone CR line endings: see the module's docstring)."""
    try:
        text = bytes(block).decode("utf-8")
    except UnicodeDecodeError:
        raise NotPlain(f"the block from data row {row + 1} is not UTF-8") from None
    if "\x00" in text or text.count("\r") != text.count("\r\n"):
        raise NotPlain(f"the block from data row {row + 1} needs the whole-file reader")
    return text


class _Careful:
    """Read a block's text record by record, as :func:`data_contracts.csv_files.slow_csv`
    reads a whole file: blank lines skipped but counted, ragged records kept and noted.

    ``row`` and ``line`` (records and physical lines before the block) are carried on to the
    next block when :meth:`read` returns.
    """

    def __init__(self, path: Path, header: list[str], wanted, row: int, line: int):
        self.path, self.width = path, len(header)
        self.names = [h for h in header if wanted is None or h in wanted]
        self.index = [i for i, h in enumerate(header) if wanted is None or h in wanted]
        self.header = header if wanted else None
        self.row, self.line = row, line

    def read(self, text: str, *, final: bool, give_up: bool) -> tuple[RawTable | None, int]:
        """Return the block's records and how many characters of ``text`` they used.

        When the text ends inside a record (not the file's end), the records before it are
        returned and the rest is left for the next block; when the first record does not end
        in ``text``, ``(None, 0)`` asks for more text (or, with ``give_up``, the error).

        Raises
        ------
        ContractError
            A record that cannot be read as CSV, with its line and row, as the whole-file
            reader says it.
        """
        pos = done = 0

        def lines():
            nonlocal pos
            while pos < len(text):
                end = text.find("\n", pos)
                end = len(text) if end < 0 else end + 1
                chunk, pos = text[pos:end], end
                yield chunk

        csv.field_size_limit(1_000_000_000)   # as the whole-file reader allows
        reader = csv.reader(lines(), strict=True)
        columns: list[list[str]] = [[] for _ in self.names]
        parts, rows, ragged, held = [], [], {}, 0
        row, used_lines = self.row, 0
        try:
            for record in reader:
                row += 1                   # blank lines count, as they do in a spreadsheet
                done, used_lines = pos, reader.line_num
                record = careful_record(record, self.width, row, ragged)
                if record is None:
                    continue
                rows.append(row)
                for col, i in zip(columns, self.index):
                    col.append(record[i])
                held += 1
                if held == CAREFUL_ROWS:
                    parts.append(self._table(columns))
                    columns, held = [[] for _ in self.names], 0
        except csv.Error as exc:
            at_end = pos == len(text) and not final     # perhaps cut off by the block's end
            if at_end and done == 0 and not give_up:
                return None, 0
            if not at_end or done == 0:
                raise unreadable_csv(self.path, self.line + used_lines, row, exc) from None
            # the text ends inside a record: it starts the next block
        parts.append(self._table(columns))
        self.row, self.line = row, self.line + used_lines
        return RawTable(pa.concat_tables(parts), "csv", "utf-8",
                        np.asarray(rows, dtype=np.int64), ragged, header=self.header), done

    def _table(self, columns) -> pa.Table:
        return pa.table({h: pa.array(c, type=pa.string()) for h, c in zip(self.names, columns)})


def _parquet_blocks(path: Path, block_bytes: int) -> Iterator[RawTable]:
    import pyarrow.parquet as pq

    try:
        source = pq.ParquetFile(path)
        rows_per_block = max(1, int(block_bytes * source.metadata.num_rows
                                    / max(1, path.stat().st_size) / 4))
        batches = source.iter_batches(batch_size=rows_per_block)
    except Exception:   # a corrupt file: the whole-file reader says what is wrong
        yield read_parquet(path, read_source(path))
        return
    row = 0
    for batch in batches:
        raw = parquet_text(path, pa.Table.from_batches([batch]))
        raw.rows = np.arange(row + 1, row + batch.num_rows + 1, dtype=np.int64)
        row += batch.num_rows
        yield raw
