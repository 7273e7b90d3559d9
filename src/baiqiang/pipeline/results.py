"""The results of one build: scores, ranks, intermediate data sets, method record."""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

import baiqiang
from baiqiang.framework.plan import Plan
from baiqiang.framework.spec import Framework
from baiqiang.framework.structure import Hierarchy
from baiqiang.methods.rank import competition_rank, group_rank, tiers
from baiqiang.pipeline.engine import Trace
from baiqiang.pipeline.panel import Panel

if TYPE_CHECKING:
    import pandas as pd

    from baiqiang.pipeline.export import Column

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
    """Everything one build produced, as arrays over the panel's units (rows in panel order).

    * ``dataset_values``: each intermediate data set, units x indicators;
    * ``score_values`` / ``rank_values``: units x aggregates (bottom-up, root last);
    * ``group_rank_values``: the root's rank within each group attribute;
    * ``tier_values``: the root's tier (0 = outside every tier) when the rank step declares cut-points;
    * ``within_parent``: per node, the weight normalised within its parent;
    * ``excluded_codes`` / ``excluded_reasons``: units left out (outside the universe or screened out);
    * ``comparison``: for a build of one year of a time-comparable panel, the fixed
      normalisation bounds and the years they come from (:func:`baiqiang.pipeline.run_years`).

    The same results as DataFrames indexed by unit code (``scores``, ``ranks``,
    ``datasets``, ``group_ranks``, ``tiers``, ``weights``, ``excluded``) are views built
    when first asked for: writing a build's files needs none of them, nor pandas.
    """

    plan: Plan
    panel: Panel
    dataset_values: dict[str, np.ndarray]
    score_values: np.ndarray
    rank_values: np.ndarray
    group_rank_values: dict[str, np.ndarray]
    tier_values: np.ndarray
    within_parent: np.ndarray
    excluded_codes: list[str]
    excluded_reasons: list[str]
    comparison: dict[str, Any] | None = None

    @classmethod
    def from_trace(cls, plan: Plan, panel: Panel, trace: Trace, *, comparison: dict[str, Any] | None = None) -> "Results":
        included = trace.included[0]
        scores = trace.scores[0].copy()
        scores[~included] = np.nan
        ranks = competition_rank(scores.T).T
        root = scores[:, -1][None, :]  # aggregates run bottom-up: the root is the last
        group_ranks = {g: group_rank(root, panel.group_codes(g))[0] for g in plan.framework.groups if panel.has(g)}
        cuts = plan.rank_tiers
        tier = tiers(ranks[:, -1], cuts) if cuts else np.zeros(len(panel), dtype=np.int64)
        outside, reasons = panel.excluded_codes
        screened = panel.unit_codes[~included].tolist()
        return cls(plan, panel, {k: v[0] for k, v in trace.datasets.items()}, scores, ranks, group_ranks, tier,
                   trace.weights[0], outside + screened, reasons + ["screened out: too little data"] * len(screened),
                   comparison)

    def order(self) -> np.ndarray:
        """Positions of the units best first: by the root's rank, unranked units last, ties by unit code."""
        rank = self.rank_values[:, -1]
        return np.lexsort((self.panel.unit_codes.astype(str), np.where(np.isnan(rank), np.inf, rank)))

    @cached_property
    def _index(self) -> pd.Index:
        import pandas as pd

        return pd.Index(self.panel.unit_codes, dtype="str", name="unit_code")

    @cached_property
    def datasets(self) -> dict[str, pd.DataFrame]:
        import pandas as pd

        codes = self.hierarchy.indicator_codes
        return {k: pd.DataFrame(v, index=self._index, columns=codes, copy=False) for k, v in self.dataset_values.items()}

    @cached_property
    def scores(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.score_values, index=self._index, columns=self.hierarchy.aggregate_codes, copy=False)

    @cached_property
    def ranks(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.rank_values, index=self._index, columns=self.hierarchy.aggregate_codes, copy=False)

    @cached_property
    def group_ranks(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.group_rank_values, index=self._index)

    @cached_property
    def tiers(self) -> pd.Series:
        import pandas as pd

        return pd.Series(self.tier_values, index=self._index, name="tier")

    @cached_property
    def weights(self) -> pd.DataFrame:
        """Per node: parent, level, the declared weight, the weight within its parent and in the root."""
        import pandas as pd

        (_, codes), *columns = self.weight_columns()
        data = {name: values.values if name == "level" else values for name, values in columns}
        return pd.DataFrame(data, index=pd.Index(codes, name="code"))

    def weight_columns(self) -> list[Column]:
        """The columns of :attr:`weights` as arrays, its ``code`` index first (the workbook's weights sheet)."""
        from baiqiang.pipeline.export import integers

        h, nodes = self.hierarchy, self.hierarchy.node_codes
        return [("code", np.array(nodes, dtype=object)), ("parent", np.array([h.parent_of[c] for c in nodes], dtype=object)),
                ("level", integers(np.array([h.level_of[c] for c in nodes], dtype=float))),
                ("declared", np.asarray(h.declared_weights, dtype=float)), ("within_parent", self.within_parent),
                ("in_index", self.in_index)]

    @cached_property
    def in_index(self) -> np.ndarray:
        """Each node's effective weight in the root: the product of its within-parent weights along the path."""
        h, within = self.hierarchy, self.within_parent
        in_index = within.copy()
        for code in reversed(h.aggregate_codes):  # top-down: multiply by the parent's share
            for k in h.children[code]:
                in_index[k] = within[k] * in_index[h.index[code]]
        return in_index

    @cached_property
    def excluded(self) -> pd.DataFrame:
        import pandas as pd

        if not self.excluded_codes:
            return pd.DataFrame(columns=["reason"])
        return pd.DataFrame({"reason": self.excluded_reasons}, index=pd.Index(self.excluded_codes, dtype="str", name="unit_code"))

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
        import pandas as pd

        columns = self.table_columns()
        frame = pd.DataFrame({name: values for name, values in columns[2:-1]}, index=self.order())
        frame.insert(0, "unit_code", pd.array(columns[0][1], dtype="str"))
        frame.insert(1, "unit_name", pd.array(columns[1][1], dtype="str"))
        rank = columns[-1][1]
        frame["rank"] = pd.arrays.IntegerArray(rank.values, rank.missing)
        return frame

    def table_columns(self) -> list[Column]:
        """The columns of :meth:`table` as arrays, best first (see :data:`baiqiang.pipeline.export.Column`)."""
        from baiqiang.pipeline.export import integers

        order = self.order()
        return [("unit_code", self.panel.unit_codes[order]), ("unit_name", self.panel.unit_names[order]),
                *((code, self.score_values[order, j]) for j, code in enumerate(self.hierarchy.aggregate_codes)),
                ("rank", integers(self.rank_values[order, -1]))]

    def aggregated(self) -> pd.DataFrame:
        """Normalised indicators and every aggregate score side by side (COINr's ``Aggregated`` data set)."""
        import pandas as pd

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
                "units_ranked": int(np.count_nonzero(~np.isnan(self.score_values[:, -1]))),
                "units_excluded": dict(zip(self.excluded_codes, self.excluded_reasons)),
            },
            "weights": {
                code: {"within_parent": float(w), "in_index": float(e)}
                for code, w, e in zip(self.hierarchy.node_codes, self.within_parent, self.in_index)
            },
            "plan": self.plan.record(),
            "ahp_consistency": [check.record() for check in self.plan.diagnostics],
            "time_comparison": self.comparison or {"normalise": "year"},
        }

    def write(self, outdir: Path, data_checksum: str | None = None,
              extra_sheets: Mapping[str, pd.DataFrame] | None = None) -> None:
        """Write ``scores.csv``, ``results.xlsx`` (with ``extra_sheets`` after the build's own) and ``method.json``."""
        outdir.mkdir(parents=True, exist_ok=True)
        from baiqiang.pipeline.export import write_columns_csv

        write_columns_csv(self.table_columns(), outdir / "scores.csv", encoding="utf-8")
        self.to_xlsx(outdir / "results.xlsx", extra_sheets=extra_sheets)
        record = self.method_record(data_checksum)
        (outdir / "method.json").write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")

    def to_xlsx(self, path: Path, lang: str = "zh", extra_sheets: Mapping[str, pd.DataFrame] | None = None) -> None:
        """One sheet per level (scores and ranks, Chinese headers), then weights and data sets."""
        from baiqiang.pipeline.export import write_workbook

        write_workbook(self, path, lang, extra_sheets)

