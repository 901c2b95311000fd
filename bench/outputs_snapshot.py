"""Record, or check, the outputs of a fixed set of commands on the seeded demo database.

A refactor that moves code must not change what Lantern writes. This script builds the
synthetic town with a fixed seed into a temporary folder, runs a fixed list of ``lantern``
commands (``release`` for each audience and feed, ``hotspots``, ``coverage``, ``premises``,
``patrols plan``, ``profile --out pack.html``) and hashes each output with its timestamps
masked.

Usage::

    .venv/bin/python bench/outputs_snapshot.py --save bench/outputs_reference.json
    .venv/bin/python bench/outputs_snapshot.py --check bench/outputs_reference.json

``--check`` exits 1 and names each command whose output changed. The reference file is kept
in the repository and re-saved only for a deliberate change of output (say why in the commit).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

AUDIENCES = ("partnership", "command", "analyst")
FEEDS = ("on_street", "premises", "outreach_contacts", "harm_reports", "community_concerns",
         "online_adverts", "advert_indicators", "advertisers")
SEED = 7

#: Times of day and generation stamps differ run to run; everything else must not.
_STAMPS = re.compile(
    rb"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"
    rb"|\b\d{1,2} [A-Z][a-z]+ \d{4},? (at )?\d{2}:\d{2}(:\d{2})?( UTC)?")


#: The meeting pack names each analysis it used by its module path (its provenance). Those
#: paths moved when ``profiles/`` was split into layers (issue 13); outputs are compared with
#: the old names put back, so every other byte must still match.
_MOVED = ((b"profiles.analyses.", b"profiles."), (b"profiles.release.reference.", b"profiles.reference."),
          (b"profiles.planning.", b"profiles."))


def commands() -> list[tuple[str, list[str], str | None]]:
    """Return ``(name, lantern arguments, output file or None for stdout)`` for each check."""
    out: list[tuple[str, list[str], str | None]] = []
    for audience in AUDIENCES:
        for feed in FEEDS:
            name = f"release-{audience}-{feed}"
            out.append((name, ["release", "--audience", audience, "--feed", feed,
                               "--format", "csv", "--out", f"{name}.csv"], f"{name}.csv"))
        out.append((f"release-{audience}-month-category",
                    ["release", "--audience", audience, "--feed", "on_street", "--period",
                     "month", "--by", "category", "--format", "csv", "--out",
                     f"m-{audience}.csv"], f"m-{audience}.csv"))
        out.append((f"release-{audience}-all", ["release", "--audience", audience, "--feed",
                                                "harm_reports", "--period", "all"], None))
        out.append((f"coverage-{audience}", ["coverage", "--audience", audience], None))
        out.append((f"premises-{audience}", ["premises", "--audience", audience], None))
    out.append(("release-geojson", ["release", "--audience", "partnership", "--feed",
                                    "on_street", "--format", "geojson", "--out", "r.geojson"],
                "r.geojson"))
    out.append(("release-report", ["release", "--report"], None))
    out.append(("hotspots", ["hotspots", "--audience", "analyst", "--feed", "on_street"], None))
    out.append(("hotspots-patterns", ["hotspots", "--audience", "analyst", "--feed",
                                      "on_street", "--patterns", "month", "--recent", "3"],
                None))
    out.append(("patrols-plan", ["patrols", "plan", "--format", "csv"], None))
    out.append(("profile-html", ["profile", "--out", "pack.html"], "pack.html"))
    return out


def _run(lantern: list[str], db: Path, work: Path, args: list[str]) -> tuple[int, bytes]:
    env = dict(os.environ, LANTERN_DB=str(db), HOME=str(work))
    proc = subprocess.run([*lantern, *args], cwd=work, env=env, capture_output=True)
    return proc.returncode, proc.stdout + b"\n--stderr--\n" + proc.stderr


def snapshot() -> dict[str, str]:
    """Build the seeded demo and return each command's masked output hash."""
    lantern = [sys.executable, "-m", "profiles.cli"]
    hashes: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="lantern-snapshot-") as tmp:
        work = Path(tmp)
        db = work / "demo.duckdb"
        code, text = _run(lantern, db, work, ["demo", "--db", str(db), "--seed", str(SEED),
                                              "--no-serve"])
        if code != 0:
            raise SystemExit(f"demo build failed:\n{text.decode(errors='replace')}")
        for name, args, out_file in commands():
            code, text = _run(lantern, db, work, args)
            body = (work / out_file).read_bytes() if out_file and code == 0 else text
            body = _STAMPS.sub(b"<time>", body.replace(str(work).encode(), b"<tmp>"))
            for new, old in _MOVED:
                body = body.replace(new, old)
            hashes[name] = f"{code}:{hashlib.sha256(body).hexdigest()}"
    return hashes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path)
    group.add_argument("--check", type=Path)
    args = parser.parse_args(argv)
    hashes = snapshot()
    if args.save:
        args.save.write_text(json.dumps(hashes, indent=1, sort_keys=True) + "\n")
        print(f"saved {len(hashes)} output hashes to {args.save}")
        return 0
    want = json.loads(args.check.read_text())
    changed = sorted(k for k in want.keys() | hashes.keys() if want.get(k) != hashes.get(k))
    for name in changed:
        print(f"CHANGED {name}: {want.get(name)} -> {hashes.get(name)}")
    print(f"{len(hashes) - len(changed)} of {len(hashes)} outputs byte-identical")
    return 1 if changed else 0


if __name__ == "__main__":
    raise SystemExit(main())
