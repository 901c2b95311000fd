"""Recipe commands and options: ``lantern recipe draft``, and the recipe options of ingest."""
from __future__ import annotations

import sys
from pathlib import Path

from profiles.cli import UserError


def register(sub) -> None:
    """Add ``lantern recipe draft`` to the ``lantern`` parser."""
    p = sub.add_parser("recipe", help="draft a recipe that maps a partner's file onto a feed",
                       description="Recipes map a partner's columns and words onto a feed once, "
                                   "so every later file loads unedited (see README, Loading "
                                   "your own data).")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    d = actions.add_parser("draft", help="propose a recipe from a file's columns and words",
                           description="Read the file's header and the distinct values of its "
                                       "category-like columns, and print a draft recipe: exact, "
                                       "alias and close matches, and # TODO lines for the rest. "
                                       "Values of identifying-looking columns are never shown.")
    from data_contracts import FEEDS
    d.add_argument("feed", choices=FEEDS, metavar="FEED", help=f"one of: {', '.join(FEEDS)}")
    d.add_argument("path", metavar="PATH", help="a partner file")
    d.add_argument("--out", dest="recipe_out", metavar="R.toml", default=None,
                   help="write the draft here (default: print it); an existing file is kept")
    d.add_argument("--sheet", default=None, help="the workbook sheet to read")
    d.add_argument("--layer", default=None, help="the GeoPackage layer to read")
    d.set_defaults(func=_draft)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _draft(args) -> int:
    from data_contracts import draft_recipe

    text = draft_recipe(args.feed, args.path, sheet=args.sheet, layer=args.layer)
    if args.recipe_out is None:
        sys.stdout.write(text)
        return 0
    out = Path(args.recipe_out)
    if out.exists():
        raise UserError(f"{out} exists already; it was kept. Choose another --out, or remove it.")
    from data_contracts.private_files import write_private

    write_private(out, text)
    print(f"Draft recipe written to {out}. Check every line and fill the TODOs, then: "
          f"lantern ingest {args.feed} {args.path} --recipe {out} --dry-run", file=sys.stderr)
    return 0


def add_recipe_arguments(p) -> None:
    """Add ``--recipe`` and the one-off recipe flags to an ingest parser."""
    g = p.add_argument_group("mapping a partner's file (see README, Loading your own data)")
    g.add_argument("--recipe", metavar="R.toml", default=None,
                   help="a recipe: the partner's columns, words, constants, CRS, sheet")
    g.add_argument("--map", dest="maps", action="append", default=[], metavar="LANTERN=SOURCE",
                   help="read a Lantern column from the file's column SOURCE (repeatable)")
    g.add_argument("--set", dest="sets", action="append", default=[], metavar="COLUMN=VALUE",
                   help="give every row this value (repeatable), e.g. source_agency=outreach")
    g.add_argument("--crs", default=None, metavar="EPSG:NNNN",
                   help="the coordinates' reference system, e.g. EPSG:27700 (British National "
                        "Grid)")
    g.add_argument("--sheet", default=None, help="the workbook sheet to read")
    g.add_argument("--layer", default=None, help="the GeoPackage layer (or zipped Shapefile) "
                                                 "to read")
    g.add_argument("--name-field", default=None, metavar="COLUMN",
                   help="areas: the column holding each area's public name")
    g.add_argument("--area-type", default=None, metavar="TYPE",
                   help="areas: the type of every area (force, ward, neighbourhood, beat, lsoa, "
                        "msoa, district)")
    g.add_argument("--date-format", default=None, metavar="FORMAT",
                   help="how dates are written, in strftime codes (e.g. %%d/%%m/%%Y)")


def recipe_from_args(args):
    """Return the recipe ``--recipe`` and the one-off flags describe, or None."""
    from data_contracts import build_recipe

    return build_recipe(args.recipe, maps=args.maps, sets=args.sets, crs=args.crs,
                        sheet=args.sheet, layer=args.layer, name_field=args.name_field,
                        area_type=args.area_type, date_format=args.date_format)
