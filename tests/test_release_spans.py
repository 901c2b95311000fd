"""A feed protected a span of whole quarters at a time releases the very same tables as the
whole feed at once (``cache.SPAN_ROWS``): every layer, every protection, in the same order."""
from __future__ import annotations

import numpy as np
import pytest

from profiles.cli import main
from profiles.release import cache
from profiles.release.audiences import AUDIENCES, get_policy
from profiles.release.layers import layers_for, protection_of
from profiles.release.request import EVENT_FEEDS
from profiles.store import database as store


def _every_table(con) -> dict:
    cur = store.cursor(con)
    out = {}
    for audience in AUDIENCES:
        policy = get_policy(audience)
        for feed in EVENT_FEEDS:
            if not policy.may_see(feed):
                continue
            protection = protection_of(policy, feed)
            for layer in layers_for(protection):
                for name, prot in cache.build_tables(cur, protection, feed, layer).items():
                    out[(protection, feed, name)] = prot
    return out


def _same(whole: dict, spans: dict) -> None:
    assert whole.keys() == spans.keys()
    for key, a in whole.items():
        b = spans[key]
        assert list(a.units.dtypes) == list(b.units.dtypes), key
        assert a.units.equals(b.units), key
        assert a.units.index.equals(b.units.index), key
        assert np.array_equal(a.lowered, b.lowered), key
        assert (a.dims, a.ladder, a.threshold, a.rounding_base) == \
            (b.dims, b.ladder, b.threshold, b.rounding_base), key
        assert {d: list(v) for d, v in a.labels.items()} == \
            {d: list(v) for d, v in b.labels.items()}, key


def _compare(con, monkeypatch, spans=(0, 1_000)) -> None:
    whole = _every_table(con)
    for rows in spans:   # 0: every quarter on its own; else some quarters together
        monkeypatch.setattr(cache, "SPAN_ROWS", rows)
        _same(whole, _every_table(con))


def test_quarter_by_quarter_releases_the_same_tables_on_the_demo(demo_con, monkeypatch):
    assert len(cache.feed_quarters(store.cursor(demo_con), "on_street", 0)) > 2
    _compare(demo_con, monkeypatch, spans=(0,))


@pytest.mark.parametrize("rotate", [False, True], ids=["one-key", "rotated-key"])
def test_quarter_by_quarter_releases_the_same_tables_with_people_across_quarters(
        tmp_path, monkeypatch, rotate):
    """People seen in several quarters and hexagons, some hexagons only in one quarter, and
    (rotated) hashed with two keys: nothing a quarter shares with another changes a unit."""
    rng = np.random.default_rng(5)

    def street(path, n):
        days = rng.integers(0, 300, n)
        when = (np.datetime64("2025-11-03") + days.astype("timedelta64[D]")).astype(str)
        lat = 54.5081 + rng.integers(0, 4, n) * 0.004 + rng.normal(0, 0.0008, n)
        lon = 1.0263 + rng.integers(0, 4, n) * 0.006 + rng.normal(0, 0.0012, n)
        who = [f"P-{k}" if k < 40 else "" for k in rng.integers(0, 60, n)]
        cats = rng.choice(["observation", "incident", "kerb_crawling"], n)
        path.write_text("lat,lon,datetime,activity_type,source_agency,subject_key\n" + "".join(
            f"{a:.5f},{o:.5f},{w}T21:00,{c},police,{p}\n"
            for a, o, w, c, p in zip(lat, lon, when, cats, who)))
        return path

    db = tmp_path / "q.duckdb"
    assert main(["ingest", "on_street", str(street(tmp_path / "a.csv", 3000)), "--db",
                 str(db), "--no-warm"]) == 0
    if rotate:
        assert main(["key", "rotate", "--db", str(db)]) == 0
        assert main(["ingest", "on_street", str(street(tmp_path / "b.csv", 2000)), "--db",
                     str(db), "--no-warm"]) == 0
    con = store.connect(db, read_only=True)
    try:
        assert len(cache.feed_quarters(store.cursor(con), "on_street", 0)) >= 3
        _compare(con, monkeypatch)
    finally:
        con.close()
