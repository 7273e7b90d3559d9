"""Benchmark of the index engine (issue 2): one build, and 1,000 methodology variants.

Run: ``python benchmarks/bench_engine.py [--glibc-defaults]``.  Times are in-process wall clock
after start-up and one warm-up build; each figure is the median of repeats.
The process gets the settings of the ``baiqiang`` command (``cli.configure_process``: one
OpenBLAS thread, glibc's malloc thresholds) unless ``--glibc-defaults``.
Results go to stdout; docs/performance.md records them.
"""

from __future__ import annotations

import sys
from pathlib import Path

if "--glibc-defaults" not in sys.argv:  # before NumPy loads OpenBLAS
    from baiqiang.cli import configure_process

    configure_process()

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import common  # noqa: E402

from baiqiang.pipeline import run, run_variants  # noqa: E402


def variants(fw, n: int, seed: int = 1) -> list[dict]:
    """Weights perturbed by +-25% noise and method choices varied, as an uncertainty analysis would."""
    rng = np.random.default_rng(seed)
    codes = [i.code for i in fw.indicators] + [a.code for a in fw.aggregates if a.parent]
    out = []
    for _ in range(n):
        v = {f"weight.{c}": float(w) for c, w in zip(codes, rng.uniform(0.75, 1.25, len(codes)))}
        v["step.treat.params.winmax"] = int(rng.integers(1, 6))
        v["step.normalise.method"] = str(rng.choice(["minmax", "zscore"]))
        v["step.aggregate.method"] = str(rng.choice(["arithmetic", "geometric"]))
        if v["step.normalise.method"] == "zscore":
            v["step.normalise.params.mean"] = 10.0  # keep geometric means positive
            v["step.normalise.params.sd"] = 2.0
        out.append(v)
    return out


def main() -> None:
    fw, data = common.framework(), common.panel()
    run(fw, data)  # warm-up: imports, registry
    one = common.timed(lambda: run(fw, data), 21)
    batch = variants(fw, 1000)
    many = common.timed(lambda: run_variants(fw, data, batch, keep=["Index"]), 5)
    print(f"units={len(data.frame)} indicators={len(fw.indicators)} levels=4")
    print("one build, 21 runs: wall min {:.1f} / median {:.1f} ms, CPU median {:.1f} ms   target < 50 ms".format(*(1000 * t for t in one)))
    print("1,000 variants, 5 runs: wall min {:.2f} / median {:.2f} s, CPU median {:.2f} s   target < 5 s".format(*many))


if __name__ == "__main__":
    main()
