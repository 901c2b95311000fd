"""Tests for profiles.planning.evaluation: WDQ (Bowers & Johnson 2003) and WDD (Wheeler & Ratcliffe 2018).

Where a number comes from a publication the test says so; every other expected value is worked
by hand in the comments beside it.
"""
import math
from fractions import Fraction

import numpy as np
import pytest
from scipy.stats import norm

from profiles.planning.evaluation import EvaluationError, WDQ_BANDS, Z_95, wdd, wdq

# --------------------------------------------------------------------------------------------
# WDQ
# --------------------------------------------------------------------------------------------


def test_wdq_hand_worked_example():
    # Rb=100, Ra=50 (target); Db=50, Da=60 (buffer); Cb=200, Ca=200 (control).
    # SM  = Ra/Ca - Rb/Cb = 50/200 - 100/200 = 0.25 - 0.50 = -0.25  (target improved)
    # BDM = Da/Ca - Db/Cb = 60/200 -  50/200 = 0.30 - 0.25 = +0.05  (buffer got worse)
    # WDQ = BDM / SM = 0.05 / -0.25 = -0.2
    # TNE = [Rb(Ca/Cb) - Ra] - [Da - Db(Ca/Cb)] = [100*1 - 50] - [60 - 50*1] = 50 - 10 = 40
    r = wdq(100, 50, 50, 60, 200, 200)
    assert r.success_measure == pytest.approx(-0.25)
    assert r.buffer_measure == pytest.approx(0.05)
    assert r.wdq == pytest.approx(-0.2)
    assert r.tne == pytest.approx(40.0)
    assert r.band == "displacement no greater than benefit"
    assert "net benefit" in r.reading
    assert "40.0 fewer events" in r.reading


def test_wdq_keeps_its_inputs():
    r = wdq(100, 50, 50, 60, 200, 150)
    assert (r.target_before, r.target_after, r.buffer_before, r.buffer_after,
            r.control_before, r.control_after) == (100, 50, 50, 60, 200, 150)


def test_wdq_control_trend_weights_the_tne():
    # Control fell from Cb=200 to Ca=100, so the expected ("trend") count is halved: Ca/Cb = 0.5.
    # Rb=100, Ra=40, Db=60, Da=40.
    # SM  = 40/100 - 100/200 = 0.40 - 0.50 = -0.10
    # BDM = 40/100 -  60/200 = 0.40 - 0.30 = +0.10
    # WDQ = 0.10 / -0.10 = -1            -> displacement exactly cancels the benefit
    # TNE = [100*0.5 - 40] - [40 - 60*0.5] = 10 - 10 = 0
    r = wdq(100, 40, 60, 40, 200, 100)
    assert r.success_measure == pytest.approx(-0.10)
    assert r.buffer_measure == pytest.approx(0.10)
    assert r.wdq == -1.0
    assert r.tne == 0.0
    assert "cancelling it out" in r.reading


# Ca = Cb = 100 so every ratio is a count / 100. Target 100 -> 80 gives SM = 0.8 - 1.0 = -0.2
# except in the last row (target 100 -> 120, SM = +0.2). Buffer Db = 100 throughout.
WDQ_BAND_CASES = [
    # Da=70:  BDM = -0.3, WDQ = -0.3/-0.2 = 1.5;  TNE = (100-80) - (70-100) = 20 + 30 = 50
    (100, 80, 100, 70, 1.5, 50.0, "diffusion greater than direct effect", "above 1"),
    # Da=80:  BDM = -0.2, WDQ = 1 (upper edge of the diffusion band); TNE = 20 + 20 = 40
    (100, 80, 100, 80, 1.0, 40.0, "diffusion", "between 0 and 1"),
    # Da=90:  BDM = -0.1, WDQ = 0.5;  TNE = 20 + 10 = 30
    (100, 80, 100, 90, 0.5, 30.0, "diffusion", "diffusion of benefits"),
    # Da=100: BDM = 0, WDQ = 0;  TNE = 20 - 0 = 20
    (100, 80, 100, 100, 0.0, 20.0, "none", "no displacement or diffusion"),
    # Da=110: BDM = +0.1, WDQ = -0.5;  TNE = 20 - 10 = 10
    (100, 80, 100, 110, -0.5, 10.0, "displacement no greater than benefit", "net benefit"),
    # Da=120: BDM = +0.2, WDQ = -1 (lower edge, still this band);  TNE = 20 - 20 = 0
    (100, 80, 100, 120, -1.0, 0.0, "displacement no greater than benefit", "no net benefit"),
    # Da=130: BDM = +0.3, WDQ = -1.5;  TNE = 20 - 30 = -10
    (100, 80, 100, 130, -1.5, -10.0, "displacement greater than benefit", "made things worse"),
    # Ra=120: SM = +0.2 (no success); Da=90: BDM = -0.1, WDQ = -0.5; TNE = -20 + 10 = -10
    (100, 120, 100, 90, -0.5, -10.0, "not interpretable",
     "cannot be read as displacement or diffusion"),
]


@pytest.mark.parametrize(
    "rb, ra, db, da, expected_wdq, expected_tne, band, phrase", WDQ_BAND_CASES,
    ids=["diffusion>effect", "diffusion-edge-1", "diffusion", "none", "displacement<benefit",
         "displacement-edge--1", "displacement>benefit", "no-success"])
def test_wdq_reading_bands(rb, ra, db, da, expected_wdq, expected_tne, band, phrase):
    r = wdq(rb, ra, db, da, 100, 100)
    assert r.wdq == pytest.approx(expected_wdq)
    assert r.tne == pytest.approx(expected_tne)
    assert r.band == band
    assert phrase in r.reading


def test_every_band_has_a_reading_and_is_reached():
    reached = {case[6] for case in WDQ_BAND_CASES}
    assert reached == set(WDQ_BANDS)


@pytest.mark.parametrize("counts", [(100, 50, 50, 60, 200, 150), (37, 12, 80, 95, 41, 66),
                                    (10, 3, 5, 2, 7, 9)],
                         ids=["worked", "uneven", "small"])
def test_wdq_tne_identity(counts):
    # TNE = -Ca * SM * (1 + WDQ): the TNE and the WDQ's -1 boundary agree.
    r = wdq(*counts)
    ca = counts[5]
    assert r.tne == pytest.approx(-ca * r.success_measure * (1 + r.wdq))


def test_wdq_is_exact_at_band_edges():
    # 1/3 and 1/30 are not exact in binary; the result must still be exactly -1 (Fraction maths).
    # Rb=30, Ra=20, Cb=Ca=30: SM = 20/30 - 30/30 = -1/3; Db=30, Da=40: BDM = +1/3; WDQ = -1.
    r = wdq(30, 20, 30, 40, 30, 30)
    assert Fraction(r.wdq) == -1
    assert r.band == "displacement no greater than benefit"


@pytest.mark.parametrize(
    "cb, ca, pattern",
    [(0, 200, r"control_before= is 0: the control area has no events in the before period"),
     (200, 0, r"control_after= is 0: the control area has no events in the after period"),
     (0, 0, r"control_before= and control_after= are 0: .* before and after periods")],
    ids=["before", "after", "both"])
def test_wdq_refuses_empty_control(cb, ca, pattern):
    with pytest.raises(EvaluationError, match=pattern):
        wdq(100, 50, 50, 60, cb, ca)
    with pytest.raises(EvaluationError, match="choose a larger control area or longer periods"):
        wdq(100, 50, 50, 60, cb, ca)


@pytest.mark.parametrize("rb, ra, cb, ca", [(100, 100, 200, 200), (50, 100, 100, 200)],
                         ids=["all-flat", "both-doubled"])
def test_wdq_undefined_when_target_tracks_control(rb, ra, cb, ca):
    # SM = Ra/Ca - Rb/Cb = 0 in both rows (0.5 - 0.5), so WDQ = BDM / 0.
    with pytest.raises(EvaluationError, match=r"success measure = 0\), so the WDQ is undefined"):
        wdq(rb, ra, 50, 60, cb, ca)


WDQ_ARGS = ["target_before", "target_after", "buffer_before", "buffer_after", "control_before",
            "control_after"]


@pytest.mark.parametrize("position, name", list(enumerate(WDQ_ARGS)), ids=WDQ_ARGS)
@pytest.mark.parametrize("bad", [-1, 2.5, float("nan"), "10", True],
                         ids=["negative", "fraction", "nan", "string", "bool"])
def test_wdq_refuses_bad_counts_naming_the_argument(position, name, bad):
    counts = [100, 50, 50, 60, 200, 200]
    counts[position] = bad
    with pytest.raises(EvaluationError, match=rf"^{name}= must be a"):
        wdq(*counts)


def test_wdq_accepts_whole_floats_and_numpy_ints():
    r = wdq(100.0, np.int64(50), 50, 60.0, np.int32(200), 200)
    assert r.wdq == pytest.approx(-0.2)
    assert isinstance(r.target_after, int)


# --------------------------------------------------------------------------------------------
# WDD
# --------------------------------------------------------------------------------------------


def test_wdd_published_example():
    # Wheeler & Ratcliffe (2018), Crime Science 7:11, worked example, as pinned by the first
    # author's own ptools test suite ("Est & Variance Paper", tests/testthat/test-wdd.R):
    # treated 207 -> 110, control 308 -> 318, displacement 178 -> 157, its control 150 -> 140;
    # published: WDD = -118, SE = sqrt(1568), z = -2.98, 95% CI -196 to -40.
    # Arithmetic: dT = -97, dC = +10, dD = -21, dDc = -10
    #   WDD = -97 - 10 + (-21) - (-10) = -118
    #   Var = 207 + 110 + 308 + 318 + 178 + 157 + 150 + 140 = 1568, SE = 39.598
    r = wdd(207, 110, 308, 318, buffer_before=178, buffer_after=157,
            buffer_control_before=150, buffer_control_after=140)
    assert r.wdd == -118
    assert r.local_wdd == -107            # -97 - 10
    assert r.displacement_wdd == -11      # -21 - (-10)
    assert r.se == pytest.approx(math.sqrt(1568))
    assert round(r.z, 2) == -2.98
    assert (round(r.ci_low), round(r.ci_high)) == (-196, -40)
    assert r.p == pytest.approx(2 * norm.sf(118 / math.sqrt(1568)))
    assert r.significant
    assert r.reading.startswith("WDD -118: 118 fewer events in the target and its buffer")
    assert "statistically significant at the 5% level" in r.reading
    assert "not statistically" not in r.reading


def test_wdd_published_no_buffer_example():
    # ptools README (Wheeler): wdd(control = c(20, 20), treated = c(20, 10)) prints
    # Est_Local -10, SE_Local 8.366600, Z -1.195229.
    # Arithmetic: WDD = (10 - 20) - (20 - 20) = -10; Var = 20+10+20+20 = 70; SE = 8.3666.
    r = wdd(20, 10, 20, 20)
    assert r.wdd == -10
    assert r.se == pytest.approx(8.366600, abs=1e-6)
    assert r.z == pytest.approx(-1.195229, abs=1e-6)
    assert r.displacement_wdd is None
    assert r.buffer_before is None


def test_wdd_hand_computed_without_buffer():
    # T 50 -> 30, C 60 -> 55.
    # WDD = (30 - 50) - (55 - 60) = -20 + 5 = -15
    # Var = 50 + 30 + 60 + 55 = 195; SE = sqrt(195) = 13.9642
    # z = -15 / 13.9642 = -1.0742; p = 2 * (1 - Phi(1.0742)) = 0.2827
    # 95%: -15 -/+ 1.96 * 13.9642 = -42.37 to 12.37
    r = wdd(50, 30, 60, 55)
    assert r.wdd == -15
    assert r.se == pytest.approx(13.9642, abs=1e-4)
    assert r.z == pytest.approx(-1.0742, abs=1e-4)
    assert r.p == pytest.approx(0.2827, abs=1e-4)
    assert r.ci_low == pytest.approx(-42.37, abs=0.01)
    assert r.ci_high == pytest.approx(12.37, abs=0.01)
    assert not r.significant
    assert "fewer events in the target, net of its control area (a reduction)" in r.reading
    assert "not statistically significant at the 5% level" in r.reading


@pytest.mark.parametrize(
    "counts, total, phrase",
    [((30, 40, 30, 30), 10, "10 more events in the target, net of its control area (an increase)"),
     ((30, 30, 30, 30), 0, "WDD 0: no change in the target"),
     ((100, 40, 100, 100), -60, "60 fewer events")],
    ids=["increase", "no-change", "reduction"])
def test_wdd_reading_direction(counts, total, phrase):
    r = wdd(*counts)
    assert r.wdd == total
    assert phrase in r.reading


@pytest.mark.parametrize(
    "counts, significant",
    [((100, 40, 100, 100), True),     # -60 / sqrt(340) = -3.25
     ((50, 30, 60, 55), False)],      # -15 / sqrt(195) = -1.07
    ids=["significant", "not-significant"])
def test_wdd_significance_matches_interval(counts, significant):
    r = wdd(*counts)
    assert r.significant is significant
    assert (r.ci_high < 0 or r.ci_low > 0) is significant
    assert (r.p < 0.05) is significant
    assert r.ci_high - r.ci_low == pytest.approx(2 * Z_95 * r.se)


BUFFER_ARGS = ["buffer_before", "buffer_after", "buffer_control_before", "buffer_control_after"]


@pytest.mark.parametrize(
    "given",
    [["buffer_before"], ["buffer_before", "buffer_after"],
     ["buffer_after", "buffer_control_before", "buffer_control_after"],
     ["buffer_control_after"]],
    ids=["only-before", "no-control", "missing-before", "only-control-after"])
def test_wdd_refuses_partial_buffer_naming_the_missing(given):
    missing = [name for name in BUFFER_ARGS if name not in given]
    expected = ", ".join(f"{name}=" for name in missing) + " missing"
    with pytest.raises(EvaluationError, match=rf"^{expected}: give all four buffer counts"):
        wdd(50, 30, 60, 55, **{name: 10 for name in given})


def test_wdd_buffer_of_zeros_is_a_buffer():
    # All-zero buffer counts are given, not missing: same WDD as no buffer, variance unchanged.
    r = wdd(50, 30, 60, 55, 0, 0, 0, 0)
    assert r.wdd == -15
    assert r.displacement_wdd == 0
    assert r.se == pytest.approx(math.sqrt(195))


@pytest.mark.parametrize("buffer", [(), (0, 0, 0, 0)], ids=["no-buffer", "zero-buffer"])
def test_wdd_refuses_zero_variance(buffer):
    with pytest.raises(EvaluationError, match="every count is 0, so the WDD has zero variance"):
        wdd(0, 0, 0, 0, *buffer)


WDD_ARGS = ["target_before", "target_after", "control_before", "control_after"] + BUFFER_ARGS


@pytest.mark.parametrize("position, name", list(enumerate(WDD_ARGS)), ids=WDD_ARGS)
@pytest.mark.parametrize("bad", [-3, 0.5, float("inf")], ids=["negative", "fraction", "inf"])
def test_wdd_refuses_bad_counts_naming_the_argument(position, name, bad):
    counts = [207, 110, 308, 318, 178, 157, 150, 140]
    counts[position] = bad
    with pytest.raises(EvaluationError, match=rf"^{name}= must be a"):
        wdd(*counts)
