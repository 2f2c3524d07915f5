"""How precisely the scenario file stores coordinates, and the geometry a value becomes once written.

The writer rounds every coordinate to :data:`COORD_DECIMALS` places (1e-7° ≈ 1 cm). Validation checks a geometry
*as it will be written* (:func:`as_written`), because rounding can change it: a notch 8 mm wide closes and a valid
polygon becomes self-intersecting, which the loader would then refuse. One rounding function serves both.
"""

from __future__ import annotations

from typing import Any

#: Decimal places of written coordinates: 1e-7° is about 1 cm.
COORD_DECIMALS = 7


def round_coords(obj: Any) -> Any:
    """Round a coordinate or a nested list of coordinates as the file writer does (Python's correctly rounded
    ``round``, so that writing and checking agree to the bit)."""
    if isinstance(obj, float):
        return round(obj, COORD_DECIMALS)
    if isinstance(obj, int):
        return obj
    return [round_coords(c) for c in obj]


def geometry_to_geojson(geom: Any) -> dict:
    """GeoJSON geometry dict of a shapely geometry, coordinates rounded as written to a file."""
    from shapely.geometry import mapping

    m = mapping(geom)
    return {"type": m["type"], "coordinates": round_coords(m["coordinates"])}


def as_written(geom: Any) -> Any:
    """The shapely geometry that writing ``geom`` to a scenario file and reading it back gives."""
    from shapely.geometry import shape

    return shape(geometry_to_geojson(geom))
