"""Bookmarks: saved views of a scenario (title, map extent, visible layers, year) for presenting it.

A :class:`Bookmark` is immutable; a scenario holds its bookmarks as one ordered tuple
(:attr:`planner.domain.scenario.Scenario.bookmarks`), changed as a whole by one
``Change("meta", "bookmarks", old, new)``, so a create, rename, reorder or delete is undone exactly
(:mod:`planner.domain.commands`). The file loader and the command factories validate with the same functions,
so the app can never save a bookmark the loader would refuse.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from planner.domain.checks import NINGBO_BBOX, Problems, check_text, check_year, quote

#: The map layers a bookmark can show and how each may be drawn (its style; the first is the default). The same
#: vocabulary as :data:`planner.session.LAYER_STYLES` (a test holds them equal): the domain cannot import the
#: session, which sits above it.
LAYER_STYLES: dict[str, tuple[str, ...]] = {
    "districts": ("product", "coverage_5g", "coverage_5ga", "coverage_f5g", "sites_per_km2", "investment"),
    "coverage": ("5g", "5g_a", "f5g", "dual"),
    "zones": ("kind",),
    "sites": ("kind",),
    "parks": ("kind",),
}
#: Fields of a bookmark, in the order the file writes them.
BOOKMARK_FIELDS = ("title", "year", "extent", "layers")
#: The longest title (a slide heading, not a paragraph).
MAX_TITLE = 200
#: The widest extent, in degrees either way: the map cannot show more than Ningbo and its neighbours.
MAX_SPAN_DEG = 10.0
#: Decimals an extent keeps (1e-6° ≈ 0.1 m): a view needs no more, and the file stays readable.
EXTENT_DECIMALS = 6

Extent = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class Bookmark:
    """A saved view: ``extent`` is the WGS-84 box (west, south, east, north) the map showed, ``layers`` the visible
    map layers as (layer, style) pairs, ``year`` the year the map and the figures showed."""

    title: str
    year: int
    extent: Extent
    layers: tuple[tuple[str, str], ...] = ()

    @property
    def visible(self) -> dict[str, str]:
        """The visible layers and their styles, as a dict."""
        return dict(self.layers)


def make_bookmark(title: str, year: int, extent: Iterable[float], layers: Iterable[tuple[str, str]]) -> Bookmark:
    """A bookmark with its title stripped and its extent rounded as stored (not yet validated)."""
    box = tuple(round(float(v), EXTENT_DECIMALS) for v in extent)
    return Bookmark(title.strip() if isinstance(title, str) else title, year, box, tuple(layers))  # type: ignore[arg-type]


def _finite(v: Any) -> bool:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return False
    try:
        return math.isfinite(v)
    except OverflowError:
        return False


def validate_bookmark(b: Bookmark) -> Problems:
    """Problems with one bookmark, as ``[(field, message)]`` (whatever the types of its values)."""
    problems: Problems = []
    check_text(b.title, "title", problems, required=True)
    if isinstance(b.title, str) and len(b.title) > MAX_TITLE:
        problems.append(("title", f"is {len(b.title):,} characters long (at most {MAX_TITLE})"))
    check_year(b.year, "year", problems)
    _check_extent(b.extent, problems)
    _check_layers(b.layers, problems)
    return problems


def _check_extent(extent: Any, problems: Problems) -> None:
    shape = "must be [west, south, east, north] in WGS-84 degrees"
    if not isinstance(extent, tuple | list) or len(extent) != 4:
        problems.append(("extent", f"{shape}, got {quote(list(extent) if isinstance(extent, tuple) else extent)}"))
        return
    bad = [v for v in extent if not _finite(v)]
    if bad:
        problems.append(("extent", f"{shape}; {quote(bad[0])} is not a finite number"))
        return
    west, south, east, north = extent
    if not (west < east and south < north):
        problems.append(("extent", f"{shape}, with west < east and south < north; got {quote(list(extent))}"))
        return
    if east - west > MAX_SPAN_DEG or north - south > MAX_SPAN_DEG:
        problems.append(("extent", f"spans more than {MAX_SPAN_DEG:g}° ({quote(list(extent))})"))
        return
    x0, y0, x1, y1 = NINGBO_BBOX
    if east < x0 or west > x1 or north < y0 or south > y1:
        problems.append(("extent", f"{quote(list(extent))} shows no part of Ningbo ({x0}–{x1}°E, {y0}–{y1}°N)"))


def _check_layers(layers: Any, problems: Problems) -> None:
    expected = ", ".join(LAYER_STYLES)
    if not isinstance(layers, tuple) or not all(isinstance(p, tuple) and len(p) == 2 for p in layers):
        problems.append(("layers", f"must map each visible layer to its style, got {quote(layers)}"))
        return
    seen: set[Any] = set()
    for name, style in layers:
        if not isinstance(name, str) or name not in LAYER_STYLES:
            problems.append(("layers", f"{quote(name)} is not a map layer (expected one of: {expected})"))
        elif name in seen:
            problems.append(("layers", f"layer {name!r} is given twice"))
        elif not isinstance(style, str) or style not in LAYER_STYLES[name]:
            styles = ", ".join(LAYER_STYLES[name])
            problems.append(("layers", f"layer {name!r} cannot be drawn as {quote(style)} (expected one of: {styles})"))
        seen.add(name if isinstance(name, str) else id(name))


def validate_bookmarks(bookmarks: Iterable[Bookmark]) -> list[tuple[int, str, str]]:
    """Problems with a scenario's bookmarks, as ``[(index, field, message)]``: each bookmark's own, and a title given
    to two of them (``--bookmark NAME`` and the presenter's list find a bookmark by its title)."""
    out: list[tuple[int, str, str]] = []
    seen: dict[str, int] = {}
    for i, b in enumerate(bookmarks):
        out += [(i, f, m) for f, m in validate_bookmark(b)]
        if isinstance(b.title, str):
            if b.title in seen:
                out.append((i, "title", f"{quote(b.title)} is the title of bookmark {seen[b.title] + 1} already"))
            else:
                seen[b.title] = i
    return out


def find_bookmark(bookmarks: tuple[Bookmark, ...], name: str) -> int:
    """Index of the bookmark titled ``name`` (or, failing that, numbered ``name``, from 1); ``KeyError`` with the
    titles there are when there is none."""
    name = name.strip()
    for i, b in enumerate(bookmarks):
        if b.title == name:
            return i
    if name.isdigit() and 1 <= int(name) <= len(bookmarks):
        return int(name) - 1
    titles = ", ".join(repr(b.title) for b in bookmarks) or "none"
    raise KeyError(f"no bookmark titled {name!r} (the scenario's bookmarks: {titles})")


__all__ = [
    "BOOKMARK_FIELDS",
    "LAYER_STYLES",
    "Bookmark",
    "find_bookmark",
    "make_bookmark",
    "validate_bookmark",
    "validate_bookmarks",
]
