"""Edit commands: do, undo, labels, validation, events, and random edit sequences undone exactly."""

from __future__ import annotations

import random

import pytest
from shapely.geometry import Point, box

from planner.domain import commands as cmd
from planner.domain.commands import CommandStack
from planner.domain.features import Park, Zone
from planner.storage.fileformat import dumps
from tests.conftest import make_site, make_small_scenario


def test_add_site_then_undo_and_redo(small_scenario):
    stack = CommandStack(small_scenario)
    site = make_site(0, 121.6, 29.9, id=small_scenario.new_id("sites"))
    stack.push(cmd.add_features(small_scenario, [site]))
    assert small_scenario.sites[site.id] == site
    assert stack.undo_label.startswith("添加站点")
    stack.undo()
    assert site.id not in small_scenario.sites
    assert stack.redo_label.startswith("添加站点")
    stack.redo()
    assert small_scenario.sites[site.id] == site


def test_new_ids_are_fresh(small_scenario):
    a = small_scenario.new_id("sites")
    b = small_scenario.new_id("sites")
    assert a != b and a not in small_scenario.sites and a == "site-000004"
    assert small_scenario.new_id("parks") == "park-000003"


def test_remove_restores_the_same_feature_on_undo(small_scenario):
    before = dumps(small_scenario)
    stack = CommandStack(small_scenario)
    stack.push(cmd.remove_features(small_scenario, "parks", ["park-000001", "park-000002"]))
    assert not small_scenario.parks
    assert stack.undo_label == "删除 2 个园区"
    stack.undo()
    assert dumps(small_scenario) == before


def test_move_site_and_successive_moves_merge_into_one_step(small_scenario):
    stack = CommandStack(small_scenario)
    start = small_scenario.sites["site-000001"]
    for _ in range(5):
        stack.push(cmd.move_feature(small_scenario, "sites", "site-000001", 0.001, 0.0005))
    moved = small_scenario.sites["site-000001"]
    assert moved.lon == pytest.approx(start.lon + 0.005) and moved.lat == pytest.approx(start.lat + 0.0025)
    assert len(stack.done) == 1 and stack.undo_label.startswith("移动站点")
    stack.undo()
    assert small_scenario.sites["site-000001"] == start


def test_moves_do_not_merge_across_a_save(small_scenario):
    stack = CommandStack(small_scenario)
    stack.push(cmd.move_feature(small_scenario, "sites", "site-000001", 0.001, 0))
    stack.set_clean()
    stack.push(cmd.move_feature(small_scenario, "sites", "site-000001", 0.001, 0))
    assert len(stack.done) == 2 and not stack.is_clean
    stack.undo()
    assert stack.is_clean


def test_move_polygon_park(small_scenario):
    stack = CommandStack(small_scenario)
    old = small_scenario.parks["park-000002"].geometry
    stack.push(cmd.move_feature(small_scenario, "parks", "park-000002", 0.01, -0.01))
    new = small_scenario.parks["park-000002"].geometry
    assert new.bounds == pytest.approx(
        (old.bounds[0] + 0.01, old.bounds[1] - 0.01, old.bounds[2] + 0.01, old.bounds[3] - 0.01)
    )


def test_set_attributes_validates_and_names_the_field(small_scenario):
    with pytest.raises(ValueError, match="band_mhz"):
        cmd.set_attributes(small_scenario, "sites", "site-000001", band_mhz=-5)
    with pytest.raises(ValueError, match="open_year"):
        cmd.set_attributes(small_scenario, "parks", "park-000001", open_year=20250)
    with pytest.raises(ValueError, match="no field colour"):
        cmd.set_attributes(small_scenario, "parks", "park-000001", colour="red")
    with pytest.raises(ValueError, match="outside Ningbo"):
        cmd.move_feature(small_scenario, "sites", "site-000001", 5.0, 0.0)
    c = cmd.set_attributes(small_scenario, "parks", "park-000001", status="planned", capex_wan=1.5)
    assert c.label.endswith("：状态、投资")  # the fields as a planner reads them


def test_self_intersecting_zone_is_refused(small_scenario):
    bowtie = Zone(
        "zone-000009",
        "蝴蝶结",
        "f5g",
        __import__("shapely").Polygon([(121.5, 29.8), (121.6, 29.9), (121.6, 29.8), (121.5, 29.9)]),
        2026,
    )
    with pytest.raises(ValueError, match="Self-intersection"):
        cmd.add_features(small_scenario, [bowtie])


def test_assign_product_and_clear(small_scenario):
    stack = CommandStack(small_scenario)
    stack.push(cmd.assign_product(small_scenario, "330203", "软件与信息服务"))
    assert small_scenario.products["330203"] == "软件与信息服务"
    assert "一区一品" in stack.undo_label
    stack.push(cmd.assign_product(small_scenario, "330206", ""))
    assert "330206" not in small_scenario.products
    stack.undo()
    stack.undo()
    assert small_scenario.products == {"330206": "港航数据 + 交通治理"}
    with pytest.raises(ValueError):
        cmd.assign_product(small_scenario, "999999", "x")


def test_import_many_is_one_step_with_a_label(small_scenario):
    stack = CommandStack(small_scenario)
    sites = [make_site(100 + i, 121.5 + i * 0.001, 29.8) for i in range(50)]
    stack.push(cmd.import_many(small_scenario, sites, "sites.csv"))
    assert len(small_scenario.sites) == 53
    assert stack.undo_label == "导入 sites.csv（50 个要素）"
    stack.undo()
    assert len(small_scenario.sites) == 3


def test_duplicate_ids_are_refused(small_scenario):
    with pytest.raises(ValueError, match="already exists"):
        cmd.add_features(small_scenario, [make_site(1)])


def test_scenario_info_and_years(small_scenario):
    stack = CommandStack(small_scenario)
    stack.push(cmd.set_scenario_info(small_scenario, name="新名称", horizon_year=2030))
    assert small_scenario.name == "新名称" and small_scenario.horizon_year == 2030
    stack.undo()
    assert small_scenario.name == "测试情景" and small_scenario.horizon_year == 2027
    with pytest.raises(ValueError):
        cmd.set_scenario_info(small_scenario, base_year=2030)


def test_listeners_receive_old_and_new(small_scenario):
    seen = []
    small_scenario.subscribe(seen.append)
    stack = CommandStack(small_scenario)
    stack.push(cmd.move_feature(small_scenario, "sites", "site-000002", 0.01, 0))
    (change,) = seen[-1]
    assert change.collection == "sites" and change.old.lon + 0.01 == pytest.approx(change.new.lon)
    stack.undo()
    (change,) = seen[-1]
    assert change.new.lon == pytest.approx(121.56)


def test_a_stale_command_is_refused_without_changing_anything(small_scenario):
    c = cmd.move_feature(small_scenario, "sites", "site-000001", 0.01, 0)
    c.do(small_scenario)
    before = dumps(small_scenario)
    with pytest.raises(RuntimeError):
        c.do(small_scenario)  # its "old" no longer matches
    assert dumps(small_scenario) == before


def _random_command(s, rng: random.Random):
    choice = rng.randrange(8)
    if choice == 0 or not s.sites:
        return cmd.add_features(
            s, [make_site(0, 121.4 + rng.random() * 0.4, 29.7 + rng.random() * 0.3, id=s.new_id("sites"))]
        )
    if choice == 1:
        return cmd.remove_features(s, "sites", [rng.choice(sorted(s.sites))])
    if choice == 2:
        return cmd.move_feature(
            s, "sites", rng.choice(sorted(s.sites)), rng.uniform(-0.01, 0.01), rng.uniform(-0.01, 0.01)
        )
    if choice == 3:
        sid = rng.choice(sorted(s.sites))
        bands = [2600, 3500, 4900] if s.sites[sid].kind == "5g_a" else [700, 2600, 3500]  # no 5G-A at 700 MHz
        return cmd.set_attributes(s, "sites", sid, band_mhz=rng.choice(bands), open_year=rng.randrange(2020, 2030))
    if choice == 4:
        adcode = rng.choice(["330203", "330205", "330211", "330212"])
        product = rng.choice(["软件", "电商", "石化", ""])
        if (s.products.get(adcode) or "") == product:
            product = product + "服务" if product else "数据服务"
        return cmd.assign_product(s, adcode, product)
    if choice == 5:
        pid = s.new_id("parks")
        return cmd.add_features(
            s,
            [
                Park(
                    pid,
                    f"园区{pid}",
                    "digital_park",
                    Point(121.5 + rng.random() * 0.2, 29.8),
                    "330212",
                    "planned",
                    2026,
                )
            ],
        )
    if choice == 6 and s.parks:
        return cmd.move_feature(s, "parks", rng.choice(sorted(s.parks)), 0.002, -0.001)
    zid = s.new_id("zones")
    x, y = 121.5 + rng.random() * 0.3, 29.7 + rng.random() * 0.2
    return cmd.add_features(s, [Zone(zid, "F5G", "f5g", box(x, y, x + 0.02, y + 0.02), 2026)])


@pytest.mark.parametrize("seed", range(8))
def test_random_edit_sequences_undo_to_the_identical_scenario(seed):
    rng = random.Random(seed)
    s = make_small_scenario()
    original = make_small_scenario()
    text_before = dumps(s)
    stack = CommandStack(s)
    for _ in range(60):
        stack.push(_random_command(s, rng))
    after = dumps(s)
    assert after != text_before
    while stack.undo():
        pass
    assert s == original
    assert dumps(s) == text_before
    while stack.redo():
        pass
    assert dumps(s) == after


def test_a_site_the_coverage_model_cannot_place_is_refused_unless_it_has_a_radius(small_scenario):
    with pytest.raises(ValueError, match=r"no coverage radius.*700 MHz"):
        cmd.set_attributes(small_scenario, "sites", "site-000001", kind="5g_small", band_mhz=700)
    with pytest.raises(ValueError, match="2100 MHz"):
        cmd.set_attributes(small_scenario, "sites", "site-000001", band_mhz=2100)
    c = cmd.set_attributes(small_scenario, "sites", "site-000001", band_mhz=2100, radius_m=600.0)
    c.do(small_scenario)
    assert small_scenario.sites["site-000001"].band_mhz == 2100


def test_a_failing_listener_neither_blocks_the_others_nor_the_undo(small_scenario, caplog):
    heard = []

    def broken(changes):
        raise RuntimeError("view bug")

    small_scenario.subscribe(broken)
    small_scenario.subscribe(heard.append)
    stack = CommandStack(small_scenario)
    stack.push(cmd.assign_product(small_scenario, "330203", "软件"))
    assert small_scenario.products["330203"] == "软件" and len(heard) == 1
    assert "a listener of a scenario failed" in caplog.text
    stack.undo()
    assert "330203" not in small_scenario.products


def test_catalogue_entries_are_validated_like_the_file(small_scenario):
    from planner.domain.scenario import UnitCost

    with pytest.raises(ValueError, match="amount_wan"):
        cmd.set_catalogue_entry(small_scenario, UnitCost("5g_macro_site", "5G宏站", "5G macro", "站", float("nan")))
    with pytest.raises(ValueError, match="assumption"):
        cmd.set_catalogue_entry(small_scenario, UnitCost("x", "某项", "x", "个", 1.0, assumption="no"))
    stack = CommandStack(small_scenario)
    stack.push(cmd.set_catalogue_entry(small_scenario, UnitCost("5g_macro_site", "5G宏站", "5G macro", "站", 28.0)))
    assert small_scenario.catalogue["5g_macro_site"].amount_wan == 28.0
    stack.undo()
    assert small_scenario.catalogue["5g_macro_site"].amount_wan == 25.0
