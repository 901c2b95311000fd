"""profiles.planning.response: evaluation of a response from released counts, its cautions in
plain words, its verdict and its CSV; and profiles.planning.scenario_check's placing rule."""
from __future__ import annotations

import io

import h3
import pandas as pd
import pytest

from profiles.planning import DisplacementError, evaluate_areas
from profiles.planning.evaluation import wdd, wdq
from profiles.planning.scenario_check import placed

TOWN, WARD = "Town Centre Beat (synthetic)", "Dunwray Ward (synthetic)"
BEFORE, AFTER = ("2024-11-04", "2025-10-27"), ("2025-11-03", "2026-10-26")
SEA = h3.latlng_to_cell(54.9, 4.0, 9)  # far out at sea: never an event


def test_statistics_are_the_pinned_functions_on_the_counts(demo_con):
    ev = evaluate_areas(demo_con, "analyst", target=TOWN, control=WARD, before=BEFORE,
                        after=AFTER)
    k = ev.counts
    assert ev.wdq == wdq(k["target_before"], k["target_after"], k["buffer_before"],
                         k["buffer_after"], k["control_before"], k["control_after"])
    assert ev.wdd == wdd(k["target_before"], k["target_after"], k["control_before"],
                         k["control_after"])
    assert ev.table["change"].tolist() == [k[f"{z}_after"] - k[f"{z}_before"]
                                           for z in ("target", "buffer", "control")]


def test_a_control_with_no_events_is_said_in_words(demo_con):
    ev = evaluate_areas(demo_con, "analyst", target=TOWN, control=[SEA], before=BEFORE,
                        after=AFTER)
    assert ev.wdq is None and ev.wdd is not None
    assert any(p.startswith("The control has no events in the before or the after period")
               for p in ev.problems)
    assert "Displacement cannot be judged without a control that has events" in ev.verdict
    assert any("Too few events for the tests to mean much" in p for p in ev.problems)


def test_unequal_periods_and_overlap_are_cautions(demo_con):
    ev = evaluate_areas(demo_con, "analyst", target=TOWN, control=WARD, before=BEFORE,
                        after=("2025-11-03", "2026-01-26"))
    assert ev.weeks == {"before": 52, "after": 13}
    assert any("52 weeks and the after period 13" in p for p in ev.problems)
    assert any("choose a control farther away" in p for p in ev.problems)


@pytest.mark.parametrize("kwargs, match", [
    ({"control": TOWN}, "the control has no hexagons left outside the target and buffer"),
    ({"target": []}, "no target is chosen"),
    ({"target": ["not a hexagon"]}, "'not a hexagon' is neither"),
    ({"target": [h3.cell_to_parent(SEA, 8)]}, "works at resolution 9"),
    ({"after": BEFORE}, "the after period must start after the before period ends"),
    ({"before": ("2025-10-27", "2024-11-04")}, "the before period ends"),
    ({"before": ("soon", "later")}, "needs dates written as YYYY-MM-DD"),
    ({"rings": 0}, "1 to 5 rings of hexagons wide"),
], ids=["control-is-target", "empty", "not-hexagon", "coarse", "overlapping-periods",
        "backwards", "not-dates", "no-rings"])
def test_refusals_are_plain_words(demo_con, kwargs, match):
    args = {"target": TOWN, "control": WARD, "before": BEFORE, "after": AFTER, **kwargs}
    with pytest.raises(DisplacementError, match=match):
        evaluate_areas(demo_con, "analyst", **args)


def test_csv_is_marked_safe_and_holds_every_figure(demo_con):
    ev = evaluate_areas(demo_con, "analyst", target=TOWN, control=WARD, before=BEFORE,
                        after=AFTER)
    text = ev.to_csv()
    assert text.startswith("# OFFICIAL-SENSITIVE\n")
    frame = pd.read_csv(io.StringIO(text), comment="#")
    values = dict(zip(frame["measure"], frame["value"]))
    assert int(values["target before"]) == ev.counts["target_before"]
    assert float(values["weighted displacement quotient"]) == pytest.approx(ev.wdq.wdq,
                                                                            abs=1e-4)
    assert int(values["weighted displacement difference"]) == ev.wdd.wdd
    assert ev.verdict in frame["reading"].tolist()
    assert not any(str(v).startswith(("=", "+", "@")) for v in frame["reading"].dropna())


@pytest.mark.parametrize("observed, se, expected", [
    (3.0, 0.1, "inside the range"), (1.0, 0.0, "inside the range"),
    (7.0, 0.1, "above the range"), (7.0, 1.0, "above the range, but within chance"),
    (-2.0, 0.5, "below the range"), (float("nan"), 1.0, "cannot tell")])
def test_placing_an_observation_against_a_range(observed, se, expected):
    assert placed(observed, se, 1.0, 3.0, 6.0) == expected



def test_a_pack_section_from_hexagons_and_a_wider_ring(demo_con):
    from profiles.pack import EvaluationSpec, build_pack
    from profiles.release import release_counts

    frame = release_counts(demo_con, "analyst", "on_street", period="all").frame
    cells = frame[frame["resolution"] == 9].nlargest(3, "count")["h3_id"].tolist()
    spec = EvaluationSpec("Three hexagons", target=cells, control=WARD, before=BEFORE,
                          after=AFTER, rings=2, audience="analyst")
    assert spec.target == tuple(sorted(cells))
    pack = build_pack(demo_con, "analyst", evaluations=[spec])
    section = next(s for s in pack.section("assessment").sections
                   if s.title == "Evaluation: Three hexagons")
    ev = evaluate_areas(demo_con, "analyst", target=cells, control=WARD, before=BEFORE,
                        after=AFTER, rings=2)
    assert "3 chosen hexagons (target), the 2 rings of hexagons around it" in \
        section.paragraphs[0]
    assert ev.verdict in section.paragraphs
    table = section.tables[0]
    assert [f.value for f in table.rows[1][1:]] == [ev.counts["buffer_before"],
                                                    ev.counts["buffer_after"]]
