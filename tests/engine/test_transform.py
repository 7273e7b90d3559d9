"""Per-indicator transforms (``transform: log`` / ``log1p``), computed by hand."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from baiqiang.analysis.explain import explain_unit
from baiqiang.analysis.target import solve_target
from baiqiang.errors import DataError, FrameworkError
from baiqiang.framework import parse_framework
from baiqiang.pipeline import run
from baiqiang.pipeline.panel import panel_for

FRAMEWORK = {
    "id": "logs",
    "name": "对数",
    "universe": {"code_column": "code", "name_column": "name"},
    "indicators": [
        {"code": "gdp", "name": "产值", "parent": "Index", "transform": "log", "weight": 1},
        {"code": "growth", "name": "增速", "parent": "Index", "transform": "log1p", "weight": 1},
    ],
    "aggregates": [{"code": "Index", "name": "总指数"}],
    "methodology": [{"step": "normalise", "method": "minmax", "params": {"lower": 0, "upper": 100}}],
}

DATA = pd.DataFrame({
    "code": ["A", "B", "C", "D"],
    "name": ["甲县", "乙县", "丙县", "丁县"],
    "gdp": [10.0, 100.0, 1000.0, 10000.0],
    "growth": [0.0, math.e - 1, math.e**2 - 1, math.e - 1],
})


def _results(frame: pd.DataFrame = DATA, framework: dict = FRAMEWORK):
    fw = parse_framework(framework)
    return fw, run(fw, panel_for(frame, fw, source="data.csv"))


def test_log_transform_applies_before_normalisation_by_hand():
    fw, res = _results()
    # ln gdp = (1, 2, 3, 4) ln 10 -> min-max (0, 33.3, 66.7, 100); ln(1 + growth) = (0, 1, 2, 1) -> (0, 50, 100, 50)
    np.testing.assert_allclose(res.datasets["normalised"]["gdp"], [0, 100 / 3, 200 / 3, 100])
    np.testing.assert_allclose(res.datasets["normalised"]["growth"], [0, 50, 100, 50])
    np.testing.assert_allclose(res.scores["Index"], [0, 125 / 3, 250 / 3, 75])
    np.testing.assert_allclose(res.datasets["transformed"]["gdp"], np.log(DATA["gdp"]))
    np.testing.assert_allclose(res.datasets["raw"]["gdp"], DATA["gdp"])  # raw stays in its unit


def test_transform_is_recorded_in_method_json(tmp_path):
    _, res = _results()
    res.write(tmp_path)
    record = json.loads((tmp_path / "method.json").read_text(encoding="utf-8"))
    assert record["plan"]["transforms"] == {"gdp": "log", "growth": "log1p"}
    assert record["framework"]["indicators"][0]["transform"] == "log"


def test_explain_shows_raw_values_in_their_unit():
    _, res = _results()
    table = explain_unit(res, "丙县").indicators
    assert table.loc["gdp", "raw"] == 1000.0 and table.loc["gdp", "normalised"] == pytest.approx(200 / 3)


@pytest.mark.parametrize(("column", "value", "bound"), [("gdp", 0.0, "0"), ("gdp", -5.0, "0"), ("growth", -1.0, "-1")])
def test_value_outside_the_domain_is_a_located_error(column, value, bound):
    frame = DATA.copy()
    frame.loc[2, column] = value
    fw = parse_framework(FRAMEWORK)
    with pytest.raises(DataError) as info:
        panel_for(frame, fw, source="data.csv")
    ((problem),) = info.value.problems
    assert problem.where == f"data.csv: row 4, column {column} (C 丙县)"
    assert f"needs a value greater than {bound}; got {value:g}" in problem.message and column in problem.message


def test_missing_values_and_units_outside_the_universe_are_not_checked():
    raw = {**FRAMEWORK, "universe": {"code_column": "code", "name_column": "name", "attribute": "type", "exclude": ["区"]}}
    frame = DATA.assign(type=["县", "县", "县", "区"])
    frame.loc[3, "gdp"] = 0.0  # outside the universe
    frame.loc[0, "gdp"] = np.nan
    fw, res = _results(frame, raw)
    # B, C: ln gdp -> (0, 100); A's gdp is missing, so its score is its growth alone: (0, 50, 100) -> A 0, B 25, C 100
    np.testing.assert_allclose(res.scores.loc[["A", "B", "C"], "Index"], [0.0, 25.0, 100.0])
    assert "D" not in res.scores.index


def test_unknown_transform_is_a_framework_error():
    raw = {**FRAMEWORK, "indicators": [{**FRAMEWORK["indicators"][0], "transform": "sqrt"}, FRAMEWORK["indicators"][1]]}
    with pytest.raises(FrameworkError, match=r"indicators\[0\]\.transform"):
        parse_framework(raw)


def test_target_solves_in_raw_units_through_the_inverse_transform():
    fw = parse_framework(FRAMEWORK)
    panel = panel_for(DATA, fw, source="data.csv")
    result = solve_target(fw, panel, "A", 2, indicators=["gdp"], single=False)
    assert result.reachable and result.verified_rank <= 2
    # gdp moves on the log scale: required = exp(ln 10 + t * sd(ln gdp)); below it, A would not reach rank 2
    sd_log = np.std(np.log(DATA["gdp"]), ddof=1)
    required = result.plan.loc["gdp", "required"]
    assert required == pytest.approx(math.exp(math.log(10) + result.t * sd_log), rel=1e-9)
    assert result.plan.loc["gdp", "increase"] == pytest.approx(required - 10)
    assert result.plan.loc["gdp", "transform"] == "log"
    lower = DATA.copy()
    lower.loc[0, "gdp"] = required * (1 - 1e-4)
    _, res = _results(lower)
    assert res.ranks.loc["A", "Index"] > 2
