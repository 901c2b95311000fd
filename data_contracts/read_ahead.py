"""Read a partner file's bytes on a thread while the command imports what it needs.

``lantern ingest`` spends about 0.3 s importing pandas, pyarrow and DuckDB before it reads
anything; reading a 250 MB police.uk download takes about 0.14 s more, most of it the kernel
copying pages, which needs no Python lock. :class:`ReadAhead` starts that read first, on a
second thread, and :func:`profiles.store.ingest.ingest_file` takes the bytes when it reads the
file whole (:meth:`ReadAhead.take`). It uses nothing but the standard library, so starting it
imports nothing heavy.

The bytes are handed over only if the file is still the one that was read (same size,
modification time and inode before the read, after it and when taken); otherwise, or if the
read failed, the file is read again as usual, which reports any error in plain words. A file
that will be read in blocks gives its bytes back unused (:meth:`ReadAhead.drop`), before its
first block is read, so memory stays bounded.
"""
from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

#: Files larger than this are never read ahead: no CSV or Parquet file this large is read
#: whole (:func:`data_contracts.validate.block_plan`: twice the largest block).
MOST_BYTES = 2 * 4 * (64 << 20)


class ReadAhead:
    """The bytes of ``path``, read on a thread from the moment this is made.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = path.write_bytes(b"a,b\\n1,2\\n")
    >>> ahead = ReadAhead(path)
    >>> ahead.take(path), ahead.take(path)
    (b'a,b\\n1,2\\n', None)
    >>> ReadAhead(path.with_name("missing.csv")).take(path.with_name("missing.csv")) is None
    True
    """

    def __init__(self, path, most_bytes: int = MOST_BYTES):
        self.path = Path(path)
        self._data: bytes | None = None
        self._thread = None
        try:
            st = os.stat(self.path)
        except OSError:
            return
        self._seen = _identity(st)
        if st.st_size <= most_bytes and stat.S_ISREG(st.st_mode):
            self._thread = threading.Thread(target=self._read, daemon=True,
                                            name="lantern-read-ahead")
            self._thread.start()

    def _read(self) -> None:
        try:
            data = self.path.read_bytes()
            if _identity(os.stat(self.path)) == self._seen and len(data) == self._seen[0]:
                self._data = data
        except OSError:
            pass

    def take(self, path) -> bytes | None:
        """The bytes of ``path`` if they were read ahead and the file has not changed since,
        else None (read it as usual). Once only: the bytes are not kept here afterwards."""
        if self._thread is None or Path(path) != self.path:
            return None
        self._thread.join()
        data, self._data, self._thread = self._data, None, None
        try:
            return data if data is not None and _identity(os.stat(self.path)) == self._seen \
                else None
        except OSError:
            return None

    def drop(self) -> None:
        """Give the bytes back unused (the file is read another way)."""
        if self._thread is not None:
            self._thread.join()
        self._data = self._thread = None


def _identity(st: os.stat_result) -> tuple:
    """What says a file is still the one read: its size, modification time and inode."""
    return st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev


__all__ = ["MOST_BYTES", "ReadAhead"]
