"""``baiqiang extract`` / ``baiqiang review`` through the real CLI app."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from baiqiang.cli.main import app
from baiqiang.extract import FACT_FIELDS

DATA = Path(__file__).parent / "data"
runner = CliRunner()


def test_jsonl_has_exactly_the_fact_fields():
    res = runner.invoke(app, ["extract", str(DATA / "seed_raw.txt")])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert len(rows) >= 57
    assert all(tuple(r) == FACT_FIELDS for r in rows)
    assert rows[0]["indicator"] == "全国工业县（市）百强榜单" and rows[0]["value"] == 45


def test_stdin_gbk_and_csv():
    text = "全县地区生产总值612.4亿元，增长6.2%。"
    res = runner.invoke(app, ["extract", "-", "--format", "csv"], input=text.encode("gbk"))
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert [(r["kind"], r["value_std"]) for r in rows] == [("level", "61240000000"), ("growth", "6.2")]


def test_table_format():
    res = runner.invoke(app, ["extract", str(DATA / "report_raw.txt"), "--format", "table"])
    assert res.exit_code == 0 and "指标" in res.stdout and "2024" in res.stdout


def test_errors_exit_1_and_name_the_problem(tmp_path):
    res = runner.invoke(app, ["extract", str(tmp_path / "missing.txt")])
    assert res.exit_code == 1 and "文件不存在" in res.output
    res = runner.invoke(app, ["extract", str(DATA / "seed_raw.txt"), "--format", "xml"])
    assert res.exit_code == 1 and "--format" in res.output
    bad = tmp_path / "bin.txt"
    bad.write_bytes(bytes(range(256)) * 4)
    res = runner.invoke(app, ["extract", str(bad)])
    assert res.exit_code == 1 and "编码" in res.output


def test_load_then_review(tmp_path):
    db = tmp_path / "s.duckdb"
    res = runner.invoke(app, ["extract", str(DATA / "bulletin_raw.txt"), "--place", "永康市", "--db", str(db)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["review", "accept", "1", "--db", str(db), "--reviewer", "张三"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["review", "reject", "3", "--db", str(db), "--reviewer", "张三", "--reason", "重复"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["review", "list", "--db", str(db), "--status", "rejected"])
    assert res.exit_code == 0 and "rejected"[:3] in res.stdout
    res = runner.invoke(app, ["review", "list", "--db", str(db), "--status", "nope"])
    assert res.exit_code == 1


def test_review_without_database_fails(tmp_path):
    res = runner.invoke(app, ["review", "list", "--db", str(tmp_path / "none.duckdb")])
    assert res.exit_code == 1 and "不存在" in res.output
