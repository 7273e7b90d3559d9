"""A four-county index small enough to compute by hand."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from baiqiang.framework import parse_framework
from baiqiang.pipeline import Panel, run

FRAMEWORK = {
    "id": "tiny",
    "name": "小指数",
    "universe": {"code_column": "code", "name_column": "name", "attribute": "type", "exclude": ["市辖区"]},
    "groups": ["province"],
    "indicators": [
        {"code": "gdp", "name": "产值", "parent": "scale", "weight": 3},
        {"code": "jobs", "name": "就业", "parent": "scale", "weight": 1},
        {"code": "cost", "name": "成本", "parent": "climate", "direction": "lower"},
    ],
    "aggregates": [
        {"code": "scale", "name": "规模", "parent": "Index", "weight": 1},
        {"code": "climate", "name": "环境", "parent": "Index", "weight": 1},
        {"code": "Index", "name": "总指数"},
    ],
    "methodology": [
        {"step": "normalise", "method": "minmax", "params": {"lower": 0, "upper": 100}},
        {"step": "aggregate", "method": "arithmetic"},
        {"step": "rank", "params": {"tiers": [1, 3]}},
    ],
}

DATA = pd.DataFrame(
    {
        "code": ["A", "B", "C", "D", "E"],
        "name": ["甲县", "乙县", "丙县", "丁县", "戊区"],
        "type": ["县", "县", "县级市", "县", "市辖区"],
        "province": ["浙江", "浙江", "江苏", "江苏", "江苏"],
        "gdp": [10.0, 20.0, 30.0, 50.0, 999.0],
        "jobs": [4.0, 2.0, 8.0, 6.0, 999.0],
        "cost": [5.0, 1.0, 3.0, 5.0, 999.0],
    }
)


def build(framework: dict, data: pd.DataFrame = DATA):
    fw = parse_framework(copy.deepcopy(framework))
    return run(fw, Panel.from_frame(data, code_column="code", name_column="name"))


def test_scores_ranks_tiers_by_hand():
    res = build(FRAMEWORK)
    # min-max over A-D (E is outside the universe):
    # gdp 10,20,30,50 -> 0, 25, 50, 100; jobs 4,2,8,6 -> 100/3, 0, 100, 200/3
    # cost is "lower is better": -5,-1,-3,-5 -> 0, 100, 50, 0
    # scale = (3*gdp + jobs)/4; Index = (scale + climate)/2
    scale = np.array([(0 + 100 / 3) / 4, (75 + 0) / 4, (150 + 100) / 4, (300 + 200 / 3) / 4])
    climate = np.array([0.0, 100.0, 50.0, 0.0])
    np.testing.assert_allclose(res.scores["scale"], scale, atol=1e-12)
    np.testing.assert_allclose(res.scores["Index"], (scale + climate) / 2, atol=1e-12)
    # Index = 4.1667, 59.375, 56.25, 45.8333 -> ranks 4, 1, 2, 3
    assert res.ranks["Index"].tolist() == [4, 1, 2, 3]
    assert res.tiers.tolist() == [0, 1, 2, 2]
    assert res.group_ranks["province"].tolist() == [2, 1, 1, 2]
    assert res.excluded.loc["E", "reason"].startswith("outside the universe")
    assert res.weights.loc["gdp", "in_index"] == pytest.approx(0.375)


def test_table_is_best_first_with_contract_columns():
    table = build(FRAMEWORK).table()
    assert list(table.columns) == ["unit_code", "unit_name", "scale", "climate", "Index", "rank"]
    assert table["unit_code"].tolist() == ["B", "C", "D", "A"]


def test_screening_leaves_out_sparse_units_and_they_get_no_rank():
    framework = copy.deepcopy(FRAMEWORK)
    framework["methodology"].insert(0, {"step": "screen", "params": {"min_coverage": 0.9}})
    data = DATA.copy()
    data.loc[0, ["gdp", "jobs"]] = np.nan  # A has 1 of 3 indicators
    res = build(framework, data)
    assert np.isnan(res.scores.loc["A", "Index"]) and np.isnan(res.ranks.loc["A", "Index"])
    assert "screened out" in res.excluded.loc["A", "reason"]
    # min-max now runs over B, C, D only: gdp 20,30,50 -> 0, 33.3, 100
    assert res.datasets["normalised"].loc["B", "gdp"] == 0.0


def test_weight_step_and_per_level_aggregation():
    framework = copy.deepcopy(FRAMEWORK)
    framework["methodology"] = [
        {"step": "normalise", "method": "minmax", "params": {"lower": 1, "upper": 101}},
        {"step": "weight", "method": "equal", "levels": [2]},
        {"step": "aggregate", "method": "arithmetic"},
        {"step": "aggregate", "id": "top", "method": "geometric", "levels": [3]},
    ]
    res = build(framework)
    gdp = np.array([1.0, 26.0, 51.0, 101.0])
    jobs = np.array([1 + 100 / 3, 1.0, 101.0, 1 + 200 / 3])
    climate = np.array([1.0, 101.0, 51.0, 1.0])
    scale = (gdp + jobs) / 2  # equal weights replace the declared 3:1
    np.testing.assert_allclose(res.scores["Index"], np.sqrt(scale * climate), atol=1e-12)
    assert res.weights.loc["gdp", "within_parent"] == 0.5


def test_ahp_per_aggregate_with_consistency_record():
    framework = copy.deepcopy(FRAMEWORK)
    framework["methodology"] = [
        {"step": "normalise", "method": "minmax", "params": {"lower": 0, "upper": 100}},
        # gdp is 3 times as important as jobs: weights 3/4, 1/4 (consistent, CR = 0)
        {"step": "weight", "method": "ahp", "aggregates": ["scale"], "params": {"matrix": [[1, 3], [1 / 3, 1]]}},
        {"step": "weight", "id": "top", "method": "ahp", "aggregates": ["Index"], "params": {"matrix": [[1, 1], [1, 1]]}},
    ]
    framework["indicators"][0]["weight"] = 1  # declared 1:1, AHP makes it 3:1
    res = build(framework)
    np.testing.assert_allclose(res.weights.loc[["gdp", "jobs"], "within_parent"], [0.75, 0.25])
    scale = np.array([(0 + 100 / 3) / 4, (75 + 0) / 4, (150 + 100) / 4, (300 + 200 / 3) / 4])
    np.testing.assert_allclose(res.scores["scale"], scale, atol=1e-12)
    record = res.method_record()["ahp_consistency"]
    assert [r["aggregate"] for r in record] == ["scale", "Index"]
    assert record[0]["cr"] == pytest.approx(0.0, abs=1e-12) and record[0]["acceptable"]


def test_ahp_matrix_must_match_the_children_of_each_aggregate():
    from baiqiang.errors import FrameworkError

    framework = copy.deepcopy(FRAMEWORK)
    framework["methodology"] = [
        {"step": "weight", "method": "ahp", "levels": [2], "params": {"matrix": [[1, 2], [0.5, 1]]}},
    ]
    with pytest.raises(FrameworkError, match=r"'climate' has 1 children but the matrix is 2 x 2"):
        parse_framework(framework)
    framework["methodology"][0]["aggregates"] = ["nowhere"]
    with pytest.raises(FrameworkError, match="unknown aggregate 'nowhere'"):
        parse_framework(framework)


def test_variants_keep_steps_that_target_named_aggregates():
    from baiqiang.pipeline import run_variants

    framework = copy.deepcopy(FRAMEWORK)
    framework["methodology"] = [
        {"step": "normalise", "method": "minmax", "params": {"lower": 1, "upper": 101}},
        {"step": "aggregate", "id": "geo", "method": "geometric", "aggregates": ["scale"]},
    ]
    fw = parse_framework(framework)
    panel = Panel.from_frame(DATA, code_column="code", name_column="name")
    nominal = run(fw, panel).scores.to_numpy()
    batch = run_variants(fw, panel, [{}, {"weight.gdp": 1.0}])
    np.testing.assert_allclose(batch.scores[0], nominal, atol=1e-12)
    gdp, jobs = np.array([1.0, 26.0, 51.0, 101.0]), np.array([1 + 100 / 3, 1.0, 101.0, 1 + 200 / 3])
    # scale is geometric (declared weights 3:1, then 1:1 in the variant); the index stays arithmetic
    np.testing.assert_allclose(batch.scores[0][:, 0], gdp**0.75 * jobs**0.25, atol=1e-12)
    np.testing.assert_allclose(batch.scores[1][:, 0], np.sqrt(gdp * jobs), atol=1e-12)


def test_workbook_top_sheet_lists_group_ranks_and_tiers(tmp_path):
    res = build(FRAMEWORK)
    res.to_xlsx(tmp_path / "r.xlsx")
    top = pd.read_excel(tmp_path / "r.xlsx", sheet_name=0)
    assert list(top.columns) == ["单位代码", "单位名称", "总指数得分", "总指数排名", "省内排名", "梯队"]
    assert top["单位代码"].tolist() == ["B", "C", "D", "A"]
    assert top["省内排名"].tolist() == [1, 1, 2, 2] and top["梯队"].tolist() == [1, 2, 2, 0]
