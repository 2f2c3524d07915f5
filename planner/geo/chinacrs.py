"""Conversions between WGS-84 and the two obfuscated Chinese datums, GCJ-02 and BD-09.

Chinese web maps do not publish in WGS-84: AMap (高德) and Tencent use GCJ-02 ("Mars coordinates"),
Baidu uses BD-09, which is GCJ-02 with a further rotation and shift. The planner stores everything in
WGS-84 (EPSG:4326), so any coordinate that comes from those sources is converted on the way in.

The forward transform WGS-84 → GCJ-02 is the widely published reimplementation of the official
algorithm (Krasovsky 1940 ellipsoid, fixed polynomial-plus-sine offset). There is no closed-form
inverse: GCJ-02 → WGS-84 solves ``forward(w) = g`` by fixed-point iteration, which converges to
well under a millimetre in a handful of steps because the offset field is smooth (its gradient is
about 1e-5 per degree). In Ningbo the offset is about 490 m (≈400 m east, ≈290 m north; see
``shared/domain.md``, "Boundaries").

All functions accept scalars or numpy arrays (vectorised) and return the same shape.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

# Krasovsky 1940 ellipsoid, which the GCJ-02 algorithm uses.
_A = 6378245.0
_EE = 0.00669342162296594323
# Constant used by the BD-09 transform (π · 3000 / 180).
_X_PI = np.pi * 3000.0 / 180.0


def out_of_china(lon: ArrayLike, lat: ArrayLike) -> np.ndarray:
    """Return True where a point lies outside the rough box in which GCJ-02 applies an offset.

    Outside mainland China GCJ-02 equals WGS-84, as the published algorithm does.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _transform_lat(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return ret


def _offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 offset (degrees) to add to a WGS-84 coordinate."""
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    outside = out_of_china(lon, lat)
    return np.where(outside, 0.0, dlon), np.where(outside, 0.0, dlat)


def _unwrap(lon: np.ndarray, lat: np.ndarray, scalar: bool):
    if scalar:
        return float(lon), float(lat)
    return lon, lat


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike):
    """Convert WGS-84 longitude/latitude (degrees) to GCJ-02."""
    scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    dlon, dlat = _offset(lon, lat)
    return _unwrap(lon + dlon, lat + dlat, scalar)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike, tol_deg: float = 1e-10, max_iter: int = 20):
    """Convert GCJ-02 longitude/latitude (degrees) to WGS-84 by fixed-point iteration.

    ``tol_deg`` 1e-10 degrees is about 0.01 mm; in practice three to five iterations suffice.
    """
    scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
    g_lon = np.asarray(lon, dtype=float)
    g_lat = np.asarray(lat, dtype=float)
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    for _ in range(max_iter):
        dlon, dlat = _offset(w_lon, w_lat)
        e_lon = w_lon + dlon - g_lon
        e_lat = w_lat + dlat - g_lat
        w_lon = w_lon - e_lon
        w_lat = w_lat - e_lat
        if np.all(np.abs(e_lon) < tol_deg) and np.all(np.abs(e_lat) < tol_deg):
            break
    return _unwrap(w_lon, w_lat, scalar)


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike):
    """Convert GCJ-02 longitude/latitude (degrees) to Baidu BD-09."""
    scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return _unwrap(z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006, scalar)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike):
    """Convert Baidu BD-09 longitude/latitude (degrees) to GCJ-02 (the published inverse)."""
    scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
    x = np.asarray(lon, dtype=float) - 0.0065
    y = np.asarray(lat, dtype=float) - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return _unwrap(z * np.cos(theta), z * np.sin(theta), scalar)


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike):
    """Convert Baidu BD-09 longitude/latitude (degrees) to WGS-84."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike):
    """Convert WGS-84 longitude/latitude (degrees) to Baidu BD-09."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


#: Datums the importers accept, mapped to the function that brings a coordinate to WGS-84.
TO_WGS84 = {
    "wgs84": lambda lon, lat: (lon, lat),
    "gcj02": gcj02_to_wgs84,
    "bd09": bd09_to_wgs84,
}


def to_wgs84(lon: ArrayLike, lat: ArrayLike, datum: str):
    """Convert coordinates in ``datum`` ('wgs84', 'gcj02' or 'bd09') to WGS-84."""
    try:
        convert = TO_WGS84[datum.lower().replace("-", "").replace("_", "")]
    except KeyError:
        raise ValueError(f"unknown datum {datum!r}: expected one of wgs84, gcj02, bd09") from None
    return convert(lon, lat)


def transform_geometry(geom, func):
    """Apply a vectorised ``func(lon_array, lat_array) -> (lon, lat)`` to every vertex of a shapely geometry."""
    import shapely

    def _apply(coords: np.ndarray) -> np.ndarray:
        x, y = func(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, _apply)
