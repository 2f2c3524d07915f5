"""Loading reports each problem with the file, the feature or field, and what is wrong — a table of bad inputs."""

from __future__ import annotations

import copy
import json

import pytest

from planner.storage.fileformat import dumps, load, loads
from planner.storage.problems import ScenarioFileError
from tests.conftest import make_small_scenario

GOOD = json.loads(dumps(make_small_scenario()))


def _site(doc):
    return doc["layers"]["sites"]["features"][1]  # site-000002


def _park(doc):
    return doc["layers"]["parks"]["features"][0]  # park-000001


def _zone(doc):
    return doc["layers"]["zones"]["features"][0]


def _set(getter, key, value):
    def edit(doc):
        getter(doc)["properties"][key] = value

    return edit


def _pop(getter, key):
    def edit(doc):
        del getter(doc)["properties"][key]

    return edit


CASES = [
    # (case id, edit of the JSON document, fragments the message must contain)
    (
        "wrong column",
        _set(_site, "frequency", 3500),
        ["layers.sites feature 2 (id site-000002)", "unknown field 'frequency'", "band_mhz"],
    ),
    ("missing field", _pop(_site, "band_mhz"), ["site-000002", "required field 'band_mhz' is missing"]),
    ("text for a number", _set(_site, "height_m", "thirty"), ["site-000002", "height_m", "must be a number"]),
    ("negative height", _set(_site, "height_m", -3), ["site-000002", "height_m", "greater than 0"]),
    (
        "band without a link budget",
        _set(_site, "band_mhz", 2100),
        ["site-000002", "field band_mhz", "no coverage radius", "2100 MHz", "set radius_m"],
    ),
    ("unknown site kind", _set(_site, "kind", "6g"), ["site-000002", "field kind", "'6g'", "5g_macro"]),
    ("unknown operator", _set(_site, "operator", "cmpak"), ["field operator", "'cmpak'"]),
    ("year typo", _set(_park, "open_year", 20255), ["park-000001", "open_year", "20255"]),
    ("year as text", _set(_park, "open_year", "2025"), ["park-000001", "open_year", "whole year"]),
    ("district not in Ningbo", _set(_park, "district", "310101"), ["park-000001", "district", "'310101'"]),
    ("empty name", _set(_park, "name", "  "), ["park-000001", "field name", "must not be empty"]),
    (
        "swapped lon/lat",
        lambda d: _site(d)["geometry"].update(coordinates=[29.88, 121.56]),
        ["site-000002", "outside Ningbo", "swapped"],
    ),
    (
        "site is not a point",
        lambda d: _site(d).update(geometry={"type": "LineString", "coordinates": [[1, 2], [3, 4]]}),
        ["site-000002", "must be a GeoJSON Point"],
    ),
    (
        "self-intersecting zone",
        lambda d: _zone(d).update(
            geometry={
                "type": "Polygon",
                "coordinates": [[[121.5, 29.8], [121.6, 29.9], [121.6, 29.8], [121.5, 29.9], [121.5, 29.8]]],
            }
        ),
        ["layers.zones feature 1 (id zone-000001)", "polygon is not valid", "Self-intersection"],
    ),
    (
        "degenerate ring",
        lambda d: _zone(d).update(geometry={"type": "Polygon", "coordinates": [[[121.5, 29.8], [121.6, 29.9]]]}),
        ["zone-000001", "field geometry", "ring has 2 positions", "at least 4"],
    ),
    (
        "zone outside Ningbo",
        lambda d: _zone(d).update(
            geometry={"type": "Polygon", "coordinates": [[[116.3, 39.9], [116.4, 39.9], [116.4, 40.0], [116.3, 39.9]]]}
        ),
        ["zone-000001", "outside Ningbo"],
    ),
    (
        "duplicate id",
        lambda d: d["layers"]["sites"]["features"].append(copy.deepcopy(_site(d))),
        ["layers.sites feature 4 (id site-000002)", "duplicate id"],
    ),
    ("feature without id", lambda d: _site(d).pop("id"), ["layers.sites feature 2", "needs a text 'id'"]),
    ("layer missing", lambda d: d["layers"].pop("zones"), ["layers.zones", "layer is missing"]),
    ("layer not a collection", lambda d: d["layers"].update(parks=[1, 2]), ["layers.parks", "FeatureCollection"]),
    (
        "unknown layer",
        lambda d: d["layers"].update(roads={"type": "FeatureCollection", "features": []}),
        ["layers.roads", "unknown layer"],
    ),
    ("bad product district", lambda d: d["products"].update({"123456": "x"}), ["products.123456", "adcode"]),
    ("empty product", lambda d: d["products"].update({"330203": ""}), ["products.330203", "non-empty"]),
    ("base after horizon", lambda d: d["scenario"].update(base_year=2030), ["scenario", "base_year 2030 is after"]),
    ("missing scenario name", lambda d: d["scenario"].pop("name"), ["scenario", "'name' is missing"]),
    (
        "investment funding",
        lambda d: d["investments"][0].update(funding="bank"),
        ["investments row 1 (inv-000001)", "field funding", "'bank'"],
    ),
    (
        "investment amount",
        lambda d: d["investments"][0].update(amount_wan=-1),
        ["inv-000001", "amount_wan", "negative"],
    ),
    ("investment column", lambda d: d["investments"][0].update(cost=1), ["inv-000001", "unknown field 'cost'"]),
    (
        "catalogue amount",
        lambda d: d["catalogue"][0].update(amount_wan="25"),
        ["catalogue row 1 (5g_macro_site)", "amount_wan", "must be a number"],
    ),
    ("target value", lambda d: d["targets"][0].update(value=None), ["targets row 1", "'value' is missing"]),
    ("sections missing", lambda d: d.pop("investments"), ["investments", "section is missing"]),
    ("NaN", _set(_site, "capex_wan", float("nan")), ["site-000002", "capex_wan", "must be a number"]),
    ("implausible capex", _set(_park, "capex_wan", 1e308), ["park-000001", "capex_wan", "implausibly large"]),
    ("implausible enterprises", _set(_park, "data_enterprises", 10**30), ["park-000001", "implausibly large"]),
    ("implausible radius", _set(_site, "radius_m", 1e9), ["site-000002", "radius_m", "implausibly large"]),
    ("flag as text", _set(_park, "approximate", "yes"), ["park-000001", "approximate", "true or false"]),
    ("investment id not text", lambda d: d["investments"][0].update(id=["x"]), ["investments row 1", "field id"]),
    ("catalogue key not text", lambda d: d["catalogue"][0].update(key={"a": 1}), ["catalogue row 1", "field key"]),
    ("target key not text", lambda d: d["targets"][0].update(key=["x"]), ["targets row 1", "field key"]),
    ("target year typo", lambda d: d["targets"][0].update(year=20255), ["targets row 1", "field year", "20255"]),
    ("negative target", lambda d: d["targets"][0].update(value=-5), ["targets row 1", "field value", "negative"]),
    ("unit not text", lambda d: d["targets"][0].update(unit=7), ["targets row 1", "field unit", "text"]),
    ("assumption as text", lambda d: d["catalogue"][0].update(assumption="no"), ["catalogue row 1", "assumption"]),
    ("empty scenario name", lambda d: d["scenario"].update(name=" "), ["scenario, field name", "must not be empty"]),
    ("modified not a date", lambda d: d["scenario"].update(modified="yesterday"), ["field modified", "ISO 8601"]),
    ("unknown section", lambda d: d.update(extra=1), ["extra", "unknown section"]),
]


@pytest.mark.parametrize("case_id, edit, fragments", CASES, ids=[c[0] for c in CASES])
def test_malformed_input_is_reported_with_file_place_and_problem(case_id, edit, fragments):
    doc = copy.deepcopy(GOOD)
    edit(doc)
    with pytest.raises(ScenarioFileError) as err:
        loads(json.dumps(doc, ensure_ascii=False), "plan.json")
    report = err.value.report()
    assert report.startswith("plan.json — ")
    for fragment in fragments:
        assert fragment in report, f"{fragment!r} not in:\n{report}"
    assert "Traceback" not in report


def test_all_problems_are_reported_not_just_the_first():
    doc = copy.deepcopy(GOOD)
    _site(doc)["properties"]["band_mhz"] = "x"
    _park(doc)["properties"]["status"] = "dreaming"
    doc["investments"][0]["year"] = 3000
    with pytest.raises(ScenarioFileError) as err:
        loads(json.dumps(doc), "plan.json")
    assert len(err.value.problems) == 3


@pytest.mark.parametrize(
    "content, fragment",
    [
        (b"", "file is empty"),
        (b"  \n", "file is empty"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        ("{}".encode("utf-16"), "UTF-16"),
        (b'{"format": "ningbo-planner-scenario", "schema_version": 1' + b"9" * 5000 + b"}", "5,001-digit number"),
        (b'{\n  "format": "ningbo-planner-scenario",\n  oops\n}', "line 3"),
        (b"[1, 2]", "top level is not an object"),
        (b'{"type": "FeatureCollection", "features": []}', "not a planner scenario file"),
        (b'{"format": "ningbo-planner-scenario", "schema_version": "one"}', "schema_version"),
        ("情景".encode("gbk"), "not UTF-8"),
    ],
)
def test_unreadable_files(tmp_path, content, fragment):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(ScenarioFileError) as err:
        load(path)
    assert fragment in err.value.report() and str(path) in err.value.report()


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ScenarioFileError, match="does not exist"):
        load(tmp_path / "nope.json")
    with pytest.raises(ScenarioFileError, match="folder"):
        load(tmp_path)


def test_a_key_given_twice_in_one_object_is_reported():
    text = dumps(make_small_scenario()).replace('"name": "数创港核心园"', '"name": "数创港核心园", "name": "别名"', 1)
    with pytest.raises(ScenarioFileError) as err:
        loads(text, "plan.json")
    assert "layers.parks feature 1 (id park-000001): key 'name' appears twice" in err.value.report()
