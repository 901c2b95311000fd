"""Geographic extents used to decide whether a point is plausibly inside the force area."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Extent:
    """A latitude/longitude box (WGS84 degrees), with a name used in error messages."""

    name: str
    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float

    def __post_init__(self) -> None:
        if not (-90 <= self.min_lat < self.max_lat <= 90):
            raise ValueError(f"extent {self.name!r}: need -90 <= min_lat < max_lat <= 90")
        if not (-180 <= self.min_lon < self.max_lon <= 180):
            raise ValueError(f"extent {self.name!r}: need -180 <= min_lon < max_lon <= 180")

    def describe(self) -> str:
        """Return the extent in words, e.g. for a quarantine reason."""
        return (f"{self.name} (lat {self.min_lat}..{self.max_lat}, "
                f"lon {self.min_lon}..{self.max_lon})")


#: The United Kingdom with its islands, generously bounded. Used when no force area is set.
UK_EXTENT = Extent("the UK", 49.8, 60.95, -8.7, 1.8)
