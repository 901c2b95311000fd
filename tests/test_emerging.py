"""Tests for emerging hot spots: the ArcGIS categories, Mann-Kendall, space-time Gi*, releases."""
from __future__ import annotations

import h3
import numpy as np
import pandas as pd
import pytest

from profiles.analyses.emerging import (CATEGORIES, hotspot_emerging, series_to_categories,
                                        space_time_gistar)
from profiles.analyses.emerging_release import category_meaning, emerging_for
from profiles.analyses.hotspot_release import HotspotRunError
from profiles.analyses.hotspots import hotspot_gistar
from profiles.analyses.mann_kendall import mann_kendall

SIG, NOT = 0.001, 0.6


def series(steps: str, z=None):
    """A (z, p) pair for one cell: ``H`` hot, ``C`` cold, ``.`` not significant.

    Without ``z``, hot steps get z 3 and 4 in turn, cold -3 and -4, others 0.5 and -0.5:
    no trend.
    """
    if z is None:
        z = [{"H": 3.0, "C": -3.0, ".": 0.5}[s] * (1 + (i % 2) / 3) for i, s in enumerate(steps)]
    p = [SIG if s in "HC" else NOT for s in steps]
    return list(map(float, z)), p


RISING = [2.5 + 0.3 * i for i in range(10)]
FALLING = RISING[::-1]

# one cell per category, hot side, 10 steps; the cold side is the mirror image (z negated)
HOT_CASES = {
    "new": series(".........H"),
    "consecutive": series("......HHHH"),
    "intensifying": series("HHHHHHHHHH", RISING),
    "persistent": series("HHHHHHHHHH"),
    "diminishing": series("HHHHHHHHHH", FALLING),
    "sporadic": series("H..H.H...H"),
    "oscillating": series("C...H...HH"),
    "historical": series("HHHHHHHHH."),
    "no pattern": series("..H.H....."),
}


def cube(cases: dict, mirror: bool = False):
    """Stack named (z, p) series into z and p frames indexed by the case name."""
    zs = {name: [-v for v in z] if mirror else z for name, (z, _) in cases.items()}
    ps = {name: p for name, (_, p) in cases.items()}
    return (pd.DataFrame.from_dict(zs, orient="index"),
            pd.DataFrame.from_dict(ps, orient="index"))


@pytest.mark.parametrize("side", ["hot", "cold"])
def test_one_cell_per_category(side):
    z, p = cube(HOT_CASES, mirror=side == "cold")
    got = series_to_categories(z, p)["category"].to_dict()
    want = {name: ("no pattern detected" if name == "no pattern" else f"{name} {side} spot")
            for name in HOT_CASES}
    assert got == want
    assert set(got.values()) <= set(CATEGORIES)


BOUNDARY = [
    # exactly 90 %: 9 of 10 steps counts as "at least 90 %"
    ("HHHHHHHHH.", None, "historical hot spot"),
    (".HHHHHHHHH", [0.5] + [3.0, 4.0] * 4 + [3.5], "persistent hot spot"),
    # 80 %: not historical, and a final run of 8 after a quiet start is consecutive
    ("HHHHHHHH..", None, "no pattern detected"),
    ("..HHHHHHHH", None, "consecutive hot spot"),
    # a single significant step
    ("....H.....", None, "no pattern detected"),
    (".........H", None, "new hot spot"),
    (".....C...H", None, "oscillating hot spot"),       # not new: cold before (rule 2)
    # a final run of one after earlier hot steps is sporadic, not new or consecutive
    ("HH.......H", None, "sporadic hot spot"),
    # 90 % hot but cold at the final step: the final step decides the side (rule 1)
    ("HHHHHHHHHC", None, "oscillating cold spot"),
]


@pytest.mark.parametrize("steps, z, want", BOUNDARY, ids=[b[0] + "-" + b[2] for b in BOUNDARY])
def test_boundary_cases(steps, z, want):
    zf, pf = cube({"x": series(steps, z)})
    assert series_to_categories(zf, pf).loc["x", "category"] == want


def test_a_trend_that_is_not_significant_is_persistent():
    # hot throughout, z drifting up a little: Mann-Kendall p between 0.05 and 0.2
    z = [3.0, 3.4, 3.1, 3.5, 3.2, 3.6, 3.3, 3.1, 3.7, 3.5]
    zf, pf = cube({"x": series("HHHHHHHHHH", z)})
    mk = mann_kendall(z)
    assert 0.05 < mk.p < 0.2 and mk.z > 0
    table = series_to_categories(zf, pf)
    assert table.loc["x", "category"] == "persistent hot spot"
    assert table.loc["x", "trend_p"] == pytest.approx(mk.p)
    # the same series with a looser trend test is intensifying
    loose = series_to_categories(zf, pf, trend_alpha=0.2)
    assert loose.loc["x", "category"] == "intensifying hot spot"
    # and a falling version of it is persistent (not significant) or diminishing (loose)
    zf2, pf2 = cube({"x": series("HHHHHHHHHH", z[::-1])})
    assert series_to_categories(zf2, pf2).loc["x", "category"] == "persistent hot spot"
    assert series_to_categories(zf2, pf2, trend_alpha=0.2).loc["x", "category"] == \
        "diminishing hot spot"


def test_cold_spots_intensify_as_they_get_colder():
    zf, pf = cube({"x": series("CCCCCCCCCC", [-v for v in RISING])})
    assert series_to_categories(zf, pf).loc["x", "category"] == "intensifying cold spot"


def test_undefined_steps_are_not_significant_and_skip_the_trend():
    z, p = series(".....HHHHH")
    z[0], p[0] = np.nan, np.nan
    zf, pf = cube({"x": (z, p)})
    table = series_to_categories(zf, pf)
    assert table.loc["x", "category"] == "consecutive hot spot"
    assert table.loc["x", "trend_p"] == pytest.approx(mann_kendall(z[1:]).p)


@pytest.mark.parametrize("call, match", [
    (lambda z, p: series_to_categories(z, p, alpha=0), r"alpha= must be a number between 0"),
    (lambda z, p: series_to_categories(z, p.iloc[:, :3]), r"same cells and time steps"),
    (lambda z, p: series_to_categories(z.iloc[:, :1], p.iloc[:, :1]), r"at least 2"),
], ids=["alpha", "shapes", "one-step"])
def test_refusals(call, match):
    z, p = cube(HOT_CASES)
    with pytest.raises(ValueError, match=match):
        call(z, p)


# --- Mann-Kendall against pymannkendall ---------------------------------------------------

@pytest.mark.parametrize("seed", range(8))
def test_mann_kendall_matches_pymannkendall(seed):
    mk_ref = pytest.importorskip("pymannkendall")
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 40))
    x = rng.integers(0, 6, size=n).astype(float) + 0.1 * np.arange(n) * (seed % 3 - 1)
    ref = mk_ref.original_test(x)
    got = mann_kendall(x)
    assert got.s == ref.s
    assert got.var_s == pytest.approx(ref.var_s)
    assert got.z == pytest.approx(ref.z)
    assert got.p == pytest.approx(ref.p, abs=1e-12)
    assert got.tau == pytest.approx(ref.Tau)
    assert got.trend == ref.trend


def test_mann_kendall_rows_equal_one_series_at_a_time_with_missing_values_dropped():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 4, size=(6, 15)).astype(float)
    x[2, [1, 5]] = np.nan
    rows = mann_kendall(x)
    for r in range(6):
        one = mann_kendall(x[r][~np.isnan(x[r])])
        assert (rows.s[r], rows.var_s[r], rows.z[r]) == pytest.approx((one.s, one.var_s, one.z))


# --- space-time Gi* ------------------------------------------------------------------------

CENTRE = "891942c58b7ffff"


def random_cube(seed=1, rings=3, steps=6):
    rng = np.random.default_rng(seed)
    cells = sorted(h3.grid_disk(CENTRE, rings))
    return pd.DataFrame(rng.poisson(3, size=(len(cells), steps)), index=cells,
                        columns=range(steps))


def test_gistar_with_no_earlier_steps_is_hotspot_gistar_at_each_step():
    counts = random_cube()
    z, p, p_adj = space_time_gistar(counts, k=1)
    for t in counts.columns:
        one = hotspot_gistar(counts[t], k=1)
        np.testing.assert_allclose(z[t], one["z"], rtol=1e-12)
        np.testing.assert_allclose(p_adj[t], one["p_adjusted"], rtol=1e-12)


def test_gistar_with_earlier_steps_is_gistar_on_the_window_of_bins():
    counts = random_cube(seed=2)
    z, _, _ = space_time_gistar(counts, k=1, time_steps=2)
    y = counts.to_numpy(float)
    cells = counts.index.tolist()
    for i in (0, 5, len(cells) // 2):
        near = [cells.index(c) for c in h3.grid_disk(cells[i], 1) if c in cells]
        for t in range(counts.shape[1]):
            window = y[:, max(0, t - 2):t + 1]
            big_n, w = window.size, len(near) * window.shape[1]
            local = window[near].sum()
            want = (local - window.mean() * w) / (
                window.std() * np.sqrt((big_n * w - w * w) / (big_n - 1)))
            assert z.iloc[i, t] == pytest.approx(want, rel=1e-12)


def test_hotspot_emerging_finds_a_cluster_that_appears_late():
    counts = pd.DataFrame(1, index=h3.grid_disk(CENTRE, 5), columns=range(12))
    counts.iloc[::7] = 2                                  # some variation every step
    counts.loc[list(h3.grid_disk(CENTRE, 1)), [9, 10, 11]] = 20
    table = hotspot_emerging(counts)
    assert table.loc[CENTRE, "category"] == "consecutive hot spot"
    assert table.attrs["time_steps"] == 0 and table.attrs["z"].shape == counts.shape


def test_time_steps_is_checked():
    with pytest.raises(ValueError, match=r"time_steps= must be a whole number from 0 to 5"):
        space_time_gistar(random_cube(), time_steps=6)


# --- from a release ------------------------------------------------------------------------

@pytest.mark.parametrize("audience", ["partnership", "command", "analyst"])
def test_cube_from_the_demo_release_holds_only_released_figures(demo_con, audience):
    from profiles.release import get_policy, release_counts

    run = emerging_for(demo_con, audience, "on_street")
    policy = get_policy(audience)
    released = release_counts(demo_con, audience, "on_street", period="month", place="hexagon")
    values = run.cube.to_numpy()
    # nothing under the audience's threshold: every figure is 0 (none shown) or released
    assert ((values == 0) | (values >= policy.threshold)).all()
    shown = released.frame[(released.frame["resolution"] == released.resolution)
                           & (released.frame["period_grain"] == "month")]
    for row in shown.itertuples():
        assert run.cube.loc[row.h3_id, row.period_start] == row.count
    assert run.cube.to_numpy().sum() == shown["count"].sum()
    # the output table carries categories and trends, no counts of people
    assert run.table.columns.tolist() == ["h3_id", "category", "trend_z", "trend_p",
                                          "hot_steps", "cold_steps", "steps"]
    assert set(run.table["category"]) <= set(CATEGORIES)
    assert len(run.cube.columns) == 24 and run.chosen["resolution"] == released.resolution
    assert run.statement in run.statement and "synthetic" in run.chosen["area"]


def test_demo_analyst_sees_emerging_hot_spots(demo_con):
    run = emerging_for(demo_con, "analyst", "on_street")
    counts = run.category_counts().set_index("category")["hexagons"]
    assert counts.sum() == len(run.table)
    assert any(c.endswith("hot spot") for c in counts.index)
    assert "ArcGIS's categories" in run.summary


def test_release_refusals(demo_con):
    with pytest.raises(HotspotRunError, match=r"need a period of month or quarter"):
        emerging_for(demo_con, "analyst", "on_street", period="week")
    with pytest.raises(HotspotRunError, match=r"need at least 3 quarters"):
        emerging_for(demo_con, "analyst", "on_street", period="quarter",
                     start=pd.Timestamp("2026-07-01").date())


def test_meanings_are_words():
    assert category_meaning("intensifying hot spot", "quarter") == (
        "a hot spot in at least 90% of quarters, the last included, and getting stronger")
