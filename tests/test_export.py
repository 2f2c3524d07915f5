"""GeoJSON export: all or nothing, failures said in words, and the synthetic-sites note kept."""

from __future__ import annotations

import errno
import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from planner.cli import main
from planner.paths import BASELINE, ROOT
from planner.reports import geojson_export
from planner.storage import atomic
from planner.storage.fileformat import LAYER_NOTES
from planner.storage.oserrors import describe, describe_os_error
from tests.conftest import CLI_ENV, make_small_scenario, run_cli

ENV = CLI_ENV
FILES = ["districts.geojson", "parks.geojson", "sites.geojson", "zones.geojson"]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in ``folder`` (hidden ones too) with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture
def old_export(tmp_path) -> Path:
    """A folder holding the export of the small scenario (an earlier export the planner keeps)."""
    folder = tmp_path / "gj"
    assert geojson_export.export_geojson(make_small_scenario(), folder)
    assert sorted(p.name for p in folder.iterdir()) == FILES
    return folder


def other_scenario():
    """A different scenario (renamed parks, more sites), so that a half-done export would show."""
    from dataclasses import replace

    from tests.conftest import make_site

    s = make_small_scenario()
    s.parks = {k: replace(p, name=p.name + "（新）") for k, p in s.parks.items()}
    s.sites.update({f"site-{i:06d}": make_site(i, 121.5 + i / 1000, 29.9) for i in range(10, 40)})
    return s


def test_a_full_disk_on_the_third_file_leaves_the_folder_exactly_as_it_was(old_export, monkeypatch, capsys):
    before = snapshot(old_export)
    scenario_file = old_export.parent / "new.json"
    atomic.save(other_scenario(), scenario_file)
    real_write = os.write
    files_written: list[str] = []

    def write_until_the_disk_fills(fd, data):
        target = os.readlink(f"/proc/self/fd/{fd}")
        if Path(target).parent == old_export:
            if target not in files_written:
                files_written.append(target)
            if len(files_written) == 3:  # the third file: half of it fits, then the disk is full
                if len(data) > 1:
                    return real_write(fd, bytes(data[: len(data) // 2]))
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write_until_the_disk_fills)
    code = main(["export", str(scenario_file), "--geojson", str(old_export)])
    monkeypatch.undo()

    assert len(files_written) == 3
    assert code == 2
    assert snapshot(old_export) == before  # old files byte-identical, no temporary file left
    err = capsys.readouterr().err
    assert "磁盘已满 / the disk is full" in err and "Errno" not in err and "Traceback" not in err
    third = Path(files_written[2]).name  # the temporary file's name starts with the layer file's
    assert str(old_export / third.split(".geojson")[0].lstrip(".")) + ".geojson" in err
    assert ".tmp" not in err  # the planner's file is named, not the temporary one
    assert "文件夹保持原样" in err


def test_a_failed_export_into_a_new_folder_leaves_no_folder(tmp_path, monkeypatch):
    target = tmp_path / "new" / "gj"

    def full(*_args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError) as info:
        geojson_export.export_geojson(make_small_scenario(), target)
    monkeypatch.undo()
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(target / "districts.geojson")
    assert sorted(tmp_path.iterdir()) == []


def test_a_file_size_limit_on_sites_geojson_fails_cleanly_end_to_end(tmp_path):
    # The first export is small; the second (42,000 sites, a ≈15 MB sites.geojson) runs into a 1 MB file size
    # limit, so writing sites.geojson really fails with EFBIG after the other three files were written.
    folder = tmp_path / "gj"
    small = tmp_path / "small.json"
    atomic.save(make_small_scenario(), small)
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "export", str(small), "--geojson", str(folder)],
                       capture_output=True, text=True, encoding="utf-8", env=ENV, cwd=ROOT, timeout=120)  # fmt: skip
    assert r.returncode == 0, r.stderr
    before = snapshot(folder)

    def limit_file_size():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() then fails with EFBIG instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, 1_000_000))

    r = run_cli("export", str(BASELINE), "--geojson", str(folder), timeout=300, preexec_fn=limit_file_size)
    assert r.returncode == 2
    assert (
        "sites.geojson" in r.stderr and "文件超过系统允许的大小 / the file is larger than the system allows" in r.stderr
    )
    assert "Errno" not in r.stderr and "Traceback" not in r.stderr and r.stdout == ""
    assert snapshot(folder) == before


def test_exported_sites_keep_the_synthetic_note_and_export_prints_it(tmp_path, capsys):
    from dataclasses import replace

    s = make_small_scenario()
    s.sites["site-000002"] = replace(s.sites["site-000002"], source="synthetic")
    path = tmp_path / "s.json"
    atomic.save(s, path)
    assert main(["export", str(path), "--geojson", str(tmp_path / "out")]) == 0
    sites = json.loads((tmp_path / "out" / "sites.geojson").read_text(encoding="utf-8"))
    assert sites["note"] == LAYER_NOTES["sites"]
    assert len(sites["features"]) == 3
    out = capsys.readouterr().out
    assert LAYER_NOTES["sites"] in out and "sites.geojson: 3 features" in out
    parks = json.loads((tmp_path / "out" / "parks.geojson").read_text(encoding="utf-8"))
    assert "note" not in parks


def test_planner_entered_sites_carry_no_note(tmp_path, capsys):
    path = tmp_path / "s.json"
    atomic.save(make_small_scenario(), path)  # its sites are the planner's own
    assert main(["export", str(path), "--geojson", str(tmp_path / "out")]) == 0
    assert "note" not in json.loads((tmp_path / "out" / "sites.geojson").read_text(encoding="utf-8"))
    assert "synthetic" not in capsys.readouterr().out


def test_a_second_export_replaces_every_file_and_keeps_their_permissions(old_export):
    os.chmod(old_export / "sites.geojson", 0o640)
    geojson_export.export_geojson(other_scenario(), old_export)
    assert sorted(p.name for p in old_export.iterdir()) == FILES
    sites = json.loads((old_export / "sites.geojson").read_text(encoding="utf-8"))
    assert len(sites["features"]) == 33
    parks = json.loads((old_export / "parks.geojson").read_text(encoding="utf-8"))
    assert all(f["properties"]["name"].endswith("（新）") for f in parks["features"])
    assert (old_export / "sites.geojson").stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "磁盘已满 / the disk is full"),
        (errno.EDQUOT, "磁盘配额"),
        (errno.EFBIG, "the file is larger than the system allows"),
        (errno.EACCES, "没有权限 / permission denied"),
        (errno.EPERM, "not permitted"),
        (errno.EROFS, "read-only"),
        (errno.ENAMETOOLONG, "too long"),
        (errno.EIO, "the device failed"),
        (errno.ENOTDIR, "not a folder"),
        (errno.EEXIST, "already exists"),
    ],
)
def test_os_errors_are_described_in_words(code, words):
    exc = OSError(code, os.strerror(code), "/data/out/sites.geojson")
    message = describe_os_error(exc)
    assert message.startswith("/data/out/sites.geojson: ") and words in message
    assert "Errno" not in message and str(code) not in message


def test_an_unknown_os_error_falls_back_to_the_systems_words_without_the_number():
    exc = OSError(errno.ECHILD, os.strerror(errno.ECHILD), "x.json")
    assert describe(exc) == os.strerror(errno.ECHILD)
    assert describe_os_error(exc) == f"x.json: {os.strerror(errno.ECHILD)}"
    assert describe(OSError("something odd")) == "something odd"


def test_the_cli_describes_any_os_error_in_words(tmp_path, monkeypatch, capsys):
    import planner.storage.fileformat as fileformat

    def denied(path, *args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    monkeypatch.setattr(fileformat, "load", denied)
    assert main(["summary", str(tmp_path / "locked.json")]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'locked.json'}: 没有权限 / permission denied" in err and "Errno" not in err
