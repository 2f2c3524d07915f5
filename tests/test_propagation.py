"""Tests for planner.geo.propagation (path loss models and coverage radius)."""

from __future__ import annotations

import math
import time
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from planner.geo import propagation as prop
from planner.geo.propagation import (
    BANDS,
    DEFAULT_MAPL_DB,
    ENVIRONMENTS,
    SMALL_CELL_MAPL_DB,
    cost231_hata_db,
    coverage,
    coverage_radius_m,
    default_mapl_db,
    effective_radii_m,
    effective_radius_m,
    hata_db,
    model_path_loss_db,
    radius_table_markdown,
    rma_breakpoint_m,
    rma_los_db,
    rma_nlos_db,
    select_model,
    uma_breakpoint_m,
    uma_los_db,
    uma_nlos_db,
    umi_los_db,
    umi_nlos_db,
)

log10 = math.log10
BAND_FREQS = [b.freq_mhz for b in BANDS]  # 700, 2600, 3500, 4900


# --------------------------------------------------------------------------
# Published / hand-computed reference values
# --------------------------------------------------------------------------


def test_published_check_3p5ghz_uma_nlos_139db_25m_is_about_850m() -> None:
    r = coverage_radius_m(3500.0, 25.0, "urban", mapl_db=139.0, h_ut_m=1.5)
    assert r == pytest.approx(850.0, rel=0.10)
    # Hand solution of 13.54 + 39.08 log10(d3D) + 20 log10(3.5) = 139 (NLOS
    # term dominates the LOS floor there): d3D ~ 854.9 m.
    d3d = 10 ** ((139.0 - 13.54 - 20 * log10(3.5)) / 39.08)
    assert r == pytest.approx(math.sqrt(d3d**2 - 23.5**2), rel=1e-6)


def test_default_mapl_gives_published_check_for_n78_urban() -> None:
    assert default_mapl_db(3500, "urban") == 139.0
    assert coverage_radius_m(3500, 25, "urban") == pytest.approx(850.0, rel=0.10)


def test_uma_breakpoint_by_hand() -> None:
    # d'_BP = 4 (25-1)(1.5-1) 3.5e9 / 3e8 = 560 m
    assert uma_breakpoint_m(3500, 25, 1.5) == pytest.approx(560.0)


def test_uma_los_pl1_at_100m_by_hand() -> None:
    d3d = math.sqrt(100.0**2 + (25.0 - 1.5) ** 2)
    expected = 28.0 + 22.0 * log10(d3d) + 20.0 * log10(3.5)
    assert uma_los_db(100.0, 3500.0, 25.0, 1.5) == pytest.approx(expected, abs=1e-9)
    assert expected == pytest.approx(83.14, abs=0.01)


def test_uma_los_pl2_beyond_breakpoint_by_hand() -> None:
    d2d = 1000.0  # > d'_BP = 560 m
    d3d = math.sqrt(d2d**2 + 23.5**2)
    expected = 28.0 + 40.0 * log10(d3d) + 20.0 * log10(3.5) - 9.0 * log10(560.0**2 + 23.5**2)
    assert uma_los_db(d2d, 3500.0, 25.0) == pytest.approx(expected, abs=1e-9)


def test_uma_los_continuous_at_breakpoint() -> None:
    d_bp = uma_breakpoint_m(3500, 25, 1.5)
    below = uma_los_db(d_bp * (1 - 1e-9), 3500, 25)
    above = uma_los_db(d_bp * (1 + 1e-9), 3500, 25)
    assert above == pytest.approx(below, abs=1e-6)


def test_uma_nlos_by_hand_is_max_of_los_and_nlos_prime() -> None:
    for d2d in (50.0, 300.0, 1000.0, 4000.0):
        d3d = math.sqrt(d2d**2 + 23.5**2)
        nlos_p = 13.54 + 39.08 * log10(d3d) + 20 * log10(3.5) - 0.6 * (1.5 - 1.5)
        expected = max(uma_los_db(d2d, 3500, 25), nlos_p)
        assert uma_nlos_db(d2d, 3500, 25) == pytest.approx(expected, abs=1e-9)
    # UE-height term: -0.6 (h_UT - 1.5)
    d3d = math.sqrt(500.0**2 + (25.0 - 4.5) ** 2)
    nlos_p = 13.54 + 39.08 * log10(d3d) + 20 * log10(3.5) - 0.6 * 3.0
    assert uma_nlos_db(500.0, 3500, 25, 4.5) == pytest.approx(max(nlos_p, uma_los_db(500.0, 3500, 25, 4.5)), abs=1e-9)


def test_umi_by_hand() -> None:
    d2d, fc = 200.0, 3.5
    d3d = math.sqrt(d2d**2 + 8.5**2)
    d_bp = 4 * 9.0 * 0.5 * 3.5e9 / 3e8  # 210 m, so 200 m is PL1
    assert d2d < d_bp
    los = 32.4 + 21 * log10(d3d) + 20 * log10(fc)
    nlos_p = 35.3 * log10(d3d) + 22.4 + 21.3 * log10(fc)
    assert umi_los_db(d2d, 3500, 10.0) == pytest.approx(los, abs=1e-9)
    assert umi_nlos_db(d2d, 3500, 10.0) == pytest.approx(max(los, nlos_p), abs=1e-9)


def _rma_pl1(d: float, fc: float, h: float) -> float:
    return (
        20 * log10(40 * math.pi * d * fc / 3)
        + min(0.03 * h**1.72, 10) * log10(d)
        - min(0.044 * h**1.72, 14.77)
        + 0.002 * log10(h) * d
    )


def test_rma_los_by_hand_both_sides_of_breakpoint() -> None:
    fc, hbs, hut, h = 3.5, 35.0, 1.5, 5.0
    d_bp = 2 * math.pi * hbs * hut * 3.5e9 / 3e8
    assert rma_breakpoint_m(3500, hbs, hut) == pytest.approx(d_bp)
    d3d = math.sqrt(100.0**2 + (hbs - hut) ** 2)
    assert rma_los_db(100.0, 3500, hbs) == pytest.approx(_rma_pl1(d3d, fc, h), abs=1e-9)
    d2d = 8000.0
    d3d = math.sqrt(d2d**2 + (hbs - hut) ** 2)
    expected = _rma_pl1(d_bp, fc, h) + 40 * log10(d3d / d_bp)
    assert rma_los_db(d2d, 3500, hbs) == pytest.approx(expected, abs=1e-9)


def test_rma_nlos_by_hand_defaults() -> None:
    fc, hbs, hut, w, h, d2d = 3.5, 35.0, 1.5, 20.0, 5.0, 1000.0
    d3d = math.sqrt(d2d**2 + (hbs - hut) ** 2)
    nlos_p = (
        161.04
        - 7.1 * log10(w)
        + 7.5 * log10(h)
        - (24.37 - 3.7 * (h / hbs) ** 2) * log10(hbs)
        + (43.42 - 3.1 * log10(hbs)) * (log10(d3d) - 3)
        + 20 * log10(fc)
        - (3.2 * log10(11.75 * hut) ** 2 - 4.97)
    )
    expected = max(nlos_p, rma_los_db(d2d, 3500, hbs))
    assert rma_nlos_db(d2d, 3500, hbs) == pytest.approx(expected, abs=1e-9)
    # Suburban (M.2135 SMa, h = 10 m) has more clutter loss than rural h = 5 m.
    assert rma_nlos_db(d2d, 3500, hbs, building_height_m=10.0) > rma_nlos_db(d2d, 3500, hbs)


def test_hata_urban_900mhz_30m_1km_is_126_4db() -> None:
    f, hb, hm = 900.0, 30.0, 1.5
    a_hm = (1.1 * log10(f) - 0.7) * hm - (1.56 * log10(f) - 0.8)
    expected = 69.55 + 26.16 * log10(f) - 13.82 * log10(hb) - a_hm + (44.9 - 6.55 * log10(hb)) * 0
    assert hata_db(1000.0, f, hb, hm) == pytest.approx(expected, abs=1e-9)
    assert hata_db(1000.0, f, hb, hm) == pytest.approx(126.4, abs=0.05)


def test_hata_area_corrections_by_hand() -> None:
    f = 700.0
    urban = hata_db(5000.0, f, 40.0)
    assert hata_db(5000.0, f, 40.0, area="suburban") == pytest.approx(urban - 2 * log10(f / 28) ** 2 - 5.4, abs=1e-9)
    assert hata_db(5000.0, f, 40.0, area="open") == pytest.approx(
        urban - 4.78 * log10(f) ** 2 + 18.33 * log10(f) - 40.94, abs=1e-9
    )
    # Large-city a(h_m) for f >= 400 MHz is ~0 dB at h_m = 1.5 m.
    assert hata_db(5000.0, f, 40.0, city="large") == pytest.approx(urban, abs=0.05)


def test_cost231_by_hand() -> None:
    f, hb, hm, d_km = 1800.0, 30.0, 1.5, 2.0
    a_hm = (1.1 * log10(f) - 0.7) * hm - (1.56 * log10(f) - 0.8)
    base = 46.3 + 33.9 * log10(f) - 13.82 * log10(hb) - a_hm + (44.9 - 6.55 * log10(hb)) * log10(d_km)
    assert cost231_hata_db(2000.0, f, hb, hm) == pytest.approx(base, abs=1e-9)
    assert cost231_hata_db(2000.0, f, hb, hm, metropolitan=True) == pytest.approx(base + 3, abs=1e-9)


def test_scalar_in_float_out_array_in_array_out() -> None:
    assert isinstance(uma_nlos_db(100.0, 3500, 25), float)
    out = uma_nlos_db(np.array([100.0, 200.0]), 3500, 25)
    assert isinstance(out, np.ndarray) and out.shape == (2,)


# --------------------------------------------------------------------------
# Monotonicity and trends
# --------------------------------------------------------------------------

_D = np.geomspace(10.0, 20_000.0, 2000)

_MODEL_CASES = [
    ("uma_los", lambda d, f, h: uma_los_db(d, f, h), (2600, 3500, 4900)),
    ("uma_nlos", lambda d, f, h: uma_nlos_db(d, f, h), (700, 2600, 3500, 4900, 28000)),
    ("umi_nlos", lambda d, f, h: umi_nlos_db(d, f, h), (700, 2600, 3500, 4900)),
    ("rma_los", lambda d, f, h: rma_los_db(d, f, h), (700, 2600, 3500, 4900)),
    ("rma_nlos", lambda d, f, h: rma_nlos_db(d, f, h), (700, 2600, 3500, 4900)),
    (
        "sma_nlos",
        lambda d, f, h: rma_nlos_db(d, f, h, building_height_m=10),
        (2600, 3500, 4900),
    ),
    ("hata_urban", lambda d, f, h: hata_db(d, f, h), (150, 450, 700, 900, 1500)),
    ("hata_open", lambda d, f, h: hata_db(d, f, h, area="open"), (700, 1500)),
    ("cost231", lambda d, f, h: cost231_hata_db(d, f, h), (1500, 1800, 2000)),
]


@pytest.mark.parametrize("name,fn,freqs", _MODEL_CASES, ids=[c[0] for c in _MODEL_CASES])
@pytest.mark.parametrize("h_bs", [12.0, 20.0, 25.0, 30.0, 40.0, 60.0])
def test_path_loss_monotone_in_distance(name: str, fn, freqs, h_bs: float) -> None:
    for f in freqs:
        pl = np.asarray(fn(_D, f, h_bs))
        assert np.all(np.diff(pl) >= -1e-9), f"{name} not monotone at {f} MHz, {h_bs} m"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_radius_decreases_with_band_frequency_default_mapl(env: str) -> None:
    radii = [coverage_radius_m(f, 30.0, env) for f in BAND_FREQS]
    assert all(a > b for a, b in pairwise(radii)), radii


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_radius_decreases_with_frequency_fixed_mapl(env: str) -> None:
    # Within each model family, same MAPL: strictly shrinking radius.  The
    # Hata MAPL is chosen per environment so no radius hits a 1/20 km clamp;
    # rural is TR 38.901 RMa at every band (0.5-30 GHz), so it gets one
    # sweep from 500 MHz up.
    sweeps = [(np.linspace(2100, 6000, 12), 135.0)]
    if env == "rural":
        sweeps.append((np.linspace(500, 6000, 24), 130.0))
    else:
        sweeps.append((np.linspace(400, 1500, 12), {"urban": 140.0, "suburban": 135.0}[env]))
    for freqs, mapl in sweeps:
        radii = [coverage_radius_m(float(f), 30.0, env, mapl_db=mapl) for f in freqs]
        assert all(a > b for a, b in pairwise(radii)), (env, radii)
    # Across the shipped bands with one MAPL too (crosses Hata -> 38.901).
    radii = [coverage_radius_m(f, 30.0, env, mapl_db=130.0) for f in BAND_FREQS]
    assert all(a > b for a, b in pairwise(radii)), radii


@pytest.mark.parametrize("freq", BAND_FREQS)
@pytest.mark.parametrize("env", ["suburban", "rural"])
def test_radius_increases_with_height(freq: float, env: str) -> None:
    radii = [coverage_radius_m(freq, h, env) for h in (15, 20, 25, 30, 35, 40, 60)]
    assert all(b > a for a, b in pairwise(radii)), radii


@pytest.mark.parametrize("env", ["urban", "suburban", "rural"])
def test_small_cell_radius_is_height_insensitive_and_hotspot_sized(env: str) -> None:
    # UMi-Street Canyon NLOS has no h_BS term either: 6-15 m masts all give
    # the same ground radius to within 1 %, and a hotspot-sized one.
    for freq in (2600.0, 3500.0, 4900.0):
        radii = [coverage_radius_m(freq, h, env, cell="small") for h in (6, 8, 10, 12, 15)]
        assert max(radii) == pytest.approx(min(radii), rel=0.01), radii
        assert min(radii) > 150.0 and max(radii) < 400.0, (freq, radii)


def test_radius_increases_with_height_urban_hata() -> None:
    radii = [coverage_radius_m(700, h, "urban") for h in (20, 25, 30, 35, 40)]
    assert all(b > a for a, b in pairwise(radii)), radii


@pytest.mark.parametrize("freq", [2600.0, 3500.0, 4900.0])
def test_urban_uma_nlos_radius_is_height_insensitive(freq: float) -> None:
    # Documented property of TR 38.901 UMa NLOS: no h_BS term (fitted at
    # 25 m), so the ground radius is flat to within 0.5 % over 20-40 m.
    r20 = coverage_radius_m(freq, 20, "urban")
    r40 = coverage_radius_m(freq, 40, "urban")
    assert r40 == pytest.approx(r20, rel=0.005)


def test_radius_increases_with_mapl() -> None:
    for env in ENVIRONMENTS:
        for f in BAND_FREQS:
            radii = [coverage_radius_m(f, 30, env, mapl_db=m) for m in (120, 125, 130, 135)]
            assert all(b >= a for a, b in pairwise(radii))


def test_radius_reaches_mapl_exactly() -> None:
    for env in ENVIRONMENTS:
        for f in BAND_FREQS:
            res = coverage(f, 30.0, env)
            assert res.clamped is None
            pl = model_path_loss_db(res.model, res.radius_m, f, 30.0)
            assert pl == pytest.approx(res.mapl_db, abs=1e-6)
        for f in BAND_FREQS[1:]:
            res = coverage(f, 10.0, env, cell="small")
            assert res.clamped is None and res.model.key == "umi_nlos"
            pl = model_path_loss_db(res.model, res.radius_m, f, 10.0)
            assert pl == pytest.approx(res.mapl_db, abs=1e-6)


def test_batched_solve_equals_single_solves() -> None:
    # The cache solves all missing profiles of a model in one vectorised
    # call; each must equal solving that profile alone (what coverage() does).
    f = np.array([700.0, 760.0, 700.0, 800.0])
    h = np.array([20.0, 30.0, 45.0, 33.3])
    mapl = np.array([134.0, 130.0, 138.0, 125.0])
    model = select_model(700, "rural")
    batch, clamp = prop._solve_radii(model, f, h, np.full(4, 1.5), mapl)
    assert not clamp.any()
    for i in range(4):
        single = coverage(f[i], h[i], "rural", mapl_db=mapl[i])
        assert batch[i] == single.radius_m


# --------------------------------------------------------------------------
# Model selection and clamping
# --------------------------------------------------------------------------


def test_model_selection() -> None:
    # Macro: Hata / COST-231 only for urban and suburban at <= 2000 MHz.
    assert select_model(700, "urban").key == "hata_urban"
    assert select_model(700, "suburban").key == "hata_suburban"
    assert select_model(1800, "urban").key == "cost231_urban"
    assert select_model(1800, "suburban").key == "cost231_suburban"
    assert select_model(2600, "urban").key == "uma_nlos"
    assert select_model(3500, "Suburban ").key == "sma_nlos"
    # Rural: TR 38.901 RMa NLOS at every band, never Hata's open-area form.
    for f in (500, 700, 1500, 1800, 2600, 4900):
        assert select_model(f, "RURAL").key == "rma_nlos"
    # Small cells: UMi-Street Canyon NLOS in every environment and band.
    for env in ENVIRONMENTS:
        for f in (700, 1800, 3500, 28000):
            assert select_model(f, env, cell="small").key == "umi_nlos"
    assert select_model(3500, "urban", cell=" Macro").key == "uma_nlos"
    with pytest.raises(ValueError, match="unknown cell"):
        select_model(3500, "urban", cell="pico")


def test_rural_700mhz_uses_rma_and_gives_a_realistic_radius() -> None:
    # Decision: Hata open area gave ~12 km at 30 m, unrealistic for rural
    # Ningbo (hills, villages, islands).  RMa NLOS (valid 0.5-30 GHz) instead.
    res = coverage(700, 35.0, "rural")
    assert res.model.key == "rma_nlos" and res.clamped is None
    assert 2000.0 < res.radius_m < 5000.0
    assert res.radius_m < coverage_radius_m(700, 35.0, "suburban")  # no more rural >> suburban
    # Hata open area is still available explicitly, and is the ~12 km outlier.
    assert hata_db(12_000.0, 700, 30.0, area="open") == pytest.approx(134.0, abs=1.0)
    # Below RMa's 500 MHz there is no rural model (no silent Hata fallback).
    with pytest.raises(ValueError, match=r"TR 38\.901 RMa is only valid"):
        coverage_radius_m(450.0, 30.0, "rural", mapl_db=130.0)


def test_clamped_to_validity_range() -> None:
    hi = coverage(3500, 30, "urban", mapl_db=200.0)
    assert hi.radius_m == 5000.0 and hi.clamped == "max"
    lo = coverage(3500, 30, "urban", mapl_db=40.0)
    assert lo.radius_m == 10.0 and lo.clamped == "min"
    hata_lo = coverage(700, 30, "urban", mapl_db=100.0)
    assert hata_lo.radius_m == 1000.0 and hata_lo.clamped == "min"
    hata_hi = coverage(700, 30, "suburban", mapl_db=170.0)
    assert hata_hi.radius_m == 20_000.0 and hata_hi.clamped == "max"
    rma_700_hi = coverage(700, 30, "rural", mapl_db=170.0)
    assert rma_700_hi.radius_m == 5000.0 and rma_700_hi.clamped == "max"
    umi_hi = coverage(3500, 10, "urban", mapl_db=190.0, cell="small")
    assert umi_hi.radius_m == 5000.0 and umi_hi.clamped == "max"
    rma_hi = coverage(3500, 30, "rural", mapl_db=190.0)
    assert rma_hi.radius_m == 5000.0  # RMa NLOS is valid to 5 km only


def test_default_mapl_table_matches_documented_budget() -> None:
    link_gain = {"n28": 145.2, "n41": 150.7, "n78": 149.7, "n79": 148.2}
    margin = {"urban": 7.7 + 3.0, "suburban": 10.2 + 2.0, "rural": 10.2 + 1.0}
    for (band, tech, env), mapl in DEFAULT_MAPL_DB.items():
        expected = link_gain[band] - margin[env] - (3.0 if tech == "5G-A" else 0.0)
        assert mapl == pytest.approx(expected, abs=1e-9), (band, tech, env)
    assert {(b, e) for b, t, e in DEFAULT_MAPL_DB if t == "5G"} == {(b.key, e) for b in BANDS for e in ENVIRONMENTS}


def test_small_cell_mapl_table_matches_documented_budget() -> None:
    # MAPL_small = (G_band - 15 dB lower EIRP-limited budget)
    #              - (1.28 x 7.82 dB UMi shadow fading + 4 dB interference).
    link_gain = {"n41": 150.7, "n78": 149.7, "n79": 148.2}
    for (band, tech, env), mapl in SMALL_CELL_MAPL_DB.items():
        assert tech == "5G" and env in ENVIRONMENTS
        assert mapl == pytest.approx(link_gain[band] - 15.0 - (10.0 + 4.0), abs=1e-9), (band, env)
    assert set(SMALL_CELL_MAPL_DB) == {(b, "5G", e) for b in link_gain for e in ENVIRONMENTS}
    assert default_mapl_db(3500, "urban", cell="small") == 120.7
    assert 125.0 > default_mapl_db(3500, "urban", cell="small") > 115.0


def test_small_cell_radius_is_never_a_macro_radius() -> None:
    r = coverage_radius_m(3500, 10, "urban", cell="small")
    assert 150.0 <= r <= 350.0
    for f in (2600, 3500, 4900):
        for env in ENVIRONMENTS:
            small = coverage_radius_m(f, 10, env, cell="small")
            macro = coverage_radius_m(f, 10, env)  # what small cells used to get
            assert small < 400.0 and small < 0.75 * macro, (f, env, small, macro)
        # Urban (where small cells go) macro radii are UMa's ~0.65-1.05 km.
        assert coverage_radius_m(f, 10, "urban") > 600.0
    with pytest.raises(ValueError, match="no default 5G small-cell MAPL for 700 MHz"):
        coverage_radius_m(700, 10, "urban", cell="small")
    with pytest.raises(ValueError, match="no default 5G-A small-cell MAPL"):
        coverage_radius_m(3500, 10, "urban", tech="5G-A", cell="small")
    # An explicit MAPL works for any band UMi covers.
    assert coverage(700, 10, "urban", mapl_db=125.0, cell="small").model.key == "umi_nlos"


def test_5g_advanced_profile_smaller_radius() -> None:
    for f in (3500, 4900):
        assert coverage_radius_m(f, 30, "urban", tech="5G-A") < coverage_radius_m(f, 30, "urban")
    assert default_mapl_db(4850, "rural", "5g-a") == DEFAULT_MAPL_DB[("n79", "5G-A", "rural")]
    with pytest.raises(ValueError, match="no default 5G-A MAPL"):
        coverage_radius_m(700, 30, "urban", tech="5G-A")


# --------------------------------------------------------------------------
# effective_radius_m / effective_radii_m
# --------------------------------------------------------------------------


def test_override_wins() -> None:
    assert effective_radius_m(3500, 30, "urban", override_m=1234.5) == 1234.5
    model = effective_radius_m(3500, 30, "urban")
    assert model == pytest.approx(coverage_radius_m(3500, 30, "urban"), rel=1e-6)
    for no_override in (None, 0.0, -5.0, float("nan")):
        assert effective_radius_m(3500, 30, "urban", override_m=no_override) == model


@pytest.fixture()
def solves(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Empty radius cache; records how many profiles each cache miss solves."""
    calls: list[int] = []
    real = prop._solve_keys

    def counting(keys):
        calls.append(len(keys))
        return real(keys)

    prop.clear_radius_cache()
    monkeypatch.setattr(prop, "_solve_keys", counting)
    return calls


def test_effective_radius_is_cached(solves: list[int]) -> None:
    for _ in range(100):
        effective_radius_m(3500.2, 30.04, "urban")
    assert solves == [1]
    # Same rounded profile from the vectorised path: still no new solve.
    effective_radii_m([3500.0, 3499.9], [30.0, 30.01], "urban")
    assert solves == [1]
    # Cell type and tech are part of the key.
    effective_radius_m(3500.0, 30.0, "urban", cell="small")
    effective_radius_m(3500.0, 30.0, "urban", tech="5G-A")
    assert solves == [1, 1, 1]


def _random_sites(n: int, seed: int = 7) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    freq = rng.choice(np.array([*BAND_FREQS, 3450.0, 4850.0, 760.0]), n)
    h = rng.choice(np.array([20.0, 25.0, 30.0, 35.0, 40.0, 32.5]), n)
    env = rng.choice(np.array(["urban", "suburban", "rural", "Urban", " RURAL "]), n)
    override = np.where(rng.random(n) < 0.1, rng.uniform(200, 3000, n), np.nan)
    override[rng.random(n) < 0.05] = 0.0
    return freq, h, env, override


def test_vectorised_equals_scalar() -> None:
    freq, h, env, override = _random_sites(3000)
    vec = effective_radii_m(freq, h, env, override)
    scalar = np.array([effective_radius_m(f, hh, e, o) for f, hh, e, o in zip(freq, h, env, override, strict=True)])
    assert vec.shape == (3000,)
    np.testing.assert_array_equal(vec, scalar)


def test_vectorised_equals_scalar_with_cells_and_cold_cache() -> None:
    # Vectorised first on an empty cache (batched solves), then scalar on an
    # empty cache (one-profile solves): bit-identical either way.
    rng = np.random.default_rng(3)
    n = 400
    freq = rng.choice(np.array([2600.0, 3500.0, 4900.0, 3450.0]), n)
    h = rng.choice(np.array([8.0, 10.0, 12.0, 25.0, 30.0]), n)
    env = rng.choice(np.array(["urban", "suburban", "rural"]), n)
    cell = rng.choice(np.array(["macro", "small", "Small "]), n)
    prop.clear_radius_cache()
    vec = effective_radii_m(freq, h, env, cell=cell)
    prop.clear_radius_cache()
    scalar = np.array([effective_radius_m(*args, cell=c) for *args, c in zip(freq, h, env, cell, strict=True)])
    np.testing.assert_array_equal(vec, scalar)
    small = np.char.strip(np.char.lower(cell.astype(str))) == "small"
    assert np.all(vec[small] < 400.0) and vec[~small].mean() > 2 * vec[small].mean()


def test_vectorised_broadcasting_and_shape() -> None:
    heights = np.array([[20.0, 30.0], [35.0, 40.0]])
    out = effective_radii_m(3500.0, heights, "rural")
    assert out.shape == (2, 2)
    for idx in np.ndindex(2, 2):
        assert out[idx] == effective_radius_m(3500.0, heights[idx], "rural")
    assert effective_radii_m([], [], []).shape == (0,)
    # None in an object override column means "no override".
    ov = np.array([None, 500.0], dtype=object)
    out = effective_radii_m([3500.0, 3500.0], 30.0, "urban", ov)
    assert out[1] == 500.0 and out[0] == effective_radius_m(3500.0, 30.0, "urban")
    # tech may be per-site too
    out = effective_radii_m([3500.0, 3500.0], 30.0, "urban", tech=["5G", "5G-A"])
    assert out[1] < out[0]


def test_vectorised_42k_sites_is_fast_and_solves_only_unique_combos(solves: list[int]) -> None:
    freq, h, env, override = _random_sites(42_000, seed=11)
    t0 = time.perf_counter()
    out = effective_radii_m(freq, h, env, override)
    elapsed = time.perf_counter() - t0
    # 7 freqs x 6 heights x 3 environments = 126 combinations at most, all
    # solved in one batch.
    assert len(solves) == 1 and solves[0] <= 126
    assert np.all(np.isfinite(out)) and np.all(out > 0)
    assert elapsed < 5.0


# --------------------------------------------------------------------------
# Invalid input
# --------------------------------------------------------------------------


@pytest.mark.parametrize("bad_h", [-25.0, 0.0, float("nan"), float("inf")])
def test_invalid_height_raises(bad_h: float) -> None:
    with pytest.raises(ValueError, match="h_bs_m"):
        coverage_radius_m(3500, bad_h, "urban")
    with pytest.raises(ValueError, match="h_bs_m"):
        effective_radius_m(3500, bad_h, "urban", override_m=500.0)
    with pytest.raises(ValueError, match="h_bs_m"):
        effective_radii_m([3500, 3500], [30, bad_h], "urban")
    with pytest.raises(ValueError, match="h_bs_m"):
        uma_nlos_db(100.0, 3500, bad_h)


def test_negative_ue_height_and_bs_below_ue_raise() -> None:
    with pytest.raises(ValueError, match="h_ut_m"):
        coverage_radius_m(3500, 30, "urban", h_ut_m=-1.5)
    with pytest.raises(ValueError, match="must be above h_ut_m"):
        coverage_radius_m(3500, 1.0, "urban")
    with pytest.raises(ValueError, match="effective environment height"):
        uma_los_db(100.0, 3500, 25, 0.8)


@pytest.mark.parametrize("bad_env", ["downtown", "", None, 3])
def test_unknown_environment_raises(bad_env) -> None:
    with pytest.raises(ValueError, match="environment"):
        coverage_radius_m(3500, 30, bad_env)
    with pytest.raises(ValueError, match="environment"):
        effective_radius_m(3500, 30, bad_env)
    with pytest.raises(ValueError, match="environment"):
        effective_radii_m([3500, 3500], 30, ["urban", bad_env])


@pytest.mark.parametrize("bad_f", [0.0, -3500.0, float("nan")])
def test_nonpositive_frequency_raises(bad_f: float) -> None:
    with pytest.raises(ValueError, match="freq_mhz"):
        coverage_radius_m(bad_f, 30, "urban")
    with pytest.raises(ValueError, match="freq_mhz"):
        effective_radius_m(bad_f, 30, "urban")
    with pytest.raises(ValueError, match="freq_mhz"):
        effective_radii_m([3500, bad_f], 30, "urban")
    with pytest.raises(ValueError, match="freq_mhz"):
        hata_db(1000.0, bad_f, 30)


def test_out_of_model_range_and_missing_defaults_raise() -> None:
    with pytest.raises(ValueError, match="Okumura-Hata is only valid for 150-1500 MHz"):
        hata_db(1000.0, 3500.0, 30.0)
    with pytest.raises(ValueError, match="COST-231 Hata is only valid"):
        cost231_hata_db(1000.0, 2600.0, 30.0)
    with pytest.raises(ValueError, match=r"TR 38\.901 UMa is only valid"):
        uma_nlos_db(100.0, 400.0, 25.0)
    with pytest.raises(ValueError, match="Okumura-Hata is only valid"):
        coverage_radius_m(100.0, 30, "urban", mapl_db=120)
    with pytest.raises(ValueError, match="no default MAPL for 1800 MHz"):
        coverage_radius_m(1800.0, 30, "urban")
    assert coverage(1800.0, 30, "urban", mapl_db=145.0).clamped is None
    with pytest.raises(ValueError, match="mapl_db"):
        coverage_radius_m(3500.0, 30, "urban", mapl_db=float("nan"))
    with pytest.raises(ValueError, match="tech"):
        coverage_radius_m(3500.0, 30, "urban", tech="6G")
    with pytest.raises(ValueError, match="distance_m"):
        uma_nlos_db(-10.0, 3500, 25)
    with pytest.raises(ValueError, match="building_height_m"):
        rma_nlos_db(100.0, 3500, 35, building_height_m=0.0)


# --------------------------------------------------------------------------
# Documentation stays in sync with the code
# --------------------------------------------------------------------------


def test_doc_contains_generated_radius_table() -> None:
    doc = Path(__file__).resolve().parents[1] / "docs" / "propagation.md"
    text = doc.read_text(encoding="utf-8")
    assert radius_table_markdown() in text
    assert prop.mapl_table_markdown() in text
    assert radius_table_markdown(cell="small") in text
    assert prop.mapl_table_markdown(cell="small") in text
