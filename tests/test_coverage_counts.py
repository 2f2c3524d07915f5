"""Coverage counts cannot wrap: 65,536 discs over one cell count 65,536, in bulk and edit by edit.

The counts were uint16: the 65,536th disc over a cell wrapped its count to 0 and the cell, and the district,
showed as uncovered (0.00 %).
"""

from __future__ import annotations

import numpy as np

from planner.analysis.coverage import CoverageEngine, _CountLayer
from planner.domain import commands as cmd
from planner.domain.commands import CommandStack
from planner.domain.features import Site
from planner.domain.scenario import Scenario
from planner.geo.crs import to_metric
from planner.geo.grid import GridSpec, count_discs, disc_cells

U16_MAX = 65_535
#: A 4 × 4 grid of 10 m cells, and a disc at its middle that covers every cell centre.
SPEC = GridSpec(0.0, 0.0, 10.0, 4, 4)
DISC = (20.0, 20.0, 100.0)


def _discs(n: int):
    x, y, r = DISC
    return SPEC, np.full(n, x), np.full(n, y), np.full(n, r)


def _layer(counts: np.ndarray, discs: int) -> _CountLayer:
    """A count layer over SPEC whose cells all belong to region 0."""
    labels = np.zeros(SPEC.size, np.uint8)
    return _CountLayer(SPEC, counts, labels, 1, np.array([0]), np.array([0]), discs)


def _coverage_pct(layer: _CountLayer) -> float:
    return 100.0 * layer.tally[0] / SPEC.size


def test_count_discs_counts_65536_identical_discs_over_a_cell():
    counts = count_discs(*_discs(U16_MAX + 1))
    assert counts.shape == (4, 4)
    assert (counts == 65_536).all()  # not 0
    assert _coverage_pct(_layer(counts, U16_MAX + 1)) == 100.0
    # Up to 65,535 discs the counts keep 2 bytes a cell (the 42,000-site city grid's memory stays as it was).
    fewer = count_discs(*_discs(U16_MAX))
    assert (fewer == U16_MAX).all() and fewer.itemsize == 2
    # Discs spread over more cells than one: a count over 65,535 where they pile up, 0 where none reaches.
    spec = GridSpec(0.0, 0.0, 10.0, 9, 1)
    n = U16_MAX + 5
    x = np.where(np.arange(n) < 5, 75.0, 15.0)  # 5 discs on cell 7, the rest on cell 1
    counts = count_discs(spec, x, np.full(n, 5.0), np.full(n, 4.0))
    assert counts[0].tolist() == [0, U16_MAX, 0, 0, 0, 0, 0, 5, 0]


def test_a_count_layer_going_from_65535_to_65536_discs_stays_right_and_returns_to_zero():
    spec, x, y, r = _discs(U16_MAX)
    layer = _layer(count_discs(spec, x, y, r), U16_MAX)
    idx = disc_cells(SPEC, *DISC)
    assert len(idx) == SPEC.size
    assert len(layer.add(idx)) == 0  # the 65,536th disc: no cell newly covered ...
    assert (layer.counts == 65_536).all()  # ... and none wrapped to 0
    assert _coverage_pct(layer) == 100.0
    for _ in range(65_535):
        assert len(layer.remove(idx)) == 0
    assert (layer.counts == 1).all() and _coverage_pct(layer) == 100.0
    assert len(layer.remove(idx)) == SPEC.size  # the last disc goes: every cell uncovered
    assert (layer.counts == 0).all()
    assert _coverage_pct(layer) == 0.0


def _scenario(n: int) -> Scenario:
    """``n`` identical rural sites of 1 km radius at one spot in 宁海 (330226), nothing else."""
    sites = [Site(f"site-{i:06d}", "5g_macro", "cbn", 700, 30.0, "rural", 121.43, 29.29, 2024, 1000.0)
             for i in range(1, n + 1)]  # fmt: skip
    return Scenario(horizon_year=2027, sites={s.id: s for s in sites})


def test_a_district_under_65536_identical_sites_keeps_its_coverage():
    one = CoverageEngine(_scenario(1), 2027, subscribe=False).figures().districts["330226"].coverage_5g_pct
    assert 0.1 < one < 0.2  # π·1 km² of 宁海's 1,902 km²
    s = _scenario(U16_MAX)
    engine = CoverageEngine(s, 2027)
    assert engine.figures().districts["330226"].coverage_5g_pct == one
    stack = CommandStack(s)
    extra = Site(s.new_id("sites"), "5g_macro", "cbn", 700, 30.0, "rural", 121.43, 29.29, 2024, 1000.0)
    stack.push(cmd.add_features(s, [extra]))  # the 65,536th disc over the same cells
    live = engine.figures()
    assert live.districts["330226"].coverage_5g_pct == one
    fresh = CoverageEngine(s, 2027, subscribe=False)
    assert fresh.figures().districts["330226"].coverage_5g_pct == one  # was 0.00 %
    assert live == fresh.figures()
    x, y = to_metric(121.43, 29.29)
    cell = engine.city_spec
    centre = int((y - cell.y0) // cell.cell) * cell.nx + int((x - cell.x0) // cell.cell)
    assert engine.city_layers["5g"].counts[centre] == 65_536
    stack.undo()
    assert engine.figures().districts["330226"].coverage_5g_pct == one
    assert engine.city_layers["5g"].counts[centre] == U16_MAX
    engine.close()
