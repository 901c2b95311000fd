"""Tests for the analysis commands: hotspots, change, coverage, premises."""
from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from profiles.release.audiences import get_policy
from profiles.cli import main

# Columns that hold released figures (or sums of them), per command.
COUNTS = {"hotspots": ["count"], "patterns": ["total"], "emerging": [], "change": ["before", "after"],
          "trend": ["count"], "premises": ["count"],
          "coverage": ["on_street", "harm_reports", "need", "reach", "need_in_larger",
                       "reach_in_larger"]}

RUNS = [
    ("hotspots", ["hotspots", "--feed", "on_street"]),
    ("patterns", ["hotspots", "--patterns", "quarter", "--recent", "2"]),
    ("emerging", ["hotspots", "--emerging"]),
    ("change", ["change", "--feed", "on_street", "--before", "2024-11-04:2025-10-27",
                "--after", "2025-11-03:2026-10-26"]),
    ("trend", ["change", "--feed", "harm_reports", "--trend", "month"]),
    ("coverage", ["coverage"]),
    ("premises", ["premises", "--period", "year"]),
]


def _run(capsys, argv):
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def _assert_released(frame, columns, policy):
    for col in columns:
        values = pd.to_numeric(frame[col], errors="coerce").dropna()
        shown = values[values != 0]
        assert (shown >= policy.threshold).all(), f"{col} holds a figure below the threshold"
        assert (shown % policy.rounding_base == 0).all(), f"{col} is not rounded"


@pytest.mark.parametrize("audience", ["partnership", "analyst"])
@pytest.mark.parametrize("kind, argv", RUNS, ids=[r[0] for r in RUNS])
def test_csv_output_is_marked_and_holds_no_small_count(demo_db, capsys, kind, argv,
                                                       audience):
    code, out, err = _run(capsys, [*argv, "--audience", audience, "--db", str(demo_db)])
    assert code == 0, err
    policy = get_policy(audience)
    lines = out.splitlines()
    assert lines[0] == f"# {policy.marking}"
    assert any(line.startswith("# SYNTHETIC DATA") for line in lines[:6])
    assert any(f"at least {policy.threshold} people or premises" in line for line in lines[:4])
    frame = pd.read_csv(io.StringIO(out), comment="#")
    assert len(frame) > 0
    _assert_released(frame, COUNTS[kind], policy)
    if "h3_id" in frame:
        assert (frame["h3_id"].str.len() == 15).all()


def test_hotspots_csv_finds_the_on_street_area(demo_db, capsys):
    import math

    import h3

    code, out, _ = _run(capsys, ["hotspots", "--audience", "partnership", "--db", str(demo_db),
                                 "--to", "2025-10-31"])
    assert code == 0
    frame = pd.read_csv(io.StringIO(out), comment="#")
    street = h3.latlng_to_cell(54.5 + 0.8 / 111,
                               1.0 + 1.2 / (111 * math.cos(math.radians(54.5))), 8)
    assert frame.set_index("h3_id").loc[street, "hotspot"] == "hot"
    assert "No area chosen: the force area" in out


@pytest.mark.parametrize("argv", [
    ["hotspots"], ["change", "--feed", "on_street", "--before", "2024-11-04:2025-10-27",
                   "--after", "2025-11-03:2026-10-26"], ["coverage", "--unmet-only"],
    ["hotspots", "--emerging"]],
    ids=["hotspots", "change", "coverage", "emerging"])
def test_geojson_output_is_marked_and_holds_no_small_count(demo_db, tmp_path, capsys, argv):
    out = tmp_path / "out.geojson"
    code, _, err = _run(capsys, [*argv, "--audience", "partnership", "--db", str(demo_db),
                                 "--format", "geojson", "--out", str(out)])
    assert code == 0
    assert f"to {out} (OFFICIAL-SENSITIVE)" in err
    doc = json.loads(out.read_text())
    assert doc["marking"] == "OFFICIAL-SENSITIVE" and doc["audience"] == "partnership"
    assert "at least 5 people or premises" in doc["disclosure"]
    assert doc["notes"][0].startswith("SYNTHETIC DATA")
    assert doc["features"] and all(f["geometry"]["type"] == "Polygon" for f in doc["features"])
    props = pd.DataFrame([f["properties"] for f in doc["features"]])
    kind = "emerging" if "--emerging" in argv else argv[0]
    _assert_released(props, COUNTS[kind], get_policy("partnership"))


def test_emerging_csv_gives_each_hexagon_its_category_trend_and_meaning(demo_db, capsys):
    from profiles.analyses.emerging import CATEGORIES

    code, out, err = _run(capsys, ["hotspots", "--emerging", "--audience", "analyst",
                                   "--db", str(demo_db)])
    assert code == 0, err
    frame = pd.read_csv(io.StringIO(out), comment="#")
    assert frame.columns.tolist() == ["h3_id", "category", "trend_z", "trend_p", "hot_steps",
                                      "cold_steps", "steps", "meaning"]
    assert set(frame["category"]) <= set(CATEGORIES)
    assert (frame["steps"] == 24).all()
    assert frame["trend_p"].between(0, 1).all()
    assert "# Lantern emerging hot spots (ArcGIS categories)" in out
    assert "# Hexagons by category: " in out
    assert "ArcGIS's categories" in err
    code, out, err = _run(capsys, ["hotspots", "--emerging", "quarter", "--time-steps", "1",
                                   "--audience", "analyst", "--db", str(demo_db)])
    assert code == 0, err
    assert "by quarter, 9 quarters" in out and "and 1 earlier quarter," in out


def test_coverage_unmet_only_lists_need_with_little_or_no_reach(demo_db, capsys):
    code, out, _ = _run(capsys, ["coverage", "--audience", "partnership", "--unmet-only",
                                 "--db", str(demo_db)])
    assert code == 0
    frame = pd.read_csv(io.StringIO(out), comment="#")
    assert set(frame["status"]) <= {"unmet need", "low reach"}
    assert frame["need"].is_monotonic_decreasing


def test_premises_output_lists_categories_and_responses_never_places(demo_db, capsys):
    code, out, _ = _run(capsys, ["premises", "--audience", "partnership", "--db",
                                 str(demo_db)])
    assert code == 0
    frame = pd.read_csv(io.StringIO(out), comment="#")
    assert frame.columns.tolist() == ["period_start", "period_grain", "category", "count"]
    assert {"non-nuisance", "nuisance", "risk"} <= set(frame["category"])
    assert "# Response for risk: Safeguard and investigate" in out


@pytest.mark.parametrize("argv, message", [
    (["change", "--feed", "on_street"], "give --before START:END and --after START:END"),
    (["change", "--feed", "on_street", "--before", "2025-03-01:2025-01-01", "--after",
      "2025-04-01:2025-06-30"], "before= starts on 2025-03-01, after its end 2025-01-01"),
    (["change", "--feed", "on_street", "--trend", "month", "--format", "geojson"],
     "--trend gives one row per period, not per cell; use --format csv"),
    (["hotspots", "--from", "2030-01-01"], "no on-street activity reports can be shown"),
    (["hotspots", "--area", "Nowhere"], "unknown area 'Nowhere'"),
    (["coverage", "--low-reach", "0"], "low_reach= must be a positive number"),
    (["hotspots", "--emerging", "--patterns", "month"], "choose one of --patterns"),
    (["hotspots", "--emerging", "--time-steps", "30"],
     "the earlier months in the neighbourhood must be a whole number from 0 to 23"),
], ids=["no-ranges", "reversed-range", "trend-geojson", "nothing-shown", "unknown-area",
        "bad-low-reach", "patterns-and-emerging", "bad-time-steps"])
def test_refusals_are_one_clear_line(demo_db, capsys, argv, message):
    code, out, err = _run(capsys, [*argv, "--audience", "partnership", "--db", str(demo_db)])
    assert code == 1 and out == ""
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize("argv, message", [
    (["change", "--feed", "on_street", "--before", "2025-01-01"], "is not a range; use START:END"),
    (["hotspots", "--from", "01/02/2025"], "is not a date; use YYYY-MM-DD"),
    (["premises", "--format", "geojson"], "invalid choice: 'geojson'"),
], ids=["range", "date", "premises-geojson"])
def test_usage_errors(capsys, argv, message):
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--audience", "partnership"])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("command, text", [
    ("hotspots", "Getis-Ord Gi*"), ("change", "too small to read anything into"),
    ("coverage", "little or no reach"), ("premises", "Never a premises-level list")],
    ids=["hotspots", "change", "coverage", "premises"])
def test_help(capsys, command, text):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    assert " ".join(text.split()) in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("feed", ["on_street", "harm_reports"])
def test_evaluate_on_a_small_area_shows_its_monthly_picture(demo_db, capsys, feed):
    """Harm reports for a beat by quarter used to be all zeros for the analyst (the
    release pooled a year into one figure); from released units by month they are not."""
    assert main(["evaluate", "--db", str(demo_db), "--feed", feed, "--target",
                 "Corridor Beat (synthetic)", "--control", "Dunwray Ward (synthetic)",
                 "--before", "2025-04-07:2025-06-30", "--after",
                 "2025-07-07:2025-09-29"]) == 0
    out = capsys.readouterr().out
    target = next(line for line in out.splitlines() if line.strip().startswith("target"))
    before, after = (int(v) for v in target.split()[1:3])
    threshold = get_policy("analyst").threshold
    assert before >= threshold and after >= threshold, target
