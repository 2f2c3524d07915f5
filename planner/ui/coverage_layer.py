"""The coverage layer of the map: the engine's 50 m city grid drawn as one image, uncovered land in red.

Each cell of the city grid is one pixel of a premultiplied-ARGB image that shares its memory with a numpy array:
covered land in the layer's colour, land the layer does not cover tinted red (weak spots read at a glance), sea
and neighbouring land transparent. The whole image is made once per scenario, year or style (~50 ms for the
city's ~10 million cells); after an edit only the cells the engine reports as changed
(:class:`~planner.analysis.coverage.CoverageDelta`) are rewritten, and Qt scales the image to the view with
nearest-neighbour sampling (≈1–2 ms at 1600×1000, whatever the zoom).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from planner import palette

#: Colour of covered land per coverage layer, and the tint of land it does not cover.
COVERED_COLOURS, UNCOVERED_COLOUR = palette.COVERED_COLOURS, palette.UNCOVERED_COLOUR
COVERED_ALPHA, UNCOVERED_ALPHA = 0.42, 0.55
#: Names of the coverage layers, Chinese and English.
COVERAGE_NAMES = {
    "5g": ("5G 覆盖", "5G coverage"),
    "5g_a": ("5G-A 覆盖", "5G-A coverage"),
    "f5g": ("F5G 千兆光网", "F5G fibre"),
    "dual": ("双万兆 (5G-A + F5G)", "Dual 10-gigabit (5G-A + F5G)"),
}


def premultiplied(colour: str, alpha: float) -> int:
    """The 32-bit premultiplied ARGB value of ``colour`` at ``alpha`` (0–1), as QImage stores it."""
    c = QColor(colour)
    a = round(alpha * 255)
    r, g, b = (round(v * a / 255) for v in (c.red(), c.green(), c.blue()))
    return (a << 24) | (r << 16) | (g << 8) | b


class CoverageLayerItem(QGraphicsItem):
    """One image of the city grid's coverage for one layer ("5g", "5g_a", "f5g" or "dual")."""

    def __init__(self, parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self._pixels: np.ndarray | None = None  # (ny, nx) uint32, row 0 at the north (image order)
        self._image: QImage | None = None
        self._rect = QRectF()
        self._land: np.ndarray | None = None
        self._spec: Any = None
        self.layer = "5g"

    # -- data -------------------------------------------------------------------------------------------
    def show_engine(self, engine: Any, layer: str) -> None:
        """Draw ``layer`` of ``engine``'s city grid, every cell."""
        self.layer = layer
        spec = engine.city_spec
        if self._spec != spec:
            self._spec = spec
            self._land = engine.city_labels.reshape(-1) != 255
            self.prepareGeometryChange()
            # Scene coordinates are UTM metres with y flipped: the grid's north edge is the image's top.
            top = -(spec.y0 + spec.ny * spec.cell)
            self._rect = QRectF(spec.x0, top, spec.nx * spec.cell, spec.ny * spec.cell)
        covered = engine.city_covered(layer)
        flat = self._colours(covered, self._land)
        self._pixels = np.ascontiguousarray(flat.reshape(spec.ny, spec.nx)[::-1])
        ny, nx = self._pixels.shape
        # The image uses the array's memory (no copy): a changed cell is a changed pixel.
        self._image = QImage(self._pixels.data, nx, ny, nx * 4, QImage.Format.Format_ARGB32_Premultiplied)
        self.update()

    def apply_delta(self, engine: Any, delta: Any) -> None:
        """Rewrite the cells an update changed (the whole image when the update says everything changed)."""
        if self._pixels is None:
            return
        wide = self.layer in ("f5g", "dual") and delta.f5g_bounds
        if delta.everything or wide:
            self.show_engine(engine, self.layer)
            return
        source = "5g_a" if self.layer == "dual" else self.layer
        cells = delta.cells.get(source)
        if cells is None or not len(cells):
            return
        covered = engine.city_covered_at(self.layer, cells)
        spec = self._spec
        rows, cols = np.divmod(cells, spec.nx)
        self._pixels[spec.ny - 1 - rows, cols] = self._colours(covered, self._land[cells])
        self.update()

    def _colours(self, covered: np.ndarray, land: np.ndarray) -> np.ndarray:
        on = np.uint32(premultiplied(COVERED_COLOURS[self.layer], COVERED_ALPHA))
        off = np.uint32(premultiplied(UNCOVERED_COLOUR, UNCOVERED_ALPHA))
        return np.where(land, np.where(covered, on, off), np.uint32(0)).astype(np.uint32)

    def pixel_at(self, x: float, y: float) -> int | None:
        """The ARGB value drawn at scene point (x, y), None outside the grid (for tests and identify)."""
        if self._pixels is None or not self._rect.contains(x, y):
            return None
        col = int((x - self._rect.left()) // self._spec.cell)
        row = int((y - self._rect.top()) // self._spec.cell)
        return int(self._pixels[row, col])

    # -- painting ---------------------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        """The city grid's extent."""
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        """Draw the image over the grid's extent, cells as crisp squares."""
        if self._image is None:
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(self._rect, self._image)
