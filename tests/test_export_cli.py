"""``python main.py export`` with every output: one run, every file, nothing written when a folder is missing."""

from __future__ import annotations

import openpyxl
import pyogrio

from planner.analysis.summary import summary
from planner.cli import main
from planner.storage import atomic
from tests.conftest import make_small_scenario


def test_export_writes_each_asked_output_with_the_same_figures(tmp_path, capsys):
    s = make_small_scenario()
    path = tmp_path / "s.json"
    atomic.save(s, path)
    out = tmp_path / "out"
    out.mkdir()
    args = ["export", str(path), "--xlsx", str(out / "b.xlsx"), "--png", str(out / "m.png"), "--pdf",
            str(out / "m.pdf"), "--map", "coverage_5ga", "--page", "16:9", "--gpkg", str(out / "l.gpkg")]  # fmt: skip
    assert main(args) == 0
    assert sorted(p.name for p in out.iterdir()) == ["b.xlsx", "l.gpkg", "m.pdf", "m.png"]
    data = summary(s, s.horizon_year)
    sheet = openpyxl.load_workbook(out / "b.xlsx")["区县"]
    gpkg = pyogrio.read_dataframe(out / "l.gpkg", layer="districts")
    for d in data["districts"]:
        row = next(r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0] == d["name"])
        assert row[6] == d["sites"]
        assert gpkg.loc[gpkg["adcode"] == d["adcode"], "sites"].item() == d["sites"]
    assert (out / "m.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and (out / "m.pdf").read_bytes()[:5] == b"%PDF-"
    assert "b.xlsx" in capsys.readouterr().out


def test_export_with_a_missing_folder_writes_nothing(tmp_path, capsys):
    s = make_small_scenario()
    path = tmp_path / "s.json"
    atomic.save(s, path)
    code = main(["export", str(path), "--xlsx", str(tmp_path / "b.xlsx"), "--html", str(tmp_path / "no" / "m.html")])
    assert code != 0 and "no such folder" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]
    assert main(["export", str(path)]) != 0  # at least one output
