"""The ``lantern profile`` command: write the meeting pack (a problem profile) as HTML or PDF."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from profiles.cli import UserError, command


def register(sub) -> None:
    """Add ``lantern profile`` to the ``lantern`` parser."""
    p = command(sub, _profile, "profile")
    p.add_argument("--audience", default="partnership",
                   help="partnership (default), command or analyst")
    p.add_argument("--area", default=None, help="area name or id (default: the whole force)")
    p.add_argument("--from", dest="start", metavar="DATE", default=None,
                   help="first week to cover, YYYY-MM-DD (default: the first loaded week)")
    p.add_argument("--to", dest="end", metavar="DATE", default=None,
                   help="last week to cover, YYYY-MM-DD (default: the last loaded week)")
    p.add_argument("--format", dest="fmt", choices=("html", "pdf"), default=None,
                   help="html or pdf (default: from the --out suffix, else html)")
    p.add_argument("--out", metavar="PATH", required=True,
                   help="file to write, e.g. pack.html or pack.pdf")


def parse_date(value, option: str) -> dt.date | None:
    """Return ``value`` (YYYY-MM-DD) as a date, or None; refuse anything else, naming ``option``.

    Examples
    --------
    >>> parse_date("2026-01-05", "--from")
    datetime.date(2026, 1, 5)
    >>> parse_date("5/1/2026", "--from")
    Traceback (most recent call last):
    ...
    profiles.cli.UserError: --from must be a date as YYYY-MM-DD (e.g. 2026-01-05), not '5/1/2026'
    """
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{option} must be a date as YYYY-MM-DD (e.g. 2026-01-05), "
                        f"not {value!r}") from None


def _profile(args) -> int:
    """write the meeting pack (problem profile) as HTML or PDF

    Write a problem profile for a partnership meeting: terms of reference, summary, scanning,
    analysis (victim, offender, location, outreach), response options, assessment and data quality
    notes. Every figure is released for the audience; the marking is on every page.
    """
    from profiles.pack import PackError, render_pack
    from profiles.release import open_read_only

    out = Path(args.out)
    fmt = args.fmt or ("pdf" if out.suffix.lower() == ".pdf" else "html")
    start, end = parse_date(args.start, "--from"), parse_date(args.end, "--to")
    con = open_read_only(Path(args.db) if args.db else None)
    try:
        data = render_pack(con, args.audience, fmt=fmt, area=args.area, start=start, end=end)
    except PackError as exc:
        raise UserError(str(exc)) from None
    finally:
        con.close()
    from data_contracts.private_files import write_private

    write_private(out, data)
    from profiles.release import get_policy

    print(f"wrote the {fmt.upper()} problem profile for the {args.audience} audience to "
          f"{out} ({get_policy(args.audience).marking})", file=sys.stderr)
    return 0
