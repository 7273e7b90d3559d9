"""Vega-Lite specifications for the pages (rendered in the browser by the vendored vega-embed).

Kept as plain dicts so the API returns them too.  The map draws the report
package's bundled county polygons (:mod:`baiqiang.report.geometry`) in the
white paper's projection.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"  # an identifier only; nothing is fetched
FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


def _config() -> dict[str, Any]:
    return {"font": FONT, "view": {"stroke": None}}


GEOMETRY_URL = "/api/v1/geometry"
"""The bundled county and province polygons (report/resources/counties.geojson), served once and cached by the browser."""
PROJECTION = {"type": "conicEqualArea", "parallels": [25, 47], "rotate": [-105, 0, 0]}  # as the white paper's maps
GREY = "#e3e3e3"


def map_spec(units: pd.DataFrame, measure_label: str, lang: str) -> dict[str, Any]:
    """Choropleth of the measure on the county polygons; clicking a county opens the unit's profile.

    ``units`` has ``geo`` (the polygon adcode, :attr:`Ranked.geo`), ``code``,
    ``name``, ``province``, ``rank`` and ``value``.  The geometry is loaded by
    URL (the same bytes for every map) and joined to the values by adcode in
    the browser; counties outside the ranking stay grey, so the country is whole.
    """
    zh = lang != "en"
    suffix = "" if zh else "?lang=en"
    codes = units["code"].astype(object).tolist()
    columns = {"geo": units["geo"].astype(object).tolist(), "code": codes,
               "name": units["name"].astype(object).tolist(), "province": units["province"].astype(object).tolist(),
               "rank": units["rank"].astype(int).tolist(), "value": units["value"].astype(float).round(3).tolist(),
               "href": [f"/units/{c}{suffix}" for c in codes]}
    values = [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]
    geometry = {"url": GEOMETRY_URL, "format": {"type": "json", "property": "features"}}
    layer = {"filter": "datum.properties.layer == 'county'"}
    return {
        "$schema": SCHEMA, "width": "container", "height": 560, "config": _config(),
        "title": "县域分布图（示意图）" if zh else "Map (schematic)",
        "projection": PROJECTION,
        "layer": [
            {"data": geometry, "transform": [layer],
             "mark": {"type": "geoshape", "fill": GREY, "stroke": "white", "strokeWidth": 0.15}},
            {"data": geometry,
             "transform": [layer, {"lookup": "properties.adcode", "from": {
                 "data": {"values": values}, "key": "geo", "fields": ["code", "name", "province", "rank", "value", "href"]}},
                 {"filter": "isValid(datum.value)"}],
             "mark": {"type": "geoshape", "stroke": "white", "strokeWidth": 0.2, "cursor": "pointer"},
             "encoding": {
                 "color": {"field": "value", "type": "quantitative", "title": measure_label,
                           "scale": {"scheme": "viridis"}},
                 "href": {"field": "href"},
                 "tooltip": [{"field": "name", "title": "名称" if zh else "Name"},
                             {"field": "province", "title": "省份" if zh else "Province"},
                             {"field": "rank", "title": "排名" if zh else "Rank"},
                             {"field": "value", "title": measure_label, "format": ".2f"}]}},
            # named so app.css lets clicks through the outlines to the county below
            {"name": "province_outlines", "data": geometry,
             "transform": [{"filter": "datum.properties.layer == 'province'"}],
             "mark": {"type": "geoshape", "filled": False, "stroke": "#888888", "strokeWidth": 0.4}},
        ],
    }


def pillar_spec(pillars: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """One unit's pillar scores as bars."""
    return {"$schema": SCHEMA, "width": "container", "height": 220, "config": _config(),
            "data": {"values": pillars}, "mark": "bar",
            "encoding": {"y": {"field": "name", "type": "nominal", "sort": None, "title": None},
                         "x": {"field": "score", "type": "quantitative",
                               "title": "支柱得分" if lang != "en" else "Pillar score"},
                         "tooltip": [{"field": "name"}, {"field": "score", "format": ".2f"}, {"field": "rank"}]}}


def history_spec(history: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """Rank across years (rank 1 at the top)."""
    return {"$schema": SCHEMA, "width": "container", "height": 180, "config": _config(),
            "data": {"values": history}, "mark": {"type": "line", "point": True},
            "encoding": {"x": {"field": "year", "type": "ordinal", "title": "年份" if lang != "en" else "Year"},
                         "y": {"field": "rank", "type": "quantitative", "scale": {"reverse": True},
                               "title": "排名" if lang != "en" else "Rank"},
                         "tooltip": [{"field": "year"}, {"field": "rank"}, {"field": "score", "format": ".2f"}]}}


def compare_spec(data: dict[str, Any], lang: str) -> dict[str, Any]:
    """Pillar scores of the compared units, grouped by pillar."""
    values = [{"unit": u["name"], "pillar": p["name"], "score": p["score"]} for u in data["units"] for p in u["pillars"]]
    return {"$schema": SCHEMA, "width": "container", "height": 260, "config": _config(),
            "data": {"values": values}, "mark": "bar",
            "encoding": {"x": {"field": "pillar", "type": "nominal", "title": None, "sort": None},
                         "xOffset": {"field": "unit"},
                         "y": {"field": "score", "type": "quantitative",
                               "title": "支柱得分" if lang != "en" else "Pillar score"},
                         "color": {"field": "unit", "type": "nominal", "title": "单位" if lang != "en" else "Unit"},
                         "tooltip": [{"field": "unit"}, {"field": "pillar"}, {"field": "score", "format": ".2f"}]}}
