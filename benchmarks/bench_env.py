"""Benchmark of the process environment (issue 10): OpenBLAS threads and glibc malloc settings.

Each setting runs the same workload in a fresh child process (the variables
are read when the libraries load), in interleaved rounds:

* ``build``: one in-process build of 2,900 x 60 x 4 levels (``pipeline.run``), median of 11;
* ``variants``: 1,000 weight variants of the arithmetic kernel on shared data plus ranks, median of 5;
* ``sensitivity``: ASEM sensitivity analysis, N = 100 (600 runs), 100 bootstrap resamples, median of 5.

Reported per setting: median wall time, CPU time (all threads) and minor
page faults of the whole child.  Usage: ``python benchmarks/bench_env.py [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SETTINGS: dict[str, dict[str, str]] = {
    "default (2 BLAS threads, default malloc)": {},
    "OPENBLAS_NUM_THREADS=1": {"OPENBLAS_NUM_THREADS": "1"},
    "malloc keeps freed memory (mmap/trim thresholds 1 GiB)": {
        "MALLOC_MMAP_THRESHOLD_": str(1 << 30), "MALLOC_TRIM_THRESHOLD_": str(1 << 30)},
    "both": {"OPENBLAS_NUM_THREADS": "1", "MALLOC_MMAP_THRESHOLD_": str(1 << 30), "MALLOC_TRIM_THRESHOLD_": str(1 << 30)},
}


def child() -> None:
    """The workload; prints one JSON line of medians and resource use."""
    import resource
    import time

    import numpy as np

    sys.path.insert(0, str(Path(__file__).parent))
    import common  # noqa: PLC0415

    from baiqiang.analysis.spec import load_spec
    from baiqiang.analysis.uncertainty import run_sensitivity
    from baiqiang.framework import load_framework
    from baiqiang.methods import aggregate as ag
    from baiqiang.methods.rank import competition_rank
    from baiqiang.pipeline import read_panel, run

    def median_wall(fn, repeats: int) -> float:
        fn()  # warm-up
        out = []
        for _ in range(repeats):
            t = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t)
        return statistics.median(out)

    fw, data = common.framework(), common.panel()
    rng = np.random.default_rng(1)
    x = rng.lognormal(3.0, 1.0, (2900, 60))
    W = rng.uniform(0.75, 1.25, (1000, 60))
    shared = np.broadcast_to(x, (1000, 2900, 60))
    asem = ROOT / "examples" / "asem"
    afw = load_framework(asem / "v1_default.yaml")
    apanel = read_panel(asem / "asem_data.csv", afw)
    spec = load_spec(ROOT / "tests" / "analysis" / "data" / "asem_ua.yaml")
    out = {
        "build_s": median_wall(lambda: run(fw, data), 11),
        "variants_s": median_wall(lambda: competition_rank(ag.arithmetic(shared, W)), 5),
        "sensitivity_s": median_wall(lambda: run_sensitivity(afw, apanel, spec, n=100, n_boot=100, seed=42, sequence="random"), 5),
    }
    use = resource.getrusage(resource.RUSAGE_SELF)
    out |= {"cpu_s": use.ru_utime + use.ru_stime, "minor_faults": use.ru_minflt, "max_rss_mib": use.ru_maxrss / 1024}
    print(json.dumps(out))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--child", action="store_true")
    args = ap.parse_args()
    if args.child:
        child()
        return
    results: dict[str, list[dict[str, float]]] = {k: [] for k in SETTINGS}
    for r in range(args.rounds):
        names = list(SETTINGS)
        for name in names[r % len(names):] + names[: r % len(names)]:
            env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
            env |= SETTINGS[name]
            proc = subprocess.run([sys.executable, __file__, "--child"], env=env, capture_output=True, text=True, check=True)
            results[name].append(json.loads(proc.stdout.strip().splitlines()[-1]))
    print(f"| setting ({args.rounds} interleaved rounds, medians) | build (ms) | 1,000 variants (ms) | ASEM sensitivity (ms) | process CPU (s) | minor page faults |")
    print("|---|---|---|---|---|---|")
    for name, rows in results.items():
        med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
        print(f"| {name} | {1e3 * med['build_s']:.1f} | {1e3 * med['variants_s']:.0f} | {1e3 * med['sensitivity_s']:.0f} | "
              f"{med['cpu_s']:.1f} | {med['minor_faults']:,.0f} |")


if __name__ == "__main__":
    main()
