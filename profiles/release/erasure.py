"""Before an erasure: hold every figure now released as a cap (:mod:`profiles.release.caps`).

Examples
--------
>>> from profiles import store
>>> from profiles.release.audiences import load_policies
>>> con = store.connect(":memory:")
>>> hold_figures(con, ["on_street"], load_policies().values())
0
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from profiles import store
from profiles.release.cache import build_tables
from profiles.release.caps import META_KEY, TABLE, in_force, loads, unit_keys
from profiles.release.layers import layers_for, protection_of


def hold_figures(con, feeds, policies) -> int:
    """Keep every unit's figure now released of ``feeds`` under every protection of
    ``policies``, as caps in force until the next load. Call it on the writable store,
    *before* the erasure changes anything, in the same swap. Returns the caps kept."""
    cur = store.cursor(con)
    cur.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (protection VARCHAR, feed VARCHAR, "
                f"layer VARCHAR, unit UBIGINT, figure BIGINT)")
    if not in_force(cur):   # an earlier load's caps are spent
        cur.execute(f"DELETE FROM {TABLE}")
    pairs = sorted({(protection_of(policy, feed), feed) for policy in policies
                    for feed in feeds if policy.may_see(feed)},
                   key=lambda pair: (pair[1], pair[0].name))
    kept = 0
    for protection, feed in pairs:
        frames, done = [], set()
        for layer in layers_for(protection):
            if layer.name in done:
                continue
            tables = build_tables(cur, protection, feed, layer)   # caps in force applied
            done.update(tables)
            for name, prot in tables.items():
                frames.append(pd.DataFrame({"protection": protection.name, "feed": feed,
                                            "layer": name, "unit": unit_keys(prot),
                                            "figure": prot.units["count"].to_numpy(np.int64)}))
        cur.execute(f"DELETE FROM {TABLE} WHERE protection = ? AND feed = ?",
                    [protection.name, feed])
        held = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        # one marker row per protection and feed, so a feed with nothing shown is still capped
        marker = pd.DataFrame({"protection": [protection.name], "feed": [feed], "layer": [""],
                               "unit": np.zeros(1, np.uint64), "figure": [-1]})
        held = pd.concat([held, marker], ignore_index=True)
        cur.register("lantern_caps", held)
        cur.execute(f"INSERT INTO {TABLE} SELECT protection, feed, layer, "
                    f"CAST(unit AS UBIGINT), figure FROM lantern_caps")
        cur.unregister("lantern_caps")
        kept += len(held) - 1
    store.set_meta(cur, META_KEY, loads(cur))
    return kept


__all__ = ["hold_figures"]
