"""Seeded generator of a *synthetic* 5G site layer for Ningbo.

Real base-station positions are not public, so the bundled scenarios carry sites made by this generator and say
so (every site has ``source = "synthetic"``; the file's sites layer carries a note; the app shows a notice).
The layer is built to be *plausible* and to show the differences a planner can act on (``shared/domain.md``):

* **How many:** 42,000 sites by end-2025 (seed 000), split between districts by a blend of 2020 census
  population (70 %) and land area (30 %): dense districts get most sites, big rural counties still get a floor.
* **Where:** inside each district, ``urban_share`` of its sites cluster around named urban centres (Gaussian,
  σ of 1–4 km), a suburban ring around the same centres (σ × 2.5), and the rest uniformly over the district's land
  (mountains and farmland). Points falling outside the district polygon are redrawn.
* **Weak spots** (seed 000: "F5G/5G-A网络在慈溪、宁海等重点产业园区覆盖率低，
  象山等地的海洋经济集聚区远海数据传输能力薄弱"):
  sites inside the 慈溪 and 宁海 industrial parks listed in :data:`WEAK_SPOTS` are mostly removed, and on 象山's
  offshore islands (every polygon part but the mainland) only :data:`OFFSHORE_KEEP` of the rural sites are kept.
* **What:** band, kind, operator and mast height by environment — urban 2.6/3.5/4.9 GHz macro sites and small
  cells, rural 700 MHz and 2.6 GHz on taller masts — and open years whose cumulative counts follow the published
  totals (:data:`CUMULATIVE_BY_YEAR`): 10,852 at end-2020 (seed 003), 11,799 in 2021 (seed 002), 42,000 at
  end-2025 (seed 000), 2022–2024 interpolated linearly; urban sites come first. About a fifth of the urban
  3.5/4.9 GHz macro sites of the central districts are 5G-A, opened last (in 2025; 5G-A commercial service
  started in 2024).
* **Who:** operators follow the networks in ``shared/domain.md`` ("Networks"). 700 MHz is one network co-built
  and co-owned 1:1 by 中国移动 and 中国广电 and built from 2021, so its sites are ``cmcc_cbn`` and none opens before
  2021 (:data:`BAND_FIRST_YEAR`), spread over 2021–2025 like the other bands. 3.5 GHz is 中国电信 + 中国联通's
  co-built, shared network: each site is built by one of the two and shared with the other, so a site names its
  builder, ``ctcc`` or ``cucc``, half each (an assumption: the sources do not say who builds where). 2.6 and
  4.9 GHz are China Mobile's (``cmcc``).

The same seed always gives the same layer (numpy ``default_rng``), so the bundled files can be regenerated
exactly with ``python tools/build_scenarios.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.domain.features import Site


@dataclass(frozen=True)
class Centre:
    """An urban centre around which sites cluster (WGS-84, approximate)."""

    name: str
    lon: float
    lat: float
    weight: float  # relative share of the district's urban sites
    sigma_km: float  # spread of the urban cluster


# Urban centres per district (approximate WGS-84 positions of town centres, read off public maps).
CENTRES: dict[str, list[Centre]] = {
    "330203": [
        Centre("海曙中心城区", 121.545, 29.872, 5, 2.2),
        Centre("集士港", 121.47, 29.87, 1, 1.5),
        Centre("高桥", 121.48, 29.90, 1, 1.5),
        Centre("鄞江", 121.34, 29.77, 0.5, 1.2),
    ],
    "330205": [
        Centre("江北老城", 121.56, 29.895, 4, 1.8),
        Centre("庄桥", 121.56, 29.935, 1.5, 1.5),
        Centre("慈城", 121.45, 29.97, 1, 1.5),
    ],
    "330206": [
        Centre("新碶", 121.845, 29.905, 4, 2.0),
        Centre("大碶", 121.80, 29.87, 2, 1.8),
        Centre("小港", 121.77, 29.93, 1.5, 1.5),
        Centre("柴桥", 121.92, 29.87, 1, 1.5),
        Centre("梅山", 121.97, 29.79, 0.6, 1.5),
    ],
    "330211": [
        Centre("招宝山", 121.71, 29.955, 3, 1.8),
        Centre("骆驼", 121.62, 29.955, 2, 1.6),
        Centre("庄市", 121.62, 29.92, 1.5, 1.4),
    ],
    "330212": [
        Centre("鄞州新城", 121.565, 29.825, 6, 2.5),
        Centre("宁波高新区", 121.625, 29.88, 3, 1.8),
        Centre("钟公庙", 121.525, 29.825, 2, 1.5),
        Centre("邱隘", 121.63, 29.855, 1.5, 1.5),
        Centre("五乡", 121.705, 29.858, 0.8, 1.4),  # inside 鄞州 (121.69, 29.87 lies in 北仑)
        Centre("姜山", 121.54, 29.74, 1, 1.5),
    ],
    "330213": [
        Centre("奉化城区", 121.41, 29.66, 4, 2.2),
        Centre("溪口", 121.24, 29.67, 1, 1.3),
        Centre("莼湖", 121.52, 29.56, 0.6, 1.3),
    ],
    "330225": [
        Centre("丹城", 121.87, 29.47, 4, 2.0),
        Centre("石浦", 121.95, 29.20, 1.5, 1.5),
        Centre("西周", 121.73, 29.47, 0.6, 1.2),
    ],
    "330226": [
        Centre("宁海城区", 121.43, 29.29, 4, 2.2),
        Centre("西店", 121.53, 29.45, 1, 1.4),
        Centre("长街", 121.65, 29.17, 0.7, 1.3),
    ],
    "330281": [
        Centre("余姚城区", 121.155, 30.04, 5, 2.5),
        Centre("泗门", 121.19, 30.135, 1.2, 1.6),  # inside 余姚 (121.30, 30.12 lies in 慈溪)
        Centre("马渚", 121.08, 30.06, 1, 1.5),
        Centre("陆埠", 121.29, 29.97, 0.6, 1.3),
        Centre("梁弄", 121.05, 29.90, 0.4, 1.2),
    ],
    "330282": [
        Centre("浒山", 121.265, 30.17, 5, 2.5),
        Centre("周巷", 121.14, 30.18, 1.5, 1.6),
        Centre("观海卫", 121.42, 30.16, 1.2, 1.6),
        Centre("龙山", 121.52, 30.12, 0.8, 1.4),
        Centre("逍林", 121.33, 30.20, 0.8, 1.3),
    ],
}

#: Share of each district's sites that are urban (the rest: 40 % of the remainder suburban, 60 % rural).
URBAN_SHARE = {
    "330203": 0.62,
    "330205": 0.6,
    "330206": 0.5,
    "330211": 0.55,
    "330212": 0.62,
    "330213": 0.42,
    "330225": 0.38,
    "330226": 0.4,
    "330281": 0.45,
    "330282": 0.45,
}

#: Industrial parks with weak coverage (seed 000): (name, lon, lat, radius_km, fraction of sites kept).
WEAK_SPOTS = [
    ("慈溪高新区", 121.35, 30.23, 3.2, 0.12),
    ("慈溪滨海经济开发区", 121.20, 30.27, 3.5, 0.15),
    ("宁海经济开发区", 121.47, 29.34, 2.8, 0.12),
    ("宁海科技工业园区", 121.38, 29.25, 2.0, 0.2),
]
#: Fraction of rural sites kept on 象山's offshore islands (weak far-sea links, seed 000).
OFFSHORE_KEEP = 0.3

#: Cumulative sites in service at the end of each year. 2020: 10,852 (seed 003, the 14th FYP's 2020 baseline);
#: 2021: 11,799 (seed 002, "全市累计建成5G基站11799个", articles of autumn 2021, taken as the 2021 figure);
#: 2025: 42,000 (seed 000, "5G基站规模达4.2万个"); 2022–2024 linear between 2021 and 2025; 2019 an estimate.
CUMULATIVE_BY_YEAR = {2019: 2600, 2020: 10852, 2021: 11799, 2022: 19349, 2023: 26900, 2024: 34450, 2025: 42000}
#: Earliest open year of a band: the 700 MHz network (中国移动 + 中国广电) was built from 2021 (domain.md, "Networks").
BAND_FIRST_YEAR = {700: 2021}
#: Operator key of the co-built, co-owned 700 MHz network (planner.domain.vocab.OPERATORS).
OPERATOR_700 = "cmcc_cbn"

# (band MHz, probability) by environment, and the operator that uses each band in Ningbo.
BANDS = {
    "urban": ([2600, 3500, 4900, 700], [0.36, 0.46, 0.10, 0.08]),
    "suburban": ([2600, 3500, 700], [0.40, 0.38, 0.22]),
    "rural": ([700, 2600, 3500], [0.45, 0.35, 0.20]),
}
HEIGHT_RANGE_M = {"urban": (20.0, 35.0), "suburban": (25.0, 40.0), "rural": (30.0, 45.0)}
SMALL_CELL_SHARE_URBAN = 0.12
#: Districts with 5G-A by end-2025 (海曙, 江北, 北仑, 鄞州) and the share of their urban 3.5/4.9 GHz macro sites.
FIVE_GA_DISTRICTS = ("330203", "330205", "330206", "330212")
FIVE_GA_SHARE = 0.22


def _km_to_deg(lat: float) -> tuple[float, float]:
    """Degrees of longitude and latitude per km at ``lat``."""
    return 1 / (111.32 * np.cos(np.radians(lat))), 1 / 110.57


def _sample_inside(rng, geom, n: int, draw) -> np.ndarray:
    """Draw ``n`` points with ``draw(rng, m) -> (m, 2)`` and keep those inside ``geom`` until there are n."""
    import shapely

    out: list[np.ndarray] = []
    have = 0
    for _ in range(200):
        if have >= n:
            break
        pts = draw(rng, max(64, int((n - have) * 1.6)))
        inside = shapely.contains_xy(geom, pts[:, 0], pts[:, 1])
        pts = pts[inside]
        out.append(pts)
        have += len(pts)
    pts = np.concatenate(out) if out else np.empty((0, 2))
    return pts[:n]


def district_site_counts(districts, total: int) -> dict[str, int]:
    """Sites per district: 70 % by 2020 population share, 30 % by land-area share, summing to ``total``."""
    pop = np.array([d.population_2020 for d in districts], float)
    area = np.array([d.land_area_km2 for d in districts], float)
    share = 0.7 * pop / pop.sum() + 0.3 * area / area.sum()
    raw = share * total
    counts = np.floor(raw).astype(int)
    # Largest remainders get the leftover sites so the counts add up exactly.
    for i in np.argsort(-(raw - counts))[: total - counts.sum()]:
        counts[i] += 1
    return {d.adcode: int(c) for d, c in zip(districts, counts, strict=True)}


def _points_for_district(rng, district, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(n, 2) lon/lat and an array of environments for one district, before weak-spot thinning."""
    import shapely

    geom = district.geometry
    shapely.prepare(geom)  # many contains_xy calls follow
    centres = CENTRES[district.adcode]
    weights = np.array([c.weight for c in centres], float)
    weights /= weights.sum()
    n_urban = round(n * URBAN_SHARE[district.adcode])
    n_sub = round((n - n_urban) * 0.4)
    n_rural = n - n_urban - n_sub

    def around(scale: float):
        def draw(rng, m):
            idx = rng.choice(len(centres), size=m, p=weights)
            lon0 = np.array([centres[i].lon for i in idx])
            lat0 = np.array([centres[i].lat for i in idx])
            sig = np.array([centres[i].sigma_km for i in idx]) * scale
            dlon, dlat = _km_to_deg(float(lat0.mean()))
            return np.column_stack([lon0 + rng.normal(0, 1, m) * sig * dlon, lat0 + rng.normal(0, 1, m) * sig * dlat])

        return draw

    x0, y0, x1, y1 = geom.bounds

    def uniform(rng, m):
        return np.column_stack([rng.uniform(x0, x1, m), rng.uniform(y0, y1, m)])

    urban = _sample_inside(rng, geom, n_urban, around(1.0))
    sub = _sample_inside(rng, geom, n_sub, around(2.5))
    rural = _sample_inside(rng, geom, n_rural, uniform)
    pts = np.concatenate([urban, sub, rural])
    env = np.array(["urban"] * len(urban) + ["suburban"] * len(sub) + ["rural"] * len(rural))
    return pts, env


def _keep_mask(rng, adcode: str, district, pts: np.ndarray, env: np.ndarray) -> np.ndarray:
    """Which generated points survive weak-spot and offshore thinning."""
    import shapely

    keep = np.ones(len(pts), bool)
    for _name, lon, lat, r_km, frac in WEAK_SPOTS:
        dlon, dlat = _km_to_deg(lat)
        d = np.hypot((pts[:, 0] - lon) / dlon, (pts[:, 1] - lat) / dlat)
        inside = d < r_km
        keep &= ~inside | (rng.random(len(pts)) < frac)
    if adcode == "330225":
        parts = sorted(shapely.get_parts(district.geometry), key=lambda g: g.area, reverse=True)
        on_main = shapely.contains_xy(parts[0], pts[:, 0], pts[:, 1])
        offshore = ~on_main & (env == "rural")
        keep &= ~offshore | (rng.random(len(pts)) < OFFSHORE_KEEP)
    return keep


def _open_years(rng, env: np.ndarray, last: np.ndarray, earliest: np.ndarray | None = None) -> np.ndarray:
    """Open years following :data:`CUMULATIVE_BY_YEAR`, urban sites earlier than suburban and rural ones, and the
    sites flagged in ``last`` (the 5G-A ones) latest of all.

    ``earliest`` (optional, per site) is the first year a site may open (the 700 MHz network from 2021). Sites with
    the same earliest year form a group; each year's new sites are shared among the groups allowed to open by then
    in proportion to the sites each still has to open, and each group opens its sites in order. So the cumulative
    counts stay exact and, once a band may open, its sites are spread over the remaining years rather than all
    opening in its first year.
    """
    n = len(env)
    order_key = np.select([env == "urban", env == "suburban"], [0.0, 0.35], 0.6) + rng.random(n) + 2.0 * last
    order = np.argsort(order_key, kind="stable")
    if earliest is None:
        earliest = np.zeros(n, int)
    groups = {g: order[earliest[order] == g] for g in np.unique(earliest)}  # each in opening order
    done = dict.fromkeys(groups, 0)  # how many of each group have opened
    years = np.full(n, max(CUMULATIVE_BY_YEAR))
    total = CUMULATIVE_BY_YEAR[max(CUMULATIVE_BY_YEAR)]
    opened = 0
    for year in sorted(CUMULATIVE_BY_YEAR):
        quota = round(CUMULATIVE_BY_YEAR[year] / total * n) - opened
        open_now = [g for g in groups if g <= year]
        left = np.array([len(groups[g]) - done[g] for g in open_now], float)
        if quota > left.sum():
            raise ValueError(f"only {opened + int(left.sum())} sites may open by {year}, {opened + quota} are needed")
        raw = quota * left / left.sum() if left.sum() else left
        share = np.floor(raw).astype(int)
        for i in np.argsort(-(raw - share), kind="stable")[: quota - share.sum()]:
            share[i] += 1
        for g, k in zip(open_now, share, strict=True):
            years[groups[g][done[g] : done[g] + k]] = year
            done[g] += k
        opened += quota
    return years


def generate_sites(districts, total: int = 42000, seed: int = 20251231, id_start: int = 1) -> list[Site]:
    """Generate about ``total`` synthetic sites over ``districts`` (see the module docstring).

    The weak-spot thinning removes some points, so the generator over-draws by the expected loss and trims to
    exactly ``total``. Returns sites sorted by id (``site-000001`` …).
    """
    rng = np.random.default_rng(seed)
    counts = district_site_counts(districts, total)
    all_pts, all_env, all_adcode = [], [], []
    for d in districts:
        target = counts[d.adcode]
        pts, env = _points_for_district(rng, d, int(target * 1.25) + 50)
        keep = _keep_mask(rng, d.adcode, d, pts, env)
        pts, env = pts[keep], env[keep]
        # Trim to the district's count, keeping the urban/suburban/rural proportions.
        pick = np.sort(rng.choice(len(pts), size=min(target, len(pts)), replace=False))
        all_pts.append(pts[pick])
        all_env.append(env[pick])
        all_adcode.append(np.full(len(pick), d.adcode))
    pts = np.concatenate(all_pts)
    env = np.concatenate(all_env)
    adcode = np.concatenate(all_adcode)
    n = len(pts)

    bands = np.empty(n, int)
    for e, (choices, probs) in BANDS.items():
        m = env == e
        bands[m] = rng.choice(choices, size=int(m.sum()), p=probs)
    small = (env == "urban") & (rng.random(n) < SMALL_CELL_SHARE_URBAN) & (bands != 700)
    # 5G-A: urban 3.5/4.9 GHz macro sites in the central districts and Beilun's port area, opened in 2024–2025
    # (5G-A arrived in 2024), about 1,000 of them.
    five_ga = (
        (env == "urban")
        & np.isin(adcode, FIVE_GA_DISTRICTS)
        & np.isin(bands, (3500, 4900))
        & ~small
        & (rng.random(n) < FIVE_GA_SHARE)
    )
    earliest = np.zeros(n, int)
    for band, year in BAND_FIRST_YEAR.items():
        earliest[bands == band] = year
    years = _open_years(rng, env, five_ga, earliest)
    lo = np.array([HEIGHT_RANGE_M[e][0] for e in env])
    hi = np.array([HEIGHT_RANGE_M[e][1] for e in env])
    heights = np.round(lo + rng.random(n) * (hi - lo))
    heights[small] = rng.choice([8.0, 10.0, 12.0], size=int(small.sum()))
    # domain.md, "Networks": 3.5 GHz is China Telecom + China Unicom's co-built, shared network (a site names the
    # one of the two that built it, half each); 2.6/4.9 GHz are China Mobile's; 700 MHz is one network co-built and
    # co-owned by China Mobile and China Broadnet.
    operators = np.where(
        bands == 3500, np.where(rng.random(n) < 0.5, "ctcc", "cucc"), np.where(bands == 700, OPERATOR_700, "cmcc")
    )

    sites = []
    for i in range(n):
        sites.append(
            Site(
                id=f"site-{id_start + i:06d}",
                kind="5g_small" if small[i] else ("5g_a" if five_ga[i] else "5g_macro"),
                operator=str(operators[i]),
                band_mhz=int(bands[i]),
                height_m=float(heights[i]),
                environment=str(env[i]),
                lon=round(float(pts[i, 0]), 6),
                lat=round(float(pts[i, 1]), 6),
                open_year=int(years[i]),
                source="synthetic",
            )
        )
    return sites


def hex_grid_in(geom_wgs84, spacing_m: float, buffer_m: float = 0.0) -> np.ndarray:
    """Points of a hexagonal lattice with ``spacing_m`` between neighbours inside a WGS-84 polygon grown by
    ``buffer_m``.

    A hexagonal layout with spacing √3·r covers a plane with discs of radius r with no gaps; planners use it to
    place new 5G-A sites over a priority zone. Every point of the plane is within spacing/√3 of a lattice point,
    so a buffer of that much makes the discs cover the polygon up to its edge.
    """
    import shapely

    from planner.geo.crs import geometry_to_metric, to_wgs84

    metric = geometry_to_metric(geom_wgs84)
    if buffer_m:
        metric = metric.buffer(buffer_m)
    x0, y0, x1, y1 = metric.bounds
    dy = spacing_m * np.sqrt(3) / 2
    rows = np.arange(y0, y1 + dy, dy)
    xs, ys = [], []
    for k, y in enumerate(rows):
        off = spacing_m / 2 if k % 2 else 0.0
        row = np.arange(x0 - off, x1 + spacing_m, spacing_m)
        xs.append(row)
        ys.append(np.full(len(row), y))
    x = np.concatenate(xs)
    y = np.concatenate(ys)
    inside = shapely.contains_xy(metric, x, y)
    lon, lat = to_wgs84(x[inside], y[inside])
    return np.column_stack([lon, lat])
