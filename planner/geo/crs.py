"""Coordinate reference systems the planner uses.

Storage is WGS-84 longitude/latitude (EPSG:4326). Anything metric — areas, distances, coverage — is done in
UTM zone 51N (EPSG:32651), which covers Ningbo (121°–122.3° E) with a scale error under 0.04 %
(``shared/domain.md``, "Units and conventions").
"""

from __future__ import annotations

from functools import cache

import numpy as np
from numpy.typing import ArrayLike

WGS84 = "EPSG:4326"
METRIC = "EPSG:32651"  # UTM 51N


@cache
def _transformer(src: str, dst: str):
    from pyproj import Transformer

    return Transformer.from_crs(src, dst, always_xy=True)


def to_metric(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Project WGS-84 lon/lat (degrees) to UTM 51N easting/northing (metres)."""
    return _transformer(WGS84, METRIC).transform(np.asarray(lon, float), np.asarray(lat, float))


def to_wgs84(x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Unproject UTM 51N easting/northing (metres) to WGS-84 lon/lat (degrees)."""
    return _transformer(METRIC, WGS84).transform(np.asarray(x, float), np.asarray(y, float))


def geometry_to_metric(geom):
    """Return a shapely geometry projected from WGS-84 to UTM 51N."""
    import shapely

    return shapely.transform(geom, lambda c: np.column_stack(to_metric(c[:, 0], c[:, 1])))


def geometry_to_wgs84(geom):
    """Return a shapely geometry unprojected from UTM 51N to WGS-84."""
    import shapely

    return shapely.transform(geom, lambda c: np.column_stack(to_wgs84(c[:, 0], c[:, 1])))


def area_km2(geom_wgs84) -> float:
    """Area in km² of a WGS-84 shapely geometry, measured in UTM 51N."""
    return float(geometry_to_metric(geom_wgs84).area) / 1e6
