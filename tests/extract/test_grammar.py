"""One test per rule of the quantity-phrase grammar (baiqiang.extract.grammar.RULES)."""

from __future__ import annotations

from baiqiang.extract import extract_facts
from baiqiang.extract.grammar import RULES


def facts(text: str) -> list[tuple[str, float, str]]:
    return [(f.indicator, f.value, f.kind) for f in extract_facts(text)]


def test_the_rule_table_is_ordered_and_named() -> None:
    assert [r.name for r in RULES] == ["bracket_notes", "conversion_takes_name", "verb_inside_name", "bracket_aside", "basis_in_name", "basis_list", "month_series", "paired_respectively",
                                       "rate_keeps_verb",
                                       "place_list_metric", "place_takes_metric", "subject_by_rate", "colon_list_metric", "members_by_predicate",
                                       "rank_among", "rank_scope_chain", "absolute_change_dropped",
                                       "time_remaining_dropped", "generic_head_keeps_verb", "short_name_keeps_verb", "action_head_is_added", "examples_counted_by_verb", "this_thing_refers_back",
                                       "attribute_takes_previous_name",
                                       "project_takes_attribute", "capacity_labels_dropped", "group_takes_metric", "part_takes_whole_head", "bare_head_takes_sector", "topic_gives_head", "subject_before_cause", "share_takes_subject", "completion_takes_subject",
                                       "size_before_name",
                                       "size_classes", "project_outcomes_named",
                                       "rank_of_previous_metric", "each_ranks", "list_keeps_verb", "from_to_levels",
                                       "rank_from_to", "average_growth_takes_name",
                                       "places_each_have", "items_each_have", "footnote_markers", "pinyin_readings", "character_list_joined", "place_only_count_dropped"]


def test_conversion_takes_name() -> None:
    got = extract_facts("2023年，人均地区生产总值52000元，按2022年平均汇率计算为7730美元，增长5.1%。")
    assert [(f.indicator, f.value, f.period) for f in got] == [
        ("人均地区生产总值", 52000, "2023"), ("人均地区生产总值", 7730, "2023"), ("人均地区生产总值", 5.1, "2023")]


def test_bracket_aside() -> None:
    got = facts("地区生产总值比上年同期增长-8.7%，较一季度(-10.8%)回升2.1个百分点。")
    assert got[1] == ("一季度地区生产总值", -10.8, "growth")


def test_basis_in_name() -> None:
    # no basis written: the default one, so the change of X's growth rate (X增速, or the word the text writes)
    got = facts("医药制造业增长7.4%，回升1.6个百分点；金属制品业增长10.7%，增幅回落2.2个百分点。")
    assert [got[1], got[3]] == [("医药制造业增速", 1.6, "growth"), ("金属制品业增幅", -2.2, "growth")]
    # a quarter written with an Arabic digit is a basis too
    assert facts("第一产业增加值增长3.5%，增速较1季度提高0.5个百分点。")[1] == ("第一产业增加值增速较1季度", 0.5, "growth")
    got = facts("交通运输业增长6.4%，比上年下降13.8个百分点。")
    assert got == [("交通运输业", 6.4, "growth"), ("交通运输业增速", -13.8, "growth")]
    # the same period of last year, written out, is a named basis (corpus 17, 50: all twelve cases)
    assert facts("金融业增长3.7%，较去年同期下降35.6个百分点。")[1] == ("金融业增速较去年同期", -35.6, "growth")
    named = facts("制造业增长3.4%，增速较一季度回升14.1个百分点。")
    assert named[1] == ("制造业增速较一季度", 14.1, "growth")


def test_paired_respectively() -> None:
    got = facts("城乡居民人均可支配收入分别达到18687元、5634元，增长7.8%、9.2%。")
    assert got[2:] == [("城镇居民人均可支配收入", 7.8, "growth"), ("农村居民人均可支配收入", 9.2, "growth")]


def test_rate_keeps_verb() -> None:
    got = facts("1—8月份，151个项目开工建设，开工率73%；85个项目竣工，竣工率76.6%。")
    assert ("开工率", 73, "rate") in got and ("竣工率", 76.6, "rate") in got


def test_place_list_metric() -> None:
    got = facts("苏州市地区生产总值11458.4亿元，南京市8316.92亿元，无锡市7105.67亿元。")
    assert [g[0] for g in got] == ["苏州市地区生产总值", "南京市地区生产总值", "无锡市地区生产总值"]


def test_members_by_predicate() -> None:
    got = facts("全市12个县实现规模以上工业增加值300亿元，同比增长6.5%，有7个县增速高于全市平均增速，有2个县出现负增长。")
    assert got[2:] == [("规模以上工业增加值增速高于全市平均增速的县", 7, "level"), ("出现负增长的县", 2, "level")]
    # the members named by the universe they are counted in
    got = facts("41个服务业行业中，有30个行业实现两位数增长。")
    assert got == [("实现两位数增长的服务业行业", 30, "level")]
    # a count without a noun of its own counts the universe's members
    assert facts("重点监测的432种主要工业产品中，348种实现增长。") == [("实现增长的主要工业产品", 348, "level")]
    # a count of things without a condition keeps its noun
    assert facts("全县有12个乡镇。") == [("乡镇", 12, "level")]


def test_rank_scope_chain() -> None:
    got = facts("规模以上工业增加值增长8.5%，增幅列全省第10位，苏南第2位。")
    assert got[-1] == ("规模以上工业增加值增幅苏南", 2, "rank")


def test_absolute_change_dropped() -> None:
    got = facts("全年人均地区生产总值达28322元，比去年新增3637元，增长12.7%。")
    assert got == [("人均地区生产总值", 28322, "level"), ("人均地区生产总值", 12.7, "growth")]


def test_time_remaining_dropped() -> None:
    assert facts("距年底仅剩2个月，全县新增企业30家。") == [("新增企业", 30, "added")]
    assert facts("离春节还有50天，活动倒计时20天。") == []
    # a duration that is a result stays
    assert facts("全县企业开办时间压缩至2天。") == [("企业开办时间", 2, "level")]


def test_footnote_markers() -> None:
    got = facts("全县生产总值(GDP)[2]731.1亿元，比上年增长6.0%[3]。")
    assert got == [("生产总值", 731.1, "level"), ("生产总值", 6.0, "growth")]


def test_places_each_have() -> None:
    got = facts("甲市和乙市2019年GDP均突破4000亿元，丙县与丁县合计120亿元。")
    assert got[:2] == [("甲市GDP", 4000, "level"), ("乙市GDP", 4000, "level")]
    assert len(got) == 3 and got[2][0].startswith("丙县与丁县")  # no 均: a total, not each


def test_pinyin_readings() -> None:
    got = facts("经(jīng)济开发(fā)区(qū)新建项目5个，地区生产总值(GDP)增长3%。")
    assert got == [("经济开发区新建项目", 5, "added"), ("地区生产总值", 3, "growth")]


def test_generic_head_keeps_verb() -> None:
    got = facts("1-10月，全县签约项目76个，新开工项目36个。")
    assert got == [("1-10月签约项目", 76, "added"), ("新开工项目", 36, "added")]
    got = facts("目前，安平县储备项目12项，总投资30亿元；开发区签约项目5个。")
    assert got == [("安平县储备项目", 12, "level"), ("安平县储备项目总投资", 30, "level"),
                   ("签约项目", 5, "added")]
    # a state word keeps the verb and counts a stock; 资金 is a bare head too
    got = facts("截至目前，已竣工项目9个，已签约尚未落地项目3个，引进资金12亿元。")
    assert got == [("已竣工项目", 9, "level"), ("已签约尚未落地项目", 3, "level"), ("引进资金", 12, "level")]


def test_examples_counted_by_verb() -> None:
    got = facts("平安县总投资8亿元的甲物流园、投资2亿元的乙加工厂等6个项目与市城投等企业已签订框架协议，计划投资15亿元；"
                "A、B等3个项目正在洽谈中。")
    assert got == [("平安县已签订框架协议项目", 6, "added"), ("平安县已签订框架协议项目计划投资", 15, "level"),
                   ("正在洽谈项目", 3, "level")]


def test_this_thing_refers_back() -> None:
    got = facts("东城智能装备产业园二期项目正式签约，该项目总投资12亿元。")
    assert got == [("东城智能装备产业园二期项目总投资", 12, "level")]
    assert facts("该项目总投资3亿元。") == [("该项目总投资", 3, "level")]  # nothing named before: kept


def test_attribute_takes_previous_name() -> None:
    got = facts("来自沪苏浙的新签约工业项目58个、占比26.5%，总投资355.1亿元、占比31.8%。")
    assert [g[0] for g in got] == ["来自沪苏浙的新签约工业项目", "来自沪苏浙的新签约工业项目占比",
                                   "来自沪苏浙的新签约工业项目总投资", "来自沪苏浙的新签约工业项目总投资占比"]
    assert facts("在建项目20个，占45%。")[1] == ("在建项目占比", 45, "rate")


def test_rank_of_previous_metric() -> None:
    # the basis of the change before the rank is no part of it
    got = facts("规上工业增加值增长1.3%，增速较一季度和1-5月分别提高15.5和2.2个百分点，增速居全市第6位。")
    assert got[-1] == ("规上工业增加值增速", 6, "rank")
    got = facts("全市实际到位外省资金702.76亿元，总量位居全省第三位，增速位居全省第四位。")
    assert [g[0] for g in got[1:]] == ["实际到位外省资金总量", "实际到位外省资金增速"]
    # a scope written without a rank verb (增速全省第4位) is dropped as after 居; 保持在 is a rank verb; a %
    # change after a rank, also over ；, is the metric's, not the rank's
    got = facts("全县税收收入8.2亿元，总量保持在全市第2位；同比增长6.4%，增速全市第4位。")
    assert got == [("税收收入", 8.2, "level"), ("税收收入总量", 2, "rank"), ("税收收入", 6.4, "growth"),
                   ("税收收入增速", 4, "rank")]


def test_from_to_levels() -> None:
    got = [(f.indicator, f.value, f.kind, f.period) for f in extract_facts(
        "预计全县生产总值从2015年的39.70亿元增长到2020年61.95亿元，年均增长9.3%。")]
    assert got == [("生产总值", 39.7, "level", "2015"), ("生产总值", 61.95, "level", "2020"),
                   ("生产总值年均增长", 9.3, "growth", "2020")]
    # no years: the second level, named by nothing, is the same metric
    assert facts("工业增加值从1.66亿元增长到2.05亿元。") == [("工业增加值", 1.66, "level"), ("工业增加值", 2.05, "level")]


def test_average_growth_takes_name() -> None:
    got = facts("第一产业增加值370亿元，同比增长9.5%，两年平均增长4.4%。")
    assert got[-1] == ("第一产业增加值两年平均增长", 4.4, "growth")
    # across ；and past a rank: the metric is the nearest fact that is no rank
    got = facts("全省实现地区生产总值6575亿元，同比增长18.4%，增速居全国第7位；两年平均增长6.7%。")
    assert got[-1] == ("地区生产总值两年平均增长", 6.7, "growth")


def test_absolute_change_against_a_named_period_is_dropped() -> None:
    got = facts("有59个县(市)增速高于全省平均增速，比一季度增加了9个。")
    assert [g[1] for g in got] == [59]


def test_each_ranks() -> None:
    # a list named by the rank itself: each item ranks, sharing the aspect the last one writes
    assert facts("地区生产总值、第二产业增加值、社会消费品零售总额增速排名全市第一。") == [
        ("地区生产总值增速", 1, "rank"), ("第二产业增加值增速", 1, "rank"), ("社会消费品零售总额增速", 1, "rank")]
    assert facts("粮食总面积、总产量稳居全市第二。") == [("粮食总面积", 2, "rank"), ("总产量", 2, "rank")]
    assert facts("蔬菜播种面积和产量增速均列全省第一位。") == [("蔬菜播种面积增速", 1, "rank"), ("产量增速", 1, "rank")]
    # a composite ranking of a list is one rank
    assert facts("经济指标、项目拉练综合排名全市第四。") == [("经济指标、项目拉练综合", 4, "rank")]
    got = facts("规上工业增加值增长5%，其中制造业增长6%，高新技术产业占比70%，均居全省第2位。")
    assert got[3:] == [("规上工业增加值增速", 2, "rank"), ("制造业增加值增速", 2, "rank"), ("高新技术产业占比", 2, "rank")]
    got = facts("培育专精特新企业30家、高新技术企业12家，数量均居全市第一。")
    assert got[2:] == [("专精特新企业数量", 1, "rank"), ("高新技术企业数量", 1, "rank")]
    ranks = [(f.indicator, f.value, f.qualifier) for f in extract_facts("工业投资、技改投资、民间投资均位居全市前三。")]
    assert ranks == [("工业投资", 3, "at_most"), ("技改投资", 3, "at_most"), ("民间投资", 3, "at_most")]
    # a counted list without 均: every listed metric ranks
    got = facts("工业增加值、工业投资、地方一般公共预算收入3项指标增速全市第一。")
    assert got == [("工业增加值增速", 1, "rank"), ("工业投资增速", 1, "rank"), ("地方一般公共预算收入增速", 1, "rank")]
    # one item: the rank is that item's, once
    assert facts("工业投资增长8%，增速均居全市第一。")[1:] == [("工业投资增速", 1, "rank")]


def test_list_keeps_verb() -> None:
    assert facts("全年引进甲企业30家、乙企业12家，丙企业8家。") == [
        ("甲企业", 30, "added"), ("乙企业", 12, "added"), ("丙企业", 8, "added")]
    # a total after the list is no item of it
    assert facts("新增企业12家、商户30家，企业总数300家。")[-1] == ("企业", 300, "level")


def test_rank_from_to() -> None:
    # the new rank is the fact, named by what stands before 由; the old rank is dropped
    assert facts("规上工业增加值增幅居全市第6位，位次由第一位下滑到第六位。") == [
        ("规上工业增加值增幅", 6, "rank"), ("位次", 6, "rank")]
    # two ranks without 由…到 stay two ranks
    assert [g[1] for g in facts("地区生产总值增速居全市第二位、全省第15位。")] == [2, 15]


def test_basis_list() -> None:
    got = facts("规上工业增加值增长10%，增速较一季度和1-5月分别提高15.5和2.2个百分点。")
    assert got[1:] == [("规上工业增加值增速较一季度", 15.5, "growth"), ("规上工业增加值增速较1-5月", 2.2, "growth")]


def test_subject_by_rate() -> None:
    got = facts("上半年，全省地区生产总值增长8.0%。其中，洋浦以增速14.2%位列第一，临高县12.2%、东方市11.6%紧随其后。")
    assert got[1:] == [("洋浦地区生产总值增速", 14.2, "growth"), ("洋浦地区生产总值增速", 1, "rank"),
                       ("临高县地区生产总值增速", 12.2, "growth"), ("东方市地区生产总值增速", 11.6, "growth")]
    # the growth attached to a level keeps the level's period prefix, which no rule copies further
    got = facts("上半年，全省地区生产总值1675.57亿元，同比增长8.0%。其中，洋浦以增速14.2%位列第一。")
    assert [g[0] for g in got] == ["上半年地区生产总值", "上半年地区生产总值", "洋浦地区生产总值增速", "洋浦地区生产总值增速"]


def test_project_takes_attribute() -> None:
    got = facts("新签约项目9个，计划总投资36.8亿元，最大的项目为下港片区棚户区改造建设项目，计划总投资23.3亿元。")
    assert [g[0] for g in got] == ["新签约项目", "新签约项目计划总投资", "下港片区棚户区改造建设项目计划总投资"]
    assert facts("在县域内建设辣椒一二三产融合发展项目，概算总投资8000万元。")[0][0] == "辣椒一二三产融合发展项目概算总投资"


def test_capacity_labels_dropped() -> None:
    assert facts("彭阳县引进的年产6万吨高端工业级玻璃器皿生产项目，总投资2亿元。") == [
        ("高端工业级玻璃器皿生产项目总投资", 2, "level")]
    assert facts("全县粮食年产6万吨。") == [("粮食年产", 6, "level")]


def test_bare_head_takes_sector() -> None:
    # a list item that opens with its industry names the bare head of its figures
    got = facts("2、生物医药产业正在恢复性增长。1-6月预计完成产值23亿元，增长10%。")
    assert got == [("1-6月生物医药产业产值", 23, "level"), ("1-6月生物医药产业产值", 10, "growth")]
    got = facts("全县农林牧渔业总产值25.39亿元，增长6.9%；增加值14.46亿元。粮食播种面积132.4万亩，产量达34.3万吨。")
    assert [g[0] for g in got] == ["农林牧渔业总产值", "农林牧渔业总产值", "农林牧渔业增加值", "粮食播种面积", "粮食产量"]
    assert facts("全县工业经济表现亮眼，增加值28.45亿元。")[0][0] == "工业增加值"
    # the same head again is a part of the figure before, not another sector's
    assert facts("规上工业企业产值4568.3亿元，其中当月实现产值1001.1亿元。")[1][0] == "当月产值"
    # the bare head's change of the figure just given, and a bare contribution share, are the sector's (corpus 98, 107)
    got = facts("第二产业增加值280.5亿元，占GDP比重61.8%，增加值增长6.8%。")
    assert got[2] == ("第二产业增加值", 6.8, "growth")
    got = facts("工业增加值增长3.7%，拉动GDP增长1.47个百分点，贡献度为23.0%。")
    assert got[-1] == ("工业贡献度", 23.0, "rate")


def test_topic_gives_head() -> None:
    got = facts("从主要工业产品产量看，发电量同比增长49%，啤酒增长150.0%。")
    assert [g[0] for g in got] == ["发电量", "啤酒产量"]
    got = facts("按行业分产值完成情况：水口完成产值12.7亿元；建陶、电瓷分别增长8.4%、18.8%。钢业企业5家。")
    assert [g[0] for g in got] == ["水口产值", "建陶产值", "电瓷产值", "钢业企业"]


def test_month_series() -> None:
    got = facts("工业增加值27.3亿元，增长9%。增幅2-4月份分别为14.2%、13%、12.8%、9%。")
    assert got[2:] == [("2月工业增加值增幅", 14.2, "growth"), ("3月工业增加值增幅", 13, "growth"),
                       ("4月工业增加值增幅", 12.8, "growth"), ("工业增加值增幅", 9, "growth")]
    running = facts("2-4月，烟草制品业增加值累计降幅分别为7.5%，7.8%，8.6%。")
    assert [g[:2] for g in running] == [("1-2月烟草制品业增加值累计降幅", -7.5), ("1-3月烟草制品业增加值累计降幅", -7.8),
                                        ("1-4月烟草制品业增加值累计降幅", -8.6)]
    # fewer values than months: no series
    assert [g[0] for g in facts("1-5月，A、B分别增长3%、4%。")] == ["1-5月A", "1-5月B"]
    # 各月 after an amount of a period: one value per month of it, named by the amount; a 分别 run of changes
    # right after such a series is its change per month (累计: running from January)
    got = facts("一季度全县税收收入3亿元，各月分别为1亿元、0.9亿元和1.1亿元。累计同比增幅分别为5.1%、4.2%和4.8%。")
    assert got[1:] == [("1月税收收入", 1, "level"), ("2月税收收入", 0.9, "level"), ("3月税收收入", 1.1, "level"),
                       ("1月税收收入累计同比增幅", 5.1, "growth"), ("1-2月税收收入累计同比增幅", 4.2, "growth"),
                       ("1-3月税收收入累计同比增幅", 4.8, "growth")]
    # as many values as months only
    assert not any(g[0].startswith(("1月", "2月")) for g in facts("一季度全县税收收入3亿元，各月分别为1亿元和2亿元。"))


def test_short_name_keeps_verb() -> None:
    got = facts("全年新增耕地6098亩，新建房屋2500多套，新增企业首次超1万家，新增高新技术企业12家。")
    assert [g[0] for g in got] == ["新增耕地", "新建房屋", "新增企业", "高新技术企业"]


def test_action_head_is_added() -> None:
    assert facts("东部地区签约项目为216个。") == [("东部地区签约项目", 216, "added")]
    # a plan list or a stock is no count of things made in the period
    assert facts("计划开工项目207个。") == [("计划开工项目", 207, "level")]
    assert facts("全县在建项目194个。") == [("在建项目", 194, "level")]
    assert facts("储备亿元以上招引项目20个。") == [("亿元以上招引项目", 20, "level")]  # 储备: a stock


def test_bracket_notes() -> None:
    got = facts("全县实现农林牧渔业(包括农林牧渔专业及辅助性活动)增加值18100万元，规上工业总产值(当年价格)62.3亿元。")
    assert [g[0] for g in got] == ["农林牧渔业增加值", "规上工业总产值"]
    assert facts("城镇人口占常住人口比重(常住人口城镇化率)为66.34%。") == [("常住人口城镇化率", 66.34, "rate")]
    # an abbreviation or a part of the name stays
    # a Latin abbreviation restates the name (corpus 98, 101: the gold drops it)
    assert facts("全县生产总值(GDP)731.1亿元。")[0][0] == "生产总值"
    assert facts("居民消费价格总水平（CPI）上涨1.2%。")[0][0] == "居民消费价格总水平"


def test_verb_inside_name() -> None:
    got = facts("第一产业完成增加值18.33亿元，烟草制品业实现增加值709.29亿元，规模以上工业实现工业增加值1038.5亿元。")
    assert [g[0] for g in got] == ["第一产业增加值", "烟草制品业增加值", "规模以上工业增加值"]
    # 完成 as a noun (完成率) stays
    assert facts("项目投资完成率70.3%。") == [("项目投资完成率", 70.3, "rate")]


def test_share_takes_subject() -> None:
    got = facts("第二产业增加值69.4亿元，下降3.3%，占生产总值的比重为45.8%。")
    assert got[2] == ("第二产业增加值占生产总值的比重", 45.8, "rate")
    # a bare 占X的 is a share of X
    assert facts("当年实际到位资金314.1亿元、占全市到资的36.2%。")[1] == ("实际到位资金占全市到资的比重", 36.2, "rate")


def test_completion_takes_subject() -> None:
    got = facts("社会消费品零售总额实现80亿元，完成全年总量目标的110%，同比增长9%。")
    assert got[1] == ("社会消费品零售总额总量目标完成率", 110, "rate")
    # the target's amount is the thing's target; the growth and rank after it are the thing's again
    got = facts("全县实际内联引资35.6亿元，完成市分配任务25亿元的142.4%，同比增长256%，在全市排位第一。")
    assert [g[0] for g in got] == ["实际内联引资", "实际内联引资市分配任务", "实际内联引资市分配任务完成率",
                                   "实际内联引资", "实际内联引资"]
    # with nothing before it the completion keeps its own name
    assert facts("完成年度计划的56.8%。") == [("年度计划完成率", 56.8, "rate")]


def test_size_before_name() -> None:
    # a building verb may stand between the amount and 的
    got = facts("由某某牧业股份有限公司投资5000万元建设的新型饲料加工企业正式竣工投产。")
    assert got == [("新型饲料加工企业投资", 5000, "level")]
    got = facts("引进一家投资2亿元的江苏明玖泰管理公司，签约总投资50亿元的锂电池负极材料项目落地。")
    assert [g[0] for g in got] == ["江苏明玖泰管理公司投资", "锂电池负极材料项目总投资"]
    # an investment of nothing named after it keeps its name
    assert facts("完成固定资产投资21000万元。")[0][0] == "固定资产投资"


def test_size_classes() -> None:
    got = facts("新签约亿元以上项目26个，其中50亿元1个、5亿元以上4个。")
    assert got == [("亿元以上项目", 26, "added"), ("50亿元项目", 1, "added"), ("5亿元以上项目", 4, "added")]
    # a threshold inside a name before its count is left to the clause reader
    assert facts("其中10亿元以上企业5家。") == [("10亿元以上企业", 5, "level")]


def test_place_takes_metric() -> None:
    got = facts("全省规模以上工业增加值增长2.7%；玉溪市下降2.5%，昭通市下降4.9%。")
    assert got[1:] == [("玉溪市规模以上工业增加值", -2.5, "growth"), ("昭通市规模以上工业增加值", -4.9, "growth")]


def test_subject_before_cause() -> None:
    got = facts("其中畜牧业受生猪产能大幅增长的影响，实现总产值300.0亿元，同比增长21.6%。")
    assert got == [("畜牧业总产值", 300.0, "level"), ("畜牧业总产值", 21.6, "growth")]
    # a cause with no subject before it names nothing
    assert facts("受疫情影响，全县实现地区生产总值80亿元。")[0][0] == "地区生产总值"


def test_group_takes_metric() -> None:
    # a group's change after a sibling group named with the metric takes that metric
    got = facts("居民消费价格上涨2.5%。分城乡看，城市上涨2.5%，农村上涨2.6%。")
    assert got[2] == ("农村居民消费价格", 2.6, "growth")
    got = facts("年末户籍人口117.95万人，其中：男性61.11万人，女性56.85万人。")
    assert [g[0] for g in got[1:]] == ["男性户籍人口", "女性户籍人口"]
    got = facts("原煤产量1657.8万吨，同比下降14.3%；其中，县属企业完成1094.2万吨，同比下降17.1%。")
    assert got[2:] == [("县属企业原煤产量", 1094.2, "level"), ("县属企业原煤产量", -17.1, "growth")]
    # urban and rural parts are groups too (corpus 95)
    got = facts("全县生猪定点屠宰0.9万头，其中县城0.36万头。")
    assert got[1][0] == "县城生猪定点屠宰"


def test_part_takes_whole_head() -> None:
    got = facts("全县纺织及食品工业增加值增长12.3%，其中，服装加工增长20.1%，粮油加工下降3.2%。")
    assert got == [("纺织及食品工业增加值", 12.3, "growth"), ("服装加工增加值", 20.1, "growth"),
                   ("粮油加工增加值", -3.2, "growth")]
    got = facts("禽蛋总产量增长4.5%，其中，鸭蛋增长2.2%；工业投资增长9.1%。")
    assert got[1] == ("鸭蛋产量", 2.2, "growth")
    assert got[2] == ("工业投资", 9.1, "growth")
    # the opening reaches back over ；and a full stop's whole (corpus 101, 107)
    got = facts("农林牧渔业增加值78.4亿元，增长3.5%。其中，农业42.5亿元，增长7.8%；林业1.5亿元。")
    assert [g[0] for g in got[2:]] == ["农业增加值", "农业增加值", "林业增加值"]
    # a long list: the parts after the fourth take the head from the parts before them
    got = facts("农林牧渔业增加值78.4亿元，增长3.5%。其中，农业42.5亿元，增长7.8%；林业1.5亿元，增长13.9%；"
                "牧业22.9亿元，增长1.7%；渔业9.2亿元，下降7.7%。")
    assert [g[0] for g in got[6:]] == ["牧业增加值", "牧业增加值", "渔业增加值", "渔业增加值"]
    # a sown area is shared by the crops after 其中 like an output
    got = facts("粮食作物播种面积135.7千公顷，其中，稻谷47.7千公顷，玉米84.8千公顷。")
    assert [g[0] for g in got] == ["粮食作物播种面积", "稻谷播种面积", "玉米播种面积"]
    # an opening that starts its own paragraph (a bulletin's line a sentence) takes the whole before it
    got = facts("全县规模以上工业增加值增长10.2%。\n分三大门类看，采矿业增长18.1%，制造业增长9.1%。")
    assert [g[0] for g in got[1:]] == ["采矿业增加值", "制造业增加值"]
    # an average growth after a part is the part's, named by its own rule
    got = facts("第一产业增加值10亿元，增长3%。其中，农业8亿元，增长4%，两年平均增长3.9%。")
    assert got[-1] == ("农业增加值两年平均增长", 3.9, "growth")
    got = facts("规上工业增加值增长10.2%，两年平均增长6.1%。分三大门类看，采矿业增长18.1%。")
    assert got[2] == ("采矿业增加值", 18.1, "growth")
    # a head the text names after the whole is the parts' (corpus 79)
    got = facts("规上工业增加值增长8.1%。主要工业产品产量大幅增长，其中：变压器增长44.9%。")
    assert got[1] == ("变压器产量", 44.9, "growth")


def test_colon_list_metric() -> None:
    got = facts("农林牧渔业总产值中，占农林牧渔业的比重分别为：农业61.9%，林业4.5%。")
    assert got == [("农业占农林牧渔业的比重", 61.9, "rate"), ("林业占农林牧渔业的比重", 4.5, "rate")]


def test_items_each_have() -> None:
    assert facts("凡谷电子、多普达产值均比去年同期增长90%以上。") == [("凡谷电子产值", 90, "growth"), ("多普达产值", 90, "growth")]
    assert facts("甲和乙产量均增长3%。") == [("甲产量", 3, "growth"), ("乙产量", 3, "growth")]
    # without a shared part head, or without 均, the list stays one name
    assert facts("城镇和农村居民人均可支配收入均增长5%。") == [("城镇和农村居民人均可支配收入", 5, "growth")]
    assert facts("甲厂、乙厂产值增长4%。") == [("甲厂、乙厂产值", 4, "growth")]


def test_rank_among() -> None:
    assert facts("县经开区在126个省级以上开发区考核中位列第33名。") == [("省级以上开发区考核", 33, "rank")]
    assert facts("在2021年度全国217家国家级开发区综合考评中位列第13位。") == [("国家级开发区综合考评", 13, "rank")]
    # a scope without a count keeps its words
    assert facts("甲公司在全国轴承企业中排名第一。") == [("全国轴承企业", 1, "rank")]


def test_character_list_joined() -> None:
    assert facts("猪、牛、羊、禽肉产量11.4万吨，比上年增长3.6%。") == [("猪牛羊禽肉产量", 11.4, "level"),
                                                              ("猪牛羊禽肉产量", 3.6, "growth")]
    # words of two characters stay a list
    assert facts("粮食、油料产量增长2%。") == [("粮食、油料产量", 2, "growth")]


def test_place_only_count_dropped() -> None:
    assert facts("百强县中，江苏13个。") == []
    assert facts("入选的开发区中，山东省160家。") == []
    # a place's amount or change keeps its rules, and so does a count with a name
    assert facts("江苏省生产总值增长5%。") == [("江苏省生产总值", 5, "growth")]
    assert [f[1:] for f in facts("江苏新增高新技术企业13家。")] == [(13, "added")]


def test_project_outcomes_named() -> None:
    # after the project's investment: its expected outputs are named by it, the clause openings dropped
    got = facts("全县签约丙丁食品加工项目，总投资3亿元，建成投产后年产值约1亿元，利税800万元，带动就业50人。")
    assert got == [("丙丁食品加工项目总投资", 3, "level"), ("丙丁食品加工项目年产值", 1, "level"),
                   ("丙丁食品加工项目利税", 800, "level"), ("丙丁食品加工项目带动就业", 50, "level")]
    # the project named after its size (总投资30亿元的…产业园); 可达 is a link, as 达 is
    got = facts("总投资30亿元的甲乙电池材料产业园已于2月底投产，预计年产值可达45亿元。")
    assert got == [("甲乙电池材料产业园总投资", 30, "level"), ("甲乙电池材料产业园年产值", 45, "level")]
    # no project before: the output keeps its own name
    assert facts("全县规上工业实现利税8亿元。") == [("规上工业利税", 8, "level")]
