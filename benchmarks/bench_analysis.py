"""Benchmark: uncertainty and sensitivity analysis vs COINr 1.1.14 (not a test).

Runs, in-process and timed like COINr's figures (``system.time`` around the
call only; framework and data loaded beforehand):

1. ASEM uncertainty analysis with COINr's exact specification, N = 500 and N = 5,000;
2. ASEM sensitivity analysis, N = 100 base samples (600 runs), 100 bootstrap resamples;
3. a national-scale run: 2,900 synthetic counties x 60 indicators, N = 10,000,
   in a child process so that its peak memory (max RSS) is its own.

COINr reference times: ``tests/analysis/data`` / ``shared/oracle/coinr/timings.md``
(UA N = 500: 52.93 s median; SA N = 100: 66.90 s median; N = 100 UA: 10.46 s).
Usage: ``python benchmarks/bench_analysis.py [--repeat 5] [--skip-national]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import common  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "analysis" / "data"
ASEM = ROOT / "examples" / "asem"
COINR = {"ua500": 52.93, "sa100": 66.90, "per_run": 52.93 / 500}


def asem(repeat: int) -> dict[str, dict[str, float]]:
    from baiqiang.analysis.spec import load_spec
    from baiqiang.analysis.uncertainty import run_sensitivity, run_uncertainty
    from baiqiang.framework import load_framework
    from baiqiang.pipeline import read_panel

    fw = load_framework(ASEM / "v1_default.yaml")
    panel = read_panel(ASEM / "asem_data.csv", fw)
    spec = load_spec(DATA / "asem_ua.yaml")
    run_uncertainty(fw, panel, spec, n=50, seed=0)  # warm-up (imports, caches)
    out = {}
    for n in (500, 5000):
        lo, med, cpu = common.timed(lambda: run_uncertainty(fw, panel, spec, n=n, seed=42), repeat)
        coinr = COINR["ua500"] * n / 500  # COINr is linear in runs (timings.md)
        out[f"UA N={n}"] = {"min_s": lo, "median_s": med, "cpu_s": cpu, "coinr_s": coinr}
    lo, med, cpu = common.timed(lambda: run_sensitivity(fw, panel, spec, n=100, n_boot=100, seed=42, sequence="random"), repeat)
    out["SA N=100, 100 bootstrap"] = {"min_s": lo, "median_s": med, "cpu_s": cpu, "coinr_s": COINR["sa100"]}
    return out


def national_framework():
    """A county-style framework: 60 indicators -> 10 pillars -> 3 sub-indices -> index."""
    return common.framework(
        middle=10,
        upper=3,
        steps=[
            {"step": "impute", "method": "group_mean", "params": {"group": "province"}},
            {"step": "treat", "method": "winsorise", "params": {"winmax": 5}},
            {"step": "normalise", "method": "minmax", "params": {"lower": 0, "upper": 100}},
            {"step": "aggregate", "method": "arithmetic"},
        ],
    )


NATIONAL_SPEC = {
    "target": "Index", "top_k": [100],
    "factors": [
        {"kind": "choice", "name": "Winmax", "path": "step.treat.params.winmax", "values": [1, 2, 3, 4, 5]},
        {"kind": "choice", "name": "Normalisation", "alternatives": [
            {"step.normalise.method": "minmax", "step.normalise.params.lower": 1, "step.normalise.params.upper": 100},
            {"step.normalise.method": "zscore", "step.normalise.params.mean": 10, "step.normalise.params.sd": 2}]},
        {"kind": "weights", "name": "Weights", "noise": {"2": 0.25, "3": 0.25}, "n_sets": None},
        {"kind": "choice", "name": "Aggregation", "path": "step.aggregate.method", "values": ["arithmetic", "geometric"]},
    ],
}


def national_child(n: int, indicator_noise: bool, units: int = 2900, glibc_defaults: bool = False) -> None:
    """Run in a child process; prints JSON with time and peak RSS.

    The child runs with the process settings of the ``baiqiang`` command (``cli.configure_process``:
    one OpenBLAS thread, set by the parent before the child starts, and glibc's malloc thresholds)
    unless ``glibc_defaults``.
    """
    if not glibc_defaults:
        from baiqiang.cli import configure_process

        configure_process()
    from baiqiang.analysis.spec import load_spec
    from baiqiang.analysis.uncertainty import run_uncertainty

    fw = national_framework()
    data = common.panel(n_units=units)
    spec_dict = json.loads(json.dumps(NATIONAL_SPEC))
    if indicator_noise:
        spec_dict["factors"][2]["noise"] = {"1": 0.25, "2": 0.25, "3": 0.25}
    spec = load_spec(spec_dict)
    t, c = time.perf_counter(), time.process_time()
    res = run_uncertainty(fw, data, spec, n=n, seed=1)
    elapsed, cpu = time.perf_counter() - t, time.process_time() - c
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    print(json.dumps({"seconds": elapsed, "cpu_seconds": cpu, "max_rss_mib": rss, "units": len(res.units), "samples": n,
                      "p_top_100_sum": float(res.summary.table["p_top_100"].sum())}))


def national(n: int, indicator_noise: bool, units: int = 2900, glibc_defaults: bool = False) -> dict[str, float]:
    cmd = ([sys.executable, __file__, "--national-child", str(n), "--units", str(units)]
           + (["--indicator-noise"] if indicator_noise else []) + (["--glibc-defaults"] if glibc_defaults else []))
    env = {**os.environ} if glibc_defaults else {"OPENBLAS_NUM_THREADS": "1", **os.environ}
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--skip-national", action="store_true")
    ap.add_argument("--national-child", type=int)
    ap.add_argument("--indicator-noise", action="store_true")
    ap.add_argument("--n-national", type=int, default=10_000)
    ap.add_argument("--units", type=int, default=2900, help="units of the national-scale run (e.g. 100000 for the scaling test)")
    ap.add_argument("--national-only", action="store_true")
    ap.add_argument("--glibc-defaults", action="store_true", help="national runs without the CLI's process settings")
    args = ap.parse_args()
    if args.national_child:
        national_child(args.national_child, args.indicator_noise, args.units, args.glibc_defaults)
        return
    if args.national_only:
        r = national(args.n_national, args.indicator_noise, args.units, args.glibc_defaults)
        print(f"national {args.units:,} x 60, N = {args.n_national:,}: {r['seconds']:.1f} s wall, {r['cpu_seconds']:.1f} s CPU, "
              f"max RSS {r['max_rss_mib']:.0f} MiB")
        return
    print("| run | wall min / median (s) | CPU median (s) | COINr median (s) | speed-up: wall min / wall median / CPU |")
    print("|---|---|---|---|---|")
    for name, r in asem(args.repeat).items():
        c = r["coinr_s"]
        print(f"| ASEM {name} | {r['min_s']:.3f} / {r['median_s']:.3f} | {r['cpu_s']:.3f} | {c:.1f} | "
              f"{c / r['min_s']:.0f}x / {c / r['median_s']:.0f}x / {c / r['cpu_s']:.0f}x |")
    if not args.skip_national:
        for noise in (False, True):
            r = national(args.n_national, noise)
            label = "weights noise on levels 1-3" if noise else "COINr's spec (noise on levels 2-3)"
            print(f"| national 2,900 x 60, N = {args.n_national:,}, {label} | {r['seconds']:.1f} | {r['cpu_seconds']:.1f} | max RSS {r['max_rss_mib']:.0f} MiB | |")


if __name__ == "__main__":
    main()
