"""Files in: every problem of a feature reported, positions checked against real geography, text that can be
written, bounded reading, strict GeoJSON, stale temporaries cleaned, one validator for loader and commands."""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import pytest
import shapely
from shapely.geometry import Polygon, box

from planner.domain import commands
from planner.domain.features import Zone, validate_zone
from planner.paths import ROOT
from planner.storage.atomic import STALE_AFTER_S, remove_stale_temporaries, save
from planner.storage.fileformat import dumps, load, loads, read_file_bytes
from planner.storage.problems import ScenarioFileError
from tests.conftest import make_site, make_small_scenario, run_cli

GOOD = json.loads(dumps(make_small_scenario()))


def _site(doc):
    return doc["layers"]["sites"]["features"][1]  # site-000002


def _park(doc):
    return doc["layers"]["parks"]["features"][0]  # park-000001, a point in 鄞州区


def _zone(doc):
    return doc["layers"]["zones"]["features"][0]


def _problems(edit, *, ascii_json: bool = False) -> list[str]:
    """The report lines of loading GOOD after ``edit``; fails the test if the file is accepted."""
    doc = copy.deepcopy(GOOD)
    edit(doc)
    with pytest.raises(ScenarioFileError) as err:
        loads(json.dumps(doc, ensure_ascii=ascii_json), "plan.json")
    return err.value.report().splitlines()


def _accepts(edit) -> None:
    doc = copy.deepcopy(GOOD)
    edit(doc)
    loads(json.dumps(doc, ensure_ascii=False), "plan.json")


# ------------------------------------------------------------------------------------------- every problem
def test_a_site_with_three_problems_reports_all_three():
    def edit(doc):
        _site(doc)["properties"]["frequency"] = 3500
        _site(doc)["properties"]["height_m"] = -3
        _site(doc)["geometry"]["coordinates"] = [0, 0]

    lines = _problems(edit)
    assert len(lines) == 3, lines
    assert "site-000002" in lines[0] and "unknown field 'frequency'" in lines[0]
    assert any("field height_m: must be greater than 0, got -3" in ln for ln in lines)
    assert any("field geometry: 坐标不在宁波范围内 / point (0, 0) is outside Ningbo" in ln for ln in lines)


def test_a_site_on_another_citys_land_is_reported_beside_its_other_problems():
    def edit(doc):
        _site(doc)["properties"]["kind"] = "6g"
        _site(doc)["geometry"]["coordinates"] = [122.207, 30.016]

    lines = _problems(edit)
    assert len(lines) == 2, lines
    assert "field kind: '6g' is not one of" in lines[0] and "on the land of 舟山市" in lines[1]


def test_unknown_members_of_a_feature_are_refused():
    lines = _problems(lambda d: _park(d).update(style="red"))
    assert lines == [
        "plan.json — layers.parks feature 1 (id park-000001): unknown field 'style' of the feature "
        "(expected: type, id, properties, geometry, bbox)"
    ]
    lines = _problems(lambda d: _park(d).update(propertes=_park(d).pop("properties")))
    assert "unknown field 'propertes' of the feature" in lines[0] and "has no 'properties' object" in lines[1]


def test_an_integer_of_thousands_of_digits_names_the_feature_and_field():
    text = dumps(make_small_scenario()).replace('"open_year": 2024', '"open_year": 1' + "0" * 5000, 1)
    with pytest.raises(ScenarioFileError) as err:
        loads(text, "plan.json")
    assert err.value.report() == (
        "plan.json — layers.sites feature 1 (id site-000001), field open_year: must be a whole year, "
        "got a 5,001-digit number"
    )


def test_a_park_missing_a_field_still_has_its_other_fields_checked():
    def edit(doc):
        del _park(doc)["properties"]["status"]
        _park(doc)["properties"]["kind"] = "spaceport"

    lines = _problems(edit)
    assert len(lines) == 2, lines
    assert "required field 'status' is missing" in lines[0]
    assert "field kind: 'spaceport' is not one of" in lines[1]


def test_a_feature_with_a_bad_geometry_still_has_its_properties_checked():
    def edit(doc):
        _zone(doc)["geometry"] = {"type": "Point", "coordinates": [121.8, 29.9]}
        _zone(doc)["properties"]["open_year"] = 20255

    lines = _problems(edit)
    assert len(lines) == 2, lines
    assert any("field geometry" in ln and "Polygon or MultiPolygon" in ln for ln in lines)
    assert any("field open_year" in ln and "20255" in ln for ln in lines)


# ------------------------------------------------------------------------------------------- geography
@pytest.mark.parametrize(
    "lon, lat, city",
    [(122.207, 30.016, "舟山市 (Zhoushan)"), (120.88, 30.03, "绍兴市 (Shaoxing)"), (121.1, 28.95, "台州市 (Taizhou)")],
)
def test_a_site_on_another_citys_land_is_refused_by_name(lon, lat, city):
    lines = _problems(lambda d: _site(d)["geometry"].update(coordinates=[lon, lat]))
    assert lines == [
        f"plan.json — layers.sites feature 2 (id site-000002), field geometry: 位于{city.split()[0]}陆域，不在宁波 / "
        f"point ({lon}, {lat}) is on the land of {city}, not in Ningbo"
    ]


def test_a_site_far_out_at_sea_is_refused_with_its_distance():
    (line,) = _problems(lambda d: _site(d)["geometry"].update(coordinates=[122.5, 29.3]))
    assert "is at sea 27.8 km off Ningbo's coast" in line and "at most 22.2 km" in line


def test_a_site_just_off_the_coast_is_accepted_and_counted_at_sea(tmp_path):
    from planner.analysis.summary import summary

    scenario = make_small_scenario()
    # In the sea east of 象山, 2 km from the nearest land (and on no island of 舟山).
    sea = make_site(9, 122.05, 29.30, environment="rural", band_mhz=700, operator="cbn")
    scenario.sites[sea.id] = sea
    save(scenario, tmp_path / "s.json")
    again = load(tmp_path / "s.json")
    assert again.sites["site-000009"] == sea
    assert summary(again)["totals"]["sites_at_sea"] == 1


def test_the_same_geography_check_guards_edits():
    scenario = make_small_scenario()
    with pytest.raises(ValueError, match="舟山市"):
        commands.add_features(scenario, [make_site(9, 122.207, 30.016)])
    with pytest.raises(ValueError, match="绍兴市"):
        commands.move_feature(scenario, "sites", "site-000001", 120.88 - 121.55, 30.03 - 29.87)


def test_a_park_must_lie_in_the_district_it_names():
    (line,) = _problems(lambda d: _park(d)["properties"].update(district="330226"))
    assert "park-000001), field district: the park lies 40.4 km outside 宁海县 (330226)" in line
    assert "at most 1.0 km" in line and "it lies in 鄞州区 (330212)" in line


def test_a_park_on_its_districts_boundary_is_accepted():
    from planner.geo.basemap import district_by_adcode
    from planner.geo.crs import geometry_to_metric, geometry_to_wgs84

    yinzhou = district_by_adcode()["330212"].geometry
    # A point 500 m outside 鄞州区's boundary (within the 1 km tolerance).
    ring = geometry_to_wgs84(geometry_to_metric(yinzhou).buffer(500).exterior)
    outside = shapely.Point(ring.coords[0])
    _accepts(lambda d: _park(d)["geometry"].update(coordinates=[outside.x, outside.y]))


def test_a_zone_on_another_citys_land_is_refused():
    square = [[[120.86, 30.02], [120.89, 30.02], [120.89, 30.04], [120.86, 30.04], [120.86, 30.02]]]
    (line,) = _problems(lambda d: _zone(d)["geometry"].update(coordinates=square))
    assert "zone-000001), field geometry: lies wholly on the land of 绍兴市 (Shaoxing)" in line


# ------------------------------------------------------------------------------------------- text
def test_a_lone_surrogate_is_refused_on_load_with_the_field_named():
    (line,) = _problems(lambda d: _park(d)["properties"].update(name="园区\ud800"), ascii_json=True)
    assert "park-000001), field name: contains a character that cannot be written as UTF-8" in line
    assert "'\\ud800'" in line


def test_validate_reports_a_surrogate_in_the_scenario_name_instead_of_crashing(tmp_path):
    doc = copy.deepcopy(GOOD)
    doc["scenario"]["name"] = "情景\udc80"
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc), encoding="utf-8")  # ASCII JSON: the surrogate is a \udc80 escape
    out = run_cli("validate", str(path))
    assert out.returncode == 1, out.stderr
    assert "scenario, field name: contains a character that cannot be written as UTF-8" in out.stderr
    export = run_cli("export", str(path), "--geojson", str(tmp_path / "out"))
    assert export.returncode == 1 and not (tmp_path / "out").exists()


# ------------------------------------------------------------------------------------------- bounded reading
def test_a_pipe_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "scenario.json"
    os.mkfifo(fifo)
    out = run_cli("validate", str(fifo), timeout=60)  # before the fix this waited for a writer forever
    assert out.returncode == 1
    assert f"{fifo}: is not a regular file (a pipe, a device or a socket)" in out.stderr


def test_a_device_that_never_ends_is_refused():
    out = run_cli("validate", "/dev/zero")
    assert out.returncode == 1
    assert "/dev/zero: is not a regular file" in out.stderr and "MemoryError" not in out.stderr


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(b" " * 5000)
    with pytest.raises(ScenarioFileError, match=r"big.json: is 0 MB; the planner reads files of up to 0 MB"):
        read_file_bytes(path, limit=4096)
    assert read_file_bytes(path, limit=5000) == b" " * 5000


# ------------------------------------------------------------------------------------------- numbers, geometry
def test_a_number_too_large_for_a_float_names_the_feature_and_field():
    text = json.dumps(GOOD).replace('"height_m": 30.0', '"height_m": 1' + "0" * 400, 1)
    with pytest.raises(ScenarioFileError) as err:
        loads(text, "plan.json")
    (line,) = err.value.report().splitlines()
    assert line.startswith("plan.json — layers.sites feature 1 (id site-000001), field height_m: ")
    assert "a 401-digit number is too large" in line and len(line) < 200


@pytest.mark.parametrize(
    "edit, fragment",
    [
        (
            lambda d: _zone(d)["geometry"].update(
                coordinates=[[[str(x), str(y)] for x, y in _zone(d)["geometry"]["coordinates"][0]]]
            ),
            "zone-000001), field geometry: Polygon coordinate '121.9' is not a finite number",
        ),
        (
            lambda d: _park(d)["geometry"].update(coordinates=[[121.625, 29.88]]),
            "park-000001), field geometry: Point position must be [longitude, latitude], got [[121.625, 29.88]]",
        ),
        (
            lambda d: _zone(d)["geometry"]["coordinates"][0][1].__setitem__(0, float("nan")),
            "zone-000001), field geometry: Polygon coordinate nan is not a finite number",
        ),
        (
            lambda d: _zone(d)["geometry"]["coordinates"][0].pop(),
            "zone-000001), field geometry: Polygon ring is not closed",
        ),
        (
            lambda d: _site(d)["geometry"].update(coordinates=[121.56, True]),
            "site-000002), field geometry: Point coordinate True is not a finite number",
        ),
    ],
    ids=["string coordinates", "nested point", "NaN in a ring", "open ring", "boolean coordinate"],
)
def test_geometry_that_is_not_geojson_is_refused_with_nothing_else_printed(edit, fragment):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # shapely's RuntimeWarning would fail the test
        lines = _problems(edit)
    assert len(lines) == 1 and fragment in lines[0], lines


def test_validate_prints_only_the_message_for_a_nan_ring(tmp_path):
    doc = copy.deepcopy(GOOD)
    _zone(doc)["geometry"]["coordinates"][0][1][0] = float("nan")
    path = tmp_path / "nan.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    out = run_cli("validate", str(path))
    assert out.returncode == 1
    assert "Warning" not in out.stderr and "site-packages" not in out.stderr
    assert out.stderr.splitlines()[0].endswith("field geometry: Polygon coordinate nan is not a finite number")


# ------------------------------------------------------------------------------------------- messages
def test_messages_quote_a_shortened_value():
    lines = _problems(lambda d: _park(d)["properties"].update(name=["x"] * 2_000_000))
    assert lines == [
        "plan.json — layers.parks feature 1 (id park-000001), field name: must be text, got a list of 2,000,000 items"
    ]
    long_id = "s" * 100_000

    def edit(doc):
        _site(doc)["id"] = long_id
        _site(doc)["properties"]["height_m"] = "x" * 1_000_000

    (line,) = _problems(edit)
    assert len(line) < 300 and "field height_m: must be a number" in line


# ------------------------------------------------------------------------------------------- temporaries
_KILLED_SAVE = textwrap.dedent(
    """
    import os, signal, sys
    sys.path.insert(0, {root!r})
    from planner.storage import atomic
    from planner.storage.fileformat import load
    scenario = load({path!r})
    real_replace = os.replace
    def replace(src, dst):
        if str(dst).endswith(".bak"):
            os.kill(os.getpid(), signal.SIGKILL)  # killed after writing the new file, while keeping the old one
        real_replace(src, dst)
    atomic.os.replace = replace
    atomic.save(scenario, {path!r})
    """
)


def test_a_save_killed_half_way_leaves_the_file_whole_and_the_next_save_cleans_up(tmp_path):
    path = tmp_path / "plan.json"
    scenario = make_small_scenario()
    save(scenario, path)
    before = path.read_bytes()
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_SAVE.format(root=str(ROOT), path=str(path))], check=False, timeout=60
    )
    assert killed.returncode == -signal.SIGKILL
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp"))
    assert len(leftovers) == 2 and any(n.endswith(".bak.tmp") for n in leftovers), leftovers
    assert path.read_bytes() == before  # the old version, whole

    # A temporary of a save that is still running elsewhere (this process's parent) is left alone.
    live = tmp_path / f".plan.json.{os.getppid()}.abcd1234.tmp"
    live.write_bytes(b"in progress")
    save(scenario, path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["plan.json", "plan.json.bak", live.name])


def test_old_temporaries_without_a_process_id_are_removed_by_age(tmp_path):
    path = tmp_path / "plan.json"
    legacy = tmp_path / ".plan.json.x1y2z3w4.tmp"
    fresh = tmp_path / ".plan.json.q9r8s7t6.tmp"
    other = tmp_path / ".notes.txt.x1y2z3w4.tmp"  # not a temporary of this file
    for p in (legacy, fresh, other):
        p.write_bytes(b"")
    old = time.time() - STALE_AFTER_S - 60
    os.utime(legacy, (old, old))
    os.utime(other, (old, old))
    assert remove_stale_temporaries(path) == [legacy]
    assert fresh.exists() and other.exists()


# ------------------------------------------------------------------------------------------- one validator
@pytest.mark.parametrize(
    "values, fragment",
    [
        ({"name": ""}, "name: must not be empty"),
        ({"base_year": 1500}, "base_year: 年份超出范围 / year 1500 is outside 1990–2100"),
        ({"modified": "yesterday"}, "modified: must be an ISO 8601 date and time"),
        ({"name": "情景\ud800"}, "cannot be written as UTF-8"),
        ({"horizon_year": 2024}, "base_year 2025 is after horizon_year 2024"),
    ],
)
def test_scenario_info_edits_refuse_what_the_loader_refuses(values, fragment, tmp_path):
    scenario = make_small_scenario()
    with pytest.raises(ValueError, match=fragment):
        commands.set_scenario_info(scenario, **values)
    # …and the loader refuses the same value in a file, with the same words.
    doc = copy.deepcopy(GOOD)
    doc["scenario"].update(values)
    with pytest.raises(ScenarioFileError, match=fragment):
        loads(json.dumps(doc), "plan.json")


def test_what_an_info_edit_accepts_the_loader_accepts(tmp_path):
    scenario = make_small_scenario()
    commands.set_scenario_info(
        scenario, name="新名称", description="", author="规划处", modified="2026-12-01T09:30:00+08:00"
    ).do(scenario)
    save(scenario, tmp_path / "s.json")
    assert load(tmp_path / "s.json") == scenario


def test_products_are_validated_alike_by_edits_and_the_loader():
    scenario = make_small_scenario()
    with pytest.raises(ValueError, match="cannot be written as UTF-8"):
        commands.assign_product(scenario, "330203", "软件\udfff")
    with pytest.raises(ValueError, match="not a Ningbo district adcode"):
        commands.assign_product(scenario, "310101", "软件")
    (line,) = _problems(lambda d: d["products"].update({"330203": "软件\udfff"}), ascii_json=True)
    assert "products.330203: product contains a character that cannot be written as UTF-8" in line


def _notched_square() -> Polygon:
    """A valid square with a notch 8e-8° (≈8 mm) wide, whose two sides round to the same 1e-7° on save."""
    x0, y0, x1, y1 = 121.80, 29.89, 121.81, 29.90
    a, b = 121.80499996, 121.80500004  # both round to 121.805
    return Polygon([(x0, y0), (x1, y0), (x1, y1), (b, y1), (b, 29.895), (a, 29.895), (a, y1), (x0, y1)])


def test_geometry_is_validated_as_it_will_be_written():
    notched = _notched_square()
    assert notched.is_valid  # in memory it is a fine polygon…
    zone = Zone("zone-000009", "缺口区域", "priority", notched, 2025)
    problems = validate_zone(zone)
    assert problems and problems[0][0] == "geometry"
    assert "once its coordinates are rounded to 1e-7°" in problems[0][1]
    scenario = make_small_scenario()
    with pytest.raises(ValueError, match="rounded to 1e-7"):
        commands.add_features(scenario, [zone])
    # …a zone that survives rounding is accepted by the command and the saved file loads.
    ok = Zone("zone-000009", "区域", "priority", box(121.80, 29.89, 121.81, 29.90), 2025)
    commands.add_features(scenario, [ok]).do(scenario)
    assert loads(dumps(scenario), "s.json").zones["zone-000009"] == ok


# ------------------------------------------------------------------------------------------- the fast path
_ODD_VALUES = [
    None, True, False, 0, -1, 1, 30, 30.0, 300, 300.5, 1e-9, 10**400, float("nan"), float("inf"), "30", "", " ",
    "5g_macro", "5g_a", "5g_small", "cmcc", "cmcc_cbn", "urban", "rural", "synthetic", "planner", 700, 2100, 3500,
    4900, 2025, 2019, 1989, 2101, [], {}, [1, 2], 1e8, 1e9, 99_999.0, "site-x", "\u202e",
]  # fmt: skip


@pytest.mark.parametrize("batch", [4096, 1])
def test_the_fast_path_for_sites_accepts_and_reports_exactly_what_the_full_check_does(monkeypatch, batch):
    """Sites are read by a fast path (for 220,000-site files) that must agree with the full validation: each of
    ~700 spoilt site features gives the same scenario, or the same report, with the fast path on or off. The
    batch path reads runs of ``SITE_BATCH`` features (all of this file's sites in one run, split in halves down to
    the spoilt feature, or one per run)."""
    import random

    from planner.storage import fileformat

    rng = random.Random(6)
    keys = ["kind", "operator", "band_mhz", "height_m", "environment", "open_year", "radius_m", "capex_wan", "source"]
    real_batch = fileformat.read_site_batch
    used = []

    def batch_reader(features, seen):  # the real one, noting whether it read the run or fell back
        used.append(result := real_batch(features, seen))
        return result

    monkeypatch.setattr(fileformat, "read_site_batch", batch_reader)

    def outcome(text):
        try:
            return loads(text, "plan.json")
        except ScenarioFileError as exc:
            return exc.report()

    def spoil(feat):
        roll = rng.random()
        if roll < 0.6:
            feat["properties"][rng.choice(keys)] = rng.choice(_ODD_VALUES)
        elif roll < 0.7:
            feat["properties"].pop(rng.choice(keys), None)
        elif roll < 0.8:
            feat["geometry"] = {"type": "Point"}
            feat["geometry"]["coordinates"] = rng.choice(
                [[121.56, 29.88, 5.0], [121.56], [0, 0], [121, 29.9], ["121.5", 29.8], [122.207, 30.016]]
            )
        elif roll < 0.9:
            feat[rng.choice(["id", "type", "extra"])] = rng.choice(_ODD_VALUES)
        else:
            feat["geometry"] = rng.choice([None, {"type": "Point"}, {"type": "Polygon", "coordinates": []}])

    # Every odd value in every field once, then 300 features spoilt in two random ways.
    # ... and the id of another site (a duplicate in another run of the batch path), and odd ids.
    edits = [(k, v) for k in keys for v in _ODD_VALUES] + [("id", v) for v in ("site-000001", "site-000003", " x", "é")]
    edits += [None] * 300
    accepted = 0
    for edit in edits:
        doc = copy.deepcopy(GOOD)
        feat = _site(doc)
        if edit is not None and edit[0] == "id":
            feat["id"] = edit[1]
        elif edit is not None:
            feat["properties"][edit[0]] = edit[1]
        else:
            spoil(feat)
            spoil(feat)
        text = json.dumps(doc, ensure_ascii=False)
        monkeypatch.setattr(fileformat, "SITE_BATCH", batch)
        fast = outcome(text)
        monkeypatch.setattr(fileformat, "read_site_batch", lambda features, seen: None)
        slow = outcome(text)
        monkeypatch.setattr(fileformat, "read_site_batch", batch_reader)
        assert fast == slow, text
        accepted += not isinstance(fast, str)
    assert 20 < accepted < len(edits) - 20  # both kinds of outcome were exercised
    assert any(r is None for r in used) and any(r is not None for r in used)  # the batch both read and fell back


def test_compare_reports_the_problems_of_both_files(tmp_path):
    (tmp_path / "a.json").write_text("", encoding="utf-8")
    (tmp_path / "b.json").write_text("{", encoding="utf-8")
    out = run_cli("compare", str(tmp_path / "a.json"), str(tmp_path / "b.json"))
    assert out.returncode == 1
    assert "a.json: file is empty" in out.stderr and "b.json — line 1, column 2: not valid JSON" in out.stderr


def test_a_park_on_a_neighbours_land_says_whose_land_it_is():
    (line,) = _problems(lambda d: _park(d)["geometry"].update(coordinates=[122.207, 30.016]))
    assert "field district: the park lies" in line and "it lies on the land of 舟山市 (Zhoushan)" in line


# ------------------------------------------------------------------------------------------- duplicate keys
def _objects(node):
    """Every JSON object within a parsed document, depth first."""
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _objects(v)
    elif isinstance(node, list):
        for v in node:
            yield from _objects(v)


def _emit(node, twice=None, *, ascii_json=False, escape_colons=False) -> str:
    """JSON text of ``node`` in which the object ``twice`` (by identity) writes its first member two times."""

    def text(s: str) -> str:
        out = json.dumps(s, ensure_ascii=ascii_json)
        return out.replace(":", "\\u003a") if escape_colons else out

    if isinstance(node, dict):
        members = [
            f"{text(k)}: {_emit(v, twice, ascii_json=ascii_json, escape_colons=escape_colons)}" for k, v in node.items()
        ]
        if node is twice:
            members.insert(0, members[0])
        return "{" + ", ".join(members) + "}"
    if isinstance(node, list):
        return "[" + ", ".join(_emit(v, twice, ascii_json=ascii_json, escape_colons=escape_colons) for v in node) + "]"
    if isinstance(node, str):
        return text(node)
    return json.dumps(node)


def _colon_doc():
    """GOOD with colons in ids, names and times: the text a duplicate could hide behind."""
    doc = copy.deepcopy(GOOD)
    doc["scenario"]["name"] = "方案: A:B"
    site = _site(doc)
    site["id"] = "site:0002:x"
    doc["layers"]["parks"]["features"][0]["properties"]["name"] = "园区：一:二"
    return doc


@pytest.mark.parametrize("ascii_json", [False, True])
def test_a_key_written_twice_in_any_object_is_refused(ascii_json):
    # The loader parses without a per-object hook and proves the absence of duplicates by counting members: a
    # duplicate in any object of the file (the document, its metadata, a layer, a feature, its properties, its
    # geometry, a table row) must still be found and named.
    doc = _colon_doc()
    objects = list(_objects(doc))
    assert len(objects) > 25
    for obj in objects:
        text = _emit(doc, obj, ascii_json=ascii_json)
        with pytest.raises(ScenarioFileError) as err:
            loads(text, "plan.json")
        assert f"{next(iter(obj))!r} appear" in err.value.report(), (next(iter(obj)), err.value.report())


def test_escaped_colons_neither_hide_a_duplicate_nor_refuse_a_sound_file(monkeypatch):
    doc = _colon_doc()
    sound = loads(_emit(doc, ascii_json=True), "plan.json")
    assert loads(_emit(doc, ascii_json=True, escape_colons=True), "plan.json") == sound
    assert sound.sites["site:0002:x"].id == "site:0002:x"
    for obj in (doc["scenario"], _site(doc)["properties"], doc["layers"]["parks"]["features"][0]["properties"]):
        with pytest.raises(ScenarioFileError, match="appear"):
            loads(_emit(doc, obj, escape_colons=True), "plan.json")


def test_a_sound_file_is_parsed_once(monkeypatch):
    # The duplicate-noting parse runs only when the count cannot prove there is no duplicate.
    import planner.storage.fileformat as ff

    calls = []
    real = ff._parse_json
    monkeypatch.setattr(ff, "_parse_json", lambda *a: calls.append(1) or real(*a))
    doc = _colon_doc()
    loads(_emit(doc), "plan.json")
    assert calls == []
    with pytest.raises(ScenarioFileError):
        loads(_emit(doc, doc["scenario"]), "plan.json")
    assert calls == [1]


def test_sites_made_from_columns_equal_sites_made_one_by_one():
    from dataclasses import astuple

    from planner.domain.features import Site, sites_from_columns

    one_by_one = [make_site(i, open_year=2020 + i % 5, radius_m=None if i % 2 else 900.0) for i in range(50)]
    columns = [list(c) for c in zip(*map(astuple, one_by_one), strict=True)]
    made = sites_from_columns(*columns)
    assert made == one_by_one and [hash(s) for s in made] == [hash(s) for s in one_by_one]
    assert all(type(s) is Site for s in made)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made[0].lon = 0.0
    with pytest.raises(ValueError):
        sites_from_columns(*columns[:-1])
