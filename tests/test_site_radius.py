"""Tests for planner.geo.site_radius (scenario sites -> coverage radius)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from planner.domain.features import Site
from planner.geo import propagation as prop
from planner.geo.site_radius import site_radii_m, site_radius_m

_ids = itertools.count()


def _site(kind: str, band: int, height: float, env: str, radius_m: float | None = None) -> Site:
    return Site(f"S{next(_ids)}", kind, "cmcc", band, height, env, 121.55, 29.87, radius_m=radius_m)


def _mixed_sites() -> list[Site]:
    """All kinds, bands, environments, repeated profiles and a few overrides, in a shuffled order."""
    sites = []
    for env in ("urban", "suburban", "rural"):
        for h in (20.0, 25.0, 30.0, 32.5, 35.0, 45.0):
            for band in (700, 2600, 3500, 4900):
                sites.append(_site("5g_macro", band, h, env))
            for band in (3500, 4900):
                sites.append(_site("5g_a", band, h, env))
        for h in (6.0, 8.0, 10.0, 12.0):
            for band in (2600, 3500, 4900):
                sites.append(_site("5g_small", band, h, env))
    sites += [
        _site("5g_macro", 3500, 30.0, "urban", radius_m=1234.5),
        _site("5g_macro", 700, 40.0, "rural", radius_m=4000.0),
        _site("5g_a", 3500, 30.0, "urban", radius_m=600.0),
        _site("5g_small", 3500, 10.0, "urban", radius_m=150.0),
        _site("5g_small", 3500, 10.0, "urban", radius_m=0.0),  # 0 means "no override" for the model
        _site("5g_macro", 2600, 30.25, "urban", radius_m=987.0),
        _site("5g_macro", 3500, 30.0, " Urban "),  # normalised like the scalar path does
        _site("5g_macro", 3500, 30.04, "urban"),  # same 0.1 m cache bucket as 30.0
        _site("unknown_kind", 3500, 30.0, "urban"),  # unknown kinds count as 5G macro
    ]
    sites = sites * 5  # repeated profiles, as in a real scenario
    rng = np.random.default_rng(5)
    return [sites[i] for i in rng.permutation(len(sites))]


def test_site_radii_equal_scalar_site_radius_for_mixed_sites() -> None:
    sites = _mixed_sites()
    expected = np.array([site_radius_m(s) for s in sites])
    got = site_radii_m(sites)
    assert got.shape == (len(sites),) and got.dtype == float
    np.testing.assert_array_equal(got, expected)
    # Overrides win, and only > 0 counts as one.
    for s, r in zip(sites, got, strict=True):
        if s.radius_m:
            assert r == s.radius_m


def test_site_radii_equal_scalar_on_a_cold_cache_and_from_any_iterable() -> None:
    sites = _mixed_sites()
    prop.clear_radius_cache()
    got = site_radii_m(iter(sites))  # batched solves, from a one-shot iterator
    prop.clear_radius_cache()
    expected = np.array([site_radius_m(s) for s in sites])  # one-profile solves
    np.testing.assert_array_equal(got, expected)
    assert site_radii_m(dict(enumerate(sites[:7])).values()).shape == (7,)


def test_empty() -> None:
    out = site_radii_m([])
    assert out.shape == (0,) and out.dtype == float


def test_small_cell_gets_a_small_cell_radius() -> None:
    small = _site("5g_small", 3500, 10.0, "urban")
    r = site_radius_m(small)
    assert r < 400.0
    assert 150.0 <= r <= 350.0
    macro = site_radius_m(_site("5g_macro", 3500, 10.0, "urban"))
    assert r < 0.5 * macro  # what small cells used to get: the UMa macro radius
    for band in (2600, 3500, 4900):
        for env in ("urban", "suburban", "rural"):
            for h in (6.0, 8.0, 10.0, 12.0, 15.0):
                assert site_radius_m(_site("5g_small", band, h, env)) < 400.0


def test_5g_a_site_radius_is_below_the_equivalent_macro() -> None:
    for band in (3500, 4900):
        for env in ("urban", "suburban", "rural"):
            for h in (20.0, 30.0, 40.0):
                a = site_radius_m(_site("5g_a", band, h, env))
                macro = site_radius_m(_site("5g_macro", band, h, env))
                assert a < macro, (band, env, h)


def test_rural_700mhz_macro_is_rma_sized() -> None:
    r = site_radius_m(_site("5g_macro", 700, 35.0, "rural"))
    assert 2000.0 < r < 5000.0


def test_invalid_site_error_names_the_site() -> None:
    sites = _mixed_sites()[:50]
    bad = _site("5g_macro", 3500, 30.0, "downtown")
    with pytest.raises(ValueError, match=rf"site '{bad.id}': unknown environment 'downtown'"):
        site_radii_m([*sites, bad, _site("5g_macro", 3500, -1.0, "urban")])
    with pytest.raises(ValueError, match="unknown environment"):
        site_radius_m(bad)
    # No default small-cell MAPL on 700 MHz: named too, unless the site has an override.
    small_700 = _site("5g_small", 700, 10.0, "urban")
    with pytest.raises(ValueError, match=rf"site '{small_700.id}': no default 5G small-cell MAPL"):
        site_radii_m([*sites, small_700])
    assert site_radii_m([_site("5g_small", 700, 10.0, "urban", radius_m=300.0)])[0] == 300.0
