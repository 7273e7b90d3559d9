"""Entry gates: thresholds on raw columns combined with all/any, with the reason a unit fails."""

from __future__ import annotations

import numpy as np
import pandas as pd

from baiqiang.errors import DataError, Problem
from baiqiang.framework.rankings import Condition, Gate

OP_TEXT = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "!=": "≠", "in": "属于", "not in": "不属于"}
NEGATED = {">=": "<", ">": "≤", "<=": ">", "<": "≥", "==": "≠", "!=": "=", "in": "不属于", "not in": "属于"}


def evaluate_gate(gate: Gate, frame: pd.DataFrame, where: str) -> tuple[pd.Series, pd.Series]:
    """Whether each unit (row of ``frame``) passes ``gate``, and the reason (中文) where it does not.

    Numeric comparisons read the column as numbers; a missing value fails the
    threshold (the reason says the value is missing).
    """
    passed, reason = _evaluate(gate.when, frame, f"{where}.when")
    label = gate.name or gate.id
    return passed, (f"未达{label}门槛：" + reason).where(~passed, "")


def _evaluate(cond: Condition, frame: pd.DataFrame, where: str) -> tuple[pd.Series, pd.Series]:
    if cond.all is not None or cond.any is not None:
        parts = [_evaluate(c, frame, f"{where}.{'all' if cond.all is not None else 'any'}[{k}]") for k, c in enumerate(cond.all or cond.any or [])]
        passes = pd.concat([p for p, _ in parts], axis=1)
        joined = pd.Series("", index=frame.index)
        for p, r in parts:  # one pass per condition, vectorised over units
            failed = r.where(~p, "")
            joined = joined + np.where((joined != "") & (failed != ""), "；", "") + failed
        if cond.all is not None:
            return passes.all(axis=1), joined
        return passes.any(axis=1), "以下条件均未满足（任一即可）：" + joined
    return _threshold(cond, frame, where)


def _threshold(cond: Condition, frame: pd.DataFrame, where: str) -> tuple[pd.Series, pd.Series]:
    column = str(cond.column)
    if column not in frame.columns:
        raise DataError.single(f"{where}.column", f"数据中没有列 {column!r}", "missing_column")
    raw = frame[column]
    label = cond.label or column
    unit = cond.unit or ""
    op, value = cond.op, cond.value
    if op in ("in", "not in"):
        allowed = [str(v) for v in value] if isinstance(value, list) else []
        inside = raw.astype(str).isin(allowed)
        passed = inside if op == "in" else ~inside
        shown = "、".join(allowed)
        reason = label + "为" + raw.astype(str) + f"，{NEGATED[op]} {shown}"
        return passed, reason
    if isinstance(value, str):
        text = raw.astype(str)
        passed = (text == value) if op == "==" else (text != value)
        if op not in ("==", "!="):
            raise DataError.single(f"{where}.value", f"文本值 {value!r} 只能用 == 或 != 比较", "bad_operator")
        return passed, label + "为" + text + f"，{NEGATED[op]} {value}"
    numbers = raw if raw.dtype.kind in "fiub" else _numbers(raw, column, where)  # a panel's numeric columns are floats
    x = numbers.to_numpy(dtype=float)
    compare = {">=": np.greater_equal, ">": np.greater, "<=": np.less_equal, "<": np.less, "==": np.equal, "!=": np.not_equal}[str(op)]
    with np.errstate(invalid="ignore"):
        passed = pd.Series(compare(x, float(value)) & ~np.isnan(x), index=frame.index)  # type: ignore[arg-type]
    threshold = f"{NEGATED[str(op)]} {_number(float(value))}{unit}"  # type: ignore[arg-type]
    reason = pd.Series("", index=frame.index, dtype=object)
    failed = ~passed.to_numpy()
    # Only failing units need a reason: format just their values.
    shown = numbers[failed].map(_number).astype(str)
    reason[failed] = np.where(numbers[failed].notna(), label + " " + shown + unit + " " + threshold, f"{label}缺失")
    return passed, reason


def _numbers(raw: pd.Series, column: str, where: str) -> pd.Series:
    """A text column's cells as numbers (blank is missing); a cell that is no number is an error.

    Only for columns that are not numeric already: their text check costs ~4 ms per gate on the
    census counties, for a column of floats that cannot fail it.
    """
    numbers = pd.to_numeric(raw, errors="coerce")
    bad = numbers.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
    if bad.any():
        problems = [Problem(f"{where}: 单位 {code}, 列 {column}", f"不是数字：{raw[code]!r}", "non_numeric") for code in raw.index[bad][:20]]
        raise DataError(problems, summary=f"{where}: 门槛列 {column} 有 {int(bad.sum())} 个非数字值")
    return numbers


def _number(x: float) -> str:
    return "" if x != x else f"{x:,.6g}".replace(",", "")
