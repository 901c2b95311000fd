"""End-to-end smoke: the demo builds, every feed loads, and partnership releases respect policy."""
from profiles.release.api import release_counts


def test_demo_loads_every_feed_without_quarantine(demo_con):
    loaded = dict(demo_con.execute(
        "SELECT feed, sum(rows_loaded) FROM ingests GROUP BY feed").fetchall())
    assert set(loaded) == {"areas", "outreach_sites", "environment", "on_street", "premises",
                           "outreach_contacts", "harm_reports", "community_concerns",
                           "online_adverts"}
    assert all(v > 0 for v in loaded.values())
    quarantined = demo_con.execute("SELECT sum(rows_quarantined) FROM ingests").fetchall()[0][0]
    assert quarantined == 0


def test_partnership_release_has_no_small_counts_and_no_fine_cells(demo_con):
    trend = release_counts(demo_con, "partnership", "on_street", period="month")
    assert len(trend.frame) > 0 and trend.layer == "places-month"
    assert (trend.frame["count"] >= 5).all()
    released = release_counts(demo_con, "partnership", "on_street", period="quarter",
                              place="hexagon")
    assert (released.frame["count"] >= 5).all()
    # never finer than the floor (8); rolled-up rows are coarser hexagons and say so
    assert (released.frame["resolution"] <= 8).all()
    assert (released.frame["resolution"] == 8).any()
    assert all(int(h[1], 16) == r for h, r in zip(released.frame["h3_id"],
                                                  released.frame["resolution"]))
    coarse = released.frame["resolution"] < 8
    assert released.frame.loc[coarse, "shown_as"].str.startswith("rolled up").all()
