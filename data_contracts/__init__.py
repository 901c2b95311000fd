"""Inbound feed contracts: what each partner extract must look like, and what it may not carry.

``read_feed(feed, path, recipe=...)`` reads a file in any format Lantern reads (CSV, Parquet,
GeoJSON, spreadsheets; GeoPackage and zipped Shapefile for areas), maps it through an optional
:class:`Recipe` (the partner's columns and words, constants, date format, CRS, sheet),
converts its coordinates to WGS84, and refuses it whole if it lacks a required column, carries
an identifying one, or would land in the wrong place (:class:`ContractError`). Otherwise it
splits the rows into validated rows and quarantined problems (:class:`ValidatedFeed`).
Nothing here writes to the database: :mod:`profiles.store.ingest` does, in one transaction.
Two helpers serve every layer that writes a file: :mod:`data_contracts.cell_safety` (text a
spreadsheet will not run) and :mod:`data_contracts.private_files` (files 0600, folders 0700,
whatever the umask). :data:`CATALOGUE` describes every feed (its label, unit and derived feeds)
for the layers above.
"""
from data_contracts.draft import draft_recipe
from data_contracts.errors import ContractError, Problem
from data_contracts.feeds import (CATALOGUE, CONTRACTS, DERIVED_FEEDS, EVENT_FEEDS, FEEDS, Column,
                                  Contract, Derived, Unit, contract_for, feed_entry)
from data_contracts.readers import FORMATS_READ, read_source
from data_contracts.recipes import (Recipe, RecipeError, build_recipe, load_recipe,
                                    recipe_from_flags)
from data_contracts.validate import ValidatedFeed, read_feed

__all__ = [
    "CATALOGUE",
    "CONTRACTS",
    "DERIVED_FEEDS",
    "EVENT_FEEDS",
    "FEEDS",
    "FORMATS_READ",
    "Column",
    "Contract",
    "ContractError",
    "Derived",
    "Problem",
    "Recipe",
    "RecipeError",
    "Unit",
    "ValidatedFeed",
    "build_recipe",
    "contract_for",
    "draft_recipe",
    "feed_entry",
    "load_recipe",
    "read_feed",
    "read_source",
    "recipe_from_flags",
]
