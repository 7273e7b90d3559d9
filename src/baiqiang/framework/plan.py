"""The Plan: a validated framework compiled once into what the engine executes.

Every consumer of a framework (validation, the engine, variants, the method
record, explain, change, target, ``build --dry-run``) reads one :class:`Plan`
instead of re-deriving the rules: which registered kernel and parameters
handle every step and every aggregate, what inputs each kernel declared
(checked here, at compile time), which data columns are required, which
subtrees the engine may collapse into one mean, and diagnostics such as the
consistency of AHP matrices.

The Plan is plain frozen data.  It lives beside the framework (not in the
pipeline) because validation reads it and data flows one way: framework ->
pipeline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

import numpy as np

from baiqiang.errors import FrameworkError, Problem
from baiqiang.framework.spec import DEFAULT_METHOD, METHOD_STEPS, Framework, Step
from baiqiang.framework.steps import STEP_PARAMS
from baiqiang.framework.structure import Hierarchy
from baiqiang.methods import registry
from baiqiang.methods.registry import Method, QuasiMean

DATA_STAGES = {
    "denominate": "denominated", "impute": "imputed", "screen": "screened",
    "treat": "treated", "normalise": "normalised",
}
"""Data steps and the name of the data set each one produces (per-indicator transforms, run
before them all, produce ``transformed``)."""

TRANSFORMS = {
    "log": (np.log, np.exp, 0.0, "ln x"),
    "log1p": (np.log1p, np.expm1, -1.0, "ln(1 + x)"),
}
"""Per-indicator transforms: forward, inverse, the value the input must exceed, formula."""


@dataclass(frozen=True)
class BoundStep:
    """A methodology step with its method looked up and its parameters filled in.

    Numeric parameter values may be arrays of shape ``(B,)`` (one per variant).
    ``attribute`` is the unit attribute a group kernel reads (the value of the
    parameter its registry entry names in ``attribute_param``).
    """

    kind: str
    key: str
    method: Method | None
    params: dict[str, Any]
    levels: tuple[int, ...] | None = None
    aggregates: tuple[str, ...] | None = None

    @classmethod
    def bind(cls, step: Step, method: str | None = None) -> "BoundStep":
        """Look up the step's method (or ``method``, a variant's choice) and fill in defaults."""
        given = step.params
        if step.step in METHOD_STEPS:
            m = registry.get(step.step, method or step.method or DEFAULT_METHOD[step.step])
            # A variant that switches method keeps only the parameters the new method declares.
            given = {k: v for k, v in given.items() if k in m.params}
            return cls(step.step, step.key, m, m.resolve(given), _tuple(step.levels), _tuple(step.aggregates))
        declared = STEP_PARAMS.get(step.step, {})
        full = {k: p.default for k, p in declared.items()} | dict(given)
        return cls(step.step, step.key, None, full, _tuple(step.levels), _tuple(step.aggregates))

    @classmethod
    def default(cls, kind: str) -> "BoundStep":
        """The step an aggregate gets when no step of ``kind`` claims it (declared weights, arithmetic mean)."""
        return cls.bind(Step(step=kind, id=f"(default {kind})"))  # type: ignore[arg-type]

    def take(self, index: np.ndarray | slice) -> "BoundStep":
        """The step for a subset of variants: per-variant (1-D array) parameters indexed."""
        params = {k: (v[index] if isinstance(v, np.ndarray) and v.ndim == 1 else v) for k, v in self.params.items()}
        return replace(self, params=params)

    @property
    def kernel(self) -> Method:
        """The registered method; steps without one (denominate, screen, rank) have none to run."""
        if self.method is None:
            raise TypeError(f"step {self.key!r} ({self.kind}) has no method")
        return self.method

    @property
    def inputs(self) -> tuple[str, ...]:
        return self.method.inputs if self.method is not None else ()

    @property
    def attribute(self) -> str | None:
        m = self.method
        return None if m is None or m.attribute_param is None else str(self.params[m.attribute_param])

    @property
    def label(self) -> str:
        return self.method.qualname if self.method is not None else self.kind

    def call(self, x: np.ndarray, *args: Any, inputs: Mapping[str, Any] | None = None, **standard: Any) -> np.ndarray:
        """Run the registered kernel with its family's standard inputs and exactly its declared ones."""
        supplied = inputs or {}
        declared = {name: supplied[name] for name in self.inputs}
        return self.kernel.func(x, *args, **standard, **declared, **self.params)


def _tuple(values: list | None) -> tuple | None:
    return tuple(values) if values else None


@dataclass(frozen=True)
class Columns:
    """Data columns a framework needs, by role."""

    indicator: tuple[str, ...]
    denominator: tuple[str, ...]
    attribute: tuple[str, ...]

    def by_role(self) -> dict[str, list[str]]:
        return {"indicator": list(self.indicator), "denominator": list(self.denominator), "attribute": list(self.attribute)}


@dataclass(frozen=True)
class AhpCheck:
    """Saaty's consistency of one AHP matrix (CR < 0.1 is acceptable)."""

    aggregate: str
    step: str
    weights: tuple[float, ...]
    ci: float
    cr: float

    @property
    def acceptable(self) -> bool:
        return self.cr < 0.1

    def record(self) -> dict[str, Any]:
        return {"aggregate": self.aggregate, "step": self.step, "weights": list(self.weights), "ci": self.ci,
                "cr": self.cr, "acceptable": self.acceptable}


@dataclass(frozen=True)
class Plan:
    """A framework compiled for execution (see the module docstring).

    ``steps`` are the methodology's steps bound to their kernels, in file
    order; ``aggregators`` / ``weighters`` give the bound aggregate and weight
    step of every aggregate (defaults filled in: declared weights, weighted
    arithmetic mean); ``collapsible`` maps each aggregate whose whole subtree
    is one parameter-free quasi-arithmetic mean with declared weights to that
    mean (the engine's fast path); ``transforms`` is the transform of every
    indicator (``None``: none).
    """

    framework: Framework
    hierarchy: Hierarchy
    steps: tuple[BoundStep, ...]
    aggregators: Mapping[str, BoundStep]
    weighters: Mapping[str, BoundStep]
    collapsible: Mapping[str, QuasiMean]
    columns: Columns
    transforms: tuple[str | None, ...]
    diagnostics: tuple[AhpCheck, ...] = field(default=())

    @classmethod
    def of(cls, framework: Framework) -> "Plan":
        """The compiled plan of ``framework`` (compiled once per framework object)."""
        return compile_plan(framework)

    def with_steps(self, steps: list[BoundStep] | tuple[BoundStep, ...]) -> "Plan":
        """The same framework executed with other bound steps (a group of variants)."""
        aggregators, weighters = _assign(self.hierarchy, steps)
        return replace(
            self, steps=tuple(steps), aggregators=aggregators, weighters=weighters,
            collapsible=_collapsible(self.hierarchy, aggregators, weighters),
        )

    def take(self, index: np.ndarray | slice) -> "Plan":
        """The plan for a subset of variants (per-variant parameters indexed)."""
        return self.with_steps([s.take(index) for s in self.steps])

    @property
    def data_steps(self) -> list[BoundStep]:
        return [s for s in self.steps if s.kind in DATA_STAGES]

    @property
    def direction(self) -> np.ndarray:
        return self.hierarchy.direction

    @property
    def rank_tiers(self) -> list[float]:
        rank = next((s for s in self.steps if s.kind == "rank"), None)
        return list(rank.params.get("tiers", [])) if rank is not None else []

    def aggregate_method(self, code: str) -> str:
        return self.aggregators[code].kernel.name

    @property
    def normalise_step(self) -> BoundStep | None:
        return next((s for s in self.steps if s.kind == "normalise"), None)

    def with_fixed_bounds(self) -> "Plan":
        """The plan with its min-max or z-score step applied against fixed per-indicator bounds.

        Both are affine maps, so with the bounds given as goalposts ``(g_w, g_b)``
        the registered goalposts kernel (without clipping) computes them exactly:
        min-max ``(g_w, g_b)`` = the worst and best values and ``(lower, upper)``
        kept; z-score ``(g_w, g_b) = (mean, mean + direction * sd)`` and
        ``(lower, upper) = (mean', mean' + sd')`` of the result.
        """
        step = self.normalise_step
        if step is None or step.kernel.name not in COMPARABLE_NORMALISATIONS:
            return self
        p = step.params
        lower, upper = (p["lower"], p["upper"]) if step.kernel.name == "minmax" else (p["mean"], p["mean"] + p["sd"])
        fixed = BoundStep("normalise", step.key, registry.get("normalise", "goalposts"), {"lower": lower, "upper": upper, "clip": False})
        return self.with_steps([fixed if s is step else s for s in self.steps])

    def record(self) -> dict[str, Any]:
        """What method.json records of the compiled methodology."""
        return {
            "steps": [{"step": s.key, "method": s.label, "params": _plain(s.params), "inputs": list(s.inputs)} for s in self.steps],
            "aggregates": {
                code: {"weight": self.weighters[code].label, "weight_step": self.weighters[code].key,
                       "aggregate": self.aggregators[code].label, "aggregate_step": self.aggregators[code].key,
                       "fast_path": code in self.collapsible}
                for code in self.hierarchy.aggregate_codes
            },
            "transforms": {c: t for c, t in zip(self.hierarchy.indicator_codes, self.transforms) if t},
            "time": self.framework.time.model_dump(exclude_none=True),
            "required_columns": self.columns.by_role(),
        }


def _plain(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in params.items()}


_CACHE: dict[int, tuple[Framework, Plan]] = {}
_CACHE_SIZE = 64


def compile_plan(framework: Framework, source: str = "<framework>") -> Plan:
    """Compile a validated framework; raise :class:`FrameworkError` when a declared input is missing."""
    hit = _CACHE.get(id(framework))
    if hit is not None and hit[0] is framework:
        return hit[1]
    plan = _compile(framework)
    problems = plan_problems(plan, source)
    if problems:
        raise FrameworkError(problems, summary=f"{source}: {len(problems)} problem(s) in the framework")
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[id(framework)] = (framework, plan)
    return plan


def _compile(framework: Framework) -> Plan:
    h = Hierarchy(framework)
    steps = tuple(BoundStep.bind(s) for s in framework.methodology)
    aggregators, weighters = _assign(h, steps)
    kinds = {s.kind for s in steps}
    attributes = [*framework.groups, *(s.attribute for s in steps if s.attribute), *([framework.universe.attribute] if framework.universe.attribute else [])]
    columns = Columns(
        indicator=tuple(h.indicator_codes),
        denominator=tuple(sorted({i.denominator for i in framework.indicators if i.denominator})) if "denominate" in kinds else (),
        attribute=tuple(sorted(set(attributes))),
    )
    return Plan(
        framework=framework, hierarchy=h, steps=steps, aggregators=aggregators, weighters=weighters,
        collapsible=_collapsible(h, aggregators, weighters), columns=columns,
        transforms=tuple(i.transform for i in framework.indicators),
        diagnostics=_ahp_checks(h, weighters),
    )


def _assign(h: Hierarchy, steps: tuple[BoundStep, ...] | list[BoundStep]) -> tuple[dict[str, BoundStep], dict[str, BoundStep]]:
    """The bound aggregate and weight step of every aggregate (see :meth:`Hierarchy.assign`)."""
    out = []
    for kind in ("aggregate", "weight"):
        by_key = {s.key: s for s in steps if s.kind == kind}
        assigned = h.assign([(s.key, s.levels, s.aggregates) for s in by_key.values()])
        default = BoundStep.default(kind)
        out.append({code: by_key[assigned[code]] if code in assigned else default for code in h.aggregate_codes})
    return out[0], out[1]


def _collapsible(h: Hierarchy, aggregators: Mapping[str, BoundStep], weighters: Mapping[str, BoundStep]) -> dict[str, QuasiMean]:
    """Aggregates whose whole subtree is one parameter-free quasi-mean over declared weights."""
    out = {}
    for code in h.aggregate_codes:
        step = aggregators[code]
        subtree = h.subtree[code]
        same = all(aggregators[c] is step for c in subtree)
        declared = all(weighters[c].kernel.name == "manual" and not weighters[c].params for c in subtree)
        if same and declared and not step.params and step.kernel.quasi_mean is not None:
            out[code] = step.kernel.quasi_mean
    return out


def _ahp_checks(h: Hierarchy, weighters: Mapping[str, BoundStep]) -> tuple[AhpCheck, ...]:
    from baiqiang.methods.weight import ahp_consistency

    out = []
    for code in h.aggregate_codes:
        step = weighters[code]
        if step.method is not None and step.kernel.name == "ahp" and len(step.params["matrix"]) == len(h.children[code]):
            weights, ci, cr = ahp_consistency(step.params["matrix"])
            out.append(AhpCheck(code, step.key, tuple(float(w) for w in weights), float(ci), float(cr)))
    return tuple(out)


def plan_problems(plan: Plan, source: str = "<framework>") -> list[Problem]:
    """Problems only the compiled plan shows: matrix sizes and missing declared inputs."""
    fw, h = plan.framework, plan.hierarchy
    keys = {s.key: k for k, s in enumerate(fw.methodology)}
    out: list[Problem] = []
    for code, step in plan.weighters.items():
        for name, param in (step.kernel.params.items() if step.method else ()):
            if isinstance(param.constraint, registry.Matrix) and name in step.params:
                k = len(h.children[code])
                size = len(step.params[name])
                if size != k:
                    where = f"{source}: methodology[{keys[step.key]}].params.{name}"
                    out.append(Problem(where, f"{code!r} has {k} children but the matrix is {size} x {size}", "bad_parameter"))
    for step in plan.steps:
        where = f"{source}: methodology[{keys[step.key]}]"
        for name in step.inputs:
            out += _input_problems(fw, step, name, where, source)
    return out + _time_problems(plan, source)


COMPARABLE_NORMALISATIONS = ("minmax", "zscore")
"""Normalisations whose bounds can be fixed across years (affine maps; rank-based ones have no bounds)."""
ALREADY_FIXED = ("goalposts", "target")
"""Normalisations whose bounds the framework fixes already: comparable across years as they stand."""


def _time_problems(plan: Plan, source: str) -> list[Problem]:
    """``time.normalise`` other than ``year`` needs a normalise step whose bounds can be fixed."""
    mode = plan.framework.time.normalise
    if mode == "year":
        return []
    step = next((s for s in plan.steps if s.kind == "normalise"), None)
    if step is None:
        return [Problem(f"{source}: time.normalise", f"`{mode}` needs a normalise step in the methodology", "time")]
    if step.kernel.name not in COMPARABLE_NORMALISATIONS + ALREADY_FIXED:
        return [Problem(f"{source}: time.normalise", f"`{mode}` needs normalise.minmax or normalise.zscore (fixed bounds); "
                        f"{step.label} has none", "time")]
    return []


def _input_problems(fw: Framework, step: BoundStep, name: str, where: str, source: str) -> list[Problem]:
    """A declared per-indicator input (target, goalposts) must be given for every indicator."""
    field_name = {"targets": "target", "goalposts": "goalposts"}.get(name)
    if field_name is None:  # groups: the attribute column is checked against the data
        return []
    return [
        Problem(
            f"{source}: indicators[{k}].{field_name}",
            f"{step.label} ({where.split(': ', 1)[-1]}) needs `{field_name}` for every indicator; {ind.code!r} has none",
            "missing_input",
        )
        for k, ind in enumerate(fw.indicators)
        if getattr(ind, field_name) is None
    ]


def weight_sum_problems(fw: Framework, source: str) -> list[Problem]:
    """Children's weights whose sum is not a finite number (e.g. two weights of 1e308)."""
    out = []
    for k, agg in enumerate(fw.aggregates):
        if not math.isfinite(sum(n.weight for n in fw.nodes if n.parent == agg.code)):
            out.append(Problem(f"{source}: aggregates[{k}]", f"the weights of the children of {agg.code!r} sum to more than a number can hold; scale them down", "weight_overflow"))
    return out
