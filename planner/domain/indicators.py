"""Reported values (指标填报): the figures of the official targets that the map cannot measure, entered by the planner.

Most of the city's targets — data products, circulation platforms, trading volume, datasets, flagship scenarios —
are not spatial: no park, site or zone tells how many data products were listed. The planner enters them per year
(and per district where the figure is collected per district), as a :class:`ReportedValue` kept in the scenario's
``reported`` collection, keyed by :attr:`ReportedValue.key`. Target progress (:mod:`planner.analysis.targets`),
the gap and the Excel brief read them from there.

Decisions (docs/indicators.md, "Reported values"):

* Reportable are the non-spatial indicators of :data:`INDICATORS`, plus any key of the scenario's own targets
  that the map does not measure (a target a later plan adds). An indicator the map measures (:data:`MAP_INDICATORS`)
  is refused: the map's figure would contradict a typed one. Data enterprises outside the parks are the one
  exception, as their own indicator ``data_enterprises_outside_parks``, added to the parks' ``data_enterprises``.
* Stocks (cumulative: data products "累计", platforms, datasets, flagship scenarios, data enterprises, and a
  target key of the scenario's own) carry the latest earlier report forward to a year without one; a flow
  (``trading_volume``, a year's turnover) counts only in its own year.
* ``adcode`` "" is a city-wide figure; a district's adcode a figure for that district. A city-wide entry of a year
  wins over district entries of the same year (it is the official total); otherwise the districts are summed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from planner.domain.checks import check_number, check_text, check_year, quote
from planner.domain.features import DISTRICT_ADCODES

#: Indicators measured on the map (planner.analysis.targets): never reported.
MAP_INDICATORS = (
    "sck_parks",
    "data_enterprises",
    "5g_sites",
    "5g_sites_per_10k",
    "computing_pflops",
    "priority_zone_coverage",
)
#: Largest value a report may hold (as for a target's value).
MAX_REPORTED = 1e12


@dataclass(frozen=True, slots=True)
class Indicator:
    """A reportable indicator: its labels, unit, and whether it is a stock (carried forward) or an annual flow."""

    key: str
    label_zh: str
    label_en: str
    unit: str
    cumulative: bool


#: The non-spatial indicators the planner reports (seed 001's targets), in the order the table lists them.
INDICATORS: dict[str, Indicator] = {
    i.key: i
    for i in (
        Indicator("data_products", "累计数据产品", "Data products (cumulative)", "件", True),
        Indicator("circulation_platforms", "行业数据流通平台", "Industry data circulation platforms", "个", True),
        Indicator("trading_volume", "数据交易额", "Data trading volume", "亿元", False),
        Indicator("datasets", "高质量数据集（语料库）", "High-quality datasets", "个", True),
        Indicator("flagship_scenarios", "数据应用标志性场景", "Flagship application scenarios", "个", True),
        Indicator("data_enterprises_outside_parks", "园区外数据企业", "Data enterprises outside parks", "家", True),
    )
}
#: The indicator added to the parks' data enterprises for the ``data_enterprises`` target.
OUTSIDE_PARKS = "data_enterprises_outside_parks"
#: Indicators that are annual flows: a year's value, never carried forward.
FLOWS = tuple(k for k, i in INDICATORS.items() if not i.cumulative)


@dataclass(frozen=True, slots=True)
class ReportedValue:
    """The planner's figure of ``indicator`` for ``year`` (city-wide, or for the district ``adcode``)."""

    indicator: str
    year: int
    value: float
    adcode: str = ""
    source: str = ""
    note: str = ""

    @property
    def key(self) -> str:
        """Key in the scenario's ``reported`` collection: ``indicator@year`` or ``indicator@year@adcode``."""
        return make_key(self.indicator, self.year, self.adcode)


#: Fields of a report as the file writes them.
REPORTED_FIELDS = ("indicator", "year", "value", "adcode", "source", "note")


def make_key(indicator: str, year: int, adcode: str = "") -> str:
    """The key of the report of ``indicator`` for ``year`` (and district ``adcode``)."""
    return f"{indicator}@{year}@{adcode}" if adcode else f"{indicator}@{year}"


def is_cumulative(indicator: str) -> bool:
    """Whether ``indicator`` is a stock (a later year without a report keeps the last one). A target key of the
    scenario's own is taken as a stock: a target "reach N by year Y" speaks of a level."""
    known = INDICATORS.get(indicator)
    return known.cumulative if known is not None else True


def reportable(target_keys: Iterable[str] = ()) -> list[str]:
    """The indicators that may be reported: :data:`INDICATORS`, then the scenario's other target keys that the map
    does not measure (``target_keys``: the keys of its targets)."""
    extra = sorted({k for k in target_keys if k not in INDICATORS and k not in MAP_INDICATORS})
    return [*INDICATORS, *extra]


def target_keys(scenario: Any) -> list[str]:
    """The indicator keys of a scenario's targets."""
    return [t.key for t in scenario.targets.values()]


def label(indicator: str, targets: Iterable[Any] = ()) -> tuple[str, str, str]:
    """(Chinese label, English label, unit) of ``indicator``: its own, else the first target of that key, else the
    key itself."""
    known = INDICATORS.get(indicator)
    if known is not None:
        return known.label_zh, known.label_en, known.unit
    for t in targets:
        if t.key == indicator:
            return t.label_zh, t.label_en, t.unit
    return indicator, indicator, ""


def district_names() -> dict[str, tuple[str, str]]:
    """(Chinese, English) name of each of the ten districts, by adcode."""
    from planner.geo.basemap import districts

    return {d.adcode: (d.name_zh, d.name_en) for d in districts()}


def resolve_district(text: str) -> str:
    """The adcode of a district given as its adcode, its Chinese name (with or without 区/市/县) or its English
    name (any case); "" for "" / 全市 / city. ValueError naming the ten districts otherwise."""
    text = text.strip()
    if text in ("", "全市", "city", "City"):
        return ""
    if text in DISTRICT_ADCODES:
        return text
    names = district_names()
    low = text.lower()
    for adcode, (zh, en) in names.items():
        if text == zh or text == zh.rstrip("区市县") or low == en.lower() or low == en.lower().split(" ")[0]:
            return adcode
    listed = ", ".join(f"{a} {zh}" for a, (zh, _en) in names.items())
    raise ValueError(f"不是宁波的区县 / not one of Ningbo's districts: {text!r} (expected one of: {listed})")


def parse_key(text: str) -> tuple[str, int, str]:
    """(indicator, year, adcode) of a key written ``KEY@YEAR`` or ``KEY@YEAR@DISTRICT`` (adcode or name); ValueError
    with the expected form otherwise. The indicator itself is checked by :func:`validate_reported`."""
    parts = [p.strip() for p in text.split("@")]
    form = "KEY@YEAR or KEY@YEAR@DISTRICT, e.g. data_products@2025 or trading_volume@2025@330212"
    if len(parts) not in (2, 3) or not parts[0]:
        raise ValueError(f"填报键应为 / a reported key is written {form}, got {text!r}")
    try:
        year = int(parts[1])
    except ValueError:
        raise ValueError(f"年份不是整数 / the year of {text!r} is not a whole year ({form})") from None
    adcode = resolve_district(parts[2]) if len(parts) == 3 else ""
    return parts[0], year, adcode


def parse_value(text: str) -> float | int:
    """A value as typed: a number, thousands separators allowed (``1,350``); a whole number stays whole (the file
    then writes ``1350``, not ``1350.0``). ValueError if it is no number; the range is :func:`validate_reported`'s."""
    cleaned = str(text).strip().replace(",", "").replace("，", "").replace("_", "")
    try:
        return int(cleaned)
    except ValueError:
        pass
    try:
        return float(cleaned)
    except ValueError:
        raise ValueError(f"不是数字 / not a number: {text!r}") from None


def validate_reported(rv: ReportedValue, target_keys: Iterable[str] = ()) -> list[tuple[str, str]]:
    """Problems with a report, as ``[(field, message)]``; ``target_keys`` are the scenario's target keys (a key of
    its own targets that the map does not measure may be reported too)."""
    problems: list[tuple[str, str]] = []
    check_text(rv.indicator, "indicator", problems, required=True)
    if not problems:
        allowed = reportable(target_keys)
        if rv.indicator in MAP_INDICATORS:
            outside = rv.indicator == "data_enterprises"
            hint = f"; report those outside the parks as {OUTSIDE_PARKS!r}" if outside else ""
            problems.append(("indicator", f"{quote(rv.indicator)} is measured on the map, not reported{hint}"))
        elif rv.indicator not in allowed:
            problems.append(("indicator", f"{quote(rv.indicator)} is not a reportable indicator (expected one of: "
                                          f"{', '.join(allowed)})"))  # fmt: skip
    check_year(rv.year, "year", problems)
    check_number(rv.value, "value", problems, maximum=MAX_REPORTED)
    if not isinstance(rv.adcode, str) or (rv.adcode != "" and rv.adcode not in DISTRICT_ADCODES):
        problems.append(("adcode", f"{quote(rv.adcode)} is not the adcode of one of the ten districts (expected "
                                   f"\"\" for city-wide, or one of: {', '.join(DISTRICT_ADCODES)})"))  # fmt: skip
    check_text(rv.source, "source", problems)
    check_text(rv.note, "note", problems)
    return problems


# -- reading reports -------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ReportedFigure:
    """The reported value of an indicator as of a year, and where it came from."""

    value: float
    year: int  # the year of the reports used (earlier than asked when carried forward)
    districts: int  # how many district entries were summed (0: a city-wide entry)


def reported_figure(reported: dict[str, ReportedValue], indicator: str, year: int) -> ReportedFigure | None:
    """The value of ``indicator`` as of ``year`` from the reports, or None when there is none.

    A year's value is its city-wide entry if there is one, else the sum of its district entries. A stock takes the
    latest year ≤ ``year`` with any entry; a flow only ``year`` itself.
    """
    by_year: dict[int, list[ReportedValue]] = {}
    for rv in reported.values():
        if rv.indicator == indicator and rv.year <= year:
            by_year.setdefault(rv.year, []).append(rv)
    if not by_year:
        return None
    if is_cumulative(indicator):
        used = max(by_year)
    elif year in by_year:
        used = year
    else:
        return None
    entries = by_year[used]
    city = [rv for rv in entries if rv.adcode == ""]
    if city:
        return ReportedFigure(float(city[0].value), used, 0)
    return ReportedFigure(float(sum(rv.value for rv in entries)), used, len(entries))


__all__ = [
    "FLOWS",
    "INDICATORS",
    "MAP_INDICATORS",
    "OUTSIDE_PARKS",
    "Indicator",
    "ReportedFigure",
    "ReportedValue",
    "district_names",
    "is_cumulative",
    "label",
    "make_key",
    "parse_key",
    "parse_value",
    "reportable",
    "reported_figure",
    "resolve_district",
    "validate_reported",
]
