"""The records of a file as text columns: what every reader returns."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from data_contracts.errors import ContractError


@dataclass
class RawTable:
    """A file's records as text columns.

    Attributes
    ----------
    table : pyarrow.Table
        One string column per file column; blanks are ``""``.
    file_format : str
        ``csv``, ``parquet`` or ``geojson``.
    encoding : str
        How the bytes were decoded (``utf-8``, ``cp1252``, ``utf-16``).
    rows : numpy.ndarray
        The 1-based row number of each record, as a spreadsheet numbers it less the header
        (spreadsheet row = row + 1; also the CSV line when no value spans lines). Blank lines
        are skipped but keep their numbers.
    ragged : dict
        Row number -> number of fields, for CSV records whose field count differs from the
        header's (they are quarantined, never guessed at).
    geometry : list or None
        Shapely geometries of GeoJSON or GIS features (None for other formats).
    crs : str or None
        The coordinate reference system the file declares (GeoJSON ``crs`` member, GeoPackage,
        Shapefile ``.prj``); None when it declares none.
    notes : list of str
        What the reader chose and the summary should say (e.g. which sheet was read).
    header : list of str or None
        The file's whole header, when only some of its columns were read (``keep``).
    """

    table: pa.Table
    file_format: str
    encoding: str = "utf-8"
    rows: np.ndarray | None = None
    ragged: dict = field(default_factory=dict)
    geometry: list | None = None
    crs: str | None = None
    notes: list = field(default_factory=list)
    header: list | None = None

    def __post_init__(self) -> None:
        if self.rows is None:
            self.rows = np.arange(1, self.table.num_rows + 1, dtype=np.int64)


def check_header(path: Path, header: list[str]) -> None:
    """Refuse an empty header or a column named twice.

    Raises
    ------
    ContractError
        Naming the repeated column.
    """
    if not any(header):
        raise ContractError(path, "the header row is empty.", fix="export the feed again.")
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise ContractError(path, f"column {dupes[0]!r} appears more than once.",
                            column=dupes[0], fix="give every column a unique name.")
