"""Tests for profiles.analyses.hotspots: Gi* against PySAL esda, known cases, BH, classification."""
from __future__ import annotations

import warnings

import esda  # test dependency: the reference implementation of Gi*
import h3
import libpysal
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import false_discovery_control, norm

from profiles.analyses.hotspots import (
    PATTERNS,
    HotspotResult,
    _benjamini_hochberg,
    hotspot_classify,
    hotspot_gistar,
)

CENTRE = "891942c58b7ffff"  # res 9, Leeds
PENTAGON = h3.get_pentagons(9)[0]
DISK5 = h3.grid_disk(CENTRE, 5)  # 91 cells
DISK6 = h3.grid_disk(CENTRE, 6)  # 127 cells
FAR = next(c for c in DISK5 if h3.grid_distance(CENTRE, c) == 5)  # a cell on the edge


def esda_gistar(counts: pd.Series, k: int):
    """Run esda's analytic Gi* on the same k-ring neighbour lists (self included)."""
    area = set(counts.index)
    neighbours = {c: [n for n in h3.grid_disk(c, k) if n in area] for c in counts.index}
    w = libpysal.weights.W(neighbours, id_order=list(counts.index), silence_warnings=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return esda.G_Local(counts.to_numpy(dtype=float), w, transform="B", star=True,
                            permutations=0)


def poisson_counts(cells, lam, seed):
    rng = np.random.default_rng(seed)
    return pd.Series(rng.poisson(lam, len(cells)), index=cells)


def spike(cells, cell, size=30):
    counts = pd.Series(0, index=cells)
    counts[cell] = size
    return counts


def dip(cells, cell, level=10):
    counts = pd.Series(level, index=cells)
    counts[h3.grid_disk(cell, 1)] = 0
    return counts


# --- z and p against esda --------------------------------------------------------------------

ESDA_CASES = [
    # (cells, k, lam, seed)
    (DISK6, 1, 2.0, 1),
    (DISK6, 1, 0.3, 2),
    (DISK6, 2, 2.0, 3),
    (DISK6, 2, 5.0, 4),
    (DISK5, 3, 1.0, 5),
    (h3.grid_disk(PENTAGON, 4), 1, 2.0, 6),
    (h3.grid_disk(PENTAGON, 4), 2, 2.0, 7),
]
ESDA_IDS = ["disk6-k1-lam2", "disk6-k1-sparse", "disk6-k2-lam2", "disk6-k2-lam5",
            "disk5-k3", "pentagon-k1", "pentagon-k2"]


@pytest.mark.parametrize(("cells", "k", "lam", "seed"), ESDA_CASES, ids=ESDA_IDS)
def test_z_matches_esda(cells, k, lam, seed):
    counts = poisson_counts(cells, lam, seed)
    table = hotspot_gistar(counts, k=k)
    reference = esda_gistar(counts, k)
    np.testing.assert_allclose(table["z"].to_numpy(), reference.Zs, rtol=0, atol=1e-9)
    # esda's p_norm is one-sided; ours is two-sided.
    np.testing.assert_allclose(table["p"].to_numpy(), 2 * reference.p_norm, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(table["n_neighbours"].to_numpy(),
                                  np.asarray(reference.w.sparse.sum(axis=1)).ravel())


def test_edge_cells_have_fewer_neighbours_and_still_match_esda():
    counts = poisson_counts(DISK6, 2.0, 11)
    table = hotspot_gistar(counts, k=1)
    distance = pd.Series({c: h3.grid_distance(CENTRE, c) for c in DISK6})
    edge = distance.index[distance == 6]
    assert (table.loc[distance.index[distance < 6], "n_neighbours"] == 7).all()
    # outer ring: 6 corners with 3 neighbours in the area, the other 30 with 4 (+ self).
    assert table.loc[edge, "n_neighbours"].value_counts().to_dict() == {5: 30, 4: 6}
    reference = pd.Series(esda_gistar(counts, 1).Zs, index=DISK6)
    np.testing.assert_allclose(table.loc[edge, "z"], reference[edge], rtol=0, atol=1e-9)


def test_z_ignores_cell_order_and_keeps_it():
    counts = poisson_counts(DISK5, 2.0, 12)
    shuffled = counts.sample(frac=1.0, random_state=3)
    table = hotspot_gistar(shuffled, k=1)
    assert table.index.tolist() == shuffled.index.tolist()
    pd.testing.assert_series_equal(table["z"].sort_index(),
                                   hotspot_gistar(counts, k=1)["z"].sort_index(),
                                   rtol=0, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(values=st.lists(st.integers(0, 50), min_size=len(DISK5), max_size=len(DISK5)),
       scale=st.floats(0.01, 1000))
def test_z_is_scale_invariant(values, scale):
    counts = pd.Series(values, index=DISK5, dtype=float)
    if counts.nunique() < 2:
        return
    z = hotspot_gistar(counts)["z"].to_numpy()
    np.testing.assert_allclose(hotspot_gistar(counts * scale)["z"].to_numpy(), z,
                               rtol=1e-9, atol=1e-9)


# --- known cases -----------------------------------------------------------------------------

def test_single_spike_is_hot_at_centre_and_none_far_away():
    table = hotspot_gistar(spike(DISK6, CENTRE))
    distance = pd.Series({c: h3.grid_distance(CENTRE, c) for c in DISK6})
    assert table.loc[CENTRE, "hotspot"] == "hot"
    assert (table.loc[distance.index[distance == 1], "hotspot"] == "hot").all()
    assert (table.loc[distance.index[distance >= 2], "hotspot"] == "none").all()
    assert table.loc[CENTRE, "z"] > 3


def test_dip_is_cold_at_centre():
    table = hotspot_gistar(dip(DISK5, CENTRE))
    assert table.loc[CENTRE, "hotspot"] == "cold"
    assert table.loc[CENTRE, "z"] < -3
    assert table.loc[FAR, "hotspot"] == "none"


def test_table_shape_and_attrs():
    counts = poisson_counts(DISK5, 2.0, 13)
    table = hotspot_gistar(counts, k=2, alpha=0.1, fdr=False)
    assert list(table.columns) == ["count", "n_neighbours", "z", "p", "p_adjusted", "hotspot"]
    assert table.attrs == {"k": 2, "alpha": 0.1, "fdr": False}
    assert set(table["hotspot"]) <= {"hot", "cold", "none"}
    np.testing.assert_array_equal(table["count"].to_numpy(), counts.to_numpy())
    np.testing.assert_allclose(table["p"], 2 * norm.sf(np.abs(table["z"])), rtol=1e-12)


def test_fdr_false_leaves_p_unadjusted_and_labels_follow_alpha():
    counts = poisson_counts(DISK6, 1.0, 14) + spike(DISK6, CENTRE, 8)
    raw = hotspot_gistar(counts, fdr=False)
    adjusted = hotspot_gistar(counts, fdr=True)
    np.testing.assert_array_equal(raw["p_adjusted"], raw["p"])
    assert (adjusted["p_adjusted"] >= adjusted["p"]).all()
    expected = np.where(raw["p"] < 0.05, np.where(raw["z"] > 0, "hot", "cold"), "none")
    np.testing.assert_array_equal(raw["hotspot"].to_numpy(dtype=object), expected)
    assert (raw["hotspot"] != "none").sum() >= (adjusted["hotspot"] != "none").sum()


def test_neighbourhood_covering_whole_area_is_undefined_not_an_error():
    cells = h3.grid_disk(CENTRE, 1)  # 7 cells: the centre's 1-ring is the whole area
    # values chosen so that rounding leaves the centre's numerator at -1.8e-15, not 0:
    # without the explicit rule its z would be -inf and it would be labelled cold.
    counts = pd.Series([1.9, 0.8, 0.1, 0.0, 2.4, 2.7, 1.8], index=cells)
    table = hotspot_gistar(counts, k=1)
    assert np.isnan(table.loc[CENTRE, ["z", "p", "p_adjusted"]].to_numpy(dtype=float)).all()
    assert table.loc[CENTRE, "hotspot"] == "none"
    assert table.drop(CENTRE)["z"].notna().all()


def test_hotspot_result_carries_inputs_parameters_and_table():
    counts = spike(DISK5, CENTRE)
    result = HotspotResult.from_counts(counts, k=1, alpha=0.01)
    assert result.counts is counts
    assert (result.k, result.alpha, result.fdr) == (1, 0.01, True)
    assert CENTRE in result.hot_cells and result.cold_cells == []
    assert result.table.equals(hotspot_gistar(counts, k=1, alpha=0.01))


# --- Benjamini–Hochberg ----------------------------------------------------------------------

@pytest.mark.parametrize(("p", "expected"), [
    ([0.01, 0.04, 0.03, 0.005], [0.02, 0.04, 0.04, 0.02]),
    # the textbook example: step-up takes the running minimum from the largest p down
    ([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205],
     [0.008, 0.032, 0.0672, 0.0672, 0.0672, 0.08, 0.0845714285714, 0.205]),
    ([0.5, np.nan, 0.9, 0.01], [0.75, np.nan, 0.9, 0.03]),
    ([0.9, 0.95], [0.95, 0.95]),
], ids=["four", "textbook", "nan-left-out", "capped"])
def test_benjamini_hochberg_by_hand(p, expected):
    np.testing.assert_allclose(_benjamini_hochberg(p), expected, rtol=1e-9)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=60))
def test_benjamini_hochberg_matches_scipy(p):
    np.testing.assert_allclose(_benjamini_hochberg(p), false_discovery_control(p),
                               rtol=1e-12, atol=1e-15)


# --- errors ----------------------------------------------------------------------------------

def _with(cells, values):
    return pd.Series(values, index=cells)


ERROR_CASES = [
    (pd.Series(0, index=DISK5), {}, r"counts= has zero variance \(every cell has count 0\)"),
    (pd.Series(3, index=DISK5), {}, r"zero variance .*count 3\).*hotspot_classify"),
    (_with(DISK5[:2], [1, 2]), {}, r"counts= has 2 cells but Gi\* needs at least 3"),
    (_with(DISK5[:3] + ["not-a-cell"], [1, 2, 3, 4]), {}, r"invalid H3 cell id: 'not-a-cell'"),
    (_with(DISK5[:3] + ["8f1942c58b7ffff"], [1, 2, 3, 4]), {},
     r"invalid H3 cell id: '8f1942c58b7ffff'"),
    (_with(DISK5[:3] + [12345], [1, 2, 3, 4]), {}, r"invalid H3 cell id: 12345"),
    (_with(DISK5[:3] + [DISK5[0]], [1, 2, 3, 4]), {}, r"repeats cell '891942c58b7ffff'"),
    (_with(DISK5[:3] + [h3.cell_to_parent(DISK5[5], 8)], [1, 2, 3, 4]), {},
     r"mixes H3 resolutions \[8, 9\]"),
    (_with(DISK5[:4], [1, -2, 3, 4]), {}, rf"negative counts \(e.g. cell '{DISK5[1]}'\)"),
    (_with(DISK5[:4], [1, np.nan, 3, 4]), {}, r"missing or infinite counts .*fillna\(0\)"),
    (_with(DISK5[:4], [1, np.inf, 3, 4]), {}, r"missing or infinite counts"),
    (_with(DISK5[:4], ["a", "b", "c", "d"]), {}, r"counts= must hold numeric counts"),
    (pd.DataFrame({"a": [1, 2, 3]}, index=DISK5[:3]), {}, r"counts= must be a pandas Series"),
    (poisson_counts(DISK5, 2, 1), {"k": 0}, r"k= must be an integer >= 1 .*not 0"),
    (poisson_counts(DISK5, 2, 1), {"k": 1.5}, r"k= must be an integer >= 1 .*not 1.5"),
    (poisson_counts(DISK5, 2, 1), {"alpha": 1.5}, r"alpha= must be a number between 0 and 1"),
    (poisson_counts(DISK5, 2, 1), {"alpha": 0}, r"alpha= must be a number between 0 and 1"),
    (poisson_counts(DISK5, 2, 1), {"fdr": "yes"}, r"fdr= must be True or False, not 'yes'"),
]
ERROR_IDS = ["all-zero", "all-equal", "two-cells", "not-hex", "invalid-cell", "not-a-string",
             "duplicate", "mixed-resolution", "negative", "nan", "inf", "non-numeric",
             "dataframe", "k-zero", "k-float", "alpha-big", "alpha-zero", "fdr-string"]


@pytest.mark.parametrize(("counts", "kwargs", "match"), ERROR_CASES, ids=ERROR_IDS)
def test_hotspot_gistar_errors(counts, kwargs, match):
    with pytest.raises(ValueError, match=match):
        hotspot_gistar(counts, **kwargs)


# --- classification --------------------------------------------------------------------------

def periods_frame(states: str) -> pd.DataFrame:
    """One column per character: H = spike at CENTRE, C = dip at CENTRE, . = spike at FAR."""
    columns = {"H": spike(DISK5, CENTRE), "C": dip(DISK5, CENTRE), ".": spike(DISK5, FAR)}
    return pd.DataFrame({f"p{t:02d}": columns[s] for t, s in enumerate(states)})


CLASSIFY_CASES = [
    ("HHHHHHHHH.", {}, "persistent hot"),
    ("HH.HHHHHH.", {}, "persistent hot"),  # exactly ceil(0.8 * 10) = 8 periods
    ("......HHHH", {}, "emerging hot"),
    ("........H.", {}, "emerging hot"),
    ("......H...", {}, "emerging hot"),  # first period of the recent window
    (".....H.HH.", {}, "intermittent hot"),  # last period before the window counts as earlier
    (".HHH......", {}, "former hot"),
    ("HHHHHHH...", {"recent": 3}, "former hot"),  # 7 of 10: not persistent
    ("..H....H..", {}, "intermittent hot"),
    ("......HHHH", {"persistent_share": 0.4}, "persistent hot"),
    ("CCCCCCCCC.", {}, "persistent cold"),
    ("......CCCC", {}, "emerging cold"),
    (".CCC......", {}, "former cold"),
    ("..C....C..", {}, "intermittent cold"),
    (".H......C.", {}, "mixed"),
    ("HHHHHHHHHC", {}, "mixed"),
    ("..........", {}, "no pattern"),
    ("HH..H.", {"recent": 2}, "intermittent hot"),
    ("HH..H.", {"recent": 1}, "former hot"),
]
CLASSIFY_IDS = ["persistent-hot", "persistent-hot-boundary", "emerging-hot", "emerging-hot-once",
                "emerging-hot-window-start", "intermittent-hot-window-edge",
                "former-hot", "former-hot-not-persistent", "intermittent-hot",
                "persistent-beats-emerging", "persistent-cold", "emerging-cold", "former-cold",
                "intermittent-cold", "mixed", "mixed-beats-persistent", "no-pattern",
                "recent-2", "recent-1"]


@pytest.mark.parametrize(("states", "kwargs", "pattern"), CLASSIFY_CASES, ids=CLASSIFY_IDS)
def test_hotspot_classify_patterns(states, kwargs, pattern):
    table = hotspot_classify(periods_frame(states), **kwargs)
    row = table.loc[CENTRE]
    assert row["pattern"] == pattern
    assert (row["hot_periods"], row["cold_periods"]) == (states.count("H"), states.count("C"))
    assert row["periods"] == len(states)
    assert set(table["pattern"]) <= set(PATTERNS)


def test_hotspot_classify_counts_agree_with_hotspot_gistar_per_period():
    rng = np.random.default_rng(21)
    frame = pd.DataFrame(rng.poisson(1.0, (len(DISK6), 6)), index=DISK6)
    frame.loc[CENTRE, [3, 4, 5]] += 15
    table = hotspot_classify(frame, k=1, recent=2)
    labels = pd.DataFrame({t: hotspot_gistar(frame[t], k=1)["hotspot"] for t in frame})
    pd.testing.assert_series_equal(table["hot_periods"], (labels == "hot").sum(axis=1),
                                   check_names=False, check_dtype=False)
    pd.testing.assert_series_equal(table["cold_periods"], (labels == "cold").sum(axis=1),
                                   check_names=False, check_dtype=False)
    assert table.loc[CENTRE, "pattern"] == "emerging hot"
    assert table.index.tolist() == DISK6


def test_hotspot_classify_undefined_periods_are_not_significant():
    frame = periods_frame("HHHHHHHH")
    frame["p02"] = 0  # all zero: Gi* undefined
    frame["p05"] = 4  # all equal: Gi* undefined
    table = hotspot_classify(frame, recent=2)
    assert table.attrs["undefined_periods"] == ["p02", "p05"]
    assert table.loc[CENTRE, "hot_periods"] == 6
    assert (table["periods"] == 8).all()
    # Counted as not significant (not dropped): 6 hot of 8 < ceil(0.8 * 8) = 7, so not
    # persistent, although the cell was hot in every period where Gi* was defined.
    assert table.loc[CENTRE, "pattern"] == "intermittent hot"


CLASSIFY_ERRORS = [
    (periods_frame("HH.H"), {"recent": 4}, r"recent= must be an integer from 1 to 3"),
    (periods_frame("HH.H"), {"recent": 0}, r"recent= must be an integer from 1 to 3 .*not 0"),
    (periods_frame("HH.H"), {"recent": 1, "persistent_share": 0},
     r"persistent_share= must be a number in \(0, 1\]"),
    (periods_frame("HH.H"), {"recent": 1, "persistent_share": 1.2}, r"persistent_share= .*not 1.2"),
    (periods_frame("HH.H").iloc[:, 0], {}, r"counts_by_period= must be a pandas DataFrame"),
    (periods_frame("HH.H").astype(float).mask(lambda f: f > 20), {"recent": 1},
     r"counts_by_period= has missing or infinite counts \(e.g. cell '891942c58b7ffff'\)"),
    (periods_frame("HH.H"), {"k": -1}, r"k= must be an integer >= 1"),
]


@pytest.mark.parametrize(("frame", "kwargs", "match"), CLASSIFY_ERRORS,
                         ids=["recent-too-big", "recent-zero", "share-zero", "share-big",
                              "series", "nan", "k-negative"])
def test_hotspot_classify_errors(frame, kwargs, match):
    with pytest.raises(ValueError, match=match):
        hotspot_classify(frame, **kwargs)
