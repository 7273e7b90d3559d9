"""Replay COINr's uncertainty and sensitivity runs and compare (see data/README.md)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from baiqiang.analysis.coinr import params_to_uniform, read_weight_sets
from baiqiang.analysis.ranks import rank_desc, rank_summary
from baiqiang.analysis.spec import load_spec
from baiqiang.analysis.uncertainty import evaluate_samples, run_uncertainty, sobol_from_ranks
from baiqiang.framework import load_framework
from baiqiang.pipeline import read_panel

DATA = Path(__file__).parent / "data"
ASEM = Path(__file__).parents[2] / "examples" / "asem"


@pytest.fixture(scope="module")
def asem():
    fw = load_framework(ASEM / "v1_default.yaml")
    return fw, read_panel(ASEM / "asem_data.csv", fw), load_spec(DATA / "asem_ua.yaml")


def _replay(asem, stem):
    fw, panel, spec = asem
    params = pd.read_csv(DATA / f"{stem}_params.csv")
    sets = {"Weights": read_weight_sets(DATA / "weight_sets.csv", [2, 3])}
    units, scores, _, audit = evaluate_samples(fw, panel, spec, params_to_uniform(params, spec), weight_sets=sets)
    ref = pd.read_csv(DATA / f"{stem}_scores.csv", index_col=0)
    ours = pd.DataFrame(scores.T, index=units).loc[ref.index]
    # the decoded choices are exactly the recorded ones
    assert (audit["Normalisation"].to_numpy() == params["Normalisation"].to_numpy()).all()
    assert (audit["Weights"].to_numpy() == params["WeightSet"].to_numpy()).all()
    return ours.to_numpy(), ref


@pytest.mark.parametrize("stem", ["ua_n500", "sa_n100"])
def test_replay_reproduces_coinr_scores(asem, stem):
    ours, ref = _replay(asem, stem)
    np.testing.assert_allclose(ours, ref.drop(columns="Nominal").to_numpy(), rtol=0, atol=1e-9)


def test_replayed_rank_statistics_and_sobol_match_coinr(asem):
    ours, ref = _replay(asem, "sa_n100")
    ranks = rank_desc(ours.T)
    nominal = rank_desc(ref["Nominal"].to_numpy())
    # rank statistics over the A and B blocks (COINr: first 2N runs)
    stats = rank_summary(ranks[:200], nominal, units=list(ref.index)).table
    coinr = pd.read_csv(DATA / "sa_n100_rankstats.csv", index_col=0)
    for ours_col, theirs in [("nominal", "Nominal"), ("mean", "Mean"), ("median", "Median"), ("q_low", "Q5"), ("q_high", "Q95")]:
        np.testing.assert_allclose(stats[ours_col].to_numpy(), coinr[theirs].to_numpy(), atol=1e-9)
    # Sobol indices of the mean absolute rank shift: same estimators -> same numbers
    res = sobol_from_ranks(ranks, nominal, 100, 4, n_boot=0)
    si = pd.read_csv(DATA / "sa_n100_sensitivity_indices.csv", index_col=0)
    np.testing.assert_allclose(res.S1[:, 0], si["Si"].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(res.ST[:, 0], si["STi"].to_numpy(), rtol=1e-12)


def test_replayed_ua_ranks_match_coinr_exactly(asem):
    ours, ref = _replay(asem, "ua_n500")
    stats = rank_summary(rank_desc(ours.T), rank_desc(ref["Nominal"].to_numpy()), units=list(ref.index)).table
    coinr = pd.read_csv(DATA / "ua_n500_ranks.csv", index_col=0)
    np.testing.assert_allclose(stats[["nominal", "mean", "median", "q_low", "q_high"]].to_numpy(), coinr.to_numpy(), atol=1e-9)


def test_own_sampling_agrees_with_coinr_within_monte_carlo_error(asem):
    """Our own N = 500 draws (different seed, different noisy weight sets) vs COINr's.

    Tolerance: both estimates carry Monte Carlo error.  For each unit we take the
    bootstrap standard error of COINr's own statistic (resampling its 500 runs),
    and allow |ours - COINr| <= 4 sqrt(2) SE + 1 rank (ranks are integers, so a
    quantile can jump by one when SE is ~0).  Mean ranks are checked the same way.
    """
    fw, panel, spec = asem
    res = run_uncertainty(fw, panel, spec, n=500, seed=2024)
    ours_ref, ref = _replay(asem, "ua_n500")
    coinr_ranks = rank_desc(ours_ref.T)  # == COINr's runs (checked above)
    rng = np.random.default_rng(0)
    boot = coinr_ranks[rng.integers(0, 500, size=(200, 500))]  # (200, 500, n)
    se = {
        "mean": boot.mean(axis=1).std(axis=0),
        "median": np.quantile(boot, 0.5, axis=1).std(axis=0),
        "q_low": np.quantile(boot, 0.05, axis=1).std(axis=0),
        "q_high": np.quantile(boot, 0.95, axis=1).std(axis=0),
    }
    coinr = pd.read_csv(DATA / "ua_n500_ranks.csv", index_col=0).rename(
        columns={"Mean": "mean", "Median": "median", "Q5": "q_low", "Q95": "q_high"})
    ours = res.summary.table.loc[coinr.index]
    assert (ours["nominal"].to_numpy() == coinr["Nominal"].to_numpy()).all()
    for col, s in se.items():
        diff = np.abs(ours[col].to_numpy() - coinr[col].to_numpy())
        assert np.all(diff <= 4 * np.sqrt(2) * s + 1.0), (col, diff.max())
    assert len(res.samples) == 500 and set(res.samples.columns) == {"Winmax", "Normalisation", "Weights", "Aggregation"}


def test_uncertainty_summary_is_the_rank_summary_of_its_ranks_made_when_first_read(asem):
    fw, panel, spec = asem
    res = run_uncertainty(fw, panel, spec, n=50, seed=7)
    assert "summary" not in res.__dict__  # not computed by run_uncertainty
    direct = rank_summary(res.ranks, res.nominal_ranks, units=res.units, top_k=spec.top_k, quantiles=spec.quantiles)
    pd.testing.assert_frame_equal(res.summary.table, direct.table)
    assert (res.summary.top_k, res.summary.quantiles) == (direct.top_k, direct.quantiles)
    assert res.summary is res.summary  # computed once
