"""The pack's picture over time: emerging hot spots, small multiples by month, seasonality.

Packs are built once per audience from the demo database and compared with the analyses run
independently on the same store and audience.
"""
from __future__ import annotations

import datetime as dt
import re

import h3
import pandas as pd
import pytest
from matplotlib.colors import to_rgba

from profiles.analyses.emerging_release import emerging_for
from profiles.analyses.seasonality import seasonality_for
from profiles.pack import build_pack, render_html, render_pdf
from profiles.pack.charts import (CLASS_COLOURS, CLASS_HATCHES, _hex_map, class_breaks,
                                  small_multiples_figure, step_colour)
from profiles.pack.model import HexMap, SmallMultiples, Source
from profiles.store import database as store

from test_pack import check_figure, pdf_pages

NOW = dt.datetime(2026, 11, 2, 9, 30)
AUDIENCES = ("partnership", "analyst")


@pytest.fixture(scope="module")
def packs(demo_db, tmp_path_factory):
    """{audience: (pack, html, pdf path)}."""
    folder = tmp_path_factory.mktemp("packs-emerging")
    con = store.connect(demo_db, read_only=True)
    out = {}
    for audience in AUDIENCES:
        pack = build_pack(con, audience, now=NOW)
        pdf = folder / f"{audience}.pdf"
        pdf.write_bytes(render_pdf(pack))
        out[audience] = (pack, render_html(pack), pdf)
    con.close()
    return out


def maps_of(section) -> dict:
    """{feed: HexMap} of the section's category maps."""
    return {c.source.feed: c for c in section.charts if isinstance(c, HexMap)}


# ---- the section ------------------------------------------------------------------------------
@pytest.mark.parametrize("audience", AUDIENCES)
def test_section_is_in_the_model_the_html_and_the_pdf(packs, audience):
    pack, page, pdf = packs[audience]
    section = pack.section("emerging")
    assert section in pack.section("analysis").sections
    assert 'data-section="emerging"' in page
    assert "Emerging hot spots of on-street activity" in page
    text = "\n".join(pdf_pages(pdf))
    assert "Emerging hot spots" in text
    assert "On-street activity month by month" in text
    assert "hexagons in each emerging hot spot category" in text


@pytest.mark.parametrize("audience", AUDIENCES)
def test_categories_match_emerging_for_on_the_same_store(packs, demo_con, audience):
    pack, page, _ = packs[audience]
    section = pack.section("emerging")
    maps = maps_of(section)
    assert "on_street" in maps
    for feed, m in maps.items():
        run = emerging_for(demo_con, audience, feed, period="month")
        assert dict(zip(m.cells, m.values)) == dict(zip(run.table["h3_id"],
                                                        run.table["category"]))
        assert m.scale == "categorical" and m.floor == run.chosen["resolution"]
        table = next(t for t in section.tables if t.title.startswith(
            "On-street activity" if feed == "on_street" else "Harm reports"))
        expected = run.category_counts()
        assert [r[0] for r in table.rows] == [c.capitalize() for c in expected["category"]]
        assert [r[2].value for r in table.rows] == expected["hexagons"].tolist()
        assert all(r[2].kind == "cells" and r[2].value > 0 for r in table.rows)
        assert [r[1] for r in table.rows] == expected["meaning"].tolist()
    for fig in section.all_figures():
        check_figure(demo_con, audience, pack, fig)
    assert "profiles." not in page


def test_harm_reports_are_mapped_only_where_a_pattern_is_found(packs, demo_con):
    analyst = maps_of(packs["analyst"][0].section("emerging"))
    assert "harm_reports" in analyst
    assert set(analyst["harm_reports"].values) - {"no pattern detected"}
    partnership = packs["partnership"][0].section("emerging")
    run = emerging_for(demo_con, "partnership", "harm_reports")
    if set(run.table["category"]) == {"no pattern detected"}:
        assert "harm_reports" not in maps_of(partnership)
        assert any(p.startswith("Harm reports: no hexagon shows a pattern")
                   for p in partnership.paragraphs)
    else:
        assert "harm_reports" in maps_of(partnership)


def test_too_few_months_says_so_in_plain_words(demo_con):
    pack = build_pack(demo_con, "analyst", start=dt.date(2026, 9, 7),
                      end=dt.date(2026, 10, 26), now=NOW)
    section = pack.section("emerging")
    assert not section.charts and not section.tables
    said = [p for p in section.paragraphs if p.startswith("On-street activity: emerging")]
    assert said == ["On-street activity: emerging hot spots could not be looked for. Too few "
                    "periods to find a trend. Choose more weeks."]
    assert "HotspotRunError" not in render_html(pack)


def test_cold_categories_have_their_own_colour_and_a_hatch():
    cold = [c for c in CLASS_COLOURS if c.endswith("cold spot")]
    hot = [c for c in CLASS_COLOURS if c.endswith("hot spot")]
    assert len(cold) == len(hot) == 8
    assert len({CLASS_COLOURS[c] for c in cold + hot + ["no pattern detected"]}) == 17
    assert all(CLASS_HATCHES.get(c) for c in cold) and not any(CLASS_HATCHES.get(c) for c in hot)
    centre = "881942c58bfffff"
    cells = tuple(h3.grid_disk(centre, 1))
    values = ("new cold spot", "persistent hot spot") + ("no pattern detected",) * 5
    fig = _hex_map(HexMap("t", "c", cells, values, Source("on_street"), "emerging hot spot "
                          "category", floor=8, scale="categorical"))
    hatched = [col for col in fig.axes[0].collections if col.get_hatch()]
    assert len(hatched) == 1 and len(hatched[0].get_paths()) == 1
    labels = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    assert labels == ["Persistent hot spot", "New cold spot", "No pattern detected"]


# ---- small multiples ----------------------------------------------------------------------------
@pytest.mark.parametrize("audience", AUDIENCES)
def test_small_multiples_share_one_scale_from_the_released_cube(packs, demo_con, audience):
    pack, _, _ = packs[audience]
    (sm,) = [c for c in pack.section("emerging").charts if isinstance(c, SmallMultiples)]
    run = emerging_for(demo_con, audience, "on_street", period="month")
    last = run.cube.iloc[:, -12:]
    assert len(sm.panels) == min(12, len(run.cube.columns)) == 12
    assert [label for label, _ in sm.panels] == [f"{p:%b %Y}" for p in last.columns]
    assert sm.cells == tuple(last.index)
    for (_, values), p in zip(sm.panels, last.columns):
        assert values == tuple(int(v) for v in last[p])
    shown = [v for _, values in sm.panels for v in values if v > 0]
    assert sm.breaks == tuple(class_breaks(shown))
    fig = small_multiples_figure(sm)
    assert sum(ax.get_legend() is not None for ax in fig.axes) == 1
    panels = [a for a in fig.axes if a.collections]
    assert len(panels) == len(sm.panels)
    for ax, (label, values) in zip(panels, sm.panels):
        faces = [tuple(round(x, 3) for x in f) for f in ax.collections[0].get_facecolors()]
        assert faces == [tuple(round(x, 3) for x in to_rgba(step_colour(v, sm.breaks)))
                         for v in values], label
    assert sm.figures() == []


# ---- seasonality in the trend part --------------------------------------------------------------
@pytest.mark.parametrize("audience", AUDIENCES)
def test_seasonality_table_matches_the_analysis(packs, demo_con, audience):
    pack, page, _ = packs[audience]
    section = pack.section("scanning-on-street")
    (table,) = [t for t in section.tables if "same month last year" in t.title]
    expected = seasonality_for(demo_con, audience, "on_street")
    assert [r[0] for r in table.rows] == [f"{m:%b %Y}" for m in expected["month"]]
    for row, r in zip(table.rows, expected.itertuples()):
        for cell, value, state in ((row[1], r.this_year, r.this_state),
                                   (row[2], r.last_year, r.last_state)):
            if state == "shown":
                assert cell.value == value and cell.kind == "count"
            else:
                assert cell == state and pd.isna(value)
    for fig in table.figures():
        check_figure(demo_con, audience, pack, fig)
    assert re.search(r"each month against the same month last year", page)
