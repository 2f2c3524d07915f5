"""Export a scenario as one GeoPackage (.gpkg, QGIS's own format): every layer, with the summary's figures.

Layers (all EPSG:4326, full field names, Chinese text as UTF-8):

* ``districts`` — the GeoJSON export's district fields (names in Chinese, 一区一品 product, population, areas) plus
  the figures of :func:`planner.analysis.summary.summary` as of the year: parks, sites, sites per 10,000 people,
  5G / 5G-A / F5G coverage %, investment (万元);
* ``parks``, ``zones`` — the GeoJSON export's fields plus ``open_in_year`` and, for open ones, the summary's
  coverage figures (point parks: covered flags and nearest-site distances);
* ``sites`` — the GeoJSON export's fields (``radius_m`` from the propagation model or the override,
  ``model_radius_m``), the site's ``district`` (adcode, '' at sea) and ``open_in_year``;
* ``coverage_5g``, ``coverage_5g_a``, ``coverage_f5g``, ``coverage_dual`` — one multipolygon each: the engine's
  covered land cells as of the year (:mod:`planner.analysis.coverage_polygons`), with their area and the
  summary's citywide figure.

Every feature is written, open or not, so the file holds the whole plan; ``open_in_year`` selects the year's
state. The synthetic-sites note goes into the sites layer's description. All or nothing: the file is written to a
temporary name in the same folder and moved over the target only when complete (:func:`write_geopackage`).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

from planner.analysis.compare import DISTRICT_FIGURES  # the summary's district figures
from planner.domain.scenario import Scenario
from planner.storage.atomic import SQLITE_SIDE_FILES, remove_stale_temporaries

#: Layer names in the file, in writing order.
LAYERS = (
    "districts",
    "parks",
    "sites",
    "zones",
    "coverage_5g",
    "coverage_5g_a",
    "coverage_f5g",
    "coverage_dual",
)
#: Coverage layer of the file → (engine layer, Chinese name, summary city field or None).
COVERAGE_LAYERS = {
    "coverage_5g": ("5g", "5G 覆盖", "coverage_5g_pct"),
    "coverage_5g_a": ("5g_a", "5G-A 覆盖", "coverage_5ga_pct"),
    "coverage_f5g": ("f5g", "F5G 千兆光网覆盖", "coverage_f5g_pct"),
    "coverage_dual": ("dual", "双万兆覆盖（5G-A 与 F5G）", None),
}
#: Titles (GeoPackage "identifier") of the layers, as a GIS lists them.
TITLES = {"districts": "区县", "parks": "园区", "sites": "站点", "zones": "区域"} | {
    k: v[1] for k, v in COVERAGE_LAYERS.items()
}
#: Fields that hold numbers but may be empty: written as floating-point columns with NULLs.
_NUMERIC = {"capex_wan", "radius_override_m", "area_ha", "computing_pflops", "nearest_site_m", "nearest_5ga_site_m"}
_NUMERIC |= {"area_km2"}
_FLAGS = {"covered_5g", "covered_5ga", "approximate"}


def _frame(features: list[dict], extra: list[dict] | None = None):
    """A GeoDataFrame (EPSG:4326) of GeoJSON features, with per-feature ``extra`` fields merged in."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    props = [f["properties"] | (extra[i] if extra else {}) for i, f in enumerate(features)]
    df = pd.DataFrame(props)
    for col in df.columns:
        if col in _NUMERIC or (col.startswith("coverage_") and col.endswith("_pct")):
            df[col] = pd.to_numeric(df[col], errors="raise").astype("float64")
        elif col in _FLAGS or col == "open_in_year":
            df[col] = df[col].astype("boolean")
    if features and all(f["geometry"]["type"] == "Point" for f in features):
        geometry = shapely.points([f["geometry"]["coordinates"] for f in features])
    else:
        from shapely.geometry import shape

        geometry = [shape(f["geometry"]) for f in features]
    return gpd.GeoDataFrame(df, geometry=geometry, crs="EPSG:4326")


def layer_frames(scenario: Scenario, year: int, engine) -> tuple[dict[str, Any], dict[str, str]]:
    """The GeoDataFrames of every layer (keyed as :data:`LAYERS`) and each layer's description."""
    import geopandas as gpd

    from planner.analysis.coverage_polygons import coverage_polygons, covered_cells
    from planner.analysis.summary import site_districts, summary
    from planner.reports.geojson_export import layer_features, layer_notes

    data = summary(scenario, year, engine)
    feats = layer_features(scenario)
    notes = layer_notes(scenario)
    frames: dict[str, Any] = {}

    by_district = {d["adcode"]: d for d in data["districts"]}
    for f in feats["districts"]:
        f["properties"].pop("open_year", None)  # districts exist in every year
    frames["districts"] = _frame(
        feats["districts"],
        [{"year": year, **{k: by_district[f["id"]][k] for k in DISTRICT_FIGURES}} for f in feats["districts"]],
    )
    park_rows = {p["id"]: p for p in data["parks"]}
    park_fields = ("covered_5g", "covered_5ga", "nearest_site_m", "nearest_5ga_site_m", "area_km2")
    park_fields += ("coverage_5g_pct", "coverage_5ga_pct", "coverage_f5g_pct")
    frames["parks"] = _frame(
        feats["parks"],
        [
            {"open_in_year": scenario.parks[f["id"]].open_year <= year}
            | {k: park_rows.get(f["id"], {}).get(k) for k in park_fields}
            for f in feats["parks"]
        ],
    )
    where = site_districts(scenario)
    frames["sites"] = _frame(
        feats["sites"],
        [
            {"district": where[f["id"]], "open_in_year": scenario.sites[f["id"]].open_year <= year}
            for f in feats["sites"]
        ],
    )
    zone_rows = {z["id"]: z for z in data["zones"]}
    zone_fields = ("coverage_5g_pct", "coverage_5ga_pct", "coverage_f5g_pct", "coverage_dual_pct")
    frames["zones"] = _frame(
        feats["zones"],
        [
            {"open_in_year": scenario.zones[f["id"]].open_year <= year}
            | {k: zone_rows.get(f["id"], {}).get(k) for k in zone_fields}
            for f in feats["zones"]
        ],
    )
    spec = engine.city_spec
    land_cells = int((engine.city_labels.reshape(-1) != 255).sum())
    for name, (layer, title, city_key) in COVERAGE_LAYERS.items():
        cells = int(covered_cells(engine, layer).sum())
        row = {
            "layer": layer,
            "name": title,
            "year": year,
            "cell_m": spec.cell,
            "cells": cells,
            "area_km2": cells * spec.cell_area_m2 / 1e6,
            # The grid's share of land cells; for 5G and 5G-A it is the summary's city figure before rounding.
            "grid_coverage_pct": 100.0 * cells / land_cells if land_cells else 0.0,
            "coverage_pct": None if city_key is None else data["city"][city_key],
        }
        frames[name] = gpd.GeoDataFrame([row], geometry=[coverage_polygons(engine, layer)], crs="EPSG:4326")
        frames[name]["coverage_pct"] = frames[name]["coverage_pct"].astype("float64")
    made = time.strftime("%Y-%m-%d")
    descriptions = {layer: f"{scenario.name}（{scenario.id}），{year} 年；导出于 {made}" for layer in LAYERS}
    for layer, note in notes.items():
        descriptions[layer] += f"；{note}"
    return frames, descriptions


def _temp_name(path: Path) -> Path:
    """A fresh hidden name beside ``path``, ending in .gpkg (GDAL warns about a GeoPackage named otherwise), of the
    form :func:`planner.storage.atomic.remove_stale_temporaries` recognises, so that what a killed export left
    is removed by the next one."""
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp.gpkg")
        if not tmp.exists():
            return tmp
    raise FileExistsError(f"no free temporary name beside {path}")


def _remove(tmp: Path) -> None:
    for p in (tmp, *(tmp.with_name(tmp.name + side) for side in SQLITE_SIDE_FILES)):
        with contextlib.suppress(OSError):
            p.unlink(missing_ok=True)


def write_geopackage(scenario: Scenario, path: str | Path, *, year: int | None = None, engine=None) -> Path:
    """Write every layer of ``scenario`` as of ``year`` (default: its horizon year) to the GeoPackage ``path``.

    ``engine``: a live CoverageEngine of the same scenario and year (built if not given or of another year).
    All or nothing: a failure (no folder, no permission, a full disk) raises and leaves no temporary file, and an
    existing file at ``path`` as it was. Returns the path written.
    """
    import pyogrio

    from planner.analysis.coverage import CoverageEngine

    path = Path(path)
    if path.suffix.lower() != ".gpkg":
        raise ValueError(f"{path.name}: a GeoPackage is written as .gpkg")
    if path.is_dir():
        raise ValueError(f"{path} is a folder; give a file name ending in .gpkg")
    year = scenario.horizon_year if year is None else int(year)
    if engine is None or engine.year != year:
        engine = CoverageEngine(scenario, year, subscribe=False)
    frames, descriptions = layer_frames(scenario, year, engine)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(2, "the folder does not exist", str(folder))
    remove_stale_temporaries(path)
    tmp = _temp_name(path)
    try:
        # No dataset metadata: GDAL's readers then copy it into a side file (<name>.aux.xml) that a later export
        # would leave stale. The scenario and the year are in every layer's description instead.
        for name in LAYERS:
            pyogrio.write_dataframe(
                frames[name],
                tmp,
                layer=name,
                driver="GPKG",
                promote_to_multi=name.startswith("coverage_") or None,
                layer_options={"IDENTIFIER": TITLES[name], "DESCRIPTION": descriptions[name]},
            )
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if path.exists():
            shutil.copymode(path, tmp)  # keep the permissions of the file it replaces
        os.replace(tmp, path)
    except BaseException:
        _remove(tmp)
        raise
    return path


__all__ = ["COVERAGE_LAYERS", "LAYERS", "layer_frames", "write_geopackage"]
