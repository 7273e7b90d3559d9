"""UA spec validation and decoding of uniform samples into engine overrides."""

from __future__ import annotations

import numpy as np
import pytest

from baiqiang.analysis.spec import StructureInfo, decode_samples, load_spec, noisy_weight_sets
from baiqiang.errors import BaiqiangError

INFO = StructureInfo(
    codes=["a", "b", "c", "P1", "P2", "Idx"],
    levels={"a": 1, "b": 1, "c": 1, "P1": 2, "P2": 2, "Idx": 3},
    weights={"a": 1.0, "b": 1.0, "c": 2.0, "P1": 1.0, "P2": 3.0, "Idx": 1.0},
    indicators=["a", "b", "c"],
)

SPEC = {
    "top_k": [1],
    "factors": [
        {"kind": "choice", "name": "Agg", "path": "step.aggregate.method", "values": ["arithmetic", "geometric"]},
        {"kind": "numeric", "name": "Win", "path": "step.treat.params.winmax", "distribution": "integer", "low": 1, "high": 5},
        {"kind": "weights", "name": "W", "noise": {"2": 0.25}, "n_sets": 4},
        {"kind": "leave_one_out", "name": "Drop"},
    ],
}


def test_decode_maps_bins_and_dedupes():
    spec = load_spec(SPEC)
    u = np.array([[0.1, 0.0, 0.0, 0.0], [0.6, 0.99, 0.3, 0.3], [0.1, 0.05, 0.1, 0.2], [0.7, 0.5, 0.9, 0.99]])
    dec = decode_samples(spec, u, INFO, seed=1)
    assert list(dec.audit["Agg"]) == ["arithmetic", "geometric", "arithmetic", "geometric"]
    assert list(dec.audit["Win"]) == [1, 5, 1, 3]
    assert list(dec.audit["W"]) == [1, 2, 1, 4]
    assert list(dec.audit["Drop"]) == ["(无)", "a", "(无)", "c"]   # 4 options: none, a, b, c
    # samples 0 and 2 are the same methodology -> evaluated once
    assert len(dec.unique_variants) == 3
    assert dec.inverse[0] == dec.inverse[2]
    v = dec.unique_variants[dec.inverse[1]]
    assert v["step.aggregate.method"] == "geometric" and v["step.treat.params.winmax"] == 5
    assert v["weight.a"] == 0.0 and set(v) >= {"weight.P1", "weight.P2"}
    assert "weight.a" not in dec.unique_variants[dec.inverse[0]]


def test_noisy_weights_bounds_and_code_override():
    codes, sets = noisy_weight_sets(INFO, {"2": 0.25, "P2": 0.5}, 2000, seed=3)
    assert codes == ["P1", "P2"]
    assert sets[:, 0].min() >= 0.75 and sets[:, 0].max() <= 1.25
    assert sets[:, 1].min() >= 1.5 and sets[:, 1].max() <= 4.5
    assert sets[:, 1].min() < 1.6 and sets[:, 1].max() > 4.4  # uniform over the whole range
    again = noisy_weight_sets(INFO, {"2": 0.25, "P2": 0.5}, 2000, seed=3)[1]
    np.testing.assert_array_equal(sets, again)


def test_numeric_distributions():
    spec = load_spec({"factors": [
        {"kind": "numeric", "name": "u", "path": "p.u", "low": 2, "high": 4},
        {"kind": "numeric", "name": "n", "path": "p.n", "distribution": "normal", "mean": 10, "sd": 2},
        {"kind": "numeric", "name": "t", "path": "p.t", "distribution": "triangular", "low": 0, "mode": 0, "high": 1},
    ]})
    u = np.array([[0.5, 0.5, 0.75]])
    dec = decode_samples(spec, u, INFO)
    assert dec.audit.iloc[0]["u"] == 3.0 and dec.audit.iloc[0]["n"] == 10.0
    # triangular(0, 0, 1): F(x) = 1 - (1 - x)^2 -> x = 1 - sqrt(0.25) = 0.5
    assert dec.audit.iloc[0]["t"] == pytest.approx(0.5)


def test_invalid_spec_reports_every_problem():
    with pytest.raises(BaiqiangError) as err:
        load_spec({"factors": [
            {"kind": "choice", "name": "x", "path": "p", "values": []},
            {"kind": "numeric", "name": "y", "path": "p", "low": 3, "high": 1},
            {"kind": "bogus", "name": "z"},
        ]})
    assert len(err.value.problems) == 3
    with pytest.raises(BaiqiangError):
        load_spec({"factors": [{"kind": "choice", "name": "x", "path": "p", "values": [1]}] * 2})
    with pytest.raises(BaiqiangError, match="no level 7"):
        noisy_weight_sets(INFO, {"7": 0.1}, 2)
    with pytest.raises(BaiqiangError):
        decode_samples(load_spec({"factors": [{"kind": "leave_one_out", "codes": ["P1"]}]}), np.zeros((1, 1)), INFO)


def test_load_from_yaml(tmp_path):
    p = tmp_path / "ua.yaml"
    p.write_text("factors:\n  - kind: choice\n    name: N\n    path: step.normalise.method\n    values: [minmax, zscore]\n", encoding="utf-8")
    assert load_spec(p).factors[0].option_labels() == ["minmax", "zscore"]
    with pytest.raises(BaiqiangError):
        load_spec(tmp_path / "missing.yaml")
