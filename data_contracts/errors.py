"""Errors and problems raised by the feed contracts."""
from __future__ import annotations

import re
from dataclasses import dataclass


class ContractError(ValueError):
    """A whole file is refused: nothing from it is written.

    The message names the file, the column (when there is one) and the fix.
    """

    def __init__(self, path, message: str, *, column: str | None = None, fix: str = ""):
        self.path = str(path)
        self.column = column
        self.fix = fix
        text = f"{self.path}: {message}"
        if fix:
            text += f" Fix: {fix}"
        # One line, always: messages quoted from parsers (pyarrow) can span several.
        super().__init__(re.sub(r"\s*[\r\n]+\s*", " ", text))


@dataclass(frozen=True)
class Problem:
    """One problem with one row: it sends the row to quarantine.

    ``row`` is the 1-based data row (the header is not counted): the spreadsheet row is
    ``row + 1``, and so is the CSV line when no value spans lines.
    ``value`` is shortened to 80 characters so a report never carries a whole free-text field.
    ``reason`` never quotes the value (reasons are counted in the store); ``detail``, shown
    only in the quarantine report, may (e.g. the recipe line to add for an unmapped word).
    """

    file: str
    row: int
    column: str
    value: str
    reason: str
    detail: str = ""

    @property
    def report_reason(self) -> str:
        """The reason as the quarantine report gives it: with its detail, if any."""
        return f"{self.reason}; {self.detail}" if self.detail else self.reason

    def as_dict(self) -> dict:
        """Return the problem as a plain dict (the quarantine report's columns)."""
        return {"file": self.file, "row": self.row, "column": self.column,
                "value": self.value, "reason": self.report_reason}
