"""Read spreadsheets (.xlsx, .xlsm, .xls, .ods) and GIS files (GeoPackage, zipped Shapefile).

Both return the same :class:`~data_contracts.readers.RawTable` as the CSV reader: every value
as text, each record with its 1-based row number (the spreadsheet row less the header row),
and, for GIS files, the shapely geometries and the CRS the file declares.

Spreadsheets are read by python-calamine through pandas (``engine="calamine"``); GIS files by
pyogrio (GDAL), from a private temporary folder, since GDAL reads a zipped Shapefile or a
GeoPackage best from a named file.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

import numpy as np
import pyarrow as pa

from data_contracts.errors import ContractError
from data_contracts.limits import check_archive, check_ods, check_workbook, copy_member
from data_contracts.raw import RawTable, check_header

SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")
GIS_FILES = (".gpkg", ".zip")
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def cell_text(value) -> str:
    """Return one spreadsheet or attribute value as the text a CSV export would hold.

    Whole numbers lose their ``.0`` (an easting of 594000 is ``594000``), datetimes are ISO
    8601 (a midnight is a date alone), blanks and NaN are ``""``.

    Examples
    --------
    >>> cell_text(594000.0), cell_text(12.5), cell_text(None), cell_text(float("nan"))
    ('594000', '12.5', '', '')
    >>> cell_text(dt.datetime(2025, 3, 1, 21, 30)), cell_text(dt.datetime(2025, 3, 1))
    ('2025-03-01T21:30', '2025-03-01')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return ""
        return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 \
            else repr(float(value))
    if isinstance(value, dt.datetime) or hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(timespec="seconds" if value.second else "minutes")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


def read_spreadsheet(path: Path, data: bytes, sheet: str | None = None):
    """Return the records of one sheet of a workbook, and a note saying which sheet was read.

    Parameters
    ----------
    path : Path
        Used for messages only.
    data : bytes
        The workbook.
    sheet : str, optional
        The sheet's name (or its 1-based number). Default: the first sheet.

    Returns
    -------
    (RawTable, list of str)

    Raises
    ------
    ContractError
        The bytes are not a workbook, the sheet does not exist (the message lists the sheets),
        or the sheet has no header row.
    """
    check_spreadsheet(path, data)
    return parse_spreadsheet(path, data, sheet)


def check_spreadsheet(path: Path, data: bytes) -> None:
    """The limits of :mod:`data_contracts.limits` for a workbook, before any reader sizes
    anything: the sheets' real extent and (``.xlsx``) the shared strings.

    Raises
    ------
    ContractError
        Naming the sheet, what was found, and the fix.
    """
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        check_workbook(path, data)
    elif path.suffix.lower() == ".ods":
        check_ods(path, data)


def parse_spreadsheet(path: Path, data: bytes, sheet: str | None = None):
    """:func:`read_spreadsheet` without its limits (for a caller that has checked them, or
    that parses in a child process with a memory limit: :mod:`data_contracts.isolated`)."""
    import pandas as pd
    from python_calamine import CalamineWorkbook

    try:
        names = CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names
    except Exception as exc:  # calamine raises its own error types for damaged workbooks
        raise ContractError(path, f"the file is not a readable spreadsheet ({exc}).",
                            fix="open it in a spreadsheet program and save it again as "
                                ".xlsx, or export the sheet as CSV.") from None
    chosen = _choose_sheet(path, names, sheet)
    notes = []
    if sheet is None and len(names) > 1:
        notes.append(f"read sheet {chosen!r}, the first of {len(names)} "
                     f"({', '.join(map(repr, names))}); choose another with --sheet")
    grid = pd.read_excel(io.BytesIO(data), engine="calamine", sheet_name=chosen, header=None,
                         dtype=object)
    values = [[cell_text(v) for v in record] for record in grid.itertuples(index=False)]
    if not values:
        raise ContractError(path, f"sheet {chosen!r} is empty.",
                            fix="choose the sheet that holds the data with --sheet.")
    header = [h.strip() for h in values[0]]
    while header and not header[-1]:
        header.pop()
    check_header(path, header)
    columns: list[list[str]] = [[] for _ in header]
    rows: list[int] = []
    for number, record in enumerate(values[1:], start=1):
        if not any(record):
            continue    # a blank row keeps its number but is not a record
        rows.append(number)
        for col, value in zip(columns, record):
            col.append(value)
    table = pa.table({h: pa.array(c, type=pa.string()) for h, c in zip(header, columns)})
    return RawTable(table, "spreadsheet", "utf-8", np.asarray(rows, dtype=np.int64)), notes


def check_gis(path: Path, data: bytes) -> None:
    """The zip limits (:func:`data_contracts.limits.check_archive`) of a zipped Shapefile,
    before anything is unpacked (:func:`read_gis` checks them too).

    Raises
    ------
    ContractError
        A member too large or compressed too much.
    """
    if path.suffix.lower() == ".zip":
        _check_zipped(path, data, "zip archive")


def _check_zipped(path: Path, data: bytes, what: str) -> None:
    """The zip limits of :func:`data_contracts.limits.check_archive`, for a zipped format
    (a file that is not a zip is left to its reader)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with archive:
        check_archive(path, archive, what=what)


def _choose_sheet(path: Path, names: list, sheet: str | None) -> str:
    if not names:
        raise ContractError(path, "the workbook has no sheets.", fix="export the data again.")
    if sheet is None:
        return names[0]
    if sheet in names:
        return sheet
    if str(sheet).isdigit() and 1 <= int(sheet) <= len(names):
        return names[int(sheet) - 1]
    raise ContractError(path, f"the workbook has no sheet {sheet!r}; its sheets are: "
                              f"{', '.join(map(repr, names))}.",
                        fix="give one of those names with --sheet (or sheet = in the recipe).")


def read_gis(path: Path, data: bytes, layer: str | None = None):
    """Return the features of one layer of a GeoPackage or zipped Shapefile.

    Parameters
    ----------
    path : Path
        A ``.gpkg`` or ``.zip`` file (used for its extension and for messages).
    data : bytes
        The file.
    layer : str, optional
        The layer (GeoPackage) or Shapefile name (in a zip holding several). Default: the only
        one; a file with several needs ``layer``.

    Returns
    -------
    (RawTable, list of str)
        The table has one text column per attribute, ``geometry`` the shapely geometries and
        ``crs`` the CRS the file declares (None when it declares none).

    Raises
    ------
    ContractError
        The file is not readable, the layer does not exist or is ambiguous (the message lists
        the layers), or a zip holds no Shapefile.
    """
    with tempfile.TemporaryDirectory(prefix="lantern-gis-") as tmp:
        if path.suffix.lower() == ".zip":
            source, layers = _unzip_shapefile(path, data, Path(tmp), layer)
            chosen = None
        else:
            source = Path(tmp) / "layer.gpkg"
            source.write_bytes(data)
            layers = _layers(path, source)
            chosen = _choose_layer(path, layers, layer)
        notes = [f"read layer {layer!r}"] if layer is not None and len(layers) > 1 else []
        return _read_layer(path, source, chosen), notes


def _layers(path: Path, source: Path) -> list[str]:
    import pyogrio

    try:
        return [str(name) for name, _ in pyogrio.list_layers(source)]
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise ContractError(path, f"the file is not a readable GeoPackage ({exc}).",
                            fix="export the boundaries again as GeoPackage or GeoJSON.") from None


def _choose_layer(path: Path, layers: list, layer: str | None) -> str:
    if layer is not None and layer in layers:
        return layer
    if layer is None and len(layers) == 1:
        return layers[0]
    shown = ", ".join(map(repr, layers)) or "none"
    what = f"has no layer {layer!r}" if layer is not None else "holds several layers"
    raise ContractError(path, f"the file {what}; its layers are: {shown}.",
                        fix="name one with --layer (or layer = in the recipe).")


def _unzip_shapefile(path: Path, data: bytes, folder: Path, layer: str | None):
    """Write the chosen Shapefile's parts from the zip to ``folder``; return its .shp path."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except zipfile.BadZipFile:
        raise ContractError(path, "the file is not a readable zip archive.",
                            fix="zip the Shapefile's .shp, .shx, .dbf and .prj again.") from None
    check_archive(path, archive)      # declared sizes and ratios, before anything is unpacked
    shapes = {PurePosixPath(m.filename).stem: m for m in members
              if PurePosixPath(m.filename).suffix.lower() == ".shp"}
    if not shapes:
        raise ContractError(path, "the zip holds no Shapefile (.shp).",
                            fix="zip the Shapefile's .shp, .shx, .dbf and .prj together.")
    stem = _choose_layer(path, sorted(shapes), layer)
    folder_in_zip = PurePosixPath(shapes[stem].filename).parent
    for m in members:
        name = PurePosixPath(m.filename)
        if name.parent == folder_in_zip and name.stem == stem \
                and name.suffix.lower() in _SHAPEFILE_PARTS:
            # Only the layer's own parts, under fixed names: nothing in the zip picks a path.
            try:
                copy_member(archive, m, folder / f"layer{name.suffix.lower()}")
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise ContractError(path, f"{name.name!r} in the zip cannot be unpacked "
                                          f"({exc}).",
                                    fix="zip the Shapefile's .shp, .shx, .dbf and .prj "
                                        "again.") from None
    return folder / "layer.shp", sorted(shapes)


def _read_layer(path: Path, source: Path, layer: str | None):
    import pyogrio

    try:
        frame = pyogrio.read_dataframe(source, layer=layer)
    except Exception as exc:  # GDAL errors come in several types
        raise ContractError(path, f"the boundaries cannot be read ({exc}).",
                            fix="export them again as GeoPackage, zipped Shapefile or "
                                "GeoJSON.") from None
    names = [str(c) for c in frame.columns if c != frame.geometry.name]
    check_header(path, names)
    table = pa.table({n: pa.array([cell_text(v) for v in frame[n]], type=pa.string())
                      for n in names}) if names else pa.table({})
    geoms = [None if g is None or g.is_empty else g for g in frame.geometry]
    raw = RawTable(table, "gis", "utf-8", np.arange(1, len(geoms) + 1, dtype=np.int64),
                   geometry=geoms)
    raw.crs = frame.crs.to_string() if frame.crs is not None else None
    return raw
