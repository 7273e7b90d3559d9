"""Firm platform benchmark: generation, 40+ recipes on DuckDB, and the same on local PySpark.

Each phase runs in a child process so that its wall time and peak memory
(``ru_maxrss`` of the child) are its own:

    nice -n 10 .venv/bin/python benchmarks/bench_firms.py --sizes 1000000,10000000,50000000 --spark 1000000 \
        --workdir /work/tmp-firms-bench

Prints one Markdown row per size and phase (figures go to docs/performance.md).
The generated data are deleted afterwards unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECIPES = ROOT / "recipes" / "caict_style.yaml"


def phase_generate(n: int, out: Path) -> dict:
    from baiqiang.firms.census import census_panel
    from baiqiang.firms.generate import generate

    census_panel()  # read the census first: the figure is the generator's own time
    t0 = time.perf_counter()
    result = generate(n, out, seed=0)
    return {"seconds": time.perf_counter() - t0, "rows": result.rows}


def phase_recipes(engine_name: str, data: Path) -> dict:
    from baiqiang.firms.census import census_panel
    from baiqiang.firms.engines import connect
    from baiqiang.firms.indicators import run_recipes
    from baiqiang.firms.recipes import load_recipes

    census_panel()
    book = load_recipes(RECIPES)
    t_connect = time.perf_counter()
    engine = connect(engine_name, spark="local[2]", memory_limit="8GB")
    t0 = time.perf_counter()
    result = run_recipes(book, data, engine, [2023], recipes_file=RECIPES)
    total = time.perf_counter() - t0
    engine.close()
    in_engine = sum(v for k, v in result.timings.items() if k != "derive")
    return {"seconds": total, "in_engine": in_engine, "startup": t0 - t_connect, "recipes": len(book.recipes),
            "engine_recipes": sum(r.kind == "base" for r in book.recipes), "queries": len(result.timings) - 1,
            "counties": int(result.values["county"].nunique())}


def _child(args: list[str]) -> tuple[dict, float, float]:
    """Run this script's phase in a child; (its JSON result, wall seconds, peak RSS GiB)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _pid, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"phase {args} failed with status {status}")
    return json.loads(out.strip().splitlines()[-1]), time.perf_counter() - t0, usage.ru_maxrss / 2**20


def _du(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**30


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000000")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/baiqiang-bench-firms"))
    parser.add_argument("--spark", default="", help="sizes (comma-separated) at which the recipes also run on local PySpark")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "generate":
        print(json.dumps(phase_generate(args.n, args.data)))
        return
    if args.phase == "recipes":
        print(json.dumps(phase_recipes(args.engine, args.data)))
        return
    print("| firms | phase | seconds | peak RSS (GiB) | notes |")
    print("|---:|---|---:|---:|---|")
    for n in [int(s) for s in args.sizes.split(",")]:
        data = args.workdir / f"n{n}"
        shutil.rmtree(data, ignore_errors=True)
        try:
            gen, _wall, rss = _child(["--phase", "generate", "--n", str(n), "--data", str(data)])
            print(f"| {n:,} | generate | {gen['seconds']:.1f} | {rss:.2f} | rows {gen['rows']}, {_du(data):.2f} GiB on disk |",
                  flush=True)
            spark_sizes = {int(x) for x in args.spark.split(",") if x}
            engines = ["duckdb", "spark"] if n in spark_sizes else ["duckdb"]
            for engine in engines:
                res, _wall, rss = _child(["--phase", "recipes", "--engine", engine, "--data", str(data)])
                print(f"| {n:,} | recipes on {engine} | {res['seconds']:.1f} | {rss:.2f} | {res['recipes']} recipes "
                      f"({res['engine_recipes']} in the engine, {res['queries']} queries), in-engine {res['in_engine']:.1f} s, "
                      f"session start {res['startup']:.1f} s, {res['counties']} counties |", flush=True)
        finally:
            if not args.keep:
                shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
