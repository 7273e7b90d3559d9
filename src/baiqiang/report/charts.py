"""Charts and maps of the report as Vega-Lite specs (plain dicts; rendering is in render.py).

The same spec gives the interactive HTML (Vega-Embed, inlined) and the SVG for
the PDF (vl-convert).  The specs are built directly, without Vega-Altair: its
import and schema validation cost ~0.7 s per publication for nine small charts.
They are the dicts Altair's ``to_dict()`` gives for the same charts (checked
chart by chart against Altair in ``tests/report/test_charts.py``), including its
conventions: inline data moved to top-level ``datasets`` under a name hashed
from the values, and data shared by every sub-chart lifted to the parent.
Maps use the bundled county geometry; units outside the list are drawn in grey
so the country is always whole.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

import numpy as np
import pandas as pd

from baiqiang.report.content import REGION_ORDER, ReportContent
from baiqiang.report.geometry import county_features, province_features

FONT = "Noto Sans CJK SC"
"""The font vl-convert renders with (Debian fonts-noto-cjk); the HTML falls back through FONT_STACK."""
FONT_STACK = "'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Noto Sans SC', sans-serif"
REGION_COLOURS = {"东部": "#c0392b", "中部": "#e67e22", "西部": "#2980b9", "东北": "#16a085"}
GREY = "#e3e3e3"
PROJECTION = {"type": "conicEqualArea", "parallels": [25, 47], "rotate": [-105, 0, 0]}
REDS = ("#fdc9b4", "#fcb49a", "#fc9e80", "#fc8767", "#fa7051", "#f6573f", "#ec3f2f", "#dc2a25", "#c81b1d", "#b21218", "#970b13")
"""Vega's continuous "reds" scheme (vega-scale ``schemes.js``), which the map's spec names: the PDF's
Pillow map (:mod:`baiqiang.report.map_png`) draws with these stops; a test checks them against the bundle."""
MAP_SIZE = (560, 420)
"""Width and height of the national map (CSS pixels)."""
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"
"""The Vega-Lite version the specs are written for (the one vl-convert bundles; the test compares with Altair's)."""

Spec = dict[str, Any]


def config(spec: Spec, font: str = FONT) -> Spec:
    """A top-level spec: fonts and a plain look shared by every chart (Altair's default view size kept)."""
    return {"$schema": SCHEMA, **spec, "config": {
        "axis": {"labelFontSize": 11, "titleFontSize": 12}, "font": font, "title": {"anchor": "start", "fontSize": 14},
        "view": {"continuousHeight": 300, "continuousWidth": 300, "stroke": None}}}


def untruncated(spec: Spec) -> Spec:
    """``spec`` with axis and legend labels never truncated (``labelLimit: 0``): the PDF's drawings.

    Vega measures every label once more to test it against the limit (180 px on
    axes, 160 in legends by default), and vl-convert 1.9 measures text slowly
    (~2.5 ms a label with the CJK font): about half of each chart's drawing.  A
    label within the limit is drawn the same (the demo's chart SVGs are
    byte-identical, tested); a longer one is drawn whole, as a printed page needs
    (it has no tooltip to show the rest).  The interactive HTML keeps the limit.
    """
    cfg = spec.get("config", {})
    return {**spec, "config": {**cfg, "axis": {**cfg.get("axis", {}), "labelLimit": 0},
                               "legend": {**cfg.get("legend", {}), "labelLimit": 0}}}


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts, as Altair's ``sanitize_pandas_dataframe`` gives them: Python scalars, missing → None.

    NaN and ±inf floats become None (JSON has neither); object cells that pandas
    counts as missing (None, NaN, pd.NA) become None.
    """
    columns = {}
    for name, col in frame.items():
        numpy = isinstance(col.dtype, np.dtype)  # not pandas' nullable Int64/boolean, which hold pd.NA
        if numpy and col.dtype.kind in "iub":
            columns[name] = col.tolist()
        elif numpy and col.dtype.kind == "f":
            columns[name] = [v if math.isfinite(v) else None for v in col.tolist()]
        else:
            columns[name] = [v.tolist() if isinstance(v, np.ndarray) else None if _missing(v) else v for v in col.astype(object)]
    return [dict(zip(columns, row)) for row in zip(*columns.values())] if columns else [{} for _ in range(len(frame))]


def _missing(value: Any) -> bool:
    return not isinstance(value, (list, tuple, dict)) and bool(pd.isna(value))


class Datasets(dict):
    """Top-level ``datasets`` of one spec: :meth:`add` stores rows under Altair's name for them and returns the reference."""

    def add(self, frame: pd.DataFrame) -> Spec:
        """``{"name": "data-<first 32 hex of SHA-256 of the rows' sorted-key JSON>"}`` (Altair's ``_dataset_name``)."""
        values = records(frame)
        text = json.dumps(values, sort_keys=True, default=str)
        name = "empty" if values == [{}] else "data-" + hashlib.sha256(text.encode()).hexdigest()[:32]
        self[name] = values
        return {"name": name}


def lift_data(parent: Spec, key: str) -> Spec:
    """Move the data shared by every sub-chart of ``parent[key]`` to ``parent`` (as Altair's ``_combine_subchart_data``)."""
    subs = parent[key]
    if "data" not in parent and subs and "data" in subs[0] and all(s.get("data") == subs[0]["data"] for s in subs):
        parent = {**parent, "data": subs[0]["data"], key: [{k: v for k, v in s.items() if k != "data"} for s in subs]}
    return parent


def field(name: str, kind: str, **extra: Any) -> Spec:
    """An encoding channel: ``field("units", "quantitative", title="单位数")``."""
    return {"field": name, "type": kind, **extra}


def nominal(name: str, **extra: Any) -> Spec:
    return field(name, "nominal", **extra)


def quantitative(name: str, **extra: Any) -> Spec:
    return field(name, "quantitative", **extra)


def bar(**style: Any) -> Spec:
    return {"type": "bar", **style}


def top_level(spec: Spec, datasets: Datasets) -> Spec:
    """``spec`` with the shared config and its ``datasets`` (when any)."""
    out = config(spec)
    if datasets:
        out["datasets"] = dict(datasets)
    return out


def region_counts(content: ReportContent) -> tuple[pd.DataFrame, list[str]]:
    """List members per region in long form (region, list, units) and the lists' names (this one, then the previous)."""
    t = content.tables["by_region"]
    cols = {"count": content.year or "本期"}
    if "previous" in t:
        cols["previous"] = content.previous_year or "上期"
    long = t.melt(id_vars="region", value_vars=list(cols), var_name="list", value_name="units")
    long["list"] = long["list"].map(cols)
    return long, list(cols.values())


def region_chart(content: ReportContent) -> Spec:
    """List members per region, this list and the previous one."""
    long, lists = region_counts(content)
    datasets = Datasets()
    return top_level({
        "data": datasets.add(long), "mark": bar(), "title": f"百强分区域分布（{'、'.join(lists)}）", "width": 360, "height": 220,
        "encoding": {
            "x": nominal("region", sort=list(REGION_ORDER), title=None, axis={"labelAngle": 0}),
            "xOffset": nominal("list", sort=lists),
            "y": quantitative("units", title="单位数"),
            "color": nominal("list", sort=lists, title="榜单", scale={"range": ["#c0392b", "#bdc3c7"]}),
            "tooltip": [nominal("region", title="区域"), nominal("list", title="榜单"), quantitative("units", title="单位数")]}},
        datasets)


def province_chart(content: ReportContent) -> Spec:
    """List members per province (bars) with the previous list's count (ticks)."""
    t = content.tables["by_province"]
    t = t[t["count"] > 0] if "previous" not in t else t[(t["count"] > 0) | (t["previous"] > 0)]
    order = t["province"].tolist()
    datasets = Datasets()
    data, title, y = datasets.add(t), "百强分省份分布", nominal("province", sort=order, title=None)
    tooltip = [nominal("province", title="省份"), quantitative("count", title=content.year or "本期")]
    if "previous" in t:
        tooltip += [quantitative("previous", title=content.previous_year or "上期"), quantitative("change", title="变化")]
    layers = [{"data": data, "title": title, "mark": bar(color="#c0392b"),
               "encoding": {"y": y, "x": quantitative("count", title="单位数"), "tooltip": tooltip}}]
    if "previous" in t:
        layers.append({"data": data, "title": title, "mark": {"type": "tick", "color": "#2c3e50", "thickness": 2, "size": 14},
                       "encoding": {"y": y, "x": quantitative("previous")}})
    return top_level(lift_data({"layer": layers, "width": 360, "height": max(160, 16 * len(order))}, "layer"), datasets)


def tier_chart(content: ReportContent) -> Spec:
    """Units of each tier by region (stacked)."""
    t = content.tables["tiers"]
    regions = [r for r in REGION_ORDER if r in t.columns]
    long = t.melt(id_vars=["tier", "ranks"], value_vars=regions, var_name="region", value_name="units")
    long["label"] = "第" + long["tier"].astype(str) + "梯队（" + long["ranks"] + "）"
    labels = list(dict.fromkeys(long["label"]))
    datasets = Datasets()
    return top_level({
        "data": datasets.add(long), "mark": bar(), "title": "梯队构成", "width": 360, "height": 30 * len(labels) + 20,
        "encoding": {
            "y": nominal("label", sort=labels, title=None),
            "x": quantitative("units", title="单位数", stack="zero"),
            "color": nominal("region", sort=regions, title="区域", scale={"domain": regions, "range": [REGION_COLOURS[r] for r in regions]}),
            "tooltip": [nominal("label", title="梯队"), nominal("region", title="区域"), quantitative("units", title="单位数")]}},
        datasets)


def pillar_leaders_chart(content: ReportContent) -> Spec:
    """The top 10 of every dimension, one small bar chart each, three to a row."""
    t = content.tables["pillar_leaders"]
    datasets, charts = Datasets(), []
    for code, name in content.pillars:
        part = t[t["pillar"] == code]
        charts.append({
            "data": datasets.add(part), "mark": bar(color="#34495e"), "title": name, "width": 170, "height": 170,
            "encoding": {
                "y": nominal("name", sort=part["name"].tolist(), title=None),
                "x": quantitative("score", title="得分", scale={"zero": True}),
                "tooltip": [quantitative("pillar_rank", title="名次"), nominal("name", title="名称"), nominal("province", title="省份"),
                            quantitative("score", title="得分", format=".2f")]}})
    rows = [lift_data({"hconcat": charts[i : i + 3]}, "hconcat") for i in range(0, len(charts), 3)]
    return top_level(lift_data({"vconcat": rows, "title": "各维度前十名"}, "vconcat"), datasets)


def movers_chart(content: ReportContent) -> Spec:
    """The largest rises and falls, with the main driver in the tooltip."""
    t = content.tables["movers"].copy()
    t["label"] = t["name"] + "（" + t["previous_rank"].astype(str) + "→" + t["rank"].astype(str) + "）"
    datasets = Datasets()
    return top_level({
        "data": datasets.add(t), "mark": bar(), "title": f"名次变化最大的单位（{content.previous_year}→{content.year}）",
        "width": 360, "height": 14 * len(t) + 20,
        "encoding": {
            "y": nominal("label", sort={"field": "rank_change", "order": "descending"}, title=None),
            "x": quantitative("rank_change", title="名次上升（位）"),
            "color": nominal("direction", title=None, scale={"domain": ["上升", "下降"], "range": ["#c0392b", "#2980b9"]}),
            "tooltip": [nominal("name", title="名称"), quantitative("previous_rank", title=content.previous_year),
                        quantitative("rank", title=content.year), nominal("driver_1", title="主要驱动维度"),
                        quantitative("driver_1_value", title="贡献变化", format="+.2f")]}},
        datasets)


def map_features(content: ReportContent, measures: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """County features with, per measure, the unit's score where it is in that measure's top N (else null).

    The units' columns are aligned with the features once (one ``reindex``);
    only the properties' dicts, which the spec needs, are built per feature.
    """
    units = content.units[content.units["geo"] != ""].drop_duplicates("geo").set_index("geo")
    counties = county_features()
    keys = pd.Index([f["properties"]["adcode"] for f in counties])
    rows = units.reindex(keys)
    inside = keys.isin(units.index)
    columns: dict[str, list[Any]] = {"unit": rows["name"].tolist()}
    for code, _ in measures:
        score, rank = (rows["score"], rows["rank"]) if code == "index" else (rows[f"{code}_score"], rows[f"{code}_rank"])
        top = (rank <= content.top_n).to_numpy()
        columns[f"{code}_score"] = [round(float(v), 2) if t else None for v, t in zip(score.to_numpy(), top)]
        columns[f"{code}_rank"] = [int(r) if i else None for r, i in zip(rank.to_numpy(), inside)]
    out = []
    for i, f in enumerate(counties):
        p = f["properties"]
        props = {"adcode": p["adcode"], "name": p["name"], "province": p["province"]}
        if inside[i]:
            props.update({k: v[i] for k, v in columns.items()})
        out.append({"type": "Feature", "properties": props, "geometry": f["geometry"]})
    return out


def map_scores(content: ReportContent, measure: str = "index") -> dict[str, float]:
    """Polygon adcode → score (rounded to 2 places, as the spec's data) of the units in ``measure``'s top N."""
    units = content.units[content.units["geo"] != ""].drop_duplicates("geo")
    score, rank = (units["score"], units["rank"]) if measure == "index" else (units[f"{measure}_score"], units[f"{measure}_rank"])
    top = (rank <= content.top_n).to_numpy()
    return dict(zip(units["geo"][top], np.round(score.to_numpy(dtype=float)[top], 2)))


def map_title(content: ReportContent, measure: str = "index") -> str:
    names = dict(map_measures(content))
    what = content.title if measure == "index" else names[measure]
    return f"{content.year}年{what}前{content.top_n}名分布（示意图）"


def map_measures(content: ReportContent) -> list[tuple[str, str]]:
    return [("index", "总指数"), *content.pillars]


def choropleth(content: ReportContent, measure: str = "index", *, interactive: bool = False,
               width: int = 560, height: int = 420) -> Spec:
    """Top-N units coloured by score on a grey base of every county, with province outlines (示意图).

    The geometry goes in as top-level ``datasets`` named "counties" and
    "provinces".  ``interactive=True`` adds a drop-down choosing the measure
    (总指数 or a dimension) so one copy of the geometry serves every map in the HTML.
    """
    measures = map_measures(content)
    names = dict(measures)
    title = f"{content.year}年{content.title}前{content.top_n}名分布（示意图）"
    counties = {"name": "counties"}
    if interactive:
        key, legend_title = "measure + '", "得分"
    else:
        key, legend_title = f"'{measure}", f"{names[measure]}得分"
        if measure != "index":
            title = f"{content.year}年{names[measure]}前{content.top_n}名分布（示意图）"
    top = {"data": counties, "mark": {"type": "geoshape", "stroke": "white", "strokeWidth": 0.2},
           "transform": [{"calculate": f"datum.properties[{key}_score']", "as": "value"},
                         {"calculate": f"datum.properties[{key}_rank']", "as": "rank"}, {"filter": "isValid(datum.value)"}],
           "encoding": {"color": quantitative("value", title=legend_title, scale={"scheme": "reds"}),
                        "tooltip": [nominal("properties.unit", title="名称"), nominal("properties.province", title="省份"),
                                    quantitative("rank", title="名次"), quantitative("value", title="得分", format=".2f")]}}
    spec = {"layer": [{"data": counties, "mark": {"type": "geoshape", "fill": GREY, "stroke": "white", "strokeWidth": 0.15}}, top,
                      {"data": {"name": "provinces"}, "mark": {"type": "geoshape", "filled": False, "stroke": "#888888", "strokeWidth": 0.4}}],
            "title": title, "projection": dict(PROJECTION), "width": width, "height": height}
    if interactive:
        spec["params"] = [{"name": "measure", "value": measure, "bind": {
            "input": "select", "options": [m for m, _ in measures], "labels": [n for _, n in measures], "name": "指标："}}]
    out = config(spec)
    out["datasets"] = {"counties": map_features(content, measures), "provinces": province_features()}
    return out


def location_map(content: ReportContent, code: str) -> Spec:
    """A unit's province with the unit highlighted (for the profile)."""
    u = content.units.set_index("code").loc[code]
    sub = [f for f in county_features() if f["properties"]["province"] == u.get("province")] or county_features()
    out = config({"data": {"name": "counties"}, "title": f"{u['name']}位置（示意图）", "projection": {"type": "mercator"},
                  "width": 260, "height": 220, "layer": [
                      {"mark": {"type": "geoshape", "fill": GREY, "stroke": "white", "strokeWidth": 0.4}},
                      {"transform": [{"filter": f"datum.properties.adcode == '{u['geo']}'"}],
                       "mark": {"type": "geoshape", "fill": "#c0392b", "stroke": "white"}}]})
    out["datasets"] = {"counties": sub}
    return out


def profile_pillar_chart(profile: dict[str, Any]) -> Spec:
    """The unit's rank in every dimension (shorter bar = better rank)."""
    t = pd.DataFrame(profile["pillars"])
    datasets = Datasets()
    return top_level({
        "data": datasets.add(t), "mark": bar(color="#c0392b"), "title": "各维度全国名次", "width": 300, "height": 28 * len(t),
        "encoding": {
            "y": nominal("name", sort=t["name"].tolist(), title=None),
            "x": quantitative("rank", title=f"名次（共{profile['n_ranked']}个）", scale={"reverse": False}),
            "tooltip": [nominal("name", title="维度"), quantitative("rank", title="名次"), quantitative("score", title="得分", format=".2f")]}},
        datasets)


def report_charts(content: ReportContent) -> dict[str, Spec]:
    """Every chart of the report by file stem (maps excluded: see :func:`choropleth`)."""
    charts: dict[str, Spec] = {"region": region_chart(content)}
    if "by_province" in content.tables:
        charts["province"] = province_chart(content)
    charts["tiers"] = tier_chart(content)
    charts["pillar_leaders"] = pillar_leaders_chart(content)
    if "movers" in content.tables and len(content.tables["movers"]):
        charts["movers"] = movers_chart(content)
    return charts
