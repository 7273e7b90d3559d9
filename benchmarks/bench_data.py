"""Benchmark the data import: the bundled census tables and a synthetic user table.

    python benchmarks/bench_data.py [--repeat N]

For each census year: reading the XLSX into a raw grid, parsing the yearbook
sheet (titles, headers, missing markers, numbers) and the full
``import_census`` into a fresh DuckDB file (registry already loaded, so the
figure is the import itself).  Then ``import_file`` on a synthetic wide CSV
(3,000 rows × 30 indicator columns with missing markers, units in headers,
thousands separators).  Best of ``--repeat`` runs (default 3), one process.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from baiqiang.data.census import import_census
from baiqiang.data.census_rows import census_path
from baiqiang.data.importers.read import read_raw
from baiqiang.data.importers.table import import_file
from baiqiang.data.importers.yearbook import parse_sheet
from baiqiang.data.registry import Registry
from baiqiang.data.store import Indicator, Store


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def census(reg: Registry, repeat: int, tmp: Path) -> None:
    for year in (2010, 2020):
        grid = read_raw(census_path(year))
        t_read = best(lambda: read_raw(census_path(year)), repeat)
        t_parse = best(lambda: parse_sheet(grid), repeat)
        times = []
        for k in range(repeat):
            with Store(tmp / f"census_{year}_{k}.duckdb") as s:
                s.load_registry(reg.units)
                t = time.perf_counter()
                res = import_census(s, year, registry=reg)
                times.append(time.perf_counter() - t)
        print(f"census {year}: {grid.shape[0]} rows × {grid.shape[1]} cols; read {t_read:.2f} s, "
              f"parse {t_parse:.2f} s, import_census {min(times):.2f} s ({res.n_observations} observations)")


def user_table(reg: Registry, repeat: int, tmp: Path) -> None:
    rng = np.random.default_rng(0)
    units = reg.county_level()
    units = units[units["type"] != "市辖区"].drop_duplicates("short_name", keep=False).head(1500)
    cols = [f"指标{j}（万元）" for j in range(30)]
    lines = ["区划代码,地区," + ",".join(cols)]
    for code, name in zip(units["code"], units["name"]):
        vals = rng.uniform(0, 1e6, len(cols))
        cells = [("—" if v < 3e4 else "…" if v < 4e4 else f"{v:,.1f}") for v in vals]
        lines.append(f"{code},{name}," + ",".join(f'"{c}"' for c in cells))
    path = tmp / "wide.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    inds = [Indicator(f"x{j}", f"指标{j}", unit="亿元") for j in range(30)]
    times = []
    for k in range(repeat):
        with Store(tmp / f"user_{k}.duckdb") as s:
            s.load_registry(reg.units)
            s.upsert_indicators(inds)
            t = time.perf_counter()
            rep = import_file(s, path, year=2020, registry=reg)
            times.append(time.perf_counter() - t)
    print(f"user CSV: {len(units)} rows × {len(cols)} cols; import_file {min(times):.2f} s "
          f"({rep.batch.n_new} observations)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    reg = Registry.load()
    with tempfile.TemporaryDirectory() as d:
        census(reg, args.repeat, Path(d))
        user_table(reg, args.repeat, Path(d))


if __name__ == "__main__":
    main()
