"""The commands on a framework that is not the census: ASEM countries (no county polygons), with an uncertainty analysis."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from baiqiang.cli.main import app

from .conftest import parse

ASEM = Path(__file__).resolve().parents[2] / "examples" / "asem"


def test_report_on_another_framework_with_uncertainty(tmp_path):
    out = tmp_path / "asem"
    args = ["report", str(ASEM / "v1_default.yaml"), str(ASEM / "asem_data.csv"), "-o", str(out),
            "--ua", str(ASEM / "ua.yaml"), "--ua-n", "16", "--no-pdf"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert {"report.html", "report.xlsx"} <= {p.name for p in out.iterdir()}
    assert "报告不含地图" in result.output
    doc = parse(out / "report.html")
    rows = doc.table_rows["robustness"]
    assert len(rows) == 51
    for name, rank, interval, median, p_top in rows:
        low, high = (int(x) for x in interval.split("–"))
        assert low <= int(median) <= high and p_top.endswith("%")
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="chart-map"' not in html


def test_profile_of_an_unknown_unit_is_a_clear_error(tmp_path):
    args = ["profile", str(ASEM / "v1_default.yaml"), str(ASEM / "asem_data.csv"), "Atlantis", "-o", str(tmp_path / "p")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "找不到参与排名的单位" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "p").exists()


def test_report_needs_a_year_for_a_store(tmp_path):
    store = tmp_path / "x.duckdb"
    store.write_bytes(b"")
    result = CliRunner().invoke(app, ["report", str(ASEM / "v1_default.yaml"), str(store), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1 and "--year" in result.output
