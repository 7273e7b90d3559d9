"""The firm data model: five tables, their columns, and the per-batch row checks.

Documented for users in docs/platform.md.  Money is in 万元, energy in 吨标准煤,
dates are ISO ``YYYY-MM-DD``.  Every table but ``enterprises`` is keyed by the
enterprise's 统一社会信用代码 (``uscc``) and a ``year``; the importer copies the
enterprise's ``county`` and ``industry`` onto those rows (a star schema flattened
once, so that no indicator query needs a join over tens of millions of rows).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from baiqiang.errors import Problem
from baiqiang.firms.codes import industry_codes, uscc_problems

STATUSES = ("存续", "在业", "迁入", "迁出", "停业", "吊销", "注销")
SIZES = ("大型", "中型", "小型", "微型")
DESIGNATION_TYPES = (
    "专精特新小巨人", "专精特新中小企业", "制造业单项冠军", "高新技术企业", "上市企业",
    "绿色工厂", "智能制造示范工厂", "技术创新示范企业",
)
LEVELS = ("国家", "省")
PROJECT_TYPES = ("数字化转型", "智能制造", "技术改造", "绿色制造", "工业互联网")
YEAR_RANGE = (1949, 2100)


@dataclass(frozen=True)
class Column:
    """One input column: ``kind`` is str/uscc/county/industry/date/year/bool/float/int/enum."""

    name: str
    kind: str
    required: bool = True
    choices: tuple[str, ...] = ()
    doc: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    partition: str | None = None
    doc: str = ""
    #: Columns the importer adds from ``enterprises`` (not in the input).
    enriched: tuple[str, ...] = field(default=())

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


_MONEY = "万元"
TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table("enterprises", (
            Column("uscc", "uscc", doc="统一社会信用代码（GB 32100-2015，含校验码）"),
            Column("name", "str", doc="企业名称"),
            Column("county", "county", doc="注册地县级行政区划代码（6 位，现行或对照表中的历史代码）"),
            Column("industry", "industry", doc="国民经济行业代码（GB/T 4754-2017，门类/大类/中类/小类，可带门类字母）"),
            Column("registered", "date", doc="成立日期"),
            Column("exited", "date", required=False, doc="注销或吊销日期；仍存续为空"),
            Column("status", "enum", required=False, choices=STATUSES, doc="登记状态"),
            Column("size", "enum", required=False, choices=SIZES, doc="企业规模（大型/中型/小型/微型）"),
        ), key=("uscc",), doc="一行一家企业"),
        Table("enterprise_years", (
            Column("uscc", "uscc"), Column("year", "year"),
            Column("above_scale", "bool", doc="当年是否规模以上工业企业（主营业务收入 ≥ 2000 万元）"),
            Column("revenue", "float", required=False, doc=f"营业收入（{_MONEY}）"),
            Column("output", "float", required=False, doc=f"工业总产值（{_MONEY}）"),
            Column("value_added", "float", required=False, doc=f"工业增加值（{_MONEY}）"),
            Column("employees", "float", required=False, doc="从业人员年平均人数"),
            Column("exports", "float", required=False, doc=f"出口交货值（{_MONEY}）"),
            Column("rd", "float", required=False, doc=f"研发经费内部支出（{_MONEY}）"),
            Column("energy", "float", required=False, doc="综合能源消费量（吨标准煤）"),
        ), key=("uscc", "year"), partition="year", enriched=("county", "industry", "section"), doc="一行一家企业一年"),
        Table("designations", (
            Column("uscc", "uscc"),
            Column("type", "enum", choices=DESIGNATION_TYPES, doc="认定类型"),
            Column("level", "enum", choices=LEVELS, doc="认定级别（国家/省）"),
            Column("granted", "year", doc="认定年份"),
            Column("revoked", "year", required=False, doc="撤销或到期未复核的年份；有效为空"),
        ), key=("uscc", "type", "level", "granted"), enriched=("county", "industry", "section"), doc="一行一次认定"),
        Table("patents", (
            Column("uscc", "uscc"), Column("year", "year"),
            Column("invention", "int", doc="发明专利授权数"),
            Column("utility_model", "int", required=False, doc="实用新型专利授权数"),
            Column("design", "int", required=False, doc="外观设计专利授权数"),
        ), key=("uscc", "year"), partition="year", enriched=("county", "industry", "section"), doc="一行一家企业一年"),
        Table("projects", (
            Column("uscc", "uscc"), Column("year", "year"),
            Column("project_id", "str", doc="项目编号"),
            Column("type", "enum", choices=PROJECT_TYPES, doc="项目类型"),
            Column("investment", "float", required=False, doc=f"项目投资（{_MONEY}）"),
        ), key=("project_id",), partition="year", enriched=("county", "industry", "section"), doc="一行一个项目"),
    )
}
IMPORT_ORDER = ("enterprises", "enterprise_years", "designations", "patents", "projects")

_ARROW = {
    "uscc": pa.string(), "str": pa.string(), "county": pa.string(), "industry": pa.string(),
    "enum": pa.string(), "date": pa.date32(), "year": pa.int32(), "bool": pa.bool_(),
    "float": pa.float64(), "int": pa.int64(),
}


def arrow_schema(table: Table) -> pa.Schema:
    """Schema of the validated Parquet files (input columns, then enriched ones, then ``section``)."""
    fields = [pa.field(c.name, _ARROW[c.kind]) for c in table.columns]
    if table.name == "enterprises":
        fields.append(pa.field("section", pa.string()))
    fields += [pa.field(name, pa.string()) for name in table.enriched]
    return pa.schema(fields)


@dataclass
class BatchCheck:
    """A validated batch: canonical frame (only valid rows) and the problems found."""

    frame: pd.DataFrame
    problems: list[Problem]
    n_bad_rows: int


def check_batch(table: Table, raw: pd.DataFrame, *, where: str, first_row: int,
                counties: set[str], max_problems: int = 200) -> BatchCheck:
    """Validate one batch of ``table`` rows, column by column, vectorised.

    ``first_row`` is the row number, as a user sees it, of the batch's first row
    (CSV: header = line 1; Parquet: first row = 1).  Problems name
    ``where 第 N 行 列「col」``.
    """
    missing = [c.name for c in table.columns if c.required and c.name not in raw.columns]
    if missing:
        return BatchCheck(raw.iloc[0:0], [Problem(where, f"缺少列：{', '.join(missing)}", "missing_column")], len(raw))
    n = len(raw)
    rows = np.arange(first_row, first_row + n)
    out: dict[str, object] = {}
    bad = np.zeros(n, dtype=bool)
    problems: list[Problem] = []

    def report(column: str, mask: np.ndarray, messages: np.ndarray | str) -> None:
        nonlocal bad
        bad |= mask
        for i in np.flatnonzero(mask):
            if len(problems) >= max_problems:
                return
            text = messages if isinstance(messages, str) else messages[i]
            problems.append(Problem(f"{where} 第 {rows[i]} 行 列「{column}」", f"{text}（值：{raw[column].iat[i]}）", "bad_value"))

    for col in table.columns:
        if col.name not in raw.columns:
            out[col.name] = pd.Series([None] * n, dtype=object)
            continue
        values = raw[col.name]
        empty = values.isna().to_numpy() | (values.astype(str).str.strip() == "").to_numpy()
        if col.required:
            report(col.name, empty, "必填项为空")
        text = values.astype(str).str.strip().where(~empty, None)
        if col.kind == "uscc":
            reasons = uscc_problems(text.to_numpy(dtype=object))
            report(col.name, ~empty & (reasons != ""), reasons)
            out[col.name] = text
        elif col.kind == "county":
            unknown = ~empty & ~text.isin(counties).to_numpy()
            report(col.name, unknown, "不是单位表中的县级行政区划代码（现行或对照表中的历史代码）")
            out[col.name] = text
        elif col.kind == "industry":
            codes, reasons = industry_codes().normalise(text.to_numpy(dtype=object))
            report(col.name, ~empty & (reasons != ""), reasons)
            out[col.name] = pd.Series(codes, dtype=object)
        elif col.kind == "enum":
            wrong = ~empty & ~text.isin(col.choices).to_numpy()
            report(col.name, wrong, f"取值应为：{'、'.join(col.choices)}")
            out[col.name] = text
        elif col.kind == "date":
            parsed = pd.to_datetime(values, errors="coerce", format="ISO8601") if values.dtype == object \
                else pd.to_datetime(values, errors="coerce")
            report(col.name, ~empty & parsed.isna().to_numpy(), "不是日期（YYYY-MM-DD）")
            out[col.name] = parsed.dt.date
        elif col.kind in ("year", "int", "float"):
            num = pd.to_numeric(text, errors="coerce")
            report(col.name, ~empty & num.isna().to_numpy(), "不是数字")
            finite = num.notna().to_numpy()
            if col.kind == "year":
                lo, hi = YEAR_RANGE
                report(col.name, finite & ((num < lo) | (num > hi) | (num % 1 != 0)).to_numpy(), f"年份应为 {lo}–{hi} 的整数")
            else:
                report(col.name, finite & (num < 0).to_numpy(), "不能为负数")
                if col.kind == "int":
                    report(col.name, finite & (num % 1 != 0).to_numpy(), "应为整数")
            out[col.name] = num
        elif col.kind == "bool":
            lowered = text.str.lower()
            truth = lowered.map({"true": True, "1": True, "是": True, "false": False, "0": False, "否": False})
            report(col.name, ~empty & truth.isna().to_numpy(), "应为 是/否（true/false、1/0）")
            out[col.name] = truth
        else:
            out[col.name] = text
    if table.name == "enterprises":
        reg, ext = pd.Series(out["registered"]), pd.Series(out["exited"])
        order = ext.notna().to_numpy() & reg.notna().to_numpy() & (pd.to_datetime(ext) < pd.to_datetime(reg)).to_numpy()
        report("exited", order, "注销日期早于成立日期")
        industry = pd.Series(out["industry"], dtype=object)
        section = industry.map(industry_codes().sections)
        out["section"] = section.where(section.notna(), industry.where(industry.str.len() == 1))
    if table.name == "designations":
        g, r = pd.Series(out["granted"]), pd.Series(out["revoked"])
        report("revoked", (r.notna() & g.notna() & (r < g)).to_numpy(), "撤销年份早于认定年份")
    frame = pd.DataFrame({k: pd.Series(v).reset_index(drop=True) for k, v in out.items()})
    frame["_row"] = rows
    return BatchCheck(frame.loc[~bad].reset_index(drop=True), problems, int(bad.sum()))
