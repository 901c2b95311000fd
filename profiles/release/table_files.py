"""Protected tables kept on disk beside the store, so no server builds one twice.

Building an audience's protected table for a national feed takes seconds (the roll-up over
millions of atoms); reading it back takes a fraction of one. :func:`protected_table` in
:mod:`profiles.release.api` looks here after its in-process cache and before building, and
writes what it builds. ``lantern ingest`` and ``lantern demo`` fill it after a load, and
``lantern serve`` warms it in the background, so the first person to open a page after a
restart, or after a load, does not wait.

A file holds one protected table: released units only (cells, periods, breakdown codes,
rounded counts and area anchors), the breakdowns' labels, and which units were shown one
lower. It is named by a digest of everything that decides its content: the files loaded
(their SHA-256, in order), the feed's fact totals, the audience's policy, the store's
resolution and Lantern's version. A change to any of them names a different file, so a stale
table is never read; files of older versions are removed when a new one is written. The
folder is ``.<db>.release/`` beside the database, readable by its owner only, like the key.

Nothing here is needed for correctness: a folder that cannot be written, or a file that
cannot be read, means the table is built as before.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.feather as feather

from data_contracts.private_files import open_private, private_dir
from profiles.release.disclosure import Protected

log = logging.getLogger("lantern.release")
SUFFIX = ".arrow"


def folder_for(db_path) -> Path:
    """Return the cache folder of the database at ``db_path`` (a snapshot link counts as it).

    >>> folder_for("/data/force.duckdb").name, folder_for("/data/.force.duckdb.snap-42").name
    ('.force.duckdb.release', '.force.duckdb.release')
    """
    path = Path(db_path)
    name = path.name
    if name.startswith(".") and ".snap-" in name:
        name = name[1:name.rindex(".snap-")]
    return path.with_name(f".{name}.release")


def table_key(version: tuple, policy, feed: str, base_resolution: int) -> str:
    """Return the file stem naming one protected table (a digest of what decides it).

    ``version`` is the store version of :func:`profiles.release.api._store_version` without
    its path. The policy enters by its full settings, so editing ``audiences.toml`` names a
    new file.
    """
    from profiles import __version__

    text = json.dumps([__version__, feed, int(base_resolution), repr(policy),
                       [str(v) for v in version]], sort_keys=True)
    return f"{feed}-{policy.name}-{hashlib.sha256(text.encode()).hexdigest()[:24]}"


def read_table(folder: Path, key: str, ladder) -> Protected | None:
    """Return the protected table stored as ``key`` in ``folder``, or None if absent."""
    path = folder / f"{key}{SUFFIX}"
    try:
        table = feather.read_table(path, memory_map=False)
    except (OSError, pa.ArrowInvalid):
        return None
    try:
        meta = json.loads(table.schema.metadata[b"lantern"])
        frame = table.to_pandas()
        lowered = frame.pop("_lowered").to_numpy(bool)
        for col in ("cell", "anchor"):
            frame[col] = frame[col].to_numpy(np.uint64)
        empty = np.zeros(0, dtype=np.int64)
        return Protected(frame, empty, empty, tuple(ladder), int(meta["threshold"]),
                         int(meta["rounding_base"]), tuple(meta["dims"]), lowered,
                         {k: np.asarray(v, dtype=object) for k, v in meta["labels"].items()})
    except (KeyError, ValueError, TypeError) as exc:
        log.warning("unreadable protected table %s (%s): rebuilding", path.name,
                    type(exc).__name__)
        return None


def write_table(folder: Path, key: str, prot: Protected) -> Path | None:
    """Store ``prot`` as ``key`` in ``folder``; return the path, or None if it cannot be written.

    Older files of the same feed and audience are removed. The write goes to a temporary
    name first, so a reader never sees half a file.
    """
    units = prot.units.copy()
    units["_lowered"] = np.asarray(prot.lowered, dtype=bool)
    labels = {k: [v.item() if hasattr(v, "item") else v for v in np.asarray(vals).tolist()]
              for k, vals in prot.labels.items()}
    meta = {"threshold": prot.threshold, "rounding_base": prot.rounding_base,
            "dims": list(prot.dims), "labels": labels}
    table = pa.Table.from_pandas(units, preserve_index=False)
    table = table.replace_schema_metadata({b"lantern": json.dumps(meta).encode()})
    try:
        private_dir(folder)
        tmp = folder / f".{key}.{os.getpid()}.tmp"
        with open_private(tmp, "wb") as fh:
            feather.write_feather(table, fh, compression="lz4")
        final = folder / f"{key}{SUFFIX}"
        os.replace(tmp, final)
    except OSError as exc:
        log.warning("protected table not kept on disk (%s)", type(exc).__name__)
        return None
    stem = key.rsplit("-", 1)[0]
    for old in folder.glob(f"{stem}-*{SUFFIX}"):
        if old != final:
            old.unlink(missing_ok=True)
    return final

