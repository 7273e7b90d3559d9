"""Run a framework over a panel: the nominal build and batches of variants."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from baiqiang.framework.plan import Plan
from baiqiang.framework.spec import Framework
from baiqiang.methods.rank import competition_rank
from baiqiang.pipeline.engine import UnitData, aggregate, evaluate, run_data_steps
from baiqiang.pipeline.panel import Panel
from baiqiang.pipeline.results import Results
from baiqiang.pipeline.variants import Variant, check_variants, group_variants

DEFAULT_CHUNK_CELLS = 20_000_000
"""Variants per chunk are chosen so one ``(B, n, nodes)`` array stays near 160 MB."""


def unit_data(plan: Plan | Framework, panel: Panel) -> UnitData:
    """The numeric arrays of ``panel`` in the plan's indicator order."""
    plan = plan if isinstance(plan, Plan) else Plan.of(plan)
    inds = plan.framework.indicators
    denominators = np.ones((len(panel.frame), len(inds)))
    for k, ind in enumerate(inds):
        if ind.denominator in plan.columns.denominator:
            denominators[:, k] = panel.matrix([ind.denominator])[:, 0]
    return UnitData(
        indicators=panel.matrix([i.code for i in inds]),
        denominators=denominators,
        groups={g: panel.group_codes(g) for g in plan.columns.attribute if g in panel.frame.columns},
        targets=np.array([np.nan if i.target is None else i.target for i in inds]),
        goalposts=np.array([(np.nan, np.nan) if i.goalposts is None else i.goalposts for i in inds], dtype=float),
    )


def run(framework: Framework | Plan, panel: Panel) -> Results:
    """Build the index once, keeping every intermediate data set; every kernel runs as registered."""
    plan = framework if isinstance(framework, Plan) else Plan.of(framework)
    selected = panel.select(plan.framework)
    weights = plan.hierarchy.declared_weights[None, :]
    trace = evaluate(plan, unit_data(plan, selected), weights, keep_datasets=True, fast=False)
    return Results.from_trace(plan, selected, trace)


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
    check_variants(framework, variants)
    plan = Plan.of(framework)
    hierarchy = plan.hierarchy
    selected = panel.select(framework)
    data = unit_data(plan, selected)
    keep_codes = list(keep) if keep is not None else hierarchy.aggregate_codes
    cols = np.array([hierarchy.aggregate_codes.index(c) for c in keep_codes])
    n = len(selected.frame)
    scores = np.empty((len(variants), n, len(cols)))
    size = chunk_size or max(1, DEFAULT_CHUNK_CELLS // max(1, n * len(hierarchy.node_codes)))
    done = 0
    for group in group_variants(framework, variants):
        stage = run_data_steps(group.plan, data, len(group.members))
        for start in range(0, len(group.members), size):
            part = slice(start, start + size)
            chunk, _ = aggregate(group.plan.take(part), stage.x, stage.rows[part], group.weights[part], only=keep_codes)
            scores[group.members[part]] = np.where(stage.included[stage.rows[part]][:, :, None], chunk[:, :, cols], np.nan)
            done += len(group.members[part])
            if progress is not None:
                progress(done, len(variants))
    ranks = competition_rank(scores.transpose(0, 2, 1).reshape(-1, n)).reshape(len(variants), len(cols), n).transpose(0, 2, 1)
    return BatchResult(selected.codes, keep_codes, scores, ranks, variants)
