"""A figure stated in prose and restated in a table is one fact with two provenances."""

from __future__ import annotations

from baiqiang.extract import extract_facts
from baiqiang.extract.merge import provenance, same_fact
from baiqiang.extract.model import Fact

PROSE_AND_TABLE = (
    "年末全区常住人口728万人，比上年末增加3万人。\n"
    "表1 2022年年末全区人口数及其结构\n\n"
    "指 标\n\n年末数(万人)\n\n比重( %\n\n"
    "年末常住人口\n\n728\n\n100.00\n\n"
    "乡村\n\n245\n\n33.66\n"
)


def test_prose_and_table_give_one_fact_with_both_passages() -> None:
    facts = extract_facts(PROSE_AND_TABLE)
    population = [f for f in facts if f.value_std == 7280000]
    assert len(population) == 1
    fact = population[0]
    assert (fact.indicator, fact.kind, fact.quote) == ("常住人口", "level", "年末全区常住人口728万人")
    sources = [(p["source"], p["quote"]) for p in provenance(fact)]
    assert sources == [("text", "年末全区常住人口728万人"), ("table", "年末常住人口728")]
    # a table row with no prose twin stays a fact of its own, from the table alone
    rural = [f for f in facts if f.value_std == 2450000]
    assert [(f.indicator, f.kind) for f in rural] == [("乡村", "level")]
    assert [p["source"] for p in provenance(rural[0])] == ["table"]


def test_spaced_table_restating_prose_growth_merges() -> None:
    text = ("全年第一产业增加值65.9亿元，增长3.3%。\n"
            "单位：万元，%\n"
            "指标 绝对值 比上年增长\n"
            "第一产业 658792 3.3\n"
            "第二产业 3001234 8.2\n")
    facts = extract_facts(text)
    growth = [f for f in facts if f.kind == "growth" and f.value == 3.3]
    assert len(growth) == 1 and [p["source"] for p in provenance(growth[0])] == ["text", "table"]
    # 65.9亿元 and 658792万元 are the same figure in another scale: two facts (README: both required)
    assert sorted(f.value_std for f in facts if f.kind == "level" and "第一产业" in f.indicator) == [
        6587920000, 6590000000]


def _fact(indicator: str, value_std: float, kind: str = "level", period: str = "") -> Fact:
    return Fact(indicator=indicator, value=value_std, unit="", value_std=value_std, unit_std="人", kind=kind,
                period=period)


def test_same_fact_needs_kind_value_period_and_contained_names() -> None:
    assert same_fact(_fact("城镇常住人口", 4830000), _fact("城镇", 4830000))
    assert not same_fact(_fact("城镇常住人口", 4830000), _fact("乡村", 4830000))  # names differ
    # the scorer's rule: equal within a relative 1e-6 (1 in 4830000 is 2e-7, 10 is 2e-6)
    assert same_fact(_fact("城镇常住人口", 4830000), _fact("城镇", 4830001))
    assert not same_fact(_fact("城镇常住人口", 4830000), _fact("城镇", 4830010))
    assert not same_fact(_fact("人口", 1, "level"), _fact("人口", 1, "added"))
    assert not same_fact(_fact("人口", 1, period="2022"), _fact("人口", 1, period="2023"))
    assert same_fact(_fact("人口", 1, period="2022"), _fact("人口", 1))
