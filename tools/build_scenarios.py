"""Build the two bundled scenarios in ``scenarios/`` from the facts in ``shared/domain.md``.

Usage::

    python tools/build_scenarios.py

* ``ningbo_2025_baseline.json`` — the situation at end-2025: the four published 一区一品 assignments (seed 000),
  the parks that plans and news name (approximate positions, marked ``approximate``), the 数创港 core park and the
  镇海数谷 incubation park, the four "双万兆" priority zones drawn approximately (domain.md gives their rough
  extents), F5G areas around every town phased 2020–2025 (:data:`F5G_PHASES`: urban cores first, every town by
  end-2025), and 42,000 synthetic 5G sites (:mod:`planner.synth.sites`).
* ``ningbo_2027_plan.json`` — the baseline plus a plan that reaches the 2027 targets (seed 001, seed 000): ten
  数创港 parks, a 2,000 PFLOPS green intelligent computing centre, F5G and 5G-A over all four priority zones,
  products for all ten districts, and the investment lines, each with a year and a cost from the catalogue.

Figures that are the planner team's assumptions rather than published facts say so in their ``note``.
Running the script twice gives byte-identical files (fixed seed, sorted output, fixed timestamps).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import shapely  # noqa: E402
import shapely.ops  # noqa: E402
from shapely.geometry import Point, box  # noqa: E402

from planner.domain.features import InvestmentItem, Park, Site, Zone  # noqa: E402
from planner.domain.scenario import Scenario, Target, UnitCost  # noqa: E402
from planner.geo.basemap import district_at, districts  # noqa: E402
from planner.geo.crs import geometry_to_metric, geometry_to_wgs84  # noqa: E402
from planner.geo.site_radius import site_radius_m  # noqa: E402
from planner.paths import BASELINE, PLAN_2027  # noqa: E402
from planner.storage.atomic import save  # noqa: E402
from planner.synth.sites import CENTRES, OPERATOR_700, generate_sites, hex_grid_in  # noqa: E402

SEED = 20251231
DOMAIN = "shared/domain.md"

# ------------------------------------------------------------------------------------------------ catalogue
CATALOGUE = [
    UnitCost(
        "5g_macro_site",
        "5G宏站（含配套、工程）",
        "5G macro site (equipment, supporting works, engineering)",
        "站 site",
        25.0,
        f"{DOMAIN}: 20–30 万元/站, midpoint",
    ),
    UnitCost(
        "5g_site_power_per_year",
        "5G基站年电费",
        "5G site electricity per year",
        "站·年 site-year",
        5.5,
        f"{DOMAIN}: ≈5.5 万元/年",
    ),
    UnitCost(
        "5g_small_cell",
        "5G小基站",
        "5G small cell",
        "站 site",
        6.0,
        "assumption: no verified figure (domain.md)",
        assumption=True,
    ),
    UnitCost(
        "5g_a_site",
        "5G-A基站（新建或升级）",
        "5G-A site (new or upgrade)",
        "站 site",
        35.0,
        "assumption: macro-site cost plus ≈40 % for 5G-A equipment",
        assumption=True,
    ),
    UnitCost(
        "computing_per_pflops",
        "智能算力（FP16）",
        "Intelligent computing (FP16)",
        "PFLOPS",
        630.0,
        f"{DOMAIN}: ≈630 万元/PFLOPS (a 300P centre for ≈19 亿元, 2021–22)",
    ),
    UnitCost(
        "f5g_per_km2",
        "F5G光网覆盖（按面积）",
        "F5G fibre coverage (per area)",
        "km²",
        300.0,
        "assumption: no verified figure; area-based estimate for trunk and distribution fibre",
        assumption=True,
    ),
    UnitCost(
        "sck_park",
        "数创港特色创新园（建设）",
        "Data Innovation Port feature park (construction)",
        "个 park",
        50000.0,
        "assumption: ≈10万 m² at 胜遇's ≈5,000 元/m² (25亿元 for ≈50万 m², domain.md)",
        assumption=True,
    ),
    UnitCost(
        "fttr_per_household",
        "FTTR入户",
        "FTTR per household",
        "户 household",
        0.3,
        "assumption: no verified figure (domain.md)",
        assumption=True,
    ),
]

# ------------------------------------------------------------------------------------------------ targets
TARGETS = [
    Target("sck_parks", "数创港特色创新园", "Data Innovation Port feature parks", 2025, 3, "个", "seed 001"),
    Target("sck_parks", "数创港特色创新园", "Data Innovation Port feature parks", 2027, 10, "个", "seed 001"),
    Target("data_enterprises", "数据企业", "Data enterprises", 2025, 500, "家", "seed 001"),
    Target("data_enterprises", "数据企业", "Data enterprises", 2027, 1000, "家", "seed 001"),
    Target("data_products", "累计数据产品", "Data products (cumulative)", 2025, 1200, "件", "seed 001"),
    Target("data_products", "累计数据产品", "Data products (cumulative)", 2027, 2000, "件", "seed 001"),
    Target(
        "circulation_platforms", "行业数据流通平台", "Industry data circulation platforms", 2025, 7, "个", "seed 001"
    ),
    Target(
        "circulation_platforms", "行业数据流通平台", "Industry data circulation platforms", 2027, 10, "个", "seed 001"
    ),
    Target("trading_volume", "数据交易额", "Data trading volume", 2025, 7.5, "亿元", "seed 001"),
    Target("trading_volume", "数据交易额", "Data trading volume", 2027, 15, "亿元", "seed 001"),
    Target("datasets", "高质量数据集（语料库）", "High-quality datasets", 2025, 10, "个", "seed 001"),
    Target("datasets", "高质量数据集（语料库）", "High-quality datasets", 2027, 25, "个", "seed 001"),
    Target("flagship_scenarios", "数据应用标志性场景", "Flagship application scenarios", 2025, 20, "个", "seed 001"),
    Target("flagship_scenarios", "数据应用标志性场景", "Flagship application scenarios", 2027, 40, "个", "seed 001"),
    Target("5g_sites", "5G基站", "5G base stations", 2025, 40000, "个", "seed 003"),
    Target(
        "5g_sites_per_10k",
        "每万人5G基站数",
        "5G base stations per 10,000 people",
        2025,
        26,
        "个/万人",
        "MIIT 十四五信息通信行业发展规划 (shared/domain.md)",
    ),
    Target("computing_pflops", "智能算力（FP16）", "Intelligent computing (FP16)", 2027, 2000, "PFLOPS", "seed 000"),
    Target(
        "priority_zone_coverage",
        "四大重点区域F5G/5G-A覆盖率",
        "F5G/5G-A coverage of the four priority zones",
        2027,
        100,
        "%",
        "seed 000",
    ),
]

# ------------------------------------------------------------------------------------------------ products
PUBLISHED_PRODUCTS = {  # seed 000
    "330206": "港航数据 + 交通治理",
    "330282": "小家电产业 + 环保治理 + 政务服务",
    "330281": "模具产业 + 智能制造 + 算力支撑",
    "330225": "海洋产业 + 防灾减灾",
}
PLANNED_PRODUCTS = {  # the plan's proposals for the six unassigned districts, from the industry profiles in domain.md
    "330203": "软件与信息服务 + 城市治理",
    "330205": "电子商务 + 能效管理",
    "330211": "绿色石化 + 新材料 + 环保监测",
    "330212": "软件与信息服务 + 智慧城市",
    "330213": "文旅数据 + 智慧农业",
    "330226": "模具产业 + 工业互联网",
}


def _on_land(geom):
    """Clip a sketch polygon to Ningbo's land (the district boundaries)."""
    land = shapely.union_all([d.geometry for d in districts()])
    out = shapely.intersection(geom, land)
    return shapely.make_valid(shapely.set_precision(out, 1e-6))


def _disc(lon: float, lat: float, r_km: float):
    """A circle of radius ``r_km`` around a WGS-84 point (built in UTM 51N), clipped to land."""
    c = geometry_to_metric(Point(lon, lat)).buffer(r_km * 1000, quad_segs=16)
    return _on_land(geometry_to_wgs84(c))


def _largest_polygonal(geom):
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


# ------------------------------------------------------------------------------------------------ zones
def priority_zones() -> list[Zone]:
    """The four "双万兆" priority zones (seed 000), drawn from the rough extents in domain.md."""
    note = "示意范围，待规划人员提供正式边界 / approximate outline from domain.md; replace with the official boundary"
    specs = [
        ("zone-000001", "北仑临港产业带", box(121.80, 29.88, 122.05, 29.95)),
        ("zone-000002", "前湾新区", box(121.08, 30.24, 121.36, 30.36)),  # ≈353 km² on land
        ("zone-000003", "余姚经济技术开发区", None),
        ("zone-000004", "慈溪高新区", None),
    ]
    zones = []
    for zid, name, shape in specs:
        if shape is None:
            geom = _disc(121.12, 30.07, 3.5) if "余姚" in name else _disc(121.35, 30.23, 3.2)
        else:
            geom = _on_land(shape)
        zones.append(Zone(zid, name, "priority", _largest_polygonal(geom), 2025, None, True, note))
    return zones


def functional_zones() -> list[Zone]:
    """Functional areas that plans name but that are not districts (domain.md)."""
    note = "示意范围 / approximate outline"
    return [
        Zone(
            "zone-000005",
            "宁波高新区",
            "functional",
            _largest_polygonal(_disc(121.625, 29.88, 4.0)),
            2010,
            None,
            True,
            note,
        )
    ]


#: When gigabit fibre (F5G) reached each town (the urban centres of :data:`planner.synth.sites.CENTRES`). The
#: sources fix the ends: by 2020 fibre reached town and country (seed 003, "光纤网络实现城乡全覆盖"); in 2021 urban
#: households could get 1000 Mbps and rural ones 500 Mbps (seed 002, "城乡家庭宽带接入能力分别达1000Mbps、500Mbps");
#: by end-2025 F5G reached every town (seed 000, "F5G光网实现乡镇全覆盖"). The years between are the planner team's
#: assumption: urban first, then towns in order of size (their weight in CENTRES), the smallest and remotest last.
F5G_PHASES: dict[int, tuple[str, ...]] = {
    # The dense urban cores of the five central districts (海曙, 江北, 北仑, 镇海, 鄞州).
    2020: ("海曙中心城区", "江北老城", "新碶", "大碶", "招宝山", "骆驼", "鄞州新城", "宁波高新区", "钟公庙"),
    # The seats of the five outer districts and counties: with them every 城区 has gigabit access (seed 002).
    2021: ("奉化城区", "丹城", "宁海城区", "余姚城区", "浒山"),
    # Towns, larger first.
    2022: ("庄桥", "小港", "庄市", "邱隘", "石浦", "周巷"),
    2023: ("集士港", "高桥", "慈城", "柴桥", "姜山", "溪口", "西店", "泗门", "马渚", "观海卫"),
    2024: ("五乡", "长街", "龙山", "逍林"),
    # The smallest and remotest towns: every town by end-2025 (seed 000).
    2025: ("鄞江", "梅山", "莼湖", "西周", "陆埠", "梁弄"),
}
#: Why each phase is where it is, for the zones' notes.
F5G_PHASE_NOTES = {
    2020: "中心城区先行（seed 003：2020年光纤网络实现城乡全覆盖）/ central urban cores first (seed 003)",
    2021: "区县城区（seed 002：2021年城镇家庭宽带接入能力1000Mbps）/ district seats (seed 002: urban 1000 Mbps)",
    2022: "乡镇按规模分批（seed 002：2021年乡村500Mbps）/ towns by size (seed 002: rural 500 Mbps in 2021)",
    2025: "2025年底乡镇全覆盖（seed 000）/ every town by end-2025 (seed 000)",
}


def _f5g_note(year: int) -> str:
    """The note of a town's F5G zone opened in ``year``."""
    why = F5G_PHASE_NOTES[min(year, 2022)]
    if year == 2025:
        why += "；" + F5G_PHASE_NOTES[2025]
    return (
        f"千兆光网（F5G）{year}年覆盖，示意范围；分期为规划组假设 / gigabit fibre from {year}, approximate outline, "
        f"phasing assumed. {why}"
    )


def f5g_year(town: str) -> int:
    """The year gigabit fibre reached ``town`` (:data:`F5G_PHASES`)."""
    return next(y for y, towns in F5G_PHASES.items() if town in towns)


def baseline_f5g_zones() -> list[Zone]:
    """F5G areas around every town (seed 000), phased 2020–2025 (:data:`F5G_PHASES`); the industrial parks of
    慈溪/宁海 are left out (seed 000: low F5G/5G-A coverage there).

    One zone per town, clipped to its district; a town's zone leaves out what an earlier (or same-year, listed
    earlier) town of the district already covers, so the zones do not overlap and no area is costed twice.
    """
    from planner.synth.sites import WEAK_SPOTS

    towns = [c.name for cs in CENTRES.values() for c in cs]
    phased = [t for ts in F5G_PHASES.values() for t in ts]
    assert sorted(towns) == sorted(phased), "every town in exactly one F5G phase"
    zones = []
    weak = shapely.union_all([_disc(lon, lat, r) for _n, lon, lat, r, _f in WEAK_SPOTS])
    n = 100
    for d in districts():
        order = sorted(CENTRES[d.adcode], key=lambda c: (f5g_year(c.name), phased.index(c.name)))
        done = None
        for c in order:
            year = f5g_year(c.name)
            geom = shapely.intersection(_disc(c.lon, c.lat, c.sigma_km * 1.6), d.geometry)
            geom = shapely.difference(geom, weak)
            if done is not None:
                geom = shapely.difference(geom, done)
            geom = _largest_polygonal(shapely.make_valid(shapely.set_precision(geom, 1e-6)))
            if geom.is_empty:  # a centre outside its district, or wholly inside an earlier town
                raise ValueError(f"{c.name} ({d.name_zh}) gets no F5G area")
            done = geom if done is None else shapely.union(done, geom)
            n += 1
            zones.append(
                Zone(
                    f"zone-{n:06d}",
                    f"{d.name_zh} {c.name} F5G 覆盖区",
                    "f5g",
                    geom,
                    year,
                    None,
                    True,
                    _f5g_note(year),
                )
            )
    return zones


# ------------------------------------------------------------------------------------------------ parks
def _park(pid, name, kind, lon, lat, status, year, **kw) -> Park:
    district = kw.pop("district", None) or district_at(lon, lat)
    return Park(pid, name, kind, Point(lon, lat), district, status, year, approximate=True, **kw)


def baseline_parks() -> list[Park]:
    """Parks at end-2025 named in domain.md (positions approximate)."""
    est = "入驻数据企业数为示意估计 / hosted data enterprises estimated"
    return [
        _park(
            "park-000001",
            "数创港核心园（胜遇数字经济产业园）",
            "sck_core",
            121.625,
            29.880,
            "operating",
            2025,
            capex_wan=250000.0,
            data_enterprises=120,
            focus="数据要素、软件与信息服务",
            note="宁波高新区；25亿元，约50万㎡，一期2023–2025 / 2.5bn yuan, ≈500,000 m², phase 1 2023–2025. " + est,
        ),
        _park(
            "park-000002",
            "镇海数谷",
            "sck_branch",
            121.705,
            29.965,
            "under_construction",
            2026,
            data_enterprises=30,
            focus="数据产业、绿色石化数据",
            note="2025-12 启动为数创港培育园 / launched Dec 2025 as an incubation park. " + est,
        ),
        _park(
            "park-000003",
            "宁波软件园",
            "digital_park",
            121.635,
            29.872,
            "operating",
            2012,
            data_enterprises=90,
            focus="软件与信息服务",
            note="宁波高新区. " + est,
        ),
        _park(
            "park-000004",
            "前湾新区数字经济产业园",
            "digital_park",
            121.23,
            30.30,
            "operating",
            2022,
            capex_wan=1500000.0,
            data_enterprises=40,
            focus="数字经济",
            note="一二期建成，40余家企业，已投资150亿元以上，规划200万㎡ / phases 1–2 built, 40+ firms, 15bn+ invested",
        ),
        _park(
            "park-000005",
            "余姚机器人智谷小镇",
            "feature_town",
            121.17,
            30.055,
            "operating",
            2018,
            data_enterprises=15,
            focus="机器人、智能制造",
            note=est,
        ),
        _park(
            "park-000006",
            "余姚智能光电小镇",
            "feature_town",
            121.12,
            30.025,
            "operating",
            2018,
            data_enterprises=10,
            focus="智能光电",
            note=est,
        ),
        _park(
            "park-000007",
            "江北前洋E商小镇",
            "feature_town",
            121.52,
            29.93,
            "operating",
            2017,
            data_enterprises=45,
            focus="电子商务",
            note=est,
        ),
        _park(
            "park-000008",
            "镇海新材料小镇",
            "feature_town",
            121.655,
            29.965,
            "operating",
            2017,
            data_enterprises=8,
            focus="新材料",
            note=est,
        ),
        _park(
            "park-000009",
            "慈溪息壤小镇",
            "feature_town",
            121.25,
            30.19,
            "operating",
            2018,
            data_enterprises=20,
            focus="数字经济、创业孵化",
            note=est,
        ),
        _park(
            "park-000010",
            "北仑集成电路产业平台",
            "digital_park",
            121.815,
            29.895,
            "operating",
            2020,
            data_enterprises=12,
            focus="集成电路",
            note=est,
        ),
        _park(
            "park-000011",
            "宁波保税区金融科技（区块链）产业园",
            "digital_park",
            121.835,
            29.935,
            "operating",
            2019,
            data_enterprises=25,
            focus="金融科技、区块链",
            note=est,
        ),
        _park(
            "park-000012",
            "宁波人工智能超算中心",
            "computing_centre",
            121.605,
            29.868,
            "operating",
            2021,
            focus="人工智能超算",
            note="稳定运营（seed 000）；算力规模未在资料中公布，请填写 / capacity not published: enter it",
        ),
    ]


def plan_parks() -> list[Park]:
    """Parks the 2027 plan adds: branch parks to reach ten 数创港 parks and the 2,000P computing centre."""
    note = "规划方案（示意）/ plan proposal"
    return [
        _park(
            "park-000101",
            "数创港慈溪特色园",
            "sck_branch",
            121.30,
            30.19,
            "planned",
            2026,
            capex_wan=60000.0,
            data_enterprises=110,
            focus="小家电产业数据、环保治理",
            note=note + "; seed 000 一核多园",
        ),
        _park(
            "park-000102",
            "数创港北仑特色园（港航数据）",
            "sck_branch",
            121.86,
            29.91,
            "planned",
            2026,
            capex_wan=80000.0,
            data_enterprises=130,
            focus="港航数据、交通治理",
            note=note + "; seed 000 一核多园",
        ),
        _park(
            "park-000103",
            "数创港宁海特色园",
            "sck_branch",
            121.44,
            29.30,
            "planned",
            2026,
            capex_wan=40000.0,
            data_enterprises=50,
            focus="模具产业数据",
            note=note + "; seed 000 一核多园",
        ),
        _park(
            "park-000104",
            "数创港余姚特色园（模具与智造）",
            "sck_branch",
            121.13,
            30.07,
            "planned",
            2027,
            capex_wan=50000.0,
            data_enterprises=70,
            focus="模具产业、智能制造、算力支撑",
            note=note,
        ),
        _park(
            "park-000105",
            "数创港象山特色园（海洋数据）",
            "sck_branch",
            121.88,
            29.48,
            "planned",
            2027,
            capex_wan=30000.0,
            data_enterprises=35,
            focus="海洋产业、防灾减灾",
            note=note,
        ),
        _park(
            "park-000106",
            "数创港江北特色园（E商与能效）",
            "sck_branch",
            121.525,
            29.925,
            "planned",
            2027,
            capex_wan=30000.0,
            data_enterprises=60,
            focus="电子商务、能效管理",
            note=note,
        ),
        _park(
            "park-000107",
            "数创港海曙特色园（软件与城市治理）",
            "sck_branch",
            121.54,
            29.875,
            "planned",
            2027,
            capex_wan=35000.0,
            data_enterprises=80,
            focus="软件与信息服务、城市治理",
            note=note,
        ),
        _park(
            "park-000108",
            "数创港前湾特色园",
            "sck_branch",
            121.22,
            30.31,
            "planned",
            2027,
            capex_wan=45000.0,
            data_enterprises=50,
            focus="汽车与智能制造数据",
            district="330282",
            note=note,
        ),
        _park(
            "park-000109",
            "宁波绿色智能算力中心（2000P）",
            "computing_centre",
            121.11,
            30.075,
            "planned",
            2027,
            capex_wan=2000 * 630.0,
            computing_pflops=2000.0,
            focus="产业智能、城市治理算力分区",
            note="seed 000: 2027年底前建成不低于2000P（FP16）；造价按630万元/PFLOPS估算 / cost at 630 万元 per PFLOPS",
        ),
    ]


# ------------------------------------------------------------------------------------------------ plan sites
def plan_sites(zones: list[Zone], first_id: int) -> list[Site]:
    """5G-A sites on a hexagonal layout over each priority zone, plus sites for the weak spots and 象山 offshore."""
    sites: list[Site] = []
    n = first_id
    prototype = Site("proto", "5g_a", "cmcc", 4900, 30.0, "suburban", 121.5, 29.9)
    r = site_radius_m(prototype)
    spacing = r * 3**0.5 * 0.95  # hexagonal layout with a 5 % overlap margin
    # Masts stand on land: a lattice point in the sea moves to the nearest point ≈30 m inside the coast.
    land = shapely.union_all([d.geometry for d in districts()])
    inland = land.buffer(-0.0003)
    shapely.prepare(land)
    for i, z in enumerate(sorted(zones, key=lambda z: z.id)):
        pts = hex_grid_in(z.geometry, spacing, buffer_m=spacing / 3**0.5)
        at_sea = ~shapely.contains_xy(land, pts[:, 0], pts[:, 1])
        for j in np.flatnonzero(at_sea):
            p = shapely.ops.nearest_points(inland, Point(*pts[j]))[0]
            pts[j] = (p.x, p.y)
        for k, (lon, lat) in enumerate(pts):
            year = 2026 if (i + k) % 2 == 0 else 2027
            sites.append(
                Site(
                    f"site-{n:06d}",
                    "5g_a",
                    "cmcc",  # 4.9 GHz is China Mobile's band
                    4900,
                    30.0,
                    "suburban",
                    round(float(lon), 6),
                    round(float(lat), 6),
                    year,
                    None,
                    None,
                    "planner",
                )
            )
            n += 1
    # 象山 offshore marine cluster: 700 MHz sites on tall masts on the larger islands, on the 700 MHz network that
    # 中国移动 and 中国广电 co-build and co-own (domain.md, "Networks").
    xs = next(d for d in districts() if d.adcode == "330225")
    islands = sorted(shapely.get_parts(xs.geometry), key=lambda g: g.area, reverse=True)[1:13]
    for g in islands:
        p = g.representative_point()
        sites.append(
            Site(
                f"site-{n:06d}",
                "5g_macro",
                OPERATOR_700,
                700,
                45.0,
                "rural",
                round(p.x, 6),
                round(p.y, 6),
                2026,
                None,
                None,
                "planner",
            )
        )
        n += 1
    return sites


def plan_investments() -> list[InvestmentItem]:
    """The plan's non-spatial spending (万元).

    Features on the map are costed from themselves (planner.analysis.investment), so these lines cover only what
    has no place on the map: platforms, datasets, application scenarios, the market. Amounts are the plan's
    assumptions, sized to the seed 001 targets.
    """
    rows = [
        ("行业数据流通平台建设（新增3个，至10个）", "", "platform", 2026, 6000.0, "fiscal"),
        ("行业数据流通平台建设（续）", "", "platform", 2027, 3000.0, "state"),
        ("港航数据可信数据空间", "330206", "platform", 2026, 5000.0, "state"),
        ("小家电+模具+政务服务可信数据空间", "330282", "platform", 2027, 4000.0, "fiscal"),
        ("高质量数据集（语料库）建设（至25个）", "", "other", 2026, 4500.0, "fiscal"),
        ("数据应用标志性场景培育（至40个）", "", "application", 2026, 8000.0, "fiscal"),
        ("数据应用标志性场景培育（续）", "", "application", 2027, 8000.0, "private"),
        ("数据要素市场与数商培育", "", "other", 2027, 5000.0, "fiscal"),
    ]
    return [InvestmentItem(f"inv-{i + 1:06d}", *row) for i, row in enumerate(rows)]


# ------------------------------------------------------------------------------------------------ scenarios
def build_baseline() -> Scenario:
    """The end-2025 situation."""
    dist = districts()
    sites = generate_sites(dist, total=42000, seed=SEED)
    zones = priority_zones() + functional_zones() + baseline_f5g_zones()
    return Scenario(
        id="ningbo-2025-baseline",
        name="宁波 2025 年底现状基线",
        description=(
            "2025年底现状：一区一品已公布4个区县，数创港核心园与镇海数谷培育园，四大双万兆重点区域（示意范围），"
            "F5G城镇覆盖，约4.2万个5G基站（合成示意数据）。/ End-2025 baseline; sites are synthetic."
        ),
        base_year=2025,
        horizon_year=2025,
        author="宁波数字经济规划组 (generated by tools/build_scenarios.py)",
        modified="2025-12-31T00:00:00+08:00",
        notes="站点为按公开总量生成的合成示意数据（seed 000: 4.2万个），非真实基站位置。园区与区域位置为示意。"
        " / The 42,000 sites are synthetic (generated, seeded); park and zone positions are approximate.",
        products=dict(PUBLISHED_PRODUCTS),
        parks={p.id: p for p in baseline_parks()},
        sites={s.id: s for s in sites},
        zones={z.id: z for z in zones},
        investments={},
        catalogue={c.key: c for c in CATALOGUE},
        targets={t.id: t for t in TARGETS},
    )


def build_plan(baseline: Scenario) -> Scenario:
    """The 2027 plan on top of the baseline."""
    plan = baseline.copy()
    plan.id = "ningbo-2027-plan"
    plan.name = "宁波 2027 数字经济建设规划方案"
    plan.description = (
        "在2025基线上：10个数创港特色创新园、2000P绿色智算中心、四大重点区域F5G与5G-A全覆盖、十个区县一区一品全部落位。"
        " / Plan reaching the 2027 targets."
    )
    plan.base_year, plan.horizon_year = 2025, 2027
    plan.modified = "2026-01-15T00:00:00+08:00"
    plan.products.update(PLANNED_PRODUCTS)
    for p in plan_parks():
        plan.parks[p.id] = p
    prio = [z for z in plan.zones.values() if z.kind == "priority"]
    for i, z in enumerate(sorted(prio, key=lambda z: z.id)):
        zid = f"zone-{201 + i:06d}"
        plan.zones[zid] = Zone(
            zid,
            f"{z.name} F5G 全覆盖",
            "f5g",
            z.geometry,
            2026 + (i % 2),
            None,
            True,
            "规划：重点区域F5G全覆盖 / plan: full F5G over the priority zone",
        )
    first = max(int(k.split("-")[1]) for k in plan.sites) + 1
    for s in plan_sites(prio, first):
        plan.sites[s.id] = s
    plan.investments = {i.id: i for i in plan_investments()}
    return plan


def main() -> None:
    baseline = build_baseline()
    plan = build_plan(baseline)
    for scenario, path in ((baseline, BASELINE), (plan, PLAN_2027)):
        path.parent.mkdir(parents=True, exist_ok=True)
        save(scenario, path, keep_backup=False)
        print(
            f"wrote {path.relative_to(ROOT)}: {len(scenario.parks)} parks, {len(scenario.sites)} sites, "
            f"{len(scenario.zones)} zones, {len(scenario.investments)} investment items"
        )


if __name__ == "__main__":
    main()
