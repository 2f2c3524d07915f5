"""The banded disc counting of the coverage grids: the same cells as the per-disc path, however it is cut up.

:func:`count_discs` works the grid band by band (and the engine shares the city grid's bands between two threads);
:func:`disc_cells`, which every edit uses, works one disc whole. The engine's exactness needs both to touch exactly
the same cells, whatever the band sizes, the thread that filled a band, or the float width of the row arithmetic.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from planner.analysis.coverage import CoverageEngine
from planner.domain.scenario import Scenario
from planner.geo import grid
from planner.geo.grid import DiscCounts, GridSpec, count_discs, disc_cells
from planner.geo.site_radius import site_radii_m, site_radius_groups, site_radius_m
from tests.conftest import make_site


def _random_discs(rng: np.random.Generator):
    """A small grid and discs on it, partly or wholly off it, some tiny, some covering everything, some equal."""
    nx, ny = (int(v) for v in rng.integers(1, 40, 2))
    cell = float(rng.choice([1.0, 7.3, 50.0]))
    spec = GridSpec(float(rng.normal(0, 100)), float(rng.normal(0, 100)), cell, nx, ny)
    n = int(rng.integers(0, 120))
    x = spec.x0 + rng.uniform(-0.4, 1.4, n) * nx * cell
    y = spec.y0 + rng.uniform(-0.4, 1.4, n) * ny * cell
    r = rng.uniform(0, 0.6, n) * max(nx, ny) * cell
    if n > 4:
        r[:2] = 0.0
        x[2:4], y[2:4], r[2:4] = x[4], y[4], r[4]  # identical discs
    return spec, x, y, r


def _per_disc(spec: GridSpec, x, y, r) -> np.ndarray:
    """The counts as the edits make them: one disc at a time, through disc_cells."""
    counts = np.zeros(spec.size, np.int64)
    for cx, cy, cr in zip(x, y, r, strict=True):
        np.add.at(counts, disc_cells(spec, cx, cy, cr), 1)
    return counts.reshape(spec.ny, spec.nx)


@pytest.mark.parametrize("seed", range(40))
def test_banded_counts_equal_disc_by_disc_counts_for_any_band_size(seed):
    spec, x, y, r = _random_discs(np.random.default_rng(seed))
    expected = _per_disc(spec, x, y, r)
    for band_cells, band_runs in ((1, 1 << 30), (7, 1 << 30), (1 << 30, 1), (1 << 30, 5), (64, 64), (1 << 17, 1 << 18)):
        got = count_discs(spec, x, y, r, band_cells=band_cells, band_runs=band_runs)
        assert got.shape == (spec.ny, spec.nx) and got.dtype == np.uint16
        np.testing.assert_array_equal(got, expected, err_msg=f"bands of {band_cells} cells / {band_runs} runs")


def test_float64_rows_give_the_same_cells_as_float32_rows(monkeypatch):
    """Rows and flat offsets go to float64 when they could pass 2^24 (huge grids); the cells must not change."""
    rng = np.random.default_rng(7)
    cases = [_random_discs(rng) for _ in range(15)]
    narrow = [(count_discs(*c), [disc_cells(c[0], *d) for d in zip(*c[1:], strict=True)]) for c in cases]
    monkeypatch.setattr(grid, "_F32_EXACT", 4)  # everything takes the float64 path
    for c, (counts, cells) in zip(cases, narrow, strict=True):
        np.testing.assert_array_equal(count_discs(*c), counts)
        for d, expected in zip(zip(*c[1:], strict=True), cells, strict=True):
            np.testing.assert_array_equal(disc_cells(c[0], *d), expected)


def test_bands_shared_by_two_threads_give_the_same_counts():
    rng = np.random.default_rng(3)
    spec = GridSpec(0.0, 0.0, 10.0, 300, 200)
    x, y = rng.uniform(0, 3000, 4000), rng.uniform(0, 2000, 4000)
    r = rng.uniform(5, 400, 4000)
    alone = count_discs(spec, x, y, r)
    shared = DiscCounts(spec, x, y, r, band_cells=2000)
    assert len(shared) > 10
    todo = iter(range(len(shared)))
    helper = threading.Thread(target=shared.fill, args=(todo,))
    helper.start()
    shared.fill(todo)
    helper.join()
    np.testing.assert_array_equal(shared.counts, alone)
    np.testing.assert_array_equal(alone, _per_disc(spec, x, y, r))


def test_no_disc_and_discs_off_the_grid_count_nothing():
    spec = GridSpec(0.0, 0.0, 10.0, 5, 4)
    for x, y, r in (([], [], []), ([-500.0, 25.0], [20.0, 900.0], [100.0, 50.0])):
        counts = count_discs(spec, np.array(x), np.array(y), np.array(r))
        assert counts.shape == (4, 5) and not counts.any()
    assert len(DiscCounts(spec, np.zeros(0), np.zeros(0), np.zeros(0))) == 0


def test_site_radius_groups_broadcast_to_the_scalar_radii():
    sites = [
        make_site(i, kind=kind, band_mhz=band, environment=env, radius_m=override)
        for i, (kind, band, env, override) in enumerate(
            [("5g_macro", 3500, "urban", None), ("5g_a", 4900, "urban", None), ("5g_small", 3500, "suburban", None)] * 3
            + [("5g_macro", 700, "rural", 1234.0), ("5g_a", 4900, "urban", None)]
        )
    ]
    radius, group, keys = site_radius_groups(sites)
    assert len(keys) == len(radius) == 4  # the distinct tuples, in the order of their first site
    assert [k[0] for k in keys] == ["5g_macro", "5g_a", "5g_small", "5g_macro"]
    assert group.tolist() == [0, 1, 2] * 3 + [3, 1]
    np.testing.assert_array_equal(radius[group], [site_radius_m(s) for s in sites])
    np.testing.assert_array_equal(site_radii_m(sites), radius[group])


def test_an_engine_that_follows_no_scenario_still_knows_the_slots():
    sites = {s.id: s for s in (make_site(i, lon=121.55 + i * 0.001, open_year=2024 + i % 4) for i in range(1, 9))}
    s = Scenario(horizon_year=2026, sites=sites)
    engine = CoverageEngine(s, subscribe=False)  # makes the site -> slot map only when asked
    open_ids = [sid for sid, site in sites.items() if site.open_year <= 2026]
    assert engine._slots == {sid: i for i, sid in enumerate(open_ids)}
    live = CoverageEngine(s)
    assert live._slots == engine._slots
    live.close()


def _lattice_discs(rng: np.random.Generator):
    """A lattice grid far from the origin (as UTM metres are), and discs on and around it."""
    cell = float(rng.choice([5.0, 5.0 * 2 ** (3 / 8), 25.0]))
    nx, ny = (int(v) for v in rng.integers(1, 60, 2))
    spec = GridSpec.covering(
        (350_000.0, 3_300_000.0, 350_000.0 + nx * cell, 3_300_000.0 + ny * cell), cell, lattice=True
    )
    n = int(rng.integers(0, 150))
    x = spec.x0 + rng.uniform(-0.4, 1.4, n) * spec.nx * cell
    y = spec.y0 + rng.uniform(-0.4, 1.4, n) * spec.ny * cell
    r = rng.uniform(0, 0.6, n) * max(spec.nx, spec.ny) * cell
    return spec, x, y, r


@pytest.mark.parametrize("seed", range(30))
def test_lattice_grids_agree_on_every_cell_they_share_and_with_the_per_disc_cells(seed):
    rng = np.random.default_rng(seed)
    spec, x, y, r = _lattice_discs(rng)
    whole = count_discs(spec, x, y, r)
    np.testing.assert_array_equal(whole, _per_disc(spec, x, y, r))
    for _ in range(5):  # any window of the grid, counted on its own, gives the same counts
        r0, r1 = sorted(int(v) for v in rng.integers(0, spec.ny + 1, 2))
        c0, c1 = sorted(int(v) for v in rng.integers(0, spec.nx + 1, 2))
        if r1 > r0 and c1 > c0:
            np.testing.assert_array_equal(count_discs(spec.window(r0, r1, c0, c1), x, y, r), whole[r0:r1, c0:c1])


@pytest.mark.parametrize("seed", range(30))
def test_recounting_a_moved_lattice_grid_equals_counting_it_afresh(seed):
    rng = np.random.default_rng(100 + seed)
    old, x, y, r = _lattice_discs(rng)
    is_a = rng.random(len(x)) < 0.4
    old_counts = [count_discs(old, x, y, r), count_discs(old, x[is_a], y[is_a], r[is_a])]
    dx, dy = (int(v) for v in rng.integers(-30, 31, 2))
    grow = (int(v) for v in rng.integers(-5, 6, 2))
    nx, ny = (max(1, n + g) for n, g in zip((old.nx, old.ny), grow, strict=True))
    new = GridSpec(old.x0 + dx * old.cell, old.y0 + dy * old.cell, old.cell, nx, ny, lattice=True)
    got = grid.recount_discs(new, old, old_counts, x, y, r, [None, is_a])
    np.testing.assert_array_equal(got[0], count_discs(new, x, y, r))
    np.testing.assert_array_equal(got[1], count_discs(new, x[is_a], y[is_a], r[is_a]))
    assert got[0].dtype == count_discs(new, x, y, r).dtype


def test_recounting_needs_two_lattice_grids_of_one_cell_size():
    a = GridSpec(0.0, 0.0, 5.0, 4, 4, lattice=True)
    for b in (GridSpec(0.0, 0.0, 5.0, 4, 4), GridSpec(0.0, 0.0, 6.0, 4, 4, lattice=True)):
        with pytest.raises(ValueError):
            grid.recount_discs(a, b, [np.zeros((4, 4), np.uint16)], [], [], [], [None])
