"""Controlled vocabularies of the scenario model: the keys stored in files and their labels.

Files store the short English keys (stable, diff-friendly); the interface shows the Chinese label first and the
English one second. Each vocabulary is an ordered mapping ``key -> (中文, English)``.
"""

from __future__ import annotations

Vocabulary = dict[str, tuple[str, str]]

PARK_KINDS: Vocabulary = {
    "sck_core": ("数创港核心园", "Data Innovation Port core park"),
    "sck_branch": ("数创港特色园", "Data Innovation Port feature park"),
    "digital_park": ("数字经济产业园", "Digital-economy park"),
    "feature_town": ("特色小镇", "Feature town"),
    "computing_centre": ("算力中心", "Computing centre"),
    "other": ("其他园区", "Other park"),
}
#: Park kinds that count toward the official "数创港 特色创新园" target (seed 001).
SCK_PARK_KINDS = frozenset({"sck_core", "sck_branch"})

PARK_STATUSES: Vocabulary = {
    "planned": ("规划", "Planned"),
    "under_construction": ("在建", "Under construction"),
    "operating": ("运营", "Operating"),
}

SITE_KINDS: Vocabulary = {
    "5g_macro": ("5G宏站", "5G macro site"),
    "5g_small": ("5G小基站", "5G small cell"),
    "5g_a": ("5G-A基站", "5G-Advanced site"),
}

OPERATORS: Vocabulary = {
    "cmcc": ("中国移动", "China Mobile"),
    "ctcc": ("中国电信", "China Telecom"),
    "cucc": ("中国联通", "China Unicom"),
    "cbn": ("中国广电", "China Broadnet"),
    # The 700 MHz network: co-built and co-owned 1:1 by China Mobile and China Broadnet (shared/domain.md, "Networks").
    "cmcc_cbn": ("中国移动/中国广电共建", "China Mobile + China Broadnet (co-built)"),
    "shared": ("共建共享", "Shared (co-built)"),
}

ENVIRONMENTS: Vocabulary = {
    "urban": ("城区", "Urban"),
    "suburban": ("郊区", "Suburban"),
    "rural": ("农村/山区/海岛", "Rural"),
}

ZONE_KINDS: Vocabulary = {
    "f5g": ("F5G覆盖区", "F5G coverage area"),
    "priority": ("双万兆重点区域", "Dual-10-gigabit priority zone"),
    "functional": ("功能区", "Functional area"),
}

INVESTMENT_CATEGORIES: Vocabulary = {
    "5g": ("5G网络", "5G network"),
    "5g_a": ("5G-A升级", "5G-A upgrade"),
    "f5g": ("F5G光网", "F5G fibre"),
    "computing": ("算力设施", "Computing"),
    "park": ("园区建设", "Park construction"),
    "platform": ("数据平台", "Data platform"),
    "application": ("应用场景", "Application scenario"),
    "other": ("其他", "Other"),
}

FUNDING_SOURCES: Vocabulary = {
    "fiscal": ("财政", "Fiscal"),
    "state": ("国资", "State capital"),
    "private": ("社会资本", "Private capital"),
}

SITE_SOURCES: Vocabulary = {
    "synthetic": ("合成示意数据", "Synthetic (generated)"),
    "planner": ("规划人员录入", "Entered by planner"),
    "imported": ("导入", "Imported"),
}


#: The fields whose values come from a vocabulary, by (layer, field): forms and tables offer them as a list.
FIELD_VOCABULARIES: dict[tuple[str, str], Vocabulary] = {
    ("parks", "kind"): PARK_KINDS,
    ("parks", "status"): PARK_STATUSES,
    ("sites", "kind"): SITE_KINDS,
    ("sites", "operator"): OPERATORS,
    ("sites", "environment"): ENVIRONMENTS,
    ("sites", "source"): SITE_SOURCES,
    ("zones", "kind"): ZONE_KINDS,
    ("investments", "category"): INVESTMENT_CATEGORIES,
    ("investments", "funding"): FUNDING_SOURCES,
}


def key_of(vocab: Vocabulary, text: str) -> str | None:
    """The key that ``text`` names — the key itself, its Chinese or English label (any case), or "中文 (English)"
    as :func:`bilingual` writes it — or None. What a planner pastes from Excel is usually the label."""
    text = text.strip()
    if text in vocab:
        return text
    low = text.casefold()
    for key, (zh, en) in vocab.items():
        if low in (key.casefold(), zh.casefold(), en.casefold(), bilingual(vocab, key).casefold()):
            return key
    return None


def choices(vocab: Vocabulary) -> str:
    """The allowed values of a vocabulary for a message: "5G宏站 (5g_macro), 5G小基站 (5g_small), …"."""
    return ", ".join(f"{zh} ({key})" for key, (zh, _en) in vocab.items())


def label(vocab: Vocabulary, key: str, lang: str = "zh") -> str:
    """Return the label of ``key`` in ``lang`` ('zh' or 'en'); unknown keys are returned unchanged."""
    pair = vocab.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "zh" else pair[1]


def bilingual(vocab: Vocabulary, key: str) -> str:
    """'中文 (English)' label of ``key``."""
    pair = vocab.get(key)
    return key if pair is None else f"{pair[0]} ({pair[1]})"


#: Suggestions for a district's 一区一品 product: the four published assignments (seed 000) and candidates from the
#: districts' industry profiles (shared/domain.md, "一区一品"). A planner may also type any other product.
PRODUCT_SUGGESTIONS = {
    "330206": ("港航数据 + 交通治理",),
    "330282": ("小家电产业 + 环保治理 + 政务服务",),
    "330281": ("模具产业 + 智能制造 + 算力支撑",),
    "330225": ("海洋产业 + 防灾减灾",),
    "330211": ("绿色石化 + 新材料 + 环保监测", "数据产业（镇海数谷）"),
    "330226": ("模具产业 + 工业互联网",),
    "330212": ("软件与信息服务 + 智慧城市",),
    "330203": ("软件与信息服务 + 城市治理",),
    "330205": ("电子商务 + 能效管理",),
    "330213": ("文旅数据 + 智慧农业",),
}


#: Field names of features as a planner reads them: (中文, English) — for forms, tables and undo labels.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "id": ("编号", "Id"),
    "name": ("名称", "Name"),
    "kind": ("类型", "Kind"),
    "operator": ("运营商", "Operator"),
    "band_mhz": ("频段", "Band (MHz)"),
    "height_m": ("挂高", "Height (m)"),
    "environment": ("环境", "Environment"),
    "lon": ("经度", "Lon"),
    "lat": ("纬度", "Lat"),
    "open_year": ("建成年份", "Opens"),
    "radius_m": ("覆盖半径", "Radius (m)"),
    "capex_wan": ("投资", "Capex (万元)"),
    "source": ("来源", "Source"),
    "district": ("区县", "District"),
    "status": ("状态", "Status"),
    "area_ha": ("面积", "Area (ha)"),
    "data_enterprises": ("数据企业", "Data enterprises"),
    "computing_pflops": ("算力", "Computing (PFLOPS)"),
    "focus": ("方向", "Focus"),
    "approximate": ("近似", "Approximate"),
    "note": ("备注", "Note"),
    "geometry": ("几何", "Geometry"),
}
