"""Indicator recipes: each county indicator as data (YAML), validated with located messages.

A recipe is either a *base* recipe, aggregated from one firm table per county
and year by the engine (:mod:`baiqiang.firms.compile`), a *derived* recipe
computed from other recipes on the small county panel (growth, ratio,
per-capita), or a *census* recipe that copies a census indicator.  The format
is documented in docs/platform.md ("Recipe format").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from baiqiang.errors import DataError, Problem, read_yaml, validation_problems
from baiqiang.firms.codes import hightech_manufacturing, industrial_chains
from baiqiang.firms.schema import TABLES

SOURCES = ("enterprises", "enterprise_years", "designations", "patents", "projects")
#: Year semantics allowed per source; the first is the default.
WHEN: dict[str, tuple[str, ...]] = {
    "enterprises": ("active", "registered", "exited"),
    "designations": ("active", "granted"),
    "enterprise_years": ("year",), "patents": ("year",), "projects": ("year",),
}
#: Industry levels for HHI: number of leading code characters.
INDUSTRY_LEVELS = {"division": 2, "group": 3, "class": 4}
#: Named code lists a ``prefix`` condition may use as ``"@name"``.
CODE_LISTS = {"hightech_manufacturing": lambda: sorted(hightech_manufacturing()["code"])}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Name(_Model):
    zh: str
    en: str = ""


class Condition(_Model):
    """One filter condition on a column; exactly one operator is given."""

    column: str
    eq: Any = None
    ne: Any = None
    isin: list[Any] | None = Field(None, alias="in")
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None
    prefix: list[str] | str | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _one_operator(self) -> "Condition":
        given = [k for k in ("eq", "ne", "isin", "ge", "gt", "le", "lt", "prefix") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"每个条件恰好给出一个运算符（eq/ne/in/ge/gt/le/lt/prefix），此处给出 {len(given)} 个")
        return self

    @property
    def operator(self) -> str:
        return next(k for k in ("eq", "ne", "isin", "ge", "gt", "le", "lt", "prefix") if getattr(self, k) is not None)

    def prefixes(self) -> list[str]:
        """The prefixes of a ``prefix`` condition, with ``"@list"`` names expanded."""
        raw = [self.prefix] if isinstance(self.prefix, str) else list(self.prefix or [])
        out: list[str] = []
        for p in raw:
            out += CODE_LISTS[p[1:]]() if p.startswith("@") else [p]
        return out


class Recipe(_Model):
    code: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    name: Name
    unit: str = ""
    definition: str = ""
    # base recipes
    source: Literal["enterprises", "enterprise_years", "designations", "patents", "projects", "census"] | None = None
    where: list[Condition] = []
    when: str | None = None
    measure: Literal["count", "count_distinct", "sum", "hhi", "coverage"] | None = None
    column: str | None = None
    by: Literal["division", "group", "class"] = "division"
    chain: str | None = None
    # derived recipes
    derive: Literal["growth", "ratio", "per_capita"] | None = None
    of: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    population: str | None = None
    scale: float = 1.0

    @property
    def kind(self) -> str:
        return "derived" if self.derive else ("census" if self.source == "census" else "base")

    @property
    def period(self) -> str:
        """The year semantics (``when``) with its default for the source."""
        return self.when or WHEN[self.source][0] if self.source in WHEN else ""

    def inputs(self) -> list[str]:
        """Recipe codes a derived recipe reads."""
        return [c for c in (self.of, self.numerator, self.denominator) if c]


class RecipeBook(_Model):
    """A recipe file: ``years`` to compute by default and the ``recipes``."""

    schema_version: Literal[1] = 1
    years: list[int] = []
    recipes: list[Recipe]

    def get(self, code: str) -> Recipe:
        return next(r for r in self.recipes if r.code == code)


RECIPES_READ = {"missing": "配方文件不存在", "directory": "是文件夹，不是配方文件", "invalid": "不是有效的 YAML：{}",
                "nested": "嵌套过深，不是配方文件"}


def load_recipes(path: str | Path) -> RecipeBook:
    """Read and validate a recipe file; raise :class:`DataError` listing every problem."""
    path = Path(path)
    return parse_recipes(read_yaml(path, DataError, RECIPES_READ), source=str(path))


def parse_recipes(raw: Any, *, source: str = "<recipes>") -> RecipeBook:
    if not isinstance(raw, dict):
        raise DataError.single(source, "配方文件顶层应为映射（years、recipes）", "type")
    try:
        book = RecipeBook.model_validate(raw)
    except ValidationError as exc:
        problems = validation_problems(exc.errors(), source)
        raise DataError(problems, summary=f"{source}: 配方有 {len(problems)} 处问题") from None
    problems = semantic_problems(book, source)
    if problems:
        raise DataError(problems, summary=f"{source}: 配方有 {len(problems)} 处问题")
    return book


def _columns(source: str) -> set[str]:
    table = TABLES[source]
    cols = {c.name for c in table.columns} | set(table.enriched)
    return cols | ({"section"} if source == "enterprises" else set())


def semantic_problems(book: RecipeBook, source: str) -> list[Problem]:
    """Meaning errors: unknown columns, operators that do not fit, references, cycles."""
    problems: list[Problem] = []
    codes = [r.code for r in book.recipes]
    seen: set[str] = set()
    for i, r in enumerate(book.recipes):
        at = f"{source}: recipes[{i}]"

        def bad(key: str, message: str, code: str = "invalid", at: str = at) -> None:
            problems.append(Problem(f"{at}.{key}", message, code))

        if r.code in seen:
            bad("code", f"配方代码 {r.code} 重复", "duplicate")
        seen.add(r.code)
        if r.kind == "derived":
            if r.source or r.measure:
                bad("derive", "派生配方不能同时给出 source 或 measure")
            needed = {"growth": ["of"], "ratio": ["numerator", "denominator"], "per_capita": ["of", "population"]}[r.derive]
            for key in needed:
                if not getattr(r, key):
                    bad(key, f"{r.derive} 需要 {key}")
            for ref in r.inputs():
                if ref not in codes:
                    bad("of", f"引用的配方 {ref} 不存在", "unknown_recipe")
                elif codes.index(ref) >= i:
                    bad("of", f"引用的配方 {ref} 须定义在本配方之前", "order")
            if r.population and r.population not in codes:
                bad("population", f"人口配方 {r.population} 不存在（先用 source: census 定义它）", "unknown_recipe")
            continue
        if r.source is None:
            bad("source", "基础配方需要 source（或用 derive 定义派生配方）")
            continue
        if r.source == "census":
            if not r.column:
                bad("column", "census 配方需要 column（普查指标代码）")
            continue
        cols = _columns(r.source)
        if r.measure is None:
            bad("measure", "基础配方需要 measure")
        if r.period not in WHEN[r.source]:
            bad("when", f"{r.source} 的 when 只能是 {'/'.join(WHEN[r.source])}")
        if r.measure in ("sum", "count_distinct") and not r.column:
            bad("column", f"{r.measure} 需要 column")
        if r.measure == "hhi" and r.column is None and r.source != "enterprises":
            bad("column", "hhi 需要 column（按其合计计算份额）")
        if r.column and r.column not in cols:
            bad("column", f"{r.source} 没有列 {r.column}（可用：{', '.join(sorted(cols))}）", "unknown_column")
        if r.measure == "coverage":
            if r.chain not in industrial_chains():
                bad("chain", f"产业链 {r.chain!r} 未定义（已定义：{'、'.join(industrial_chains())}）", "unknown_chain")
        for j, cond in enumerate(r.where):
            if cond.column not in cols:
                bad(f"where[{j}].column", f"{r.source} 没有列 {cond.column}", "unknown_column")
            if cond.operator == "prefix":
                for p in [cond.prefix] if isinstance(cond.prefix, str) else cond.prefix or []:
                    if p.startswith("@") and p[1:] not in CODE_LISTS:
                        bad(f"where[{j}].prefix", f"代码表 {p} 未定义（已定义：{', '.join('@' + k for k in CODE_LISTS)}）")
    return problems
