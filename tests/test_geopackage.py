"""GeoPackage export (planner/reports/geopackage.py) and the coverage grid as polygons (coverage_polygons.py)."""

from __future__ import annotations

import math
import os
from dataclasses import replace

import numpy as np
import pyogrio
import pytest

from planner.analysis.coverage import CoverageEngine
from planner.analysis.coverage_polygons import (
    LAYERS,
    cell_rectangles,
    cells_to_polygons,
    coverage_polygons,
    coverage_polygons_metric,
    covered_cells,
)
from planner.analysis.summary import site_districts, summary
from planner.geo.crs import geometry_to_metric
from planner.geo.grid import GridSpec
from planner.reports import geopackage
from planner.reports.geopackage import DISTRICT_FIGURES, write_geopackage


@pytest.fixture(scope="module")
def engine(baseline):
    return CoverageEngine(baseline, subscribe=False)


@pytest.fixture(scope="module")
def gpkg(baseline, engine, tmp_path_factory):
    return write_geopackage(baseline, tmp_path_factory.mktemp("gpkg") / "基线.gpkg", engine=engine)


# ---------------------------------------------------------------------------------------------- coverage polygons
@pytest.mark.parametrize("layer", LAYERS)
def test_polygon_area_is_the_covered_cells_exactly(engine, layer):
    spec = engine.city_spec
    for land in (True, False):
        cells = covered_cells(engine, layer, land=land)
        metric = coverage_polygons_metric(engine, layer, land=land)
        assert metric.geom_type == "MultiPolygon" and metric.is_valid
        assert metric.area == pytest.approx(int(cells.sum()) * spec.cell_area_m2, rel=1e-12)
    wgs = coverage_polygons(engine, layer)
    assert wgs.is_valid
    lon0, lat0, lon1, lat1 = wgs.bounds
    assert 120.5 < lon0 < lon1 < 122.6 and 28.5 < lat0 < lat1 < 30.7
    # Back in UTM the lon/lat polygon is the same cells (edges were split before unprojecting, so they stay put).
    assert geometry_to_metric(wgs).area == pytest.approx(coverage_polygons_metric(engine, layer).area, rel=1e-9)


def test_land_cells_are_those_the_figures_count(engine, baseline):
    data = summary(baseline, engine.year, engine)
    land = int((engine.city_labels.reshape(-1) != 255).sum())
    for layer, key in (("5g", "coverage_5g_pct"), ("5g_a", "coverage_5ga_pct")):
        share = 100.0 * covered_cells(engine, layer).sum() / land
        assert round(share, 3) == data["city"][key]


@pytest.mark.parametrize("p", [0.0, 0.05, 0.5, 0.95, 1.0])
def test_random_grids_give_exact_unions(p):
    rng = np.random.default_rng(int(p * 100))
    spec = GridSpec(294300.0, 3192150.0, 50.0, 53, 41)
    cells = rng.random(spec.size) < p
    geom = cells_to_polygons(spec, cells)
    assert geom.is_valid and geom.area == pytest.approx(cells.sum() * spec.cell_area_m2, abs=1e-6)
    # The rectangles tile exactly the covered cells, once each.
    painted = np.zeros((spec.ny, spec.nx), int)
    for c0, r0, c1, r1 in cell_rectangles(spec, cells):
        painted[r0:r1, c0:c1] += 1
    assert np.array_equal(painted.reshape(-1), cells.astype(int))
    # Every covered cell centre is inside, every other one outside.
    import shapely

    cx = spec.x0 + (np.arange(spec.size) % spec.nx + 0.5) * spec.cell
    cy = spec.y0 + (np.arange(spec.size) // spec.nx + 0.5) * spec.cell
    assert np.array_equal(shapely.contains_xy(geom, cx, cy), cells)


def test_unknown_layer_is_refused(engine):
    with pytest.raises(KeyError, match="unknown coverage layer"):
        coverage_polygons(engine, "6g")


# ---------------------------------------------------------------------------------------------- the GeoPackage
def test_layers_crs_and_geometry_types(gpkg):
    layers = dict(pyogrio.list_layers(gpkg).tolist())
    assert list(layers) == list(geopackage.LAYERS)
    assert layers["sites"] == "Point" and layers["parks"] == "Point"
    assert layers["districts"] == "MultiPolygon"
    for name in geopackage.COVERAGE_LAYERS:
        assert layers[name] == "MultiPolygon"
    for name in layers:
        assert pyogrio.read_info(gpkg, layer=name)["crs"] == "EPSG:4326"


def test_full_field_names(gpkg):
    fields = {name: set(pyogrio.read_info(gpkg, layer=name)["fields"]) for name in geopackage.LAYERS}
    assert {"population_2020", "polygon_area_km2", "land_area_km2", "coverage_5ga_pct", "investment_wan"} <= fields[
        "districts"
    ]
    assert {"radius_m", "model_radius_m", "radius_override_m", "open_in_year", "district"} <= fields["sites"]
    assert {"data_enterprises", "computing_pflops", "nearest_5ga_site_m", "open_in_year"} <= fields["parks"]
    assert {"coverage_dual_pct", "approximate"} <= fields["zones"]
    assert {"grid_coverage_pct", "coverage_pct", "area_km2", "cells"} <= fields["coverage_dual"]


def test_district_figures_equal_the_summary(gpkg, baseline, engine):
    rows = {d["adcode"]: d for d in summary(baseline, engine.year, engine)["districts"]}
    df = pyogrio.read_dataframe(gpkg, layer="districts")
    assert sorted(df["adcode"]) == sorted(rows)
    for rec in df.to_dict("records"):
        want = rows[rec["adcode"]]
        assert rec["name"] == want["name"] and rec["name_en"] == want["name_en"]
        assert rec["population_2020"] == want["population"]
        assert rec["land_area_km2"] == want["area_km2"]
        assert rec["year"] == engine.year
        product = None if rec["product"] is None or rec["product"] != rec["product"] else rec["product"]
        assert product == want["product"]
        for key in DISTRICT_FIGURES:
            assert rec[key] == want[key], (rec["name"], key)


def test_parks_zones_and_chinese_text_round_trip(gpkg, baseline, engine):
    data = summary(baseline, engine.year, engine)
    parks = pyogrio.read_dataframe(gpkg, layer="parks").set_index("id")
    for p in baseline.parks.values():
        assert parks.loc[p.id, "name"] == p.name and parks.loc[p.id, "note"] == p.note
    for row in data["parks"]:
        if "nearest_site_m" in row:
            assert parks.loc[row["id"], "nearest_site_m"] == row["nearest_site_m"]
            assert bool(parks.loc[row["id"], "covered_5ga"]) == row["covered_5ga"]
    zones = pyogrio.read_dataframe(gpkg, layer="zones").set_index("id")
    for z in data["zones"]:
        assert zones.loc[z["id"], "name"] == z["name"]
        assert zones.loc[z["id"], "coverage_5ga_pct"] == z["coverage_5ga_pct"]
        if "coverage_dual_pct" in z:
            assert zones.loc[z["id"], "coverage_dual_pct"] == z["coverage_dual_pct"]


def test_sites_carry_radius_and_district(gpkg, baseline):
    from planner.geo.site_radius import site_radii_m

    df = pyogrio.read_dataframe(gpkg, layer="sites")
    assert len(df) == len(baseline.sites)
    ids = list(df["id"])
    radii = site_radii_m([baseline.sites[i] for i in ids])
    assert np.allclose(df["radius_m"].to_numpy(), np.round(radii, 1), atol=1e-9)
    where = site_districts(baseline)
    assert list(df["district"]) == [where[i] for i in ids]
    first = baseline.sites[ids[0]]
    assert df.geometry.iloc[0].x == pytest.approx(first.lon, abs=1e-7)
    import sqlite3

    with sqlite3.connect(gpkg) as db:
        (desc,) = db.execute("select description from gpkg_contents where table_name='sites'").fetchone()
    assert "站点为合成示意数据" in desc


def test_coverage_layers_match_the_engine_and_the_summary(gpkg, baseline, engine):
    data = summary(baseline, engine.year, engine)
    for name, (layer, title, city_key) in geopackage.COVERAGE_LAYERS.items():
        df = pyogrio.read_dataframe(gpkg, layer=name)
        assert len(df) == 1
        rec = df.iloc[0]
        assert rec["name"] == title and rec["layer"] == layer
        cells = int(covered_cells(engine, layer).sum())
        assert rec["cells"] == cells
        area = geometry_to_metric(df.geometry.iloc[0]).area
        assert area == pytest.approx(cells * engine.city_spec.cell_area_m2, rel=1e-6)
        if city_key is None:
            assert math.isnan(rec["coverage_pct"])
        else:
            assert rec["coverage_pct"] == data["city"][city_key]


def test_year_and_user_text(small_scenario, tmp_path):
    odd = '园区 =HYPERLINK("x") 😀 «引号» \u00e9'
    park = replace(small_scenario.parks["park-000001"], name=odd)
    sc = replace(small_scenario, parks={**small_scenario.parks, park.id: park}, products={"330206": "港航 + 数据"})
    path = write_geopackage(sc, tmp_path / "s.gpkg", year=2025)
    parks = pyogrio.read_dataframe(path, layer="parks").set_index("id")
    assert parks.loc[park.id, "name"] == odd
    assert list(parks["open_in_year"]) == [True, False]  # park-000002 opens in 2027
    districts = pyogrio.read_dataframe(path, layer="districts").set_index("adcode")
    want = {d["adcode"]: d for d in summary(sc, 2025)["districts"]}
    assert districts.loc["330206", "product"] == "港航 + 数据"
    for adcode, d in want.items():
        assert districts.loc[adcode, "sites"] == d["sites"]
        assert districts.loc[adcode, "coverage_5g_pct"] == d["coverage_5g_pct"]
    sites = pyogrio.read_dataframe(path, layer="sites").set_index("id")
    assert not sites.loc["site-000003", "open_in_year"]  # opens in 2026


def test_a_failed_write_keeps_the_previous_file_and_leaves_nothing(small_scenario, tmp_path, monkeypatch):
    target = tmp_path / "s.gpkg"
    target.write_bytes(b"previous")
    calls = []
    real = pyogrio.write_dataframe

    def fail_on_third(df, path, **kwargs):
        calls.append(kwargs["layer"])
        if len(calls) == 3:
            raise OSError(28, "No space left on device", str(path))
        return real(df, path, **kwargs)

    monkeypatch.setattr(pyogrio, "write_dataframe", fail_on_third)
    with pytest.raises(OSError, match="No space"):
        write_geopackage(small_scenario, target)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["s.gpkg"]


def test_bad_targets_are_refused(small_scenario, tmp_path):
    with pytest.raises(ValueError, match=r"\.gpkg"):
        write_geopackage(small_scenario, tmp_path / "s.shp")
    with pytest.raises(FileNotFoundError):
        write_geopackage(small_scenario, tmp_path / "missing" / "s.gpkg")
    assert list(tmp_path.iterdir()) == []


def test_a_second_write_replaces_the_file(small_scenario, tmp_path):
    target = tmp_path / "s.gpkg"
    write_geopackage(small_scenario, target, year=2025)
    write_geopackage(small_scenario, target, year=2027)
    assert pyogrio.read_dataframe(target, layer="districts")["year"].iloc[0] == 2027
    assert [p.name for p in tmp_path.iterdir()] == ["s.gpkg"]


def test_what_a_killed_export_left_is_removed_by_the_next(small_scenario, tmp_path):
    import subprocess
    import sys

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    left = [tmp_path / f".s.gpkg.{gone.pid}.0a1b2c3d.tmp.gpkg{side}" for side in ("", "-journal", "-wal")]
    for p in left:
        p.write_bytes(b"half")
    live = tmp_path / f".s.gpkg.{os.getpid()}.00ff00ff.tmp.gpkg"  # a save still running in this process
    other = tmp_path / f".t.gpkg.{gone.pid}.0a1b2c3d.tmp.gpkg"  # another file's temporary
    live.write_bytes(b"busy")
    other.write_bytes(b"other")
    write_geopackage(small_scenario, tmp_path / "s.gpkg")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([other.name, live.name, "s.gpkg"])
