"""The README's "add a feed" walkthrough, followed in a copy of the tree.

A newcomer adds a toy feed (needle finds) by the steps the README gives under "How Lantern
fits together": its contract in ``data_contracts/feeds.py`` and its name in an audience's
``feeds`` in ``profiles/release/audiences.toml``. A child Python with only that copy on its
path then ingests a file of the toy feed, releases it, and shows its label in the overview,
so the steps are all a feed needs. If a layer kept a feed list or label table of its own,
the toy feed would fail here.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("data_contracts", "geo", "profiles", "sample_data")

#: Step 1 of the README: the contract, with its label, unit and words.
TOY_CONTRACT = """\
    "needle_finds": Contract(
        "needle_finds", "Discarded needles found and made safe by the council's street team.",
        (_LAT, _LON, _WHEN,
         Column("find_type", "category", allowed=("single", "several"), aliases=("type",))),
        category="find_type", label="Needle finds", unit=Unit("find", "finds"),
        words="needle finds"),
"""

CHILD = textwrap.dedent("""
    import datetime as dt, json, sys
    import profiles
    from data_contracts import feed_entry
    from profiles import store
    from profiles.analyses import overview
    from profiles.release import release_counts
    from profiles.store import ingest_file, load_key

    db, path = sys.argv[1], sys.argv[2]
    con = store.connect(db)
    loaded = ingest_file(con, "needle_finds", path, key=load_key(db),
                         today=dt.date(2026, 1, 1))
    released = release_counts(con, "analyst", "needle_finds", period="all")
    view = overview(con, "analyst", period="month")
    print(json.dumps({"source": profiles.__file__, "loaded": loaded.loaded,
                      "released": int(released.frame["count"].sum()),
                      "labels": [h.label for h in view.headlines],
                      "unit": feed_entry("needle_finds").unit.of(2)}))
""")


def _copy_tree(dest: Path) -> None:
    for name in PACKAGES:
        shutil.copytree(ROOT / name, dest / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


def _add_toy_feed(tree: Path) -> None:
    feeds = tree / "data_contracts" / "feeds.py"
    text = feeds.read_text()
    end = text.index("\n}\n", text.index("CONTRACTS: dict[str, Contract] = {")) + 1
    feeds.write_text(text[:end] + TOY_CONTRACT + text[end:])
    # Step 2 of the README: an audience that may see it (here the analyst).
    toml = tree / "profiles" / "release" / "audiences.toml"
    text = toml.read_text()
    at = text.index("feeds = [", text.index("[analyst]")) + len("feeds = [")
    toml.write_text(text[:at] + '"needle_finds", ' + text[at:])


def _finds_file(path: Path) -> Path:
    """Nine finds a week for eight weeks, in three places in the synthetic town."""
    rows = ["lat,lon,datetime,find_type"]
    for week in range(8):
        day = dt.date(2025, 3, 3) + dt.timedelta(weeks=week)
        rows += [f"54.50{i % 3},1.00{i % 3},{day}T10:00,{('single', 'several')[i % 2]}"
                 for i in range(9)]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_a_toy_feed_added_by_the_readme_steps_ingests_releases_and_is_labelled(tmp_path):
    tree = tmp_path / "tree"
    _copy_tree(tree)
    _add_toy_feed(tree)
    env = dict(os.environ, PYTHONPATH=str(tree), HOME=str(tmp_path), LANTERN_KEY="ab" * 32)
    env.pop("LANTERN_DB", None)
    proc = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / "toy.duckdb"),
                           str(_finds_file(tmp_path / "finds.csv"))],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert Path(out["source"]).is_relative_to(tree)       # the copy ran, not this checkout
    assert out["loaded"] == 72
    assert out["released"] > 0
    assert "Needle finds" in out["labels"]
    assert out["unit"] == "2 finds"


def test_the_readme_gives_the_steps_the_walkthrough_follows():
    section = re.search(r"## How Lantern fits together(.*?)\n## ", (ROOT / "README.md").read_text(),
                        re.S).group(1)
    step = section[section.index("**a feed**"):]
    for words in ("data_contracts/feeds.py", "label=", "unit=Unit(", "audiences.toml"):
        assert words in step, words
