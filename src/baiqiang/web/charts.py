"""Vega-Lite specifications for the pages (rendered in the browser by the vendored vega-embed).

Kept as plain dicts so the API returns them too.  When the report package's
chart and map builders land on main, these are the functions to switch.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"  # an identifier only; nothing is fetched
FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


def _config() -> dict[str, Any]:
    return {"font": FONT, "view": {"stroke": None}}


def map_spec(points: pd.DataFrame, measure_label: str, lang: str) -> dict[str, Any]:
    """Ranked units at their seats, coloured by the measure; clicking a point opens the unit's profile.

    A point map (示意图): the registry has each unit's seat coordinates; county
    polygons come with the report package's bundled geometry.
    """
    zh = lang != "en"
    suffix = "" if zh else "?lang=en"
    codes = points["code"].astype(object).tolist()
    columns = {"code": codes, "name": points["name"].astype(object).tolist(),
               "province": points["province"].astype(object).tolist(),
               "rank": points["rank"].astype(int).tolist(), "value": points["value"].astype(float).round(3).tolist(),
               "lon": points["longitude"].astype(float).tolist(), "lat": points["latitude"].astype(float).tolist(),
               "href": [f"/units/{c}{suffix}" for c in codes]}
    values = [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]
    return {
        "$schema": SCHEMA, "width": "container", "height": 520, "config": _config(),
        "title": ("县域分布示意图（点位为县级单位驻地）" if zh else "Schematic map (points at unit seats)"),
        "data": {"values": values},
        "projection": {"type": "mercator"},
        "mark": {"type": "circle", "cursor": "pointer", "opacity": 0.85},
        "encoding": {
            "longitude": {"field": "lon", "type": "quantitative"},
            "latitude": {"field": "lat", "type": "quantitative"},
            "color": {"field": "value", "type": "quantitative", "title": measure_label,
                      "scale": {"scheme": "viridis"}},
            "size": {"value": 22},
            "href": {"field": "href"},
            "tooltip": [{"field": "name", "title": "名称" if zh else "Name"},
                        {"field": "province", "title": "省份" if zh else "Province"},
                        {"field": "rank", "title": "排名" if zh else "Rank"},
                        {"field": "value", "title": measure_label}],
        },
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
