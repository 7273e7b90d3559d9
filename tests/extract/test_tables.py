"""The table component: table regions in flattened text, header units and column meanings."""

from __future__ import annotations

from baiqiang.extract import extract_facts
from baiqiang.extract.tables import column


def facts(text: str) -> list[tuple[str, float, str, float, str]]:
    return [(f.indicator, f.value, f.unit, f.value_std, f.kind) for f in extract_facts(text)]


def test_single_space_rows_under_a_header_with_units() -> None:
    text = ("表2 2024年主要指标\n单位：万元，%\n指标 绝对值 比上年增长\n地区生产总值 1234567 5.6\n"
            "#工业 456 -2.1\n一、农 林 牧 渔业 789 3.3\n全县人口增长较快。")
    assert facts(text) == [
        ("地区生产总值", 1234567, "万元", 12345670000, "level"), ("地区生产总值", 5.6, "%", 5.6, "growth"),
        ("工业", 456, "万元", 4560000, "level"), ("工业", -2.1, "%", -2.1, "growth"),
        ("农林牧渔业", 789, "万元", 7890000, "level"), ("农林牧渔业", 3.3, "%", 3.3, "growth")]


def test_tab_and_full_width_space_rows_need_consistent_columns() -> None:
    text = "地区生产总值\t731.1\t6.5\n第一产业\u300040.2\u30003.1\n"
    assert [f[:2] for f in facts(text)] == [("地区生产总值", 731.1), ("地区生产总值", 6.5),
                                             ("第一产业", 40.2), ("第一产业", 3.1)]


def test_one_row_with_numbers_is_not_a_table_without_a_header() -> None:
    # a prose line with a space before the number stays prose (the seed's 海铁联运运输标箱 9.4 万个)
    assert facts("海铁联运运输标箱 9.4 万个，增长5%。") == [
        ("海铁联运运输标箱", 9.4, "万个", 94000, "level"), ("海铁联运运输标箱", 5, "%", 5, "growth")]


def test_pipe_table_with_one_cell_a_line() -> None:
    text = ("表1 2016年地区生产总值构成表\n|\n行业名称 |\n现价 (万元) |\n增速 (%) |\n行业占 比(%) |\n|\n"
            "地区生产总值 |\n529757 |\n13.1 |\n100 |\n|\n工业 |\n111250 |\n12.7 |\n21 |\n")
    assert facts(text) == [
        ("地区生产总值现价", 529757, "万元", 5297570000, "level"), ("地区生产总值增速", 13.1, "%", 13.1, "growth"),
        ("地区生产总值行业占比", 100, "%", 100, "rate"), ("工业现价", 111250, "万元", 1112500000, "level"),
        ("工业增速", 12.7, "%", 12.7, "growth"), ("工业行业占比", 21, "%", 21, "rate")]


def test_flattened_pipe_stream_with_units_list_cumulative_column_and_sub_rows() -> None:
    text = ("附表。\n| 单位:个、万元 | 指标名称 | 本月 | 同比% | 累计 | 同比% | 企业单位数\n"
            "| 4326 | 5.5 | 4326 | 5.5 | 工业总产值 | 309748 | 3.3 | 1618573 | 16.2 | "
            "其中:规模以上 | 206713 | -3.4 | 1086976 | 18.7 |\n")
    got = facts(text)
    assert got[0] == ("企业单位数本月", 4326, "个", 4326, "level")
    assert ("企业单位数累计同比", 5.5, "%", 5.5, "growth") in got
    assert ("工业总产值累计", 1618573, "万元", 16185730000, "cumulative") in got
    assert ("规模以上工业总产值本月", 206713, "万元", 2067130000, "level") in got
    assert ("规模以上工业总产值同比", -3.4, "%", -3.4, "growth") in got
    assert len(got) == 12


def test_header_cells_give_role_and_unit() -> None:
    assert column("现价 (万元)").role == "level" and column("现价 (万元)").unit == "万元"
    assert column("同比%").role == "growth" and column("同比%").unit == "%"
    assert column("累计").role == "cumulative"
    assert column("行业占 比(%)").role == "rate" and column("行业占 比(%)").name == "行业占比"


def test_table_rows_map_to_catalog_codes_in_the_catalog_unit() -> None:
    from baiqiang.data.catalog import default_catalog
    from baiqiang.data.units import convert
    from baiqiang.extract.mapping import build_aliases, map_indicator

    catalog = {ind.code: ind for ind in default_catalog()}
    aliases = build_aliases(catalog=catalog.values())
    text = "单位：亿元，%\n指标 绝对值 比上年增长\n规模以上工业增加值 143.0 9.0\n工业增加值 150.2 8.1\n"
    got = [(f.indicator, map_indicator(f, aliases).code, f.value_std, f.unit_std) for f in extract_facts(text)]
    assert [(g[0], g[1]) for g in got] == [
        ("规模以上工业增加值", "industrial_value_added"), ("规模以上工业增加值", "industrial_value_added_growth"),
        ("工业增加值", ""), ("工业增加值", "")]  # all industry is not the 规上 indicator: left for the reviewer
    level = got[0]
    assert convert(level[2], level[3], catalog["industrial_value_added"].unit) == 143.0  # the header's 亿元, back


def test_one_cell_a_line_table_with_blank_lines() -> None:
    """ce.cn-style tables: every cell on a line of its own, blank lines between, a bracket lost."""
    from baiqiang.extract import extract_facts

    text = ("表1 2022年年末全区人口数及其结构\n\n指 标\n\n年末数(万人)\n\n比重( %\n\n"
            "年末常住人口\n\n728\n\n100.00\n\n其中:城镇\n\n483\n\n66.34\n\n乡村\n\n245\n\n33.66\n")
    got = [(f.indicator, f.value_std, f.unit_std, f.kind, f.period) for f in extract_facts(text)]
    assert got == [("年末常住人口", 7280000, "人", "level", "2022"), ("年末常住人口比重", 100, "%", "rate", "2022"),
                   ("城镇年末常住人口", 4830000, "人", "level", "2022"), ("城镇年末常住人口比重", 66.34, "%", "rate", "2022"),
                   ("乡村", 2450000, "人", "level", "2022"), ("乡村比重", 33.66, "%", "rate", "2022")]



def test_pipe_table_of_places_under_a_caption_of_additions() -> None:
    """A caption without a full stop above one-cell-a-line pipes (`表1 …新增企业情况` / `地区 |` …): the
    caption is its own paragraph; rows of places take its subject; 新增 makes the levels added; the
    one counter of 增减(家) is the unit of the unitless 1-6月 column too, and a change in 家 stays in 家;
    a dash cell is an empty value, not a row label.  The column of the table's own period (1-6月) adds
    nothing to the name; the basis column (上年同期) stands between the place and the subject."""
    text = ("表1 2021年1-6月规上工业新增企业情况\n地区 |\n1-6月 |\n上年同期 |\n增减(家) |\n增长(%) |\n"
            "甲市 |\n12 |\n8 |\n4 |\n50.0 |\n乙市 |\n3 |\n—— |\n-1 |\n-25.0 |\n")
    assert facts(text) == [
        ("甲市规上工业新增企业", 12, "家", 12, "added"), ("甲市上年同期规上工业新增企业", 8, "家", 8, "added"),
        ("甲市规上工业新增企业增减", 4, "家", 4, "growth"), ("甲市规上工业新增企业", 50, "%", 50, "growth"),
        ("乙市规上工业新增企业", 3, "家", 3, "added"), ("乙市规上工业新增企业增减", -1, "家", -1, "growth"),
        ("乙市规上工业新增企业", -25, "%", -25, "growth")]


def test_pipe_rows_take_units_from_bracketed_headers_across_group_rows() -> None:
    # one row a line; the header gives each column its unit in brackets (绝对数(万元)), 构成 is a share,
    # and a group label with placeholder cells (分行业 | -- | --) stays inside the table
    text = ("表1 2023年全县地区生产总值及其构成\n指标 | 绝对数(万元) | 增长(%) | 构成(%) |\n"
            "地区生产总值 | 5000 | 6.1 | 100 |\n分行业 | -- | -- | -- |\n工业 | 1200 | 8.4 | 24 |\n")
    assert facts(text) == [
        ("地区生产总值", 5000, "万元", 50000000, "level"), ("地区生产总值", 6.1, "%", 6.1, "growth"),
        ("地区生产总值", 100, "%", 100, "rate"),
        ("工业", 1200, "万元", 12000000, "level"), ("工业", 8.4, "%", 8.4, "growth"), ("工业", 24, "%", 24, "rate")]


def test_a_row_unit_cell_wins_over_the_header_unit() -> None:
    text = "指标 | 单位 | 绝对数(万元) | 增长(%)\n粮食产量 | 吨 | 3000 | 2.5\n油料产量 | 吨 | 800 | 1.5\n"
    assert [f[:3] for f in facts(text)] == [("粮食产量", 3000, "吨"), ("粮食产量", 2.5, "%"),
                                             ("油料产量", 800, "吨"), ("油料产量", 1.5, "%")]
