"""The tables of released units, built once: in-process cache, disk copies, warm-up.

A table (one layer of one feed under one :class:`~profiles.release.layers.Protection`) is
cached in-process per database file, protection, feed, layer and store version (the
``ingests`` table and the feed's facts), within :data:`CACHE_UNITS` units and
:data:`CACHE_TABLES` tables; one build per key at a time (later callers wait for it). Beside
a database file, tables are also kept on disk (:mod:`profiles.release.table_files`) so that no
process builds one twice. A store in memory is protected afresh on each call.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pandas as pd

from data_contracts.private_files import private_dir
from profiles import store
from profiles.release.audiences import get_policy
from profiles.release.base import (area_memberships, breakdown_labels, coarser, feed_quarters,
                                   floor_cells, load_base_table)
from profiles.release.caps import apply_caps
from profiles.release.disclosure import Protected
from profiles.release.layers import (Layer, Protection, build_hex_layer, hex_floor,
                                     layer_named, layers_for, protection_of)
from profiles.release.perturb import release_salt
from profiles.release.places import build_places
from profiles.release.request import EVENT_FEEDS

_EPOCH = dt.date(1970, 1, 1)
_CACHE: OrderedDict = OrderedDict()
#: Released units kept in the in-process cache (about 100 bytes each), oldest dropped first.
CACHE_UNITS = 3_000_000
#: Tables of units kept in the cache at most.
CACHE_TABLES = 96
#: Names the release design in every kept table's digest: a change to it names new files.
ENGINE = "layers-ckm-5"
_LOCK = threading.Lock()
_BUILDING: dict = {}


def _cursor(con):
    cur = store.cursor(con)
    cur.execute("SET enable_progress_bar = false")
    return cur


def _store_version(cur, feed: str) -> tuple:
    """The database file (None in memory), and what changes whenever the feed's data does."""
    rows = [store.fetch_row(cur, sql, params) for sql, params in (
        ("SELECT path FROM duckdb_databases() WHERE database_name = current_database()", []),
        ("SELECT count(*), coalesce(max(ingest_id), 0), "
         "coalesce(string_agg(file_sha256, ',' ORDER BY ingest_id), '') FROM ingests", []),
        ("SELECT count(*), coalesce(sum(n), 0), coalesce(sum(n_keyed), 0) FROM facts "
         "WHERE feed = ?", [feed]),
        ("SELECT count(*) FROM subjects WHERE feed = ?", [feed]),
        ("SELECT count(*), coalesce(sum(area_id), 0) FROM area_cells", []),
        # the noise's salt (as a hash: never the salt itself), key rotations, retention and
        # the caps an erasure holds (profiles.release.caps)
        ("SELECT coalesce(CAST(hash(string_agg(key || '=' || value, ',' ORDER BY key)) "
         "AS VARCHAR), '') FROM meta WHERE key IN ('release_salt', 'key_rotations', "
         "'retention_frozen_before', 'release_caps_at')", []),
        ("SELECT min(week), max(week) FROM facts", []))]
    return tuple(v for row in rows for v in row)


def _nothing_loaded(sig) -> bool:
    """True when the feed of store version ``sig`` has no facts and no subjects."""
    return not sig[4] and not sig[7]


def _span(sig) -> tuple:
    return ((sig[-2] - _EPOCH).days, (sig[-1] - _EPOCH).days) if sig[-2] else (0, 0)


def store_span(con) -> tuple:
    """First and last loaded Monday (days since 1970-01-01), or (0, 0) when nothing is."""
    row = store.fetch_row(_cursor(con), "SELECT min(week), max(week) FROM facts")
    return ((row[0] - _EPOCH).days, (row[1] - _EPOCH).days) if row and row[0] else (0, 0)


def build_layer(cur, protection: Protection, feed: str, layer: Layer, *,
                atoms: bool = False) -> Protected:
    """Build one layer's released units from the store (no cache; ``atoms`` as in
    :func:`~profiles.release.layers.build_hex_layer`)."""
    return build_tables(cur, protection, feed, layer, atoms=atoms)[layer.name]


#: Facts rows of a feed's base table built at once: a larger feed is protected a span of whole
#: quarters at a time (no released unit spans two), which bounds the memory of the arrays and
#: hash tables of its base table; the units are the same, in the same order.
SPAN_ROWS = 2_000_000


def build_tables(cur, protection: Protection, feed: str, layer: Layer, *,
                 atoms: bool = False) -> dict:
    """Build ``layer`` - and, for a places layer, every places layer, which are protected
    together (:mod:`profiles.release.places`) - by layer name, with the caps an erasure
    holds applied (:mod:`profiles.release.caps`: no figure rises after an erasure)."""
    return build_feed_tables(cur, protection, feed, [layer], atoms=atoms)


def build_feed_tables(cur, protection: Protection, feed: str, layers, *,
                      atoms: bool = False) -> dict:
    """Build ``layers`` of ``feed`` together (a places layer brings every places layer), by
    layer name, caps applied as :func:`build_tables` does.

    A span of quarters at a time (:data:`SPAN_ROWS`), the span's base table is read from the
    store once for each breakdown set the layers use, at the finest H3 resolution they need;
    the coarser ones are summed from it (:func:`~profiles.release.base.coarser`), which gives
    the tables a read at that resolution would, array for array. Only one span's base tables
    are held at a time.
    """
    return apply_caps(cur, protection, feed, _build_feed(cur, protection, feed, list(layers),
                                                         atoms=atoms))


def _build_feed(cur, protection: Protection, feed: str, layers: list, *,
                atoms: bool = False) -> dict:
    res = store.base_resolution(cur)
    quarters = [None] if atoms else feed_quarters(cur, feed, SPAN_ROWS)
    places = any(layer.place == "places" for layer in layers)
    hexes = [layer for layer in layers if layer.place != "places"]
    place_dims = ("category",) if "category" in protection.breakdowns else ()
    hex_dims = tuple(protection.breakdowns)
    floors = {layer.name: hex_floor(protection, layer.grain) for layer in hexes}
    needs: dict = {}                 # breakdown set -> resolutions of base tables needed
    if places:
        needs.setdefault(place_dims, set()).add(res)
    for floor in floors.values():
        needs.setdefault(hex_dims, set()).add(floor)
    labels = {dims: breakdown_labels(cur, feed, dims) for dims in needs}
    areas = area_memberships(cur) if places else None
    everywhere = {floor: None if quarters == [None] else (
        floor_cells(cur, feed, floor), {d: len(labels[hex_dims][d]) for d in hex_dims})
        for floor in set(floors.values())}
    parts: dict = {}
    for q in quarters:
        for dims, resolutions in needs.items():
            for r, base in _base_tables(cur, feed, dims, labels[dims], resolutions, q):
                if places and dims == place_dims and r == res:
                    for name, table in build_places(base, protection, areas).items():
                        parts.setdefault(name, []).append(table)
                for layer in hexes:
                    if dims == hex_dims and floors[layer.name] == r:
                        parts.setdefault(layer.name, []).append(build_hex_layer(
                            base, protection, layer, base_resolution=res, atoms=atoms,
                            everywhere=everywhere[r]))
    return {name: _joined(tables, ("rung", "place", "period_start", *tables[0].dims)
                          if name.startswith("places") else
                          ("rung", "cell", "period_start", *hex_dims))
            for name, tables in parts.items()}


def _base_tables(cur, feed: str, dims: tuple, labels: dict, resolutions, weeks):
    """Yield (resolution, base table) for ``resolutions``, finest first: the finest read from
    the store, each coarser one summed from the one before (read when that cannot be exact)."""
    finer = None
    for r in sorted(resolutions, reverse=True):
        base = coarser(finer, r) if finer is not None else None
        if base is None:
            base = load_base_table(cur, feed, resolution=r, dims=dims, labels=labels,
                                   weeks=weeks)
        yield r, base
        finer = base


def _joined(parts: list, order: tuple) -> Protected:
    """One table of the units of the quarters' tables ``parts``, in the order one table of
    the whole feed lists them (by ``order``: each unit's rung, place or cell, period and
    breakdown codes, which no two units of one table share)."""
    if len(parts) == 1:
        return parts[0]
    units = pd.concat([p.units for p in parts], ignore_index=True)
    pick = np.lexsort([units[c].to_numpy() for c in reversed(order)])
    first = parts[0]
    return Protected(units.iloc[pick].reset_index(drop=True), np.zeros(0, np.int64),
                     np.zeros(0, np.int64), first.ladder, first.threshold,
                     first.rounding_base, first.dims,
                     np.concatenate([p.lowered for p in parts])[pick], first.labels)


def layer_table(con, protection: Protection, feed: str, layer: Layer
                ) -> tuple[Protected, tuple]:
    """Return ``layer``'s units of ``feed`` under ``protection``, and the loaded weeks' span."""
    cur = _cursor(con)
    sig = _store_version(cur, feed)
    span = _span(sig)
    if not sig[0]:
        return build_layer(cur, protection, feed, layer), span
    # A feed with nothing loaded: the empty tables of its protection, which every such feed
    # of this store version shares (held in memory, never kept on disk: cheaper to build).
    nothing = _nothing_loaded(sig)
    key = (sig, protection, None if nothing else feed, layer.name)
    while True:   # single flight: one build per key, later callers wait for it
        with _LOCK:
            if key in _CACHE:
                _CACHE.move_to_end(key)
                return _CACHE[key], span
            pending = _BUILDING.get(key)
            if pending is None:
                pending = _BUILDING[key] = threading.Event()
                break
        pending.wait()
    try:
        tables = build_tables(cur, protection, feed, layer) if nothing else \
            _from_disk_or_build(cur, protection, feed, layer, sig)
        with _LOCK:
            for name, prot in tables.items():
                _CACHE[(sig, protection, key[2], name)] = prot
            _CACHE.move_to_end(key)
            while len(_CACHE) > CACHE_TABLES or (len(_CACHE) > 1 and sum(
                    len(p.units) for p in _CACHE.values()) > CACHE_UNITS):
                _CACHE.popitem(last=False)
    finally:
        with _LOCK:
            _BUILDING.pop(key).set()
    return tables[layer.name], span


def _disk_key(cur, protection, feed, layer, sig, salt=None, res=None):
    """The name ``layer``'s table is kept under on disk; ``salt`` and ``res`` (the release
    salt and base resolution) are read from the store unless given."""
    from profiles.release import table_files

    salt = release_salt(cur) if salt is None else salt
    res = store.base_resolution(cur) if res is None else res
    return table_files.table_key((ENGINE, *sig[1:], salt), protection,
                                 f"{feed}.{layer.name.replace('-', '_')}", res)


def _from_disk_or_build(cur, protection, feed, layer, sig) -> dict:
    """``layer``'s table (with its siblings, for a places layer) from disk, or built and kept
    there."""
    from profiles.release import table_files

    folder = table_files.folder_for(sig[0])
    prot = table_files.read_table(folder, _disk_key(cur, protection, feed, layer, sig), ())
    if prot is not None:
        return {layer.name: prot}
    tables = build_tables(cur, protection, feed, layer)
    _write_tables(cur, protection, feed, sig, folder, release_salt(cur),
                  store.base_resolution(cur), tables)
    return tables


def protected_table(con, audience, feed: str, *, layer: str = "hex-quarter",
                    atoms: bool = False) -> tuple[Protected, tuple]:
    """Return the audience's units of ``feed`` in ``layer`` and the loaded weeks' span.

    With ``atoms`` (a hexagon layer), the table is built afresh and keeps where each atom
    went: for the policy owner's utility report only, never cached.
    """
    protection = protection_of(get_policy(audience), feed)
    chosen = layer_named(protection, layer)
    if atoms:
        return build_layer(_cursor(con), protection, feed, chosen, atoms=True), \
            store_span(con)
    return layer_table(con, protection, feed, chosen)


def warm_release_cache(con, audiences, feeds=EVENT_FEEDS, *, hold: bool = True
                       ) -> list[tuple[str, str, float]]:
    """Build every layer of ``audiences`` x ``feeds`` now, so first views are fast.

    Audiences that protect alike share their tables (built once). With ``hold=False`` a
    table is only made sure of on disk (built and kept there if missing) and not held in
    this process's memory: one feed at a time, one audience's tables at a time, so what is
    held at once is one span's base tables (:func:`build_feed_tables`) and the feed's units.
    A feed with nothing loaded needs nothing on disk (:func:`layer_table` serves it the empty
    tables its protection shares): with ``hold=False`` it is passed over. Returns (audience,
    feed, seconds) per audience and feed.

    Examples
    --------
    >>> from profiles import store
    >>> [(a, f) for a, f, _ in warm_release_cache(store.connect(":memory:"), ["partnership"],
    ...                                           feeds=["on_street"])]
    [('partnership', 'on_street')]
    """
    timings = []
    versions: dict = {}      # the store does not change while it is warmed: read once a feed
    loaded = None if hold else _loaded_feeds(con)
    for audience in audiences:
        policy = get_policy(audience)
        for feed in feeds:
            if not policy.may_see(feed):
                continue
            t0 = time.perf_counter()
            protection = protection_of(policy, feed)
            if hold:
                for layer in layers_for(protection):
                    layer_table(con, protection, feed, layer)
            elif feed in loaded:
                _keep_on_disk(con, protection, feed, layers_for(protection), versions)
            timings.append((policy.name, feed, time.perf_counter() - t0))
    return timings


def _loaded_feeds(con) -> set:
    """The feeds with anything loaded (facts or subjects), in one query."""
    return {feed for feed, in _cursor(con).execute(
        "SELECT DISTINCT feed FROM facts UNION SELECT DISTINCT feed FROM subjects").fetchall()}


def _keep_on_disk(con, protection, feed, layers, versions: dict) -> None:
    """Make sure ``layers``' tables are on disk (unless the feed has nothing loaded), the
    missing ones built together (:func:`build_feed_tables`); ``versions`` keeps each feed's
    cursor and store version (and the folder and salt) for the rest of one warm-up, which
    reads an unchanging store."""
    from profiles.release import table_files

    if feed not in versions:
        cur = _cursor(con)
        sig = _store_version(cur, feed)
        versions[feed] = (cur, sig, table_files.folder_for(sig[0]) if sig[0] else None,
                          release_salt(cur), store.base_resolution(cur))
    cur, sig, folder, salt, res = versions[feed]
    if not sig[0] or _nothing_loaded(sig):
        return
    missing = [layer for layer in layers if not (
        folder / f"{_disk_key(cur, protection, feed, layer, sig, salt, res)}"
                 f"{table_files.SUFFIX}").exists()]
    if missing:
        _write_tables(cur, protection, feed, sig, folder, salt, res,
                      build_feed_tables(cur, protection, feed, missing))


def _write_tables(cur, protection, feed, sig, folder, salt, res, tables: dict) -> None:
    """Keep ``tables`` (layer name -> Protected) of ``feed`` on disk in ``folder``."""
    from profiles.release import table_files

    for name, table in tables.items():
        table_files.write_table(folder, _disk_key(cur, protection, feed,
                                                  layer_named(protection, name), sig,
                                                  salt, res), table)


#: DuckDB's memory limit while :func:`keep_tables` builds tables after a load; queries that
#: need more spill to a private folder beside the store (:func:`keep_tables`).
WARM_MEMORY = "256MB"


def keep_tables(db_path, audiences, *, memory_limit: str = WARM_MEMORY
                ) -> list[tuple[str, str, float]]:
    """Build the tables of ``audiences`` for the store at ``db_path`` and keep them on disk.

    DuckDB is held to ``memory_limit`` meanwhile and spills beyond it to a private (0700)
    folder beside the store's tables, removed afterwards.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from profiles import store
    >>> db = pathlib.Path(tempfile.mkdtemp()) / "empty.duckdb"
    >>> store.connect(db).close()
    >>> [(a, f) for a, f, _ in keep_tables(db, ["partnership"])][:2]
    [('partnership', 'on_street'), ('partnership', 'premises')]
    """
    from profiles.release.source import open_read_only

    con = open_read_only(db_path)
    spill = spill_folder(db_path)
    try:
        limit_for_warming(con, spill, memory_limit)
        return warm_release_cache(con, audiences, hold=False)
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def spill_folder(db_path) -> Path:
    """The folder where this process's building of tables for ``db_path`` may spill (not made
    here): one per process, so two loads' warm steps never remove each other's."""
    from profiles.release import table_files

    return table_files.folder_for(db_path) / f"spill-{os.getpid()}"


def limit_for_warming(con, spill: Path, memory_limit: str = WARM_MEMORY) -> None:
    """Hold ``con``'s DuckDB to ``memory_limit``, spilling to ``spill`` (made 0700)."""
    private_dir(spill)
    con.execute("SET memory_limit = ?", [memory_limit])
    con.execute("SET temp_directory = ?", [str(spill)])


def clear_release_cache() -> None:
    """Forget every cached table (after writing to the store directly)."""
    with _LOCK:
        _CACHE.clear()


__all__ = ["CACHE_TABLES", "CACHE_UNITS", "build_feed_tables", "build_layer",
           "clear_release_cache", "keep_tables",
           "layer_table", "protected_table", "store_span", "warm_release_cache"]
