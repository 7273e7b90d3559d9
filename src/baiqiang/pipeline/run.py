"""Run a framework over a panel: the nominal build and batches of variants."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from baiqiang.errors import DataError
from baiqiang.framework.plan import COMPARABLE_NORMALISATIONS, Plan
from baiqiang.methods._nan import col_max, col_mean, col_min, col_std
from baiqiang.framework.spec import Framework
from baiqiang.methods.rank import competition_rank
from baiqiang.pipeline.engine import UnitData, collapsed_operands, evaluate, kept_scores, run_data_steps
from baiqiang.pipeline.panel import Panel
from baiqiang.pipeline.results import Results
from baiqiang.pipeline.variants import Group, Variant, checked_groups

DEFAULT_CHUNK_CELLS = 20_000_000
"""Variants per chunk are chosen so one chunk's largest array stays near 160 MB: ``(B, n, kept)``
scores when the kept aggregates collapse into one product each, else ``(B, n, nodes)`` node values."""


def unit_data(plan: Plan | Framework, panel: Panel) -> UnitData:
    """The numeric arrays of ``panel`` in the plan's indicator order."""
    plan = plan if isinstance(plan, Plan) else Plan.of(plan)
    inds = plan.framework.indicators
    denominators = np.ones((len(panel), len(inds)))
    for k, ind in enumerate(inds):
        if ind.denominator in plan.columns.denominator:
            denominators[:, k] = panel.matrix([ind.denominator])[:, 0]
    return UnitData(
        indicators=panel.matrix([i.code for i in inds]),
        denominators=denominators,
        groups={g: panel.group_codes(g) for g in plan.columns.attribute if panel.has(g)},
        targets=np.array([np.nan if i.target is None else i.target for i in inds]),
        goalposts=np.array([(np.nan, np.nan) if i.goalposts is None else i.goalposts for i in inds], dtype=float),
    )


def run(
    framework: Framework | Plan, panel: Panel, *, bounds: np.ndarray | None = None, comparison: dict[str, Any] | None = None
) -> Results:
    """Build the index once, keeping every intermediate data set; every kernel runs as registered.

    ``bounds`` ``(p, 2)`` fixes the normalisation's per-indicator bounds (see
    :func:`run_years`); ``comparison`` is what the method record says of them.
    """
    plan = framework if isinstance(framework, Plan) else Plan.of(framework)
    selected = panel.select(plan.framework)
    weights = plan.hierarchy.declared_weights[None, :]
    data = unit_data(plan, selected)
    executed = plan
    if bounds is not None:
        executed, data = plan.with_fixed_bounds(), dataclasses.replace(data, goalposts=np.asarray(bounds, dtype=float))
    trace = evaluate(executed, data, weights, keep_datasets=True, fast=False)
    return Results.from_trace(plan, selected, trace, comparison=comparison)


def reference_bounds(plan: Plan, panels: Sequence[Panel]) -> np.ndarray:
    """Bounds ``(worst, best)`` per indicator of the plan's min-max or z-score step over ``panels`` pooled, ``(p, 2)``.

    The data steps before normalisation run on each panel on its own (as
    COINr treats each coin of a purse); the statistics of the normalisation
    are then taken over every ranked unit of every panel: min-max the worst and
    best values, z-score ``(mean, mean + direction * sd)`` (see
    :meth:`Plan.with_fixed_bounds`).
    """
    step = plan.normalise_step
    assert step is not None and step.kernel.name in COMPARABLE_NORMALISATIONS
    before = plan.with_steps([s for s in plan.steps if s.kind != "normalise"])
    x = np.concatenate([run_data_steps(before, unit_data(plan, p.select(plan.framework)), 1).x[0] for p in panels])
    d = plan.direction
    oriented = x * d
    if step.kernel.name == "minmax":
        worst, best = d * col_min(oriented[None])[0], d * col_max(oriented[None])[0]
    else:
        mean = col_mean(x[None])[0]
        worst, best = mean, mean + d * col_std(oriented[None], ddof=int(step.params["ddof"]))[0]
    return np.column_stack([worst, best])


def run_years(framework: Framework | Plan, panels: Mapping[int, Panel]) -> dict[int, Results]:
    """Build each year of a panel with the framework's time comparability (``time.normalise``).

    ``year``: every year normalised on its own.  ``pooled``: min-max or z-score
    bounds from all the years given at once (COINr ``Normalise.purse(global =
    TRUE)``).  ``base_year``: bounds from the base year, which must be among
    ``panels``.  With fixed bounds a unit's normalised value moves only when
    its own data do, so score changes between years mean something.
    """
    plan = framework if isinstance(framework, Plan) else Plan.of(framework)
    time = plan.framework.time
    step = plan.normalise_step
    if time.normalise == "year" or step is None or step.kernel.name not in COMPARABLE_NORMALISATIONS:
        return {year: run(plan, panel) for year, panel in panels.items()}
    if time.normalise == "base_year" and time.base_year not in panels:
        given = ", ".join(str(y) for y in panels) or "none"
        raise DataError.single("time.base_year", f"基年 {time.base_year} 不在给出的年份中（{given}）", "base_year")
    reference = list(panels) if time.normalise == "pooled" else [time.base_year]
    bounds = reference_bounds(plan, [panels[y] for y in reference])
    comparison = {
        "normalise": time.normalise, "reference_years": [int(y) for y in reference], "years": [int(y) for y in panels],
        "bounds": {code: [float(v) for v in b] for code, b in zip(plan.hierarchy.indicator_codes, bounds)},
    }
    return {year: run(plan, panel, bounds=bounds, comparison=comparison) for year, panel in panels.items()}


@dataclass(frozen=True)
class BatchResult:
    """Scores and ranks of many methodology variants.

    ``scores`` and ``ranks`` have shape ``(B, n_units, len(aggregate_codes))``
    in the order of ``variants``; ranks are competition ranks among the units
    of the universe (1 = best).
    """

    unit_codes: list[str]
    aggregate_codes: list[str]
    scores: np.ndarray
    ranks: np.ndarray
    variants: Sequence[Variant]

    def column(self, code: str) -> int:
        return self.aggregate_codes.index(code)


def run_variants(
    framework: Framework,
    panel: Panel,
    variants: Sequence[Variant],
    *,
    keep: Sequence[str] | None = None,
    chunk_size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BatchResult:
    """Evaluate many methodology variants, batched by their categorical choices.

    ``keep`` names the aggregates whose scores and ranks are returned (default:
    all).  ``chunk_size`` bounds how many variants are evaluated at once (memory);
    ``progress(done, total)`` is called after each chunk.  Variants are
    validated before anything runs.
    """
    groups = checked_groups(framework, variants)
    plan = Plan.of(framework)
    hierarchy = plan.hierarchy
    selected = panel.select(framework)
    data = unit_data(plan, selected)
    keep_codes = list(keep) if keep is not None else hierarchy.aggregate_codes
    # The data stages die with the helper's frame: freed before the ranks' array is allocated.
    scores = _kept_scores_of_groups(groups, data, keep_codes, len(variants), chunk_size, progress)
    ranks = competition_rank(scores.reshape(-1, scores.shape[2])).reshape(scores.shape)
    return BatchResult(selected.codes, keep_codes, scores.transpose(1, 2, 0), ranks.transpose(1, 2, 0), variants)


def _kept_scores_of_groups(
    groups: list[Group], data: UnitData, keep_codes: list[str], total: int, chunk_size: int | None,
    progress: Callable[[int, int], None] | None,
) -> np.ndarray:
    """Scores ``(len(keep_codes), total, n)`` of every group's variants, chunk by chunk (see :func:`run_variants`)."""
    n = len(data.indicators)
    nodes = len(groups[0].plan.hierarchy.node_codes) if groups else 1
    scores = np.empty((len(keep_codes), total, n))  # aggregate-major: ranked row by row without a copy
    done = 0
    memo: dict = {}  # data steps shared by consecutive groups (see run_data_steps)
    for group in groups:
        stage = run_data_steps(group.plan, data, len(group.members), memo=memo)
        # Operands of the one-product path are prepared once per group, not per chunk.
        operands = collapsed_operands(group.plan, stage.x, keep_codes)
        width = len(keep_codes) if operands is not None else nodes
        size = chunk_size or max(1, DEFAULT_CHUNK_CELLS // max(1, n * width))
        for start in range(0, len(group.members), size):
            part = slice(start, start + size)
            chunk_plan = group.plan if size >= len(group.members) else group.plan.take(part)
            target = _as_slice(group.members[part])
            into = scores[:, target] if isinstance(target, slice) else None  # a view: written in place
            chunk = kept_scores(chunk_plan, stage.x, stage.rows[part], group.weights[part], keep_codes, operands, out=into)
            included = stage.included[stage.rows[part]]
            if not included.all():
                chunk[~included] = np.nan
            if into is None:
                scores[:, target] = chunk.transpose(2, 0, 1)
            done += len(group.members[part])
            if progress is not None:
                progress(done, total)
    return scores


def _as_slice(members: np.ndarray) -> np.ndarray | slice:
    """``members`` as a slice when they are consecutive (a view store instead of a scattered copy)."""
    if len(members) and members[-1] - members[0] == len(members) - 1 and np.all(np.diff(members) == 1):
        return slice(int(members[0]), int(members[-1]) + 1)
    return members
