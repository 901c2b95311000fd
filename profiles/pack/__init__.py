"""The meeting pack: a problem profile a partnership can circulate, as HTML and PDF.

Build the pack once as data (:func:`build_pack` -> :class:`MeetingPack`), then render it with
:func:`render_html` or :func:`render_pdf`; both read the same object, so they cannot disagree.
:func:`render_pack` does both steps for one format — the CLI (``lantern profile``) and the
dashboard's download buttons call it, so they produce the same file.

Every number in a pack is a released figure for its audience; the protective marking is at the
top and bottom of every page, with the disclosure statement, generation time and version.

Examples
--------
>>> import datetime as dt
>>> from profiles import store
>>> con = store.connect(":memory:")
>>> data = render_pack(con, "partnership", fmt="html", now=dt.datetime(2026, 11, 2, 9, 30))
>>> data[:15], b"OFFICIAL-SENSITIVE" in data
(b'<!DOCTYPE html>', True)
"""
from __future__ import annotations

from profiles.pack.build import build_pack
from profiles.pack.context import PackError
from profiles.pack.model import Figure, MeetingPack, Section, Source, Table
from profiles.pack.respond import EvaluationSpec

#: Output formats and their file suffixes.
FORMATS = {"html": ".html", "pdf": ".pdf"}


def render_html(pack: MeetingPack) -> str:
    """Return the pack as one self-contained HTML document (see :mod:`profiles.pack.html`)."""
    from profiles.pack.html import pack_to_html

    return pack_to_html(pack)


def render_pdf(pack: MeetingPack) -> bytes:
    """Return the pack as PDF bytes (see :mod:`profiles.pack.pdf`)."""
    from profiles.pack.pdf import pack_to_pdf

    return pack_to_pdf(pack)


def render_pack(con, audience="partnership", *, fmt: str = "html", area=None, start=None,
                end=None, now=None, evaluations=()) -> bytes:
    """Build the pack and return it in ``fmt`` (``html`` or ``pdf``) as bytes.

    Raises
    ------
    PackError
        For an unknown format or a period that ends before it starts.
    """
    if fmt not in FORMATS:
        raise PackError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    pack = build_pack(con, audience, area=area, start=start, end=end, now=now,
                      evaluations=evaluations)
    return render_html(pack).encode("utf-8") if fmt == "html" else render_pdf(pack)


def pack_file_name(pack_area: str | None, audience: str, fmt: str) -> str:
    """Return a safe download name, e.g. ``problem-profile-whole-force-partnership.pdf``.

    Examples
    --------
    >>> pack_file_name("<script>Ward 1</script>", "partnership", "html")
    'problem-profile-script-ward-1-script-partnership.html'
    """
    import re

    area = re.sub(r"[^a-z0-9]+", "-", (pack_area or "whole force").lower()).strip("-")
    return f"problem-profile-{area[:40] or 'area'}-{audience}{FORMATS.get(fmt, '.' + fmt)}"


__all__ = ["EvaluationSpec", "FORMATS", "Figure", "MeetingPack", "PackError", "Section",
           "Source", "Table", "build_pack", "pack_file_name", "render_html", "render_pack",
           "render_pdf"]
