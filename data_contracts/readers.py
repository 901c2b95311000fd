"""Read partner files into text columns, refusing unreadable files whole.

Formats read: CSV, Parquet, GeoJSON, spreadsheets (.xlsx, .xlsm, .xls, .ods) and, for
boundaries, GeoPackage and zipped Shapefile (the last two in :mod:`data_contracts.formats`).

Every reader returns a :class:`RawTable`: a :class:`pyarrow.Table` whose columns are all
strings (blank = ``""``, never null), the 1-based row number of each record, and the rows that
could not be split into the header's columns. Keeping the columns in Arrow lets validation
run column-wide (no Python loop per row) on a million rows.

CSV is read by :mod:`data_contracts.csv_files` (the one home of CSV parsing, whole files here
and large ones in blocks by :mod:`data_contracts.blocks`).

Examples
--------
>>> from pathlib import Path
>>> raw = read_raw(Path("x.csv"), b"a,b\\n1,2\\n\\n3,4\\n")
>>> raw.table.column("a").to_pylist(), raw.rows.tolist()
(['1', '3'], [1, 3])
"""
from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pyarrow as pa

from data_contracts.errors import ContractError
from data_contracts.formats import (GIS_FILES, SPREADSHEETS, check_gis, check_spreadsheet,
                                   read_gis, read_spreadsheet)
from data_contracts.csv_files import decode_text, read_csv
from data_contracts.isolated import read_in_child, read_limit_mb
from data_contracts.raw import RawTable, check_header

SUPPORTED = (".csv", ".parquet", ".geojson", ".json", *SPREADSHEETS, *GIS_FILES)
#: The formats read, in words, for messages.
FORMATS_READ = ("CSV (.csv), Parquet (.parquet), GeoJSON (.geojson, .json), spreadsheets "
                "(.xlsx, .xlsm, .xls, .ods), and for areas GeoPackage (.gpkg) or a zipped "
                "Shapefile (.zip)")


def read_source(path) -> bytes:
    """Return a partner file's bytes, or refuse it saying plainly what is wrong.

    A missing file is said to be missing, with the full path looked for; when the folder holds
    a file whose name starts with this one and a space, the message asks whether the path was
    split at a space (an unquoted ``Outreach contacts March.xlsx`` reaches Lantern as three
    paths, none of which exists).

    Raises
    ------
    ContractError
        The file does not exist, is a folder, or cannot be read.
    """
    path = Path(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    except IsADirectoryError:
        raise ContractError(path, "is a folder, not a file.",
                            fix="name the files inside it (e.g. folder/*.csv).") from None
    except OSError as exc:
        raise ContractError(path, f"cannot be read ({exc.strerror}).",
                            fix="check the file's permissions.") from None
    full = path.absolute()
    fix = "check the file name and folder."
    parent = full.parent
    if parent.is_dir():
        longer = sorted(p.name for p in parent.iterdir() if p.name.startswith(f"{path.name} "))
        if longer:
            fix = (f"did you mean {longer[0]!r}? A path with spaces must be in quotes: "
                   f"\"{path.parent / longer[0]}\".")
    else:
        fix = f"the folder {str(parent)!r} does not exist either; " + fix
    raise ContractError(path, f"the file does not exist (looked for {full}).", fix=fix)


def check_format(path: Path) -> None:
    """Refuse a file whose extension Lantern does not read, naming the formats it does.

    Raises
    ------
    ContractError
        For an unsupported extension.
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        hint = (" A bare .shp needs its .shx, .dbf and .prj: zip them together."
                if suffix in (".shp", ".shx", ".dbf", ".prj") else "")
        raise ContractError(path, f"files ending {suffix or '(no extension)'} are not read; "
                                  f"Lantern reads {FORMATS_READ}.{hint}",
                            fix="export the data in one of those formats.")


def read_raw(path: Path, data: bytes, *, sheet: str | None = None,
             layer: str | None = None, keep=None) -> RawTable:
    """Return the records of ``path`` (already read as ``data``) with every value as text.

    Parameters
    ----------
    path : Path
        The file's name; its extension chooses the reader.
    data : bytes
        The file's content.
    sheet : str, optional
        The sheet of a workbook (default: the first).
    layer : str, optional
        The layer of a GeoPackage, or the Shapefile in a zip holding several.
    keep : callable, optional
        ``keep(header)`` returns the only columns that need reading, or None for all. Only
        the fast CSV reader uses it (a police.uk download needs 4 of its 12 columns); the
        table's ``header`` then keeps the whole header.

    Raises
    ------
    ContractError
        For an unsupported extension, an empty or truncated file, bytes that cannot be read,
        or a file over the limits of :mod:`data_contracts.limits` (checked before any reader
        allocates: the header and line lengths of a CSV, a workbook's sheet extents and
        shared strings, a zip's member sizes and compression ratios). Where
        ``$LANTERN_READ_LIMIT_MB`` is set (``lantern serve`` sets it), spreadsheets and GIS
        files are parsed in a child process with that memory limit
        (:mod:`data_contracts.isolated`): a crash there is a refusal here.
    """
    check_format(path)
    suffix = path.suffix.lower()
    if not data[:4096].strip() and not data.strip():
        raise ContractError(path, "the file is empty.", fix="export the feed again.")
    if suffix == ".csv":
        return read_csv(path, data, keep)
    if suffix == ".parquet":
        return read_parquet(path, data)
    if suffix in SPREADSHEETS or suffix in GIS_FILES:
        limit = read_limit_mb()
        if limit is None:
            raw, notes = (read_spreadsheet(path, data, sheet) if suffix in SPREADSHEETS
                          else read_gis(path, data, layer))
        elif suffix in SPREADSHEETS:       # limits here, the parse in a limited child
            check_spreadsheet(path, data)
            raw, notes = read_in_child("spreadsheet", path, data, sheet, limit)
        else:
            check_gis(path, data)
            raw, notes = read_in_child("gis", path, data, layer, limit)
        raw.notes.extend(notes)
        return raw
    return _read_geojson(path, data)


def read_parquet(path: Path, data: bytes) -> RawTable:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(data))
    except Exception as exc:  # pyarrow raises several types for corrupt files
        raise ContractError(path, f"the file is not a readable Parquet file ({exc}).",
                            fix="export the feed again.") from None
    return parquet_text(path, table)


def parquet_text(path: Path, table: pa.Table) -> RawTable:
    """Return a Parquet table (or one block of it) as text columns, refusing binary columns,
    types that are not read and text that is not UTF-8."""
    names = [str(n) for n in table.column_names]
    check_header(path, names)
    columns = {}
    for name, col in zip(names, table.columns):
        if pa.types.is_binary(col.type) or pa.types.is_large_binary(col.type):
            raise ContractError(path, f"column {name!r} holds binary data.", column=name,
                                fix="export text, numbers or dates only.")
        columns[name] = _as_text(path, name, col)
        try:   # a string column can hold bytes that are not UTF-8 (found by the fuzzer)
            columns[name].validate(full=True)
        except pa.ArrowInvalid:
            raise ContractError(path, f"column {name!r} holds text that is not valid UTF-8.",
                                column=name, fix="export the feed again as UTF-8 text.") \
                from None
    return RawTable(pa.table(columns) if columns else pa.table({}), "parquet")


def _as_text(path: Path, name: str, col) -> pa.Array:
    """Return a Parquet column as text: nulls and float NaN become ``""``."""
    import pyarrow.compute as pc

    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    if pa.types.is_dictionary(col.type):
        col = col.dictionary_decode()
    blank = col.is_null()
    if pa.types.is_floating(col.type):
        blank = pc.or_(blank, pc.fill_null(pc.is_nan(col), False))
    try:
        text = pc.cast(col, pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise ContractError(path, f"column {name!r} has type {col.type}, which is not read.",
                            column=name, fix="export text, numbers or dates only.") from None
    return pc.if_else(blank, "", text)


def _scalar_text(value) -> str:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _read_geojson(path: Path, data: bytes) -> RawTable:
    from shapely.geometry import shape

    text, encoding = decode_text(path, data)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContractError(path, f"the file is not valid JSON (line {exc.lineno}: {exc.msg}).",
                            fix="export the feed again as GeoJSON.") from None
    except RecursionError:
        raise ContractError(path, "the JSON is nested too deeply to be GeoJSON.",
                            fix="export the feed again as GeoJSON.") from None
    except ValueError:  # json raises it for an integer literal of thousands of digits
        raise ContractError(path, "the file holds a number too long to read, so it is not "
                                  "usable GeoJSON.",
                            fix="export the feed again as GeoJSON.") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" \
            or not isinstance(doc.get("features"), list):
        raise ContractError(path, "GeoJSON must be a FeatureCollection with a features list.",
                            fix="export the layer as a GeoJSON FeatureCollection.")
    records, geoms = [], []
    for feature in doc["features"]:
        props = feature.get("properties") if isinstance(feature, dict) else None
        record = {str(k): _scalar_text(v) if v is not None else ""
                  for k, v in (props if isinstance(props, dict) else {}).items()}
        geom = feature.get("geometry") if isinstance(feature, dict) else None
        shp = None
        if isinstance(geom, dict):
            try:
                shp = shape(geom)
            except Exception:
                shp = None
        if shp is not None and shp.geom_type == "Point" and not shp.is_empty:
            record.setdefault("lat", repr(shp.y))
            record.setdefault("lon", repr(shp.x))
        records.append(record)
        geoms.append(shp)
    names = list(dict.fromkeys(k for r in records for k in r))
    table = pa.table({k: pa.array([r.get(k, "") for r in records], type=pa.string())
                      for k in names})
    rows = np.arange(1, len(records) + 1, dtype=np.int64)
    return RawTable(table, "geojson", encoding, rows, geometry=geoms,
                    crs=_declared_crs(path, doc.get("crs")))


def _declared_crs(path: Path, member) -> str | None:
    """The CRS a GeoJSON file declares in its (pre-RFC 7946) ``crs`` member, or None.

    QGIS and ogr2ogr write ``{"type": "name", "properties": {"name":
    "urn:ogc:def:crs:EPSG::27700"}}`` for a layer they did not reproject.
    """
    if member is None:
        return None
    name = member.get("properties", {}).get("name") if isinstance(member, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise ContractError(path, "the GeoJSON crs member does not name a CRS.",
                            fix="export the layer again, reprojected to EPSG:4326 (WGS84).")
    return name.strip()
