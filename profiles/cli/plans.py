"""Planning commands: ``lantern patrols``, ``lantern displacement`` and ``lantern evaluate``.

Every output starts and ends with the audience's protective marking and carries only released
figures (and model estimates made from them).
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from data_contracts.feeds import CONTRACTS
from profiles.cli import UserError, command


def register(sub) -> None:
    """Add the planning commands to the ``lantern`` parser."""
    p = sub.add_parser("patrols", help="plan visible safety patrols (police-internal)",
                       description="Rank hexagon × day × time-band candidates for visible "
                                   "safety patrols, with exclusion zones around outreach.")
    psub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = command(psub, _patrols_plan, "plan")
    q.add_argument("--audience", default="command", help="command (default) or analyst")
    q.add_argument("--area", default=None, help="area name (default: whole force)")
    _period_args(q)
    q.add_argument("--weight", action="append", default=[], metavar="FEED=W",
                   help="weight for harm_reports, on_street or community_concerns "
                        "(repeatable; defaults 0.5 / 0.3 / 0.2)")
    q.add_argument("--exclusion-km", type=float, default=0.5,
                   help="exclusion radius around outreach sites (default 0.5)")
    q.add_argument("--top", type=int, default=10, help="how many proposals (default 10)")
    q.add_argument("--format", default="text", choices=("text", "csv", "html"))
    q.add_argument("--out", metavar="PATH", default=None, help="output file (default stdout)")

    p = sub.add_parser("displacement", help="forward displacement scenarios",
                       description="Run, save, list, compare and export displacement "
                                   "scenarios (saved in lantern-scenarios/ beside the database).")
    dsub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = command(dsub, _simulate, "simulate")
    q.add_argument("--audience", required=True, help="partnership, command or analyst")
    q.add_argument("--targets", default=None, help="comma-separated hexagon ids")
    q.add_argument("--target-area", default=None, help="or an area name as the target")
    q.add_argument("--intervention", required=True,
                   choices=("patrol", "enforcement", "premises_closure",
                            "environmental_improvement"))
    q.add_argument("--reduction", type=float, default=None,
                   help="expected reduction 0–1 (default per intervention)")
    q.add_argument("--shares", default=None, metavar="LOW,CENTRAL,HIGH",
                   help="displaced shares (default per intervention)")
    q.add_argument("--max-km", type=float, default=1.5)
    q.add_argument("--decay-km", type=float, default=0.5)
    q.add_argument("--area", default=None, help="study area (default: the force area)")
    q.add_argument("--feed", default="on_street", choices=("on_street", "premises"))
    _period_args(q)
    q.add_argument("--save", metavar="NAME", default=None, help="save under this name")
    q.add_argument("--overwrite", action="store_true", help="replace a saved scenario")
    q.add_argument("--format", default="text", choices=("text", "csv", "html"))
    q.add_argument("--out", metavar="PATH", default=None)
    q = command(dsub, _list, "list")
    q.add_argument("--audience", default=None, help="only this audience's scenarios")
    for name, helptext in (("compare", "compare saved scenarios side by side"),
                           ("export", "export one saved scenario")):
        q = command(dsub, _compare if name == "compare" else _export, name, help=helptext)
        q.add_argument("names", nargs="+", metavar="NAME")
        q.add_argument("--audience", required=True, help="the audience they were run for")
        q.add_argument("--format", default="text" if name == "compare" else "csv",
                       choices=("text", "csv", "html"))
        q.add_argument("--out", metavar="PATH", default=None)

    q = command(dsub, _check, "check")
    q.add_argument("name", metavar="NAME")
    q.add_argument("--audience", required=True, help="the audience it was run for")
    q.add_argument("--after", required=True, metavar="START:END", help="first:last Monday")
    q.add_argument("--before", default=None, metavar="START:END",
                   help="default: the scenario's baseline weeks")

    p = command(sub, _evaluate, "evaluate")
    p.add_argument("--audience", default="analyst", help="analyst (default) or command")
    p.add_argument("--feed", default="on_street", choices=_EVENT_FEEDS,
                   help="the events counted (default on_street)")
    p.add_argument("--target", required=True, help="area name or comma-separated hexagons")
    p.add_argument("--control", required=True, help="area name or comma-separated hexagons")
    p.add_argument("--buffer", default=None, help="area name or comma-separated hexagons "
                                                  "(default: the ring around the target)")
    p.add_argument("--rings", type=int, default=1,
                   help="width of the default buffer in rings of hexagons (default 1)")
    p.add_argument("--format", default="text", choices=("text", "csv"))
    p.add_argument("--before", required=True, metavar="START:END", help="first:last Monday")
    p.add_argument("--after", required=True, metavar="START:END", help="first:last Monday")
    p.add_argument("--out", metavar="PATH", default=None, help="output file (default stdout)")


#: Counted feeds with a file of their own, placed finely enough for hexagon targets.
_EVENT_FEEDS = tuple(c.feed for c in CONTRACTS.values()
                     if c.kind == "event" and c.finest_resolution is None)


def _period_args(q) -> None:
    q.add_argument("--start", type=_date, default=None, help="first week (YYYY-MM-DD)")
    q.add_argument("--end", type=_date, default=None, help="last week (YYYY-MM-DD)")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{text!r} is not a date; write YYYY-MM-DD") from None


def _span(text: str) -> tuple:
    parts = text.split(":")
    if len(parts) != 2:
        raise UserError(f"{text!r} is not a period; write START:END, e.g. "
                        f"2025-01-06:2025-06-30")
    return _date(parts[0]), _date(parts[1])


def _con(args):
    from profiles.release import open_read_only
    return open_read_only(_db(args))


def _db(args) -> Path:
    from profiles.release import default_db_path
    return Path(args.db) if args.db else default_db_path()


def _emit(args, text: str, marking: str) -> int:
    if getattr(args, "out", None):
        from data_contracts.private_files import write_private

        write_private(args.out, text)
        print(f"wrote {args.out} ({marking})", file=sys.stderr)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def _errors():
    from profiles.planning import DisplacementError
    from profiles.planning import EvaluationError
    from profiles.planning import PatrolError
    from profiles.planning import ScenarioError
    return (DisplacementError, EvaluationError, PatrolError, ScenarioError)


def _patrols_plan(args) -> int:
    """rank candidates and print or write the patrol brief"""
    from profiles.release import safe_cell, safe_comment
    from profiles.planning import PatrolError, patrol_brief_html, plan_patrols

    weights = {}
    for item in args.weight:
        feed, _, value = item.partition("=")
        try:
            weights[feed.strip()] = float(value)
        except ValueError:
            raise UserError(f"--weight {item!r}: write FEED=NUMBER, e.g. harm_reports=0.6")
    try:
        plan = plan_patrols(_con(args), args.audience, area=args.area, start=args.start,
                            end=args.end, weights=weights, exclusion_km=args.exclusion_km,
                            top=args.top)
    except PatrolError as exc:
        raise UserError(str(exc)) from None
    if args.format == "html":
        return _emit(args, patrol_brief_html(plan), plan.marking)
    cols = ["rank", "h3_id", "day", "band", "score", "displacement_risk", "reason"]
    table = plan.proposals[cols].copy()
    table["score"] = table["score"].round(3)
    if args.format == "csv":
        import csv
        import io
        buf = io.StringIO()
        for line in (plan.marking, "Lantern patrol plan (police-internal)", plan.statement):
            buf.write(safe_comment(line) + "\n")
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols)
        for row in table.itertuples(index=False):
            w.writerow([safe_cell(v) for v in row])
        return _emit(args, buf.getvalue(), plan.marking)
    lines = [plan.marking, "PATROL PLAN — visible safety patrols (police-internal)",
             *(["SYNTHETIC DEMONSTRATION DATA — not real people or places."]
               if plan.synthetic else []),
             "", f"Purpose: {plan.purpose}", "",
             "Weights: " + ", ".join(f"{k} {v:g}" for k, v in plan.weights.items()),
             f"Exclusion radius: {plan.exclusion_km:g} km", "",
             table.to_string(index=False) if len(table) else "No candidates.", "",
             f"Excluded ({len(plan.excluded)} rows):"]
    lines += [f"  {r.h3_id} {r.day} {r.band}: {r.reason}" for r in plan.excluded.itertuples()]
    lines += ["", f"Notice to share through outreach projects: {plan.notice}", "",
              plan.statement, plan.marking]
    return _emit(args, "\n".join(lines), plan.marking)


def _cells_arg(text):
    if text is None:
        return None
    parts = [p.strip() for p in text.split(",") if p.strip()]
    import h3
    if len(parts) > 1 or (parts and h3.is_valid_cell(parts[0])):
        return parts
    return text


def _simulate(args) -> int:
    """run a scenario"""
    from profiles.planning import ScenarioOptions, simulate
    from profiles.planning import save_scenario, scenario_dir, scenario_to_csv, scenarios_to_html

    if bool(args.targets) == bool(args.target_area):
        raise UserError("give either --targets H3,H3,... or --target-area NAME")
    targets = args.target_area or [t.strip() for t in args.targets.split(",") if t.strip()]
    shares = None
    if args.shares:
        try:
            shares = tuple(float(x) for x in args.shares.split(","))
        except ValueError:
            raise UserError(f"--shares {args.shares!r}: write LOW,CENTRAL,HIGH, e.g. "
                            f"0.1,0.25,0.5") from None
    try:
        options = ScenarioOptions(targets, args.intervention, reduction=args.reduction,
                                  displaced_shares=shares, max_km=args.max_km,
                                  decay_km=args.decay_km, area=args.area, start=args.start,
                                  end=args.end, feed=args.feed)
        sc = simulate(_con(args), args.audience, options)
        if args.save:
            path = save_scenario(sc, args.save, scenario_dir(_db(args)),
                                 overwrite=args.overwrite)
            print(f"saved scenario {sc.name!r} to {path}", file=sys.stderr)
    except _errors() as exc:
        raise UserError(str(exc)) from None
    if args.format == "csv":
        return _emit(args, scenario_to_csv(sc), sc.marking)
    if args.format == "html":
        return _emit(args, scenarios_to_html([sc]), sc.marking)
    cells = sc.cells.sort_values("change_central", key=abs, ascending=False).head(15)
    shown = cells[["h3_id", "role", "baseline", "change_low", "change_central",
                   "change_high"]].round(2).rename(columns=_CHANGE_HEADINGS)
    text = (sc.summary() + "\n\nLargest expected changes (central):\n"
            + shown.to_string(index=False) + f"\n{sc.marking}")
    return _emit(args, text, sc.marking)


#: Column headings in words for the scenario tables the commands print.
_CHANGE_HEADINGS = {"h3_id": "hexagon", "baseline": "baseline", "change_low": "low",
                    "change_central": "central", "change_high": "high",
                    "moved_central": "moved (central)"}


def _list(args) -> int:
    """list saved scenarios"""
    from profiles.planning import list_scenarios, scenario_dir

    from profiles.release import get_policy

    frame = list_scenarios(scenario_dir(_db(args)), audience=args.audience)
    marks = sorted({get_policy(a).marking for a in frame["audience"]})
    from profiles.planning import INTERVENTIONS

    frame["intervention"] = [INTERVENTIONS[k].words if k in INTERVENTIONS else k
                             for k in frame["intervention"]]
    shown = frame.round(1).rename(columns=_CHANGE_HEADINGS)
    print("\n".join([*marks, shown.to_string(index=False) if len(frame)
                     else "No saved scenarios.", *marks]))
    return 0


def _load_all(args):
    from profiles.planning import ScenarioError, load_scenario, scenario_dir

    try:
        return [load_scenario(n, scenario_dir(_db(args)), audience=args.audience)
                for n in args.names]
    except ScenarioError as exc:
        raise UserError(str(exc)) from None


def _compare(args) -> int:
    from profiles.planning import ScenarioError, compare_scenarios, scenarios_to_html

    scs = _load_all(args)
    try:
        if args.format == "html":
            return _emit(args, scenarios_to_html(scs), scs[0].marking)
        table = compare_scenarios(scs)
    except ScenarioError as exc:
        raise UserError(str(exc)) from None
    if args.format == "csv":
        import csv
        import io

        from profiles.release import safe_cell, safe_comment
        buf = io.StringIO()
        for line in (scs[0].marking, "Lantern displacement scenarios compared",
                     scs[0].statement):
            buf.write(safe_comment(line) + "\n")
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([safe_cell(table.index.name or ""), *map(safe_cell, table.columns)])
        for label, row in zip(table.index, table.itertuples(index=False)):
            w.writerow([safe_cell(label), *(safe_cell(v) for v in row)])
        return _emit(args, buf.getvalue(), scs[0].marking)
    return _emit(args, "\n".join([scs[0].marking, table.to_string(), scs[0].statement,
                                  scs[0].marking]), scs[0].marking)


def _export(args) -> int:
    from profiles.planning import scenario_to_csv, scenarios_to_html

    scs = _load_all(args)
    if args.format == "html":
        return _emit(args, scenarios_to_html(scs), scs[0].marking)
    if args.format == "text":
        return _emit(args, "\n\n".join(s.summary() for s in scs), scs[0].marking)
    return _emit(args, "".join(scenario_to_csv(s) for s in scs), scs[0].marking)


def _check(args) -> int:
    """check a saved scenario against what happened after

    Evaluate a saved scenario's target and the hexagons it moved activity into over its baseline
    weeks and an after period, and set the observed change beside the scenario's low – central –
    high range.
    """
    from profiles.planning import check_scenario

    args.names = [args.name]
    (scenario,) = _load_all(args)
    try:
        check = check_scenario(_con(args), args.audience, scenario, after=_span(args.after),
                               before=_span(args.before) if args.before else None)
    except _errors() as exc:
        raise UserError(str(exc)) from None
    t = check.table.rename(columns={"interval_low": "95% from", "interval_high": "to",
                                    "placed": "against the range"}).set_index("measure")
    lines = [scenario.marking, f"Scenario {scenario.name!r} checked against what happened",
             t.round(2).to_string(), "", check.summary, *check.notes, scenario.statement,
             scenario.marking]
    return _emit(args, "\n".join(lines), scenario.marking)


def _evaluate(args) -> int:
    """WDQ and WDD from released counts

    Weighted Displacement Quotient and Difference for target, buffer and control hexagons over two
    periods.
    """
    from profiles.analyses import FEED_WORDS
    from profiles.planning import evaluate_areas

    try:
        ev = evaluate_areas(_con(args), args.audience, target=_cells_arg(args.target),
                            control=_cells_arg(args.control), buffer=_cells_arg(args.buffer),
                            before=_span(args.before), after=_span(args.after),
                            feed=args.feed, rings=args.rings)
    except _errors() as exc:
        raise UserError(str(exc)) from None
    if args.format == "csv":
        return _emit(args, ev.to_csv(), ev.marking)
    c = ev.counts
    lines = [ev.marking, f"Evaluation of a response: {FEED_WORDS.get(args.feed, args.feed)}, "
                         f"released counts",
             f"  {'':8} {'before':>8} {'after':>8}  hexagons"]
    for name in ("target", "buffer", "control"):
        lines.append(f"  {name:8} {c[name + '_before']:>8} {c[name + '_after']:>8}  "
                     f"{len(ev.cells[name])}")
    if ev.wdq is not None:
        lines += [f"WDQ {ev.wdq.wdq:.3f}  TNE {ev.wdq.tne:+.1f}", f"  {ev.wdq.reading}"]
    if ev.wdd is not None:
        lines += [f"WDD {ev.wdd.wdd:+d}  se {ev.wdd.se:.2f}  z {ev.wdd.z:.2f}  95% interval "
                  f"{ev.wdd.ci_low:.1f} to {ev.wdd.ci_high:.1f}", f"  {ev.wdd.reading}"]
    lines += [f"Verdict: {ev.verdict}", *(f"Caution: {p}" for p in ev.problems),
              ev.statement, ev.marking]
    return _emit(args, "\n".join(lines), ev.marking)
