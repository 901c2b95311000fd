"""profiles.release.source: the reading connection's bounds on DuckDB's memory and threads."""
from __future__ import annotations

import pytest

from profiles.store import database as store
from profiles.release import open_read_only, open_snapshot


def setting(con, name: str) -> str:
    return con.execute(f"SELECT current_setting('{name}')").fetchall()[0][0]


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "s.duckdb"
    store.connect(path).close()
    return path


@pytest.mark.parametrize("opener", [open_read_only, open_snapshot], ids=["read_only", "snapshot"])
def test_a_reading_connection_is_bounded_by_default_and_by_the_environment(db, opener,
                                                                             monkeypatch):
    monkeypatch.delenv("LANTERN_DB_MEMORY", raising=False)
    monkeypatch.delenv("LANTERN_DB_THREADS", raising=False)
    con = opener(db)
    assert setting(con, "memory_limit") == "953.6 MiB"            # 1GB, not 80% of the RAM
    con.close()
    monkeypatch.setenv("LANTERN_DB_MEMORY", "256MB")
    monkeypatch.setenv("LANTERN_DB_THREADS", "1")
    con = opener(db)
    assert (setting(con, "memory_limit"), setting(con, "threads")) == ("244.1 MiB", 1)
    con.close()


def test_a_setting_duckdb_refuses_is_named_in_words(db, monkeypatch):
    monkeypatch.setenv("LANTERN_DB_MEMORY", "lots")
    with pytest.raises(ValueError, match=r"^LANTERN_DB_MEMORY is 'lots', which the database "
                                         r"does not accept; give e.g. 1GB$"):
        open_read_only(db)
