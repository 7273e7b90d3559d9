"""Compile base recipes to Ibis expressions: a few grouped scans, whatever the engine.

All simple measures (count, count_distinct, sum) over one source become one
``group_by(...).aggregate(...)`` with a filtered reduction per recipe (and per
year for tables whose year comes from dates), so a firm table is scanned once
for all its recipes.  HHI and chain coverage need a second grouping level and
get their own query.  Each :class:`Query` carries how to read its result back
into long rows ``county, year, code, value``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from typing import Callable

import ibis
import ibis.expr.types as ir
import pandas as pd

from baiqiang.firms.codes import industrial_chains, industry_codes
from baiqiang.firms.recipes import INDUSTRY_LEVELS, Condition, Recipe, RecipeBook

YEAR_TABLES = ("enterprise_years", "patents", "projects")


@dataclass(frozen=True)
class Query:
    """An Ibis expression and the function turning its result into long rows."""

    label: str
    expr: ir.Table
    to_long: Callable[[pd.DataFrame], pd.DataFrame]
    #: The result has a row for every county with an enterprise (an unfiltered grouping of ``enterprises``).
    all_counties: bool = False


def condition(t: ir.Table, c: Condition) -> ir.BooleanValue:
    """The Ibis predicate of one recipe condition."""
    col = t[c.column]
    op = c.operator
    if op == "prefix":
        return reduce(lambda a, b: a | b, [col.startswith(p) for p in c.prefixes()])
    if op == "isin":
        return col.isin(c.isin)
    value = getattr(c, op)
    return {"eq": col == value, "ne": col != value, "ge": col >= value, "gt": col > value,
            "le": col <= value, "lt": col < value}[op]


def period(t: ir.Table, r: Recipe, year: int) -> ir.BooleanValue:
    """Rows that count for ``year`` under the recipe's ``when``."""
    end = ibis.date(year, 12, 31)
    when = r.period
    if r.source == "enterprises":
        if when == "active":
            return (t.registered <= end) & (t.exited.isnull() | (t.exited > end))
        return t[when].year() == year
    if when == "active":  # designations held at year end
        return (t.granted <= year) & (t.revoked.isnull() | (t.revoked > year))
    return t.granted == year


def _where(t: ir.Table, r: Recipe) -> ir.BooleanValue:
    return reduce(lambda a, b: a & b, [condition(t, c) for c in r.where], ibis.literal(True))


def _measure(t: ir.Table, r: Recipe, where: ir.BooleanValue) -> ir.Scalar:
    if r.measure == "count":
        return t.uscc.count(where=where)
    if r.measure == "count_distinct":
        return t[r.column].nunique(where=where)
    return t[r.column].sum(where=where)


def _melt(codes_by_column: dict[str, tuple[str, int | None]]) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """Read a wide aggregate (one column per recipe, or per recipe and year) into long rows."""
    def to_long(df: pd.DataFrame) -> pd.DataFrame:
        parts = []
        for column, (code, year) in codes_by_column.items():
            years = df["year"].astype(int).to_numpy() if year is None else year
            parts.append(pd.DataFrame({"county": df["county"].astype(str).to_numpy(), "year": years, "code": code,
                                       "value": pd.to_numeric(df[column], errors="coerce").astype(float).to_numpy()}))
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["county", "year", "code", "value"])
    return to_long


def compile_book(book: RecipeBook, tables: dict[str, ir.Table], years: list[int]) -> list[Query]:
    """Queries computing every base recipe of ``book`` for ``years``."""
    queries: list[Query] = []
    base = [r for r in book.recipes if r.kind == "base"]
    for source in sorted({r.source for r in base}):
        t = tables[source]
        if source in YEAR_TABLES:
            t = t.mutate(year=t.year.cast("int32")).filter(lambda s: s.year.isin(years))
        simple = [r for r in base if r.source == source and r.measure in ("count", "count_distinct", "sum")]
        if simple:
            aggs, names = {}, {}
            for i, r in enumerate(simple):
                if source in YEAR_TABLES:
                    aggs[f"m{i}"] = _measure(t, r, _where(t, r))
                    names[f"m{i}"] = (r.code, None)
                else:
                    for y in years:
                        aggs[f"m{i}_{y}"] = _measure(t, r, _where(t, r) & period(t, r, y))
                        names[f"m{i}_{y}"] = (r.code, y)
            keys = ["county", "year"] if source in YEAR_TABLES else ["county"]
            queries.append(Query(f"{source}: {len(simple)} 个指标", t.group_by(keys).aggregate(**aggs), _melt(names),
                                 all_counties=source == "enterprises"))
        for r in base:
            if r.source == source and r.measure == "hhi":
                queries += [_hhi(t, r, y) for y in ([None] if source in YEAR_TABLES else years)]
        chains = [r for r in base if r.source == source and r.measure == "coverage"]
        if chains:
            queries.append(_coverage(t, chains, years))
    return queries


def _hhi(t: ir.Table, r: Recipe, year: int | None) -> Query:
    """Σ s_i² over industries i (2/3/4-digit codes), s_i = share of the county's total of ``column`` (or firm count)."""
    keep = _where(t, r) if year is None else _where(t, r) & period(t, r, year)
    x = t.filter(keep).mutate(ind=t.industry.substr(0, INDUSTRY_LEVELS[r.by]))
    keys = ["county", "year"] if year is None else ["county"]
    value = x[r.column].sum() if r.column else x.uscc.count()
    per = x.group_by([*keys, "ind"]).aggregate(v=value.cast("float64"))
    agg = per.group_by(keys).aggregate(s2=(per.v * per.v).sum(), s=per.v.sum())
    expr = agg.mutate(hhi=agg.s2 / (agg.s * agg.s)).select(*keys, "hhi")
    return Query(f"{r.code} {year or ''}".strip(), expr, _melt({"hhi": (r.code, year)}))


def chain_links(chain: str) -> pd.DataFrame:
    """``industry`` (小类) → ``link`` rows of a named chain, prefixes expanded with GB/T 4754-2017."""
    classes = industry_codes().table
    classes = classes.loc[classes["level"] == "小类", "code"]
    rows = [(code, link) for link, prefixes in industrial_chains()[chain].items()
            for code in classes if any(code.startswith(p) for p in prefixes)]
    return pd.DataFrame(rows, columns=["industry", "link"]).drop_duplicates()


def _coverage(t: ir.Table, recipes: list[Recipe], years: list[int]) -> Query:
    """Per chain recipe and year: share of the chain's links with at least one matching firm (0–1).

    One join of the firms with the (industry, chain, link) map serves every chain recipe of the source.
    """
    maps = {r.chain: chain_links(r.chain).assign(chain=r.chain) for r in recipes}
    x = t.join(ibis.memtable(pd.concat(maps.values(), ignore_index=True)), "industry")
    aggs, names, n_links = {}, {}, {}
    for i, r in enumerate(recipes):
        for y in years:
            when = (x.year == y) if r.source in YEAR_TABLES else period(x, r, y)
            aggs[f"c{i}_{y}"] = x.link.nunique(where=(x.chain == r.chain) & _where(x, r) & when)
            names[f"c{i}_{y}"] = (r.code, y)
            n_links[f"c{i}_{y}"] = maps[r.chain]["link"].nunique()
    expr = x.group_by("county").aggregate(**aggs)
    expr = expr.mutate(**{k: expr[k].cast("float64") / n_links[k] for k in aggs})
    return Query(f"coverage: {len(recipes)} 条产业链", expr, _melt(names))
