"""Read a large file in blocks of records, so validation and loading run in bounded memory.

A file larger than twice :data:`BLOCK_BYTES` in CSV or Parquet is read a block at a time: CSV
in blocks of about that many bytes, cut at line ends; Parquet in record batches of about as
many rows. Each block is a :class:`~data_contracts.raw.RawTable` whose row numbers are the file's
own, so a quarantine report and an error name the same rows whether the file was read whole
or in blocks. Smaller files, spreadsheets and geographic files are read whole (one block).

The fast CSV reader needs one record per line (see :mod:`data_contracts.readers`). When a
block of a large CSV is not like that (a line break inside quotes, a blank line, a row with
the wrong number of fields, text that is not UTF-8), :class:`NotPlain` is raised and the
caller starts again with the whole file, which the careful reader handles record by record.

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

from pathlib import Path
from typing import Iterator

import numpy as np
import pyarrow as pa

from data_contracts.raw import RawTable, check_header
from data_contracts.readers import (_fast_csv, _fast_header, _has_blank_record, _read_parquet,
                                    check_format, parquet_text, read_raw, read_source)

#: A CSV or Parquet file larger than this is read in blocks of about this size (64 MiB:
#: about a million rows of a typical point feed).
BLOCK_BYTES = 64 << 20


class NotPlain(Exception):
    """A block of a large CSV needs the careful reader: read the file whole instead."""


def is_blocked(path: Path, block_bytes: int = BLOCK_BYTES) -> bool:
    """True when ``path`` will be read in blocks: a CSV or Parquet file over twice the block
    size (up to that, reading it whole costs less time than merging two blocks' rows, in
    about the same memory: 2.5 s against 2.9–3.7 s for 110 MB, both about 1.1 GB)."""
    try:
        size = Path(path).stat().st_size
    except OSError:
        return False
    return size > 2 * block_bytes and Path(path).suffix.lower() in (".csv", ".parquet")


def raw_blocks(path, *, sheet: str | None = None, layer: str | None = None,
               block_bytes: int = BLOCK_BYTES, keep=None, hasher=None) -> Iterator[RawTable]:
    """Yield the records of ``path`` as text columns, a block at a time, in file order.

    ``keep`` is as :func:`data_contracts.readers.read_raw` takes it. ``hasher`` (a
    :mod:`hashlib` object), if given, is fed every byte of the file as it is read, so the
    file's hash is known once the last block has been yielded, with no extra pass.

    Raises
    ------
    ContractError
        As :func:`data_contracts.readers.read_raw` does (missing, unreadable, unsupported).
    NotPlain
        A block of a large CSV needs the careful reader (see the module's docstring).
    """
    path = Path(path)
    if not is_blocked(path, block_bytes):
        data = read_source(path)
        if hasher is not None:
            hasher.update(data)
        yield read_raw(path, data, sheet=sheet, layer=layer, keep=keep)
        return
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
        end = buffer.find(b"\n")
        header = _fast_header(buffer) if end >= 0 else None
        if header is None:
            raise NotPlain("the header needs the careful reader")
        check_header(path, header)
        wanted = keep(header) if keep else None
        buffer = buffer[end + 1:]
        row, eof = 0, False
        while True:
            # a block's worth, ending in a whole line (a line longer than a block reads on)
            while not eof and (len(buffer) < block_bytes or buffer.rfind(b"\n") < 0):
                more = read(fh)
                eof = not more
                buffer += more
            if not buffer:
                return
            cut = len(buffer) if eof else buffer.rfind(b"\n") + 1
            records = buffer.count(b"\n", 0, cut) + (0 if buffer[cut - 1] == 10 else 1)
            view = memoryview(buffer)
            block, buffer = view[:cut], bytes(view[cut:])     # the block is not copied
            table = _fast_csv(block, header, skip_rows=0, only=wanted)
            if table is None or table.num_rows != records or _has_blank_record(table):
                raise NotPlain(f"the block from data row {row + 1} needs the careful reader")
            yield RawTable(table, "csv", "utf-8",
                           np.arange(row + 1, row + records + 1, dtype=np.int64),
                           header=header if wanted else None)
            row += records


def _parquet_blocks(path: Path, block_bytes: int) -> Iterator[RawTable]:
    import pyarrow.parquet as pq

    try:
        source = pq.ParquetFile(path)
        rows_per_block = max(1, int(block_bytes * source.metadata.num_rows
                                    / max(1, path.stat().st_size) / 4))
        batches = source.iter_batches(batch_size=rows_per_block)
    except Exception:   # a corrupt file: the whole-file reader says what is wrong
        yield _read_parquet(path, read_source(path))
        return
    row = 0
    for batch in batches:
        raw = parquet_text(path, pa.Table.from_batches([batch]))
        raw.rows = np.arange(row + 1, row + batch.num_rows + 1, dtype=np.int64)
        row += batch.num_rows
        yield raw
