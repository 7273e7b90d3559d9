"""Time-comparable multi-year builds (``time.normalise``), computed by hand."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from baiqiang.analysis.change import comparable_builds, decompose_unit_change, movers
from baiqiang.errors import BaiqiangError, FrameworkError
from baiqiang.framework import parse_framework
from baiqiang.methods import get
from baiqiang.pipeline import Panel, run, run_years


def _framework(normalise: str = "pooled", method: str = "minmax", **extra) -> dict:
    time = {"normalise": normalise, **({"base_year": 2010} if normalise == "base_year" else {})}
    params = {"lower": 0, "upper": 100} if method == "minmax" else {}
    return {
        "id": "years", "name": "两期",
        "universe": {"code_column": "code", "name_column": None},
        "indicators": [{"code": "g", "name": "产值", "parent": "Index"},
                       {"code": "c", "name": "成本", "parent": "Index", "direction": "lower"}],
        "aggregates": [{"code": "Index", "name": "总指数"}],
        "methodology": [{"step": "normalise", "method": method, "params": params}],
        "time": time, **extra,
    }


def _panel(g: list[float], c: list[float]) -> Panel:
    return Panel.from_frame(pd.DataFrame({"code": ["A", "B", "C"], "g": g, "c": c}), code_column="code")


P2010 = _panel([10, 20, 30], [5, 1, 3])
P2020 = _panel([40, 20, 30], [4, 2, 3])  # C's data do not change
YEARS = {2010: P2010, 2020: P2020}


def _index(results) -> list[float]:
    return results.scores["Index"].tolist()


def test_pooled_minmax_by_hand():
    # g over both years: 10..40; c (lower is better) over both years: 1..5
    # 2010: g (0, 33.3, 66.7), c (0, 100, 50) -> (0, 66.7, 58.3); 2020: g (100, 33.3, 66.7), c (25, 75, 50) -> (62.5, 54.2, 58.3)
    built = run_years(parse_framework(_framework("pooled")), YEARS)
    np.testing.assert_allclose(_index(built[2010]), [0, 200 / 3, 175 / 3])
    np.testing.assert_allclose(_index(built[2020]), [62.5, 325 / 6, 175 / 3])
    assert built[2020].comparison["bounds"] == {"g": [10.0, 40.0], "c": [5.0, 1.0]}


def test_base_year_minmax_by_hand():
    # bounds from 2010: g 10..30, c 5 (worst)..1 (best); 2020: g (150, 50, 100), c (25, 75, 50)
    built = run_years(parse_framework(_framework("base_year")), YEARS)
    np.testing.assert_allclose(_index(built[2010]), [0, 75, 75])
    np.testing.assert_allclose(_index(built[2020]), [87.5, 62.5, 75])
    with pytest.raises(BaiqiangError, match="基年 2010"):
        run_years(parse_framework(_framework("base_year")), {2020: P2020})


def test_each_year_alone_moves_an_unchanged_unit():
    built = run_years(parse_framework(_framework("year")), YEARS)
    np.testing.assert_allclose(_index(built[2020]), [50, 50, 50])  # g 20..40, c 2..4
    assert _index(built[2010])[2] == 75  # C: same data, score 75 -> 50 only because the others moved
    assert built[2020].comparison is None


def test_pooled_minmax_equals_the_kernel_over_the_stacked_years_as_coinr_global():
    rng = np.random.default_rng(3)
    a, b = rng.uniform(1, 9, size=(5, 2)), rng.uniform(2, 12, size=(5, 2))
    panels = {2000: _panel5(a), 2001: _panel5(b)}
    built = run_years(parse_framework(_framework("pooled")), panels)
    stacked = get("normalise", "minmax").func(np.vstack([a, b])[None], direction=np.array([1.0, -1.0]), lower=0, upper=100)[0]
    np.testing.assert_allclose(built[2000].datasets["normalised"].to_numpy(), stacked[:5], rtol=1e-12)
    np.testing.assert_allclose(built[2001].datasets["normalised"].to_numpy(), stacked[5:], rtol=1e-12)


def _panel5(values: np.ndarray) -> Panel:
    return Panel.from_frame(pd.DataFrame({"code": list("VWXYZ"), "g": values[:, 0], "c": values[:, 1]}), code_column="code")


def test_pooled_zscore_uses_the_pooled_mean_and_sd():
    raw = _framework("pooled", method="zscore")
    raw["methodology"][0]["params"] = {"mean": 10, "sd": 2}
    built = run_years(parse_framework(raw), YEARS)
    g = np.array([10, 20, 30, 40, 20, 30.0])
    expected = (g - g.mean()) / g.std(ddof=1) * 2 + 10
    np.testing.assert_allclose(built[2010].datasets["normalised"]["g"], expected[:3])
    np.testing.assert_allclose(built[2020].datasets["normalised"]["g"], expected[3:])
    c = -np.array([5, 1, 3, 4, 2, 3.0])
    np.testing.assert_allclose(built[2020].datasets["normalised"]["c"], ((c - c.mean()) / c.std(ddof=1) * 2 + 10)[3:])


def test_change_reads_the_comparable_builds_and_method_json_records_them(tmp_path):
    fw = parse_framework(_framework("pooled"))
    r0, r1 = comparable_builds(fw, P2010, P2020)
    m = movers(r0, r1)
    assert m.loc["C", "d_score"] == pytest.approx(0.0, abs=1e-12)  # unchanged data, unchanged score
    detail = decompose_unit_change(fw, P2010, P2020, "A")
    assert detail.score1 - detail.score0 == pytest.approx(62.5)
    assert detail.table.loc[["g", "c"], "others"].abs().max() == pytest.approx(0.0, abs=1e-12)
    r1.write(tmp_path)
    record = json.loads((tmp_path / "method.json").read_text(encoding="utf-8"))
    assert record["time_comparison"]["normalise"] == "pooled" and record["time_comparison"]["reference_years"] == [0, 1]
    assert record["plan"]["time"] == {"normalise": "pooled"}
    with pytest.raises(BaiqiangError, match="年份"):
        comparable_builds(parse_framework(_framework("base_year")), P2010, P2020)


@pytest.mark.parametrize(("time", "message"), [
    ({"normalise": "base_year"}, "base_year"),
    ({"normalise": "pooled", "base_year": 2010}, "base_year"),
])
def test_time_section_is_validated(time, message):
    raw = _framework()
    raw["time"] = time
    with pytest.raises(FrameworkError, match=message):
        parse_framework(raw)


def test_pooled_needs_a_normalisation_with_bounds():
    with pytest.raises(FrameworkError, match=r"time\.normalise.*normalise\.rank has none"):
        parse_framework(_framework("pooled", method="rank"), source="fw.yaml")


def test_single_year_build_is_unchanged_by_the_time_section():
    np.testing.assert_allclose(_index(run(parse_framework(_framework("pooled")), P2020)), _index(run(parse_framework(_framework("year")), P2020)))
