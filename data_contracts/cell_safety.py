"""Text that a spreadsheet will not run as a formula: cells and ``#`` header lines.

Used by every CSV Lantern writes: the quarantine report at ingest and the exports of released
tables. It sits with the contracts, below both, so the write side and the release side share
one definition.
"""
from __future__ import annotations

import re

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
#: A formula character where a spreadsheet could start a new cell: after a comma or a
#: semicolon (the separator in many European locales) or a line break (csv.writer leaves a
#: lone CR unquoted when the line ends with LF), spaces, and an opening quote.
_AFTER_SEPARATOR = re.compile(r'([,;\r\n]\s*"?)(?=[=+\-@])')


def safe_cell(value) -> str:
    """Return ``value`` as text a spreadsheet will not execute (prefix ``'`` to formulas).

    Numbers are left alone. Text starting with = + - @ tab or CR gets a ``'`` in front, and
    so does such a character after a comma, semicolon or line break inside the text (where a
    spreadsheet set to a semicolon list separator, or reading a lone CR as a line end, would
    start a new cell).

    Examples
    --------
    >>> safe_cell('=HYPERLINK("http://x")')
    '\\'=HYPERLINK("http://x")'
    >>> safe_cell("Ward 1;=1+1")
    "Ward 1;'=1+1"
    >>> safe_cell(-5)
    '-5'
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    text = "" if value is None else str(value)
    if "," in text or ";" in text or "\n" in text or "\r" in text:   # where a cell could start
        text = _AFTER_SEPARATOR.sub(r"\1'", text)
    return "'" + text if text.startswith(_FORMULA_START) else text


def safe_comment(text) -> str:
    """Return ``text`` as one ``#`` header line that no spreadsheet can split into a formula.

    A header line is written whole, not as a quoted CSV field, so text inside it (an area
    name, a scenario name) could otherwise end the line or start a new cell. Line breaks and
    other control characters become spaces, and a formula character after a comma or
    semicolon gets a ``'`` before it.

    Examples
    --------
    >>> [safe_comment(t) for t in ("area=x,=HYPERLINK(1)", "# two\\n=lines; @SUM(1)")]
    ["# area=x,'=HYPERLINK(1)", "# two =lines; '@SUM(1)"]
    """
    text = "" if text is None else str(text)
    if not text.startswith("#"):
        text = "# " + text
    return _AFTER_SEPARATOR.sub(r"\1'", _CONTROL.sub(" ", text))
