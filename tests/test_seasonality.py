"""profiles.analyses.seasonality: each month against the same month last year, released only."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from profiles.analyses.seasonality import (NO_DATA, NOT_SHOWN, SHOWN, SeasonalityError,
                                           seasonality, seasonality_for, seasonality_words)
from profiles.release.api import release_counts

D = dt.date
#: Two years of months, Jan 2025 to Dec 2026.
MONTHS = [D(y, m, 1) for y in (2025, 2026) for m in range(1, 13)]


def monthly(rows) -> pd.DataFrame:
    """A released-looking monthly frame: (period_start, grain, count, hexagon)."""
    return pd.DataFrame(rows, columns=["period_start", "period_grain", "count", "h3_id"])


@pytest.fixture
def hand_built() -> pd.DataFrame:
    rows = []
    for m in MONTHS:
        if m in (D(2025, 4, 1), D(2026, 7, 1)):
            continue  # the release does not show these months on their own
        rows.append((m, "month", 10 + m.month, "a"))
        rows.append((m, "month", 5, "b"))        # two hexagons: summed per month
    rows.append((D(2025, 4, 1), "quarter", 40, "a"))  # shown only over a quarter
    rows.append((D(2026, 7, 1), "year", 60, "b"))
    return monthly(rows)


def test_change_is_this_year_minus_last_year(hand_built):
    table = seasonality(hand_built, months=MONTHS)
    assert table["month"].tolist() == MONTHS[12:]
    jan = table.iloc[0]
    assert (jan.this_year, jan.last_year, jan.change) == (16, 16, 0)
    assert jan["pct_change"] == 0.0
    mar = table.set_index("month").loc[D(2026, 3, 1)]
    assert (mar.this_year, mar.last_year, mar.change) == (18, 18, 0)
    shown = table[(table["this_state"] == SHOWN) & (table["last_state"] == SHOWN)]
    assert (shown["change"] == shown["this_year"] - shown["last_year"]).all()


def test_a_change_is_computed_when_the_years_differ():
    frame = monthly([(D(2025, 5, 1), "month", 40, "a"), (D(2026, 5, 1), "month", 30, "a")])
    table = seasonality(frame, months=[D(2025, 5, 1), D(2026, 5, 1)], last=1)
    row = table.iloc[0]
    assert (row.this_year, row.last_year, row.change, row["pct_change"]) == (30, 40, -10, -25.0)
    assert seasonality_words(table).iloc[0].tolist() == ["May 2026", "30", "40", "-10 (-25%)"]


def test_hidden_months_stay_not_shown_never_zero(hand_built):
    table = seasonality(hand_built, months=MONTHS).set_index("month")
    apr = table.loc[D(2026, 4, 1)]          # last year's April was shown only by quarter
    assert apr.last_state == NOT_SHOWN and pd.isna(apr.last_year)
    assert apr.this_state == SHOWN and apr.this_year == 19
    assert pd.isna(apr.change) and pd.isna(apr["pct_change"])
    jul = table.loc[D(2026, 7, 1)]          # this July is shown only over the year
    assert jul.this_state == NOT_SHOWN and pd.isna(jul.this_year) and pd.isna(jul.change)
    assert 0 not in table["this_year"].dropna().tolist() + table["last_year"].dropna().tolist()
    words = seasonality_words(table.reset_index()).set_index("Month")
    assert words.loc["Apr 2026", "Same month last year"] == "not shown"
    assert words.loc["Jul 2026", "This year"] == "not shown"
    assert words.loc["Jul 2026", "Change"] == "not compared"


def test_months_outside_the_weeks_covered_are_no_data_not_zero():
    frame = monthly([(m, "month", 7, "a") for m in MONTHS[12:]])
    table = seasonality(frame, months=MONTHS[12:])   # one year only
    assert (table["last_state"] == NO_DATA).all()
    assert table["last_year"].isna().all() and table["change"].isna().all()


@pytest.mark.parametrize("kwargs, message", [
    ({"released": pd.DataFrame({"count": [1]})}, r"missing period_grain, period_start"),
    ({"released": monthly([]), "last": 0}, r"last= must be a whole number of months"),
    ({"released": monthly([]), "last": "12"}, r"last= must be a whole number of months"),
], ids=["no-columns", "last-zero", "last-text"])
def test_bad_input_is_refused_in_words(kwargs, message):
    with pytest.raises(SeasonalityError, match=message):
        seasonality(**kwargs)


@pytest.mark.parametrize("audience", ["partnership", "analyst"])
def test_on_the_demo_store_every_figure_is_a_released_figure(demo_con, audience):
    table = seasonality_for(demo_con, audience, "on_street")
    assert table.equals(seasonality_for(demo_con, audience, "on_street",
                                        start=D(2025, 11, 3), end=D(2026, 10, 26)))
    released = release_counts(demo_con, audience, "on_street", period="month").frame
    at_month = released[released["period_grain"] == "month"]
    figures = at_month.groupby("period_start")["count"].sum()
    figures.index = [pd.Timestamp(d).date() for d in figures.index]
    assert len(table) == 12 and (table["last_state"] != NO_DATA).any()
    checked = 0
    for r in table.itertuples():
        for month, value, state in ((r.month, r.this_year, r.this_state),
                                    (r.month.replace(year=r.month.year - 1), r.last_year,
                                     r.last_state)):
            if state == SHOWN:
                assert value == figures[month], (month, value)
                checked += 1
            else:
                assert pd.isna(value) and month not in figures.index
    assert checked >= 12
    if audience == "partnership":
        shown = pd.concat([table["this_year"], table["last_year"]]).dropna()
        assert (shown >= 5).all()



@pytest.mark.parametrize("audience", ["partnership", "analyst"])
def test_overview_page_shows_the_released_months_against_last_year(demo_db, demo_con,
                                                                   monkeypatch, audience):
    from apptest_pages import open_page

    monkeypatch.setenv("LANTERN_DB", str(demo_db))
    at = open_page("overview.py", audience=audience)
    assert any(s.value == "On-street activity: each month against the same month last year"
               for s in at.subheader)
    (shown,) = [d.value for d in at.dataframe if "Same month last year" in d.value.columns]
    start, end = at.session_state["weeks"]
    table = seasonality_for(demo_con, audience, "on_street", start=start, end=end)
    assert (table["last_state"] == SHOWN).any()
    expected = seasonality_words(table)
    assert shown.reset_index(drop=True).equals(expected)
    assert "0" not in shown["This year"].tolist() + shown["Same month last year"].tolist()


def test_a_short_range_reaches_back_a_year_for_the_comparison(demo_con):
    table = seasonality_for(demo_con, "analyst", "on_street", start=D(2026, 6, 1),
                            end=D(2026, 10, 26))
    assert table["month"].tolist() == [D(2026, m, 1) for m in range(6, 11)]
    assert (table["last_state"] == SHOWN).all() and table["change"].notna().all()
