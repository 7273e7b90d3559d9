"""The compiled Plan: the engine runs exactly the registered kernels, and compile-time checks.

``test_engine_equals_kernel`` builds a small framework around every registered
method and compares what the engine produced with the kernel called directly
on the engine's own previous stage.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
import pytest

from baiqiang.errors import FrameworkError
from baiqiang.framework import parse_framework
from baiqiang.framework.plan import Plan
from baiqiang.methods import methods
from baiqiang.methods.registry import Method
from baiqiang.pipeline import Panel, run, run_variants

RNG = np.random.default_rng(7)
N = 16
CODES = [f"u{k:02d}" for k in range(N)]
INDICATORS = ["a1", "a2", "a3", "b1", "b2", "b3"]


def _data() -> pd.DataFrame:
    values = RNG.lognormal(3.0, 0.6, size=(N, len(INDICATORS)))
    values[RNG.random(values.shape) < 0.08] = np.nan
    frame = pd.DataFrame(values, columns=INDICATORS)
    frame.insert(0, "code", CODES)
    frame["province"] = ["东", "西", "南", "北"] * (N // 4)
    return frame


DATA = _data()


def _framework(methodology: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": "plan_test",
        "name": "计划测试",
        "universe": {"code_column": "code", "name_column": None},
        "indicators": [
            {"code": c, "name": c, "parent": "A" if c[0] == "a" else "B", "weight": 1 + k % 3,
             "direction": -1 if c == "a2" else 1, "target": 60.0, "goalposts": [5.0, 80.0]}
            for k, c in enumerate(INDICATORS)
        ],
        "aggregates": [
            {"code": "A", "name": "甲", "parent": "Index", "weight": 2},
            {"code": "B", "name": "乙", "parent": "Index", "weight": 1},
            {"code": "Index", "name": "总"},
        ],
        "methodology": methodology,
    }


def _params(method: Method) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, p in method.params.items():
        if p.required:
            out[key] = {"group": "province", "matrix": [[1, 2, 4], [0.5, 1, 2], [0.25, 0.5, 1]]}[key]
    return out


def _build(methodology: list[dict[str, Any]]):
    fw = parse_framework(_framework(methodology))
    return fw, run(fw, Panel.from_frame(DATA, code_column="code"))


NORMALISE = {"step": "normalise", "method": "minmax", "params": {"lower": 1, "upper": 100}}
STAGE = {"impute": ("raw", "imputed"), "treat": ("raw", "treated"), "normalise": ("raw", "normalised")}


@pytest.mark.parametrize("method", methods(), ids=lambda m: m.qualname)
def test_engine_equals_kernel(method: Method) -> None:
    """What a build produces for each method equals the registered kernel called directly."""
    fw_direction = np.array([-1.0 if c == "a2" else 1.0 for c in INDICATORS])
    step = {"step": method.family, "method": method.name, "params": _params(method)}
    if method.family in STAGE:
        steps = [step] if method.family == "normalise" else [step, NORMALISE]
        fw, res = _build(steps)
        before, after = STAGE[method.family]
        x = res.datasets[before][INDICATORS].to_numpy()[None]
        inputs = {"targets": np.full(6, 60.0), "goalposts": np.tile([5.0, 80.0], (6, 1)),
                  "groups": pd.factorize(DATA["province"])[0]}
        kwargs = {name: inputs[name] for name in method.inputs}
        if method.family == "normalise":
            kwargs["direction"] = fw_direction
        expected = method.func(x, **kwargs, **step["params"])[0]
        np.testing.assert_allclose(res.datasets[after][INDICATORS].to_numpy(), expected, rtol=1e-12, atol=1e-12, equal_nan=True)
        return
    if method.family == "weight":
        fw, res = _build([NORMALISE, {**step, "levels": [2]}])
        x = res.datasets["normalised"][["a1", "a2", "a3"]].to_numpy()[None]
        expected = method.func(x, prior=np.array([[1.0, 2.0, 3.0]]), **step["params"])[0]
        np.testing.assert_allclose(res.weights.loc[["a1", "a2", "a3"], "within_parent"], expected, rtol=1e-12)
        return
    fw, res = _build([NORMALISE, step])
    norm = res.datasets["normalised"]
    w_a = np.array([[1.0, 2.0, 3.0]]) / 6
    pillar = method.func(norm[["a1", "a2", "a3"]].to_numpy()[None], w_a, **step["params"])[0]
    np.testing.assert_allclose(res.scores["A"], pillar, rtol=1e-12, atol=1e-12, equal_nan=True)
    root = method.func(res.scores[["A", "B"]].to_numpy()[None], np.array([[2.0, 1.0]]) / 3, **step["params"])[0]
    np.testing.assert_allclose(res.scores["Index"], root, rtol=1e-12, atol=1e-12, equal_nan=True)
    # The batched engine (fast paths for quasi-means) gives the kernel's result too.
    batch = run_variants(fw, Panel.from_frame(DATA, code_column="code"), [{}, {"weight.A": 1.0}], keep=["Index"])
    np.testing.assert_allclose(batch.scores[0, :, 0], root, rtol=1e-12, atol=1e-12, equal_nan=True)


def test_the_nominal_build_calls_the_registered_aggregation_kernels(monkeypatch) -> None:
    import baiqiang.methods.aggregate as agg
    from baiqiang.methods import registry

    calls = []
    original = registry.get("aggregate", "arithmetic")
    spy = registry.Method(original.family, original.name, lambda x, w: calls.append(x.shape) or original.func(x, w),
                          original.params, original.quasi_mean)
    monkeypatch.setitem(registry._REGISTRY, ("aggregate", "arithmetic"), spy)
    assert agg.arithmetic is original.func
    _build([NORMALISE])
    assert sorted(calls) == [(1, N, 2), (1, N, 3), (1, N, 3)]  # A, B, then Index


def test_plan_binds_every_aggregate_and_marks_fast_paths() -> None:
    fw = parse_framework(_framework([
        NORMALISE,
        {"step": "weight", "id": "w_pillars", "method": "ahp", "aggregates": ["A"], "params": {"matrix": [[1, 3, 5], [1 / 3, 1, 2], [0.2, 0.5, 1]]}},
        {"step": "aggregate", "id": "geo", "method": "geometric", "levels": [2]},
        {"step": "aggregate", "id": "top", "method": "arithmetic"},
    ]))
    plan = Plan.of(fw)
    assert Plan.of(fw) is plan  # compiled once
    assert {c: s.key for c, s in plan.aggregators.items()} == {"A": "geo", "B": "geo", "Index": "top"}
    assert {c: s.kernel.qualname for c, s in plan.weighters.items()} == {"A": "weight.ahp", "B": "weight.manual", "Index": "weight.manual"}
    assert set(plan.collapsible) == {"B"}  # A has AHP weights; Index mixes two means
    (check,) = plan.diagnostics
    assert check.aggregate == "A" and 0 < check.cr < 0.1
    assert plan.columns.by_role() == {"indicator": INDICATORS, "denominator": [], "attribute": []}
    record = plan.record()
    assert record["aggregates"]["A"] == {"weight": "weight.ahp", "weight_step": "w_pillars", "aggregate": "aggregate.geometric",
                                         "aggregate_step": "geo", "fast_path": False}


def _problems(raw: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(FrameworkError) as info:
        parse_framework(raw, source="fw.yaml")
    return [(p.where, p.message) for p in info.value.problems]


def test_goalposts_framework_without_goalposts_names_the_missing_input() -> None:
    raw = _framework([{"step": "normalise", "method": "goalposts"}])
    del raw["indicators"][4]["goalposts"]
    assert _problems(raw) == [(
        "fw.yaml: indicators[4].goalposts",
        "normalise.goalposts (methodology[0]) needs `goalposts` for every indicator; 'b2' has none",
    )]


def test_target_framework_without_targets_names_each_indicator() -> None:
    raw = _framework([{"step": "normalise", "method": "target"}])
    for ind in raw["indicators"][:2]:
        del ind["target"]
    assert [w for w, _ in _problems(raw)] == ["fw.yaml: indicators[0].target", "fw.yaml: indicators[1].target"]


@pytest.mark.parametrize("weight", [float("inf"), float("-inf"), float("nan")])
def test_non_finite_weights_are_rejected_with_their_key_path(weight: float) -> None:
    raw = _framework([])
    raw["indicators"][2]["weight"] = weight
    ((where, message),) = _problems(raw)
    assert where == "fw.yaml: indicators[2].weight"
    assert "finite" in message or "greater than or equal" in message


def test_weights_whose_sum_overflows_are_rejected() -> None:
    raw = _framework([])
    for ind in raw["indicators"][:3]:
        ind["weight"] = 1e308
    assert _problems(raw) == [("fw.yaml: aggregates[0]", "the weights of the children of 'A' sum to more than a number can hold; scale them down")]


@pytest.mark.parametrize("method", ["minmax", "goalposts"])
def test_bounds_must_increase(method: str) -> None:
    raw = _framework([{"step": "normalise", "method": method, "params": {"lower": 100, "upper": 0}}])
    assert _problems(raw) == [(
        "fw.yaml: methodology[0].params",
        f"the 'lower' parameter of normalise.{method} must be less than 'upper'; got lower = 100, upper = 0",
    )]


def test_variant_with_inverted_bounds_is_rejected() -> None:
    fw = parse_framework(_framework([NORMALISE]))
    panel = Panel.from_frame(DATA, code_column="code")
    with pytest.raises(FrameworkError) as info:
        run_variants(fw, panel, [{"step.normalise.params.lower": 0.0}, {"step.normalise.params.lower": 200.0}])
    assert [p.where for p in info.value.problems] == ["variant 1: step.normalise.params.lower"]


def test_goalposts_must_differ_and_be_finite() -> None:
    raw = _framework([])
    raw["indicators"][0]["goalposts"] = [5, 5]
    raw["indicators"][1]["goalposts"] = [5, float("inf")]
    assert [w for w, _ in _problems(raw)] == ["fw.yaml: indicators[0].goalposts", "fw.yaml: indicators[1].goalposts"]


def test_group_attribute_is_a_required_column() -> None:
    fw = parse_framework(_framework([{"step": "impute", "method": "group_median", "params": {"group": "province"}}, NORMALISE]))
    assert Plan.of(fw).columns.attribute == ("province",)
    from baiqiang.errors import DataError
    from baiqiang.pipeline.panel import panel_for

    with pytest.raises(DataError, match="attribute column 'province' is missing"):
        panel_for(DATA.drop(columns="province"), fw)


def test_deep_copy_of_framework_compiles_to_an_equal_plan() -> None:
    fw = parse_framework(_framework([NORMALISE]))
    other = copy.deepcopy(fw)
    assert Plan.of(other) is not Plan.of(fw)
    assert Plan.of(other).record() == Plan.of(fw).record()
