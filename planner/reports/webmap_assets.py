"""What a self-contained web map inlines: Leaflet's script and stylesheet, and a subset of the bundled CJK font.

Leaflet comes from the ``XStatic-Leaflet`` package (Leaflet 1.9.3, the version folium 0.20 links to, BSD-2-Clause;
its ``@preserve`` licence banner is kept as it ships). The stylesheet's images (layer-control icon, default marker)
are turned into ``data:`` URLs, and the script's ``sourceMappingURL`` comment is dropped, so opening the page asks
for no file and no URL at all.

The page needs none of folium's other defaults (jQuery, Bootstrap, Font Awesome, awesome-markers): popups, the
legend and the markers are plain Leaflet and CSS, so nothing of theirs is linked or inlined.

The font: Noto Sans CJK SC (SIL Open Font License 1.1, from ``mplfonts``) subset with fontTools to the characters
the page uses, as WOFF2 when ``brotli`` is installed and WOFF (zlib) otherwise; the font's name table (copyright,
licence) is kept in the subset, as the licence asks.
"""

from __future__ import annotations

import base64
import io
import re
from functools import lru_cache
from pathlib import Path

#: The Leaflet version the page is built for (folium 0.20's).
LEAFLET_VERSION = "1.9.3"
#: The family name the page's CSS uses for the embedded subset.
FONT_FAMILY = "NingboPlannerCJK"
#: Characters always in the subset: printable ASCII and the punctuation Leaflet and the page write themselves.
BASE_CHARS = "".join(chr(c) for c in range(0x20, 0x7F)) + "·×−–—≈²°%‰…·、，。：；（）《》“”‘’！？「」"


class AssetsMissing(RuntimeError):
    """A package that ships the page's assets is not installed."""


def _leaflet_dir() -> Path:
    try:
        import xstatic.pkg.leaflet as xleaflet
    except ImportError as exc:
        raise AssetsMissing(
            "the XStatic-Leaflet package (Leaflet's script and stylesheet for the web map) is not installed"
        ) from exc
    if getattr(xleaflet, "VERSION", "") != LEAFLET_VERSION:
        raise AssetsMissing(f"XStatic-Leaflet ships Leaflet {xleaflet.VERSION}, the web map needs {LEAFLET_VERSION}")
    return Path(xleaflet.BASE_DIR)


def _script_safe(text: str) -> str:
    """Text to put inside a ``<script>`` or ``<style>`` element: a literal ``</`` would close it early."""
    return text.replace("</", "<\\/")


@lru_cache(maxsize=1)
def leaflet_js() -> str:
    """Leaflet's minified script with its licence banner, without the source-map comment."""
    text = (_leaflet_dir() / "leaflet.js").read_text(encoding="utf-8")
    text = re.sub(r"\n?//# sourceMappingURL=\S+\s*$", "\n", text)
    return _script_safe(text)


@lru_cache(maxsize=1)
def leaflet_css() -> str:
    """Leaflet's stylesheet with its ``images/…`` references made into ``data:`` URLs."""
    folder = _leaflet_dir()
    text = (folder / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        path = folder / match.group(1)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return _script_safe(re.sub(r"url\((images/[A-Za-z0-9_.-]+\.png)\)", inline, text))


def _font_flavor() -> str:
    try:
        import brotli  # noqa: F401  (fontTools needs it for WOFF2)
    except ImportError:
        return "woff"
    return "woff2"


@lru_cache(maxsize=8)
def _subset(chars: frozenset[str]) -> tuple[bytes, str]:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    from planner.fonts import cjk_font_path

    flavor = _font_flavor()
    options = subset.Options()
    options.flavor = flavor
    # No OpenType layout features: the page sets horizontal text only, and the features' closure would pull in
    # thousands of alternates (vertical forms, variants): 3,000 glyphs instead of ~400, and 8 s instead of 1 s.
    options.layout_features = []
    # Nor the tables only vertical or shaped text needs (never read, ~0.2 s less); the Latin kerning in GPOS is
    # the one loss, invisible at these sizes.
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "vhea", "vmtx", "VORG"]
    options.name_IDs = ["*"]  # copyright and licence stay in the subset (OFL)
    options.name_languages = ["*"]
    options.notdef_outline = True
    # Hints and subroutines kept as they are: removing them costs more time (~0.1 s) than the ~10 kB it saves.
    options.hinting = True
    options.desubroutinize = False
    # The bounding boxes in the head/hhea/vhea tables are the full font's: still true bounds of the subset, and
    # recomputing them would draw every glyph.
    font = TTFont(str(cjk_font_path()), lazy=True, recalcBBoxes=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(chars)))
    subsetter.subset(font)
    font.flavor = flavor
    out = io.BytesIO()
    font.save(out)
    return out.getvalue(), flavor


def font_face_css(text: str) -> str:
    """An ``@font-face`` rule embedding the bundled CJK font subset to the characters of ``text``.

    ``\\uXXXX`` escapes in ``text`` count too: folium writes the layer control's names as ASCII-escaped JSON.
    """
    chars = set(text) | set(BASE_CHARS)
    chars.update(chr(int(h, 16)) for h in set(re.findall(r"\\u([0-9a-fA-F]{4})", text)))
    chars = frozenset(ch for ch in chars if ch.isprintable())
    data, flavor = _subset(chars)
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f"@font-face{{font-family:'{FONT_FAMILY}';font-style:normal;font-weight:400;font-display:block;"
        f"src:url(data:font/{flavor};base64,{encoded}) format('{flavor}');}}"
    )
