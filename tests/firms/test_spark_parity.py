"""The same recipes on DuckDB and on a local PySpark session: same counties, same values to 1e-9."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from baiqiang.firms.engines import connect
from baiqiang.firms.indicators import run_recipes
from baiqiang.firms.recipes import RecipeBook, load_recipes

from .conftest import RECIPES, SAMPLE

pytest.importorskip("pyspark")


def _engine_only(book: RecipeBook) -> RecipeBook:
    """The recipes without census inputs (those are read in Python, the same for both engines)."""
    census = {r.code for r in book.recipes if r.kind == "census"}
    keep = [r for r in book.recipes if r.code not in census and r.population not in census]
    return book.model_copy(update={"recipes": keep})


@pytest.fixture(scope="module")
def results() -> dict[str, dict[str, pd.DataFrame]]:
    book = _engine_only(load_recipes(RECIPES))
    out: dict[str, dict[str, pd.DataFrame]] = {}
    for name in ("duckdb", "spark"):
        engine = connect(name, spark="local[1]")
        try:
            out[name] = {label: run_recipes(book, data, engine, [2022, 2023]).values
                         for label, data in (("sample", SAMPLE),)}
        finally:
            engine.close()
    return out


@pytest.mark.parametrize("dataset", ["sample"])
def test_duckdb_equals_spark(results: dict, dataset: str) -> None:
    a = results["duckdb"][dataset].sort_values(["county", "year", "code"]).reset_index(drop=True)
    b = results["spark"][dataset].sort_values(["county", "year", "code"]).reset_index(drop=True)
    assert len(a) == len(b) and a["county"].nunique() == b["county"].nunique()
    pd.testing.assert_frame_equal(a[["county", "year", "code"]], b[["county", "year", "code"]])
    x, y = a["value"].to_numpy(), b["value"].to_numpy()
    assert (np.isnan(x) == np.isnan(y)).all()
    ok = ~np.isnan(x)
    assert np.allclose(x[ok], y[ok], rtol=1e-9, atol=1e-9)
    # Not a vacuous comparison: the sample has firms, output and designations in many counties.
    if dataset == "sample":
        assert a.loc[a["code"] == "gs_firms", "value"].sum() > 100
        assert a.loc[a["code"] == "hnte_count", "value"].sum() > 50
