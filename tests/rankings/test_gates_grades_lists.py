"""Entry gates, grades with vetoes, named lists with universes and tiers, group ranks (hand-computed)."""

from __future__ import annotations

import numpy as np
import pytest

from baiqiang.errors import DataError
from baiqiang.rankings.kernels import grade_index, jenks_tiers, veto

from .conftest import INDEX, build, framework

SAIDI = {"id": "saidi", "name": "赛迪百强县", "when": {"all": [
    {"column": "gdp", "op": ">=", "value": 600, "label": "地区生产总值", "unit": "亿元"},
    {"column": "revenue", "op": ">=", "value": 20, "label": "一般公共预算收入", "unit": "亿元"},
]}}
ZHONGJUN = {"id": "zj", "score": "index", "scale": [{"grade": "A+", "min": 65}, {"grade": "A", "min": 50}, {"grade": "A-", "min": 30}, {"grade": "B"}],
            "vetoes": [{"components": ["econ", "innov"], "trigger": "A-"}]}


def test_and_gate_keeps_failing_units_visible_with_the_reason():
    o = build(framework(rankings={"gates": [SAIDI], "lists": [{"id": "top", "name": "百强县", "gates": ["saidi"]}]}))
    t = o.lists["top"].set_index("unit_code")
    # A (1000, 60) and C (600, 30) pass; ranked by index among them: A 60 > C 52.5.
    assert t.loc[["A", "C"], "rank"].tolist() == [1, 2] and t.loc[["A", "C"], "status"].tolist() == ["入选", "入选"]
    assert t.loc["B", "status"] == "未达门槛" and t.loc["B", "reason"] == "未达赛迪百强县门槛：一般公共预算收入 10亿元 < 20亿元"
    assert t.loc["F", "reason"] == "未达赛迪百强县门槛：地区生产总值 200亿元 < 600亿元"
    assert t["rank"].isna().sum() == 4 and len(t) == 6


def test_or_gate_and_missing_values():
    gate = {"id": "g", "when": {"any": [{"column": "gdp", "op": ">", "value": 900}, {"column": "patents", "op": ">=", "value": 400}]}}
    o = build(framework(rankings={"gates": [gate]}))
    g = o.gates["g"]
    assert g["passed"].to_dict() == {"A": True, "B": True, "C": False, "D": False, "E": True, "F": False}
    assert g.loc["C", "reason"] == "未达g门槛：以下条件均未满足（任一即可）：gdp 600 ≤ 900；patents 300 < 400"


def test_gate_on_attribute_and_missing_column():
    o = build(framework(rankings={"gates": [{"id": "t", "when": {"column": "type", "op": "in", "value": ["县", "县级市"]}}]}))
    assert o.gates["t"]["passed"].tolist() == [True, True, True, False, True, True]
    assert o.gates["t"].loc["D", "reason"] == "未达t门槛：type为市辖区，不属于 县、县级市"
    with pytest.raises(DataError, match=r"rankings.gates\[0\].when.all\[1\].column: 数据中没有列 'tax'"):
        build(framework(rankings={"gates": [{"id": "x", "when": {"all": [{"column": "gdp", "op": ">", "value": 1}, {"column": "tax", "op": ">", "value": 1}]}}]}))


def test_grades_and_one_vote_veto():
    o = build(framework(rankings={"grades": [ZHONGJUN]}))
    g = o.grades["zj"]
    # index: A 60 (A), B 68.75 (A+), C 52.5 (A), D 34.375 (A-), E 61.25 (A), F 20 (B).
    assert g["grade_before_veto"].tolist() == ["A", "A+", "A", "A-", "A", "B"]
    # econ A 100, B 37.5, C 45, D 28.75, E 42.5, F 40; innov A 20, B 100, C 60, D 40, E 80, F 0:
    # every unit has a component at A- or worse, so every grade drops one step (B stays B).
    assert g["grade"].tolist() == ["A-", "A", "A-", "B", "A-", "B"]
    assert g.loc["B", "veto"] == "一票否决（econ 为 A-，降 1 级）" and g.loc["F", "veto"] == ""


def test_grade_and_veto_kernels():
    assert grade_index(np.array([80, 79.9, 70, 10, np.nan]), np.array([80, 70])).tolist() == [0, 1, 1, 2, -1]
    grades = np.array([[0, 1, 2, -1]])
    comps = np.array([[[0, 0], [2, 0], [0, 2], [2, 2]]])
    assert veto(grades, comps, trigger=2, steps=1, worst=2).tolist() == [[0, 2, 2, -1]]


def test_named_lists_have_their_own_universe_score_top_and_tiers():
    lists = [
        {"id": "ind_county", "name": "工业百强县", "score": "econ", "universe": {"attribute": "type", "include": ["县", "县级市"]},
         "top": 3, "tiers": {"cuts": [1, 3], "names": ["第一梯队", "第二梯队"]}},
        {"id": "district", "name": "工业百强区", "score": "econ", "universe": {"attribute": "type", "include": ["市辖区"]}},
        {"id": "innovation", "name": "创新百强县", "score": "innov", "universe": {"attribute": "type", "exclude": ["市辖区"]}, "top": 2},
    ]
    o = build(framework(rankings={"lists": lists}))
    t = o.lists["ind_county"]
    # econ among A, B, C, E, F: A 100, C 45, E 42.5, F 40, B 37.5.
    assert t["unit_code"].tolist() == ["A", "C", "E", "F", "B"]
    assert t["rank"].tolist()[:3] == [1, 2, 3] and t["rank"].isna().tolist() == [False] * 3 + [True] * 2
    assert t["tier"].tolist() == [1, 2, 2, 0, 0] and t["tier_name"].tolist()[:3] == ["第一梯队", "第二梯队", "第二梯队"]
    assert t.loc[3, "status"] == "未入选" and t.loc[3, "reason"] == "名次在前 3 名之外"
    assert o.lists["district"]["unit_code"].tolist() == ["D"]
    assert o.lists["innovation"].loc[o.lists["innovation"]["rank"].notna(), "unit_code"].tolist() == ["B", "E"]


def test_jenks_tiers_hand_checked():
    # 20 | 34.375 | 52.5 60 61.25 68.75 minimises the within-class squared deviations (132.8 against 148.2
    # for 20 34.375 | 52.5 60 61.25 | 68.75).
    o = build(framework(rankings={"lists": [{"id": "j", "name": "自然断点", "tiers": {"jenks": 3}}]}))
    t = o.lists["j"].set_index("unit_code")
    assert t["tier"].to_dict() == {"B": 1, "E": 1, "A": 1, "C": 1, "D": 2, "F": 3}
    assert o.breaks["j"] == [20.0, 20.0, 34.375, 68.75]
    tier, breaks = jenks_tiers(np.array([1.0, 2.0, 10.0, 11.0, np.nan]), 2)
    assert tier.tolist() == [2, 2, 1, 1, 0] and breaks == [1.0, 2.0, 11.0]


def test_jenks_needs_enough_distinct_scores():
    with pytest.raises(DataError, match=r"rankings.lists\[0\].tiers.jenks"):
        build(framework(rankings={"lists": [{"id": "j", "name": "断点", "top": 2, "tiers": {"jenks": 3}}]}))


def test_group_ranks_for_every_aggregate():
    o = build(framework(rankings={"group_ranks": {"by": ["province", "prefecture"]}}))
    p = o.group_ranks["province"]
    # P1 = A, B, C; P2 = D, E, F.  econ in P1: A 100, C 45, B 37.5; innov in P2: E 80, D 40, F 0.
    assert p["econ"].to_dict() == {"A": 1, "B": 3, "C": 2, "D": 3, "E": 1, "F": 2}
    assert p["innov"].loc[["D", "E", "F"]].tolist() == [2, 1, 3]
    assert p["index"].to_dict() == {"A": 2, "B": 1, "C": 3, "D": 2, "E": 1, "F": 3}
    assert o.group_ranks["prefecture"]["index"].to_dict() == {"A": 2, "B": 1, "C": 1, "D": 2, "E": 1, "F": 1}
    assert o.scores["index"].to_dict() == INDEX


def test_threshold_on_a_text_column_reads_numbers_and_refuses_other_text():
    import pandas as pd

    from baiqiang.framework.rankings import Gate
    from baiqiang.rankings.gates import evaluate_gate

    gate = Gate.model_validate({"id": "g", "when": {"column": "gdp", "op": ">=", "value": 600, "unit": "亿元"}})
    text = pd.DataFrame({"gdp": ["720", " 500 ", None, ""]}, index=list("ABCD"), dtype=object)
    passed, reason = evaluate_gate(gate, text, "g")
    assert passed.tolist() == [True, False, False, False]
    assert reason.tolist() == ["", "未达g门槛：gdp 500亿元 < 600亿元", "未达g门槛：gdp缺失", "未达g门槛：gdp缺失"]
    floats = pd.DataFrame({"gdp": [720.0, 500.0, np.nan, np.nan]}, index=list("ABCD"))  # the same as numbers
    assert [s.tolist() for s in evaluate_gate(gate, floats, "g")] == [passed.tolist(), reason.tolist()]
    with pytest.raises(DataError, match="门槛列 gdp 有 1 个非数字值"):
        evaluate_gate(gate, text.assign(gdp=["720", "n/a", None, ""]), "g")
