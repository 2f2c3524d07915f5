"""The coverage engine's city grid as polygons: exact unions of the covered 50 m cells, for maps and GIS exports.

A cell is covered when the engine says so (:meth:`CoverageEngine.city_covered`); the polygon is the union of the
covered cells' squares, so its edges run along cell edges and its area is exactly the covered cells × the cell
area. By default only land cells (centre in a district, ``engine.city_labels`` ≠ 255) count: those are the cells
the figures are shares of, and the cells the app's coverage layer paints.

How, fast (≈0.1–0.3 s for the ≈10-million-cell city grid): each grid row's covered cells are found as runs with
one vectorised comparison over the flat grid; runs with the same columns in consecutive rows are merged into one
rectangle; the rectangles are unioned by GEOS (``shapely.union_all``), and the collinear vertices left where
rectangles met are removed (``simplify(0)`` drops exactly collinear points only, so no cell edge moves).

No Qt here: the print maps and the GeoPackage export use it headless.
"""

from __future__ import annotations

import numpy as np

#: Coverage layers of the city grid (as ``CoverageEngine.RASTER_LAYERS``).
LAYERS = ("5g", "5g_a", "f5g", "dual")
#: Grid index of "no district" in ``engine.city_labels`` (see planner/analysis/coverage.py).
_NO_DISTRICT = 255
#: Longest edge kept straight before unprojecting to WGS-84: a straight line in UTM is a slight curve in lon/lat,
#: so long cell-edge runs are split (≈1 mm off the UTM edge at this length) and the lon/lat polygon stays on it.
_WGS84_SEGMENT_M = 1000.0


def covered_cells(engine, layer: str, *, land: bool = True) -> np.ndarray:
    """Flat bool array over ``engine.city_spec``: the cells ``layer`` covers (land cells only when ``land``)."""
    if layer not in LAYERS:
        raise KeyError(f"unknown coverage layer {layer!r} (expected one of {', '.join(LAYERS)})")
    covered = engine.city_covered(layer)
    if land:
        covered = covered & (np.asarray(engine.city_labels).reshape(-1) != _NO_DISTRICT)
    return covered


def cell_rectangles(spec, cells: np.ndarray) -> np.ndarray:
    """The covered ``cells`` (flat bool over ``spec``, row 0 at the south) as disjoint rectangles.

    Returns an (n, 4) int64 array of (col0, row0, col1, row1), exclusive ends: a run of covered cells in a row,
    merged with the identical runs of the rows above it.
    """
    ny, nx = spec.ny, spec.nx
    grid = np.asarray(cells, bool).reshape(ny, nx)
    # One False column after every row: runs never cross a row end, and starts and ends then alternate in the
    # flat array's transitions (with one False before the first cell).
    padded = np.zeros((ny, nx + 1), bool)
    padded[:, :nx] = grid
    flat = padded.reshape(-1)
    edges = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    if flat[0]:
        edges = np.concatenate(([0], edges))
    starts, ends = edges[0::2], edges[1::2]
    width = nx + 1
    row = starts // width
    col0 = starts - row * width
    col1 = ends - row * width
    # Merge vertically: sort the runs by (col0, col1, row); a run continues the previous one when it has the same
    # columns and lies one row above it.
    order = np.lexsort((row, col1, col0))
    row, col0, col1 = row[order], col0[order], col1[order]
    first = np.ones(len(row), bool)
    first[1:] = (col0[1:] != col0[:-1]) | (col1[1:] != col1[:-1]) | (row[1:] != row[:-1] + 1)
    heads = np.flatnonzero(first)
    top = np.maximum.reduceat(row, heads) + 1 if len(heads) else row[:0]
    return np.column_stack((col0[heads], row[heads], col1[heads], top)).astype(np.int64)


def cells_to_polygons(spec, cells: np.ndarray):
    """The union of the covered ``cells``' squares in the grid's metric CRS, as a shapely MultiPolygon."""
    import shapely
    from shapely.geometry import MultiPolygon

    rects = cell_rectangles(spec, cells)
    if len(rects) == 0:
        return MultiPolygon()
    c = spec.cell
    # Whole multiples of the cell added to the grid's corner: adjacent rectangles share bit-identical coordinates.
    boxes = shapely.box(
        spec.x0 + rects[:, 0] * c, spec.y0 + rects[:, 1] * c, spec.x0 + rects[:, 2] * c, spec.y0 + rects[:, 3] * c
    )
    union = shapely.simplify(shapely.union_all(boxes), 0.0)
    return _as_multipolygon(union)


def _as_multipolygon(geom):
    from shapely.geometry import MultiPolygon, Polygon

    if isinstance(geom, MultiPolygon):
        return geom
    if isinstance(geom, Polygon):
        return MultiPolygon() if geom.is_empty else MultiPolygon([geom])
    # A union of boxes is polygonal; anything else would be a GEOS surprise worth hearing about.
    raise TypeError(f"expected a polygonal union, got {geom.geom_type}")


def coverage_polygons_metric(engine, layer: str, *, land: bool = True):
    """``layer``'s coverage on ``engine``'s city grid as a MultiPolygon in UTM 51N metres (EPSG:32651)."""
    return cells_to_polygons(engine.city_spec, covered_cells(engine, layer, land=land))


def to_wgs84(geom_metric):
    """A metric coverage polygon unprojected to WGS-84, long straight edges first split so they stay straight."""
    import shapely

    from planner.geo.crs import geometry_to_wgs84

    if geom_metric.is_empty:
        return geom_metric
    return _as_multipolygon(geometry_to_wgs84(shapely.segmentize(geom_metric, _WGS84_SEGMENT_M)))


def coverage_polygons(engine, layer: str, *, land: bool = True):
    """``layer``'s coverage on ``engine``'s city grid as a MultiPolygon in WGS-84 lon/lat (EPSG:4326).

    ``layer`` is one of "5g", "5g_a", "f5g", "dual" (双万兆: both 5G-A and F5G). ``land`` (default) keeps the
    cells whose centre lies in a district, as the figures and the app's coverage layer do.
    """
    return to_wgs84(coverage_polygons_metric(engine, layer, land=land))


__all__ = [
    "LAYERS",
    "cell_rectangles",
    "cells_to_polygons",
    "coverage_polygons",
    "coverage_polygons_metric",
    "covered_cells",
    "to_wgs84",
]
