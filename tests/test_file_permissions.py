"""Everything Lantern writes that holds data is 0600, and every folder it makes 0700, whatever
the umask (issue 25, "File permissions and leftovers").

The walk runs a demo-like session under the usual umask of 022: the demo store, an ingest with
a bad row (so a quarantine report is written), a released export, a meeting pack, a hotspots
export and a saved scenario, then looks at every file and folder under the folder Lantern was
pointed at. The commands run in this process (``main([...])``), so what keeps the files
private is the writers themselves, not the umask the ``lantern`` command sets; one more test
runs the real command, to show that it also tightens the umask for what libraries write.
"""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from data_contracts.private_files import (is_private, make_private, open_private, private_dir,
                                          write_private)
from profiles.cli import main

TOWN = "Town Centre Beat (synthetic)"


@pytest.fixture
def umask_022():
    """Run the test under the usual umask of 022 (files 0644, folders 0755 unless asked)."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def everything_under(root: Path) -> list[Path]:
    return sorted(Path(dirpath) / name for dirpath, dirs, files in os.walk(root)
                  for name in (*dirs, *files))


def loose(paths) -> list[str]:
    """The paths not private as they should be: files 0600, folders 0700."""
    return [f"{oct(mode(p))} {p}" for p in paths
            if mode(p) != (0o700 if p.is_dir() else 0o600)]


def bad_row_file(folder: Path) -> Path:
    """An on-street extract of three good rows and one with a date that is no date."""
    path = folder / "street-extract.csv"
    path.write_text("lat,lon,datetime,activity_type,source_agency,subject_key\n"
                    "54.518692,1.024283,2026-09-25T14:37,observation,police,S049\n"
                    "54.509934,1.032232,2026-02-03T01:55,incident,police,\n"
                    "54.512000,1.030000,not a date,incident,police,SECRET-VALUE-7\n"
                    "54.511000,1.029000,2026-03-03T22:10,observation,police,S050\n",
                    encoding="utf-8")
    return path


def test_a_demo_like_run_writes_only_private_files(tmp_path, umask_022, capsys):
    partner = tmp_path / "from-partner"
    partner.mkdir()
    force = tmp_path / "force"              # not there yet: Lantern makes it
    db = force / "store.duckdb"
    run = [("demo", "--no-serve", "--db", str(db)),
           ("ingest", "on_street", str(bad_row_file(partner)), "--db", str(db)),
           ("release", "--db", str(db), "--audience", "partnership", "--feed", "on_street",
            "--out", str(force / "exports" / "released.csv")),
           ("profile", "--db", str(db), "--audience", "partnership",
            "--out", str(force / "exports" / "pack.html")),
           ("hotspots", "--db", str(db), "--audience", "partnership",
            "--out", str(force / "exports" / "hotspots.csv")),
           ("displacement", "simulate", "--db", str(db), "--audience", "analyst",
            "--target-area", TOWN, "--intervention", "enforcement", "--save", "Sweep")]
    for argv in run:
        assert main(list(argv)) == 0, argv
    capsys.readouterr()

    written = everything_under(force)
    names = {p.relative_to(force).as_posix() for p in written}
    reports = [n for n in names if n.startswith("lantern-quarantine/") and n.endswith(".csv")]
    # each kind of file the issue names was written, so the walk below looks at it
    assert {"store.duckdb", "store.duckdb.key", "store.duckdb.audit.jsonl",
            "lantern-quarantine", "lantern-scenarios", "lantern-scenarios/sweep.json",
            "exports/released.csv", "exports/pack.html", "exports/hotspots.csv"} <= names
    assert reports, sorted(names)
    assert "SECRET-VALUE-7" in (force / reports[0]).read_text(encoding="utf-8") or \
        "not a date" in (force / reports[0]).read_text(encoding="utf-8")
    assert any(n.startswith(".store.duckdb.release/") for n in names), sorted(names)
    # no full copy of the store is left once the commands are over
    assert not [n for n in names if ".updating-" in n or ".snap-" in n], sorted(names)
    assert loose([force, *written]) == []
    # the folder the partner's file was in is not Lantern's: left as the owner made it
    assert mode(partner) == 0o755


def test_the_lantern_command_keeps_what_libraries_write_private(tmp_path):
    """The real command under umask 022: it gains 077, so even files no writer asked about
    (and DuckDB's own) come out private."""
    db = tmp_path / "force" / "store.duckdb"
    lantern = Path(sys.executable).with_name("lantern")
    env = dict(os.environ, HOME=str(tmp_path))
    done = subprocess.run([str(lantern), "demo", "--no-serve", "--db", str(db)], env=env,
                          capture_output=True, text=True, timeout=120,
                          preexec_fn=lambda: os.umask(0o022))
    assert done.returncode == 0, done.stderr
    written = everything_under(db.parent)
    assert len(written) > 5
    assert loose([db.parent, *written]) == []


@pytest.mark.parametrize("writer", [
    lambda p: write_private(p, "text"),
    lambda p: write_private(p, b"bytes"),
    lambda p: open_private(p, "a").close(),
], ids=["text", "bytes", "append"])
def test_a_writer_makes_a_file_0600_even_over_a_loose_one(tmp_path, umask_022, writer):
    path = tmp_path / "made" / "here" / "file"
    writer(path)
    assert mode(path) == 0o600 and is_private(path)
    assert mode(path.parent) == mode(path.parent.parent) == 0o700
    os.chmod(path, 0o644)                  # an older Lantern's file, or a careless copy
    writer(path)
    assert mode(path) == 0o600


def test_lanterns_own_folder_is_tightened_but_a_users_folder_is_not(tmp_path, umask_022):
    own = tmp_path / "lantern-quarantine"
    own.mkdir(mode=0o755)
    assert mode(private_dir(own)) == 0o700
    users = tmp_path / "exports"
    users.mkdir()
    write_private(users / "released.csv", "x")
    assert mode(users) == 0o755 and mode(users / "released.csv") == 0o600
    make_private(users / "released.csv", users / "no-such-file")   # a missing file is fine
    with pytest.raises(ValueError, match="mode= must be one of"):
        open_private(users / "x", "r")
