"""The report's charts as Vega-Altair objects: the reference the plain-dict builders of ``report.charts`` are checked against.

This is the Altair code the report used before its charts became plain Vega-Lite
dicts (Altair's import and schema validation cost ~0.7 s per publication); the
test asserts both give the same spec, so Altair is needed only by the test suite.
"""

from __future__ import annotations

from typing import Any

import altair as alt

from baiqiang.report.charts import FONT, GREY, PROJECTION, REGION_COLOURS, map_features, map_measures, region_counts
from baiqiang.report.content import REGION_ORDER, ReportContent
from baiqiang.report.geometry import county_features, province_features

def config(chart: alt.TopLevelMixin, font: str = FONT) -> alt.TopLevelMixin:
    """Fonts and a plain look, shared by every chart."""
    return (chart.configure(font=font).configure_view(stroke=None)
            .configure_axis(labelFontSize=11, titleFontSize=12).configure_title(fontSize=14, anchor="start"))


def region_chart(content: ReportContent) -> alt.Chart:
    """List members per region, this list and the previous one."""
    long, lists = region_counts(content)  # the data are the report's own; the test compares the specs
    return alt.Chart(long, title=f"百强分区域分布（{'、'.join(lists)}）").mark_bar().encode(
        x=alt.X("region:N", sort=list(REGION_ORDER), title=None, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("list:N", sort=lists),
        y=alt.Y("units:Q", title="单位数"),
        color=alt.Color("list:N", sort=lists, title="榜单", scale=alt.Scale(range=["#c0392b", "#bdc3c7"])),
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
    import pandas as pd

    t = pd.DataFrame(profile["pillars"])
    return alt.Chart(t, title="各维度全国名次").mark_bar(color="#c0392b").encode(
        y=alt.Y("name:N", sort=t["name"].tolist(), title=None),
        x=alt.X("rank:Q", title=f"名次（共{profile['n_ranked']}个）", scale=alt.Scale(reverse=False)),
        tooltip=[alt.Tooltip("name:N", title="维度"), alt.Tooltip("rank:Q", title="名次"),
                 alt.Tooltip("score:Q", title="得分", format=".2f")],
    ).properties(width=300, height=28 * len(t))


