"""Turn a build's scores into the framework's published lists (the ``rankings:`` section)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from baiqiang.errors import DataError, Problem
from baiqiang.framework.rankings import Coupling, Grades, Progress, RankingList, Rankings
from baiqiang.framework.spec import Framework
from baiqiang.framework.plan import Plan
from baiqiang.methods.rank import competition_rank, group_rank, tiers
from baiqiang.pipeline.panel import Panel
from baiqiang.pipeline.results import Results
from baiqiang.rankings import kernels
from baiqiang.rankings.gates import evaluate_gate
from baiqiang.rankings.scoring import ranking_scores

WHERE = "rankings"
STATUS_LISTED, STATUS_BELOW, STATUS_GATED, STATUS_UNSCORED = "入选", "未入选", "未达门槛", "未参评"
STATUS_MERGED = "并入组团"


@dataclass(frozen=True)
class RankingOutcome:
    """Everything the ``rankings`` section produced, indexed by unit code.

    * ``scores`` / ``ranks``: the scores the lists rank (unit groups, class weights applied);
    * ``group_ranks``: per group attribute, units x aggregates ranks within the group;
    * ``gates``: per gate, ``passed`` and ``reason`` columns;
    * ``grades``: per grade scale, the grade before and after vetoes and the veto reason;
    * ``lists``: per named list, its table (listed units first, then the others with their status);
    * ``progress`` / ``coupling``: when declared;
    * ``breaks``: the Jenks breaks of each list that uses them.
    """

    framework: Framework
    names: pd.Series
    scores: pd.DataFrame
    ranks: pd.DataFrame
    group_ranks: dict[str, pd.DataFrame]
    gates: dict[str, pd.DataFrame]
    grades: dict[str, pd.DataFrame]
    lists: dict[str, pd.DataFrame]
    progress: pd.DataFrame | None = None
    coupling: pd.DataFrame | None = None
    breaks: dict[str, list[float]] = field(default_factory=dict)
    cells: pd.DataFrame | None = None

    @property
    def spec(self) -> Rankings:
        return self.framework.rankings or Rankings()


def apply(results: Results, framework: Framework, panel: Panel, *, base_panel: Panel | None = None,
          cells: pd.DataFrame | None = None) -> RankingOutcome:
    """Apply ``framework.rankings`` to a build.

    ``panel`` is the build's full panel (before the universe is selected);
    ``base_panel`` the base year's, needed by ``progress``; ``cells`` the
    source of every cell when the panel was read with a source precedence.
    """
    spec = framework.rankings or Rankings()
    h = Plan.of(framework).hierarchy
    scores, ranked_panel = ranking_scores(framework, panel, results.scores)
    frame = ranked_panel.frame.reindex(scores.index)
    names = ranked_panel.names.reindex(scores.index)
    ranks = _ranks(scores)
    groups = spec.group_ranks.by if spec.group_ranks and spec.group_ranks.by is not None else list(framework.groups)
    group_ranks = {g: _group_ranks(scores, frame, g) for g in groups} if spec.group_ranks is not None else {}
    gates = {}
    for k, gate in enumerate(spec.gates):
        passed, reason = evaluate_gate(gate, frame, f"{WHERE}.gates[{k}]")
        gates[gate.id] = pd.DataFrame({"passed": passed, "reason": reason})
    grades = {g.id: grade_table(g, scores) for g in spec.grades}
    progress = None
    if spec.progress is not None:
        if base_panel is None:
            raise DataError.single(f"{WHERE}.progress.base_year", "进步排名需要基期数据：请从数据库构建（--store 与 --year）", "missing_input")
        base, _ = ranking_scores(framework, base_panel)
        progress = progress_table(spec.progress, scores, base, frame, h.root)
    unscored = _unscored_reasons(results, scores)
    lists, breaks = {}, {}
    for k, lst in enumerate(spec.lists):
        table, cut = list_table(lst, k, scores, frame, names, gates, grades, progress, unscored, h.root)
        lists[lst.id] = pd.concat([table, merged_members(lst, spec, panel)], ignore_index=True) if spec.unit_groups else table
        if cut is not None:
            breaks[lst.id] = cut
    coupling = coupling_table(spec.coupling, scores) if spec.coupling is not None else None
    return RankingOutcome(framework, names, scores, ranks, group_ranks, gates, grades, lists, progress, coupling, breaks, cells)


def _ranks(scores: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(competition_rank(scores.to_numpy().T).T, index=scores.index, columns=scores.columns)


def _group_ranks(scores: pd.DataFrame, frame: pd.DataFrame, attribute: str) -> pd.DataFrame:
    """Rank within ``attribute`` for every aggregate at once (one vectorised kernel call)."""
    if attribute not in frame.columns:
        raise DataError.single(f"{WHERE}.group_ranks.by", f"数据中没有分组列 {attribute!r}", "missing_column")
    codes, _ = pd.factorize(frame[attribute], use_na_sentinel=True)
    return pd.DataFrame(group_rank(scores.to_numpy().T, codes).T, index=scores.index, columns=scores.columns)


def grade_table(spec: Grades, scores: pd.DataFrame) -> pd.DataFrame:
    """Grade of ``spec.score`` (before and after vetoes) and the veto reason for every unit."""
    names = np.array([g.grade for g in spec.scale], dtype=object)
    minimums = np.array([g.min for g in spec.scale[:-1]], dtype=float)
    worst = len(spec.scale) - 1
    before = kernels.grade_index(scores[spec.score].to_numpy(), minimums)
    after = before.copy()
    reason = pd.Series("", index=scores.index)
    for veto in spec.vetoes:  # one pass per declared rule, vectorised over units
        trigger = [g.grade for g in spec.scale].index(veto.trigger)
        comps = np.stack([kernels.grade_index(scores[c].to_numpy(), minimums) for c in veto.components], axis=-1)
        vetoed = kernels.veto(after, comps, trigger, veto.steps, worst)
        hit_text = pd.Series("", index=scores.index)
        for j, code in enumerate(veto.components):
            hit = comps[:, j] >= trigger
            part = pd.Series(np.where(hit, f"{code} 为 " + names[np.clip(comps[:, j], 0, worst)].astype(str), ""), index=scores.index)
            hit_text = hit_text + np.where((hit_text != "") & (part != ""), "、", "") + part
        fired = (vetoed != after)
        reason = reason + np.where(fired, "一票否决（" + hit_text + f"，降 {veto.steps} 级）", "")
        after = vetoed
    label = lambda idx: pd.Series(np.where(idx >= 0, names[np.clip(idx, 0, worst)], None), index=scores.index)  # noqa: E731
    return pd.DataFrame({"grade_before_veto": label(before), "grade": label(after), "veto": reason})


def progress_table(spec: Progress, scores: pd.DataFrame, base: pd.DataFrame, frame: pd.DataFrame, root: str) -> pd.DataFrame:
    """Score and rank of ``spec.score`` in both years, their change, and the typology quadrant."""
    code = spec.score or root
    now = scores[code]
    then = base[code].reindex(now.index)
    rank_now = pd.Series(competition_rank(now.to_numpy()[None, :])[0], index=now.index)
    rank_then = pd.Series(competition_rank(base[code].to_numpy()[None, :])[0], index=base.index).reindex(now.index)
    out = pd.DataFrame({
        "score": now, "base_score": then, "score_change": now - then,
        "rank": rank_now, "base_rank": rank_then, "rank_rise": rank_then - rank_now,
    })
    if spec.typology is not None:
        speed = out[spec.typology.speed]
        both = out["score"].notna() & speed.notna()
        if spec.typology.within is None:
            level_ref = pd.Series(out["score"][both].mean(), index=out.index)
            speed_ref = pd.Series(speed[both].mean(), index=out.index)
        else:
            if spec.typology.within not in frame.columns:
                raise DataError.single(f"{WHERE}.progress.typology.within", f"数据中没有分组列 {spec.typology.within!r}", "missing_column")
            key = frame[spec.typology.within]
            level_ref = out["score"].where(both).groupby(key).transform("mean")
            speed_ref = speed.where(both).groupby(key).transform("mean")
        q = kernels.quadrant(out["score"].to_numpy(), speed.to_numpy(), level_ref.to_numpy(float), speed_ref.to_numpy(float))
        out["level_mean"], out["speed_mean"] = level_ref, speed_ref
        out["type"] = np.where(q >= 0, np.array(kernels.TYPOLOGY, dtype=object)[np.clip(q, 0, 3)], None)
    return out


def coupling_table(spec: Coupling, scores: pd.DataFrame) -> pd.DataFrame:
    """C, T, D and the D grade for every unit; subsystem scores are divided by ``spec.scale`` into [0, 1]."""
    u = scores[spec.subsystems].to_numpy() / spec.scale
    bad = ((u < -1e-12) | (u > 1 + 1e-12)).any(axis=1)
    if bad.any():
        problems = [Problem(f"{WHERE}.coupling: 单位 {c}", f"子系统得分除以 scale = {spec.scale:g} 后不在 [0, 1] 内："
                            + "、".join(f"{s} = {v:g}" for s, v in scores.loc[c, spec.subsystems].items()), "out_of_range")
                    for c in scores.index[bad][:20]]
        raise DataError(problems, summary=f"耦合协调度要求子系统得分在 [0, {spec.scale:g}]；{int(bad.sum())} 个单位超出（请设置 coupling.scale 或改用 minmax 归一化）")
    c, t, d = kernels.coupling_coordination(np.clip(u, 0, 1), None if spec.weights is None else np.array(spec.weights))
    grade = kernels.coupling_grade(d)
    labels = np.array(kernels.COUPLING_GRADES, dtype=object)
    return pd.DataFrame({"C": c, "T": t, "D": d, "grade": np.where(grade >= 0, labels[np.clip(grade, 0, 9)], None)}, index=scores.index)


def in_universe(lst: RankingList, frame: pd.DataFrame, where: str) -> pd.Series:
    """Whether each row of ``frame`` is in the list's universe."""
    universe = pd.Series(True, index=frame.index)
    u = lst.universe
    if u is None:
        return universe
    if u.attribute not in frame.columns:
        raise DataError.single(f"{where}.universe.attribute", f"数据中没有列 {u.attribute!r}", "missing_column")
    values = frame[u.attribute].astype(str)
    if u.include is not None:
        universe &= values.isin(u.include)
    if u.exclude is not None:
        universe &= ~values.isin(u.exclude)
    return universe


def merged_members(lst: RankingList, spec: Rankings, panel: Panel) -> pd.DataFrame:
    """Members of unit groups ranked only as their group: shown on the list with the group that replaced them."""
    groups = spec.unit_groups
    if groups is None or groups.keep_members:
        return pd.DataFrame()
    member_of = {m: g for g in groups.groups for m in g.members}
    frame = panel.frame.loc[list(member_of)]
    frame = frame[in_universe(lst, frame, "rankings.lists")]
    codes = frame.index.tolist()
    return pd.DataFrame({
        "unit_code": codes, "unit_name": panel.names.reindex(codes).to_numpy(), "tier": 0, "status": STATUS_MERGED,
        "reason": [f"并入组团：{member_of[c].name}（{member_of[c].code}）" for c in codes],  # one row per declared member
    })


def _unscored_reasons(results: Results, scores: pd.DataFrame) -> pd.Series:
    reasons = results.excluded["reason"].astype(str) if len(results.excluded) else pd.Series(dtype=str)
    return reasons.reindex(scores.index).fillna("未参评（无得分）").where(scores.isna().all(axis=1), "")


def list_table(lst: RankingList, k: int, scores: pd.DataFrame, frame: pd.DataFrame, names: pd.Series,
               gates: dict[str, pd.DataFrame], grades: dict[str, pd.DataFrame], progress: pd.DataFrame | None,
               unscored: pd.Series, root: str) -> tuple[pd.DataFrame, list[float] | None]:
    """One named list: every unit of its universe with rank, score, tier, status and reason; listed units first."""
    where = f"{WHERE}.lists[{k}]"
    universe = in_universe(lst, frame, where)
    if lst.score in ("progress.score_change", "progress.rank_rise"):
        assert progress is not None
        score = progress[lst.score.split(".")[1]]
    else:
        score = scores[lst.score or root]
    passed = pd.Series(True, index=scores.index)
    reason = pd.Series("", index=scores.index)
    for gate in lst.gates:
        g = gates[gate]
        passed &= g["passed"]
        reason = reason + np.where((reason != "") & (g["reason"] != ""), "；", "") + g["reason"]
    scored = score.notna()
    eligible = universe & scored & passed
    rank = pd.Series(competition_rank(score.where(eligible).to_numpy()[None, :])[0], index=scores.index)
    listed = rank.notna() & ((rank <= lst.top) if lst.top is not None else True)
    tier = pd.Series(0, index=scores.index)
    cut_breaks = None
    if lst.tiers is not None and lst.tiers.cuts is not None:
        tier = pd.Series(tiers(rank.where(listed).to_numpy(), lst.tiers.cuts), index=scores.index)
    elif lst.tiers is not None and lst.tiers.jenks is not None:
        values = score.where(listed).to_numpy()
        if np.unique(values[~np.isnan(values)]).size < lst.tiers.jenks:
            raise DataError.single(f"{where}.tiers.jenks", f"入选单位的不同得分少于 {lst.tiers.jenks} 个，无法分成 {lst.tiers.jenks} 类", "too_few_units")
        t, cut_breaks = kernels.jenks_tiers(values, lst.tiers.jenks)
        tier = pd.Series(t, index=scores.index)
    status = pd.Series(np.select(
        [listed, eligible, universe & scored & ~passed],
        [STATUS_LISTED, STATUS_BELOW, STATUS_GATED], STATUS_UNSCORED), index=scores.index)
    why = reason.where(status == STATUS_GATED, "").where(status != STATUS_UNSCORED, unscored)
    if lst.top is not None:
        why = why.where(status != STATUS_BELOW, f"名次在前 {lst.top} 名之外")
    out = pd.DataFrame({"rank": rank.where(listed).astype("Int64"), "unit_code": scores.index, "unit_name": names,
                        "score": score, "tier": tier.where(listed, 0).astype(int)}, index=scores.index)
    if lst.tiers is not None and lst.tiers.names is not None:
        labels = np.array(["", *lst.tiers.names], dtype=object)
        out["tier_name"] = labels[out["tier"].to_numpy()]
    if lst.grades is not None:
        out["grade"] = grades[lst.grades]["grade"]
    out["status"], out["reason"] = status, why
    out = out[universe].reset_index(drop=True)
    out = out.sort_values(["rank", "score", "unit_code"], ascending=[True, False, True], na_position="last", kind="stable")
    return out.reset_index(drop=True), cut_breaks


@dataclass(frozen=True)
class Standing:
    """Where one unit stands in one named list: its rank among the list's eligible units, or why it is out."""

    list_id: str
    list_name: str
    status: str
    rank: int | None      # among the eligible units (universe, scored, through the gates), listed or not
    eligible: int         # units competing in the list
    top: int | None
    reason: str
    competitors: pd.Index  # codes of the eligible units
    ranks_index_score: bool  # the list ranks the index score itself (no classes, groups or another score)


def standings(outcome: RankingOutcome, unit: str) -> list[Standing]:
    """The unit's standing in every named list whose universe holds it (explain and target read the list this way)."""
    spec, root = outcome.spec, Plan.of(outcome.framework).hierarchy.root
    plain = spec.classes is None and spec.unit_groups is None
    out = []
    for lst in spec.lists:
        table = outcome.lists[lst.id]
        row = table[table["unit_code"] == unit]
        if row.empty:
            continue
        eligible = table[table["status"].isin([STATUS_LISTED, STATUS_BELOW])]
        status, score = str(row["status"].iloc[0]), float(row["score"].iloc[0])
        rank = int((eligible["score"] > score).sum()) + 1 if status in (STATUS_LISTED, STATUS_BELOW) else None
        out.append(Standing(lst.id, lst.name, status, rank, len(eligible), lst.top, str(row["reason"].iloc[0]),
                            pd.Index(eligible["unit_code"]), plain and lst.score in (None, root)))
    return out
