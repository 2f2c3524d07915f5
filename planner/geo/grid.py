"""Raster helpers for the coverage engine: a regular grid in UTM 51N metres, polygon and disc rasterisation.

A cell is "inside" a polygon or a disc when its **centre** is. Sampling at cell centres is unbiased, so the error
of an area measured on the grid is random and shrinks with the cell size: see ``docs/coverage.md`` for the
numbers. Everything here is vectorised numpy; nothing loops over cells in Python.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class GridSpec:
    """A grid of ``ny`` × ``nx`` square cells of ``cell`` metres, lower-left corner at (``x0``, ``y0``).

    A ``lattice`` grid lies on the one lattice of its cell size (``x0``, ``y0`` whole multiples of ``cell``) and
    decides which cells a disc covers in lattice coordinates, independent of where the grid starts: two lattice
    grids of the same cell size agree on every cell they share, so a grid that moves (a zone dragged or
    reshaped) can keep the counts of the cells it keeps (:func:`recount_discs`) and still equal a fresh count.
    Other grids work in float32 cell units from their own corner, which halves the memory traffic of the city
    grid's millions of disc rows.
    """

    x0: float
    y0: float
    cell: float
    nx: int
    ny: int
    lattice: bool = False

    @classmethod
    def covering(
        cls, bounds: tuple[float, float, float, float], cell: float, margin: float = 0.0, *, lattice: bool = False
    ) -> GridSpec:
        """The smallest grid of ``cell``-metre cells (aligned to multiples of ``cell``) covering ``bounds``."""
        x0, y0, x1, y1 = bounds
        gx0 = math.floor((x0 - margin) / cell) * cell
        gy0 = math.floor((y0 - margin) / cell) * cell
        nx = math.ceil((x1 + margin - gx0) / cell)
        ny = math.ceil((y1 + margin - gy0) / cell)
        return cls(gx0, gy0, float(cell), max(nx, 1), max(ny, 1), lattice)

    @property
    def origin(self) -> tuple[int, int]:
        """(column, row) of the first cell on the lattice of this cell size (for a ``lattice`` grid)."""
        return round(self.x0 / self.cell), round(self.y0 / self.cell)

    def window(self, row0: int, row1: int, col0: int, col1: int) -> GridSpec:
        """The sub-grid of rows ``row0 … row1 - 1`` and columns ``col0 … col1 - 1``, on the same lattice."""
        kx, ky = self.origin
        c = self.cell
        return GridSpec((kx + col0) * c, (ky + row0) * c, c, col1 - col0, row1 - row0, self.lattice)

    @property
    def size(self) -> int:
        """Number of cells."""
        return self.nx * self.ny

    @property
    def cell_area_m2(self) -> float:
        """Area of one cell in m²."""
        return self.cell * self.cell

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) of the grid in metres."""
        return self.x0, self.y0, self.x0 + self.nx * self.cell, self.y0 + self.ny * self.cell


#: Cells per band of :func:`count_discs`: the band's difference array (8 bytes a cell, 1 MB) stays in the L2 cache.
BAND_CELLS = 1 << 17
#: Disc rows per band at most (unless one grid row has more): the per-row temporaries stay in the cache too.
BAND_RUNS = 1 << 18


def _disc_frame(spec: GridSpec, cx: np.ndarray, cy: np.ndarray, r: np.ndarray):
    """Per disc, in cell units: float32 centre (u, v) from the first cell centre, float32 squared radius, and the
    first and last grid row it touches (int32, clipped to the grid; last < first when it touches none).

    On a ``lattice`` grid: float64 centre and squared radius in lattice units (from the lattice's cell (0, 0)),
    and the rows as above.
    """
    c = spec.cell
    if spec.lattice:
        ky = spec.origin[1]
        u = cx / c - 0.5
        v = cy / c - 0.5
        rr = r / c
        # ceil/floor give whole numbers; taking the grid's first row away is exact, so every lattice grid
        # picks the same lattice rows for a disc.
        k0 = np.maximum(np.ceil(v - rr) - ky, 0).astype(np.int32)
        k1 = np.minimum(np.floor(v + rr) - ky, spec.ny - 1).astype(np.int32)
        return u, v, rr * rr, k0, k1
    u = (cx - spec.x0) / c - 0.5
    v = (cy - spec.y0) / c - 0.5
    rr = r / c
    k0 = np.maximum(np.ceil(v - rr), 0).astype(np.int32)
    k1 = np.minimum(np.floor(v + rr), spec.ny - 1).astype(np.int32)
    # Per-row work in float32 (cell units below 2^15 keep ~1e-3-cell precision): it halves the memory traffic of
    # the disc rows. Bulk and single-disc calls share this path, so they agree.
    return u.astype(np.float32), v.astype(np.float32), (rr * rr).astype(np.float32), k0, k1


#: Integers below this are exact in float32.
_F32_EXACT = 1 << 24


def _row_runs(spec: GridSpec, u, v, rr2, k0: np.ndarray, n: np.ndarray, row0: int):
    """Cells of rows ``k0 … k0 + n - 1`` of each disc (a :func:`_disc_frame`) as flat runs: see the two cases."""
    if spec.lattice:
        return _lattice_row_runs(spec, u, v, rr2, k0, n, row0)
    return _local_row_runs(spec.nx, u, v, rr2, k0, n, row0)


def _lattice_row_runs(spec: GridSpec, u, v, rr2, k0: np.ndarray, n: np.ndarray, row0: int):
    """:func:`_local_row_runs` on a lattice grid: each run worked out in float64 lattice coordinates (the row's
    lattice number, the disc's lattice centre) and moved to the grid's columns by whole numbers, which is exact, so
    the run of a (disc, lattice row) is the same on every lattice grid of the cell size."""
    ends = np.cumsum(n)
    total = int(ends[-1]) if len(n) else 0
    if total == 0:
        return np.empty(0, np.intp), np.empty(0, np.intp)
    kx, ky = spec.origin
    nx = spec.nx
    row = np.arange(total, dtype=np.int64) - np.repeat(ends - n - k0, n)  # the grid's row of each disc row
    dy = (row + ky).astype(np.float64) - np.repeat(v, n)
    h = np.repeat(rr2, n) - dy * dy
    np.sqrt(np.maximum(h, 0.0, out=h), out=h)
    ud = np.repeat(u, n)
    start = np.ceil(ud - h) - kx
    end = np.floor(ud + h) + (1 - kx)
    np.clip(start, 0, nx, out=start)
    np.clip(end, 0, nx, out=end)
    np.maximum(end, start, out=end)
    off = (row - row0) * nx
    return start.astype(np.intp) + off, end.astype(np.intp) + off


def _local_row_runs(nx: int, u: np.ndarray, v: np.ndarray, rr2: np.ndarray, k0: np.ndarray, n: np.ndarray, row0: int):
    """Cells of rows ``k0 … k0 + n - 1`` of each disc (a :func:`_disc_frame`), as flat runs ``[start, end)``.

    ``start`` and ``end`` (intp) are ``row * nx + column`` minus ``row0 * nx``; a run is clipped to its row and may
    be empty. Every (disc, row) pair is worked out on its own, with the same float32 operations whichever rows
    are asked for, so a disc gives the same run in a row whether it comes whole (:func:`disc_cells`) or band by
    band (:func:`count_discs`). The rows and flat offsets are exact integers in float32 (in float64 when they
    could reach 2^24), which saves the int ↔ float conversions of the ~14 million disc rows of a 220,000-site
    city grid.
    """
    ends = np.cumsum(n)
    total = int(ends[-1]) if len(n) else 0
    if total == 0:
        return np.empty(0, np.intp), np.empty(0, np.intp)
    first = ends - n - k0  # row = index - first, for each of a disc's rows
    top = int(k0.max()) + 1  # |first|, the rows and the flat offsets stay below these bounds
    wide = max(total + top, (top - row0 + int(n.max())) * nx) >= _F32_EXACT
    ft = np.float64 if wide else np.float32
    row = np.arange(total, dtype=ft) - np.repeat(first.astype(ft), n)  # exact integers
    dy = (row.astype(np.float32) if wide else row) - np.repeat(v, n)
    h = np.repeat(rr2, n)
    dy *= dy
    h -= dy
    np.sqrt(np.maximum(h, 0.0, out=h), out=h)
    ud = np.repeat(u, n)
    start = np.ceil(np.subtract(ud, h, out=dy), out=dy)
    np.clip(start, 0, nx, out=start)
    end = np.floor(np.add(ud, h, out=h), out=h)
    end += 1
    np.clip(end, 0, nx, out=end)
    np.maximum(end, start, out=end)
    row -= row0
    row *= nx
    return np.add(start, row, dtype=ft).astype(np.intp), np.add(end, row, dtype=ft).astype(np.intp)


def count_dtype(n_discs: int) -> np.dtype:
    """The smallest unsigned dtype, from uint16 up, that holds a count of ``n_discs`` discs (uint16 ≤ 65,535)."""
    for dtype in (np.uint16, np.uint32):
        if n_discs <= np.iinfo(dtype).max:
            return np.dtype(dtype)
    return np.dtype(np.uint64)


def count_discs(
    spec: GridSpec,
    cx: np.ndarray,
    cy: np.ndarray,
    r: np.ndarray,
    *,
    band_cells: int = BAND_CELLS,
    band_runs: int = BAND_RUNS,
) -> np.ndarray:
    """How many discs cover each cell centre, as an array of shape (ny, nx).

    The dtype is :func:`count_dtype` of the number of discs — uint16 up to 65,535 discs, uint32 above — so a count
    can never wrap, whatever the discs' overlap. See :class:`DiscCounts` for the method.
    """
    counts = DiscCounts(spec, cx, cy, r, band_cells=band_cells, band_runs=band_runs)
    return counts.fill(iter(range(len(counts))))


def recount_discs(
    spec: GridSpec,
    old_spec: GridSpec,
    old_counts: Sequence[np.ndarray],
    cx: np.ndarray,
    cy: np.ndarray,
    r: np.ndarray,
    subsets: Sequence[np.ndarray | None],
) -> list[np.ndarray]:
    """:func:`count_discs` on ``spec`` for each subset of the discs, keeping ``old_counts`` where the grids meet.

    ``subsets[i]`` is a boolean mask over the discs (None: all of them) and ``old_counts[i]`` its counts on
    ``old_spec``. Both grids must be ``lattice`` grids of the same cell size: a lattice cell's count is then the
    same on either grid, so only the cells ``spec`` adds (at most four strips around the shared window) are
    counted afresh, each strip's disc rows worked out once for every subset. A zone moved by a few hundred metres
    keeps ~95 % of its cells; each result equals ``count_discs`` of its subset exactly.
    """
    if not (spec.lattice and old_spec.lattice and spec.cell == old_spec.cell):
        raise ValueError("recount_discs needs two lattice grids of the same cell size")
    cx, cy, r = np.asarray(cx, float), np.asarray(cy, float), np.asarray(r, float)
    masks = [np.ones(len(cx), bool) if m is None else np.asarray(m, bool) for m in subsets]
    (kx, ky), (ox, oy) = spec.origin, old_spec.origin
    c0, c1 = max(kx, ox) - kx, min(kx + spec.nx, ox + old_spec.nx) - kx  # the shared window, in spec's columns
    r0, r1 = max(ky, oy) - ky, min(ky + spec.ny, oy + old_spec.ny) - ky
    if c1 <= c0 or r1 <= r0:
        return [count_discs(spec, cx[m], cy[m], r[m]) for m in masks]
    out = []
    for m, old in zip(masks, old_counts, strict=True):
        counts = np.zeros((spec.ny, spec.nx), count_dtype(int(m.sum())))
        old = np.asarray(old).reshape(old_spec.ny, old_spec.nx)
        counts[r0:r1, c0:c1] = old[r0 + ky - oy : r1 + ky - oy, c0 + kx - ox : c1 + kx - ox]
        out.append(counts)
    for a, b, lo, hi in ((0, r0, 0, spec.nx), (r1, spec.ny, 0, spec.nx), (r0, r1, 0, c0), (r0, r1, c1, spec.nx)):
        if b > a and hi > lo:
            sub = spec.window(a, b, lo, hi)
            x0, y0, x1, y1 = sub.bounds
            near = (cx + r >= x0) & (cx - r <= x1) & (cy + r >= y0) & (cy - r <= y1)
            for counts, strip in zip(out, _strip_counts(sub, cx, cy, r, near, masks), strict=True):
                counts[a:b, lo:hi] = strip
    return out


def _strip_counts(spec: GridSpec, cx, cy, r, near: np.ndarray, masks: list[np.ndarray]) -> list[np.ndarray]:
    """Counts on a small grid (a strip of :func:`recount_discs`) of the ``near`` discs in each mask: one pass over
    their rows, one difference array per mask (no bands: a strip is a few thousand cells)."""
    idx = np.flatnonzero(near)
    u, v, rr2, k0, k1 = _disc_frame(spec, cx[idx], cy[idx], r[idx])
    n = np.maximum(k1 - k0 + 1, 0).astype(np.int64)
    start, end = _row_runs(spec, u, v, rr2, k0, n, 0)
    size = spec.size
    out = []
    for m in masks:
        sel = np.repeat(m[idx], n)
        diff = np.bincount(start[sel], minlength=size + 1) - np.bincount(end[sel], minlength=size + 1)
        out.append(np.cumsum(diff[:size]).reshape(spec.ny, spec.nx))
    return out


class DiscCounts:
    """The counts of :func:`count_discs`, made band by band, so that threads can share the work.

    The grid is cut into bands of whole rows of at most ``band_cells`` cells and (unless a single row has more)
    ``band_runs`` disc rows. Per band: the rows of the discs that reach it (the discs are ordered by first row,
    so they are a slice), a difference array over the band's flattened cells (+1 where a run starts, -1 where it
    ends; a run ending at its row's end puts its -1 on the next row's first cell, which is where a flat
    cumulative sum needs it) and one cumulative sum into the counts. The cost follows the number of disc rows,
    not disc cells; every temporary is the size of a band (≤ ~16 MB), so it mostly stays in the cache, and the
    220,000-site city grid (13.8 million disc rows) no longer needs ~500 MB of per-row arrays at once.

    Bands touch disjoint cells: :meth:`fill` takes band numbers from an iterator that several threads may share
    (``iter(range(len(counts)))``; most of numpy's loops release the GIL), and the counts are the same whichever
    thread filled which band.
    """

    def __init__(
        self,
        spec: GridSpec,
        cx: np.ndarray,
        cy: np.ndarray,
        r: np.ndarray,
        *,
        band_cells: int = BAND_CELLS,
        band_runs: int = BAND_RUNS,
    ):
        cx, cy, r = np.asarray(cx, float), np.asarray(cy, float), np.asarray(r, float)
        self.spec = spec
        self.dtype = count_dtype(len(cx))
        self.counts = np.zeros((spec.ny, spec.nx), self.dtype)
        self.bands: list[tuple[int, int]] = []  # [first row, end row)
        u, v, rr2, k0, k1 = _disc_frame(spec, cx, cy, r)
        live = np.flatnonzero(k1 >= k0)
        if len(live) == 0:
            return
        # By first row (a band's discs are then a slice); rows fit 16 bits on any real grid, which numpy sorts
        # by radix, 6× faster than int32 (the order within a band does not change the counts).
        first_row = k0[live].astype(np.uint16) if spec.ny <= 1 << 16 else k0[live]
        order = live[np.argsort(first_row, kind="stable")]
        self._discs = u[order], v[order], rr2[order], k0[order], k1[order]
        k0, k1 = k0[order], k1[order]
        self._span = int((k1 - k0).max()) + 1  # a disc reaching row R starts at R - span + 1 or later
        rows = max(1, band_cells // spec.nx)
        last = int(k1.max()) + 1
        # done[k]: disc rows in grid rows < k, to cut bands of at most band_runs disc rows.
        ny = spec.ny
        done = np.zeros(ny + 1, np.int64)
        np.cumsum(
            np.cumsum(np.bincount(k0, minlength=ny + 1) - np.bincount(k1 + 1, minlength=ny + 1))[:ny], out=done[1:]
        )
        b0 = int(k0[0])
        while b0 < last:
            by_runs = int(np.searchsorted(done, done[b0] + band_runs, "right")) - 1
            b1 = min(b0 + rows, last, max(b0 + 1, by_runs))
            self.bands.append((b0, b1))
            b0 = b1

    def __len__(self) -> int:
        return len(self.bands)

    def fill(self, todo: Iterator[int]) -> np.ndarray:
        """Fill the bands whose numbers ``todo`` yields; returns the (ny, nx) counts (complete once every band is)."""
        nx = self.spec.nx
        flat = self.counts.reshape(-1)
        for i in todo:
            b0, b1 = self.bands[i]
            u, v, rr2, k0, k1 = self._discs
            i0, i1 = np.searchsorted(k0, (b0 - self._span + 1, b1))
            lo = np.maximum(k0[i0:i1], b0)
            n = np.maximum(np.minimum(k1[i0:i1], b1 - 1) - lo + 1, 0)
            start, end = _row_runs(self.spec, u[i0:i1], v[i0:i1], rr2[i0:i1], lo, n, b0)
            size = (b1 - b0) * nx
            diff = np.bincount(start, minlength=size + 1)
            diff -= np.bincount(end, minlength=size + 1)
            # Running counts never go negative and never exceed the number of discs, which the dtype holds.
            np.cumsum(diff[:size], dtype=self.dtype, out=flat[b0 * nx : b1 * nx])
        return self.counts


def disc_cells(spec: GridSpec, cx: float, cy: float, r: float) -> np.ndarray:
    """Flat indices (``row * nx + col``) of the cells whose centres lie within one disc; empty off the grid."""
    u, v, rr2, k0, k1 = _disc_frame(spec, np.array([cx], float), np.array([cy], float), np.array([r], float))
    row0 = int(k0[0])
    n = k1 - k0 + 1
    if n[0] <= 0:
        return np.empty(0, np.int64)
    start, end = _row_runs(spec, u, v, rr2, k0, n, row0)
    n = end - start
    if not n.any():
        return np.empty(0, np.int64)
    first = np.repeat(np.cumsum(n) - n - (start + row0 * spec.nx), n)
    return np.arange(int(n.sum()), dtype=np.int64) - first


def polygon_runs(spec: GridSpec, geom_metric) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs of cells whose centre lies inside a (Multi)Polygon: (row, first column, end column), end exclusive.

    Even–odd scanline fill over every ring (exteriors and holes): each row's centre line is crossed by the ring
    edges at computed x positions; sorted per row, successive pairs of crossings bound the inside runs. Valid
    polygons have non-overlapping parts, so even–odd equals the polygon's own inside. The cost is proportional to
    the number of crossings, not of cells.
    """
    import shapely

    rings = []
    for poly in shapely.get_parts(geom_metric):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        rings.append(np.asarray(poly.exterior.coords))
        rings += [np.asarray(i.coords) for i in poly.interiors]
    empty = np.empty(0, np.int64)
    if not rings:
        return empty, empty, empty
    x1 = np.concatenate([r[:-1, 0] for r in rings])
    y1 = np.concatenate([r[:-1, 1] for r in rings])
    x2 = np.concatenate([r[1:, 0] for r in rings])
    y2 = np.concatenate([r[1:, 1] for r in rings])
    c = spec.cell
    lo = np.minimum(y1, y2)
    hi = np.maximum(y1, y2)
    # Rows whose centre y satisfies lo <= y < hi (half-open, so a vertex on a row is counted once).
    k0 = np.maximum(np.ceil((lo - spec.y0) / c - 0.5), 0).astype(np.int64)
    k1 = np.minimum(np.ceil((hi - spec.y0) / c - 0.5) - 1, spec.ny - 1).astype(np.int64)
    n = np.maximum(k1 - k0 + 1, 0)
    edge = np.repeat(np.arange(len(x1)), n)
    starts = np.cumsum(n) - n
    row = k0[edge] + (np.arange(int(n.sum())) - starts[edge])
    yc = spec.y0 + (row + 0.5) * c
    t = (yc - y1[edge]) / (y2[edge] - y1[edge])
    x = x1[edge] + t * (x2[edge] - x1[edge])
    col = np.clip(np.ceil((x - spec.x0) / c - 0.5), 0, spec.nx).astype(np.int64)
    order = np.lexsort((col, row))
    row, col = row[order], col[order]
    # Each row has an even number of crossings; pair them up.
    return row[0::2], col[0::2], col[1::2]


def runs_to_labels(
    spec: GridSpec, runs: list[tuple[np.ndarray, np.ndarray, np.ndarray, int]], fill: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flat uint8 labels from per-label runs ``(row, start, end, label)``; overlaps go to the first run.

    Returns ``(labels, run_starts, run_values)``: the flat array, and the start index and value of each run of
    equal labels in it (cells outside every run get ``fill``).
    """
    rows = np.concatenate([r[0] for r in runs])
    flat0 = rows * spec.nx + np.concatenate([r[1] for r in runs])
    flat1 = rows * spec.nx + np.concatenate([r[2] for r in runs])
    lab = np.concatenate([np.full(len(r[0]), r[3], np.uint8) for r in runs])
    order = np.argsort(flat0, kind="stable")
    flat0, flat1, lab = flat0[order], flat1[order], lab[order]
    # A run may not start before the previous one ends (a cell on a shared boundary computed twice).
    prev_end = np.maximum.accumulate(flat1)
    flat0 = np.maximum(flat0, np.concatenate([[0], prev_end[:-1]]))
    flat1 = np.maximum(flat1, flat0)
    gaps = flat0 - np.concatenate([[0], flat1[:-1]])
    values = np.empty(2 * len(lab) + 1, np.uint8)
    lengths = np.empty(2 * len(lab) + 1, np.int64)
    values[0:-1:2], lengths[0:-1:2] = fill, gaps
    values[1::2], lengths[1::2] = lab, flat1 - flat0
    values[-1], lengths[-1] = fill, spec.size - flat1[-1]
    keep = lengths > 0
    values, lengths = values[keep], lengths[keep]
    return np.repeat(values, lengths), np.cumsum(lengths) - lengths, values


def rasterize_polygon(spec: GridSpec, geom_metric) -> np.ndarray:
    """Boolean (ny, nx) mask of the cells whose centre lies inside a (Multi)Polygon in the grid's metres."""
    row, start, end = polygon_runs(spec, geom_metric)
    if len(row) == 0:
        return np.zeros((spec.ny, spec.nx), bool)
    return runs_to_labels(spec, [(row, start, end, 1)], 0)[0].astype(bool).reshape(spec.ny, spec.nx)
