"""Files and folders only their owner can read: every file Lantern writes that holds data.

The store, its copies, the release cache, quarantine reports, scenarios and the exports the
command line writes are made with mode 0600 (folders 0700), whatever the umask, so another
account on the same server cannot read a count, a rejected value or a released table. One
module does it, and every writer calls it, so no writer depends on the umask it inherits.

A folder Lantern makes (its own, like ``lantern-quarantine``, or a missing parent of a file it
writes) is 0700. A folder that already existed and is not Lantern's own (the one the database
or an export is put in) is left as it is: that is the owner's choice.

Examples
--------
>>> import os, stat, tempfile
>>> old = os.umask(0o022)
>>> root = tempfile.mkdtemp()
>>> path = write_private(os.path.join(root, "new", "export.csv"), "h3_id,count\\n")
>>> oct(stat.S_IMODE(os.stat(path).st_mode)), oct(stat.S_IMODE(os.stat(path.parent).st_mode))
('0o600', '0o700')
>>> _ = os.umask(old)
"""
from __future__ import annotations

import os
from pathlib import Path

#: Mode of every file holding data, and of every folder Lantern makes.
FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path) -> Path:
    """Make ``path`` (and any missing parent) a folder only its owner can open; return it.

    ``path`` is Lantern's own folder, so it is set to 0700 even when it already existed
    (with a looser mode, from an earlier version).
    """
    path = Path(path)
    private_parents(path)
    try:
        path.mkdir(mode=DIR_MODE)
    except FileExistsError:
        if not path.is_dir():
            raise
    os.chmod(path, DIR_MODE)
    return path


def open_private(path, mode: str = "w", **kwargs):
    """Open ``path`` for writing as a 0600 file (made so before the first byte is written).

    Parameters
    ----------
    path : path of the file; missing parent folders are made 0700.
    mode : {"w", "wb", "a", "ab"}
        Write (emptying the file) or append, as text or bytes.
    **kwargs
        Passed to :func:`open` (``encoding=``, ``newline=``).

    Raises
    ------
    ValueError
        For a mode that does not write.
    """
    if mode not in ("w", "wb", "a", "ab"):
        raise ValueError(f"mode= must be one of 'w', 'wb', 'a', 'ab', not {mode!r}")
    path = Path(path)
    private_parents(path)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode.startswith("a") else os.O_TRUNC)
    fd = os.open(path, flags, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)        # an existing file keeps its mode through O_CREAT
        return os.fdopen(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise


def write_private(path, data) -> Path:
    """Write ``data`` (text as UTF-8, or bytes) to ``path`` as a 0600 file; return the path."""
    binary = isinstance(data, (bytes, bytearray, memoryview))
    with open_private(path, "wb" if binary else "w",
                      **({} if binary else {"encoding": "utf-8"})) as fh:
        fh.write(data)
    return Path(path)


def make_private(*paths) -> None:
    """Set each of ``paths`` that exists to 0600 (a file another library made, such as
    DuckDB's database and its ``.wal``)."""
    for path in paths:
        try:
            os.chmod(path, FILE_MODE)
        except FileNotFoundError:
            pass


def is_private(path) -> bool:
    """Return True when no one but the owner may read, write or open ``path``."""
    return os.stat(path).st_mode & 0o077 == 0


def private_parents(path) -> None:
    """Make the missing parents of ``path``, each 0700 (existing ones are left alone)."""
    path = Path(path)
    missing = []
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        missing.append(parent)
        parent = parent.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue
        os.chmod(folder, DIR_MODE)


__all__ = ["DIR_MODE", "FILE_MODE", "is_private", "make_private", "open_private",
           "private_dir", "private_parents", "write_private"]
