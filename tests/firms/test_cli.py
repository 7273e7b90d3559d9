"""End to end through the CLI: generate → import → indicators (DuckDB, store) → build, and errors without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
from typer.testing import CliRunner

from baiqiang.cli.main import app

from .conftest import ENTERPRISES, RECIPES, ROOT, write_tiny

FRAMEWORK = ROOT / "frameworks" / "caict_style.yaml"


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_generate_import_indicators_build(tmp_path: Path) -> None:
    gen, data = tmp_path / "gen", tmp_path / "data"
    assert run("firms", "generate", "-o", gen, "--n", 20000, "--seed", 5).exit_code == 0
    assert run("firms", "import", gen, "-o", data).exit_code == 0
    again = run("firms", "import", gen, "-o", data)
    assert again.exit_code == 0 and "输入未变化" in again.output
    panel, store = tmp_path / "panel.parquet", tmp_path / "s.duckdb"
    res = run("firms", "indicators", RECIPES, "--data", data, "-o", panel, "--store", store)
    assert res.exit_code == 0, res.output
    frame = pd.read_parquet(panel)
    assert {"code", "name", "type", "province", "gs_output", "hightech_share", "chain_nev"} <= set(frame.columns)
    provenance = json.loads((tmp_path / "panel.parquet.provenance.json").read_text(encoding="utf-8"))
    manifest = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
    assert provenance["data_checksum"] == manifest["data_checksum"] and provenance["year"] == 2023
    assert len(provenance["recipe_definitions"]) == 45
    n_obs = duckdb.connect(str(store), read_only=True).execute(
        "SELECT count(*) FROM observations WHERE indicator = 'gs_output' AND year = 2023").fetchone()[0]
    assert n_obs == len(frame)
    out = tmp_path / "out"
    built = run("build", FRAMEWORK, panel, "-o", out, "--top", 3)
    assert built.exit_code == 0, built.output
    scores = pd.read_csv(out / "scores.csv", dtype={"unit_code": str})
    assert len(scores) > 1000 and scores["rank"].min() == 1


def test_import_error_is_located_without_traceback(tmp_path: Path) -> None:
    src = write_tiny(tmp_path / "in")
    bad = ENTERPRISES.copy()
    bad.loc[0, "county"] = "12345"
    bad.to_csv(src / "enterprises.csv", index=False)
    res = run("firms", "import", src, "-o", tmp_path / "out")
    assert res.exit_code == 1
    assert "第 2 行 列「county」" in res.output and "Traceback" not in res.output


def test_unknown_engine_is_an_error(tmp_path: Path, tiny_dataset: Path) -> None:
    res = run("firms", "indicators", RECIPES, "--data", tiny_dataset, "-o", tmp_path / "p.parquet", "--engine", "hive")
    assert res.exit_code == 1 and "未知引擎 hive" in res.output
