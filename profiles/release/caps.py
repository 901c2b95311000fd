"""Erasure caps: after a person is erased, no released figure may rise until the next load.

Erasing a person (:func:`profiles.store.retention.erase`) takes their events out of the
store, so the true counts behind some units fall. Two things could still make a *released*
figure rise, although nothing was added:

* **the noise is redrawn.** A unit's cell key is the sum of its rows' record keys
  (:mod:`profiles.release.perturb`); a unit that lost an event has a new key and so a new
  draw, which may lie above the old figure;
* **pooling moves.** A hexagon that falls under the threshold is pooled into its parent (or
  a month into the rest of its quarter), so the pool - shown before with less in it, or
  hidden before - may now read more.

So, in the same swap as the erasure (:func:`profiles.release.erasure.hold_figures`), every unit of every layer of the erased feeds is kept
as a *cap* for every protection that can see them (every audience in the policy file): the
figure it showed just before. Until the store's next load, a layer's units are released at
``min(figure, cap)``, and a unit that had no cap (it was hidden before) stays hidden. Every
view is a sum of units, so every view falls or stays: a count, a total, a map, a chart, an
export. A second erasure takes its caps from the capped figures, so the rule holds across
any number of erasures. The caps hold only figures the audience was already shown.

A load adds events, and figures move with them: the caps are for the data as the erasure
left it, so the next load's release no longer reads them (``meta.release_caps_at`` names the
loads they were made after).

Examples
--------
>>> import numpy as np, pandas as pd
>>> from profiles.release.disclosure import Protected
>>> units = pd.DataFrame({"rung": [0, 0], "cell": np.array([1, 2], np.uint64),
...                       "resolution": [9, 9], "grain": [2, 2], "period_start": [0, 0],
...                       "period_end": [89, 89], "count": [7, 9],
...                       "anchor": np.array([1, 2], np.uint64)})
>>> prot = Protected(units, np.zeros(0, np.int64), np.zeros(0, np.int64), (), 3, 1, ())
>>> keys = unit_keys(prot)
>>> capped = cap_table(prot, (keys[:1], np.array([5])))
>>> capped.units["count"].tolist()    # the first capped at 5, the second never shown before
[5]
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from profiles import store

#: The store's table of caps (created by the first erasure).
TABLE = "release_caps"
#: ``meta`` key: the loads (count and last id of ``ingests``) the caps were made after.
META_KEY = "release_caps_at"
#: No caps: every unit of the layer is hidden.
_NONE = (np.zeros(0, np.uint64), np.zeros(0, np.int64))
_IDENTITY = ("rung", "cell", "resolution", "grain", "period_start", "period_end", "place")


def unit_keys(prot) -> np.ndarray:
    """A stable 64-bit key per unit of ``prot``: its layer position (rung, cell, resolution,
    period, place) and its breakdown *values* (never codes, which shift when a value goes)."""
    units = prot.units
    frame = pd.DataFrame({c: units[c].to_numpy() for c in _IDENTITY if c in units})
    for dim in prot.dims:
        codes = units[dim].to_numpy(np.int64)
        values = np.asarray(prot.labels.get(dim, []), dtype=object)
        # code -1 (combined) picks the last entry
        named = np.append(values.astype(str).astype(object), "(combined)")
        frame[dim] = named[codes] if len(values) else codes.astype(str)
    if not len(frame):
        return np.zeros(0, dtype=np.uint64)
    return pd.util.hash_pandas_object(frame, index=False).to_numpy(np.uint64)


def cap_table(prot, caps: tuple):
    """``prot`` with each unit's figure at most its cap, and units without a cap hidden.
    ``caps`` is (unit keys, figures), as :func:`caps_for` gives them per layer.

    Where the table keeps where each atom went (the policy owner's report), atoms of a unit
    now hidden are marked hidden (-1) and the rest follow their units' new rows.
    """
    units_capped, figures = caps
    at = pd.Index(np.asarray(units_capped, dtype=np.uint64)).get_indexer(unit_keys(prot))
    cap = np.where(at >= 0, np.asarray(figures, dtype=np.int64)[np.maximum(at, 0)], -1)
    keep = cap >= 0
    units = prot.units.loc[keep].copy()
    units["count"] = np.minimum(units["count"].to_numpy(np.int64), cap[keep])
    units = units.reset_index(drop=True)
    atom_unit = prot.atom_unit
    if len(atom_unit):
        new_row = np.full(len(keep), -1, dtype=np.int64)
        new_row[keep] = np.arange(int(keep.sum()))
        atom_unit = np.where(atom_unit >= 0, new_row[np.maximum(atom_unit, 0)], -1)
    lowered = prot.lowered[keep] if len(prot.lowered) == len(keep) else prot.lowered
    return dataclasses.replace(prot, units=units, atom_unit=atom_unit, lowered=lowered)


def loads(cur) -> str:
    row = store.fetch_row(cur, "SELECT count(*), coalesce(max(ingest_id), 0) FROM ingests")
    return f"{row[0]}:{row[1]}"


def in_force(cur) -> bool:
    """True when an erasure's caps hold the figures (no load since it)."""
    return store.get_meta(cur, META_KEY) == loads(cur)


def caps_for(cur, protection_name: str, feed: str) -> dict | None:
    """The caps in force of a feed under a protection, by layer name (unit keys, figures),
    or None when there are none (no erasure since the last load)."""
    if not store.fetch_row(cur, "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? "
                           "AND database_name = current_database()", [TABLE])[0]:
        return None
    if not in_force(cur):
        return None
    rows = cur.execute(f"SELECT layer, unit, figure FROM {TABLE} WHERE protection = ? "
                       f"AND feed = ?", [protection_name, feed]).df()
    if not len(rows):
        return None
    # the marker row (layer "") says the feed is capped, even with nothing shown
    return {layer: ((part["unit"].to_numpy(np.uint64), part["figure"].to_numpy(np.int64))
                    if layer else _NONE)
            for layer, part in rows.groupby("layer", sort=False)}


def apply_caps(cur, protection, feed: str, tables: dict) -> dict:
    """``tables`` (layer name -> Protected) with the caps in force applied."""
    caps = caps_for(cur, protection.name, feed)
    if caps is None:
        return tables
    return {name: cap_table(prot, caps.get(name, _NONE)) for name, prot in tables.items()}


__all__ = ["META_KEY", "TABLE", "apply_caps", "cap_table", "caps_for", "in_force", "loads",
           "unit_keys"]
