"""Change decomposition adds up exactly; target solutions reach the target rank."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from baiqiang.analysis.change import decompose_unit_change, movers
from baiqiang.analysis.target import solve_target
from baiqiang.framework import load_framework
from baiqiang.pipeline import read_panel, run

ASEM = Path(__file__).parents[2] / "examples" / "asem"


@pytest.fixture(scope="module")
def v2():
    fw = load_framework(ASEM / "v2_minmax_arith.yaml")
    return fw, read_panel(ASEM / "asem_data.csv", fw)


def _next_year(fw, panel, seed=0):
    rng = np.random.default_rng(seed)
    frame = panel.frame.copy()
    cols = [i.code for i in fw.indicators]
    frame[cols] = frame[cols].astype(float) * rng.uniform(0.8, 1.25, size=(len(frame), len(cols)))
    return dataclasses.replace(panel, frame=frame, checksum="")


def test_change_decomposition_adds_up(v2):
    fw, p0 = v2
    p1 = _next_year(fw, p0)
    r0, r1 = run(fw, p0), run(fw, p1)
    m = movers(r0, r1)
    assert np.abs(m["check"]).max() < 1e-10
    assert (m["d_rank"].abs().diff().dropna() <= 0).all()   # biggest movers first
    unit = m.index[0]
    ch = decompose_unit_change(fw, p0, p1, unit, results=(r0, r1))
    inds = [i.code for i in fw.indicators]
    t = ch.table.loc[inds]
    np.testing.assert_allclose(t["own"] + t["others"], t["total"], atol=1e-12)
    assert t["total"].sum() == pytest.approx(ch.score1 - ch.score0, abs=1e-10)
    assert t["own"].sum() == pytest.approx(ch.score_cf - ch.score0, abs=1e-10)
    assert ch.rank_change_own + ch.rank_change_others == ch.rank1 - ch.rank0
    # a unit whose data does not change moves only because of the others
    frame = p1.frame.copy()
    frame.loc[unit, inds] = p0.frame.loc[unit, inds].to_numpy(dtype=float)
    p1b = dataclasses.replace(p1, frame=frame)
    ch2 = decompose_unit_change(fw, p0, p1b, unit)
    assert np.abs(ch2.table.loc[inds, "own"]).max() < 1e-12 and ch2.rank_cf == ch2.rank0


@pytest.mark.parametrize("variant,unit,k", [("v2_minmax_arith", "CHN", 10), ("v4_minmax_geom", "IND", 20), ("v1_default", "CHN", 45)])
def test_target_solution_reaches_rank_when_applied(variant, unit, k):
    fw = load_framework(ASEM / f"{variant}.yaml")
    panel = read_panel(ASEM / "asem_data.csv", fw)
    res = solve_target(fw, panel, unit, k, single=False)
    assert res.reachable and res.current_rank > k and res.verified_rank <= k

    def rank_with(values):
        frame = panel.frame.copy()
        cols = list(res.plan.index)
        frame[cols] = frame[cols].astype(float)
        frame.loc[unit, cols] = values
        r = run(fw, dataclasses.replace(panel, frame=frame))
        return r.ranks.loc[unit, r.root]

    assert rank_with(res.plan["required"].to_numpy()) <= k
    # and it is (nearly) the smallest: 0.1% less improvement does not reach rank K
    less = res.plan["current"].to_numpy() + 0.999 * res.plan["increase"].to_numpy()
    assert rank_with(less) > k


def test_target_errors_and_trivial_case(v2):
    from baiqiang.errors import BaiqiangError
    fw, panel = v2
    with pytest.raises(BaiqiangError):
        solve_target(fw, panel, "CHN", 0)
    with pytest.raises(BaiqiangError):
        solve_target(fw, panel, "XXX", 3)
    r = solve_target(fw, panel, "CHN", 30, indicators=["LPI"], single=False)
    assert r.t == 0 and r.method == "already"


def _moved_panel(panel, unit, codes, values):
    frame = panel.frame.copy()
    frame[codes] = frame[codes].astype(float)
    frame.loc[unit, codes] = values
    return dataclasses.replace(panel, frame=frame, checksum="")


def _with_indicator_denominator(tmp_path):
    """v1_default with Goods divided by LPI, itself an indicator: moving LPI moves Goods's ratio too."""
    import yaml

    spec = yaml.safe_load((ASEM / "v1_default.yaml").read_text(encoding="utf-8"))
    goods = next(i for i in spec["indicators"] if i["code"] == "Goods")
    goods["denominator"] = "LPI"
    path = tmp_path / "v1_lpi_denominator.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return load_framework(path)


@pytest.mark.parametrize("variant", ["v1_default", "v4_minmax_geom", "lpi_denominator"])
def test_target_rebuild_equals_full_run_to_the_bit(variant, tmp_path):
    """The solver's cheap rebuild (arrays swapped into the engine) gives the scores of a full run on the moved panel."""
    from baiqiang.analysis.target import _Moves, _Rebuild
    from baiqiang.framework.plan import Plan

    fw = _with_indicator_denominator(tmp_path) if variant == "lpi_denominator" else load_framework(ASEM / f"{variant}.yaml")
    panel = read_panel(ASEM / "asem_data.csv", fw)
    codes, unit = ["LPI", "Flights"], "IND"
    current = panel.frame.loc[unit, codes].to_numpy(dtype=float)
    moves = _Moves(codes, current, np.array([0.4, 7.0]), [None, None])
    build = _Rebuild.of(Plan.of(fw), panel, unit, moves, None)
    for t in (0.0, 0.37, 2.5):
        full = run(fw, _moved_panel(panel, unit, codes, moves.raw(t)))
        np.testing.assert_array_equal(build.scores(t), full.scores[full.root].reindex(panel.select(fw).frame.index).to_numpy())
        assert build.rank_at(t)[0] == full.ranks.loc[unit, full.root]
    assert bool(build.divides) == (variant == "lpi_denominator")  # the moved LPI also divides Goods there


def test_target_matches_a_hand_computed_solution():
    """Tiny framework, no normalisation: Idx = (mean(a, b) + 3 c) / 4, so every answer is a line's root.

    Scores: U1 1.25, U2 4.25, U3 8.75, U4 2.00 (rank 3).  Sample sds: c 4.5, a sqrt(56.75 / 3).
    Rank 2 needs Idx(U4) >= 4.25: c alone c >= 4 (t = 3 / 4.5), a alone (a + 2) / 2 >= 14
    (a >= 26, t = 18 / sd_a); both, (10 + sd_a t) / 2 + 3 (1 + 4.5 t) >= 17, t = 9 / (sd_a / 2 + 13.5).
    Rank 1 needs Idx >= 8.75 (a tie with U3 shares rank 1): c >= 10, t = 2.
    """
    import pandas as pd

    from baiqiang.pipeline.panel import panel_for

    from .conftest import tiny_framework

    fw = tiny_framework()
    panel = panel_for(pd.DataFrame({"unit_code": ["U1", "U2", "U3", "U4"], "a": [0, 10, 5, 8.0], "b": [10, 0, 5, 2.0],
                                    "c": [0, 4, 10, 1.0]}), fw)
    sd_a = np.sqrt(56.75 / 3)
    r2 = solve_target(fw, panel, "U4", 2, indicators=["c", "a"])
    assert r2.current_rank == 3 and r2.verified_rank == 2
    assert r2.t == pytest.approx(9 / (sd_a / 2 + 13.5), rel=1e-8)
    np.testing.assert_allclose(r2.plan["sd"], [4.5, sd_a], rtol=1e-12)
    np.testing.assert_allclose(r2.single["increase_sd"], [3 / 4.5, 18 / sd_a], rtol=1e-8)
    np.testing.assert_allclose(r2.single["increase"], [3.0, 18.0], rtol=1e-8)
    r1 = solve_target(fw, panel, "U4", 1, indicators=["c"])
    assert r1.t == pytest.approx(2.0, rel=1e-8) and r1.plan.loc["c", "required"] == pytest.approx(10.0, rel=1e-8)
    assert r1.verified_rank == 1
