"""User text made safe to show: control characters are shown escaped, never interpreted.

A scenario file is edited anywhere, so its names, ids and products may hold characters a terminal or a window
title would *act on* rather than show: ESC sequences (colours, cursor moves, a cleared screen, a rewritten title),
NUL and other C0/C1 controls, DEL, the bidirectional overrides and isolates that reorder what is read (U+202A–U+202E,
U+2066–U+2069, U+200E/U+200F, U+061C), the line and paragraph separators U+2028/U+2029, and lone surrogates (a
file name that is not valid UTF-8, which could not even be printed). :func:`printable` turns each of them into a
visible escape (``\\x1b``, ``\\u202e``), so a planner sees exactly what the file says and nothing else changes.

For JSON output, :func:`json_dumps` writes the same characters as ``\\uXXXX`` escapes: the text stays valid JSON
and parses to exactly the same values.

Decision: a backslash is left as it is (Windows paths and names stay readable), so ``\\x1b`` typed literally in a
name looks like an escaped ESC; what matters is that nothing is *interpreted*.

No Qt here: the CLI and the app both use it.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: Bidirectional formatting characters (Unicode bidi controls) and the line/paragraph separators.
_BIDI_AND_SEPARATORS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
#: Everything :func:`printable` escapes: C0 controls, DEL, C1 controls, bidi controls, separators, surrogates.
UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI_AND_SEPARATORS}\ud800-\udfff]")
_UNSAFE_KEEPING_NEWLINES = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{_BIDI_AND_SEPARATORS}\ud800-\udfff]")
#: What the JSON encoder leaves raw: it already escapes C0 controls inside strings and writes none outside them.
_UNSAFE_IN_JSON = re.compile(f"[\x7f-\x9f{_BIDI_AND_SEPARATORS}\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: Any, *, keep_newlines: bool = False) -> str:
    """``text`` (anything: it is turned into a str) with every unsafe character shown as an escape.

    ``keep_newlines`` keeps ``\\n`` as a line break, for text the program itself laid out in lines; user values
    (a name, an id) are escaped whole, so a newline in a name cannot start a line that looks like output.
    """
    text = "" if text is None else str(text)
    pattern = _UNSAFE_KEEPING_NEWLINES if keep_newlines else UNSAFE
    return pattern.sub(_escape, text)


def is_printable(text: str) -> bool:
    """True when ``text`` holds no character :func:`printable` would escape."""
    return UNSAFE.search(text) is None


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_safe(json_text: str) -> str:
    """JSON text with every unsafe character written as a ``\\uXXXX`` escape (same values when parsed).

    The characters escaped here (DEL, C1 controls, bidi controls, separators, surrogates) can only stand inside
    strings in JSON text, where ``\\uXXXX`` means the same character; C0 controls are already escaped by the
    encoder, and the spaces and line breaks between tokens are left alone.
    """
    return _UNSAFE_IN_JSON.sub(_json_escape, json_text)


def json_dumps(obj: Any, **kwargs: Any) -> str:
    """:func:`json.dumps` (``ensure_ascii=False`` unless told) with unsafe characters escaped as ``\\uXXXX``."""
    kwargs.setdefault("ensure_ascii", False)
    return json_safe(json.dumps(obj, **kwargs))


__all__ = ["UNSAFE", "is_printable", "json_dumps", "json_safe", "printable"]
