"""Response options and assessment: what the seeds ask partnerships to do, pointed at the data.

Options come in the order the guidance puts them: welfare and outreach first (online too:
support-service outreach to advertisers, not enforcement), then reporting and safeguarding, the environment, targeting exploiters, premises by category and community
concerns; enforcement last, with its displacement risk. Each option cites the released figures
that point to where it matters.

Examples
--------
>>> spec = EvaluationSpec("Lighting", target="Town Centre Beat (synthetic)",
...                       control="Dunwray Ward (synthetic)",
...                       before=("2025-01-06", "2025-03-31"), after=("2025-04-07", "2025-06-30"))
>>> spec.before
(datetime.date(2025, 1, 6), datetime.date(2025, 3, 31))
"""
from __future__ import annotations

from dataclasses import dataclass

import h3

from profiles.pack.adapters import analysis, guarded, missing_note
from profiles.pack.labels import category_label, feed_label
from profiles.pack.prose import section
from profiles.pack.model import Figure, Section, Table
from profiles.analyses import CATEGORIES, RESPONSES
from profiles.planning.response import to_date


@dataclass(frozen=True)
class EvaluationSpec:
    """A before/after evaluation to report: target, control (and buffer) areas, two periods.

    ``target``, ``control`` and ``buffer`` are area names or tuples of hexagon ids (buffer
    default: the ``rings`` rings of hexagons around the target); ``before`` and ``after`` are
    ``(first Monday, last Monday)``. ``audience`` is the audience the evaluation was made for,
    when it was made on a screen (the dashboard adds it only to a pack for that audience).
    """

    name: str
    target: str | tuple
    control: str | tuple
    before: tuple
    after: tuple
    buffer: str | tuple | None = None
    feed: str = "on_street"
    rings: int = 1
    audience: str | None = None

    def __post_init__(self):
        for attr in ("target", "control", "buffer"):
            value = getattr(self, attr)
            if isinstance(value, (list, set, frozenset)):
                object.__setattr__(self, attr, tuple(sorted(value)))
        for attr in ("before", "after"):
            rng = getattr(self, attr)
            if not isinstance(rng, (tuple, list)) or len(rng) != 2:
                raise ValueError(f"{attr}= must be (first Monday, last Monday), not {rng!r}")
            object.__setattr__(self, attr, tuple(to_date(d, f"{attr} period")
                                                 for d in rng))


# ---- response ---------------------------------------------------------------------------------
def response_section(ctx) -> Section:
    """Response options drawn from the seeds, each pointed at the figures that matter."""
    s = section("response")
    figs = _pointers(ctx)
    options = []

    def option(key, title, text, *pointers):
        pts = [p for p in pointers if p is not None]
        options.append((title, text, pts))
        sub = Section(f"response-{key}", title, paragraphs=[text])
        sub.figures = pts
        s.sections.append(sub)

    option("welfare", "1. Welfare and outreach first",
           "Bring outreach, health, drug and alcohol, housing and exit-support services to "
           "where need is recorded and reach is thin. Police should not approach people who "
           "are engaging with outreach, at drop-ins or near support premises, so that nobody "
           "is deterred from help.", figs.get("unmet"), figs.get("contacts"))
    from profiles.pack.online import RESPONSE, response_pointers

    option("online", f"2. {RESPONSE[0]}", RESPONSE[1], *response_pointers(ctx))
    option("reporting", "3. Encourage reporting and safeguard victims",
           "Build trust so that crimes against sex workers are reported, including through "
           "third parties such as National Ugly Mugs and outreach projects; offer specialist "
           "support (for example an independent sexual violence adviser) and record every "
           "crime reported.", figs.get("harm"))
    option("environment", "4. Improve the environment",
           "Work with the council and partners on the places themselves: repair street "
           "lighting, clear litter and needles, design in safety and use CCTV where it "
           "protects people. This reduces harm and community concern without moving people "
           "on.", figs.get("lighting"), figs.get("litter"))
    option("exploiters", "5. Target those who exploit",
           "Investigate exploitation, coercion and trafficking robustly, including coercion by "
           "a partner or relative, not only organised crime. Address demand through action "
           "against kerb-crawling (warning letters first).", figs.get("exploitation"),
           figs.get("kerb"))
    prem = _premises_table(ctx)
    option("premises", "6. Off-street premises by category",
           "Respond to premises according to their assessed category; work with partners to "
           "assess a premises before any tactical option, and consider where people would "
           "work instead if a premises closed.")
    if prem is not None:
        s.sections[-1].tables.append(prem)
    option("community", "7. Community concerns",
           "Problem-solve community concerns with the neighbourhood team, council and "
           "residents — noise, litter, anti-social behaviour — looking at the whole community "
           "rather than street sex work alone.", figs.get("concerns"))
    option("enforcement", "8. Enforcement: a last resort, with displacement risk",
           "Use enforcement only as a staged last option: warnings, engagement with support "
           "projects and diversion first. Crackdowns give temporary respite at best and tend "
           "to move street sex work to less safe, less visible places and away from outreach, "
           "and they erode the trust that reporting depends on. Displacement of street sex "
           "work should be avoided: before any enforcement, test the plan with a displacement "
           "scenario, consult outreach projects, and plan any visible patrols sensitively so "
           "their purpose (safety, not enforcement) is known.", figs.get("in_hot"))
    s.tables.append(Table("Options at a glance", ("Option", "Figures that point to it"),
                          tuple((t, "; ".join(f"{p.label}: {p.text}" for p in pts) or "—")
                                for t, _, pts in options)))
    return s


def _pointers(ctx) -> dict:
    """The figures each option cites (released, for the pack's audience)."""
    out = {}
    cov = ctx.cache.get(("coverage",))
    if cov is not None:
        src = ctx.source("outreach_contacts", "all",
                         analysis="profiles.analyses.coverage.reach_against_need")
        out["unmet"] = Figure("Hexagons with need and no outreach contacts shown",
                              int((cov.cells["status"] == "unmet need").sum()), src, "cells")
    if ctx.may("outreach_contacts"):
        out["contacts"] = ctx.figure("Outreach contacts", "outreach_contacts")
    if ctx.may("harm_reports"):
        out["harm"] = ctx.figure("Harm reports", "harm_reports")
    if ctx.may("harm_reports", ("category",)):
        out["exploitation"] = ctx.figure("Exploitation and coercion harm reports",
                                         "harm_reports", "all", ("category",),
                                         (("category", "exploitation_coercion"),))
    if ctx.may("community_concerns", ("category",)):
        out["kerb"] = ctx.figure("Kerb-crawling concerns", "community_concerns", "all",
                                 ("category",), (("category", "kerb_crawling"),))
        out["litter"] = ctx.figure("Litter and needles concerns", "community_concerns", "all",
                                   ("category",), (("category", "litter_needles"),))
    if ctx.may("community_concerns"):
        out["concerns"] = ctx.figure("Community concerns", "community_concerns")
    run = ctx.cache.get(("hotspots", "on_street"))
    if run is not None:
        hot = tuple(sorted(run.hot_cells))
        out["in_hot"] = ctx.figure("On-street activity in hotspot hexagons (most exposed to "
                                   "displacement)", "on_street", where=(("h3_id", hot),))
    env = analysis("profiles.release.reference", "release_environment")
    frame = guarded([], env, ctx.con, ctx.policy, area=ctx.area, start=ctx.start,
                    end=ctx.end) if env is not None and ctx.policy.may_see("environment") \
        else None
    if frame is not None:
        src = ctx.source("environment", "all", analysis="profiles.release.reference.release_environment",
                         where=(("feature_type", "lighting fault"),))
        if len(frame):
            out["lighting"] = Figure("Street-lighting faults", src.evaluate(
                frame.rename(columns={"features": "count"})), src, "features")
    return out


def _premises_table(ctx) -> Table | None:
    if not ctx.may("premises", ("category",)):
        return None
    rows = tuple((category_label("premises", c),
                  ctx.figure(f"Premises assessed as {c}", "premises", "all", ("category",),
                             (("category", c),)), RESPONSES[c]) for c in CATEGORIES)
    return Table("Response by premises category", ("Category", "Assessments", "Response"), rows)


# ---- assessment -------------------------------------------------------------------------------
def assessment_section(ctx, evaluations=()) -> Section:
    """What to measure next time (with this pack's baseline), and any evaluation results."""
    s = section("assessment")
    rows = []
    measures = (
        ("harm_reports", (), "Harm reports", "More reports through third parties and outreach "
                                            "can mean more trust, not more harm."),
        ("outreach_contacts", (), "Outreach contacts", "Reach should grow where need is "
                                                      "recorded."),
        ("on_street", (), "On-street activity", "Watch neighbouring places for displacement, "
                                               "not only the place responded to."),
        ("community_concerns", (), "Community concerns", "Fewer concerns alongside steady "
                                                        "or better reach."),
        ("premises", (("category", "risk"),), "Premises assessed as risk",
         "Each needs a safeguarding response."),
    )
    for feed, where, label, why in measures:
        by = ("category",) if where else ()
        if not ctx.may(feed, by):
            continue
        rows.append((label, ctx.figure(f"Baseline: {label}", feed, "all", by, where), why))
    s.tables.append(Table("Measures for next time", ("Measure", "This pack (baseline)",
                                                     "What to look for"), tuple(rows)))
    s.bullets.append("To evaluate a place-based response, compare the target area, a buffer "
                     "around it and a control area before and after, with the Weighted "
                     "Displacement Quotient and the Weighted Displacement Difference.")
    if not evaluations:
        s.notes.append("No evaluation results are recorded for this pack.")
    for spec in evaluations:
        sub = Section(f"evaluation-{spec.name}", f"Evaluation: {spec.name}")
        done = guarded(sub.notes, _evaluation, ctx, spec)
        s.sections.append(done if done is not None else sub)
    return s


def _evaluation(ctx, spec: EvaluationSpec) -> Section:
    sub = Section(f"evaluation-{spec.name}", f"Evaluation: {spec.name}")
    fn = analysis("profiles.planning.response", "evaluate_areas")
    if fn is None:
        sub.notes.append(missing_note("profiles.planning.response", "evaluate_areas"))
        return sub
    res = fn(ctx.con, ctx.policy, target=_zone(spec.target), control=_zone(spec.control),
             before=spec.before, after=spec.after, buffer=_zone(spec.buffer), feed=spec.feed,
             rings=spec.rings)
    ring = "the ring of hexagons around it" if spec.rings == 1 else \
        f"the {spec.rings} rings of hexagons around it"
    sub.paragraphs.append(
        f"{feed_label(spec.feed)} in {_place(spec.target)} (target), "
        f"{ring if spec.buffer is None else _place(spec.buffer)} (buffer) "
        f"and {_place(spec.control)} (control), {spec.before[0]} to {spec.before[1]} (before) "
        f"and {spec.after[0]} to {spec.after[1]} (after).")
    rows = []
    floor = ctx.policy.resolution_floor
    for place in ("target", "buffer", "control"):
        cells = set(res.cells[place])
        figs = []
        for when, rng in (("before", spec.before), ("after", spec.after)):
            base = ctx.source(spec.feed, "all", area=None,
                              analysis="profiles.planning.response.evaluate_areas")
            base = base._replace(start=rng[0], end=rng[1])
            frame = ctx.released(base).frame
            # a larger (rolled-up) hexagon counts where its centre child lies, as in the release
            ids = tuple(sorted(c for c in set(frame["h3_id"]) if (
                h3.cell_to_center_child(c, floor) if h3.get_resolution(c) < floor else c)
                in cells))
            figs.append(Figure(f"{place} {when}", res.counts[f"{place}_{when}"],
                               base._replace(where=(("h3_id", ids),))))
        rows.append((place.capitalize(), *figs))
    sub.tables.append(Table("Released counts", ("Area", "Before", "After"), tuple(rows)))
    src = ctx.source(spec.feed, "all", analysis="profiles.planning.evaluation")
    if res.wdq is not None:
        sub.figures += [Figure("Weighted Displacement Quotient", res.wdq.wdq, src, "statistic"),
                        Figure("Total Net Effect (events)", res.wdq.tne, src, "statistic")]
        sub.bullets.append(res.wdq.reading)
    if res.wdd is not None:
        sub.figures.append(Figure("Weighted Displacement Difference", res.wdd.wdd, src,
                                  "statistic"))
        sub.bullets.append(res.wdd.reading)
    sub.paragraphs.append(res.verdict)
    sub.notes += list(res.problems)
    return sub


def _zone(value):
    """An evaluation zone as :func:`profiles.planning.evaluate_areas` takes it."""
    return list(value) if isinstance(value, tuple) else value


def _place(value) -> str:
    """A zone in words: its area name, or how many hexagons were chosen."""
    if isinstance(value, tuple):
        return f"{len(value)} chosen hexagon{'s' if len(value) != 1 else ''}"
    return str(value)
