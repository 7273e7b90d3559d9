"""The interactive HTML's geometry is the bundled file's text spliced in: the same characters as ``json.dumps``."""

from __future__ import annotations

import json
import re

import pytest

from baiqiang.report.charts import location_map
from baiqiang.report.geometry import feature_properties, geometry_json, load_geometry
from baiqiang.report.render import chart_specs, specs_json


def dumped(specs) -> str:
    """What the HTML held before the splice: every spec serialised, made safe inside <script>."""
    return re.sub(r"</(script)", r"<\\/\1", json.dumps(specs, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
                  flags=re.IGNORECASE)


def test_every_geometry_text_is_the_dump_of_the_parsed_geometry():
    features = load_geometry()["features"]
    texts = geometry_json()
    assert len(texts) == len(features) == 2909
    for f in features:
        assert texts[id(f["geometry"])] == json.dumps(f["geometry"], sort_keys=True, separators=(",", ":"))


def test_feature_properties_without_coordinates_equal_the_full_parse():
    """The report's content reads the adcodes from the light parse; the maps later from the full one."""
    properties = feature_properties()
    assert properties == [f["properties"] for f in load_geometry()["features"]]
    assert sum(p["layer"] == "county" for p in properties) == 2875 and properties[0]["name"] == "北京市"


def test_specs_json_equals_the_full_dump_for_the_report_and_profile_maps(published):
    specs = chart_specs(published.content)
    specs["location"] = location_map(published.content, published.profile["code"])
    specs["text"] = {"title": "a </script> b", "datasets": {"rows": [{"geometry": {"type": "Point", "coordinates": [1, 2]}}]}}
    assert specs_json(specs) == dumped(specs)
    html = (published.out / "report.html").read_text(encoding="utf-8")
    embedded = json.loads(re.search(r"const specs = (\{.*?\});\n", html, re.S).group(1))
    counties = {f["properties"]["adcode"]: f["geometry"] for f in embedded["map"]["datasets"]["counties"]}
    assert counties == {f["properties"]["adcode"]: f["geometry"] for f in load_geometry()["features"]
                        if f["properties"]["layer"] == "county"}


def test_a_nul_text_in_a_spec_is_an_error_not_a_wrong_splice():
    with pytest.raises(ValueError, match="NUL"):
        specs_json({"map": {"title": "\x00", "datasets": {"provinces": load_geometry()["features"][:1]}}})
