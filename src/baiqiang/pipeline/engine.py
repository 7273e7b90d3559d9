"""The batched evaluation of a methodology: arrays in, arrays out.

:func:`evaluate` runs every step of a framework for ``B`` methodology variants
at once.  All variants share the same method *names* (the caller groups
variants by their categorical choices); numeric parameters and weights may
differ per variant and arrive as arrays with a leading ``B`` axis.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from baiqiang.framework.spec import DEFAULT_METHOD, METHOD_STEPS, Framework, Step
from baiqiang.framework.structure import Hierarchy
from baiqiang.framework.validate import STEP_PARAMS
from baiqiang.methods import registry
from baiqiang.methods.registry import Method, per_variant
from baiqiang.methods.weight import normalised


@dataclass(frozen=True)
class BoundStep:
    """A methodology step with its method looked up and its parameters filled in.

    Numeric parameter values may be arrays of shape ``(B,)``.
    """

    kind: str
    key: str
    method: Method | None
    params: dict[str, Any]
    levels: tuple[int, ...] | None
    aggregates: tuple[str, ...] | None = None

    @classmethod
    def bind(cls, step: Step, params: dict[str, Any] | None = None, method: str | None = None) -> "BoundStep":
        given = step.params if params is None else params
        if step.step in METHOD_STEPS:
            m = registry.get(step.step, method or step.method or DEFAULT_METHOD[step.step])
            # A variant that switches method keeps only the parameters the new method declares.
            given = {k: v for k, v in given.items() if k in m.params}
            return cls(step.step, step.key, m, m.resolve(given), _tuple(step.levels), _tuple(step.aggregates))
        declared = STEP_PARAMS.get(step.step, {})
        full = {k: p.default for k, p in declared.items()} | dict(given)
        return cls(step.step, step.key, None, full, _tuple(step.levels), _tuple(step.aggregates))

    def take(self, index: np.ndarray | slice) -> "BoundStep":
        """The step for a subset of variants: per-variant (1-D array) parameters indexed."""
        params = {k: (v[index] if isinstance(v, np.ndarray) and v.ndim == 1 else v) for k, v in self.params.items()}
        return BoundStep(self.kind, self.key, self.method, params, self.levels, self.aggregates)

    def call(self, x: np.ndarray, **context: Any) -> np.ndarray:
        """Run the kernel, passing only the context arguments its signature declares."""
        assert self.method is not None
        accepted = _accepted_keywords(self.method)
        extra = {k: v for k, v in context.items() if k in accepted}
        return self.method.func(x, **extra, **self.params)


def _tuple(values: list | None) -> tuple | None:
    return tuple(values) if values else None


def _accepted_keywords(method: Method) -> frozenset[str]:
    return frozenset(inspect.signature(method.func).parameters)


@dataclass
class Trace:
    """Everything one batched evaluation produced.

    ``datasets`` maps a stage name (``raw``, ``denominated``, ``imputed``,
    ``screened``, ``treated``, ``normalised``) to ``(B, n, p)`` arrays when
    requested; ``scores`` is ``(B, n, n_aggregates)`` in
    :attr:`Hierarchy.aggregate_codes` order; ``weights`` is ``(B, n_nodes)``,
    each node's weight normalised within its parent; ``included`` is ``(B, n)``.
    """

    datasets: dict[str, np.ndarray] = field(default_factory=dict)
    scores: np.ndarray | None = None
    weights: np.ndarray | None = None
    included: np.ndarray | None = None


@dataclass(frozen=True)
class UnitData:
    """The numeric inputs of one panel, aligned with a hierarchy."""

    indicators: np.ndarray  # (n, p)
    denominators: np.ndarray  # (n, p); 1 where an indicator has no denominator
    groups: dict[str, np.ndarray]  # attribute -> (n,) integer codes
    targets: np.ndarray  # (p,)
    goalposts: np.ndarray  # (p, 2)


DATA_STAGES = {"denominate": "denominated", "impute": "imputed", "screen": "screened", "treat": "treated", "normalise": "normalised"}


def evaluate(
    hierarchy: Hierarchy,
    steps: list[BoundStep],
    data: UnitData,
    weights: np.ndarray,
    *,
    keep_datasets: bool = False,
) -> Trace:
    """Run ``steps`` for ``B = len(weights)`` variants; ``weights`` is ``(B, n_nodes)`` declared weights.

    Data steps run once per *distinct* parameter history: variants that agree on
    every parameter up to a step share that step's result (in an uncertainty
    analysis most variants differ only in weights or late steps).  ``rows``
    maps each variant to its row of the shared data.
    """
    B = weights.shape[0]
    rows = np.zeros(B, dtype=int)
    x = data.indicators[None].astype(float)
    included = np.ones(x.shape[:2], dtype=bool)
    trace = Trace()
    if keep_datasets:
        trace.datasets["raw"] = x[rows]
    for step in steps:
        if step.kind not in DATA_STAGES:
            continue
        rows, sources, step = _distinct_histories(rows, step, B)
        x, included = x[sources], included[sources]
        if step.kind == "denominate":
            x = x / data.denominators
        elif step.kind == "impute":
            x = step.call(x, groups=data.groups.get(step.params.get("group", ""), None))
        elif step.kind == "screen":
            included = included & _passes_screen(x, hierarchy, step.params)
            x = np.where(included[:, :, None], x, np.nan)
        elif step.kind == "treat":
            x = step.call(x)
        else:
            x = step.call(x, direction=hierarchy.direction, targets=data.targets, goalposts=data.goalposts)
        if keep_datasets:
            trace.datasets[DATA_STAGES[step.kind]] = x[rows]
    if keep_datasets and "normalised" not in trace.datasets:
        trace.datasets["normalised"] = x[rows]
    trace.scores, trace.weights = _aggregate(hierarchy, steps, x, rows, weights)
    trace.included = included[rows]
    return trace


def _distinct_histories(rows: np.ndarray, step: BoundStep, B: int) -> tuple[np.ndarray, np.ndarray, BoundStep]:
    """Group variants by (previous data row, this step's per-variant parameters).

    Returns each variant's new row, the previous row each new row is computed
    from, and the step with its per-variant parameters cut to one per new row.
    """
    varying = [v for v in step.params.values() if _is_per_variant(v, B)]
    if not varying:
        distinct = np.unique(rows)
        return np.searchsorted(distinct, rows), distinct, step
    key = np.column_stack([rows.astype(float), *varying])
    _, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
    return inverse.ravel(), rows[first], step.take(first)


def _is_per_variant(value: Any, B: int) -> bool:
    return isinstance(value, np.ndarray) and value.ndim == 1 and len(value) == B


def _passes_screen(x: np.ndarray, h: Hierarchy, params: dict[str, Any]) -> np.ndarray:
    """Units whose share of available indicators meets the thresholds, ``(B, n)``."""
    available = ~np.isnan(x)
    ok = available.mean(axis=-1) >= per_variant(params["min_coverage"], 2)
    if np.any(np.asarray(params["pillar_min_coverage"]) > 0):
        for code in h.aggregates_at(params["pillar_level"]):
            leaves = _leaf_indices(h, code)
            ok &= available[:, :, leaves].mean(axis=-1) >= per_variant(params["pillar_min_coverage"], 2)
    return ok


def _leaf_indices(h: Hierarchy, code: str) -> np.ndarray:
    p = len(h.indicator_codes)
    out, stack = [], [code]
    while stack:
        for k in h.children[stack.pop()]:
            (out.append(k) if k < p else stack.append(h.node_codes[k]))
    return np.array(sorted(out), dtype=int)


def _steps_by_aggregate(h: Hierarchy, steps: list[BoundStep], kind: str) -> dict[str, BoundStep]:
    """The bound step of ``kind`` that handles each aggregate (see :meth:`Hierarchy.assign`)."""
    by_key = {s.key: s for s in steps if s.kind == kind}
    assigned = h.assign([(s.key, s.levels, s.aggregates) for s in by_key.values()])
    return {code: by_key[key] for code, key in assigned.items()}


def _aggregate(
    h: Hierarchy, steps: list[BoundStep], x: np.ndarray, rows: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Bottom-up aggregation of the shared data ``x[rows]``, level by level.

    Returns scores ``(B, n, n_agg)`` and effective weights ``(B, n_nodes)``
    (each node's weight normalised within its parent).
    """
    # Aggregates no aggregate step claims use the weighted arithmetic mean.
    default = BoundStep.bind(Step(step="aggregate", id="(default)"))
    aggregators = {c: default for c in h.aggregate_codes} | _steps_by_aggregate(h, steps, "aggregate")
    weighters = _steps_by_aggregate(h, steps, "weight")
    nodes = _NodeValues(h, x, rows)
    effective = np.zeros_like(weights)
    effective[:, -1] = 1.0
    for level in range(2, h.top_level + 1):
        codes = h.aggregates_at(level)
        for code in codes:
            kids = h.children[code]
            w = weights[:, kids]
            if code in weighters:
                w = weighters[code].call(nodes.children(kids), prior=w)
            effective[:, kids] = normalised(w)
        # Aggregates of one level that share a step are formed together.
        for key in dict.fromkeys(aggregators[c].key for c in codes):
            same = [c for c in codes if aggregators[c].key == key]
            step = aggregators[same[0]]
            quasi = step.method.quasi_mean
            if quasi is not None and not step.params:
                nodes.set_level(same, _quasi_mean_level(h, same, nodes, effective, quasi))
                continue
            for code in same:  # a handful per level, each vectorised
                kids = h.children[code]
                scores = step.method.func(nodes.children(kids), effective[:, kids], **step.params)
                nodes.set_level([code], scores[:, None, :])
    return nodes.aggregates.transpose(0, 2, 1), effective


class _NodeValues:
    """Values of every node for every variant, node-major ``(..., node, unit)``.

    Indicators are stored once per distinct data row (``leaves[rows]`` gives a
    variant's); aggregates once per variant.  Node-major storage makes the
    children of an aggregate a contiguous block.
    """

    def __init__(self, h: Hierarchy, x: np.ndarray, rows: np.ndarray) -> None:
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
    h: Hierarchy, codes: list[str], nodes: _NodeValues, effective: np.ndarray, quasi: Any
) -> np.ndarray:
    """Every aggregate of one level at once: ``y = f^-1(sum_c w_c f(x_c) / sum_{c available} w_c)``.

    The weighted sums are matrix products with a ``(B, P, k)`` weight matrix that
    places each child's weight in its parent's row.  When the children are
    indicators (shared by data row) one product per distinct data row serves
    all its variants.  Returns ``(B, P, n)``.
    """
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


def _weighted_quasi_mean(values: np.ndarray, W: np.ndarray, quasi: Any) -> np.ndarray:
    """``values`` ``(k, n)`` shared or ``(B, k, n)``; ``W`` ``(B, P, k)``; returns ``(B, P, n)``."""
    present = ~np.isnan(values)
    complete = bool(present.all())
    with np.errstate(invalid="ignore", divide="ignore"):
        f = quasi.forward(values if complete else np.where(present, values, 1.0))
    invalid = present & ~(np.isfinite(f) & (values > 0)) if quasi.positive else None
    if not complete or invalid is not None:
        f = np.where(present & ~invalid if invalid is not None else present, f, 0.0)
    # matmul broadcasts a shared (k, n) operand against the (B, P, k) weights.
    total = np.matmul(W, f)
    weight = W.sum(axis=2, keepdims=True) if complete else np.matmul(W, present.astype(float))
    ok = weight > 0
    if invalid is not None and invalid.any():
        ok = ok & (np.matmul((W > 0).astype(float), invalid.astype(float)) == 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok, quasi.inverse(total / weight), np.nan)
