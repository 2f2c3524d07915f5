"""Radio propagation and coverage radius for 5G macro and small-cell site planning.

Pure Python + numpy (no Qt, no scipy) so it can run in worker processes,
tests and report scripts without a GUI.

Contents
--------
Path-loss models (all return path loss in dB; ``distance_m`` is the 2-D
ground distance between the site and the UE, in metres):

* 3GPP TR 38.901 V17.0.0 Table 7.4.1-1:
  :func:`uma_los_db`, :func:`uma_nlos_db` (Urban Macro),
  :func:`umi_los_db`, :func:`umi_nlos_db` (Urban Micro - Street Canyon),
  :func:`rma_los_db`, :func:`rma_nlos_db` (Rural Macro).
  Frequency range 0.5-100 GHz (RMa: 0.5-30 GHz).
* Okumura-Hata (Hata 1980): :func:`hata_db`, 150-1500 MHz, 1-20 km.
* COST-231 Hata extension: :func:`cost231_hata_db`, 1500-2000 MHz, 1-20 km.

Coverage radius:

* :func:`select_model` - which model is used for a (frequency, environment,
  cell type).  Rules (docs/propagation.md section 3):

  - macro, urban/suburban, f <= 1500 MHz: Okumura-Hata;
  - macro, urban/suburban, 1500 < f <= 2000 MHz: COST-231 Hata;
  - macro, urban/suburban, f > 2000 MHz: TR 38.901 UMa NLOS / SMa NLOS;
  - macro, rural, any band: TR 38.901 RMa NLOS (0.5-30 GHz, so 700 MHz
    is inside its range) - Hata's open-area correction is *not* used;
  - small cell (``cell="small"``), any environment: TR 38.901 UMi-Street
    Canyon NLOS with the small-cell MAPL profile.
* :func:`coverage` / :func:`coverage_radius_m` - distance at which the
  model's path loss reaches the maximum allowed path loss (MAPL), found by
  a vectorised grid search (:func:`_solve_radii`) and clamped to the
  model's distance validity range.
* :func:`effective_radius_m` - cached per-site radius with manual override.
* :func:`effective_radii_m` - vectorised version for ~10^4-10^5 sites.

Default MAPLs live in :data:`DEFAULT_MAPL_DB` (macro) and
:data:`SMALL_CELL_MAPL_DB` (small cells); the band definitions in
:data:`BANDS`.  See ``docs/propagation.md`` for formulas, sources and the
link-budget assumptions.  ``python -m planner.geo.propagation`` prints the
MAPL and radius tables in markdown.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "BANDS",
    "CELL_TYPES",
    "DEFAULT_MAPL_DB",
    "ENVIRONMENTS",
    "SMALL_CELL_MAPL_DB",
    "TECHNOLOGIES",
    "Band",
    "CoverageResult",
    "ModelChoice",
    "band_for_frequency",
    "clear_radius_cache",
    "cost231_hata_db",
    "coverage",
    "coverage_radius_m",
    "default_mapl_db",
    "effective_radii_m",
    "effective_radius_m",
    "hata_db",
    "mapl_table_markdown",
    "model_path_loss_db",
    "radius_table_markdown",
    "rma_breakpoint_m",
    "rma_los_db",
    "rma_nlos_db",
    "select_model",
    "uma_breakpoint_m",
    "uma_los_db",
    "uma_nlos_db",
    "umi_los_db",
    "umi_nlos_db",
]

SPEED_OF_LIGHT_M_S = 3.0e8  # TR 38.901 uses c = 3.0e8 m/s, not 299 792 458.

ENVIRONMENTS: tuple[str, ...] = ("urban", "suburban", "rural")
TECHNOLOGIES: tuple[str, ...] = ("5G", "5G-A")
# Cell type: "macro" (above-rooftop masts, the default) or "small" (below-
# rooftop street-level small cells, TR 38.901 UMi-Street Canyon with the
# lower small-cell link budget of SMALL_CELL_MAPL_DB).
CELL_TYPES: tuple[str, ...] = ("macro", "small")

# Frequency validity (MHz) of each model family.  Outside these ranges the
# path-loss functions raise instead of silently extrapolating, because using
# e.g. Hata at 3.5 GHz is the classic planning mistake this guards against.
TR38901_FREQ_RANGE_MHZ = (500.0, 100_000.0)
TR38901_RMA_FREQ_RANGE_MHZ = (500.0, 30_000.0)
HATA_FREQ_RANGE_MHZ = (150.0, 1500.0)
COST231_FREQ_RANGE_MHZ = (1500.0, 2000.0)

# Effective environment height for UMa/UMi breakpoint.  TR 38.901 draws h_E
# stochastically for UMa, but it is 1 m with probability 1/(1+C) and
# C = 0 for h_UT < 13 m, so h_E = 1 m is exact for handheld UEs (and is
# the only value for UMi).
H_E_M = 1.0

# RMa defaults from TR 38.901 Table 7.4.1-1 (rural).  The suburban setting
# reuses the same formulas with the ITU-R M.2135 "SMa" building height.
RMA_STREET_WIDTH_M = 20.0
RMA_BUILDING_HEIGHT_M = 5.0
SUBURBAN_BUILDING_HEIGHT_M = 10.0


# --------------------------------------------------------------------------
# Input validation / array helpers
# --------------------------------------------------------------------------


def _as_positive(name: str, value: Any) -> np.ndarray:
    """Return ``value`` as a float array, raising if any entry is not > 0."""
    if (type(value) is float or type(value) is int) and value > 0 and math.isfinite(value):
        # Hot path (per-site scalar calls): skip the array checks below.
        return np.asarray(float(value))
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number > 0, got {value!r}") from None
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    bad = ~np.isfinite(arr) | (arr <= 0.0)
    if np.any(bad):
        i = int(np.argmax(bad.reshape(-1)))
        got = float(arr.reshape(-1)[i])
        where = f" at index {i}" if arr.ndim else ""
        raise ValueError(f"{name} must be a finite number > 0, got {got:g}{where}")
    return arr


def _check_freq_range(freq: np.ndarray, rng: tuple[float, float], model: str) -> None:
    lo, hi = rng
    if np.any((freq < lo) | (freq > hi)):
        bad = freq.reshape(-1)[np.argmax(((freq < lo) | (freq > hi)).reshape(-1))]
        raise ValueError(f"{model} is only valid for {lo:g}-{hi:g} MHz, got freq_mhz={bad:g}")


def _out(arr: np.ndarray) -> float | np.ndarray:
    """Scalars in -> float out; arrays in -> ndarray out."""
    return float(arr) if np.ndim(arr) == 0 else arr


def _d3d(d2d: np.ndarray, h_bs: np.ndarray, h_ut: np.ndarray) -> np.ndarray:
    return np.sqrt(d2d**2 + (h_bs - h_ut) ** 2)


# --------------------------------------------------------------------------
# 3GPP TR 38.901 V17.0.0, Table 7.4.1-1
# --------------------------------------------------------------------------


def uma_breakpoint_m(freq_mhz: float, h_bs_m: float, h_ut_m: float = 1.5, h_e_m: float = H_E_M) -> float | np.ndarray:
    """UMa/UMi breakpoint distance d'_BP = 4 h'_BS h'_UT f_c / c (metres).

    Effective heights are h' = h - h_E (TR 38.901 Note 1, h_E = 1 m here).
    """
    f = _as_positive("freq_mhz", freq_mhz)
    h_bs = _as_positive("h_bs_m", h_bs_m)
    h_ut = _as_positive("h_ut_m", h_ut_m)
    if np.any(h_bs <= h_e_m) or np.any(h_ut <= h_e_m):
        raise ValueError(
            f"h_bs_m and h_ut_m must exceed the effective environment height "
            f"h_E={h_e_m:g} m for the TR 38.901 breakpoint"
        )
    return _out(4.0 * (h_bs - h_e_m) * (h_ut - h_e_m) * f * 1e6 / SPEED_OF_LIGHT_M_S)


def _prep_38901(
    distance_m: Any,
    freq_mhz: Any,
    h_bs_m: Any,
    h_ut_m: Any,
    model: str,
    freq_range: tuple[float, float] = TR38901_FREQ_RANGE_MHZ,
) -> tuple[np.ndarray, ...]:
    d2d = _as_positive("distance_m", distance_m)
    f = _as_positive("freq_mhz", freq_mhz)
    h_bs = _as_positive("h_bs_m", h_bs_m)
    h_ut = _as_positive("h_ut_m", h_ut_m)
    _check_freq_range(f, freq_range, model)
    return d2d, f, h_bs, h_ut


def uma_los_db(
    distance_m: float | np.ndarray,
    freq_mhz: float,
    h_bs_m: float,
    h_ut_m: float = 1.5,
) -> float | np.ndarray:
    """TR 38.901 UMa LOS path loss (dB).

    PL1 = 28.0 + 22 log10(d3D) + 20 log10(fc)               10 m <= d2D <= d'_BP
    PL2 = 28.0 + 40 log10(d3D) + 20 log10(fc)
          - 9 log10(d'_BP^2 + (h_BS - h_UT)^2)                d'_BP <= d2D <= 5 km

    fc in GHz, distances in m, h_E = 1 m.  Nominal h_BS = 25 m,
    1.5 m <= h_UT <= 22.5 m; valid 0.5-100 GHz, d2D 10 m-5 km (values outside
    the distance range are returned unclamped, callers clamp).
    """
    d2d, f, h_bs, h_ut = _prep_38901(distance_m, freq_mhz, h_bs_m, h_ut_m, "TR 38.901 UMa")
    fc = f / 1000.0
    d_bp = np.asarray(uma_breakpoint_m(f, h_bs, h_ut))
    d3d = _d3d(d2d, h_bs, h_ut)
    pl1 = 28.0 + 22.0 * np.log10(d3d) + 20.0 * np.log10(fc)
    pl2 = 28.0 + 40.0 * np.log10(d3d) + 20.0 * np.log10(fc) - 9.0 * np.log10(d_bp**2 + (h_bs - h_ut) ** 2)
    return _out(np.where(d2d <= d_bp, pl1, pl2))


def uma_nlos_db(
    distance_m: float | np.ndarray,
    freq_mhz: float,
    h_bs_m: float,
    h_ut_m: float = 1.5,
) -> float | np.ndarray:
    """TR 38.901 UMa NLOS path loss (dB): PL = max(PL_UMa-LOS, PL'_UMa-NLOS).

    PL'_UMa-NLOS = 13.54 + 39.08 log10(d3D) + 20 log10(fc) - 0.6 (h_UT - 1.5)

    fc in GHz; valid 10 m <= d2D <= 5 km, 0.5-100 GHz.  Note the NLOS term
    has no h_BS dependence (the model was fitted at h_BS = 25 m), so the
    coverage radius from this model is practically independent of mast
    height - h_BS only enters through d3D and the LOS floor.
    """
    d2d, f, h_bs, h_ut = _prep_38901(distance_m, freq_mhz, h_bs_m, h_ut_m, "TR 38.901 UMa")
    fc = f / 1000.0
    d3d = _d3d(d2d, h_bs, h_ut)
    pl_nlos = 13.54 + 39.08 * np.log10(d3d) + 20.0 * np.log10(fc) - 0.6 * (h_ut - 1.5)
    pl_los = np.asarray(uma_los_db(d2d, f, h_bs, h_ut))
    return _out(np.maximum(pl_los, pl_nlos))


def umi_los_db(
    distance_m: float | np.ndarray,
    freq_mhz: float,
    h_bs_m: float = 10.0,
    h_ut_m: float = 1.5,
) -> float | np.ndarray:
    """TR 38.901 UMi-Street Canyon LOS path loss (dB).

    PL1 = 32.4 + 21 log10(d3D) + 20 log10(fc)               10 m <= d2D <= d'_BP
    PL2 = 32.4 + 40 log10(d3D) + 20 log10(fc)
          - 9.5 log10(d'_BP^2 + (h_BS - h_UT)^2)              d'_BP <= d2D <= 5 km

    Nominal h_BS = 10 m.  Used (as the LOS floor of :func:`umi_nlos_db`) for
    small cells, ``cell="small"``.
    """
    d2d, f, h_bs, h_ut = _prep_38901(distance_m, freq_mhz, h_bs_m, h_ut_m, "TR 38.901 UMi")
    fc = f / 1000.0
    d_bp = np.asarray(uma_breakpoint_m(f, h_bs, h_ut))
    d3d = _d3d(d2d, h_bs, h_ut)
    pl1 = 32.4 + 21.0 * np.log10(d3d) + 20.0 * np.log10(fc)
    pl2 = 32.4 + 40.0 * np.log10(d3d) + 20.0 * np.log10(fc) - 9.5 * np.log10(d_bp**2 + (h_bs - h_ut) ** 2)
    return _out(np.where(d2d <= d_bp, pl1, pl2))


def umi_nlos_db(
    distance_m: float | np.ndarray,
    freq_mhz: float,
    h_bs_m: float = 10.0,
    h_ut_m: float = 1.5,
) -> float | np.ndarray:
    """TR 38.901 UMi-Street Canyon NLOS path loss (dB).

    PL = max(PL_UMi-LOS, PL'_UMi-NLOS),
    PL'_UMi-NLOS = 35.3 log10(d3D) + 22.4 + 21.3 log10(fc) - 0.3 (h_UT - 1.5)
    valid 10 m <= d2D <= 5 km, 0.5-100 GHz, sigma_SF = 7.82 dB.  This is the
    small-cell model of :func:`coverage_radius_m` (``cell="small"``).  Like
    UMa NLOS it has no h_BS term, so small-cell radii hardly depend on the
    mounting height.
    """
    d2d, f, h_bs, h_ut = _prep_38901(distance_m, freq_mhz, h_bs_m, h_ut_m, "TR 38.901 UMi")
    fc = f / 1000.0
    d3d = _d3d(d2d, h_bs, h_ut)
    pl_nlos = 35.3 * np.log10(d3d) + 22.4 + 21.3 * np.log10(fc) - 0.3 * (h_ut - 1.5)
    pl_los = np.asarray(umi_los_db(d2d, f, h_bs, h_ut))
    return _out(np.maximum(pl_los, pl_nlos))


def rma_breakpoint_m(freq_mhz: float, h_bs_m: float, h_ut_m: float = 1.5) -> float | np.ndarray:
    """RMa breakpoint d_BP = 2 pi h_BS h_UT f_c / c in metres (actual heights)."""
    f = _as_positive("freq_mhz", freq_mhz)
    h_bs = _as_positive("h_bs_m", h_bs_m)
    h_ut = _as_positive("h_ut_m", h_ut_m)
    return _out(2.0 * math.pi * h_bs * h_ut * f * 1e6 / SPEED_OF_LIGHT_M_S)


def _rma_pl1(d: np.ndarray, fc_ghz: np.ndarray, h: float) -> np.ndarray:
    return (
        20.0 * np.log10(40.0 * math.pi * d * fc_ghz / 3.0)
        + min(0.03 * h**1.72, 10.0) * np.log10(d)
        - min(0.044 * h**1.72, 14.77)
        + 0.002 * math.log10(h) * d
    )


def _check_rma_geometry(street_width_m: float, building_height_m: float) -> None:
    # Outside TR 38.901's 5-50 m the h^1.72 / log terms are not fitted; and
    # h <= 0 would make log10(h) blow up, so reject rather than extrapolate.
    for name, v in (
        ("street_width_m", street_width_m),
        ("building_height_m", building_height_m),
    ):
        if not (5.0 <= float(v) <= 50.0):
            raise ValueError(f"{name} must be within 5-50 m for TR 38.901 RMa, got {v!r}")


def rma_los_db(
    distance_m: float | np.ndarray,
    freq_mhz: float,
    h_bs_m: float,
    h_ut_m: float = 1.5,
    *,
    street_width_m: float = RMA_STREET_WIDTH_M,
    building_height_m: float = RMA_BUILDING_HEIGHT_M,
) -> float | np.ndarray:
    """TR 38.901 RMa LOS path loss (dB).

    PL1 = 20 log10(40 pi d3D fc / 3) + min(0.03 h^1.72, 10) log10(d3D)
          - min(0.044 h^1.72, 14.77) + 0.002 log10(h) d3D    10 m <= d2D <= d_BP
    PL2 = PL1(d_BP) + 40 log10(d3D / d_BP)                   d_BP <= d2D <= 10 km
    d_BP = 2 pi h_BS h_UT fc / c.

    fc in GHz; h = average building height (default 5 m), W = street width
    (default 20 m; not used by the LOS formula, accepted for symmetry).
    Applicability: 10 m <= h_BS <= 150 m, 1 m <= h_UT <= 10 m,
    5 m <= h, W <= 50 m, 0.5-30 GHz.
    """
    d2d, f, h_bs, h_ut = _prep_38901(
        distance_m,
        freq_mhz,
        h_bs_m,
        h_ut_m,
        "TR 38.901 RMa",
        TR38901_RMA_FREQ_RANGE_MHZ,
    )
    _check_rma_geometry(street_width_m, building_height_m)
    h = float(building_height_m)
    fc = f / 1000.0
    d_bp = np.asarray(rma_breakpoint_m(f, h_bs, h_ut))
    d3d = _d3d(d2d, h_bs, h_ut)
    pl1 = _rma_pl1(d3d, fc, h)
    pl2 = _rma_pl1(d_bp, fc, h) + 40.0 * np.log10(d3d / d_bp)
    return _out(np.where(d2d <= d_bp, pl1, pl2))


def rma_nlos_db(
    distance_m: float | np.ndarray,
    freq_mhz: float,
    h_bs_m: float,
    h_ut_m: float = 1.5,
    *,
    street_width_m: float = RMA_STREET_WIDTH_M,
    building_height_m: float = RMA_BUILDING_HEIGHT_M,
) -> float | np.ndarray:
    """TR 38.901 RMa NLOS path loss (dB): PL = max(PL_RMa-LOS, PL'_RMa-NLOS).

    PL'_RMa-NLOS = 161.04 - 7.1 log10(W) + 7.5 log10(h)
                   - (24.37 - 3.7 (h/h_BS)^2) log10(h_BS)
                   + (43.42 - 3.1 log10(h_BS)) (log10(d3D) - 3)
                   + 20 log10(fc) - (3.2 (log10(11.75 h_UT))^2 - 4.97)

    fc in GHz, valid 10 m <= d2D <= 5 km.  With ``building_height_m=10`` this
    is the ITU-R M.2135 suburban-macro (SMa) parameterisation of the same
    formula, which :func:`coverage_radius_m` uses for 'suburban'.
    """
    d2d, f, h_bs, h_ut = _prep_38901(
        distance_m,
        freq_mhz,
        h_bs_m,
        h_ut_m,
        "TR 38.901 RMa",
        TR38901_RMA_FREQ_RANGE_MHZ,
    )
    _check_rma_geometry(street_width_m, building_height_m)
    w, h = float(street_width_m), float(building_height_m)
    fc = f / 1000.0
    d3d = _d3d(d2d, h_bs, h_ut)
    pl_nlos = (
        161.04
        - 7.1 * math.log10(w)
        + 7.5 * math.log10(h)
        - (24.37 - 3.7 * (h / h_bs) ** 2) * np.log10(h_bs)
        + (43.42 - 3.1 * np.log10(h_bs)) * (np.log10(d3d) - 3.0)
        + 20.0 * np.log10(fc)
        - (3.2 * np.log10(11.75 * h_ut) ** 2 - 4.97)
    )
    pl_los = np.asarray(rma_los_db(d2d, f, h_bs, h_ut, street_width_m=w, building_height_m=h))
    return _out(np.maximum(pl_los, pl_nlos))


# --------------------------------------------------------------------------
# Okumura-Hata and COST-231 Hata
# --------------------------------------------------------------------------

_HATA_AREAS = ("urban", "suburban", "open")


def _hata_a_hm(f: np.ndarray, h_ut: np.ndarray, city: str) -> np.ndarray:
    """Mobile antenna height correction a(h_m) in dB."""
    if city == "medium":
        # Small/medium city (Hata eq. 4).
        return (1.1 * np.log10(f) - 0.7) * h_ut - (1.56 * np.log10(f) - 0.8)
    if city == "large":
        # Large city: Hata gives f <= 200 MHz and f >= 400 MHz forms; the
        # customary split between them is 300 MHz.
        low = 8.29 * np.log10(1.54 * h_ut) ** 2 - 1.1
        high = 3.2 * np.log10(11.75 * h_ut) ** 2 - 4.97
        return np.where(f < 300.0, low, high)
    raise ValueError(f"city must be 'medium' or 'large', got {city!r}")


def _area_correction(f: np.ndarray, area: str) -> np.ndarray:
    if area == "urban":
        return np.zeros_like(f)
    if area == "suburban":
        return -2.0 * np.log10(f / 28.0) ** 2 - 5.4
    if area == "open":
        return -4.78 * np.log10(f) ** 2 + 18.33 * np.log10(f) - 40.94
    raise ValueError(f"area must be one of {_HATA_AREAS}, got {area!r}")


def hata_db(
    distance_m: float | np.ndarray,
    freq_mhz: float,
    h_bs_m: float,
    h_ut_m: float = 1.5,
    *,
    area: str = "urban",
    city: str = "medium",
) -> float | np.ndarray:
    """Okumura-Hata path loss (dB), Hata (1980).

    L_urban = 69.55 + 26.16 log10(f) - 13.82 log10(h_b) - a(h_m)
              + (44.9 - 6.55 log10(h_b)) log10(d_km)
    a(h_m) (small/medium city) = (1.1 log10 f - 0.7) h_m - (1.56 log10 f - 0.8)
    suburban: L_urban - 2 (log10(f/28))^2 - 5.4
    open:     L_urban - 4.78 (log10 f)^2 + 18.33 log10 f - 40.94

    f in MHz.  Validity: 150-1500 MHz (enforced), h_b 30-200 m, h_m 1-10 m,
    d 1-20 km (not enforced: masts of 20-25 m are a common, documented
    extrapolation; callers clamp distance).
    """
    d = _as_positive("distance_m", distance_m)
    f = _as_positive("freq_mhz", freq_mhz)
    h_bs = _as_positive("h_bs_m", h_bs_m)
    h_ut = _as_positive("h_ut_m", h_ut_m)
    _check_freq_range(f, HATA_FREQ_RANGE_MHZ, "Okumura-Hata")
    d_km = d / 1000.0
    pl = (
        69.55
        + 26.16 * np.log10(f)
        - 13.82 * np.log10(h_bs)
        - _hata_a_hm(f, h_ut, city)
        + (44.9 - 6.55 * np.log10(h_bs)) * np.log10(d_km)
    )
    return _out(pl + _area_correction(f, area))


def cost231_hata_db(
    distance_m: float | np.ndarray,
    freq_mhz: float,
    h_bs_m: float,
    h_ut_m: float = 1.5,
    *,
    area: str = "urban",
    metropolitan: bool = False,
) -> float | np.ndarray:
    """COST-231 Hata path loss (dB), COST 231 final report section 4.4.

    L = 46.3 + 33.9 log10(f) - 13.82 log10(h_b) - a(h_m)
        + (44.9 - 6.55 log10(h_b)) log10(d_km) + C_m
    C_m = 0 dB (medium cities, suburban centres), 3 dB (metropolitan centres);
    a(h_m) is the small/medium-city Hata correction.

    COST 231 defines only the urban forms; for ``area='suburban'``/``'open'``
    the Hata area corrections are added (common practice, an extrapolation).
    Validity: 1500-2000 MHz (enforced), h_b 30-200 m, h_m 1-10 m, d 1-20 km.
    """
    d = _as_positive("distance_m", distance_m)
    f = _as_positive("freq_mhz", freq_mhz)
    h_bs = _as_positive("h_bs_m", h_bs_m)
    h_ut = _as_positive("h_ut_m", h_ut_m)
    _check_freq_range(f, COST231_FREQ_RANGE_MHZ, "COST-231 Hata")
    d_km = d / 1000.0
    c_m = 3.0 if metropolitan else 0.0
    pl = (
        46.3
        + 33.9 * np.log10(f)
        - 13.82 * np.log10(h_bs)
        - _hata_a_hm(f, h_ut, "medium")
        + (44.9 - 6.55 * np.log10(h_bs)) * np.log10(d_km)
        + c_m
    )
    return _out(pl + _area_correction(f, area))


# --------------------------------------------------------------------------
# Bands and default MAPL
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """A 5G band as deployed by Chinese operators.

    ``freq_mhz`` is the conventional label frequency used for tables;
    ``lo_mhz``/``hi_mhz`` is the window :func:`band_for_frequency` accepts.
    """

    key: str
    label: str
    freq_mhz: float
    lo_mhz: float
    hi_mhz: float
    operators: str


BANDS: tuple[Band, ...] = (
    # n28 edges are 703-803 MHz; the window starts at 700 so the customary
    # "700 MHz" label resolves to the band.
    Band(
        "n28",
        "700 MHz (n28)",
        700.0,
        700.0,
        803.0,
        "China Broadnet + CMCC (FDD 2x30 MHz)",
    ),
    Band("n41", "2.6 GHz (n41)", 2600.0, 2496.0, 2690.0, "CMCC (TDD 160 MHz)"),
    Band(
        "n78",
        "3.5 GHz (n78)",
        3500.0,
        3300.0,
        3800.0,
        "CTCC + CUCC shared (TDD 100-200 MHz)",
    ),
    Band("n79", "4.9 GHz (n79)", 4900.0, 4400.0, 5000.0, "CMCC (TDD 100 MHz)"),
)

# Default maximum allowed path loss (dB) keyed by (band key, technology,
# environment).  Meaning: propagation-only loss the limiting link (uplink at
# cell edge for all four bands) tolerates for an outdoor, street-level UE,
# after body loss, interference margin and a log-normal shadow-fading margin
# for ~90 % cell-edge (~95 % area) probability; no building penetration.
# Derivation (docs/propagation.md):  MAPL = G_band - M_env, with the
# margin-free link gain G_band = n28 145.2, n41 150.7, n78 149.7, n79 148.2
# dB (5G-A: 3 dB less) and M_env = shadow-fading 1.28*sigma + interference
# = urban 7.7+3.0, suburban 10.2+2.0, rural 10.2+1.0 dB (sigma = 6 dB
# UMa NLOS, 8 dB SMa/RMa NLOS - rural 700 MHz is RMa NLOS too, so its
# margin is the model's own).  n78 urban is anchored on the 139 dB that
# vendor/operator 3.5 GHz budgets typically quote.  Replace with the
# operator's own link budget whenever one is available.
DEFAULT_MAPL_DB: dict[tuple[str, str, str], float] = {
    ("n28", "5G", "urban"): 134.5,
    ("n28", "5G", "suburban"): 133.0,
    ("n28", "5G", "rural"): 134.0,
    ("n41", "5G", "urban"): 140.0,
    ("n41", "5G", "suburban"): 138.5,
    ("n41", "5G", "rural"): 139.5,
    ("n78", "5G", "urban"): 139.0,
    ("n78", "5G", "suburban"): 137.5,
    ("n78", "5G", "rural"): 138.5,
    ("n79", "5G", "urban"): 137.5,
    ("n79", "5G", "suburban"): 136.0,
    ("n79", "5G", "rural"): 137.0,
    # 5G-Advanced (Rel-18) on the same carriers: higher cell-edge rate
    # targets (~ +6 dB SINR) partly offset by ~ +3 dB array gain of the
    # 128T128R / ELAA units being rolled out -> net 3 dB lower MAPL.
    # China Mobile's 5G-A runs on 2.6 GHz (n41) as well as 4.9 GHz, hence an n41 profile by the same rule.
    ("n41", "5G-A", "urban"): 137.0,
    ("n41", "5G-A", "suburban"): 135.5,
    ("n41", "5G-A", "rural"): 136.5,
    ("n78", "5G-A", "urban"): 136.0,
    ("n78", "5G-A", "suburban"): 134.5,
    ("n78", "5G-A", "rural"): 135.5,
    ("n79", "5G-A", "urban"): 134.5,
    ("n79", "5G-A", "suburban"): 133.0,
    ("n79", "5G-A", "rural"): 134.0,
}

# Default MAPL (dB) of 5G *small cells* (cell="small"), keyed like
# DEFAULT_MAPL_DB.  Same meaning (outdoor street-level UE, no penetration
# loss, ~90 % edge probability), different equipment and model:
#
#   MAPL_small = (G_band - 15.0) - (10.0 + 4.0)
#
# * G_band - 15 dB: the reference small cell is an outdoor pole/wall 4T4R
#   micro RRU, 4 x 5 W (43 dBm) into a ~10 dBi integrated antenna, i.e. a
#   DL EIRP ~25 dB below a 200 W (53 dBm) 64T64R AAU with ~25 dBi of
#   beamforming gain.  The uplink loses only ~9 dB (4R ~10 dBi + 4-branch
#   combining vs 64R), so with the ~10 dB of downlink headroom a macro
#   budget has over its uplink, the *downlink* (EIRP) becomes the limiting
#   link, at ~15 dB below the macro limit.
# * 10.0 dB = 1.28 sigma with sigma = 7.82 dB (TR 38.901 UMi NLOS).
# * 4.0 dB interference margin in every environment (macro urban: 3 dB):
#   small cells are co-channel underlays in macro hotspots, so their edge
#   UEs see the overlaid macro layer as a strong interferer, wherever the
#   hotspot is - the margin does not relax with the environment.
#
# n78: 149.7 - 15 - 14 = 120.7 dB, which on UMi NLOS is a ~285 m
# radius for a 10 m small cell.  (125-130 dB, sometimes quoted for small
# cells, would give 380-525 m on UMi NLOS: a micro-macro, not a hotspot
# cell.)  No small-cell profile for n28 (700 MHz is a wide-area coverage
# layer) nor for 5G-A: pass mapl_db for those.
SMALL_CELL_MAPL_DB: dict[tuple[str, str, str], float] = {
    ("n41", "5G", "urban"): 121.7,
    ("n41", "5G", "suburban"): 121.7,
    ("n41", "5G", "rural"): 121.7,
    ("n78", "5G", "urban"): 120.7,
    ("n78", "5G", "suburban"): 120.7,
    ("n78", "5G", "rural"): 120.7,
    ("n79", "5G", "urban"): 119.2,
    ("n79", "5G", "suburban"): 119.2,
    ("n79", "5G", "rural"): 119.2,
}


def _norm_env(environment: Any) -> str:
    env = environment.strip().lower() if isinstance(environment, str) else None
    if env not in ENVIRONMENTS:
        raise ValueError(f"unknown environment {environment!r}; expected one of {ENVIRONMENTS}")
    return env


def _norm_tech(tech: Any) -> str:
    if isinstance(tech, str):
        t = tech.strip().upper().replace("5GA", "5G-A")
        if t in TECHNOLOGIES:
            return t
    raise ValueError(f"unknown tech {tech!r}; expected one of {TECHNOLOGIES}")


def _norm_cell(cell: Any) -> str:
    c = cell.strip().lower() if isinstance(cell, str) else None
    if c not in CELL_TYPES:
        raise ValueError(f"unknown cell {cell!r}; expected one of {CELL_TYPES}")
    return c


def band_for_frequency(freq_mhz: float) -> Band | None:
    """Return the :data:`BANDS` entry whose window contains ``freq_mhz``, else None."""
    f = float(_as_positive("freq_mhz", freq_mhz))
    for band in BANDS:
        if band.lo_mhz <= f <= band.hi_mhz:
            return band
    return None


def default_mapl_db(freq_mhz: float, environment: str, tech: str = "5G", *, cell: str = "macro") -> float:
    """Default MAPL (dB) for a frequency / environment / technology / cell type.

    ``cell="macro"`` reads :data:`DEFAULT_MAPL_DB`, ``cell="small"``
    :data:`SMALL_CELL_MAPL_DB`.  Raises ValueError when no default exists
    (frequency outside the shipped bands, 5G-A on a band without a 5G-A
    profile, a small cell on n28 or with 5G-A): pass ``mapl_db``.
    """
    env = _norm_env(environment)
    t = _norm_tech(tech)
    c = _norm_cell(cell)
    band = band_for_frequency(freq_mhz)
    if band is None:
        raise ValueError(
            f"no default MAPL for {float(freq_mhz):g} MHz (shipped bands: "
            f"{', '.join(b.label for b in BANDS)}); pass mapl_db explicitly"
        )
    table = SMALL_CELL_MAPL_DB if c == "small" else DEFAULT_MAPL_DB
    try:
        return table[(band.key, t, env)]
    except KeyError:
        what = f"{t} small-cell" if c == "small" else t
        raise ValueError(f"no default {what} MAPL for {band.label}; pass mapl_db explicitly") from None


# --------------------------------------------------------------------------
# Model selection and coverage radius
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelChoice:
    """Path-loss model used for a (frequency, environment, cell) and its distance range."""

    key: str
    description: str
    d_min_m: float
    d_max_m: float


_MODELS: dict[str, ModelChoice] = {
    m.key: m
    for m in (
        ModelChoice("uma_nlos", "TR 38.901 UMa NLOS", 10.0, 5000.0),
        ModelChoice("sma_nlos", "TR 38.901 RMa NLOS, h=10 m (ITU-R M.2135 SMa)", 10.0, 5000.0),
        ModelChoice("rma_nlos", "TR 38.901 RMa NLOS, h=5 m", 10.0, 5000.0),
        ModelChoice("umi_nlos", "TR 38.901 UMi-Street Canyon NLOS", 10.0, 5000.0),
        ModelChoice("hata_urban", "Okumura-Hata urban (small/medium city)", 1000.0, 20000.0),
        ModelChoice("hata_suburban", "Okumura-Hata suburban", 1000.0, 20000.0),
        # The two "open" keys are kept for model_path_loss_db() and explicit
        # comparisons only: select_model() no longer picks them (rural is
        # RMa NLOS at every band, see select_model).
        ModelChoice("hata_open", "Okumura-Hata open/rural", 1000.0, 20000.0),
        ModelChoice("cost231_urban", "COST-231 Hata urban (C_m=0)", 1000.0, 20000.0),
        ModelChoice("cost231_suburban", "COST-231 Hata + Hata suburban corr.", 1000.0, 20000.0),
        ModelChoice("cost231_open", "COST-231 Hata + Hata open corr.", 1000.0, 20000.0),
    )
}

# Hata / COST-231 are used for urban and suburban only (rural -> RMa NLOS).
_HATA_AREA_FOR_ENV = {"urban": "urban", "suburban": "suburban"}
_38901_MODEL_FOR_ENV = {
    "urban": "uma_nlos",
    "suburban": "sma_nlos",
    "rural": "rma_nlos",
}


def select_model(freq_mhz: float, environment: str, *, cell: str = "macro") -> ModelChoice:
    """Choose the path-loss model for a frequency, environment and cell type.

    Macro cells (``cell="macro"``, the default):

    ============  ===================  ====================  ==============
    frequency     urban                suburban              rural
    ============  ===================  ====================  ==============
    <= 1500 MHz   Okumura-Hata urban   Okumura-Hata suburb.  TR 38.901 RMa
    1500-2000     COST-231 Hata        COST-231 + suburb.    TR 38.901 RMa
    > 2000 MHz    TR 38.901 UMa        RMa, h=10 m (SMa)     TR 38.901 RMa
    ============  ===================  ====================  ==============

    (all TR 38.901 entries are NLOS.)

    * Hata is fitted on sub-GHz macro data out to 20 km and applies to
      urban and suburban clutter, so it stays there at <= 1500 MHz.
    * Rural uses TR 38.901 RMa NLOS (h = 5 m, W = 20 m) at *every* band:
      RMa is valid 0.5-30 GHz, so 700 MHz is inside its range.  Hata's
      open-area correction was fitted on open farmland and gives ~12 km at
      700 MHz / 30 m; rural Ningbo (hills, villages, islands: Ninghai,
      Xiangshan, Fenghua) is nothing like that, and 12 km discs would
      saturate the coverage maps.  RMa NLOS gives ~2.6 km there.
    * Below 500 MHz there is therefore no rural model: RMa raises.

    Small cells (``cell="small"``): TR 38.901 UMi-Street Canyon NLOS in
    every environment - the model for below-rooftop street-level cells
    (nominal h_BS = 10 m), valid 0.5-100 GHz.  Macro models would give a
    small cell a macro radius.
    """
    env = _norm_env(environment)
    c = _norm_cell(cell)
    f = float(_as_positive("freq_mhz", freq_mhz))
    if c == "small":
        return _MODELS["umi_nlos"]
    if env == "rural":
        return _MODELS["rma_nlos"]
    if f <= HATA_FREQ_RANGE_MHZ[1]:
        return _MODELS["hata_" + _HATA_AREA_FOR_ENV[env]]
    if f <= COST231_FREQ_RANGE_MHZ[1]:
        return _MODELS["cost231_" + _HATA_AREA_FOR_ENV[env]]
    return _MODELS[_38901_MODEL_FOR_ENV[env]]


def model_path_loss_db(
    model: ModelChoice | str,
    distance_m: float | np.ndarray,
    freq_mhz: float,
    h_bs_m: float,
    h_ut_m: float = 1.5,
) -> float | np.ndarray:
    """Evaluate the model chosen by :func:`select_model` (dB)."""
    key = model.key if isinstance(model, ModelChoice) else str(model)
    fn = _model_function(key)
    return fn(distance_m, freq_mhz, h_bs_m, h_ut_m)


def _model_function(key: str) -> Callable[..., float | np.ndarray]:
    if key == "uma_nlos":
        return uma_nlos_db
    if key == "sma_nlos":
        return lambda d, f, hb, hu: rma_nlos_db(d, f, hb, hu, building_height_m=SUBURBAN_BUILDING_HEIGHT_M)
    if key == "rma_nlos":
        return rma_nlos_db
    if key == "umi_nlos":
        return umi_nlos_db
    family, _, area = key.partition("_")
    if family == "hata" and area in _HATA_AREAS:
        return lambda d, f, hb, hu: hata_db(d, f, hb, hu, area=area)
    if family == "cost231" and area in _HATA_AREAS:
        return lambda d, f, hb, hu: cost231_hata_db(d, f, hb, hu, area=area)
    raise ValueError(f"unknown model key {key!r}; expected one of {sorted(_MODELS)}")


@dataclass(frozen=True)
class CoverageResult:
    """Outcome of a coverage-radius solve.

    ``clamped`` is ``"min"``/``"max"`` when the MAPL crossing lies outside the
    model's distance validity range and the radius was clamped to it.
    """

    radius_m: float
    model: ModelChoice
    mapl_db: float
    clamped: str | None


# Points per stage of the root search in _solve_radii.  The first stage
# spans the model's whole distance range and doubles as the monotonicity
# check (turns a silent wrong answer into an error); each later stage
# re-grids the bracketing interval, shrinking it 64-fold.  (Per-call numpy
# overhead dominates, so 65 points beat both 5-33 and 129-257 here.)
_PROBES = 65
# Stop when the bracket is narrower than this in log10(distance) (~2e-9
# relative); reached after 6 stages for a 10 m-5 km range.
_LOG10_TOL = 1e-9
_CLAMP_LABEL = {0: None, -1: "min", 1: "max"}


def _solve_radii(
    model: ModelChoice, f: np.ndarray, h_bs: np.ndarray, h_ut: np.ndarray, mapl: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Solve PL(d) = MAPL for many sites sharing one model (1-D float arrays).

    Returns ``(radius_m, clamp)`` with ``clamp`` -1 / +1 where the crossing
    lies below / beyond the model's distance range (radius clamped to it),
    else 0.  Vectorised over sites *and* over the search grid: each stage
    evaluates the path loss on a 65-point grid in log-distance across the
    current bracket, so ~6 array evaluations replace ~30 scalar bisection
    steps per site.  :func:`coverage` calls this with one site, the cached
    and vectorised radius helpers with all distinct sites of a model, so
    every path computes a radius the same way.
    """
    fn = _model_function(model.key)
    f2, hb2, hu2, m2 = f[:, None], h_bs[:, None], h_ut[:, None], mapl[:, None]
    t = np.linspace(0.0, 1.0, _PROBES)
    n = f.size
    rows = np.arange(n)
    a = np.full(n, math.log10(model.d_min_m))
    b = np.full(n, math.log10(model.d_max_m))
    x = a[:, None] + (b - a)[:, None] * t
    pl = np.asarray(fn(10.0**x, f2, hb2, hu2))
    if np.any(np.diff(pl, axis=1) < -1e-9):
        # Never expected for these models; refuse rather than return a
        # radius from a non-monotone curve where the search is meaningless.
        raise RuntimeError(f"{model.description}: path loss not monotone in distance")
    clamp = np.where(pl[:, 0] >= mapl, -1, np.where(pl[:, -1] <= mapl, 1, 0))
    while True:
        # Bracket: last grid point below the MAPL and the first at/above it
        # (path loss is ~linear in log d, so this narrows evenly).
        ge = pl >= m2
        i = np.clip(np.where(ge.any(axis=1), ge.argmax(axis=1), _PROBES - 1), 1, _PROBES - 1)
        a, b = x[rows, i - 1], x[rows, i]
        if np.all(b - a < _LOG10_TOL):
            break
        x = a[:, None] + (b - a)[:, None] * t
        pl = np.asarray(fn(10.0**x, f2, hb2, hu2))
    radius = 10.0 ** (0.5 * (a + b))
    radius = np.where(clamp < 0, model.d_min_m, np.where(clamp > 0, model.d_max_m, radius))
    return radius, clamp


def _validate_site(freq_mhz: Any, h_bs_m: Any, h_ut_m: Any) -> tuple[float, float, float]:
    f = float(_as_positive("freq_mhz", freq_mhz))
    h_bs = float(_as_positive("h_bs_m", h_bs_m))
    h_ut = float(_as_positive("h_ut_m", h_ut_m))
    if h_bs <= h_ut:
        raise ValueError(f"h_bs_m ({h_bs:g} m) must be above h_ut_m ({h_ut:g} m) for a site")
    return f, h_bs, h_ut


def coverage(
    freq_mhz: float,
    h_bs_m: float,
    environment: str,
    mapl_db: float | None = None,
    h_ut_m: float = 1.5,
    *,
    tech: str = "5G",
    cell: str = "macro",
) -> CoverageResult:
    """Solve PL(d) = MAPL for d and report model, MAPL and clamping.

    See :func:`coverage_radius_m` for the rules.
    """
    f, h_bs, h_ut = _validate_site(freq_mhz, h_bs_m, h_ut_m)
    env = _norm_env(environment)
    c = _norm_cell(cell)
    if mapl_db is None:
        mapl = default_mapl_db(f, env, tech, cell=c)
    else:
        mapl = float(mapl_db)
        if not math.isfinite(mapl) or mapl <= 0.0:
            raise ValueError(f"mapl_db must be a finite number > 0 dB, got {mapl_db!r}")
    model = select_model(f, env, cell=c)
    radius, clamp = _solve_radii(model, np.array([f]), np.array([h_bs]), np.array([h_ut]), np.array([mapl]))
    return CoverageResult(float(radius[0]), model, mapl, _CLAMP_LABEL[int(clamp[0])])


def coverage_radius_m(
    freq_mhz: float,
    h_bs_m: float,
    environment: str,
    mapl_db: float | None = None,
    h_ut_m: float = 1.5,
    *,
    tech: str = "5G",
    cell: str = "macro",
) -> float:
    """Cell radius (m, ground distance) where path loss reaches the MAPL.

    Parameters
    ----------
    freq_mhz : carrier frequency in MHz (> 0).
    h_bs_m : antenna height above ground in metres (> h_ut_m).
    environment : 'urban', 'suburban' or 'rural' (case-insensitive).
    mapl_db : maximum allowed path loss in dB; default from
        :data:`DEFAULT_MAPL_DB` (macro) or :data:`SMALL_CELL_MAPL_DB`
        (small cells) for the band containing ``freq_mhz``.
    h_ut_m : UE height in metres (default 1.5).
    tech : '5G' or '5G-A' (selects the default MAPL profile only).
    cell : 'macro' (default) or 'small'.  Small cells use TR 38.901
        UMi-Street Canyon NLOS and the small-cell MAPL profile.

    The model comes from :func:`select_model`.  The result is clamped to the
    model's distance validity range (TR 38.901 UMa / UMi / RMa NLOS:
    10 m-5 km, Hata / COST-231: 1-20 km); use :func:`coverage` to see
    whether it was.

    Raises
    ------
    ValueError : non-positive/non-finite frequency or heights, h_bs <= h_ut,
        unknown environment/tech/cell, frequency outside the model's validity
        range (e.g. rural below 500 MHz), or no default MAPL for the
        frequency/tech/cell when ``mapl_db`` is None.
    """
    return coverage(freq_mhz, h_bs_m, environment, mapl_db, h_ut_m, tech=tech, cell=cell).radius_m


# --------------------------------------------------------------------------
# Cached per-site and vectorised helpers
# --------------------------------------------------------------------------

# Rounding for the cache key.  1 MHz changes path loss by < 0.003 dB at
# 3.5 GHz and 0.1 m of mast height by ~0.01 %, far below model accuracy,
# while making ~42,000 sites collapse onto a handful of cache entries.
_FREQ_STEP_MHZ = 1.0
_HEIGHT_STEP_M = 0.1


def _round_freq(f: Any) -> Any:
    return np.round(np.asarray(f, dtype=float) / _FREQ_STEP_MHZ) * _FREQ_STEP_MHZ


def _round_height(h: Any) -> Any:
    return np.round(np.asarray(h, dtype=float) / _HEIGHT_STEP_M) * _HEIGHT_STEP_M


# Model radius per rounded, normalised (freq, h_bs, environment, h_ut, tech,
# cell) key, shared by effective_radius_m and effective_radii_m so the two
# always agree exactly.  A city has a few hundred keys; the bound only stops
# unbounded growth in a long GUI session.
_RadiusKey = tuple[float, float, str, float, str, str]
_RADIUS_CACHE: dict[_RadiusKey, float] = {}
_RADIUS_CACHE_MAX = 65_536


def _solve_keys(keys: list[_RadiusKey]) -> list[float]:
    """Model radii (default MAPL) of distinct cache keys, solved per model in one vectorised pass."""
    groups: dict[str, tuple[ModelChoice, list[int], list[float]]] = {}
    profile: dict[tuple[float, str, str, str], tuple[float, ModelChoice]] = {}  # many keys differ in height only
    for j, (f, _h_bs, env, _h_ut, tech, cell) in enumerate(keys):
        got = profile.get((f, env, tech, cell))
        if got is None:
            got = profile[(f, env, tech, cell)] = (
                default_mapl_db(f, env, tech, cell=cell),
                select_model(f, env, cell=cell),
            )
        mapl, model = got
        group = groups.setdefault(model.key, (model, [], []))
        group[1].append(j)
        group[2].append(mapl)
    out = [0.0] * len(keys)
    for model, idx, mapls in groups.values():
        cols = np.array([keys[j][:2] + keys[j][3:4] for j in idx], dtype=float)
        radius, _ = _solve_radii(model, cols[:, 0], cols[:, 1], cols[:, 2], np.array(mapls))
        for j, r in zip(idx, radius.tolist(), strict=True):
            out[j] = r
    return out


def _cached_radii(keys: list[_RadiusKey]) -> list[float]:
    """Cached model radii of ``keys``; the missing ones are solved together."""
    found = {k: _RADIUS_CACHE.get(k) for k in keys}
    missing = [k for k, r in found.items() if r is None]
    if missing:
        solved = dict(zip(missing, _solve_keys(missing), strict=True))
        found.update(solved)
        if len(_RADIUS_CACHE) + len(solved) > _RADIUS_CACHE_MAX:
            _RADIUS_CACHE.clear()
        _RADIUS_CACHE.update(solved)
    return [found[k] for k in keys]


def clear_radius_cache() -> None:
    """Forget all cached model radii (e.g. after editing DEFAULT_MAPL_DB at run time)."""
    _RADIUS_CACHE.clear()


def _override_value(override_m: Any) -> float | None:
    if override_m is None:
        return None
    try:
        v = float(override_m)
    except (TypeError, ValueError):
        raise ValueError(f"override_m must be a number or None, got {override_m!r}") from None
    # Site sheets use 0 / blank (NaN) for "no override", so only > 0 counts.
    return v if math.isfinite(v) and v > 0.0 else None


def effective_radius_m(
    freq_mhz: float,
    h_bs_m: float,
    environment: str,
    override_m: float | None = None,
    *,
    h_ut_m: float = 1.5,
    tech: str = "5G",
    cell: str = "macro",
) -> float:
    """Planning radius of one site: ``override_m`` if > 0, else the model radius.

    Inputs are validated even when an override is given (bad site data should
    surface).  Model radii use the default MAPL of the ``tech`` / ``cell``
    profile and are cached on inputs rounded to 1 MHz / 0.1 m, so the value
    may differ from an unrounded :func:`coverage_radius_m` call by well under
    0.1 %.  ``override_m`` of None, NaN or <= 0 means "no override".
    """
    f, h_bs, h_ut = _validate_site(freq_mhz, h_bs_m, h_ut_m)
    env = _norm_env(environment)
    t = _norm_tech(tech)
    c = _norm_cell(cell)
    ov = _override_value(override_m)
    if ov is not None:
        return ov
    key = (float(_round_freq(f)), float(_round_height(h_bs)), env, float(_round_height(h_ut)), t, c)
    r = _RADIUS_CACHE.get(key)
    return r if r is not None else _cached_radii([key])[0]


def _string_codes(values: np.ndarray, norm: Callable[[Any], str]) -> tuple[np.ndarray, list[str]]:
    """Integer codes of an object array of labels, normalising each distinct label once.

    Returns ``(codes, names)`` with ``names[codes[i]] == norm(values[i])``.  A
    dict over the raw values is much cheaper than ``np.unique`` on strings,
    and labels normalising to the same name share one code.
    """
    raw: dict[Any, int] = {}
    names: list[str] = []
    code_of_name: dict[str, int] = {}
    codes = np.empty(values.size, dtype=np.int64)
    for i, v in enumerate(values.reshape(-1).tolist()):
        try:
            codes[i] = raw[v]
            continue
        except KeyError:
            pass
        except TypeError:  # unhashable: let norm() produce the error message
            norm(v)
            raise
        name = norm(v)
        if name not in code_of_name:
            code_of_name[name] = len(names)
            names.append(name)
        raw[v] = codes[i] = code_of_name[name]
    return codes, names


def effective_radii_m(
    freq_mhz: Any,
    h_bs_m: Any,
    environment: Any,
    override_m: Any = None,
    *,
    h_ut_m: Any = 1.5,
    tech: Any = "5G",
    cell: Any = "macro",
) -> np.ndarray:
    """Vectorised :func:`effective_radius_m` for many sites.

    All arguments broadcast against each other (scalars allowed), including
    ``environment``, ``tech`` and ``cell``.  Only the distinct rounded
    (frequency, height, UE height, environment, tech, cell) combinations -
    a few hundred for a whole city - are solved, via
    ``np.unique(..., return_inverse=True)``; each goes through the same cache
    as :func:`effective_radius_m`, so results are identical to calling it per
    site.  ``override_m`` entries that are None, NaN or <= 0 mean "no
    override".  Returns a float ndarray of the broadcast shape.
    """
    env_raw = np.asarray(environment, dtype=object)
    tech_raw = np.asarray(tech, dtype=object)
    cell_raw = np.asarray(cell, dtype=object)
    ov_raw = np.asarray(np.nan if override_m is None else override_m, dtype=object)
    f, h_bs, h_ut, env_a, tech_a, cell_a, ov_a = np.broadcast_arrays(
        np.asarray(freq_mhz, dtype=float),
        np.asarray(h_bs_m, dtype=float),
        np.asarray(h_ut_m, dtype=float),
        env_raw,
        tech_raw,
        cell_raw,
        ov_raw,
    )
    shape = f.shape
    f, h_bs, h_ut = f.reshape(-1), h_bs.reshape(-1), h_ut.reshape(-1)
    if f.size == 0:
        return np.zeros(shape, dtype=float)

    _as_positive("freq_mhz", f)
    _as_positive("h_bs_m", h_bs)
    _as_positive("h_ut_m", h_ut)
    if np.any(h_bs <= h_ut):
        i = int(np.argmax(h_bs <= h_ut))
        raise ValueError(f"h_bs_m ({h_bs[i]:g} m) must be above h_ut_m ({h_ut[i]:g} m) for a site (index {i})")
    # Normalise the (few) distinct labels once, not per site.
    env_code, env_norm = _string_codes(env_a, _norm_env)
    tech_code, tech_norm = _string_codes(tech_a, _norm_tech)
    cell_code, cell_norm = _string_codes(cell_a, _norm_cell)

    try:
        ov = np.array(ov_a.reshape(-1), dtype=float)  # None -> NaN
    except (TypeError, ValueError):
        raise ValueError("override_m must be numeric (None, NaN or <= 0 for 'no override')") from None
    has_ov = np.isfinite(ov) & (ov > 0.0)

    out = np.where(has_ov, ov, np.nan)
    need = ~has_ov
    if np.any(need):
        keys = np.column_stack(
            [
                _round_freq(f[need]),
                _round_height(h_bs[need]),
                _round_height(h_ut[need]),
                env_code[need],
                tech_code[need],
                cell_code[need],
            ]
        )
        uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
        radii = np.array(
            _cached_radii(
                [
                    (
                        float(k[0]),
                        float(k[1]),
                        env_norm[int(k[3])],
                        float(k[2]),
                        tech_norm[int(k[4])],
                        cell_norm[int(k[5])],
                    )
                    for k in uniq
                ]
            )
        )
        out[need] = radii[inverse.reshape(-1)]
    return out.reshape(shape)


# --------------------------------------------------------------------------
# Markdown tables for docs/propagation.md
# --------------------------------------------------------------------------

# Mast heights tabulated per cell type: macro 20-40 m, small cells 6-15 m.
_TABLE_HEIGHTS_M: dict[str, tuple[float, ...]] = {
    "macro": (20, 25, 30, 35, 40),
    "small": (6, 8, 10, 12, 15),
}


def _mapl_table(cell: str) -> dict[tuple[str, str, str], float]:
    return SMALL_CELL_MAPL_DB if _norm_cell(cell) == "small" else DEFAULT_MAPL_DB


def _profiles(cell: str = "macro") -> list[tuple[Band, str]]:
    table = _mapl_table(cell)
    return [(b, t) for b in BANDS for t in TECHNOLOGIES if (b.key, t, "urban") in table]


def mapl_table_markdown(*, cell: str = "macro") -> str:
    """Markdown table of :data:`DEFAULT_MAPL_DB` (or :data:`SMALL_CELL_MAPL_DB` for ``cell="small"``)."""
    table = _mapl_table(cell)
    lines = [
        "| Band | Tech | " + " | ".join(ENVIRONMENTS) + " |",
        "|---|---|" + "---:|" * len(ENVIRONMENTS),
    ]
    for band, tech in _profiles(cell):
        vals = " | ".join(f"{table[(band.key, tech, e)]:.1f}" for e in ENVIRONMENTS)
        lines.append(f"| {band.label} | {tech} | {vals} |")
    return "\n".join(lines)


def radius_table_markdown(
    heights_m: tuple[float, ...] | None = None, h_ut_m: float = 1.5, *, cell: str = "macro"
) -> str:
    """Markdown table of default-MAPL radii (km) per band x tech x environment x height.

    ``heights_m`` defaults to 20-40 m for macro cells and 6-15 m for small
    cells.  Radii clamped to the model's distance range are marked with a
    dagger.
    """
    c = _norm_cell(cell)
    if heights_m is None:
        heights_m = _TABLE_HEIGHTS_M[c]
    head = "| Band | Tech | Environment | Model | MAPL dB | " + " | ".join(f"{h:g} m" for h in heights_m) + " |"
    lines = [head, "|---|---|---|---|---:|" + "---:|" * len(heights_m)]
    for band, tech in _profiles(c):
        for env in ENVIRONMENTS:
            cells = []
            res = None
            for h in heights_m:
                res = coverage(band.freq_mhz, h, env, None, h_ut_m, tech=tech, cell=c)
                mark = "\u2020" if res.clamped else ""
                cells.append(f"{res.radius_m / 1000.0:.2f}{mark}")
            assert res is not None
            lines.append(
                f"| {band.label} | {tech} | {env} | {res.model.description} | "
                f"{res.mapl_db:.1f} | " + " | ".join(cells) + " |"
            )
    return "\n".join(lines)


def _main() -> None:
    print("## Default macro MAPL (dB)\n")
    print(mapl_table_markdown())
    print("\n## Default small-cell MAPL (dB)\n")
    print(mapl_table_markdown(cell="small"))
    print("\n## Macro coverage radius (km), UE 1.5 m, default MAPL\n")
    print(radius_table_markdown())
    print("\n## Small-cell coverage radius (km), UE 1.5 m, default MAPL\n")
    print(radius_table_markdown(cell="small"))
    print("\n\u2020 clamped to the model's distance validity range.")


if __name__ == "__main__":
    _main()
