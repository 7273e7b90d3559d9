"""The batched evaluation of a compiled :class:`~baiqiang.framework.plan.Plan`: arrays in, arrays out.

:func:`evaluate` executes a plan for ``B`` methodology variants at once.  All
variants share the same method *names* (the caller groups variants by their
categorical choices); numeric parameters and weights may differ per variant
and arrive as arrays with a leading ``B`` axis.

The code that runs for a method is its registered kernel.  The one exception
is an execution strategy the kernel itself declares on its registry entry: a
parameter-free quasi-arithmetic mean (:class:`~baiqiang.methods.registry.QuasiMean`)
may be evaluated for every parent of a level, or for a whole collapsible
subtree, as one matrix product when many variants are evaluated
(``fast=True``); tests assert that this equals the kernel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from baiqiang.framework.plan import DATA_STAGES, TRANSFORMS, BoundStep, Plan
from baiqiang.methods.registry import QuasiMean, per_variant


@dataclass
class Trace:
    """Everything one batched evaluation produced.

    ``datasets`` maps a stage name (``raw``, ``denominated``, ``imputed``,
    ``screened``, ``treated``, ``normalised``) to ``(B, n, p)`` arrays when
    requested; ``scores`` is ``(B, n, n_aggregates)`` in
    :attr:`Hierarchy.aggregate_codes` order; ``weights`` is ``(B, n_nodes)``,
    each node's weight normalised within its parent; ``included`` is ``(B, n)``.
    """

    datasets: dict[str, np.ndarray]
    scores: np.ndarray
    weights: np.ndarray
    included: np.ndarray


@dataclass(frozen=True)
class UnitData:
    """The numeric inputs of one panel, aligned with a plan's indicators."""

    indicators: np.ndarray  # (n, p)
    denominators: np.ndarray  # (n, p); 1 where an indicator has no denominator
    groups: dict[str, np.ndarray]  # attribute -> (n,) integer codes
    targets: np.ndarray  # (p,)
    goalposts: np.ndarray  # (p, 2)

    def inputs_for(self, step: BoundStep) -> dict[str, Any]:
        """The declared inputs of ``step``'s kernel (the compiled plan has checked they are supplied)."""
        supply = {"targets": lambda: self.targets, "goalposts": lambda: self.goalposts,
                  "groups": lambda: self.groups[step.attribute or ""]}
        return {name: supply[name]() for name in step.inputs}


def transformed(x: np.ndarray, transforms: tuple[str | None, ...]) -> np.ndarray:
    """Each indicator column through its framework transform (``log``: ln x, ``log1p``: ln(1 + x))."""
    out = x.copy()
    for k, name in enumerate(transforms):
        if name is not None:
            with np.errstate(invalid="ignore", divide="ignore"):
                out[..., k] = TRANSFORMS[name][0](x[..., k])
    return out


@dataclass
class DataStage:
    """The data after every data step, shared by the variants that agree on them.

    ``x`` is ``(U, n, p)``: one row per distinct parameter history; ``rows``
    maps each of the ``B`` variants to its row; ``included`` is ``(U, n)``
    (units that passed screening); ``datasets`` holds ``(B, n, p)`` copies of
    each stage when requested.
    """

    x: np.ndarray
    rows: np.ndarray
    included: np.ndarray
    datasets: dict[str, np.ndarray] = field(default_factory=dict)


def run_data_steps(
    plan: Plan, data: UnitData, B: int, *, keep_datasets: bool = False, memo: dict[int, tuple[tuple, Any]] | None = None
) -> DataStage:
    """Transform, denominate, impute, screen, treat and normalise for ``B`` variants.

    Each data step runs once per *distinct* parameter history: variants that
    agree on every parameter up to a step share that step's result (in an
    uncertainty analysis most variants differ only in weights or late steps).

    ``memo`` (one dict per data set, without ``keep_datasets``) carries the
    result of each step position over calls: a group of variants whose
    distinct histories up to a step equal the previous call's (e.g. groups that
    differ only in normalisation or aggregation method share imputation and
    treatment) reuses it.  One entry per step position is kept.
    """
    rows = np.zeros(B, dtype=int)
    x = data.indicators[None].astype(float)
    included = np.ones(x.shape[:2], dtype=bool)
    datasets: dict[str, np.ndarray] = {"raw": x[rows]} if keep_datasets else {}
    steps = plan.data_steps
    # Transforms apply to the indicator as defined: after the denominate step if there is one.
    if not any(s.kind == "denominate" for s in steps):
        x = _transform_stage(x, rows, plan, datasets, keep_datasets)
    memo = memo if memo is not None and not keep_datasets else None
    history: list[tuple] = [(plan.transforms,)]  # per distinct data row: every step it went through
    for position, step in enumerate(steps):
        rows, sources, taken = _distinct_histories(rows, step, B)
        per_row, step = taken is not step, taken  # per-row parameter arrays only when the step was cut to rows
        history = [history[s] + (_step_key(step, r if per_row else None),) for r, s in enumerate(sources)]
        key = tuple(history)
        if memo is not None and position in memo and memo[position][0] == key:
            x, included = memo[position][1]
            continue
        if not np.array_equal(sources, np.arange(len(x))):  # each row from one row as it is: no copy
            x, included = x[sources], included[sources]
        if step.kind == "denominate":
            x = x / data.denominators
            if keep_datasets:
                datasets[DATA_STAGES[step.kind]] = x[rows]
            x = _transform_stage(x, rows, plan, datasets, keep_datasets)
            _remember(memo, position, key, x, included)
            continue
        if step.kind == "screen":
            included = included & _passes_screen(x, plan, step.params)
            x = np.where(included[:, :, None], x, np.nan)
        elif step.kind == "normalise":
            x = step.call(x, inputs=data.inputs_for(step), direction=plan.direction)
        else:  # impute, treat
            x = step.call(x, inputs=data.inputs_for(step))
        _remember(memo, position, key, x, included)
        if keep_datasets:
            datasets[DATA_STAGES[step.kind]] = x[rows]
    if keep_datasets and "normalised" not in datasets:
        datasets["normalised"] = x[rows]
    return DataStage(x, rows, included, datasets)


def evaluate(
    plan: Plan,
    data: UnitData,
    weights: np.ndarray,
    *,
    keep_datasets: bool = False,
    only: list[str] | None = None,
    fast: bool = True,
) -> Trace:
    """Execute ``plan`` for ``B = len(weights)`` variants; ``weights`` is ``(B, n_nodes)`` declared weights.

    ``only`` names the aggregates whose scores are needed; the others may be
    left missing (see :func:`aggregate`).  ``fast=False`` calls every
    aggregation kernel as registered (the nominal build does).
    """
    stage = run_data_steps(plan, data, len(weights), keep_datasets=keep_datasets)
    scores, effective = aggregate(plan, stage.x, stage.rows, weights, only=only, fast=fast)
    return Trace(stage.datasets, scores, effective, stage.included[stage.rows])


def _transform_stage(x: np.ndarray, rows: np.ndarray, plan: Plan, datasets: dict[str, np.ndarray], keep: bool) -> np.ndarray:
    """``x`` through the plan's per-indicator transforms (kept as the ``transformed`` data set)."""
    if not any(plan.transforms):
        return x
    x = transformed(x, plan.transforms)
    if keep:
        datasets["transformed"] = x[rows]
    return x


def _remember(memo: dict[int, tuple[tuple, Any]] | None, position: int, key: tuple, x: np.ndarray, included: np.ndarray) -> None:
    if memo is not None:
        memo[position] = (key, (x, included))


def _step_key(step: BoundStep, row: int | None) -> tuple:
    """What decides a step's result for distinct data row ``row``: its kind, method and parameter values.

    ``row`` indexes the step's 1-D parameter arrays (one value per data row); ``None``: no array is per row.
    """
    name = step.method.qualname if step.method is not None else None
    return (step.kind, step.key, name, tuple((k, _hashable(v, row)) for k, v in sorted(step.params.items())))


def _hashable(value: Any, row: int | None) -> Any:
    """A parameter's value for one data row (per-row arrays indexed), as a hashable."""
    if isinstance(value, np.ndarray):
        return value[row].item() if value.ndim == 1 and row is not None else (value.shape, tuple(value.ravel().tolist()))
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v, row) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v, row)) for k, v in value.items()))
    return value


def _distinct_histories(rows: np.ndarray, step: BoundStep, B: int) -> tuple[np.ndarray, np.ndarray, BoundStep]:
    """Group variants by (previous data row, this step's per-variant parameters).

    Returns each variant's new row, the previous row each new row is computed
    from, and the step with its per-variant parameters cut to one per new row.
    """
    varying = [v for v in step.params.values() if _is_per_variant(v, B)]
    if not varying:
        # return_inverse: without it np.unique asks numpy.ma whether the input is masked (a 35 ms import)
        distinct, inverse = np.unique(rows, return_inverse=True)
        return inverse.ravel(), distinct, step
    key = np.column_stack([rows.astype(float), *varying])
    _, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
    return inverse.ravel(), rows[first], step.take(first)


def _is_per_variant(value: Any, B: int) -> bool:
    return isinstance(value, np.ndarray) and value.ndim == 1 and len(value) == B


def _passes_screen(x: np.ndarray, plan: Plan, params: dict[str, Any]) -> np.ndarray:
    """Units whose share of available indicators meets the thresholds, ``(B, n)``."""
    h = plan.hierarchy
    available = ~np.isnan(x)
    ok = available.mean(axis=-1) >= per_variant(params["min_coverage"], 2)
    if np.any(np.asarray(params["pillar_min_coverage"]) > 0):
        for code in h.aggregates_at(params["pillar_level"]):
            leaves = h.leaves[code]
            ok &= available[:, :, leaves].mean(axis=-1) >= per_variant(params["pillar_min_coverage"], 2)
    return ok


def aggregate(
    plan: Plan,
    x: np.ndarray,
    rows: np.ndarray,
    weights: np.ndarray,
    *,
    only: list[str] | None = None,
    fast: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Aggregate the shared data ``x[rows]`` (see :class:`DataStage`) for ``B = len(rows)`` variants.

    Returns scores ``(B, n, n_agg)`` and effective weights ``(B, n_nodes)``
    (each node's weight normalised within its parent by its weight kernel).
    With ``fast``, when ``only`` names aggregates the plan marks collapsible,
    those scores come from :func:`kept_scores` and the other aggregates are
    left missing; and quasi-means of one level are formed together.
    """
    if fast and only and all(code in plan.collapsible for code in only):
        return _collapse_all(plan, x, rows, weights, only)
    return _aggregate_levels(plan, x, rows, weights, fast=fast)


def _aggregate_levels(
    plan: Plan, x: np.ndarray, rows: np.ndarray, weights: np.ndarray, *, fast: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Bottom-up aggregation, level by level, of every aggregate."""
    h = plan.hierarchy
    nodes = _NodeValues(plan, x, rows)
    effective = np.zeros_like(weights)
    effective[:, -1] = 1.0
    for level in range(2, h.top_level + 1):
        codes = h.aggregates_at(level)
        for code in codes:
            kids = h.children[code]
            effective[:, kids] = plan.weighters[code].call(nodes.children(kids), prior=weights[:, kids])
        # Aggregates of one level that share a step are formed together.
        for key in dict.fromkeys(plan.aggregators[c].key for c in codes):
            same = [c for c in codes if plan.aggregators[c].key == key]
            step = plan.aggregators[same[0]]
            quasi = step.kernel.quasi_mean
            if fast and quasi is not None and not step.params:
                nodes.set_level(same, _quasi_mean_level(plan, same, nodes, effective, quasi))
                continue
            for code in same:  # a handful per level, each vectorised
                kids = h.children[code]
                nodes.set_level([code], step.call(nodes.children(kids), effective[:, kids])[:, None, :])
    return nodes.aggregates.transpose(0, 2, 1), effective


class _NodeValues:
    """Values of every node for every variant, node-major ``(..., node, unit)``.

    Indicators are stored once per distinct data row (``leaves[rows]`` gives a
    variant's); aggregates once per variant.  Node-major storage makes the
    children of an aggregate a contiguous block.
    """

    def __init__(self, plan: Plan, x: np.ndarray, rows: np.ndarray) -> None:
        h = plan.hierarchy
        self.h, self.rows = h, rows
        self.p = x.shape[2]
        self.leaves = np.ascontiguousarray(x.transpose(0, 2, 1))
        self.aggregates = np.empty((len(rows), len(h.aggregate_codes), x.shape[1]))

    def node_major(self, kids: np.ndarray) -> np.ndarray:
        """Values of nodes ``kids`` as ``(B, k, n)``."""
        leaf = kids < self.p
        if leaf.all():
            return self.leaves[:, kids][self.rows]
        out = np.empty((len(self.rows), len(kids), self.leaves.shape[2]))
        out[:, leaf] = self.leaves[:, kids[leaf]][self.rows]
        out[:, ~leaf] = self.aggregates[:, kids[~leaf] - self.p]
        return out

    def children(self, kids: np.ndarray) -> np.ndarray:
        """Values of nodes ``kids`` as ``(B, n, k)``, the layout kernels take."""
        return self.node_major(kids).transpose(0, 2, 1)

    def set_level(self, codes: list[str], scores: np.ndarray) -> None:
        """Store ``scores`` of shape ``(B, len(codes), n)``."""
        self.aggregates[:, [self.h.index[c] - self.p for c in codes], :] = scores


def _quasi_mean_level(
    plan: Plan, codes: list[str], nodes: _NodeValues, effective: np.ndarray, quasi: QuasiMean
) -> np.ndarray:
    """Every aggregate of one level at once: ``y = f^-1(sum_c w_c f(x_c) / sum_{c available} w_c)``.

    The weighted sums are matrix products with a ``(B, P, k)`` weight matrix that
    places each child's weight in its parent's row.  When the children are
    indicators (shared by data row) one product per distinct data row serves
    all its variants.  Returns ``(B, P, n)``.
    """
    h = plan.hierarchy
    kids = np.concatenate([h.children[c] for c in codes])
    owner = np.repeat(np.arange(len(codes)), [len(h.children[c]) for c in codes])
    W = np.zeros((len(nodes.rows), len(codes), len(kids)))
    W[:, owner, np.arange(len(kids))] = effective[:, kids]
    if kids.max() < nodes.p:
        out = np.empty((len(nodes.rows), len(codes), nodes.leaves.shape[2]))
        for row in np.unique(nodes.rows):
            members = nodes.rows == row
            out[members] = _weighted_quasi_mean(nodes.leaves[row][kids], W[members], quasi)
        return out
    return _weighted_quasi_mean(nodes.node_major(kids), W, quasi)


def _weighted_quasi_mean(values: np.ndarray, W: np.ndarray, quasi: QuasiMean) -> np.ndarray:
    """``values`` ``(k, n)`` shared or ``(B, k, n)``; ``W`` ``(B, P, k)``; returns ``(B, P, n)``."""
    present = ~np.isnan(values)
    complete = bool(present.all())
    with np.errstate(invalid="ignore", divide="ignore"):
        f = quasi.forward(values if complete else np.where(present, values, 1.0))
    invalid = present & ~(np.isfinite(f) & (values > 0)) if quasi.positive else None
    if not complete or invalid is not None:
        f = np.where(present & ~invalid if invalid is not None else present, f, 0.0)
    total = _matmul(W, f)
    weight = W.sum(axis=2, keepdims=True) if complete else _matmul(W, present.astype(float))
    ok = weight > 0
    if invalid is not None and invalid.any():
        ok = ok & (_matmul((W > 0).astype(float), invalid.astype(float)) == 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok, quasi.inverse(total / weight), np.nan)


def _matmul(W: np.ndarray, f: np.ndarray) -> np.ndarray:
    """``W (B, P, k) @ f`` as one BLAS product when ``f`` is a shared ``(k, n)`` operand.

    NumPy's ``matmul`` does not hand a broadcast (stride-0) batch to BLAS; the
    reshaped product is ~40x faster.
    """
    if f.ndim == 2:
        B, P, k = W.shape
        return (W.reshape(B * P, k) @ f).reshape(B, P, f.shape[1])
    return np.matmul(W, f)


def _collapse_all(
    plan: Plan, x: np.ndarray, rows: np.ndarray, weights: np.ndarray, only: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`kept_scores` of the ``only`` aggregates placed in the full ``(B, n, n_agg)`` layout (others missing)."""
    h = plan.hierarchy
    scores = np.full((len(rows), x.shape[1], len(h.aggregate_codes)), np.nan)
    scores[:, :, [h.aggregate_codes.index(c) for c in only]] = kept_scores(plan, x, rows, weights, only)
    return scores, _within_parent_weights(plan, weights)


@dataclass(frozen=True)
class CollapsedOperand:
    """One collapsible aggregate's leaves, prepared once per distinct data row for :func:`kept_scores`.

    ``forward[u]`` is ``f(x_leaf)`` of data row ``u`` as ``(n, k)`` with unusable
    cells (missing, or not positive for a geometric or harmonic mean) set to 0;
    ``complete[u]`` marks the units ``(n,)`` whose leaves are all usable.
    """

    code: str
    quasi: QuasiMean
    leaves: np.ndarray
    forward: list[np.ndarray]
    complete: list[np.ndarray]


def collapsed_operands(plan: Plan, x: np.ndarray, only: list[str]) -> list[CollapsedOperand] | None:
    """The operands of every aggregate in ``only`` over the data rows ``x`` ``(U, n, p)``; ``None`` unless all are collapsible."""
    if not only or not all(code in plan.collapsible for code in only):
        return None
    out = []
    for code in only:
        quasi, leaves = plan.collapsible[code], plan.hierarchy.leaves[code]
        every = np.array_equal(leaves, np.arange(x.shape[2]))  # the root: the data rows themselves, no gathered copy
        forward, complete = [], []
        for row in x:
            values = row if every else row[:, leaves]
            missing = np.isnan(values)
            with np.errstate(invalid="ignore", divide="ignore"):
                f = quasi.forward(np.where(missing, 1.0, values) if missing.any() else values)
            usable = ~missing & np.isfinite(f) & ((values > 0) if quasi.positive else True)
            forward.append(f if usable.all() else np.where(usable, f, 0.0))
            complete.append(usable.all(axis=1))
        out.append(CollapsedOperand(code, quasi, leaves, forward, complete))
    return out


def kept_scores(
    plan: Plan,
    x: np.ndarray,
    rows: np.ndarray,
    weights: np.ndarray,
    only: list[str],
    operands: list[CollapsedOperand] | None = None,
    *,
    out: np.ndarray | None = None,
    fallback_cells: int = 20_000_000,
) -> np.ndarray:
    """Scores ``(B, n, len(only))`` of the ``only`` aggregates of the shared data ``x[rows]``.

    When every aggregate in ``only`` is collapsible, nested means of one
    quasi-mean collapse into one, ``y = f^-1(sum_leaf W_leaf f(x_leaf))``,
    ``W_leaf`` being the product of within-parent weights down the path from
    the aggregate to the leaf, normalised to sum 1: one matrix product per
    distinct data row over ``operands`` (prepared once per data set, see
    :func:`collapsed_operands`).  Units whose leaves are not all usable are
    computed level by level on those units alone (aggregation is unit by
    unit, so the two parts join exactly), in blocks of variants of about
    ``fallback_cells`` node values.  Otherwise every aggregate is computed
    level by level.  ``out`` ``(len(only), B, n)``, if given, receives the
    scores (the result is its ``(B, n, len(only))`` view).
    """
    operands = operands if operands is not None else collapsed_operands(plan, x, only)
    h = plan.hierarchy
    cols = [h.aggregate_codes.index(c) for c in only]
    B, n = len(rows), x.shape[1]
    out = np.empty((len(only), B, n)) if out is None else out  # aggregate-major: each product is written in place
    if operands is None:
        out[...] = _aggregate_levels(plan, x, rows, weights)[0][:, :, cols].transpose(2, 0, 1)
        return out.transpose(1, 2, 0)
    fallback = np.zeros(n, dtype=bool)
    distinct = np.unique(rows)
    for c, op in enumerate(operands):
        path = _path_weights(plan, op.code, weights)[:, op.leaves]
        with np.errstate(invalid="ignore", divide="ignore"):
            path /= path.sum(axis=1, keepdims=True)
        for row in distinct:
            target = out[c]
            if len(distinct) == 1:  # the product goes straight into the result
                members, y = slice(None), np.matmul(path, op.forward[row].T, out=target)
            else:
                members = np.flatnonzero(rows == row)
                y = path[members] @ op.forward[row].T
            with np.errstate(invalid="ignore", divide="ignore"):
                y = _apply_in_place(op.quasi.inverse, y)
            complete = op.complete[row]
            if not complete.all():
                y[:, ~complete] = np.nan
                fallback |= ~complete
            if y is not target:
                target[members] = y
    units = np.flatnonzero(fallback)
    if len(units):
        step = max(1, fallback_cells // (len(units) * len(h.node_codes)))
        for start in range(0, B, step):
            part = slice(start, start + step)
            levels = _aggregate_levels(plan.take(part), x[:, units, :], rows[part], weights[part])[0]
            out[:, part, units] = levels[:, :, cols].transpose(2, 0, 1)
    return out.transpose(1, 2, 0)


def _apply_in_place(f: Callable[[np.ndarray], np.ndarray], y: np.ndarray) -> np.ndarray:
    """``f(y)``, written over ``y`` when ``f`` is a ufunc (the inverse of a quasi-mean: exp, 1/y, or the identity)."""
    return f(y, out=y) if isinstance(f, np.ufunc) else f(y)


def _within_parent_weights(plan: Plan, weights: np.ndarray) -> np.ndarray:
    """Declared weights normalised within each parent by each aggregate's (manual) weight kernel, ``(B, n_nodes)``."""
    h = plan.hierarchy
    out = np.zeros_like(weights)
    out[:, -1] = 1.0
    for code in h.aggregate_codes:
        kids = h.children[code]
        out[:, kids] = plan.weighters[code].call(None, prior=weights[:, kids])
    return out


def _path_weights(plan: Plan, code: str, weights: np.ndarray) -> np.ndarray:
    """Each node's share in ``code``: the product of within-parent weights down the path, ``(B, n_nodes)``.

    Level-by-level aggregation drops an aggregate all of whose children have
    weight 0 (its score is missing) and re-weights its parent over the other
    children; the same happens here through the ``alive`` mask.
    """
    h = plan.hierarchy
    p = len(h.indicator_codes)
    alive = np.ones_like(weights, dtype=bool)
    for agg in h.aggregate_codes:  # bottom-up
        kids = h.children[agg]
        alive[:, h.index[agg]] = (alive[:, kids] & (weights[:, kids] > 0)).any(axis=1)
    share = np.zeros_like(weights)
    share[:, h.index[code]] = 1.0
    for agg in h.subtree[code]:  # pre-order: parents before children
        kids = h.children[agg]
        w = plan.weighters[agg].call(None, prior=np.where(alive[:, kids], weights[:, kids], 0.0))
        share[:, kids] = w * share[:, h.index[agg], None]
    share[:, p:] = np.where(alive[:, p:], share[:, p:], 0.0)
    return share
