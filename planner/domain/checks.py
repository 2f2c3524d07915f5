"""Field checks shared by every validator of the scenario model: each appends ``(field, problem)`` to a list."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from planner.domain import vocab

#: Years a scenario may speak of; anything else is a typo.
MIN_YEAR, MAX_YEAR = 1990, 2100
#: Ningbo's extent with a margin (WGS-84): a coordinate outside it is almost certainly a mistake
#: (swapped lon/lat, a projected coordinate, a point in another city).
NINGBO_BBOX = (120.8, 28.8, 122.6, 30.6)

Problems = list[tuple[str, str]]

#: How many characters of a value a message quotes before shortening it: a message must stay one readable line
#: even when a file holds a 2,000,000-item list where a name should be.
QUOTE_MAX = 60


def quote(value: Any, limit: int = QUOTE_MAX) -> str:
    """``repr(value)`` for a message, shortened to about ``limit`` characters.

    ``repr`` escapes what a terminal would interpret (ESC, NUL, bidi overrides, lone surrogates), so a quoted value
    is always safe to print. Containers are summarised by type and length before their repr is built, so a huge
    value costs nothing to describe.
    """
    if isinstance(value, list | tuple | dict | set) and len(value) > limit:
        return f"a {type(value).__name__} of {len(value):,} items"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        # Python refuses str() of an int of over 4,300 digits (≈14,000 bits).
        return (
            f"a {len(str(abs(value))):,}-digit number" if value.bit_length() < 14_000 else "a number of 4,000+ digits"
        )
    if isinstance(value, str) and len(value) > 4 * limit:
        value = value[: 2 * limit]  # repr of the head only: the text may be megabytes long
        return repr(value)[: limit - 1] + "…'"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _finite(value: Any) -> bool:
    """True for a real number that is finite as a float (an int of 400 digits is not: it has no float)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def check_year(value: Any, field: str, problems: Problems) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append((field, f"must be a whole year, got {quote(value)}"))
    elif not MIN_YEAR <= value <= MAX_YEAR:
        problems.append((field, f"年份超出范围 / year {quote(value)} is outside {MIN_YEAR}–{MAX_YEAR}"))


#: Upper limits of plausible values: anything larger is a typo (or an overflow waiting to happen in a total).
MAX_WAN = 1e8  # 万元 = 1 万亿元 (one trillion yuan) for a single item
MAX_AREA_HA = 1e6  # 10,000 km², the whole city
MAX_COUNT = 1_000_000
MAX_PFLOPS = 1e6
MAX_RADIUS_M = 100_000.0
#: The tallest structures that carry antennas in Ningbo are under 300 m.
MAX_HEIGHT_M = 300.0


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
    if isinstance(value, int) and not isinstance(value, bool) and not _finite(value):
        sign = "small" if value < 0 else "large"
        problems.append((field, f"{quote(value)} is too {sign} to be a number the planner can use"))
    elif not _finite(value):
        problems.append((field, f"must be a number, got {quote(value)}"))
    elif positive and value <= 0:
        problems.append((field, f"must be greater than 0, got {quote(value)}"))
    elif value < 0:
        problems.append((field, f"must not be negative, got {quote(value)}"))
    elif maximum is not None and value > maximum:
        problems.append((field, f"{float(value):g} is implausibly large (at most {maximum:g})"))


def check_count(value: Any, field: str, problems: Problems, maximum: int = MAX_COUNT) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append((field, f"must be a whole number, got {quote(value)}"))
    elif value < 0:
        problems.append((field, f"must not be negative, got {quote(value)}"))
    elif value > maximum:
        problems.append((field, f"{quote(value)} is implausibly large (at most {maximum:,})"))


def check_flag(value: Any, field: str, problems: Problems) -> None:
    if not isinstance(value, bool):
        problems.append((field, f"must be true or false, got {quote(value)}"))


def check_key(value: Any, field: str, allowed: vocab.Vocabulary, problems: Problems) -> None:
    if not isinstance(value, str) or value not in allowed:
        problems.append((field, f"{quote(value)} is not one of: {', '.join(allowed)}"))


def text_problem(value: Any, *, required: bool = False) -> str | None:
    """Why ``value`` is not text the planner can store and write, or None.

    Text must be a ``str`` that can be encoded as UTF-8: JSON's ``\ud800`` escapes can make a lone surrogate,
    which every writer (the scenario file, a GeoJSON export, the terminal) would fail on half-way.
    """
    if not isinstance(value, str):
        return f"must be text, got {quote(value)}"
    if required and not value.strip():
        return "must not be empty"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        return (
            f"contains a character that cannot be written as UTF-8 (an unpaired surrogate "
            f"{quote(value[exc.start])} at position {exc.start + 1}): {quote(value)}"
        )
    return None


def check_text(value: Any, field: str, problems: Problems, *, required: bool = False) -> None:
    problem = text_problem(value, required=required)
    if problem:
        problems.append((field, problem))


def _coord(v: Any) -> str:
    """A coordinate as a planner reads it: at most 6 decimals (≈0.1 m), no trailing zeros."""
    text = f"{float(v):.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def check_lonlat(lon: Any, lat: Any, problems: Problems, field: str = "geometry") -> bool:
    """Check that (lon, lat) are numbers inside Ningbo's box; True when the geography check may follow."""
    if not all(_finite(v) for v in (lon, lat)):
        problems.append((field, f"coordinates must be numbers, got ({quote(lon, 30)}, {quote(lat, 30)})"))
        return False
    x0, y0, x1, y1 = NINGBO_BBOX
    if not (x0 <= lon <= x1 and y0 <= lat <= y1):
        hint = "（经纬度是否颠倒？ longitude and latitude swapped?）" if x0 <= lat <= x1 and y0 <= lon <= y1 else ""
        where = f"({_coord(lon)}, {_coord(lat)})"
        box = f"({x0}–{x1}°E, {y0}–{y1}°N)"
        problems.append((field, f"坐标不在宁波范围内 / point {where} is outside Ningbo {box}{hint}"))
        return False
    return True


def position_problems(lon: Any, lat: Any) -> list[str | None]:
    """For each WGS-84 point of a batch (finite, inside the box): why it is no position in Ningbo, or None.

    A point must lie on Ningbo's land, or at sea within :data:`planner.geo.land.OFFSHORE_MAX_M` of Ningbo's coast
    and on no other city's land. One call checks a whole file's sites at once (vectorised).
    """
    from planner.geo import land

    placed = land.place_points(lon, lat)
    out: list[str | None] = [None] * len(placed.code)
    names = land.neighbours()
    for i in np.flatnonzero(placed.code != land.ON_LAND):
        code = placed.code[i]
        where = f"point ({_coord(np.asarray(lon)[i])}, {_coord(np.asarray(lat)[i])})"
        if code == land.NEIGHBOUR_LAND:
            nb = names[placed.neighbour[i]]
            out[i] = (
                f"位于{nb.name_zh}陆域，不在宁波 / {where} is on the land of {nb.name_zh} ({nb.name_en}), not in Ningbo"
            )
        elif code == land.FAR_OFFSHORE:
            km, most = placed.offshore_m[i] / 1000, land.OFFSHORE_MAX_M / 1000
            out[i] = (
                f"距宁波海岸 {km:.1f} km，超出 {most:.1f} km / {where} is at sea {km:.1f} km off Ningbo's coast "
                f"(at most {most:.1f} km, 12 nautical miles, is accepted)"
            )
    return out
