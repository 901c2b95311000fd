"""Spreadsheets and GIS files read like CSV; missing and unsupported files say what they are."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from data_contracts import ContractError, read_feed
from data_contracts.readers import FORMATS_READ, read_raw, read_source
from data_contracts.recipes import recipe_from_flags

TODAY = dt.date(2026, 11, 2)
CONTACTS = pd.DataFrame({
    "lat": [54.50, 54.51, None, 54.52],
    "lon": [1.00, 1.01, None, 1.02],
    "datetime": [dt.datetime(2025, 3, 1, 21, 30), dt.datetime(2025, 3, 2), None,
                 dt.datetime(2025, 3, 4, 9, 5)],
    "service": ["health", "housing", None, "not a service"],
    "contacts": [1, 2, None, 3],
})


def workbook(path: Path, engine: str | None = None, **sheets) -> Path:
    with pd.ExcelWriter(path, engine=engine) as book:
        for name, frame in sheets.items():
            frame.to_excel(book, sheet_name=name, index=False)
    return path


@pytest.mark.parametrize("suffix,engine", [(".xlsx", "openpyxl"), (".xlsm", "openpyxl"),
                                           (".ods", "odf")], ids=["xlsx", "xlsm", "ods"])
def test_a_workbook_sheet_reads_like_csv_with_spreadsheet_row_numbers(tmp_path, suffix, engine):
    path = workbook(tmp_path / f"contacts{suffix}", engine, Lookups=pd.DataFrame({"a": [1]}),
                    Contacts=CONTACTS)
    v = read_feed("outreach_contacts", path, today=TODAY,
                  recipe=recipe_from_flags(sheet="Contacts"))
    assert v.file_format == "spreadsheet"
    assert v.rows["row"].tolist() == [1, 2]          # the blank row 3 keeps its number
    assert v.rows["contacts"].tolist() == [1, 2]
    assert [str(t) for t in v.rows["when"]] == ["2025-03-01 21:30:00", "2025-03-02 00:00:00"]
    assert v.rows["has_time"].tolist() == [True, False]
    (problem,) = v.problems
    assert (problem.row, problem.column, problem.value) == (4, "service", "not a service")


def test_the_first_sheet_is_read_by_default_and_the_summary_says_which(tmp_path):
    path = workbook(tmp_path / "c.xlsx", Contacts=CONTACTS, Other=pd.DataFrame({"a": [1]}))
    v = read_feed("outreach_contacts", path, today=TODAY)
    assert len(v.rows) == 2
    assert v.notes == ["read sheet 'Contacts', the first of 2 ('Contacts', 'Other'); choose "
                       "another with --sheet"]


def test_a_missing_sheet_is_refused_listing_the_sheets(tmp_path):
    path = workbook(tmp_path / "c.xlsx", Contacts=CONTACTS, Other=pd.DataFrame({"a": [1]}))
    with pytest.raises(ContractError, match=r"the workbook has no sheet 'March'; its sheets "
                                            r"are: 'Contacts', 'Other'\. Fix: give one of "
                                            r"those names with --sheet"):
        read_feed("outreach_contacts", path, recipe=recipe_from_flags(sheet="March"))


def test_a_damaged_workbook_is_refused(tmp_path):
    path = tmp_path / "c.xlsx"
    path.write_bytes(b"PK\x03\x04 not a workbook")
    with pytest.raises(ContractError, match=r"not a readable spreadsheet"):
        read_feed("outreach_contacts", path)


def lsoas(n=3) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"LSOA11CD": [f"X0100000{i}" for i in range(n)],
         "LSOA11NM": [f"Area {i} (synthetic)" for i in range(n)]},
        geometry=[box(594000 + i * 1000, 515000, 595000 + i * 1000, 516000) for i in range(n)],
        crs="EPSG:27700")


AREAS = dict(name_field="LSOA11NM", area_type="lsoa")


def test_a_geopackage_layer_is_read_and_reprojected(tmp_path):
    path = tmp_path / "b.gpkg"
    lsoas().to_file(path, layer="lsoa_2011", driver="GPKG")
    lsoas(1).to_file(path, layer="other", driver="GPKG", mode="a")
    v = read_feed("areas", path, recipe=recipe_from_flags(layer="lsoa_2011", **AREAS))
    assert v.file_format == "gis" and len(v.rows) == 3
    assert 54.4 < v.rows["geometry"][0].bounds[1] < 54.6


def test_a_geopackage_with_several_layers_needs_one_named(tmp_path):
    path = tmp_path / "b.gpkg"
    lsoas().to_file(path, layer="lsoa_2011", driver="GPKG")
    lsoas(1).to_file(path, layer="other", driver="GPKG", mode="a")
    with pytest.raises(ContractError, match=r"the file holds several layers; its layers are: "
                                            r"'lsoa_2011', 'other'\. Fix: name one with "
                                            r"--layer"):
        read_feed("areas", path, recipe=recipe_from_flags(**AREAS))
    with pytest.raises(ContractError, match=r"has no layer 'wards'"):
        read_feed("areas", path, recipe=recipe_from_flags(layer="wards", **AREAS))


def test_a_zipped_shapefile_in_a_folder_is_read(tmp_path):
    folder = tmp_path / "shp"
    folder.mkdir()
    lsoas().to_file(folder / "lsoa.shp")
    path = tmp_path / "lsoa.zip"
    with zipfile.ZipFile(path, "w") as z:
        for part in folder.iterdir():
            z.write(part, f"downloads/lsoa/{part.name}")
    v = read_feed("areas", path, recipe=recipe_from_flags(**AREAS))
    assert len(v.rows) == 3 and v.notes == ["boundaries reprojected from EPSG:27700 to WGS84"]


def test_a_zip_without_a_shapefile_is_refused(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "nothing here")
    with pytest.raises(ContractError, match=r"the zip holds no Shapefile"):
        read_raw(Path("x.zip"), buf.getvalue())


@pytest.mark.parametrize("name,extra", [("feed.docx", ""), ("areas.shp", "A bare .shp needs "
                                                                          "its .shx")])
def test_an_unsupported_file_lists_the_formats_read(tmp_path, name, extra):
    path = tmp_path / name
    path.write_bytes(b"something")
    with pytest.raises(ContractError) as info:
        read_feed("areas", path)
    assert f"are not read; Lantern reads {FORMATS_READ}." in str(info.value)
    assert extra in str(info.value)


def test_a_missing_file_says_it_is_missing(tmp_path):
    with pytest.raises(ContractError, match=r"nowhere\.xlsx: the file does not exist \(looked "
                                            r"for .*nowhere\.xlsx\)\. Fix: check the file name"):
        read_feed("outreach_contacts", tmp_path / "nowhere.xlsx")


def test_a_path_split_at_a_space_is_recognised(tmp_path, monkeypatch):
    """Why an existing .xlsx was reported as 'No such file or directory': an unquoted path
    with spaces reaches Lantern as several paths, none of which exists."""
    workbook(tmp_path / "Outreach contacts March.xlsx", Contacts=CONTACTS)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ContractError, match=r"Outreach: the file does not exist .* Fix: did you "
                                            r"mean 'Outreach contacts March\.xlsx'\? A path "
                                            r"with spaces must be in quotes"):
        read_source("Outreach")


def test_a_folder_is_not_a_file(tmp_path):
    with pytest.raises(ContractError, match=r"is a folder, not a file"):
        read_source(tmp_path)
