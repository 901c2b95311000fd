"""Benchmark: ``lantern ingest`` as a user runs it (default flags), whole process.

Figures, each against its target (2-core machine):

* **Peak memory, any file size, default flags** (<= 1.5 GiB, issues 16 and 27):
  ``lantern ingest on_street FILE`` for one national-style on-street CSV (400 towns, half the
  rows carrying a pseudonymous reference, people seen about 40 times) of each ``--rows`` size,
  default 8,000,000 rows. The file loads in 64 MiB blocks (:mod:`data_contracts.blocks`);
  then, as by default, the protected tables the dashboard shows are built ("Preparing the
  released tables"). The figure is the process's own peak resident memory (Linux's VmHWM,
  written by the process itself as it ends: ``ru_maxrss`` of a child can carry the parent's
  resident size across fork and exec); wall time includes Python's start-up, the
  copy-and-swap and the warm step. The same file with ``--no-warm`` is printed beside it.
* **1,000,000 police.uk rows, whole process** (>= 2x the straightforward pipeline, issue 27):
  ``lantern ingest community_concerns FILE`` (default flags, warm step included) against
  ``python`` running the pipeline the issue measured, pandas ``read_csv`` -> geopandas
  points -> per-row ``h3.latlng_to_cell`` -> ``groupby`` (cell, month, crime type) on the same
  file, which validates nothing, keeps every crime type and writes nothing; alternating
  (naive, default, ``--no-warm``), ``--repeat`` times each, best of each.

Files are written once into ``--workdir`` (default: a temporary folder) and not timed; with
``--keep`` they stay for the next run. Lantern's own modules are compiled to bytecode first,
as ``pip install`` does: where ``PYTHONDONTWRITEBYTECODE`` is set (it is on the machines
these figures come from), Python would otherwise compile about 90 of them afresh in every
run (0.14 s), while the straightforward pipeline imports only installed, compiled packages.
Ends with one ``RESULT {json}`` line per figure.

Usage::

    .venv/bin/python bench/bench_ingest_blocks.py                     # 8 M, 1 M police.uk
    .venv/bin/python bench/bench_ingest_blocks.py --rows 2000000 --repeat 1
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sample_data.national import BOX, _choice, _keys, _points, _times  # noqa: E402

TARGET_GIB = 1.5
TARGET_SPEEDUP = 2.0
#: ``lantern`` itself (``profiles.cli``'s main, as the console script runs it), which writes
#: its own peak resident memory (KiB, VmHWM) to ``$LANTERN_BENCH_PEAK`` as it ends.
LANTERN = [sys.executable, "-c", (
    "import os, runpy, sys\n"
    "sys.argv[0] = 'lantern'\n"
    "try:\n"
    "    runpy.run_module('profiles.cli', run_name='__main__')\n"
    "finally:\n"
    "    peak = next(l for l in open('/proc/self/status') if l.startswith('VmHWM:'))\n"
    "    open(os.environ['LANTERN_BENCH_PEAK'], 'w').write(peak.split()[1])\n")]
CHUNK = 2_000_000
#: Lantern's packages, compiled to bytecode before anything is timed (as an install does).
PACKAGES = ("profiles", "data_contracts", "geo", "dashboard", "sample_data")

CRIME_TYPES = ["Anti-social behaviour", "Public order", "Drugs", "Violence and sexual offences",
               "Burglary", "Vehicle crime", "Criminal damage and arson", "Shoplifting"]

STRAIGHTFORWARD = """
import sys, time
import geopandas as gpd, h3, pandas as pd
frame = pd.read_csv(sys.argv[1])
points = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["Longitude"],
                          frame["Latitude"]), crs="EPSG:4326")
points["cell"] = [h3.latlng_to_cell(y, x, 9) for y, x in zip(points.geometry.y, points.geometry.x)]
points["month"] = pd.to_datetime(points["Month"] + "-15")
counts = points.groupby(["cell", "month", "Crime type"]).size()
print(int(counts.sum()))
"""


def write_on_street(path: Path, rows: int, seed: int = 16) -> None:
    """A national-style on-street CSV, written 2 million rows at a time."""
    rng = np.random.default_rng(seed)
    towns = np.column_stack([rng.uniform(BOX[0] + 0.05, BOX[1] - 0.05, 400),
                             rng.uniform(BOX[2] + 0.05, BOX[3] - 0.05, 400)])
    from data_contracts.feeds import ACTIVITY_TYPES, SOURCE_AGENCIES

    writer = None
    for start in range(0, rows, CHUNK):
        n = min(CHUNK, rows - start)
        lat, lon = _points(rng, n, towns)
        table = pa.table({"lat": lat, "lon": lon, "datetime": _times(rng, n),
                          "activity_type": _choice(rng, list(ACTIVITY_TYPES), n),
                          "source_agency": _choice(rng, list(SOURCE_AGENCIES), n),
                          "subject_key": _keys(rng, n, 0.5, 1 / 40, "OK")})
        if writer is None:
            writer = pacsv.CSVWriter(path, table.schema,
                                     write_options=pacsv.WriteOptions(quoting_style="none"))
        writer.write(table)
    writer.close()


def write_police_uk(path: Path, rows: int, seed: int = 17) -> None:
    """A police.uk street-level CSV as downloaded (synthetic force, towns and streets)."""
    rng = np.random.default_rng(seed)
    lat, lon = 54.45 + rng.random(rows) * 0.15, 0.9 + rng.random(rows) * 0.2
    crimes = _choice(rng, CRIME_TYPES, rows)
    ids = pc.binary_join_element_wise(
        pa.array(np.char.mod("%016x", rng.integers(1, 2**62, rows))), "0" * 48, "")
    force = "Lanternford Constabulary (synthetic)"
    table = pa.table({
        "Crime ID": pc.if_else(pc.equal(crimes, "Anti-social behaviour"), "", ids),
        "Month": _choice(rng, [f"2026-{m:02d}" for m in range(1, 11)], rows),
        "Reported by": pa.array([force] * rows), "Falls within": pa.array([force] * rows),
        "Longitude": np.round(lon, 6), "Latitude": np.round(lat, 6),
        "Location": pa.array(["On or near Synthetic Street"] * rows),
        "LSOA code": pa.array(["X01000001"] * rows),
        "LSOA name": pa.array(["Lanternford 001A (synthetic)"] * rows),
        "Crime type": crimes, "Last outcome category": pa.array([""] * rows),
        "Context": pa.array([""] * rows)})
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))


def measure(cmd: list[str], cwd: Path) -> dict:
    """Run ``cmd``; return its wall time, its own peak resident memory and its output.

    The peak is what a ``lantern`` child wrote itself (VmHWM); for another command it is
    ``wait4``'s ``ru_maxrss``.
    """
    peak_file = cwd / f".peak-{os.getpid()}"
    peak_file.unlink(missing_ok=True)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=dict(os.environ, HOME=str(cwd),
                                     LANTERN_BENCH_PEAK=str(peak_file)))
    out = proc.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out[-2000:]}")
    peak_kib = int(peak_file.read_text()) if peak_file.exists() else usage.ru_maxrss
    peak_file.unlink(missing_ok=True)
    warm = re.search(r"Released tables ready: \d+ in ([\d.]+) s", out)
    return {"seconds": round(seconds, 2), "peak_mib": round(peak_kib / 1024),
            "warm_s": float(warm.group(1)) if warm else None,
            "output": out.strip().splitlines()[-1] if out.strip() else ""}


def ingest(feed: str, path: Path, work: Path, *, warm: bool = True) -> dict:
    """``lantern ingest FEED PATH`` into a fresh store, with default flags (or ``--no-warm``)."""
    db = work / f"{path.stem}.duckdb"
    for old in work.glob(f"{db.name}*"):
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    shutil.rmtree(work / f".{db.name}.release", ignore_errors=True)
    shutil.rmtree(work / "lantern-quarantine", ignore_errors=True)
    return measure([*LANTERN, "ingest", feed, str(path), "--db", str(db),
                    *([] if warm else ["--no-warm"])], work)



def _best(runs: list) -> str:
    """The best of ``runs`` and every run, in words: "1.63 s (runs [1.66, 1.63])"."""
    return f"{min(r['seconds'] for r in runs):.2f} s (runs {[r['seconds'] for r in runs]})"

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[8_000_000])
    parser.add_argument("--police-rows", type=int, default=1_000_000, help="0: skip")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the files written")
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="lantern-bench-blocks-"))
    work.mkdir(parents=True, exist_ok=True)
    results: list[dict] = []
    subprocess.run([sys.executable, "-m", "compileall", "-q", *PACKAGES], cwd=ROOT, check=True)
    print(f"machine: {os.cpu_count()} cores, 1-minute load at the start "
          f"{os.getloadavg()[0]:.1f}", flush=True)
    try:
        for rows in args.rows:
            path = work / f"on_street_{rows}.csv"
            if not path.exists():
                write_on_street(path, rows)
            run = ingest("on_street", path, work)
            bare = ingest("on_street", path, work, warm=False)
            size = path.stat().st_size / 2**20
            print(f"on_street {rows:,} rows ({size:,.0f} MiB), default flags: "
                  f"{run['seconds']:.1f} s (of which preparing the released tables "
                  f"{run['warm_s']} s), peak {run['peak_mib']:,} MiB "
                  f"({run['peak_mib'] / 1024:.2f} GiB; target <= {TARGET_GIB} GiB)\n"
                  f"  beside it, --no-warm: {bare['seconds']:.1f} s, peak {bare['peak_mib']:,} "
                  f"MiB\n  {run['output']}", flush=True)
            results.append({"name": f"lantern ingest on_street, {rows:,} rows in one file, "
                                    "default flags: peak memory",
                            "value": round(run["peak_mib"] / 1024, 2), "unit": "GiB",
                            "target": TARGET_GIB, "seconds": run["seconds"],
                            "warm_s": run["warm_s"],
                            "no_warm_peak_gib": round(bare["peak_mib"] / 1024, 2),
                            "no_warm_s": bare["seconds"], "file_mib": round(size)})
        police = work / f"police_uk_{args.police_rows}.csv"
        if args.police_rows and not police.exists():
            write_police_uk(police, args.police_rows)
        lantern, bare, plain = [], [], []
        for _ in range(args.repeat if args.police_rows else 0):
            plain.append(measure([sys.executable, "-c", STRAIGHTFORWARD, str(police)], work))
            lantern.append(ingest("community_concerns", police, work))
            bare.append(ingest("community_concerns", police, work, warm=False))
        if lantern:
            best_l, best_b, best_p = (min(r["seconds"] for r in runs)
                                      for runs in (lantern, bare, plain))
            warm = [r["warm_s"] for r in lantern]
            print("\n  ".join((
                f"police.uk {args.police_rows:,} rows, whole process: lantern ingest (default "
                f"flags) {_best(lantern)}; preparing the released tables {warm} s; "
                f"straightforward {_best(plain)}: {best_p / best_l:.2f}x (target >= "
                f"{TARGET_SPEEDUP}x)", f"beside it, --no-warm {_best(bare)}: "
                f"{best_p / best_b:.2f}x", lantern[-1]["output"])), flush=True)
            results.append({"name": f"lantern ingest community_concerns, "
                                    f"{args.police_rows:,} police.uk rows, default flags, "
                                    "against the straightforward pipeline",
                            "value": round(best_p / best_l, 2), "unit": "x", "at_least": True,
                            "target": TARGET_SPEEDUP, "seconds": best_l,
                            "straightforward_s": best_p, "no_warm_s": best_b,
                            "no_warm_speedup": round(best_p / best_b, 2),
                            "peak_mib": min(r["peak_mib"] for r in lantern)})
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    print(f"machine: {os.cpu_count()} cores, 1-minute load at the end {os.getloadavg()[0]:.1f}")
    for record in results:
        print("RESULT " + json.dumps(record))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
