"""Uncertainty analysis (Monte Carlo) and Sobol sensitivity analysis of ranks.

Both draw uniform numbers, decode them into methodology variants
(:mod:`baiqiang.analysis.spec`), evaluate every variant through the engine in
batch (:mod:`baiqiang.analysis.engine`) and summarise the target's ranks.

References
----------
Saisana, M., Saltelli, A., Tarantola, S. (2005). Uncertainty and sensitivity
analysis techniques as tools for the quality assessment of composite
indicators. J. R. Stat. Soc. A 168(2), 307-323. doi:10.1111/j.1467-985X.2005.00350.x

Becker, W. (2022). COINr: an R package for developing composite indicators.
JOSS 7(78), 4567 (``get_sensitivity``). doi:10.21105/joss.04567
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from baiqiang.analysis.engine import Progress, evaluate_target, structure_info, target_code
from baiqiang.analysis.ranks import RankSummary, rank_summary
from baiqiang.analysis.sobol import SobolResult, saltelli_design, sobol_indices, split_outputs
from baiqiang.analysis.spec import UASpec, WeightsFactor, decode_samples
from baiqiang.errors import BaiqiangError
from baiqiang.framework.spec import Framework
from baiqiang.pipeline import Panel

__all__ = [
    "SensitivityResult",
    "UncertaintyResult",
    "evaluate_samples",
    "nominal_scores",
    "run_sensitivity",
    "run_uncertainty",
    "sobol_from_ranks",
]


def nominal_scores(framework: Framework, panel: Panel, target: str | None = None) -> tuple[list[str], np.ndarray]:
    """Scores of the target in the nominal build, ``(n_units,)``."""
    units, s, _ = evaluate_target(framework, panel, [{}], target=target)
    return units, s[0]


def evaluate_samples(
    framework: Framework,
    panel: Panel,
    spec: UASpec,
    u: np.ndarray,
    *,
    seed: int | np.random.Generator | None = None,
    weight_sets: dict[str, tuple[list[str], np.ndarray]] | None = None,
    progress: Progress | None = None,
    with_nominal: bool = False,
) -> tuple[list[str], np.ndarray, np.ndarray, pd.DataFrame]:
    """Target scores and ranks, ``(n_samples, n_units)`` each, for uniform numbers ``u`` ``(n_samples, d)``.

    Distinct variants are evaluated once, and their ranks come from the engine,
    so no sample is ranked twice.  Returns ``(units, scores, ranks, audit)``;
    ``weight_sets`` fixes the sets of a weights factor (e.g. COINr's, for
    replay).  With ``with_nominal`` the nominal build is evaluated in the same
    pass and appended as the last row of ``scores`` and ``ranks``.
    """
    info = structure_info(framework)
    dec = decode_samples(spec, u, info, seed=seed, weight_sets=weight_sets)
    nominal = [{}] if with_nominal else []
    if len(dec.unique_variants) == len(dec.inverse):
        # Every sample is distinct: evaluate them in sample order, so the engine's
        # arrays are the result (no samples x units copy).
        variants = [dec.unique_variants[i] for i in dec.inverse] + nominal
        units, scores, ranks = evaluate_target(framework, panel, variants, target=spec.target, progress=progress)
        return units, scores, ranks, dec.audit
    variants = dec.unique_variants + nominal
    units, scores, ranks = evaluate_target(framework, panel, variants, target=spec.target, progress=progress)
    rows = np.append(dec.inverse, len(variants) - 1) if with_nominal else dec.inverse
    return units, scores[rows], ranks[rows], dec.audit


@dataclass(frozen=True)
class UncertaintyResult:
    """Outcome of :func:`run_uncertainty`.

    Attributes
    ----------
    target : str
        Aggregate analysed.
    units : list of str
    nominal_scores, nominal_ranks : ndarray, shape (n_units,)
    scores, ranks : ndarray, shape (N, n_units)
        Target score and rank of every unit in every sample.
    samples : DataFrame
        What was drawn in each sample (one column per factor), for audit.
    top_k, quantiles
        The spec's P(top K) cut-offs and rank interval of :attr:`summary`.
    summary : RankSummary
        Per unit: nominal, mean, median, quantile interval, P(top K); computed when first
        read (~60 ms for 1,000 samples of 1,870 units, which a caller that ranks a subset of
        the units itself, as the census demo does, need not pay).
    """

    target: str
    units: list[str]
    nominal_scores: np.ndarray
    nominal_ranks: np.ndarray
    scores: np.ndarray
    ranks: np.ndarray
    samples: pd.DataFrame
    top_k: tuple[int, ...]
    quantiles: tuple[float, float]
    seed: int | None = None

    @cached_property
    def summary(self) -> RankSummary:
        """:func:`~baiqiang.analysis.ranks.rank_summary` of :attr:`ranks` (see the class docstring)."""
        return rank_summary(self.ranks, self.nominal_ranks, units=self.units, top_k=self.top_k, quantiles=self.quantiles)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Output tables: ``rank_summary``, ``samples``, ``sample_ranks`` (samples x units)."""
        ranks = pd.DataFrame(self.ranks, index=self.samples.index, columns=pd.Index(self.units, name="unit"))
        return {"rank_summary": self.summary.table, "samples": self.samples, "sample_ranks": ranks}

    def write(self, outdir: Path, *, xlsx: bool = True, names: dict[str, str] | None = None,
              lang: str = "zh") -> list[Path]:
        """Write each table as CSV (UTF-8) and, optionally, all of them in one XLSX.

        The workbook has Chinese headers (English with ``lang="en"``) and, with
        ``names`` (unit code → name), unit names beside the codes.
        """
        return _write_tables(self.tables(), outdir, "uncertainty", xlsx, names=names, lang=lang)


def run_uncertainty(
    framework: Framework,
    panel: Panel,
    spec: UASpec,
    *,
    n: int,
    seed: int | np.random.Generator | None = None,
    progress: Progress | None = None,
) -> UncertaintyResult:
    """Monte Carlo uncertainty analysis of the target's ranks.

    Parameters
    ----------
    framework, panel
        The nominal index.
    spec : UASpec
        Uncertain choices.
    n : int
        Number of samples ``N``; each sample draws one value of every factor.
    seed : int, Generator or None
        Seeds the samples (and the noisy weight sets).
    progress : callable, optional
        ``progress(done, total)`` over distinct variants.

    Returns
    -------
    UncertaintyResult

    Notes
    -----
    Samples are ``u ~ U(0, 1)^{N x d}`` decoded factor by factor.  Samples that
    decode to the same methodology are evaluated once.  Ranks: 1 = best, ties
    share the minimum; quantiles are type 7 (COINr reports the same).
    """
    if n < 1:
        raise BaiqiangError.single("n", "样本数必须为正 / N must be positive", "spec")
    target = target_code(framework, spec.target)
    rng = np.random.default_rng(seed)
    u = rng.random((n, len(spec.factors)))
    units, scores, ranks, audit = evaluate_samples(framework, panel, spec, u, seed=rng, progress=progress, with_nominal=True)
    scores, nominal = scores[:-1], scores[-1]
    ranks, nominal_r = ranks[:-1], ranks[-1]
    return UncertaintyResult(target, units, nominal, nominal_r, scores, ranks, audit, tuple(spec.top_k), spec.quantiles,
                             seed if isinstance(seed, int) else None)


@dataclass(frozen=True)
class SensitivityResult:
    """Outcome of :func:`run_sensitivity`.

    Attributes
    ----------
    factors : list of str
    summary_indices : DataFrame
        One row per factor: ``S1``, ``ST`` and their bootstrap interval for the
        summary output ``y = mean_u |rank_u - nominal rank_u|`` (COINr's target).
    unit_S1, unit_ST : DataFrame
        Units x factors: indices for each unit's rank (``NaN`` when the unit's
        rank never changes).
    rank_summary : RankSummary
        Rank statistics over the ``2N`` base runs (``A`` and ``B``).
    samples : DataFrame
        Every run's drawn choices with its block (``A``, ``B``, ``AB:<factor>``).
    """

    factors: list[str]
    summary_indices: pd.DataFrame
    unit_S1: pd.DataFrame
    unit_ST: pd.DataFrame
    rank_summary: RankSummary
    samples: pd.DataFrame
    raw: SobolResult = field(repr=False)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "sensitivity_indices": self.summary_indices,
            "unit_first_order": self.unit_S1,
            "unit_total": self.unit_ST,
            "rank_summary": self.rank_summary.table,
            "samples": self.samples,
        }

    def write(self, outdir: Path, *, xlsx: bool = True, names: dict[str, str] | None = None,
              lang: str = "zh") -> list[Path]:
        """As :meth:`UncertaintyResult.write` (workbook headers in ``lang``, unit ``names`` beside codes)."""
        return _write_tables(self.tables(), outdir, "sensitivity", xlsx, names=names, lang=lang)


def sobol_from_ranks(
    ranks: np.ndarray,
    nominal_ranks: np.ndarray,
    n: int,
    d: int,
    *,
    n_boot: int = 100,
    seed: int | np.random.Generator | None = None,
) -> SobolResult:
    """Sobol indices of the summary output and of every unit's rank.

    ``ranks`` are the ``N (d + 2)`` runs in ``A, B, AB_1..AB_d`` order.  Output
    column 0 is ``y = mean_u |rank_u - nominal_u|`` (COINr ``get_sensitivity``),
    columns ``1..n_units`` each unit's rank.
    """
    with np.errstate(invalid="ignore"):
        shift = np.nanmean(np.abs(ranks - nominal_ranks[None, :]), axis=1)
    y = np.column_stack([shift, ranks])
    ya, yb, yab = split_outputs(y, n, d)
    return sobol_indices(ya, yb, yab, n_boot=n_boot, seed=seed)


def run_sensitivity(
    framework: Framework,
    panel: Panel,
    spec: UASpec,
    *,
    n: int,
    n_boot: int = 100,
    seed: int | np.random.Generator | None = None,
    sequence: str = "sobol",
    progress: Progress | None = None,
) -> SensitivityResult:
    """Variance-based sensitivity analysis of ranks (first-order and total Sobol indices).

    Parameters
    ----------
    framework, panel
    spec : UASpec
        Every factor is a Sobol factor; categorical choices included (the
        uniform number is binned into the options).  A weights factor must use
        a fixed number of sets (``n_sets``), so that it is a function of ``u``.
    n : int
        Base sample size ``N``; ``N (d + 2)`` runs.
    n_boot : int
        Bootstrap resamples for the confidence intervals.
    seed : int, Generator or None
    sequence : {"sobol", "random"}
        Base design: SALib's scrambled Sobol' sequence, or plain U(0, 1) as COINr.

    Returns
    -------
    SensitivityResult
    """
    bad = [f.name for f in spec.factors if isinstance(f, WeightsFactor) and f.n_sets is None]
    if bad:
        raise BaiqiangError.single(
            f"factor {bad[0]}", "敏感性分析需要固定数量的权重组 (n_sets) / sensitivity analysis needs n_sets", "spec"
        )
    target_code(framework, spec.target)  # an unknown target fails before any sampling
    rng = np.random.default_rng(seed)
    d = len(spec.factors)
    design = saltelli_design(d, n, seed=rng, sequence=sequence)
    u = design.stacked()
    units, _, ranks, audit = evaluate_samples(framework, panel, spec, u, seed=rng, progress=progress, with_nominal=True)
    ranks, nominal_r = ranks[:-1], ranks[-1]
    res = sobol_from_ranks(ranks, nominal_r, n, d, n_boot=n_boot, seed=rng)
    names = [f.name for f in spec.factors]
    summary = pd.DataFrame(
        {"S1": res.S1[:, 0], "ST": res.ST[:, 0], "S1_low": res.S1_low[:, 0], "S1_high": res.S1_high[:, 0],
         "ST_low": res.ST_low[:, 0], "ST_high": res.ST_high[:, 0]},
        index=pd.Index(names, name="factor"),
    )
    unit_index = pd.Index(units, name="unit")
    s1 = pd.DataFrame(res.S1[:, 1:].T, index=unit_index, columns=names)
    st = pd.DataFrame(res.ST[:, 1:].T, index=unit_index, columns=names)
    audit = audit.copy()
    audit.insert(0, "block", ["A"] * n + ["B"] * n + [f"AB:{nm}" for nm in names for _ in range(n)])
    rs = rank_summary(ranks[: 2 * n], nominal_r, units=units, top_k=spec.top_k, quantiles=spec.quantiles)
    return SensitivityResult(names, summary, s1, st, rs, audit, res)


def _write_tables(tables: dict[str, pd.DataFrame], outdir: Path, stem: str, xlsx: bool, *,
                  names: dict[str, str] | None = None, lang: str = "zh") -> list[Path]:
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    from baiqiang.pipeline.export import workbook_tables, write_csv, write_sheets

    for name, df in tables.items():
        path = outdir / f"{name}.csv"
        write_csv(df, path, index=True, encoding="utf-8")
        written.append(path)
    if xlsx:
        path = outdir / f"{stem}.xlsx"
        # Tables too large for a workbook (Excel's limits, write time) are left out; the CSV has them.
        fitting = {name: df for name, df in tables.items() if df.size <= 2_000_000 and df.shape[1] <= 16_000}
        write_sheets(path, workbook_tables(fitting, lang=lang, names=names), index=True)
        written.append(path)
    return written

