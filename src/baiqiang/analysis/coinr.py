"""Replay of COINr ``get_sensitivity`` runs, to check results against COINr.

COINr records, per run, which alternative of each uncertain assumption it
drew (``*_params.csv``) and the noisy weight sets it drew them from
(``*_weight_sets.csv``).  These helpers turn such a record into the uniform
numbers that make :func:`baiqiang.analysis.spec.decode_samples` pick exactly
the same alternatives, so COINr's runs go through the same code path as ours.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from baiqiang.analysis.spec import ChoiceFactor, UASpec, WeightsFactor
from baiqiang.errors import BaiqiangError

__all__ = ["read_weight_sets", "params_to_uniform"]


def read_weight_sets(path: str | Path, levels: list[int]) -> tuple[list[str], np.ndarray]:
    """COINr weight sets (``WeightSet, iCode, Level, Weight``) as ``(codes, (n_sets, n_codes))``.

    Only codes at ``levels`` (the perturbed ones) are kept.
    """
    ws = pd.read_csv(path)
    ws = ws[ws["Level"].isin(levels)]
    wide = ws.pivot(index="WeightSet", columns="iCode", values="Weight").sort_index()
    order = list(dict.fromkeys(ws["iCode"]))
    return order, wide[order].to_numpy(dtype=float)


def params_to_uniform(params: pd.DataFrame, spec: UASpec, *, weight_sets_column: str = "WeightSet") -> np.ndarray:
    """Uniform numbers ``(n_runs, d)`` that decode to the runs recorded in ``params``.

    A choice factor's column holds one of its labels; a weights factor reads
    the (1-based) set number from ``weight_sets_column``.  Each run gets the
    centre of its option's bin, ``u = (k + 1/2) / K``.
    """
    cols = []
    for fac in spec.factors:
        if isinstance(fac, ChoiceFactor):
            labels = fac.option_labels()
            raw = params[fac.name].astype(str).tolist()
            pos = {lab: k for k, lab in enumerate(labels)}
            missing = sorted({r for r in raw if r not in pos})
            if missing:
                raise BaiqiangError.single(f"params.{fac.name}", f"unknown alternatives {missing}; labels are {labels}")
            k = np.array([pos[r] for r in raw], dtype=float)
            cols.append((k + 0.5) / len(labels))
        elif isinstance(fac, WeightsFactor) and fac.n_sets is not None:
            k = params[weight_sets_column].to_numpy(dtype=float) - 1.0
            cols.append((k + 0.5) / fac.n_sets)
        else:
            raise BaiqiangError.single(f"factor {fac.name}", "only choice and fixed-set weights factors can be replayed")
    return np.column_stack(cols)
