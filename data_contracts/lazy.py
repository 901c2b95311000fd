"""A package whose names are imported from their modules when first asked for (PEP 562).

Importing one light module of such a package (``data_contracts.feeds``) does not import the
heavy ones beside it (pandas, the release engine), so that the ``lantern`` command builds its
parser, and starts reading an ingest's file (:mod:`data_contracts.read_ahead`), before it
imports them.
"""
from __future__ import annotations

from importlib import import_module


def lazy_names(package: str, names: dict):
    """Return ``(__getattr__, __dir__)`` for ``package``: ``names`` maps each name to the
    module (relative to the package) that holds it; any other attribute is tried as a module
    of the package (``data_contracts.validate``).

    Examples
    --------
    >>> getattr_, dir_ = lazy_names("data_contracts", {"FEEDS": "feeds"})
    >>> "on_street" in getattr_("FEEDS"), "FEEDS" in dir_()
    (True, True)
    """
    namespace = import_module(package).__dict__

    def __getattr__(name: str):
        if name in names:
            value = getattr(import_module(f"{package}.{names[name]}"), name)
            namespace[name] = value
            return value
        try:
            return import_module(f"{package}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{package}.{name}":
                raise
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list:
        return sorted({*namespace, *names})

    return __getattr__, __dir__


__all__ = ["lazy_names"]
