"""Column reductions of ``methods._nan``: the wide-row extremes equal NumPy's own reductions exactly."""

from __future__ import annotations

import numpy as np
import pytest

from baiqiang.methods import _nan


@pytest.mark.parametrize("shape", [(1, 2900, 60), (3, 2899, 7), (2, 5, 300), (1, 1, 4), (2, 1500, 1), (2, 40, 2000)])
@pytest.mark.parametrize("op", [np.maximum, np.minimum, np.fmax, np.fmin])
def test_column_reduce_equals_numpy(shape: tuple[int, int, int], op: np.ufunc) -> None:
    # Remainder units (n not a multiple of the units per wide row), NaN, and a transposed
    # (non-contiguous) view must all give NumPy's answer bit for bit.
    rng = np.random.default_rng(3)
    x = rng.normal(size=shape)
    x[rng.random(shape) < 0.01] = np.nan
    for data in (x, np.swapaxes(x, 1, 2)):
        np.testing.assert_array_equal(_nan.column_reduce(op, data), op.reduce(data, axis=1))


def test_col_min_and_max_ignore_missing_values() -> None:
    x = np.array([[[1.0, np.nan], [np.nan, np.nan], [-2.0, np.nan]]])
    np.testing.assert_array_equal(_nan.col_min(x), [[-2.0, np.nan]])
    np.testing.assert_array_equal(_nan.col_max(x), [[1.0, np.nan]])
