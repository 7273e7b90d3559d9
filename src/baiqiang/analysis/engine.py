"""The analysis side of the engine: evaluate many variants, keep one target.

A thin adapter over :func:`baiqiang.pipeline.run_variants`, the one engine
that evaluates a methodology: it names the target aggregate, feeds the
variants in chunks (bounded memory) and passes progress through.  The engine
validates every variant before anything runs, groups variants by their
categorical choices, runs each data step once per distinct parameter history
and aggregates quasi-arithmetic means as one matrix product per level.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import numpy as np

from baiqiang.analysis.spec import StructureInfo
from baiqiang.errors import BaiqiangError
from baiqiang.framework.spec import Framework
from baiqiang.framework.plan import Plan
from baiqiang.pipeline import Panel, run_variants

__all__ = ["evaluate_target", "structure_info", "target_code"]

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` after each chunk."""


def structure_info(framework: Framework) -> StructureInfo:
    """Codes, levels and declared weights of a framework, for the sampler."""
    h = Plan.of(framework).hierarchy
    return StructureInfo(
        codes=list(h.node_codes),
        levels=dict(h.level_of),
        weights={c: float(w) for c, w in zip(h.node_codes, h.declared_weights)},
        indicators=list(h.indicator_codes),
    )


def target_code(framework: Framework, target: str | None) -> str:
    """The aggregate analysed: ``target`` if given (checked), else the root."""
    h = Plan.of(framework).hierarchy
    if target is None:
        return h.root
    if target not in h.aggregate_codes:
        raise BaiqiangError.single("target", f"不是汇总指标 / not an aggregate: {target!r} (可选: {', '.join(h.aggregate_codes)})", "spec")
    return target


def evaluate_target(
    framework: Framework,
    panel: Panel,
    variants: Sequence[Mapping[str, Any]],
    *,
    target: str | None = None,
    chunk: int | None = None,
    progress: Progress | None = None,
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Scores and ranks of one aggregate for every variant.

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
        Variants evaluated at a time (default: the engine's, about 20 million
        cells of ``(B, n_units, n_nodes)`` per chunk); bounds memory.
    progress : callable, optional
        ``progress(done, total)`` after each chunk.

    Returns
    -------
    unit_codes : list of str
    scores, ranks : ndarray, shape (len(variants), n_units)
        Ranks are the engine's competition ranks (1 = best, ties share the
        minimum); both are missing (``NaN``) for units screened out in a variant.
    """
    code = target_code(framework, target)
    batch = run_variants(framework, panel, variants, keep=[code], chunk_size=chunk, progress=progress)
    return list(batch.unit_codes), batch.scores[:, :, 0], batch.ranks[:, :, 0]
