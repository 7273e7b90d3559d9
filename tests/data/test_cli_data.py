"""``baiqiang import / resolve / units / store``: real files, a real DuckDB file, real exit codes."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from baiqiang.cli.main import app

CATALOG = (
    "code,name_zh,name_en,unit,definition,aliases\n"
    "gdp,地区生产总值,GDP,亿元,,GDP;生产总值\n"
    "pop,常住人口,Population,万人,,人口\n"
    "birth,出生率,Birth rate,%,,\n"
)

YEARBOOK = [
    ["表 2-1 各县主要指标（2020年）"],
    [None],
    ["地区", "地区生产总值（万元）", "人口", "出生率\n（‰）", "备注"],
    [None, None, "（万人）", None, None],
    ["全国", 1000000000, 141178, 8.5, None],
    ["浙江省", 64613000, 6468, 9.0, None],
    ["永康市", 6500000, 96.4, 10.5, None],
    ["沛　县", "—", 110.0, "…", None],
    ["鼓楼区", 1200000, 50, 7, None],
    ["不存在县", 1, 1, 1, None],
    ["注：本表数据来源于统计年鉴。"],
]


def run(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


def _xlsx(path, rows, title="表1"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    wb.save(path)


@pytest.fixture()
def files(tmp_path):
    cat = tmp_path / "catalog.csv"
    cat.write_text(CATALOG, encoding="utf-8")
    book = tmp_path / "yearbook.xlsx"
    _xlsx(book, YEARBOOK)
    return tmp_path, cat, book


def _count(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def test_import_xlsx_summary_report_and_values(files):
    tmp, cat, book = files
    db = tmp / "s.duckdb"
    res = run("import", book, "--db", db, "--year", 2020, "--catalog", cat, "--sheet", "表1")
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "行：已导入 2，合计/小计 2，有歧义 1，未匹配 1" in out
    assert "观测值：新增 6，变化 0，未变 0" in out
    assert "未映射的列（1）：备注" in out and "脚注行：1" in out
    report = pd.read_csv(tmp / "yearbook.resolution.csv", dtype=str, encoding="utf-8-sig").fillna("")
    assert list(report["status"]) == ["subtotal", "subtotal", "imported", "imported", "ambiguous", "unmatched"]
    assert list(report["row"]) == ["5", "6", "7", "8", "9", "10"]  # 1-based rows of the workbook
    assert "320106 江苏省南京市鼓楼区" in report.set_index("name").at["鼓楼区", "candidates"]
    con = duckdb.connect(str(db), read_only=True)
    vals = dict(con.execute("SELECT indicator, value FROM observations WHERE unit_code='330784'").fetchall())
    con.close()
    assert vals == pytest.approx({"gdp": 650.0, "pop": 96.4, "birth": 1.05})  # 万元→亿元, ‰→%
    # Same file again: idempotent, no new batch.
    again = run("import", book, "--db", db, "--year", 2020, "--report", tmp / "r2.csv")
    assert again.exit_code == 0 and "未变 6" in again.stdout and "未新建批次" in again.stdout
    assert (tmp / "r2.csv").exists()
    assert _count(db, "SELECT count(*) FROM import_batches") == 1


def test_import_gbk_csv_conflict_history_pin(files):
    tmp, cat, _ = files
    db = tmp / "s.duckdb"
    gbk = tmp / "gbk.csv"
    gbk.write_bytes("省份,地级市,县,GDP\n江苏省,南京市,鼓楼区,1500\n浙江省,金华市,永康市,700\n".encode("gbk"))
    res = run("import", gbk, "--db", db, "--year", 2021, "--catalog", cat)
    assert res.exit_code == 0, res.output
    assert "行：已导入 2，合计/小计 0，有歧义 0，未匹配 0" in res.stdout
    changed = tmp / "changed.csv"
    changed.write_text("县,GDP\n永康市,710\n", encoding="utf-8")
    res = run("import", changed, "--db", db, "--year", 2021, "--source", "修订数")
    assert res.exit_code == 0 and "变化 1" in res.stdout and "新旧版本均保留" in res.stdout
    hist = run("store", "history", "永康", "生产总值", "--db", db, "--format", "csv")
    assert hist.exit_code == 0, hist.output
    h = pd.read_csv(io.StringIO(hist.stdout))
    assert list(h["value"]) == [700.0, 710.0] and list(h["active"]) == [False, True]
    assert list(h["batch_id"]) == [1, 2] and list(h["batch_source"]) == ["gbk.csv", "修订数"]
    pin = run("store", "pin", "330784", "gdp", "--year", 2021, "--version", 1, "--db", db)
    assert pin.exit_code == 0 and "第 1 版（数值 700.0）" in pin.stdout
    assert _count(db, "SELECT value FROM observations WHERE active AND unit_code='330784'") == 700.0
    info = run("store", "info", "--db", db)
    assert info.exit_code == 0
    assert "观测值 3 条（2 个单元格，有效 2，多版本单元格 1，钉住 1）" in info.stdout
    bad_pin = run("store", "pin", "330784", "gdp", "--year", 2021, "--version", 9, "--db", db)
    assert bad_pin.exit_code == 1 and "版本 9 不存在" in bad_pin.stderr
    unpin = run("store", "unpin", "永康市", "gdp", "--year", 2021, "--db", db)
    assert unpin.exit_code == 0 and "第 2 版（数值 710.0）" in unpin.stdout
    amb = run("store", "history", "鼓楼区", "gdp", "--db", db)
    assert amb.exit_code == 1 and "有多个同名单位" in amb.stderr


def test_failed_import_leaves_store_unchanged(files):
    tmp, cat, book = files
    db = tmp / "s.duckdb"
    assert run("import", book, "--db", db, "--year", 2020, "--catalog", cat).exit_code == 0
    before = _count(db, "SELECT count(*) FROM observations")
    bad = tmp / "bad.csv"
    bad.write_text("地区,GDP,人口\n永康市,12,abc\n沛县,1,2\n", encoding="utf-8")
    res = run("import", bad, "--db", db, "--year", 2021)
    assert res.exit_code == 1
    assert "bad.csv: 第 2 行, 列 '人口'" in res.stderr and "不是数字：'abc'" in res.stderr
    assert "数据库未改动" in res.stderr
    assert _count(db, "SELECT count(*) FROM observations") == before
    assert not (tmp / "bad.resolution.csv").exists()
    # A failed first import into a new file leaves no database behind, even with --catalog.
    fresh = tmp / "fresh.duckdb"
    res = run("import", bad, "--db", fresh, "--year", 2021, "--catalog", cat)
    assert res.exit_code == 1 and not fresh.exists()
    # Wrong sheet, corrupt workbook, missing file, --long on a wide table.
    res = run("import", book, "--db", db, "--year", 2020, "--sheet", "不存在")
    assert res.exit_code == 1 and "工作表 '不存在' 不存在；现有：表1" in res.stderr
    corrupt = tmp / "corrupt.xlsx"
    corrupt.write_bytes(b"not a zip")
    res = run("import", corrupt, "--db", db, "--year", 2020)
    assert res.exit_code == 1 and "不是有效的 XLSX" in res.stderr
    res = run("import", tmp / "missing.csv", "--db", db)
    assert res.exit_code == 1 and "文件不存在" in res.stderr
    res = run("import", book, "--db", db, "--year", 2020, "--long")
    assert res.exit_code == 1 and "长表需要指标列" in res.stderr
    assert _count(db, "SELECT count(*) FROM observations") == before


def test_import_long_parquet(files):
    tmp, cat, _ = files
    db = tmp / "s.duckdb"
    p = tmp / "long.parquet"
    pd.DataFrame({"code": ["330784", "330784"], "year": [2019, 2020], "indicator": ["GDP", "生产总值"],
                  "value": [600.0, 650.0]}).to_parquet(p)
    res = run("import", p, "--db", db, "--long", "--catalog", cat)
    assert res.exit_code == 0, res.output
    assert "新增 2" in res.stdout
    assert _count(db, "SELECT sum(value) FROM observations WHERE indicator='gdp'") == 1250.0


def test_resolve_names_and_file(tmp_path):
    res = run("resolve", "永康", "浙江省金华市永康市", "沛　县", "吴江市", "鼓楼区", "不存在县", "--format", "csv")
    assert res.exit_code == 0, res.output
    df = pd.read_csv(io.StringIO(res.stdout), dtype=str).fillna("")
    assert list(df["status"]) == ["matched"] * 4 + ["ambiguous", "unmatched"]
    assert list(df["code"][:4]) == ["330784", "330784", "320322", "320509"]
    assert df.at[4, "candidates"].count(";") >= 3 and "320106" in df.at[4, "candidates"]
    old = run("resolve", "吴江市", "--keep-old", "--format", "csv")
    assert pd.read_csv(io.StringIO(old.stdout), dtype=str).at[0, "code"] == "320584"
    table = run("resolve", "鼓楼区", "--province", "江苏")
    assert table.exit_code == 0 and "共 1 个：已匹配 0，有歧义 1，未匹配 0" in table.stdout
    # A GBK CSV with province columns narrows shared names.
    f = tmp_path / "names.csv"
    f.write_bytes("省份,县\n福建省,鼓楼区\n,朝阳区\n浙江,永康\n".encode("gbk"))
    out = tmp_path / "out" / "resolved.csv"
    res = run("resolve", "--file", f, "-o", out)
    assert res.exit_code == 0, res.output
    r = pd.read_csv(out, dtype=str, encoding="utf-8-sig").fillna("")
    assert list(r["status"]) == ["matched", "ambiguous", "matched"]
    assert list(r["code"]) == ["350102", "", "330784"]
    assert "已匹配 2，有歧义 1，未匹配 0" in res.stdout
    both = run("resolve", "永康", "--file", f)
    assert both.exit_code == 1 and "二者选一" in both.stderr
    assert run("resolve", "永康", "--format", "json").exit_code == 1


def test_units_filters(tmp_path):
    res = run("units", "--province", "浙江", "--type", "县级市", "--format", "csv")
    assert res.exit_code == 0, res.output
    df = pd.read_csv(io.StringIO(res.stdout), dtype=str)
    assert "330784" in set(df["code"]) and set(df["type"]) == {"县级市"} and set(df["province"]) == {"浙江省"}
    assert len(df) == 20  # Zhejiang's county-level cities in the registry snapshot
    out = tmp_path / "u.csv"
    assert run("units", "--province", "33", "-o", out).exit_code == 0
    assert len(pd.read_csv(out, dtype=str, encoding="utf-8-sig")) >= 90
    bad = run("units", "--type", "县城")
    assert bad.exit_code == 1 and "未知类型 '县城'" in bad.stderr
    assert bad.stderr.count("未知类型") == 1  # single problem printed once


def test_store_commands_need_existing_file(tmp_path):
    res = run("store", "info", "--db", tmp_path / "none.duckdb")
    assert res.exit_code == 1 and "数据库文件不存在" in res.stderr
    assert not (tmp_path / "none.duckdb").exists()


def test_progress_only_when_asked_or_on_a_terminal(tmp_path, monkeypatch):
    """Captured (non-terminal) output is the same by default and with --no-progress; --progress adds stage lines."""
    monkeypatch.chdir(tmp_path)  # relative paths: the messages do not depend on the folder
    Path("long.csv").write_text("区划代码,年份,指标,数值\n330784,2020,地区生产总值,612.5\n", encoding="utf-8")
    results = {}
    for db, extra in (("a.duckdb", []), ("b.duckdb", ["--no-progress"]), ("c.duckdb", ["--progress"])):
        res = CliRunner().invoke(app, ["import", "long.csv", "--db", db, *extra])
        assert res.exit_code == 0, res.output
        results[db] = (res.stdout.replace(db, "DB"), res.stderr)
    assert results["a.duckdb"] == results["b.duckdb"]
    assert results["a.duckdb"][1] == ""  # nothing on stderr
    assert results["c.duckdb"][0] == results["a.duckdb"][0]  # stdout unchanged
    assert results["c.duckdb"][1].splitlines() == [
        "导入：读取…", "导入：检查…", "导入：解析单位…", "导入：解析数值…", "导入：写入…", "导入：写出报告…", "导入：提交…"]
