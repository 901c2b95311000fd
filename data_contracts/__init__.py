"""Inbound feed contracts: what each partner extract must look like, and what it may not carry.

``read_feed(feed, path)`` reads a CSV, Parquet or GeoJSON file, refuses it whole if it lacks a
required column or carries an identifying one (:class:`ContractError`), and otherwise splits its
rows into validated rows and quarantined problems (:class:`ValidatedFeed`). Nothing here writes
to the database: :mod:`profiles.store.ingest` does, in one transaction.
"""
from data_contracts.errors import ContractError, Problem
from data_contracts.feeds import CONTRACTS, FEEDS, Column, Contract, contract_for
from data_contracts.validate import ValidatedFeed, read_feed

__all__ = [
    "CONTRACTS",
    "FEEDS",
    "Column",
    "Contract",
    "ContractError",
    "Problem",
    "ValidatedFeed",
    "contract_for",
    "read_feed",
]
