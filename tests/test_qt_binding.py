"""The Qt binding itself: what the planner relies on from PySide6 on the Python it runs on (3.11).

PySide6 6.12.0 on Python 3.11 took a reference from ``None`` at every call of a Qt method that returns nothing;
after some tens of thousands of calls (a few minutes of panning or dragging) Python aborted with "deallocating
None". Python 3.12+ makes ``None`` immortal, which hides the fault there. requirements.txt holds the binding at a
release without it; this test fails on any release that has it.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QWidget


class _Item(QGraphicsItem):
    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, 1, 1)

    def paint(self, *args) -> None:
        pass


def test_calling_qt_methods_that_return_nothing_leaves_none_s_reference_count_alone(qapp):
    item, rect, widget = _Item(), QGraphicsRectItem(0, 0, 1, 1), QWidget()
    calls = {
        "QGraphicsItem.update": item.update,
        "QGraphicsItem.prepareGeometryChange": item.prepareGeometryChange,
        "QGraphicsItem.setPos": lambda: item.setPos(QPointF(1, 1)),
        "QGraphicsRectItem.setRect": lambda: rect.setRect(0, 0, 2, 2),
        "QWidget.update": widget.update,
    }
    lost = {}
    for name, call in calls.items():
        before = sys.getrefcount(None)
        for _ in range(500):
            call()
        lost[name] = before - sys.getrefcount(None)
    # A few references may come and go with the interpreter's own work; 500 lost would be the fault.
    assert all(n < 50 for n in lost.values()), lost
