"""Batched evaluation of methodology variants equals one build per variant."""

from __future__ import annotations

import numpy as np
import pytest

from baiqiang.errors import FrameworkError
from baiqiang.pipeline import run, run_variants


def _build_with(framework, panel, changes: dict) -> np.ndarray:
    """Reference: edit the framework as data, then build once."""
    raw = framework.model_dump(mode="json")
    for path, value in changes.items():
        parts = path.split(".")
        if parts[0] == "weight":
            for node in raw["indicators"] + raw["aggregates"]:
                if node["code"] == parts[1]:
                    node["weight"] = value
        else:
            step = next(s for s in raw["methodology"] if (s.get("id") or s["step"]) == parts[1])
            if parts[2] == "method":
                step["method"] = value
                step["params"] = {k: v for k, v in step["params"].items() if k in {"lower", "upper"} and value == "minmax"}
            else:
                step["params"][parts[3]] = value
    from baiqiang.framework import parse_framework

    return run(parse_framework(raw), panel).scores.to_numpy()


def _level_by_level(framework, panel, variant: dict) -> np.ndarray:
    """Reference: every registered kernel called as registered, level by level (no fast path), one variant."""
    from baiqiang.pipeline.engine import evaluate
    from baiqiang.pipeline.run import unit_data
    from baiqiang.pipeline.variants import group_variants

    (group,) = group_variants(framework, [variant])
    trace = evaluate(group.plan, unit_data(framework, panel.select(framework)), group.weights, fast=False)
    return trace.scores[0]


VARIANTS = [
    {},
    {"step.treat.params.winmax": 1},
    {"step.treat.params.winmax": 3, "weight.Physical": 0.5, "weight.LPI": 0},
    {"step.normalise.method": "zscore"},
    {"step.normalise.method": "zscore", "weight.Conn": 2.0},
    {"step.normalise.params.lower": 1, "step.aggregate.method": "geometric"},
    {"step.normalise.params.upper": 10, "step.screen.params.min_coverage": 0.5},
]


def test_batch_equals_one_build_per_variant(asem_framework, asem_panel):
    batch = run_variants(asem_framework, asem_panel, VARIANTS, chunk_size=2)
    assert batch.scores.shape == (len(VARIANTS), 51, 11)
    for k, variant in enumerate(VARIANTS):
        expected = _build_with(asem_framework, asem_panel, variant)
        np.testing.assert_allclose(batch.scores[k], expected, rtol=0, atol=1e-10, equal_nan=True)


def test_nominal_variant_reproduces_the_build(asem_framework, asem_panel):
    nominal = run(asem_framework, asem_panel)
    batch = run_variants(asem_framework, asem_panel, [{}], keep=["Index"])
    # keep=["Index"] collapses the nested arithmetic means into one (different rounding order)
    np.testing.assert_allclose(batch.scores[0, :, 0], nominal.scores["Index"].to_numpy(), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(batch.ranks[0, :, 0], nominal.ranks["Index"].to_numpy())


def test_bad_paths_and_values_are_all_reported(asem_framework, asem_panel):
    bad = [
        {"step.nothing.method": "x"},
        {"weight.Nope": 1, "weight.LPI": -2},
        {"step.normalise.method": "teleport"},
        {"step.treat.params.winmax": -1, "step.treat.params.colour": 1},
        {"eval(__import__('os'))": 1},
    ]
    with pytest.raises(FrameworkError) as info:
        run_variants(asem_framework, asem_panel, bad)
    text = str(info.value)
    for fragment in ["no step with id 'nothing'", "unknown indicator or aggregate 'Nope'", "a weight must be a number >= 0",
                     "unknown normalise method 'teleport'", "must be an int in the range [0, inf]", "unknown parameter 'colour'",
                     "not a typed path"]:
        assert fragment in text


def test_collapsed_target_equals_level_by_level_with_missing_zero_weights_and_geometric(asem_framework, asem_panel):
    """keep=[root] takes the one-product path; units with missing leaves fall back level by level."""
    frame = asem_panel.frame.copy()
    frame.iloc[3, frame.columns.get_loc("LPI")] = np.nan  # a missing leaf after normalisation (no imputation here)
    from baiqiang.framework import parse_framework
    from baiqiang.pipeline import Panel

    raw = asem_framework.model_dump(mode="json")
    raw["methodology"] = [s for s in raw["methodology"] if s["step"] not in ("impute", "screen")]
    fw = parse_framework(raw)
    panel = Panel.from_frame(frame.reset_index(), code_column="unit_code", name_column="uName")
    variants = [
        {},
        {"weight.Physical": 0, "weight.ConEcFin": 0, "weight.Political": 0, "weight.Instit": 0, "weight.P2P": 0},
        {"weight.LPI": 0, "weight.Flights": 0, "weight.Ship": 0, "weight.Bord": 0, "weight.Elec": 0, "weight.Gas": 0,
         "weight.ConSpeed": 0, "weight.Cov4G": 0},
        {"step.normalise.params.lower": 1, "step.aggregate.method": "geometric", "weight.Sust": 3.0},
    ]
    fast = run_variants(fw, panel, variants, keep=["Index"])
    full = run_variants(fw, panel, variants, keep=["Index", "Conn"])  # two targets: still collapsed
    slow = np.stack([_level_by_level(fw, panel, v)[:, -1] for v in variants])
    np.testing.assert_allclose(fast.scores[:, :, 0], slow, rtol=0, atol=1e-10, equal_nan=True)
    np.testing.assert_allclose(full.scores[:, :, 0], slow, rtol=0, atol=1e-10, equal_nan=True)
    assert np.isnan(full.scores[1, :, 1]).all()  # Conn has only zero-weight pillars: missing


def test_variants_with_different_paths_and_number_types_group_like_one_build_each(asem_framework, asem_panel):
    """Variants naming different paths (checked and grouped in blocks) and NumPy numbers give each one's build."""
    variants = [
        {"weight.LPI": np.float64(0.0), "step.treat.params.winmax": np.int64(2)},
        {"step.treat.params.winmax": 2, "weight.LPI": 0.0},  # same choices, other path order
        {"weight.Physical": 2},
        {"step.normalise.method": "zscore", "weight.Physical": 2.0},
    ]
    batch = run_variants(asem_framework, asem_panel, variants)
    for k, v in enumerate(variants):
        expected = _build_with(asem_framework, asem_panel, {p: (x.item() if isinstance(x, np.generic) else x) for p, x in v.items()})
        np.testing.assert_allclose(batch.scores[k], expected, rtol=0, atol=1e-10, equal_nan=True)


def test_a_boolean_or_text_weight_is_reported_with_its_variant(asem_framework, asem_panel):
    variants = [{"weight.LPI": 1.0}, {"weight.LPI": True}, {"weight.LPI": "heavy"}, {"weight.LPI": -1.0}]
    with pytest.raises(FrameworkError) as info:
        run_variants(asem_framework, asem_panel, variants)
    text = str(info.value)
    for k, value in ((1, "True"), (2, "'heavy'"), (3, "-1.0")):
        assert f"variant {k}: weight.LPI" in text and f"got {value}" in text
    assert "variant 0" not in text


def test_groups_differing_after_treatment_share_its_result_and_equal_a_fresh_run(asem_framework, asem_panel):
    """run_data_steps(memo=...): a second group with the same histories up to treatment reuses them, results unchanged."""
    from baiqiang.pipeline.engine import run_data_steps
    from baiqiang.pipeline.run import unit_data
    from baiqiang.pipeline.variants import group_variants

    variants = [{"step.treat.params.winmax": 2}, {"step.treat.params.winmax": 4},
                {"step.treat.params.winmax": 2, "step.normalise.method": "zscore"},
                {"step.treat.params.winmax": 4, "step.normalise.method": "zscore"}]
    first, second = group_variants(asem_framework, variants)
    data = unit_data(asem_framework, asem_panel.select(asem_framework))
    memo: dict = {}
    run_data_steps(first.plan, data, 2, memo=memo)
    treat = next(k for k, s in enumerate(first.plan.data_steps) if s.kind == "treat")
    treated = memo[treat][1][0]
    shared = run_data_steps(second.plan, data, 2, memo=memo)
    assert memo[treat][1][0] is treated  # reused, not recomputed
    fresh = run_data_steps(second.plan, data, 2)
    np.testing.assert_array_equal(shared.x, fresh.x)
    np.testing.assert_array_equal(shared.rows, fresh.rows)
    # A group with other treatment parameters does not reuse it.
    third = group_variants(asem_framework, [{"step.treat.params.winmax": 3}])[0]
    np.testing.assert_array_equal(run_data_steps(third.plan, data, 1, memo=memo).x, run_data_steps(third.plan, data, 1).x)
    assert memo[treat][1][0] is not treated
