"""BaiqiangError text: a single problem is printed once, several are listed."""

from __future__ import annotations

from typer.testing import CliRunner

from baiqiang.cli.main import app
from baiqiang.errors import BaiqiangError, DataError, Problem


def test_single_problem_printed_once():
    e = DataError.single("a.csv: 第 3 行", "不是数字：'abc'")
    assert str(e) == "a.csv: 第 3 行: 不是数字：'abc'"
    assert str(e).count("abc") == 1


def test_several_problems_listed_under_summary():
    e = BaiqiangError([Problem("a", "x"), Problem("b", "y")], summary="导入失败：2 处问题")
    assert str(e) == "导入失败：2 处问题\n  - a: x\n  - b: y"


def test_single_problem_with_distinct_summary_keeps_both():
    e = BaiqiangError([Problem("a.csv", "x")], summary="导入失败：1 处问题")
    assert str(e) == "导入失败：1 处问题\n  - a.csv: x"
    assert str(BaiqiangError([Problem("a", "x")])) == "1 problem(s) found\n  - a: x"


def test_cli_prints_single_error_once(tmp_path):
    missing = tmp_path / "nope.csv"
    res = CliRunner().invoke(app, ["resolve", "--file", str(missing)])
    assert res.exit_code == 1
    out = res.stderr if hasattr(res, "stderr") else res.output
    assert out.count("文件不存在") == 1


def test_english_rendering_of_located_problems():
    from baiqiang.errors import DataError, Problem

    err = DataError([Problem("a.csv: 第 3 行, 列 数值", "不是数字：'abc'", "non_numeric"),
                     Problem("a.csv: 第 4、7 行", "单位 330784 的 gdp（2020 年）重复出现", "duplicate"),
                     Problem("x.yaml: weights", "某个没有英文的提示", "something_else")], summary="导入失败")
    assert err.render("zh") == str(err)
    assert err.render("en").splitlines() == [
        "3 problem(s) found",
        "  - a.csv: row 3, column 数值: not a number (不是数字：'abc')",
        "  - a.csv: row 4, 7: given more than once (单位 330784 的 gdp（2020 年）重复出现)",
        "  - x.yaml: weights: 某个没有英文的提示",
    ]
    assert DataError.single("b.csv", "文件不存在", "file_missing").render("en") == "b.csv: file not found (文件不存在)"
