"""Field checks shared by every validator of the scenario model: each appends ``(field, problem)`` to a list."""

from __future__ import annotations

import math
from typing import Any

from planner.domain import vocab

#: Years a scenario may speak of; anything else is a typo.
MIN_YEAR, MAX_YEAR = 1990, 2100
#: Ningbo's extent with a margin (WGS-84): a coordinate outside it is almost certainly a mistake
#: (swapped lon/lat, a projected coordinate, a point in another city).
NINGBO_BBOX = (120.8, 28.8, 122.6, 30.6)

Problems = list[tuple[str, str]]


def check_year(value: Any, field: str, problems: Problems) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append((field, f"must be a whole year, got {value!r}"))
    elif not MIN_YEAR <= value <= MAX_YEAR:
        problems.append((field, f"year {value} is outside {MIN_YEAR}–{MAX_YEAR}"))


#: Upper limits of plausible values: anything larger is a typo (or an overflow waiting to happen in a total).
MAX_WAN = 1e8  # 万元 = 1 万亿元 (one trillion yuan) for a single item
MAX_AREA_HA = 1e6  # 10,000 km², the whole city
MAX_COUNT = 1_000_000
MAX_PFLOPS = 1e6
MAX_RADIUS_M = 100_000.0


def check_number(
    value: Any,
    field: str,
    problems: Problems,
    *,
    optional: bool = False,
    positive: bool = False,
    maximum: float | None = None,
) -> None:
    if value is None:
        if not optional:
            problems.append((field, "is missing"))
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        problems.append((field, f"must be a number, got {value!r}"))
    elif positive and value <= 0:
        problems.append((field, f"must be greater than 0, got {value}"))
    elif value < 0:
        problems.append((field, f"must not be negative, got {value}"))
    elif maximum is not None and value > maximum:
        problems.append((field, f"{value:g} is implausibly large (at most {maximum:g})"))


def check_count(value: Any, field: str, problems: Problems, maximum: int = MAX_COUNT) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append((field, f"must be a whole number, got {value!r}"))
    elif value < 0:
        problems.append((field, f"must not be negative, got {value}"))
    elif value > maximum:
        problems.append((field, f"{value} is implausibly large (at most {maximum:,})"))


def check_flag(value: Any, field: str, problems: Problems) -> None:
    if not isinstance(value, bool):
        problems.append((field, f"must be true or false, got {value!r}"))


def check_key(value: Any, field: str, allowed: vocab.Vocabulary, problems: Problems) -> None:
    if value not in allowed:
        problems.append((field, f"{value!r} is not one of: {', '.join(allowed)}"))


def check_text(value: Any, field: str, problems: Problems, *, required: bool = False) -> None:
    if not isinstance(value, str):
        problems.append((field, f"must be text, got {value!r}"))
    elif required and not value.strip():
        problems.append((field, "must not be empty"))


def check_lonlat(lon: Any, lat: Any, problems: Problems, field: str = "geometry") -> None:
    if not all(isinstance(v, int | float) and math.isfinite(v) for v in (lon, lat)):
        problems.append((field, f"coordinates must be numbers, got ({lon!r}, {lat!r})"))
        return
    x0, y0, x1, y1 = NINGBO_BBOX
    if not (x0 <= lon <= x1 and y0 <= lat <= y1):
        hint = " (longitude and latitude swapped?)" if x0 <= lat <= x1 and y0 <= lon <= y1 else ""
        problems.append((field, f"point ({lon}, {lat}) is outside Ningbo ({x0}–{x1}°E, {y0}–{y1}°N){hint}"))
