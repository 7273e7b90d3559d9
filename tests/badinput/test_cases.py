"""Table-driven bad-input suite: each ordinary mistake gets a located message, the right exit code,
no traceback, and (for anything touching a store) a store that is unchanged row for row.

Exit codes: 0 success (also for warnings), 1 data or input error, 2 usage error.  A case lists
the substrings its output must contain: the location (file, row, column, key path or option) and
the problem.  Classes are listed in docs/reliability.md with their counts (``CASES`` by ``area``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from baiqiang.cli.main import app

from .conftest import World, store_rows

H = "地区,地区生产总值,常住人口"


@dataclass(frozen=True)
class Case:
    id: str
    area: str
    args: tuple[str, ...]
    exit: int
    expect: tuple[str, ...]
    files: dict[str, str | bytes] = field(default_factory=dict)
    store: bool = False  # the case touches the store: it must be unchanged row for row
    absent: tuple[str, ...] = ()  # output must not contain these


def imp(id, text, *extra, exit=1, expect=(), name="bad.csv", absent=()):  # noqa: ANN001,ANN201
    """An import of one file into the world's store."""
    return Case(id, "import", ("import", f"{{d}}/{name}", "--db", "{db}", "--year", "2020", *extra), exit,
                tuple(expect), {name: text}, store=exit != 0, absent=absent)


def xlsx_bytes(rows: list[list[object]], title: str = "表1") -> bytes:
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = title
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


FW_HEAD = "schema_version: 1\nid: x\nname: {zh: x, en: x}\nuniverse: {code_column: code, name_column: name}\n"
FW_BODY = ("indicators:\n  - {code: gdp, name: {zh: g, en: g}, parent: Index, weight: 1}\n"
           "  - {code: pop, name: {zh: p, en: p}, parent: Index, weight: 1}\n"
           "aggregates:\n  - {code: Index, name: {zh: i, en: i}}\n")


def data_with(cell: str, row: int = 2, column: str = "gdp") -> str:
    from .conftest import data_csv

    lines = data_csv().splitlines()
    head = lines[0].split(",")
    parts = lines[row - 1].split(",")
    parts[head.index(column)] = cell
    lines[row - 1] = ",".join(parts)
    return "\n".join(lines) + "\n"


def build(id, files, *args, exit=1, expect=()):  # noqa: ANN001,ANN201
    return Case(id, "build", ("build", *args), exit, tuple(expect), files)


FIRM_SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "firms" / "sample"


def firms(id, files, recipes, *, expect=()):  # noqa: ANN001,ANN201
    """``firms indicators RECIPES`` over the shipped sample."""
    return Case(id, "firms", ("firms", "indicators", recipes, "--data", str(FIRM_SAMPLE), "-o", "{d}/p.parquet"), 1,
                tuple(expect), files)


CASES: list[Case] = [
    # ---------------------------------------------------------------- import: files
    Case("import-missing-file", "import", ("import", "{d}/nope.csv", "--db", "{db}", "--year", "2020"), 1,
         ("nope.csv", "文件不存在"), store=True),
    Case("import-directory", "import", ("import", "{d}", "--db", "{db}", "--year", "2020"), 1, ("是目录",), store=True),
    imp("import-unsupported-suffix", "a,b\n", expect=("bad.doc", "不支持的文件类型"), name="bad.doc"),
    imp("import-empty-file", "", expect=("bad.csv", "没有数据")),
    imp("import-header-only", f"{H}\n", expect=("bad.csv", "没有数据")),
    imp("import-blank-lines-only", "\n\n\n", expect=("bad.csv", "没有数据")),
    imp("import-binary-csv", b"\x00\x01\x02PK\x03\x04" * 50, expect=("bad.csv", "二进制")),
    imp("import-corrupt-xlsx", b"PK\x03\x04 not really a zip", expect=("bad.xlsx", "XLSX"), name="bad.xlsx"),
    imp("import-xlsx-not-zip", b"hello", expect=("bad.xlsx", "XLSX"), name="bad.xlsx"),
    imp("import-corrupt-parquet", b"PAR1garbage", expect=("bad.parquet", "Parquet"), name="bad.parquet"),
    Case("import-bad-sheet-name", "import", ("import", "{d}/b.xlsx", "--db", "{db}", "--year", "2020", "--sheet", "表9"),
         1, ("b.xlsx", "表9", "不存在"), {"b.xlsx": xlsx_bytes([["地区", "地区生产总值"], ["永康市", 1]])}, store=True),
    Case("import-bad-sheet-number", "import", ("import", "{d}/b.xlsx", "--db", "{db}", "--year", "2020", "--sheet", "#7"),
         1, ("b.xlsx", "工作表序号"), {"b.xlsx": xlsx_bytes([["地区", "地区生产总值"], ["永康市", 1]])}, store=True),
    imp("import-gbk-undecodable", b"\xff\xfe\xfa\xfb" * 20 + b"\n", expect=("bad.csv",)),
    # ---------------------------------------------------------------- import: structure
    imp("import-no-unit-column", "甲,地区生产总值\nx,1\n", expect=("bad.csv", "找不到单位列")),
    Case("import-no-year", "import", ("import", "{d}/bad.csv", "--db", "{db}"), 1, ("bad.csv", "--year"),
         {"bad.csv": f"{H}\n永康市,745.6,98.6\n"}, store=True),
    imp("import-long-without-value-column", "地区,年份,指标\n永康市,2020,gdp\n", "--long", expect=("bad.csv", "长表")),
    imp("import-ragged-short-row", f"{H}\n永康市,745.6\n义乌市,1,2\n", expect=("bad.csv: 第 2 行", "字段")),
    imp("import-ragged-long-row", f"{H}\n永康市,745.6,98.6,5\n", expect=("bad.csv: 第 2 行", "字段")),
    imp("import-ragged-many", f"{H}\n永康市,1\n义乌市,2\n沛县,3\n", expect=("第 2 行", "第 3 行", "第 4 行")),
    imp("import-unclosed-quote", f'{H}\n"永康市,745.6,98.6\n义乌市,1,2\n', expect=("bad.csv",)),
    imp("import-duplicate-unit", f"{H}\n永康市,745.6,98.6\n永康市,746,98\n", expect=("bad.csv", "第 2、3 行", "重复")),
    imp("import-duplicate-indicator-columns", "地区,地区生产总值,GDP\n永康市,745.6,746\n",
        expect=("bad.csv: 表头", "地区生产总值", "GDP", "同一指标 gdp")),
    imp("import-duplicate-column-names", "地区,地区生产总值,地区生产总值\n永康市,745.6,746\n",
        expect=("bad.csv: 表头", "“地区生产总值”出现 2 次")),
    # ---------------------------------------------------------------- import: numbers
    imp("import-non-numeric", f"{H}\n永康市,abc,98.6\n", expect=("bad.csv: 第 2 行", "地区生产总值", "abc")),
    imp("import-non-numeric-many", f"{H}\n永康市,abc,98.6\n义乌市,1,y?\n", expect=("第 2 行", "第 3 行", "'y?'")),
    imp("import-1e309", f"{H}\n永康市,1e309,98.6\n", expect=("bad.csv 第 2 行", "地区生产总值", "有限数")),
    imp("import-minus-1e309", f"{H}\n永康市,-1e309,98.6\n", expect=("bad.csv 第 2 行", "有限数")),
    imp("import-inf-text", f"{H}\n永康市,inf,98.6\n", expect=("bad.csv: 第 2 行", "inf")),
    imp("import-nan-text-is-missing", f"{H}\n永康市,745.6,98.6\n义乌市,NaN,186\n", exit=0, expect=("已导入",)),
    imp("import-boolean-text", f"{H}\n永康市,TRUE,98.6\n", expect=("bad.csv: 第 2 行", "TRUE")),
    imp("import-date-text", f"{H}\n永康市,2020-01-01,98.6\n", expect=("第 2 行", "2020-01-01")),
    imp("import-xlsx-1e309", xlsx_bytes([["地区", "地区生产总值"], ["永康市", "1e309"]]),
        expect=("bad.xlsx 第 2 行", "有限数"), name="bad.xlsx"),
    # ---------------------------------------------------------------- import: units
    imp("import-header-unit-wrong-dimension", "地区,地区生产总值（万人）\n永康市,745.6\n",
        expect=("bad.csv: 列 地区生产总值（万人）", "gdp", "万人", "亿元")),
    imp("import-header-unit-people-as-money", "地区,常住人口（亿元）\n永康市,98.6\n",
        expect=("bad.csv: 列 常住人口（亿元）", "population")),
    Case("import-long-unit-wrong-dimension", "import", ("import", "{d}/bad.csv", "--db", "{db}"), 1,
         ("bad.csv: 第 2 行, 列 单位", "万吨"), {"bad.csv": "地区,年份,指标,数值,单位\n永康市,2020,地区生产总值,1,万吨\n"},
         store=True),
    Case("import-long-unknown-unit", "import", ("import", "{d}/bad.csv", "--db", "{db}"), 1,
         ("bad.csv: 第 3 行, 列 单位", "万口"),
         {"bad.csv": "地区,年份,指标,数值,单位\n永康市,2020,地区生产总值,1,亿元\n永康市,2020,常住人口,1,万口\n"}, store=True),
    Case("import-long-percentage-points-as-share", "import", ("import", "{d}/bad.csv", "--db", "{db}"), 1,
         ("第 2 行, 列 单位", "个百分点"), {"bad.csv": "地区,年份,指标,数值,单位\n永康市,2020,地区生产总值增速,1,个百分点\n"},
         store=True),
    Case("import-long-unknown-indicator", "import", ("import", "{d}/bad.csv", "--db", "{db}"), 1,
         ("bad.csv: 第 2 行, 列 指标", "幸福指数"), {"bad.csv": "地区,年份,指标,数值\n永康市,2020,幸福指数,1\n"}, store=True),
    Case("import-long-bad-year", "import", ("import", "{d}/bad.csv", "--db", "{db}"), 1, ("年份",),
         {"bad.csv": "地区,年份,指标,数值\n永康市,二〇二〇,地区生产总值,1\n"}, store=True),
    # ---------------------------------------------------------------- import: catalog
    Case("import-catalog-missing-columns", "import",
         ("import", "{d}/ok.csv", "--db", "{db}", "--year", "2020", "--catalog", "{d}/cat.csv"), 1,
         ("cat.csv", "name_zh"), {"ok.csv": f"{H}\n永康市,1,2\n", "cat.csv": "code,name\ngdp,x\n"}, store=True),
    Case("import-catalog-empty-code", "import",
         ("import", "{d}/ok.csv", "--db", "{db}", "--year", "2020", "--catalog", "{d}/cat.csv"), 1,
         ("cat.csv: 第 2 行", "不能为空"), {"ok.csv": f"{H}\n永康市,1,2\n", "cat.csv": "code,name_zh\n,x\n"}, store=True),
    Case("import-catalog-alias-clash", "import",
         ("import", "{d}/ok.csv", "--db", "{db}", "--year", "2020", "--catalog", "{d}/cat.csv"), 1,
         ("cat.csv: 第 3 行", "已属于指标"), {"ok.csv": f"{H}\n永康市,1,2\n",
                                          "cat.csv": "code,name_zh,aliases\na,甲,X\nb,乙,X\n"}, store=True),
    Case("import-catalog-unknown-unit", "import",
         ("import", "{d}/ok.csv", "--db", "{db}", "--year", "2020", "--catalog", "{d}/cat.csv"), 1,
         ("cat.csv: 第 2 行, 列 unit", "斤两"), {"ok.csv": f"{H}\n永康市,1,2\n", "cat.csv": "code,name_zh,unit\na,甲,斤两\n"},
         store=True),
    Case("import-catalog-missing-file", "import",
         ("import", "{d}/ok.csv", "--db", "{db}", "--year", "2020", "--catalog", "{d}/none.csv"), 1,
         ("none.csv", "不存在"), {"ok.csv": f"{H}\n永康市,1,2\n"}, store=True),
    Case("import-catalog-changes-unit-dimension", "import",
         ("import", "{d}/ok.csv", "--db", "{db}", "--year", "2020", "--catalog", "{d}/cat.csv"), 1,
         ("指标 gdp", "亿元"), {"ok.csv": f"{H}\n永康市,1,2\n", "cat.csv": "code,name_zh,unit\ngdp,地区生产总值,万人\n"},
         store=True),
    # ---------------------------------------------------------------- import: options and store paths
    Case("import-year-99999", "import", ("import", "{d}/ok.csv", "--db", "{db}", "--year", "99999"), 1,
         ("--year", "99999"), {"ok.csv": f"{H}\n永康市,1,2\n"}, store=True),
    Case("import-year-1800", "import", ("import", "{d}/ok.csv", "--db", "{db}", "--year", "1800"), 1,
         ("--year", "1800"), {"ok.csv": f"{H}\n永康市,1,2\n"}, store=True),
    Case("import-year-not-a-number", "import", ("import", "{d}/ok.csv", "--db", "{db}", "--year", "abc"), 2,
         ("--year", "用法错误"), {"ok.csv": f"{H}\n永康市,1,2\n"}, store=True),
    Case("import-db-is-csv", "import", ("import", "{d}/ok.csv", "--db", "{d}/existing.csv", "--year", "2020"), 1,
         ("existing.csv", "不是 DuckDB"), {"ok.csv": f"{H}\n永康市,1,2\n", "existing.csv": "a,b\n1,2\n"}),
    Case("import-db-new-parquet", "import", ("import", "{d}/ok.csv", "--db", "{d}/new.parquet", "--year", "2020"), 1,
         ("new.parquet", ".duckdb"), {"ok.csv": f"{H}\n永康市,1,2\n"}),
    Case("import-db-directory", "import", ("import", "{d}/ok.csv", "--db", "{d}", "--year", "2020"), 1,
         ("是目录",), {"ok.csv": f"{H}\n永康市,1,2\n"}),
    Case("import-db-truncated", "import", ("import", "{d}/ok.csv", "--db", "{d}/t.duckdb", "--year", "2020"), 1,
         ("t.duckdb", "不是 DuckDB"), {"ok.csv": f"{H}\n永康市,1,2\n", "t.duckdb": b"\x00" * 100}),
    Case("import-report-is-directory", "import",
         ("import", "{d}/ok.csv", "--db", "{db}", "--year", "2020", "--report", "{d}"), 1, ("--report", "是目录"),
         {"ok.csv": f"{H}\n永康市,1,2\n"}, store=True),
    Case("import-report-folder-missing", "import",
         ("import", "{d}/ok.csv", "--db", "{db}", "--year", "2020", "--report", "{d}/no/r.csv"), 1,
         ("--report", "不存在"), {"ok.csv": f"{H}\n永康市,1,2\n"}, store=True),
    Case("import-unknown-option", "import", ("import", "{d}/ok.csv", "--bd", "{db}"), 2, ("--bd", "用法错误"),
         {"ok.csv": f"{H}\n永康市,1,2\n"}, store=True),
    Case("import-missing-argument", "import", ("import",), 2, ("FILE", "缺少参数"), store=True),
    # ---------------------------------------------------------------- import: what must succeed, correctly
    imp("import-blank-keeps-value", f"{H}\n义乌市,1500,186\n永康市,,—\n沛县,950,111\n", exit=0,
        expect=("空值未覆盖已有值：1 个单元格",)),
    imp("import-negative-population-warns", f"{H}\n永康市,700,-96.4\n", exit=0, expect=("提示", "为负数", "第 2 行")),
    imp("import-jump-warns", f"{H}\n永康市,70000,96.4\n", exit=0, expect=("提示", "倍", "请检查单位")),
    imp("import-share-over-100-warns", "地区,城镇化率\n永康市,150\n", exit=0, expect=("提示", "urbanisation_rate", "150")),
    imp("import-dry-run", f"{H}\n永康市,800,96.4\n", "--dry-run", exit=0, expect=("试运行",)),
    imp("import-subtotals-skipped", f"{H}\n浙江省,64613,6468\n永康市,700,96.4\n合计,1,1\n", exit=0,
        expect=("合计/小计 2",)),
    imp("import-dongguan-by-code", "区划代码,地区,地区生产总值\n441900,东莞市,9650.19\n", exit=0, expect=("已导入 1",)),
    # ---------------------------------------------------------------- store commands
    Case("store-info-missing", "store", ("store", "info", "--db", "{d}/none.duckdb"), 1, ("none.duckdb", "不存在")),
    Case("store-info-csv", "store", ("store", "info", "--db", "{d}/x.csv"), 1, ("x.csv", "不是 DuckDB"),
         {"x.csv": "a,b\n"}),
    Case("store-info-truncated", "store", ("store", "info", "--db", "{d}/t.duckdb"), 1, ("t.duckdb",),
         {"t.duckdb": b"\x95\xb5\x06\xac \x8b@\xcaDUCK" + b"\x00" * 40}),
    Case("store-info-directory", "store", ("store", "info", "--db", "{d}"), 1, ("是目录",)),
    Case("store-history-unknown-unit", "store", ("store", "history", "火星县", "gdp", "--db", "{db}"), 1,
         ("火星县", "找不到单位"), store=True),
    Case("store-history-ambiguous-unit", "store", ("store", "history", "鼓楼区", "gdp", "--db", "{db}"), 1,
         ("鼓楼区", "请用代码", "320106"), store=True),
    Case("store-history-short-name", "store", ("store", "history", "永康", "gdp", "--db", "{db}"), 0, ("330784",),
         store=True),
    Case("store-history-unknown-indicator", "store", ("store", "history", "永康市", "幸福", "--db", "{db}"), 1,
         ("幸福", "指标"), store=True),
    Case("store-history-no-data", "store", ("store", "history", "昆明市五华区", "gdp", "--db", "{db}"), 1,
         ("530102", "没有"), store=True),
    Case("store-history-bad-format", "store", ("store", "history", "永康市", "gdp", "--db", "{db}", "--format", "xml"),
         1, ("--format", "xml"), store=True),
    Case("store-pin-missing-version", "store",
         ("store", "pin", "永康市", "gdp", "--year", "2020", "--version", "9", "--db", "{db}"), 1,
         ("330784/gdp/2020", "版本 9"), store=True),
    Case("store-pin-missing-year-option", "store", ("store", "pin", "永康市", "gdp", "--version", "1", "--db", "{db}"),
         2, ("--year", "用法错误"), store=True),
    Case("store-unpin-no-data", "store", ("store", "unpin", "永康市", "gdp", "--year", "1999", "--db", "{db}"), 1,
         ("330784/gdp/1999",), store=True),
    Case("store-undo-unknown-batch", "store", ("store", "undo", "99", "--db", "{db}"), 1, ("批次 99", "不存在"),
         store=True),
    Case("store-undo-not-a-number", "store", ("store", "undo", "x", "--db", "{db}"), 2, ("BATCH",), store=True),
    Case("store-export-bad-suffix", "store", ("store", "export", "-o", "{d}/o.txt", "--db", "{db}"), 1,
         ("o.txt", ".csv 或 .xlsx"), store=True),
    Case("store-export-to-directory", "store", ("store", "export", "-o", "{d}/sub.csv", "--db", "{db}"), 1,
         ("sub.csv", "目录"), {"sub.csv/keep": "x"}, store=True),
    Case("store-export-year-range", "store", ("store", "export", "-o", "{d}/o.csv", "--db", "{db}", "--year", "20200"),
         1, ("--year", "20200"), store=True),
    Case("store-export-missing-db", "store", ("store", "export", "-o", "{d}/o.csv", "--db", "{d}/no.duckdb"), 1,
         ("no.duckdb", "不存在")),
    Case("store-unknown-subcommand", "store", ("store", "wipe", "--db", "{db}"), 2, ("wipe", "没有命令"), store=True),
    # ---------------------------------------------------------------- build
    build("build-missing-framework", {}, "{d}/none.yaml", "{data}", "-o", "{d}/out", expect=("none.yaml",)),
    build("build-framework-not-yaml", {"f.yaml": "::: [\n"}, "{d}/f.yaml", "{data}", "-o", "{d}/out",
          expect=("f.yaml",)),
    build("build-framework-empty", {"f.yaml": ""}, "{d}/f.yaml", "{data}", "-o", "{d}/out", expect=("f.yaml",)),
    build("build-framework-deeply-nested", {"f.yaml": "a: " + "[" * 5000 + "]" * 5000 + "\n"}, "{d}/f.yaml", "{data}",
          "-o", "{d}/out", expect=("f.yaml",)),
    build("build-framework-binary", {"f.yaml": b"\x00\xff\x00\xfe"}, "{d}/f.yaml", "{data}", "-o", "{d}/out",
          expect=("f.yaml",)),
    build("build-data-missing", {}, "{fw}", "{d}/none.csv", "-o", "{d}/out", expect=("none.csv", "不存在")),
    build("build-data-directory", {}, "{fw}", "{d}", "-o", "{d}/out", expect=("是目录",)),
    build("build-inf", {"bad.csv": data_with("inf")}, "{fw}", "{d}/bad.csv", "-o", "{d}/out",
          expect=("bad.csv: 第 2 行, 列 gdp", "有限数")),
    build("build-minus-inf", {"bad.csv": data_with("-inf", 4, "pop")}, "{fw}", "{d}/bad.csv", "-o", "{d}/out",
          expect=("bad.csv: 第 4 行, 列 pop", "有限数")),
    build("build-1e309", {"bad.csv": data_with("1e309", 3)}, "{fw}", "{d}/bad.csv", "-o", "{d}/out",
          expect=("bad.csv: 第 3 行, 列 gdp",)),
    build("build-non-numeric", {"bad.csv": data_with("abc", 5)}, "{fw}", "{d}/bad.csv", "-o", "{d}/out",
          expect=("bad.csv: row 5, column gdp", "abc")),
    build("build-missing-indicator-column", {"bad.csv": "code,name,gdp\n330784,永康市,1\n"}, "{fw}", "{d}/bad.csv",
          "-o", "{d}/out", expect=("bad.csv", "'pop'")),
    build("build-missing-code-column", {"bad.csv": "name,gdp,pop\n永康市,1,2\n"}, "{fw}", "{d}/bad.csv", "-o",
          "{d}/out", expect=("bad.csv", "'code'")),
    build("build-header-only", {"bad.csv": "code,name,gdp,pop\n"}, "{fw}", "{d}/bad.csv", "-o", "{d}/out",
          expect=("bad.csv", "没有数据行")),
    build("build-empty-file", {"bad.csv": ""}, "{fw}", "{d}/bad.csv", "-o", "{d}/out", expect=("bad.csv",)),
    build("build-ragged-row", {"bad.csv": "code,name,gdp,pop\n330784,永康市,1\n330782,义乌市,2,3\n"}, "{fw}",
          "{d}/bad.csv", "-o", "{d}/out", expect=("bad.csv: 第 2 行", "字段")),
    build("build-duplicate-codes", {"bad.csv": "code,name,gdp,pop\n330784,永康市,1,2\n330784,义乌市,2,3\n"}, "{fw}",
          "{d}/bad.csv", "-o", "{d}/out", expect=("bad.csv", "330784")),
    build("build-empty-code", {"bad.csv": "code,name,gdp,pop\n,永康市,1,2\n330782,义乌市,2,3\n"}, "{fw}",
          "{d}/bad.csv", "-o", "{d}/out", expect=("bad.csv: row 2",)),
    build("build-out-is-a-file", {"o.txt": "x"}, "{fw}", "{data}", "-o", "{d}/o.txt", expect=("o.txt",)),
    build("build-store-without-year", {}, "{fw}", "{db}", "-o", "{d}/out", expect=("--year",)),
    build("build-store-year-absent", {}, "{fw}", "{db}", "--year", "2005", "-o", "{d}/out",
          expect=("s.duckdb", "2005")),
    build("build-store-year-99999", {}, "{fw}", "{db}", "--year", "99999", "-o", "{d}/out", expect=("--year", "99999")),
    build("build-store-is-csv", {"s2.duckdb": "a,b\n"}, "{fw}", "{d}/s2.duckdb", "--year", "2020", "-o", "{d}/out",
          expect=("s2.duckdb", "不是 DuckDB")),
    build("build-no-data", {}, "{fw}", "-o", "{d}/out", expect=("DATA", "--store")),
    build("build-missing-out", {}, "{fw}", "{data}", exit=2, expect=("-o/--out", "缺少选项")),
    build("build-unknown-option", {}, "{fw}", "{data}", "-o", "{d}/out", "--topp", "3", exit=2, expect=("--topp",)),
    build("build-top-not-int", {}, "{fw}", "{data}", "-o", "{d}/out", "--top", "x", exit=2, expect=("--top",)),
    build("build-universe-matches-nothing",
          {"f.yaml": FW_HEAD.replace("name_column: name}", "name_column: name, attribute: name, include: [火星]}")
           + FW_BODY}, "{d}/f.yaml", "{data}", "-o", "{d}/out", expect=("universe", "attribute: name", "永康市")),
    build("build-ok-xlsx-data", {}, "{fw}", "{data}", "-o", "{d}/out", exit=0, expect=("已写出",)),
    build("build-log-transform-of-zero",
          {"f.yaml": FW_HEAD + FW_BODY.replace("parent: Index, weight: 1}", "parent: Index, weight: 1, transform: log}", 1),
           "z.csv": data_with("0")}, "{d}/f.yaml", "{d}/z.csv", "-o", "{d}/out",
          expect=("z.csv: row 2, column gdp", "330784", "transform log")),
    build("build-gate-on-a-missing-column",
          {"f.yaml": FW_HEAD + FW_BODY + "rankings:\n  gates:\n  - {id: g, when: {column: nope, op: '>=', value: 1}}\n"
                                         "  lists:\n  - {id: l, name: 榜, gates: [g]}\n"},
          "{d}/f.yaml", "{data}", "-o", "{d}/out", expect=("rankings.gates[0].when.column", "nope")),
    # ---------------------------------------------------------------- framework check
    Case("framework-missing", "framework", ("framework", "check", "{d}/none.yaml"), 1, ("none.yaml",)),
    Case("framework-rankings-tiers-not-increasing", "framework", ("framework", "check", "{d}/f.yaml"), 1,
         ("f.yaml: rankings.lists[0].tiers", "严格递增"),
         {"f.yaml": FW_HEAD + FW_BODY + "rankings:\n  lists:\n  - {id: l, name: 榜, tiers: {cuts: [10, 5]}}\n"}),
    Case("framework-syntax", "framework", ("framework", "check", "{d}/f.yaml"), 1, ("f.yaml",), {"f.yaml": "a: [1,\n"}),
    Case("framework-no-indicators", "framework", ("framework", "check", "{d}/f.yaml"), 1, ("indicators",),
         {"f.yaml": "id: x\nname: y\nindicators: []\n"}),
    Case("framework-unknown-parent", "framework", ("framework", "check", "{d}/f.yaml"), 1, ("Nowhere",),
         {"f.yaml": FW_HEAD + FW_BODY.replace("parent: Index, weight: 1}\n  -", "parent: Nowhere, weight: 1}\n  -", 1)}),
    Case("framework-duplicate-code", "framework", ("framework", "check", "{d}/f.yaml"), 1, ("gdp",),
         {"f.yaml": FW_HEAD + FW_BODY.replace("code: pop", "code: gdp")}),
    Case("framework-negative-weight", "framework", ("framework", "check", "{d}/f.yaml"), 1, ("weight",),
         {"f.yaml": FW_HEAD + FW_BODY.replace("weight: 1}", "weight: -1}", 1)}),
    Case("framework-unknown-method", "framework", ("framework", "check", "{d}/f.yaml"), 1, ("nosuch",),
         {"f.yaml": FW_HEAD + FW_BODY + "methodology:\n  - {step: normalise, method: nosuch}\n"}),
    Case("framework-unknown-step", "framework", ("framework", "check", "{d}/f.yaml"), 1, ("methodology[0].step",),
         {"f.yaml": FW_HEAD + FW_BODY + "methodology:\n  - {step: frobnicate, method: x}\n"}),
    Case("framework-directory", "framework", ("framework", "check", "{d}"), 1, ("{d}",)),
    Case("framework-not-a-mapping", "framework", ("framework", "check", "{d}/f.yaml"), 1, ("f.yaml",),
         {"f.yaml": "- 1\n- 2\n"}),
    Case("framework-ok", "framework", ("framework", "check", "{fw}"), 0, ("通过",)),
    # ---------------------------------------------------------------- analysis
    Case("explain-unknown-unit", "analysis", ("explain", "{fw}", "{data}", "火星县"), 1, ("火星县", "找不到单位")),
    Case("explain-short-name", "analysis", ("explain", "{fw}", "{data}", "永康"), 0, ("永康市",)),
    Case("explain-old-code-not-in-data", "analysis", ("explain", "{fw}", "{data}", "鼓楼区"), 1, ("鼓楼区",)),
    Case("explain-unit-not-in-data", "analysis", ("explain", "{fw}", "{data}", "长兴县"), 1, ("330522", "不在这份数据中")),
    Case("explain-store-short-name", "analysis", ("explain", "{fw}", "{db}", "昆山", "--year", "2020"), 0,
         ("昆山市",), store=True),
    Case("explain-store-no-year", "analysis", ("explain", "{fw}", "{db}", "昆山市"), 1, ("--year",), store=True),
    Case("explain-year-range", "analysis", ("explain", "{fw}", "{db}", "昆山市", "--year", "0"), 1, ("--year",),
         store=True),
    Case("explain-out-is-file", "analysis", ("explain", "{fw}", "{data}", "永康市", "-o", "{d}/o.txt"), 1, ("o.txt",),
         {"o.txt": "x"}),
    Case("explain-missing-unit-argument", "analysis", ("explain", "{fw}", "{data}"), 2, ("UNIT",)),
    Case("target-unknown-unit", "analysis", ("target", "{fw}", "{data}", "火星县", "--rank", "1"), 1, ("火星县",)),
    Case("target-rank-zero", "analysis", ("target", "{fw}", "{data}", "永康市", "--rank", "0"), 1, ("--rank", "0")),
    Case("target-rank-too-large", "analysis", ("target", "{fw}", "{data}", "永康市", "--rank", "99"), 1,
         ("--rank", "99")),
    Case("target-short-name", "analysis", ("target", "{fw}", "{data}", "沛县", "--rank", "1"), 0, ("沛县",)),
    Case("target-rank-missing", "analysis", ("target", "{fw}", "{data}", "永康市"), 2, ("--rank",)),
    Case("change-unknown-unit", "analysis", ("change", "{fw}", "{d}/data2019.csv", "{data}", "--unit", "火星县"), 1,
         ("火星县",)),
    Case("change-short-name", "analysis", ("change", "{fw}", "{d}/data2019.csv", "{data}", "--unit", "义乌"), 0,
         ("义乌",)),
    Case("change-store-years", "analysis", ("change", "{fw}", "{db}", "--year0", "2019", "--year1", "2020",
                                            "--unit", "永康"), 0, ("永康",), store=True),
    Case("change-store-year-absent", "analysis", ("change", "{fw}", "{db}", "--year0", "2011", "--year1", "2020"), 1,
         ("2011",), store=True),
    Case("change-second-file-missing", "analysis", ("change", "{fw}", "{data}", "{d}/none.csv"), 1, ("none.csv",)),
    Case("sensitivity-n-too-small", "analysis", ("sensitivity", "{fw}", "{data}", "--spec", "{ua}", "-n", "3", "-o",
                                                 "{d}/out"), 1, ("-n", "16")),
    Case("sensitivity-spec-missing", "analysis", ("sensitivity", "{fw}", "{data}", "--spec", "{d}/none.yaml", "-o",
                                                  "{d}/out"), 1, ("none.yaml",)),
    Case("uncertainty-n-too-small", "analysis", ("uncertainty", "{fw}", "{data}", "--spec", "{ua}", "-n", "2", "-o",
                                                 "{d}/out"), 1, ("-n", "20")),
    Case("uncertainty-spec-bad-yaml", "analysis", ("uncertainty", "{fw}", "{data}", "--spec", "{d}/u.yaml", "-o",
                                                   "{d}/out"), 1, ("u.yaml",), {"u.yaml": "factors: [\n"}),
    Case("uncertainty-spec-binary", "analysis", ("uncertainty", "{fw}", "{data}", "--spec", "{d}/u.yaml", "-o",
                                                "{d}/out"), 1, ("u.yaml", "不是有效的 YAML"), {"u.yaml": b"\x00\xff\x00"}),
    Case("uncertainty-spec-unknown-factor", "analysis", ("uncertainty", "{fw}", "{data}", "--spec", "{d}/u.yaml", "-o",
                                                         "{d}/out"), 1, ("u.yaml",),
         {"u.yaml": "schema_version: 1\ntarget: Index\nfactors:\n  - {kind: nosuch, name: x}\n"}),
    # ---------------------------------------------------------------- extract and review
    Case("extract-missing-file", "extract", ("extract", "{d}/none.txt"), 1, ("none.txt",)),
    Case("extract-directory", "extract", ("extract", "{d}"), 1, ("{d}",)),
    Case("extract-bad-format", "extract", ("extract", "{txt}", "--format", "pdf"), 1, ("--format", "pdf")),
    Case("extract-db-is-csv", "extract", ("extract", "{txt}", "--db", "{d}/x.csv", "--place", "永康市"), 1,
         ("x.csv", "不是 DuckDB"), {"x.csv": "a,b\n"}),
    Case("extract-unknown-place", "extract", ("extract", "{txt}", "--db", "{db}", "--place", "火星县"), 1,
         ("火星县",), store=True),
    Case("review-accept-unknown-id", "review", ("review", "accept", "999", "--db", "{db}", "--reviewer", "t"), 1,
         ("999", "不存在"), store=True),
    Case("review-reject-unknown-id", "review", ("review", "reject", "999", "--db", "{db}", "--reviewer", "t"), 1,
         ("999", "不存在"), store=True),
    Case("review-edit-nothing", "review", ("review", "edit", "1", "--db", "{db}", "--reviewer", "t"), 1,
         ("review edit",), store=True),
    Case("review-list-bad-status", "review", ("review", "list", "--db", "{db}", "--status", "maybe"), 1,
         ("--status", "maybe"), store=True),
    Case("review-db-missing", "review", ("review", "list", "--db", "{d}/none.duckdb"), 1, ("none.duckdb",)),
    Case("review-id-not-int", "review", ("review", "accept", "abc", "--db", "{db}"), 2, ("用法错误",), store=True),
    # ---------------------------------------------------------------- resolve and units
    Case("resolve-nothing", "resolve", ("resolve",), 1, ("--file",)),
    Case("resolve-file-missing", "resolve", ("resolve", "--file", "{d}/none.txt"), 1, ("none.txt", "不存在")),
    Case("resolve-empty-table", "resolve", ("resolve", "--file", "{d}/n.csv"), 1, ("n.csv",), {"n.csv": "名称\n"}),
    Case("resolve-bad-format", "resolve", ("resolve", "永康", "--format", "json"), 1, ("--format", "json")),
    Case("resolve-both-inputs", "resolve", ("resolve", "永康", "--file", "{d}/n.txt"), 1, ("--file",),
         {"n.txt": "永康\n"}),
    Case("resolve-ambiguous-is-listed", "resolve", ("resolve", "鼓楼区"), 0, ("有歧义", "320106")),
    Case("units-bad-status", "resolve", ("units", "--status", "gone"), 1, ("--status", "gone")),
    Case("units-bad-type", "resolve", ("units", "--type", "省"), 1, ("--type",)),
    Case("units-bad-province", "resolve", ("units", "--province", "火星省"), 1, ("--province", "火星省")),
    Case("units-no-sea", "resolve", ("units", "--province", "99"), 1, ("--province",)),
    # ---------------------------------------------------------------- global
    # ---------------------------------------------------------------- firms
    firms("firms-recipes-missing", {}, "{d}/none.yaml", expect=("none.yaml", "配方文件不存在")),
    firms("firms-recipes-directory", {}, "{d}", expect=("是文件夹，不是配方文件",)),
    firms("firms-recipes-not-yaml", {"r.yaml": "::: [\n"}, "{d}/r.yaml", expect=("r.yaml", "不是有效的 YAML")),
    firms("firms-recipes-deeply-nested", {"r.yaml": "a: " + "[" * 5000 + "]" * 5000 + "\n"}, "{d}/r.yaml",
          expect=("r.yaml", "嵌套过深")),
    Case("firms-generate-zero", "firms", ("firms", "generate", "-o", "{d}/g", "--n", "0"), 1, ("--n", "正整数")),
    Case("firms-import-missing", "firms", ("firms", "import", "{d}/none", "-o", "{d}/o"), 1, ("none", "不存在")),
    Case("global-version", "global", ("--version",), 0, ("baiqiang",)),
    Case("global-unknown-command", "global", ("buidl",), 2, ("buidl", "build")),
    Case("global-lang-en-usage", "global", ("--lang", "en", "import", "--bd"), 2, ("usage error", "--bd")),
    Case("global-lang-en-data", "global", ("--lang", "en", "import", "{d}/none.csv", "--db", "{db}"), 1,
         ("error:", "none.csv"), store=True),
    Case("global-bad-lang", "global", ("--lang", "fr", "units"), 2, ("--lang",)),
]


def _fill(text: str, w: World) -> str:
    return text.format(d=w.dir, fw=w.framework, data=w.data, db=w.store, txt=w.text, ua=w.spec)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case, world: World) -> None:
    for name, content in case.files.items():
        path = world.dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    before = store_rows(world.store)
    result = CliRunner().invoke(app, [_fill(a, world) for a in case.args])
    out = result.output
    assert "Traceback" not in out and (result.exception is None or isinstance(result.exception, SystemExit)), out
    assert result.exit_code == case.exit, out
    for text in case.expect:
        assert _fill(text, world) in out, f"missing {text!r} in:\n{out}"
    for text in case.absent:
        assert text not in out
    if case.store:
        assert store_rows(world.store) == before, "the store changed"


def test_the_suite_is_large_enough():
    assert len(CASES) >= 150 and len({c.id for c in CASES}) == len(CASES)


def test_every_area_is_covered():
    assert {c.area for c in CASES} >= {"import", "store", "build", "framework", "analysis", "extract", "review",
                                       "resolve", "global", "firms"}


@pytest.mark.skipif(os.environ.get("BAIQIANG_COUNTS") is None, reason="prints the per-area counts for the docs")
def test_print_counts():  # pragma: no cover - documentation helper
    from collections import Counter

    print(Counter(c.area for c in CASES))
    print(Path(__file__).name, len(CASES))
