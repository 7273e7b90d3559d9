"""Benchmark of the rankings layer (issue 9 part 2) at national scale, against the build it post-processes.

Run: ``python benchmarks/bench_rankings.py``.  2,900 synthetic units (benchmarks/common.py)
with 3 classes and 31 provinces; the rankings section has a two-condition gate, a grade
scale with a veto, group ranks for every aggregate, four named lists (one with Jenks
tiers), coupling of the four pillars, and (second figure) class-specific weights.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import common  # noqa: E402

from baiqiang import rankings  # noqa: E402
from baiqiang.framework import parse_framework  # noqa: E402
from baiqiang.pipeline import Panel, run  # noqa: E402

SECTION = {
    "gates": [{"id": "size", "when": {"all": [{"column": "i00", "op": ">=", "value": 10}, {"column": "i01", "op": ">=", "value": 5}]}}],
    "grades": [{"id": "g", "score": "Index", "scale": [{"grade": "A+", "min": 60}, {"grade": "A", "min": 50}, {"grade": "A-", "min": 40}, {"grade": "B"}],
                "vetoes": [{"components": ["p0", "p1", "p2", "p3"], "trigger": "A-"}]}],
    "group_ranks": {"by": ["province", "class"]},
    "lists": [
        {"id": "top", "name": "百强县", "gates": ["size"], "top": 100, "tiers": {"cuts": [6, 36, 80, 100]}, "grades": "g"},
        {"id": "p0", "name": "支柱0百强", "score": "p0", "top": 100},
        {"id": "c1", "name": "一类县榜", "universe": {"attribute": "class", "include": ["c1"]}, "top": 300},
        {"id": "jenks", "name": "自然断点", "tiers": {"jenks": 5}},
    ],
    "coupling": {"subsystems": ["p0", "p1", "p2", "p3"], "scale": 100},
}
CLASSES = {"attribute": "class", "weights": {"c0": {"p0": 2}, "c1": {"p1": 2}, "c2": {}}}


def main() -> None:
    base = common.framework()
    raw = base.model_dump(mode="json", exclude_none=True)
    plain = parse_framework({**raw, "rankings": SECTION})
    classed = parse_framework({**raw, "rankings": {**SECTION, "classes": CLASSES}})
    p = common.panel()
    frame = p.frame.copy()
    frame["class"] = np.random.default_rng(3).choice(["c0", "c1", "c2"], len(frame))
    panel = Panel(frame, p.name_column, p.source, p.checksum)
    results = run(plain, panel)
    rankings.apply(results, plain, panel)  # warm-up (imports, jenkspy)
    build = common.timed(lambda: run(plain, panel), 5)
    applied = common.timed(lambda: rankings.apply(results, plain, panel), 5)
    with_classes = common.timed(lambda: rankings.apply(results, classed, panel), 5)
    print(f"units: {len(frame)}, indicators: {len(base.indicators)}")
    for name, (best, median, cpu) in (("build (run)", build), ("rankings.apply", applied), ("rankings.apply + 3 classes", with_classes)):
        print(f"{name:28s} min {best * 1000:7.1f} ms  median {median * 1000:7.1f} ms  cpu {cpu * 1000:7.1f} ms  ratio to build {median / build[1]:.2f}")


if __name__ == "__main__":
    main()
