"""Geography for Lantern: any CRS to WGS84, points to H3 cells, cell hierarchy, rings, areas, hexagon shapes.

Cells are 64-bit unsigned integers everywhere inside Lantern (fast to store and to group in
DuckDB); string ids (``"89195da49b7ffff"``) appear only at the edges (CSV/GeoJSON exports and
map layers).
"""
from geo.cells import (
    BASE_RESOLUTION,
    area_to_cells,
    cell_to_str,
    cells_to_parents,
    cells_to_center,
    cells_to_polygons,
    cells_to_str,
    cells_within_rings,
    is_in_extent,
    points_to_cells,
    polygon_to_cells,
    resolution_of,
    str_to_cell,
)
from geo.crs import BNG, WGS84, CRSError, geometries_to_wgs84, points_to_wgs84
from geo.extent import UK_EXTENT, Extent

__all__ = [
    "BASE_RESOLUTION",
    "BNG",
    "CRSError",
    "WGS84",
    "area_to_cells",
    "geometries_to_wgs84",
    "points_to_wgs84",
    "Extent",
    "UK_EXTENT",
    "cell_to_str",
    "cells_to_parents",
    "cells_to_center",
    "cells_to_polygons",
    "cells_to_str",
    "cells_within_rings",
    "is_in_extent",
    "points_to_cells",
    "polygon_to_cells",
    "resolution_of",
    "str_to_cell",
]
