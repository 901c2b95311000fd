"""Online adverts: refused identifiers, coarse places, thresholds on advertisers, indicator
figures, the Off-street page, the meeting pack, and patrol planning that never uses them."""
from __future__ import annotations

import datetime as dt

import h3
import pandas as pd
import pytest

# known answers of the arithmetic on released figures: exact figures (see conftest)
pytestmark = pytest.mark.usefixtures("exact_release")

from data_contracts import ContractError, read_feed
from data_contracts.feeds import ADVERT_INDICATORS
from profiles.analyses import CAUTION, online_picture
from profiles.pack import build_pack, render_html
from profiles.planning.patrols import PatrolError, plan_patrols
from profiles.release import release_counts
from profiles.store import database as store
from profiles.store.ingest import ingest_file
from profiles.store.keys import load_key

TODAY = dt.date(2026, 11, 2)
HEAD = "lat,lon,seen_on,platform_type"
#: A point in Lanternford (synthetic), and a Monday in its data.
LAT, LON, DAY = 54.5031, 1.0043, "2025-03-05"
WARD = "Dunwray Ward (synthetic)"


def _adverts(rows: list[dict]) -> str:
    frame = pd.DataFrame(rows)
    return frame.to_csv(index=False)


def _row(key="", **flags) -> dict:
    row = {"lat": LAT, "lon": LON, "seen_on": DAY, "platform_type": "escort_directory",
           "advertiser_key": key}
    row.update({f: "yes" if flags.get(f) else "no" for f in ADVERT_INDICATORS})
    return row


# ---- refused whole ------------------------------------------------------------------------

@pytest.mark.parametrize("column,why", [
    ("advert_url", "an online identifier"),
    ("Link", "a web address leads to the advert"),
    ("phone_number", "a phone number identifies"),
    ("contact number", "a contact detail or listing reference"),
    ("handle", "an online identifier"),
    ("e-mail", "an e-mail address identifies"),
    ("advert_text", "advert text can identify"),
    ("photo", "an image identifies"),
    ("name", "a name identifies"),
], ids=["url", "link", "phone", "contact", "handle", "email", "text", "photo", "name"])
def test_identifying_columns_are_refused_by_name(column, why):
    text = f"{HEAD},{column}\n{LAT},{LON},{DAY},classifieds,x\n".encode()
    with pytest.raises(ContractError, match=rf"column '{column}' is refused: {why}"):
        read_feed("online_adverts", "ads.csv", data=text, today=TODAY)


@pytest.mark.parametrize("value,kind", [
    ("https://adult-site.example/ad/123", "a web address"),
    ("www.example.co.uk/profile", "a web address"),
    ("07700 900123", "a phone number"),
    ("+44 7700 900123", "a phone number"),
    ("someone@example.org", "an e-mail address"),
    ("@new_in_town_22", "a social-media handle"),
    ("IMG_2231.jpg", "an image"),
    ("New in town this week only, sweet and discreet, call me for a good time", "advert text"),
], ids=["url", "www", "phone", "phone-intl", "email", "handle", "image", "text"])
def test_identifying_values_are_refused_whatever_the_column_is_called(value, kind):
    text = _adverts([{**_row(), "ref": value}]).encode()
    with pytest.raises(ContractError, match=rf"column 'ref' holds {kind} \(first at row 1\)") \
            as err:
        read_feed("online_adverts", "ads.csv", data=text, today=TODAY)
    assert value not in str(err.value)            # the message never repeats the identifier


def test_plain_values_are_not_mistaken_for_identifiers():
    rows = [_row("SYN-ADV-1"), {**_row(), "lat": "", "lon": "", "area": WARD},
            {**_row(), "lat": "", "lon": "", "h3_cell": h3.latlng_to_cell(LAT, LON, 8)},
            {**_row(), "lat": "-0.1234567890", "lon": "54.12345678"}]
    checked = read_feed("online_adverts", "ads.csv", data=_adverts(rows).encode(),
                        today=TODAY)
    assert len(checked.rows) == 3 and len(checked.problems) == 1   # only the impossible point
    assert checked.problems[0].reason.startswith("point is outside")


# ---- places ---------------------------------------------------------------------------------

@pytest.fixture
def areas_db(empty_db, town_files):
    """A fresh store holding only the synthetic town's areas: (con, key)."""
    con, key, _ = empty_db
    ingest_file(con, "areas", town_files["areas"], key=key)
    return con, key


def _load(con, key, tmp_path, rows, name="ads.csv"):
    path = tmp_path / name
    path.write_text(_adverts(rows))
    return ingest_file(con, "online_adverts", path, key=key, today=TODAY,
                       quarantine_dir=tmp_path / "q")


def test_places_are_coarsened_to_resolution_7_and_unknown_areas_quarantined(areas_db,
                                                                            tmp_path):
    con, key = areas_db
    coarse_cell = h3.latlng_to_cell(LAT, LON, 6)
    rows = [_row("A"), {**_row("B"), "lat": "", "lon": "", "area": WARD},
            {**_row("C"), "lat": "", "lon": "", "area": "Nowhere Ward"},
            {**_row("D"), "lat": "", "lon": "", "h3_cell": coarse_cell},
            {**_row("E"), "lat": "", "lon": "", "area": ""}]
    result = _load(con, key, tmp_path, rows)
    assert (result.read, result.loaded, result.quarantined) == (5, 2, 3)
    reasons = {r for (r,) in con.execute("SELECT reason FROM quarantine").fetchall()}
    assert "h3_cell is coarser than resolution 7; give an area name instead" in reasons
    assert "row has no place: give an area name, an h3_cell, or lat and lon" in reasons
    assert any(r.startswith("area is not a loaded area (Ashcombe Ward") for r in reasons)
    cells = [h3.int_to_str(c) for (c,) in con.execute(
        "SELECT DISTINCT cell FROM facts WHERE feed = 'online_adverts'").fetchall()]
    point7 = h3.latlng_to_cell(LAT, LON, 7)
    assert h3.cell_to_center_child(point7, 9) in cells      # the point, coarsened
    for cell in cells:                                      # nothing finer than res 7 kept
        assert h3.cell_to_center_child(h3.cell_to_parent(cell, 7), 9) == cell
    ward = {h3.int_to_str(c) for (c,) in con.execute(
        "SELECT cell FROM area_cells JOIN areas USING (area_id) WHERE name = ?",
        [WARD]).fetchall()}
    assert any(c in ward for c in cells)                    # the ward's advert is in the ward
    weeks = con.execute("SELECT DISTINCT week, dow, band FROM facts WHERE feed = "
                        "'online_adverts'").fetchall()
    assert weeks == [(dt.date(2025, 3, 3), 0, "unknown")]   # the day seen, kept as its week


# ---- thresholds count advertisers ----------------------------------------------------------

@pytest.mark.parametrize("audience", ["partnership", "command"])
def test_many_adverts_from_few_advertisers_are_never_shown(areas_db, tmp_path, audience):
    con, key = areas_db
    _load(con, key, tmp_path, [_row("A") for _ in range(12)] + [_row("B") for _ in range(12)])
    for feed in ("online_adverts", "advertisers"):
        assert release_counts(con, audience, feed, period="all").total == 0, feed


def test_the_same_adverts_from_enough_advertisers_are_shown_never_finer_than_res_7(areas_db,
                                                                                  tmp_path):
    con, key = areas_db
    _load(con, key, tmp_path, [_row(f"K{i}") for i in range(3) for _ in range(8)])
    rel = release_counts(con, "command", "online_adverts", period="all")
    assert rel.total == 24                          # 3 advertisers reach command's threshold
    assert (rel.frame["resolution"] <= 7).all()     # the floor is 9, adverts stop at 7
    assert "no finer than H3 resolution 7" in rel.statement
    assert "at least 3 advertisers lie behind them" in rel.statement
    assert release_counts(con, "command", "advertisers", period="all").total == 3
    assert release_counts(con, "partnership", "online_adverts", period="all").total == 0


def test_adverts_without_a_key_each_count_as_an_advertiser(areas_db, tmp_path):
    con, key = areas_db
    _load(con, key, tmp_path, [_row() for _ in range(3)])
    assert release_counts(con, "command", "online_adverts", period="all").total == 3


def test_advertisers_seen_again_in_a_later_file_are_not_counted_twice(areas_db, tmp_path):
    con, key = areas_db
    rows = [_row(f"K{i}") for i in range(4)]
    _load(con, key, tmp_path, rows, "first.csv")
    _load(con, key, tmp_path, rows + [_row()], "second.csv")
    assert release_counts(con, "analyst", "online_adverts", period="all").total == 9
    assert release_counts(con, "analyst", "advertisers", period="all").total == 5


# ---- indicator figures ---------------------------------------------------------------------

def test_each_indicator_is_its_own_figure_under_the_threshold(areas_db, tmp_path):
    con, key = areas_db
    rows = ([_row(f"L{i}", linked_adverts=True) for i in range(2) for _ in range(5)]
            + [_row(f"F{i}", frequent_changes=True) for i in range(4)]
            + [_row(f"N{i}") for i in range(6)])
    _load(con, key, tmp_path, rows)
    rel = release_counts(con, "command", "advert_indicators", period="all", by=("category",))
    shown = rel.frame.groupby("category")["count"].sum().to_dict()
    # 10 linked adverts from 2 advertisers: hidden; 4 advertisers with frequent changes:
    # shown; 6 advertisers with an indicator; never combined into one figure
    assert shown == {"frequent_changes": 4, "any_indicator": 14}
    pic = online_picture(con, "command", period="all")
    assert pic.adverts == 20 and pic.with_indicator == 14 and pic.share == pytest.approx(0.7)
    assert pic.indicators.set_index("key")["count"]["linked_adverts"] == 0


def test_released_indicators_on_the_demo_obey_the_partnership_policy(demo_con):
    rel = release_counts(demo_con, "partnership", "advert_indicators", period="quarter",
                         by=("category",))
    assert len(rel.frame) and "(combined)" not in set(rel.frame["category"])
    assert ((rel.frame["count"] >= 5) & (rel.frame["count"] % 5 == 0)).all()
    assert (rel.frame["resolution"] <= 7).all()
    raw = demo_con.execute("SELECT count(DISTINCT subject) FROM subjects WHERE feed = "
                           "'advert_indicators' AND category = 'possible_under_18'").fetchall()
    assert 0 < raw[0][0] < 5                         # present, and too few to show
    assert "possible_under_18" not in set(rel.frame["category"])


def test_the_feed_refuses_breakdowns_it_does_not_carry(demo_con):
    from profiles.release import ReleaseError

    with pytest.raises(ReleaseError, match="counted by week and place only"):
        release_counts(demo_con, "command", "online_adverts", by=("dow",))


# ---- patrol planning never uses adverts ----------------------------------------------------

def test_patrol_planning_never_uses_online_adverts(demo_copy, tmp_path):
    con = store.connect(demo_copy)
    before = plan_patrols(con, "command", top=15)
    # a flood of adverts from many advertisers in one place, in every week of the data
    weeks = [w for w in pd.date_range("2024-11-04", "2026-10-26", freq="7D")]
    rows = [{**_row(f"FLOOD{i}"), "seen_on": f"{w:%Y-%m-%d}"} for w in weeks for i in range(6)]
    result = _load(con, load_key(demo_copy), tmp_path, rows, "flood.csv")
    assert result.loaded == len(rows)
    after = plan_patrols(con, "command", top=15)
    pd.testing.assert_frame_equal(before.proposals, after.proposals)
    pd.testing.assert_frame_equal(before.excluded, after.excluded)
    with pytest.raises(PatrolError, match="not 'online_adverts'"):
        plan_patrols(con, "command", weights={"online_adverts": 1})
    con.close()


# ---- the Off-street page and the pack ---------------------------------------------------------

@pytest.mark.parametrize("meeting", [False, True], ids=["analyst", "meeting-mode"])
def test_off_street_page_shows_premises_and_the_online_picture(demo_db, monkeypatch, meeting):
    from apptest_pages import open_page

    monkeypatch.setenv("LANTERN_DB", str(demo_db))
    at = open_page("premises.py", audience="analyst", meeting_mode=meeting)
    assert at.title[0].value == "Off-street"
    assert [h.value for h in at.header] == ["Premises assessments", "The online picture"]
    labels = [m.label for m in at.metric]
    assert {"Adverts shown", "Adverts with any indicator", "Share with an indicator",
            "Advertisers seen per week"} <= set(labels)
    assert any(w.value == CAUTION for w in at.warning)
    # the chart tables (text alternatives of the premises and adverts charts) come first
    area, indicators = (d.value for d in at.dataframe
                        if list(d.value.columns)[0] in ("Area", "Indicator"))
    charts = [d.value for d in at.dataframe
              if "adverts (released total)" in d.value.columns]
    assert len(charts) == 1
    if meeting:   # the adverts chart's table holds only partnership figures as well
        assert all(pd.isna(v) or int(v) % 5 == 0
                   for v in charts[0]["adverts (released total)"])
    assert list(area.columns) == ["Area", "Adverts", "Advertisers per week",
                                  "With any indicator", "Share with an indicator"]
    assert len(indicators) == 7 and indicators.iloc[-1, 0] == "Any indicator"
    if meeting:   # locked to the partnership: every shown advert count is 0 or 5, 10, ...
        for v in list(area["Adverts"]) + list(indicators.iloc[:, 1]):
            assert v == "not shown" or int(v.replace(",", "")) % 5 == 0
        assert indicators.set_index("Indicator").loc["Possibly under 18"].iloc[0] == \
            "not shown"


def test_pack_has_an_online_part_and_its_response_leads_with_outreach(demo_con):
    pack = build_pack(demo_con, "partnership", now=dt.datetime(2026, 11, 2, 9, 30))
    scan, analysis = pack.section("scanning-online"), pack.section("analysis-online")
    assert scan.figures[0].value > 0 and scan.bullets
    assert CAUTION in analysis.paragraphs
    (indicators, by_area) = analysis.tables
    assert [r[0] for r in indicators.rows][-1] == "Any indicator"
    assert len(by_area.rows) == 4
    titles = [s.title for s in pack.section("response").sections]
    online = next(i for i, t in enumerate(titles) if t.startswith("2. Online adverts"))
    enforcement = next(i for i, t in enumerate(titles) if "Enforcement" in t)
    assert online == 1 and online < enforcement
    text = " ".join(pack.section("response-online").paragraphs)
    assert "support services" in text and "never as grounds for a visit or enforcement" in text
    page = render_html(pack)
    for key in ("scanning-online", "analysis-online", "response-online"):
        assert f'data-section="{key}"' in page


def test_a_store_without_adverts_says_not_loaded_in_the_pack(demo_copy):
    con = store.connect(demo_copy)
    con.execute("DELETE FROM facts WHERE feed IN ('online_adverts', 'advert_indicators', "
                "'advertisers')")
    con.execute("DELETE FROM subjects WHERE feed IN ('online_adverts', 'advert_indicators', "
                "'advertisers')")
    con.execute("DELETE FROM ingests WHERE feed = 'online_adverts'")
    pack = build_pack(con, "partnership")
    assert "Online adverts: none shown" in pack.section("scanning-online").bullets[0]
    quality = " ".join(pack.section("data-quality").paragraphs
                       + pack.section("data-quality").notes
                       + pack.section("data-quality").bullets)
    assert "Online adverts" in quality
    con.close()
