"""The hexagonal-layout bound of gap-fill siting, shared by tests/test_siting.py and tests/bench_plan.py.

A hexagonal layout of sites at spacing r·√3 covers the plane (each hexagon lies inside its site's disc): every
cell is in the hexagon of its nearest lattice point. Covering a set of cells takes the distinct nearest points.
"""

from __future__ import annotations

import math

import numpy as np


def hex_layout_sites(spec, cells: np.ndarray, r: float) -> int:
    """Sites a hexagonal layout at spacing r·√3 needs to cover ``cells`` (flat indices of ``spec``'s grid), the
    best of four placements of the layout."""
    cx = spec.x0 + (cells % spec.nx + 0.5) * spec.cell
    cy = spec.y0 + (cells // spec.nx + 0.5) * spec.cell
    s = r * math.sqrt(3)
    dy = s * math.sqrt(3) / 2
    best = None
    for ox, oy in ((0, 0), (s / 2, 0), (0, dy / 2), (s / 2, dy / 2)):
        row = np.round((cy - oy) / dy)
        cands = []
        for drow in (-1, 0, 1):
            rr = row + drow
            sh = (rr % 2) * s / 2
            col = np.round((cx - ox - sh) / s)
            px, py = ox + col * s + sh, oy + rr * dy
            cands.append((np.hypot(px - cx, py - cy), col, rr))
        d = np.stack([c[0] for c in cands])
        pick = d.argmin(axis=0)
        cols = np.choose(pick, [c[1] for c in cands])
        rows = np.choose(pick, [c[2] for c in cands])
        assert (d.min(axis=0) <= r + 1e-6).all()  # every cell is within r of its lattice point: covered
        n = len(set(zip(cols.tolist(), rows.tolist(), strict=True)))
        best = n if best is None else min(best, n)
    return best
