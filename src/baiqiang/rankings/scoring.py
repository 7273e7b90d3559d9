"""The scores the lists rank: unit groups combined into entities, and class-specific weights.

Both re-run the framework's own methodology (``pipeline.run`` / ``run_variants``);
nothing here re-implements a step.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from baiqiang.errors import DataError, Problem
from baiqiang.framework.rankings import Classes, Rankings, UnitGroups
from baiqiang.framework.spec import Framework
from baiqiang.framework.plan import Plan
from baiqiang.pipeline.panel import Panel
from baiqiang.pipeline.run import run, run_variants

WHERE = "rankings"


def combine_unit_groups(panel: Panel, spec: UnitGroups) -> Panel:
    """``panel`` with each unit group added as one entity whose raw columns follow ``spec.combine``.

    ``sum``: the members' total (counts, totals); ``weighted_mean``: ``sum(w x) / sum(w)``
    with ``w`` the declared weight column (shares, per-capita values, e.g. by
    population); ``mean``/``max``/``min`` as named.  A member missing a value
    leaves the entity's value missing: a partial sum is not the group's sum.
    Attributes the members share are kept; others are joined with "、" unless
    the group declares them.  Members are dropped unless ``keep_members``.
    """
    frame = panel.frame
    member_of = {m: g.code for g in spec.groups for m in g.members}
    problems = [
        Problem(f"{WHERE}.unit_groups.groups[{k}].members[{j}]", f"数据中没有单位 {m}", "unknown_unit")
        for k, g in enumerate(spec.groups) for j, m in enumerate(g.members) if m not in frame.index
    ]
    problems += [
        Problem(f"{WHERE}.unit_groups.combine.{col}", f"数据中没有列 {c!r}", "missing_column")
        for col, rule in spec.combine.items() for c in (col, rule.weight) if c is not None and c not in frame.columns
    ]
    if problems:
        raise DataError(problems, summary=f"组团设置有 {len(problems)} 处问题")
    members = frame.loc[list(member_of)]
    key = pd.Series([member_of[c] for c in members.index], index=members.index, name="group")
    grouped = {}
    for col, rule in spec.combine.items():  # one vectorised group-by per column
        x = pd.to_numeric(members[col], errors="coerce")
        missing = x.isna().groupby(key).any()
        if rule.method == "weighted_mean":
            w = pd.to_numeric(members[rule.weight], errors="coerce")
            value = (x * w).groupby(key).sum() / w.groupby(key).sum()
            missing |= w.isna().groupby(key).any()
        else:
            value = x.groupby(key).agg(rule.method)
        grouped[col] = value.where(~missing)
    out = pd.DataFrame(grouped)
    attributes = [c for c in frame.columns if c not in spec.combine]
    for col in attributes:
        text = members[col].astype(str).where(members[col].notna(), "")
        values = text.groupby(key).agg(lambda s: "、".join(dict.fromkeys(v for v in s if v)))
        out[col] = values
    for g in spec.groups:
        for col, value in g.attributes.items():
            out.loc[g.code, col] = value
        if panel.name_column is not None:
            out.loc[g.code, panel.name_column] = g.name
    out = out.reindex([g.code for g in spec.groups])[list(frame.columns)]
    out.index.name = frame.index.name
    kept = frame if spec.keep_members else frame.drop(index=list(member_of))
    return Panel(pd.concat([kept, out]), panel.name_column, panel.source, panel.checksum)


def class_scores(framework: Framework, panel: Panel, spec: Classes) -> pd.DataFrame:
    """Scores (units x aggregates) with each unit weighted by its class's weights, on one scale.

    The framework runs once per class with that class's declared weights
    (``run_variants``, so normalisation is over the whole universe and the
    scores are comparable); each unit then takes the scores of its own class.
    """
    selected = panel.select(framework)
    if spec.attribute not in selected.frame.columns:
        raise DataError.single(f"{WHERE}.classes.attribute", f"数据中没有分类列 {spec.attribute!r}", "missing_column")
    labels = list(spec.weights)
    cls = selected.frame[spec.attribute].astype(str)
    unknown = cls[~cls.isin(labels)]
    if len(unknown):
        listed = "、".join(f"{c}（{v}）" for c, v in unknown.head(20).items())
        raise DataError.single(f"{WHERE}.classes.weights", f"{len(unknown)} 个单位的类别没有权重：{listed}", "unknown_class")
    variants = [{f"weight.{code}": w for code, w in spec.weights[label].items()} for label in labels]
    batch = run_variants(framework, selected, variants)
    which = pd.Categorical(cls, categories=labels).codes
    merged = batch.scores[which, np.arange(len(which)), :]
    return pd.DataFrame(merged, index=pd.Index(batch.unit_codes, name="unit_code"), columns=batch.aggregate_codes)


def ranking_scores(framework: Framework, panel: Panel, base_scores: pd.DataFrame | None = None) -> tuple[pd.DataFrame, Panel]:
    """The scores the lists rank and the panel they refer to (unit groups combined, class weights applied).

    ``base_scores`` are the plain build's scores of ``panel`` when already computed.
    """
    spec = framework.rankings or Rankings()
    if spec.unit_groups is not None:
        panel = combine_unit_groups(panel, spec.unit_groups)
        base_scores = None
    if spec.classes is not None:
        return class_scores(framework, panel, spec.classes), panel.select(framework)
    if base_scores is None:
        base_scores = run(framework, panel).scores
    return base_scores[Plan.of(framework).hierarchy.aggregate_codes], panel.select(framework)
