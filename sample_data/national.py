"""A national-scale synthetic set for benchmarks: many fictional towns, all in the open sea.

The towns are scattered over a box of the North Sea (53.6–57.4°N, 0.6–1.8°E) that is more than
30 km from any coast, so — like the single demo town — nothing can be read as a real place.
Deterministic for a seed; written with pyarrow so ten million rows take seconds.

Examples
--------
>>> feeds = generate_national(seed=1, points=2_000)
>>> sorted(feeds)
['community_concerns', 'harm_reports', 'on_street', 'outreach_contacts', 'premises']
>>> sum(len(t) for t in feeds.values())
2000
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)
import pyarrow.csv as pacsv

from data_contracts.feeds import (ACTIVITY_TYPES, CONCERN_TYPES, HARM_CATEGORIES,
                                  OUTREACH_SERVICES, PREMISES_TYPES, REPORTING_ROUTES,
                                  SOURCE_AGENCIES)

BOX = (53.6, 57.4, 0.6, 1.8)   # min_lat, max_lat, min_lon, max_lon: open sea
#: Share of points per feed (on-street dominates, as in the demo town).
SHARES = {"on_street": 0.6, "outreach_contacts": 0.2, "community_concerns": 0.12,
          "harm_reports": 0.07, "premises": 0.01}
#: Pseudonymous references, as real feeds carry them: (column, share of rows keyed,
#: distinct references per keyed row). People are seen many times; premises a few times.
KEYS = {"on_street": ("subject_key", 0.5, 1 / 40), "harm_reports": ("subject_key", 0.7, 1 / 3),
        "outreach_contacts": ("subject_key", 0.6, 1 / 20),
        "premises": ("premises_ref", 1.0, 1 / 4)}
_END = np.datetime64("2026-11-01T00:00")
_SPAN_MIN = 104 * 7 * 24 * 60


def _points(rng, n, towns):
    t = rng.integers(0, len(towns), n)
    lat = towns[t, 0] + rng.normal(0, 0.01, n)
    lon = towns[t, 1] + rng.normal(0, 0.016, n)
    return lat.round(6), lon.round(6)


def _times(rng, n):
    minutes = rng.integers(0, _SPAN_MIN, n)
    ts = _END - np.timedelta64(_SPAN_MIN, "m") + minutes.astype("timedelta64[m]")
    return pa.array(ts.astype("datetime64[s]")).cast(pa.string())


def _keys(rng, n, share, per_row, prefix):
    """Fictional references (``prefix`` + number), blank on rows without one."""
    pool = max(1, int(n * share * per_row))
    numbers = pa.array(np.arange(pool)).cast(pa.string())
    labels = pa.compute.binary_join_element_wise(prefix, numbers, "")
    keys = _choice(rng, labels, n)
    return pa.compute.if_else(pa.array(rng.random(n) >= share), "", keys)


def _choice(rng, values, n):
    idx = rng.integers(0, len(values), n)
    return pa.DictionaryArray.from_arrays(pa.array(idx, pa.int32()),
                                          pa.array(values)).cast(pa.string())


def generate_national(seed: int = 11, points: int = 10_000_000, towns: int = 400) -> dict:
    """Return feed name -> pyarrow Table with ``points`` rows in all, across ``towns`` towns."""
    rng = np.random.default_rng(seed)
    centres = np.column_stack([rng.uniform(BOX[0] + 0.05, BOX[1] - 0.05, towns),
                               rng.uniform(BOX[2] + 0.05, BOX[3] - 0.05, towns)])
    sizes = {f: int(points * s) for f, s in SHARES.items()}
    sizes["on_street"] += points - sum(sizes.values())
    out = {}
    for feed, n in sizes.items():
        lat, lon = _points(rng, n, centres)
        cols = {"lat": lat, "lon": lon}
        if feed == "premises":
            cols["assessment_date"] = pa.compute.utf8_slice_codeunits(_times(rng, n), 0, 10)
            cols["premises_type"] = _choice(rng, list(PREMISES_TYPES), n)
            cols["community_impact"] = _choice(rng, ["yes", "no", "no"], n)
            cols["exploitation"] = _choice(rng, ["no"] * 9 + ["yes"], n)
        else:
            cols["datetime"] = _times(rng, n)
        if feed == "on_street":
            cols["activity_type"] = _choice(rng, list(ACTIVITY_TYPES), n)
            cols["source_agency"] = _choice(rng, list(SOURCE_AGENCIES), n)
        elif feed == "outreach_contacts":
            cols["service"] = _choice(rng, list(OUTREACH_SERVICES), n)
        elif feed == "community_concerns":
            cols["concern_type"] = _choice(rng, list(CONCERN_TYPES), n)
        elif feed == "harm_reports":
            cols["harm_category"] = _choice(rng, list(HARM_CATEGORIES), n)
            cols["reporting_route"] = _choice(rng, list(REPORTING_ROUTES), n)
        if feed in KEYS:
            column, share, per_row = KEYS[feed]
            cols[column] = _keys(rng, n, share, per_row, f"{feed[:1].upper()}K")
        out[feed] = pa.table(cols)
    return out


def write_national(out_dir, *, seed: int = 11, points: int = 10_000_000,
                   towns: int = 400) -> dict:
    """Write the national set as one CSV per feed; return feed name -> Path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for feed, table in generate_national(seed, points, towns).items():
        path = out_dir / f"{feed}.csv"
        pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="none"))
        paths[feed] = path
    return paths
