"""Map tools: one small class per interaction, dispatched to by the canvas (see :mod:`planner.ui.tools.base`)."""

from planner.ui.tools.base import MapTool
from planner.ui.tools.edit import AddParkTool, AddSiteTool, MoveTool, PanTool, SelectTool, delete_selection
from planner.ui.tools.zones import DrawZoneTool, EditVerticesTool

#: The toolbar's tools, in order.
TOOLS = (PanTool, SelectTool, AddSiteTool, AddParkTool, MoveTool, DrawZoneTool, EditVerticesTool)

__all__ = [
    "TOOLS",
    "AddParkTool",
    "AddSiteTool",
    "DrawZoneTool",
    "EditVerticesTool",
    "MapTool",
    "MoveTool",
    "PanTool",
    "SelectTool",
    "delete_selection",
]
