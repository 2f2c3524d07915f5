"""The coverage engine: 5G, 5G-A, F5G and "双万兆" coverage per district, citywide, per zone and per park, kept up
to date edit by edit.

How it works (details and measured errors in ``docs/coverage.md``):

* Sites are discs (centre in UTM 51N metres, radius from :mod:`planner.geo.site_radius`). A **coverage-count grid**
  holds, per cell, how many discs cover the cell's centre. A cell is covered when its count is > 0.
* The city grid (50 m cells) carries the district of each cell; per-district covered-cell tallies give the district
  and citywide percentages. Each zone gets its own finer grid (≈250,000 cells, 5–25 m), because zones are small
  and the sampling error falls with the cell size.
* Adding a site adds 1 to the cells of its disc, removing subtracts 1; only cells whose count goes 0 → 1 or 1 → 0
  change a tally. A move is a removal plus an addition. That keeps an edit to a few thousand cell updates.
* F5G coverage (zone polygons) is exact vector geometry; "双万兆" (F5G and 5G-A both) in a zone counts 5G-A covered
  cells whose centre is also inside an F5G zone.
* Polygon parks are small, so they are computed exactly (union of 64-segment-per-quarter discs ∩ park) when a
  nearby site changes; point parks keep the count of discs covering them and which site is the nearest.
* The live engine equals a fresh one on the same scenario **exactly** (``==`` on every figure), whatever the edits,
  undos and redos before: counts are integers, one distance formula (:func:`_dist2`) and one reach test
  (:func:`_reaches`) serve the bulk build and the per-disc path, a point park's nearest site is tracked by slot
  (looked up again when that site goes), and the vector unions take their inputs in a fixed order (discs by
  coordinates, F5G zones by id), never in the order of the edits.
* Counts cannot wrap: a layer starts as uint16 (as long as it holds ≤ 65,535 discs) and widens to uint32 in place
  before an added disc would exceed that.

Only features with ``open_year`` ≤ the engine's year count. The engine subscribes to the scenario's change events;
call :meth:`CoverageEngine.close` to detach it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter

import numpy as np

from planner.domain.features import Park, Site, Zone
from planner.domain.scenario import Change, Scenario
from planner.events import Listeners
from planner.geo.crs import geometry_to_metric, to_metric
from planner.geo.grid import (
    DiscCounts,
    GridSpec,
    count_discs,
    count_dtype,
    disc_cells,
    polygon_runs,
    rasterize_polygon,
    recount_discs,
    runs_to_labels,
)
from planner.geo.site_radius import site_radius_groups, site_radius_m
from planner.perf import paused_gc

log = logging.getLogger(__name__)

#: Cell size of the citywide grid used for districts and the city as a whole (metres).
CITY_CELL_M = 50.0
#: Zone grids aim at this many cells, within the cell-size limits below.
ZONE_TARGET_CELLS = 250_000
ZONE_CELL_MIN_M, ZONE_CELL_MAX_M = 5.0, 25.0
#: Zone cell sizes are steps of 2^(1/8) (≈9 %) from the minimum: a zone moved or slightly reshaped keeps its cell
#: size, hence its lattice, and its grid keeps the counts of the cells it keeps (see _zone_grid).
ZONE_CELL_STEPS_PER_OCTAVE = 8
#: Replaced zone grids kept for an undo or the next step of a drag (see CoverageEngine._regrid).
MAX_SPARE_GRIDS = 4
#: Results the engine's memo keeps (F5G unions, area fractions, F5G cells of a zone grid: see _Memo).
MEMO_SIZE = 64
RASTER_MEMO_SIZE = 8
#: Discs in the exact vector computation of polygon parks: segments per quarter circle.
EXACT_QUAD_SEGS = 64
LAYERS = ("5g", "5g_a")
#: Zone kinds that get coverage figures of their own. F5G areas are a coverage *source*, not a target region.
FIGURE_ZONE_KINDS = ("priority", "functional")
_NO_DISTRICT = 255
_LON, _LAT = attrgetter("lon"), attrgetter("lat")


@dataclass
class RegionCoverage:
    """Coverage of one region (a district, the city, a zone or a polygon park), in percent of its area."""

    key: str
    name: str
    kind: str  # "district", "city", "zone" or "park"
    area_km2: float
    coverage_5g_pct: float
    coverage_5ga_pct: float
    coverage_f5g_pct: float
    coverage_dual_pct: float | None = None  # F5G and 5G-A both ("双万兆"); for zones


@dataclass
class PointParkCoverage:
    """Whether a point park is covered, and how far the nearest site is."""

    key: str
    name: str
    covered_5g: bool
    covered_5ga: bool
    nearest_site_m: float | None
    nearest_5ga_site_m: float | None


@dataclass
class CoverageFigures:
    """Everything the engine computes, as of ``year``."""

    year: int
    city: RegionCoverage
    districts: dict[str, RegionCoverage]
    zones: dict[str, RegionCoverage]
    parks: dict[str, RegionCoverage]
    point_parks: dict[str, PointParkCoverage]


@dataclass
class CoverageDelta:
    """What an update of the engine changed, for a view that repaints only that.

    ``cells`` holds, per city-grid layer ("5g", "5g_a"), the flat indices of the city-grid cells whose covered
    state changed (covered ↔ not covered); ``f5g_bounds`` the metric bounding boxes of F5G zones added, removed
    or reshaped (the F5G and 双万兆 layers change inside them); ``everything`` says that all may have changed (a
    year step, a rebuild), so a view should redraw the whole layer.
    """

    cells: dict[str, np.ndarray] = field(default_factory=dict)
    f5g_bounds: list[tuple[float, float, float, float]] = field(default_factory=list)
    everything: bool = False
    _parts: dict[str, list[np.ndarray]] = field(default_factory=lambda: {"5g": [], "5g_a": []}, repr=False)

    def add_cells(self, layer: str, idx: np.ndarray) -> None:
        if len(idx):
            self._parts[layer].append(idx)

    def finish(self) -> None:
        """Turn the collected parts into one sorted array per layer of the cells that changed.

        Each part lists cells that flipped (covered ↔ not); a move flips the cells its old and new discs do not
        share twice, back to where they were. A cell changed when it flipped an odd number of times.
        """
        for layer, parts in self._parts.items():
            if not parts:
                self.cells[layer] = np.zeros(0, np.intp)
                continue
            cells, flips = np.unique(np.concatenate(parts), return_counts=True)
            self.cells[layer] = cells[flips % 2 == 1]
        self._parts = {"5g": [], "5g_a": []}

    @property
    def empty(self) -> bool:
        """Whether nothing a coverage layer shows has changed."""
        return not (self.everything or self.f5g_bounds or any(len(c) for c in self.cells.values()))


def _dist2(x, y, px, py):
    """Squared distance from disc centres (x, y) to a point: the one formula of the bulk and the per-disc paths.

    Works on floats and arrays alike, with the same IEEE operations; no ``**`` (Python's float power goes through
    ``pow()``, which can round a square differently from numpy's product).
    """
    dx = x - px
    dy = y - py
    return dx * dx + dy * dy


def _reaches(x, y, r, bounds):
    """Whether a disc's bounding box meets ``bounds`` (floats or arrays): one test for bulk and per-disc paths."""
    x0, y0, x1, y1 = bounds
    return (x + r >= x0) & (x - r <= x1) & (y + r >= y0) & (y - r <= y1)


class _DiscStore:
    """Active discs as growable arrays, for vectorised neighbour and nearest-site queries.

    A removed disc's slot is reused by the next added one, so a drag of 500 steps (500 removals and additions)
    keeps the store at its size instead of adding 500 slots that every ``near``/``nearest`` scan would cross.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, r: np.ndarray, is_a: np.ndarray):
        n = len(x)
        cap = max(1024, int(n * 1.25))
        self.x = np.zeros(cap)
        self.y = np.zeros(cap)
        self.r = np.zeros(cap)
        self.is_a = np.zeros(cap, bool)
        self.active = np.zeros(cap, bool)
        self.x[:n], self.y[:n], self.r[:n], self.is_a[:n] = x, y, r, is_a
        self.active[:n] = True
        self.n = n
        self.free: list[int] = []  # slots below n that hold no disc

    def add(self, x: float, y: float, r: float, is_a: bool) -> int:
        if self.free:
            i = self.free.pop()
        else:
            if self.n == len(self.x):
                for name in ("x", "y", "r", "is_a", "active"):
                    old = getattr(self, name)
                    new = np.zeros(len(old) * 2, old.dtype)
                    new[: self.n] = old[: self.n]
                    setattr(self, name, new)
            i = self.n
            self.n += 1
        self.x[i], self.y[i], self.r[i], self.is_a[i], self.active[i] = x, y, r, is_a, True
        return i

    def remove(self, slot: int) -> None:
        self.active[slot] = False
        self.free.append(slot)

    def near(self, bounds: tuple[float, float, float, float]) -> np.ndarray:
        """Slots of active discs whose bounding box meets ``bounds``."""
        n = self.n
        hit = self.active[:n] & _reaches(self.x[:n], self.y[:n], self.r[:n], bounds)
        return np.flatnonzero(hit)

    def nearest(self, px: float, py: float, only_a: bool = False) -> tuple[int, float] | None:
        """(slot, squared distance) of the active disc centre nearest (px, py), or None if there is none."""
        n = self.n
        ok = (self.active[:n] & self.is_a[:n]) if only_a else self.active[:n]
        return _nearest(_dist2(self.x[:n], self.y[:n], px, py), ok)


def _nearest(d2: np.ndarray, ok: np.ndarray) -> tuple[int, float] | None:
    """(slot, squared distance) of the smallest ``d2`` where ``ok`` (the first such slot on a tie), or None."""
    if not ok.any():
        return None
    d2 = np.where(ok, d2, np.inf)
    i = int(d2.argmin())
    return i, float(d2[i])


class _CountLayer:
    """Coverage counts of one layer on one grid, with covered-cell tallies per label.

    ``labels`` gives each cell's region (0 … n_labels-1, anything larger for none). ``runs`` are the start indices
    of the runs of equal label in the flattened grid and ``run_labels`` their labels: the full tally sums covered
    cells run by run (``np.add.reduceat``), a few times faster than gathering every labelled cell.

    ``discs`` is how many discs the layer holds (every disc given to it, whether or not it touches a cell): no
    count can exceed it, so widening the counts (uint16 → uint32) before ``discs`` passes the dtype's maximum
    means they never wrap, and a layer of ≤ 65,535 discs keeps its 2 bytes per cell.
    """

    def __init__(
        self,
        spec: GridSpec,
        counts: np.ndarray,
        labels: np.ndarray,
        n_labels: int,
        runs: np.ndarray,
        run_labels: np.ndarray,
        discs: int,
    ):
        self.spec = spec
        self.counts = counts.reshape(-1)
        self.discs = int(discs)
        self._limit = int(np.iinfo(self.counts.dtype).max)
        if self.discs > self._limit:
            self._widen()
        self.labels = labels
        self.n_labels = n_labels
        self._runs, self._run_labels = runs, run_labels
        self._recount()

    def add_counts(self, counts: np.ndarray, sign: int, discs: int) -> None:
        """Add (sign +1) or take away (-1) the counts of ``discs`` discs counted on this grid, and recount."""
        self.discs += sign * discs
        if self.discs > self._limit:
            self._widen()
        flat = counts.reshape(-1).astype(self.counts.dtype, copy=False)
        if sign > 0:
            self.counts += flat
        else:
            self.counts -= flat
        self._recount()

    def _recount(self) -> None:
        """Covered cells per label, from the counts (as on creation)."""
        per_run = np.add.reduceat((self.counts > 0).view(np.uint8), self._runs, dtype=np.int32)
        self.tally = np.bincount(self._run_labels, weights=per_run, minlength=256)[: self.n_labels].astype(np.int64)

    def _widen(self) -> None:
        """Give the counts a dtype that holds ``discs`` (uint16 → uint32), before any count could wrap."""
        self.counts = self.counts.astype(count_dtype(self.discs))
        self._limit = int(np.iinfo(self.counts.dtype).max)

    def add(self, idx: np.ndarray) -> np.ndarray:
        """Add one disc's cells; returns the cells that became covered."""
        self.discs += 1
        if self.discs > self._limit:
            self._widen()
        before = self.counts[idx]
        self.counts[idx] = before + 1
        newly = idx[before == 0]
        if len(newly):
            self.tally += np.bincount(self.labels[newly], minlength=256)[: self.n_labels]
        return newly

    def remove(self, idx: np.ndarray) -> np.ndarray:
        """Remove one disc's cells; returns the cells that became uncovered."""
        self.discs -= 1
        after = self.counts[idx] - 1
        self.counts[idx] = after
        lost = idx[after == 0]
        if len(lost):
            self.tally -= np.bincount(self.labels[lost], minlength=256)[: self.n_labels]
        return lost


@dataclass
class _ZoneFrame:
    """What a zone grid needs that does not depend on the sites: its cells, which are in the zone, which in F5G."""

    zone: Zone
    metric: object  # the zone's geometry in metres
    spec: GridSpec
    area_km2: float
    labels: np.ndarray  # 0 inside the zone, 1 outside
    runs: np.ndarray
    run_labels: np.ndarray
    mask_cells: int
    f5g: np.ndarray  # bool per cell: centre inside the zone and inside an F5G zone open by the year
    f5g_pct: float


@dataclass
class _ZoneGrid:
    zone: Zone
    metric: object
    spec: GridSpec
    area_km2: float
    mask_cells: int
    layers: dict[str, _CountLayer]  # labels: 0 inside the zone, 1 outside
    f5g: np.ndarray  # bool per cell: centre inside an F5G zone open by the year
    dual_cells: int = 0  # 5G-A covered, inside the zone and inside F5G
    f5g_pct: float = 0.0


@dataclass
class _PolygonPark:
    park: Park
    metric: object
    area_m2: float
    dirty: bool = True
    pct: dict[str, float] = field(default_factory=dict)


@dataclass
class _PointPark:
    park: Park
    x: float
    y: float
    covering: dict[str, int]  # per layer: how many discs contain the point
    nearest: dict[str, tuple[int, float] | None]  # per layer: (slot, squared distance) of the nearest site

    def distance(self, layer: str) -> float | None:
        near = self.nearest[layer]
        return None if near is None else math.sqrt(near[1])


@dataclass(frozen=True)
class _CityGrid:
    """The citywide grid and the district of each cell: depends on the basemap only, so it is built once."""

    spec: GridSpec
    labels: np.ndarray  # flat uint8: district index, or 255 outside every district
    runs: np.ndarray
    run_labels: np.ndarray
    district_metric: list
    district_cells: np.ndarray
    district_area_km2: np.ndarray


@lru_cache(maxsize=1)
def _city_grid() -> _CityGrid:
    from planner.geo.basemap import districts

    metric = [geometry_to_metric(d.geometry) for d in districts()]
    b = np.array([g.bounds for g in metric])
    bounds = (b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max())
    spec = GridSpec.covering(bounds, CITY_CELL_M, margin=2 * CITY_CELL_M)
    flat, runs, run_labels = runs_to_labels(
        spec, [(*polygon_runs(spec, g), i) for i, g in enumerate(metric)], _NO_DISTRICT
    )
    lengths = np.diff(np.append(runs, spec.size))
    cells = np.bincount(run_labels, weights=lengths, minlength=256)[: len(metric)].astype(np.int64)
    area = np.array([g.area / 1e6 for g in metric])
    return _CityGrid(spec, flat, runs, run_labels, metric, cells, area)


@lru_cache(maxsize=1)
def _worker() -> ThreadPoolExecutor:
    """One background thread for the engine's full rebuilds (the machine has at least two cores)."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="coverage")


class _Memo:
    """The last results of a few pure computations on geometries (unions, intersections, rasters), keyed by what
    they are computed from: the *identity* of the input objects, which the memo keeps alive while it holds the
    result (so no id is reused meanwhile). An undo brings back the very objects it replaced and finds its
    results here; a result is what computing it again would give, so figures still equal a fresh engine's.
    """

    def __init__(self, size: int):
        self._size = size
        self._items: dict[tuple, tuple[object, object]] = {}

    def get(self, key: tuple, inputs: object, compute: Callable[[], object]):
        """The result for ``key``, computed by ``compute()`` on a miss; ``inputs`` are the objects ``key`` names."""
        hit = self._items.pop(key, None)
        if hit is None:
            hit = (inputs, compute())
        self._items[key] = hit  # the most recent last
        while len(self._items) > self._size:
            self._items.pop(next(iter(self._items)))
        return hit[1]


def _boxes_meet(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    """Whether two bounding boxes (x0, y0, x1, y1) touch or overlap."""
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _has_figures(zone: Zone | None, year: int) -> bool:
    """Whether a zone gets coverage figures of its own as of ``year``."""
    return zone is not None and zone.kind in FIGURE_ZONE_KINDS and zone.open_year <= year


def _same_coverage(old: Zone, new: Zone) -> bool:
    """Whether two versions of a zone count alike for coverage (a rename, a note or a cost changed)."""
    return (
        old.kind == new.kind
        and old.open_year == new.open_year
        and (old.geometry is new.geometry or old.geometry.equals_exact(new.geometry, 0.0))
    )


def _zone_cell(area_m2: float) -> float:
    """The cell size of a zone's grid: ≈ZONE_TARGET_CELLS cells, rounded to a step of the cell-size ladder."""
    raw = math.sqrt(max(area_m2, 1.0) / ZONE_TARGET_CELLS)
    steps = round(ZONE_CELL_STEPS_PER_OCTAVE * math.log2(max(raw, ZONE_CELL_MIN_M) / ZONE_CELL_MIN_M))
    return float(min(ZONE_CELL_MIN_M * 2.0 ** (steps / ZONE_CELL_STEPS_PER_OCTAVE), ZONE_CELL_MAX_M))


def _site_xy(site: Site) -> tuple[float, float]:
    x, y = to_metric(site.lon, site.lat)
    return float(x), float(y)


class CoverageEngine:
    """Live coverage figures of a scenario as of a year (see the module docstring)."""

    def __init__(self, scenario: Scenario, year: int | None = None, *, subscribe: bool = True):
        from planner.geo.basemap import districts

        self.scenario = scenario
        self.year = scenario.horizon_year if year is None else int(year)
        self._districts = districts()
        self._metric_cache: dict[int, tuple[Zone, object, tuple[float, float, float, float]]] = {}  # F5G zones
        self._memo = _Memo(MEMO_SIZE)
        self._raster_memo = _Memo(RASTER_MEMO_SIZE)  # zone-sized F5G rasters, up to ~0.6 MB each
        self._listeners = Listeners("a coverage engine")
        self._delta: CoverageDelta | None = None  # what the edit being applied has changed
        self._f5g_raster: tuple[tuple[str, ...], np.ndarray] | None = None  # (open F5G zone ids, city cells)
        self._subscribed = subscribe
        self._build_city_grid()
        self.rebuild()
        if subscribe:
            scenario.subscribe(self._on_changes)

    # ------------------------------------------------------------------------------------------------ setup
    @property
    def _slots(self) -> dict[str, int]:
        """Site id -> slot in the disc store, of every open site (made on first use by an unsubscribed engine)."""
        if self._slot_of is None:
            self._slot_of = {s.id: i for i, s in enumerate(self._open_sites)}
            self._open_sites = None
        return self._slot_of

    def _build_city_grid(self) -> None:
        grid = _city_grid()
        self._district_metric = grid.district_metric
        self.city_spec = grid.spec
        self.city_labels = grid.labels
        self.city_runs, self.city_run_labels = grid.runs, grid.run_labels
        self.district_cells = grid.district_cells
        self.district_area_km2 = grid.district_area_km2

    def rebuild(self) -> None:
        """Recompute everything from the scenario (on creation and when the year changes)."""
        self._f5g_raster = None
        # Removed zones' last grids, by zone id, with the disc version they are current at (see _update_zones).
        self._spare_grids: dict[str, tuple[int, int, _ZoneGrid]] = {}  # (disc version, F5G version, grid)
        self._disc_version = self._f5g_version = 0
        with paused_gc():
            self._rebuild()

    def _rebuild(self) -> None:
        year = self.year
        worker = _worker()
        sites = [s for s in self.scenario.sites.values() if s.open_year <= year]
        n = len(sites)
        lon = np.fromiter(map(_LON, sites), float, n)
        lat = np.fromiter(map(_LAT, sites), float, n)
        # The projection runs on the second core while this thread groups the sites by radius (pyproj releases
        # the GIL; the grouping gives it back between chunks). Then the second core does what needs no site: the
        # F5G union, each zone's grid, labels and F5G cells.
        xy = worker.submit(to_metric, lon, lat)
        radius, group, keys = site_radius_groups(sites)
        zone_frames = worker.submit(self._zone_frames)
        r = radius[group]
        is_a = np.array([key[0] == "5g_a" for key in keys], bool)[group]  # key[0] is the site's kind
        x, y = xy.result()
        self._store = _DiscStore(x, y, r, is_a)
        # Site id -> slot in the disc store: the live engine's edits need it at once; an engine that follows no
        # scenario (a summary's) makes it only if asked (220,000 dict entries cost ~60 ms).
        self._slot_of = {s.id: i for i, s in enumerate(sites)} if self._subscribed else None
        self._open_sites = None if self._subscribed else sites
        # The citywide 5G layer is the largest piece: its bands are shared by both threads, the second core
        # starting at once, this thread joining in once it has built the rest. Bands touch disjoint cells, so
        # the counts do not depend on which thread filled which band.
        city_5g = DiscCounts(self.city_spec, x, y, r)
        bands = iter(range(len(city_5g)))
        helper = worker.submit(city_5g.fill, bands)
        city_5ga = self._city_layer(count_discs(self.city_spec, x[is_a], y[is_a], r[is_a]), int(is_a.sum()))
        self._f5g_metric, self._district_f5g, frames = zone_frames.result()
        self.zone_grids = {frame.zone.id: self._zone_grid(frame) for frame in frames}
        self._polygon_parks: dict[str, _PolygonPark] = {}
        self._point_parks: dict[str, _PointPark] = {}
        for p in self.scenario.parks.values():
            if p.open_year <= year:
                self._add_park(p)
        city_5g.fill(bands)
        helper.result()
        self.city_layers = {"5g": self._city_layer(city_5g.counts, n), "5g_a": city_5ga}

    def _city_layer(self, counts: np.ndarray, discs: int) -> _CountLayer:
        n = len(self._district_metric)
        return _CountLayer(self.city_spec, counts, self.city_labels, n, self.city_runs, self.city_run_labels, discs)

    def _open_f5g_metric(self) -> dict[str, object]:
        """The F5G zones open by the year, in metres, by id (the order every union takes them in).

        A zone's metric outline is kept while the zone object is the same, so an F5G edit projects one zone, not
        all of them; their bounding boxes are kept beside them (``_f5g_bounds``).
        """
        zones = sorted((z for z in self.scenario.zones.values() if z.kind == "f5g" and z.open_year <= self.year),
                       key=lambda z: z.id)  # fmt: skip
        cache = self._metric_cache  # by the zone object's id: the zone object is part of the entry
        kept = {}
        for z in zones:
            hit = cache.pop(id(z), None)
            if hit is None or hit[0] is not z:
                metric = geometry_to_metric(z.geometry)
                hit = (z, metric, metric.bounds)
            kept[id(z)] = hit
        # Zones replaced lately stay too (the last few), so that an undo finds the very outlines, hence the unions
        # and fractions the memo holds for them.
        self._metric_cache = dict(list(cache.items())[-MAX_SPARE_GRIDS:]) | kept
        self._f5g_bounds = {hit[0].id: hit[2] for hit in kept.values()}
        return {hit[0].id: hit[1] for hit in kept.values()}

    def _local_f5g(self, bounds: tuple[float, float, float, float]):
        """The union of the open F5G zones whose bounding box meets ``bounds`` (None if none does).

        Every region's F5G figure is computed from the F5G zones that reach it, taken in id order: the live engine
        then recomputes only the regions an F5G edit reaches and still equals a fresh engine bit for bit (a union
        of all zones would give a far-away region's area from a geometry that changed elsewhere). The union of
        the same outlines is remembered (an undo finds the union it had).
        """
        import shapely

        box = self._f5g_bounds
        parts = [g for zid, g in self._f5g_metric.items() if _boxes_meet(box[zid], bounds)]
        if not parts:
            return None
        return self._memo.get(("union", *map(id, parts)), parts, lambda: shapely.union_all(parts))

    def _f5g_fraction(self, geom, union) -> float:
        """Percentage of ``geom``'s area inside the F5G ``union`` (0 with no union); remembered per pair."""
        import shapely

        if union is None:
            return 0.0

        def fraction() -> float:
            area = geom.area
            return 100.0 * shapely.intersection(geom, union).area / area if area else 0.0

        return self._memo.get(("fraction", id(geom), id(union)), (geom, union), fraction)

    def _zone_frames(self) -> tuple[dict[str, object], list[float], list[_ZoneFrame]]:
        """The open F5G zones, the districts' F5G fractions and the site-independent part of every zone grid."""
        self._f5g_metric = f5g = self._open_f5g_metric()
        district_f5g = [self._f5g_fraction(g, self._local_f5g(g.bounds)) for g in self._district_metric]
        zones = [z for z in self.scenario.zones.values() if _has_figures(z, self.year)]
        return f5g, district_f5g, [self._zone_frame(z) for z in zones]

    def _zone_frame(self, zone: Zone) -> _ZoneFrame:
        metric = geometry_to_metric(zone.geometry)
        area = metric.area
        cell = _zone_cell(area)
        spec = GridSpec.covering(metric.bounds, cell, margin=cell, lattice=True)
        # Label 0 inside the zone, 1 outside.
        labels, runs, run_labels = runs_to_labels(spec, [(*polygon_runs(spec, metric), 0)], 1)
        mask = labels == 0
        f5g, f5g_pct = self._zone_f5g(spec, metric, mask)
        return _ZoneFrame(zone, metric, spec, area / 1e6, labels, runs, run_labels, int(mask.sum()), f5g, f5g_pct)

    def _zone_f5g(self, spec: GridSpec, metric, mask: np.ndarray) -> tuple[np.ndarray, float]:
        """A zone's F5G cells (inside the zone and an open F5G zone) and its F5G percentage."""
        union = self._local_f5g(metric.bounds)
        if union is None:
            return np.zeros(spec.size, bool), 0.0
        cells = self._raster_memo.get(
            ("f5g cells", spec, id(metric), id(union)), (metric, union), lambda: rasterize_polygon(spec, union)
        )
        return cells.reshape(-1) & mask, self._f5g_fraction(metric, union)

    def _zone_grid(self, frame: _ZoneFrame, reuse: _ZoneGrid | None = None) -> _ZoneGrid:
        """The zone grid of ``frame``, counting the discs afresh or, from ``reuse`` (a grid of the same zone whose
        counts are current) where the two lattices meet: a dragged zone recounts only the strips it uncovers."""
        spec = frame.spec
        st = self._store
        near = st.near(spec.bounds)
        if reuse is not None and reuse.spec.cell != spec.cell:
            reuse = None
        is_a = st.is_a[near]
        subsets = {"5g": None, "5g_a": is_a}
        if reuse is None:
            x, y, r = st.x[near], st.y[near], st.r[near]
            counts = [count_discs(spec, x, y, r) if m is None else count_discs(spec, x[m], y[m], r[m])
                      for m in subsets.values()]  # fmt: skip
        else:
            old = [reuse.layers[layer].counts for layer in subsets]
            counts = recount_discs(spec, reuse.spec, old, st.x[near], st.y[near], st.r[near], list(subsets.values()))
        layers = {}
        for layer, c in zip(subsets, counts, strict=True):
            discs = len(near) if subsets[layer] is None else int(is_a.sum())
            layers[layer] = _CountLayer(spec, c, frame.labels, 1, frame.runs, frame.run_labels, discs)
        zg = _ZoneGrid(frame.zone, frame.metric, spec, frame.area_km2, frame.mask_cells, layers, frame.f5g)
        zg.dual_cells = int(((layers["5g_a"].counts > 0) & zg.f5g).sum())
        zg.f5g_pct = frame.f5g_pct
        return zg

    def _add_park(self, park: Park) -> None:
        metric = geometry_to_metric(park.geometry)
        if park.geometry.geom_type == "Point":
            st = self._store
            n = st.n
            px, py = float(metric.x), float(metric.y)
            r = st.r[:n]
            d2 = _dist2(st.x[:n], st.y[:n], px, py)  # the distances of _DiscStore.nearest, computed once
            active, active_a = st.active[:n], st.active[:n] & st.is_a[:n]
            inside = d2 <= r * r  # as in _apply_disc
            self._point_parks[park.id] = _PointPark(
                park,
                px,
                py,
                {"5g": int((inside & active).sum()), "5g_a": int((inside & active_a).sum())},
                {"5g": _nearest(d2, active), "5g_a": _nearest(d2, active_a)},
            )
        else:
            self._polygon_parks[park.id] = _PolygonPark(park, metric, metric.area)

    # ------------------------------------------------------------------------------------------------ edits
    def subscribe(self, listener: Callable[[CoverageDelta], None]) -> None:
        """Call ``listener(delta)`` after the figures have been updated (an edit, a year, a rebuild)."""
        self._listeners.subscribe(listener)

    def unsubscribe(self, listener: Callable[[CoverageDelta], None]) -> None:
        """Stop calling ``listener``."""
        self._listeners.unsubscribe(listener)

    def close(self) -> None:
        """Stop following the scenario."""
        if self._subscribed:
            self.scenario.unsubscribe(self._on_changes)
            self._subscribed = False

    def set_year(self, year: int) -> CoverageDelta:
        """Compute the figures as of another year.

        One step of the year slider changes only the features that open in between: their discs are counted as
        one batch (a disc-count grid added to or taken from the layers' counts), the zones and parks that open
        in between are redone, and the tallies recounted — ~5× faster than a rebuild on the baseline, with
        figures equal to a fresh engine's (the counts are integers). A long jump (more than half the sites) is
        a rebuild.
        """
        year = int(year)
        if year == self.year:
            return CoverageDelta()
        old, self.year = self.year, year
        lo, hi = min(old, year), max(old, year)
        sign = 1 if year > old else -1
        sc = self.scenario
        sites = [s for s in sc.sites.values() if lo < s.open_year <= hi]
        try:
            if len(sites) > len(sc.sites) // 2:
                self.rebuild()
            else:
                with paused_gc():
                    self._step_year(sites, sign, lo, hi)
        except Exception:
            log.exception("coverage year step %d → %d failed; rebuilding from the scenario", old, year)
            self.rebuild()
        delta = CoverageDelta(everything=True)
        self._listeners.emit(delta)
        return delta

    def _step_year(self, sites: list[Site], sign: int, lo: int, hi: int) -> None:
        """The features opening in (lo, hi] come (sign +1) or go (-1); self.year is already the new year."""
        sc = self.scenario
        self._bulk_discs(sites, sign)
        zones = [z for z in sc.zones.values() if lo < z.open_year <= hi]
        regrid = {z.id for z in zones if z.kind in FIGURE_ZONE_KINDS}
        reach = [geometry_to_metric(z.geometry).bounds for z in zones if z.kind == "f5g"]
        if regrid or reach:
            self._update_zones(regrid, reach)
        for p in sc.parks.values():
            if lo < p.open_year <= hi:
                self._polygon_parks.pop(p.id, None)
                self._point_parks.pop(p.id, None)
        # Every point park again (its counts and nearest sites), the opening ones included: a dozen vector passes.
        for p in sc.parks.values():
            if p.open_year <= self.year and (p.id in self._point_parks or lo < p.open_year <= hi):
                self._point_parks.pop(p.id, None)
                self._add_park(p)

    def _bulk_discs(self, sites: list[Site], sign: int) -> None:
        """Add (sign +1) or remove (-1) many discs at once: one disc-count grid per layer and grid."""
        if not sites:
            return
        self._disc_version += 1
        st = self._store
        slots = self._slots
        if sign > 0:
            lon = np.fromiter(map(_LON, sites), float, len(sites))
            lat = np.fromiter(map(_LAT, sites), float, len(sites))
            x, y = to_metric(lon, lat)
            radius, group, keys = site_radius_groups(sites)
            r = radius[group]
            is_a = np.array([key[0] == "5g_a" for key in keys], bool)[group]
            idx = np.array(
                [st.add(float(a), float(b), float(c), bool(d)) for a, b, c, d in zip(x, y, r, is_a, strict=True)]
            )
            for site, slot in zip(sites, idx.tolist(), strict=True):
                slots[site.id] = slot
        else:
            idx = np.array([slots.pop(site.id) for site in sites])
            for slot in idx.tolist():
                st.remove(slot)
        x, y, r, is_a = st.x[idx], st.y[idx], st.r[idx], st.is_a[idx]
        # The citywide 5G layer (the largest: numpy code that mostly releases the GIL) on the second core, counted
        # and recounted there, while this thread does the 5G-A layer and the zones; no grid is touched by both.
        layer_5g = self.city_layers["5g"]
        city_5g = _worker().submit(lambda: layer_5g.add_counts(count_discs(self.city_spec, x, y, r), sign, len(x)))
        self.city_layers["5g_a"].add_counts(
            count_discs(self.city_spec, x[is_a], y[is_a], r[is_a]), sign, int(is_a.sum())
        )
        for zg in self.zone_grids.values():
            near = np.flatnonzero(_reaches(x, y, r, zg.spec.bounds))
            if not len(near):
                continue
            for layer in LAYERS:
                sub = near if layer == "5g" else near[is_a[near]]
                counts = count_discs(zg.spec, x[sub], y[sub], r[sub])
                zg.layers[layer].add_counts(counts, sign, len(sub))
            zg.dual_cells = int(((zg.layers["5g_a"].counts > 0) & zg.f5g).sum())
        for pp in self._polygon_parks.values():
            if _reaches(x, y, r, pp.metric.bounds).any():
                pp.dirty = True
        city_5g.result()

    def _on_changes(self, changes: list[Change]) -> None:
        self.apply_changes(changes)

    def apply_changes(self, changes: list[Change]) -> CoverageDelta:
        """Update the figures for changes already applied to the scenario; returns (and announces) what changed.

        An engine that follows the scenario (``subscribe=True``) is called by it; one that does not can be driven
        by its owner (the session), which then knows the figures are current before it tells the views. Should an
        update fail half-way, the engine rebuilds from the scenario, so that it is never left half-updated.
        """
        self._delta = CoverageDelta()
        try:
            self._apply_changes(changes)
        except Exception:
            log.exception("coverage update failed on %d change(s); rebuilding from the scenario", len(changes))
            self.rebuild()
            self._delta = CoverageDelta(everything=True)
        delta, self._delta = self._delta, None
        delta.finish()
        self._listeners.emit(delta)
        return delta

    def _apply_changes(self, changes: list[Change]) -> None:
        zone_changes = []
        for ch in changes:
            if ch.collection == "sites":
                if ch.old is not None and ch.old.id in self._slots:
                    self._remove_disc(ch.old.id)
                if ch.new is not None and ch.new.open_year <= self.year:
                    self._add_disc(ch.new)
            elif ch.collection == "zones":
                zone_changes.append(ch)
            elif ch.collection == "parks":
                self._polygon_parks.pop(ch.key, None)
                self._point_parks.pop(ch.key, None)
                if ch.new is not None and ch.new.open_year <= self.year:
                    self._add_park(ch.new)
        if zone_changes:
            self._apply_zone_changes(zone_changes)

    def _apply_zone_changes(self, changes: list[Change]) -> None:
        """Recompute what the zone changes reach: the zone's own grid, and for an F5G zone the F5G figures of the
        districts, zones and polygon parks its old or new outline reaches; a rename touches no figure."""
        year = self.year
        regrid: set[str] = set()
        f5g_reach: list[tuple[float, float, float, float]] = []
        for ch in changes:
            old, new = ch.old, ch.new
            if old is not None and new is not None and _same_coverage(old, new):
                if ch.key in self.zone_grids:
                    self.zone_grids[ch.key].zone = new  # the name, note or cost the figures show
                continue
            for z in (old, new):
                if z is not None and z.kind == "f5g" and z.open_year <= year:
                    f5g_reach.append(geometry_to_metric(z.geometry).bounds)
            if _has_figures(old, year) or _has_figures(new, year):
                regrid.add(ch.key)
        self._update_zones(regrid, f5g_reach)

    def _update_zones(self, regrid: set[str], f5g_reach: list[tuple[float, float, float, float]]) -> None:
        """Rebuild the grids of the zones ``regrid``; redo the F5G figures that the boxes ``f5g_reach`` touch."""
        year = self.year
        if f5g_reach:
            self._f5g_version += 1  # the spare grids' F5G cells may no longer hold
            self._f5g_metric = self._open_f5g_metric()
            self._f5g_raster = None
            reaches = lambda bounds: any(_boxes_meet(bounds, b) for b in f5g_reach)  # noqa: E731
            for i, g in enumerate(self._district_metric):
                if reaches(g.bounds):
                    self._district_f5g[i] = self._f5g_fraction(g, self._local_f5g(g.bounds))
            for zid, zg in self.zone_grids.items():
                if zid not in regrid and reaches(zg.metric.bounds):
                    self._refresh_zone_f5g(zg)
            for pp in self._polygon_parks.values():
                if reaches(pp.metric.bounds):
                    pp.dirty = True
            if self._delta is not None:
                self._delta.f5g_bounds += f5g_reach
        for zid in regrid:
            zone = self.scenario.zones.get(zid)
            current = self.zone_grids.pop(zid, None)
            if _has_figures(zone, year):
                self.zone_grids[zid] = self._regrid(zone, current)
            if current is not None:
                self._keep_spare(current)
        if regrid:  # in the scenario's order, as a fresh engine lists them
            self.zone_grids = {z: self.zone_grids[z] for z in self.scenario.zones if z in self.zone_grids}

    def _regrid(self, zone: Zone, current: _ZoneGrid | None) -> _ZoneGrid:
        """A new grid for ``zone``, from what is still current: its spare grid as it is, when the zone is back as
        it was then (an undo or a redo: nothing to count), or the counts of the spare or current grid where the
        lattices meet (a drag: only the strips the zone uncovers are counted)."""
        spare = self._spare_grids.pop(zone.id, None)
        if spare is not None and spare[0] == self._disc_version:
            grid = spare[2]
            if spare[1] == self._f5g_version and grid.zone.geometry is zone.geometry:
                grid.zone = zone  # the same outline and F5G cells: only the name or a note can differ
                return grid
            current = current or grid
        return self._zone_grid(self._zone_frame(zone), reuse=current)

    def _keep_spare(self, grid: _ZoneGrid) -> None:
        """Keep a replaced zone grid for :meth:`_regrid` (the last few zones only: each is a few MB)."""
        spares = self._spare_grids
        spares.pop(grid.zone.id, None)
        spares[grid.zone.id] = (self._disc_version, self._f5g_version, grid)
        while len(spares) > MAX_SPARE_GRIDS:
            spares.pop(next(iter(spares)))

    def _refresh_zone_f5g(self, zg: _ZoneGrid) -> None:
        """Redo a zone grid's F5G cells, F5G share and 双万兆 cells (its site counts stay)."""
        mask = zg.layers["5g"].labels == 0
        zg.f5g, zg.f5g_pct = self._zone_f5g(zg.spec, zg.metric, mask)
        zg.dual_cells = int(((zg.layers["5g_a"].counts > 0) & zg.f5g).sum())

    def _apply_disc(self, slot: int, sign: int) -> None:
        """Add (sign +1) or remove (-1) the disc in ``slot`` on every grid and park it reaches."""
        self._disc_version += 1  # the spare grids no longer count these discs
        st = self._store
        x, y, r, is_a = float(st.x[slot]), float(st.y[slot]), float(st.r[slot]), bool(st.is_a[slot])
        layers = LAYERS if is_a else ("5g",)
        idx = disc_cells(self.city_spec, x, y, r)
        for layer in layers:
            cl = self.city_layers[layer]
            flipped = cl.add(idx) if sign > 0 else cl.remove(idx)
            if self._delta is not None:
                self._delta.add_cells(layer, flipped)
        for zg in self.zone_grids.values():
            if not _reaches(x, y, r, zg.spec.bounds):  # the test _DiscStore.near applies in _zone_grid
                continue
            zidx = disc_cells(zg.spec, x, y, r)
            for layer in layers:
                cl = zg.layers[layer]
                changed = cl.add(zidx) if sign > 0 else cl.remove(zidx)
                if layer == "5g_a" and len(changed):
                    zg.dual_cells += sign * int(zg.f5g[changed].sum())
        for pp in self._polygon_parks.values():
            if _reaches(x, y, r, pp.metric.bounds):
                pp.dirty = True
        r2 = r * r
        for pt in self._point_parks.values():
            d2 = _dist2(x, y, pt.x, pt.y)  # the formula and the test of _add_park and _DiscStore.nearest
            for layer in layers:
                if d2 <= r2:
                    pt.covering[layer] += sign
                near = pt.nearest[layer]
                if sign > 0:
                    if near is None or d2 < near[1]:
                        pt.nearest[layer] = (slot, d2)
                elif near is not None and near[0] == slot:
                    # The nearest site went: look it up again (the store no longer has this slot active).
                    pt.nearest[layer] = st.nearest(pt.x, pt.y, only_a=(layer == "5g_a"))

    def _add_disc(self, site: Site) -> None:
        x, y = _site_xy(site)
        r = site_radius_m(site)
        slot = self._store.add(x, y, r, site.kind == "5g_a")
        self._slots[site.id] = slot
        self._apply_disc(slot, +1)

    def _remove_disc(self, site_id: str) -> None:
        slot = self._slots.pop(site_id)
        self._store.remove(slot)  # before the nearest-site search in _apply_disc, which must not find it
        self._apply_disc(slot, -1)

    # ------------------------------------------------------------------------------------------------ rasters
    #: The coverage layers a map can draw from the city grid.
    RASTER_LAYERS = ("5g", "5g_a", "f5g", "dual")

    def city_covered(self, layer: str) -> np.ndarray:
        """Flat bool array over the city grid (``city_spec``, row 0 at the south): which cells ``layer`` covers.

        "5g" and "5g_a" are the site counts' covered cells; "f5g" the cells whose centre lies in an open F5G zone
        (rasterised once and kept until an F5G zone changes); "dual" (双万兆) both 5G-A and F5G.
        """
        if layer in LAYERS:
            return self.city_layers[layer].counts > 0
        if layer == "f5g":
            return self._city_f5g()
        if layer == "dual":
            return self._city_f5g() & (self.city_layers["5g_a"].counts > 0)
        raise KeyError(f"unknown coverage layer {layer!r} (expected one of {', '.join(self.RASTER_LAYERS)})")

    def discs(self, layer: str, bounds: tuple[float, float, float, float] | None = None):
        """(x, y, r) arrays (UTM 51N metres) of the open sites' discs of ``layer`` ("5g": every site, "5g_a": the
        5G-A sites), only those reaching ``bounds`` if given: what the coverage of that layer is the union of."""
        st = self._store
        idx = st.near(bounds) if bounds is not None else np.flatnonzero(st.active[: st.n])
        if layer == "5g_a":
            idx = idx[st.is_a[idx]]
        elif layer != "5g":
            raise KeyError(f"unknown disc layer {layer!r} (expected 5g or 5g_a)")
        return st.x[idx].copy(), st.y[idx].copy(), st.r[idx].copy()

    def city_covered_at(self, layer: str, cells: np.ndarray) -> np.ndarray:
        """:meth:`city_covered` of ``layer`` at the flat city-grid indices ``cells`` only (an edit's few)."""
        if layer in LAYERS:
            return self.city_layers[layer].counts[cells] > 0
        covered = self._city_f5g()[cells]
        return covered & (self.city_layers["5g_a"].counts[cells] > 0) if layer == "dual" else covered

    def _city_f5g(self) -> np.ndarray:
        key = tuple(self._f5g_metric)  # ids of the open F5G zones; geometry edits clear the cache (below)
        cached = self._f5g_raster
        if cached is not None and cached[0] == key:
            return cached[1]
        import shapely

        union = shapely.union_all(list(self._f5g_metric.values())) if self._f5g_metric else None
        raster = (
            rasterize_polygon(self.city_spec, union).reshape(-1)
            if union is not None
            else np.zeros(self.city_spec.size, bool)
        )
        self._f5g_raster = (key, raster)
        return raster

    # ------------------------------------------------------------------------------------------------ results
    def _polygon_park_pct(self, pp: _PolygonPark) -> dict[str, float]:
        import shapely

        if not pp.dirty:
            return pp.pct
        st = self._store
        near = st.near(pp.metric.bounds)
        # Discs by coordinates, not by slot: the union's last bits then do not depend on the order of the edits.
        near = near[np.lexsort((st.r[near], st.y[near], st.x[near]))]
        pct = {}
        for layer in LAYERS:
            sel = near if layer == "5g" else near[st.is_a[near]]
            if len(sel) == 0 or pp.area_m2 == 0:
                pct[layer] = 0.0
                continue
            discs = shapely.buffer(shapely.points(st.x[sel], st.y[sel]), st.r[sel], quad_segs=EXACT_QUAD_SEGS)
            covered = shapely.intersection(shapely.union_all(discs), pp.metric).area
            pct[layer] = 100.0 * covered / pp.area_m2
        pct["f5g"] = self._f5g_fraction(pp.metric, self._local_f5g(pp.metric.bounds))
        pp.pct, pp.dirty = pct, False
        return pct

    def figures(self) -> CoverageFigures:
        """All coverage figures as of the engine's year."""
        c5, ca = self.city_layers["5g"].tally, self.city_layers["5g_a"].tally
        cells = self.district_cells
        districts = {}
        for i, d in enumerate(self._districts):
            n = cells[i] or 1
            districts[d.adcode] = RegionCoverage(
                d.adcode,
                d.name_zh,
                "district",
                float(self.district_area_km2[i]),
                100.0 * c5[i] / n,
                100.0 * ca[i] / n,
                self._district_f5g[i],
            )
        total_cells = int(cells.sum()) or 1
        area = float(self.district_area_km2.sum())
        f5g_city = float(np.dot(self._district_f5g, self.district_area_km2) / area) if area else 0.0
        city = RegionCoverage(
            "330200", "宁波市", "city", area, 100.0 * c5.sum() / total_cells, 100.0 * ca.sum() / total_cells, f5g_city
        )
        zones = {}
        for zid, zg in self.zone_grids.items():
            n = zg.mask_cells or 1
            zones[zid] = RegionCoverage(
                zid,
                zg.zone.name,
                "zone",
                zg.area_km2,
                100.0 * zg.layers["5g"].tally[0] / n,
                100.0 * zg.layers["5g_a"].tally[0] / n,
                zg.f5g_pct,
                100.0 * zg.dual_cells / n,
            )
        parks = {}
        for pid, pp in self._polygon_parks.items():
            pct = self._polygon_park_pct(pp)
            parks[pid] = RegionCoverage(pid, pp.park.name, "park", pp.area_m2 / 1e6, pct["5g"], pct["5g_a"], pct["f5g"])
        points = {
            pid: PointParkCoverage(
                pid,
                pt.park.name,
                pt.covering["5g"] > 0,
                pt.covering["5g_a"] > 0,
                pt.distance("5g"),
                pt.distance("5g_a"),
            )
            for pid, pt in self._point_parks.items()
        }
        return CoverageFigures(self.year, city, districts, zones, parks, points)
