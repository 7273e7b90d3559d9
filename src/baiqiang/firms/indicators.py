"""Run a recipe book over a firm dataset and assemble the county panel.

The engine computes the base aggregates (:mod:`baiqiang.firms.compile`); the
derived recipes (growth, ratio, per-capita) and census columns are then
computed here on the small county × year panel with vectorised pandas, the
same for every engine.  The result carries its provenance: the recipe file's
checksum, the dataset's checksum, the engine and the years.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from baiqiang.data.store import UNIT_ATTRIBUTES, Indicator, Store, file_sha256
from baiqiang.errors import DataError
from baiqiang.firms.census import census_panel
from baiqiang.firms.compile import compile_book
from baiqiang.firms.engines import Engine, dataset_tables
from baiqiang.firms.importer import dataset_checksum, read_manifest
from baiqiang.firms.recipes import Recipe, RecipeBook

ZERO_WHEN_ABSENT = ("count", "count_distinct", "sum", "coverage")


@dataclass
class IndicatorResult:
    """Long values ``county, year, code, value`` for every recipe and requested year, with provenance."""

    book: RecipeBook
    values: pd.DataFrame
    provenance: dict[str, object]
    timings: dict[str, float] = field(default_factory=dict)

    def wide(self, year: int) -> pd.DataFrame:
        """One row per county for ``year``: ``code`` and one column per recipe (in book order)."""
        v = self.values[self.values["year"] == year]
        if v.empty:
            raise DataError.single("firms indicators", f"没有 {year} 年的结果（已计算：{sorted(self.values['year'].unique())}）", "no_year")
        wide = v.pivot(index="county", columns="code", values="value")
        return wide[[r.code for r in self.book.recipes]].rename_axis("code").reset_index()


def run_recipes(book: RecipeBook, dataset: str | Path, engine: Engine, years: list[int], *,
                recipes_file: str | Path | None = None) -> IndicatorResult:
    """Compute every recipe of ``book`` for ``years`` on ``engine``."""
    if not years:
        raise DataError.single("firms indicators", "请给出年份（--years 或配方文件的 years）", "no_year")
    needs_previous = any(r.derive == "growth" for r in book.recipes)
    computed = sorted(set(years) | ({y - 1 for y in years} if needs_previous else set()))
    tables = dataset_tables(engine, dataset)
    missing = sorted({r.source for r in book.recipes if r.kind == "base"} - set(tables))
    if missing:
        raise DataError.single(str(dataset), f"数据集中没有表：{', '.join(missing)}（配方需要）", "missing_table")
    timings: dict[str, float] = {}
    parts, spine = [], None
    for query in compile_book(book, tables, computed):
        t0 = time.perf_counter()
        frame = engine.execute(query.expr)
        if query.all_counties:
            spine = frame["county"].astype(str)
        parts.append(query.to_long(frame))
        timings[query.label] = time.perf_counter() - t0
    if spine is None:  # no unfiltered enterprises query: list the counties separately
        t0 = time.perf_counter()
        spine = engine.execute(tables["enterprises"].select("county").distinct())["county"].astype(str)
        timings["counties"] = time.perf_counter() - t0
    long = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["county", "year", "code", "value"])
    t0 = time.perf_counter()
    values = _assemble(book, long, pd.Index(sorted(spine.unique()), name="county"), computed)
    timings["derive"] = time.perf_counter() - t0
    values = values[values["year"].isin(years)].reset_index(drop=True)
    provenance = {
        "recipes": str(recipes_file) if recipes_file else "<recipes>",
        "recipes_sha256": file_sha256(recipes_file) if recipes_file else _book_sha256(book),
        "dataset": str(dataset), "data_checksum": _data_checksum(dataset),
        "engine": engine.name, "years": list(years),
        "recipe_definitions": [r.model_dump(mode="json", exclude_defaults=True, by_alias=True) for r in book.recipes],
    }
    return IndicatorResult(book, values, provenance, timings)


def _book_sha256(book: RecipeBook) -> str:
    return hashlib.sha256(book.model_dump_json().encode()).hexdigest()


def _data_checksum(dataset: str | Path) -> str:
    manifest = read_manifest(Path(dataset)) if "://" not in str(dataset) else None
    if manifest:
        return str(manifest["data_checksum"])
    return dataset_checksum(Path(dataset)) if "://" not in str(dataset) else ""


def _assemble(book: RecipeBook, long: pd.DataFrame, counties: pd.Index, years: list[int]) -> pd.DataFrame:
    """Base values on the full county × year grid, then census and derived recipes in book order."""
    grid: dict[str, pd.DataFrame] = {}
    census = _census_values(book) if any(r.kind == "census" for r in book.recipes) else None
    for r in book.recipes:
        if r.kind == "base":
            sub = long[long["code"] == r.code]
            frame = sub.pivot_table(index="county", columns="year", values="value", aggfunc="first")
            frame = frame.reindex(index=counties, columns=years)
            grid[r.code] = frame.fillna(0.0) if r.measure in ZERO_WHEN_ABSENT else frame
        elif r.kind == "census":
            col = census[r.column].reindex(counties) if census is not None else None
            grid[r.code] = pd.DataFrame({y: col.to_numpy() for y in years}, index=counties)
        else:
            grid[r.code] = _derive(r, grid, years)
        grid[r.code] = grid[r.code].astype(float) * (r.scale if r.kind != "derived" else 1.0)
    return pd.concat([_to_long(frame, code) for code, frame in grid.items()], ignore_index=True)


def _to_long(frame: pd.DataFrame, code: str) -> pd.DataFrame:
    counties = np.repeat(frame.index.to_numpy(), frame.shape[1])
    years = np.tile(np.asarray(frame.columns, dtype=int), frame.shape[0])
    return pd.DataFrame({"county": counties, "year": years, "code": code, "value": frame.to_numpy(dtype=float).ravel()})


def _derive(r: Recipe, grid: dict[str, pd.DataFrame], years: list[int]) -> pd.DataFrame:
    """growth = (x_y / x_{y−1} − 1) × scale; ratio = num / den × scale; per_capita = x / population × scale."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if r.derive == "growth":
            x = grid[r.of]
            prev = x.shift(1, axis=1)
            prev.loc[:, [y for y in years if y - 1 not in years]] = np.nan
            out = (x / prev - 1.0) * r.scale
        elif r.derive == "ratio":
            out = grid[r.numerator] / grid[r.denominator] * r.scale
        else:
            out = grid[r.of] / grid[r.population] * r.scale
    return out.replace([np.inf, -np.inf], np.nan)


def _census_values(book: RecipeBook) -> pd.DataFrame:
    """Census 2020 indicators per unit (index: code), from the bundled county tables."""
    from baiqiang.data.census import CENSUS_INDICATORS

    wanted = sorted({r.column for r in book.recipes if r.kind == "census"})
    known = {i.code for i in CENSUS_INDICATORS}
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise DataError.single("recipes", f"普查中没有指标：{', '.join(unknown)}", "unknown_census")
    return census_panel()[wanted]


def unit_attributes() -> pd.DataFrame:
    """Registry attributes the engine groups and filters by (name, type, province, region …), by code."""
    from baiqiang.data.registry import Registry

    units = Registry.load().units
    return units[["code", *UNIT_ATTRIBUTES]].set_index("code")


def write_panel(result: IndicatorResult, out: Path, year: int) -> Path:
    """Write the wide panel of ``year`` (Parquet or CSV by suffix) and ``<out>.provenance.json``.

    Columns: ``code``, the registry attributes, then one column per recipe;
    ``baiqiang build FRAMEWORK panel.parquet`` reads it directly.  The
    provenance is also in the Parquet file's metadata (key ``baiqiang``).
    """
    out = Path(out)
    wide = result.wide(year)
    attrs = unit_attributes()
    panel = attrs.reindex(wide["code"]).reset_index().merge(wide, on="code")
    provenance = {**result.provenance, "year": year}
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".csv":
        panel.to_csv(out, index=False, encoding="utf-8")
    else:
        table = pa.Table.from_pandas(panel, preserve_index=False)
        meta = {**(table.schema.metadata or {}), b"baiqiang": json.dumps(provenance, ensure_ascii=False).encode()}
        pq.write_table(table.replace_schema_metadata(meta), out)
    sidecar = out.with_name(out.name + ".provenance.json")
    sidecar.write_text(json.dumps(provenance, ensure_ascii=False, indent=2), encoding="utf-8")
    return sidecar


def to_store(result: IndicatorResult, store: Store) -> tuple[int, int]:
    """Add every value as observations (one batch), the recipes as catalog entries; returns (new, changed)."""
    store.ensure_registry()
    store.upsert_indicators(Indicator(r.code, r.name.zh, r.name.en, r.unit,
                                      r.definition or f"配方 {r.code}（{result.provenance['recipes']}）")
                            for r in result.book.recipes)
    p = result.provenance
    obs = result.values.rename(columns={"county": "unit_code", "code": "indicator"})
    obs = obs.assign(provenance="配方 " + obs["indicator"] + f"（{p['recipes']} sha256 {str(p['recipes_sha256'])[:12]}）；"
                     f"数据 sha256 {str(p['data_checksum'])[:12]}；引擎 {p['engine']}")
    res = store.add_observations(obs, source=f"企业数据配方 {p['recipes']}", file=str(p["dataset"]),
                                 sha256=str(p["data_checksum"]), note="baiqiang firms indicators")
    return res.n_new, res.n_changed
