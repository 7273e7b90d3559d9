"""Every construction of issue 4, on small hand-written sentences."""

from __future__ import annotations

import pytest

from baiqiang.extract import extract_facts
from baiqiang.extract.layout import normalise


def facts(text: str) -> list[tuple]:
    return [(f.indicator, f.value_std, f.unit_std, f.kind, f.qualifier) for f in extract_facts(text)]


# ---------------------------------------------------------------- layout
def test_number_broken_across_lines():
    assert facts("全市实现地区生产总值10\n\n亿元。") == [("地区生产总值", 1_000_000_000, "元", "level", "exact")]


def test_spaced_header_byline_and_caption_give_nothing():
    text = " 请 您 关 注 今 日 头 条\n本报讯（融媒记者 程明星）\n一派忙碌景象。 融媒记者 杨成栋 摄\n"
    assert facts(text) == []


def test_traditional_characters_are_simplified():
    assert facts("全縣地區生產總值達612.4億元。") == [("地区生产总值", 61_240_000_000, "元", "level", "exact")]


def test_pinyin_glosses_are_read_through():
    """A tone-marked gloss after a character is a reading aid: the name reads through it (实(shí)现 = 实现)."""
    assert facts("全县实(shí)现(xiàn)营业收(shōu)入12亿元。") == [("营业收入", 1_200_000_000, "元", "level", "exact")]
    # lower-case letters without a tone mark are no gloss: the abbreviation stays in the working copy
    assert normalise("生产总值(gdp)12亿元").work == "生产总值(gdp)12亿元"


def test_a_dash_opens_a_list_item():
    """A line opened by —— is a new item even when the line before has no full stop (corpus 82)."""
    text = "——一般公共预算收入完成150.9亿元，同比增长22.5%\n——固定资产投资完成828亿元，同比增长12.5%"
    assert [f[:4] for f in facts(text)] == [("一般公共预算收入", 15_090_000_000, "元", "level"),
                                            ("一般公共预算收入", 22.5, "%", "growth"),
                                            ("固定资产投资", 82_800_000_000, "元", "level"),
                                            ("固定资产投资", 12.5, "%", "growth")]


def test_an_estimated_result_keeps_its_name():
    """预计完成 / 预计下降: 预计 goes whole, not as 计 (a link word) leaving 预 in the name (corpus 71, 82)."""
    assert facts("全区地区生产总值预计完成213亿元。") == [("地区生产总值", 21_300_000_000, "元", "level", "exact")]
    assert facts("万元GDP综合能耗预计下降2.3%。") == [("万元GDP综合能耗", -2.3, "%", "growth", "exact")]
    # 预测 (a forecast of the period's result) alike
    assert facts("预测规上工业增加值19.95亿元，预测增长17.8%。") == [
        ("规上工业增加值", 1_995_000_000, "元", "level", "exact"), ("规上工业增加值", 17.8, "%", "growth", "exact")]


# ---------------------------------------------------------------- numbers and units
@pytest.mark.parametrize("text, value_std, unit_std", [
    ("新增青年大学生1.1万人。", 11000, "人"),
    ("新增企业三十五家。", 35, "家"),
    ("新增企业两家。", 2, "家"),
    ("新增企业一百二十家。", 120, "家"),
    ("新增就业3千余人。", 3000, "人"),
    ("社会消费品零售总额1.2万亿元。", 1.2e12, "元"),
    ("税收收入5600万元。", 56_000_000, "元"),
    ("实际利用外资1.36亿美元。", 136_000_000, "美元"),
    ("海铁联运运输标箱 9.4 万个。", 94000, "个"),
])
def test_numbers_and_scaling(text, value_std, unit_std):
    (f,) = facts(text)
    assert (f[1], f[2]) == (value_std, unit_std)


def test_ten_odd_is_at_least():
    assert facts("新增企业十余家。") == [("新增企业", 10, "家", "added", "at_least")]


def test_percent_permille_and_points():
    assert facts("出生率6.75‰。") == [("出生率", 6.75, "‰", "rate", "exact")]
    assert facts("城镇化率为63.4%，比上年提高0.9个百分点。") == [
        ("城镇化率", 63.4, "%", "rate", "exact"), ("城镇化率", 0.9, "百分点", "growth", "exact")]


# ---------------------------------------------------------------- kinds
@pytest.mark.parametrize("verb", ["新增", "新建", "培育", "引进", "建成"])
def test_added_verbs(verb):
    assert facts(f"{verb}未来社区2个。") == [("未来社区", 2, "个", "added", "exact")]


def test_completed_money_is_level():
    assert facts("完成科创强基项目投资9.1亿元。") == [("科创强基项目投资", 910_000_000, "元", "level", "exact")]


def test_cumulative():
    assert facts("累计培育省级产业基地5个。") == [("省级产业基地", 5, "个", "cumulative", "exact")]


def test_growth_signed():
    assert facts("外观专利授权周期缩短90%以上。") == [("外观专利授权周期", -90, "%", "growth", "at_least")]
    assert facts("利润总额下降3.5%。") == [("利润总额", -3.5, "%", "growth", "exact")]
    assert facts("工业投资增长-0.35%。") == [("工业投资", -0.35, "%", "growth", "exact")]


@pytest.mark.parametrize("text, value", [
    ("我市在全国工业县（市）百强榜单上位列第45位。", 45), ("技术交易额居全省第2。", 2), ("财政收入排名第七。", 7)])
def test_rank(text, value):
    (f,) = facts(text)
    assert (f[1], f[2], f[3]) == (value, "位", "rank")


def test_rate():
    assert facts("涉企问题办结率98.6%。") == [("涉企问题办结率", 98.6, "%", "rate", "exact")]


@pytest.mark.parametrize("word, qualifier", [
    ("超", "at_least"), ("突破", "at_least"), ("逾", "at_least"), ("约", "about"), ("近", "about"),
    ("不到", "at_most")])
def test_qualifiers_before(word, qualifier):
    assert facts(f"产值{word}500亿元。")[0][4] == qualifier


@pytest.mark.parametrize("word, qualifier", [("以上", "at_least"), ("左右", "about"), ("以内", "at_most")])
def test_qualifiers_after(word, qualifier):
    assert facts(f"产值500亿元{word}。")[0][4] == qualifier


# ---------------------------------------------------------------- structure
def test_list_with_dunhao():
    assert facts("新增省级未来工厂1家、省工业互联网平台1个、初级数智工厂45家。") == [
        ("省级未来工厂", 1, "家", "added", "exact"), ("省工业互联网平台", 1, "个", "added", "exact"),
        ("初级数智工厂", 45, "家", "added", "exact")]


def test_list_with_he():
    assert [f[0] for f in facts("引进领军人才12人和博士45人。")] == ["领军人才", "博士"]


def test_distribution_each():
    assert facts("新增国家专精特新“小巨人”、国家制造业单项冠军、上市企业各1家。") == [
        ("国家专精特新“小巨人”", 1, "家", "added", "exact"), ("国家制造业单项冠军", 1, "家", "added", "exact"),
        ("上市企业", 1, "家", "added", "exact")]


def test_respectively_ranks_go_to_preceding_facts():
    got = facts("完成项目投资9.1亿元，促成技术交易58.42亿元，分别位居金华第1、第2。")
    assert got[2:] == [("项目投资", 1, "位", "rank", "exact"), ("技术交易", 2, "位", "rank", "exact")]


def test_respectively_with_names():
    got = facts("城镇和农村居民人均可支配收入分别为69870元和39120元。")
    # 城镇 shares the last item's metric head (shared_heads)
    assert [(f[0], f[1]) for f in got] == [("城镇居民人均可支配收入", 69870), ("农村居民人均可支配收入", 39120)]


def test_growth_attached_to_level():
    assert facts("重点产业链总产值达943亿元，同比增长12.7%。") == [
        ("重点产业链总产值", 94_300_000_000, "元", "level", "exact"),
        ("重点产业链总产值", 12.7, "%", "growth", "exact")]


def test_period_stated_earlier_in_paragraph():
    (f,) = extract_facts("2024年以来，我市加快发展，新增企业5家。")
    assert f.period == "2024"
    (g,) = extract_facts("新增企业5家。")
    assert g.period == ""


def test_section_heading_gives_period():
    (f,) = extract_facts("一、2023年工作回顾\n新增企业5家。\n")
    assert f.period == "2023"


def test_threshold_inside_name_is_not_a_fact():
    assert facts("培育10亿元以上企业5家。") == [("10亿元以上企业", 5, "家", "added", "exact")]
    # a bound before 的 and a count after the noun: the bound is the name's (corpus 85)
    assert facts("新建总投资超10亿元的项目7个。") == [("总投资超10亿元的项目", 7, "个", "added", "exact")]


def test_anniversary_is_not_a_fact():
    assert facts("今年是建县60周年，全县新增企业5家。") == [("新增企业", 5, "家", "added", "exact")]


def test_number_first_phrase():
    assert facts("30幢1686套安置房主体结顶。") == [
        ("安置房主体结顶", 30, "幢", "added", "exact"), ("安置房主体结顶", 1686, "套", "added", "exact")]


# ---------------------------------------------------------------- not facts
@pytest.mark.parametrize("text", [
    "紧紧围绕“五战双强”行动。", "“2+5”重点产业链。", "加快构建“一绕两环两横两纵”高快速路网。",
    "规上工业企业数字化改造1.0 实现全覆盖。", "2月19日，记者获悉。", "《县域工业经济发展报告（2024 年）》发布。",
    "第三届中国丘陵山区农业机械博览会开幕。", "落地建设1688五金选品中心。", "石柱高新科技产业园一期建成投用。",
    "三次产业结构调整为5.8:43.8:50.4。", "连续4年获省跨境电商专项激励。", "比上年末减少0.21万人。",
    "增速高于全市平均1.1个百分点。", "力争新增规上工业企业50家以上。", "获评全国百强园区。",
])
def test_not_facts(text):
    assert facts(text) == []


def test_table_rows():
    text = "产品名称      单位      产量      比上年增长(%)\n粮食          万吨      12.46     1.8\n"
    assert facts(text) == [("粮食", 124600, "吨", "level", "exact"), ("粮食", 1.8, "%", "growth", "exact")]


def test_count_of_places_as_subject_is_a_scope():
    # 77个县(市) is who did it, not a fact; the place noun scopes the metric's name (not the verb)
    got = [(f.indicator, f.value, f.kind) for f in extract_facts(
        "一季度，全省77个县(市)实现生产总值2135.01亿元，同比增长3.2%，有6个县(市)出现负增长。"
        "全省30个区实现生产总值2943.45亿元。")]
    assert got == [("一季度县(市)生产总值", 2135.01, "level"), ("一季度县(市)生产总值", 3.2, "growth"),
                   ("出现负增长的县(市)", 6, "level"), ("区生产总值", 2943.45, "level")]  # members_by_predicate
    # the places counted as the fact itself stay
    assert [f.value for f in extract_facts("全市共有5个乡镇实现财政收入超亿元。")] == [5]


def test_subject_starts_after_place_or_period_marker():
    # a headline run into the next line, and a place before its period: the subject starts after them
    got = [(f.indicator, f.value, f.kind) for f in extract_facts("“十四五”开局江西“开门红”一季度我省GDP同比增长18.4%")]
    assert got == [("一季度GDP", 18.4, "growth")]
    got = [(f.indicator, f.value, f.kind) for f in extract_facts("锦屏县前10个月共签约招商引资项目76个。")]
    assert got == [("前10个月招商引资项目", 76, "added")]
    # inside a name the place word stays
    assert [f.indicator for f in extract_facts("民营经济增加值占全县GDP的比重为55%。")] == ["民营经济增加值占全县GDP的比重"]


def test_two_numbers_share_the_points_unit():
    got = [(f.indicator, f.value, f.unit_std, f.kind) for f in extract_facts("城镇化率和森林覆盖率分别提高2个和3.5个百分点。")]
    assert got == [("城镇化率", 2, "百分点", "growth"), ("森林覆盖率", 3.5, "百分点", "growth")]


def test_conjunction_before_a_rank_verb():
    got = [(f.indicator, f.value, f.kind) for f in extract_facts("全县经济综合实力稳步提升，并位列全国百强县第80位。")]
    assert got == [("全国百强县", 80, "rank")]


def test_place_measured_by_an_aspect_and_ranked():
    got = [(f.indicator, f.value, f.kind) for f in extract_facts("其中，洋浦以增速14.2%位列第一。")]
    assert got == [("洋浦增速", 14.2, "growth"), ("洋浦增速", 1, "rank")]


def test_result_against_a_target_is_no_plan():
    got = [(f.indicator, f.value, f.kind) for f in extract_facts(
        "物价涨幅控制在预期目标以内，全省居民消费价格同比上涨2.6%。")]
    assert got == [("居民消费价格", 2.6, "growth")]
    assert extract_facts("力争全年完成引资4亿元。") == []  # a plan stays a plan


def test_planned_project_lists_are_facts():
    # 计划开工项目 names a list of projects (a level), not a plan of the text
    got = [(f.indicator, f.value, f.kind) for f in extract_facts("计划开工项目207个，年度计划投资209.7亿元。")]
    assert got == [("计划开工项目", 207, "level"), ("计划开工项目年度计划投资", 209.7, "level")]  # an attribute (corpus 34)


def test_count_named_by_verb_phrase_before_de_and_noun_after():
    # 40个 is the count (an attribute of the counted follows), named by 集中开工…的 and 重点项目; 今天 is a
    # dateline word, so 集中开工 is the head verb: added (corpus 23 gold)
    got = [(f.indicator, f.value, f.kind) for f in extract_facts("今天集中开工的40个重点项目总投资120亿元。")]
    assert got == [("集中开工重点项目", 40, "added"), ("重点项目总投资", 120, "level")]
    # a money threshold inside a name stays a threshold
    assert [f.value for f in extract_facts("5000万元以上项目投资2项指标增速全市第二。")] == [2]


def test_end_of_an_ordinal_range_is_a_label():
    assert extract_facts("完成联东U谷·智能制造产业园第16至23批次招商。") == []


def test_count_of_a_universe_before_zhong_is_a_scope():
    # 38个…中 names the universe of what follows; with a verb (签约的28个项目中) it is a count of its own
    assert [f.value for f in extract_facts("38个工业行业大类中，有37个行业实现正增长。")] == [37]
    assert [f.value for f in extract_facts("签约的28个项目中，新能源项目11个。")] == [28, 11]
    # 由二季度的第12位: a starting point gives no sub-year period to the new rank
    got = extract_facts("在16个县市区经济指标综合排名中，我县由二季度的第12位上升到第6位。")
    assert [(f.value, f.kind) for f in got] == [(6, "rank")] and not got[0].indicator.startswith("二季度")


def test_ordinal_list_shares_the_noun():
    got = [(f.indicator, f.value) for f in extract_facts(
        "第二、第三产业占地区生产总值的比重分别回落2.16和1.66个百分点。")]
    assert got == [("第二产业占地区生产总值的比重", -2.16), ("第三产业占地区生产总值的比重", -1.66)]


def test_current_month_is_a_sub_year_period():
    got = [(f.indicator, f.value) for f in extract_facts(
        "1-5月，规模以上工业企业产值4568.3亿元，其中当月实现产值1001.1亿元，增长6.5%。")]
    assert got == [("1-5月规模以上工业企业产值", 4568.3), ("当月产值", 1001.1), ("当月产值", 6.5)]


def test_sub_year_period_names_its_own_clause_or_the_next():
    """A sub-year period is written into the name of the figure it stands with (its own clause, or the
    next one when it is a clause of its own), not into the later clauses and sentences (the corpus gold)."""
    opening = extract_facts("上半年，全县规上工业增加值增长6.2%。其中，制造业增长7.1%。")
    assert [f.indicator for f in opening] == ["上半年规上工业增加值", "制造业增加值"]
    later = extract_facts("1-8月份，全县规上工业增加值85.2亿元，同比增长6.2%，其中制造业增加值62.1亿元。")
    # the growth attached to the level is the level's: it keeps the level's name
    assert [f.indicator for f in later] == ["1-8月规上工业增加值", "1-8月规上工业增加值", "制造业增加值"]
    own = extract_facts("据统计，全县上半年规上工业增加值增长6.2%，利润总额2.1亿元。")
    assert [f.indicator for f in own] == ["上半年规上工业增加值", "利润总额"]
    inside = extract_facts("本报讯 甲县举行2024年第二季度招商项目签约仪式，共签约项目9个。其中，工业项目5个。")
    assert [(f.indicator, f.value) for f in inside][-1] == ("工业项目", 5)
    assert not any("季度" in f.indicator for f in inside[1:])


def test_ascii_comma_before_a_year_ends_the_clause():
    """`,` is a thousands separator only between digits (244,394万元); before a year it ends a clause."""
    assert facts("初步测算,2015年全县地区生产总值244,394万元。") == [
        ("地区生产总值", 2_443_940_000, "元", "level", "exact")]


def test_year_opening_a_subject_is_no_part_of_the_name():
    """The year goes to `period`; 年末 after it stays a time phrase of its own."""
    got = extract_facts("持续招大引强，2022年实现工业总产值95亿元。2023年末全县常住人口38.1万人。")
    assert [(f.indicator, f.period) for f in got] == [("工业总产值", "2022"), ("常住人口", "2023")]


def test_price_basis_before_a_change_is_a_comparison():
    """按不变价计算 / 可比价 before 增长 say how the change is measured: the growth is the level's."""
    got = [(f.indicator, f.value, f.kind) for f in extract_facts(
        "全区实现地区生产总值92.5亿元，按不变价计算增长4%；农林牧渔业总产值134.5亿元，可比价同比增长1.5%。")]
    assert got == [("地区生产总值", 92.5, "level"), ("地区生产总值", 4, "growth"),
                   ("农林牧渔业总产值", 134.5, "level"), ("农林牧渔业总产值", 1.5, "growth")]


def test_subject_starts_after_a_space_before_its_markers():
    """A heading or a table's unit cell run into a sentence (`二、农 业 全年全县…`) is no part of the name."""
    assert facts("二、农 业 全年全县农作物种植面积8521.9公顷。")[0][0] == "农作物种植面积"


def test_number_first_list_items_are_named_by_their_own_nouns():
    """8个A、19个B: each count takes the noun after it, not the previous item's."""
    got = [(f.indicator, f.value) for f in extract_facts("新开工8个省级重点项目、19个市级重点产业项目。")]
    assert got[:2] == [("省级重点项目", 8), ("市级重点产业项目", 19)]


def test_respectively_items_share_the_last_items_metric_head():
    """船舶工业、水产加工总产值分别增长…: the first item has no metric of its own (`shared_heads`)."""
    got = [(f.indicator, f.value) for f in extract_facts("船舶工业、水产加工总产值分别增长37.0%、12.1%。")]
    assert got == [("船舶工业总产值", 37.0), ("水产加工总产值", 12.1)]
    # items that each name their metric keep their names
    got = [f.indicator for f in extract_facts("工业投资、民间投资分别增长5%、6%。")]
    assert got == ["工业投资", "民间投资"]


def test_respectively_metric_over_the_preceding_facts():
    """A、B，X分别为…: with one name before 分别 and the numbers of the preceding facts, X is each one's metric."""
    got = [(f.indicator, f.value) for f in extract_facts(
        "新开工8个省级重点项目、19个市级重点产业项目，投资完成率分别为160%、121.8%。")]
    assert got[2:] == [("省级重点项目投资完成率", 160), ("市级重点产业项目投资完成率", 121.8)]


def test_youse_metal_is_no_verb():
    """有 opens 有色金属 (`not_cues`), it is no verb to strip."""
    assert facts("有色金属矿采选业增长20.3%。")[0][0] == "有色金属矿采选业"


def test_place_name_before_its_all_word_opens_the_subject():
    """西藏全区 / 连云港全市: the place and its 全区 are place words, not part of the name."""
    assert facts("西藏全区规模以上工业增加值同比增长7.1%。")[0][0] == "规模以上工业增加值"
    assert facts("上半年连云港全市快递业务量27265万件。")[0][0] == "上半年快递业务量"
    # a metric before a share of the whole is no place name
    assert facts("产值占全市总量的比重为30%。")[0][0] == "产值占全市总量的比重"


def test_a_running_total_in_a_list_item_is_that_items_own():
    """其中：A累计…；B… : a % change is never cumulative, and A's 累计 does not make B a running total."""
    got = facts("主要产品产量增长，其中：电机累计实现120万千瓦，增长12.5%；水泥实现产量3000吨，增长8%；"
                "钢材500吨，增长2%。")
    assert [g[3] for g in got] == ["cumulative", "growth", "level", "growth", "level", "growth"]
    assert got[0][1:3] == (1_200_000, "千瓦")


def test_harvest_words_and_area_yields():
    """增产/减产 are changes; 公斤/亩 and 千伏安 are units; 以 and 首次 before a number are no part of a name."""
    assert facts("油料产量5.2万吨，减产3.5%。")[1] == ("油料产量", -3.5, "%", "growth", "exact")
    assert facts("水稻单产以512公斤/亩创新高。") == [("水稻单产", 512, "公斤/亩", "level", "exact")]
    assert facts("新增市场主体首次突破2万户。")[0][0] == "市场主体"


def test_a_range_of_years_is_no_number():
    """图1 2011-2015年…: the dash of a year range is no minus sign, so -2015 年 is no fact."""
    assert facts("图2 2019-2023年全县一般公共预算收入及增长速度") == []


def test_the_size_of_a_fall_is_negative():
    """降幅为3.2%: a % named as the size of a fall is a negative change; a 收窄 of it keeps its own sign."""
    got = facts("工业品出厂价格降幅为3.2%，降幅比上月收窄0.4个百分点。")
    assert got[0] == ("工业品出厂价格降幅", -3.2, "%", "growth", "exact")
    assert got[1][1:4] == (-0.4, "百分点", "growth")


def test_numbered_list_markers_and_topic_colons_are_no_part_of_names():
    """`4. `, `4、`, `（二）` open list items, and an ASCII colon before a number ends a topic label
    (`1、外贸工作:1-5月…`); `4、4月末` keeps its month and `10:30` stays a time."""
    assert facts("1、外贸工作:1-5月外贸出口总额完成240万美元。")[0][0] == "1-5月外贸出口总额"
    assert facts("4、4月末各项存款余额36.8亿元。")[0][0] == "4月末各项存款余额"
    assert facts("  4. 4个重点州(市)增速低于全省水平。")[0][0] == "重点州(市)增速低于全省水平"
    assert facts("10:30，全县签约项目5个。") == [("签约项目", 5, "个", "added", "exact")]


def test_sub_year_period_inside_the_name_is_not_repeated():
    assert facts("水口上半年累计完成产值12.7亿元。")[0][0] == "水口上半年产值"


def test_respectively_names_may_hold_a_conjunction():
    """和/及 inside a name (蔬菜及食用菌, 交通运输仓储和邮政业) when splitting at them gives too many names."""
    assert [f[0] for f in facts("蔬菜及食用菌、瓜果产量分别增长39.3%、8.5%。")] == ["蔬菜及食用菌产量", "瓜果产量"]
    assert [f[0] for f in facts("交通运输仓储和邮政业、其他服务业和金融业分别增长4.8%、4.6%和3.7%。")] == [
        "交通运输仓储和邮政业", "其他服务业", "金融业"]


def test_a_thousand_prefix_that_starts_a_unit_is_the_units():
    """135.7千公顷, 100千伏安: 千 starts the unit, which stays as written (facts.md multiplies out only
    万/亿); 3千人 is still 3000 人."""
    assert facts("粮食作物播种面积135.7千公顷。") == [("粮食作物播种面积", 135.7, "千公顷", "level", "exact")]
    assert facts("新增变电容量100千伏安。") == [("变电容量", 100, "千伏安", "added", "exact")]
    assert facts("接待游客3千人。") == [("游客", 3000, "人", "level", "exact")]


def test_a_percent_sign_lost_by_the_host():
    """A host that drops every % (corpus 119): a bare number that ends its clause right after a change
    verb or after 占…的 is a percentage; against a rate or another basis it is in 百分点. A bare number
    elsewhere (职工120) stays no fact."""
    assert facts("全年工业总产值190亿元，比去年同期增长26.1，占全省的12。") == [
        ("工业总产值", 19_000_000_000, "元", "level", "exact"),
        ("工业总产值", 26.1, "%", "growth", "exact"),
        ("工业总产值占全省的比重", 12, "%", "rate", "exact")]
    assert facts("全县固定资产投资增长8.5，增速较一季度回落了0.4。") == [
        ("固定资产投资", 8.5, "%", "growth", "exact"),
        ("固定资产投资增速较一季度", -0.4, "百分点", "growth", "exact")]
    assert facts("企业产值均增长90以上。")[0][1:] == (90, "%", "growth", "at_least")
    assert facts("全厂职工120，今年招聘30人。") == [("招聘", 30, "人", "added", "exact")]


def test_a_comparison_written_with_xiangbi_is_peeled():
    """与去年同期相比 / 与上年相比 are comparisons like 比上年: not part of the name."""
    assert facts("全县工业总产值与上年相比下降3.2%。") == [("工业总产值", -3.2, "%", "growth", "exact")]


def test_a_change_verb_followed_by_le():
    """回落了 / 提高了: the 了 after a change verb does not hide the verb."""
    assert facts("全县固定资产投资增长8.5%，增速较一季度回落了0.4个百分点。") == [
        ("固定资产投资", 8.5, "%", "growth", "exact"),
        ("固定资产投资增速较一季度", -0.4, "百分点", "growth", "exact")]


def test_respectively_with_no_names_before_it():
    """分别 with nothing before it to split (a bare list of numbers) names nothing rather than failing."""
    from baiqiang.extract.regions import split_names

    assert split_names("", 1) == []
    assert split_names("甲、乙", 2) == ["甲", "乙"]


def test_brackets_are_asides():
    """A number inside brackets is named inside them (其中…) or by the words before them; the number after
    the bracket is named by the words outside it; a counting note's number (折含…) is no fact."""
    assert facts("目前共有规上工业企业227家(其中上市公司5家)。") == [
        ("规上工业企业", 227, "家", "level", "exact"), ("上市公司", 5, "家", "level", "exact")]
    assert facts("地区生产总值增长-8.7%，较一季度(-10.8%)回升2.1个百分点。")[2] == (
        "地区生产总值增速较一季度", 2.1, "百分点", "growth", "exact")
    assert facts("社会消费品零售总额完成43亿元，完成年度任务(111.3亿元)的38.7%。")[1:] == [
        ("社会消费品零售总额年度任务", 11_130_000_000, "元", "level", "exact"),
        ("社会消费品零售总额年度任务完成率", 38.7, "%", "rate", "exact")]
    assert facts("外贸出口314万美元，占市分配任务1000万美元(其中加工贸易200万美元)的31.4%。")[-1] == (
        "外贸出口占市分配任务的比重", 31.4, "%", "rate", "exact")
    assert facts("磷矿石(折含P2O5 30%)增长33.7%。") == [("磷矿石", 33.7, "%", "growth", "exact")]


def test_respectively_names_in_the_clause_before():
    """分别 with no names of its own takes the list of the clause before, whose last item loses its
    predicate, its count (三个行业) and the head they share (增加值); an item's own head is shared too."""
    got = facts("汽车制造业、食品制造业、燃气生产和供应业三个行业增加值增势较好，分别增长89.2%、11.4%、159.4%。")
    assert [g[:4] for g in got] == [("汽车制造业增加值", 89.2, "%", "growth"), ("食品制造业增加值", 11.4, "%", "growth"),
                                    ("燃气生产和供应业增加值", 159.4, "%", "growth")]
    got = facts("禽蛋产量、水果和蔬菜增长较快，增速分别达9.1%、7.5%、5.5%。")
    assert [g[:4] for g in got] == [("禽蛋产量", 9.1, "%", "growth"), ("水果产量", 7.5, "%", "growth"),
                                    ("蔬菜产量", 5.5, "%", "growth")]
    # as many names as numbers are needed: two names for three numbers name nothing new
    assert [g[0] for g in facts("甲、乙增长较快，分别增长1%、2%、3%。")] == []


def test_respectively_with_a_verb_before_each_number():
    """分别增长6.9%、增长8.4%、下降4.8%: the run goes on over a repeated change verb, each with its sign."""
    assert [g[:4] for g in facts("甲、乙、丙分别增长6.9%、增长8.4%、下降4.8%。")] == [
        ("甲", 6.9, "%", "growth"), ("乙", 8.4, "%", "growth"), ("丙", -4.8, "%", "growth")]
    assert [g[:2] for g in facts("甲、乙分别下降3%、增长2%。")] == [("甲", -3), ("乙", 2)]


def test_the_documents_own_place_leaves_names():
    """The place the title names is the document's own, dropped from later names like 全区; another place
    stays (昆明市 in a report on 云南省), and so does an office of the place or the 地区 of 地区生产总值."""
    text = "前三季度西藏自治区经济运行情况。\n西藏自治区第一产业增加值90.85亿元，同比增长1.5%。昆明市生产总值增长2%。"
    assert [f[0] for f in facts(text)] == ["第一产业增加值", "第一产业增加值", "昆明市生产总值"]
    text = "邢台市生产总值增速全省第一  上半年，邢台市生产总值完成1002.33亿元。"
    assert [f[0] for f in facts(text)] == ["上半年生产总值"]
    assert facts("兰州市经济运行情况。\n兰州市委党校学员280人。")[0][0] == "兰州市委党校学员"
    assert facts("海南经济运行情况。\n海南地区生产总值1675.57亿元。")[0][0] == "海南地区生产总值"
    # the title's own figure keeps its place
    assert facts("2020年前三季度西藏自治区生产总值实现1308.32亿元")[0][0] == "前三季度西藏自治区生产总值"


def test_a_bare_scale_after_a_money_name_is_money():
    """全县完成生产总值56.7亿, 总投资8亿: 亿 without 元 after a name of money is 亿元, a level; after another
    name (游客100万) it stays a count."""
    assert facts("全县完成生产总值56.7亿。") == [("生产总值", 5_670_000_000, "元", "level", "exact")]
    assert facts("该项目总投资8亿。") == [("该项目总投资", 800_000_000, "元", "level", "exact")]
    assert facts("接待游客100万。") == [("游客", 1_000_000, "", "level", "exact")]


def test_a_change_after_a_shares_change_is_the_amounts():
    """…比重为7.6%，比上半年提高0.2个百分点；同比增长3.7%: the % change belongs to the amount before the
    share, not to the share's change in 百分点; right after a share it is the share's subject."""
    got = facts("县域地区实现地区生产总值443.9亿元，占全市地区生产总值的比重为7.6%，比上半年提高0.2个百分点；"
                "按可比价格计算，同比增长3.7%。")
    assert got[-1] == ("县域地区生产总值", 3.7, "%", "growth", "exact")


def test_a_page_break_between_a_number_and_its_unit():
    """16883 / - 2 - / 元: the page number between a figure and its unit does not part them."""
    text = "农村常住居民人均可支配收入 16883\n- 2 -\n元，同比增长 9.7%。"
    assert facts(text) == [("农村常住居民人均可支配收入", 16883, "元", "level", "exact"),
                           ("农村常住居民人均可支配收入", 9.7, "%", "growth", "exact")]


def test_a_latin_metric_glued_to_its_figure():
    """实现GDP961.42亿元: GDP directly before its figure is the metric, not a code (G60科创走廊 stays a code)."""
    assert facts("全市实现GDP961.42亿元。") == [("GDP", 96_142_000_000, "元", "level", "exact")]
    assert facts("G60科创走廊建设项目5个。") == [("G60科创走廊建设项目", 5, "个", "level", "exact")]


def test_a_dateline_word_is_a_time_phrase():
    """今天 / 近日 / 昨日 open a news sentence like 今年: not part of the name, and the verb after them is the head
    (今天集中开工的40个重点项目 → 集中开工重点项目, added)."""
    assert facts("近日新增高新技术企业12家。") == [("高新技术企业", 12, "家", "added", "exact")]


def test_a_change_after_a_dropped_absolute_change():
    """施工项目个数较上年同期增加358个，同比增长31.8%: the absolute change is dropped (optional in gold), and the %
    change with no name after it is the count's; 较上年同期 is a comparison."""
    assert facts("全市施工项目个数较上年同期增加358个，同比增长31.8%。") == [("施工项目个数", 31.8, "%", "growth", "exact")]
    # an amount between them names the change as before
    got = facts("企业较上年增加20家，企业总数达500家，增长4.2%。")
    assert [(f[1], f[3]) for f in got] == [(500, "level"), (4.2, "growth")] and got[0][0] == got[1][0]


def test_a_change_after_a_subjects_share_is_the_subjects():
    """煤炭开采和洗选业占比为95.56%，同比下降15.4%: the change of the share's subject; a share named by its base
    (为调整预算的96.5%，增长2.3%) leaves the change to the amount before it; 特别是 is an adverb."""
    got = facts("采矿业增加值下降15%，特别是煤炭开采和洗选业占比为95.56%，同比下降15.4%。")
    assert [g[0] for g in got[1:]] == ["煤炭开采和洗选业占比", "煤炭开采和洗选业"]
    assert facts("预算收入10亿元，为调整预算的96.5%，增长2.3%。")[-1][0] == "预算收入"


def test_a_streak_is_no_part_of_the_rank_after_it():
    """持续6个月 / 连续19年 are streaks (optional in gold): no fact, and no part of the rank's name."""
    assert facts("奇瑞汽车连续19年位居中国品牌乘用车出口第一。") == [("中国品牌乘用车出口", 1, "位", "rank", "exact")]
    assert facts("持续6个月稳居全市第一。") == []


def test_a_drag_on_the_whole_is_no_fact():
    # 下拉 (like 拉动) states a part's contribution to the whole's growth, not a fact of the whole
    assert facts("化工行业增加值下降10.6%，下拉全县规上工业增加值增速1.1个百分点。") == [
        ("化工行业增加值", -10.6, "%", "growth", "exact")]


def test_a_bracket_right_after_a_quantity_is_an_aside():
    # the figure before the bracket is a fact of its own; what the bracket says belongs to it
    assert facts("全市有企业227家(增长20%)。") == [("企业", 227, "家", "level", "exact"),
                                               ("企业", 20, "%", "growth", "exact")]
    assert [f[0] for f in facts("全县新增规上企业12家（居全市第二位），增长20%。")] == ["规上企业"] * 3
    # a pinyin reading after a counter is no bracket aside (a host's damage)
    assert facts("全市签约10个(gè)大项(xiàng)目。") == [("大项目", 10, "个", "added", "exact")]


def test_counters_份_笔_and_a_month_without_月():
    assert facts("全年征集种质资源36份，发放贷款120笔。") == [("种质资源", 36, "份", "added", "exact"),
                                                       ("贷款", 120, "笔", "level", "exact")]
    assert facts("2013年10份完成厂房基建工程。") == []  # 10份 after 年 is October (10月份), a date
