"""`lantern ingest` reads its file on a thread while it imports (data_contracts.read_ahead):
the bytes are used only when they are still the file's, a file read in blocks gives them back,
and the command's parser is built without importing pandas, so the read has imports to hide
behind."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from data_contracts.blocks import BLOCK_BYTES, MAX_BLOCK_SCALE
from data_contracts.read_ahead import MOST_BYTES, ReadAhead
from profiles.cli import main
from profiles.store import database as store

ROOT = Path(__file__).resolve().parents[1]
HEADER = "lat,lon,datetime,activity_type,source_agency\n"
ROW = "54.5{:03d},1.0{:03d},2025-03-0{}T21:30,observation,police\n"


def _street(path: Path, n: int) -> Path:
    path.write_text(HEADER + "".join(ROW.format(i % 900, i % 700, 1 + i % 7) for i in range(n)))
    return path


def test_no_file_read_whole_is_larger_than_the_read_ahead_reads():
    assert MOST_BYTES == 2 * MAX_BLOCK_SCALE * BLOCK_BYTES


def test_a_file_changed_after_it_was_read_ahead_is_read_again(tmp_path):
    path = _street(tmp_path / "a.csv", 50)
    ahead = ReadAhead(path)
    ahead._thread.join()                       # read before the file changes
    _street(path, 60)
    assert ahead.take(path) is None            # the caller reads the file as it is now


def test_an_other_path_a_missing_file_and_a_large_file_are_not_read_ahead(tmp_path):
    path = _street(tmp_path / "a.csv", 50)
    assert ReadAhead(path).take(tmp_path / "b.csv") is None
    assert ReadAhead(tmp_path / "missing.csv").take(tmp_path / "missing.csv") is None
    assert ReadAhead(path, most_bytes=10).take(path) is None
    assert ReadAhead(path).take(path) == path.read_bytes()


def test_a_file_read_in_blocks_gives_the_bytes_back_and_loads_the_same(tmp_path, monkeypatch):
    """The same file loaded whole with its bytes read ahead, and in blocks (which drops them):
    the same facts, and the read-ahead holds nothing afterwards."""
    from data_contracts import blocks
    from profiles.store import load_files

    path = _street(tmp_path / "a.csv", 4000)
    whole, ahead = tmp_path / "whole.duckdb", ReadAhead(path)
    assert not load_files(whole, "on_street", [path], read_ahead=ahead)[0].refused
    assert ahead._data is None and ahead._thread is None
    monkeypatch.setattr(blocks, "BLOCK_BYTES", 10_000)       # about 40 blocks
    in_blocks, ahead = tmp_path / "blocks.duckdb", ReadAhead(path)
    assert not load_files(in_blocks, "on_street", [path], read_ahead=ahead)[0].refused
    assert ahead._data is None and ahead._thread is None
    facts = "SELECT cell, week, category, sum(n) FROM facts GROUP BY ALL ORDER BY ALL"
    a = store.connect(whole, read_only=True).execute(facts).fetchall()
    b = store.connect(in_blocks, read_only=True).execute(facts).fetchall()
    assert a == b and sum(r[-1] for r in a) == 4000


def test_ingest_loads_a_file_it_read_ahead(tmp_path, capsys):
    path = _street(tmp_path / "a.csv", 300)
    assert main(["ingest", "on_street", str(path), "--db", str(tmp_path / "s.duckdb"),
                 "--no-warm"]) == 0
    assert "loaded" in capsys.readouterr().out
    assert store.connect(tmp_path / "s.duckdb", read_only=True).execute(
        "SELECT sum(n) FROM facts").fetchone()[0] == 300


def test_the_parser_is_built_without_pandas_so_the_file_is_read_during_the_imports():
    """What ``lantern ingest`` imports before its command runs: no pandas, no release engine,
    no DuckDB (the read starts first, and those imports hide it)."""
    code = ("import sys; import profiles.cli as c; c.build_parser(); "
            "print(sorted(m for m in ('pandas', 'duckdb', 'profiles.release', 'pyarrow') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, env=dict(os.environ), check=True).stdout.strip()
    assert out == "[]"


def test_the_packages_names_still_import_as_before():
    """data_contracts and profiles.governance give their names when first asked for."""
    import pytest

    import data_contracts
    import profiles.governance as governance

    from data_contracts import FEEDS, read_feed
    from profiles.governance import audit, load_access

    assert "on_street" in FEEDS and callable(read_feed) and callable(load_access)
    assert callable(audit.local_user)
    assert data_contracts.validate.read_feed is read_feed
    assert set(data_contracts.__all__) <= set(dir(data_contracts))
    assert set(governance.__all__) <= set(dir(governance))
    with pytest.raises(AttributeError):
        data_contracts.no_such_name
    with pytest.raises(AttributeError):
        governance.no_such_name
