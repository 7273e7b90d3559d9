"""Analysis workbooks (explain.xlsx, uncertainty.xlsx): Chinese headers, unit names beside codes; English with --lang en."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from baiqiang.cli.main import app

ASEM = Path(__file__).resolve().parents[2] / "examples" / "asem"
FW, DATA, SPEC = str(ASEM / "v1_default.yaml"), str(ASEM / "asem_data.csv"), str(ASEM / "ua.yaml")


def _headers(path: Path) -> dict[str, list]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: list(next(ws.iter_rows(values_only=True))) for ws in wb.worksheets}
    finally:
        wb.close()


def test_explain_workbook_has_chinese_headers(tmp_path):
    res = CliRunner().invoke(app, ["explain", FW, DATA, "AUT", "-o", str(tmp_path / "ex")])
    assert res.exit_code == 0, res.output
    sheets = _headers(tmp_path / "ex" / "explain.xlsx")
    assert list(sheets)[:5] == ["指标", "支柱与总指数", "优势", "劣势", "相似单位"]
    assert sheets["指标"][:5] == ["代码", "名称", "上级", "原始值", "标准化值"]
    assert sheets["相似单位"] == ["代码", "名称", "距离", "得分", "排名"]
    assert "组内比较_EurAsia_group" in sheets
    # The CSV files keep the plain names, for scripts.
    assert (tmp_path / "ex" / "indicators.csv").read_text(encoding="utf-8").startswith("code,name,parent")


def test_uncertainty_workbook_names_beside_codes_and_english(tmp_path):
    for lang, out in (("zh", "zh"), ("en", "en")):
        res = CliRunner().invoke(app, ["--lang", lang, "uncertainty", FW, DATA, "--spec", SPEC, "-n", "20", "--seed",
                                       "1", "-o", str(tmp_path / out)])
        assert res.exit_code == 0, res.output
    zh = _headers(tmp_path / "zh" / "uncertainty.xlsx")
    assert list(zh) == ["名次分布", "抽样选择", "各次抽样名次"]
    assert zh["名次分布"][:4] == ["单位代码", "单位名称", "名义排名", "平均名次"]
    assert "前 10 名概率" in zh["名次分布"]
    assert zh["各次抽样名次"][:2] == ["样本", "AUT Austria"]
    wb = openpyxl.load_workbook(tmp_path / "zh" / "uncertainty.xlsx", read_only=True)
    row = next(r for r in wb["名次分布"].iter_rows(min_row=2, values_only=True) if r[0] == "AUT")
    assert row[1] == "Austria"
    wb.close()
    en = _headers(tmp_path / "en" / "uncertainty.xlsx")
    assert list(en) == ["rank summary", "samples", "sample ranks"]
    assert en["rank summary"][:3] == ["unit code", "unit name", "nominal rank"]
