"""Data commands: demo, ingest, status, release."""
from __future__ import annotations

import sys
from pathlib import Path

from profiles.cli import UserError, command, lasting_imports
from profiles.cli.recipe import add_recipe_arguments, recipe_from_args


def register(sub) -> None:
    """Add the data commands to the ``lantern`` parser."""
    p = command(sub, _demo, "demo")
    p.add_argument("--seed", type=int, default=7, help="generator seed (default 7)")
    p.add_argument("--scale", type=float, default=1.0,
                   help="event volume multiplier (default 1; 170 ≈ a million on-street points)")
    p.add_argument("--no-serve", action="store_true", help="build the database only")
    p.add_argument("--port", type=int, default=8501, help="dashboard port (default 8501)")

    p = command(sub, _ingest, "ingest")
    from data_contracts import FEEDS
    p.add_argument("feed", choices=FEEDS, metavar="FEED", help=f"one of: {', '.join(FEEDS)}")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="CSV, Parquet, GeoJSON or spreadsheet (.xlsx, .xlsm, .xls, .ods) "
                        "files; for areas also GeoPackage (.gpkg) or zipped Shapefile (.zip)")
    p.add_argument("--strict", action="store_true",
                   help="refuse a whole file if any row fails validation")
    p.add_argument("--quarantine-dir", metavar="DIR", default=None,
                   help="where quarantine reports go (default: lantern-quarantine beside "
                        "the database)")
    p.add_argument("--dry-run", action="store_true",
                   help="run every check and print the full summary (and write the "
                        "quarantine report), but write nothing to the store")
    warm = p.add_mutually_exclusive_group()
    warm.add_argument("--no-warm", action="store_true",
                      help="after the load, do not build the protected tables the dashboard "
                           "shows (the server then builds them when it starts)")
    warm.add_argument("--warm-all", action="store_true",
                      help="after the load, build the protected tables of every audience "
                           "served, not only the meeting's (minutes on a national store)")
    add_recipe_arguments(p)

    p = command(sub, _status, "status")

    p = command(sub, _release, "release")
    p.add_argument("--audience", default=None,
                   help="partnership, command or analyst (required unless --report)")
    p.add_argument("--feed", default="on_street", help="feed to release (default on_street)")
    p.add_argument("--period", default="week",
                   choices=("week", "month", "quarter", "year", "all"))
    p.add_argument("--by", action="append", default=[],
                   choices=("category", "detail", "band", "dow"), help="add a breakdown")
    p.add_argument("--area", default=None, help="area name or id (default: whole force)")
    p.add_argument("--format", default="csv", choices=("csv", "geojson"))
    p.add_argument("--out", metavar="PATH", default=None, help="output file (default: stdout)")
    p.add_argument("--report", action="store_true",
                   help="print the utility report (share of events shown at the base "
                        "resolution, coarser, hidden) for --audience, or every audience")


def _db(args):
    from profiles.store import default_db_path

    return Path(args.db) if args.db else default_db_path()


def _demo(args) -> int:
    """build the synthetic town's database and start the dashboard

    Generate the synthetic town (fictional, in the open sea), load every feed, and serve the
    dashboard.
    """
    from profiles.store import build_demo

    db = _db(args)

    def progress(msg):
        print(msg, file=sys.stderr, flush=True)

    try:
        results = build_demo(db, seed=args.seed, scale=args.scale, progress=progress)
    except FileExistsError as exc:
        raise UserError(str(exc)) from None
    for r in results:
        print(r.summary())
    from profiles.cli.protection import retain_store
    retain_store(db, quiet=True)       # the retention policy, as after any load
    print(f"Demo database (synthetic data) ready: {db}")
    if args.no_serve:
        return 0
    import os

    from profiles.governance import DEMO_PATH
    from profiles.cli.serve import run_server

    if not os.environ.get("LANTERN_ACCESS"):
        # synthetic data only: open every audience so the whole app can be explored
        os.environ["LANTERN_ACCESS"] = str(DEMO_PATH)
        print("Demo: every audience is open (synthetic data). With real data, configure "
              "sign-on: see README, Deployment behind sign-on.", file=sys.stderr)
    return run_server(db, args.port, demo=True)   # the synthetic town never has a basemap


def _ingest(args) -> int:
    """load partner extracts for a feed

    Validate files against the feed's contract and load their aggregates. Each file loads in one
    transaction; bad rows go to a quarantine report.
    """
    from data_contracts.read_ahead import ReadAhead

    ahead = ReadAhead(args.paths[0])   # read while the modules below are imported
    with lasting_imports():
        from profiles.governance import audit, recorders
        from profiles.store import load_files

    db = _db(args)
    recipe = recipe_from_args(args)    # checked against the feed before any file is read
    record = recorders.load_recorder(db, user=audit.local_user(), recipe=recipe)

    def progress(path):
        print(f"{path}: checking and loading …", file=sys.stderr, flush=True)

    def done(load):
        if load.refused:
            print(f"refused: {load.refusal}", file=sys.stderr)
        else:
            _print_result(load.result)

    try:
        loads = load_files(db, args.feed, args.paths, recipe=recipe, dry_run=args.dry_run,
                           strict=args.strict, quarantine_dir=args.quarantine_dir,
                           record=None if args.dry_run else record,
                           progress=None if args.dry_run else progress, done=done,
                           read_ahead=ahead)
    finally:
        ahead.drop()    # not taken (refused, already loaded): not held through the warm step
    if args.dry_run:
        print("Dry run: nothing was written to the store.", file=sys.stderr)
    else:
        if any(not load.refused for load in loads):
            from profiles.cli.protection import retain_store
            retain_store(db)       # the retention policy, after every load
        if not args.no_warm and any(not load.refused for load in loads):
            keep_release_tables(db, every=args.warm_all)
    return 1 if any(load.refused for load in loads) else 0


def keep_release_tables(db, *, every: bool = False) -> None:
    """Build and keep on disk the protected tables of the audiences shown to viewers who have
    not signed in (the meeting's; with ``every``, of every audience served), so the first
    server start after a load shows the meeting its pages at once. The server builds the
    other audiences' tables in the background when it starts. A failure here changes nothing
    loaded: the server builds the tables itself (it says why on stderr).

    On the national store the meeting's tables take about 16 s, every audience's about 54 s.
    """
    import time

    with lasting_imports():
        from profiles.cli.heap import freed_memory_kept
        from profiles.governance import load_access
        from profiles.release import keep_tables

    t0 = time.perf_counter()
    print("Preparing the released tables for the dashboard …", file=sys.stderr, flush=True)
    try:
        access = load_access()
        with freed_memory_kept():
            kept = keep_tables(db, access.served if every else access.unidentified)
    except Exception as exc:  # noqa: BLE001 - an optimisation; the load itself succeeded
        print(f"The released tables were not prepared ({type(exc).__name__}); the dashboard "
              f"will prepare them when it starts.", file=sys.stderr)
        return
    print(f"Released tables ready: {len(kept)} in {time.perf_counter() - t0:.1f} s.",
          file=sys.stderr)


def _print_result(result) -> None:
    print(result.summary())
    for msg in result.messages:
        print(f"  {msg}")


def _status(args) -> int:
    """what is loaded

    List loaded feeds, weeks covered, ingests and quarantine counts.
    """
    from profiles.release import data_status, open_read_only

    con = open_read_only(_db(args))
    print(data_status(con).as_text())
    return 0


def _release(args) -> int:
    """export released counts for an audience

    Write one row per released cell and period, after the audience's disclosure control (each row
    says at which resolution and period it is shown, and why). With --report, print instead how
    much of each feed every policy shows (a tool for the policy owner).
    """
    from profiles.release import open_read_only, release_counts, release_to_csv, release_to_geojson

    con = open_read_only(_db(args))
    if args.report:
        from profiles.release import utility_report

        from profiles.release.accuracy import TARGETS, accuracy_table, as_text

        audiences = [args.audience] if args.audience else None
        sys.stdout.write(utility_report(con, audiences=audiences).as_text() + "\n\n")
        sys.stdout.write("Accuracy of the figures users read, per view family: 1 - sum|shown "
                         "- true| / sum true, over views of at least the threshold of "
                         "people (targets: " + ", ".join(f"{f} {t:g}" for f, t in
                                                          TARGETS.items()) + ")\n")
        sys.stdout.write(as_text(accuracy_table(con, audiences=audiences)) + "\n")
        return 0
    if not args.audience:
        raise UserError("--audience is required (partnership, command or analyst), "
                        "or give --report for the utility report")
    released = release_counts(con, args.audience, args.feed, period=args.period, by=args.by,
                              area=args.area,
                              place="hexagon" if args.format == "geojson" else None)
    if args.format == "csv":
        text = release_to_csv(released)
    else:
        from profiles.cli.analyses import outlines_for

        text = release_to_geojson(released, outlines_for(con, released.policy, args.area))
    if args.out:
        from data_contracts.private_files import write_private

        write_private(args.out, text)
        print(f"wrote {len(released.frame):,} released rows to {args.out} "
              f"({released.policy.marking})", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
