"""Recipes: a partner's columns and words mapped once, checked before any row is read, and
never a way to let an identifying column in."""
from __future__ import annotations

import datetime as dt
import tomllib

import pytest

from data_contracts import ContractError, read_feed
from data_contracts.draft import draft_recipe
from data_contracts.recipes import (Recipe, RecipeError, load_recipe, parse_recipe,
                                    recipe_from_flags)

TODAY = dt.date(2026, 11, 2)
POLICE = """feed = "on_street"
date_format = "%d/%m/%Y %H:%M"

[columns]
lat = "Lat WGS"
lon = "Long WGS"
datetime = "Committed"
activity_type = "Offence"

[values.activity_type]
"Soliciting" = "observation"
"Kerb crawler" = "kerb_crawling"

[set]
source_agency = "police"
"""
HEADER = "Lat WGS,Long WGS,Committed,Offence,Ref\n"


def rows(*offences, when="01/03/2025 21:30") -> bytes:
    return (HEADER + "".join(f"54.5,1.0,{when},{o},R{i}\n" for i, o in enumerate(offences))
            ).encode()


@pytest.fixture
def police(tmp_path):
    path = tmp_path / "police.toml"
    path.write_text(POLICE)
    return load_recipe(path)


def test_a_recipe_maps_columns_words_and_constants(police):
    v = read_feed("on_street", "p.csv", data=rows("Soliciting", "kerb crawler ", "incident"),
                  recipe=police, today=TODAY)
    assert not v.problems
    assert list(v.rows["activity_type"]) == ["observation", "kerb_crawling", "incident"]
    assert set(v.rows["source_agency"]) == {"police"}
    assert [str(t) for t in v.rows["when"]][0] == "2025-03-01 21:30:00"
    assert v.ignored_columns == ["Ref"]


def test_a_word_the_recipe_does_not_map_names_the_value_and_the_line_to_add(police):
    v = read_feed("on_street", "p.csv", data=rows("Soliciting", "Begging"), recipe=police,
                  today=TODAY)
    (p,) = v.problems
    assert (p.row, p.column, p.value) == (2, "activity_type", "Begging")
    # The stored reason never quotes the partner's value; the report's does.
    assert "Begging" not in p.reason
    assert p.as_dict()["reason"].endswith(
        'add the line "Begging" = "observation" (or another of those words) under '
        f'[values.activity_type] (police.toml line 10)')


def test_a_date_not_in_the_recipes_format_is_quarantined_naming_the_format(police):
    v = read_feed("on_street", "p.csv", data=rows("Soliciting", when="2025-03-01"),
                  recipe=police, today=TODAY)
    assert v.problems[0].reason == ("datetime is not a date in the recipe's format "
                                    "%d/%m/%Y %H:%M (police.toml line 2)")
    # The report (not the stored reason) names the partner's own column.
    assert v.problems[0].as_dict()["reason"].endswith("; in the file's column 'Committed'")


BAD_RECIPES = [
    ("unknown-feed", 'feed = "arrests"\n', 1, r"'arrests' is not a Lantern feed"),
    ("other-feed", 'feed = "premises"\n', 1, r"this recipe is for the feed 'premises', not "
                                             r"'on_street'"),
    ("unknown-setting", 'feed = "on_street"\nfilter = "x"\n', 2,
     r"'filter' is not a recipe setting"),
    ("target-outside-contract", '[columns]\nofficer = "Officer"\n', 2,
     r"'officer' is not a column of the feed 'on_street'"),
    ("word-lantern-lacks", '[values.activity_type]\n"Soliciting" = "soliciting"\n', 2,
     r"'Soliciting' is mapped to 'soliciting', which is not a word Lantern has for "
     r"activity_type\. Fix: map it to one of: observation"),
    ("close-word-suggested", '[values.activity_type]\n"x" = "observaton"\n', 2,
     r"did you mean 'observation'\?"),
    ("values-not-a-category", '[values.datetime]\n"x" = "y"\n', 1,
     r"\[values\.datetime\]: the feed 'on_street' has no category column 'datetime'"),
    ("identifying-source", '[columns]\nsubject_key = "Phone number"\n', 2,
     r"the source column 'Phone number' is refused: a phone number identifies a person.*"
     r"whatever the recipe maps it to"),
    ("identifying-name", '[columns]\nsubject_key = "Victim name"\n', 2,
     r"'Victim name' is refused: a name identifies a person"),
    ("bad-constant", '[set]\nsource_agency = "polce"\n', 2,
     r"'polce' is not a value source_agency can take\. Fix: write one of: police.*did you "
     r"mean 'police'"),
    ("constant-of-a-place", '[set]\nlat = "54.5"\n', 2,
     r"lat cannot be the same on every row"),
    ("bad-date-format", 'date_format = "dd/mm/yyyy"\n', 1,
     r"'dd/mm/yyyy' is not a date format.*strftime codes"),
    ("bad-crs", 'crs = "BNG"\n', 1, r"'BNG' is not a coordinate reference system"),
    ("half-a-pair", '[columns]\neasting = "E"\n', 2, r"easting is mapped but northing is not"),
    ("two-pairs", '[columns]\nlat = "a"\nlon = "b"\neasting = "c"\nnorthing = "d"\n', 4,
     r"the recipe maps two coordinate pairs"),
    ("mapped-and-set", '[columns]\nsource_agency = "Agency"\n[set]\nsource_agency = '
                       '"police"\n', 2, r"both mapped to a column and set to a constant"),
    ("not-toml", '[columns]\nlat = Lat\n', 2, r"this is not valid TOML \(.*line 2"),
]


@pytest.mark.parametrize("name,text,line,message", BAD_RECIPES, ids=[b[0] for b in BAD_RECIPES])
def test_a_bad_recipe_is_refused_before_any_row_naming_its_line(tmp_path, name, text, line,
                                                                message):
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    with pytest.raises(RecipeError, match=message) as info:
        read_feed("on_street", tmp_path / "does-not-exist.csv", recipe=load_recipe(path))
    assert f"{path.name} line {line}" in str(info.value) and str(path) in str(info.value)
    assert "Fix:" in str(info.value)


def test_a_source_column_the_file_lacks_is_named_with_the_recipe_line(police):
    with pytest.raises(RecipeError, match=r"police.toml line 7 maps datetime to the column "
                                          r"'Committed', which is not in this file; the file "
                                          r"has: .*When"):
        read_feed("on_street", "p.csv", data=b"Lat WGS,Long WGS,When,Offence\n", recipe=police)


def test_an_identifying_column_is_refused_whatever_the_recipe_maps(police):
    data = (HEADER.strip() + ",Officer Name\n54.5,1.0,01/03/2025 21:30,Soliciting,R1,Jo\n")
    with pytest.raises(ContractError, match=r"column 'Officer Name' is refused: a name "
                                            r"identifies a person"):
        read_feed("on_street", "p.csv", data=data.encode(), recipe=police)


def test_a_recipe_cannot_map_an_identifying_column_even_when_built_from_flags():
    data = b"lat,lon,datetime,activity_type,source_agency,Mobile\n54.5,1,2025-03-01,observation,police,07\n"
    with pytest.raises(ContractError, match=r"--map subject_key=Mobile: the source column "
                                            r"'Mobile' is refused: a phone number identifies "
                                            r"a person.*whatever the recipe maps it to"):
        read_feed("on_street", "p.csv", data=data,
                  recipe=Recipe("x").merged(recipe_from_flags(maps=["subject_key=Mobile"])))


def test_key_lines_follow_tables_and_quoted_keys():
    r = parse_recipe(POLICE, "p.toml")
    assert r.where("columns", "datetime") == "p.toml line 7"
    assert r.where("values", "activity_type") == "p.toml line 10"
    assert r.where("values", "activity_type", "Kerb crawler") == "p.toml line 12"
    assert r.where("set", "source_agency") == "p.toml line 15"


def test_flags_do_what_a_recipe_does():
    flags = recipe_from_flags(maps=["lat=Lat WGS", "lon=Long WGS", "datetime=Committed",
                                    "activity_type=Offence"], sets=["source_agency=police"],
                              date_format="%d/%m/%Y %H:%M")
    v = read_feed("on_street", "p.csv", data=rows("observation", "Soliciting"), recipe=flags,
                  today=TODAY)
    assert list(v.rows["source_agency"]) == ["police"]
    (p,) = v.problems    # flags carry no word map: the old reason, unchanged
    assert p.reason == ("activity_type is not one of: observation, incident, kerb_crawling, "
                        "outreach_sighting")


@pytest.mark.parametrize("flag", ["lat", "=Lat", "lat="])
def test_a_malformed_map_flag_is_refused(flag):
    with pytest.raises(RecipeError, match=rf"--map {flag}: is not of the form --map "
                                          r"lantern=source"):
        recipe_from_flags(maps=[flag])


def test_flags_override_the_recipe_file(police):
    merged = police.merged(recipe_from_flags(sets=["source_agency=outreach"],
                                             crs="EPSG:27700"))
    assert merged.constants == {"source_agency": "outreach"} and merged.crs == "EPSG:27700"
    assert merged.columns == police.columns
    assert merged.where("set", "source_agency") == "--set source_agency=outreach"


def test_areas_name_field_and_area_type_map_an_ons_file():
    r = recipe_from_flags(name_field="LSOA11NM", area_type="lsoa")
    assert r.columns == {"name": "LSOA11NM"} and r.constants == {"area_type": "lsoa"}
    r.check("areas")
    with pytest.raises(RecipeError, match=r"--area-type parish: 'parish' is not a value "
                                          r"area_type can take"):
        recipe_from_flags(area_type="parish").check("areas")


def test_a_missing_recipe_file_says_so(tmp_path):
    with pytest.raises(RecipeError, match=r"the recipe file does not exist"):
        load_recipe(tmp_path / "none.toml")


# ---------------------------------------------------------------------------- recipe draft

DRAFT_SOURCE = ("GRID_E,GRID_N,Committed,Offence,Agency,Officer Name,Notes\n"
                "594359,515772,01/03/2025 21:30,Soliciting,Police,Sgt Secret,met in alley\n"
                "594400,515800,02/03/2025 22:30,Kerb crawler,Police,PC Hidden,car\n"
                "594400,515800,12/03/2025 22:30,Loiterng,police,PC Hidden,x\n"
                "594400,515800,22/03/2025 22:30,Incident,police,PC Hidden,y\n")


def test_a_draft_proposes_columns_words_and_the_crs_and_loads(tmp_path):
    src = tmp_path / "export.csv"
    src.write_text(DRAFT_SOURCE)
    text = draft_recipe("on_street", src)
    doc = tomllib.loads(text)
    assert doc["crs"] == "EPSG:27700"
    assert doc["columns"] == {"source_agency": "Agency", "easting": "GRID_E",
                              "northing": "GRID_N", "datetime": "Committed",
                              "activity_type": "Offence"}
    assert doc["values"]["activity_type"] == {"Kerb crawler": "kerb_crawling",
                                              "Soliciting": "observation"}
    assert '# "Loiterng" = ""   # TODO: one of observation' in text


def test_a_draft_never_prints_values_of_identifying_columns(tmp_path):
    src = tmp_path / "export.csv"
    src.write_text(DRAFT_SOURCE)
    text = draft_recipe("on_street", src)
    for secret in ("Sgt Secret", "PC Hidden", "alley"):
        assert secret not in text
    assert '# the column "Officer Name" is refused (a name identifies a person)' in text
    assert '# the column "Notes" is refused (free text can identify a person)' in text


def test_a_draft_leaves_todo_lines_for_what_it_cannot_map(tmp_path):
    src = tmp_path / "odd.csv"
    src.write_text("When,What,Where E,Where N\n2025-03-01,zzz,594359,515772\n")
    text = draft_recipe("on_street", src)
    assert '# activity_type = "..."   # TODO' in text
    assert '# source_agency = "police"   # TODO: one of police' in text
    tomllib.loads(text)


def test_a_draft_for_boundaries_names_the_name_field_and_area_type(tmp_path):
    import geopandas as gpd
    from shapely.geometry import box

    path = tmp_path / "b.gpkg"
    gpd.GeoDataFrame({"LSOA11CD": ["X01"], "LSOA11NM": ["A (synthetic)"]},
                     geometry=[box(594000, 515000, 595000, 516000)],
                     crs="EPSG:27700").to_file(path, layer="l", driver="GPKG")
    doc = tomllib.loads(draft_recipe("areas", path))
    assert doc == {"feed": "areas", "name_field": "LSOA11NM", "area_type": "lsoa"}


def test_build_recipe_is_none_without_a_file_or_flag_and_merges_flags_over_a_file(police):
    from data_contracts import build_recipe

    assert build_recipe(None, maps=[], sets=None, crs=None) is None
    merged = build_recipe(police.source, crs="EPSG:27700")
    assert merged.crs == "EPSG:27700" and merged.columns == police.columns
    assert build_recipe(police.source).source == police.source
