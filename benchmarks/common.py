"""Shared by the benchmarks: a synthetic national-scale panel and framework, and timing.

2,900 units (about China's county-level units) x 60 indicators in a 4-level
hierarchy: 60 indicators -> ``middle`` aggregates -> ``upper`` aggregates ->
index (default 12 and 4).  Values are log-normal (skewed, like economic data)
with 2% missing; units belong to 31 provinces.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import pandas as pd

from baiqiang.framework import Framework, parse_framework
from baiqiang.pipeline import Panel


def framework(steps: list[dict] | None = None, n_indicators: int = 60, middle: int = 12, upper: int = 4) -> Framework:
    """Indicators split evenly over ``middle`` aggregates, those evenly over ``upper`` ones, then the index."""
    steps = steps or [
        {"step": "impute", "method": "group_median", "params": {"group": "province"}},
        {"step": "treat", "method": "winsorise", "params": {"winmax": 5}},
        {"step": "normalise", "method": "minmax", "params": {"lower": 1, "upper": 100}},
        {"step": "aggregate", "method": "arithmetic"},
    ]
    indicators = [
        {"code": f"i{k:02d}", "name": f"指标{k}", "parent": f"s{k * middle // n_indicators:02d}", "direction": 1 if k % 7 else -1}
        for k in range(n_indicators)
    ]
    subs = [{"code": f"s{k:02d}", "name": f"分项{k}", "parent": f"p{k * upper // middle}"} for k in range(middle)]
    pillars = [{"code": f"p{k}", "name": f"支柱{k}", "parent": "Index"} for k in range(upper)]
    raw = {
        "id": "synthetic", "name": "合成指数", "universe": {"code_column": "unit_code", "name_column": "unit_name"},
        "groups": ["province"], "indicators": indicators, "aggregates": [*subs, *pillars, {"code": "Index", "name": "总指数"}],
        "methodology": steps,
    }
    return parse_framework(raw)


def panel(n_units: int = 2900, n_indicators: int = 60, seed: int = 0) -> Panel:
    rng = np.random.default_rng(seed)
    values = rng.lognormal(mean=3.0, sigma=1.0, size=(n_units, n_indicators))
    values[rng.random(values.shape) < 0.02] = np.nan
    frame = pd.DataFrame(values, columns=[f"i{k:02d}" for k in range(n_indicators)])
    frame.insert(0, "unit_code", [f"{100000 + k}" for k in range(n_units)])
    frame.insert(1, "unit_name", [f"县{k}" for k in range(n_units)])
    frame.insert(2, "province", rng.integers(0, 31, n_units).astype(str))
    return Panel.from_frame(frame, code_column="unit_code", name_column="unit_name")


def timed(fn, repeats: int) -> tuple[float, float, float]:
    """(min wall, median wall, median process CPU) in seconds over ``repeats`` calls.

    CPU time is reported too because the machine may be shared: wall time
    includes waiting for other jobs.
    """
    walls, cpus = [], []
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return min(walls), statistics.median(walls), statistics.median(cpus)
