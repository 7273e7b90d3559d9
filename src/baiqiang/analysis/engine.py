"""The analysis side of the engine: evaluate many variants, keep one target.

Thin adapter over :func:`baiqiang.pipeline.run_variants`: it feeds variants in
chunks (bounded memory), keeps only the target aggregate, and reports
progress.  Variants are validated by the engine before anything runs.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from baiqiang.analysis.spec import StructureInfo
from baiqiang.errors import BaiqiangError
from baiqiang.framework.spec import Framework, Indicator
from baiqiang.framework.structure import Hierarchy
from baiqiang.pipeline import Panel
from baiqiang.pipeline.engine import BoundStep, UnitData, evaluate
from baiqiang.pipeline.run import unit_data
from baiqiang.pipeline.variants import check_variants, group_variants

__all__ = ["evaluate_target", "structure_info", "target_code"]

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` after each chunk."""


def structure_info(framework: Framework) -> StructureInfo:
    """Codes, levels and declared weights of a framework, for the sampler."""
    h = Hierarchy(framework)
    return StructureInfo(
        codes=list(h.node_codes),
        levels=dict(h.level_of),
        weights={c: float(w) for c, w in zip(h.node_codes, h.declared_weights)},
        indicators=list(h.indicator_codes),
    )


def target_code(framework: Framework, target: str | None) -> str:
    """The aggregate analysed: ``target`` if given (checked), else the root."""
    h = Hierarchy(framework)
    if target is None:
        return h.root
    if target not in h.aggregate_codes:
        raise BaiqiangError.single("target", f"不是汇总指标 / not an aggregate: {target!r} (可选: {', '.join(h.aggregate_codes)})", "spec")
    return target


DATA_STEPS = ("denominate", "impute", "screen", "treat")
"""Steps before normalisation: their output is shared by every variant that agrees on them."""


def _validate(framework: Framework, variants: Sequence[Mapping[str, Any]]) -> None:
    """Validate representatives: per categorical signature, each numeric path at its min and max.

    Every constraint on a numeric value is an interval, so checking the
    extremes of each path among variants that share their categorical values
    checks every variant; this keeps validation cost independent of N.
    """
    buckets: dict[tuple[Any, ...], list[Mapping[str, Any]]] = defaultdict(list)
    for v in variants:
        buckets[tuple(sorted((p, repr(x)) for p, x in v.items() if not _is_num(x)))].append(v)
    reps: list[dict[str, Any]] = []
    for members in buckets.values():
        paths = {p for v in members for p in v}
        lo: dict[str, Any] = {}
        hi: dict[str, Any] = {}
        for p in paths:
            vals = [v[p] for v in members if p in v]
            if all(_is_num(x) for x in vals):
                lo[p], hi[p] = min(vals), max(vals)
            else:
                lo[p] = hi[p] = vals[0]
        reps += [lo, hi]
    check_variants(framework, reps)


def _is_num(x: Any) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))


def _slice(step: BoundStep, rows: np.ndarray, *, collapse: bool = False) -> BoundStep:
    """The step restricted to ``rows`` of its per-variant parameters.

    With ``collapse``, a per-variant parameter equal across ``rows`` becomes a
    scalar, so the step can run once for all of them.
    """
    params: dict[str, Any] = {}
    for k, v in step.params.items():
        if isinstance(v, np.ndarray) and v.ndim == 1:
            v = v[rows]
            if collapse and len(v) and np.all(v == v[0]):
                v = v[0].item()
        params[k] = v
    return BoundStep(step.kind, step.key, step.method, params, step.levels)


def _varies(step: BoundStep) -> bool:
    return any(isinstance(v, np.ndarray) and v.ndim == 1 for v in step.params.values())


def _prefix_keys(steps: list[BoundStep]) -> list[tuple[Any, ...]]:
    """Per variant, a hashable key of everything the data steps depend on."""
    fixed: list[Any] = []
    cols: list[np.ndarray] = []
    for s in steps:
        if s.kind not in DATA_STEPS:
            continue
        fixed.append((s.key, s.method.qualname if s.method is not None else s.kind))
        for name, v in sorted(s.params.items()):
            if isinstance(v, np.ndarray) and v.ndim == 1:
                cols.append(v)
            else:
                fixed.append((name, repr(v)))
    head = tuple(fixed)
    if not cols:
        return [head]
    rows = np.column_stack(cols)
    return [(head, tuple(r)) for r in rows.tolist()]


def _data_stage(
    h: Hierarchy, data: UnitData, jobs: list[tuple[list[BoundStep], np.ndarray, np.ndarray]]
) -> np.ndarray:
    """Run the data steps once for each distinct setting; ``jobs`` are ``(steps, rows, weights)``."""
    outs = []
    for steps, rows, weights in jobs:
        pre = [_slice(st, rows) for st in steps if st.kind in DATA_STEPS]
        trace = evaluate(h, pre, data, weights[rows], keep_datasets=True)
        outs.append(trace.datasets["normalised"])  # the engine files the last data set under this name
    return np.concatenate(outs, axis=0) if outs else np.empty((0, *data.indicators.shape))


def evaluate_target(
    framework: Framework,
    panel: Panel,
    variants: Sequence[Mapping[str, Any]],
    *,
    target: str | None = None,
    chunk: int | None = None,
    progress: Progress | None = None,
) -> tuple[list[str], np.ndarray]:
    """Scores of one aggregate for every variant.

    Parameters
    ----------
    framework, panel
        The nominal build.
    variants : sequence of dict
        Typed-path overrides (see :mod:`baiqiang.pipeline.variants`), validated
        by the engine's rules before anything runs.
    target : str, optional
        Aggregate code (default: the root).
    chunk : int, optional
        Variants evaluated at a time (default: about 20 million cells of
        ``(B, n_units, n_nodes)`` per chunk); bounds memory.
    progress : callable, optional
        ``progress(done, total)`` after each group.

    Returns
    -------
    unit_codes : list of str
    scores : ndarray, shape (len(variants), n_units)
        Missing (``NaN``) for units screened out in a variant.

    Notes
    -----
    Same arithmetic as :func:`baiqiang.pipeline.run_variants` (the engine's
    ``evaluate`` does every step), organised so that the data steps run once
    per distinct data-step setting rather than once per variant.
    """
    code = target_code(framework, target)
    h = Hierarchy(framework)
    selected = panel.select(framework)
    data = unit_data(framework, selected)
    n = len(selected.frame)
    size = chunk or max(1, 20_000_000 // max(1, n * len(h.node_codes)))
    col = h.aggregate_codes.index(code)
    out = np.empty((len(variants), n))
    # Pass 1: group by categorical choices and find the distinct data-step settings.
    plan: list[tuple[np.ndarray, Any, list[int] | None]] = []
    settings: dict[Any, int] = {}
    jobs: list[tuple[list[BoundStep], np.ndarray, np.ndarray]] = []
    _validate(framework, variants)
    for g in group_variants(framework, variants):
        keys = _prefix_keys(g.steps)
        if len(keys) == 1:
            keys = keys * len(g.members)
        elif len(set(keys)) * 2 > len(keys):
            # Mostly distinct data settings (a continuous data parameter):
            # nothing to share, run the whole pipeline batched.
            plan.append((np.asarray(g.members), g, None))
            continue
        for r, key in enumerate(keys):
            if key not in settings:
                settings[key] = len(settings)
                jobs.append((g.steps, np.array([r]), g.weights))
        plan.append((np.asarray(g.members), g, [settings[k] for k in keys]))
    # Pass 2: data steps once per distinct setting (batched by shared steps),
    # then normalisation and aggregation per variant, in chunks.
    staged = _data_stage(h, data, _merge_jobs(jobs))
    done = 0
    for idx, g, setting in plan:
        if setting is None:
            for s in range(0, len(idx), size):
                rows = np.arange(s, min(len(idx), s + size))
                trace = evaluate(h, [_slice(st, rows) for st in g.steps], data, g.weights[rows])
                out[idx[rows]] = trace.scores[:, :, col]
            done += len(idx)
            if progress is not None:
                progress(done, len(variants))
            continue
        setting_arr = np.asarray(setting)
        post_all = [st for st in g.steps if st.kind not in DATA_STEPS]
        for u in np.unique(setting_arr):
            rows_u = np.flatnonzero(setting_arr == u)
            post = [_slice(st, rows_u, collapse=True) for st in post_all]
            x = staged[u]
            norm = [st for st in post if st.kind == "normalise"]
            if len(norm) == 1 and not _varies(norm[0]):
                # One normalisation for all these variants: apply it once.
                x = norm[0].call(x[None], direction=h.direction, targets=data.targets, goalposts=data.goalposts)[0]
                post = [st for st in post if st.kind != "normalise"]
            method = _single_method(post)
            if method in ("arithmetic", "geometric"):
                # One weighted mean everywhere: a matrix product for complete units,
                # the engine for the few units with missing or non-positive leaves.
                for s in range(0, len(rows_u), 4 * size):
                    rows = rows_u[s : s + 4 * size]
                    out[idx[rows]] = _aggregate_rows(h, post, x, g.weights[rows], col, method, data)
                continue
            shared = UnitData(x, np.ones_like(x), data.groups, data.targets, data.goalposts)
            upper = _upper(h, post, code)
            leaf_w = g.weights[rows_u][:, : len(h.indicator_codes)]
            if upper is not None and np.all(leaf_w == leaf_w[:1]):
                # Indicator weights equal across these variants: pillar scores are
                # shared too; only the levels above them differ per variant.
                h2, cols2, col2 = upper
                first = evaluate(h, [_slice(st, np.array([0])) for st in post], shared, g.weights[rows_u[:1]])
                pillars = first.scores[0][:, : len(h2.indicator_codes)]
                up = UnitData(pillars, np.ones_like(pillars), data.groups, data.targets, data.goalposts)
                for s in range(0, len(rows_u), size):
                    rows = rows_u[s : s + size]
                    trace = evaluate(h2, [_slice(st, np.arange(s, s + len(rows))) for st in post], up, g.weights[rows][:, cols2])
                    out[idx[rows]] = trace.scores[:, :, col2]
                continue
            for s in range(0, len(rows_u), size):
                rows = rows_u[s : s + size]
                trace = evaluate(h, [_slice(st, np.arange(s, s + len(rows))) for st in post], shared, g.weights[rows])
                out[idx[rows]] = trace.scores[:, :, col]
        done += len(idx)
        if progress is not None:
            progress(done, len(variants))
    return list(selected.codes), out


_UPPER_CACHE: dict[tuple[int, str], Any] = {}


def _upper(h: Hierarchy, post: list[BoundStep], target: str) -> tuple[Hierarchy, np.ndarray, int] | None:
    """The hierarchy above the first aggregate level, with level-2 aggregates as its leaves.

    Used when every variant of a batch has the same indicator weights: then
    the level-2 scores are common and only the upper levels need the batch.
    Applies when aggregation is one step for all levels (no per-level steps,
    no data-driven weight step) and every aggregate above level 2 has only
    aggregates as children.  Returns ``(hierarchy, weight columns, target column)``.
    """
    if any(st.kind != "aggregate" or st.levels for st in post) or len(post) != 1:
        return None
    if any(isinstance(v, np.ndarray) for v in post[0].params.values()):
        return None
    key = (id(h.framework), target)
    if key in _UPPER_CACHE and _UPPER_CACHE[key][0] is h.framework:
        return _UPPER_CACHE[key][1]
    fw = h.framework
    result = None
    pillars = h.aggregates_at(2)
    p = len(h.indicator_codes)
    above_ok = all(all(k >= p for k in h.children[a]) for a in h.aggregate_codes if h.level_of[a] > 2)
    if h.top_level > 2 and above_ok and target not in pillars:
        aggs = {a.code: a for a in fw.aggregates}
        sub = fw.model_copy(update={
            "indicators": [Indicator(code=c, name=aggs[c].name, parent=aggs[c].parent or c, weight=aggs[c].weight) for c in pillars],
            "aggregates": [aggs[c] for c in h.aggregate_codes if h.level_of[c] > 2],
        })
        h2 = Hierarchy(sub)
        cols = np.array([h.index[c] for c in h2.node_codes])
        result = (h2, cols, h2.aggregate_codes.index(target))
    _UPPER_CACHE[key] = (fw, result)
    return result


def _single_method(post: list[BoundStep]) -> str:
    """The aggregation method when ``post`` is one parameter-free aggregate step for all levels, else ''."""
    if len(post) != 1 or post[0].kind != "aggregate" or post[0].levels or post[0].method is None or post[0].params:
        return ""
    return post[0].method.name


def _aggregate_rows(
    h: Hierarchy, post: list[BoundStep], x: np.ndarray, weights: np.ndarray, col: int, method: str, data: UnitData
) -> np.ndarray:
    """Target scores ``(B, n)``: :func:`_algebraic_upper` for clean units, the engine for the rest.

    Aggregation is unit by unit, so units can be split freely.  A unit is
    clean when all its leaves are present (and positive, for a geometric
    mean); the engine handles the others with its missing-value rules.
    """
    clean = np.isfinite(x).all(axis=1)
    if method == "geometric":
        clean &= (x > 0).all(axis=1)
    y = np.empty((weights.shape[0], x.shape[0]))
    if clean.any():
        y[:, clean] = _algebraic_upper(h, x[clean], weights, col, method)
    if not clean.all():
        dirty = ~clean
        sub = UnitData(x[dirty], np.ones_like(x[dirty]), {k: v[dirty] for k, v in data.groups.items()}, data.targets, data.goalposts)
        trace = evaluate(h, [_slice(st, np.zeros(weights.shape[0], dtype=np.int64)) for st in post], sub, weights)
        y[:, dirty] = trace.scores[:, :, col]
    return y


def _algebraic_upper(h2: Hierarchy, leaves: np.ndarray, weights: np.ndarray, col: int, method: str) -> np.ndarray:
    """Target scores ``(B, n)`` of a one-method hierarchy over complete leaves, for ``B`` weight vectors.

    A weighted arithmetic mean of weighted arithmetic means is one weighted
    mean with the products of the normalised weights along each path
    (``y = sum_l (prod_path w') x_l``); for geometric means the same holds for
    logarithms.  So with no missing leaf, ``y = X W_eff^T`` (one matrix
    product) equals the level-by-level aggregation up to rounding (checked
    against the engine in tests/analysis/test_engine_adapter.py).  A weight
    vector summing to zero under some aggregate gives ``NaN``, as in the engine.
    """
    B = weights.shape[0]
    p = len(h2.indicator_codes)
    # Bottom-up: an aggregate whose children all have weight 0 (or are themselves
    # empty) is missing, and its parent re-weights over the others, as the engine does.
    alive = np.ones((B, len(h2.node_codes)), dtype=bool)
    for code in h2.aggregate_codes:
        kids = h2.children[code]
        alive[:, h2.index[code]] = (np.where(alive[:, kids], weights[:, kids], 0.0)).sum(axis=1) > 0
    w_alive = np.where(alive, weights, 0.0)
    eff = np.zeros((B, len(h2.node_codes)))
    target = h2.index[h2.aggregate_codes[col]]
    eff[:, target] = 1.0
    for code in reversed(h2.aggregate_codes):
        a = h2.index[code]
        if not eff[:, a].any():
            continue
        kids = h2.children[code]
        w = w_alive[:, kids]
        tot = w.sum(axis=1, keepdims=True)
        eff[:, kids] = eff[:, a : a + 1] * w / np.where(tot > 0, tot, 1.0)
    if method == "arithmetic":
        y = eff[:, :p] @ leaves.T
    else:
        y = np.exp(eff[:, :p] @ np.log(leaves).T)
    y[~alive[:, target]] = np.nan
    return y



def _merge_jobs(jobs: list[tuple[list[BoundStep], np.ndarray, np.ndarray]]) -> list[tuple[list[BoundStep], np.ndarray, np.ndarray]]:
    """Merge consecutive single-row jobs of the same group into one batched job (same step objects)."""
    merged: list[tuple[list[BoundStep], np.ndarray, np.ndarray]] = []
    for steps, rows, weights in jobs:
        if merged and merged[-1][0] is steps:
            merged[-1] = (steps, np.concatenate([merged[-1][1], rows]), weights)
        else:
            merged.append((steps, rows, weights))
    return merged
