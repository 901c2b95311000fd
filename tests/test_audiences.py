"""Audience policies are data, validated at start: every bad file is refused with its fix."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from profiles.release.audiences import (AUDIENCES, DEFAULT_PATH, PolicyError, default_rollup,
                                get_policy, load_policies)

BASE = DEFAULT_PATH.read_text(encoding="utf-8")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "audiences.toml"
    path.write_text(text, encoding="utf-8")
    return path


def with_setting(audience: str, line: str, *, drop: str | None = None) -> str:
    """The shipped file with ``line`` added to (and ``drop`` removed from) one audience."""
    out, current, skipping = [], None, False
    for raw in BASE.splitlines():
        header = re.fullmatch(r"\[(\w+)\]", raw.strip())
        if header:
            current = header.group(1)
            out.append(raw)
            if current == audience:
                out.append(line)
            continue
        if skipping:   # the rest of a value written over several lines
            skipping = not raw.rstrip().endswith("]")
            continue
        if current == audience and drop and raw.startswith(f"{drop} ="):
            skipping = raw.count("[") > raw.count("]")
            continue
        out.append(raw)
    return "\n".join(out) + "\n"


def test_shipped_defaults_match_the_design():
    policies = load_policies()
    assert set(AUDIENCES) <= set(policies)
    p, c, a = policies["partnership"], policies["command"], policies["analyst"]
    # Thresholds and floors are the design's. Rounding is not: the partnership's figures are
    # no longer rounded to base 5 (DESIGN.md's table predates this) but moved once by their
    # cell key, as the ONS did for Census 2021 - the same protection of small groups (no
    # figure is ever 1-4), and trends that keep their shape. So every audience ships with
    # cell-key perturbation and no rounding; "none" is for known-answer tests only.
    assert (p.threshold, p.resolution_floor, p.rounding_base) == (5, 8, 1)
    assert (c.threshold, c.resolution_floor, c.rounding_base) == (3, 9, 1)
    assert (a.threshold, a.resolution_floor, a.rounding_base) == (3, 9, 1)
    assert all(x.perturbation == "cell-key" for x in (p, c, a))
    assert p.breakdowns == ("category",)
    assert {"dow", "band"} <= set(c.breakdowns)
    assert all(x.marking == "OFFICIAL-SENSITIVE" for x in (p, c, a))
    assert p.coarsest_resolution == 5 and c.coarsest_resolution == 6
    assert p.longest_period == "year"
    assert "on_street" in p.feeds and "harm_reports" in c.feeds


BAD = [
    ("unknown-setting", with_setting("command", "colour = 'red'"),
     r"audience \[command\], setting 'colour': is not a known setting\. Fix: remove it"),
    ("threshold-one", with_setting("partnership", "threshold = 1", drop="threshold"),
     r"\[partnership\], setting 'threshold': 1 would show single people.*Fix: set a whole "
     r"number of 2 or more"),
    ("threshold-text", with_setting("analyst", "threshold = 'five'", drop="threshold"),
     r"setting 'threshold': 'five' is not a whole number"),
    ("floor-too-fine", with_setting("command", "resolution_floor = 10",
                                    drop="resolution_floor"),
     r"setting 'resolution_floor': 10 is not an H3 resolution the store holds\. Fix: set a "
     r"whole number 0-9"),
    ("rounding-zero", with_setting("command", "rounding_base = 0", drop="rounding_base"),
     r"setting 'rounding_base': 0 is not a rounding base"),
    ("rounding-above-threshold", with_setting("command", "rounding_base = 5",
                                              drop="rounding_base"),
     r"setting 'rounding_base': 5 is larger than the threshold 3.*Fix: set rounding_base to "
     r"3 or less"),
    ("unknown-feed", with_setting("partnership", "feeds = ['on_street', 'tweets']",
                                  drop="feeds"),
     r"setting 'feeds': .* is not a list of distinct feeds\. Fix: list one or more of"),
    ("unknown-breakdown", with_setting("partnership", "breakdowns = ['postcode']",
                                       drop="breakdowns"),
     r"setting 'breakdowns': \['postcode'\] is not a list of distinct breakdowns"),
    ("unknown-move", with_setting("partnership", "rollup = ['sideways']", drop="rollup"),
     r"setting 'rollup': \['sideways'\] is not a list of roll-up moves\. Fix: list moves "
     r"from space, time, breakdown"),
    ("too-many-times", with_setting("partnership", "rollup = ['time', 'time', 'time', "
                                                   "'time']", drop="rollup"),
     r"setting 'rollup': 4 'time' moves: periods go no further than .* year\. Fix: use at "
     r"most 3 'time' move"),
    ("too-many-breakdowns", with_setting("partnership", "rollup = ['breakdown', "
                                                        "'breakdown']", drop="rollup"),
     r"2 'breakdown' moves: only 1 breakdown is allowed to combine"),
    ("empty-marking", with_setting("command", "marking = ' '", drop="marking"),
     r"setting 'marking': ' ' is not a protective marking\. Fix: set a non-empty marking"),
    ("missing-setting", with_setting("analyst", "", drop="marking"),
     r"audience \[analyst\], setting 'marking': is missing\. Fix: add it"),
    ("missing-audience", BASE.split("[analyst]")[0],
     r"audience \[analyst\] is not defined\. Fix: add a \[analyst\] table"),
    ("not-toml", BASE + "\n[broken\n", r"not valid TOML"),
]


@pytest.mark.parametrize("text, message", [(t, m) for _, t, m in BAD],
                         ids=[i for i, _, _ in BAD])
def test_an_invalid_policy_file_refuses_to_start(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(PolicyError, match=message) as err:
        load_policies(path)
    if "TOML" not in message:
        assert str(path.resolve()) in str(err.value)   # names the file


def test_a_missing_policy_file_is_refused(tmp_path):
    with pytest.raises(PolicyError, match="audience policy file not found. Fix: set "
                                          "LANTERN_AUDIENCES"):
        load_policies(tmp_path / "nope.toml")


def test_lantern_audiences_points_at_a_replacement(tmp_path, monkeypatch):
    path = write(tmp_path, BASE.replace("threshold = 5", "threshold = 10")
                 .replace("rounding_base = 5", "rounding_base = 10"))
    monkeypatch.setenv("LANTERN_AUDIENCES", str(path))
    assert get_policy("partnership").threshold == 10
    monkeypatch.setenv("LANTERN_AUDIENCES", str(tmp_path / "missing.toml"))
    with pytest.raises(PolicyError, match="not found"):
        get_policy("partnership")


def test_rollup_may_be_omitted_for_the_default(tmp_path):
    text = "\n".join(line for line in BASE.splitlines()
                     if not line.startswith(("rollup", '          "time"')))
    policies = load_policies(write(tmp_path, text))
    assert policies["partnership"].rollup == default_rollup(8, ("category",))
    assert policies["command"].rollup == default_rollup(9, ("category", "detail", "band",
                                                            "dow"))


def test_unknown_audience_names_the_known_ones():
    with pytest.raises(PolicyError, match="unknown audience 'public'; audiences are: "
                                          "partnership, command, analyst"):
        get_policy("public")


def test_a_feed_may_have_its_own_rollup_ladder(tmp_path):
    text = _with_partnership_by_feed('rollup_by_feed = { premises = ["time", "space", '
                                     '"breakdown"] }')
    p = load_policies(write(tmp_path, text))["partnership"]
    assert p.rollup_for("premises") == ("time", "space", "breakdown")
    assert p.rollup_for("on_street") == p.rollup


@pytest.mark.parametrize("table, match", [
    ('rollup_by_feed = { nowhere = ["time"] }', "'nowhere' is not one of this audience's"),
    ('rollup_by_feed = { premises = ["sideways"] }', "is not a list of roll-up moves"),
    ('rollup_by_feed = "time"', "is not a table of feed"),
], ids=["unknown-feed", "bad-move", "not-a-table"])
def test_bad_per_feed_ladders_are_refused(tmp_path, table, match):
    text = _with_partnership_by_feed(table)
    with pytest.raises(PolicyError, match=match):
        load_policies(write(tmp_path, text))


def _with_partnership_by_feed(line: str) -> str:
    """The shipped policies with the partnership's ``rollup_by_feed`` line replaced."""
    lines = BASE.splitlines()
    i = next(n for n, t in enumerate(lines) if t.startswith("rollup_by_feed"))
    return "\n".join(lines[:i] + [line] + lines[i + 1:]) + "\n"


def test_get_policy_takes_a_policy_as_it_is():
    policy = get_policy("command")
    assert get_policy(policy) is policy
    with pytest.raises(PolicyError, match="unknown audience 'public'; audiences are: "):
        get_policy("public")


@pytest.mark.parametrize("audience", AUDIENCES)
def test_small_is_twice_the_threshold(audience):
    policy = get_policy(audience)
    assert policy.small == 2 * policy.threshold
