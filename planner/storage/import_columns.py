"""What an imported column means: the fields of each layer, their usual names in English and Chinese, and defaults.

A source file names its columns as its author likes: ``lng``, ``经度``, ``投资额（万元）``, ``经度 lon`` (our own
templates write both languages). :func:`recognise` maps each field of a layer to the first column whose name,
normalised (full-width forms folded, case and spaces ignored, a unit in brackets dropped), is one of the field's
names; a mapping the planner gives (``--map 站址经度=lon``) takes precedence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from planner.domain import vocab


@dataclass(frozen=True)
class FieldSpec:
    """One field an import can fill.

    ``kind``: text, number, count, year, band, flag, district, or ``key`` (a vocabulary). ``required``: a row
    without it is rejected. ``default``: used when no column is mapped (``"base_year"``: the scenario's base year).
    """

    name: str
    zh: str
    kind: str
    required: bool = False
    default: object = None
    vocabulary: vocab.Vocabulary | None = None
    aliases: tuple[str, ...] = ()


def _f(name, zh, kind, *aliases, required=False, default=None, vocabulary=None) -> FieldSpec:
    return FieldSpec(name, zh, kind, required, default, vocabulary, (name, zh, *aliases))


_ID = _f("id", "编号", "text", "fid", "code", "站点编号", "站号", "园区编号", "区域编号", "项目编号", "序号编号")
_LON = _f("lon", "经度", "number", "lng", "long", "longitude", "x", "东经", required=True)
_LAT = _f("lat", "纬度", "number", "latitude", "y", "北纬", required=True)
_GEOMETRY = _f("geometry", "几何", "geometry", "geom", "wkt", "shape", "边界", "范围")
_OPEN_YEAR = _f(
    "open_year", "建成年份", "year", "year", "开通年份", "投产年份", "年份", "建设年份", default="base_year"
)
_CAPEX = _f("capex_wan", "投资额", "number", "capex", "cost", "投资", "造价", "投资万元", "投资额万元")
_NOTE = _f("note", "备注", "text", "notes", "remark", "remarks", "说明", default="")
_APPROX = _f("approximate", "示意", "flag", "approx", "近似", "位置示意", default=False)
_NAME = _f("name", "名称", "text", "title", "站名", "园区名称", "区域名称", "名字", required=True)

#: The fields of each layer that an import fills, in the order a template shows them.
LAYER_FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "sites": (
        _ID,
        _LON,
        _LAT,
        _f("kind", "类型", "key", "type", "站型", "基站类型", "站点类型", required=True, vocabulary=vocab.SITE_KINDS),
        _f("operator", "运营商", "key", "carrier", "运营单位", required=True, vocabulary=vocab.OPERATORS),
        _f("band_mhz", "频段", "band", "band", "frequency", "freq", "频率", "工作频段", "频段mhz", required=True),
        _f("height_m", "挂高", "number", "height", "天线挂高", "高度", "挂高m", "天线高度", required=True),
        _f(
            "environment",
            "场景",
            "key",
            "env",
            "覆盖场景",
            "环境",
            "区域环境",
            default="urban",
            vocabulary=vocab.ENVIRONMENTS,
        ),
        _OPEN_YEAR,
        _f("radius_m", "覆盖半径", "number", "radius", "半径", "覆盖半径m"),
        _CAPEX,
    ),
    "parks": (
        _ID,
        _NAME,
        _f("kind", "类型", "key", "type", "园区类型", default="other", vocabulary=vocab.PARK_KINDS),
        _f("district", "区县", "district", "adcode", "所属区县", "行政区", "区县代码", "所在区县"),
        _f("status", "状态", "key", "建设状态", "阶段", default="planned", vocabulary=vocab.PARK_STATUSES),
        _OPEN_YEAR,
        _f("area_ha", "面积", "number", "area", "面积公顷", "占地面积", "用地面积"),
        _CAPEX,
        _f("data_enterprises", "数据企业", "count", "enterprises", "企业数", "数据企业数", default=0),
        _f("computing_pflops", "算力", "number", "pflops", "算力pflops", "算力规模"),
        _f("focus", "主导产业", "text", "产业方向", "产业", "industry", default=""),
        _NOTE,
        _APPROX,
        replace(_LON, required=False),  # a point park, or a polygon in the geometry column / the GIS file
        replace(_LAT, required=False),
        _GEOMETRY,
    ),
    "zones": (
        _ID,
        _NAME,
        _f("kind", "类型", "key", "type", "区域类型", required=True, vocabulary=vocab.ZONE_KINDS),
        _OPEN_YEAR,
        _CAPEX,
        _APPROX,
        _NOTE,
        _GEOMETRY,
    ),
    "investments": (
        _ID,
        _f("project", "项目", "text", "项目名称", "name", "名称", required=True),
        _f("district", "区县", "district", "adcode", "所属区县", "行政区", "区县代码", default=""),
        _f(
            "category", "类别", "key", "投资类别", "type", "类型", required=True, vocabulary=vocab.INVESTMENT_CATEGORIES
        ),
        _f("year", "年份", "year", "年度", "投资年份", required=True),
        _f("amount_wan", "金额", "number", "amount", "投资额", "金额万元", "投资额万元", "投资", required=True),
        _f("funding", "资金来源", "key", "资金", "source", "来源", required=True, vocabulary=vocab.FUNDING_SOURCES),
    ),
}

#: Other names of vocabulary values that sources use (the keys and both labels are always accepted).
VALUE_SYNONYMS: dict[str, dict[str, str]] = {
    "SITE_KINDS": {"宏站": "5g_macro", "宏基站": "5g_macro", "macro": "5g_macro", "5g宏站": "5g_macro",
                   "小站": "5g_small", "微站": "5g_small", "皮站": "5g_small", "室分": "5g_small",
                   "small": "5g_small", "smallcell": "5g_small", "5g-a": "5g_a", "5ga": "5g_a",
                   "5g-advanced": "5g_a", "5.5g": "5g_a"},
    "OPERATORS": {"移动": "cmcc", "chinamobile": "cmcc", "cm": "cmcc", "电信": "ctcc", "chinatelecom": "ctcc",
                  "ct": "ctcc", "联通": "cucc", "chinaunicom": "cucc", "cu": "cucc", "广电": "cbn",
                  "中国广电": "cbn", "chinabroadnet": "cbn", "移动广电共建": "cmcc_cbn", "共建共享": "shared",
                  "铁塔": "shared", "中国铁塔": "shared"},
    "ENVIRONMENTS": {"市区": "urban", "城区": "urban", "密集城区": "urban", "一般城区": "urban", "dense urban": "urban",
                     "郊区": "suburban", "县城": "suburban", "乡镇": "suburban", "农村": "rural", "乡村": "rural",
                     "山区": "rural", "海岛": "rural", "海面": "rural"},
    "PARK_STATUSES": {"建成": "operating", "运营": "operating", "已建": "operating", "在建": "under_construction",
                      "建设中": "under_construction", "规划": "planned", "拟建": "planned"},
    "ZONE_KINDS": {"f5g": "f5g", "千兆光网": "f5g", "光网": "f5g", "双万兆": "priority", "重点区域": "priority",
                   "功能区": "functional"},
    "FUNDING_SOURCES": {"财政资金": "fiscal", "政府": "fiscal", "国有资本": "state", "国企": "state",
                        "社会": "private", "企业": "private", "民间资本": "private"},
}  # fmt: skip


def vocabulary_name(v: vocab.Vocabulary) -> str:
    """The name of a vocabulary in :mod:`planner.domain.vocab` (``"SITE_KINDS"``)."""
    for name, value in vars(vocab).items():
        if value is v:
            return name
    raise KeyError("not a vocabulary of planner.domain.vocab")


def normalise(text: object) -> str:
    """A name as compared: full-width forms folded (NFKC), lower case, no spaces, underscores or hyphens."""
    s = unicodedata.normalize("NFKC", str(text)).strip().lower()
    return re.sub(r"[\s_\-]+", "", s)


def _candidates(header: str) -> list[str]:
    """The names a column header may stand for: itself, without a bracketed unit, and each word of it."""
    folded = unicodedata.normalize("NFKC", header).strip()
    out = [normalise(folded)]
    bare = re.sub(r"[(\[（【][^)\]）】]*[)\]）】]", "", folded)
    out.append(normalise(bare))
    out += [normalise(w) for w in re.split(r"[\s/|,;]+", bare) if w]
    return [c for c in dict.fromkeys(out) if c]


def recognise(columns: list[str], layer: str) -> dict[str, str]:
    """``{field: column}`` for every field of ``layer`` some column is recognisably named for."""
    specs = LAYER_FIELDS[layer]
    names = {s.name: {normalise(a) for a in s.aliases} for s in specs}
    found: dict[str, str] = {}
    taken: set[str] = set()
    # Whole names first, then a name's words: "经度 lon" is lon; "投资额（万元）" is capex before "投资" is.
    for pass_words in (False, True):
        for column in columns:
            if column in taken or not column:
                continue
            cands = _candidates(column)
            cands = cands[2:] if pass_words else cands[:2]
            for spec in specs:
                if spec.name not in found and any(c in names[spec.name] for c in cands):
                    found[spec.name] = column
                    taken.add(column)
                    break
    return found


def field_names(layer: str) -> list[str]:
    """The fields of ``layer`` an import can fill."""
    return [s.name for s in LAYER_FIELDS[layer]]


def spec_of(layer: str, name: str) -> FieldSpec:
    """The :class:`FieldSpec` of field ``name`` of ``layer``."""
    for s in LAYER_FIELDS[layer]:
        if s.name == name:
            return s
    raise KeyError(f"{layer} has no field {name!r} (fields: {', '.join(field_names(layer))})")


__all__ = ["LAYER_FIELDS", "VALUE_SYNONYMS", "FieldSpec", "field_names", "normalise", "recognise", "spec_of"]
