"""GCJ-02 / BD-09 ⇄ WGS-84 conversions (planner.geo.chinacrs)."""

import numpy as np
import pytest
from pyproj import Geod

from planner.geo import chinacrs

GEOD = Geod(ellps="WGS84")


def _grid():
    lon, lat = np.meshgrid(np.linspace(120.9, 122.3, 40), np.linspace(28.9, 30.5, 40))
    return lon.ravel(), lat.ravel()


def test_round_trip_wgs_gcj_wgs_under_half_a_metre_across_ningbo():
    lon, lat = _grid()
    g_lon, g_lat = chinacrs.wgs84_to_gcj02(lon, lat)
    w_lon, w_lat = chinacrs.gcj02_to_wgs84(g_lon, g_lat)
    _, _, dist = GEOD.inv(lon, lat, w_lon, w_lat)
    assert dist.max() < 0.5
    assert dist.max() < 0.01  # the iterative inverse is in fact millimetre-exact


def test_offset_in_ningbo_is_about_490_m_east_and_south():
    lon, lat = 121.55, 29.87  # Haishu, central Ningbo
    g_lon, g_lat = chinacrs.wgs84_to_gcj02(lon, lat)
    _az, _, dist = GEOD.inv(lon, lat, g_lon, g_lat)
    assert 470 < dist < 510
    east = (g_lon - lon) * 111_320 * np.cos(np.radians(lat))
    north = (g_lat - lat) * 110_570
    assert 380 < east < 420 and -310 < north < -270


def test_offset_everywhere_in_ningbo_is_between_450_and_550_m():
    lon, lat = _grid()
    g_lon, g_lat = chinacrs.wgs84_to_gcj02(lon, lat)
    _, _, dist = GEOD.inv(lon, lat, g_lon, g_lat)
    assert dist.min() > 450 and dist.max() < 550


def test_bd09_round_trip_and_offset():
    lon, lat = _grid()
    b_lon, b_lat = chinacrs.wgs84_to_bd09(lon, lat)
    w_lon, w_lat = chinacrs.bd09_to_wgs84(b_lon, b_lat)
    _, _, dist = GEOD.inv(lon, lat, w_lon, w_lat)
    assert dist.max() < 0.5
    # BD-09 sits a further ~1 km from GCJ-02 (0.0065°, 0.006° shift plus a small rotation).
    _, _, off = GEOD.inv(lon, lat, b_lon, b_lat)
    assert off.min() > 900 and off.max() < 1600


def test_published_bd09_gcj02_pair():
    # BD-09 is defined from GCJ-02 by a published closed form; check one value computed from it by hand.
    x, y = 121.55, 29.87
    z = np.hypot(x, y) + 0.00002 * np.sin(y * np.pi * 3000 / 180)
    t = np.arctan2(y, x) + 0.000003 * np.cos(x * np.pi * 3000 / 180)
    assert chinacrs.gcj02_to_bd09(x, y) == pytest.approx((z * np.cos(t) + 0.0065, z * np.sin(t) + 0.006), abs=1e-12)


def test_scalar_and_vector_agree_and_scalars_come_back_as_floats():
    lon, lat = 121.6, 29.9
    s = chinacrs.gcj02_to_wgs84(lon, lat)
    v = chinacrs.gcj02_to_wgs84(np.array([lon]), np.array([lat]))
    assert isinstance(s[0], float) and isinstance(s[1], float)
    assert s == pytest.approx((v[0][0], v[1][0]))


def test_outside_china_is_unchanged():
    assert chinacrs.wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert chinacrs.gcj02_to_wgs84(2.35, 48.85) == (2.35, 48.85)


def test_to_wgs84_by_datum_name():
    g = chinacrs.wgs84_to_gcj02(121.5, 29.8)
    assert chinacrs.to_wgs84(*g, "GCJ-02") == pytest.approx((121.5, 29.8), abs=1e-9)
    assert chinacrs.to_wgs84(121.5, 29.8, "wgs84") == (121.5, 29.8)
    with pytest.raises(ValueError, match="unknown datum"):
        chinacrs.to_wgs84(121.5, 29.8, "cgcs2001")
