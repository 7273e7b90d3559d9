"""Charts and maps of the report as Vega-Altair objects (data/specs only; rendering is in render.py).

The same chart object gives the interactive HTML (Vega-Embed, inlined) and
the SVG/PNG for the PDF (vl-convert).  Maps use the bundled county geometry;
units outside the list are drawn in grey so the country is always whole.
"""

from __future__ import annotations

from typing import Any

import altair as alt
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


def config(chart: alt.TopLevelMixin, font: str = FONT) -> alt.TopLevelMixin:
    """Fonts and a plain look, shared by every chart."""
    return (chart.configure(font=font).configure_view(stroke=None)
            .configure_axis(labelFontSize=11, titleFontSize=12).configure_title(fontSize=14, anchor="start"))


def region_chart(content: ReportContent) -> alt.Chart:
    """List members per region, this list and the previous one."""
    t = content.tables["by_region"]
    cols = {"count": content.year or "本期"}
    if "previous" in t:
        cols["previous"] = content.previous_year or "上期"
    long = t.melt(id_vars="region", value_vars=list(cols), var_name="list", value_name="units")
    long["list"] = long["list"].map(cols)
    return alt.Chart(long, title=f"百强分区域分布（{'、'.join(cols.values())}）").mark_bar().encode(
        x=alt.X("region:N", sort=list(REGION_ORDER), title=None, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("list:N", sort=list(cols.values())),
        y=alt.Y("units:Q", title="单位数"),
        color=alt.Color("list:N", sort=list(cols.values()), title="榜单", scale=alt.Scale(range=["#c0392b", "#bdc3c7"])),
        tooltip=[alt.Tooltip("region:N", title="区域"), alt.Tooltip("list:N", title="榜单"), alt.Tooltip("units:Q", title="单位数")],
    ).properties(width=360, height=220)


def province_chart(content: ReportContent) -> alt.Chart:
    """List members per province (bars) with the previous list's count (ticks)."""
    t = content.tables["by_province"]
    t = t[t["count"] > 0] if "previous" not in t else t[(t["count"] > 0) | (t["previous"] > 0)]
    order = t["province"].tolist()
    base = alt.Chart(t, title="百强分省份分布").encode(y=alt.Y("province:N", sort=order, title=None))
    bars = base.mark_bar(color="#c0392b").encode(
        x=alt.X("count:Q", title="单位数"),
        tooltip=[alt.Tooltip("province:N", title="省份"), alt.Tooltip("count:Q", title=content.year or "本期"),
                 *([alt.Tooltip("previous:Q", title=content.previous_year or "上期"),
                    alt.Tooltip("change:Q", title="变化")] if "previous" in t else [])])
    layers = [bars]
    if "previous" in t:
        layers.append(base.mark_tick(color="#2c3e50", thickness=2, size=14).encode(x="previous:Q"))
    return alt.layer(*layers).properties(width=360, height=max(160, 16 * len(order)))


def tier_chart(content: ReportContent) -> alt.Chart:
    """Units of each tier by region (stacked)."""
    t = content.tables["tiers"]
    regions = [r for r in REGION_ORDER if r in t.columns]
    long = t.melt(id_vars=["tier", "ranks"], value_vars=regions, var_name="region", value_name="units")
    long["label"] = "第" + long["tier"].astype(str) + "梯队（" + long["ranks"] + "）"
    labels = list(dict.fromkeys(long["label"]))
    return alt.Chart(long, title="梯队构成").mark_bar().encode(
        y=alt.Y("label:N", sort=labels, title=None),
        x=alt.X("units:Q", title="单位数", stack="zero"),
        color=alt.Color("region:N", sort=regions, title="区域",
                        scale=alt.Scale(domain=regions, range=[REGION_COLOURS[r] for r in regions])),
        tooltip=[alt.Tooltip("label:N", title="梯队"), alt.Tooltip("region:N", title="区域"), alt.Tooltip("units:Q", title="单位数")],
    ).properties(width=360, height=30 * len(labels) + 20)


def pillar_leaders_chart(content: ReportContent) -> alt.VConcatChart:
    """The top 10 of every dimension, one small bar chart each."""
    t = content.tables["pillar_leaders"]
    charts = []
    for code, name in content.pillars:
        part = t[t["pillar"] == code]
        charts.append(alt.Chart(part, title=name).mark_bar(color="#34495e").encode(
            y=alt.Y("name:N", sort=part["name"].tolist(), title=None),
            x=alt.X("score:Q", title="得分", scale=alt.Scale(zero=True)),
            tooltip=[alt.Tooltip("pillar_rank:Q", title="名次"), alt.Tooltip("name:N", title="名称"),
                     alt.Tooltip("province:N", title="省份"), alt.Tooltip("score:Q", title="得分", format=".2f")],
        ).properties(width=170, height=170))
    rows = [alt.hconcat(*charts[i : i + 3]) for i in range(0, len(charts), 3)]
    return alt.vconcat(*rows, title="各维度前十名")


def movers_chart(content: ReportContent) -> alt.Chart:
    """The largest rises and falls, with the main driver in the tooltip."""
    t = content.tables["movers"].copy()
    t["label"] = t["name"] + "（" + t["previous_rank"].astype(str) + "→" + t["rank"].astype(str) + "）"
    return alt.Chart(t, title=f"名次变化最大的单位（{content.previous_year}→{content.year}）").mark_bar().encode(
        y=alt.Y("label:N", sort=alt.EncodingSortField("rank_change", order="descending"), title=None),
        x=alt.X("rank_change:Q", title="名次上升（位）"),
        color=alt.Color("direction:N", title=None, scale=alt.Scale(domain=["上升", "下降"], range=["#c0392b", "#2980b9"])),
        tooltip=[alt.Tooltip("name:N", title="名称"), alt.Tooltip("previous_rank:Q", title=content.previous_year),
                 alt.Tooltip("rank:Q", title=content.year), alt.Tooltip("driver_1:N", title="主要驱动维度"),
                 alt.Tooltip("driver_1_value:Q", title="贡献变化", format="+.2f")],
    ).properties(width=360, height=14 * len(t) + 20)


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
               width: int = 560, height: int = 420) -> dict[str, Any]:
    """Top-N units coloured by score on a grey base of every county, with province outlines (示意图).

    Returns a Vega-Lite spec (dict): the geometry goes in as top-level
    ``datasets`` after the chart is built, because Altair's conversion walks
    every coordinate (tens of seconds for the whole country).
    ``interactive=True`` adds a drop-down choosing the measure (总指数 or a
    dimension) so one copy of the geometry serves every map in the HTML.
    """
    measures = map_measures(content)
    names = dict(measures)
    title = f"{content.year}年{content.title}前{content.top_n}名分布（示意图）"
    counties, outlines = alt.NamedData(name="counties"), alt.NamedData(name="provinces")
    base = alt.Chart(counties).mark_geoshape(fill=GREY, stroke="white", strokeWidth=0.15)
    if interactive:
        param = alt.param(name="measure", value=measure, bind=alt.binding_select(
            options=[m for m, _ in measures], labels=[n for _, n in measures], name="指标："))
        value = alt.Chart(counties).transform_calculate(
            value="datum.properties[measure + '_score']", rank="datum.properties[measure + '_rank']",
        ).transform_filter("isValid(datum.value)").add_params(param)
        legend_title = "得分"
    else:
        value = alt.Chart(counties).transform_calculate(
            value=f"datum.properties['{measure}_score']", rank=f"datum.properties['{measure}_rank']",
        ).transform_filter("isValid(datum.value)")
        legend_title = f"{names[measure]}得分"
        if measure != "index":
            title = f"{content.year}年{names[measure]}前{content.top_n}名分布（示意图）"
    top = value.mark_geoshape(stroke="white", strokeWidth=0.2).encode(
        color=alt.Color("value:Q", title=legend_title, scale=alt.Scale(scheme="reds")),
        tooltip=[alt.Tooltip("properties.unit:N", title="名称"), alt.Tooltip("properties.province:N", title="省份"),
                 alt.Tooltip("rank:Q", title="名次"), alt.Tooltip("value:Q", title="得分", format=".2f")],
    )
    lines = alt.Chart(outlines).mark_geoshape(filled=False, stroke="#888888", strokeWidth=0.4)
    chart = alt.layer(base, top, lines, title=title).project(**PROJECTION).properties(width=width, height=height)
    spec = config(chart).to_dict()
    spec["datasets"] = {"counties": map_features(content, measures), "provinces": province_features()}
    return spec


def location_map(content: ReportContent, code: str) -> dict[str, Any]:
    """A unit's province with the unit highlighted (Vega-Lite spec, for the profile)."""
    u = content.units.set_index("code").loc[code]
    sub = [f for f in county_features() if f["properties"]["province"] == u.get("province")] or county_features()
    data = alt.NamedData(name="counties")
    base = alt.Chart(data).mark_geoshape(fill=GREY, stroke="white", strokeWidth=0.4)
    mark = alt.Chart(data).transform_filter(f"datum.properties.adcode == '{u['geo']}'").mark_geoshape(fill="#c0392b", stroke="white")
    chart = alt.layer(base, mark, title=f"{u['name']}位置（示意图）").project(type="mercator").properties(width=260, height=220)
    spec = config(chart).to_dict()
    spec["datasets"] = {"counties": sub}
    return spec


def profile_pillar_chart(profile: dict[str, Any]) -> alt.Chart:
    """The unit's rank in every dimension (shorter bar = better rank)."""
    t = pd.DataFrame(profile["pillars"])
    return alt.Chart(t, title="各维度全国名次").mark_bar(color="#c0392b").encode(
        y=alt.Y("name:N", sort=t["name"].tolist(), title=None),
        x=alt.X("rank:Q", title=f"名次（共{profile['n_ranked']}个）", scale=alt.Scale(reverse=False)),
        tooltip=[alt.Tooltip("name:N", title="维度"), alt.Tooltip("rank:Q", title="名次"),
                 alt.Tooltip("score:Q", title="得分", format=".2f")],
    ).properties(width=300, height=28 * len(t))


def report_charts(content: ReportContent) -> dict[str, alt.TopLevelMixin]:
    """Every chart of the report by file stem (maps excluded: see :func:`choropleth`)."""
    charts: dict[str, alt.TopLevelMixin] = {"region": region_chart(content)}
    if "by_province" in content.tables:
        charts["province"] = province_chart(content)
    charts["tiers"] = tier_chart(content)
    charts["pillar_leaders"] = pillar_leaders_chart(content)
    if "movers" in content.tables and len(content.tables["movers"]):
        charts["movers"] = movers_chart(content)
    return charts
