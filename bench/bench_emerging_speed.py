"""Benchmark: emerging hot spots at national scale, and beside pyehsa on one cube.

Targets (issue 26), on a 2-core machine:

* a national resolution-8 cube of two years of weeks in <= 10 s: 205,147 hexagons (a grid
  disk of 261 rings; England and Wales, about 151,000 km², hold about 205,000 resolution-8
  hexagons of 0.737 km²) x 104 weeks of Poisson counts with planted clusters, through
  :func:`profiles.analyses.emerging.hotspot_emerging` (Gi* per week with ring-1 neighbours,
  FDR per week, Mann-Kendall per hexagon, the categories). Building the cube is not timed.
* a cube of 5,000 hexagons x 104 weeks >= 10x faster than pyehsa 0.1.2, side by side in
  one run. pyehsa takes minutes for a few hundred hexagon-weeks (its permutations run per
  bin), so running it on the whole cube would take hours. It is run instead on a *part* of
  the same cube (the first ``--pyehsa-cells`` hexagons x all 104 weeks, with ``--nsim``
  permutations, fewer than its default 199): its time on the whole cube can only be longer, so
  ``pyehsa seconds on the part / Lantern seconds on the whole`` is a lower bound on the
  speed-up, and that bound is what is reported against the target.

Usage: ``python bench/bench_emerging_speed.py [--repeat 3] [--pyehsa-cells 19] [--nsim 49]``
(pyehsa: ``pip install pyehsa==0.1.2``, or ``bash run.sh bench``, which installs it). Prints the
figures and ``RESULT {json}`` lines.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import h3
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from profiles.analyses.emerging import hotspot_emerging  # noqa: E402

CENTRE = h3.latlng_to_cell(52.5, -1.5, 8)        # a grid position only: no data of any place
NATIONAL_RINGS = 261                              # 3 * 261 * 262 + 1 = 205,147 hexagons
FIVE_THOUSAND_RINGS = 40                          # 4,921 hexagons


def cube(rings: int, steps: int, seed: int = 7) -> pd.DataFrame:
    """Poisson(3) counts on a grid disk with a few rising and fading clusters planted."""
    rng = np.random.default_rng(seed)
    cells = sorted(h3.grid_disk(CENTRE, rings))
    counts = rng.poisson(3, size=(len(cells), steps)).astype(float)
    frame = pd.DataFrame(counts, index=cells, columns=range(steps))
    t = np.arange(steps)
    for i, centre in enumerate(sorted(h3.grid_ring(CENTRE, max(2, rings // 2)))[::7][:12]):
        level = [3 + t // 6, np.maximum(2, 20 - t // 6), np.where(t >= steps - 4, 14, 3)][i % 3]
        cluster = [c for c in h3.grid_disk(centre, 1) if c in frame.index]
        frame.loc[cluster] = rng.poisson(level, size=(len(cluster), steps))
    return frame


def best_of(fn, repeat: int) -> tuple[float, list[float], object]:
    times, out = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - began)
    return min(times), times, out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pyehsa-cells", type=int, default=19,
                        help="hexagons of the 5,000 cube pyehsa runs on (a disk of rings)")
    parser.add_argument("--nsim", type=int, default=49)
    args = parser.parse_args(argv)
    failed = False

    national = cube(NATIONAL_RINGS, 104)
    best, times, table = best_of(lambda: hotspot_emerging(national), max(1, args.repeat - 1))
    spots = int((table["category"] != "no pattern detected").sum())
    print(f"National cube: {len(national):,} hexagons x 104 weeks: best {best:.2f} s of "
          f"{', '.join(f'{t:.2f}' for t in times)}; {spots:,} hexagons in a category")
    print("RESULT " + json.dumps({"name": "emerging hot spots, national res-8 x 104 weeks",
                                  "seconds": round(best, 2), "target": 10,
                                  "hexagons": len(national)}))
    failed |= best > 10
    del national, table

    five = cube(FIVE_THOUSAND_RINGS, 104)
    ours, times, table = best_of(lambda: hotspot_emerging(five), args.repeat)
    print(f"5,000 cube: {len(five):,} hexagons x 104 weeks: Lantern best {ours:.3f} s of "
          f"{', '.join(f'{t:.3f}' for t in times)}")
    from bench_emerging import run_pyehsa      # beside this script
    try:
        import pyehsa  # noqa: F401
    except ImportError:
        print("pyehsa is not installed (pip install pyehsa==0.1.2): no side-by-side figure")
        print("RESULT " + json.dumps({"name": "emerging hot spots, speed-up over pyehsa",
                                      "error": "pyehsa not installed"}))
        return 1
    rings = 0
    while 3 * (rings + 1) * (rings + 2) + 1 <= args.pyehsa_cells:
        rings += 1
    part_cells = sorted(h3.grid_disk(five.index[len(five) // 2], rings))
    part = five.loc[part_cells]
    began = time.perf_counter()
    run_pyehsa(part, args.nsim, 7)
    theirs = time.perf_counter() - began
    bound = theirs / ours
    print(f"pyehsa on {len(part):,} of those hexagons x 104 weeks ({args.nsim} permutations): "
          f"{theirs:.1f} s, already {bound:,.0f}x Lantern's time for all {len(five):,}")
    print("RESULT " + json.dumps({"name": "emerging hot spots, speed-up over pyehsa (lower "
                                          "bound, 5,000 x 104)",
                                  "value": round(bound, 1), "unit": "x", "target": 10,
                                  "at_least": True, "lantern_seconds": round(ours, 3),
                                  "pyehsa_seconds_on_part": round(theirs, 1),
                                  "pyehsa_hexagons": len(part)}))
    failed |= bound < 10
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
