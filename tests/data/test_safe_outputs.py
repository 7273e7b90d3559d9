"""Formula injection (OWASP): names and codes starting with = + - @ tab CR are text in every output."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from baiqiang.cli.main import app
from baiqiang.pipeline.export import escape_text, safe_frame, write_csv, write_sheets

ROOT = Path(__file__).resolve().parents[2]
ASEM = ROOT / "examples" / "asem"
EVIL = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]
runner = CliRunner()


def test_escape_rule():
    assert [escape_text(v) for v in EVIL] == ["'" + v for v in EVIL]
    assert escape_text("永康市") == "永康市" and escape_text(-1.5) == -1.5 and escape_text(None) is None
    df = safe_frame(pd.DataFrame({"=a": ["=1", "ok"], "n": [-1.0, 2.0]}, index=pd.Index(["+i", "j"])))
    assert df.columns.tolist() == ["'=a", "n"] and df.index.tolist() == ["'+i", "j"]
    assert df["'=a"].tolist() == ["'=1", "ok"] and df["n"].tolist() == [-1.0, 2.0]


def test_writers_on_real_files(tmp_path):
    df = pd.DataFrame({"name": EVIL, "value": range(-3, 3)}, index=pd.Index(EVIL, name="=code"))
    write_csv(df, tmp_path / "x.csv", index=True)
    rows = _csv_fields(tmp_path / "x.csv", "utf-8-sig")
    assert rows[0] == ["'=code", "name", "value"]
    assert [r[1] for r in rows[1:]] == ["'" + v for v in EVIL] and [r[2] for r in rows[1:]] == ["-3", "-2", "-1", "0", "1", "2"]
    write_sheets(tmp_path / "x.xlsx", {"s": df}, index=True)
    ws = openpyxl.load_workbook(tmp_path / "x.xlsx")["s"]
    # XlsxWriter stores a CR as OOXML's escape _x000D_ (Excel shows a CR; openpyxl reads the escape as written)
    cells = [c for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.replace("_x000D_", "\r")[:1] in "=+-@\t\r"]
    assert len(cells) == 1 + 2 * len(EVIL)  # the index header, the index and the name column
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert [ws.cell(r, 3).value for r in range(2, 8)] == list(range(-3, 3))  # numbers stay numbers


def _csv_fields(path: Path, encoding: str = "utf-8") -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as f:
        return list(csv.reader(f))


def _unsafe_fields(path: Path) -> list[str]:
    """Fields a spreadsheet would run as formulas (a negative number is fine)."""
    out = []
    for row in _csv_fields(path):
        for field in row:
            if field[:1] in ("=", "+", "@", "\t", "\r") or (field[:1] == "-" and not _is_number(field)):
                out.append(field)
    return out


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.fixture(scope="module")
def evil_build(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("evil")
    data = pd.read_csv(ASEM / "asem_data.csv")
    data.loc[: len(EVIL) - 1, "uName"] = EVIL
    data.loc[0, "uCode"] = "=CMD()"
    path = tmp / "evil.csv"
    data.to_csv(path, index=False, lineterminator="\r\n")  # CRLF: the CR in a name is quoted
    out = tmp / "out"
    result = runner.invoke(app, ["build", str(ASEM / "v1_default.yaml"), str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return path, out


def _formula_cells(path: Path) -> list[openpyxl.cell.Cell]:
    wb = openpyxl.load_workbook(path)
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "f" or (isinstance(c.value, str) and c.value[:1] in "=+-@\t\r" and not c.quotePrefix)]


def test_build_outputs_are_safe(evil_build):
    _, out = evil_build
    scores = (out / "scores.csv").read_text(encoding="utf-8")
    assert "'=CMD()" in scores and "'=HYPERLINK" in scores and "'@SUM(A1)" in scores
    assert _unsafe_fields(out / "scores.csv") == []
    assert _formula_cells(out / "results.xlsx") == []
    names = pd.read_excel(out / "results.xlsx", sheet_name="总指数")["单位名称"].tolist()
    assert set(EVIL[:-1]) <= set(names)  # shown as written, as text (XML reads a CR back as LF)


def test_explain_outputs_are_safe(evil_build, tmp_path):
    data, _ = evil_build
    result = runner.invoke(app, ["explain", str(ASEM / "v1_default.yaml"), str(data), "=CMD()", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert _formula_cells(tmp_path / "explain.xlsx") == []
    csvs = list(tmp_path.glob("*.csv"))
    assert csvs and all(_unsafe_fields(f) == [] for f in csvs)
