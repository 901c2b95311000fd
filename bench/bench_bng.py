"""Benchmark: a 1,000,000-row police export in British National Grid, loaded with a recipe,
against the same rows in latitude/longitude.

Both files hold the same synthetic on-street events (``sample_data.generate.on_street_events``).
The BNG file is shaped like a force's export: ``EASTING``/``NORTHING`` in metres (to the
metre), ``DATE_COMMITTED`` and the force's own offence words in ``OFFENCE_DESC``; a recipe maps
them (columns, words, a constant ``source_agency``, ``crs = "EPSG:27700"``). The lat/lon file
holds Lantern's own columns and words.

Each run is the whole process, as a user runs it: ``python -m profiles.cli ingest on_street
FILE --db NEW.duckdb [--recipe R.toml]`` (interpreter start, imports, reading, validation,
the CRS conversion, H3 cells, aggregation, the write and the copy-and-swap). Runs alternate
(lat/lon, BNG, lat/lon, ...) so a change in the machine's speed hits both alike; the best of
``--repeat`` runs of each is compared.

Target (issue 14): BNG with a recipe <= 1.5 x the lat/lon time.

Usage::

    .venv/bin/python bench/bench_bng.py                   # 1,000,000 rows, best of 3
    .venv/bin/python bench/bench_bng.py --rows 200000 --repeat 1

Prints the figures and a final line ``RESULT {json}``.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_RATIO = 1.5
#: The force's words for Lantern's activity types (the recipe maps them back).
WORDS = {"observation": "Soliciting", "incident": "Sex work related incident",
         "kerb_crawling": "Kerb crawler", "outreach_sighting": "Outreach referral"}
RECIPE = """feed = "on_street"
crs = "EPSG:27700"

[columns]
easting = "EASTING"
northing = "NORTHING"
datetime = "DATE_COMMITTED"
activity_type = "OFFENCE_DESC"
subject_key = "NOMINAL_REF"

[values.activity_type]
{words}

[set]
source_agency = "police"
"""


def write_files(folder: Path, rows: int, seed: int) -> tuple[Path, Path, Path]:
    """Write the lat/lon file, the BNG file and its recipe (not timed)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyproj

    from sample_data.generate import on_street_events

    frame = on_street_events(rows, seed=seed)
    frame["source_agency"] = "police"
    latlon = folder / "latlon.csv"
    pacsv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), latlon,
                    write_options=pacsv.WriteOptions(quoting_style="none"))
    east, north = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True
                                              ).transform(frame["lon"].to_numpy(),
                                                          frame["lat"].to_numpy())
    bng = frame.assign(EASTING=np.round(east, 1), NORTHING=np.round(north, 1),
                       DATE_COMMITTED=frame["datetime"],
                       OFFENCE_DESC=frame["activity_type"].map(WORDS),
                       NOMINAL_REF=frame["subject_key"])
    bng = bng[["EASTING", "NORTHING", "DATE_COMMITTED", "OFFENCE_DESC", "NOMINAL_REF"]]
    bng_path = folder / "bng.csv"
    pacsv.write_csv(pa.Table.from_pandas(bng, preserve_index=False), bng_path,
                    write_options=pacsv.WriteOptions(quoting_style="none"))
    recipe = folder / "police.toml"
    recipe.write_text(RECIPE.format(words="\n".join(f'"{w}" = "{a}"' for a, w in WORDS.items())))
    return latlon, bng_path, recipe


def ingest(path: Path, db: Path, recipe: Path | None) -> tuple[float, str]:
    """Run ``lantern ingest`` in a new process; return its wall-clock time and summary."""
    args = [sys.executable, "-m", "profiles.cli", "ingest", "on_street", str(path),
            "--db", str(db)]
    args += ["--recipe", str(recipe)] if recipe else []
    env = {**os.environ, "LANTERN_KEY": "00" * 32}
    t0 = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=env)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"ingest failed: {done.stderr.strip()}")
    return seconds, done.stdout.splitlines()[0]


def main(argv=None) -> int:
    """Run the benchmark; print figures and a ``RESULT`` line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lantern-bench-bng-") as tmp:
        folder = Path(tmp)
        latlon, bng, recipe = write_files(folder, args.rows, args.seed)
        times: dict = {"latlon": [], "bng": []}
        summaries: dict = {}
        for i in range(args.repeat):
            for name, path, rec in (("latlon", latlon, None), ("bng", bng, recipe)):
                db = folder / f"{name}-{i}.duckdb"
                seconds, summaries[name] = ingest(path, db, rec)
                times[name].append(seconds)
                print(f"run {i + 1} {name:6s} {seconds:6.2f} s   {summaries[name]}")
                for leftover in folder.glob(f"{name}-{i}.duckdb*"):
                    leftover.unlink()
    counts = {k: v.split(" — ")[1] for k, v in summaries.items()}
    if counts["latlon"] != counts["bng"]:
        raise SystemExit(f"the two files did not load alike: {counts}")
    best = {k: min(v) for k, v in times.items()}
    ratio = best["bng"] / best["latlon"]
    print(f"rows {args.rows:,}; best of {args.repeat}: lat/lon {best['latlon']:.2f} s "
          f"(range {min(times['latlon']):.2f}-{max(times['latlon']):.2f}), BNG with a recipe "
          f"{best['bng']:.2f} s (range {min(times['bng']):.2f}-{max(times['bng']):.2f}); "
          f"ratio {ratio:.2f} (target <= {TARGET_RATIO})")
    print("RESULT " + json.dumps({
        "name": "bng_ingest_ratio", "value": round(ratio, 3), "unit": "x",
        "target": TARGET_RATIO, "rows": args.rows, "latlon_seconds": round(best["latlon"], 2),
        "bng_seconds": round(best["bng"], 2), "repeat": args.repeat}))
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
