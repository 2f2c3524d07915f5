"""The scenario file: round trip, readability, atomic saves with backup, refusing newer schemas."""

from __future__ import annotations

import json
import os

import pytest

from planner.storage import atomic
from planner.storage.fileformat import SCHEMA_VERSION, dumps, load, loads
from planner.storage.problems import ScenarioFileError


def test_round_trip_gives_the_identical_scenario(small_scenario, tmp_path):
    path = tmp_path / "s.json"
    atomic.save(small_scenario, path)
    again = load(path)
    assert again == small_scenario
    assert dumps(again) == path.read_text(encoding="utf-8")


def test_file_is_readable_utf8_with_geojson_layers(small_scenario, tmp_path):
    path = tmp_path / "s.json"
    atomic.save(small_scenario, path)
    text = path.read_text(encoding="utf-8")
    assert "数创港核心园" in text and "\\u" not in text  # Chinese written as is
    doc = json.loads(text)
    assert doc["schema_version"] == SCHEMA_VERSION
    for layer in ("parks", "sites", "zones"):
        fc = doc["layers"][layer]
        assert fc["type"] == "FeatureCollection"
        for f in fc["features"]:
            assert f["type"] == "Feature" and "geometry" in f and "properties" in f
    # One feature per line: a moved site is a one-line diff.
    site_lines = [ln for ln in text.splitlines() if '"id": "site-' in ln]
    assert len(site_lines) == 3


def test_moving_one_site_changes_one_line(small_scenario):
    before = dumps(small_scenario).splitlines()
    from planner.domain.commands import move_feature

    move_feature(small_scenario, "sites", "site-000002", 0.001, 0).do(small_scenario)
    after = dumps(small_scenario).splitlines()
    assert len(before) == len(after)
    assert sum(a != b for a, b in zip(before, after, strict=True)) == 1


def test_geojson_layers_are_readable_by_a_gis(small_scenario, tmp_path):
    import geopandas as gpd

    path = tmp_path / "s.json"
    atomic.save(small_scenario, path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    layer = tmp_path / "parks.geojson"
    layer.write_text(json.dumps(doc["layers"]["parks"], ensure_ascii=False), encoding="utf-8")
    gdf = gpd.read_file(layer)
    assert len(gdf) == 2 and set(gdf["name"]) == {"数创港核心园", "多边形园区"}


def test_save_keeps_a_backup_and_leaves_no_temporary_files(small_scenario, tmp_path):
    path = tmp_path / "plan.json"
    atomic.save(small_scenario, path)
    first = path.read_bytes()
    small_scenario.name = "第二版"
    atomic.save(small_scenario, path)
    assert atomic.backup_path(path).read_bytes() == first
    assert "第二版" in path.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json", "plan.json.bak"]


def test_a_failed_save_leaves_the_old_file_intact(small_scenario, tmp_path, monkeypatch):
    path = tmp_path / "plan.json"
    atomic.save(small_scenario, path)
    before = path.read_bytes()
    real_replace = os.replace

    def failing_replace(src, dst):
        if os.fspath(dst) == os.fspath(path):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", failing_replace)
    small_scenario.name = "不会保存"
    with pytest.raises(OSError):
        atomic.save(small_scenario, path)
    assert path.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_newer_schema_is_refused_with_a_message(small_scenario):
    doc = json.loads(dumps(small_scenario))
    doc["schema_version"] = SCHEMA_VERSION + 1
    with pytest.raises(ScenarioFileError) as err:
        loads(json.dumps(doc), "future.json")
    msg = err.value.report()
    assert "future.json" in msg and "newer version" in msg and str(SCHEMA_VERSION + 1) in msg


def test_a_failed_load_changes_nothing_on_disk(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "ningbo-planner-scenario", "schema_version": 1, "scenario": ', encoding="utf-8")
    before = (path.read_bytes(), os.stat(path).st_mtime_ns)
    with pytest.raises(ScenarioFileError):
        load(path)
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.json"]


def test_bundled_scenarios_round_trip_byte_for_byte(baseline, plan):
    from planner.paths import BASELINE, PLAN_2027

    assert dumps(baseline) == BASELINE.read_text(encoding="utf-8")
    assert dumps(plan) == PLAN_2027.read_text(encoding="utf-8")
