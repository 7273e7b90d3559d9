"""Re-imports, conflicts, dry runs, undo, export, store paths, reports and killed imports (real files, real CLI)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pandas as pd
from typer.testing import CliRunner

from baiqiang.cli.main import app
from baiqiang.data.store import Store

runner = CliRunner()
GOOD = "地区,地区生产总值,常住人口\n永康市,745.6,98.6\n义乌市,2055.5,189.9\n"


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def active(db: Path) -> dict[tuple[str, str, int], float | None]:
    with Store(db, read_only=True) as s:
        rows = s.con.execute("SELECT unit_code, indicator, year, value FROM observations WHERE active").fetchall()
    return {(u, i, y): v for u, i, y, v in rows}


def rows(db: Path) -> list[tuple]:
    with Store(db, read_only=True) as s:
        return s.con.execute("SELECT * FROM observations ORDER BY ALL").fetchall()


def _store(tmp_path: Path) -> Path:
    db = tmp_path / "s.duckdb"
    (tmp_path / "good.csv").write_text(GOOD, encoding="utf-8")
    assert run("import", tmp_path / "good.csv", "--db", db, "--year", 2023).exit_code == 0
    return db


def test_blank_and_dash_never_replace_a_stored_value(tmp_path):
    db = _store(tmp_path)
    later = tmp_path / "later.csv"
    later.write_text("地区,地区生产总值,常住人口\n义乌市,2100.0,…\n永康市,,—\n沛县,1300,120\n", encoding="utf-8")
    result = run("import", later, "--db", db, "--year", 2023)
    assert result.exit_code == 0, result.output
    assert "空值未覆盖已有值：3 个单元格" in result.output
    got = active(db)
    assert got[("330784", "gdp", 2023)] == 745.6 and got[("330784", "population", 2023)] == 98.6
    assert got[("330782", "gdp", 2023)] == 2100.0 and got[("330782", "population", 2023)] == 189.9


def test_conflicts_show_both_values_and_sources(tmp_path):
    db = _store(tmp_path)
    later = tmp_path / "revised.csv"
    later.write_text("地区,地区生产总值\n永康市,750.1\n", encoding="utf-8")
    result = run("import", later, "--db", db, "--year", 2023, "--source", "2024年鉴")
    assert result.exit_code == 0
    assert "745.6" in result.output and "750.1" in result.output
    assert "good.csv" in result.output and "2024年鉴" in result.output


def test_non_finite_and_short_rows_are_refused_with_their_row(tmp_path):
    db = _store(tmp_path)
    before = rows(db)
    for text, where in (("地区,地区生产总值\n永康市,1e309\n", "bad.csv 第 2 行"),
                        ("地区,地区生产总值,常住人口\n永康市,800\n", "bad.csv: 第 2 行"),
                        ("地区,地区生产总值\n永康市,1,2\n", "bad.csv: 第 2 行")):
        (tmp_path / "bad.csv").write_text(text, encoding="utf-8")
        result = run("import", tmp_path / "bad.csv", "--db", db, "--year", 2023)
        assert result.exit_code == 1 and where in result.output, result.output
        assert rows(db) == before


def test_dry_run_reports_and_writes_nothing(tmp_path):
    db = _store(tmp_path)
    before, size = rows(db), db.stat().st_size
    (tmp_path / "new.csv").write_text("地区,地区生产总值\n永康市,800\n沛县,1200\n", encoding="utf-8")
    result = run("import", tmp_path / "new.csv", "--db", db, "--year", 2023, "--dry-run")
    assert result.exit_code == 0 and "试运行" in result.output and "新增 1，变化 1" in result.output
    assert rows(db) == before and db.stat().st_size == size
    assert (tmp_path / "new.resolution.csv").exists()


def test_undo_restores_the_previous_versions(tmp_path):
    db = _store(tmp_path)
    (tmp_path / "r.csv").write_text("地区,地区生产总值\n永康市,800\n沛县,1200\n", encoding="utf-8")
    assert run("import", tmp_path / "r.csv", "--db", db, "--year", 2023).exit_code == 0
    assert active(db)[("330784", "gdp", 2023)] == 800
    result = run("store", "undo", 2, "--db", db)
    assert result.exit_code == 0 and "移除 2 条" in result.output
    got = active(db)
    assert got[("330784", "gdp", 2023)] == 745.6 and ("320322", "gdp", 2023) not in got
    again = run("store", "undo", 2, "--db", db)
    assert again.exit_code == 1 and "已撤销" in again.output
    assert run("store", "undo", 9, "--db", db).exit_code == 1


def test_export_csv_and_xlsx_with_names(tmp_path):
    db = _store(tmp_path)
    assert run("store", "export", "-o", tmp_path / "o.csv", "--db", db).exit_code == 0
    df = pd.read_csv(tmp_path / "o.csv", dtype={"单位代码": str})
    assert set(df["单位名称"]) == {"永康市", "义乌市"} and set(df["指标名称"]) == {"地区生产总值", "常住人口"}
    assert df.loc[df["单位代码"].eq("330784") & df["指标代码"].eq("gdp"), "数值"].item() == 745.6
    assert run("store", "export", "-o", tmp_path / "o.xlsx", "--db", db, "--year", 2023).exit_code == 0
    ws = openpyxl.load_workbook(tmp_path / "o.xlsx")["观测值"]
    assert ws["A1"].value == "单位代码" and ws.max_row == 5
    assert run("store", "export", "-o", tmp_path / "o.txt", "--db", db).exit_code == 1


def test_db_must_be_a_duckdb_file_or_a_new_store_path(tmp_path):
    (tmp_path / "good.csv").write_text(GOOD, encoding="utf-8")
    for target in ("existing.csv", "new.parquet", "dir"):
        p = tmp_path / target
        if target == "existing.csv":
            p.write_text("a,b\n1,2\n", encoding="utf-8")
        if target == "dir":
            p.mkdir()
        result = run("import", tmp_path / "good.csv", "--db", p, "--year", 2023)
        assert result.exit_code == 1 and str(p) in result.output, result.output
    assert (tmp_path / "existing.csv").read_text(encoding="utf-8") == "a,b\n1,2\n"
    assert not (tmp_path / "new.parquet").exists()


def test_report_problems_are_found_before_anything_is_imported(tmp_path):
    db = _store(tmp_path)
    before = rows(db)
    (tmp_path / "r.csv").write_text("地区,地区生产总值\n永康市,800\n", encoding="utf-8")
    (tmp_path / "adir").mkdir()
    result = run("import", tmp_path / "r.csv", "--db", db, "--year", 2023, "--report", tmp_path / "adir")
    assert result.exit_code == 1 and "--report" in result.output
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        if not os.access(ro, os.W_OK):  # root can write anywhere: the check is then moot
            result = run("import", tmp_path / "r.csv", "--db", db, "--year", 2023, "--report", ro / "r.csv")
            assert result.exit_code == 1 and "只读" in result.output
    finally:
        ro.chmod(0o700)
    assert rows(db) == before


def test_year_out_of_range(tmp_path):
    (tmp_path / "good.csv").write_text(GOOD, encoding="utf-8")
    result = run("import", tmp_path / "good.csv", "--db", tmp_path / "s.duckdb", "--year", 99999)
    assert result.exit_code == 1 and "--year" in result.output and "99999" in result.output


def test_a_killed_import_leaves_the_store_unchanged(tmp_path, registry):
    db = _store(tmp_path)
    before, size = rows(db), db.stat().st_size
    codes = registry.county_level()["code"].tolist()[:2000]
    big = tmp_path / "big.csv"
    with open(big, "w", encoding="utf-8") as f:
        f.write("区划代码,年份,指标,数值\n")
        for year in range(1990, 2020):
            f.writelines(f"{c},{year},地区生产总值,{k}.5\n" for k, c in enumerate(codes))
    cli = Path(sys.executable).with_name("baiqiang")
    proc = subprocess.Popen([str(cli), "import", str(big), "--db", str(db)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".s.duckdb.importing-*")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    time.sleep(0.3)  # into the import proper
    assert proc.poll() is None, "the import finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert db.stat().st_size == size and rows(db) == before
    assert run("store", "info", "--db", db).exit_code == 0  # and the store opens as before


def test_demo_keeps_an_existing_store_unless_forced(tmp_path, monkeypatch):
    """Re-running ``baiqiang demo`` must not replace census.duckdb, where the README has users import."""
    import baiqiang.report.demo as demo_module

    def tiny_demo(store_path):  # the real demo takes ~20 s; the store handling is what is tested here
        with Store(store_path) as s:
            s.ensure_registry()
        return demo_module.DemoResult()

    monkeypatch.setattr(demo_module, "run_demo", tiny_demo)
    monkeypatch.setattr(demo_module, "write_demo", lambda result, outdir: [])
    monkeypatch.setattr(demo_module, "write_publication", lambda result, outdir, pdf=True: {})
    import baiqiang.cli.demo as cli_demo

    monkeypatch.setattr(cli_demo, "_report", lambda result, out, files, top: None)
    out = tmp_path / "baiqiang-demo"
    out.mkdir()
    (tmp_path / "good.csv").write_text(GOOD, encoding="utf-8")
    assert run("import", tmp_path / "good.csv", "--db", out / "census.duckdb", "--year", 2023).exit_code == 0
    before = rows(out / "census.duckdb")
    result = run("demo", "-o", out)
    assert result.exit_code == 0 and "未替换" in result.output, result.output
    assert rows(out / "census.duckdb") == before
    forced = run("demo", "-o", out, "--force")
    assert forced.exit_code == 0 and "备份" in forced.output
    backups = list(out.glob("census.duckdb.bak-*"))
    assert len(backups) == 1 and rows(backups[0]) == before and rows(out / "census.duckdb") == []
