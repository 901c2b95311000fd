"""Tests for profiles.planning.patrols: ranking, weights, exclusion zones, displacement risk, the brief.

The exclusion tests build a store with outreach sites at known hexagons and hours, and check
every proposal against distances and opening bands worked out here by hand (great-circle
distance from h3, opening bands written out), not with the module's own helpers.
"""
from __future__ import annotations

import re

import h3
import pytest

from profiles.store import database as store
from profiles.cli import main
from profiles.planning.patrols import (DEFAULT_WEIGHTS, PURPOSE, PatrolError, open_slots,
                              patrol_brief_html, plan_patrols, released_slots)
from profiles.release.api import clear_release_cache, release_counts

CENTRE = "8919441598fffff"          # a resolution-9 hexagon in the synthetic town
RING3 = sorted(h3.grid_ring(CENTRE, 3))
VAN = RING3[0]                      # van stop, three rings out
CLINIC = sorted(h3.grid_ring(CENTRE, 7))[9]   # confidential clinic, well away from the others
BANDS = ("night", "morning", "afternoon", "evening")
# Opening bands written out by hand (dow 0 = Monday).
DROP_IN_OPEN = {(d, b) for d in range(5) for b in ("morning", "afternoon")}  # Mon–Fri 10–16
VAN_OPEN = {(1, "evening"), (2, "night")}                                     # Tue 21:00–01:00


def km(a: str, b: str) -> float:
    return h3.great_circle_distance(h3.cell_to_latlng(a), h3.cell_to_latlng(b), unit="km")


def build_store(path, *, facts=(), sites=(), env=(), area_rings=5, ward_name="West Ward "
                "(synthetic)", salt=None):
    """A store with one force area (a disk around CENTRE), one ward (its western half),
    facts ``(feed, cell, dow, band, n)``, sites ``(cell, type, days, opens, closes, conf)``
    and environment ``(cell, feature)``."""
    con = store.connect(path)
    con.execute("INSERT INTO ingests VALUES (1, 'areas', 'test', 'sha-test', 'csv', "
                "DATE '2025-01-01', 1, 1, 0, 0, 0)")
    disk = sorted(h3.grid_disk(CENTRE, area_rings))
    lon0 = h3.cell_to_latlng(CENTRE)[1]
    con.execute("INSERT INTO areas VALUES (1, 'Test force (synthetic)', 'force', 1), "
                "(2, ?, 'ward', 1)", [ward_name])
    rows = [(1, h3.str_to_int(c)) for c in disk]
    rows += [(2, h3.str_to_int(c)) for c in disk if h3.cell_to_latlng(c)[1] <= lon0]
    con.executemany("INSERT INTO area_cells VALUES (?, ?)", rows)
    for sql, params in (
            ("INSERT INTO facts VALUES (?, ?, DATE '2025-01-06', ?, ?, 'x', 'y', ?, 0, 1)",
             [(f, h3.str_to_int(c), d, b, n) for f, c, d, b, n in facts]),
            ("INSERT INTO outreach_sites VALUES (?, ?, ?, ?, ?, ?, 1)",
             [(h3.str_to_int(c), t, days, o, cl, conf) for c, t, days, o, cl, conf in sites]),
            ("INSERT INTO environment VALUES (?, ?, NULL, 1, 1)",
             [(h3.str_to_int(c), f) for c, f in env])):
        if params:
            con.executemany(sql, params)
    store.set_meta(con, "synthetic", "true")
    if salt:                   # stores that must draw the same noise
        store.set_meta(con, "release_salt", salt)
    con.close()
    clear_release_cache()
    return store.connect(path, read_only=True)


SITES = [(CENTRE, "drop_in", 0b0011111, 600, 960, False),
         (VAN, "van_stop", 0b0000010, 1260, 60, False),
         (CLINIC, "clinic", 0b0000101, 780, 1020, True)]


@pytest.fixture(scope="module")
def zoned(tmp_path_factory):
    """Activity and harm in every hexagon of four rings, every day and band; three sites."""
    facts = []
    for i, c in enumerate(sorted(h3.grid_disk(CENTRE, 10))):
        for d in range(7):
            for j, b in enumerate(BANDS):
                facts.append(("on_street", c, d, b, 3 + (i * 7 + d * 3 + j) % 6))
                facts.append(("harm_reports", c, d, b, 3 + (i + d + j) % 4))
    path = tmp_path_factory.mktemp("zoned") / "zoned.duckdb"
    con = build_store(path, facts=facts, sites=SITES, area_rings=11)
    yield con, path
    con.close()


@pytest.mark.parametrize("radius", [0.0, 0.4, 0.8], ids=["0km", "0.4km", "0.8km"])
def test_exclusion_zones_hold_for_every_proposal(zoned, radius):
    con, _ = zoned
    plan = plan_patrols(con, "command", exclusion_km=radius, top=100_000)
    p = plan.proposals
    assert len(p) > 100
    for row in p.itertuples():
        days = range(7) if row.dow == -1 else [row.dow]
        assert km(row.h3_id, CLINIC) > radius, "proposed near a confidential site"
        for site, open_bands in ((CENTRE, DROP_IN_OPEN), (VAN, VAN_OPEN)):
            if km(row.h3_id, site) <= radius + 1e-9:
                assert not any((d, row.band) in open_bands for d in days), (row, site)
    # the drop-in's own hexagon is still proposed when the drop-in is closed ...
    assert ((p.h3_id == CENTRE) & (p.band == "evening")).any()
    # ... and is listed as excluded, with its reason, while open
    ex = plan.excluded
    mon_morning = ex[(ex.h3_id == CENTRE) & (ex.day == "Mon") & (ex.band == "morning")]
    assert len(mon_morning) == 1 and "drop-in" in mon_morning.reason.iloc[0]
    van = ex[(ex.h3_id == VAN)]
    assert set(zip(van.day, van.band)) == {("Tue", "evening"), ("Wed", "night")}


@pytest.mark.parametrize("radius", [0.0, 0.8], ids=["0km", "0.8km"])
def test_confidential_site_never_appears(zoned, radius):
    con, _ = zoned
    plan = plan_patrols(con, "command", exclusion_km=radius, top=100_000)
    withheld = plan.excluded[plan.excluded.h3_id == "withheld"]
    assert len(withheld) == 1
    assert withheld.reason.iloc[0].startswith("near a confidential support site")
    listed = set(plan.excluded.h3_id) | set(plan.proposals.h3_id) | set(plan.zones.h3_id)
    assert CLINIC not in listed
    # no excluded hexagon near the clinic is listed either (that would outline it)
    assert all(km(c, CLINIC) > radius for c in plan.excluded.h3_id if c != "withheld")
    assert not re.search(r"\d", withheld.reason.iloc[0]), "the plan says how many it withheld"
    page = patrol_brief_html(plan)
    assert CLINIC not in page and CLINIC not in plan.notice
    assert "clinic" not in page.lower()


@pytest.mark.parametrize("days,opens,closes,expected", [
    (0b0000001, 600, 720, {(0, "morning")}),
    (0b0000001, 600, 721, {(0, "morning"), (0, "afternoon")}),
    (0b1000000, 1320, 120, {(6, "evening"), (0, "night")}),
    (0b0000001, 0, 0, {(0, b) for b in BANDS}),
    (0, 600, 720, set()),
], ids=["ends-on-boundary", "one-minute-over", "sunday-past-midnight-wraps", "all-day",
        "no-days"])
def test_open_slots(days, opens, closes, expected):
    assert open_slots(days, opens, closes) == expected


@pytest.fixture
def two_cells(tmp_path):
    a, b = CENTRE, RING3[4]
    facts = [("harm_reports", a, 4, "evening", 20), ("harm_reports", b, 4, "evening", 3),
             ("community_concerns", b, 4, "unknown", 40),
             ("community_concerns", a, 4, "unknown", 3),
             ("on_street", a, 4, "evening", 5), ("on_street", b, 4, "evening", 5)]
    con = build_store(tmp_path / "two.duckdb", facts=facts)
    yield con, a, b
    con.close()


def test_weights_change_the_ranking(two_cells):
    con, a, b = two_cells
    harm = plan_patrols(con, "command", weights={"harm_reports": 1, "on_street": 0,
                                                 "community_concerns": 0})
    concern = plan_patrols(con, "command", weights={"harm_reports": 0, "on_street": 0,
                                                    "community_concerns": 1})
    assert harm.proposals.h3_id.iloc[0] == a
    assert concern.proposals.h3_id.iloc[0] == b
    assert harm.weights == {"harm_reports": 1.0, "on_street": 0.0, "community_concerns": 0.0}
    assert plan_patrols(con, "command").weights == DEFAULT_WEIGHTS


def test_components_explain_the_score(two_cells):
    con, a, _ = two_cells
    plan = plan_patrols(con, "command")
    row = plan.proposals.iloc[0]
    w = plan.weights
    # the components are shown to 4 decimals, the score as computed
    assert row.score == pytest.approx(sum(w[f] * row.components[f] for f in w) / sum(w.values()),
                                      abs=1e-4)


def test_partnership_is_refused(two_cells):
    con, _, _ = two_cells
    with pytest.raises(PatrolError, match=r"police-internal: audience 'partnership'.*"
                                          r"use audience='command'"):
        plan_patrols(con, "partnership")


@pytest.mark.parametrize("kwargs,match", [
    ({"weights": {"harm": 1}}, r"weights= takes harm_reports, on_street, community_concerns"),
    ({"weights": {"harm_reports": -1}}, r"weights\['harm_reports'\] must be a number 0 or more"),
    ({"weights": {f: 0 for f in DEFAULT_WEIGHTS}}, r"weights= are all zero"),
    ({"exclusion_km": -0.1}, r"exclusion_km= must be a distance 0–10 km"),
    ({"top": 0}, r"top= must be a whole number 1 or more"),
], ids=["unknown-feed", "negative", "all-zero", "negative-radius", "top-zero"])
def test_bad_settings_are_refused(two_cells, kwargs, match):
    con, _, _ = two_cells
    with pytest.raises(PatrolError, match=match):
        plan_patrols(con, "command", **kwargs)


def _risk_store(tmp_path, name, sites, env=()):
    facts = [("on_street", CENTRE, 5, "evening", 50)]
    facts += [("on_street", c, 5, "evening", 3) for c in RING3[:8]]
    return build_store(tmp_path / name, facts=facts, sites=sites, env=env)


def test_displacement_risk_high_without_safer_alternatives(tmp_path):
    con = _risk_store(tmp_path, "bare.duckdb", sites=())
    top = plan_patrols(con, "command", top=1).proposals.iloc[0]
    assert top.h3_id == CENTRE
    assert top.displacement_risk == "high"
    assert "top quarter" in top.reason and "0 safer hexagons" in top.reason


def test_displacement_risk_drops_with_outreach_nearby(tmp_path):
    nearby = sorted(h3.grid_ring(CENTRE, 1))[0]
    con = _risk_store(tmp_path, "reach.duckdb",
                      sites=[(nearby, "drop_in", 0b0000001, 600, 660, False)])
    top = plan_patrols(con, "command", top=1).proposals.iloc[0]
    assert top.h3_id == CENTRE
    assert top.displacement_risk == "medium"
    assert int(re.search(r"(\d+) safer hexagon", top.reason).group(1)) >= 3


def test_lighting_faults_make_alternatives_unsafe(tmp_path):
    nearby = sorted(h3.grid_ring(CENTRE, 1))[0]
    dark = [(c, "lighting_fault") for c in h3.grid_disk(CENTRE, 4)]
    con = _risk_store(tmp_path, "dark.duckdb",
                      sites=[(nearby, "drop_in", 0b0000001, 600, 660, False)], env=dark)
    top = plan_patrols(con, "command", top=1).proposals.iloc[0]
    assert top.displacement_risk == "high"


def test_released_slots_conserve_the_released_total(demo_con):
    for feed in ("on_street", "harm_reports", "community_concerns"):
        total = release_counts(demo_con, "command", feed, period="all",
                               by=("dow", "band")).total
        assert released_slots(demo_con, "command", feed).sum() == pytest.approx(total)


def test_notice_is_coarse_and_plain(demo_con):
    plan = plan_patrols(demo_con, "command")
    assert "(synthetic)" in plan.notice and "Ward" in plan.notice
    assert "not there to enforce" in plan.notice
    assert not re.search(r"\b[0-9a-f]{15}\b", plan.notice)
    assert not re.search(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b", plan.notice)
    assert plan.purpose == PURPOSE and "not enforcement" in PURPOSE


def test_brief_is_marked_escaped_and_self_contained(tmp_path):
    facts = [("harm_reports", CENTRE, 4, "evening", 9), ("on_street", CENTRE, 4, "evening", 9)]
    con = build_store(tmp_path / "b.duckdb", facts=facts, ward_name="<script>x</script> Ward")
    plan = plan_patrols(con, "command", area="<script>x</script> Ward")
    page = patrol_brief_html(plan)
    assert page.count("OFFICIAL-SENSITIVE —") == 2
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt; Ward" in page
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page)
    assert not re.search(r"(https?:)?//", text)
    assert re.findall(r"(?:src|href)=", text) == ["src="]
    assert "data:image/png;base64," in page
    assert "SYNTHETIC DEMONSTRATION DATA" in page


def test_cli_plan_is_marked_and_refuses_partnership(zoned, capsys):
    _, path = zoned
    assert main(["patrols", "plan", "--db", str(path), "--top", "5"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "OFFICIAL-SENSITIVE" and lines[-1] == "OFFICIAL-SENSITIVE"
    assert CLINIC not in "\n".join(lines)
    assert main(["patrols", "plan", "--db", str(path), "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("# OFFICIAL-SENSITIVE\n")
    assert main(["patrols", "plan", "--db", str(path), "--audience", "partnership"]) == 1
    assert "police-internal" in capsys.readouterr().err


def _withheld_by_attacker(con, plan) -> set:
    """What an attacker reads off a plan: released candidates less proposals less the
    listed public exclusions (every hexagon that scored, at top=100,000)."""
    cands = set()
    for feed in DEFAULT_WEIGHTS:
        cands |= set(released_slots(con, "command", feed).reset_index()["h3_id"])
    return cands - set(plan.proposals.h3_id) - set(plan.excluded.h3_id)


def test_no_number_of_plans_locates_a_confidential_site_within_its_zone(tmp_path):
    """Many plans (every distance, every length) from stores whose clinic sits in different
    hexagons of one resolution-8 parent are identical: nothing in them tells those sites
    apart, and what the attacker finds withheld always holds the whole parent and more.
    The stores share one release salt, so their noise is the same and only the site differs."""
    facts = [("on_street", c, d, b, 3 + (i + d) % 5)
             for i, c in enumerate(sorted(h3.grid_disk(CENTRE, 10)))
             for d in range(7) for b in BANDS]
    parent = h3.cell_to_parent(CLINIC, 8)
    spots = sorted(h3.cell_to_children(parent, 9))
    assert len(spots) == 7
    seen = []
    for n, spot in enumerate(spots[:3]):
        sites = [SITES[0], SITES[1], (spot, "clinic", 0b0000101, 780, 1020, True)]
        con = build_store(tmp_path / f"s{n}.duckdb", facts=facts, sites=sites, area_rings=11,
                          salt="one salt for every store")
        plans = []
        for radius in (0.0, 0.3, 0.8, 1.2):
            for top in (5, 100_000):
                plan = plan_patrols(con, "command", exclusion_km=radius, top=top)
                plans.append((plan.proposals.to_csv(), plan.excluded.to_csv(),
                              plan.zones.to_csv()))
                if top == 100_000:
                    found = _withheld_by_attacker(con, plan)
                    # the attacker's withheld set holds every child of the parent and is
                    # many times larger than the parent alone
                    assert set(spots) <= found and len(found) >= 7 * 7, (radius, len(found))
                    assert all(km(c, spot) > radius for c in plan.proposals.h3_id)
        con.close()
        seen.append(plans)
    assert all(p == seen[0] for p in seen[1:]), "plans tell two sites in one parent apart"
