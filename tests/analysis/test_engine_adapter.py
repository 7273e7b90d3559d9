"""The analysis adapter is the engine: target scores and ranks equal run_variants variant by variant."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from baiqiang.analysis.engine import evaluate_target
from baiqiang.analysis.ranks import rank_desc
from baiqiang.errors import BaiqiangError
from baiqiang.framework import load_framework
from baiqiang.framework.structure import Hierarchy
from baiqiang.pipeline import read_panel, run_variants

ASEM = Path(__file__).parents[2] / "examples" / "asem"


def _reference(fw, panel, variants, target):
    out = []
    for v in variants:
        b = run_variants(fw, panel, [v], keep=[target])
        out.append(b.scores[0, :, 0])
    return np.array(out)


def _random_variants(fw, rng, n, *, methods=True, loo=True, continuous=False):
    h = Hierarchy(fw)
    inds = h.indicator_codes
    pillar = h.aggregates_at(2)[0]
    pillar_kids = [h.node_codes[k] for k in h.children[pillar]]
    out = []
    for k in range(n):
        v = {"step.treat.params.winmax": int(rng.integers(1, 6))} if fw.step("treat") else {}
        if continuous and fw.step("treat"):
            v["step.treat.params.skew_thresh"] = float(rng.uniform(1.5, 3.0))
        if methods:
            if rng.random() < 0.5:
                v |= {"step.normalise.method": "zscore", "step.normalise.params.mean": 10.0, "step.normalise.params.sd": 2.0}
            else:
                v |= {"step.normalise.method": "minmax", "step.normalise.params.lower": 1.0, "step.normalise.params.upper": 100.0}
            v["step.aggregate.method"] = "geometric" if rng.random() < 0.5 else "arithmetic"
        for c in h.node_codes[:-1]:
            v[f"weight.{c}"] = float(rng.uniform(0.5, 1.5))
        if loo and k % 3 == 0:
            v[f"weight.{inds[rng.integers(len(inds))]}"] = 0.0
        if loo and k % 7 == 1:  # a whole pillar left out: its parent re-weights the others
            v |= {f"weight.{c}": 0.0 for c in pillar_kids}
        out.append(v)
    return out


@pytest.mark.parametrize("variant", ["v1_default", "v2_minmax_arith", "v3_zscore_arith"])
def test_matches_engine_on_random_variants(variant):
    fw = load_framework(ASEM / f"{variant}.yaml")
    panel = read_panel(ASEM / "asem_data.csv", fw)
    rng = np.random.default_rng(hash(variant) % 2**32)
    variants = _random_variants(fw, rng, 24)
    for target in ("Index", "Conn"):
        units, ours, _ = evaluate_target(fw, panel, variants, target=target)
        ref = _reference(fw, panel, variants, target)
        np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)
        assert np.isnan(ours).sum() == np.isnan(ref).sum()


def test_matches_engine_with_continuous_data_parameter_and_constant_weights():
    fw = load_framework(ASEM / "v1_default.yaml")
    panel = read_panel(ASEM / "asem_data.csv", fw)
    rng = np.random.default_rng(5)
    variants = _random_variants(fw, rng, 12, methods=False, loo=False, continuous=True)
    _, ours, _ = evaluate_target(fw, panel, variants)
    np.testing.assert_allclose(ours, _reference(fw, panel, variants, "Index"), rtol=1e-12)
    # pillar weights only: level-2 scores are shared across variants
    variants2 = [{k: v for k, v in var.items() if k.startswith("weight.") and k[7:] in ("Physical", "Conn", "Sust", "P2P")}
                 for var in variants]
    _, ours2, _ = evaluate_target(fw, panel, variants2, chunk=5)
    np.testing.assert_allclose(ours2, _reference(fw, panel, variants2, "Index"), rtol=1e-12)


def test_chunks_progress_and_ranks():
    fw = load_framework(ASEM / "v1_default.yaml")
    panel = read_panel(ASEM / "asem_data.csv", fw)
    variants = _random_variants(fw, np.random.default_rng(11), 30)
    calls = []
    units, scores, ranks = evaluate_target(fw, panel, variants, target="Conn", chunk=4, progress=lambda d, t: calls.append((d, t)))
    _, whole, _ = evaluate_target(fw, panel, variants, target="Conn")
    np.testing.assert_allclose(scores, whole, rtol=1e-12, atol=1e-12)  # chunking changes at most rounding
    assert calls[-1] == (30, 30) and all(t == 30 for _, t in calls)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls) and len(calls) >= 30 // 4
    # the engine's ranks follow the analysis convention (1 = best, ties share the minimum, NaN unranked)
    np.testing.assert_array_equal(ranks, rank_desc(scores))
    assert scores.shape == ranks.shape == (30, len(units))


def test_bad_variants_and_target_rejected():
    fw = load_framework(ASEM / "v2_minmax_arith.yaml")
    panel = read_panel(ASEM / "asem_data.csv", fw)
    with pytest.raises(BaiqiangError):
        evaluate_target(fw, panel, [{"weight.Nope": 1.0}])
    with pytest.raises(BaiqiangError):
        evaluate_target(fw, panel, [{"step.normalise.params.lower": "x"}])
    with pytest.raises(BaiqiangError):
        evaluate_target(fw, panel, [{}], target="LPI")
