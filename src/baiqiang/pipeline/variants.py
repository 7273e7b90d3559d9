"""Typed paths into a methodology, and batching of variants.

A *variant* is a mapping from typed paths to values; everything not named
keeps the framework's value.  Paths (never evaluated as code):

* ``step.<id>.method``: the method of a step, e.g. ``step.normalise.method``;
* ``step.<id>.params.<name>``: a parameter, e.g. ``step.treat.params.winmax``;
* ``weight.<code>``: the declared weight of an indicator or aggregate
  (0 leaves it out).

Variants that agree on every non-numeric value (method names, text
parameters) form one *group* and are evaluated in one vectorised batch, with
their numeric values stacked along the batch axis.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from numbers import Real
from typing import Any, Mapping, Sequence

import numpy as np

from baiqiang.errors import FrameworkError, Problem
from baiqiang.framework.plan import BoundStep, Plan
from baiqiang.framework.spec import DEFAULT_METHOD, METHOD_STEPS, Framework
from baiqiang.framework.steps import STEP_PARAMS
from baiqiang.framework.structure import Hierarchy
from baiqiang.methods import registry

Variant = Mapping[str, Any]


@dataclass(frozen=True)
class Path:
    """A parsed typed path."""

    kind: str  # "method", "param" or "weight"
    target: str  # step id or node code
    name: str = ""  # parameter name

    @classmethod
    def parse(cls, text: str) -> "Path":
        parts = text.split(".")
        if len(parts) == 3 and parts[0] == "step" and parts[2] == "method":
            return cls("method", parts[1])
        if len(parts) == 4 and parts[0] == "step" and parts[2] == "params":
            return cls("param", parts[1], parts[3])
        if len(parts) == 2 and parts[0] == "weight":
            return cls("weight", parts[1])
        raise ValueError(f"not a typed path: {text!r} (expected step.<id>.method, step.<id>.params.<name> or weight.<code>)")


def _is_number(value: Any) -> bool:
    if type(value) in (float, int):  # fast path: variants hold many plain numbers
        return True
    return isinstance(value, Real | np.number) and not isinstance(value, bool | np.bool_)


WEIGHT_RULE = registry.Interval(low=0)


def variant_problems(
    framework: Framework, variant: Variant, where: str = "variant", hierarchy: Hierarchy | None = None
) -> list[Problem]:
    """Every problem with one variant: unknown paths, methods, parameters or values."""
    return _VariantChecker(framework, hierarchy).problems([variant], lambda k: where)


def check_variants(framework: Framework, variants: Sequence[Variant]) -> None:
    """Raise :class:`FrameworkError` listing every problem in ``variants``."""
    problems = _VariantChecker(framework).problems(variants, lambda k: f"variant {k}")
    if problems:
        raise FrameworkError(problems[:50], summary=f"{len(problems)} problem(s) in the methodology variants")


class _VariantChecker:
    """Checks variants path by path: each distinct path is resolved to its rule once.

    Numeric values are gathered per rule and checked together with the
    constraint's vectorised ``check_many``, so checking N variants costs a
    dictionary look-up per value, not a constraint evaluation.
    """

    def __init__(self, framework: Framework, hierarchy: Hierarchy | None = None) -> None:
        self.hierarchy = hierarchy or Plan.of(framework).hierarchy
        self.steps = {s.key: s for s in framework.methodology}
        self._rules: dict[tuple[str, str | None], tuple[registry.Constraint | None, str | None, str]] = {}

    def problems(self, variants: Sequence[Variant], where: Any) -> list[Problem]:
        out: list[Problem] = []
        numeric: dict[tuple[str, str | None], tuple[list[int], list[Any]]] = defaultdict(lambda: ([], []))
        for k, variant in enumerate(variants):
            for text, value in variant.items():
                key = (text, self._method_in_effect(text, variant))
                constraint, message, code = self._rule(*key)
                if message is not None:
                    out.append(Problem(f"{where(k)}: {text}", message, code))
                elif _is_number(value) and isinstance(constraint, registry.Interval):
                    numeric[key][0].append(k)
                    numeric[key][1].append(value)
                elif constraint is not None and not constraint.check(value):
                    out.append(Problem(f"{where(k)}: {text}", self._bad_value(text, constraint, value), "bad_value"))
        for (text, method), (members, values) in numeric.items():
            constraint = self._rule(text, method)[0]
            assert isinstance(constraint, registry.Interval)  # only Interval rules gather numbers
            bad = np.flatnonzero(~constraint.check_many(np.asarray(values)))
            out += [Problem(f"{where(members[i])}: {text}", self._bad_value(text, constraint, values[i]), "bad_value") for i in bad]
        return out

    def _method_in_effect(self, text: str, variant: Variant) -> str | None:
        """For a parameter path, the method its step uses in this variant (it decides the parameters)."""
        if not text.startswith("step.") or ".params." not in text:
            return None
        key = text.split(".")[1]
        step = self.steps.get(key)
        if step is None or step.step not in METHOD_STEPS:
            return None
        return variant.get(f"step.{key}.method", step.method or DEFAULT_METHOD[step.step])

    def _bad_value(self, text: str, constraint: registry.Constraint, value: Any) -> str:
        if text.startswith("weight."):
            return f"a weight must be a number >= 0; got {value!r}"
        if text.endswith(".method"):
            family = self.steps[text.split(".")[1]].step
            return f"unknown {family} method {value!r} (known: {', '.join(registry.names(family))})"
        return f"must be {constraint.describe()}; got {value!r}"

    def _rule(self, text: str, method: str | None) -> tuple[registry.Constraint | None, str | None, str]:
        """(constraint, problem message, problem code) for a path; cached."""
        key = (text, method)
        if key not in self._rules:
            self._rules[key] = self._resolve(text, method)
        return self._rules[key]

    def _resolve(self, text: str, method: str | None) -> tuple[registry.Constraint | None, str | None, str]:
        try:
            path = Path.parse(text)
        except ValueError as exc:
            return None, str(exc), "bad_path"
        if path.kind == "weight":
            if path.target not in self.hierarchy.index:
                return None, f"unknown indicator or aggregate {path.target!r}", "bad_path"
            return WEIGHT_RULE, None, ""
        step = self.steps.get(path.target)
        if step is None:
            return None, f"no step with id {path.target!r} (steps: {', '.join(self.steps)})", "bad_path"
        if path.kind == "method":
            if step.step not in METHOD_STEPS:
                return None, f"step {step.key!r} has no method", "bad_path"
            return registry.OneOf(tuple(registry.names(step.step))), None, ""
        if step.step in METHOD_STEPS:
            if method not in registry.names(step.step):
                return None, None, ""  # reported with the method path
            declared, owner = registry.get(step.step, method).params, f"{step.step}.{method}"
        else:
            declared, owner = STEP_PARAMS.get(step.step, {}), f"step {step.step!r}"
        if path.name not in declared:
            return None, f"unknown parameter {path.name!r} for {owner}", "bad_path"
        return declared[path.name].constraint, None, ""


@dataclass(frozen=True)
class Group:
    """Variants sharing their categorical choices, ready for one batched evaluation."""

    members: np.ndarray  # positions in the variant list, (B,)
    plan: Plan  # the framework's plan with the group's steps bound (per-variant parameters as (B,) arrays)
    weights: np.ndarray  # (B, n_nodes) declared weights


def _raise_disordered(method: registry.Method, key: str, params: dict[str, Any], members: list[int]) -> None:
    """Variants whose ordered parameters (e.g. min-max ``lower < upper``) are not increasing."""
    problems = []
    for low, high in method.ordered:
        lo, hi = np.broadcast_arrays(np.asarray(params[low], dtype=float), np.asarray(params[high], dtype=float))
        bad = np.flatnonzero(~(np.atleast_1d(lo) < np.atleast_1d(hi)))
        for k in bad:
            where = f"variant {members[k]}" if np.ndim(lo) else "variants"
            problems.append(Problem(f"{where}: step.{key}.params.{low}", f"{method.qualname}: {low!r} must be less than {high!r}", "bad_value"))
    if problems:
        raise FrameworkError(problems[:50], summary=f"{len(problems)} problem(s) in the methodology variants")


def group_variants(framework: Framework, variants: Sequence[Variant]) -> list[Group]:
    """Partition ``variants`` by categorical choices and stack their numeric values."""
    nominal = Plan.of(framework)
    hierarchy = nominal.hierarchy
    buckets: dict[tuple, list[int]] = defaultdict(list)
    for k, variant in enumerate(variants):
        signature = tuple(sorted((p, v) for p, v in variant.items() if not _is_number(v)))
        buckets[signature].append(k)
    groups = []
    for signature, members in buckets.items():
        fixed = dict(signature)
        chosen = [variants[k] for k in members]
        numeric_paths = sorted({p for v in chosen for p, value in v.items() if _is_number(value)})
        steps = []
        for step, bound in zip(framework.methodology, nominal.steps):
            method = fixed.get(f"step.{step.key}.method")
            base = bound if method is None else BoundStep.bind(step, method=method)
            params = dict(base.params)
            params.update({Path.parse(p).name: v for p, v in fixed.items() if p.startswith(f"step.{step.key}.params.")})
            for p in numeric_paths:
                if p.startswith(f"step.{step.key}.params."):
                    name = Path.parse(p).name
                    params[name] = np.array([v.get(p, params.get(name)) for v in chosen], dtype=float)
            steps.append(replace(base, params=params))
            if base.method is not None:
                _raise_disordered(base.method, step.key, params, members)
        weights = np.tile(hierarchy.declared_weights, (len(members), 1))
        for p in numeric_paths:
            if p.startswith("weight."):
                col = hierarchy.index[Path.parse(p).target]
                weights[:, col] = [v.get(p, weights[0, col]) for v in chosen]
        groups.append(Group(np.array(members), nominal.with_steps(steps), weights))
    return groups
