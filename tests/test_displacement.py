"""Tests for profiles.planning.displacement (forward scenarios, evaluation from released counts) and
profiles.planning.scenarios (save, load, list, compare, export).

Conservation and "never outside the study area" are checked on the demo town and, as a
property, over random targets, shares and distances on a small constructed store.
"""
from __future__ import annotations

import json
import math

import h3
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from profiles.cli import main
from profiles.planning.displacement import (INTERVENTIONS, LEVELS, DisplacementError,
                                            ScenarioOptions, simulate,
                                            study_cells)
from profiles.planning.response import evaluate_areas, ring_buffer
from profiles.planning.evaluation import wdd, wdq
from profiles.planning.patrols import released_activity
from profiles.release.api import release_counts
from profiles.planning.scenarios import (ScenarioError, compare_scenarios, list_scenarios,
                                load_scenario, save_scenario, scenario_dir, scenario_to_csv,
                                scenarios_to_html)
from test_patrols import CENTRE, build_store

RING2 = sorted(h3.grid_ring(CENTRE, 2))
DARK, HOMES = RING2[0], RING2[6]      # a lighting fault; residential with community concerns
SITE = sorted(h3.grid_ring(CENTRE, 4))[3]


def check_conserved(sc, study):
    """Moved + unplaced = share x reduced for every level; nothing leaves the study area."""
    cells, t = sc.cells, sc.totals
    targets = cells[cells.role == "target"]
    recips = cells[cells.role == "recipient"]
    assert set(recips.h3_id) <= set(study) - set(targets.h3_id)
    assert set(targets.h3_id) == set(sc.params["targets"])
    reduced = sc.params["reduction"] * targets.baseline.sum()
    for lvl, share in zip(LEVELS, sc.params["shares"]):
        moved = recips[f"change_{lvl}"].sum()
        assert moved + t.loc[lvl, "unplaced"] == pytest.approx(share * reduced, abs=1e-9)
        assert t.loc[lvl, "moved"] == pytest.approx(moved, abs=1e-9)
        assert (recips[f"change_{lvl}"] >= 0).all()
        assert targets[f"change_{lvl}"].to_numpy() == pytest.approx(
            -sc.params["reduction"] * targets.baseline.to_numpy())


@pytest.mark.parametrize("audience,intervention", [
    ("analyst", "patrol"), ("analyst", "enforcement"), ("partnership", "premises_closure"),
    ("partnership", "environmental_improvement")],
    ids=["analyst-patrol", "analyst-enforcement", "partnership-closure",
         "partnership-lighting"])
def test_demo_scenario_conserves_activity(demo_con, audience, intervention):
    busy = released_activity(demo_con, audience, "on_street").sort_values()
    study = study_cells(demo_con, audience)
    targets = [c for c in busy.index[::-1] if c in set(study)][:4]
    sc = simulate(demo_con, audience, targets=targets, intervention=intervention)
    check_conserved(sc, study)
    assert sc.totals.loc["central", "moved"] > 0
    assert sc.params["shares"] == list(INTERVENTIONS[intervention].shares)


def test_target_by_area_name(demo_con):
    sc = simulate(demo_con, "analyst", targets="Town Centre Beat (synthetic)",
                  intervention="patrol")
    beat = set(h3.cell_to_parent(c, 9) for c in sc.params["targets"])
    assert len(beat) == len(sc.params["targets"]) > 10
    check_conserved(sc, study_cells(demo_con, "analyst"))


def test_interventions_are_ordered_by_displacement():
    high = {k: v.shares[2] for k, v in INTERVENTIONS.items()}
    assert high["enforcement"] == max(high.values())
    assert high["environmental_improvement"] == min(high.values())


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    facts = [("on_street", c, 4, "evening", 5 + 3 * (i % 4))
             for i, c in enumerate(sorted(h3.grid_disk(CENTRE, 2)))]
    facts += [("community_concerns", HOMES, 4, "unknown", 10)]
    env = [(DARK, "lighting_fault"), (HOMES, "residential"), (RING2[3], "transport_route")]
    sites = [(SITE, "drop_in", 0b0011111, 600, 960, False)]
    path = tmp_path_factory.mktemp("small") / "small.duckdb"
    con = build_store(path, facts=facts, env=env, sites=sites, area_rings=4)
    yield con, path
    con.close()


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_property_conserved_and_inside_area(small, data):
    con, _ = small
    study = study_cells(con, "analyst")
    targets = data.draw(st.lists(st.sampled_from(study), min_size=1, max_size=6, unique=True))
    shares = sorted(data.draw(st.lists(st.floats(0, 1), min_size=3, max_size=3)))
    reduction = data.draw(st.floats(0.01, 1))
    max_km = data.draw(st.floats(0.1, 3))
    decay = data.draw(st.floats(0.1, 2))
    sc = simulate(con, "analyst", targets=targets, intervention="enforcement",
                  reduction=reduction, displaced_shares=shares, max_km=max_km, decay_km=decay)
    check_conserved(sc, study)
    assert (sc.cells.distance_km[sc.cells.role == "recipient"] <= max_km + 1e-9).all()


def test_unplaced_when_no_hexagon_within_reach(small):
    con, _ = small
    sc = simulate(con, "analyst", targets=[CENTRE], intervention="patrol", max_km=0.1)
    t = sc.totals
    assert (sc.cells.role == "target").all()
    for lvl in LEVELS:
        assert t.loc[lvl, "moved"] == 0
        assert t.loc[lvl, "unplaced"] == pytest.approx(t.loc[lvl, "displaced"]) and \
            t.loc[lvl, "displaced"] > 0
    assert any("unplaced" in n for n in sc.notes)


def test_whole_area_targeted_leaves_all_unplaced(small):
    con, _ = small
    study = study_cells(con, "analyst")
    sc = simulate(con, "analyst", targets=study, intervention="patrol")
    assert sc.totals.loc["high", "unplaced"] == pytest.approx(sc.totals.loc["high", "displaced"])


def test_harm_flags_fire_on_constructed_cases(small):
    con, _ = small
    sc = simulate(con, "analyst", targets=[CENTRE], intervention="enforcement")
    cells = sc.cells.set_index("h3_id")
    recips = cells[cells.role == "recipient"]
    assert set(recips.index[recips.poorly_lit_or_isolated]) == {DARK}
    assert set(recips.index[recips.residential_concern]) == {HOMES}
    far = [c for c in recips.index if h3.great_circle_distance(
        h3.cell_to_latlng(c), h3.cell_to_latlng(SITE)) > 0.5 + 1e-9]
    near = [c for c in recips.index if c not in far]
    assert recips.loc[far, "no_outreach_reach"].all() and far
    assert not recips.loc[near, "no_outreach_reach"].any() and near
    t = sc.totals.loc["central"]
    assert t.moved_poorly_lit_or_isolated == pytest.approx(recips.loc[DARK, "change_central"])
    assert t.moved_residential_concern == pytest.approx(recips.loc[HOMES, "change_central"])
    words = " ".join(sc.flags)
    for phrase in ("no outreach reach", "poorly lit or isolated", "residential areas"):
        assert phrase in words
    # the lighting fault adds its documented weight (0.5) to DARK's suitability, nothing else
    unlit = simulate(con, "analyst", targets=[CENTRE], intervention="enforcement",
                     suitability_weights={"lighting_fault": 0}).cells.set_index("h3_id")
    diff = cells.suitability - unlit.suitability
    assert diff[DARK] == pytest.approx(0.5)
    assert diff.drop(DARK).abs().max() < 1e-12


@pytest.mark.parametrize("kwargs,match", [
    ({"intervention": "curfew"}, r"the intervention must be one of 'patrol', 'enforcement'"),
    ({"displaced_shares": (0.5, 0.1, 0.2)}, r"the displaced shares must be three shares 0–1 in"),
    ({"displaced_shares": (0.1, 0.2)}, r"the displaced shares must be three shares"),
    ({"reduction": 0}, r"the expected reduction must be a share above 0 and at most 1"),
    ({"max_km": 0}, r"the furthest move must be a distance above 0"),
    ({"targets": []}, r"no target is chosen"),
    ({"targets": ["891f1d48177ffff"]}, r"is outside the study area"),
    ({"targets": [h3.cell_to_parent(CENTRE, 8)]}, r"works at resolution 9"),
    ({"targets": "Nowhere Ward"}, r"neither a list of hexagon ids nor a known area"),
], ids=["unknown-intervention", "shares-unordered", "two-shares", "zero-reduction",
        "zero-distance", "no-targets", "outside-area", "wrong-resolution", "unknown-area"])
def test_bad_scenarios_are_refused(small, kwargs, match):
    con, _ = small
    args = {"targets": [CENTRE], "intervention": "patrol", **kwargs}
    with pytest.raises(DisplacementError, match=match):
        simulate(con, "analyst", **args)


def test_save_load_list_compare_roundtrip(small, tmp_path):
    con, _ = small
    folder = tmp_path / "lantern-scenarios"
    a = simulate(con, "analyst", targets=[CENTRE], intervention="enforcement")
    b = simulate(con, "analyst", targets=[CENTRE], intervention="environmental_improvement")
    save_scenario(a, "Crackdown", folder)
    save_scenario(b, "Lighting", folder)
    back = load_scenario("Crackdown", folder, audience="analyst")
    pd.testing.assert_frame_equal(back.cells, a.cells, check_dtype=False)
    pd.testing.assert_frame_equal(back.totals, a.totals, check_dtype=False)
    assert back.params == json.loads(json.dumps(a.params)) and back.flags == a.flags
    listed = list_scenarios(folder)
    assert sorted(listed.name) == ["Crackdown", "Lighting"]
    table = compare_scenarios([back, load_scenario("Lighting", folder)])
    assert list(table.columns) == ["Crackdown", "Lighting"]
    assert table.loc["intervention", "Lighting"].startswith("environmental improvement")
    with pytest.raises(ScenarioError, match="already exists"):
        save_scenario(a, "crackdown", folder)
    with pytest.raises(ScenarioError, match="a scenario name must be 1–60 letters"):
        save_scenario(a, "../etc/passwd", folder)
    with pytest.raises(ScenarioError, match="released for audience 'analyst', not "
                                            "'partnership'"):
        load_scenario("Crackdown", folder, audience="partnership")
    with pytest.raises(ScenarioError, match="no scenario named 'Nope'.*'Crackdown'"):
        load_scenario("Nope", folder)
    p = simulate(con, "partnership", targets=[h3.cell_to_parent(CENTRE, 8)],
                 intervention="patrol")
    with pytest.raises(ScenarioError, match="different audiences"):
        compare_scenarios([a, p])
    assert list_scenarios(folder, audience="partnership").empty


def test_saved_file_holds_only_released_figures(small, tmp_path):
    con, _ = small
    sc = simulate(con, "partnership", targets=[h3.cell_to_parent(CENTRE, 8)],
                  intervention="enforcement")
    path = save_scenario(sc, "Partnership view", tmp_path)
    doc = json.loads(path.read_text())
    assert doc["marking"] == "OFFICIAL-SENSITIVE" and "at least 5" in doc["statement"]
    released = release_counts(con, "partnership", "on_street", period="all").frame
    shown = dict(zip(released.h3_id, released["count"]))
    for row in doc["cells"]:
        assert h3.get_resolution(row["h3_id"]) == 8
        assert row["baseline"] == shown.get(row["h3_id"], 0)
        assert row["baseline"] == 0 or row["baseline"] >= 5


def test_exports_carry_the_marking(small):
    con, _ = small
    sc = simulate(con, "analyst", targets=[CENTRE], intervention="patrol")
    csv_text = scenario_to_csv(sc)
    assert csv_text.startswith("# OFFICIAL-SENSITIVE\n")
    body = pd.read_csv(__import__("io").StringIO(csv_text), comment="#")
    assert len(body) == len(sc.cells)
    page = scenarios_to_html([sc])
    assert page.count("OFFICIAL-SENSITIVE — audience analyst") == 2
    assert "http" not in page


def test_cli_simulate_save_compare_export(small, capsys):
    _, path = small
    db = str(path)
    common = ["displacement", "simulate", "--db", db, "--audience", "partnership",
              "--targets", h3.cell_to_parent(CENTRE, 8)]
    assert main(common + ["--intervention", "enforcement", "--save", "CLI one"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0] == "OFFICIAL-SENSITIVE" and out[-1] == "OFFICIAL-SENSITIVE"
    table = out[out.index("Largest expected changes (central):") + 2:-1]
    for line in table:
        baseline = float(line.split()[2])
        assert baseline == 0 or baseline >= 5
    assert main(common + ["--intervention", "patrol", "--save", "CLI two"]) == 0
    capsys.readouterr()
    assert (scenario_dir(db) / "cli-one.json").exists()
    assert main(["displacement", "compare", "CLI one", "CLI two", "--db", db,
                 "--audience", "partnership"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0] == "OFFICIAL-SENSITIVE" and out[-1] == "OFFICIAL-SENSITIVE"
    assert main(["displacement", "export", "CLI one", "--db", db, "--audience",
                 "partnership"]) == 0
    assert capsys.readouterr().out.startswith("# OFFICIAL-SENSITIVE\n")
    assert main(["displacement", "compare", "CLI one", "--db", db, "--audience",
                 "analyst"]) == 1
    assert "released for audience 'partnership'" in capsys.readouterr().err
    assert main(["displacement", "list", "--db", db]) == 0
    assert "CLI one" in capsys.readouterr().out


def test_evaluate_areas_uses_released_counts(demo_con):
    before, after = ("2024-11-04", "2025-10-27"), ("2025-11-03", "2026-10-26")
    ev = evaluate_areas(demo_con, "analyst", target="Town Centre Beat (synthetic)",
                        control="Dunwray Ward (synthetic)", before=before, after=after)
    t, b, c = ev.cells["target"], ev.cells["buffer"], ev.cells["control"]
    assert not (set(t) & set(b)) and not (set(t) & set(c)) and not (set(b) & set(c))
    assert set(b) <= set(ring_buffer(t))
    frame = release_counts(demo_con, "analyst", "on_street", period="all", start=before[0],
                           end=before[1]).frame
    home = [h3.cell_to_center_child(c, 9) for c in frame.h3_id]
    assert ev.counts["target_before"] == frame["count"][[h in set(t) for h in home]].sum()
    assert ev.counts["target_before"] >= frame[frame.h3_id.isin(t)]["count"].sum() > 0
    k = ev.counts
    assert ev.wdq.wdq == wdq(k["target_before"], k["target_after"], k["buffer_before"],
                             k["buffer_after"], k["control_before"], k["control_after"]).wdq
    assert ev.wdd.se == pytest.approx(math.sqrt(k["target_before"] + k["target_after"]
                                                + k["control_before"] + k["control_after"]))
    assert ev.wdd.wdd == wdd(k["target_before"], k["target_after"], k["control_before"],
                             k["control_after"]).wdd
    assert any("control leaves out" in p for p in ev.problems)


def test_cli_evaluate_is_marked(demo_db, capsys):
    assert main(["evaluate", "--db", str(demo_db), "--target", "Town Centre Beat (synthetic)",
                 "--control", "Dunwray Ward (synthetic)", "--before",
                 "2024-11-04:2025-10-27", "--after", "2025-11-03:2026-10-26"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0] == "OFFICIAL-SENSITIVE" and out[-1] == "OFFICIAL-SENSITIVE"
    assert any(line.startswith("WDQ ") for line in out)
    assert any(line.startswith("WDD ") for line in out)
    for line in out[3:6]:
        before, after = int(line.split()[1]), int(line.split()[2])
        assert before == 0 or before >= 3
        assert after == 0 or after >= 3


def test_options_give_the_same_scenario_as_keywords_and_keywords_override_them(small):
    con, _ = small
    options = ScenarioOptions(targets=[CENTRE], intervention="enforcement", max_km=1.0)
    by_options = simulate(con, "analyst", options)
    by_keywords = simulate(con, "analyst", targets=[CENTRE], intervention="enforcement",
                           max_km=1.0)
    assert by_options.params == by_keywords.params
    pd.testing.assert_frame_equal(by_options.cells, by_keywords.cells)
    nearer = simulate(con, "analyst", options, max_km=0.1)
    assert nearer.params["max_km"] == 0.1 and options.max_km == 1.0
