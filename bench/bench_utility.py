"""Benchmark: utility and recovery side by side, for every audience and feed, on two forces.

Utility is :func:`profiles.release.accuracy.accuracy_table` - for each view family (force by
quarter, month and week, each area by month, each floor hexagon by quarter),
``1 - sum(|shown - true|) / sum(true)`` over the views whose truth holds at least the
audience's threshold of people, read through ``release_counts`` as the pages read it.
Recovery is the attacker of ``tests/attacks.py``: the share of hidden small groups with a
differencing path whose truth the best estimate pins, beside the guessing baseline.

Two synthetic forces: the demo town (``lantern demo``, seed 7) and Marrowby
(:mod:`sample_data.shire`, seed 11; nine wards, two years, shaped like a partnership's files
and not tuned to the demo). Targets (issue 24): force x quarter and force x month >= 0.9;
force x week, area x month and floor hexagon x quarter >= 0.8, for every audience and feed
with at least 5 eligible views; recovery no better than guessing plus 0.10.

Usage: ``python bench/bench_utility.py [--no-recovery]``. Prints both tables as Markdown and
ends with ``RESULT {json}`` lines (the worst accuracy against its target, and the worst
recovery margin).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "tests")]

from profiles.release import accuracy  # noqa: E402
from profiles.release.audiences import get_policy, load_policies  # noqa: E402
from profiles.store import database as store  # noqa: E402

RECOVERY_MARGIN = 0.10
ATTACKED = ("on_street", "harm_reports", "outreach_contacts", "community_concerns",
            "premises", "harm_context")


def build(folder: Path) -> dict:
    """Build the demo town and Marrowby into ``folder``; return their paths by name."""
    from profiles.store.demo import build_demo
    from sample_data.shire import build_shire

    demo, shire = folder / "demo.duckdb", folder / "marrowby.duckdb"
    build_demo(demo, seed=7, scale=1.0)
    build_shire(shire, seed=11, data_dir=folder / "marrowby")
    return {"demo town": demo, "Marrowby": shire}


def recovery(con) -> list[dict]:
    """Pooled attack outcome per audience (every attacked feed, both attacks)."""
    import attacks

    loaded = {r[0] for r in con.execute("SELECT DISTINCT feed FROM facts").fetchall()}
    feeds = [f for f in ATTACKED if f in loaded]
    pooled = {audience: attacks.Recovery.pooled(
        attack(con, audience, feed, get_policy(audience).threshold)
        for feed in feeds for attack in (attacks.attack_places, attacks.attack_hexagons))
        for audience in load_policies()}
    pooled["partnership less command"] = attacks.Recovery.pooled(
        attacks.attack_audiences(con, feed) for feed in feeds)
    return [{"audience": audience, "hidden groups": out.targets, "with a path": out.estimated,
             "recovered": round(out.rate, 2), "guessing": round(out.baseline, 2)}
            for audience, out in pooled.items()]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-recovery", action="store_true",
                        help="skip the attacks (utility only)")
    args = parser.parse_args(argv)
    worst_gap, worst_margin, misses = 1.0, -1.0, 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in build(Path(tmp)).items():
            con = store.connect(path, read_only=True)
            start = time.perf_counter()
            table = accuracy.accuracy_table(con)
            print(f"\n### Utility: {name} ({time.perf_counter() - start:.1f} s)\n")
            print(accuracy.as_text(table))
            missed = accuracy.misses(table)
            misses += len(missed)
            if len(missed):
                print("\nUnder target:\n" + missed.to_string(index=False))
            eligible = table[table["views"] >= accuracy.MIN_VIEWS]
            gaps = eligible["accuracy"] - eligible["family"].map(accuracy.TARGETS)
            worst_gap = min(worst_gap, float(gaps.min())) if len(gaps) else worst_gap
            if not args.no_recovery:
                print(f"\n### Recovery: {name}\n")
                print("audience | hidden groups | with a path | recovered | guessing")
                print("--- | --- | --- | --- | ---")
                for row in recovery(con):
                    print(" | ".join(str(v) for v in row.values()))
                    if row["with a path"]:
                        worst_margin = max(worst_margin, row["recovered"] - row["guessing"])
            con.close()
    print("RESULT " + json.dumps({"name": "utility: worst accuracy less its target",
                                  "value": round(worst_gap, 3), "unit": "",
                                  "misses": misses}))
    if not args.no_recovery:
        print("RESULT " + json.dumps({"name": "recovery: worst rate less guessing",
                                      "value": round(worst_margin, 3), "unit": "",
                                      "target": RECOVERY_MARGIN}))
    return 0 if misses == 0 and worst_margin <= RECOVERY_MARGIN else 1


if __name__ == "__main__":
    raise SystemExit(main())
