"""Before/after benchmark of the engine and the slow kernels against an earlier commit (issue 10).

Exports ``--before`` (a commit) with ``git archive`` into a temporary folder and
runs the same measuring code on it and on the working tree, in alternating child
processes (``PYTHONPATH`` picks the source), ``--rounds`` rounds each, with
``OPENBLAS_NUM_THREADS=1``.  Prints medians and the before / after ratio.

Measured: one build of 2,900 x 60 x 4 levels (``pipeline.run``, median of 11),
1,000 methodology variants and 1,000 weights-only variants (``run_variants``,
root kept, median of 3), Copeland over 2,900 x 60 (one variant), EM (10
iterations) and regression imputation (5 sweeps) on 2,900 x 60 with 2 % missing,
competition ranks of 1,000 x 2,900 scores and winsorisation of 2,900 x 60
(log-normal, 2 % missing; medians of 7).

Usage: ``python benchmarks/bench_ab.py --before 0024e3d [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CODE = r'''
import sys, json
import numpy as np
sys.path.insert(0, "benchmarks")
import common, bench_engine
from baiqiang.pipeline import run, run_variants
from baiqiang.methods import aggregate as ag, impute as im
fw, data = common.framework(), common.panel()
run(fw, data)
out = {"build_ms": 1e3 * common.timed(lambda: run(fw, data), 11)[1]}
batch = bench_engine.variants(fw, 1000)
out["variants_1000_s"] = common.timed(lambda: run_variants(fw, data, batch, keep=["Index"]), 3)[1]
w = [{f"weight.{i.code}": float(v) for i, v in zip(fw.indicators, np.random.default_rng(k).uniform(0.75, 1.25, 60))} for k in range(1000)]
out["weights_only_1000_s"] = common.timed(lambda: run_variants(fw, data, w, keep=["Index"]), 3)[1]
rng = np.random.default_rng(0)
x = rng.lognormal(3.0, 1.0, (1, 2900, 60)); x[rng.random(x.shape) < 0.02] = np.nan
out["copeland_2900x60_s"] = common.timed(lambda: ag.copeland(x, rng.uniform(0.5, 1.5, (1, 60))), 1)[1]
L = rng.normal(size=(60, 60)) / np.sqrt(60)
z = (rng.normal(size=(2900, 60)) @ L)[None]; z[rng.random(z.shape) < 0.02] = np.nan
out["em_10_iter_s"] = common.timed(lambda: im.em(z, max_iter=10), 1)[1]
out["regression_5_sweeps_s"] = common.timed(lambda: im.regression(z, max_iter=5), 1)[1]
from baiqiang.methods.rank import competition_rank
from baiqiang.methods import treat as tr
s = rng.random((1000, 60)) @ rng.random((60, 2900))
out["ranks_1000x2900_ms"] = 1e3 * common.timed(lambda: competition_rank(s), 7)[1]
out["winsorise_2900x60_ms"] = 1e3 * common.timed(lambda: tr.winsorise(x), 7)[1]
print(json.dumps(out))
'''


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", required=True, help="commit to compare with")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "archive", args.before], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        sources = {"before": str(Path(tmp) / "src"), "after": str(ROOT / "src")}
        res: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
        for r in range(args.rounds):
            for who in (("before", "after") if r % 2 == 0 else ("after", "before")):
                env = dict(os.environ, PYTHONPATH=sources[who], OPENBLAS_NUM_THREADS="1")
                out = subprocess.run([sys.executable, "-c", CODE], env=env, capture_output=True, text=True, cwd=ROOT, check=True)
                res[who].append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"| what | before {args.before} (median) | after (median) | before / after |")
    print("|---|---|---|---|")
    for k in res["before"][0]:
        b = statistics.median(x[k] for x in res["before"])
        a = statistics.median(x[k] for x in res["after"])
        print(f"| {k} | {b:.3f} | {a:.3f} | {b / a:.1f}x |")


if __name__ == "__main__":
    main()
