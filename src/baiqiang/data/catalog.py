"""The indicator catalog: reading catalog tables and the default catalog.

The default catalog (``resources/catalog.csv``) covers the indicators county
statistical bulletins and yearbooks report most (GDP and its growth, industry
above designated size, investment, retail sales, fiscal revenue, trade,
incomes, population, urbanisation, deposits and loans, …), with the header
and prose variants as aliases and the unit each is stored in.  Imports add
it to a store's catalog (codes already present are left as they are), so a
yearbook table maps without any set-up.  Its codes are the ones fact
extraction maps to (tested).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from baiqiang.data import names as nm
from baiqiang.data.importers.read import read_raw
from baiqiang.data.registry import resource_path
from baiqiang.data.store import Indicator
from baiqiang.data.units import is_unit
from baiqiang.errors import DataError, Problem


def read_catalog(path: str | Path) -> list[Indicator]:
    """Indicator catalog table (CSV/XLSX): code, name_zh[, name_en, unit, definition, aliases separated by ;].

    Every bad row is reported (file and row) before anything is returned.
    """
    path = Path(path)

    grid = read_raw(path)
    if grid.empty:
        raise DataError.single(str(path), "指标目录为空", "empty")
    header = [str(c).strip() if c is not None else "" for c in grid.iloc[0]]
    missing = [c for c in ("code", "name_zh") if c not in header]
    if missing:
        raise DataError.single(str(path), f"指标目录缺少列：{', '.join(missing)}（现有：{', '.join(header)}）",
                               "missing_column")
    out, problems, rows = [], [], []
    for i, row in enumerate(grid.iloc[1:].itertuples(index=False), start=2):
        rec = {h: ("" if v is None else str(v).strip()) for h, v in zip(header, row)}
        if not rec["code"] or not rec["name_zh"]:
            problems.append(Problem(f"{path.name}: 第 {i} 行", "code 与 name_zh 不能为空", "missing_value"))
            continue
        unit = rec.get("unit", "")
        if unit and not is_unit(unit):
            problems.append(Problem(f"{path.name}: 第 {i} 行, 列 unit", f"指标 {rec['code']} 的单位“{unit}”无法识别",
                                    "unit"))
        aliases = tuple(a.strip() for a in rec.get("aliases", "").replace("；", ";").split(";") if a.strip())
        out.append(Indicator(rec["code"], rec["name_zh"], rec.get("name_en", ""), unit,
                             rec.get("definition", ""), aliases))
        rows.append(i)
    problems += [Problem(f"{path.name}: 第 {rows[k]} 行", message, "duplicate_label")
                 for k, message in label_clashes(out)]
    if problems:
        raise DataError(problems, summary=f"{path.name}: 指标目录有 {len(problems)} 处问题")
    return out


def label_key(label: str) -> str:
    """The key indicator labels are matched under: normalised (full-width, spaces, traditional) and case-folded."""
    return nm.normalise(label).lower()


def _labels(ind: Indicator) -> tuple[tuple[str, ...], ...]:
    """An indicator's label keys by priority: its code, its Chinese name, its aliases."""
    return ((label_key(ind.code),), (label_key(ind.name_zh),), tuple(label_key(a) for a in ind.aliases))


def label_clashes(indicators: Iterable[Indicator]) -> list[tuple[int, str]]:
    """``(position, message)`` for every label that two indicators of a catalog share."""
    owner: dict[str, str] = {}
    clashes: list[tuple[int, str]] = []
    for k, ind in enumerate(indicators):
        for key in dict.fromkeys(key for level in _labels(ind) for key in level):
            other = owner.setdefault(key, ind.code)
            if other != ind.code:
                clashes.append((k, f"指标 {ind.code} 的代码、名称或别名“{key}”已属于指标 {other}（别名必须唯一）"))
    return clashes


def index_by_label(indicators: Iterable[Indicator]) -> dict[str, Indicator]:
    """Every indicator under the :func:`label_key` of its code, Chinese name and aliases.

    An exact code always wins, then a Chinese name, then an alias: a label that
    is one indicator's code and another's alias means the first.  A label
    shared by two indicators at the same priority (two aliases) maps to neither,
    so a column under it is reported unmapped rather than guessed.
    """
    indicators = list(indicators)
    index: dict[str, Indicator] = {}
    for level in range(3):
        claims: dict[str, set[str]] = {}
        by_code = {}
        for ind in indicators:
            by_code[ind.code] = ind
            for key in _labels(ind)[level]:
                if key not in index:
                    claims.setdefault(key, set()).add(ind.code)
        for key, codes in claims.items():
            if len(codes) == 1:
                index[key] = by_code[next(iter(codes))]
    return index


@lru_cache(maxsize=1)
def default_catalog() -> tuple[Indicator, ...]:
    """The bundled default catalog."""
    return tuple(read_catalog(resource_path("catalog.csv")))
