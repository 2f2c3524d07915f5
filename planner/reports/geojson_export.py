"""Export a scenario's layers as standard GeoJSON (RFC 7946, WGS-84), one file per layer.

Any GIS (QGIS, ArcGIS, geopandas) reads the output. Every feature carries its ``id`` and ``open_year`` as
properties; sites also carry their effective coverage radius ``radius_m`` (the override if set, else the
propagation model's) and the model's radius as ``model_radius_m``; districts carry their facts and 一区一品 product.
A layer keeps the note the scenario file gives it (``LAYER_NOTES``: synthetic sites) as a ``"note"`` member.
An export is all or nothing (:func:`export_geojson`).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import shutil
import tempfile
from pathlib import Path

from planner.domain.scenario import Scenario
from planner.geo.basemap import districts
from planner.storage.fileformat import (
    LAYER_NOTES,
    geometry_to_geojson,
    park_to_feature,
    site_to_feature,
    zone_to_feature,
)

LAYER_FILES = ("districts", "parks", "sites", "zones")


def _feature_with_id(feature: dict) -> dict:
    feature["properties"] = {"id": feature["id"], **feature["properties"]}
    return feature


def _collection(name: str, features: list[dict], note: str | None = None) -> bytes:
    doc: dict = {"type": "FeatureCollection", "name": name}
    if note:
        doc["note"] = note  # a foreign member (RFC 7946 §6.1), as in the scenario file
    doc["features"] = features
    return (json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def layer_features(scenario: Scenario) -> dict[str, list[dict]]:
    """GeoJSON features of each exported layer, keyed by layer name."""
    from planner.geo.site_radius import site_radii_m

    out: dict[str, list[dict]] = {}
    out["districts"] = [
        {
            "type": "Feature",
            "id": d.adcode,
            "properties": {
                "id": d.adcode,
                "adcode": d.adcode,
                "name": d.name_zh,
                "name_en": d.name_en,
                "population_2020": d.population_2020,
                "land_area_km2": d.land_area_km2,
                "polygon_area_km2": d.polygon_area_km2,
                "product": scenario.products.get(d.adcode),
                "open_year": None,  # districts exist in every year
            },
            "geometry": geometry_to_geojson(d.geometry),
        }
        for d in districts()
    ]
    out["parks"] = [_feature_with_id(park_to_feature(scenario.parks[k])) for k in sorted(scenario.parks)]
    out["zones"] = [_feature_with_id(zone_to_feature(scenario.zones[k])) for k in sorted(scenario.zones)]
    ids = sorted(scenario.sites)
    sites = [scenario.sites[k] for k in ids]
    radii = site_radii_m(sites)
    model = site_radii_m([s if s.radius_m is None else _without_override(s) for s in sites])
    feats = []
    for s, r, m in zip(sites, radii, model, strict=True):
        f = _feature_with_id(site_to_feature(s))
        f["properties"]["radius_override_m"] = f["properties"].pop("radius_m")
        f["properties"]["radius_m"] = round(float(r), 1)
        f["properties"]["model_radius_m"] = round(float(m), 1)
        feats.append(f)
    out["sites"] = feats
    return out


def _without_override(site):
    from dataclasses import replace

    return replace(site, radius_m=None)


def layer_notes(scenario: Scenario) -> dict[str, str]:
    """The note each exported layer carries (the scenario file's, e.g. "sites are synthetic"), keyed by layer."""
    return {
        layer: note
        for layer, note in LAYER_NOTES.items()
        if any(getattr(f, "source", "") == "synthetic" for f in scenario.layer(layer).values())
    }


def _missing_parents(folder: Path) -> list[Path]:
    """``folder`` and those of its parents that do not exist yet, outermost first."""
    out = []
    p = folder
    while not p.exists() and p != p.parent:
        out.append(p)
        p = p.parent
    return out[::-1]


def _write_temp(folder: Path, name: str, data: bytes, mode_from: Path) -> Path:
    """Write ``data`` to a new temporary file in ``folder``, flushed to disk; returns its path."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        if mode_from.exists():
            shutil.copymode(mode_from, tmp)  # keep the permissions of the file it replaces
        else:
            umask = os.umask(0)  # mkstemp creates 0600; a new file gets the usual 0666 less the umask
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass  # the files are complete and in place; only the durability of the renames is not confirmed


def export_geojson(scenario: Scenario, folder: Path) -> list[tuple[Path, int]]:
    """Write ``districts.geojson``, ``parks.geojson``, ``sites.geojson`` and ``zones.geojson`` into ``folder``.

    All or nothing: everything is checked first, then every file is written in full to a temporary file in
    ``folder``, and only when all of them are complete are they moved into place. If anything fails (a full
    disk, a size limit, no permission) the folder is left exactly as it was — the previous export's files
    untouched, no temporary file left, a folder created for the export removed again — and an :class:`OSError`
    naming the file that could not be written (its final name) is raised.
    """
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{folder} is a file, not a folder: give a folder to export into")
    for name in LAYER_FILES:
        if (folder / f"{name}.geojson").is_dir():
            raise ValueError(f"{folder / (name + '.geojson')} is a folder; remove or rename it first")
    notes = layer_notes(scenario)
    contents = [
        (folder / f"{name}.geojson", _collection(name, feats, notes.get(name)), len(feats))
        for name, feats in layer_features(scenario).items()
    ]
    created = _missing_parents(folder)
    temps: dict[Path, Path] = {}  # final path -> its complete temporary file
    asides: dict[Path, Path] = {}  # final path -> a link to (or copy of) its previous version
    replaced: list[Path] = []  # final paths already moved into place
    current = folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for path, data, _count in contents:
            current = path
            temps[path] = _write_temp(folder, path.name, data, path)
        # Every file is complete. Keep each previous version aside, so that a failed move can be undone.
        for path in temps:
            current = path
            if path.exists():
                asides[path] = _keep_aside(path)
        for path, tmp in temps.items():
            current = path
            os.replace(tmp, path)
            replaced.append(path)
    except BaseException as exc:
        _roll_back(temps, asides, replaced, created)
        if isinstance(exc, OSError):
            # Name the file as the planner knows it, not the temporary file.
            raise OSError(exc.errno, exc.strerror or str(exc), str(current)) from exc
        raise
    for aside in asides.values():
        _unlink_quietly(aside)
    _fsync_dir(folder)
    return [(path, count) for path, _data, count in contents]


def _keep_aside(path: Path) -> Path:
    """A hard link to ``path`` under a hidden name (a copy where the file system has no hard links)."""
    for _ in range(100):
        aside = path.with_name(f".{path.name}.{secrets.token_hex(4)}.old")
        try:
            os.link(path, aside)
            return aside
        except FileExistsError:
            continue
        except OSError:
            try:
                shutil.copy2(path, aside)
            except BaseException:
                _unlink_quietly(aside)
                raise
            return aside
    raise FileExistsError(errno.EEXIST, "no free name for a backup link", str(path))


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def _roll_back(temps: dict[Path, Path], asides: dict[Path, Path], replaced: list[Path], created: list[Path]) -> None:
    """Put the folder back as it was before the export (best effort: nothing here raises)."""
    for path in reversed(replaced):
        try:
            if path in asides:
                os.replace(asides.pop(path), path)
            else:
                path.unlink(missing_ok=True)
        except OSError:
            pass
    for p in [*temps.values(), *asides.values()]:
        _unlink_quietly(p)
    for d in reversed(created):
        with contextlib.suppress(OSError):
            d.rmdir()  # only when empty: never remove anything that was not the export's


__all__ = ["LAYER_FILES", "export_geojson", "layer_features", "layer_notes"]
