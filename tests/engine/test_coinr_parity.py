"""Every ASEM variant matches COINr's own results: each data set to 1e-9, ranks exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from baiqiang.framework import load_framework
from baiqiang.pipeline import read_panel, run

from .conftest import ASEM, ORACLE, VARIANTS

STAGES = ["denominated", "imputed", "screened", "treated", "normalised"]


@pytest.fixture(scope="module", params=VARIANTS)
def built(request):
    variant = request.param
    fw = load_framework(ASEM / f"{variant}.yaml")
    return variant, run(fw, read_panel(ASEM / "asem_data.csv", fw))


def _oracle(variant: str, name: str) -> pd.DataFrame:
    return pd.read_csv(ORACLE / variant / f"{name}.csv").set_index("uCode")


def _assert_close(got: pd.DataFrame, ref: pd.DataFrame) -> None:
    got = got.loc[ref.index, ref.columns]
    assert (got.isna() == ref.isna()).all().all(), "missing cells differ"
    np.testing.assert_allclose(got.to_numpy(float), ref.to_numpy(float), rtol=0, atol=1e-9, equal_nan=True)


def test_intermediate_data_sets_match(built):
    variant, results = built
    for stage in STAGES:
        if (ORACLE / variant / f"{stage}.csv").exists():
            _assert_close(results.datasets[stage], _oracle(variant, stage))


def test_aggregated_scores_match(built):
    variant, results = built
    _assert_close(results.aggregated(), _oracle(variant, "aggregated"))


def test_ranks_match_exactly(built):
    variant, results = built
    ref = _oracle(variant, "aggregated_ranks")
    aggregates = [c for c in ref.columns if c in results.ranks.columns]
    assert len(aggregates) == 11
    np.testing.assert_array_equal(results.ranks.loc[ref.index, aggregates].to_numpy(), ref[aggregates].to_numpy())
    index = _oracle(variant, "index")
    np.testing.assert_array_equal(results.ranks.loc[index.index, "Index"].to_numpy(), index["Rank"].to_numpy())
