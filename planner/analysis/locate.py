"""Which district a point lies in, vectorised for tens of thousands of sites."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from planner.geo.basemap import districts


def district_of_points(lon: ArrayLike, lat: ArrayLike) -> np.ndarray:
    """Adcode (str) of the district containing each WGS-84 point; '' for points in no district (at sea)."""
    import shapely

    lon = np.asarray(lon, float)
    lat = np.asarray(lat, float)
    out = np.full(lon.shape, "", dtype=object)
    todo = np.ones(lon.shape, bool)
    for d in districts():
        shapely.prepare(d.geometry)
        if not todo.any():
            break
        idx = np.flatnonzero(todo)
        inside = shapely.contains_xy(d.geometry, lon[idx], lat[idx])
        out[idx[inside]] = d.adcode
        todo[idx[inside]] = False
    return out
