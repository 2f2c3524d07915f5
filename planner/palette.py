"""The colours of the map, as hex strings, shared by the window (planner/ui) and the printed maps (planner/reports)
so that a printed map reads like the screen. Qt-free: the window makes QColors of them."""

from __future__ import annotations

#: The map background reads as water: Ningbo is a coastal city.
SEA = "#eef3f7"
#: Parks by kind (数创港 core and feature parks in red and orange).
PARK_COLOURS = {
    "sck_core": "#c62828",
    "sck_branch": "#ef6c00",
    "digital_park": "#1565c0",
    "feature_town": "#2e7d32",
    "computing_centre": "#6a1b9a",
    "other": "#616161",
}
#: Covered land per coverage layer, and land not covered.
COVERED_COLOURS = {"5g": "#1f77b4", "5g_a": "#7b2cbf", "f5g": "#e07b00", "dual": "#138a52"}
UNCOVERED_COLOUR = "#d62828"
