"""The coverage engine's city grid resampled for a web map: Web-Mercator-aligned PNG images between lat/lon bounds.

Leaflet draws an image overlay by stretching it linearly between two corners *in Web Mercator*. The engine's city
grid is square 50 m cells in UTM 51N, which is neither lat/lon- nor Mercator-aligned, so stretching it would put
cells up to a few hundred metres off (the grid is rotated ≈1° against north and Mercator rows are not evenly spaced
in latitude). Instead every image pixel is given the city-grid cell under its centre: pixel columns are evenly
spaced in longitude, rows evenly in Mercator y, which is exactly how Leaflet lays the image out.

Projecting every pixel centre through pyproj would cost ~1 s for the ~10 million pixels of a 50 m image; the
mapping is smooth, so it is projected exactly on a lattice every :data:`LATTICE_STEP` pixels and interpolated
bilinearly between (error far below a millimetre over 800 m). The pixel → cell index map is made once and read by
all four layers.

``datum="gcj02"`` (an AMap / Gaode basemap) treats the pixel centres as GCJ-02 coordinates and converts them back
to WGS-84 before projecting, so the image lines up with GCJ-02 tiles and with the shifted vector overlays.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass

import numpy as np

#: Pixels between exactly projected lattice points (see the module docstring).
LATTICE_STEP = 16
#: Image rows mapped at a time (see raster_frame).
BAND_ROWS = 256
#: Palette indices of the images: outside every district, land covered, land not covered.
OUTSIDE, COVERED, UNCOVERED = 0, 1, 2
#: Earth radius of Web Mercator (EPSG:3857), metres.
_R = 6378137.0


@dataclass(frozen=True)
class RasterFrame:
    """Where the images lie: (south, west, north, east) in the map's datum, and their size in pixels."""

    south: float
    west: float
    north: float
    east: float
    width: int
    height: int
    cells: np.ndarray  # (height, width) int32: flat city-grid index under each pixel, -1 off the grid or off land


def _merc_y(lat: np.ndarray) -> np.ndarray:
    return _R * np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))


def _merc_lat(y: np.ndarray) -> np.ndarray:
    return np.degrees(2 * np.arctan(np.exp(y / _R)) - np.pi / 2)


def _bilinear(lattice: np.ndarray, rows: np.ndarray, c0: np.ndarray, fc: np.ndarray) -> np.ndarray:
    """Values of a (h, w) lattice at fractional rows ``rows`` (B,) and columns ``c0 + fc`` (W,): a (B, W) array.

    Interpolated along the rows first, on the lattice's few columns, then along the columns: two gathers of the
    output's size instead of four.
    """
    r0 = np.minimum(rows.astype(np.intp), lattice.shape[0] - 2)
    fr = (rows - r0)[:, None].astype(np.float32)
    by_row = lattice[r0] * (1 - fr) + lattice[r0 + 1] * fr  # (B, w)
    left = by_row[:, c0]
    return left + (by_row[:, c0 + 1] - left) * fc


def raster_frame(engine, datum: str = "wgs84") -> RasterFrame:
    """The image frame covering the engine's city grid, one pixel ≈ one 50 m cell, and its pixel → cell map."""
    from planner.geo.chinacrs import gcj02_to_wgs84, wgs84_to_gcj02
    from planner.geo.crs import to_metric, to_wgs84

    spec = engine.city_spec
    x0, y0, x1, y1 = spec.bounds
    # The grid's outline, densified, in lon/lat: its bounding box is the image's extent.
    t = np.linspace(0.0, 1.0, 65)
    ex = np.concatenate([x0 + (x1 - x0) * t, np.full_like(t, x1), x1 - (x1 - x0) * t, np.full_like(t, x0)])
    ey = np.concatenate([np.full_like(t, y0), y0 + (y1 - y0) * t, np.full_like(t, y1), y1 - (y1 - y0) * t])
    lon, lat = to_wgs84(ex, ey)
    if datum == "gcj02":
        lon, lat = wgs84_to_gcj02(lon, lat)
    west, east, south, north = float(lon.min()), float(lon.max()), float(lat.min()), float(lat.max())
    mid = math.radians((south + north) / 2)
    # Pixels of about one cell at the middle latitude (Mercator metres there are cell / cos(lat) long).
    my0, my1 = _merc_y(np.array([south, north]))
    mx_span = _R * math.radians(east - west)
    px = spec.cell / math.cos(mid)
    width, height = max(2, math.ceil(mx_span / px)), max(2, math.ceil((my1 - my0) / px))

    # Exact projection on the lattice of every LATTICE_STEP-th pixel centre (plus the last one).
    def lattice_positions(n: int) -> np.ndarray:
        return np.unique(np.append(np.arange(0, n, LATTICE_STEP), n - 1)).astype(float)

    lr, lc = lattice_positions(height), lattice_positions(width)
    lat_r = _merc_lat(my1 - (lr + 0.5) * (my1 - my0) / height)  # image row 0 is the north edge
    lon_c = west + (lc + 0.5) * (east - west) / width
    glon, glat = np.meshgrid(lon_c, lat_r)
    if datum == "gcj02":
        glon, glat = gcj02_to_wgs84(glon, glat)
    gx, gy = to_metric(glon, glat)
    # Fractional lattice coordinates of every pixel row and column; pixels are mapped in bands of rows so the
    # float temporaries stay a few MB instead of ~100 MB each for a 10-million-pixel image.
    rows = np.interp(np.arange(height, dtype=float), lr, np.arange(len(lr), dtype=float))
    cols = np.interp(np.arange(width, dtype=float), lc, np.arange(len(lc), dtype=float))
    land = engine.city_labels != 255  # cells of some district (255: none; see coverage._NO_DISTRICT)
    cells = np.empty((height, width), np.int32)  # the city grid has < 2**31 cells
    c0 = np.minimum(cols.astype(np.intp), len(lc) - 2)
    fc = (cols - c0).astype(np.float32)
    # Cell units from the grid's corner, so that a floor gives the column and row.
    # float32 halves the memory traffic; its error at ~3,700 cell units is < 0.001 cell (5 cm).
    ux = ((gx - spec.x0) / spec.cell).astype(np.float32)
    uy = ((gy - spec.y0) / spec.cell).astype(np.float32)
    # Pixels off the grid are clamped onto its border cells, which are never land: the city grid has a margin of
    # two cells around the districts (coverage._city_grid), so the land test below sends them to -1 too.
    for r0 in range(0, height, BAND_ROWS):
        band = rows[r0 : r0 + BAND_ROWS]
        col = np.clip(_bilinear(ux, band, c0, fc), 0, spec.nx - 1).astype(np.int32)
        row = np.clip(_bilinear(uy, band, c0, fc), 0, spec.ny - 1).astype(np.int32)
        flat = row * np.int32(spec.nx) + col
        cells[r0 : r0 + BAND_ROWS] = np.where(land[flat], flat, -1)
    return RasterFrame(south, west, north, east, width, height, cells)


def layer_png(frame: RasterFrame, covered: np.ndarray, covered_rgba: tuple, uncovered_rgba: tuple) -> bytes:
    """A palette PNG of one coverage layer: covered land, uncovered land, transparent elsewhere."""
    from PIL import Image

    # Palette index per city-grid cell, plus one entry at the end that the -1 of off-land pixels picks.
    by_cell = np.empty(len(covered) + 1, np.uint8)
    np.subtract(UNCOVERED, covered.view(np.uint8), out=by_cell[:-1])  # COVERED = UNCOVERED - 1, no temporaries
    by_cell[-1] = OUTSIDE
    index = by_cell[frame.cells]
    image = Image.fromarray(index, mode="P")
    palette = [0, 0, 0, *covered_rgba[:3], *uncovered_rgba[:3]]
    image.putpalette(palette)
    buf = io.BytesIO()
    # tRNS gives each palette entry its alpha: a palette image stays ~1 byte a pixel before compression.
    alpha = bytes([0, covered_rgba[3], uncovered_rgba[3]])
    image.save(buf, format="PNG", optimize=False, compress_level=3, transparency=alpha)
    return buf.getvalue()


def png_data_url(png: bytes) -> str:
    """A ``data:`` URL of PNG bytes (no network request, no file beside the page)."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
