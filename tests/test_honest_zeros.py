"""Four states, never confused: not loaded, no data for this period, too few, a number.

A store with community concerns only (as a new user loading two police.uk months would have),
and one with a gap between two files of on-street activity: the overview, its trends and the
CLI summary must say "not loaded" or "no data for this period" where a 0 would read as "no harm
happened", and the headline period must be the latest with data for some feed.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from profiles.analyses import overview
from profiles.release import NO_DATA, NOT_LOADED, RELEASED, TOO_FEW, feed_coverage
from profiles.store import ingest_file

D = dt.date


def _load(con, key, tmp_path, feed, src, keep=None, name=None):
    """Ingest ``src`` (optionally only the rows ``keep`` selects) as ``feed``."""
    if keep is not None:
        frame = pd.read_csv(src)
        src = tmp_path / (name or f"{feed}-part.csv")
        keep(frame).to_csv(src, index=False)
    ingest_file(con, feed, src, key=key, quarantine_dir=tmp_path / "q")


def _months(*months):
    def keep(frame):
        col = "datetime" if "datetime" in frame else "assessment_date"
        return frame[frame[col].str[:7].isin(months)]
    return keep


@pytest.fixture
def concerns_only(empty_db, town_files, tmp_path):
    """Areas and two months of community concerns; no other feed loaded."""
    con, key, _ = empty_db
    _load(con, key, tmp_path, "areas", town_files["areas"])
    _load(con, key, tmp_path, "community_concerns", town_files["community_concerns"],
          _months("2026-08", "2026-09"))
    return con


def test_feeds_with_no_file_are_not_loaded_never_zero(concerns_only):
    ov = overview(concerns_only, "analyst", period="month")
    assert ov.current_label == "September 2026"
    states = {h.feed: h.current_state for h in ov.headlines}
    assert states.pop("community_concerns") in (RELEASED, TOO_FEW)
    assert set(states.values()) == {NOT_LOADED}
    for h in ov.headlines:
        if h.current_state == NOT_LOADED:
            words = h.words(ov.current_label, ov.previous_label)
            assert "not loaded" in words and " 0 " not in words and "no change" not in words
            assert h.figure.text == "not loaded"
    assert "Not loaded (no file for these feeds): On-street activity" in " ".join(ov.trend_notes)
    assert set(ov.trends["feed"]) == {"community_concerns"}   # no trend drawn as zeros


def test_headline_period_is_the_latest_with_data(empty_db, town_files, tmp_path):
    """Harm reports to October, on-street activity to August only: the latest month with
    data for some feed is October; on-street activity has no data for it (not 0)."""
    con, key, _ = empty_db
    _load(con, key, tmp_path, "areas", town_files["areas"])
    _load(con, key, tmp_path, "on_street", town_files["on_street"],
          _months("2026-07", "2026-08"), "os.csv")
    _load(con, key, tmp_path, "harm_reports", town_files["harm_reports"],
          _months("2026-09", "2026-10"), "hr.csv")
    ov = overview(con, "analyst", period="month", end=D(2026, 10, 26))
    assert ov.current_label == "October 2026"
    on_street = ov.headline("on_street")
    assert (on_street.current_state, on_street.previous_state) == (NO_DATA, NO_DATA)
    words = on_street.words(ov.current_label, ov.previous_label)
    assert words.startswith("On-street activity: no data for October 2026")
    months = ov.trends[ov.trends["feed"] == "on_street"].set_index("period_start")["state"]
    assert months[D(2026, 8, 1)] == RELEASED and months[D(2026, 10, 1)] == NO_DATA
    assert any("No data for some months" in n for n in ov.trend_notes)


def test_an_empty_latest_month_is_stepped_over_and_said(empty_db, town_files, tmp_path):
    """A range that ends in a month with no data for any feed does not compare two empty
    months: it shows the latest month with data and says which month was empty."""
    con, key, _ = empty_db
    _load(con, key, tmp_path, "areas", town_files["areas"])
    _load(con, key, tmp_path, "on_street", town_files["on_street"],
          _months("2026-05", "2026-06"), "a.csv")
    _load(con, key, tmp_path, "on_street", town_files["on_street"],
          lambda f: f[f["datetime"].between("2026-09-14", "2026-09-21")], "b.csv")
    # One week of September, so September is not complete and August (the last whole
    # month) has no data for any feed: September is shown, and the summary says why.
    ov = overview(con, "analyst", period="month")
    assert ov.current_label == "September 2026"
    assert ov.summary[0].startswith("August 2026 has no data for any feed, so the headlines "
                                    "show September 2026")
    h = ov.headline("on_street")
    assert h.previous_state == NO_DATA and not h.comparable
    assert "up " not in h.words("a", "b") and "down " not in h.words("a", "b")
    cov = feed_coverage(con)
    assert cov.covers("on_street", D(2026, 6, 1), D(2026, 7, 1))
    assert not cov.covers("on_street", D(2026, 7, 1), D(2026, 9, 1))   # the gap


def test_pack_and_cli_status_say_not_loaded(concerns_only):
    """The meeting pack prints "not loaded" for a feed with no file, never a 0; ``lantern
    status`` lists the feeds with no file."""
    from profiles.pack import build_pack, render_html
    from profiles.release import data_status

    pack = build_pack(concerns_only, "analyst")
    figures = [f for s in pack.sections for f in s.all_figures()]
    harm = [f for f in figures if f.source.feed == "harm_reports" and f.kind == "count"]
    assert harm and all(f.text == "not loaded" for f in harm)
    assert "not loaded" in render_html(pack)
    text = data_status(concerns_only).as_text()
    assert "Not loaded (no file yet" in text and "harm_reports" in text.split("Not loaded")[1]



@pytest.mark.parametrize("week, covered", [
    (D(2026, 9, 7), True), (D(2026, 9, 28), True),      # weeks of the file's month
    (D(2026, 8, 31), False), (D(2026, 10, 5), False),   # weeks of the months either side
], ids=["early-in-month", "last-monday-in-month", "month-before", "month-after"])
def test_a_file_covers_whole_months_not_only_its_weeks(week, covered):
    """A police.uk month is placed in the week of the 15th; its file covers the whole month,
    and a span never pins an event to one week."""
    from profiles.release import FeedCoverage

    cov = FeedCoverage({"community_concerns": [(D(2026, 9, 14), D(2026, 9, 14))]},
                       loaded={"community_concerns"})
    assert cov.covers("community_concerns", week, week + dt.timedelta(days=7)) is covered
    expected = RELEASED if covered else NO_DATA
    assert cov.state("community_concerns", week, week + dt.timedelta(days=7), 0) == expected
