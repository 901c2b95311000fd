"""Parse spreadsheets and GIS files in a child process with a memory limit.

The limits of :mod:`data_contracts.limits` refuse the hostile files we know of before any
reader allocates. The readers underneath (calamine, GDAL) are native code, and a file that
slips past those checks could still make one ask for more memory than the machine has, or
crash: inside the dashboard's server that would take every session down. So where
``$LANTERN_READ_LIMIT_MB`` is set (``lantern serve`` sets it, default 2048), spreadsheets and
GIS files are parsed by a child Python whose data segment is limited to that many megabytes;
a crash or an allocation the limit refuses becomes a plain refusal of the file, and the
server carries on. The command line (``lantern ingest``) reads in its own process unless the
variable is set.

Examples
--------
>>> read_limit_mb({"LANTERN_READ_LIMIT_MB": "1500"}), read_limit_mb({})
(1500, None)
"""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

from data_contracts.errors import ContractError

#: Seconds a child may take to parse one file.
TIMEOUT = 600
_OUT_OF_MEMORY = 3


def read_limit_mb(environ=None) -> int | None:
    """The memory limit for parsing, in MB (``$LANTERN_READ_LIMIT_MB``), or None (parse in
    this process). A value that is not a positive whole number counts as unset."""
    value = (os.environ if environ is None else environ).get("LANTERN_READ_LIMIT_MB", "")
    try:
        mb = int(value)
    except ValueError:
        return None
    return mb if mb > 0 else None


def read_in_child(kind: str, path: Path, data: bytes, option: str | None, limit_mb: int):
    """Return what :func:`~data_contracts.formats.parse_spreadsheet` (``kind="spreadsheet"``)
    or :func:`~data_contracts.formats.read_gis` (``kind="gis"``) returns, parsed by a child
    process limited to ``limit_mb`` megabytes.

    Raises
    ------
    ContractError
        The reader's own refusal; or, when the child ran out of memory, crashed or took
        longer than :data:`TIMEOUT`, a plain refusal naming the file.
    """
    if kind not in ("spreadsheet", "gis"):
        raise ValueError(f"kind= must be 'spreadsheet' or 'gis', not {kind!r}")
    cmd = [sys.executable, "-m", "data_contracts.isolated", str(limit_mb), kind, str(path),
           option or ""]
    root = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (root, os.environ.get("PYTHONPATH", "")) if p))
    fix = ("open it in a spreadsheet program (or a GIS) and save it again, or export the data "
           "as CSV or GeoJSON.")
    try:
        run = subprocess.run(cmd, input=data, capture_output=True, timeout=TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        raise ContractError(path, f"reading the file took longer than {TIMEOUT} s, so it was "
                                  f"stopped. Nothing from it was loaded.", fix=fix) from None
    if run.returncode == 0:
        status, payload = pickle.loads(run.stdout)
        if status == "ok":
            return payload
        message, column, fix_text = payload
        err = ContractError.__new__(ContractError)
        ValueError.__init__(err, message)
        err.path, err.column, err.fix = str(path), column, fix_text
        raise err
    if run.returncode in (_OUT_OF_MEMORY, -6):     # MemoryError, or a native reader's abort
        raise ContractError(path, f"reading the file needed more memory than Lantern allows "
                                  f"for one file ({limit_mb:,} MB), so it was refused. Nothing "
                                  f"from it was loaded.", fix=fix)
    if run.returncode < 0:
        raise ContractError(path, "the reader failed on this file, so it was refused. "
                                  "Nothing from it was loaded.", fix=fix)
    raise ContractError(path, "the file could not be read (the reader stopped with an "
                              "error). Nothing from it was loaded.", fix=fix)


def _child(argv: list[str]) -> int:
    import resource

    limit_mb, kind, name, option = int(argv[0]), argv[1], argv[2], argv[3] or None
    limit = limit_mb << 20
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    data = sys.stdin.buffer.read()
    from data_contracts.formats import parse_spreadsheet, read_gis

    try:
        result = (parse_spreadsheet if kind == "spreadsheet" else read_gis)(
            Path(name), data, option)
        out = ("ok", result)
    except ContractError as exc:
        out = ("refused", (str(exc), exc.column, exc.fix))
    except MemoryError:
        return _OUT_OF_MEMORY
    sys.stdout.buffer.write(pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":   # pragma: no cover - run by read_in_child
    sys.exit(_child(sys.argv[1:]))
