"""Contract tests over every registered method: constraints, calling convention, batching, edge cases.

These tests iterate over ``baiqiang.methods.methods()`` so a newly registered
kernel is covered without writing anything new.
"""

from __future__ import annotations

import inspect
import warnings
from numbers import Integral
from typing import Any

import numpy as np
import pytest

from baiqiang.methods import get, methods
from baiqiang.methods.registry import (
    Constraint,
    Flag,
    Interval,
    Matrix,
    Method,
    NumberList,
    OneOf,
    Text,
)

ALL = methods()
IDS = [m.qualname for m in ALL]
RNG = np.random.default_rng(0)


def invalid_values(c: Constraint) -> list[Any]:
    """Values that violate ``c`` (scikit-learn's ``generate_invalid_param_val`` idea)."""
    if isinstance(c, Interval):
        out: list[Any] = ["not a number", float("nan")]
        if c.low is not None:
            out.append(c.low - 1)
            if c.closed in ("right", "neither"):
                out.append(c.low)
        if c.high is not None:
            out.append(c.high + 1)
        if c.kind is Integral:
            out.append(1.5)
        return out
    if isinstance(c, OneOf):
        return ["no-such-option", 3]
    if isinstance(c, Text):
        return ["", 7]
    if isinstance(c, Flag):
        return ["yes", 1]
    if isinstance(c, Matrix):
        return [[[1, 2, 3]], [[1, -1], [-1, 1]], "abc"]
    if isinstance(c, NumberList):
        return ["1,2", [1, "a"]]
    raise AssertionError(f"no invalid-value generator for {type(c).__name__}: add one to this test")


@pytest.mark.parametrize("method", ALL, ids=IDS)
def test_every_constraint_rejects_invalid_values_in_the_standard_template(method: Method) -> None:
    for key, param in method.params.items():
        base = {k: _valid_value(method, k, 4) for k, p in method.params.items() if p.required}
        for bad in invalid_values(param.constraint):
            problems = method.problems({**base, key: bad})
            expected = (
                f"the {key!r} parameter of {method.qualname} must be "
                f"{param.constraint.describe()}; got {bad!r}"
            )
            assert problems == [expected], (key, bad, problems)


@pytest.mark.parametrize("method", ALL, ids=IDS)
def test_defaults_satisfy_their_constraints_and_signature_declares_params(method: Method) -> None:
    sig = inspect.signature(method.func)
    for key, param in method.params.items():
        assert key in sig.parameters, f"{method.qualname}: {key} not in signature"
        assert sig.parameters[key].kind is inspect.Parameter.KEYWORD_ONLY
        if not param.required and param.default is not None:
            assert param.constraint.check(param.default), (key, param.default)
        assert param.help, f"{method.qualname}: parameter {key} has no help text"
    assert method.problems({k: _valid_value(method, k, 4) for k, p in method.params.items() if p.required}) == []


def test_unknown_and_missing_parameters_are_reported_together() -> None:
    m = get("weight", "ahp")
    assert m.problems({"matrx": [[1]]}) == [
        "unknown parameter 'matrx' for weight.ahp (known: matrix)",
        "the 'matrix' parameter of weight.ahp is required",
    ]


@pytest.mark.parametrize("method", ALL, ids=IDS)
def test_every_method_documents_formula_nan_policy_and_source(method: Method) -> None:
    doc = inspect.getdoc(method.func) or ""
    assert method.summary, method.qualname
    module_doc = inspect.getmodule(method.func).__doc__ or ""
    assert "References" in doc or "Reference" in module_doc, method.qualname


# --- calling convention --------------------------------------------------------


def _valid_value(method: Method, key: str, k: int) -> Any:
    if key == "matrix":
        return np.ones((k, k)).tolist()
    if key == "group":
        return "province"
    return method.params[key].default


def _positive_data(b: int, n: int = 12, k: int = 4, missing: float = 0.1) -> np.ndarray:
    x = RNG.uniform(1.0, 100.0, size=(b, n, k))
    x[RNG.random(x.shape) < missing] = np.nan
    return x


def call(method: Method, x: np.ndarray, **params: Any) -> np.ndarray:
    """Call a kernel with the keywords its family (and signature) expects."""
    b, n, k = x.shape
    sig = inspect.signature(method.func).parameters
    kw = {key: _valid_value(method, key, k) for key, p in method.params.items() if p.required}
    kw.update(params)
    if "groups" in sig:
        kw["groups"] = np.arange(n) % 3
    if "targets" in sig:
        kw["targets"] = np.full(k, 90.0)
    if "goalposts" in sig:
        kw["goalposts"] = np.tile([10.0, 90.0], (k, 1))
    if method.family == "normalise":
        return method.func(x, direction=np.where(np.arange(k) % 2 == 0, 1.0, -1.0), **kw)
    if method.family == "weight":
        return method.func(x, prior=np.tile(np.arange(1.0, k + 1), (b, 1)), **kw)
    if method.family == "aggregate":
        return method.func(x, np.tile(np.arange(1.0, k + 1), (b, 1)), **kw)
    return method.func(x, **kw)


def _three_values(c: Interval) -> list[float]:
    lo = c.low if c.low is not None else (c.high - 3 if c.high is not None else -1.0)
    hi = c.high if c.high is not None else lo + 3.0
    vals = [lo + (hi - lo) * f for f in (0.2, 0.5, 0.9)]
    return [int(round(v)) or 1 for v in vals] if c.kind is Integral else vals


@pytest.mark.parametrize("method", ALL, ids=IDS)
def test_batch_equals_one_by_one(method: Method) -> None:
    """Three variants with different data and per-variant numeric params == three single runs."""
    x = _positive_data(3)
    numeric = {k: p for k, p in method.params.items() if isinstance(p.constraint, Interval)}
    params = {k: _three_values(p.constraint) for k, p in numeric.items()}
    batch = call(method, x, **{k: np.asarray(v) for k, v in params.items()})
    for i in range(3):
        single = call(method, x[i : i + 1], **{k: v[i] for k, v in params.items()})
        np.testing.assert_allclose(batch[i], single[0], rtol=1e-9, atol=1e-12, equal_nan=True)


@pytest.mark.parametrize("method", ALL, ids=IDS)
def test_output_shapes(method: Method) -> None:
    x = _positive_data(2, n=9, k=3)
    out = call(method, x)
    expected = {"weight": (2, 3), "aggregate": (2, 9)}.get(method.family, x.shape)
    assert out.shape == expected


@pytest.mark.parametrize("method", ALL, ids=IDS)
def test_constant_and_all_missing_columns_are_quiet_and_as_documented(method: Method) -> None:
    x = _positive_data(2, n=10, k=4, missing=0.0)
    x[:, :, 1] = 7.0  # constant
    x[:, :, 2] = np.nan  # all missing
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = call(method, x)
    if method.family == "weight":
        assert np.allclose(out.sum(axis=-1), 1.0) and np.all(out >= 0)
        if method.name not in ("manual", "equal", "ahp", "combined"):
            assert np.all(out[:, 2] == 0), "an all-missing child gets no objective weight"
    elif method.family == "aggregate":
        assert out.shape == (2, 10)
    else:
        assert np.all(np.isnan(out[:, :, 2])), "an all-missing column stays all-missing"
        assert np.all(np.isfinite(out[:, :, 0])), "ordinary columns are unaffected"


@pytest.mark.parametrize("method", [m for m in ALL if m.family in ("treat", "normalise")], ids=lambda m: m.qualname)
def test_missing_stays_missing(method: Method) -> None:
    x = _positive_data(2, missing=0.2)
    out = call(method, x)
    assert np.all(np.isnan(out[np.isnan(x)]))


@pytest.mark.parametrize("method", [m for m in ALL if m.family == "impute"], ids=lambda m: m.qualname)
def test_imputation_keeps_observed_values(method: Method) -> None:
    x = _positive_data(2, missing=0.2)
    out = call(method, x)
    obs = ~np.isnan(x)
    np.testing.assert_array_equal(out[obs], x[obs])


@pytest.mark.parametrize("method", [m for m in ALL if m.family == "aggregate"], ids=lambda m: m.qualname)
def test_unit_with_every_child_missing_is_missing(method: Method) -> None:
    x = _positive_data(1, missing=0.0)
    x[0, 3, :] = np.nan
    out = call(method, x)
    assert np.isnan(out[0, 3]) and np.all(np.isfinite(np.delete(out[0], 3)))


@pytest.mark.parametrize("method", [m for m in ALL if m.family == "weight"], ids=lambda m: m.qualname)
def test_weights_sum_to_one_and_are_non_negative(method: Method) -> None:
    out = call(method, _positive_data(4, missing=0.15))
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=1e-12)
    assert np.all(out >= 0)
