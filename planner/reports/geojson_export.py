"""Export a scenario's layers as standard GeoJSON (RFC 7946, WGS-84), one file per layer.

Any GIS (QGIS, ArcGIS, geopandas) reads the output. Every feature carries its ``id`` and ``open_year`` as
properties; sites also carry their effective coverage radius ``radius_m`` (the override if set, else the
propagation model's) and the model's radius as ``model_radius_m``; districts carry their facts and 一区一品 product.
"""

from __future__ import annotations

import json
from pathlib import Path

from planner.domain.scenario import Scenario
from planner.geo.basemap import districts
from planner.storage.atomic import atomic_write_bytes
from planner.storage.fileformat import geometry_to_geojson, park_to_feature, site_to_feature, zone_to_feature

LAYER_FILES = ("districts", "parks", "sites", "zones")


def _feature_with_id(feature: dict) -> dict:
    feature["properties"] = {"id": feature["id"], **feature["properties"]}
    return feature


def _collection(name: str, features: list[dict]) -> bytes:
    doc = {"type": "FeatureCollection", "name": name, "features": features}
    return (json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def layer_features(scenario: Scenario) -> dict[str, list[dict]]:
    """GeoJSON features of each exported layer, keyed by layer name."""
    from planner.geo.site_radius import site_radii_m

    out: dict[str, list[dict]] = {}
    out["districts"] = [
        {
            "type": "Feature",
            "id": d.adcode,
            "properties": {
                "id": d.adcode,
                "adcode": d.adcode,
                "name": d.name_zh,
                "name_en": d.name_en,
                "population_2020": d.population_2020,
                "land_area_km2": d.land_area_km2,
                "polygon_area_km2": d.polygon_area_km2,
                "product": scenario.products.get(d.adcode),
                "open_year": None,  # districts exist in every year
            },
            "geometry": geometry_to_geojson(d.geometry),
        }
        for d in districts()
    ]
    out["parks"] = [_feature_with_id(park_to_feature(scenario.parks[k])) for k in sorted(scenario.parks)]
    out["zones"] = [_feature_with_id(zone_to_feature(scenario.zones[k])) for k in sorted(scenario.zones)]
    ids = sorted(scenario.sites)
    sites = [scenario.sites[k] for k in ids]
    radii = site_radii_m(sites)
    model = site_radii_m([s if s.radius_m is None else _without_override(s) for s in sites])
    feats = []
    for s, r, m in zip(sites, radii, model, strict=True):
        f = _feature_with_id(site_to_feature(s))
        f["properties"]["radius_override_m"] = f["properties"].pop("radius_m")
        f["properties"]["radius_m"] = round(float(r), 1)
        f["properties"]["model_radius_m"] = round(float(m), 1)
        feats.append(f)
    out["sites"] = feats
    return out


def _without_override(site):
    from dataclasses import replace

    return replace(site, radius_m=None)


def export_geojson(scenario: Scenario, folder: Path) -> list[tuple[Path, int]]:
    """Write ``districts.geojson``, ``parks.geojson``, ``sites.geojson`` and ``zones.geojson`` into ``folder``.

    Everything is checked before the first file is written, so a bad destination leaves nothing half-exported.
    """
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{folder} is a file, not a folder: give a folder to export into")
    for name in LAYER_FILES:
        if (folder / f"{name}.geojson").is_dir():
            raise ValueError(f"{folder / (name + '.geojson')} is a folder; remove or rename it first")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, feats in layer_features(scenario).items():
        path = folder / f"{name}.geojson"
        atomic_write_bytes(path, _collection(name, feats), keep_backup=False)
        written.append((path, len(feats)))
    return written


__all__ = ["LAYER_FILES", "export_geojson", "layer_features"]
