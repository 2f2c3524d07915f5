"""The CJK font the planner ships with, so Chinese renders on a fresh machine with no Chinese fonts installed.

The font file comes from the ``mplfonts`` package (Noto Sans CJK SC, SIL Open Font License). Qt registers it
with ``QFontDatabase.addApplicationFont`` (see ``planner.ui.app``); matplotlib with :func:`use_cjk_in_matplotlib`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

#: Family name of the bundled font, as Qt and matplotlib report it.
CJK_FAMILY = "Noto Sans CJK SC"


@lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    """Path of the bundled Noto Sans CJK SC font file."""
    import importlib.util

    spec = importlib.util.find_spec("mplfonts")
    if spec is None or spec.origin is None:
        raise RuntimeError("the mplfonts package (which ships the Chinese font) is not installed")
    path = Path(spec.origin).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    if not path.exists():
        raise RuntimeError(f"Chinese font not found at {path}")
    return path


def use_cjk_in_matplotlib() -> str:
    """Register the CJK font with matplotlib and make it the default sans-serif; returns the family name."""
    import matplotlib
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(cjk_font_path()))
    name = font_manager.FontProperties(fname=str(cjk_font_path())).get_name()
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [name, *matplotlib.rcParams["font.sans-serif"]]
    matplotlib.rcParams["axes.unicode_minus"] = False  # the CJK font lacks U+2212
    return name
