"""Regression guard for batching: a kernel's batched path must not be much slower than its own loop.

Ratios, not absolute times, so the test holds on a loaded machine: each case
times one batched call and the loop of single-variant calls in interleaved
rounds and compares the best of each (9 rounds).  The margin is wide (batched may be up
to 3x the loop) so only a real regression (e.g. a Python loop over units, or a
per-variant copy of shared data) fails.  Timings run in one child process with
``OPENBLAS_NUM_THREADS=1`` and the malloc thresholds (the settings docs/performance.md chooses): on a
loaded 2-core machine a second BLAS thread can make one small product 100x
slower, which is noise for this test, not a regression.  The benchmark proper
with full-size figures is ``benchmarks/bench_kernels.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Callable

import numpy as np
import pytest

from baiqiang.methods import aggregate as ag
from baiqiang.methods import impute as im
from baiqiang.methods import normalise as nm
from baiqiang.methods import treat as tr
from baiqiang.methods import weight as wt
from baiqiang.methods.rank import competition_rank

MARGIN = 3.0
ROUNDS = 9  # best of 9 interleaved rounds: one stall from another job on the machine does not decide
B, N, K = 8, 600, 20

rng = np.random.default_rng(0)
DATA = 1.0 + 99.0 * rng.random((B, N, K))
DATA[rng.random(DATA.shape) < 0.02] = np.nan
WEIGHTS = rng.uniform(0.5, 1.5, (B, K))
COMPLETE = 1.0 + 99.0 * rng.random((B, N, K))  # no missing value: the kernels' complete-data paths
DIRECTION = np.where(np.arange(K) % 3, 1.0, -1.0)

Kernel = Callable[[np.ndarray, np.ndarray], np.ndarray]
KERNELS: dict[str, tuple[Kernel, np.ndarray]] = {
    **{f"aggregate.{n}": (getattr(ag, n), DATA) for n in ("arithmetic", "geometric", "harmonic", "generalised", "median", "topsis", "mazziotta_pareto")},
    **{f"aggregate.{n} (complete)": (getattr(ag, n), COMPLETE) for n in ("geometric", "topsis", "mazziotta_pareto")},
    "aggregate.copeland": (ag.copeland, DATA[:, :150, :8]),
    **{f"weight.{n}": ((lambda x, w, f=getattr(wt, n): f(x, prior=w)), DATA) for n in ("entropy", "critic", "pca")},
    "treat.winsorise": ((lambda x, w: tr.winsorise(x)), DATA),
    "normalise.minmax": ((lambda x, w: nm.minmax(x, direction=DIRECTION)), DATA),
    "normalise.rank": ((lambda x, w: nm.rank(x, direction=DIRECTION)), DATA),
    "impute.median": ((lambda x, w: im.median(x)), DATA),
    "impute.em": ((lambda x, w: im.em(x[:, :200, :8])), DATA),
    "rank.competition_rank": ((lambda x, w: competition_rank(x[:, :, 0])), DATA),
}


def _best_times(batched: Callable[[], object], loop: Callable[[], object]) -> tuple[float, float]:
    best = [np.inf, np.inf]
    for r in range(ROUNDS):
        for i in ((0, 1) if r % 2 else (1, 0)):
            t = time.perf_counter()
            (batched, loop)[i]()
            best[i] = min(best[i], time.perf_counter() - t)
    return best[0], best[1]


SHARED = ("arithmetic", "geometric", "topsis", "mazziotta_pareto")
MANY = rng.uniform(0.5, 1.5, (200, K))


def _cases(name: str) -> tuple[Callable[[], np.ndarray], Callable[[], np.ndarray]]:
    """(batched, loop) for a kernel name, or ``shared:<aggregate>`` for weight variants on one data set."""
    if name.startswith("shared:"):
        f = getattr(ag, name.split(":")[1])
        x = DATA[0]
        shared = np.broadcast_to(x, (len(MANY), N, K))  # a stride-0 batch axis: no copy
        return (lambda: f(shared, MANY)), (lambda: np.concatenate([f(x[None], MANY[b : b + 1]) for b in range(len(MANY))]))
    f, x = KERNELS[name]
    w = WEIGHTS[:, : x.shape[2]]
    return (lambda: f(x, w)), (lambda: np.concatenate([f(x[b : b + 1], w[b : b + 1]) for b in range(B)]))


ALL = list(KERNELS) + [f"shared:{n}" for n in SHARED]


@pytest.fixture(scope="module")
def timings() -> dict[str, list[float]]:
    # The process environment docs/performance.md chooses: one BLAS thread, and malloc keeping freed
    # memory (otherwise every temporary above 128 KiB is a fresh mmap whose page faults, slow on a
    # virtual machine, cost more than the arithmetic of these small batches).
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", MALLOC_MMAP_THRESHOLD_=str(1 << 30), MALLOC_TRIM_THRESHOLD_=str(1 << 30))
    out = subprocess.run([sys.executable, __file__], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", ALL)
def test_batched_equals_loop(name: str) -> None:
    batched, loop = _cases(name)
    tol = 1e-9 if name.startswith("shared:") else 1e-12
    np.testing.assert_allclose(batched(), loop(), rtol=tol, atol=tol)


@pytest.mark.parametrize("name", list(KERNELS))
def test_batched_kernel_not_slower_than_its_loop(name: str, timings: dict[str, list[float]]) -> None:
    t_batched, t_loop = timings[name]
    assert t_batched <= MARGIN * t_loop, f"{name}: batched {t_batched * 1e3:.1f} ms vs loop {t_loop * 1e3:.1f} ms"


@pytest.mark.parametrize("name", SHARED)
def test_weight_variants_on_shared_data_beat_the_loop(name: str, timings: dict[str, list[float]]) -> None:
    """Many weight variants on one data set run as matrix products: faster than the loop, not within a margin."""
    t_batched, t_loop = timings[f"shared:{name}"]
    assert t_batched <= t_loop, f"{name}: shared batch {t_batched * 1e3:.1f} ms vs loop {t_loop * 1e3:.1f} ms"


if __name__ == "__main__":  # the child process of the ``timings`` fixture
    print(json.dumps({name: _best_times(*_cases(name)) for name in ALL}))
