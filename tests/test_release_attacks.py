"""Attacks on the layered release, with many targets, on every audience (issue 24).

Recovery is judged beside utility: for each store and audience, the attacker of
``tests/attacks.py`` forms every estimate of each hidden small group that the released
figures allow (an area less its partition, a month less its weeks, a total less its
categories, a hexagon's quarter less its months, each with the noise model the published
method lets anyone know) and takes the posterior mode, or the mean, whichever does better.
It must not pin the truth more often than guessing the commonest true count would, plus a
small margin (:data:`MARGIN`), pooled over the feeds. Exact suppression with no links would
recover 0 %; a noise method passes only if combining its paths does not pin the truth.

Three stores: the demo town, Marrowby (a second synthetic force, not tuned to the demo) and
a store of *lonely people* - hundreds of one-person groups beside a few busy places - built
here so that nearly every unit is near the threshold.
"""
from __future__ import annotations

import datetime as dt

import h3
import numpy as np
import pandas as pd
import pytest

import attacks
from profiles.release import release_counts
from profiles.release.api import clear_release_cache
from profiles.release.audiences import get_policy
from profiles.store import database as store

#: How much better than guessing the attacker may do, pooled over a store's feeds.
MARGIN = 0.10
AUDIENCES = ("partnership", "command", "analyst")
FEEDS = ("on_street", "harm_reports", "outreach_contacts", "community_concerns", "premises",
         "harm_context")
CENTRE = "8919441598fffff"          # the synthetic town, at sea


def build_lonely(path, *, seed: int = 5, weeks: int = 52):
    """A store of one force (a disk of 6 rings) in four wards, where every week brings a few
    busy places and many people seen once, alone in their hexagon and time band."""
    rng = np.random.default_rng(seed)
    con = store.connect(path)
    con.execute("INSERT INTO ingests VALUES (1, 'areas', 'lonely', 'sha-lonely', 'csv', "
                "DATE '2025-01-01', 1, 1, 0, 0, 0)")
    cells = sorted(h3.grid_disk(CENTRE, 6))
    lat0, lon0 = h3.cell_to_latlng(CENTRE)
    con.execute("INSERT INTO areas VALUES (1, 'Lonely force (synthetic)', 'force', 1), "
                "(2, 'North West (synthetic)', 'ward', 1), (3, 'North East (synthetic)', "
                "'ward', 1), (4, 'South West (synthetic)', 'ward', 1), "
                "(5, 'South East (synthetic)', 'ward', 1)")
    rows = []
    for c in cells:
        lat, lon = h3.cell_to_latlng(c)
        ward = 2 + (lat < lat0) * 2 + (lon >= lon0)
        rows += [(1, h3.str_to_int(c)), (int(ward), h3.str_to_int(c))]
    con.executemany("INSERT INTO area_cells VALUES (?, ?)", rows)
    facts, subjects = [], []
    bands = ("night", "morning", "afternoon", "evening")
    cats = {"harm_reports": ("violence", "robbery", "sexual_assault"),
            "on_street": ("on_street",), "outreach_contacts": ("street_outreach",),
            "community_concerns": ("litter",), "premises": ("risk", "nuisance"),
            "harm_context": ("survival_sex",)}
    person = 0
    start = dt.date(2025, 1, 6)
    for w in range(weeks):
        week = start + dt.timedelta(weeks=w)
        for feed, labels in cats.items():
            busy = rng.choice(cells[:7])
            for _ in range(int(rng.integers(3, 7))):      # a busy place: several people
                person += 1
                row = (feed, h3.str_to_int(busy), week, int(rng.integers(7)),
                       bands[3], labels[0], "", 1, 1, 1)
                facts.append(row)
                subjects.append(row[:7] + (person, 1))
            for _ in range(int(rng.integers(4, 12))):     # lonely people, one each
                person += 1
                c = cells[int(rng.integers(len(cells)))]
                row = (feed, h3.str_to_int(c), week, int(rng.integers(7)),
                       bands[int(rng.integers(4))], labels[int(rng.integers(len(labels)))],
                       "", 1, 1, 1)
                facts.append(row)
                subjects.append(row[:7] + (person, 1))
    frame = pd.DataFrame(facts, columns=["feed", "cell", "week", "dow", "band", "category",
                                         "detail", "n", "n_keyed", "ingest_id"])
    frame = frame.groupby(["feed", "cell", "week", "dow", "band", "category", "detail",
                           "ingest_id"], as_index=False)[["n", "n_keyed"]].sum()
    frame = frame[["feed", "cell", "week", "dow", "band", "category", "detail", "n",
                   "n_keyed", "ingest_id"]]
    subs = pd.DataFrame(subjects, columns=["feed", "cell", "week", "dow", "band", "category",
                                           "detail", "subject", "ingest_id"])
    con.register("f", frame)
    con.execute("INSERT INTO facts SELECT * FROM f")
    con.register("s", subs)
    con.execute("INSERT INTO subjects SELECT * FROM s")
    store.set_meta(con, "synthetic", "true")
    store.set_meta(con, "release_salt", f"synthetic-lonely-{seed}")
    con.close()
    clear_release_cache()
    return path


@pytest.fixture(scope="module")
def stores(tmp_path_factory, demo_db):
    from sample_data.shire import build_shire

    tmp = tmp_path_factory.mktemp("attack-stores")
    build_shire(tmp / "shire.duckdb", seed=11, data_dir=tmp / "shire")
    build_lonely(tmp / "lonely.duckdb")
    return {"demo": demo_db, "marrowby": tmp / "shire.duckdb", "lonely": tmp / "lonely.duckdb"}


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("name", ["demo", "marrowby", "lonely"])
def test_no_path_pins_a_hidden_group_better_than_guessing(stores, name, audience):
    con = store.connect(stores[name], read_only=True)
    threshold = get_policy(audience).threshold
    loaded = {r[0] for r in con.execute("SELECT DISTINCT feed FROM facts").fetchall()}
    out = attacks.Recovery.pooled(attack(con, audience, feed, threshold)
                                  for feed in FEEDS if feed in loaded
                                  for attack in (attacks.attack_places, attacks.attack_hexagons))
    con.close()
    targets, estimated = out.targets, out.estimated
    assert targets >= 150, f"too few hidden groups to attack in {name}: {targets}"
    assert estimated >= 10, f"the attacker found too few paths to judge in {name}"
    rate, baseline = out.rate, out.baseline
    print(f"{name} {audience}: {targets} hidden groups, {estimated} with a path, "
          f"recovered {rate:.2f} against guessing {baseline:.2f}")
    assert rate <= baseline + MARGIN, (name, audience, rate, baseline)


def test_the_lonely_store_is_lonely(stores):
    """The lonely store is what its name says: most of its hexagon-weeks hold one person."""
    con = store.connect(stores["lonely"], read_only=True)
    share = con.execute("SELECT avg((n = 1)::INT) FROM facts").fetchone()[0]
    con.close()
    assert share > 0.8


VIEWS = [dict(period="week"), dict(period="month"), dict(period="quarter"),
         dict(period="month", by=["category"]), dict(period="quarter", place="hexagon"),
         dict(period="month", place="hexagon"), dict(period="all", by=["band", "dow"]),
         dict(period="all", by=["category", "band"])]


@pytest.mark.parametrize("name", ["demo", "lonely"])
def test_command_and_analyst_show_the_very_same_figures(stores, name):
    """The analyst role opens command and analyst; their threshold and floor are the same,
    so their units are the same units: subtracting one from the other leaves exactly 0."""
    con = store.connect(stores[name], read_only=True)
    loaded = {r[0] for r in con.execute("SELECT DISTINCT feed FROM facts").fetchall()}
    compared = 0
    for feed in sorted(loaded & set(FEEDS)):
        policy = get_policy("command")
        for view in VIEWS:
            by = view.get("by", [])
            if not set(by) <= set(policy.breakdowns_for(feed)):
                continue
            a = release_counts(con, "command", feed, **view).frame
            b = release_counts(con, "analyst", feed, **view).frame
            cols = [c for c in a.columns if c in b.columns]
            key = [c for c in cols if c not in ("count", "shown_as")]
            a, b = (f[cols].sort_values(key).reset_index(drop=True) for f in (a, b))
            pd.testing.assert_frame_equal(a, b)
            compared += len(a)
    con.close()
    assert compared > 500


@pytest.mark.parametrize("audience", AUDIENCES)
def test_asking_again_or_by_another_union_gives_the_same_units(stores, audience):
    """Averaging gains nothing: the same request gives the same figures, a quarter is the
    sum of what its units show, and a date range is the sum of the units inside it."""
    con = store.connect(stores["lonely"], read_only=True)
    feed = "harm_reports"
    first = release_counts(con, audience, feed, period="month").frame
    for _ in range(3):
        clear_release_cache()
        again = release_counts(con, audience, feed, period="month").frame
        pd.testing.assert_frame_equal(first, again)
    hexes = release_counts(con, audience, feed, period="quarter", place="hexagon").frame
    year = release_counts(con, audience, feed, period="all", place="hexagon").frame
    assert year["count"].sum() == hexes["count"].sum()
    months = release_counts(con, audience, feed, period="month", place="hexagon").frame
    q1 = release_counts(con, audience, feed, period="month", place="hexagon",
                        start=dt.date(2025, 1, 1), end=dt.date(2025, 3, 31)).frame
    inside = pd.to_datetime(months["period_start"]) <= pd.Timestamp("2025-03-31")
    inside &= pd.to_datetime(months["period_start"]) >= pd.Timestamp("2025-01-01")
    assert q1["count"].sum() == months.loc[inside, "count"].sum()
    con.close()


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("name", ["demo", "marrowby", "lonely"])
def test_no_view_of_any_layer_shows_a_small_figure(stores, name, audience):
    """Every place at every period, every hexagon view: 0 or at least the threshold (a
    quarter whose months are all hidden once showed its fixed estimate alone)."""
    threshold = get_policy(audience).threshold
    con = store.connect(stores[name], read_only=True)
    loaded = {r[0] for r in con.execute("SELECT DISTINCT feed FROM facts").fetchall()}
    for feed in sorted(loaded & set(FEEDS)):
        seen = attacks.units_seen(con, audience, feed)
        assert seen, feed
        small = [v for v in seen if 0 < v < threshold]
        assert not small, (feed, small[:5])
    con.close()


@pytest.mark.parametrize("name", ["demo", "marrowby", "lonely"])
def test_partnership_less_command_does_not_pin_what_command_hides(stores, name):
    """The commander's role opens partnership and command (the analyst's opens analyst too,
    which equals command): a partnership hexagon-quarter less every command figure inside it
    leaves command's hidden remainder plus both audiences' noise, and pins it no more often
    than guessing."""
    con = store.connect(stores[name], read_only=True)
    loaded = {r[0] for r in con.execute("SELECT DISTINCT feed FROM facts").fetchall()}
    targets = estimated = recovered = 0
    guessed = 0.0
    for feed in sorted(loaded & set(FEEDS)):
        r = attacks.attack_audiences(con, feed)
        targets += r.targets
        estimated += r.estimated
        recovered += r.recovered
        guessed += r.baseline * r.estimated
    con.close()
    assert targets >= 100 and estimated >= 10, (targets, estimated)
    rate, baseline = recovered / estimated, guessed / estimated
    print(f"{name}: {targets} residues under command's threshold, {estimated} with a path, "
          f"recovered {rate:.2f} against guessing {baseline:.2f}")
    assert rate <= baseline + MARGIN, (name, rate, baseline)


def test_one_anonymous_row_of_three_contacts_is_one_person(tmp_path):
    """Loaded as a partner sends it: an outreach file whose one row without a key records 3
    contacts passes no threshold (it is one person); three keyed people of one contact each
    in the same place and week pass command's."""
    from profiles.cli import main

    db = tmp_path / "o.duckdb"
    one = tmp_path / "one.csv"
    one.write_text("lat,lon,datetime,service,contacts,subject_key\n"
                   "54.508108,1.026296,2025-01-06T19:22,num_signup,3,\n")
    assert main(["ingest", "outreach_contacts", str(one), "--db", str(db)]) == 0
    con = store.connect(db, read_only=True)
    for audience in AUDIENCES:
        for view in (dict(period="week"), dict(period="quarter", place="hexagon")):
            frame = release_counts(con, audience, "outreach_contacts", **view).frame
            assert frame.empty or (frame["count"] == 0).all(), (audience, view)
    con.close()
    three = tmp_path / "three.csv"
    three.write_text("lat,lon,datetime,service,contacts,subject_key\n"
                     + "".join(f"54.508108,1.026296,2025-01-07T19:2{i},num_signup,1,P{i}\n"
                               for i in range(3)))
    assert main(["ingest", "outreach_contacts", str(three), "--db", str(db)]) == 0
    clear_release_cache()
    con = store.connect(db, read_only=True)
    week = release_counts(con, "command", "outreach_contacts", period="week").frame
    assert week["count"].sum() >= 3      # 4 people, 6 contacts: shown, moved by at most 2
    con.close()
