"""Write the ASEM framework files (one per COINr reference variant) from asem_meta.csv.

The hierarchy, directions, weights and denominators come from COINr's own
metadata table; each variant adds the methodology COINr ran (see
tests/engine/data/coinr/<variant>/spec.json).  Run from this folder:
``python make_frameworks.py``.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import yaml

HERE = Path(__file__).parent
LEVEL_NAMES = [{"zh": "指标", "en": "Indicator"}, {"zh": "支柱", "en": "Pillar"}, {"zh": "分指数", "en": "Sub-index"}, {"zh": "总指数", "en": "Index"}]

WINSORISE = {"step": "treat", "method": "winsorise", "params": {"winmax": 5, "skew_thresh": 2, "kurt_thresh": 3.5}}
VARIANTS = {
    "v1_default": [
        {"step": "denominate"},
        {"step": "impute", "method": "group_mean", "params": {"group": "EurAsia_group"}},
        {"step": "screen", "params": {"min_coverage": 0.9}},
        WINSORISE,
        {"step": "normalise", "method": "minmax", "params": {"lower": 0, "upper": 100}},
        {"step": "aggregate", "method": "arithmetic"},
    ],
    "v2_minmax_arith": [
        {"step": "normalise", "method": "minmax", "params": {"lower": 0, "upper": 100}},
        {"step": "aggregate", "method": "arithmetic"},
    ],
    "v3_zscore_arith": [
        {"step": "normalise", "method": "zscore", "params": {"mean": 0, "sd": 1}},
        {"step": "aggregate", "method": "arithmetic"},
    ],
    "v4_minmax_geom": [
        {"step": "normalise", "method": "minmax", "params": {"lower": 1, "upper": 100}},
        {"step": "aggregate", "method": "geometric"},
    ],
    "v6_winsor_minmax": [
        WINSORISE,
        {"step": "normalise", "method": "minmax", "params": {"lower": 0, "upper": 100}},
        {"step": "aggregate", "method": "arithmetic"},
    ],
    "v9_winsor1_logct": [
        {**WINSORISE, "params": {**WINSORISE["params"], "winmax": 1}},
        {"step": "normalise", "method": "minmax", "params": {"lower": 0, "upper": 100}},
        {"step": "aggregate", "method": "arithmetic"},
    ],
}


def _clean(value):
    return None if isinstance(value, float) and math.isnan(value) else value


def hierarchy(meta: pd.DataFrame) -> tuple[list[dict], list[dict]]:
    indicators, aggregates = [], []
    for row in meta.itertuples(index=False):
        if row.Type == "Indicator":
            node = {"code": row.iCode, "name": {"zh": row.iName, "en": row.iName}, "parent": row.Parent,
                    "direction": int(row.Direction), "weight": float(row.Weight), "unit": _clean(row.Unit)}
            if _clean(row.Target) is not None:
                node["target"] = float(row.Target)
            if _clean(row.Denominator) is not None:
                node["denominator"] = row.Denominator
            indicators.append(node)
        elif row.Type == "Aggregate":
            aggregates.append({"code": row.iCode, "name": {"zh": row.iName, "en": row.iName},
                               "parent": _clean(row.Parent), "weight": float(row.Weight)})
    return indicators, aggregates


def main() -> None:
    indicators, aggregates = hierarchy(pd.read_csv(HERE / "asem_meta.csv"))
    for variant, steps in VARIANTS.items():
        framework = {
            "schema_version": 1,
            "id": f"asem_{variant}",
            "name": {"zh": "亚欧会议可持续互联互通指数", "en": "ASEM Sustainable Connectivity Index"},
            "description": f"COINr's ASEM example, methodology variant {variant} (COINr 1.1.14 reference results).",
            "level_names": LEVEL_NAMES,
            "universe": {"code_column": "uCode", "name_column": "uName"},
            "groups": ["EurAsia_group", "GDP_group"],
            "indicators": indicators,
            "aggregates": aggregates,
            "methodology": steps,
        }
        text = yaml.safe_dump(framework, allow_unicode=True, sort_keys=False, width=120)
        (HERE / f"{variant}.yaml").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
