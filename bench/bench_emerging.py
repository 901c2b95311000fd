"""Cross-check: Lantern's emerging hot spots against pyehsa 0.1.2 (sfdep's rules) on one cube.

Run from the repository root (pyehsa is not a Lantern dependency; install it beside)::

    pip install pyehsa==0.1.2
    python bench/bench_emerging.py [--rings 6] [--steps 12] [--nsim 199] [--seed 7]

It builds one synthetic space-time cube: H3 resolution-8 hexagons (a grid disk of ``--rings``
rings), ``--steps`` months of Poisson counts from ``--seed``, with planted clusters (a cell and
its ring) that rise, stay, fade, appear late, flicker and go quiet. Then it runs

* pyehsa end to end: ``EmergingHotspotAnalysis.emerging_hotspot_analysis`` on the cube with
  hexagon outlines (queen contiguity, which for hexagons is ring 1), no time lag (``k=0``) and
  ``--nsim`` permutations;
* Lantern: :func:`profiles.analyses.emerging.hotspot_emerging` (``k=1``, ``time_steps=0``).

With no time lag both compute the same Gi* z (the bench checks it), so every disagreement in
category comes from how a step is called significant or from the rules. The bench prints the
agreement table (pyehsa's category against Lantern's) and explains every disagreement by one
of the differences written down in :mod:`profiles.analyses.emerging` ("Where sfdep ... differ"):

1. It applies Lantern's rules to pyehsa's own significance (permutation p <= 0.01, no FDR)
   and trend test (0.01). Where that gives pyehsa's category, the disagreement is S1/S2: the
   steps (or the trend) were called significant differently.
2. Otherwise it names the rule difference (S3-S10) whose condition the hexagon meets.

A disagreement with no written-down reason is printed as UNEXPLAINED and fails the run. The
last line is ``RESULT {json}``.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import sys
import time
from pathlib import Path

import h3
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from profiles.analyses.emerging import hotspot_emerging, series_to_categories  # noqa: E402

CENTRE = h3.latlng_to_cell(53.8, -1.55, 8)          # an arbitrary res-8 hexagon


def synthetic_cube(rings: int, steps: int, seed: int) -> pd.DataFrame:
    """Poisson(4) counts on a grid disk, with planted clusters of a cell and its ring."""
    rng = np.random.default_rng(seed)
    cells = sorted(h3.grid_disk(CENTRE, rings))
    cube = pd.DataFrame(rng.poisson(4, size=(len(cells), steps)), index=cells,
                        columns=pd.period_range("2025-01", periods=steps, freq="M").astype(str))
    t = np.arange(steps)
    ring_cells = [c for c in h3.grid_ring(CENTRE, max(2, rings - 2))]
    plants = {
        "rising": 6 + 2 * t,                                   # hot, getting hotter
        "steady": np.full(steps, 14),                          # hot throughout
        "fading": np.maximum(2, 24 - 2 * t),                   # hot, then cooling off
        "late": np.where(t >= steps - 3, 16, 4),               # appears in the last 3
        "new": np.where(t == steps - 1, 18, 4),                # appears at the last step
        "flicker": np.where(t % 3 == 2, 16, 4),                # on and off
        "early": np.where(t < 4, 16, 4),                       # hot early, then quiet
        "quiet": np.where(t >= steps // 2, 0, 4),              # goes quiet: cold
    }
    for (name, level), centre in zip(plants.items(), ring_cells[::2]):
        cluster = [c for c in h3.grid_disk(centre, 1) if c in cube.index]
        cube.loc[cluster] = np.tile(rng.poisson(level).astype(float), (len(cluster), 1)) \
            if name != "quiet" else np.tile(level, (len(cluster), 1))
    return cube


def run_pyehsa(cube: pd.DataFrame, nsim: int, seed: int) -> pd.DataFrame:
    """pyehsa end to end on the cube; returns gi and p_sim per (cell, step), and categories."""
    from pyehsa import EmergingHotspotAnalysis, GiStar
    from shapely.geometry import Polygon

    long = cube.stack().rename("value").reset_index()
    long.columns = ["region", "time_period", "value"]
    outline = {c: Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(c)])
               for c in cube.index}
    long["geometry"] = long["region"].map(outline).map(lambda poly: poly.wkt)  # pyehsa reads WKT
    captured = {}
    original = GiStar.calculate_gi_star_spacetime

    def keep(*args, **kwargs):                          # keep the per-step Gi* and p_sim
        out = original(*args, **kwargs)
        captured["gi"] = out[["region", "time_period", "gi", "p_sim"]].copy()
        return out

    GiStar.calculate_gi_star_spacetime = staticmethod(keep)
    logging.disable(logging.CRITICAL)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            result = EmergingHotspotAnalysis.emerging_hotspot_analysis(
                long, "region", "time_period", "value", seed=seed, k=0, nsim=nsim)
    finally:
        GiStar.calculate_gi_star_spacetime = original
        logging.disable(logging.NOTSET)
    result = result.set_index("region")
    result.attrs["gi"] = captured["gi"]
    return result


def lantern_name(pyehsa_name: str) -> str:
    """pyehsa's category name in Lantern's words ("oscilating hotspot" -> "oscillating hot spot")."""
    if pyehsa_name == "no pattern detected":
        return pyehsa_name
    kind, side = pyehsa_name.split(" ")
    return f"{kind.replace('oscilating', 'oscillating')} {side.replace('spot', '')} spot"


def rule_reason(ours: str, theirs: str, z: np.ndarray, sig: np.ndarray) -> str | None:
    """The written-down rule difference (S3-S10) that explains a disagreement, or None.

    ``z`` and ``sig`` are pyehsa's Gi* series and its significance (p <= 0.01)."""
    n = len(z)
    hot, cold = sig & (z > 0), sig & (z < 0)
    t_kind, t_side = (theirs.split(" ")[0], theirs.split(" ")[1]) if " spot" in theirs \
        else (theirs, None)
    side, other = (hot, cold) if t_side == "hot" else (cold, hot)
    final_side = bool(side[-1])
    if t_kind == "sporadic" and not final_side:
        return "S9: sfdep's sporadic does not need the final step"
    if t_kind == "persistent" and not final_side:
        return "S7: sfdep's persistent does not need the final step and precedes historical"
    if ours.startswith("historical") and theirs == "no pattern detected":
        return "S8: sfdep's historical needs the final z on the other side of 0"
    if t_kind == "intensifying" and 10 * side.sum() < 9 * n <= 10 * sig.sum():
        return "S6: sfdep's intensifying hot counts significant steps of either sign"
    if t_kind == "consecutive":
        return "S5: sfdep's consecutive run is of significant steps of either sign, any length"
    if t_kind == "oscillating" and 10 * side.sum() == 9 * n:
        return "S10: sfdep's oscillating hot allows exactly 90%"
    if t_kind in ("new", "consecutive") or ours.startswith("oscillating"):
        return "S3/S4: sfdep's order and its new rule (exactly one significant step)"
    if theirs == "no pattern detected" and ours.split(" ")[0] in ("sporadic", "oscillating"):
        return "S3: sfdep's rules leave this history unclassified in its order"
    return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for option, default in (("--rings", 6), ("--steps", 12), ("--nsim", 199), ("--seed", 7)):
        parser.add_argument(option, type=int, default=default)
    args = parser.parse_args(argv)
    try:
        import pyehsa  # noqa: F401
    except ImportError:
        print("pyehsa is not installed (pip install pyehsa==0.1.2); nothing to compare")
        print("RESULT " + json.dumps({"name": "emerging vs pyehsa", "value": "skipped",
                                      "unit": "", "target": None}))
        return 0

    cube = synthetic_cube(args.rings, args.steps, args.seed)
    began = time.perf_counter()
    ours = hotspot_emerging(cube, k=1, time_steps=0)
    lantern_seconds = time.perf_counter() - began
    began = time.perf_counter()
    theirs = run_pyehsa(cube, args.nsim, args.seed)
    pyehsa_seconds = time.perf_counter() - began

    gi = theirs.attrs["gi"].pivot(index="region", columns="time_period", values="gi")
    p_sim = theirs.attrs["gi"].pivot(index="region", columns="time_period", values="p_sim")
    gi, p_sim = gi.loc[cube.index, cube.columns], p_sim.loc[cube.index, cube.columns]
    our_z = ours.attrs["z"]
    dz = np.nanmax(np.abs(gi.to_numpy() - np.nan_to_num(our_z.to_numpy())))
    print(f"Cube: {len(cube)} hexagons x {cube.shape[1]} months; Gi* z of the two agree to "
          f"{dz:.1e} (no time lag, ring-1 neighbours both).")
    print(f"Lantern {lantern_seconds:.2f} s, pyehsa ({args.nsim} permutations) "
          f"{pyehsa_seconds:.1f} s.")

    table = pd.DataFrame({"lantern": ours["category"],
                          "pyehsa": theirs.loc[cube.index, "classification"].map(lantern_name)})
    print("\nAgreement (rows: pyehsa, columns: Lantern; hexagons):")
    print(pd.crosstab(table["pyehsa"], table["lantern"]).to_string())

    # Lantern's rules on pyehsa's own significance (p <= 0.01, trend p <= 0.01)
    shifted = p_sim - 1e-9                                   # so that "< 0.01" means "<= 0.01"
    ours_on_theirs = series_to_categories(gi, shifted, alpha=0.01, trend_alpha=0.01)
    reasons, unexplained = {}, []
    for cell, row in table[table["lantern"] != table["pyehsa"]].iterrows():
        if ours_on_theirs.loc[cell, "category"] == row["pyehsa"]:
            reason = "S1/S2: steps or trend called significant differently"
        else:
            z = gi.loc[cell].to_numpy()
            reason = rule_reason(ours_on_theirs.loc[cell, "category"], row["pyehsa"], z,
                                 p_sim.loc[cell].to_numpy() <= 0.01)
        if reason is None:
            unexplained.append(cell)
            reason = "UNEXPLAINED"
        reasons.setdefault(reason, []).append(
            f"{cell}: pyehsa {row['pyehsa']}, Lantern {row['lantern']}")
    agree = int((table["lantern"] == table["pyehsa"]).sum())
    print(f"\n{agree} of {len(table)} hexagons agree; the {len(table) - agree} that do not, "
          f"by reason:")
    for reason, rows in sorted(reasons.items()):
        print(f"- {reason} ({len(rows)})")
        for line in rows[:6]:
            print(f"    {line}")
        if len(rows) > 6:
            print(f"    ... and {len(rows) - 6} more")
    print("RESULT " + json.dumps({
        "name": "emerging vs pyehsa", "value": agree, "unit": f"of {len(table)} agree",
        "target": None, "unexplained": len(unexplained), "max_dz": float(dz),
        "lantern_seconds": round(lantern_seconds, 3),
        "pyehsa_seconds": round(pyehsa_seconds, 1)}))
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
