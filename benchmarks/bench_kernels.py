"""Benchmark of the weighting, aggregation and ranking kernels (issue 10), not a test.

Compares, in one process, every weighting and aggregation kernel with

* the plain NumPy an analyst writes for complete data (no missing values), and
* pymcdm (``pip install -e .[bench]``) where it implements the method,

on 2,900 units x 60 indicators.  Before anything is timed the results are
checked equal (``rtol = atol = 1e-12``).  Each contestant is timed in its own
warmed block (one untimed call, then calls for about 20 ms), so pymcdm's slow
CRITIC does not leave cold caches for the next contestant; blocks alternate
in order (A B C, C B A, ...) and each ratio is the median over rounds of the
ratio of the two blocks of one round (paired, so load drift cancels), with the
ratio of the minima beside it.  Ratios are ``other / Baiqiang`` (above 1:
Baiqiang faster).

The plain NumPy is what an analyst writes for complete data: no test for
missing or out-of-domain values (on such data it returns NaN or a wrong
number without a word).  Baiqiang's kernels detect both and the cost of doing
so is inside its figures; the benchmark data are complete and in the domain,
so every contestant computes the same numbers.

The process gets the settings of the ``baiqiang`` command
(:func:`baiqiang.cli.configure_process`: one OpenBLAS thread, glibc's malloc
thresholds at 1 GiB), applied before NumPy loads and printed first, for every
contestant alike.

It also times 1,000 weight variants on the same data: the batched kernels
(shared data as a stride-0 batch axis) against the matrix-product-plus-sort
floor and against looping the single-variant kernel; and every kernel batched
over 8 distinct data sets against its own loop.

The fourth table runs ``B`` weights-only variants through the whole engine
(``run_variants``) against the same floor.

Usage: ``python benchmarks/bench_kernels.py [--rounds 15] [--variants 1000] [--only single|variants|engine|batched]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Callable

from baiqiang.cli import configure_process

PROCESS_SETTINGS = configure_process()  # before NumPy loads OpenBLAS

import numpy as np  # noqa: E402

from baiqiang.methods import aggregate as ag  # noqa: E402
from baiqiang.methods import weight as wt  # noqa: E402
from baiqiang.methods.rank import competition_rank  # noqa: E402

N_UNITS, N_COLS = 2900, 60


#: The floor every variant timing is divided by: one matrix product and one sort per variant.
FLOOR = "floor: W @ X.T + np.sort"


def data(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Log-normal columns min-max scaled to ``[0, 1]`` and to ``[1, 100]``, and positive weights summing to 1."""
    rng = np.random.default_rng(seed)
    raw = rng.lognormal(3.0, 1.0, (N_UNITS, N_COLS))
    x01 = (raw - raw.min(axis=0)) / (raw.max(axis=0) - raw.min(axis=0))
    w = rng.uniform(0.5, 1.5, N_COLS)
    return x01, x01 * 99.0 + 1.0, w / w.sum()


# --- Plain NumPy as an analyst writes it (complete data) ---------------------------


def plain_entropy(x: np.ndarray) -> np.ndarray:
    p = x / x.sum(axis=0)
    e = -(p * np.log(p)).sum(axis=0) / np.log(len(x))
    return (1 - e) / (1 - e).sum()


def plain_critic(x: np.ndarray) -> np.ndarray:
    c = x.std(axis=0, ddof=1) * (1 - np.corrcoef(x, rowvar=False)).sum(axis=0)
    return c / c.sum()


def plain_topsis(x: np.ndarray, w: np.ndarray, classic: bool) -> np.ndarray:
    v, wd = (x * w, 1.0) if classic else (x, w)
    d_plus = np.sqrt((wd * (v - v.max(axis=0)) ** 2).sum(axis=1))
    d_minus = np.sqrt((wd * (v - v.min(axis=0)) ** 2).sum(axis=1))
    return d_minus / (d_plus + d_minus)


def plain_mpi(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    m = x @ w
    return m - ((x - m[:, None]) ** 2) @ w / m


def plain_median(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    order = np.argsort(x, axis=1)
    xs, cum = np.take_along_axis(x, order, axis=1), np.cumsum(w[order], axis=1)
    r = np.argmax(cum >= 0.5 - 1e-12, axis=1)
    return xs[np.arange(len(x)), r]


# --- Contestants ----------------------------------------------------------------


def contests(x01: np.ndarray, x1100: np.ndarray, w: np.ndarray) -> dict[str, dict[str, Callable[[], np.ndarray]]]:
    """name -> {"baiqiang": f, "numpy": f, "pymcdm": f (when it has the method)}; each returns ``(n,)`` or ``(k,)``."""
    from pymcdm import methods as pm
    from pymcdm import weights as pw

    identity = lambda col, cost: col  # noqa: E731  (the data are already normalised)
    types = np.ones(N_COLS)
    b01, b1100, bw = x01[None], x1100[None], w[None]
    prior = np.ones((1, N_COLS))
    return {
        "weight.entropy": {"baiqiang": lambda: wt.entropy(b1100, prior=prior)[0], "numpy": lambda: plain_entropy(x1100),
                           "pymcdm": lambda: pw.entropy_weights(x1100)},
        "weight.critic": {"baiqiang": lambda: wt.critic(b01, prior=prior)[0], "numpy": lambda: plain_critic(x01),
                          "pymcdm": lambda: pw.critic_weights(x01)},
        "aggregate.arithmetic": {"baiqiang": lambda: ag.arithmetic(b1100, bw)[0], "numpy": lambda: x1100 @ w,
                                 "pymcdm": lambda: pm.WSM(identity)(x1100, w, types, validation=False)},
        "aggregate.geometric": {"baiqiang": lambda: ag.geometric(b1100, bw)[0], "numpy": lambda: np.exp(np.log(x1100) @ w),
                                "pymcdm": lambda: pm.WPM(identity)(x1100, w, types, validation=False)},
        "aggregate.harmonic": {"baiqiang": lambda: ag.harmonic(b1100, bw)[0], "numpy": lambda: 1.0 / ((1.0 / x1100) @ w)},
        "aggregate.generalised p=2": {"baiqiang": lambda: ag.generalised(b1100, bw, p=2.0)[0],
                                      "numpy": lambda: np.sqrt((x1100 * x1100) @ w)},
        "aggregate.topsis (weighted)": {"baiqiang": lambda: ag.topsis(b01, bw)[0], "numpy": lambda: plain_topsis(x01, w, False)},
        "aggregate.topsis (classic)": {"baiqiang": lambda: ag.topsis(b01, bw, distance="classic")[0],
                                       "numpy": lambda: plain_topsis(x01, w, True),
                                       "pymcdm": lambda: pm.TOPSIS(identity)(x01, w, types, validation=False)},
        "aggregate.mazziotta_pareto": {"baiqiang": lambda: ag.mazziotta_pareto(b1100, bw)[0], "numpy": lambda: plain_mpi(x1100, w)},
        "aggregate.median": {"baiqiang": lambda: ag.median(b1100, bw)[0], "numpy": lambda: plain_median(x1100, w)},
    }


def paired_both(fns: dict[str, Callable[[], object]], rounds: int) -> tuple[dict[str, float], dict[str, float]]:
    """Median and minimum seconds per contestant over interleaved rounds.

    Each round calls every contestant once, in rotating order, so load from
    other jobs falls on all of them alike.
    """
    names = list(fns)
    times: dict[str, list[float]] = {k: [] for k in names}
    for r in range(rounds):
        for k in names[r % len(names):] + names[: r % len(names)]:
            t = time.perf_counter()
            fns[k]()
            times[k].append(time.perf_counter() - t)
    return {k: statistics.median(v) for k, v in times.items()}, {k: min(v) for k, v in times.items()}


def paired_blocks(fns: dict[str, Callable[[], object]], rounds: int, block_seconds: float = 0.02) -> dict[str, tuple[float, float, float]]:
    """Per contestant: (median s per call, min s per call, median paired ratio to ``"baiqiang"``).

    Every contestant runs in its own block: one untimed call to warm its caches,
    then ``calls`` timed calls (chosen once so a block lasts about
    ``block_seconds``), giving one time per call per round.  The order of the
    blocks alternates each round (A B C, then C B A), and the ratio of a
    contestant to Baiqiang is taken within each round before the median, so
    load that drifts across rounds falls on both sides of every ratio.
    """
    calls = {}
    for k, f in fns.items():
        f()
        t = time.perf_counter()
        f()
        calls[k] = max(1, min(2000, round(block_seconds / max(time.perf_counter() - t, 1e-7))))
    names = list(fns)
    per_call: dict[str, list[float]] = {k: [] for k in names}
    for r in range(rounds):
        for k in names if r % 2 == 0 else names[::-1]:
            f, m = fns[k], calls[k]
            f()
            t = time.perf_counter()
            for _ in range(m):
                f()
            per_call[k].append((time.perf_counter() - t) / m)
    ours = per_call["baiqiang"]
    return {
        k: (statistics.median(v), min(v), statistics.median(a / b for a, b in zip(v, ours)))
        for k, v in per_call.items()
    }


def describe_process() -> str:
    """The process settings in force: set by :func:`configure_process` or given in the environment."""
    given = [f"{v}={os.environ[v]}" for v in ("OPENBLAS_NUM_THREADS", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_") if v in os.environ]
    return ", ".join(given + [a for a in PROCESS_SETTINGS if a.startswith("mallopt")])


def check_equal(name: str, fns: dict[str, Callable[[], np.ndarray]]) -> None:
    ref = np.asarray(fns["baiqiang"]())
    for who, f in fns.items():
        np.testing.assert_allclose(np.asarray(f()), ref, rtol=1e-12, atol=1e-12, err_msg=f"{name}: {who} differs")


def single_kernels(rounds: int) -> None:
    x01, x1100, w = data()
    print(f"process: {describe_process()}; {rounds} rounds of alternating warmed blocks\n")
    print("| kernel (2,900 x 60) | Baiqiang median / min (ms) | plain NumPy / Baiqiang (paired median; min) | pymcdm / Baiqiang (paired median; min) |")
    print("|---|---|---|---|")
    for name, fns in contests(x01, x1100, w).items():
        check_equal(name, fns)
        res = paired_blocks(fns, rounds)
        ours = res["baiqiang"]
        ratio = lambda who: f"{res[who][2]:.2f}x; {res[who][1] / ours[1]:.2f}x" if who in res else "-"  # noqa: E731
        print(f"| {name} | {1e3 * ours[0]:.3f} / {1e3 * ours[1]:.3f} | {ratio('numpy')} | {ratio('pymcdm')} |")


def weight_variants(n_variants: int, rounds: int) -> None:
    """``B`` weight variants on shared data: kernels + ranks against the product-plus-sort floor and the loop."""
    x01, x1100, _ = data()
    rng = np.random.default_rng(1)
    W = rng.uniform(0.75, 1.25, (n_variants, N_COLS))
    W /= W.sum(axis=1, keepdims=True)
    shared = np.broadcast_to(x1100, (n_variants, N_UNITS, N_COLS))
    shared01 = np.broadcast_to(x01, (n_variants, N_UNITS, N_COLS))
    np.testing.assert_allclose(ag.arithmetic(shared, W), W @ x1100.T, rtol=1e-12)
    loop_t = np.stack([ag.topsis(x01[None], W[b : b + 1])[0] for b in range(n_variants)])
    np.testing.assert_allclose(ag.topsis(shared01, W), loop_t, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(competition_rank(W @ x1100.T), competition_rank(ag.arithmetic(shared, W)))
    fns = {
        FLOOR: lambda: np.sort(W @ x1100.T, axis=1),
        "arithmetic batched + ranks": lambda: competition_rank(ag.arithmetic(shared, W)),
        "arithmetic batched": lambda: ag.arithmetic(shared, W),
        "arithmetic loop": lambda: [ag.arithmetic(x1100[None], W[b : b + 1]) for b in range(n_variants)],
        "topsis batched": lambda: ag.topsis(shared01, W),
        "topsis loop": lambda: [ag.topsis(x01[None], W[b : b + 1]) for b in range(n_variants)],
        "ranks (competition_rank)": lambda: competition_rank(W @ x1100.T),
    }
    print_against_floor(fns, rounds, f"{n_variants:,} weight variants of {N_UNITS:,} x {N_COLS}, shared data")


def print_against_floor(fns: dict[str, Callable[[], object]], rounds: int, title: str) -> None:
    """Time ``fns`` in interleaved rounds and print each as a multiple of the :data:`FLOOR` entry."""
    med, low = paired_both(fns, rounds)
    print(f"\n{title} ({rounds} interleaved rounds)\n")
    print("| what | median / min (ms) | / floor (median; min) |")
    print("|---|---|---|")
    for k in med:
        print(f"| {k} | {1e3 * med[k]:.1f} / {1e3 * low[k]:.1f} | {med[k] / med[FLOOR]:.2f}; {low[k] / low[FLOOR]:.2f} |")


def engine_variants(n_variants: int, rounds: int) -> None:
    """``B`` weights-only variants through the engine (``run_variants``, root kept, scores + ranks) against the floor.

    The engine's figure includes everything ``run_variants`` does: checking and
    grouping the variants, the data steps of the benchmark framework (imputation,
    winsorisation, min-max), the collapsed aggregation and the ranks.
    """
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    import common
    from baiqiang.pipeline import run_variants

    fw, panel = common.framework(), common.panel()
    rng = np.random.default_rng(1)
    variants = [{f"weight.{i.code}": float(v) for i, v in zip(fw.indicators, rng.uniform(0.75, 1.25, N_COLS))} for _ in range(n_variants)]
    x = panel.matrix([i.code for i in fw.indicators])
    x = np.where(np.isnan(x), 1.0, x)
    W = np.array([[v[f"weight.{i.code}"] for i in fw.indicators] for v in variants])
    W /= W.sum(axis=1, keepdims=True)
    batch = run_variants(fw, panel, variants, keep=["Index"])
    np.testing.assert_array_equal(batch.ranks[:, :, 0], competition_rank(batch.scores[:, :, 0]))
    fns = {
        FLOOR: lambda: np.sort(W @ x.T, axis=1),
        "engine: run_variants weights-only, root + ranks": lambda: run_variants(fw, panel, variants, keep=["Index"]),
    }
    print_against_floor(fns, rounds, f"{n_variants:,} weights-only variants through the engine, {len(panel.frame):,} x {N_COLS}")


def batched_vs_loop(rounds: int, batch: int = 8) -> None:
    """Every kernel on ``batch`` distinct data sets: one batched call against a loop of single calls."""
    rng = np.random.default_rng(2)
    raw = rng.lognormal(3.0, 1.0, (batch, N_UNITS, N_COLS))
    x = 1.0 + 99.0 * (raw - raw.min(axis=1, keepdims=True)) / np.ptp(raw, axis=1, keepdims=True)
    x[rng.random(x.shape) < 0.02] = np.nan
    w = rng.uniform(0.5, 1.5, (batch, N_COLS))
    small = x[:, :400, :12]  # Copeland is O(n^2 k)
    cases: dict[str, tuple[Callable[[np.ndarray, np.ndarray], np.ndarray], np.ndarray]] = {
        f"aggregate.{name}": (getattr(ag, name), small if name == "copeland" else x)
        for name in ("arithmetic", "geometric", "harmonic", "generalised", "median", "topsis", "mazziotta_pareto", "copeland")
    }
    cases |= {f"weight.{name}": (lambda v, ww, f=getattr(wt, name): f(v, prior=ww), x) for name in ("entropy", "critic", "pca")}
    print(f"\nBatched over {batch} distinct data sets (2 % missing) vs a loop of single-variant calls\n")
    print("| kernel | batched, median (ms) | loop / batched (median; min) |")
    print("|---|---|---|")
    for name, (f, xs) in cases.items():
        ws = w[:, : xs.shape[2]]
        loop = lambda: np.concatenate([f(xs[b : b + 1], ws[b : b + 1]) for b in range(batch)])  # noqa: E731
        np.testing.assert_allclose(f(xs, ws), loop(), rtol=1e-12, atol=1e-12, err_msg=name)
        med, low = paired_both({"batched": lambda: f(xs, ws), "loop": loop}, max(3, rounds // 3))
        print(f"| {name} | {1e3 * med['batched']:.1f} | {med['loop'] / med['batched']:.2f}x; {low['loop'] / low['batched']:.2f}x |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--variants", type=int, default=1000)
    ap.add_argument("--only", choices=("single", "variants", "engine", "batched"))
    args = ap.parse_args()
    if args.only in (None, "single"):
        single_kernels(args.rounds)
    if args.only in (None, "variants"):
        weight_variants(args.variants, max(3, args.rounds // 3))
    if args.only in (None, "engine"):
        engine_variants(args.variants, max(5, args.rounds))
    if args.only in (None, "batched"):
        batched_vs_loop(args.rounds)


if __name__ == "__main__":
    main()
