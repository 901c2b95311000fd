"""Benchmark: Lantern's Gi* (profiles.analyses.hotspots.hotspot_gistar) against PySAL esda on 100,000 cells.

Run from the repository root::

    python bench/bench_gistar.py [--cells 100000] [--k 1] [--repeats 3] [--seed 7]

It builds a contiguous study area of res-9 H3 cells (one grid disk, cut to ``--cells`` cells
nearest its centre), Poisson counts from ``--seed``, then times

* ``hotspot_gistar(counts, k=k)``: best of ``--repeats``, end to end (validation, neighbours,
  statistic, BH, table);
* esda: building the libpysal ``W`` from the same k-ring neighbour lists, and
  ``G_Local(y, w, transform="B", star=True, permutations=0)``, each best of ``--repeats``.

It checks the two z agree, prints the machine, the figures and whether the 1 s target is met,
and ends with one machine-readable line ``RESULT {json}``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import h3
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from profiles.analyses.hotspots import hotspot_gistar  # noqa: E402

TARGET_SECONDS = 1.0
CENTRE = "891942c58b7ffff"  # res 9, Leeds


def study_area(n_cells: int) -> list[str]:
    """Return the ``n_cells`` res-9 cells nearest CENTRE, ring by ring (a contiguous area)."""
    k = 0
    while 3 * k * (k + 1) + 1 < n_cells:
        k += 1
    cells = []
    for ring in range(k + 1):
        cells.extend(sorted(h3.grid_ring(CENTRE, ring)))
    return cells[:n_cells]


def best_of(repeats: int, func):
    """Return (best seconds, last result) over ``repeats`` calls."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def machine() -> str:
    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    memory = "unknown"
    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 ** 2:.1f} GiB"
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{model}; {usable} usable core(s) of {cores}; memory {memory}; "
            f"Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}")


def esda_weights(cells: list[str], k: int):
    import libpysal

    area = set(cells)
    neighbours = {c: [n for n in h3.grid_disk(c, k) if n in area] for c in cells}
    return libpysal.weights.W(neighbours, id_order=cells, silence_warnings=True)


def esda_gistar(y: np.ndarray, w):
    import esda

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return esda.G_Local(y, w, transform="B", star=True, permutations=0)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=100_000)
    parser.add_argument("--k", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    cells = study_area(args.cells)
    rng = np.random.default_rng(args.seed)
    counts = pd.Series(rng.poisson(2.0, len(cells)), index=cells)
    y = counts.to_numpy(dtype=float)
    print(f"machine: {machine()}")
    print(f"size: {len(cells):,} res-9 cells, k={args.k}, Poisson(2) counts, seed {args.seed}, "
          f"best of {args.repeats}")

    ours, table = best_of(args.repeats, lambda: hotspot_gistar(counts, k=args.k))
    print(f"hotspot_gistar: {ours:.3f} s (validation, neighbours, Gi*, BH, table)")

    import esda  # noqa: F401  (import time kept out of the figures)
    import libpysal  # noqa: F401

    w_seconds, w = best_of(args.repeats, lambda: esda_weights(cells, args.k))
    g_seconds, g = best_of(args.repeats, lambda: esda_gistar(y, w))
    esda_total = w_seconds + g_seconds
    print(f"esda: W build {w_seconds:.3f} s + G_Local {g_seconds:.3f} s = {esda_total:.3f} s")
    gap = float(np.nanmax(np.abs(table["z"].to_numpy() - g.Zs)))
    print(f"max |z - esda Zs|: {gap:.2e}")
    print(f"ratio esda/ours: {esda_total / ours:.1f}x with W build, "
          f"{g_seconds / ours:.1f}x G_Local alone")
    met = ours <= TARGET_SECONDS
    print(f"target <= {TARGET_SECONDS:.1f} s: {'met' if met else 'NOT met'}")
    print("RESULT " + json.dumps({
        "name": f"gistar_{len(cells) // 1000}k",
        "seconds": round(ours, 4),
        "target": TARGET_SECONDS,
        "esda_seconds": round(esda_total, 4),
        "esda_gilocal_seconds": round(g_seconds, 4),
        "esda_w_seconds": round(w_seconds, 4),
        "cells": len(cells),
        "k": args.k,
        "max_abs_z_diff": gap,
    }))
    return 0 if met and gap < 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
