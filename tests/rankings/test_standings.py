"""A unit's standing in a named list, and targets counted in that list (explain and target agree with the list)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from baiqiang.analysis.target import solve_target
from baiqiang.cli.main import app
from baiqiang.pipeline import read_panel
from baiqiang.rankings.apply import standings

from .conftest import BASE, COUNTIES, INDEX, build, framework

# pop >= 55 lets A (100), C (80) and E (60) through; B (50), D (40) and F (20) fail.
GATED = {"gates": [{"id": "big", "name": "人口门槛", "when": {"column": "pop", "op": ">=", "value": 55, "label": "人口", "unit": "万人"}}],
         "lists": [{"id": "top2", "name": "前二", "gates": ["big"], "top": 2}]}


def test_standing_counts_only_the_units_through_the_gates() -> None:
    o = build(framework(rankings=GATED))
    a, = standings(o, "A")
    # Among A 60, C 52.5, E 61.25 (B's 68.75 is gated out): A is 2nd, not 3rd as overall.
    assert (a.rank, a.eligible, a.status, a.top) == (2, 3, "入选", 2) and a.ranks_index_score
    assert sorted(a.competitors) == ["A", "C", "E"]
    c, = standings(o, "C")
    assert (c.rank, c.status) == (3, "未入选")
    b, = standings(o, "B")
    assert b.rank is None and b.status == "未达门槛" and "人口" in b.reason


def test_target_in_a_list_beats_only_its_competitors() -> None:
    fw = framework(rankings=GATED)
    panel = read_panel(COUNTIES, fw)
    among = standings(build(fw), "C")[0].competitors
    in_list = solve_target(fw, panel, "C", 1, indicators=["gdp"], among=among, single=False)
    overall = solve_target(fw, panel, "C", 1, indicators=["gdp"], single=False)
    assert in_list.current_rank == 3 and overall.current_rank == 4
    assert in_list.reachable and in_list.verified_rank == 1
    # First in the list means passing E (61.25), not B (68.75): C's gdp stays below A's maximum, so the
    # min-max span and E's score are unchanged and the smallest such move ends exactly on E's score.
    assert in_list.verified_score == pytest.approx(INDEX["E"], rel=1e-6)
    assert overall.verified_rank == 1 and in_list.t < overall.t


def _framework_file(tmp_path: Path) -> Path:
    path = tmp_path / "gated.yaml"
    path.write_text(yaml.safe_dump({**BASE, "rankings": GATED}, allow_unicode=True), encoding="utf-8")
    return path


def test_cli_explain_and_target_state_the_list_rank(tmp_path: Path) -> None:
    runner = CliRunner()
    fw = _framework_file(tmp_path)
    explained = runner.invoke(app, ["explain", str(fw), str(COUNTIES), "A", "-o", str(tmp_path / "ex")])
    assert explained.exit_code == 0, explained.output
    assert "综合排名第 3 名 / 共 6 个参评单位" in explained.output
    assert "榜单「前二」：第 2 名 / 共 3 个通过门槛的单位（入选，前 2 名入选）" in explained.output
    assert (tmp_path / "ex" / "lists.csv").read_text(encoding="utf-8").count("前二") == 1
    gated = runner.invoke(app, ["explain", str(fw), str(COUNTIES), "B"])
    assert "榜单「前二」：未达门槛（" in gated.output

    target = runner.invoke(app, ["target", str(fw), str(COUNTIES), "C", "--rank", "1", "--indicators", "gdp"])
    assert target.exit_code == 0, target.output
    assert "名次口径：榜单「前二」（3 个通过门槛的单位）；当前第 3 名，目标第 1 名" in target.output.replace("\n", "")
    refused = runner.invoke(app, ["target", str(fw), str(COUNTIES), "B", "--rank", "1", "--list", "top2"])
    assert refused.exit_code == 1 and "未达门槛" in refused.output and "Traceback" not in refused.output
    unknown = runner.invoke(app, ["target", str(fw), str(COUNTIES), "C", "--rank", "1", "--list", "nope"])
    assert unknown.exit_code != 0 and "top2" in unknown.output
