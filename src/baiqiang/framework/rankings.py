"""The ``rankings:`` and ``sources:`` sections of a framework file.

A framework's hierarchy and methodology produce scores; the ``rankings``
section says how an institute turns those scores into published lists:
entry gates, grades with vetoes, class-specific weights, named lists with
their own universe and tiers, ranks within groups at every level, unit groups
ranked as one entity, progress and typology, and coupling coordination.
``sources`` names the order of preference among data sources for a cell.

Shapes are checked by pydantic; :func:`ranking_problems` checks meaning
(codes, columns, class weights) and names the key path of every problem.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from baiqiang.errors import Problem

if TYPE_CHECKING:
    from baiqiang.framework.spec import Framework


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Op = Literal[">=", ">", "<=", "<", "==", "!=", "in", "not in"]


class Condition(_Model):
    """A threshold on one raw column (indicator or unit attribute), or an ``all``/``any`` of conditions.

    Exactly one form: ``{column, op, value}`` or ``{all: [...]}`` or ``{any: [...]}``.
    ``label`` names the column in reasons (e.g. ``地区生产总值``); ``unit`` is
    shown after the threshold (e.g. ``亿元``).
    """

    column: str | None = None
    op: Op | None = None
    value: float | str | list[float | str] | None = None
    label: str | None = None
    unit: str | None = None
    all: list["Condition"] | None = None
    any: list["Condition"] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> "Condition":
        leaf = self.column is not None or self.op is not None or self.value is not None
        forms = [leaf, self.all is not None, self.any is not None]
        if sum(forms) != 1:
            raise ValueError("条件须恰好是一种形式：{column, op, value}、{all: [...]} 或 {any: [...]}")
        if leaf and (self.column is None or self.op is None or self.value is None):
            raise ValueError("阈值条件须同时给出 column、op 和 value")
        if leaf and (self.op in ("in", "not in")) != isinstance(self.value, list):
            raise ValueError("op 为 in / not in 时 value 须是列表，其他比较时 value 须是单个值")
        return self


class Gate(_Model):
    """An entry gate: units that fail ``when`` do not enter the lists that name the gate."""

    id: str = Field(min_length=1)
    name: str | None = None
    when: Condition


class GradeLevel(_Model):
    """One grade of a scale: a unit gets the first grade whose ``min`` its score reaches."""

    grade: str = Field(min_length=1)
    min: float | None = Field(default=None, description="lowest score of this grade; omitted on the last grade")


class Veto(_Model):
    """One-vote rule: if any ``components`` grade at ``trigger`` or worse, the unit drops ``steps`` grades."""

    components: list[str] = Field(min_length=1, description="aggregate codes graded on the same scale")
    trigger: str
    steps: int = Field(default=1, ge=1)


class Grades(_Model):
    """A grade scale on one score (best grade first), with optional vetoes."""

    id: str = Field(min_length=1)
    name: str | None = None
    score: str = Field(description="aggregate code graded")
    scale: list[GradeLevel] = Field(min_length=2)
    vetoes: list[Veto] = Field(default_factory=list)

    @model_validator(mode="after")
    def _descending(self) -> "Grades":
        mins = [g.min for g in self.scale]
        if any(m is None for m in mins[:-1]) or mins[-1] is not None:
            raise ValueError("除最后一级外每一级都须给出 min，最后一级不给 min（兜底等级）")
        body = [m for m in mins[:-1] if m is not None]
        if any(a <= b for a, b in zip(body, body[1:])):
            raise ValueError("等级的 min 须从高到低严格递减")
        if len({g.grade for g in self.scale}) != len(self.scale):
            raise ValueError("等级名称重复")
        return self


class Classes(_Model):
    """Class-specific weights: each unit class has its own declared weights; one list, one score scale."""

    attribute: str = Field(description="unit attribute holding the class")
    weights: dict[str, dict[str, float]] = Field(min_length=1, description="class value -> {node code: weight}")


class ListUniverse(_Model):
    """Which scored units a named list considers (by unit attributes).

    A ``type`` universe naming every county type also includes 不设区地级市
    (the county-list rule, :func:`baiqiang.data.names.county_list_include`).
    """

    attribute: str
    include: list[str] | None = None
    exclude: list[str] | None = None

    @model_validator(mode="before")
    @classmethod
    def _county_list_rule(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("attribute") == "type" and isinstance(data.get("include"), list):
            from baiqiang.data.names import county_list_include

            data = {**data, "include": county_list_include([str(v) for v in data["include"]])}
        return data


class Tiers(_Model):
    """Tiers by rank cut-points (e.g. 6, 36, 80, 100) or by Jenks natural breaks of the scores."""

    cuts: list[int] | None = None
    jenks: int | None = Field(default=None, ge=2, description="number of natural-breaks classes")
    names: list[str] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> "Tiers":
        if (self.cuts is None) == (self.jenks is None):
            raise ValueError("梯队须给出 cuts（名次分界）或 jenks（自然断点类数）之一")
        if self.cuts is not None and (not self.cuts or any(a >= b for a, b in zip(self.cuts, self.cuts[1:])) or self.cuts[0] < 1):
            raise ValueError("cuts 须是从 1 起严格递增的名次")
        count = len(self.cuts) if self.cuts is not None else self.jenks
        if self.names is not None and len(self.names) != count:
            raise ValueError(f"names 须有 {count} 个（每个梯队一个）")
        return self


PROGRESS_SCORES = ("progress.score_change", "progress.rank_rise")
"""List ``score`` values that rank by progress instead of an aggregate."""


class RankingList(_Model):
    """A named list: a score, a universe, gates, a length and tiers."""

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")
    name: str = Field(min_length=1)
    score: str | None = Field(default=None, description="aggregate code, or progress.score_change / progress.rank_rise; default: the root")
    universe: ListUniverse | None = None
    gates: list[str] = Field(default_factory=list)
    top: int | None = Field(default=None, ge=1)
    tiers: Tiers | None = None
    grades: str | None = Field(default=None, description="id of a grade scale shown with the list")


class GroupRanks(_Model):
    """Ranks within each group attribute for every aggregate (default: the framework's ``groups``)."""

    by: list[str] | None = None


class UnitGroup(_Model):
    """Adjacent units scored as one entity (组团)."""

    code: str = Field(min_length=1)
    name: str = Field(min_length=1)
    members: list[str] = Field(min_length=2)
    attributes: dict[str, str] = Field(default_factory=dict, description="attribute values of the entity (default: the members' common value)")


class Combine(_Model):
    """How one raw column combines over a unit group: ``sum`` or a mean weighted by another column."""

    method: Literal["sum", "mean", "weighted_mean", "max", "min"]
    weight: str | None = Field(default=None, description="column weighting the mean, e.g. population")

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"method": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _weight_iff_weighted(self) -> "Combine":
        if (self.method == "weighted_mean") != (self.weight is not None):
            raise ValueError("weighted_mean 须给出 weight 列，其他方法不给 weight")
        return self


class UnitGroups(_Model):
    """Unit groups and the combination rule of every raw column the framework reads."""

    groups: list[UnitGroup] = Field(min_length=1)
    combine: dict[str, Combine] = Field(min_length=1, description="raw column -> rule; every indicator and denominator needs one")
    keep_members: bool = Field(default=False, description="also rank the member units on their own")


class Typology(_Model):
    """Level x speed quadrants against the mean of all units or of each group."""

    within: str | None = Field(default=None, description="group attribute whose mean is the reference; default: all units")
    speed: Literal["score_change", "rank_rise"] = "score_change"


class Progress(_Model):
    """Change of score and rank against a base year (read from the same store)."""

    base_year: int
    score: str | None = Field(default=None, description="aggregate compared; default: the root")
    typology: Typology | None = None


class Coupling(_Model):
    """Coupling coordination degree between subsystems (aggregates)."""

    subsystems: list[str] = Field(min_length=2)
    weights: list[float] | None = Field(default=None, description="a_i of T = sum a_i U_i; default: equal")
    scale: float = Field(default=1.0, gt=0, description="score that maps to U = 1 (e.g. 100 for 0-100 scores)")

    @model_validator(mode="after")
    def _weights(self) -> "Coupling":
        if self.weights is not None:
            if len(self.weights) != len(self.subsystems) or any(w < 0 for w in self.weights) or abs(sum(self.weights) - 1) > 1e-9:
                raise ValueError("weights 须与 subsystems 一一对应、非负且和为 1")
        return self


class Rankings(_Model):
    """Everything that turns scores into published lists."""

    gates: list[Gate] = Field(default_factory=list)
    grades: list[Grades] = Field(default_factory=list)
    classes: Classes | None = None
    unit_groups: UnitGroups | None = None
    group_ranks: GroupRanks | None = None
    lists: list[RankingList] = Field(default_factory=list)
    progress: Progress | None = None
    coupling: Coupling | None = None


class Sources(_Model):
    """Order of preference among the sources of a cell (glob patterns on the store's source names)."""

    precedence: list[str] = Field(min_length=1)


# -- meaning checks ---------------------------------------------------------------------------


def _leaves(cond: Condition) -> list[Condition]:
    """The threshold conditions inside ``cond``."""
    if cond.column is not None:
        return [cond]
    return [leaf for c in (cond.all or cond.any or []) for leaf in _leaves(c)]


def ranking_problems(fw: "Framework", source: str) -> list[Problem]:
    """Every meaning error of the ``rankings`` section, each with its key path."""
    if fw.rankings is None:
        return []
    check = _Checker(fw, fw.rankings, f"{source}: rankings")
    check.ids()
    check.grades()
    check.classes()
    check.lists()
    check.unit_groups()
    if fw.rankings.progress is not None:
        check.aggregate(fw.rankings.progress.score, "progress.score")
    for c, code in enumerate(fw.rankings.coupling.subsystems if fw.rankings.coupling else []):
        check.aggregate(code, f"coupling.subsystems[{c}]")
    return check.out


class _Checker:
    """Collects the problems of one rankings section."""

    def __init__(self, fw: "Framework", r: Rankings, where: str) -> None:
        self.fw, self.r, self.where = fw, r, where
        self.out: list[Problem] = []
        self.aggregates = {a.code for a in fw.aggregates}
        self.nodes = self.aggregates | {i.code for i in fw.indicators}
        self.gate_ids = [g.id for g in r.gates]
        self.grade_ids = [g.id for g in r.grades]

    def add(self, path: str, message: str, code: str) -> None:
        self.out.append(Problem(f"{self.where}.{path}", message, code))

    def aggregate(self, code: str | None, path: str) -> None:
        if code is not None and code not in self.aggregates:
            self.add(path, f"{code!r} 不是汇总节点代码（可用：{', '.join(sorted(self.aggregates))}）", "unknown_aggregate")

    def ids(self) -> None:
        for name, ids in (("gates", self.gate_ids), ("grades", self.grade_ids), ("lists", [x.id for x in self.r.lists])):
            for k, i in enumerate(ids):
                if ids.index(i) != k:
                    self.add(f"{name}[{k}].id", f"重复的 id {i!r}", "duplicate_id")

    def grades(self) -> None:
        for k, g in enumerate(self.r.grades):
            self.aggregate(g.score, f"grades[{k}].score")
            names = [s.grade for s in g.scale]
            for v, veto in enumerate(g.vetoes):
                for c, code in enumerate(veto.components):
                    self.aggregate(code, f"grades[{k}].vetoes[{v}].components[{c}]")
                if veto.trigger not in names:
                    self.add(f"grades[{k}].vetoes[{v}].trigger", f"{veto.trigger!r} 不在等级表中（{', '.join(names)}）", "unknown_grade")

    def classes(self) -> None:
        for value, weights in (self.r.classes.weights.items() if self.r.classes else []):
            for code in weights:
                if code not in self.nodes:
                    self.add(f"classes.weights.{value}.{code}", f"{code!r} 不是指标或汇总节点代码", "unknown_node")

    def lists(self) -> None:
        for k, lst in enumerate(self.r.lists):
            path = f"lists[{k}]"
            if lst.score not in PROGRESS_SCORES:
                self.aggregate(lst.score, f"{path}.score")
            elif self.r.progress is None:
                self.add(f"{path}.score", f"{lst.score} 需要 rankings.progress（基期）", "missing_progress")
            for j, gate in enumerate(lst.gates):
                if gate not in self.gate_ids:
                    self.add(f"{path}.gates[{j}]", f"未定义的门槛 {gate!r}（已定义：{', '.join(self.gate_ids) or '无'}）", "unknown_gate")
            if lst.grades is not None and lst.grades not in self.grade_ids:
                self.add(f"{path}.grades", f"未定义的等级表 {lst.grades!r}", "unknown_grades")
            cuts = lst.tiers.cuts if lst.tiers is not None else None
            if cuts and lst.top is not None and cuts[-1] > lst.top:
                self.add(f"{path}.tiers.cuts", f"最后一个分界 {cuts[-1]} 超过榜单长度 top = {lst.top}", "tier_beyond_top")

    def unit_groups(self) -> None:
        spec = self.r.unit_groups
        if spec is None:
            return
        members = [m for group in spec.groups for m in group.members]
        for k, group in enumerate(spec.groups):
            for j, code in enumerate(group.members):
                if members.count(code) > 1:
                    self.add(f"unit_groups.groups[{k}].members[{j}]", f"单位 {code} 属于多个组团", "duplicate_member")
        inds = self.fw.indicators
        needed = [i.code for i in inds] + sorted({i.denominator for i in inds if i.denominator})
        missing = [c for c in needed if c not in spec.combine]
        if missing:
            self.add("unit_groups.combine", f"这些列没有声明合并方法（sum / weighted_mean ...）：{', '.join(missing)}", "missing_combine")
        for k, gate in enumerate(self.r.gates):
            numeric = {c.column for c in _leaves(gate.when) if c.column and c.op not in ("in", "not in") and not isinstance(c.value, str)}
            absent = sorted(c for c in numeric if c not in spec.combine)
            if absent:
                self.add(f"gates[{k}].when", f"组团的门槛列须在 unit_groups.combine 中声明合并方法：{', '.join(absent)}", "missing_combine")
