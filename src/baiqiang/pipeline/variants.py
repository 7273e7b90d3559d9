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
from dataclasses import dataclass
from numbers import Real
from typing import Any, Mapping, Sequence

import numpy as np

from baiqiang.errors import FrameworkError, Problem
from baiqiang.framework.spec import DEFAULT_METHOD, METHOD_STEPS, Framework
from baiqiang.framework.structure import Hierarchy
from baiqiang.framework.validate import STEP_PARAMS
from baiqiang.methods import registry
from baiqiang.pipeline.engine import BoundStep

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


def variant_problems(
    framework: Framework, variant: Variant, where: str = "variant", hierarchy: Hierarchy | None = None
) -> list[Problem]:
    """Every problem with one variant: unknown paths, methods, parameters or values."""
    hierarchy = hierarchy or Hierarchy(framework)
    steps = {s.key: s for s in framework.methodology}
    out: list[Problem] = []
    parsed: dict[str, Path] = {}
    for text in variant:
        try:
            parsed[text] = Path.parse(text)
        except ValueError as exc:
            out.append(Problem(where, str(exc), "bad_path"))
    for text, path in parsed.items():
        value = variant[text]
        if path.kind == "weight":
            if path.target not in hierarchy.index:
                out.append(Problem(f"{where}: {text}", f"unknown indicator or aggregate {path.target!r}", "bad_path"))
            elif not (_is_number(value) and value >= 0):
                out.append(Problem(f"{where}: {text}", f"a weight must be a number >= 0; got {value!r}", "bad_value"))
            continue
        step = steps.get(path.target)
        if step is None:
            out.append(Problem(f"{where}: {text}", f"no step with id {path.target!r} (steps: {', '.join(steps)})", "bad_path"))
            continue
        if path.kind == "method":
            if step.step not in METHOD_STEPS:
                out.append(Problem(f"{where}: {text}", f"step {step.key!r} has no method", "bad_path"))
            elif not isinstance(value, str) or value not in registry.names(step.step):
                out.append(Problem(f"{where}: {text}", f"unknown {step.step} method {value!r} (known: {', '.join(registry.names(step.step))})", "bad_value"))
            continue
        out += _param_problems(step, variant, path, value, f"{where}: {text}")
    return out


def _param_problems(step: Any, variant: Variant, path: Path, value: Any, where: str) -> list[Problem]:
    if step.step in METHOD_STEPS:
        name = variant.get(f"step.{step.key}.method", step.method or DEFAULT_METHOD[step.step])
        if name not in registry.names(step.step):
            return []  # reported with the method path
        declared = registry.get(step.step, name).params
        owner = f"{step.step}.{name}"
    else:
        declared, owner = STEP_PARAMS.get(step.step, {}), f"step {step.step!r}"
    if path.name not in declared:
        return [Problem(where, f"unknown parameter {path.name!r} for {owner}", "bad_path")]
    if not declared[path.name].constraint.check(value):
        return [Problem(where, f"must be {declared[path.name].constraint.describe()}; got {value!r}", "bad_value")]
    return []


def check_variants(framework: Framework, variants: Sequence[Variant]) -> None:
    """Raise :class:`FrameworkError` listing every problem in ``variants``."""
    hierarchy = Hierarchy(framework)
    problems = [p for k, v in enumerate(variants) for p in variant_problems(framework, v, f"variant {k}", hierarchy)]
    if problems:
        raise FrameworkError(problems[:50], summary=f"{len(problems)} problem(s) in the methodology variants")


@dataclass(frozen=True)
class Group:
    """Variants sharing their categorical choices, ready for one batched evaluation."""

    members: np.ndarray  # positions in the variant list, (B,)
    steps: list[BoundStep]
    weights: np.ndarray  # (B, n_nodes) declared weights


def group_variants(framework: Framework, variants: Sequence[Variant]) -> list[Group]:
    """Partition ``variants`` by categorical choices and stack their numeric values."""
    hierarchy = Hierarchy(framework)
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
        for step in framework.methodology:
            method = fixed.get(f"step.{step.key}.method")
            base = BoundStep.bind(step, method=method)
            params = dict(base.params)
            params.update({Path.parse(p).name: v for p, v in fixed.items() if p.startswith(f"step.{step.key}.params.")})
            for p in numeric_paths:
                if p.startswith(f"step.{step.key}.params."):
                    name = Path.parse(p).name
                    params[name] = np.array([v.get(p, params.get(name)) for v in chosen], dtype=float)
            steps.append(BoundStep(base.kind, base.key, base.method, params, base.levels))
        weights = np.tile(hierarchy.declared_weights, (len(members), 1))
        for p in numeric_paths:
            if p.startswith("weight."):
                col = hierarchy.index[Path.parse(p).target]
                weights[:, col] = [v.get(p, weights[0, col]) for v in chosen]
        groups.append(Group(np.array(members), steps, weights))
    return groups
