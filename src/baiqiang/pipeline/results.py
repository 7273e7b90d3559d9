"""The results of one build: scores, ranks, intermediate data sets, method record."""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import baiqiang
from baiqiang.framework.plan import Plan
from baiqiang.framework.spec import Framework
from baiqiang.framework.structure import Hierarchy
from baiqiang.methods.rank import competition_rank, group_rank, tiers
from baiqiang.pipeline.engine import Trace
from baiqiang.pipeline.panel import Panel

STAGE_NAMES_ZH = {
    "raw": "原始数据", "transformed": "变换后", "denominated": "标准化分母后", "imputed": "插补后", "screened": "筛选后",
    "treated": "异常值处理后", "normalised": "归一化后",
}


def framework_checksum(framework: Framework) -> str:
    """SHA-256 of the framework's canonical JSON: equal checksums, equal methodology."""
    canonical = json.dumps(framework.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Results:
    """Everything one build produced, indexed by unit code.

    * ``datasets``: each intermediate data set (units x indicators);
    * ``scores`` / ``ranks``: units x aggregates (bottom-up, root last);
    * ``group_ranks``: the root's rank within each group attribute;
    * ``tiers``: the root's tier (0 = outside every tier) when the rank step declares cut-points;
    * ``weights``: per node, the declared weight, the weight normalised within its parent
      and the effective weight in the root (product along the path);
    * ``excluded``: units left out (outside the universe or screened out), with the reason;
    * ``comparison``: for a build of one year of a time-comparable panel, the fixed
      normalisation bounds and the years they come from (:func:`baiqiang.pipeline.run_years`).
    """

    plan: Plan
    panel: Panel
    datasets: dict[str, pd.DataFrame]
    scores: pd.DataFrame
    ranks: pd.DataFrame
    group_ranks: pd.DataFrame
    tiers: pd.Series
    weights: pd.DataFrame
    excluded: pd.DataFrame
    comparison: dict[str, Any] | None = None

    @classmethod
    def from_trace(cls, plan: Plan, panel: Panel, trace: Trace, *, comparison: dict[str, Any] | None = None) -> "Results":
        h = plan.hierarchy
        framework = plan.framework
        index = pd.Index(panel.codes, name="unit_code")
        included = trace.included[0]
        datasets = {k: pd.DataFrame(v[0], index=index, columns=h.indicator_codes, copy=False) for k, v in trace.datasets.items()}
        scores = pd.DataFrame(trace.scores[0], index=index, columns=h.aggregate_codes)
        scores[~included] = np.nan
        ranks = pd.DataFrame(competition_rank(scores.to_numpy().T).T, index=index, columns=h.aggregate_codes)
        root = scores[h.root].to_numpy()[None, :]
        group_ranks = pd.DataFrame(
            {g: group_rank(root, panel.group_codes(g))[0] for g in framework.groups if g in panel.frame.columns}, index=index
        )
        cuts = plan.rank_tiers
        tier = pd.Series(tiers(ranks[h.root].to_numpy(), cuts) if cuts else 0, index=index, name="tier")
        screened = panel.frame.loc[~included].assign(reason="screened out: too little data")
        excluded = pd.concat([panel.excluded, screened])[["reason"]] if len(panel.excluded) or len(screened) else pd.DataFrame(columns=["reason"])
        return cls(plan, panel, datasets, scores, ranks, group_ranks, tier, _weight_table(h, trace.weights[0]), excluded, comparison)

    @property
    def framework(self) -> Framework:
        return self.plan.framework

    @property
    def hierarchy(self) -> Hierarchy:
        return self.plan.hierarchy

    @property
    def root(self) -> str:
        return self.hierarchy.root

    def table(self) -> pd.DataFrame:
        """The ``scores.csv`` table: unit_code, unit_name, every aggregate score, then the root's rank; best first."""
        out = self.scores.copy()
        out.insert(0, "unit_name", self.panel.names.reindex(out.index))
        out["rank"] = self.ranks[self.root].astype("Int64")
        return out.reset_index().sort_values(["rank", "unit_code"], na_position="last", kind="stable")

    def aggregated(self) -> pd.DataFrame:
        """Normalised indicators and every aggregate score side by side (COINr's ``Aggregated`` data set)."""
        return pd.concat([self.datasets["normalised"], self.scores], axis=1)

    def method_record(self, data_checksum: str | None = None) -> dict[str, Any]:
        """A machine-readable record of the exact methodology and inputs, enough to reproduce the build."""
        return {
            "baiqiang_version": baiqiang.__version__,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "framework_sha256": framework_checksum(self.framework),
            "framework": self.framework.model_dump(mode="json", exclude_none=True),
            "data": {
                "source": self.panel.source,
                "sha256": data_checksum or self.panel.checksum,
                "units_ranked": int(self.scores[self.root].notna().sum()),
                "units_excluded": {code: reason for code, reason in self.excluded["reason"].items()},
            },
            "weights": {
                code: {"within_parent": row.within_parent, "in_index": row.in_index}
                for code, row in self.weights.iterrows()
            },
            "plan": self.plan.record(),
            "ahp_consistency": [check.record() for check in self.plan.diagnostics],
            "time_comparison": self.comparison or {"normalise": "year"},
        }

    def write(self, outdir: Path, data_checksum: str | None = None,
              extra_sheets: Mapping[str, pd.DataFrame] | None = None) -> None:
        """Write ``scores.csv``, ``results.xlsx`` (with ``extra_sheets`` after the build's own) and ``method.json``."""
        outdir.mkdir(parents=True, exist_ok=True)
        from baiqiang.pipeline.export import write_csv

        write_csv(self.table(), outdir / "scores.csv", encoding="utf-8")
        self.to_xlsx(outdir / "results.xlsx", extra_sheets=extra_sheets)
        record = self.method_record(data_checksum)
        (outdir / "method.json").write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")

    def to_xlsx(self, path: Path, lang: str = "zh", extra_sheets: Mapping[str, pd.DataFrame] | None = None) -> None:
        """One sheet per level (scores and ranks, Chinese headers), then weights and data sets."""
        from baiqiang.pipeline.export import write_workbook

        write_workbook(self, path, lang, extra_sheets)


def _weight_table(h: Hierarchy, within: np.ndarray) -> pd.DataFrame:
    in_index = within.copy()
    for code in reversed(h.aggregate_codes):  # top-down: multiply by the parent's share
        for k in h.children[code]:
            in_index[k] = within[k] * in_index[h.index[code]]
    return pd.DataFrame(
        {
            "parent": [h.parent_of[c] for c in h.node_codes],
            "level": [h.level_of[c] for c in h.node_codes],
            "declared": h.declared_weights,
            "within_parent": within,
            "in_index": in_index,
        },
        index=pd.Index(h.node_codes, name="code"),
    )
