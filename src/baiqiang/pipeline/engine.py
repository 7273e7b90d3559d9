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

    @classmethod
    def bind(cls, step: Step, params: dict[str, Any] | None = None, method: str | None = None) -> "BoundStep":
        given = step.params if params is None else params
        if step.step in METHOD_STEPS:
            m = registry.get(step.step, method or step.method or DEFAULT_METHOD[step.step])
            # A variant that switches method keeps only the parameters the new method declares.
            given = {k: v for k, v in given.items() if k in m.params}
            return cls(step.step, step.key, m, m.resolve(given), tuple(step.levels) if step.levels else None)
        declared = STEP_PARAMS.get(step.step, {})
        full = {k: p.default for k, p in declared.items()} | dict(given)
        return cls(step.step, step.key, None, full, tuple(step.levels) if step.levels else None)

    def call(self, x: np.ndarray, **context: Any) -> np.ndarray:
        """Run the kernel, passing only the context arguments its signature declares."""
        assert self.method is not None
        accepted = _accepted_keywords(self.method)
        extra = {k: v for k, v in context.items() if k in accepted}
        return self.method.func(x, **extra, **self.params)


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


def evaluate(
    hierarchy: Hierarchy,
    steps: list[BoundStep],
    data: UnitData,
    weights: np.ndarray,
    *,
    keep_datasets: bool = False,
) -> Trace:
    """Run ``steps`` for ``B = len(weights)`` variants; ``weights`` is ``(B, n_nodes)`` declared weights."""
    B = weights.shape[0]
    x = np.broadcast_to(data.indicators, (B, *data.indicators.shape)).astype(float)
    trace = Trace()
    keep = (lambda name, arr: trace.datasets.__setitem__(name, arr)) if keep_datasets else (lambda name, arr: None)
    keep("raw", x)
    included = np.ones(x.shape[:2], dtype=bool)
    for step in steps:
        if step.kind == "denominate":
            x = x / data.denominators
            keep("denominated", x)
        elif step.kind == "impute":
            x = step.call(x, groups=data.groups.get(step.params.get("group", ""), None))
            keep("imputed", x)
        elif step.kind == "screen":
            included = included & _passes_screen(x, hierarchy, step.params)
            x = np.where(included[:, :, None], x, np.nan)
            keep("screened", x)
        elif step.kind == "treat":
            x = step.call(x)
            keep("treated", x)
        elif step.kind == "normalise":
            x = step.call(x, direction=hierarchy.direction, targets=data.targets, goalposts=data.goalposts)
            keep("normalised", x)
    if "normalised" not in trace.datasets:
        keep("normalised", x)
    trace.scores, trace.weights = _aggregate(hierarchy, steps, x, weights)
    trace.included = included
    return trace


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


def _steps_by_level(steps: list[BoundStep], kind: str, levels: range) -> dict[int, BoundStep]:
    """Which step of ``kind`` handles each level (explicit ``levels`` first, then the catch-all)."""
    chosen: dict[int, BoundStep] = {}
    for step in steps:
        if step.kind == kind and step.levels:
            chosen.update({lv: step for lv in step.levels})
    fallback = next((s for s in steps if s.kind == kind and not s.levels), None)
    for lv in levels:
        if lv not in chosen and fallback is not None:
            chosen[lv] = fallback
    return chosen


def _aggregate(h: Hierarchy, steps: list[BoundStep], x: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bottom-up aggregation; returns scores ``(B, n, n_agg)`` and effective weights ``(B, n_nodes)``."""
    B, n, p = x.shape
    levels = range(2, h.top_level + 1)
    aggregators = _steps_by_level(steps, "aggregate", levels)
    weighters = _steps_by_level(steps, "weight", levels)
    default_agg = BoundStep.bind(Step(step="aggregate"))
    values = np.empty((B, n, len(h.node_codes)))
    values[:, :, :p] = x
    effective = np.zeros_like(weights)
    effective[:, -1] = 1.0
    # A loop over aggregates (tens), each one vectorised over variants and units.
    for code in h.aggregate_codes:
        level, kids = h.level_of[code], h.children[code]
        children = values[:, :, kids]
        w = weights[:, kids]
        if level in weighters:
            w = weighters[level].call(children, prior=w)
        effective[:, kids] = normalised(w)
        step = aggregators.get(level, default_agg)
        values[:, :, h.index[code]] = step.method.func(children, effective[:, kids], **step.params)
    return values[:, :, p:], effective
