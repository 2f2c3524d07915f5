"""Control characters in file text are shown escaped, never interpreted, wherever the CLI prints them."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace

import pytest

from planner.storage import atomic
from planner.textsafe import UNSAFE, json_dumps, printable
from tests.conftest import CLI_ENV, make_small_scenario, run_cli

ENV = CLI_ENV

#: What a hostile or careless file may hold: an ESC sequence that clears the screen and retitles the terminal,
#: a bidi override that reverses what follows, NUL, a C1 control (CSI), DEL, a line separator and a newline.
EVIL_NAME = "情景\x1b[2J\x1b]0;pwned\x07\u202eevil\u202c\x00\x9b31m\x7f\u2028\n结尾"


def raw_controls(text: str) -> list[str]:
    """The characters of ``text`` a terminal would act on (newlines between output lines are fine)."""
    return sorted({ch for ch in text if ch != "\n" and UNSAFE.match(ch)})


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\x1b[31mb", "a\\x1b[31mb"),
        ("\x00", "\\x00"),
        ("tab\there", "tab\\x09here"),
        ("del\x7f", "del\\x7f"),
        ("csi\x9b", "csi\\x9b"),
        ("\u202eabc\u202c", "\\u202eabc\\u202c"),
        ("\u2066x\u2069", "\\u2066x\\u2069"),
        ("\u200e\u200f", "\\u200e\\u200f"),
        ("\u2028\u2029", "\\u2028\\u2029"),
        ("line\nbreak", "line\\x0abreak"),
        ("bad\udcff", "bad\\udcff"),  # a file name that is not UTF-8: printable instead of a UnicodeEncodeError
        ("宁波 Ningbo 1,234 — ok", "宁波 Ningbo 1,234 — ok"),
    ],
)
def test_printable_escapes_each_control_character(text, shown):
    assert printable(text) == shown


def test_printable_can_keep_the_programs_own_line_breaks():
    assert printable("a\nb\x1b", keep_newlines=True) == "a\nb\\x1b"


def test_json_output_escapes_controls_and_parses_to_the_same_values():
    value = {"name": EVIL_NAME, "list": ["\u2066", "\x85"]}
    text = json_dumps(value)
    assert raw_controls(text) == []
    assert "\\u202e" in text and "\\u2028" in text and "\\u0085" in text
    assert json.loads(text) == value


def run(*args: str) -> subprocess.CompletedProcess:
    return run_cli(*args, errors="surrogateescape")


@pytest.fixture
def evil_file(tmp_path):
    """A valid scenario whose name, product, zone name and target label hold control characters."""
    s = make_small_scenario()
    s.name = EVIL_NAME
    s.products = {"330206": "港航\x1b[5m数据\u202e"}
    zone = s.zones["zone-000001"]
    s.zones = {zone.id: replace(zone, name="北仑\x1b[31m临港\u2066")}
    t = s.targets["sck_parks@2027"]
    s.targets = {"sck_parks@2027": replace(t, label_zh="数创港\x1b[8m园区")}
    path = tmp_path / "evil.json"
    atomic.save(s, path)
    return path


def test_summary_and_compare_tables_show_control_characters_escaped(evil_file):
    for r in (run("summary", str(evil_file)), run("compare", str(evil_file), str(evil_file))):
        assert r.returncode == 0, r.stderr
        assert raw_controls(r.stdout) == []
        assert "\\x1b[2J" in r.stdout and "\\u202e" in r.stdout  # visible, so the planner sees what the file says
        assert "结尾" in r.stdout
    summary = run("summary", str(evil_file)).stdout
    assert "港航\\x1b[5m数据\\u202e" in summary and "北仑\\x1b[31m临港\\u2066" in summary
    assert "数创港\\x1b[8m园区" in summary
    # The newline in the name does not start a line of its own: the title is one line.
    assert summary.splitlines()[0].startswith("情景\\x1b[2J") and "结尾" in summary.splitlines()[0]


def test_json_output_keeps_the_values_and_holds_no_raw_control_character(evil_file):
    r = run("summary", str(evil_file), "--json")
    assert r.returncode == 0, r.stderr
    assert raw_controls(r.stdout) == []
    data = json.loads(r.stdout)
    assert data["scenario"]["name"] == EVIL_NAME
    assert {d["adcode"]: d["product"] for d in data["districts"]}["330206"] == "港航\x1b[5m数据\u202e"
    r = run("compare", str(evil_file), str(evil_file), "--json")
    assert raw_controls(r.stdout) == [] and json.loads(r.stdout)["a"]["name"] == EVIL_NAME


def test_validate_and_export_print_names_and_paths_escaped(evil_file, tmp_path):
    r = run("validate", str(evil_file))
    assert r.returncode == 0 and raw_controls(r.stdout) == [] and "\\x1b[2J" in r.stdout
    out = tmp_path / "out\x1b[31mdir"
    r = run("export", str(evil_file), "--geojson", str(out))
    assert r.returncode == 0, r.stderr
    assert raw_controls(r.stdout) == [] and "out\\x1b[31mdir" in r.stdout


def test_problem_messages_show_control_characters_escaped(tmp_path):
    path = tmp_path / "bad\x1b[2J\u202e.json"  # the file name is in every problem message
    atomic.save(make_small_scenario(), path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["layers"]["parks"]["features"][0]["properties"]["kind"] = "fac\x1b[2Jtory\u202e"
    doc["layers"]["sites"]["features"][0]["id"] = "site-\x1b]0;x\x07\n00001"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    for r in (run("validate", str(path)), run("summary", str(path))):
        assert r.returncode == 1
        assert raw_controls(r.stderr) == [] and "Traceback" not in r.stderr
        assert "bad\\x1b[2J\\u202e.json" in r.stderr and "fac\\x1b[2Jtory" in r.stderr


def test_error_messages_and_arguments_are_escaped(tmp_path):
    r = run("summary", str(tmp_path / "no\x1b[2Jsuch.json"))
    assert r.returncode == 1 and raw_controls(r.stderr) == [] and "no\\x1b[2Jsuch.json" in r.stderr
    r = run("summary", str(tmp_path / "x.json"), "\x1b[2J\u202e")  # argparse quotes what it did not understand
    assert r.returncode == 2 and raw_controls(r.stderr) == [] and "Traceback" not in r.stderr
