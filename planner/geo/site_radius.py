"""Effective coverage radius of scenario sites, from the propagation model (:mod:`planner.geo.propagation`).

A site's own ``radius_m`` overrides the model. Otherwise the site kind picks the profile:

* ``5g_macro``: macro cell, 5G link budget (Hata / TR 38.901 UMa, SMa, RMa by band and environment);
* ``5g_a``: macro cell, the 3 dB lower 5G-A link budget (same propagation model);
* ``5g_small``: small cell, TR 38.901 UMi-Street Canyon NLOS with the small-cell link budget
  (``SMALL_CELL_MAPL_DB``: ~15 dB lower EIRP-limited budget than a macro), so a 10 m small cell at 3.5 GHz gets
  ~290 m, never a macro radius. See docs/propagation.md, sections 3-4.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from functools import lru_cache
from operator import attrgetter
from typing import Protocol

import numpy as np

from planner.geo.propagation import effective_radii_m, effective_radius_m


class Site(Protocol):
    """What the radius of a site depends on (a :class:`planner.domain.features.Site` has it). The geo layer knows
    no domain type: it reads these attributes of whatever it is given."""

    kind: str
    band_mhz: float
    height_m: float
    environment: str
    radius_m: float | None


#: (tech, cell) propagation profile of each site kind; an unknown kind is treated as a 5G macro site, as before.
_PROFILE_OF_KIND: dict[str, tuple[str, str]] = {
    "5g_macro": ("5G", "macro"),
    "5g_a": ("5G-A", "macro"),
    "5g_small": ("5G", "small"),
}
_MACRO_5G = ("5G", "macro")

# Everything site_radius_m reads from a site, in this order.
_FIELDS = ("kind", "band_mhz", "height_m", "environment", "radius_m")
_RADIUS_INPUTS = attrgetter(*_FIELDS)
#: Sites grouped per call of the C-level loop of site_radius_groups (~3 ms each).
_CHUNK = 8192


def _profile(kind: str) -> tuple[str, str]:
    return _PROFILE_OF_KIND.get(kind, _MACRO_5G) if isinstance(kind, str) else _MACRO_5G


def _radius(kind: str, band_mhz: float, height_m: float, environment: str, radius_m: float | None) -> float:
    tech, cell = _profile(kind)
    return effective_radius_m(band_mhz, height_m, environment, radius_m, tech=tech, cell=cell)


def site_radius_m(site: Site) -> float:
    """Effective coverage radius of one site in metres."""
    return _radius(*_RADIUS_INPUTS(site))


def site_radii_m(sites: Iterable[Site]) -> np.ndarray:
    """Effective coverage radii of many sites in metres, equal to ``[site_radius_m(s) for s in sites]``.

    A city has ~42,000 sites but only a few hundred distinct (kind, band, height, environment, override) tuples:
    see :func:`site_radius_groups`, which this broadcasts back to the sites. An invalid site raises a ValueError
    naming the first bad site.
    """
    radius, group, _ = site_radius_groups(sites)
    return radius[group]


def site_radius_groups(sites: Iterable[Site]) -> tuple[np.ndarray, np.ndarray, list[tuple]]:
    """The sites grouped on what their radius depends on: ``(radius per group, group of each site, group keys)``.

    ``radius[group]`` equals ``[site_radius_m(s) for s in sites]``; a key is ``(kind, band_mhz, height_m,
    environment, radius_m)`` and the groups come in the order of their first site, so a caller can derive more
    per-site values from the few keys (the coverage engine reads a site's layer from its kind this way).

    The sites are grouped on that tuple in a plain dict, one site per group goes through
    :func:`planner.geo.propagation.effective_radii_m` (which solves the uncached profiles together and shares its
    cache with the scalar :func:`site_radius_m`), so the values are identical to the scalar function's, and
    checking one site per group validates the whole group (equal inputs).

    Speed, for the 42,000-site baseline (~0.45 s before, ~20 ms now; ~80 ms for 220,000 sites): no numpy object
    arrays and no ``np.unique`` on them, and the uncached profiles are solved in one vectorised pass. One
    ``attrgetter`` of the five fields makes each site's key straight into the grouping dict, so the per-site key
    tuples are transient: keeping 42,000 of them alive right after a scenario load triggers a full garbage
    collection that alone costs ~25 ms.
    """
    sites = sites if isinstance(sites, list) else list(sites)
    n = len(sites)
    if not n:
        return np.zeros(0), np.zeros(0, np.intp), []
    first_of: dict[tuple, int] = {}
    first = np.empty(n, np.intp)
    index = itertools.count()
    try:
        # setdefault keeps the index of the first site with an equal tuple: first[i] is site i's group's first.
        # In chunks, so that the loop (C code that holds the GIL) lets other threads run in between: the
        # coverage engine projects the sites on another core meanwhile.
        for a in range(0, n, _CHUNK):
            part = sites[a : a + _CHUNK]
            first[a : a + len(part)] = np.fromiter(
                map(first_of.setdefault, map(_RADIUS_INPUTS, part), index), np.intp, len(part)
            )
    except TypeError:  # an unhashable value: no grouping, the scalar function raises its usual error
        return (
            np.array([site_radius_m(s) for s in sites], dtype=float),
            np.arange(n),
            [_RADIUS_INPUTS(s) for s in sites],
        )
    groups = list(first_of.items())  # ((kind, band, height, environment, override), first index), in site order
    keys = [key for key, _ in groups]
    profiles = [_profile(key[0]) for key in keys]
    try:
        radius = effective_radii_m(
            np.array([key[1] for key in keys], dtype=float),
            np.array([key[2] for key in keys], dtype=float),
            np.array([key[3] for key in keys], dtype=object),
            np.array([key[4] for key in keys], dtype=object),
            tech=np.array([p[0] for p in profiles], dtype=object),
            cell=np.array([p[1] for p in profiles], dtype=object),
        )
    except (TypeError, ValueError):
        # Some group is invalid (or unusual): one scalar call per group, in site order, so the error names the
        # first bad site.
        radius = np.array([_group_radius(key, sites[i]) for key, i in groups], dtype=float)
    group_of_first = np.empty(n, np.intp)
    group_of_first[[i for _, i in groups]] = np.arange(len(groups))
    return np.asarray(radius, dtype=float), group_of_first[first], keys


def _group_radius(key: tuple, site: Site) -> float:
    try:
        return _radius(*key)
    except ValueError as exc:
        raise ValueError(f"site {site.id!r}: {exc}") from exc


@lru_cache(maxsize=4096)
def radius_problem(kind: str, band_mhz: float, height_m: float, environment: str, radius_m: float | None) -> str | None:
    """Why no coverage radius can be given to a site with these values (None when one can).

    The propagation model ships link budgets for 700 MHz, 2.6, 3.5 and 4.9 GHz only (no 5G-A or small cells at
    700 MHz); any other band needs the site's own ``radius_m``. Site validation calls this so that a site the
    coverage engine could not place is refused with a message instead of failing later. It checks the model's
    preconditions without solving for the radius (which costs ~2 ms per new profile), and is cached: a city has
    only a few hundred distinct value tuples.
    """
    reason = model_problem(kind, band_mhz, height_m, environment, modelled=radius_m is None)
    return None if reason is None else f"no coverage radius: {reason}; set radius_m to give this site one"


def model_problem(
    kind: str, band_mhz: float, height_m: float, environment: str, *, modelled: bool = True
) -> str | None:
    """Why the propagation model cannot give these values a radius (None when it can); ``modelled=False`` checks
    only the mast (a site with its own radius). The words are the model's, for a caller to frame: a site is told to
    set its radius, a siting profile to choose another band."""
    from planner.geo.propagation import _validate_site, default_mapl_db, select_model

    tech, cell = _profile(kind)
    try:
        _validate_site(band_mhz, height_m, 1.5)
        if modelled:
            select_model(band_mhz, environment, cell=cell)
            default_mapl_db(band_mhz, environment, tech, cell=cell)
    except (ValueError, TypeError) as exc:
        return str(exc).replace("; pass mapl_db explicitly", "")  # the model speaks to programmers
    return None
