"""Run every benchmark in bench/ and write a Markdown table of figures against targets.

Each ``bench_*.py`` prints lines ``RESULT {json}`` with at least ``name``, ``seconds`` (or
another measured ``value``/``unit``) and ``target``. This script runs them one after another
(so they do not compete for the two cores), collects those lines and writes
``bench/results/latest.md`` (and prints it).

Usage: ``bash run.sh bench`` or ``python bench/run_all.py [--only NAME ...]``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def machine() -> str:
    """Cores and memory of this machine, for the table's caption."""
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {mem} RAM, Python {platform.python_version()}"


def run(script: Path, timeout: int = 1800) -> list[dict]:
    """Run one benchmark script; return its RESULT records (or one failure record)."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=timeout, cwd=HERE.parent)
    sys.stderr.write(proc.stdout)
    results = [json.loads(line[len("RESULT "):]) for line in proc.stdout.splitlines()
               if line.startswith("RESULT ")]
    if proc.returncode != 0 or not results:
        results.append({"name": script.stem, "error": (proc.stderr.strip().splitlines()
                                                       or ["no RESULT line"])[-1],
                        "seconds": round(time.perf_counter() - start, 2)})
    return results


def fmt(r: dict) -> str:
    """One Markdown table row."""
    if "error" in r:
        return f"| {r['name']} | — | — | **failed**: {r['error']} |"
    unit = r.get("unit", "s")
    value = r.get("value", r.get("seconds"))
    target = r.get("target")
    ok = (value >= target) if r.get("at_least") else (value <= target) if target is not None \
        else None
    met = "" if target is None else ("met" if ok else "**not met**")
    extra = ", ".join(f"{k}={v}" for k, v in r.items()
                      if k not in ("name", "seconds", "value", "unit", "target", "at_least"))
    tgt = "—" if target is None else f"{'≥' if r.get('at_least') else '≤'} {target} {unit}"
    return f"| {r['name']} | {value} {unit} | {tgt} | {met} {extra} |"


#: Issue 27's table: each row's benchmark record (by the start of its name) and target.
ISSUE_27 = (
    ("`lantern ingest community_concerns`, 1,000,000 police.uk rows, default flags, whole "
     "process, against the straightforward pipeline in the same run", "lantern ingest "
     "community_concerns", "≥ 2×"),
    ("`lantern ingest on_street`, one 8,000,000-row file with pseudonymous keys, default "
     "flags, peak memory", "lantern ingest on_street", "≤ 1.5 GiB"),
    ("demo dashboard, first paint of the Map page (headless Chromium), against a blank page",
     "dashboard_map_first_paint", "≤ 3 s"),
    ("national store: protected tables built after a load, against the national ingest in "
     "the same run", "national: protected tables", "≤ the ingest's time, ≤ 1.5 GiB"),
)


def issue_27(rows: list[dict]) -> str:
    """Issue 27's table, each row with its figure (from this run) and its target."""
    out = ["Issue 27: ingest near the floor, bounded by default, first paint under 3 s", "",
           "| work | figure | target | result |", "| --- | --- | --- | --- |"]
    for label, prefix, target in ISSUE_27:
        found = [r for r in rows if str(r.get("name", "")).startswith(prefix)]
        if not found:
            out.append(f"| {label} | not run | {target} | |")
            continue
        r = found[0]
        if "error" in r:
            out.append(f"| {label} | **failed**: {r['error']} | {target} | |")
        elif r.get("unit") == "x":
            out.append(f"| {label} | {r['value']}× ({r['seconds']} s against "
                       f"{r['straightforward_s']} s; --no-warm {r['no_warm_speedup']}×) | "
                       f"{target} | {'met' if r['value'] >= r['target'] else '**not met**'} |")
        elif "baseline_s" in r:      # first paint, beside a blank Streamlit page
            out.append(f"| {label} | {r['seconds']} s median against a blank page's "
                       f"{r['baseline_s']} s (load {r.get('load')}) | {target} | "
                       f"{'met' if r['seconds'] <= r['target'] else '**not met**'} |")
        elif r.get("unit") == "GiB":
            out.append(f"| {label} | {r['value']} GiB ({r['seconds']} s, of which the warm "
                       f"step {r['warm_s']} s; --no-warm {r['no_warm_peak_gib']} GiB) | "
                       f"{target} | {'met' if r['value'] <= r['target'] else '**not met**'} |")
        else:
            ok = r["seconds"] <= r["target"] and r["peak_mib"] <= r["peak_target_mib"]
            out.append(f"| {label} | {r['seconds']} s against the ingest's {r['target']} s, "
                       f"peak {r['peak_mib']} MiB | {target} | "
                       f"{'met' if ok else '**not met**'} |")
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="benchmark script stems to run")
    args = parser.parse_args(argv)
    scripts = sorted(HERE.glob("bench_*.py"))
    if args.only:
        scripts = [s for s in scripts if s.stem in args.only or s.stem[6:] in args.only]
    rows = []
    for script in scripts:
        print(f"== {script.name}", file=sys.stderr, flush=True)
        rows += run(script)
    table = ["| benchmark | figure | target | result |", "| --- | --- | --- | --- |"]
    table += [fmt(r) for r in rows]
    text = (f"Benchmarks on {machine()}, {time.strftime('%Y-%m-%d')}\n\n" + "\n".join(table)
            + "\n\n" + issue_27(rows) + "\n")
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.md").write_text(text)
    print(text)
    return 0 if all("error" not in r for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
