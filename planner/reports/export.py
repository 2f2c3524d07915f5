"""Every export of a scenario, from one coverage engine: the code behind ``python main.py export`` and File ▸ Export."""

from __future__ import annotations

from pathlib import Path

#: The maps ``export --png/--pdf --map`` draws.
MAP_KINDS = ("product", "coverage_5g", "coverage_5ga", "coverage_f5g", "coverage_dual")
#: Export options in the order they are written, and what each writes.
EXPORTS = (("xlsx", "Excel 简报 / brief"), ("html", "网页地图 / web map"), ("png", "地图 / map"),
           ("pdf", "地图 / map"), ("gpkg", "GeoPackage"), ("geojson", "GeoJSON"))  # fmt: skip


def export_all(scenario, targets: list[tuple[str, Path]], *, year=None, other=None, map_kind="product",
               page="a4", progress=None, written=None) -> list[tuple[str, Path, str]]:  # fmt: skip
    """Write each (kind, path) of ``targets`` from one engine (so that every file has the same figures); each file
    is written atomically, and appended to ``written`` as (kind, path, detail) once it is (a GeoJSON folder: each
    file with its feature count). ``progress(done, total, kind)`` is told before
    each. Shared by the CLI and the app."""
    from planner.analysis.coverage import CoverageEngine
    from planner.analysis.summary import default_year

    year = default_year(scenario) if year is None else int(year)
    engine = CoverageEngine(scenario, year, subscribe=False)
    written = [] if written is None else written
    for i, (kind, path) in enumerate(targets):
        if progress is not None:
            progress(i, len(targets), kind)
        if kind == "xlsx":
            from planner.reports.excel_brief import write_brief
            from planner.reports.print_maps import render_map_bytes

            picture = render_map_bytes(scenario, "png", map="product", year=year, page="a4", engine=engine)
            write_brief(scenario, path, year=year, engine=engine, other=other, map_png=picture)
        elif kind == "html":
            from planner.reports.webmap import write_webmap

            write_webmap(scenario, path, year=year, engine=engine)
        elif kind in ("png", "pdf"):
            from planner.reports.print_maps import render_map

            render_map(scenario, path, map=map_kind, year=year, page=page, engine=engine)
        elif kind == "gpkg":
            from planner.reports.geopackage import write_geopackage

            write_geopackage(scenario, path, year=year, engine=engine)
        elif kind == "geojson":
            from planner.reports.geojson_export import export_geojson

            for file, count in export_geojson(scenario, path):
                written.append((kind, file, f"{count:,} features"))
            continue
        written.append((kind, path, ""))
    if progress is not None:
        progress(len(targets), len(targets), "")
    return written
