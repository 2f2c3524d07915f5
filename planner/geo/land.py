"""Where a point lies: on one of Ningbo's districts, at sea off Ningbo's coast, on a neighbouring city's land, or
out at sea beyond the distance the planner accepts.

This is the one place that answers "which district is this point in" (vectorised for hundreds of thousands of
sites) and "is this a position in Ningbo at all". Ningbo's land is the ten district polygons of
``assets/basemap``; the neighbours (嘉兴, 绍兴, 舟山, 台州) come from ``assets/basemap/neighbours.geojson``, derived
the same way (``tools/build_basemap.py``). A site may stand offshore — on an island breakwater, a platform, a wind
farm — so a point off the coast within :data:`OFFSHORE_MAX_M` of Ningbo's land, and on no other city's land, is
accepted as "at sea" (it belongs to no district). Decision: the limit is 12 nautical miles, the breadth of the
territorial sea, which is also about as far as a coastal high mast reaches (``docs/file-format.md``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from planner.geo.basemap import city, districts
from planner.geo.crs import geometry_to_metric, to_metric
from planner.paths import BASEMAP

#: How far off Ningbo's coast a position is still accepted (metres): 12 nautical miles.
OFFSHORE_MAX_M = 22_224.0

#: Placement codes of :func:`place_points`.
ON_LAND, OFFSHORE, NEIGHBOUR_LAND, FAR_OFFSHORE = 0, 1, 2, 3


@dataclass(frozen=True)
class Neighbour:
    """A city next to Ningbo, with its land (WGS-84, clipped to the box of accepted positions)."""

    adcode: str
    name_zh: str
    name_en: str
    geometry: Any


@lru_cache(maxsize=1)
def neighbours() -> tuple[Neighbour, ...]:
    """The neighbouring cities' land, read from ``assets/basemap/neighbours.geojson``."""
    import shapely
    from shapely.geometry import shape

    doc = json.loads((BASEMAP / "neighbours.geojson").read_text(encoding="utf-8"))
    out = []
    for f in doc["features"]:
        p = f["properties"]
        geom = shape(f["geometry"])
        shapely.prepare(geom)
        out.append(Neighbour(p["adcode"], p["name_zh"], p["name_en"], geom))
    return tuple(out)


@lru_cache(maxsize=1)
def _land_metric():
    """Ningbo's land in UTM 51N, prepared for distance queries."""
    import shapely

    geom = geometry_to_metric(city().geometry)
    shapely.prepare(geom)
    return geom


@lru_cache(maxsize=1)
def _prepared_districts():
    import shapely

    out = []
    for d in districts():
        shapely.prepare(d.geometry)
        out.append(d)
    return tuple(out)


def district_of_points(lon: ArrayLike, lat: ArrayLike) -> np.ndarray:
    """Adcode (str) of the district containing each WGS-84 point; '' for points in no district (at sea).

    The last large batch is remembered: loading a file locates every site to check it, and the figures then
    locate the same sites again (~75 ms for 220,000 points each time; comparing the batch costs ~1 ms).
    """
    import shapely

    lon = np.asarray(lon, float)
    lat = np.asarray(lat, float)
    if lon.size >= _REMEMBER_FROM:
        last = _last_batch[0] if _last_batch else None
        if last is not None and last[0].shape == lon.shape:
            # The same batch again, or the same with a few points moved (an edit since): only those are located
            # again (each point's district depends on that point alone, so the result is the same).
            changed = np.flatnonzero((last[0] != lon) | (last[1] != lat))
            if len(changed) <= _FEW_POINTS:
                out = last[2].copy()
                if len(changed):
                    out[changed] = district_of_points(lon[changed], lat[changed])
                    _last_batch[:] = [(lon.copy(), lat.copy(), out.copy())]
                return out
    out = np.full(lon.shape, "", dtype=object)
    todo = np.ones(lon.shape, bool)
    few = lon.size <= _FEW_POINTS
    for d in _prepared_districts():
        if not todo.any():
            break
        idx = np.flatnonzero(todo)
        if few:  # an edit's point or two: the bounding box rules out most districts without a polygon test
            x0, y0, x1, y1 = d.geometry.bounds
            idx = idx[(lon[idx] >= x0) & (lon[idx] <= x1) & (lat[idx] >= y0) & (lat[idx] <= y1)]
            if not len(idx):
                continue
        inside = shapely.contains_xy(d.geometry, lon[idx], lat[idx])
        out[idx[inside]] = d.adcode
        todo[idx[inside]] = False
    if lon.size >= _REMEMBER_FROM:
        _last_batch[:] = [(lon.copy(), lat.copy(), out.copy())]
    return out


#: Up to this many points, districts are first ruled out by their bounding boxes (for a batch, the polygon test on
#: all points is cheaper than the boxes).
_FEW_POINTS = 64
#: Batches of at least this many points are remembered by :func:`district_of_points` (one batch, the last).
_REMEMBER_FROM = 10_000
_last_batch: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []


@dataclass(frozen=True)
class Placement:
    """Where each of a batch of points lies (arrays of one entry per point).

    ``code`` is :data:`ON_LAND`, :data:`OFFSHORE`, :data:`NEIGHBOUR_LAND` or :data:`FAR_OFFSHORE`; ``district`` the
    adcode on land, else ''; ``neighbour`` the index into :func:`neighbours` for points on their land, else -1;
    ``offshore_m`` the distance to Ningbo's land in metres (0 on land).
    """

    code: np.ndarray
    district: np.ndarray
    neighbour: np.ndarray
    offshore_m: np.ndarray


def place_points(lon: ArrayLike, lat: ArrayLike) -> Placement:
    """Classify WGS-84 points (finite numbers) against Ningbo's land, its neighbours' land and the offshore limit.

    The district test runs on every point; only the few points in no district are tested against the neighbours
    and measured to the coast, so the batch costs about as much as :func:`district_of_points`.
    """
    import shapely

    lon = np.asarray(lon, float)
    lat = np.asarray(lat, float)
    district = district_of_points(lon, lat)
    n = len(lon)
    code = np.full(n, ON_LAND, np.int8)
    neighbour = np.full(n, -1, np.int16)
    offshore = np.zeros(n)
    off = np.flatnonzero(district == "")
    if len(off):
        for i, nb in enumerate(neighbours()):
            on = shapely.contains_xy(nb.geometry, lon[off], lat[off]) & (neighbour[off] < 0)
            neighbour[off[on]] = i
        code[off] = np.where(neighbour[off] >= 0, NEIGHBOUR_LAND, OFFSHORE)
        sea = off[neighbour[off] < 0]
        if len(sea):
            x, y = to_metric(lon[sea], lat[sea])
            offshore[sea] = shapely.distance(_land_metric(), shapely.points(np.asarray(x), np.asarray(y)))
            code[sea[offshore[sea] > OFFSHORE_MAX_M]] = FAR_OFFSHORE
    return Placement(code, district, neighbour, offshore)


@lru_cache(maxsize=1)
def _districts_metric() -> dict[str, Any]:
    import shapely

    out = {}
    for d in districts():
        geom = geometry_to_metric(d.geometry)
        shapely.prepare(geom)
        out[d.adcode] = geom
    return out


def distance_to_district_m(geom_wgs84, adcode: str) -> float:
    """Distance in metres from a WGS-84 geometry to the district ``adcode`` (0 when they meet)."""
    import shapely

    return float(shapely.distance(_districts_metric()[adcode], geometry_to_metric(geom_wgs84)))


def distance_to_land_m(geom_wgs84) -> float:
    """Distance in metres from a WGS-84 geometry to Ningbo's land (0 when it touches it)."""
    import shapely

    return float(shapely.distance(_land_metric(), geometry_to_metric(geom_wgs84)))


def neighbour_containing(geom_wgs84) -> Neighbour | None:
    """The neighbouring city whose land wholly contains ``geom_wgs84``, if any."""
    import shapely

    for nb in neighbours():
        if shapely.contains(nb.geometry, geom_wgs84):
            return nb
    return None
