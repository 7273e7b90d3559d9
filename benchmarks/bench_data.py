"""Benchmark the data import: the bundled census tables, a synthetic user table, a 50 MB CSV.

    python benchmarks/bench_data.py [--repeat N]
    python benchmarks/bench_data.py --big-mb 50     # only the large import, in a child process
    python benchmarks/bench_data.py --big-mb 50 --compare   # ... and the generic path, interleaved

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


#: A child that runs ``baiqiang import`` with the set-based CSV path switched off (for --compare).
_GENERIC_CHILD = (
    "import sys; import baiqiang.data.importers.table as t; t.import_plain_csv = lambda *a, **k: None; "
    "from baiqiang.cli import run; sys.argv = ['baiqiang', *sys.argv[1:]]; sys.exit(run())")


def _child(argv: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) and status of one child process (each child is measured alone)."""
    import os
    import subprocess

    t = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # a fresh child per run, so ru_maxrss is this run's peak and not the largest so far
        done = subprocess.run(argv, capture_output=True, text=True)
        os._exit(0 if done.returncode == 0 else 100 + min(done.returncode, 100))
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - t
    code = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_maxrss / 1024, "ok" if code == 0 else f"exit {code - 100}"


def big_csv(reg: Registry, megabytes: float, tmp: Path, *, compare: bool = False, repeat: int = 1) -> None:
    """``baiqiang import`` of a long CSV of about ``megabytes`` MB, run as a child process.

    Rows: every county-level code × years × indicators (区划代码,年份,指标,数值).  Wall time
    and the child's peak resident memory (ru_maxrss) are printed.  ``compare`` also runs the
    generic path (the set-based CSV path switched off), alternating with the fast one.
    """
    import sys

    codes = reg.county_level()["code"].tolist()
    names = ["地区生产总值", "常住人口", "一般公共预算收入", "社会消费品零售总额", "固定资产投资"]
    path = tmp / "big.csv"
    rng = np.random.default_rng(0)
    size, year = 0, 1950
    with open(path, "w", encoding="utf-8") as f:
        f.write("区划代码,年份,指标,数值\n")
        while size < megabytes * 1e6 and year < 2100:
            for name in names:
                values = rng.uniform(1, 5000, len(codes))
                block = "".join(f"{c},{year},{name},{v:.2f}\n" for c, v in zip(codes, values))
                f.write(block)
                size += len(block.encode("utf-8"))
            year += 1
    n_rows = sum(1 for _ in open(path, encoding="utf-8")) - 1
    cli = Path(sys.executable).with_name("baiqiang")
    print(f"big CSV: {path.stat().st_size / 1e6:.1f} MB, {n_rows} rows")
    runs = {"fast": [str(cli)], "generic": [sys.executable, "-c", _GENERIC_CHILD]} if compare else {"fast": [str(cli)]}
    times: dict[str, list[float]] = {k: [] for k in runs}
    for k in range(repeat):
        for name, argv in runs.items():
            db = tmp / f"big_{name}_{k}.duckdb"
            seconds, peak_mb, status = _child([*argv, "import", str(path), "--db", str(db), "--no-progress"])
            times[name].append(seconds)
            print(f"  {name:7s} baiqiang import {seconds:.1f} s, peak RSS {peak_mb:.0f} MB ({status})", flush=True)
    if compare:
        ratios = [g / f for f, g in zip(times["fast"], times["generic"], strict=True)]
        print(f"  generic / fast wall time: {', '.join(f'{r:.1f}×' for r in ratios)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--big-mb", type=float, default=0, help="only run the large-CSV import of this size")
    ap.add_argument("--compare", action="store_true", help="with --big-mb: also the generic path, interleaved")
    args = ap.parse_args()
    reg = Registry.load()
    if args.big_mb:
        with tempfile.TemporaryDirectory() as d:
            big_csv(reg, args.big_mb, Path(d), compare=args.compare, repeat=args.repeat if args.compare else 1)
        return
    with tempfile.TemporaryDirectory() as d:
        census(reg, args.repeat, Path(d))
        user_table(reg, args.repeat, Path(d))


if __name__ == "__main__":
    main()
