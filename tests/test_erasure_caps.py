"""Erasure never makes a released figure rise (issue 25): ``profiles.release.caps``.

Erasing a person lowers true counts, but without caps a unit that lost an event is re-drawn
by its new cell key (and may read higher), and a hexagon that drops under the threshold is
pooled into its parent (which may then read more, or appear). The erasure holds every figure
shown as a cap until the next load. These tests erase known people from the demo and compare
every unit of every layer, and every view, for every audience, before and after.
"""
from __future__ import annotations


import pandas as pd
import pytest

from profiles.cli import main
from stores import copy_store
from profiles.release import release_counts
from profiles.release.api import clear_release_cache
from profiles.release.audiences import load_policies
from profiles.release.caps import META_KEY, caps_for, unit_keys
from profiles.release.layers import layers_for, protection_of
from profiles.release.status import data_status
from profiles.store import database as store

AUDIENCES = ("partnership", "command", "analyst")
FEEDS = ("on_street", "harm_reports", "harm_context")
VIEWS = [dict(period=p) for p in ("week", "month", "quarter", "year", "all")] + \
    [dict(period="month", by=["category"]), dict(period="quarter", place="hexagon"),
     dict(period="month", place="hexagon"), dict(period="all", place="hexagon",
                                                 by=["category"])]

pytestmark = pytest.mark.xdist_group("erasure_caps")


def units(db) -> dict:
    """Every released unit's figure: (audience, feed, layer, unit key) -> figure."""
    from profiles.release.cache import protected_table

    clear_release_cache()
    con = store.connect(db, read_only=True)
    out = {}
    try:
        for audience in AUDIENCES:
            policy = load_policies()[audience]
            for feed in FEEDS:
                if not policy.may_see(feed):
                    continue
                for layer in layers_for(protection_of(policy, feed)):
                    prot, _ = protected_table(con, audience, feed, layer=layer.name)
                    for key, figure in zip(unit_keys(prot), prot.units["count"].tolist()):
                        out[(audience, feed, layer.name, int(key))] = figure
    finally:
        con.close()
        clear_release_cache()
    return out


def views(db) -> dict:
    """Every row of the views below, per area too: (audience, feed, view, area, row) -> n."""
    clear_release_cache()
    con = store.connect(db, read_only=True)
    out = {}
    try:
        areas = [None] + [r[0] for r in con.execute("SELECT name FROM areas").fetchall()]
        for audience in AUDIENCES:
            for feed in FEEDS:
                for i, view in enumerate(VIEWS):
                    for area in (areas if "place" not in view else [None]):
                        try:
                            frame = release_counts(con, audience, feed, area=area,
                                                   **view).frame
                        except Exception:  # noqa: BLE001 - not allowed for this audience
                            continue
                        rows = frame.drop(columns=["shown_as"], errors="ignore")
                        keys = [c for c in rows.columns if c != "count"]
                        for row in rows.itertuples(index=False):
                            row = row._asdict()
                            out[(audience, feed, i, area,
                                 tuple(str(row[k]) for k in keys))] = int(row["count"])
    finally:
        con.close()
        clear_release_cache()
    return out


def most_seen(town_files, feed: str, rank: int = 0) -> str:
    frame = pd.read_csv(town_files[feed], dtype=str)
    return frame["subject_key"].dropna().value_counts().index[rank]


def rises(before: dict, after: dict) -> list:
    """Figures after that are higher than before, or shown now and not before."""
    return [(k, before.get(k), v) for k, v in after.items() if k not in before or
            v > before[k]]


@pytest.fixture(scope="module")
def erased(demo_db, town_files, tmp_path_factory):
    """The demo before, after erasing one on-street person, and after also erasing one
    harm-reports person (which erases their harm context too)."""
    folder = tmp_path_factory.mktemp("caps")
    db = copy_store(demo_db, folder / "erase.duckdb")
    states = {"before": (units(db), views(db))}
    assert main(["erase", "--db", str(db), "--feed", "on_street", "--subject-key",
                 most_seen(town_files, "on_street")]) == 0
    states["one"] = (units(db), views(db))
    assert main(["erase", "--db", str(db), "--feed", "harm_reports", "--subject-key",
                 most_seen(town_files, "harm_reports")]) == 0
    states["two"] = (units(db), views(db))
    return db, states


@pytest.mark.parametrize("state", ["one", "two"])
def test_no_unit_and_no_view_rises_after_erasure(erased, state):
    _, states = erased
    (units_before, views_before), (units_after, views_after) = states["before"], states[state]
    assert units_before and views_before
    assert rises(units_before, units_after) == []
    assert rises(views_before, views_after) == []
    # and the erasure is seen: some figures fall
    assert sum(units_after.values()) < sum(units_before.values())
    assert any(v < views_before[k] for k, v in views_after.items())


def test_without_the_caps_some_figure_would_rise(erased, tmp_path):
    """The caps are what holds the figures down: the same store with them spent (as the next
    load spends them) shows a unit higher than before the erasure, or one hidden before."""
    db, states = erased
    bare = copy_store(db, tmp_path / "bare.duckdb")
    con = store.connect(bare)
    con.execute("DELETE FROM meta WHERE key = ?", [META_KEY])
    con.close()
    assert rises(states["before"][0], units(bare))


def test_caps_are_kept_for_every_protection_and_end_at_the_next_load(erased, tmp_path,
                                                                     town_files):
    db, _ = erased
    con = store.connect(db, read_only=True)
    cur = store.cursor(con)
    for audience in AUDIENCES:
        policy = load_policies()[audience]
        for feed in FEEDS:
            if policy.may_see(feed):
                caps = caps_for(cur, protection_of(policy, feed).name, feed)
                # every layer with a unit shown holds caps (a layer showing nothing needs
                # none: a unit without a cap stays hidden)
                names = {layer.name for layer in layers_for(protection_of(policy, feed))}
                assert caps is not None and "" in caps
                assert {"hex-quarter", "places-month"} <= set(caps) - {""} <= names
    assert "held at or below what they were until the next load" in \
        data_status(con).retention
    # a feed not erased holds no caps
    policy = load_policies()["analyst"]
    assert caps_for(cur, protection_of(policy, "outreach_contacts").name,
                    "outreach_contacts") is None
    con.close()
    loaded = copy_store(db, tmp_path / "loaded.duckdb")
    more = tmp_path / "more_concerns.csv"     # a new file: a load the store has not seen
    pd.read_csv(town_files["community_concerns"], dtype=str).head(200).to_csv(more,
                                                                              index=False)
    assert main(["ingest", "community_concerns", str(more), "--db", str(loaded),
                 "--no-warm"]) == 0
    con = store.connect(loaded, read_only=True)
    policy = load_policies()["partnership"]
    assert caps_for(store.cursor(con), protection_of(policy, "on_street").name,
                    "on_street") is None
    assert "held at or below" not in data_status(con).retention
    con.close()
