"""After-the-fact displacement evaluation: did a place-based response move the problem next door?

Two standard before/after statistics, as pure functions on event counts (crimes, harm reports,
community concerns, ...). Nothing here touches the database; callers pass released counts.

* :func:`wdq` — the Weighted Displacement Quotient (Bowers & Johnson 2003) with the Total Net
  Effect (Guerette 2009). Needs a target area, a buffer around it (where displacement would
  show) and a control area. It describes; it has no standard error.
* :func:`wdd` — the Weighted Displacement Difference (Wheeler & Ratcliffe 2018). Needs a control
  area for the target and, optionally, a buffer with its own control. It estimates how many
  events the response changed and gives a standard error, a 95% interval and a p-value under a
  Poisson assumption.

Both results carry their inputs and a plain-words ``reading`` for the problem profile.

References
----------
Bowers, K. J. & Johnson, S. D. (2003). Measuring the geographical displacement and diffusion of
benefit effects of crime prevention activity. *Journal of Quantitative Criminology* 19(3),
275-301.

Guerette, R. T. (2009). *Analyzing crime displacement and diffusion*. Problem-Oriented
Guides for Police, Tool Guide No. 10, Appendices B and C.

Wheeler, A. P. & Ratcliffe, J. H. (2018). A simple weighted displacement difference test to
evaluate place based crime interventions. *Crime Science* 7:11. doi:10.1186/s40163-018-0085-5

Examples
--------
>>> wdq(100, 50, 50, 60, 200, 200).wdq
-0.2
>>> wdd(207, 110, 308, 318, 178, 157, 150, 140).wdd
-118
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from fractions import Fraction
from statistics import NormalDist

from profiles.release import PlainWordsError

#: Two-sided 95% normal quantile (1.959964..., "1.96").
Z_95 = NormalDist().inv_cdf(0.975)

_BUFFER_ARGS = ("buffer_before", "buffer_after", "buffer_control_before",
                "buffer_control_after")


class EvaluationError(PlainWordsError):
    """A displacement statistic cannot be computed from the counts given."""


def _count(name: str, value) -> int:
    """Return ``value`` as a non-negative int, or raise naming the argument ``name``.

    Accepts ints (including numpy integers) and whole-valued floats such as ``3.0``; refuses
    booleans, fractions of an event, NaN, infinities, negatives and anything not a number.

    Examples
    --------
    >>> _count("target_before", 3.0)
    3
    >>> try:
    ...     _count("target_before", -1)
    ... except EvaluationError as err:
    ...     print(err)
    target_before= must be a count of events (0 or more), not -1
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise EvaluationError(f"{name}= must be a count of events (a whole number, 0 or more), "
                              f"not {value!r}")
    if not math.isfinite(value) or value != int(value):
        raise EvaluationError(f"{name}= must be a whole number of events, not {value!r}")
    if value < 0:
        raise EvaluationError(f"{name}= must be a count of events (0 or more), not {value!r}")
    return int(value)


# --------------------------------------------------------------------------------------------
# Weighted Displacement Quotient
# --------------------------------------------------------------------------------------------

#: WDQ reading bands, keyed by :attr:`WDQResult.band` (Guerette 2009, Appendix C).
WDQ_BANDS: dict[str, str] = {
    "not interpretable": (
        "The target area did not improve relative to the control area (success measure "
        "{sm:+.3f}, not below zero), so the WDQ cannot be read as displacement or diffusion "
        "of benefits."),
    "diffusion greater than direct effect": (
        "WDQ {wdq:.2f} (above 1): diffusion of benefits — the buffer improved relative to "
        "the control area by more than the target itself did."),
    "diffusion": (
        "WDQ {wdq:.2f} (between 0 and 1): diffusion of benefits — the buffer improved "
        "relative to the control area as well as the target, by no more than the target did."),
    "none": (
        "WDQ 0: no displacement or diffusion — the buffer changed in line with the control "
        "area while the target improved."),
    "displacement no greater than benefit": (
        "WDQ {wdq:.2f} (from -1 up to 0): some displacement into the buffer, but smaller than "
        "the direct benefit in the target, so the response still had a net benefit."),
    "displacement greater than benefit": (
        "WDQ {wdq:.2f} (below -1): displacement into the buffer was greater than the direct "
        "benefit in the target — taken together, the response made things worse."),
}


@dataclass(frozen=True)
class WDQResult:
    """A Weighted Displacement Quotient with its parts, its inputs and a plain reading.

    Attributes
    ----------
    target_before, target_after, buffer_before, buffer_after, control_before, control_after
        The counts given (Rb, Ra, Db, Da, Cb, Ca).
    success_measure : float
        SM = Ra/Ca - Rb/Cb; below zero means the target improved relative to the control area.
    buffer_measure : float
        BDM = Da/Ca - Db/Cb; above zero suggests displacement, below zero diffusion.
    wdq : float
        BDM / SM.
    tne : float
        Total Net Effect, in events: [Rb(Ca/Cb) - Ra] - [Da - Db(Ca/Cb)]. Positive means fewer
        events across target and buffer together than the control trend predicts. It equals
        -Ca·SM·(1 + WDQ), so when the target improved, TNE > 0 exactly when WDQ > -1.
    band : str
        One of the keys of :data:`WDQ_BANDS`.
    reading : str
        Plain-words interpretation.
    """

    target_before: int
    target_after: int
    buffer_before: int
    buffer_after: int
    control_before: int
    control_after: int
    success_measure: float
    buffer_measure: float
    wdq: float
    tne: float
    band: str
    reading: str


def wdq(target_before, target_after, buffer_before, buffer_after, control_before,
        control_after) -> WDQResult:
    """Compute the Weighted Displacement Quotient and Total Net Effect.

    With Rb, Ra (target), Db, Da (buffer) and Cb, Ca (control) the counts before and after:

    * success measure SM = Ra/Ca - Rb/Cb (Bowers & Johnson 2003);
    * buffer displacement measure BDM = Da/Ca - Db/Cb;
    * WDQ = BDM / SM;
    * TNE = [Rb(Ca/Cb) - Ra] - [Da - Db(Ca/Cb)] (Guerette 2009, Appendix B, written there as
      [Rb(Ca/Cb) - Ra] + [Db(Ca/Cb) - Da]).

    The arithmetic is exact (fractions), so the band boundaries 0, 1 and -1 are classified
    exactly; the results are returned as floats.

    Parameters
    ----------
    target_before, target_after : int
        Events in the target (response) area before and after the response.
    buffer_before, buffer_after : int
        Events in the buffer (catchment) area around the target.
    control_before, control_after : int
        Events in the control area. Both must be above zero.

    Returns
    -------
    WDQResult

    Raises
    ------
    EvaluationError
        If a count is negative or not a whole number (the message names the argument); if the
        control area has no events in a period; or if the target changed exactly in line with
        the control area (SM = 0), where the WDQ is undefined.

    Examples
    --------
    >>> r = wdq(100, 50, 50, 60, 200, 200)
    >>> r.success_measure, r.buffer_measure, r.wdq, r.tne
    (-0.25, 0.05, -0.2, 40.0)
    >>> r.band
    'displacement no greater than benefit'
    >>> try:
    ...     wdq(100, 50, 50, 60, 0, 200)
    ... except EvaluationError as err:
    ...     print(err)  # doctest: +NORMALIZE_WHITESPACE
    control_before= is 0: the control area has no events in the before period, so the success
    measure, the WDQ and the total net effect cannot be computed; choose a larger control area
    or longer periods
    """
    rb = _count("target_before", target_before)
    ra = _count("target_after", target_after)
    db = _count("buffer_before", buffer_before)
    da = _count("buffer_after", buffer_after)
    cb = _count("control_before", control_before)
    ca = _count("control_after", control_after)
    empty = [(arg, period) for arg, period, n in
             (("control_before", "before", cb), ("control_after", "after", ca)) if n == 0]
    if empty:
        args = " and ".join(f"{arg}=" for arg, _ in empty)
        periods = " and ".join(period for _, period in empty)
        noun = "periods" if len(empty) > 1 else "period"
        raise EvaluationError(
            f"{args} {'are' if len(empty) > 1 else 'is'} 0: the control area has no events in "
            f"the {periods} {noun}, so the success measure, the WDQ and the total net effect "
            f"cannot be computed; choose a larger control area or longer periods")

    sm = Fraction(ra, ca) - Fraction(rb, cb)
    bdm = Fraction(da, ca) - Fraction(db, cb)
    if sm == 0:
        raise EvaluationError(
            f"the target area changed exactly in line with the control area (target "
            f"{rb}->{ra}, control {cb}->{ca}: success measure = 0), so the WDQ is undefined "
            f"(it would divide by zero); there is no effect in the target to weigh "
            f"displacement against")
    quotient = bdm / sm
    trend = Fraction(ca, cb)
    tne = (rb * trend - ra) - (da - db * trend)
    band = _wdq_band(sm, quotient)
    reading = WDQ_BANDS[band].format(sm=float(sm), wdq=float(quotient))
    if sm < 0 and quotient == -1:
        reading = ("WDQ -1.00: displacement into the buffer was exactly as large as the direct "
                   "benefit in the target, cancelling it out: no net benefit.")
    reading += " " + _tne_sentence(float(tne))
    return WDQResult(rb, ra, db, da, cb, ca, float(sm), float(bdm), float(quotient),
                     float(tne), band, reading)


def _wdq_band(sm: Fraction, quotient: Fraction) -> str:
    """Return the :data:`WDQ_BANDS` key for a success measure and quotient (exact)."""
    if sm > 0:
        return "not interpretable"
    if quotient > 1:
        return "diffusion greater than direct effect"
    if quotient > 0:
        return "diffusion"
    if quotient == 0:
        return "none"
    if quotient >= -1:
        return "displacement no greater than benefit"
    return "displacement greater than benefit"


def _tne_sentence(tne: float) -> str:
    """Return the Total Net Effect in plain words."""
    if tne > 0:
        return (f"Total net effect: about {tne:.1f} fewer events across target and buffer "
                f"than the control area's trend predicts.")
    if tne < 0:
        return (f"Total net effect: about {-tne:.1f} more events across target and buffer "
                f"than the control area's trend predicts.")
    return "Total net effect: 0 — target and buffer together matched the control area's trend."


# --------------------------------------------------------------------------------------------
# Weighted Displacement Difference
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class WDDResult:
    """A Weighted Displacement Difference test with its inputs and a plain reading.

    Attributes
    ----------
    target_before, target_after, control_before, control_after : int
    buffer_before, buffer_after, buffer_control_before, buffer_control_after : int or None
        The counts given; the buffer ones are all None when no buffer was used.
    local_wdd : int
        ΔT - ΔC: the change in the target net of its control.
    displacement_wdd : int or None
        ΔD - ΔDc: the change in the buffer net of its control (None without a buffer).
    wdd : int
        local_wdd + displacement_wdd; negative means fewer events (a reduction).
    se : float
        Standard error, the square root of the sum of all counts used (Poisson variance).
    z, p : float
        wdd / se and its two-sided p-value from the standard normal.
    ci_low, ci_high : float
        95% interval, wdd ± 1.96·se (1.96 being the 97.5% normal quantile, :data:`Z_95`).
    significant : bool
        p < 0.05 (equivalently, the 95% interval excludes zero).
    reading : str
        Plain-words interpretation.
    """

    target_before: int
    target_after: int
    control_before: int
    control_after: int
    buffer_before: int | None
    buffer_after: int | None
    buffer_control_before: int | None
    buffer_control_after: int | None
    local_wdd: int
    displacement_wdd: int | None
    wdd: int
    se: float
    z: float
    p: float
    ci_low: float
    ci_high: float
    significant: bool
    reading: str


def wdd(target_before, target_after, control_before, control_after, buffer_before=None,
        buffer_after=None, buffer_control_before=None, buffer_control_after=None) -> WDDResult:
    """Run the Weighted Displacement Difference test (Wheeler & Ratcliffe 2018).

    With Δ = after - before for the target T, its control C, the buffer (displacement
    area) D and the buffer's control Dc:

    * WDD = ΔT - ΔC + ΔD - ΔDc (without a buffer, WDD = ΔT - ΔC);
    * Var(WDD) = the sum of all eight (or four) counts, each count's Poisson variance;
    * se = sqrt(Var), z = WDD / se, 95% interval WDD ± 1.96·se, two-sided p from the normal.

    The normal approximation wants counts that are not tiny; with single-figure counts read
    the p-value as rough.

    Parameters
    ----------
    target_before, target_after : int
        Events in the target (response) area before and after the response.
    control_before, control_after : int
        Events in the target's control area.
    buffer_before, buffer_after, buffer_control_before, buffer_control_after : int, optional
        Events in the buffer around the target and in the buffer's own control area. Give all
        four or none.

    Returns
    -------
    WDDResult

    Raises
    ------
    EvaluationError
        If a count is negative or not a whole number (the message names the argument); if only
        some buffer counts are given (the message names the missing ones); or if every count is
        zero, so the variance is zero and there is nothing to test.

    Examples
    --------
    >>> r = wdd(50, 30, 60, 55)
    >>> r.wdd, round(r.se, 3), round(r.z, 3), r.significant
    (-15, 13.964, -1.074, False)
    >>> try:
    ...     wdd(50, 30, 60, 55, buffer_before=10)
    ... except EvaluationError as err:
    ...     print(err)  # doctest: +NORMALIZE_WHITESPACE
    buffer_after=, buffer_control_before=, buffer_control_after= missing: give all four buffer
    counts (buffer_before=, buffer_after=, buffer_control_before=, buffer_control_after=) or
    none of them
    """
    t0 = _count("target_before", target_before)
    t1 = _count("target_after", target_after)
    c0 = _count("control_before", control_before)
    c1 = _count("control_after", control_after)
    given = dict(zip(_BUFFER_ARGS, (buffer_before, buffer_after, buffer_control_before,
                                    buffer_control_after)))
    missing = [name for name, value in given.items() if value is None]
    if 0 < len(missing) < len(_BUFFER_ARGS):
        raise EvaluationError(
            f"{', '.join(f'{name}=' for name in missing)} missing: give all four buffer counts "
            f"({', '.join(f'{name}=' for name in _BUFFER_ARGS)}) or none of them")
    buffer = None if missing else [_count(name, value) for name, value in given.items()]

    local = (t1 - t0) - (c1 - c0)
    variance = t0 + t1 + c0 + c1
    displacement = None
    if buffer is not None:
        d0, d1, dc0, dc1 = buffer
        displacement = (d1 - d0) - (dc1 - dc0)
        variance += d0 + d1 + dc0 + dc1
    if variance == 0:
        raise EvaluationError("every count is 0, so the WDD has zero variance and cannot be "
                              "tested; choose larger areas or longer periods")
    total = local + (displacement or 0)
    se = math.sqrt(variance)
    z = total / se
    p = math.erfc(abs(z) / math.sqrt(2))
    low, high = total - Z_95 * se, total + Z_95 * se
    significant = p < 0.05
    reading = _wdd_reading(total, z, p, low, high, significant, buffer is not None)
    b = buffer or [None] * 4
    return WDDResult(t0, t1, c0, c1, *b, local, displacement, total, se, z, p, low, high,
                     significant, reading)


def _wdd_reading(total: int, z: float, p: float, low: float, high: float, significant: bool,
                 with_buffer: bool) -> str:
    """Return the WDD in plain words."""
    scope = ("in the target and its buffer together, net of their control areas"
             if with_buffer else "in the target, net of its control area")
    if total < 0:
        change = f"{-total} fewer events {scope} (a reduction)"
    elif total > 0:
        change = f"{total} more events {scope} (an increase)"
    else:
        change = f"no change {scope}"
    if significant:
        verdict = "statistically significant at the 5% level"
    else:
        verdict = ("not statistically significant at the 5% level, so chance alone could "
                   "give a difference this size")
    shown = f"{total:+d}" if total else "0"
    return (f"WDD {shown}: {change}; {verdict} (z = {z:.2f}, p = {p:.3f}; "
            f"95% interval {low:.1f} to {high:.1f}).")
