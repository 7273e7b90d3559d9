"""CLI commands end to end, and explain_unit on the ASEM build."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from baiqiang.analysis.explain import all_contributions, explain_unit
from baiqiang.cli.main import app
from baiqiang.framework import load_framework
from baiqiang.pipeline import read_panel, run

ROOT = Path(__file__).parents[2]
FW = str(ROOT / "examples" / "asem" / "v1_default.yaml")
DATA = str(ROOT / "examples" / "asem" / "asem_data.csv")
SPEC = str(Path(__file__).parent / "data" / "asem_ua.yaml")
runner = CliRunner()


def test_explain_unit_on_asem():
    fw = load_framework(FW)
    res = run(fw, read_panel(DATA, fw))
    c = all_contributions(res)
    inds = [i.code for i in fw.indicators]
    np.testing.assert_allclose(c[inds].sum(axis=1), res.scores["Index"], rtol=1e-13)
    e = explain_unit(res, "China")   # by name as well as by code
    assert e.unit == "CHN" and e.rank == res.ranks.loc["CHN", "Index"]
    assert e.indicators["contribution"].sum() == e.score or abs(e.indicators["contribution"].sum() - e.score) < 1e-12
    assert abs(e.indicators["obstacle"].sum() - 1) < 1e-12
    assert (e.strengths["gap"] > 0).all() and (e.weaknesses["gap"] < 0).all()
    assert "CHN" not in e.peers.index and len(e.peers) == 5
    g = e.groups["EurAsia_group"]
    assert g.attrs["group"] == "Asia" and g.loc["Index", "group_size"] == 21


def test_uncertainty_and_sensitivity_commands(tmp_path):
    out = tmp_path / "ua"
    r = runner.invoke(app, ["uncertainty", FW, DATA, "--spec", SPEC, "-n", "64", "-o", str(out), "--seed", "3", "--no-xlsx"])
    assert r.exit_code == 0, r.output
    summary = pd.read_csv(out / "rank_summary.csv", index_col=0)
    assert len(summary) == 51 and {"median", "q_low", "q_high", "p_top_10"} <= set(summary.columns)
    assert len(pd.read_csv(out / "samples.csv")) == 64
    assert "排名不确定性" in r.output
    out2 = tmp_path / "sa"
    r = runner.invoke(app, ["sensitivity", FW, DATA, "--spec", SPEC, "-n", "16", "--boot", "10", "-o", str(out2), "--seed", "3"])
    assert r.exit_code == 0, r.output
    si = pd.read_csv(out2 / "sensitivity_indices.csv", index_col=0)
    assert list(si.index) == ["Winmax", "Normalisation", "Weights", "Aggregation"]
    assert (out2 / "sensitivity.xlsx").exists()


def test_explain_target_commands_and_errors(tmp_path):
    r = runner.invoke(app, ["explain", FW, DATA, "CHN", "-o", str(tmp_path / "ex")])
    assert r.exit_code == 0, r.output
    assert "障碍" in r.output and (tmp_path / "ex" / "indicators.csv").exists()
    r = runner.invoke(app, ["target", FW, DATA, "CHN", "--rank", "45", "--indicators", "UNVote,Renew"])
    assert r.exit_code == 0, r.output
    assert "标准差" in r.output
    r = runner.invoke(app, ["uncertainty", FW, DATA, "--spec", str(tmp_path / "none.yaml"), "-o", str(tmp_path / "x")])
    assert r.exit_code == 1
    r = runner.invoke(app, ["explain", FW, DATA, "NOPE"])
    assert r.exit_code == 1


def test_change_command(tmp_path):
    df = pd.read_csv(DATA)
    fw = load_framework(FW)
    cols = [i.code for i in fw.indicators]
    rng = np.random.default_rng(1)
    df[cols] = df[cols] * rng.uniform(0.8, 1.25, size=(len(df), len(cols)))
    year1 = tmp_path / "year1.csv"
    df.to_csv(year1, index=False)
    r = runner.invoke(app, ["change", FW, DATA, str(year1), "--unit", "CHN", "-o", str(tmp_path / "ch")])
    assert r.exit_code == 0, r.output
    movers = pd.read_csv(tmp_path / "ch" / "movers.csv", index_col=0)
    assert movers["check"].abs().max() < 1e-10 and len(movers) == 51
    unit = pd.read_csv(tmp_path / "ch" / "unit_change.csv", index_col=0)
    np.testing.assert_allclose(unit["own"] + unit["others"], unit["total"], atol=1e-12)
    assert "自身数据变化" in r.output
