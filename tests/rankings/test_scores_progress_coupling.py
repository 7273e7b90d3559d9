"""Class-specific weights, unit groups, progress and typology, coupling coordination (hand-computed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from baiqiang import rankings
from baiqiang.errors import DataError
from baiqiang.framework.rankings import UnitGroups
from baiqiang.pipeline import read_panel, run
from baiqiang.rankings.kernels import coupling_coordination, coupling_grade
from baiqiang.rankings.scoring import combine_unit_groups

from .conftest import COUNTIES, DATA, build, framework

CLASSES = {"attribute": "class", "weights": {"平原": {"econ": 2, "innov": 1}, "山区": {"econ": 1, "innov": 2}, "丘陵": {}}}


def test_class_weights_give_one_list_on_one_scale():
    o = build(framework(rankings={"classes": CLASSES, "lists": [{"id": "all", "name": "差异化评价"}]}))
    # Pillar scores are the same for every class (normalised over all six units); only the root's weights differ:
    # 平原 A (2*100 + 20)/3, C (2*45 + 60)/3; 山区 B (37.5 + 2*100)/3, D (28.75 + 2*40)/3; 丘陵 as declared (1:1).
    expected = {"A": 220 / 3, "B": 237.5 / 3, "C": 50.0, "D": 108.75 / 3, "E": 61.25, "F": 20.0}
    assert o.scores["index"].to_dict() == pytest.approx(expected, abs=1e-12)
    assert o.scores["econ"].to_dict()["B"] == 37.5
    assert o.lists["all"]["unit_code"].tolist() == ["B", "A", "E", "C", "D", "F"]


def test_unclassed_units_are_an_error():
    fw = framework(rankings={"classes": {"attribute": "class", "weights": {"平原": {"econ": 2}}}})
    with pytest.raises(DataError, match="4 个单位的类别没有权重：B（山区）"):
        build(fw)


def test_unit_group_ranked_as_one_entity():
    groups = {"groups": [{"code": "G", "name": "戊己组团", "members": ["E", "F"]}],
              "combine": {"gdp": "sum", "revenue": "sum", "patents": "sum"}}
    o = build(framework(rankings={"unit_groups": groups, "lists": [{"id": "l", "name": "榜"}]}))
    # G: gdp 600, revenue 90, patents 400.  Over A B C D G: gdp_n A 100 B 60 C 20 D 0 G 20; revenue_n A 62.5 B 0
    # C 25 D 12.5 G 100; patents_n A 0 B 100 C 50 D 25 G 75.  index = (econ + innov) / 2.
    expected = {"A": 40.625, "B": 65.0, "C": 36.25, "D": 15.625, "G": 67.5}
    assert o.scores["index"].to_dict() == pytest.approx(expected)
    t = o.lists["l"]
    assert t["unit_code"].tolist() == ["G", "B", "A", "C", "D", "E", "F"] and t.loc[0, "unit_name"] == "戊己组团"
    # The members stay visible, pointing at the entity that replaced them.
    assert t["status"].tolist()[-2:] == ["并入组团", "并入组团"] and t.loc[5, "reason"] == "并入组团：戊己组团（G）"
    assert t["rank"].isna().tolist() == [False] * 5 + [True] * 2


def test_combine_rules_weighted_mean_and_missing_members():
    fw = framework()
    panel = read_panel(COUNTIES, fw)
    spec = UnitGroups.model_validate({"groups": [{"code": "G", "name": "组团", "members": ["A", "B"], "attributes": {"type": "组团"}}],
                                      "combine": {"gdp": "sum", "revenue": {"method": "weighted_mean", "weight": "pop"}, "patents": "max"},
                                      "keep_members": True})
    out = combine_unit_groups(panel, spec).frame
    assert out.loc["G", "gdp"] == 1800 and out.loc["G", "revenue"] == pytest.approx((60 * 100 + 10 * 50) / 150)
    assert out.loc["G", "patents"] == 500 and out.loc["G", "province"] == "P1" and out.loc["G", "prefecture"] == "P1a"
    assert out.loc["G", "type"] == "组团" and len(out) == 7
    panel.frame.loc["B", "gdp"] = np.nan
    assert np.isnan(combine_unit_groups(panel, spec).frame.loc["G", "gdp"])
    bad = UnitGroups.model_validate({"groups": [{"code": "G", "name": "组团", "members": ["A", "Z"]}], "combine": {"gdp": "sum"}})
    with pytest.raises(DataError, match=r"rankings.unit_groups.groups\[0\].members\[1\]: 数据中没有单位 Z"):
        combine_unit_groups(panel, bad)


def progress_outcome(**typology):
    fw = framework(rankings={"progress": {"base_year": 2022, **({"typology": typology} if typology else {})},
                             "lists": [{"id": "rise", "name": "进步县", "score": "progress.rank_rise", "top": 3}]})
    panel = read_panel(COUNTIES, fw)
    base = read_panel(DATA / "counties_base.csv", fw)
    return rankings.apply(run(fw, panel), fw, panel, base_panel=base)


def test_progress_score_and_rank_change():
    p = progress_outcome().progress
    # Base index: innov_n A 100 B 20 C 60 D 40 E 0 F 80 -> A 100, B 28.75, C 52.5, D 34.375, E 21.25, F 60.
    assert p["base_score"].to_dict() == {"A": 100, "B": 28.75, "C": 52.5, "D": 34.375, "E": 21.25, "F": 60}
    assert p["score_change"].to_dict() == {"A": -40, "B": 40, "C": 0, "D": 0, "E": 40, "F": -40}
    assert p["base_rank"].tolist() == [1, 5, 3, 4, 6, 2] and p["rank"].tolist() == [3, 1, 4, 5, 2, 6]
    assert p["rank_rise"].tolist() == [-2, 4, -1, -1, 4, -4]


def test_progress_list_ranks_by_rank_rise():
    t = progress_outcome().lists["rise"]
    # B and E rose 4 places (tied 1st), C and D fell 1 (tied 3rd): top 3 keeps the ties at 3.
    assert t["unit_code"].tolist()[:4] == ["B", "E", "C", "D"] and t["rank"].tolist()[:4] == [1, 1, 3, 3]


def test_typology_against_national_and_group_means():
    p = progress_outcome(speed="score_change").progress
    # Level mean 296.875 / 6 = 49.479..., speed mean 0.
    assert p["level_mean"].iloc[0] == pytest.approx(296.875 / 6)
    assert p["type"].to_dict() == {"A": "衰退型", "B": "标杆型", "C": "标杆型", "D": "潜力型", "E": "标杆型", "F": "后进型"}
    g = progress_outcome(within="province").progress
    # P1 (A 60, B 68.75, C 52.5): level mean 60.4167 (A is now below it), speed mean 0;
    # P2 (D 34.375, E 61.25, F 20): 38.5417, 0.
    assert g["type"].to_dict() == {"A": "后进型", "B": "标杆型", "C": "潜力型", "D": "潜力型", "E": "标杆型", "F": "后进型"}


def test_progress_needs_a_base_panel():
    fw = framework(rankings={"progress": {"base_year": 2022}})
    with pytest.raises(DataError, match="进步排名需要基期数据"):
        build(fw)


def test_coupling_coordination_hand_computed():
    o = build(framework(rankings={"coupling": {"subsystems": ["econ", "innov"], "scale": 100}}))
    c = o.coupling
    # A: U = (1.0, 0.2): C = 2 sqrt(0.2) / 1.2 = 0.745356, T = 0.6, D = sqrt(C T) = 0.668740 -> 初级协调.
    assert c.loc["A", "C"] == pytest.approx(2 * np.sqrt(0.2) / 1.2) and c.loc["A", "T"] == pytest.approx(0.6)
    assert c.loc["A", "D"] == pytest.approx(np.sqrt(2 * np.sqrt(0.2) / 1.2 * 0.6)) and c.loc["A", "grade"] == "初级协调"
    # F: innov 0 -> C = 0, D = 0 -> 极度失调.
    assert c.loc["F", ["C", "D"]].tolist() == [0, 0] and c.loc["F", "grade"] == "极度失调"


def test_coupling_kernel_three_subsystems_and_grades():
    u = np.array([[[0.5, 0.5, 0.5], [0.8, 0.4, 0.2]]])  # batch axis first
    c, t, d = coupling_coordination(u, np.array([0.5, 0.3, 0.2]))
    assert c.shape == (1, 2) and c[0, 0] == pytest.approx(1.0) and t[0, 0] == pytest.approx(0.5)
    assert c[0, 1] == pytest.approx(3 * (0.8 * 0.4 * 0.2) ** (1 / 3) / 1.4)
    assert t[0, 1] == pytest.approx(0.5 * 0.8 + 0.3 * 0.4 + 0.2 * 0.2)
    assert coupling_grade(np.array([0.0, 0.099, 0.1, 0.55, 0.95, 1.0, np.nan])).tolist() == [0, 0, 1, 5, 9, 9, -1]


def test_coupling_rejects_scores_outside_the_unit_interval():
    with pytest.raises(DataError, match=r"单位 A: 子系统得分除以 scale = 1 后不在 \[0, 1\] 内：econ = 100"):
        build(framework(rankings={"coupling": {"subsystems": ["econ", "innov"]}}))
