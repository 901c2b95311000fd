"""The release layer on small, hand-made stores and on the demo: roll-up, subjects, rounding,
areas, dates, caching, refusals, the CLI and the utility report."""
from __future__ import annotations

import datetime as dt
import io

import h3
import pandas as pd
import pytest

from profiles.store import database as store
from profiles.cli import main
from profiles.release.api import (PERIODS, SHOWN_BASE, ReleaseError, clear_release_cache,
                              disclosure_statement, protected_table, release_area_cells,
                              release_counts, warm_release_cache)
from profiles.release.audiences import PolicyError, get_policy
from profiles.release.cache import build_layer
from profiles.release.layers import layer_named, protection_of
from profiles.release.utility import SHARES, percent, utility_report, _shares

MONDAY = dt.date(2025, 3, 10)
CELL = h3.latlng_to_cell(54.50, 1.00, 9)
SIBLINGS = sorted(h3.cell_to_children(h3.cell_to_parent(CELL, 8), 9))
COUSIN = sorted(h3.cell_to_children(sorted(h3.cell_to_children(
    h3.cell_to_parent(CELL, 7), 8))[-1], 9))[0]


def put(con, rows, subjects=()):
    """Insert facts rows (cell, week, n[, category, dow, band, detail, n_keyed])."""
    full = []
    for r in rows:
        cell, week, n, *rest = r
        category, dow, band, detail, keyed = (list(rest) + ["incident", 0, "night", "police",
                                                            0][len(rest):])
        full.append(("on_street", h3.str_to_int(cell), week, dow, band, category, detail, n,
                     keyed, 1))
    con.executemany("INSERT INTO facts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", full)
    if subjects:
        con.executemany("INSERT INTO subjects VALUES ('on_street', ?, ?, 0, 'night', "
                        "'incident', 'police', hash(CAST(? AS VARCHAR)), 1)",
                        [(h3.str_to_int(c), w, s) for c, w, s in subjects])


@pytest.fixture
def con(tmp_path):
    connection = store.connect(tmp_path / "r.duckdb")
    yield connection
    connection.close()


def test_a_cell_under_threshold_is_shown_in_its_parent_not_dropped(con):
    put(con, [(CELL, MONDAY, 5), (SIBLINGS[0], MONDAY, 1), (SIBLINGS[1], MONDAY, 1),
              (SIBLINGS[2], MONDAY, 1)])
    released = release_counts(con, "command", "on_street", period="quarter", place="hexagon")
    rows = {(r.h3_id, r.resolution): (r.count, r.shown_as) for r in released.frame.itertuples()}
    count, why = rows[(CELL, 9)]
    assert 3 <= count <= 7 and why == SHOWN_BASE   # 5, moved by at most 2 (never under 3)
    parent = h3.cell_to_parent(CELL, 8)
    # the three single events (1 each) are not in any res-9 row ...
    assert not any(h in rows for h in ((s, 9) for s in SIBLINGS if s != CELL))
    # ... they are pooled in the parent: 3, exactly the threshold, which is never moved
    count, why = rows[(parent, 8)]
    assert count == 3 and why.startswith("rolled up") and "finer resolution" in why
    assert released.total == sum(c for c, _ in rows.values())


def test_ten_sightings_of_one_person_are_one_person(con):
    put(con, [(CELL, MONDAY, 10, "incident", 0, "night", "police", 10)],
        subjects=[(CELL, MONDAY, "person-a")])
    assert release_counts(con, "command", "on_street", period="all").frame.empty
    clear_release_cache()
    put(con, [(CELL, MONDAY, 2, "incident", 0, "night", "police", 2)],
        subjects=[(CELL, MONDAY, "person-b"), (CELL, MONDAY, "person-c")])
    frame = release_counts(con, "command", "on_street", period="all").frame
    assert len(frame) == 1 and 10 <= frame["count"].iloc[0] <= 14   # 3 people, 12 events


def test_small_weeks_are_counted_in_their_month(con):
    weeks = [MONDAY + dt.timedelta(weeks=i) for i in range(3)]
    put(con, [(CELL, w, 1) for w in weeks] + [(CELL, dt.date(2025, 4, 7), 3)])
    weekly = release_counts(con, "command", "on_street", period="week")
    got = {(str(r.period_start), r.period_grain, r.count) for r in weekly.frame.itertuples()}
    assert got == {("2025-04-07", "week", 3)} and weekly.layer == "places-week"
    # March is its shown weeks (none) plus the rest of its weeks pooled: 3 people, shown
    monthly = release_counts(con, "command", "on_street", period="month").frame
    assert monthly["count"].tolist() == [3, 3]
    assert (monthly["shown_as"] == SHOWN_BASE).all()


def test_a_small_category_is_hidden_and_the_total_still_counts_it(con):
    put(con, [(CELL, MONDAY, 4, "incident"), (CELL, MONDAY, 1, "observation"),
              (CELL, MONDAY, 1, "kerb_crawling")])
    # every category is under 5 for the partnership: none is shown, the total (6) is
    assert release_counts(con, "partnership", "on_street", by=["category"]).frame.empty
    assert 5 <= release_counts(con, "partnership", "on_street", period="month").total <= 7
    frame = release_counts(con, "command", "on_street", by=["category"],
                           period="month").frame
    cats = dict(zip(frame["category"], frame["count"]))
    assert set(cats) == {"incident"} and 3 <= cats["incident"] <= 5
    # two categories are hidden, so the total less "incident" is their sum plus noise,
    # never one hidden category alone
    assert release_counts(con, "command", "on_street", period="month").total > 0


def test_a_rounding_policy_rounds_every_unit_before_totals_are_added(con):
    import dataclasses

    rounding = dataclasses.replace(get_policy("partnership"), rounding_base=5)
    put(con, [(CELL, MONDAY, 7), (COUSIN, MONDAY, 7)])
    released = release_counts(con, rounding, "on_street", period="quarter", place="hexagon")
    assert (released.frame["count"] % 5 == 0).all() and len(released.frame) == 2
    assert released.total == released.frame["count"].sum()


def test_a_rolled_up_hexagon_belongs_to_the_area_holding_its_centre(con):
    parent = h3.cell_to_parent(CELL, 8)
    centre = h3.cell_to_center_child(parent, 9)
    others = [s for s in SIBLINGS if s != centre]
    put(con, [(others[0], MONDAY, 2), (others[1], MONDAY, 2)])
    con.execute("INSERT INTO areas VALUES (1, 'with centre', 'beat', 1), "
                "(2, 'without centre', 'beat', 1)")
    con.executemany("INSERT INTO area_cells VALUES (?, ?)",
                    [(1, h3.str_to_int(centre))] + [(2, h3.str_to_int(c)) for c in others])
    whole = release_counts(con, "command", "on_street", period="all").frame
    # 2 + 2 in two children: a 4 would pin both at 2 (each under 3), so it is shown as 3
    assert whole[["h3_id", "count"]].values.tolist() == [[parent, 3]]
    assert release_counts(con, "command", "on_street", period="all",
                          area="with centre").total == 3
    # an area's own trend counts its own events (4: two people each side of 3, moved by 1)
    assert release_counts(con, "command", "on_street", period="month",
                          area="with centre").total == 0
    # the events lie in the second area, but the hexagon is not split to follow them
    assert release_counts(con, "command", "on_street", period="all",
                          area="without centre").total == 0
    assert release_area_cells(con, "with centre", "partnership") == [h3.cell_to_parent(
        centre, 8)]


def test_a_date_range_holds_only_whole_periods(con):
    put(con, [(CELL, MONDAY, 1), (CELL, MONDAY + dt.timedelta(weeks=2), 2),
              (CELL, dt.date(2025, 4, 14), 3)])
    whole = release_counts(con, "command", "on_street", period="all")
    assert whole.total == 6
    part = release_counts(con, "command", "on_street", period="all", start=MONDAY,
                          end=MONDAY + dt.timedelta(weeks=1))
    assert part.total == 0   # March is a month-long unit; a fortnight does not hold it
    assert release_counts(con, "command", "on_street", period="all", start=MONDAY,
                          end=dt.date(2025, 3, 31)).total == 3


@pytest.mark.parametrize("kwargs, message", [
    ({"feed": "environment"}, "reference data"),
    ({"feed": "areas"}, "may not see feed"),
    ({"period": "fortnight"}, "period= must be one of"),
    ({"by": ["detail"], "audience": "partnership"}, "may not see the 'detail' breakdown"),
    ({"by": ["colour"]}, "by= takes"),
    ({"by": ["band", "band"]}, "names a breakdown twice"),
    ({"area": "Nowhere"}, "unknown area 'Nowhere'"),
], ids=["reference-feed", "unknown-feed", "period", "breakdown-not-allowed",
        "unknown-breakdown", "twice", "area"])
def test_release_refuses_what_the_audience_may_not_see(con, kwargs, message):
    args = {"audience": "command", "feed": "on_street", **kwargs}
    with pytest.raises(ReleaseError, match=message):
        release_counts(con, args.pop("audience"), args.pop("feed"), **args)


def test_unknown_audience_is_refused(con):
    with pytest.raises(PolicyError, match="unknown audience 'press'"):
        release_counts(con, "press", "on_street")


def test_cache_follows_the_store(con):
    put(con, [(CELL, MONDAY, 3)])
    first, _ = protected_table(con, "command", "on_street")
    again, _ = protected_table(con, "command", "on_street")
    assert again is first
    put(con, [(CELL, MONDAY + dt.timedelta(weeks=1), 4)])
    changed, _ = protected_table(con, "command", "on_street")
    assert changed is not first
    assert int(first.units["count"].sum()) == 3        # exactly the threshold: never moved
    total = release_counts(con, "command", "on_street", period="all").total
    # 3 + 4 events in one unit, moved once by its cell key (at most 2; never under 3) ...
    assert 5 <= total <= 9 and total == int(changed.units["count"].sum())
    # ... and exactly what a fresh build of the store as it is now releases (not the old 3)
    protection = protection_of(get_policy("command"), "on_street")
    fresh = build_layer(store.cursor(con), protection, "on_street",
                        layer_named(protection, "hex-quarter"))
    assert total == int(fresh.units["count"].sum())


def test_warming_builds_each_visible_feed_once_and_views_reuse_it(con):
    put(con, [(CELL, MONDAY, 12)])
    clear_release_cache()
    built = warm_release_cache(con, ["partnership", "command"])
    assert {(a, f) for a, f, _ in built} >= {("partnership", "on_street"),
                                             ("command", "on_street")}
    assert all(get_policy(a).may_see(f) for a, f, _ in built)
    warmed, _ = protected_table(con, "partnership", "on_street")
    again = warm_release_cache(con, ["partnership"], feeds=["on_street"])
    assert protected_table(con, "partnership", "on_street")[0] is warmed
    assert again[0][2] < 0.5   # served from the cache, not rebuilt


def test_concurrent_first_views_share_one_build(con):
    import threading

    put(con, [(CELL, MONDAY + dt.timedelta(weeks=i), 5 + i) for i in range(30)])
    clear_release_cache()
    got, start = [], threading.Barrier(4)

    def first_view():
        start.wait()
        got.append(protected_table(store.cursor(con), "command", "on_street")[0])

    threads = [threading.Thread(target=first_view) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 4 and all(p is got[0] for p in got)


def test_every_period_view_totals_the_same_released_units(con):
    put(con, [(CELL, MONDAY + dt.timedelta(weeks=i % 9), 1 + i % 4) for i in range(20)]
        + [(s, dt.date(2025, 6, 2), 2) for s in SIBLINGS])
    totals = {p: release_counts(con, "command", "on_street", period=p).total for p in PERIODS}
    # month, quarter and year are sums of the same month units; "all" of the hexagon units
    assert totals["month"] == totals["quarter"] == totals["year"] > 0
    assert totals["all"] > 0


def test_statement_names_the_controls():
    text = disclosure_statement(get_policy("partnership"))
    for words in ("OFFICIAL-SENSITIVE", "at least 5 people", "H3 resolution 8",
                  "larger one", "subtracting or averaging", "at most 2", "at most 3", "a few more out"):
        assert words in text
    assert "rounded" not in disclosure_statement(get_policy("command"))


# --- the demo, the CLI and the utility report ---------------------------------------------------
def test_cli_partnership_csv_has_no_small_counts_and_nothing_finer_than_res_8(demo_db, capsys):
    assert main(["release", "--db", str(demo_db), "--audience", "partnership",
                 "--format", "csv"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("# OFFICIAL-SENSITIVE")
    frame = pd.read_csv(io.StringIO(text), comment="#")
    assert len(frame) > 0
    assert not frame["count"].between(1, 4).any()
    assert set(frame["area"]) == {"all loaded areas"} and "h3_id" not in frame
    assert main(["release", "--db", str(demo_db), "--audience", "partnership",
                 "--format", "csv", "--period", "all"]) == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out), comment="#")
    assert len(frame) > 0 and not frame["count"].between(1, 4).any()
    assert (frame["resolution"] <= 8).all()
    assert all(h3.get_resolution(h) == r for h, r in zip(frame["h3_id"], frame["resolution"]))
    assert set(frame["shown_as"].str.split(" ").str[0]) <= {"base", "rolled"}


def test_cli_report_prints_the_utility_report(demo_db, capsys):
    assert main(["release", "--db", str(demo_db), "--report"]) == 0
    out = capsys.readouterr().out
    assert "POLICY-OWNER TOOL" in out and "not for circulation" in out
    for audience in ("partnership", "command", "analyst"):
        assert f"{audience}: roll-up ladder H3 res" in out
    assert "on_street" in out and "hidden" in out
    # the accuracy table beside the shares, every figure at its family's target on the demo
    rows = [line.split(" | ") for line in out.splitlines()
            if line.startswith(("partnership | ", "command | ", "analyst | "))]
    assert len(rows) >= 3 * 6
    families = ["force x quarter", "force x month", "force x week", "area x month",
                "floor hexagon x quarter"]
    targets = [0.9, 0.9, 0.8, 0.8, 0.8]
    for audience, feed, *cells in rows:
        for family, target, cell in zip(families, targets, cells):
            if cell != "-" and not cell.endswith("*"):
                assert float(cell) >= target, (audience, feed, family, cell)
    assert main(["release", "--db", str(demo_db)]) == 1
    assert "--audience is required" in capsys.readouterr().err


def test_utility_shares_add_up_and_show_no_counts(demo_con):
    report = utility_report(demo_con)
    assert set(report.frame["audience"]) == {"partnership", "command", "analyst"}
    assert report.frame[list(SHARES)].map(lambda v: v.endswith("%")).all().all()
    for audience in ("partnership", "command"):
        prot, _ = protected_table(demo_con, audience, "on_street", atoms=True)
        shares = _shares(prot, get_policy(audience).resolution_floor)
        assert abs(shares["floor_resolution"] + shares["coarser_resolution"]
                   + shares["hidden"] - 1) < 1e-9
        assert shares["hidden"] < 0.05   # the roll-up keeps the picture


@pytest.mark.parametrize("share, text", [(0.0, "0%"), (0.004, "<1%"), (0.5, "50%"),
                                         (0.996, ">99%"), (1.0, "100%")],
                         ids=["zero", "tiny", "half", "nearly-all", "all"])
def test_percent(share, text):
    assert percent(share) == text


def test_demo_map_view_keeps_the_picture(demo_con):
    """The map's view (all weeks) still shows on-street activity at the floor for partnership."""
    frame = release_counts(demo_con, "partnership", "on_street", period="all").frame
    floor = frame[frame["resolution"] == 8]
    assert len(floor) >= 10 and floor["count"].sum() > 0.7 * frame["count"].sum()
