"""The PDF's chart drawings: labels untruncated (faster in vl-convert), the same SVG when every label fits."""

from __future__ import annotations

import re

import pytest

from baiqiang.report.charts import config, untruncated
from baiqiang.report.render import profile_specs, report_charts

vlc = pytest.importorskip("vl_convert")


@pytest.fixture(scope="module")
def draw():
    """vl-convert with the fonts the chart worker registers (:mod:`baiqiang.report.vl_png`)."""
    from baiqiang.report.vl_png import register_fonts

    register_fonts()
    return vlc.vegalite_to_svg


def _texts(svg: str) -> list[str]:
    """The text of every <text> element (aria-labels repeat the data in full)."""
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_untruncated_drawings_of_the_demo_charts_are_the_same_svg(published, draw):
    specs = report_charts(published.content) | profile_specs(published.content, published.profile)
    assert len(specs) == 7
    for name, spec in specs.items():
        assert draw(untruncated(spec)) == draw(spec), name


def test_a_label_beyond_the_limit_is_drawn_whole_and_the_html_spec_keeps_the_limit(draw):
    long_name = "内蒙古自治区锡林郭勒盟东乌珠穆沁旗" * 2  # 34 characters at 11 px: ~370 px, beyond the 180 px limit
    spec = config({"data": {"values": [{"name": long_name, "rank": 3}]}, "mark": "bar",
                   "encoding": {"y": {"field": "name", "type": "nominal"}, "x": {"field": "rank", "type": "quantitative"}}})
    assert "内蒙古自治区锡林郭勒盟东乌珠穆…" in _texts(draw(spec))  # Vega's default truncation at 180 px
    assert long_name in _texts(draw(untruncated(spec)))
    assert "labelLimit" not in spec["config"]["axis"]  # the interactive chart's spec is not changed
