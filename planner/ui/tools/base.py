"""The map tool protocol (after QGIS's ``QgsMapTool``): one small class per interaction.

The canvas owns no interaction logic of its own beyond navigation: it hands every mouse and key event to the
active tool, which returns True when it used the event (the canvas then does nothing else with it). A tool reads
the map through the canvas (positions, hit tests) and changes the scenario only through the session's command
stack. It may draw transient feedback (a rubber band, a polygon being drawn, vertex handles) in
:meth:`MapTool.paint`, in view pixels, over the map.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter

if TYPE_CHECKING:
    from planner.ui.map_canvas import MapCanvas


class MapTool:
    """Base class: every handler declines the event."""

    #: Stable key, Chinese and English labels, single-key shortcut (shown in the tooltip) and cursor.
    name = "tool"
    label_zh = "工具"
    label_en = "Tool"
    shortcut = ""
    cursor = Qt.CursorShape.ArrowCursor
    #: Whether the canvas pans with a left-button drag while this tool is active.
    pans = False

    def __init__(self, canvas: MapCanvas) -> None:
        self.canvas = canvas

    @property
    def session(self):
        """The canvas's session (scenario, commands, selection)."""
        return self.canvas.session

    def tooltip(self) -> str:
        """The toolbar tooltip: names and shortcut."""
        key = f" ({self.shortcut})" if self.shortcut else ""
        return f"{self.label_zh} {self.label_en}{key}"

    # -- lifecycle ------------------------------------------------------------------------------------------
    def activate(self) -> None:
        """The tool became the active one."""

    def deactivate(self) -> None:
        """Another tool is taking over: drop any gesture in progress."""

    # -- events (True: the tool used the event) ---------------------------------------------------------------
    def press(self, event: QMouseEvent) -> bool:
        return False

    def move(self, event: QMouseEvent) -> bool:
        return False

    def release(self, event: QMouseEvent) -> bool:
        return False

    def double_click(self, event: QMouseEvent) -> bool:
        return False

    def key_press(self, event: QKeyEvent) -> bool:
        return False

    def paint(self, painter: QPainter) -> None:
        """Draw transient feedback over the map (view pixels)."""

    # -- helpers ----------------------------------------------------------------------------------------------
    def tell(self, message: str) -> None:
        """Show a message to the user (the status bar)."""
        self.canvas.message.emit(message)

    def push(self, make) -> bool:
        """Push the command ``make()`` builds; a value the model refuses is told to the user, not raised."""
        try:
            command = make()
        except ValueError as exc:
            from planner.ui.attributes import readable

            self.tell(f"未执行 Not done: {readable(exc)}")
            return False
        self.session.push(command)
        return True


class DragTool(MapTool):
    """A tool whose press may start a drag (``_drag`` is its state until the release)."""

    def __init__(self, canvas: MapCanvas) -> None:
        super().__init__(canvas)
        self._drag = None

    def release(self, event: QMouseEvent) -> bool:
        if self._drag is None:
            return False
        self._drag = None
        return True

    def deactivate(self) -> None:
        self._drag = None
